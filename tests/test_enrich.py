"""Tests of goannot.enrich: goatools-equal numbers on a mini GO and on the full human GAF, the
population/study definitions, identifier diagnostics, warnings and provenance."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from goannot import load_ontology
from goannot.columns import TABLE_COLUMNS
from goannot.enrich import EnrichmentResult, enrich, longest_isa_depth, match_identifiers, prepare_annotations
from goannot.errors import GoannotError

DATA = Path(__file__).parent / "data"
MINI_OBO = DATA / "obo" / "go-mini.obo"

BP = "GO:0008150"
APOPTOSIS = "GO:0006915"
NEG_REG_APOPTOSIS = "GO:0043066"
NEG_REG_APOPTOSIS_ALT = "GO:0006916"
REG_APOPTOSIS = "GO:0042981"
PROTEIN_BINDING = "GO:0005515"
RECEPTOR_BINDING = "GO:0005102"
NUCLEUS = "GO:0005634"
NER_COMPLEX = "GO:0000109"
INTRACELLULAR = "GO:0005622"
CELL = "GO:0005623"
OBSOLETE_MF = "GO:0000005"

GOATOOLS_NAME = {"holm": "sm_holm", "sidak": "sm_sidak"}


def make_table(rows: list[tuple[str, str, str]], *, qualifiers: dict[int, str] | None = None,
               synonyms: dict[str, str] | None = None) -> pd.DataFrame:
    """An annotation table from (accession, symbol, GO ID) triples; other columns blank."""
    qualifiers = qualifiers or {}
    synonyms = synonyms or {}
    data: dict[str, Any] = {c: [""] * len(rows) for c in TABLE_COLUMNS}
    data["db"] = ["UniProtKB"] * len(rows)
    data["db_object_id"] = [r[0] for r in rows]
    data["db_object_symbol"] = [r[1] for r in rows]
    data["go_id"] = [r[2] for r in rows]
    data["evidence"] = ["IDA" if k % 3 else "IEA" for k in range(len(rows))]
    data["qualifier"] = [qualifiers.get(k, "") for k in range(len(rows))]
    data["db_object_synonym"] = [synonyms.get(r[0], "") for r in rows]
    data["line"] = list(range(1, len(rows) + 1))
    frame = pd.DataFrame(data, columns=list(TABLE_COLUMNS))
    frame["line"] = frame["line"].astype(np.int64)
    return frame


@pytest.fixture(scope="module")
def mini() -> Any:
    return load_ontology(MINI_OBO)


def mini_rows(n_genes: int = 60, seed: int = 3) -> list[tuple[str, str, str]]:
    """A deterministic random annotation of n genes to the mini GO's leaves and inner terms."""
    rng = np.random.default_rng(seed)
    terms = [APOPTOSIS, NEG_REG_APOPTOSIS, NEG_REG_APOPTOSIS_ALT, REG_APOPTOSIS, "GO:0043065",
             PROTEIN_BINDING, RECEPTOR_BINDING, NUCLEUS, NER_COMPLEX, INTRACELLULAR, CELL, OBSOLETE_MF]
    rows = []
    for g in range(n_genes):
        for t in rng.choice(terms, size=int(rng.integers(1, 4)), replace=False):
            rows.append((f"P{g:05d}", f"GENE{g}", str(t)))
    return rows


def goatools_reference(obo: Path, table: pd.DataFrame, pop: list[str], study: list[str],
                       aspects: tuple[str, ...], relationships: set[str] | None, methods: list[str],
                       ) -> pd.DataFrame:
    """goatools' GOEnrichmentStudy on positive rows of ``aspects``, one row per term."""
    from goatools.go_enrichment import GOEnrichmentStudy
    from goatools.obo_parser import GODag

    dag = GODag(str(obo), optional_attrs={"relationship"}, prt=None)
    qual = table["qualifier"].astype(str)
    keep = ~qual.str.contains("NOT") & table["aspect"].astype(str).isin(aspects) if "aspect" in table else ~qual
    rows = table[keep]
    assoc: dict[str, set[str]] = collections.defaultdict(set)
    for g, t in zip(rows["db_object_id"].astype(str), rows["go_id"].astype(str)):
        assoc[g].add(t)
    kws: dict[str, Any] = {"relationships": relationships} if relationships else {}
    # goatools' plain 'holm' and 'sidak' are its own local variants (see goannot.enrich's docstring);
    # goannot's are statsmodels', which goatools calls 'sm_holm' / 'sm_sidak'.
    gt_methods = [GOATOOLS_NAME.get(m, m) for m in methods]
    goea = GOEnrichmentStudy(pop, dict(assoc), dag, propagate_counts=True, alpha=0.05, methods=gt_methods,
                             log=None, **kws)
    res = goea.run_study(study, prt=None)
    return pd.DataFrame([{
        "GO": r.GO, "NS": r.NS, "p": r.p_uncorrected, "enrichment": r.enrichment, "depth": r.depth,
        "study_count": r.study_count, "pop_count": r.pop_count, "study_n": r.study_n, "pop_n": r.pop_n,
        "items": ", ".join(sorted(r.study_items)),
        **{f"p_{m}": getattr(r, f"p_{GOATOOLS_NAME.get(m, m)}") for m in methods},
    } for r in res])


def rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))) if len(a) else 0.0


def assert_same_as_goatools(ours: EnrichmentResult, ref: pd.DataFrame, methods: list[str]) -> int:
    merged = ref.merge(ours.table, on="GO", how="outer", indicator=True, suffixes=("_ref", ""))
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][["GO", "_merge"]]
    assert rel_diff(merged["p_uncorrected"], merged["p"]) <= 1e-9
    for m in methods:
        assert rel_diff(merged[f"p_{m}"], merged[f"p_{m}_ref"]) <= 1e-9, m
    for col in ("study_count", "pop_count", "study_n", "pop_n", "enrichment", "depth", "NS"):
        assert (merged[col] == merged[f"{col}_ref"]).all(), col
    assert (merged["study_items"] == merged["items"]).all()
    return len(merged)


# -- mini GO: exact against goatools, fast --------------------------------------------------------

def with_aspects(table: pd.DataFrame, ontology: Any) -> pd.DataFrame:
    aspect = {"biological_process": "P", "molecular_function": "F", "cellular_component": "C"}
    table = table.copy()
    table["aspect"] = [aspect.get(ontology.namespace(t), "") for t in table["go_id"]]
    return table


@pytest.mark.parametrize("per_namespace", [True, False])
def test_mini_go_equals_goatools(mini: Any, per_namespace: bool) -> None:
    table = with_aspects(make_table(mini_rows(), qualifiers={4: "NOT", 9: "NOT|enables"}), mini)
    pop = sorted(set(table["db_object_id"])) + ["UNANNOTATED1", "UNANNOTATED2"]
    study = pop[:15] + ["UNANNOTATED1"]
    methods = ["bonferroni", "fdr_bh", "holm", "sidak", "fdr_by"]
    if per_namespace:
        n = 0
        ours = enrich(study, pop, table, mini, ns=("BP", "MF", "CC"), corrections=methods)
        for asp, code in (("P", "BP"), ("F", "MF"), ("C", "CC")):
            ref = goatools_reference(MINI_OBO, table, pop, study, (asp,), {"part_of"}, methods)
            part = EnrichmentResult(ours.table[ours.table["NS"] == code], ours.meta, ours.identifiers)
            n += assert_same_as_goatools(part, ref, methods)
        assert n == len(ours.table)
    else:
        ours = enrich(study, pop, table, mini, corrections=methods, correct_per_namespace=False)
        ref = goatools_reference(MINI_OBO, table, pop, study, ("P", "F", "C"), {"part_of"}, methods)
        assert_same_as_goatools(ours, ref, methods)
        assert ours.meta["correction_scope"] == "all_namespaces"
    # goatools' pop_n counts unannotated population items; study_n the study items in the population
    assert set(ours.table["pop_n"]) == {len(pop)}
    assert set(ours.table["study_n"]) == {16}


def test_mini_go_is_a_only_and_alternative(mini: Any) -> None:
    table = with_aspects(make_table(mini_rows(seed=11)), mini)
    pop = sorted(set(table["db_object_id"]))
    study = pop[::4]
    ours = enrich(study, pop, table, mini, ns="CC", relations=("is_a",), corrections=["holm"])
    ref = goatools_reference(MINI_OBO, table, pop, study, ("C",), None, ["holm"])
    assert_same_as_goatools(ours, ref, ["holm"])
    # part_of changes CC counts in the mini GO: NER complex is part_of nucleus
    with_part = enrich(study, pop, table, mini, ns="CC", corrections=["holm"])
    assert with_part.table.set_index("GO").loc[NUCLEUS, "pop_count"] > ours.table.set_index("GO").loc[NUCLEUS, "pop_count"]
    greater = enrich(study, pop, table, mini, ns="CC", alternative="greater")
    from scipy.stats import fisher_exact
    row = greater.table.iloc[0]
    a, n, k, tot = int(row.study_count), int(row.study_n), int(row.pop_count), int(row.pop_n)
    expect = fisher_exact([[a, n - a], [k - a, tot - n - k + a]], alternative="greater")[1]
    assert row.p_uncorrected == pytest.approx(expect, rel=1e-12)


def test_holm_sidak_are_the_textbook_definitions() -> None:
    """goannot's 'holm'/'sidak' are Holm's step-down and Sidak's 1-(1-p)^n, checked against an
    independent computation and statsmodels. goatools' plain 'holm'/'sidak' are home-made variants
    (see goannot.enrich's docstring), so nothing here depends on what goatools computes for them."""
    from statsmodels.stats.multitest import multipletests

    from goannot.stats import adjust_pvalues

    p = np.array([0.01, 0.01, 0.03, 0.05, 0.005])
    n = len(p)
    sidak = 1.0 - (1.0 - p) ** n
    order = np.argsort(p, kind="stable")
    holm = np.empty(n)
    running = 0.0
    for rank, k in enumerate(order):
        running = max(running, min(1.0, (n - rank) * p[k]))
        holm[k] = running
    np.testing.assert_allclose(adjust_pvalues(p, "sidak"), sidak, rtol=1e-12)
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), holm, rtol=1e-12)
    np.testing.assert_allclose(adjust_pvalues(p, "sidak"), multipletests(p, method="sidak")[1], rtol=1e-12)
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), multipletests(p, method="holm")[1], rtol=1e-12)


def test_depth_is_goatools_longest_isa_path(mini: Any) -> None:
    depth = longest_isa_depth(mini)
    ids = mini.term_ids()
    d = dict(zip(ids, depth.tolist()))
    assert d[BP] == 0 and d[APOPTOSIS] == 2 and d[NEG_REG_APOPTOSIS] == 4
    assert d[NUCLEUS] == 3 and d[NER_COMPLEX] == 1  # part_of does not count
    assert mini.depth(NUCLEUS) == 3


# -- definitions, diagnostics, provenance ---------------------------------------------------------

def test_identifiers_symbol_synonym_isoform_ambiguous(mini: Any) -> None:
    rows = [("P00001", "TP53", APOPTOSIS), ("P00002", "BAX", APOPTOSIS), ("P00003", "DUP", NUCLEUS),
            ("P00004", "DUP", NUCLEUS), ("P00005", "MDM2", PROTEIN_BINDING)]
    table = make_table(rows, synonyms={"P00005": "HDM2|MDM2P1"})
    prepared = prepare_annotations(table, mini)
    got = match_identifiers(["UniProtKB:P00001", "P00002", "tp53", "HDM2", "P00005-2", "DUP", "nope", " "],
                            prepared)
    kinds = dict(zip(got["query"], got["kind"]))
    assert kinds["UniProtKB:P00001"] == "label" and kinds["P00002"] == "db_object_id"
    assert kinds["tp53"] == "symbol_nocase" and kinds["HDM2"] == "synonym" and kinds["P00005-2"] == "isoform"
    dup = got[got["query"] == "DUP"]
    assert list(dup["status"]) == ["ambiguous", "ambiguous"] and set(dup["gene"]) == {"UniProtKB:P00003",
                                                                                      "UniProtKB:P00004"}
    assert got.loc[got["query"] == "nope", "status"].item() == "unmatched"
    assert " " not in set(got["query"])


def test_population_definitions_and_warnings(mini: Any) -> None:
    table = with_aspects(make_table(mini_rows(40)), mini)
    genes = sorted(set(table["db_object_id"]))
    study = ["GENE1", "GENE2", "P00003", "NOT_A_GENE"]
    res = enrich(study, None, table, mini, ns="BP")
    meta = res.meta
    assert meta["population"]["default_all_genes"] and meta["population"]["pop_n"]["BP"] == len(genes)
    assert meta["study"]["unmatched"] == ["NOT_A_GENE"] and meta["study"]["not_in_population"] == ["NOT_A_GENE"]
    assert meta["study"]["study_n"]["BP"] == 3
    assert any("small" in w for w in res.warnings)
    assert any("not in the population" in w for w in res.warnings)
    assert any("match no gene" in w for w in res.warnings)
    assert set(res.identifiers["role"]) == {"study"}
    # the study gene outside an explicit population is reported, and left out of study_n
    res2 = enrich(study[:3], genes[5:], table, mini, ns="BP")
    assert res2.meta["study"]["not_in_population"] == ["GENE1", "GENE2", "P00003"]
    assert res2.meta["study"]["study_n"]["BP"] == 0 and res2.table.empty
    # annotated-only background: population genes without a BP annotation are left out
    ann = enrich(genes[:10], genes, table, mini, ns="BP", all_annotated_population=True)
    n_bp = len({g for g, t in zip(table["db_object_id"], table["go_id"])
                if mini.namespace(t) == "biological_process" and not mini.is_obsolete(t)})
    assert ann.meta["population"]["pop_n"]["BP"] == n_bp < len(genes)
    assert "feasible" in ann.meta["population"]["definition"]


def test_meta_provenance_and_options(mini: Any) -> None:
    table = with_aspects(make_table(mini_rows()), mini)
    genes = sorted(set(table["db_object_id"]))
    res = enrich(genes[:20], genes, table, mini, evidence="experimental", corrections=("fdr_by",),
                 min_study_count=2, alpha=0.1)
    meta = res.meta
    assert meta["releases"]["ontology"]["sha256"] == mini.provenance.sha256
    assert meta["relations"] == ["is_a", "part_of"] and meta["evidence"] == "experimental"
    assert meta["correction_scope"] == "per_namespace" and meta["alpha"] == 0.1
    assert (res.table["study_count"] >= 2).all()
    assert list(res.table.columns[:10]) == ["GO", "NS", "enrichment", "name", "ratio_in_study", "ratio_in_pop",
                                            "fold_enrichment", "p_uncorrected", "depth", "study_count"]
    assert "p_fdr_by" in res.table and "study_items" in res.table
    assert (res.significant()["p_fdr_by"] < 0.1).all()
    assert len(res.significant("uncorrected", 0.5)) == int((res.table["p_uncorrected"] < 0.5).sum())
    # IEA rows dropped by the evidence filter: fewer population annotations
    every = enrich(genes[:20], genes, table, mini)
    assert every.table["pop_count"].sum() > res.table["pop_count"].sum()
    with pytest.raises(GoannotError):
        enrich(genes[:5], genes, table, mini, corrections=["nope"])
    with pytest.raises(GoannotError):
        enrich(genes[:5], genes, table, mini, ns="XX")


def test_prepared_annotations_reuse_and_checks(mini: Any) -> None:
    table = with_aspects(make_table(mini_rows()), mini)
    genes = sorted(set(table["db_object_id"]))
    prepared = prepare_annotations(table, mini, ns="BP")
    a = enrich(genes[:10], genes, prepared, mini, ns="BP")
    b = enrich(genes[:10], genes, table, mini, ns="BP")
    pd.testing.assert_frame_equal(a.table, b.table)
    with pytest.raises(GoannotError):
        enrich(genes[:10], genes, prepared, mini, ns="MF")
    with pytest.raises(GoannotError):
        enrich(genes[:10], genes, prepared, mini, ns="BP", relations=("is_a",))
    with pytest.raises(GoannotError):
        enrich(genes[:10], genes, prepared, mini, ns="BP", evidence="experimental")


def test_propagation_input(mini: Any) -> None:
    from goannot.propagate import propagate

    table = with_aspects(make_table(mini_rows()), mini)
    genes = sorted(set(table["db_object_id"]))
    prop = propagate(table, mini)
    a = enrich(genes[:10], genes, prop, mini)
    b = enrich(genes[:10], genes, table, mini)
    pd.testing.assert_frame_equal(a.table, b.table)


# -- the full human GAF, against goatools ----------------------------------------------------------

@pytest.fixture(scope="module")
def human() -> Any:
    from goannot import sources
    from goannot.annotations import read_annotations

    return read_annotations(sources.locate("goa_human-2019-01-29"))


def human_study(go: Any, table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """300 genes: 150 annotated under immune response (GO:0006955) and 150 others, seed 42."""
    pos = table[~table["qualifier"].astype(str).str.contains("NOT") & (table["aspect"].astype(str) == "P")]
    immune_terms = go.descendants("GO:0006955") | {"GO:0006955"}
    ids = pos["db_object_id"].astype(str)
    immune = sorted(set(ids[pos["go_id"].astype(str).isin(immune_terms)]))
    pop = sorted(set(table["db_object_id"].astype(str)))
    rng = np.random.default_rng(42)
    chosen = list(rng.choice(immune, 150, replace=False))
    others = sorted(set(pop) - set(immune))
    return sorted(chosen + list(rng.choice(others, 150, replace=False))), pop


@pytest.mark.slow
def test_human_bp_equals_goatools(go: Any, human: Any) -> None:
    study, pop = human_study(go, human.table)
    methods = ["bonferroni", "fdr_bh"]
    ours = enrich(study, pop, human, go, ns="BP", corrections=methods)
    ref = goatools_reference(Path(go.provenance.path), human.table, pop, study, ("P",), {"part_of"}, methods)
    n = assert_same_as_goatools(ours, ref, methods)
    assert n > 12000
    top = ours.table.iloc[0]
    assert top["GO"] == "GO:0006955" and top["enrichment"] == "e" and top["p_fdr_bh"] < 1e-50
    assert ours.meta["releases"]["annotations"]["sha256"]
    assert ours.meta["releases"]["annotations"]["date"] == "2019-01-14 09:47"
