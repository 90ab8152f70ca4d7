"""goannot.stats against the references it promises to equal: scipy, goatools and statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import fisher_exact

from goannot.stats import (
    CORRECTION_METHODS,
    Alternative,
    adjust_pvalues,
    enrichment_direction,
    fisher_exact_pvalues,
)

ALTERNATIVES: tuple[Alternative, ...] = ("two-sided", "greater", "less")
# Promised agreement with the reference, relative, for p-values in the normal double range.
P_RTOL = 1e-9
# Below this the reference itself is subnormal (or 0) and only absolutely comparable.
TINY = 1e-300
GO_POPULATION = 20_000  # about the number of protein-coding genes: goatools' usual pop_n


def scipy_pvalues(tables: np.ndarray, alternative: str) -> np.ndarray:
    """scipy.stats.fisher_exact per row (a, n, K, N), on goatools' table layout."""
    return np.array(
        [
            fisher_exact([[a, n - a], [k - a, tot - n - k + a]], alternative=alternative).pvalue
            for a, n, k, tot in tables.tolist()
        ]
    )


def assert_same_pvalues(ours: np.ndarray, ref: np.ndarray) -> None:
    normal = ref >= TINY
    rel = np.abs(ours[normal] - ref[normal]) / ref[normal]
    assert rel.max(initial=0.0) <= P_RTOL, f"max relative difference {rel.max()}"
    assert np.abs(ours[~normal] - ref[~normal]).max(initial=0.0) <= TINY
    assert np.all((ours >= 0.0) & (ours <= 1.0))


def random_tables(rng: np.random.Generator, count: int) -> np.ndarray:
    """Valid (a, n, K, N) rows over many scales, with a drawn anywhere in its support."""
    rows = []
    for _ in range(count):
        tot = int(rng.choice([1, 2, 5, 13, 40, 200, 1_000, 5_000, GO_POPULATION]))
        n = int(rng.integers(0, tot + 1))
        k = int(rng.integers(0, tot + 1))
        low, high = max(0, n + k - tot), min(n, k)
        a = int(rng.integers(low, high + 1))
        rows.append((a, n, k, tot))
    return np.array(rows, dtype=np.int64)


def go_like_tables(rng: np.random.Generator, count: int) -> np.ndarray:
    """What a GO enrichment run looks like: one study, many terms of skewed sizes."""
    n, tot = 400, GO_POPULATION
    k = np.minimum(np.round(rng.pareto(0.8, count) * 3).astype(np.int64) + 1, tot)
    # Half the terms follow the null, half are enriched in the study.
    a_null = rng.hypergeometric(k, tot - k, n)
    a_rich = np.minimum(np.minimum(k, n), a_null + rng.integers(0, 30, count))
    a = np.where(rng.random(count) < 0.5, a_null, a_rich)
    a = np.maximum(a, np.maximum(0, n + k - tot))
    return np.column_stack([a, np.full(count, n), k, np.full(count, tot)])


def extreme_tables() -> np.ndarray:
    """Edges: empty rows/columns, a = 0, a = n, a = K, K = N, n = N, and p near 1e-300."""
    rows = [
        (0, 0, 0, 0), (0, 0, 5, 10), (0, 5, 0, 10), (3, 3, 10, 10), (5, 10, 5, 10),
        (10, 10, 10, 10), (10, 10, 10, 20), (0, 10, 10, 20), (5, 10, 10, 20),
        (0, 400, 1, GO_POPULATION), (1, 400, 1, GO_POPULATION), (400, 400, 400, GO_POPULATION),
        (0, 400, 19_600, GO_POPULATION), (400, 400, GO_POPULATION, GO_POPULATION),
        (0, 1, 1, GO_POPULATION), (1, 1, 1, GO_POPULATION), (0, 9_999, 10_000, GO_POPULATION),
        (5_000, 10_000, 10_000, GO_POPULATION), (5_001, 10_000, 10_000, GO_POPULATION),
        (4_900, 10_000, 10_000, GO_POPULATION), (10_000, 10_000, 10_000, GO_POPULATION),
    ]
    # Over-represented terms whose p-values run down through 1e-300 to underflow.
    for k in (150, 300, 600):
        rows += [(a, 500, k, GO_POPULATION) for a in range(60, min(k, 500) + 1, 3)]
    return np.array(rows, dtype=np.int64)


@pytest.fixture(scope="module")
def grid() -> np.ndarray:
    rng = np.random.default_rng(20240607)
    return np.vstack([random_tables(rng, 3_000), go_like_tables(rng, 2_000), extreme_tables()])


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_equals_scipy_fisher_exact_per_term(grid: np.ndarray, alternative: Alternative) -> None:
    a, n, k, tot = grid.T
    ours = fisher_exact_pvalues(a, n, k, tot, alternative)
    assert_same_pvalues(ours, scipy_pvalues(grid, alternative))


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_every_small_table_exactly(alternative: Alternative) -> None:
    """All tables with N <= 14: symmetric margins and exact probability ties abound here."""
    rows = [
        (a, n, k, tot)
        for tot in range(0, 15)
        for n in range(tot + 1)
        for k in range(tot + 1)
        for a in range(max(0, n + k - tot), min(n, k) + 1)
    ]
    tables = np.array(rows, dtype=np.int64)
    a, n, k, tot = tables.T
    ours = fisher_exact_pvalues(a, n, k, tot, alternative)
    assert_same_pvalues(ours, scipy_pvalues(tables, alternative))


def test_covers_the_tiny_pvalue_range(grid: np.ndarray) -> None:
    a, n, k, tot = grid.T
    p = fisher_exact_pvalues(a, n, k, tot)
    assert np.any((p > 1e-305) & (p < 1e-295))
    assert np.any(p == 1.0)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_equals_goatools_calculator(grid: np.ndarray, alternative: Alternative) -> None:
    pvalcalc = pytest.importorskip("goatools.pvalcalc")
    calc = pvalcalc.FisherFactory(alternative=alternative).pval_obj
    a, n, k, tot = grid.T
    ref = np.array([calc.calc_pvalue(*row) for row in grid.tolist()])
    assert_same_pvalues(fisher_exact_pvalues(a, n, k, tot, alternative), ref)


def test_goatools_default_is_two_sided_scipy() -> None:
    """Guards the premise: goatools' default calculator is scipy's two-sided fisher_exact."""
    pvalcalc = pytest.importorskip("goatools.pvalcalc")
    factory = pvalcalc.FisherFactory()
    assert factory.pval_fnc_name == "fisher_scipy_stats"
    assert factory.pval_obj.alternative == "two-sided"
    assert factory.pval_obj.pval_fnc is fisher_exact


def test_scalars_and_broadcasting() -> None:
    assert fisher_exact_pvalues(8, 10, 9, 16).shape == ()
    p = fisher_exact_pvalues([[8, 4], [5, 3]], 10, 9, 16)
    assert p.shape == (2, 2)
    assert p[0, 0] == pytest.approx(fisher_exact([[8, 2], [1, 5]]).pvalue, rel=1e-12)
    assert fisher_exact_pvalues([], 10, [], 16).shape == (0,)


@pytest.mark.parametrize(
    "table",
    [(-1, 5, 3, 10), (6, 5, 7, 10), (4, 5, 3, 10), (0, 11, 3, 10), (0, 5, 11, 10),
     (0, 5, 6, 10)],
    ids=["negative", "a>n", "a>K", "n>N", "K>N", "K-a>N-n"],
)
def test_impossible_tables_are_refused(table: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError, match="impossible"):
        fisher_exact_pvalues(*table)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="whole numbers"):
        fisher_exact_pvalues(1.5, 5, 3, 10)
    with pytest.raises(ValueError, match="alternative"):
        fisher_exact_pvalues(1, 5, 3, 10, alternative="two_sided")  # type: ignore[arg-type]


# ------------------------------------------------------------------------ enrichment direction


def test_direction_equals_goatools(grid: np.ndarray) -> None:
    go_enrichment = pytest.importorskip("goatools.go_enrichment")
    rows = grid.tolist() + [(1, 3, 2, 6), (2, 6, 2, 6), (0, 0, 5, 10), (1, 9, 3, 27), (0, 0, 0, 0)]
    ref = [
        go_enrichment.GOEnrichmentRecord("GO:0000001", ratio_in_study=(a, n),
                                         ratio_in_pop=(k, tot)).enrichment
        if n else "p"  # goatools divides by pop_n only when the study is not empty
        for a, n, k, tot in rows
    ]
    ours = enrichment_direction(*np.array(rows).T)
    assert ours.tolist() == ref


def test_direction_ties_and_empty_study_are_purified() -> None:
    assert enrichment_direction([1, 2, 0, 2], [3, 3, 0, 3], [2, 2, 4, 2], 6).tolist() == [
        "p", "e", "p", "e"
    ]


# ------------------------------------------------------------------------ corrections


def statsmodels_adjusted(p: np.ndarray, method: str) -> np.ndarray:
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    with np.errstate(divide="ignore"):  # its sidak variants take log1p(-1) at p = 1
        return np.asarray(multitest.multipletests(p, alpha=0.05, method=method)[1])


def pvalue_samples() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    mixed = np.concatenate([rng.uniform(size=3_000), rng.uniform(size=300) ** 20])
    ties = rng.choice(np.array([1e-12, 1e-6, 0.001, 0.01, 0.04, 0.5, 1.0]), size=500)
    return {
        "uniform-unsorted": rng.uniform(size=1_000),
        "mixed": rng.permutation(mixed),
        "ties": ties,
        "with-ones-and-zeros": np.array([1.0, 0.0, 0.3, 1.0, 0.0, 1e-300, 0.999999]),
        "single": np.array([0.03]),
        "descending": np.sort(rng.uniform(size=200))[::-1].copy(),
        "go-enrichment": fisher_exact_pvalues(*go_like_tables(rng, 5_000).T),
    }


@pytest.mark.parametrize("method", sorted(CORRECTION_METHODS))
@pytest.mark.parametrize("sample", sorted(pvalue_samples()))
def test_corrections_equal_statsmodels(method: str, sample: str) -> None:
    p = pvalue_samples()[sample]
    ours = adjust_pvalues(p, method)
    ref = statsmodels_adjusted(p, method)
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=0)
    assert np.all((ours >= p) & (ours <= 1.0))


def test_corrections_of_nothing() -> None:
    for method in CORRECTION_METHODS:
        assert adjust_pvalues(np.array([]), method).shape == (0,)
        assert adjust_pvalues([], method).dtype == np.float64


def test_corrections_keep_the_input_order() -> None:
    p = np.array([0.04, 0.01, 0.03, 0.02])
    np.testing.assert_allclose(adjust_pvalues(p, "bonferroni"), [0.16, 0.04, 0.12, 0.08])
    np.testing.assert_allclose(adjust_pvalues(p, "fdr_bh"), [0.04, 0.04, 0.04, 0.04])
    # Holm: sorted 0.01..0.04 times 4, 3, 2, 1, then running maximum.
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), [0.06, 0.04, 0.06, 0.06])


@pytest.mark.parametrize(
    "bad", [[0.1, np.nan], [0.1, 1.5], [-0.1], [[0.1, 0.2]]], ids=["nan", ">1", "<0", "2d"]
)
def test_corrections_refuse_bad_pvalues(bad: list[float]) -> None:
    with pytest.raises(ValueError):
        adjust_pvalues(bad, "fdr_bh")


def test_unknown_correction_is_refused() -> None:
    with pytest.raises(ValueError, match="fdr_bh"):
        adjust_pvalues([0.1], "fdr")


def test_every_method_is_a_statsmodels_method() -> None:
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    for method in CORRECTION_METHODS:
        multitest.multipletests([0.1, 0.2], method=method)  # raises on an unknown name


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_tables_equivalent_under_symmetry(alternative: Alternative) -> None:
    """Swapping study and term (n <-> K) gives the same table transposed, same p-value."""
    rng = np.random.default_rng(3)
    tables = random_tables(rng, 500)
    a, n, k, tot = tables.T
    p = fisher_exact_pvalues(a, n, k, tot, alternative)
    transposed = fisher_exact_pvalues(a, k, n, tot, alternative)
    assert np.all(np.abs(p - transposed) <= 1e-11 * p + TINY)

