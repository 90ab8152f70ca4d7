"""Release diff, level 4: the same enrichment run under both releases, and why terms moved.

The study is tested with :func:`goannot.enrich.enrich` against the same annotation rows (each
release's repaired table, :func:`goannot.reldiff_closure.repaired_table`), the same background
(``population``, default every gene of the file) and the same options; only the ontology differs.
A term *entered* significance when its corrected p-value (``method``, default the first
correction) is below ``alpha`` under NEW and not under OLD, *left* the other way round.

Each moved term gets the first ``cause`` that applies, with the evidence for the others in
``detail``:

``term_added`` / ``term_obsoleted`` / ``term_merged`` / ``term_removed``
    the term itself entered or left the current terms (level 1): it could be tested in one release only;
``study_count``
    study genes gained or lost the term in their closure (level 3; their causes are counted);
``population_count``
    the study count is the same, the background's count changed (level 3);
``not_tested``
    the term was tested in one release only for another reason (no annotated gene there);
``correction``
    the counts are the same: the number of tests in the namespace changed, and with it the
    corrected p-value.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .enrich import EnrichmentResult, enrich
from .ontology import Ontology
from .reldiff_closure import ClosureDiff
from .reldiff_terms import OntologyDiff

__all__ = ["ENRICH_CAUSES", "EnrichmentDiff", "diff_enrichment"]

log = logging.getLogger(__name__)

#: Causes of a term entering or leaving significance, in the order they are tried.
ENRICH_CAUSES: tuple[str, ...] = ("term_added", "term_obsoleted", "term_merged", "term_removed", "study_count",
                                  "population_count", "not_tested", "correction")


@dataclass(frozen=True, eq=False)
class EnrichmentDiff:
    """One study under both releases (level 4).

    ``table``: one row per term significant in either release: ``GO``, ``NS``, ``name``,
    ``change`` (entered / left / stayed), ``p_old``, ``p_new`` (corrected by ``method``; NaN when
    not tested), ``study_count_old/new``, ``pop_count_old/new``, ``cause`` (:data:`ENRICH_CAUSES`,
    '' for stayed), ``detail``. ``counts``: terms significant in each release, entered, left, stayed,
    and moved terms by cause (entered + stayed == significant in NEW; left + stayed == in OLD).
    """

    label: str
    method: str
    alpha: float
    table: pd.DataFrame
    counts: dict[str, Any]
    results: tuple[EnrichmentResult, EnrichmentResult] = field(repr=False)


def _study_genes(result: EnrichmentResult) -> set[str]:
    ids = result.identifiers
    if not len(ids) or "gene" not in ids.columns:
        return set()
    study = ids[(ids["role"] == "study")]
    return {str(g) for g in study["gene"].tolist() if isinstance(g, str) and g}


def _summ(counter: Counter[str]) -> str:
    return ", ".join(f"{c} {n}" for c, n in counter.most_common())


def diff_enrichment(study: Sequence[str], population: Iterable[str] | None, closure: ClosureDiff,
                    old: Ontology, new: Ontology, odiff: OntologyDiff, *, label: str = "study",
                    ns: Iterable[str] | str = ("BP", "MF", "CC"), method: str = "fdr_bh", alpha: float = 0.05,
                    **options: Any) -> EnrichmentDiff:
    """Run ``study`` under both releases (level 4; see the module docstring).

    ``options`` go to :func:`goannot.enrich.enrich` (``correct_per_namespace``, ``alternative``...);
    relations and evidence are the closure diff's, so levels 3 and 4 describe the same propagation.
    """
    pop = list(population) if population is not None else None
    common: dict[str, Any] = dict(ns=ns, relations=closure.relations, evidence=closure.evidence,
                                  corrections=(method,), alpha=alpha, **options)
    r_old = enrich(study, pop, closure.tables[0], old, **common)
    r_new = enrich(study, pop, closure.tables[1], new, **common)
    col = f"p_{method}"
    keep = ["GO", "NS", "name", col, "study_count", "pop_count"]
    a = r_old.table[keep].rename(columns={col: "p_old", "study_count": "study_count_old",
                                          "pop_count": "pop_count_old", "name": "name_old"})
    b = r_new.table[keep].rename(columns={col: "p_new", "study_count": "study_count_new",
                                          "pop_count": "pop_count_new", "NS": "NS_new"})
    both = a.merge(b, on="GO", how="outer")
    sig_old = both["p_old"].lt(alpha).to_numpy(dtype=bool)
    sig_new = both["p_new"].lt(alpha).to_numpy(dtype=bool)
    both = both[sig_old | sig_new].copy()
    so, sn = sig_old[sig_old | sig_new], sig_new[sig_old | sig_new]
    both["change"] = np.where(so & sn, "stayed", np.where(sn, "entered", "left"))
    both["NS"] = both["NS"].fillna(both["NS_new"])
    both["name"] = both["name"].fillna(both["name_old"])
    study_genes = _study_genes(r_old) | _study_genes(r_new)
    pairs = closure.pairs
    in_study = pairs[pairs["gene"].isin(study_genes)]
    by_term: dict[tuple[str, str], Counter[str]] = {}
    for term, change, cause in zip(in_study["term"].tolist(), in_study["change"].tolist(),
                                   in_study["cause"].tolist()):
        by_term.setdefault((term, change), Counter())[cause] += 1
    all_by_term: dict[tuple[str, str], int] = Counter(zip(pairs["term"].tolist(), pairs["change"].tolist()))
    tests_old = {str(k): int(v) for k, v in Counter(r_old.table["NS"].tolist()).items()}
    tests_new = {str(k): int(v) for k, v in Counter(r_new.table["NS"].tolist()).items()}
    causes, details = [], []
    for rec in _records(both):
        if rec["change"] == "stayed":
            causes.append("")
            details.append("")
            continue
        cause, detail = _cause(rec, odiff, by_term, all_by_term, tests_old, tests_new)
        causes.append(cause)
        details.append(detail)
    both["cause"] = causes
    both["detail"] = details
    order = {"entered": 0, "left": 1, "stayed": 2}
    both = both.assign(_o=both["change"].map(order), _p=both[["p_old", "p_new"]].min(axis=1))
    both = both.sort_values(["_o", "_p", "GO"], kind="stable")
    table = both[["GO", "NS", "name", "change", "p_old", "p_new", "study_count_old", "study_count_new",
                  "pop_count_old", "pop_count_new", "cause", "detail"]].reset_index(drop=True)
    n = Counter(table["change"].tolist())
    counts: dict[str, Any] = {
        "study": label, "method": method, "alpha": alpha,
        "significant_old": int(sig_old.sum()), "significant_new": int(sig_new.sum()),
        "entered": int(n.get("entered", 0)), "left": int(n.get("left", 0)), "stayed": int(n.get("stayed", 0)),
        "by_cause": dict(Counter(c for c in table["cause"].tolist() if c)),
        "tested_old": int(len(r_old.table)), "tested_new": int(len(r_new.table)),
        "study_genes_matched": len(study_genes),
    }
    return EnrichmentDiff(label, method, alpha, table, counts, (r_old, r_new))


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    cols = [str(c) for c in table.columns]
    return [dict(zip(cols, row)) for row in table.itertuples(index=False, name=None)]


def _num(v: Any) -> int | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else int(v)


def _cause(rec: dict[str, Any], odiff: OntologyDiff, by_term: dict[tuple[str, str], Counter[str]],
           all_by_term: dict[tuple[str, str], int], tests_old: dict[str, int],
           tests_new: dict[str, int]) -> tuple[str, str]:
    term = str(rec["GO"])
    kind = odiff.identity_change(term)
    notes: list[str] = []
    sc_old, sc_new = _num(rec.get("study_count_old")), _num(rec.get("study_count_new"))
    pc_old, pc_new = _num(rec.get("pop_count_old")), _num(rec.get("pop_count_new"))
    gained, lost = by_term.get((term, "gained"), Counter()), by_term.get((term, "lost"), Counter())
    if gained or lost:
        notes.append("study genes " + "; ".join(x for x in (
            f"+{sum(gained.values())} ({_summ(gained)})" if gained else "",
            f"-{sum(lost.values())} ({_summ(lost)})" if lost else "") if x))
    pg, pl = all_by_term.get((term, "gained"), 0), all_by_term.get((term, "lost"), 0)
    if pg or pl:
        notes.append(f"all genes +{pg} -{pl}")
    if sc_old != sc_new:
        notes.insert(0, f"study count {sc_old or 0} -> {sc_new or 0}")
    if pc_old != pc_new:
        notes.append(f"population count {pc_old or 0} -> {pc_new or 0}")
    detail = "; ".join(notes)
    if kind in ("added", "reinstated") and rec["change"] == "entered":
        return "term_added", f"{term} {kind} in {odiff.new_version}" + (f"; {detail}" if detail else "")
    if kind in ("obsoleted", "merged", "removed") and rec["change"] == "left":
        into = odiff.target_of(term)
        how = f" into {into}" if kind == "merged" and into else f" (replaced_by {into})" if into else ""
        return f"term_{kind}", f"{term} {kind}{how} in {odiff.new_version}" + (f"; {detail}" if detail else "")
    # A term current in both releases but untested in one had no annotated gene there: count 0.
    if (sc_old or 0) != (sc_new or 0):
        return "study_count", detail
    if (pc_old or 0) != (pc_new or 0):
        return "population_count", detail
    if sc_old is None or sc_new is None:
        return "not_tested", f"not tested in {odiff.old_version if sc_old is None else odiff.new_version}" + (
            f"; {detail}" if detail else "")
    ns = str(rec.get("NS"))
    return "correction", f"same counts; tests in {ns}: {tests_old.get(ns, 0)} -> {tests_new.get(ns, 0)}"
