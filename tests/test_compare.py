"""compare(): hand-made sets on the mini GO (states, transfer, core/specific/near misses, similarity,
ribbon), and the real IL7 orthologs of the bundled human, mouse and rat GAFs (read once per module).

Hand-made sets on tests/data/obo/go-mini.obo (is_a + part_of):

    a  gene PA (UniProtKB:P00001): NEG_REG_APOPTOSIS IDA; SIGNALING_RECEPTOR_BINDING ISS from PB; NUCLEUS IDA
    b  gene PB (UniProtKB:P00002): REG_APOPTOSIS IMP; SIGNALING_RECEPTOR_BINDING IDA; CELL IDA; NOT INTRACELLULAR
    c  gene PC (UniProtKB:P00003): APOPTOSIS IDA; PROTEIN_BINDING IEA with PB

Every set also holds an unrelated gene (X1..X3) so that a gene must be chosen.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from goannot import Ontology, load_ontology
from goannot.annotations import AnnotationSet, read_annotations
from goannot.compare import (Comparison, GeneSelectionError, compare, comparison_tables, matrix_wide,
                             summary_facts)
from goannot.similarity import ICCache
from goannot.sources import locate

REPO = Path(__file__).resolve().parent.parent
MINI = REPO / "tests" / "data" / "obo" / "go-mini.obo"
NCBI_IL7 = REPO / "examples" / "il7_ncbi_go_table.tsv"

BP = "GO:0008150"
CELLULAR_PROCESS = "GO:0009987"
APOPTOSIS = "GO:0006915"
REG_APOPTOSIS = "GO:0042981"
NEG_REG_APOPTOSIS = "GO:0043066"
REG_BP = "GO:0050789"
MF = "GO:0003674"
BINDING = "GO:0005488"
PROTEIN_BINDING = "GO:0005515"
SIGNALING_RECEPTOR_BINDING = "GO:0005102"
CC = "GO:0005575"
CELL = "GO:0005623"
INTRACELLULAR = "GO:0005622"
INTRACELLULAR_ORGANELLE = "GO:0043229"
NUCLEUS = "GO:0005634"

HUMAN_IL7 = "UniProtKB:P13232"
MOUSE_IL7 = "UniProtKB:P10168"
RAT_IL7 = "UniProtKB:P56478"


def _rows(*rows: tuple[str, str, str, str, str, str]) -> pd.DataFrame:
    """(id, symbol, GO id, evidence, with_from, qualifier) rows as an annotation table."""
    return pd.DataFrame({
        "db": "UniProtKB", "db_object_id": [r[0] for r in rows], "db_object_symbol": [r[1] for r in rows],
        "qualifier": [r[5] for r in rows], "go_id": [r[2] for r in rows], "evidence": [r[3] for r in rows],
        "with_from": [r[4] for r in rows], "db_object_synonym": [r[1].lower() + "-syn" for r in rows],
        "date": "20190101",
    })


@pytest.fixture(scope="module")
def mini() -> Ontology:
    return load_ontology(MINI)


@pytest.fixture(scope="module")
def mini_sets() -> dict[str, pd.DataFrame]:
    return {
        "a": _rows(("P00001", "PA", NEG_REG_APOPTOSIS, "IDA", "", ""),
                   ("P00001", "PA", SIGNALING_RECEPTOR_BINDING, "ISS", "UniProtKB:P00002", ""),
                   ("P00001", "PA", NUCLEUS, "IDA", "", ""),
                   ("X1", "X1", APOPTOSIS, "IDA", "", "")),
        "b": _rows(("P00002", "PB", REG_APOPTOSIS, "IMP", "", ""),
                   ("P00002", "PB", SIGNALING_RECEPTOR_BINDING, "IDA", "", ""),
                   ("P00002", "PB", CELL, "IDA", "", ""),
                   ("P00002", "PB", INTRACELLULAR, "IDA", "", "NOT|located_in"),
                   ("X2", "X2", CELLULAR_PROCESS, "IDA", "", "")),
        "c": _rows(("P00003", "PC", APOPTOSIS, "IDA", "", ""),
                   ("P00003", "PC", PROTEIN_BINDING, "IEA", "UniProtKB:P00002-2|InterPro:IPR0", ""),
                   ("X3", "X3", NUCLEUS, "IDA", "", "")),
    }


@pytest.fixture(scope="module")
def mini_comp(mini: Ontology, mini_sets: dict[str, pd.DataFrame]) -> Comparison:
    return compare(mini_sets, mini, genes={"a": "PA", "b": "UniProtKB:P00002", "c": "pc-syn"})


def _num(frame: pd.DataFrame, key: tuple[str, ...], col: str) -> float:
    value: Any = frame.loc[key, col]
    return float(value)


def _cell(comp: Comparison, label: str, term: str) -> pd.Series:
    m = comp.matrix
    row = m[(m["set"] == label) & (m["term"] == term)]
    assert len(row) == 1, (label, term)
    return row.iloc[0]


def test_gene_selection(mini_comp: Comparison) -> None:
    g = mini_comp.genes.set_index("set")
    assert list(g["gene"]) == ["UniProtKB:P00001", "UniProtKB:P00002", "UniProtKB:P00003"]
    assert list(g["matched_by"]) == ["symbol", "id", "synonym"]
    assert list(g["rows"]) == [3, 4, 2]


def test_gene_selection_errors(mini: Ontology, mini_sets: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(GeneSelectionError, match="several genes"):
        compare(mini_sets, mini, genes={"a": "PA", "b": "PB"})  # c holds two genes
    with pytest.raises(GeneSelectionError, match="names no gene"):
        compare(mini_sets, mini, genes={"a": "PA", "b": "PB", "c": "nope"})
    two = pd.concat([mini_sets["c"], mini_sets["c"].assign(db_object_id="P00009")])
    with pytest.raises(GeneSelectionError, match="several genes by symbol"):
        compare({"a": mini_sets["a"], "c": two}, mini, genes={"a": "PA", "c": "PC"})


def test_matrix_states(mini_comp: Comparison) -> None:
    assert _cell(mini_comp, "a", NEG_REG_APOPTOSIS)["state"] == "direct"
    assert _cell(mini_comp, "b", NEG_REG_APOPTOSIS)["state"] == "absent"
    assert _cell(mini_comp, "b", REG_BP)["state"] == "inferred"
    assert _cell(mini_comp, "b", INTRACELLULAR)["state"] == "NOT"
    assert _cell(mini_comp, "a", INTRACELLULAR)["state"] == "inferred"  # nucleus part_of ... intracellular
    assert _cell(mini_comp, "c", INTRACELLULAR)["state"] == "absent"
    not_cell = _cell(mini_comp, "b", INTRACELLULAR)
    assert not_cell["evidence_codes"] == "IDA" and not_cell["evidence_class"] == "experimental"
    assert not mini_comp.matrix["conflict"].any()
    # complete grid: every set x every term of any closure or NOT
    m = mini_comp.matrix
    assert len(m) == 3 * m["term"].nunique()
    assert set(m["state"]) == {"direct", "inferred", "NOT", "absent"}


def test_transferred_evidence(mini_comp: Comparison) -> None:
    srb = _cell(mini_comp, "a", SIGNALING_RECEPTOR_BINDING)
    assert (srb["state"], srb["transferred_from"], bool(srb["own_support"])) == ("direct", "b", False)
    assert srb["evidence_class"] == "computational"
    pb = _cell(mini_comp, "c", PROTEIN_BINDING)  # IEA with an isoform of PB's accession
    assert (pb["transferred_from"], bool(pb["own_support"]), pb["evidence_class"]) == ("b", False, "electronic")
    own = _cell(mini_comp, "b", SIGNALING_RECEPTOR_BINDING)
    assert own["transferred_from"] == "" and own["own_support"]


def test_core_shared_specific(mini_comp: Comparison) -> None:
    core = mini_comp.core.set_index("term")
    assert set(core.index) == {BP, MF, BINDING, PROTEIN_BINDING}
    assert core.loc[BP, "support"] == "independent"
    assert core.loc[PROTEIN_BINDING, "support"] == "circular"
    assert core.loc[PROTEIN_BINDING, "circular_sets"] == "a<-b; c<-b"
    assert core.loc[PROTEIN_BINDING, "direct_in"] == "c"
    shared = mini_comp.shared.set_index("term")
    assert shared.loc[REG_APOPTOSIS, "sets"] == "a,b" and not shared.loc[REG_APOPTOSIS, "in_all"]
    assert shared.loc[SIGNALING_RECEPTOR_BINDING, "circular_sets"] == "a<-b"
    assert NEG_REG_APOPTOSIS not in shared.index
    spec = set(zip(mini_comp.specific["set"], mini_comp.specific["term"]))
    assert spec == {("a", NEG_REG_APOPTOSIS), ("a", NUCLEUS), ("c", APOPTOSIS)}


def test_near_misses(mini_comp: Comparison) -> None:
    got = set(mini_comp.near_misses[["set_a", "term_a", "set_b", "term_b", "relation", "distance"]]
              .itertuples(index=False, name=None))
    assert got == {
        ("a", NEG_REG_APOPTOSIS, "b", REG_APOPTOSIS, "descendant", 1),
        ("a", NUCLEUS, "b", CELL, "descendant", 3),  # nucleus is_a intracellular organelle part_of ...
        ("a", SIGNALING_RECEPTOR_BINDING, "c", PROTEIN_BINDING, "descendant", 1),
        ("b", SIGNALING_RECEPTOR_BINDING, "c", PROTEIN_BINDING, "descendant", 1),
    }


def test_similarity_jaccard_by_hand(mini_comp: Comparison) -> None:
    s = mini_comp.similarity.set_index(["set_a", "set_b", "namespace"])
    # a: 15 closure terms, b: 10, all of b's in a's
    assert s.loc[("a", "b", "all"), "jaccard"] == pytest.approx(10 / 15)
    assert s.loc[("a", "b", "molecular_function"), "jaccard"] == 1.0
    # both MF genes of the pooled a+b corpus sit on the same term: every MF IC is 0, SimGIC undefined
    assert math.isnan(_num(s, ("a", "b", "molecular_function"), "simgic"))
    assert s.loc[("a", "b", "all"), "n_a"] == 3 and s.loc[("a", "b", "all"), "n_b"] == 3
    assert s.loc[("a", "c", "cellular_component"), "n_b"] == 0  # c has no CC term
    # one side has nothing in the namespace: every measure is undefined (issue 16 item 7)
    for col in ("jaccard", "simgic", "resnik_bma", "lin_bma"):
        assert math.isnan(_num(s, ("a", "c", "cellular_component"), col)), col
    for value in s["lin_bma"]:
        assert math.isnan(value) or 0.0 <= value <= 1.0


def test_ic_corpora_in_meta(mini_comp: Comparison, mini: Ontology) -> None:
    ic = mini_comp.meta["ic"]
    assert ic["sets"]["a"]["corpus"] == "a table" and ic["sets"]["a"]["genes"] == 2
    assert ic["pairs"]["a|b"] == "a table + b table"
    assert mini_comp.meta["ontology"]["data_version"] == "releases/2099-01-01"
    assert mini_comp.meta["relations"] == ["is_a", "part_of"]
    assert mini_comp.meta["sets"]["a"]["source"]["latest_row_date"] == "20190101"


def test_ribbon(mini_comp: Comparison) -> None:
    r = mini_comp.ribbon.set_index(["set", "slim_term"])
    assert r.loc[("a", NUCLEUS), "n_terms"] == 1
    assert r.loc[("a", BINDING), "n_terms"] == 1
    assert r.loc[("a", BP), "n_terms"] == 1 and r.loc[("a", APOPTOSIS), "n_terms"] == 0
    assert r.loc[("c", APOPTOSIS), "n_terms"] == 1 and r.loc[("c", BP), "n_terms"] == 1
    assert r.loc[("b", CC), "n_terms"] == 1  # CELL


def test_not_conflict(mini: Ontology) -> None:
    sets = {"x": _rows(("P1", "P1", INTRACELLULAR_ORGANELLE, "IDA", "", ""),
                       ("P1", "P1", INTRACELLULAR, "IMP", "", "NOT")),
            "y": _rows(("P2", "P2", INTRACELLULAR, "IDA", "", ""))}
    comp = compare(sets, mini)
    assert _cell(comp, "x", INTRACELLULAR)["state"] == "NOT"
    assert _cell(comp, "x", INTRACELLULAR)["conflict"]
    assert _cell(comp, "x", INTRACELLULAR_ORGANELLE)["conflict"]
    assert not _cell(comp, "y", INTRACELLULAR)["conflict"]
    assert any("NOT" in f for f in summary_facts(comp))


def test_orthologs_table(mini: Ontology, mini_sets: dict[str, pd.DataFrame]) -> None:
    orth = pd.DataFrame({"a": ["PA", "X1"], "b": ["P00002", "X2"], "c": ["PC", "X3"]})
    comp = compare(mini_sets, mini, orthologs=orth, genes={"a": "PA"})
    assert list(comp.genes["gene"]) == ["UniProtKB:P00001", "UniProtKB:P00002", "UniProtKB:P00003"]
    comp2 = compare(mini_sets, mini, orthologs=orth, genes={"b": "X2"})
    assert list(comp2.genes["symbol"]) == ["X1", "X2", "X3"]
    with pytest.raises(GeneSelectionError, match="needs genes="):
        compare(mini_sets, mini, orthologs=orth)


def test_tables_and_wide(mini_comp: Comparison) -> None:
    tables = comparison_tables(mini_comp)
    assert set(tables) >= {"matrix", "matrix_wide", "shared", "core", "specific", "near_misses", "similarity",
                           "ribbon", "genes"}
    wide = matrix_wide(mini_comp.matrix)
    assert list(wide.columns) == ["term", "name", "namespace", "a", "b", "c"]
    assert wide.set_index("term").loc[INTRACELLULAR, "b"] == "NOT"


# -- real data: IL7 in the bundled GAFs ---------------------------------------------------------

@pytest.fixture(scope="module")
def gafs() -> dict[str, AnnotationSet]:
    return {sp: read_annotations(locate(f"goa_{sp}-2019-01-29")) for sp in ("human", "mouse", "rat")}


@pytest.fixture(scope="module")
def il7(go: Ontology, gafs: dict[str, AnnotationSet]) -> Comparison:
    return compare(gafs, go, genes={"human": "IL7", "mouse": "Il7", "rat": "Il7"})


def test_il7_human_row_is_iss_from_mouse_in_the_file(gafs: dict[str, AnnotationSet]) -> None:
    t = gafs["human"].table
    rows = t[(t["db_object_id"] == "P13232") & (t["go_id"] == NEG_REG_APOPTOSIS)]
    assert list(rows["evidence"]) == ["ISS"] and list(rows["with_from"]) == [MOUSE_IL7]


def test_il7_genes(il7: Comparison) -> None:
    assert list(il7.genes["gene"]) == [HUMAN_IL7, MOUSE_IL7, RAT_IL7]


def test_il7_transferred_from_mouse(il7: Comparison) -> None:
    cell = _cell(il7, "human", NEG_REG_APOPTOSIS)
    assert cell["state"] == "direct" and "ISS" in cell["evidence_codes"].split("|")
    assert cell["transferred_from"] == "mouse" and not cell["own_support"]
    # mouse has it only by inference (from GO:2001240 'negative regulation of extrinsic apoptotic ...')
    assert _cell(il7, "mouse", NEG_REG_APOPTOSIS)["state"] == "inferred"
    assert _cell(il7, "mouse", NEG_REG_APOPTOSIS)["own_support"]
    # and the other way round: mouse's ISO rows from human IL7
    back = _cell(il7, "mouse", "GO:0001961")
    assert back["transferred_from"] == "human" and back["evidence_codes"] == "ISO"
    core = il7.core.set_index("term")
    assert core.loc[NEG_REG_APOPTOSIS, "support"] == "circular"
    assert core.loc[NEG_REG_APOPTOSIS, "circular_sets"] == "human<-mouse; rat<-mouse"


def test_il7_core_specific_similarity(il7: Comparison) -> None:
    assert il7.core["namespace"].value_counts().to_dict() == {
        "biological_process": 79, "molecular_function": 12, "cellular_component": 4}
    assert (il7.core["support"] == "circular").sum() == 71
    spec = il7.specific.groupby("set")["term"].apply(set).to_dict()
    assert spec == {"human": {"GO:0006959", "GO:0007267", "GO:0009887", "GO:0038111", "GO:0062023"},
                    "rat": {"GO:0010165", "GO:0071456"}}
    s = il7.similarity.set_index(["set_a", "set_b", "namespace"])
    assert s.loc[("human", "mouse", "all"), "jaccard"] == pytest.approx(0.95)
    assert s.loc[("human", "mouse", "molecular_function"), "simgic"] == 1.0
    lin_hr, lin_hm = _num(s, ("human", "rat", "all"), "lin_bma"), _num(s, ("human", "mouse", "all"), "lin_bma")
    assert 0.0 < lin_hr < lin_hm <= 1.0
    facts = summary_facts(il7)
    assert any(f.startswith("79 BP terms shared by human, mouse and rat; 65 of them") for f in facts)
    assert il7.meta["ic"]["sets"]["rat"]["corpus"] == "GO.goa_rat_2019.01.29.gz"


def test_il7_compare_reuses_the_ic_cache(go: Ontology, gafs: dict[str, AnnotationSet]) -> None:
    """A second comparison over the same files computes no information content again."""
    cache = ICCache()
    first = compare(gafs, go, genes={"human": "IL7", "mouse": "Il7", "rat": "Il7"}, ic_cache=cache)
    again = compare(gafs, go, genes={"human": "P13232", "mouse": "Il-7", "rat": "Il7"}, ic_cache=cache)
    assert cache.misses == 3 and cache.hits == 3
    assert list(again.genes["matched_by"]) == ["id", "synonym", "symbol"]
    pd.testing.assert_frame_equal(first.similarity, again.similarity)


def test_ncbi_table_vs_goa(go: Ontology, gafs: dict[str, AnnotationSet]) -> None:
    ncbi = read_annotations(NCBI_IL7)
    comp = compare({"ncbi": ncbi, "goa": gafs["human"]}, go, genes={"goa": "IL7"})
    spec = comp.specific.groupby("set")["term"].apply(set).to_dict()
    # the old table's 'anti-apoptosis' GO:0006916 is an alt_id of GO:0043066, which GOA has
    assert _cell(comp, "ncbi", NEG_REG_APOPTOSIS)["state"] == "direct"
    assert spec["ncbi"] == {"GO:0030308"}  # negative regulation of cell growth: only in the NCBI table
    assert spec["goa"] == {"GO:0001961", "GO:0019221", "GO:0032722", "GO:0038111", "GO:0050730",
                           "GO:0062023", "GO:2001240"}
    # the one-gene NCBI table takes its IC from the GOA file
    assert comp.meta["ic"]["sets"]["ncbi"]["corpus"] == "GO.goa_human_2019.01.29.gz"
    assert comp.similarity.set_index("namespace").loc["all", "ic_corpus"] == "GO.goa_human_2019.01.29.gz"
