"""Information content and similarity measures: hand-computed values on the mini GO, the lean counts
against propagation on the human GAF, and Resnik/Lin against goatools on real pairs.

Hand-made corpus on tests/data/obo/go-mini.obo (is_a + part_of; regulates not followed):

    g1 -> NEG_REG_APOPTOSIS  closure {NEG_REG, REG_APOPTOSIS, REG_BP, BIO_REG, BP}
    g2 -> POS_REG_APOPTOSIS  closure {POS_REG, REG_APOPTOSIS, REG_BP, BIO_REG, BP}
    g3 -> APOPTOSIS          closure {APOPTOSIS, CELLULAR_PROCESS, BP}
    g4 -> CELLULAR_PROCESS   closure {CELLULAR_PROCESS, BP}

so n(BP) = 4; REG_APOPTOSIS, REG_BP, BIO_REG and CELLULAR_PROCESS have 2 genes (IC ln 2); the three
leaves have 1 (IC ln 4); BP has IC 0.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from goannot import Ontology, load_ontology
from goannot.annotations import AnnotationSet, read_annotations
from goannot.propagate import propagate, term_counts
from goannot.similarity import (AnnotationCounts, ICCache, annotation_counts, best_match_average, corpus_key,
                                information_content, jaccard, lin_matrix, resnik_matrix, simgic)
from goannot.sources import locate

MINI = Path(__file__).parent / "data" / "obo" / "go-mini.obo"

BP = "GO:0008150"
CELLULAR_PROCESS = "GO:0009987"
APOPTOSIS = "GO:0006915"
BIO_REG = "GO:0065007"
REG_BP = "GO:0050789"
REG_APOPTOSIS = "GO:0042981"
NEG_REG_APOPTOSIS = "GO:0043066"
NEG_REG_APOPTOSIS_ALT = "GO:0006916"
POS_REG_APOPTOSIS = "GO:0043065"
MF = "GO:0003674"
PROTEIN_BINDING = "GO:0005515"
LN2, LN4 = math.log(2), math.log(4)


def _table(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(gene id, GO id, evidence, qualifier) rows as an annotation table."""
    return pd.DataFrame({"db": "UniProtKB", "db_object_id": [r[0] for r in rows], "go_id": [r[1] for r in rows],
                         "evidence": [r[2] for r in rows], "qualifier": [r[3] for r in rows],
                         "db_object_symbol": [r[0] for r in rows]})


@pytest.fixture(scope="module")
def mini() -> Ontology:
    return load_ontology(MINI)


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return _table([
        ("g1", NEG_REG_APOPTOSIS_ALT, "IDA", ""),   # a secondary ID counts for its primary
        ("g1", NEG_REG_APOPTOSIS, "IEA", ""),       # two rows of one gene count once
        ("g2", POS_REG_APOPTOSIS, "IMP", ""),
        ("g3", APOPTOSIS, "IDA", ""),
        ("g4", CELLULAR_PROCESS, "IEA", ""),
        ("g5", APOPTOSIS, "IDA", "NOT"),            # NOT rows never count (g5 has no other row)
        ("g6", PROTEIN_BINDING, "IPI", ""),         # another namespace: its own denominator
    ])


def test_counts_by_hand(mini: Ontology, corpus: pd.DataFrame) -> None:
    c = annotation_counts(corpus, mini)
    assert c.counts.to_dict() == {
        BP: 4, CELLULAR_PROCESS: 2, APOPTOSIS: 1, BIO_REG: 2, REG_BP: 2, REG_APOPTOSIS: 2,
        NEG_REG_APOPTOSIS: 1, POS_REG_APOPTOSIS: 1, MF: 1, "GO:0005488": 1, PROTEIN_BINDING: 1}
    assert c.namespace_totals == {"biological_process": 4, "molecular_function": 1}
    assert c.corpus["genes"] == 5


def test_information_content_by_hand(mini: Ontology, corpus: pd.DataFrame) -> None:
    ic = information_content(corpus, mini)
    assert ic[BP] == 0.0 and ic[MF] == 0.0
    for t in (CELLULAR_PROCESS, BIO_REG, REG_BP, REG_APOPTOSIS):
        assert ic[t] == pytest.approx(LN2)
    for t in (NEG_REG_APOPTOSIS, POS_REG_APOPTOSIS, APOPTOSIS):
        assert ic[t] == pytest.approx(LN4)
    assert PROTEIN_BINDING in ic and ic[PROTEIN_BINDING] == 0.0  # the only MF gene: p = 1
    assert "GO:0043229" not in ic  # no gene reaches it: no IC


def test_evidence_filter_changes_the_corpus(mini: Ontology, corpus: pd.DataFrame) -> None:
    c = annotation_counts(corpus, mini, evidence="no-IEA")
    assert CELLULAR_PROCESS in c.counts and c.counts[CELLULAR_PROCESS] == 1  # g4 (IEA) gone, g3 stays
    assert c.namespace_totals["biological_process"] == 3


def test_counts_from_propagation_equal_table_path(mini: Ontology, corpus: pd.DataFrame) -> None:
    a = annotation_counts(corpus, mini)
    b = annotation_counts(propagate(corpus, mini), mini)
    assert a.counts.sort_index().equals(b.counts.sort_index())
    assert a.namespace_totals == b.namespace_totals


def test_resnik_lin_by_hand(mini: Ontology, corpus: pd.DataFrame) -> None:
    ic = information_content(corpus, mini)
    a, b = [NEG_REG_APOPTOSIS], [POS_REG_APOPTOSIS, APOPTOSIS, NEG_REG_APOPTOSIS]
    r = resnik_matrix(a, b, mini, ic)
    assert r == pytest.approx(np.array([[LN2, 0.0, LN4]]))  # MICA: REG_APOPTOSIS, BP, itself
    lin = lin_matrix(a, b, mini, ic)
    assert lin == pytest.approx(np.array([[2 * LN2 / (2 * LN4), 0.0, 1.0]]))
    # across namespaces there is no common ancestor
    assert resnik_matrix([NEG_REG_APOPTOSIS], [PROTEIN_BINDING], mini, ic)[0, 0] == 0.0
    # over regulates too, NEG_REG_APOPTOSIS is under APOPTOSIS: MICA(NEG_REG, APOPTOSIS) = APOPTOSIS
    rr = resnik_matrix([NEG_REG_APOPTOSIS], [APOPTOSIS], mini, ic,
                       ("is_a", "part_of", "regulates", "negatively_regulates", "positively_regulates"))
    assert rr[0, 0] == pytest.approx(LN4)


def test_lin_zero_ic_conventions(mini: Ontology, corpus: pd.DataFrame) -> None:
    ic = information_content(corpus, mini)
    lin = lin_matrix([BP, BP], [BP, APOPTOSIS], mini, ic)
    assert lin[0, 0] == 1.0          # the same term, IC 0
    assert lin[0, 1] == 0.0          # IC 0 and Resnik 0


def test_best_match_average_by_hand() -> None:
    m = np.array([[LN2, 0.0]])
    # rows: max LN2; columns: LN2 and 0 -> mean LN2/2; BMA = (LN2 + LN2/2) / 2
    assert best_match_average(m) == pytest.approx(0.75 * LN2)
    assert math.isnan(best_match_average(np.zeros((0, 3))))
    assert best_match_average(np.array([[np.nan, 1.0], [np.nan, np.nan]])) == pytest.approx(1.0)


def test_jaccard_simgic_by_hand(mini: Ontology, corpus: pd.DataFrame) -> None:
    ic = information_content(corpus, mini)
    g1 = mini.ancestors(NEG_REG_APOPTOSIS, reflexive=True)
    g2 = mini.ancestors(POS_REG_APOPTOSIS, reflexive=True)
    assert jaccard(g1, g2) == pytest.approx(4 / 6)
    # shared {REG_APOPTOSIS, REG_BP, BIO_REG, BP} = 3 ln2; union adds two leaves: 3 ln2 + 2 ln4 = 7 ln2
    assert simgic(g1, g2, ic) == pytest.approx(3 / 7)
    assert simgic(g1, g1, ic) == 1.0
    assert math.isnan(jaccard([], []))
    assert math.isnan(simgic([BP], [BP], ic))  # only a root: the union weighs nothing


def test_pooled_counts_add_distinct_corpora(mini: Ontology, corpus: pd.DataFrame) -> None:
    cache = ICCache()
    a = cache.counts(corpus, mini)
    other = _table([("h1", APOPTOSIS, "IDA", ""), ("h2", REG_APOPTOSIS, "IDA", "")])
    b = cache.counts(other, mini)
    assert cache.counts(corpus.copy(), mini) is a and cache.hits == 1 and len(cache) == 2
    p = a.pooled(b)
    assert p.counts[BP] == 6 and p.namespace_totals["biological_process"] == 6
    assert p.counts[APOPTOSIS] == 2
    assert a.pooled(a) is a  # the same corpus counts once
    ic = information_content(p, mini)
    assert ic[APOPTOSIS] == pytest.approx(math.log(3))


def test_corpus_key_of_table_depends_on_content(corpus: pd.DataFrame) -> None:
    assert corpus_key(corpus) == corpus_key(corpus.copy())
    changed = corpus.copy()
    changed.loc[0, "evidence"] = "IMP"
    assert corpus_key(changed) != corpus_key(corpus)


# -- the real human GAF -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def human() -> AnnotationSet:
    return read_annotations(locate("goa_human-2019-01-29"))


@pytest.mark.slow
def test_lean_counts_equal_propagation_on_human_gaf(go: Ontology, human: AnnotationSet) -> None:
    lean = annotation_counts(human, go)
    prop = term_counts(propagate(human.table, go))
    assert lean.counts.sort_index().equals(prop.rename(None).rename_axis("term").sort_index().rename("genes"))
    assert lean.namespace_totals["biological_process"] == int(prop["GO:0008150"])
    assert corpus_key(human).startswith("file:")


@pytest.mark.slow
def test_resnik_lin_equal_goatools(go: Ontology, human: AnnotationSet) -> None:
    """goatools' TermCounts over is_a on 3,000 human genes; our IC, Resnik and Lin on the same corpus."""
    obo_parser = pytest.importorskip("goatools.obo_parser")
    semantic = pytest.importorskip("goatools.semantic")
    from goannot.bridges import to_id2gos

    table = human.table
    genes = pd.unique(table["db_object_id"])[:3000]
    sub = table[table["db_object_id"].isin(genes)]
    # goatools takes GO IDs as written: keep rows whose ID is a current primary term
    primary = {g for g in pd.unique(sub["go_id"]) if g in go and go.resolve(g).status == "primary"}
    sub = sub[sub["go_id"].isin(primary)]
    dag: Any = obo_parser.GODag(go.provenance.path, prt=None)
    tc: Any = semantic.TermCounts(dag, to_id2gos(sub), prt=None)
    ic = information_content(sub, go, ("is_a",))
    pairs = [("GO:0043066", "GO:0043065"), ("GO:0005125", "GO:0008083"), ("GO:0006955", "GO:0002376"),
             ("GO:0045582", "GO:0030890"), ("GO:0005615", "GO:0005576")]
    for a, b in pairs:
        assert ic[a] == pytest.approx(semantic.get_info_content(a, tc))
        ours_r = resnik_matrix([a], [b], go, ic, ("is_a",))[0, 0]
        ours_l = lin_matrix([a], [b], go, ic, ("is_a",))[0, 0]
        assert ours_r == pytest.approx(semantic.resnik_sim(a, b, dag, tc)), (a, b)
        assert ours_l == pytest.approx(semantic.lin_sim(a, b, dag, tc)), (a, b)


def test_annotation_counts_type(mini: Ontology, corpus: pd.DataFrame) -> None:
    assert isinstance(annotation_counts(corpus, mini), AnnotationCounts)
