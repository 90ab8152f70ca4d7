"""Compare two enrichment results term by term, and say which differences come from the data.

Two results differ for biological reasons (different gene lists, conditions, species) and for
reasons that are artefacts of the inputs: a term obsolete or merged in one GO release, a term with no
annotation in one annotation set, a different background, study genes without an ortholog.
:func:`compare_enrichments` puts both results side by side and fills ``explanation`` with the
artefacts it can prove from the inputs, so that they are not read as biology. An empty explanation
means none was found, not that the difference is biological.

Statuses
    ``both`` (tested in both), ``only_<A>`` / ``only_<B>`` (tested in one; the term is a current term
    of the other release but was not tested there), ``unreachable_in_<A>`` / ``unreachable_in_<B>``
    (the term is obsolete, secondary or unknown in that side's ontology: it *could not* be tested).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .enrich import EnrichmentResult, enrich
from .errors import GoannotError
from .ontology import IdStatus, Ontology

__all__ = ["compare_enrichments", "run_and_compare", "Comparison", "ortholog_map"]

log = logging.getLogger(__name__)

#: A background this much larger or smaller (relative) than the other is reported.
BACKGROUND_TOLERANCE = 0.10
#: A term whose population fraction differs by this factor between sides is reported.
COVERAGE_FACTOR = 2.0


def _ontology_of(result: EnrichmentResult, given: Ontology | None) -> Ontology | None:
    if given is not None:
        return given
    return result.data.prepared.ontology if result.data is not None else None


def _pcol(result: EnrichmentResult, method: str | None) -> str:
    if method is not None:
        col = f"p_{method}"
    else:
        corr = result.meta.get("corrections") or []
        col = f"p_{corr[0]}" if corr else "p_uncorrected"
    if col not in result.table.columns:
        raise GoannotError(f"result has no column {col}")
    return col


def _unreachable(term: str, ontology: Ontology | None) -> str:
    """'' when ``term`` is a current term of ``ontology``; else why it is not."""
    if ontology is None:
        return ""
    res = ontology.resolve(term)
    if res.status is IdStatus.PRIMARY:
        return ""
    if res.status is IdStatus.SECONDARY:
        return f"secondary ID (merged into {res.primary})"
    if res.status is IdStatus.OBSOLETE:
        extra = (f", replaced_by {','.join(res.replaced_by)}" if res.replaced_by else
                 f", consider {','.join(res.consider)}" if res.consider else "")
        return f"obsolete{extra}"
    return "unknown ID"


def _items(value: Any) -> list[str]:
    if not isinstance(value, str) or not value:
        return []
    return [v for v in value.split(", ") if v]


def _known_to(result: EnrichmentResult, items: Iterable[str]) -> set[str]:
    """Those of ``items`` (gene names or IDs) that name a gene of ``result``'s annotations.

    Asked of the annotations themselves (every gene the table mentions), not of the other side's
    study list: a gene of A's study that B's annotations hold is "known" to B even when B's study
    list does not name it. Without the result's data, falls back to the IDs it matched.
    """
    wanted = sorted({str(i) for i in items if i})
    if not wanted:
        return set()
    if result.data is None:
        ids = result.identifiers
        return set(ids.loc[ids["gene"] != "", "query"]) & set(wanted)
    got = result.data.prepared.genes.match(wanted)
    return set(got.loc[got["gene"].to_numpy() >= 0, "query"].astype(str))


def compare_enrichments(a: EnrichmentResult, b: EnrichmentResult, *, ontology_a: Ontology | None = None,
                        ontology_b: Ontology | None = None, labels: tuple[str, str] = ("A", "B"),
                        method: str | None = None, gene_map: Mapping[str, Sequence[str]] | None = None
                        ) -> pd.DataFrame:
    """Side-by-side table of two enrichment results, one row per term tested in either.

    Columns: ``GO``, ``name``, ``NS``, ``status`` (see the module docstring), then per side ``L``
    of ``labels``: ``p_L`` (the p-value of ``method``, default each result's first correction),
    ``p_uncorrected_L``, ``study_count_L``, ``pop_count_L``, ``fold_L`` (ratio_in_study /
    ratio_in_pop), ``significant_L``; then ``log2_ratio`` (log2 of fold_B / fold_A) and
    ``explanation``. ``ontology_a`` / ``ontology_b`` default to the ontologies the results were
    computed with. ``gene_map`` maps A's study items to B's (orthologs; identity by default) so that
    study genes missing on the other side are counted. Rows are sorted by the smaller p-value.
    ``attrs`` keeps ``labels`` and the background sizes.
    """
    la, lb = labels
    if la == lb:
        raise GoannotError("labels must differ")
    oa, ob = _ontology_of(a, ontology_a), _ontology_of(b, ontology_b)
    ca, cb = _pcol(a, method), _pcol(b, method)
    alpha_a, alpha_b = a.meta.get("alpha", 0.05), b.meta.get("alpha", 0.05)
    keep = ["GO", "name", "NS", "p_uncorrected", "study_count", "pop_count", "fold_enrichment", "study_items",
            "study_n", "pop_n"]

    def side(r: EnrichmentResult, col: str, lab: str) -> pd.DataFrame:
        t = r.table[[*keep, col] if col not in keep else keep].copy()
        t["p"] = t[col]
        t = t.drop(columns=[col]) if col != "p_uncorrected" else t
        return t.rename(columns={c: f"{c}_{lab}" for c in t.columns if c != "GO"})

    merged = side(a, ca, la).merge(side(b, cb, lb), on="GO", how="outer")
    merged["name"] = merged[f"name_{la}"].fillna(merged[f"name_{lb}"])
    merged["NS"] = merged[f"NS_{la}"].fillna(merged[f"NS_{lb}"])
    in_a = merged[f"p_{la}"].notna().to_numpy()
    in_b = merged[f"p_{lb}"].notna().to_numpy()

    # Which study items the other side's annotations know (identity, or through the ortholog map).
    all_items_a = {g for v in merged[f"study_items_{la}"] for g in _items(v)}
    if gene_map is not None:
        all_items_a = {o for g in all_items_a for o in gene_map.get(g, ())}
    known_b = _known_to(b, all_items_a)
    known_a = _known_to(a, {g for v in merged[f"study_items_{lb}"] for g in _items(v)})
    pop_n_a = a.meta.get("population", {}).get("pop_n", {})
    pop_n_b = b.meta.get("population", {}).get("pop_n", {})

    pop_count_a, pop_size_a = merged[f"pop_count_{la}"].to_numpy(), merged[f"pop_n_{la}"].to_numpy()
    pop_count_b, pop_size_b = merged[f"pop_count_{lb}"].to_numpy(), merged[f"pop_n_{lb}"].to_numpy()
    statuses: list[str] = []
    explanations: list[str] = []
    for k, row in enumerate(merged.itertuples(index=False)):
        term = str(row.GO)
        ns = str(getattr(row, "NS"))
        notes: list[str] = []
        if in_a[k] and in_b[k]:
            status = "both"
        elif in_a[k]:
            why = _unreachable(term, ob)
            status = f"unreachable_in_{lb}" if why else f"only_{la}"
            notes.append(f"term {why} in the {lb} release" if why else
                         f"no {lb} annotation to the term or its descendants in the tested background")
        else:
            why = _unreachable(term, oa)
            status = f"unreachable_in_{la}" if why else f"only_{lb}"
            notes.append(f"term {why} in the {la} release" if why else
                         f"no {la} annotation to the term or its descendants in the tested background")
        na, nb = pop_n_a.get(ns), pop_n_b.get(ns)
        if na and nb and abs(na - nb) > BACKGROUND_TOLERANCE * max(na, nb):
            notes.append(f"background differs ({la} {na} vs {lb} {nb} genes)")
        if in_a[k] and in_b[k]:
            fa = float(pop_count_a[k]) / float(pop_size_a[k])
            fb = float(pop_count_b[k]) / float(pop_size_b[k])
            if fa > 0 and fb > 0 and max(fa / fb, fb / fa) >= COVERAGE_FACTOR:
                notes.append(f"term covers {fa:.2%} of the {la} background vs {fb:.2%} of {lb} "
                             f"(annotation coverage)")
        items_a = _items(getattr(row, f"study_items_{la}"))
        if items_a:
            if gene_map is not None:
                lost = [g for g in items_a if not any(o in known_b for o in gene_map.get(g, ()))]
                why_lost = f"without an ortholog annotated in {lb}"
            else:
                lost = [g for g in items_a if g not in known_b]
                why_lost = f"not in the {lb} annotations"
            if lost:
                notes.append(f"{len(lost)} of {len(items_a)} {la} study gene(s) here {why_lost}")
        items_b = _items(getattr(row, f"study_items_{lb}"))
        if items_b and gene_map is None:
            lost_b = [g for g in items_b if g not in known_a]
            if lost_b:
                notes.append(f"{len(lost_b)} of {len(items_b)} {lb} study gene(s) here not in the {la} annotations")
        statuses.append(status)
        explanations.append("; ".join(notes))
    merged["status"] = statuses
    merged["explanation"] = explanations
    fa_ = merged[f"fold_enrichment_{la}"].astype(float)
    fb_ = merged[f"fold_enrichment_{lb}"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        merged["log2_ratio"] = np.log2(fb_ / fa_)
    merged[f"significant_{la}"] = merged[f"p_{la}"] < alpha_a
    merged[f"significant_{lb}"] = merged[f"p_{lb}"] < alpha_b
    merged = merged.rename(columns={f"fold_enrichment_{la}": f"fold_{la}", f"fold_enrichment_{lb}": f"fold_{lb}"})
    cols = ["GO", "name", "NS", "status"]
    for lab in (la, lb):
        cols += [f"p_{lab}", f"p_uncorrected_{lab}", f"study_count_{lab}", f"pop_count_{lab}", f"fold_{lab}",
                 f"significant_{lab}"]
    cols += ["log2_ratio", "explanation"]
    best = np.fmin(merged[f"p_{la}"].to_numpy(float), merged[f"p_{lb}"].to_numpy(float))
    out = merged.assign(_best=best).sort_values(["_best", "GO"], kind="stable")[cols].reset_index(drop=True)
    out.attrs["labels"] = (la, lb)
    out.attrs["pop_n"] = {la: pop_n_a, lb: pop_n_b}
    out.attrs["p_columns"] = {la: ca, lb: cb}
    return out


def ortholog_map(orthologs: Mapping[str, str | Sequence[str]] | pd.DataFrame | Iterable[tuple[str, str]]
                 ) -> dict[str, list[str]]:
    """A -> [B, ...] from a dict, a two-column table (first two columns: A, B) or (A, B) pairs."""
    out: dict[str, list[str]] = {}
    if isinstance(orthologs, pd.DataFrame):
        pairs: Iterable[tuple[Any, Any]] = zip(orthologs.iloc[:, 0], orthologs.iloc[:, 1])
    elif isinstance(orthologs, Mapping):
        pairs = ((k, v) for k, vs in orthologs.items() for v in ([vs] if isinstance(vs, str) else vs))
    else:
        pairs = orthologs
    for x, y in pairs:
        if isinstance(x, str) and isinstance(y, str) and x.strip() and y.strip():
            lst = out.setdefault(x.strip(), [])
            if y.strip() not in lst:
                lst.append(y.strip())
    return out


@dataclass(frozen=True)
class Comparison:
    """The two results and their side-by-side table (see :func:`run_and_compare`)."""

    a: EnrichmentResult
    b: EnrichmentResult
    table: pd.DataFrame
    meta: dict[str, Any]

    def _fields(self) -> dict[str, Any]:
        return {"mode": self.meta.get("mode"), "labels": self.meta.get("labels"),
                "terms": self.meta.get("counts"), "significant": self.meta.get("significant")}

    def __repr__(self) -> str:
        from ._display import short_repr

        return short_repr("EnrichmentComparison", self._fields())

    def _repr_html_(self) -> str:
        from ._display import html_summary

        return html_summary("EnrichmentComparison", self._fields(), self.table, "terms")


def run_and_compare(study_a: Iterable[str], annotations_a: Any, ontology_a: Ontology, *,
                    study_b: Iterable[str] | None = None, annotations_b: Any | None = None,
                    ontology_b: Ontology | None = None, population_a: Iterable[str] | None = None,
                    population_b: Iterable[str] | None = None,
                    orthologs: Mapping[str, str | Sequence[str]] | pd.DataFrame | None = None,
                    labels: tuple[str, str] = ("A", "B"), method: str | None = None,
                    **enrich_kwargs: Any) -> Comparison:
    """Run :func:`enrich` twice and compare: two gene lists, two conditions, two releases or species.

    * two gene lists / conditions: give ``study_b`` (same annotations and ontology by default);
    * two releases: give ``annotations_b`` and/or ``ontology_b`` (``study_b`` defaults to ``study_a``);
    * two species: give ``annotations_b`` and ``orthologs`` (A id -> B id(s), a dict or a two-column
      table); ``study_b`` defaults to the orthologs of ``study_a`` (and ``population_b`` to the
      orthologs of ``population_a`` when one was given). Study genes without an ortholog are listed in
      ``meta['no_ortholog']`` and counted in the explanations.

    ``enrich_kwargs`` (ns, relations, evidence, corrections, alpha, ...) apply to both runs.
    """
    la, lb = labels
    study_a = [str(s) for s in study_a]
    pop_a = None if population_a is None else [str(p) for p in population_a]
    gmap = ortholog_map(orthologs) if orthologs is not None else None
    meta: dict[str, Any] = {"mode": "genes"}
    if gmap is not None:
        meta["mode"] = "species"
        if study_b is None:
            study_b = [o for g in study_a for o in gmap.get(g.strip(), [])]
        if population_b is None and pop_a is not None:
            population_b = [o for g in pop_a for o in gmap.get(g.strip(), [])]
        meta["no_ortholog"] = sorted({g for g in study_a if not gmap.get(g.strip())})
    elif annotations_b is not None or ontology_b is not None:
        meta["mode"] = "releases"
    elif study_b is None:
        raise GoannotError("nothing to compare: give study_b, annotations_b, ontology_b or orthologs")
    ob = ontology_b if ontology_b is not None else ontology_a
    ann_b = annotations_b if annotations_b is not None else annotations_a
    res_a = enrich(study_a, pop_a, annotations_a, ontology_a, **enrich_kwargs)
    res_b = enrich(list(study_b) if study_b is not None else study_a,
                   population_b if population_b is not None else (pop_a if gmap is None else None),
                   ann_b, ob, **enrich_kwargs)
    table = compare_enrichments(res_a, res_b, ontology_a=ontology_a, ontology_b=ob, labels=labels,
                                method=method, gene_map=gmap)
    meta["labels"] = [la, lb]
    meta["counts"] = {k: int(v) for k, v in table["status"].value_counts().items()}
    meta["significant"] = {lab: int(table[f"significant_{lab}"].sum()) for lab in labels}
    log.info("compared %s vs %s (%s): %s", la, lb, meta["mode"], meta["counts"])
    return Comparison(a=res_a, b=res_b, table=table, meta=meta)

