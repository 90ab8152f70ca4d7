"""GO slim mapping and ribbon counts: by hand on the mini GO, and against goatools' mapslim on real genes.

goslim_generic in tests/data/obo/go-mini.obo: BP, APOPTOSIS, MF, BINDING, CC, ORGANELLE, NUCLEUS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from goannot import Ontology, load_ontology
from goannot.annotations import read_annotations
from goannot.errors import GoannotError
from goannot.propagate import propagate
from goannot.slim import map_to_slim, ribbon_counts, slim_terms
from goannot.sources import locate

MINI = Path(__file__).parent / "data" / "obo" / "go-mini.obo"

BP = "GO:0008150"
APOPTOSIS = "GO:0006915"
NEG_REG_APOPTOSIS = "GO:0043066"
MF = "GO:0003674"
BINDING = "GO:0005488"
SIGNALING_RECEPTOR_BINDING = "GO:0005102"
CC = "GO:0005575"
ORGANELLE = "GO:0043226"
NUCLEUS = "GO:0005634"
NER_COMPLEX = "GO:0000109"
INTRACELLULAR = "GO:0005622"


@pytest.fixture(scope="module")
def mini() -> Ontology:
    return load_ontology(MINI)


def test_slim_terms(mini: Ontology) -> None:
    assert slim_terms(mini, "goslim_generic") == [BP, APOPTOSIS, MF, BINDING, CC, ORGANELLE, NUCLEUS]
    assert slim_terms(mini, {"GO:0000004", NUCLEUS}) == [BP, NUCLEUS]  # alt_id -> primary
    with pytest.raises(GoannotError, match="no subset"):
        slim_terms(mini, "goslim_nope")
    with pytest.raises(GoannotError, match="not current"):
        slim_terms(mini, {"GO:0000005"})  # obsolete


def test_map_to_slim_by_hand(mini: Ontology) -> None:
    m = map_to_slim([SIGNALING_RECEPTOR_BINDING, NER_COMPLEX, NEG_REG_APOPTOSIS, INTRACELLULAR], mini)
    got = {(t, s): d for t, s, d in zip(m["term"], m["slim_term"], m["direct"])}
    assert got == {
        # is_a protein binding is_a binding is_a MF
        (SIGNALING_RECEPTOR_BINDING, BINDING): True, (SIGNALING_RECEPTOR_BINDING, MF): False,
        # part_of nucleus (itself in the slim) is_a intracellular organelle is_a organelle ...
        (NER_COMPLEX, NUCLEUS): True, (NER_COMPLEX, ORGANELLE): False, (NER_COMPLEX, CC): False,
        # regulates is not followed: only the root
        (NEG_REG_APOPTOSIS, BP): True,
        (INTRACELLULAR, CC): True,
    }
    assert set(m["gene"]) == {""}


def test_map_to_slim_relations(mini: Ontology) -> None:
    isa = map_to_slim([NER_COMPLEX], mini, relations=("is_a",))
    assert list(isa["slim_term"]) == [CC]
    reg = map_to_slim([NEG_REG_APOPTOSIS], mini, relations=("is_a", "part_of", "negatively_regulates"))
    assert dict(zip(reg["slim_term"], reg["direct"])) == {BP: False, APOPTOSIS: True}


def test_map_to_slim_of_propagation_and_ribbon(mini: Ontology) -> None:
    table = pd.DataFrame({"db": "UniProtKB", "db_object_id": ["A", "A", "B", "B"],
                          "go_id": [SIGNALING_RECEPTOR_BINDING, NUCLEUS, BINDING, "GO:0005515"],
                          "qualifier": ["", "", "", ""], "evidence": ["IDA"] * 4})
    prop = propagate(table, mini)
    m = map_to_slim(prop, mini)
    assert set(zip(m["gene"], m["term"], m["slim_term"])) >= {
        ("UniProtKB:A", SIGNALING_RECEPTOR_BINDING, BINDING), ("UniProtKB:B", BINDING, BINDING),
        ("UniProtKB:B", "GO:0005515", BINDING), ("UniProtKB:A", NUCLEUS, NUCLEUS)}
    r = ribbon_counts({"x": prop}, mini).set_index("slim_term")
    assert len(r) == 7  # every slim term, zeros included
    assert r.loc[BINDING, "n_terms"] == 3 and r.loc[BINDING, "n_genes"] == 2
    assert r.loc[MF, "n_terms"] == 3
    assert r.loc[NUCLEUS, "n_terms"] == 1 and r.loc[ORGANELLE, "n_terms"] == 1 and r.loc[CC, "n_genes"] == 1
    assert r.loc[BP, "n_terms"] == 0 and r.loc[APOPTOSIS, "n_genes"] == 0
    direct = ribbon_counts({"x": prop}, mini, direct_only=True).set_index("slim_term")
    assert direct.loc[MF, "n_terms"] == 0 and direct.loc[ORGANELLE, "n_terms"] == 0
    assert direct.loc[BINDING, "n_terms"] == 3


@pytest.mark.slow
def test_map_to_slim_equals_goatools_mapslim(go: Ontology) -> None:
    """Every direct term of human IL7 and mouse Il7: our is_a mapping = goatools' all/direct sets."""
    obo_parser = pytest.importorskip("goatools.obo_parser")
    mapslim = pytest.importorskip("goatools.mapslim")
    dag: Any = obo_parser.GODag(go.provenance.path, prt=None)
    slim_dag: Any = obo_parser.GODag.__new__(obo_parser.GODag)
    slim_ids = slim_terms(go, "goslim_generic")
    dict.update(slim_dag, {t: dag[t] for t in slim_ids})
    terms: set[str] = set()
    for name, symbol in (("goa_human-2019-01-29", "IL7"), ("goa_mouse-2019-01-29", "Il7")):
        table = read_annotations(locate(name)).table
        ids = table.loc[table["db_object_symbol"] == symbol, "go_id"]
        terms |= {go.resolve(g).primary or g for g in ids}
    mapping = map_to_slim(sorted(terms), go, "goslim_generic", relations=("is_a",))
    assert len(terms) >= 29
    for term in sorted(terms):
        direct, all_ = mapslim.mapslim(term, dag, slim_dag)
        rows = mapping[mapping["term"] == term]
        assert set(rows["slim_term"]) == all_, term
        assert set(rows.loc[rows["direct"], "slim_term"]) == direct, term
