"""topGO's elim, weight01 and parent-child (goannot.enrich_algorithms): hand-computed tables on a
small DAG, checked with scipy's hypergeometric distribution (independent of goannot.stats), and elim
through ``enrich(algorithm="elim")`` against goatools 1.6.9's elim on the mini GO and the human GAF.

The hand DAG (edges child -> parent), population genes 0..19 (pop_n = 20), study S = {0,1,2,3,4,12,15}:

    R (root)   genes 0..19
    A -> R     genes 0..11          (C, D and 10, 11)
    B -> R     genes 0,1,2,3,12,13,14
    C -> A, B  genes 0,1,2,3        (all four in the study)
    D -> A     genes 4..9           (4 in the study)
    E -> B     genes 13,14          (no study gene: not scored, p = 1)
"""

from __future__ import annotations

import collections
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom

from goannot.enrich import enrich
from goannot.enrich_algorithms import elim, parent_child, weight01
from goannot.errors import GoannotError

from test_enrich import MINI_OBO, human_study, make_table, mini, mini_rows, with_aspects  # noqa: F401

GENES: dict[str, frozenset[int]] = {
    "R": frozenset(range(20)), "A": frozenset(range(12)), "B": frozenset({0, 1, 2, 3, 12, 13, 14}),
    "C": frozenset({0, 1, 2, 3}), "D": frozenset(range(4, 10)), "E": frozenset({13, 14}),
}
PARENTS = {"A": ["R"], "B": ["R"], "C": ["A", "B"], "D": ["A"], "E": ["B"]}
STUDY = frozenset({0, 1, 2, 3, 4, 12, 15})


def p_over(a: int, n: int, k: int, tot: int) -> float:
    """P(X >= a), X hypergeometric: n study genes among tot, the term holding k of them (scipy).

    P(X >= 0) = 1, also for the empty tables scipy leaves undefined (topGO: all-zero table, p = 1)."""
    return 1.0 if a <= 0 else float(hypergeom.sf(a - 1, tot, k, n))


def test_elim_by_hand() -> None:
    """C: a=4 of n=7, K=4 of N=20 -> p = 35/4845 <= 0.01: genes 0..3 leave A, B and R.
    A then: a = 5-4, n = 7-4, K = 12-4, N = 20-4; B: a = 5-4, n = 3, K = 7-4, N = 16;
    R: a = 7-4, n = 3, K = 20-4, N = 16 (p = 1). D is not significant and eliminates nothing."""
    res = elim(GENES, STUDY, 7, 20, PARENTS, 0.01)
    assert res.pvalues["C"] == pytest.approx(35 / 4845)
    assert res.pvalues["D"] == pytest.approx(p_over(1, 7, 6, 20))
    assert res.pvalues["A"] == pytest.approx(p_over(1, 3, 8, 16))
    assert res.pvalues["B"] == pytest.approx(p_over(1, 3, 3, 16))
    assert res.pvalues["R"] == pytest.approx(1.0)
    assert res.pvalues["E"] == 1.0
    assert res.removed == {"R": 4, "A": 4, "B": 4, "C": 0, "D": 0, "E": 0}
    # Bonferroni: cutoff 0.01 / 5 scored terms; C (0.0072) no longer eliminates: A is its classic test
    strict = elim(GENES, STUDY, 7, 20, PARENTS, 0.01, bonferroni=True)
    assert strict.pvalues["A"] == pytest.approx(p_over(5, 7, 12, 20))
    assert all(v == 0 for v in strict.removed.values())


def test_weight01_by_hand() -> None:
    """A: classic p0 = P(a=5, n=7, K=12, N=20) ~ 0.39; child C (0.0072) beats it, D (0.956) does not.
    Without C's genes: a=1, n=3, K=8, N=16 -> 0.9, still better than D: p(A) = 0.9, D's genes stay.
    B: p0 ~ 0.022 > p(C): without C's genes a=1, n=3, K=3, N=16. Genes 0..3 pass up to R, whose
    children A and B then both beat it: R keeps genes 15..19 only (a=1, n=1, K=5, N=5, p = 1)."""
    assert p_over(4, 7, 4, 20) < p_over(5, 7, 12, 20) < p_over(1, 7, 6, 20)
    assert p_over(1, 3, 8, 16) < p_over(1, 7, 6, 20)  # D is still not better after C left A
    res = weight01(GENES, STUDY, 7, 20, PARENTS)
    assert res.pvalues["C"] == pytest.approx(p_over(4, 7, 4, 20))
    assert res.pvalues["D"] == pytest.approx(p_over(1, 7, 6, 20))
    assert res.pvalues["A"] == pytest.approx(p_over(1, 3, 8, 16))
    assert res.pvalues["A"] == pytest.approx(0.9)
    assert res.pvalues["B"] == pytest.approx(p_over(1, 3, 3, 16))
    assert res.pvalues["R"] == pytest.approx(1.0)
    assert res.removed["A"] == 4 and res.removed["B"] == 4 and res.removed["R"] == 15
    assert res.pvalues["E"] == 1.0


def test_weight01_child_must_beat_the_parent() -> None:
    """A lone child less significant than its parent removes nothing: the parent keeps its classic p."""
    genes = {"R": frozenset(range(10)), "P": frozenset(range(6)), "K": frozenset({4, 5})}
    study = frozenset({0, 1, 2, 3, 4})
    parents = {"P": ["R"], "K": ["P"]}
    p_parent, p_kid = p_over(5, 5, 6, 10), p_over(1, 5, 2, 10)
    assert p_parent < p_kid
    res = weight01(genes, study, 5, 10, parents)
    assert res.pvalues["P"] == pytest.approx(p_parent) and res.removed["P"] == 0


def test_parent_child_by_hand() -> None:
    """Union: C against A u B = genes 0..14 (6 study genes): a=4, n=6, K=4, N=15. D against A: a=1,
    n=5, K=6, N=12. A and B against R: their classic tests. The root gets 1.
    Intersection: C against A n B = {0,1,2,3}: every gene is a study gene, p = 1."""
    res = parent_child(GENES, STUDY, PARENTS)
    assert res.pvalues["C"] == pytest.approx(p_over(4, 6, 4, 15))
    assert res.pvalues["D"] == pytest.approx(p_over(1, 5, 6, 12))
    assert res.pvalues["A"] == pytest.approx(p_over(5, 7, 12, 20))
    assert res.pvalues["B"] == pytest.approx(p_over(5, 7, 7, 20))
    assert res.pvalues["R"] == 1.0 and res.pvalues["E"] == 1.0
    assert res.removed["C"] == 15
    inter = parent_child(GENES, STUDY, PARENTS, join="intersect")
    assert inter.pvalues["C"] == pytest.approx(1.0)
    assert inter.pvalues["D"] == pytest.approx(res.pvalues["D"])  # one parent: both joins agree


def test_algorithms_reject_cycles_and_bad_options() -> None:
    with pytest.raises(ValueError, match="cycle"):
        weight01({"x": frozenset({1}), "y": frozenset({1})}, frozenset({1}), 1, 2, {"x": ["y"], "y": ["x"]})
    with pytest.raises(ValueError, match="cutoff"):
        elim(GENES, STUDY, 7, 20, PARENTS, 0.0)


# -- through enrich(): options, and elim against goatools ------------------------------------------

def goatools_elim(obo: Path, table: pd.DataFrame, pop: list[str], study: list[str], aspect: str,
                  cutoff: float = 0.01) -> dict[str, tuple[float, int]]:
    """goatools 1.6.9's GOEnrichmentStudy(algorithm='elim') over is_a + part_of: GO -> (p, elim_genes)."""
    from goatools.go_enrichment import GOEnrichmentStudy
    from goatools.obo_parser import GODag

    dag = GODag(str(obo), optional_attrs={"relationship"}, prt=None)
    rows = table[~table["qualifier"].astype(str).str.contains("NOT") & (table["aspect"].astype(str) == aspect)]
    assoc: dict[str, set[str]] = collections.defaultdict(set)
    for g, t in zip(rows["db_object_id"].astype(str), rows["go_id"].astype(str)):
        assoc[g].add(t)
    goea = GOEnrichmentStudy(pop, dict(assoc), dag, propagate_counts=True, relationships={"part_of"},
                             methods=["bonferroni"], log=None, algorithm="elim", elim_cutoff=cutoff)
    return {r.GO: (r.p_uncorrected, r.elim_genes) for r in goea.run_study(study, prt=None)}


def assert_elim_equal(ours: pd.DataFrame, ref: dict[str, tuple[float, int]]) -> int:
    t = ours.set_index("GO")
    assert set(t.index) == set(ref)
    p = np.array([ref[g][0] for g in t.index])
    assert np.max(np.abs(t["p_uncorrected"].to_numpy() - p) / np.maximum(p, 1e-300)) <= 1e-9
    assert (t["elim_genes"].to_numpy() == np.array([ref[g][1] for g in t.index])).all()
    return int((t["elim_genes"] > 0).sum())


def test_mini_elim_equals_goatools(mini: Any) -> None:  # noqa: F811
    table = with_aspects(make_table(mini_rows(200, seed=21)), mini)
    genes = sorted(set(table["db_object_id"]))
    hits = set(table.loc[table["go_id"].isin(["GO:0000109", "GO:0043066"]), "db_object_id"])
    study = sorted(hits)[:40] + genes[:5]
    eliminated = 0
    for aspect, code in (("P", "BP"), ("F", "MF"), ("C", "CC")):
        ours = enrich(study, genes, table, mini, ns=code, algorithm="elim", elim_cutoff=0.05)
        eliminated += assert_elim_equal(ours.table, goatools_elim(MINI_OBO, table, genes, study, aspect, 0.05))
        assert ours.meta["algorithm"] == "elim" and ours.meta["alternative"] == "greater"
    assert eliminated > 0


def test_enrich_algorithm_options(mini: Any) -> None:  # noqa: F811
    table = with_aspects(make_table(mini_rows(80, seed=5)), mini)
    genes = sorted(set(table["db_object_id"]))
    with pytest.raises(GoannotError, match="over-representation"):
        enrich(genes[:20], genes, table, mini, algorithm="elim", alternative="two-sided")
    with pytest.raises(GoannotError, match="unknown algorithm"):
        enrich(genes[:20], genes, table, mini, algorithm="weight")
    classic = enrich(genes[:20], genes, table, mini)
    assert classic.meta["alternative"] == "two-sided" and "elim_genes" not in classic.table.columns
    for algo, col in (("weight01", "elim_genes"), ("parentchild", "parent_genes")):
        res = enrich(genes[:20], genes, table, mini, algorithm=algo)
        assert res.meta["algorithm"] == algo and col in res.table.columns
        assert ((res.table["p_uncorrected"] >= 0) & (res.table["p_uncorrected"] <= 1)).all()
        # the reported counts stay the classic ones
        pd.testing.assert_series_equal(res.table.set_index("GO")["pop_count"].sort_index(),
                                       classic.table.set_index("GO")["pop_count"].sort_index())


@pytest.mark.slow
def test_human_bp_elim_equals_goatools(go: Any) -> None:
    from goannot import sources
    from goannot.annotations import read_annotations

    human = read_annotations(sources.locate("goa_human-2019-01-29"))
    study, pop = human_study(go, human.table)
    ours = enrich(study, pop, human, go, ns="BP", algorithm="elim")
    eliminated = assert_elim_equal(ours.table, goatools_elim(Path(go.provenance.path), human.table, pop, study, "P"))
    assert len(ours.table) > 12000 and eliminated > 100
    # elim moves the broad parent below the specific child: immune response loses 1574 genes
    t = ours.table.set_index("GO")
    assert t.loc["GO:0006955", "elim_genes"] > 1000 and not math.isnan(t.loc["GO:0006955", "p_uncorrected"])


def test_enrich_cli_algorithm(tmp_path: Path, go: Any) -> None:
    """`goannot enrich --algorithm elim` writes the elim p-values of enrich(algorithm='elim')."""
    from goannot import sources
    from goannot.annotations import read_annotations
    from goannot.cli import main

    genes = ["IL7", "IL7R", "IL2RG", "JAK1", "JAK3", "STAT5A", "STAT5B", "IL2", "IL4", "IL15", "IL21", "IL9"]
    study = tmp_path / "study.txt"
    study.write_text("\n".join(genes) + "\n")
    out = tmp_path / "elim.tsv"
    assert main(["enrich", "--study", str(study), "--all-annotated", "--ns", "BP", "--algorithm", "elim",
                 "--elim-cutoff", "0.001", "--out", str(out)]) == 0
    got = pd.read_csv(out, sep="\t").set_index("GO")
    human = read_annotations(sources.locate("goa_human-2019-01-29"))
    api = enrich(genes, None, human, go, ns="BP", algorithm="elim", elim_cutoff=0.001).table.set_index("GO")
    assert (got["elim_genes"] > 0).any()
    assert np.allclose(got.loc[api.index, "p_uncorrected"], api["p_uncorrected"], rtol=1e-12, atol=0)
    assert main(["enrich", "--study", str(study), "--all-annotated", "--ns", "BP", "--algorithm", "elim",
                 "--alternative", "two-sided"]) == 2


def _random_dag(seed: int) -> tuple[dict[int, frozenset[int]], dict[int, list[int]], frozenset[int]]:
    """A random 40-term DAG (parents among earlier terms), 60 genes annotated and propagated up."""
    rng = np.random.default_rng(seed)
    parents = {t: sorted({int(p) for p in rng.choice(t, size=min(t, int(rng.integers(1, 3))), replace=False)})
               for t in range(1, 40)}
    direct: dict[int, set[int]] = {t: set() for t in range(40)}
    for g in range(60):
        for t in rng.choice(40, size=int(rng.integers(1, 3)), replace=False):
            direct[int(t)].add(g)
    genes = {t: set(direct[t]) for t in range(40)}
    for t in range(39, 0, -1):  # children have larger numbers than their parents: propagate downwards-up
        for p in parents[t]:
            genes[p] |= genes[t]
    study = frozenset(int(g) for g in rng.choice(60, size=15, replace=False))
    return {t: frozenset(g) for t, g in genes.items()}, parents, study


def _reference_weight01(genes: dict[int, frozenset[int]], parents: dict[int, list[int]], study: frozenset[int],
                        pop_n: int) -> dict[int, float]:
    """topGO's .sigGroups.weight01 written out literally (recursive computeTermSig, one term at a time,
    plain sets, scipy's hypergeometric), with a child removed when p(child) <= p(term)."""
    scored = {t for t, g in genes.items() if g & study}
    kids: dict[int, list[int]] = {t: [] for t in scored}
    for t in scored:
        for p in parents.get(t, []):
            if p in scored:
                kids[p].append(t)

    def ancestors(t: int) -> set[int]:
        out: set[int] = set()
        todo = [p for p in parents.get(t, []) if p in scored]
        while todo:
            p = todo.pop()
            if p not in out:
                out.add(p)
                todo += [q for q in parents.get(p, []) if q in scored]
        return out

    level: dict[int, int] = {}

    def depth(t: int) -> int:
        if t not in level:
            level[t] = 1 + max((depth(p) for p in parents.get(t, []) if p in scored), default=-1)
        return level[t]

    up: dict[int, set[int]] = {}
    sig: dict[int, float] = {}
    for t in sorted(scored, key=lambda x: -depth(x)):
        to_remove: set[int] = set()

        def compute(children: list[int]) -> None:
            r = up.get(t, set())
            g = genes[t] - r
            p = p_over(len(g & study), len(study) - len(r & study), len(g), pop_n - len(r))
            better = [c for c in children if sig[c] <= p]
            if not better:
                sig[t] = p
                return
            removed = set().union(*(genes[c] for c in better))
            up[t] = up.get(t, set()) | removed
            to_remove.update(removed)
            compute([c for c in children if c not in better])

        compute(kids[t])
        for a in ancestors(t):
            up[a] = up.get(a, set()) | to_remove
    return {t: sig.get(t, 1.0) for t in genes}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_weight01_equals_a_literal_recursive_version(seed: int) -> None:
    genes, parents, study = _random_dag(seed)
    ref = _reference_weight01(genes, parents, study, 60)
    got = weight01(genes, study, len(study), 60, parents)
    for t in genes:
        assert got.pvalues[t] == pytest.approx(ref[t], rel=1e-9, abs=1e-15), t
