"""Release diff, levels 1 and 2: what changed between two GO releases, and what that does to a file's IDs.

Level 1, :func:`diff_ontologies`, compares two :class:`~goannot.ontology.Ontology` objects term by
term. Every ID known to either release gets at most one *identity* change and any number of
*content* changes:

identity changes (exclusive)
    ``added`` (unknown in OLD, a current term in NEW; ``detail`` says so when it was an alt_id in
    OLD), ``obsoleted`` (current in OLD, obsolete in NEW; ``replaced_by`` / ``consider`` as NEW
    gives them), ``merged`` (a term in OLD, an alt_id of ``into`` in NEW), ``reinstated`` (obsolete
    in OLD, current in NEW), ``removed`` (a term in OLD, unknown to NEW);
content changes (terms current in both)
    ``renamed``, ``namespace_moved``, and ``parents_changed`` once per relation whose parent set
    differs (``detail`` lists the parents added and removed).

Edges are compared over the relations *both* releases use (``OntologyDiff.relations``); relations
only one release has (go-basic against a full go.obo: ``has_part``, ``occurs_in``...) are listed in
``relations_only_old`` / ``relations_only_new`` and left out, as their edges would all look added
or removed. Each added or removed edge carries a ``cause`` when its end terms explain it
(``child obsoleted``, ``parent merged``, ``new term``...).

Level 2, :func:`diff_annotation_ids`, classifies every row's GO ID under both releases with the
validator's ID rules (:func:`goannot.validate.idrules.classify_ids`, not a second implementation),
into the classes of :data:`ID_CLASSES`, each with its outcome under the validator's default repair
policy: ``kept`` (current), ``repaired`` (secondary -> its primary, obsolete -> the single end of its
replaced_by chain) or ``lost``. Counts are by rows, so the classes of a file add up to its rows.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .columns import Col
from .ontology import IdStatus, Ontology
from .validate.idrules import (MALFORMED_ID, MERGED_OR_OBSOLETE, OBSOLETE_CONSIDER, OBSOLETE_NO_GUIDANCE,
                               REPLACED_BY_OBSOLETE, UNKNOWN_ID, classify_ids)

__all__ = [
    "ID_CLASSES",
    "OUTCOME",
    "TERM_CHANGES",
    "OntologyDiff",
    "AnnotationDiff",
    "diff_ontologies",
    "diff_annotation_ids",
    "release_label",
]

log = logging.getLogger(__name__)

#: Term change kinds of :attr:`OntologyDiff.terms`, identity changes first.
TERM_CHANGES: tuple[str, ...] = ("added", "obsoleted", "merged", "reinstated", "removed", "renamed",
                                 "namespace_moved", "parents_changed")
_IDENTITY = frozenset(TERM_CHANGES[:5])

#: What a release makes of a row's GO ID (see the module docstring), in report order.
ID_CLASSES: tuple[str, ...] = ("current", "secondary_repaired", "obsolete_replaced", "obsolete_consider",
                               "obsolete_no_guidance", "obsolete_broken_chain", "unknown", "malformed")
#: The outcome of each class under the validator's default policy (``replace``).
OUTCOME: dict[str, str] = {"current": "kept", "secondary_repaired": "repaired", "obsolete_replaced": "repaired",
                           "obsolete_consider": "lost", "obsolete_no_guidance": "lost",
                           "obsolete_broken_chain": "lost", "unknown": "lost", "malformed": "lost"}
_CLASS_OF_RULE = {OBSOLETE_CONSIDER: "obsolete_consider", OBSOLETE_NO_GUIDANCE: "obsolete_no_guidance",
                  REPLACED_BY_OBSOLETE: "obsolete_broken_chain", UNKNOWN_ID: "unknown", MALFORMED_ID: "malformed"}


def release_label(onto: Ontology) -> str:
    """A short name of a release for tables: its data-version (``releases/2022-07-01`` -> ``2022-07-01``)."""
    v = onto.data_version or onto.provenance.path or "?"
    return v.rsplit("/", 1)[-1] if v.startswith("releases/") else v


# -- level 1: the ontologies ------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class OntologyDiff:
    """Term and edge changes from ``old`` to ``new`` (see the module docstring).

    ``terms``: one row per (term, change): ``id``, ``change``, ``old_name``, ``new_name``,
    ``old_namespace``, ``new_namespace``, ``relation`` (parents_changed only), ``into`` (merged:
    the new primary; obsoleted: replaced_by), ``consider``, ``detail``.
    ``edges``: one row per added or removed edge: ``child``, ``relation``, ``parent``, ``change``,
    ``cause``. ``summary``: counts per change kind and per relation.
    """

    old_version: str
    new_version: str
    relations: tuple[str, ...]
    relations_only_old: tuple[str, ...]
    relations_only_new: tuple[str, ...]
    terms: pd.DataFrame
    edges: pd.DataFrame
    summary: dict[str, Any]

    def changes_of(self, term_id: str) -> list[str]:
        """The change kinds recorded for one ID (empty when it did not change)."""
        return sorted(set(self._by_term.get(term_id, ())), key=TERM_CHANGES.index)

    def identity_change(self, term_id: str) -> str:
        """The identity change of an ID ('' when none), see :data:`TERM_CHANGES`."""
        for kind in self._by_term.get(term_id, ()):
            if kind in _IDENTITY:
                return kind
        return ""

    def target_of(self, term_id: str) -> str:
        """Where an ID went: the primary of a merged ID, the replaced_by of an obsoleted one ('' if none)."""
        hit = self.terms[(self.terms["id"] == term_id) & self.terms["change"].isin(["merged", "obsoleted"])]
        return str(hit["into"].iloc[0]) if len(hit) else ""

    @property
    def _by_term(self) -> dict[str, list[str]]:
        got: dict[str, list[str]] | None = self.__dict__.get("_by_term_cache")
        if got is None:
            got = {}
            for tid, kind in zip(self.terms["id"].tolist(), self.terms["change"].tolist()):
                got.setdefault(tid, []).append(kind)
            self.__dict__["_by_term_cache"] = got
        return got


_TERM_COLUMNS = ("id", "change", "old_name", "new_name", "old_namespace", "new_namespace", "relation", "into",
                 "consider", "detail")
_EDGE_COLUMNS = ("child", "relation", "parent", "change", "cause")


def _edge_set(onto: Ontology, relations: Sequence[str]) -> set[tuple[str, str, str]]:
    return set(onto.edges(relations)) if relations else set()


def _status(onto: Ontology, tid: str, memo: dict[tuple[int, str], IdStatus]) -> IdStatus:
    key = (id(onto), tid)
    got = memo.get(key)
    if got is None:
        got = memo[key] = onto.resolve(tid).status
    return got


def _edge_cause(child: str, parent: str, old: Ontology, new: Ontology, change: str,
                memo: dict[tuple[int, str], IdStatus]) -> str:
    """Why an edge appeared or disappeared, when its end terms say it ('' otherwise)."""
    if change == "removed":
        for who, tid in (("child", child), ("parent", parent)):
            st = _status(new, tid, memo)
            if st is IdStatus.OBSOLETE:
                return f"{who} obsoleted"
            if st is IdStatus.SECONDARY:
                return f"{who} merged"
            if st is IdStatus.UNKNOWN:
                return f"{who} removed"
        return ""
    for who, tid in (("child", child), ("parent", parent)):
        st = _status(old, tid, memo)
        if st is IdStatus.UNKNOWN or st is IdStatus.SECONDARY:
            return f"new {who} term"
        if st is IdStatus.OBSOLETE:
            return f"{who} reinstated"
    return ""


def diff_ontologies(old: Ontology, new: Ontology) -> OntologyDiff:
    """Compare two releases term by term and edge by edge (level 1; see the module docstring)."""
    so, sn = old.state, new.state
    rels_old = {r for r in so.rel_names if np.any(so.edge_rel == so.rel_names.index(r))}
    rels_new = {r for r in sn.rel_names if np.any(sn.edge_rel == sn.rel_names.index(r))}
    relations = tuple(sorted(rels_old & rels_new, key=lambda r: (r != "is_a", r)))
    only_old = tuple(sorted(rels_old - rels_new))
    only_new = tuple(sorted(rels_new - rels_old))
    rows: list[tuple[Any, ...]] = []

    def add(tid: str, change: str, *, relation: str = "", into: str = "", consider: str = "",
            detail: str = "") -> None:
        rows.append((tid, change, old.name(tid) if tid in old_index else "", new.name(tid) if tid in new_index else "",
                     old.namespace(tid) if tid in old_index else "", new.namespace(tid) if tid in new_index else "",
                     relation, into, consider, detail))

    old_index = {t: i for i, t in enumerate(so.ids)}
    new_index = {t: i for i, t in enumerate(sn.ids)}
    old_alt, new_alt = so.alt, sn.alt
    for tid, j in new_index.items():
        if sn.obsolete[j]:
            continue
        i = old_index.get(tid)
        if i is None:
            was = f"was an alt_id of {old_alt[tid]} in {release_label(old)}" if tid in old_alt else ""
            add(tid, "added", detail=was)
        elif so.obsolete[i]:
            add(tid, "reinstated")
    for tid, i in old_index.items():
        jn = new_index.get(tid)
        if jn is None:
            if tid in new_alt:
                was = "was obsolete" if so.obsolete[i] else ""
                add(tid, "merged", into=new_alt[tid], detail=was)
            else:
                add(tid, "removed", detail="was obsolete" if so.obsolete[i] else "")
            continue
        if so.obsolete[i]:
            continue
        j = jn
        if sn.obsolete[j]:
            add(tid, "obsoleted", into=",".join(sn.replaced_by.get(tid, ())),
                consider=",".join(sn.consider.get(tid, ())))
            continue
        if so.names[i] != sn.names[j]:
            add(tid, "renamed", detail=f"{so.names[i]} -> {sn.names[j]}")
        if so.namespaces[i] != sn.namespaces[j]:
            add(tid, "namespace_moved", detail=f"{so.namespaces[i]} -> {sn.namespaces[j]}")

    e_old, e_new = _edge_set(old, relations), _edge_set(new, relations)
    removed = sorted(e_old - e_new)
    added = sorted(e_new - e_old)
    memo: dict[tuple[int, str], IdStatus] = {}  # an end term is in many edges: resolve it once
    edge_rows = ([(c, r, p, "removed", _edge_cause(c, p, old, new, "removed", memo)) for c, r, p in removed]
                 + [(c, r, p, "added", _edge_cause(c, p, old, new, "added", memo)) for c, r, p in added])
    # parents_changed: terms current in both releases whose parent set over a relation differs.
    per_term: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for c, r, p, change, _ in edge_rows:
        io, jn = old_index.get(c), new_index.get(c)
        if io is None or jn is None or so.obsolete[io] or sn.obsolete[jn]:
            continue
        plus, minus = per_term.setdefault((c, r), ([], []))
        (plus if change == "added" else minus).append(p)
    for (c, r), (plus, minus) in sorted(per_term.items()):
        detail = "; ".join(x for x in (("+" + ",".join(plus)) if plus else "", ("-" + ",".join(minus)) if minus else "")
                           if x)
        add(c, "parents_changed", relation=r, detail=detail)

    terms = pd.DataFrame(rows, columns=list(_TERM_COLUMNS), dtype=object)
    if len(terms):
        order = terms["change"].map({k: n for n, k in enumerate(TERM_CHANGES)})
        terms = terms.assign(_o=order).sort_values(["_o", "id", "relation"], kind="stable").drop(columns="_o")
        terms = terms.reset_index(drop=True)
    edges = pd.DataFrame(edge_rows, columns=list(_EDGE_COLUMNS), dtype=object)
    counts = Counter(terms["change"].tolist())
    summary: dict[str, Any] = {
        "old": release_label(old), "new": release_label(new),
        "terms_old": int(np.count_nonzero(~so.obsolete)), "terms_new": int(np.count_nonzero(~sn.obsolete)),
        "changes": {k: int(counts.get(k, 0)) for k in TERM_CHANGES},
        "parents_changed_by_relation": dict(sorted(Counter(
            terms.loc[terms["change"] == "parents_changed", "relation"].tolist()).items())),
        "edges_added_by_relation": dict(sorted(Counter(r for _, r, _ in added).items())),
        "edges_removed_by_relation": dict(sorted(Counter(r for _, r, _ in removed).items())),
        "relations_compared": list(relations),
        "relations_only_old": list(only_old), "relations_only_new": list(only_new),
        "obsoleted_with_replaced_by": int(((terms["change"] == "obsoleted") & (terms["into"] != "")).sum()),
        "obsoleted_with_consider_only": int(((terms["change"] == "obsoleted") & (terms["into"] == "")
                                             & (terms["consider"] != "")).sum()),
    }
    log.info("release diff %s -> %s: %s", summary["old"], summary["new"], summary["changes"])
    return OntologyDiff(summary["old"], summary["new"], relations, only_old, only_new, terms, edges, summary)


# -- level 2: a file's GO IDs ----------------------------------------------------------------------

def _classes(verdicts: pd.DataFrame) -> list[str]:
    out = []
    for status, rule in zip(verdicts["status"].tolist(), verdicts["id_rule"].tolist()):
        if rule == MERGED_OR_OBSOLETE:
            out.append("secondary_repaired" if status == IdStatus.SECONDARY.value else "obsolete_replaced")
        elif rule in _CLASS_OF_RULE:
            out.append(_CLASS_OF_RULE[rule])
        else:
            out.append("current")  # primary, canonical or loosely written
    return out


@dataclass(frozen=True, eq=False)
class AnnotationDiff:
    """What two releases make of one annotation file's GO IDs (level 2).

    ``ids``: one row per distinct GO ID as written: ``go_id``, ``rows``, ``genes``, then per release
    (``old_``/``new_`` prefix) ``class``, ``outcome``, ``target`` (the term the row counts for after
    repair, '' when lost) and ``message``; ``changed`` is True when the release changes the verdict
    (class or target). ``rows``: the rows NEW repairs or loses (``line``, ``gene``, ``symbol``,
    ``go_id``, the ``old_``/``new_`` class and target, ``changed``). ``genes``: per gene, row
    counts per NEW class (genes with at least one row not ``current`` in NEW).
    ``counts``: rows per class in each release, per (old class -> new class) transition, and per
    outcome; every one of them sums to ``rows_read``.
    """

    path: str
    rows_read: int
    parse_rejects: int
    ids: pd.DataFrame
    rows: pd.DataFrame
    genes: pd.DataFrame
    counts: dict[str, Any]
    #: per row: position of its GO ID in ``ids`` (for the closure level)
    row_code: npt.NDArray[np.int64] = field(repr=False)
    row_gene: npt.NDArray[np.int64] = field(repr=False)
    gene_labels: list[str] = field(repr=False)


def _gene_rows(table: pd.DataFrame) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Gene code per row and gene labels, as propagation labels genes (``db:db_object_id``)."""
    from .propagate import _gene_codes

    codes, labels, _, _, _ = _gene_codes(table)
    return codes, labels


def diff_annotation_ids(table: pd.DataFrame, old: Ontology, new: Ontology, *, path: str = "",
                        parse_rejects: int = 0) -> AnnotationDiff:
    """Classify every row's GO ID under ``old`` and ``new`` (level 2; see the module docstring).

    ``table`` is goannot's annotation table (``go_id``, ``db``, ``db_object_id`` at least);
    ``parse_rejects`` (lines the reader could not use) are reported beside the rows, not in them.
    """
    n = len(table)
    codes_raw, uniques = pd.factorize(table[Col.GO_ID.value].fillna(""), use_na_sentinel=False)
    codes = np.asarray(codes_raw, dtype=np.int64)
    values = [str(v) for v in uniques.tolist()]
    v_old, v_new = classify_ids(old, values), classify_ids(new, values)
    c_old, c_new = _classes(v_old), _classes(v_new)
    t_old = ["" if OUTCOME[c] == "lost" else t for c, t in zip(c_old, v_old["target"].tolist())]
    t_new = ["" if OUTCOME[c] == "lost" else t for c, t in zip(c_new, v_new["target"].tolist())]
    row_gene, labels = _gene_rows(table)
    per_id_rows = np.bincount(codes, minlength=len(values)) if n else np.zeros(len(values), dtype=np.int64)
    pair = np.unique(codes * np.int64(max(len(labels), 1)) + row_gene) if n else np.zeros(0, dtype=np.int64)
    per_id_genes = np.bincount(pair // np.int64(max(len(labels), 1)), minlength=len(values))
    changed = [(a != b) or (x != y) for a, b, x, y in zip(c_old, c_new, t_old, t_new)]
    ids = pd.DataFrame({
        "go_id": values, "rows": per_id_rows.astype(np.int64), "genes": per_id_genes.astype(np.int64),
        "old_class": c_old, "old_outcome": [OUTCOME[c] for c in c_old], "old_target": t_old,
        "new_class": c_new, "new_outcome": [OUTCOME[c] for c in c_new], "new_target": t_new,
        "changed": changed, "new_name": v_new["name"].tolist(), "new_message": v_new["message"].tolist(),
        "old_message": v_old["message"].tolist()})

    cls_new = np.asarray(c_new, dtype=object)
    cls_old = np.asarray(c_old, dtype=object)
    row_cls_new = cls_new[codes]
    row_cls_old = cls_old[codes]
    flagged = np.flatnonzero(row_cls_new != "current")
    symbols = (table[Col.DB_OBJECT_SYMBOL.value].to_numpy(dtype=object, na_value="")
               if Col.DB_OBJECT_SYMBOL.value in table.columns else np.full(n, "", dtype=object))
    lines = (table[Col.LINE.value].to_numpy() if Col.LINE.value in table.columns else np.arange(1, n + 1))
    label_arr = np.asarray(labels, dtype=object)
    tnew, told = np.asarray(t_new, dtype=object), np.asarray(t_old, dtype=object)
    chg = np.asarray(changed, dtype=bool)
    rows = pd.DataFrame({
        "line": lines[flagged], "gene": label_arr[row_gene[flagged]], "symbol": symbols[flagged],
        "go_id": np.asarray(values, dtype=object)[codes[flagged]],
        "old_class": row_cls_old[flagged], "old_target": told[codes[flagged]],
        "new_class": row_cls_new[flagged], "new_outcome": [OUTCOME[c] for c in row_cls_new[flagged].tolist()],
        "new_target": tnew[codes[flagged]], "changed": chg[codes[flagged]],
        "message": np.asarray(v_new["message"].tolist(), dtype=object)[codes[flagged]]})

    genes = _gene_counts(row_gene[flagged], row_cls_new[flagged], chg[codes[flagged]], labels, row_gene,
                         symbols)
    by_new: Counter[str] = Counter()
    by_old: Counter[str] = Counter()
    trans: Counter[str] = Counter()
    outcome: Counter[str] = Counter()
    changed_rows = 0
    for k in range(len(values)):
        r = int(per_id_rows[k])
        by_new[c_new[k]] += r
        by_old[c_old[k]] += r
        trans[f"{c_old[k]} -> {c_new[k]}"] += r
        outcome[OUTCOME[c_new[k]]] += r
        changed_rows += r if changed[k] else 0
    counts: dict[str, Any] = {
        "rows_read": n, "parse_rejects": int(parse_rejects),
        "by_class_old": {c: int(by_old.get(c, 0)) for c in ID_CLASSES},
        "by_class_new": {c: int(by_new.get(c, 0)) for c in ID_CLASSES},
        "by_outcome_new": {o: int(outcome.get(o, 0)) for o in ("kept", "repaired", "lost")},
        "transitions": dict(sorted(trans.items(), key=lambda kv: -kv[1])),
        "rows_changed_by_release": changed_rows,
        "genes": len(labels), "genes_affected": int(len(genes)),
        "distinct_ids": len(values),
    }
    for key in ("by_class_old", "by_class_new", "by_outcome_new", "transitions"):
        assert sum(counts[key].values()) == n, key  # every row is in exactly one class
    return AnnotationDiff(path, n, int(parse_rejects), ids, rows, genes, counts, codes, row_gene, labels)


def _gene_counts(genes: npt.NDArray[np.int64], classes: npt.NDArray[Any], changed: npt.NDArray[np.bool_],
                 labels: Sequence[str], row_gene: npt.NDArray[np.int64], symbols: npt.NDArray[Any]) -> pd.DataFrame:
    """Per gene with any non-current row under NEW: rows per class, rows changed by the release."""
    cols = [c for c in ID_CLASSES if c != "current"]
    if not len(genes):
        return pd.DataFrame(columns=["gene", "symbol", "rows", *cols, "lost", "changed_by_release"])
    frame = pd.DataFrame({"gene": genes, "cls": classes, "changed": changed})
    table = pd.crosstab(frame["gene"], frame["cls"]).reindex(columns=cols, fill_value=0)
    total = np.bincount(row_gene, minlength=len(labels))
    first_row = np.full(len(labels), len(row_gene), dtype=np.int64)
    np.minimum.at(first_row, row_gene, np.arange(len(row_gene), dtype=np.int64))  # each gene's first row
    at = table.index.to_numpy(dtype=np.int64)
    out = pd.DataFrame({"gene": [labels[g] for g in at.tolist()],
                        "symbol": ["" if v is None else str(v) for v in symbols[first_row[at]].tolist()],
                        "rows": total[table.index.to_numpy()]})
    for c in cols:
        out[c] = table[c].to_numpy()
    out["lost"] = out[[c for c in cols if OUTCOME[c] == "lost"]].sum(axis=1)
    out["changed_by_release"] = frame.groupby("gene")["changed"].sum().reindex(table.index).to_numpy()
    return out.sort_values(["changed_by_release", "lost", "gene"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)

