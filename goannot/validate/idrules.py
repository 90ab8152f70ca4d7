"""The ID-status rules: what the GO release makes of each row's GO ID, and the repairs that follow.

These rules run before every other rule (the engine calls :func:`term_table` first and passes the
repaired chunk on). Each *distinct* GO ID of a file is resolved once against the ontology; rows get
their verdict by a vectorized take over ``pandas.factorize`` codes, so a 475k-row GAF with 18k
distinct IDs costs 18k resolutions, not 475k.

Verdicts and rules:

- primary, written canonically: nothing to say;
- primary, written loosely (``go:0043066``, ``GO_0043066``, PURL IRI): ``GOANNOT:noncanonical-id``,
  repaired to the CURIE (a form fix, not subject to the secondary/obsolete ``policy``);
- malformed / unknown: ``GOANNOT:malformed-id`` / ``GOANNOT:unknown-id``, the row is rejected;
- secondary (an alt_id, i.e. a merged term) and obsolete terms whose ``replaced_by`` leads to one
  current term: ``GORULE:0000020``, repaired to that term under policy ``replace``. ``replaced_by``
  chains are followed (A replaced_by B, B obsolete replaced_by C gives C), as are alt_ids met on
  the way and a secondary ID whose primary has since been obsoleted;
- obsolete with no single replacement but candidates (``consider``, or a ``replaced_by`` naming
  several terms): ``GOANNOT:obsolete-consider``; the candidates are listed, never chosen;
- obsolete with neither: ``GOANNOT:obsolete-no-guidance``;
- a replaced_by chain that ends at an obsolete term, loops, or points outside the release:
  ``GOANNOT:replaced-by-obsolete``;
- a stated term name (``term_name``, from tables and page text) that is not the current name of
  the row's (target) term: ``GOANNOT:stale-term-name``, with the current name and whether the
  stated one survives as a synonym.

Policy (``ctx.options["policy"]``) for secondary and obsolete IDs: ``replace`` repairs where GO
names one target and rejects the rows it cannot repair; ``keep`` reports only (the engine also turns
every other rule's repairs into reports); ``reject`` rejects every row with a secondary or obsolete ID.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..ontology import IdStatus, Ontology, Resolution
from .rules import Action, RuleContext, Severity, findings, no_findings, register

__all__ = [
    "MALFORMED_ID",
    "UNKNOWN_ID",
    "NONCANONICAL_ID",
    "MERGED_OR_OBSOLETE",
    "OBSOLETE_CONSIDER",
    "OBSOLETE_NO_GUIDANCE",
    "REPLACED_BY_OBSOLETE",
    "STALE_TERM_NAME",
    "ID_RULES",
    "POLICIES",
    "TERM_COLUMNS",
    "term_table",
    "term_codes",
    "attach_terms",
    "term_column",
    "target_codes",
    "row_codes",
    "term_index",
    "verdict_targets",
    "repair_targets",
    "in_targets",
    "status_counts",
    "mark_repaired",
    "restrict",
    "classify_ids",
]

log = logging.getLogger(__name__)

MALFORMED_ID = "GOANNOT:malformed-id"
UNKNOWN_ID = "GOANNOT:unknown-id"
NONCANONICAL_ID = "GOANNOT:noncanonical-id"
MERGED_OR_OBSOLETE = "GORULE:0000020"
OBSOLETE_CONSIDER = "GOANNOT:obsolete-consider"
OBSOLETE_NO_GUIDANCE = "GOANNOT:obsolete-no-guidance"
REPLACED_BY_OBSOLETE = "GOANNOT:replaced-by-obsolete"
STALE_TERM_NAME = "GOANNOT:stale-term-name"

#: Every rule of this module, in the order the engine runs them (before all other rules).
ID_RULES: tuple[str, ...] = (MALFORMED_ID, UNKNOWN_ID, NONCANONICAL_ID, MERGED_OR_OBSOLETE, OBSOLETE_CONSIDER,
                             OBSOLETE_NO_GUIDANCE, REPLACED_BY_OBSOLETE, STALE_TERM_NAME)

#: What to do with rows whose GO ID is secondary or obsolete.
POLICIES: tuple[str, ...] = ("replace", "keep", "reject")

#: Columns of ``RuleContext.terms`` (documented in :class:`~goannot.validate.rules.RuleContext`),
#: then this module's own: the ID rule that applies to the row ('' for none).
TERM_COLUMNS: tuple[str, ...] = ("status", "target", "namespace", "name", "id_rule")

_STATE_KEY = "goannot.idrules"
_FIXED_KEY = _STATE_KEY + ".fixed"   # rows whose go_id the engine repaired (None: none)
_ENCODED_KEY = _STATE_KEY + ".go-id-codes"  # (go_id Arrow array, codes, distinct values) of the chunk
_RULE_CODE = {rule: k for k, rule in enumerate(ID_RULES)}
_RULE_URL = "https://github.com/geneontology/go-site/blob/master/metadata/rules/gorule-0000020.md"

# Rules whose rows are a secondary or obsolete ID, i.e. those the policy governs.
_POLICY_RULES = frozenset({MERGED_OR_OBSOLETE, OBSOLETE_CONSIDER, OBSOLETE_NO_GUIDANCE, REPLACED_BY_OBSOLETE})


@dataclass(frozen=True, slots=True)
class _Verdict:
    """What one distinct GO ID (as written) means in the release, and what to do about it."""

    status: str
    target: str
    namespace: str
    name: str
    rule: str = ""
    message: str = ""
    fix: str = ""
    repair: str = ""       # the value go_id is set to when the rule's repair applies ('' = none)
    in_targets: bool = False  # the ID is a possible repair target (see repair_targets)


_FIELDS = ("status", "target", "namespace", "name", "rule", "message", "fix", "repair", "in_targets")


@dataclass
class _Cache:
    """Verdicts of the distinct IDs seen so far in one file, held as columns for fast takes."""

    keys: list[str] = field(default_factory=list)   # the IDs as written, in verdict order
    lists: dict[str, list[Any]] = field(default_factory=lambda: {f: [] for f in (*_FIELDS, "rule_code")})
    arrays: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    targets: frozenset[str] = frozenset()
    _where: dict[str, int] = field(default_factory=dict)  # key -> position, extended as keys are added

    def __len__(self) -> int:
        return len(self.lists["status"])

    def positions(self, values: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
        """Position of each value among the cached IDs (-1: not cached yet).

        A dict lookup per distinct value of the chunk: cheaper than rebuilding a pandas Index's
        hash table over every cached ID whenever a chunk brings new ones.
        """
        where = self._where
        if len(where) != len(self.keys):
            where.update((k, i) for i, k in enumerate(self.keys[len(where):], start=len(where)))
        get = where.get
        return np.fromiter((get(v, -1) for v in values.tolist()), dtype=np.int64, count=len(values))

    def add_many(self, onto: Ontology, ids: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
        """Resolve and append new IDs; their positions.

        Current primary terms written canonically (nearly all IDs of a real file) are resolved in bulk
        from the ontology's columns; the rest one by one with :func:`_verdict`.
        """
        term_pos = term_index(onto).get_indexer(pd.Index(ids, dtype=object))
        state = onto.state
        found = term_pos >= 0
        live = np.zeros(len(ids), dtype=bool)
        live[found] = ~state.obsolete[term_pos[found]]
        start = len(self)
        out = np.empty(len(ids), dtype=np.int64)
        fast = np.flatnonzero(live)
        if len(fast):
            fast_ids = ids[fast].tolist()
            k = len(fast_ids)
            at = term_pos[fast]
            names, namespaces = _term_texts(onto)
            blank = [""] * k
            columns: dict[str, list[Any]] = {
                "status": [IdStatus.PRIMARY.value] * k, "target": fast_ids,
                "namespace": namespaces[at].tolist(), "name": names[at].tolist(), "rule": blank,
                "message": blank, "fix": blank, "repair": blank,
                "in_targets": [t in self.targets for t in fast_ids], "rule_code": [-1] * k}
            for f, col in columns.items():
                self.lists[f].extend(col)
            self.keys.extend(fast_ids)
            out[fast] = np.arange(start, start + k)
        for j in np.flatnonzero(~live).tolist():
            v = _verdict(onto, str(ids[j]), self.targets)
            for f in _FIELDS:
                self.lists[f].append(getattr(v, f))
            self.lists["rule_code"].append(_RULE_CODE.get(v.rule, -1))
            self.keys.append(str(ids[j]))
            out[j] = len(self) - 1
        return out

    def column(self, name: str) -> npt.NDArray[Any]:
        """One verdict field for every cached ID, rebuilt only when new IDs were added."""
        arr = self.arrays.get(name)
        if arr is None or len(arr) != len(self):
            dtype: Any = bool if name == "in_targets" else np.int8 if name == "rule_code" else object
            done = 0 if arr is None else len(arr)
            more = np.empty(len(self) - done, dtype=dtype)  # np.empty + fill: strings stay objects
            more[:] = self.lists[name][done:]
            arr = more if arr is None else np.concatenate([arr, more])
            self.arrays[name] = arr
        return arr


def _term_texts(onto: Ontology) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """(names, namespaces) of the ontology's terms as object arrays in row order, built once per ontology."""
    state = onto.state
    return onto.derived(("goannot.validate.idrules", "term_texts"),
                        lambda: (np.asarray(state.names, dtype=object), np.asarray(state.namespaces, dtype=object)))


def term_index(onto: Ontology) -> pd.Index:
    """Term IDs as a pandas Index in ontology row order, built once per ontology (bulk resolution)."""
    return onto.derived(("goannot.validate.idrules", "term_index"),
                        lambda: pd.Index(np.array(onto.term_ids(), dtype=object), dtype=object))


def repair_targets(ontology: Ontology) -> frozenset[str]:
    """Every term an ID repair can lead to: primaries holding alt_ids and replaced_by targets.

    Only rows annotated to one of these can become duplicates of an ID-repaired row, so the
    engine hashes just those rows when it looks for duplicates after repair.
    """
    s = ontology.state
    found = set(s.alt.values())
    for targets in s.replaced_by.values():
        found.update(targets)
    # A replaced_by may name an alt_id: the repair then lands on its primary.
    found.update(s.alt[t] for t in list(found) if t in s.alt)
    return frozenset(found)


def _label(onto: Ontology, term_id: str) -> str:
    name = onto.name(term_id)
    flag = " (obsolete)" if onto.is_obsolete(term_id) else ""
    return f"{term_id} '{name}'{flag}" if name else term_id


def _candidates(onto: Ontology, ids: tuple[str, ...]) -> str:
    return ", ".join(_label(onto, t) for t in dict.fromkeys(ids))


def _release(onto: Ontology) -> str:
    return onto.data_version or onto.provenance.path or "this release"


def _follow(onto: Ontology, shown: str, start: str, res: Resolution) -> _Verdict:
    """Verdict for an obsolete term ``start`` (``shown`` says how the row wrote it): walk replaced_by."""
    path = [start]
    current = res
    while True:
        rb = current.replaced_by
        last = path[-1]
        if not rb:
            if len(path) == 1:
                if current.consider:
                    return _Verdict("", "", "", "", OBSOLETE_CONSIDER,
                                    f"{shown} '{res.name}' is obsolete with no replacement; "
                                    f"consider {_candidates(onto, current.consider)}",
                                    "choose one of " + ", ".join(dict.fromkeys(current.consider)))
                return _Verdict("", "", "", "", OBSOLETE_NO_GUIDANCE,
                                f"{shown} '{res.name}' is obsolete, with neither replaced_by nor consider")
            hint = f"; consider {_candidates(onto, current.consider)}" if current.consider else ""
            return _Verdict("", "", "", "", REPLACED_BY_OBSOLETE,
                            f"{shown} is obsolete and its replaced_by chain {' -> '.join(path)} ends at "
                            f"obsolete {last} '{current.name}', which has no replacement{hint}",
                            ("choose one of " + ", ".join(dict.fromkeys(current.consider))) if hint else "")
        if len(rb) > 1:
            options = tuple(rb) + tuple(current.consider)
            via = f" (via {' -> '.join(path)})" if len(path) > 1 else ""
            return _Verdict("", "", "", "", OBSOLETE_CONSIDER,
                            f"{shown} is obsolete{via}; {last} is replaced_by several terms, not one: "
                            f"{_candidates(onto, options)}",
                            "choose one of " + ", ".join(dict.fromkeys(options)))
        nxt = rb[0]
        step = onto.resolve(nxt)
        if step.status is IdStatus.SECONDARY and step.primary is not None:
            if not step.primary_is_obsolete:
                return _repaired(onto, shown, path + [nxt], step.primary)
            nxt = step.primary
            step = onto.resolve(nxt)
        if step.status is IdStatus.PRIMARY:
            return _repaired(onto, shown, path, step.normalized)
        if step.status is IdStatus.OBSOLETE:
            if nxt in path:
                return _Verdict("", "", "", "", REPLACED_BY_OBSOLETE,
                                f"{shown} is obsolete and its replaced_by chain loops: "
                                f"{' -> '.join(path + [nxt])}")
            path.append(nxt)
            current = step
            continue
        return _Verdict("", "", "", "", REPLACED_BY_OBSOLETE,
                        f"{shown} is obsolete and replaced_by {nxt} (via {' -> '.join(path)}), "
                        f"which is not a term of {_release(onto)}")


def _repaired(onto: Ontology, shown: str, path: list[str], target: str) -> _Verdict:
    chain = " -> ".join(path + [target])
    how = (f"{shown} is obsolete, replaced_by {_label(onto, target)}" if len(path) == 1 else
           f"{shown} is obsolete; replaced_by chain {chain} ends at {_label(onto, target)}")
    return _Verdict("", target, onto.namespace(target), onto.name(target), MERGED_OR_OBSOLETE, how,
                    f"replace with {target}", target)


def _verdict(onto: Ontology, query: str, targets: frozenset[str]) -> _Verdict:
    """Resolve one distinct GO ID as written and decide its rule, message and repair."""
    res = onto.resolve(query)
    st = res.status
    if st is IdStatus.MALFORMED:
        what = "GO ID is empty" if not query else f"'{query}' is not a GO identifier (expected GO:nnnnnnn)"
        return _Verdict(st.value, "", "", "", MALFORMED_ID, what)
    if st is IdStatus.UNKNOWN:
        return _Verdict(st.value, "", "", "", UNKNOWN_ID,
                        f"{query} is not a term, alt_id or obsolete term of GO {_release(onto)} "
                        "(a typo, or newer than this release)")
    if st is IdStatus.PRIMARY:
        norm = res.normalized
        if norm != query:
            return _Verdict(st.value, norm, res.namespace, res.name, NONCANONICAL_ID,
                            f"'{query}' is written loosely for {norm}", f"write {norm}", norm, norm in targets)
        return _Verdict(st.value, norm, res.namespace, res.name, in_targets=norm in targets)
    if st is IdStatus.SECONDARY and res.primary is not None and not res.primary_is_obsolete:
        primary = res.primary
        return _Verdict(st.value, primary, res.namespace, res.name, MERGED_OR_OBSOLETE,
                        f"{query} is a secondary ID (alt_id) of {primary} '{res.name}': the terms were merged",
                        f"replace with {primary}", primary)
    # Obsolete, or secondary whose primary has since been obsoleted.
    if st is IdStatus.SECONDARY and res.primary:
        start = res.primary
        shown = f"{query} (alt_id of {start})"
        base = onto.resolve(start)
    else:
        start = res.normalized
        shown = query if query == start else f"{query} ({start})"
        base = res
    v = _follow(onto, shown, start, base)
    own_ns = onto.namespace(start)
    own_name = onto.name(start)
    return _Verdict(st.value, v.target, v.namespace or own_ns, v.name or own_name, v.rule, v.message, v.fix,
                    v.repair)


def _cache(ctx: RuleContext) -> _Cache:
    got = ctx.state.get(_STATE_KEY)
    if not isinstance(got, _Cache):
        got = _Cache(targets=repair_targets(ctx.ontology))
        ctx.state[_STATE_KEY] = got
    return got


def term_codes(go_ids: pd.Series, ctx: RuleContext) -> npt.NDArray[np.int64]:
    """Per row of a chunk: its position in the file's table of distinct GO IDs (the verdict cache).

    Resolves only the IDs not seen before in this file (the cache lives in ``ctx.state``) and maps
    the verdicts onto rows with ``factorize`` codes. The codes are left in ``ctx.state`` for the ID
    rules, the engine and :func:`term_column`; ``ctx.terms`` is not touched.
    """
    cache = _cache(ctx)
    codes, uniques = pd.factorize(go_ids, use_na_sentinel=False)
    values = np.asarray(uniques.to_numpy(dtype=object), dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values[missing] = ""
    pos = cache.positions(values)
    new = np.flatnonzero(pos < 0)
    if len(new):
        pos[new] = cache.add_many(ctx.ontology, values[new])
        log.debug("resolved %d new distinct GO IDs (%d in this file so far)", len(new), len(cache))
    rows: npt.NDArray[np.int64] = pos[codes]
    ctx.state[_STATE_KEY + ".rows"] = rows
    ctx.state[_FIXED_KEY] = None
    as_arrow = getattr(go_ids.array, "__arrow_array__", None)
    ctx.state[_ENCODED_KEY] = (as_arrow() if as_arrow is not None else None, codes, values)
    return rows


def go_id_codes(ctx: RuleContext, column: pd.Series) -> tuple[npt.NDArray[np.intp], list[str]] | None:
    """(code per row, distinct values) of ``column`` if it is the go_id column :func:`term_codes` encoded.

    Spares the GO rules a second dictionary encoding of the column. None when ``column`` is another
    array (a repair or dropped rows make a new one) or was not Arrow-backed.
    """
    got = ctx.state.get(_ENCODED_KEY)
    as_arrow = getattr(column.array, "__arrow_array__", None)
    if got is None or got[0] is None or as_arrow is None or as_arrow() is not got[0]:
        return None
    return np.asarray(got[1], dtype=np.intp), got[2].tolist()


def attach_terms(go_ids: pd.Series, ctx: RuleContext) -> None:
    """What the engine calls per chunk: :func:`term_codes`, with ``ctx.terms`` built only if read."""
    term_codes(go_ids, ctx)
    ctx.defer_terms(lambda: _terms_frame(ctx))


def _terms_frame(ctx: RuleContext) -> pd.DataFrame:
    # Object columns on purpose: letting pandas infer its Arrow string dtype would copy every value.
    return pd.DataFrame({name: pd.Series(_coded_column(ctx, name), dtype=object, copy=False)
                         for name in TERM_COLUMNS})


_FIELD_OF = {"id_rule": "rule"}
#: After a repair of the row's go_id to its target: the status and ID rule the row then has.
_FIXED_VALUE = {"status": IdStatus.PRIMARY.value, "id_rule": ""}


def term_table(go_ids: pd.Series, ctx: RuleContext) -> pd.DataFrame:
    """``ctx.terms`` for a chunk: one row per chunk row, columns :data:`TERM_COLUMNS`.

    :func:`term_codes` plus the DataFrame built from them (what :func:`attach_terms` defers).
    """
    term_codes(go_ids, ctx)
    return _terms_frame(ctx)


def term_column(ctx: RuleContext, name: str) -> npt.NDArray[Any]:
    """One column of ``ctx.terms`` (:data:`TERM_COLUMNS`) as an object array, without building the table."""
    if not ctx.terms_deferred:
        return ctx.terms[name].to_numpy(dtype=object)
    return _coded_column(ctx, name)


def _coded_column(ctx: RuleContext, name: str) -> npt.NDArray[Any]:
    values: npt.NDArray[Any] = _cache(ctx).column(_FIELD_OF.get(name, name))[_row_verdicts_raw(ctx)]
    fixed = ctx.state.get(_FIXED_KEY)
    if fixed is not None and name in _FIXED_VALUE:
        values[fixed] = _FIXED_VALUE[name]
    return values


def target_codes(ctx: RuleContext) -> tuple[npt.NDArray[np.intp], list[str]] | None:
    """(codes per row, values) of ``terms.target`` from the per-row codes; None if not deferred.

    The values are the targets of every distinct ID of the file so far (:func:`verdict_targets`),
    so a code is the row's position in the file's ID table, and the values may repeat (a secondary
    ID and its primary share a target), which per-value tables do not mind.
    """
    if not ctx.terms_deferred:
        return None
    return _row_verdicts_raw(ctx), verdict_targets(ctx).tolist()


def verdict_targets(ctx: RuleContext) -> npt.NDArray[Any]:
    """The target of every distinct ID of the file so far, in code order (grows, never reorders)."""
    return _cache(ctx).column("target")


def row_codes(ctx: RuleContext) -> npt.NDArray[np.int64]:
    """The current per-row codes (a new array whenever rows are dropped or repaired)."""
    return _row_verdicts_raw(ctx)


def _row_verdicts_raw(ctx: RuleContext) -> npt.NDArray[np.int64]:
    rows = ctx.state.get(_STATE_KEY + ".rows")
    if rows is None:
        raise RuntimeError("ID rules need the per-row codes of goannot.validate.idrules.term_codes")
    return rows  # type: ignore[no-any-return]


def _row_verdicts(ctx: RuleContext) -> npt.NDArray[np.int64]:
    """Per-row positions into the verdict cache, aligned with ``ctx.terms``."""
    rows = _row_verdicts_raw(ctx)
    if not ctx.terms_deferred and len(rows) != len(ctx.terms):
        raise RuntimeError("ID rules need ctx.terms built by goannot.validate.idrules.term_table")
    return rows


def in_targets(ctx: RuleContext) -> npt.NDArray[np.bool_]:
    """Per row of the current chunk: its GO ID (as written) is a possible repair target."""
    flags: npt.NDArray[np.bool_] = _cache(ctx).column("in_targets")[_row_verdicts(ctx)]
    return flags


def status_counts(ctx: RuleContext) -> dict[str, int]:
    """Rows of the current chunk per GO ID status (as read, before any repair)."""
    cache = _cache(ctx)
    per_verdict = np.bincount(_row_verdicts(ctx), minlength=len(cache))
    used = np.flatnonzero(per_verdict)  # only the IDs of this chunk, not every ID of the file so far
    counts: dict[str, int] = {}
    for status, k in zip(cache.column("status")[used].tolist(), per_verdict[used].tolist()):
        counts[status] = counts.get(status, 0) + k
    return counts


def mark_repaired(ctx: RuleContext, rows: npt.NDArray[np.intp]) -> None:
    """After the engine set ``go_id`` of ``rows`` to their target: those rows now name a primary term.

    With per-row codes, the rows are flagged (``status`` primary and no ``id_rule`` from then on;
    target, namespace and name are already the target's); a table given by the caller is edited
    in place.
    """
    if not ctx.terms_deferred:
        for col, value in (("status", IdStatus.PRIMARY.value), ("id_rule", "")):
            values = ctx.terms[col].to_numpy(dtype=object, copy=True)
            values[rows] = value
            ctx.terms[col] = pd.Series(values, dtype=object, copy=False)
        return
    fixed = ctx.state.get(_FIXED_KEY)
    fixed = np.zeros(len(_row_verdicts_raw(ctx)), dtype=bool) if fixed is None else fixed.copy()
    fixed[rows] = True
    ctx.state[_FIXED_KEY] = fixed
    ctx.terms_changed()


def restrict(ctx: RuleContext, keep: npt.NDArray[np.intp]) -> None:
    """Keep only the rows ``keep`` in ``ctx.terms`` (when the engine drops rejected rows)."""
    ctx.state[_STATE_KEY + ".rows"] = _row_verdicts_raw(ctx)[keep]
    fixed = ctx.state.get(_FIXED_KEY)
    if fixed is not None:
        ctx.state[_FIXED_KEY] = fixed[keep]
    if ctx.terms_deferred:
        ctx.terms_changed()
    else:
        ctx.terms = ctx.terms.iloc[keep].reset_index(drop=True)


#: The empty result, built once (an empty DataFrame costs milliseconds); never modified.
_NONE = no_findings()


def _policy(ctx: RuleContext) -> str:
    policy = str(ctx.options.get("policy", "replace"))
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; expected one of {', '.join(POLICIES)}")
    return policy


def _rows_of(rule: str, ctx: RuleContext) -> npt.NDArray[np.intp]:
    codes = _cache(ctx).column("rule_code")[_row_verdicts(ctx)]
    return np.flatnonzero(codes == _RULE_CODE[rule])


def _id_findings(rule: str, ctx: RuleContext, action: Action, *, repair: bool) -> pd.DataFrame:
    """Findings for the rows whose verdict is ``rule``, with messages taken per distinct ID."""
    rows = _rows_of(rule, ctx)
    if not len(rows):
        return _NONE
    cache = _cache(ctx)
    vpos = _row_verdicts(ctx)[rows]
    message = cache.column("message")[vpos]
    fix = cache.column("fix")[vpos]
    if rule in _POLICY_RULES:
        policy = _policy(ctx)
        if policy == "reject":
            action = Action.REJECT
            message = message + " (policy 'reject': secondary and obsolete IDs are not repaired)"
        elif policy == "keep":
            action = Action.REPORT
    if repair and action is Action.REPAIR:
        return findings(rows, message, fix=fix, action=action, set_go_id=cache.column("repair")[vpos])
    return findings(rows, message, fix=fix, action=action)


@register(MALFORMED_ID, "GO ID is not shaped like a GO identifier", Severity.ERROR,
          fix="none: the row is rejected")
def check_malformed(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Rows whose GO ID is empty or not a GO CURIE (``GO:`` and seven digits, after lenient clean-up)."""
    return _id_findings(MALFORMED_ID, ctx, Action.REJECT, repair=False)


@register(UNKNOWN_ID, "GO ID is not in the ontology release", Severity.ERROR,
          fix="none: the row is rejected")
def check_unknown(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Rows whose well-formed GO ID is neither a term, an alt_id nor an obsolete term of the release."""
    return _id_findings(UNKNOWN_ID, ctx, Action.REJECT, repair=False)


@register(NONCANONICAL_ID, "GO ID written in a non-canonical form", Severity.WARNING,
          fix="rewrite as the GO:nnnnnnn CURIE")
def check_noncanonical(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Rows naming a current term as ``go:...``, ``GO_...`` or an OBO PURL: rewritten as the CURIE."""
    return _id_findings(NONCANONICAL_ID, ctx, Action.REPAIR, repair=True)


@register(MERGED_OR_OBSOLETE, "Automatic repair of annotations to merged or obsoleted terms", Severity.WARNING,
          fix="replace a secondary ID by its primary, an obsolete term by the end of its replaced_by chain",
          url=_RULE_URL)
def check_merged_or_obsolete(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """GORULE:0000020: rows whose term was merged (alt_id) or obsoleted with one replacement."""
    return _id_findings(MERGED_OR_OBSOLETE, ctx, Action.REPAIR, repair=True)


@register(OBSOLETE_CONSIDER, "Obsolete term without a single replacement (candidates to consider)", Severity.ERROR,
          fix="none automatic: a curator chooses among the candidates; the row is rejected unless policy is keep")
def check_obsolete_consider(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Obsolete terms with ``consider`` terms or several ``replaced_by``: listed, never chosen."""
    return _id_findings(OBSOLETE_CONSIDER, ctx, Action.REJECT, repair=False)


@register(OBSOLETE_NO_GUIDANCE, "Obsolete term with neither replaced_by nor consider", Severity.ERROR,
          fix="none: the row is rejected unless policy is keep")
def check_obsolete_no_guidance(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Obsolete terms GO gives no guidance for."""
    return _id_findings(OBSOLETE_NO_GUIDANCE, ctx, Action.REJECT, repair=False)


@register(REPLACED_BY_OBSOLETE, "replaced_by chain ends at an obsolete term, loops or leaves the release",
          Severity.ERROR, fix="none: the row is rejected unless policy is keep")
def check_replaced_by_obsolete(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Obsolete terms whose replaced_by chain gives no current term (an ontology defect)."""
    return _id_findings(REPLACED_BY_OBSOLETE, ctx, Action.REJECT, repair=False)


@register(STALE_TERM_NAME, "Stated term name is not the term's current name", Severity.INFO,
          fix="report only: the current name is given")
def check_stale_term_name(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Rows whose ``term_name`` differs from the current name of their (target) term.

    The comparison is vectorized; only the distinct (target, stated name) pairs that differ are
    looked up in the synonyms, to say when the stated name survives as an exact or other synonym.
    """
    column = chunk["term_name"]
    given = np.flatnonzero((column.fillna("") != "").to_numpy(dtype=bool))
    if not len(given):  # GAF, GPAD: no stated names at all
        return _NONE
    stated = column.iloc[given].to_numpy(dtype=object)
    target = term_column(ctx, "target")[given]
    current = term_column(ctx, "name")[given]
    stale = (target != "") & (stated != current)
    if not stale.any():
        return _NONE
    rows, stated, target = given[stale], stated[stale], target[stale]
    codes, pairs = pd.factorize(pd.Series(target + "\x1f" + stated, dtype=object))
    onto = ctx.ontology
    messages: list[str] = []
    fixes: list[str] = []
    for pair in pairs:
        tid, said = str(pair).split("\x1f", 1)
        name = onto.name(tid)
        scopes = [scope for text, scope, _ in onto.synonyms(tid) if text.casefold() == said.casefold()]
        if said.casefold() == name.casefold():
            why = " (differs only in case)"
        elif scopes:
            kind = "an exact" if "EXACT" in scopes else "a " + scopes[0].lower()
            why = f" (the stated name is now {kind} synonym)"
        else:
            why = ""
        messages.append(f"stated name '{said}' is not the current name of {tid}: '{name}'{why}")
        fixes.append(f"current name: {name}")
    return findings(rows, np.array(messages, dtype=object)[codes], go_id=target,
                    fix=np.array(fixes, dtype=object)[codes], action=Action.REPORT)


def classify_ids(ontology: Ontology, ids: Sequence[str]) -> pd.DataFrame:
    """The ID rules' verdict on each of ``ids`` (as written) under ``ontology``, outside a validation run.

    For callers that ask what a release makes of a file's GO IDs without validating it (the
    release diff, :mod:`goannot.reldiff_terms`): the same resolution, replaced_by walk and repair
    target as the ID rules, once per given ID. Columns: ``go_id``, ``status``, ``target``,
    ``namespace``, ``name``, ``id_rule`` ('' for none), ``message``, ``repair`` ('' for none).
    """
    cache = _Cache(targets=frozenset())
    values = np.empty(len(ids), dtype=object)
    values[:] = list(ids)
    pos = cache.add_many(ontology, values) if len(values) else np.zeros(0, dtype=np.int64)
    out = {"go_id": values}
    for col, fld in (("status", "status"), ("target", "target"), ("namespace", "namespace"), ("name", "name"),
                     ("id_rule", "rule"), ("message", "message"), ("repair", "repair")):
        out[col] = cache.column(fld)[pos] if len(values) else np.empty(0, dtype=object)
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in out.items()})
