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


# -- issue 16: roots/ND out of BMA, MICA within one namespace, empty sides NaN ---------------------

BINDING = "GO:0005488"
SIGNALING_RECEPTOR_BINDING = "GO:0005102"


def _compare_rows(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(gene, GO id, evidence) rows of one gene set for compare()."""
    t = _table([(g, go_id, ev, "") for g, go_id, ev in rows])
    t["with_from"] = ""
    return t


def test_bma_leaves_out_root_and_nd_terms(mini: Ontology) -> None:
    """x has an ND annotation to the MF root beside protein binding (like rat Il7): the root must not
    enter the best-match averages with a best match of 0.

    Corpus: c1 PROTEIN_BINDING, c2 SIGNALING_RECEPTOR_BINDING (is_a protein binding), c3 BINDING,
    c4 MF root: n(MF) = 4, n(protein binding) = 2, IC = ln 2. x and y both hold protein binding, so
    Resnik BMA = ln 2 and Lin BMA = 1. Counting the root would give (ln2/2 + ln2)/2 = 0.75 ln 2.
    """
    from goannot.compare import compare

    corpus = _compare_rows([("c1", PROTEIN_BINDING, "IDA"), ("c2", SIGNALING_RECEPTOR_BINDING, "IDA"),
                            ("c3", BINDING, "IDA"), ("c4", MF, "ND")])
    x = _compare_rows([("x", PROTEIN_BINDING, "IDA"), ("x", MF, "ND"), ("x", APOPTOSIS, "ND")])
    y = _compare_rows([("y", PROTEIN_BINDING, "IMP"), ("y", APOPTOSIS, "IDA")])
    comp = compare({"x": x, "y": y}, mini, corpora={"x": corpus, "y": corpus})
    s = comp.similarity.set_index("namespace")
    assert s.loc["molecular_function", "n_a"] == 1  # the ND root is not a term of x here
    assert s.loc["molecular_function", "resnik_bma"] == pytest.approx(LN2)
    assert s.loc["molecular_function", "lin_bma"] == pytest.approx(1.0)
    assert s.loc["molecular_function", "wang_bma"] == pytest.approx(1.0)  # the same single term
    assert s.loc["molecular_function", "jaccard"] == pytest.approx(1.0)  # closures {PB, binding, MF}
    # x's apoptosis is ND only: x has no informative BP term, so every BP measure is NaN (item 7)
    bp = s.loc["biological_process"]
    assert bp["n_a"] == 0 and bp["n_b"] == 1
    for col in ("jaccard", "simgic", "resnik_bma", "lin_bma", "wang_bma"):
        assert math.isnan(float(bp[col])), col


def test_empty_side_is_nan_for_every_measure(mini: Ontology, corpus: pd.DataFrame) -> None:
    ic = information_content(corpus, mini)
    full = mini.ancestors(APOPTOSIS, reflexive=True)
    assert math.isnan(jaccard([], full))
    assert math.isnan(simgic([], full, ic))
    assert math.isnan(simgic([BP], full, ic))  # only a root: weighs nothing, like an empty side
    assert math.isnan(best_match_average(resnik_matrix([], [APOPTOSIS], mini, ic)))


_CROSS_OBO = """format-version: 1.2
data-version: test/cross-namespace

[Term]
id: GO:0008150
name: biological_process
namespace: biological_process

[Term]
id: GO:0009987
name: cellular process
namespace: biological_process
is_a: GO:0008150 ! biological_process

[Term]
id: GO:0065007
name: biological regulation
namespace: biological_process
is_a: GO:0008150 ! biological_process

[Term]
id: GO:0003674
name: molecular_function
namespace: molecular_function

[Term]
id: GO:0000001
name: activity A
namespace: molecular_function
is_a: GO:0003674 ! molecular_function
relationship: part_of GO:0009987 ! cellular process

[Term]
id: GO:0000002
name: activity B
namespace: molecular_function
is_a: GO:0003674 ! molecular_function
relationship: part_of GO:0009987 ! cellular process

[Typedef]
id: part_of
name: part of
"""


def test_mica_stays_in_the_namespace_of_the_terms(tmp_path: Path) -> None:
    """Two MF terms, each part_of the BP term 'cellular process': over is_a + part_of their common
    ancestors are the MF root and that BP term. Resnik is defined within one ontology, so the MICA
    is the MF root (IC 0), not 'cellular process' (IC ln 3/2 here).

    Corpus: g1 -> A, g2 -> B, g3 -> biological regulation. BP: n = 3 (g1, g2 via part_of, g3),
    n(cellular process) = 2. MF: n = 2, n(A) = n(B) = 1, IC ln 2.
    """
    path = tmp_path / "cross.obo"
    path.write_text(_CROSS_OBO)
    onto = load_ontology(path)
    corpus = _table([("g1", "GO:0000001", "IDA", ""), ("g2", "GO:0000002", "IDA", ""),
                     ("g3", "GO:0065007", "IDA", "")])
    ic = information_content(corpus, onto)
    assert ic["GO:0009987"] == pytest.approx(math.log(3 / 2))  # the BP term is informative ...
    assert "GO:0009987" in onto.ancestors("GO:0000001") & onto.ancestors("GO:0000002")
    r = resnik_matrix(["GO:0000001"], ["GO:0000002"], onto, ic)
    assert r[0, 0] == 0.0  # ... but not a common ancestor within MF
    assert lin_matrix(["GO:0000001"], ["GO:0000002"], onto, ic)[0, 0] == 0.0
    assert resnik_matrix(["GO:0000001"], ["GO:0000001"], onto, ic)[0, 0] == pytest.approx(LN2)
    # an MF term and the BP term: two namespaces, no common ancestor
    assert resnik_matrix(["GO:0000001"], ["GO:0009987"], onto, ic)[0, 0] == 0.0


@pytest.mark.slow
def test_mica_within_namespace_on_real_go(go: Ontology, human: AnnotationSet) -> None:
    """MF terms with part_of ancestors in BP, on the human corpus: every Resnik value equals the
    largest IC over the common ancestors in MF, found independently with Ontology.ancestors; and
    for some pairs the unrestricted maximum would have been a BP term."""
    ic = information_content(human, go)
    mf = [t for t in ic.index if go.namespace(t) == "molecular_function" and ic[t] > 0
          and any(go.namespace(a) == "biological_process" for a in go.ancestors(t))]
    terms = sorted(mf)[:40]
    assert len(terms) == 40
    r = resnik_matrix(terms, terms, go, ic)
    crossed = 0
    for i, a in enumerate(terms):
        anc_a = go.ancestors(a, reflexive=True)
        for j, b in enumerate(terms):
            common = anc_a & go.ancestors(b, reflexive=True)
            within = max((float(ic.get(t, 0.0)) for t in common if go.namespace(t) == "molecular_function"),
                         default=0.0)
            anywhere = max((float(ic.get(t, 0.0)) for t in common), default=0.0)
            assert r[i, j] == pytest.approx(within), (a, b)
            crossed += anywhere > within + 1e-12
    assert crossed > 0


@pytest.mark.slow
def test_rat_il7_nd_roots_are_not_compared(go: Ontology, human: AnnotationSet) -> None:
    """Rat Il7 (P56478) has ND rows to the MF and CC roots beside real MF and CC terms; the compared
    MF terms are the three non-root ones of the GAF (GO:0005125, GO:0005139, GO:0008083)."""
    from goannot.compare import compare

    rat = read_annotations(locate("goa_rat-2019-01-29"))
    rows = rat.table[rat.table["db_object_id"] == "P56478"]
    assert set(rows.loc[rows["evidence"] == "ND", "go_id"]) == {MF, "GO:0005575"}
    comp = compare({"human": human, "rat": rat}, go, genes={"human": "IL7", "rat": "Il7"})
    s = comp.similarity.set_index("namespace")
    mf_rat = {t for t in rows.loc[rows["aspect"] == "F", "go_id"] if t != MF}
    assert len(mf_rat) == 3 and s.loc["molecular_function", "n_b"] == len(mf_rat)
    assert s.loc["cellular_component", "n_b"] == 1  # GO:0005615 only


# -- Wang (issue 16 item 8) -------------------------------------------------------------------------

def test_wang_by_hand_on_the_mini_go(mini: Ontology) -> None:
    """is_a 0.8 chains: NEG_REG -> REG_APOPTOSIS -> REG_BP -> BIO_REG -> BP gives S = 1, .8, .64,
    .512, .4096 (SV 3.3616); POS_REG the same. Shared: all but the two leaves, 2.3616 on each side:
    sim = 4.7232 / 6.7232."""
    from goannot.similarity import wang_matrix

    w = wang_matrix([NEG_REG_APOPTOSIS, NEG_REG_APOPTOSIS], [POS_REG_APOPTOSIS, NEG_REG_APOPTOSIS, PROTEIN_BINDING],
                    mini)
    assert w[0, 0] == pytest.approx(4.7232 / 6.7232)
    assert w[0, 1] == 1.0 and w[0, 2] == 0.0  # itself; another namespace


_WANG_OBO = """format-version: 1.2

[Term]
id: GO:0000010
name: root
namespace: biological_process

[Term]
id: GO:0000011
name: X
namespace: biological_process
is_a: GO:0000010 ! root

[Term]
id: GO:0000012
name: Y
namespace: biological_process
is_a: GO:0000011 ! X

[Term]
id: GO:0000013
name: T
namespace: biological_process
is_a: GO:0000012 ! Y
relationship: part_of GO:0000011 ! X

[Term]
id: GO:0000014
name: Z
namespace: biological_process
is_a: GO:0000011 ! X

[Typedef]
id: part_of
name: part of
"""


def test_wang_takes_the_best_path_not_the_shortest(tmp_path: Path) -> None:
    """T part_of X (0.6) but also T is_a Y is_a X (0.8 * 0.8 = 0.64): S_T(X) is the maximum, 0.64,
    not the first value of a breadth-first walk (0.6). S_T = {T 1, Y .8, X .64, root .512}, SV 2.952;
    S_Z = {Z 1, X .8, root .64}, SV 2.44; shared X and root: (0.64 + 0.512 + 0.8 + 0.64) / 5.392."""
    from goannot.similarity import wang_matrix

    path = tmp_path / "wang.obo"
    path.write_text(_WANG_OBO)
    onto = load_ontology(path)
    w = wang_matrix(["GO:0000013"], ["GO:0000014"], onto)
    assert w[0, 0] == pytest.approx((0.64 + 0.512 + 0.8 + 0.64) / 5.392)
    # is_a only: T's part_of edge is not followed, the path through Y remains
    assert wang_matrix(["GO:0000013"], ["GO:0000014"], onto, {"is_a": 0.8})[0, 0] == pytest.approx(
        (0.64 + 0.512 + 0.8 + 0.64) / 5.392)
    with pytest.raises(Exception, match="weights"):
        wang_matrix(["GO:0000013"], ["GO:0000014"], onto, {"is_a": 1.5})


@pytest.mark.slow
def test_wang_equals_goatools_within_a_namespace(go: Ontology) -> None:
    """goatools' SsWang (is_a 0.8, part_of 0.6) on real terms whose ancestors stay in their namespace.
    (goatools also walks an MF term's part_of ancestors in BP; goannot keeps to the namespace, as
    GOSemSim does, so such terms are left out here.)"""
    obo_parser = pytest.importorskip("goatools.obo_parser")
    wang_mod = pytest.importorskip("goatools.semsim.termwise.wang")
    from goannot.similarity import wang_matrix

    terms = ["GO:0043066", "GO:0043065", "GO:0006955", "GO:0002376", "GO:0045582", "GO:0030890", "GO:0007165",
             "GO:0038111", "GO:0006915", "GO:0000109", "GO:0005634", "GO:0005615", "GO:0005576", "GO:0005886"]
    for t in terms:
        assert all(go.namespace(a) == go.namespace(t) for a in go.ancestors(t)), t
    dag: Any = obo_parser.GODag(go.provenance.path, optional_attrs={"relationship"}, prt=None)
    ref: Any = wang_mod.SsWang(terms, dag, {"part_of"})
    ours = wang_matrix(terms, terms, go)
    n = 0
    for i, a in enumerate(terms):
        for j, b in enumerate(terms):
            if go.namespace(a) == go.namespace(b):
                assert ours[i, j] == pytest.approx(ref.get_sim(a, b), rel=1e-12), (a, b)
                n += 1
    assert n > 60
