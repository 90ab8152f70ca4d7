"""Release diff, level 3: how each gene's propagated annotation moves from one GO release to the next.

The same annotation rows are propagated under both releases, each after the repairs that release's
ID rules make (secondary IDs to their primary, obsolete terms to the single end of their
replaced_by chain; :mod:`goannot.reldiff_terms` level 2), with :func:`goannot.propagate.closure_pairs`
over the same relations and filters. Terms are compared by ID, so a (gene, term) pair is
``gained`` when NEW's closure has it and OLD's has not, ``lost`` the other way round.

Each changed pair gets one ``cause``, found from the gene's direct annotations (the *sources*) and
the ontology diff, in this order:

lost pairs
    ``term_obsoleted`` / ``term_merged`` / ``term_removed`` (the term itself is no longer a current
    term of NEW); ``annotation_lost`` (the source row has no usable ID in NEW: obsolete without a
    single replacement, unknown); ``annotation_repaired`` (the source was repaired to another term
    that does not reach the term); ``edge_removed`` (the source term is the same, and a removed
    edge on its old path explains it; ``detail`` names the edge and what the ontology diff says
    about it, e.g. ``parent obsoleted``);
gained pairs
    ``term_added`` (the term is new or reinstated in NEW), ``annotation_gained`` (the source row
    had no usable ID in OLD), ``annotation_repaired``, ``edge_added``.

``other`` is left for a pair whose cause none of these finds (it should not happen; the tests
check it does not on the real releases).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .columns import Col
from .evidence import EvidenceFilter
from .ontology import DEFAULT_RELATIONS, Ontology
from .propagate import ClosurePairs, closure_pairs
from .reldiff_terms import OUTCOME, AnnotationDiff, OntologyDiff

__all__ = ["CLOSURE_CAUSES", "ClosureDiff", "diff_closures", "repaired_table"]

log = logging.getLogger(__name__)

_I64 = npt.NDArray[np.int64]

#: Causes of a changed (gene, term) pair, in the order they are tried (see the module docstring).
CLOSURE_CAUSES: tuple[str, ...] = ("term_obsoleted", "term_merged", "term_removed", "annotation_lost",
                                   "annotation_repaired", "edge_removed", "term_added", "annotation_gained",
                                   "edge_added", "other")


@dataclass(frozen=True, eq=False)
class ClosureDiff:
    """Per gene, the propagated terms gained and lost from OLD to NEW (level 3).

    ``pairs``: one row per changed pair: ``gene``, ``symbol``, ``term``, ``name``, ``change``
    (gained / lost), ``cause`` (:data:`CLOSURE_CAUSES`), ``detail``, ``source`` (the direct
    annotation the cause was found through). ``genes``: per gene with a change: ``closure_old``,
    ``closure_new``, ``gained``, ``lost``, ``changed`` and ``top_cause``, most changed first.
    ``counts``: pairs by change and cause, closure sizes; ``closure_old + gained - lost ==
    closure_new`` for every gene and in total.
    """

    relations: tuple[str, ...]
    evidence: str
    pairs: pd.DataFrame
    genes: pd.DataFrame
    counts: dict[str, Any]
    tables: tuple[pd.DataFrame, pd.DataFrame] = field(repr=False)


def repaired_table(table: pd.DataFrame, ann: AnnotationDiff, which: str) -> pd.DataFrame:
    """``table`` with each row's GO ID set to the term ``which`` ('old' / 'new') repairs it to.

    Rows the release cannot repair keep their ID (propagation then skips them as obsolete or unknown).
    """
    targets = ann.ids[f"{which}_target"].to_numpy(dtype=object)
    values = ann.ids["go_id"].to_numpy(dtype=object)
    chosen = np.where(targets != "", targets, values)
    return table.assign(**{Col.GO_ID.value: pd.Series(chosen[ann.row_code], index=table.index, dtype=object)})


def _code_terms(cp: ClosurePairs, codes: _I64, n_codes: int) -> _I64:
    """Per distinct GO ID (code): the ontology index propagation used for it (-1: not a term)."""
    out = np.full(n_codes, -1, dtype=np.int64)
    if len(codes):
        out[codes] = cp.row_term  # every row of a code has the same target, hence the same term
    return out


def _sources(cp: ClosurePairs, row_gene: _I64, codes: _I64, n_codes: int) -> _I64:
    """Distinct (gene, code) keys of the rows propagation used (gene * n_codes + code), sorted."""
    used = cp.used_rows
    return np.unique(row_gene[used] * np.int64(n_codes) + codes[used])


class _Context:
    """What cause finding needs: both releases' closures in one term space and the edge changes."""

    def __init__(self, old: Ontology, new: Ontology, odiff: OntologyDiff, relations: Sequence[str]) -> None:
        self.old, self.new, self.odiff = old, new, odiff
        self.old_ids = old.term_ids()
        self.new_ids = new.term_ids()
        index = {t: i for i, t in enumerate(self.old_ids)}
        extra = [t for t in self.new_ids if t not in index]
        self.ids = list(self.old_ids) + extra
        for k, t in enumerate(extra):
            index[t] = len(self.old_ids) + k
        self.index = index
        self.n = len(self.ids)
        self.new_to_common = np.fromiter((index[t] for t in self.new_ids), dtype=np.int64, count=len(self.new_ids))
        self.c_old = old.closure(relations)
        self.c_new = new.closure(relations)
        rels = set(relations)
        edges = odiff.edges[odiff.edges["relation"].isin(rels)] if len(odiff.edges) else odiff.edges
        self.removed: dict[str, list[tuple[str, str, str]]] = {}
        self.added: dict[str, list[tuple[str, str, str]]] = {}
        for c, r, p, change, cause in edges.itertuples(index=False, name=None):
            (self.removed if change == "removed" else self.added).setdefault(c, []).append((r, p, cause))
        self._anc: dict[tuple[str, int], frozenset[str]] = {}

    def anc_ids(self, which: str, term_id: str) -> frozenset[str]:
        onto, ids = (self.old, self.old_ids) if which == "old" else (self.new, self.new_ids)
        i = onto.index_of(term_id)
        got = self._anc.get((which, i))
        if got is None:
            indptr, indices = self.c_old if which == "old" else self.c_new
            got = self._anc[(which, i)] = frozenset(ids[k] for k in indices[indptr[i]:indptr[i + 1]].tolist())
        return got

    def edge_cause(self, which: str, source: str, term: str) -> str:
        """The removed ('old') or added ('new') edges on a path from ``source`` up to ``term``."""
        table = self.removed if which == "old" else self.added
        found = []
        for c in sorted(self.anc_ids(which, source)):
            for r, p, why in table.get(c, ()):
                try:
                    reach = self.anc_ids(which, p)
                except KeyError:
                    continue
                if term in reach:
                    found.append(f"{c} {r} {p}" + (f" ({why})" if why else ""))
        if not found:
            return ""
        return found[0] + (f" (+{len(found) - 1} more)" if len(found) > 1 else "")


def _term_reason(ctx: _Context, term: str, change: str) -> tuple[str, str] | None:
    """Cause from the term itself: it left (lost) or entered (gained) the current terms."""
    kind = ctx.odiff.identity_change(term)
    if change == "lost":
        if kind == "obsoleted":
            rb = ctx.new.resolve(term).replaced_by
            return "term_obsoleted", f"{term} obsolete in {ctx.odiff.new_version}" + (
                f" (replaced_by {','.join(rb)})" if rb else "")
        if kind == "merged":
            return "term_merged", f"{term} merged into {ctx.new.alt_ids.get(term, '?')}"
        if kind == "removed":
            return "term_removed", f"{term} not in {ctx.odiff.new_version}"
    elif kind in ("added", "reinstated"):
        return "term_added", f"{term} {kind} in {ctx.odiff.new_version}"
    return None


@dataclass(frozen=True)
class _CodeInfo:
    """Level-2 facts per distinct GO ID (code) as plain lists, for the per-pair wording."""

    go_id: list[str]
    old_target: list[str]
    new_target: list[str]
    old_class: list[str]
    new_class: list[str]

    @classmethod
    def of(cls, ann: AnnotationDiff) -> _CodeInfo:
        ids = ann.ids
        return cls(*(ids[c].astype(str).tolist() for c in ("go_id", "old_target", "new_target", "old_class",
                                                             "new_class")))


def _reason(ctx: _Context, info: _CodeInfo, code: int, term: str, change: str,
            source_dropped: bool) -> tuple[str, str, str]:
    """(cause, detail, source) of one changed pair reached through the direct annotation ``code``."""
    go_id = info.go_id[code]
    t_old, t_new = info.old_target[code], info.new_target[code]
    source = t_old if change == "lost" else t_new
    got = _term_reason(ctx, term, change)
    if got is not None:
        return got[0], got[1], source
    if source_dropped:
        other_cls = info.new_class[code] if change == "lost" else info.old_class[code]
        if OUTCOME[other_cls] != "lost":  # a usable ID the propagation filters let through on one side only
            target = t_new if change == "lost" else t_old
            ns = (ctx.old.namespace(target), ctx.new.namespace(target))
            why = f"namespace {ns[0]} -> {ns[1]}" if ns[0] != ns[1] else "aspect/evidence filters"
            where = ctx.odiff.new_version if change == "lost" else ctx.odiff.old_version
            return (f"annotation_{change}",
                    f"{go_id} is usable in both releases but filtered out in {where} ({why})", go_id)
        if change == "lost":
            return ("annotation_lost",
                    f"{go_id} is {info.new_class[code]} in {ctx.odiff.new_version}; the row is lost", go_id)
        return ("annotation_gained",
                f"{go_id} was {info.old_class[code]} in {ctx.odiff.old_version}, usable in "
                f"{ctx.odiff.new_version}", go_id)
    if t_old != t_new:
        return "annotation_repaired", f"{go_id} repaired to {t_new} in {ctx.odiff.new_version}" + (
            f" (was {t_old})" if t_old != go_id else ""), go_id
    edge = ctx.edge_cause("old" if change == "lost" else "new", source, term)
    if edge:
        return ("edge_removed" if change == "lost" else "edge_added"), edge, source
    return "other", "", source


def diff_closures(table: pd.DataFrame, ann: AnnotationDiff, old: Ontology, new: Ontology, odiff: OntologyDiff,
                  relations: Sequence[str] = DEFAULT_RELATIONS,
                  evidence: EvidenceFilter | str | Sequence[str] | None = None, *,
                  aspects: Iterable[str] | str | None = None) -> ClosureDiff:
    """Propagate ``table`` under both releases and explain every changed (gene, term) pair (level 3)."""
    t_old, t_new = repaired_table(table, ann, "old"), repaired_table(table, ann, "new")
    n_codes = len(ann.ids)
    codes = ann.row_code
    # One propagation at a time, keeping only what the diff needs (memory: one closure's worth).
    cp = closure_pairs(t_old, old, relations, evidence, aspects=aspects)
    rels, evidence_spec = cp.relations, cp.evidence
    missing = [r for r in rels if r not in odiff.relations]
    if missing:
        log.warning("relation(s) %s are not in both releases: their edges count as added or removed",
                    ", ".join(missing))
    ctx = _Context(old, new, odiff, rels)
    nc = np.int64(ctx.n)
    labels = list(cp.gene_labels)
    symbols = cp.first_values(Col.DB_OBJECT_SYMBOL.value)
    keys_old = cp.pair_gene * nc + cp.pair_term
    term_old = _code_terms(cp, codes, n_codes)
    src_old = _sources(cp, ann.row_gene, codes, n_codes)
    size_old = np.bincount(cp.pair_gene, minlength=len(labels))
    rows_old = cp.rows
    del cp
    cp = closure_pairs(t_new, new, rels, evidence, aspects=aspects)
    if list(cp.gene_labels) != labels:  # same rows, same genes: a bug if not
        raise AssertionError("gene labels differ between the two propagations of the same table")
    keys_new = np.sort(cp.pair_gene * nc + ctx.new_to_common[cp.pair_term])
    term_new = _code_terms(cp, codes, n_codes)
    src_new = _sources(cp, ann.row_gene, codes, n_codes)
    size_new = np.bincount(cp.pair_gene, minlength=len(labels))
    rows = (rows_old, cp.rows)
    del cp
    lost = np.setdiff1d(keys_old, keys_new, assume_unique=True)
    gained = np.setdiff1d(keys_new, keys_old, assume_unique=True)
    n_pairs = (int(len(keys_old)), int(len(keys_new)))
    del keys_old, keys_new
    info = _CodeInfo.of(ann)
    anc_old = _code_ancestors(ctx, "old", term_old)
    anc_new = _code_ancestors(ctx, "new", term_new)
    frames = [_explain(ctx, info, "lost", lost, src_old, src_new, anc_old, anc_new, n_codes),
              _explain(ctx, info, "gained", gained, src_new, src_old, anc_new, anc_old, n_codes)]
    raw = pd.concat(frames, ignore_index=True)
    pair_gene = raw["gene_code"].to_numpy(dtype=np.int64)
    is_gain = (raw["change"] == "gained").to_numpy()
    n_gain = np.bincount(pair_gene[is_gain], minlength=len(labels))
    n_lost = np.bincount(pair_gene[~is_gain], minlength=len(labels))
    assert np.array_equal(size_old + n_gain - n_lost, size_new), "closure sizes do not add up"
    names = dict(zip(ctx.old_ids, old.state.names))
    names.update(zip(ctx.new_ids, new.state.names))
    # Categorical columns: a few thousand distinct values over hundreds of thousands of pairs.
    gene_cat = pd.Categorical.from_codes(pair_gene.astype(np.int32), categories=pd.Index(labels, dtype=object))
    term_codes, term_values = pd.factorize(raw["term"])
    pairs = pd.DataFrame({
        "gene": gene_cat,
        "symbol": pd.Categorical(np.asarray(symbols, dtype=object)[pair_gene]),
        "term": pd.Categorical.from_codes(term_codes, categories=pd.Index(term_values, dtype=object)),
        "name": pd.Categorical(np.asarray([names.get(str(t), "") for t in term_values], dtype=object)[term_codes]),
        "change": pd.Categorical(raw["change"], categories=["lost", "gained"]),
        "cause": pd.Categorical(raw["cause"], categories=list(CLOSURE_CAUSES)),
        "detail": pd.Categorical(raw["detail"]), "source": pd.Categorical(raw["source"])})
    del raw

    touched = np.flatnonzero(n_gain + n_lost)
    top = _top_causes(pair_gene, pairs["cause"].cat.codes.to_numpy())
    genes = pd.DataFrame({
        "gene": [labels[g] for g in touched.tolist()], "symbol": [symbols[g] for g in touched.tolist()],
        "closure_old": size_old[touched], "closure_new": size_new[touched], "gained": n_gain[touched],
        "lost": n_lost[touched], "changed": n_gain[touched] + n_lost[touched],
        "top_cause": [top.get(g, "") for g in touched.tolist()]})
    genes = genes.sort_values(["changed", "gene"], ascending=[False, True], kind="stable").reset_index(drop=True)
    by_cause = Counter(zip(pairs["change"].astype(str).tolist(), pairs["cause"].astype(str).tolist()))
    counts: dict[str, Any] = {
        "relations": list(rels), "evidence": evidence_spec,
        "genes": len(labels), "genes_changed": int(len(touched)),
        "pairs_old": n_pairs[0], "pairs_new": n_pairs[1],
        "gained": int(len(gained)), "lost": int(len(lost)),
        "by_cause": {ch: {c: int(by_cause.get((ch, c), 0)) for c in CLOSURE_CAUSES if by_cause.get((ch, c))}
                     for ch in ("gained", "lost")},
        "rows_old": rows[0], "rows_new": rows[1],
    }
    return ClosureDiff(rels, evidence_spec, pairs, genes, counts, (t_old, t_new))


def _top_causes(genes: _I64, causes: npt.NDArray[Any]) -> dict[int, str]:
    """Per gene: its most frequent cause (ties: the first in :data:`CLOSURE_CAUSES` order).

    ``causes`` are codes into :data:`CLOSURE_CAUSES`.
    """
    if not len(genes):
        return {}
    frame = pd.DataFrame({"g": genes, "c": causes})
    sizes = frame.groupby(["g", "c"]).size().reset_index(name="n")
    best = sizes.sort_values(["g", "n", "c"], ascending=[True, False, True], kind="stable").drop_duplicates("g")
    return {int(g): CLOSURE_CAUSES[int(c)] for g, c in zip(best["g"].tolist(), best["c"].tolist())}


def _gather(indptr: _I64, indices: npt.NDArray[Any], rows: _I64) -> tuple[_I64, _I64]:
    """CSR rows ``rows`` (-1: an empty row) concatenated: (length per row, values)."""
    ok = rows >= 0
    safe = np.where(ok, rows, 0)
    starts = indptr[safe]
    lens = np.where(ok, indptr[safe + 1] - starts, 0).astype(np.int64)
    total = int(lens.sum())
    offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens)
    return lens, indices[offsets + np.arange(total, dtype=np.int64)].astype(np.int64)


def _code_ancestors(ctx: _Context, side: str, terms: _I64) -> tuple[_I64, _I64]:
    """Per code: its term's reflexive ancestors in the common term space, as (lens, values)."""
    indptr, indices = ctx.c_old if side == "old" else ctx.c_new
    lens, values = _gather(np.asarray(indptr, dtype=np.int64), indices, terms)
    return lens, (values if side == "old" else ctx.new_to_common[values])


def _explain(ctx: _Context, info: _CodeInfo, change: str, changed: _I64, mine: _I64, other: _I64,
             own: tuple[_I64, _I64], other_anc: tuple[_I64, _I64], n_codes: int) -> pd.DataFrame:
    """Find, for every changed pair, a source that explains it, and the cause through that source.

    Candidates are (gene, term) keys from every source (gene, code) of the side that has the pair:
    the terms its closure has and the other side's closure of the same source lacks (all of them
    when the other side dropped the source). A changed pair always has one: no source of the other
    side reaches it, so some source of this side reaches it and the same source on the other side
    does not. Everything is vectorized over codes and sources; only the chosen causes are worded.
    """
    nc = np.int64(ctx.n)
    cols = ["gene_code", "term", "change", "cause", "detail", "source"]
    if not len(changed):
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    # Per code: own ancestors, and those the other side's closure of the same code lacks.
    own_lens, own_vals = own
    code_of = np.repeat(np.arange(n_codes, dtype=np.int64), own_lens)
    oth_lens, oth_vals = other_anc
    oth_code = np.repeat(np.arange(n_codes, dtype=np.int64), oth_lens)
    only = ~np.isin(code_of * nc + own_vals, oth_code * nc + oth_vals)
    dif_lens = np.bincount(code_of[only], minlength=n_codes).astype(np.int64)
    dif_vals = own_vals[only]
    own_ptr = np.concatenate(([0], np.cumsum(own_lens)))
    dif_ptr = np.concatenate(([0], np.cumsum(dif_lens)))
    # Per source of a gene that changed: the candidate terms.
    g_of = mine // np.int64(n_codes)
    k_of = mine % np.int64(n_codes)
    sel = np.flatnonzero(np.isin(g_of, np.unique(changed // nc)))
    kept = np.isin(mine, other, assume_unique=True)
    s_kept = sel[kept[sel]]
    s_drop = sel[~kept[sel]]
    l1, v1 = _gather(dif_ptr, dif_vals, k_of[s_kept])
    l2, v2 = _gather(own_ptr, own_vals, k_of[s_drop])
    srcs = np.concatenate([np.repeat(s_kept, l1), np.repeat(s_drop, l2)])
    keys = g_of[srcs] * nc + np.concatenate([v1, v2])
    hit = np.isin(keys, changed)
    keys, srcs = keys[hit], srcs[hit]
    # One source per pair; prefer a source both sides have (its cause is the ontology's).
    order = np.lexsort((~kept[srcs], keys))
    keys, srcs = keys[order], srcs[order]
    uniq, first = np.unique(keys, return_index=True)
    if len(uniq) != len(changed):
        log.warning("%d %s pairs have no explaining source", len(changed) - len(uniq), change)
    chosen = srcs[first]
    reasons: dict[tuple[int, int, bool], tuple[str, str, str]] = {}
    out_cause, out_detail, out_source = [], [], []
    terms = (uniq % nc).tolist()
    for t, s in zip(terms, chosen.tolist()):
        k, dropped = int(k_of[s]), not bool(kept[s])
        key = (k, t, dropped)
        r = reasons.get(key)
        if r is None:
            r = reasons[key] = _reason(ctx, info, k, ctx.ids[t], change, dropped)
        out_cause.append(r[0])
        out_detail.append(r[1])
        out_source.append(r[2])
    missing = np.setdiff1d(changed, uniq, assume_unique=True)
    genes = np.concatenate([uniq // nc, missing // nc])
    all_terms = terms + (missing % nc).tolist()
    n_missing = len(missing)
    return pd.DataFrame({
        "gene_code": genes, "term": [ctx.ids[t] for t in all_terms], "change": change,
        "cause": out_cause + ["other"] * n_missing, "detail": out_detail + [""] * n_missing,
        "source": out_source + [""] * n_missing})
