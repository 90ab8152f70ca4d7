"""The shared per-chunk view the GO rules read: encoded columns, cached masks, the rows' terms.

Split out of :mod:`goannot.validate.gorules` (which holds the rules themselves). A chunk of the
human GAF has ~80k rows but few distinct values per column (21 evidence codes, ~9k GO terms, a
handful of qualifiers). So every predicate is computed once per *distinct* value and broadcast back
through integer codes, and each column is encoded at most once per chunk for all the rules of a
pass (:class:`_View`). Columns with many distinct values (reference, with/from, extensions) are
scanned with Arrow's string kernels: over the whole column, or, once a rule has encoded it
(GORULE:0000001 encodes references and with/from: a fifth / a third of their rows are distinct),
over its distinct values (:meth:`_View.distinct`), broadcast back through the codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..columns import Col
from ..ontology import Ontology
from . import idrules
from .rules import RuleContext


class _View:
    """Encoded columns of one chunk plus its aligned term table, shared by all rules of a pass.

    The chunk's strings are Arrow arrays; converting a 475k-row column to Python objects or
    hashing it costs tens of milliseconds, and twenty rules read the same few columns. So each
    column is dictionary-encoded at most once per chunk (``codes``), predicates are evaluated on the
    distinct values and broadcast through the integer codes, and high-cardinality columns
    (reference, with/from) are scanned with Arrow's vectorized string kernels instead.
    """

    def __init__(self, chunk: pd.DataFrame, ctx: RuleContext, memo: dict[Any, dict[str, Any]] | None = None) -> None:
        self.chunk = chunk
        self.ctx = ctx
        self.token = _terms_token(ctx)
        self._memo = memo if memo is not None else {}  # per file: results of named per-value functions
        self.n = len(chunk)
        self._arrow: dict[str, pa.Array] = {}
        self._codes: dict[str, tuple[npt.NDArray[np.intp], list[str]]] = {}
        self._cache: dict[Any, Any] = {}
        self._objects: dict[str, npt.NDArray[Any]] = {}  # distinct values of a column as an object array
        self._distinct: dict[str, pa.Array] = {}  # ... and as an Arrow array
        self.synced = len(ctx.repaired_columns)  # repairs already in the chunk when this view read it

    def forget(self, columns: Collection[str]) -> None:
        """Drop everything read or derived from ``columns`` (they were repaired in the chunk)."""
        gone = set(columns)
        for store in (self._arrow, self._codes, self._objects, self._distinct):
            for name in gone & store.keys():
                del store[name]
        for key in [k for k in self._cache if isinstance(k, tuple) and gone.intersection(
                x for x in k if isinstance(x, str))]:
            del self._cache[key]

    def arrow(self, name: str) -> pa.Array:
        """A column as one Arrow string array (``terms.<x>`` for the term table; '' for a missing column)."""
        got = self._arrow.get(name)
        if got is None and name == "terms.target" and self.ctx.terms_deferred:
            codes, uniques = self.codes(name)
            got = pa.array(uniques, type=pa.large_string()).take(pa.array(codes))
            self._arrow[name] = got
        if got is None:
            frame, col = (self.ctx.terms, name[6:]) if name.startswith("terms.") else (self.chunk, name)
            if col in frame.columns:
                got = _as_arrow(frame[col])
            else:
                got = pa.array([""] * self.n, type=pa.large_string())
            self._arrow[name] = got
        return got

    def codes(self, name: str) -> tuple[npt.NDArray[np.intp], list[str]]:
        """(codes per row, distinct values) of a column."""
        got = self._codes.get(name)
        if got is None and name == "terms.target":
            got = idrules.target_codes(self.ctx)
            if got is not None:
                self._codes[name] = got
        if got is None and name == Col.GO_ID and name in self.chunk.columns:
            got = idrules.go_id_codes(self.ctx, self.chunk[name])
        if got is None:
            got = _encode(self.arrow(name))
        self._codes[name] = got
        return got

    def values(self, name: str, rows: npt.NDArray[np.intp]) -> npt.NDArray[Any]:
        """The values of a column at ``rows`` as an object array."""
        if name in self._codes or name in _LOW_CARDINALITY:
            codes, uniques = self.codes(name)
            table = self._objects.get(name)
            if table is None or len(table) != len(uniques):
                table = self._objects[name] = np.empty(len(uniques), dtype=object)
                table[:] = uniques
            return table[codes[rows]] if len(uniques) else np.full(len(rows), "", dtype=object)
        return np.asarray(self.arrow(name).take(pa.array(rows, type=pa.int64())).to_numpy(zero_copy_only=False),
                          dtype=object)

    def table(self, name: str, fn: Callable[[str], Any], dtype: Any = bool, key: Any = None) -> npt.NDArray[Any]:
        """``fn`` of each distinct value of a column (aligned with ``codes(name)[1]``)."""
        k = ("table", name, key if key is not None else fn)
        got = self._cache.get(k)
        if got is None and name == "terms.target" and key is not None and self.ctx.terms_deferred:
            got = self._cache[k] = self._verdict_table(fn, dtype, key)
        if got is None:
            uniques = self.codes(name)[1]
            got = np.empty(len(uniques), dtype=dtype)
            if isinstance(key, str):  # a named function: its results carry over to the file's next chunks
                memo = self._memo.setdefault((name, key), {})
                values = []
                for u in uniques:
                    r = memo.get(u, _MISSING)
                    if r is _MISSING:
                        r = memo[u] = fn(u)
                    values.append(r)
                got[:] = values
            else:
                got[:] = [fn(u) for u in uniques]
            self._cache[k] = got
        return got

    def _verdict_table(self, fn: Callable[[str], Any], dtype: Any, key: Any) -> npt.NDArray[Any]:
        """``fn`` of the target of every distinct ID of the file, computed once per ID per file.

        Aligned with the per-row codes of :func:`idrules.target_codes`; extended when the file's
        later chunks bring new IDs.
        """
        store: dict[Any, npt.NDArray[Any]] = self.ctx.state.setdefault("gorules.verdict_tables", {})
        targets = idrules.verdict_targets(self.ctx)
        k = (key, np.dtype(dtype).str)
        got = store.get(k)
        if got is None or len(got) < len(targets):
            start = 0 if got is None else len(got)
            more = np.empty(len(targets) - start, dtype=dtype)
            more[:] = [fn(t) for t in targets[start:].tolist()]
            got = store[k] = more if got is None else np.concatenate([got, more])
        return got

    def per_value(self, name: str, fn: Callable[[str], Any], dtype: Any = bool, key: Any = None) -> npt.NDArray[Any]:
        """``fn`` applied to each distinct value of a column, broadcast to the rows."""
        k = ("per_value", name, key if key is not None else fn)
        got = self._cache.get(k)
        if got is None:
            t = self.table(name, fn, dtype, key)
            got = t[self.codes(name)[0]] if len(t) else np.zeros(self.n, dtype=dtype)
            self._cache[k] = got
        return got

    def isin(self, name: str, values: Collection[str]) -> npt.NDArray[np.bool_]:
        """Rows whose column value is one of ``values``."""
        k = ("isin", name, frozenset(values))
        got = self._cache.get(k)
        if got is None:
            if name in self._codes or name in _LOW_CARDINALITY:
                wanted = frozenset(values)
                got = self.per_value(name, wanted.__contains__, key=("in", wanted))
            else:
                arr = self.arrow(name)
                got = _bools(pc.is_in(arr, value_set=pa.array(sorted(values), type=arr.type)))
            self._cache[k] = got
        return got

    def eq(self, name: str, value: str) -> npt.NDArray[np.bool_]:
        """Rows whose column equals ``value``."""
        return self.isin(name, (value,))

    def _op(self, key: tuple[Any, ...], name: str) -> npt.NDArray[np.bool_]:
        """The column operation ``key`` (see :func:`_run`) on column ``name``, once per view."""
        got = self._cache.get(key)
        if got is None:
            got = self._cache[key] = _run(key, self.arrow(name), self.n, lambda k: self._op(k, name))
        return got  # type: ignore[no-any-return]

    def regex(self, name: str, pattern: str, literal: str | None = None) -> npt.NDArray[np.bool_]:
        """Rows whose column contains a match of the RE2 ``pattern`` (Arrow kernel, no Python per row).

        ``literal``: a string (compared case-insensitively) that every match contains. Only the rows
        containing it, found by a plain substring scan (several times faster than a regex), are then
        matched against ``pattern``.
        A column the view has already encoded is matched once per distinct value (same steps).
        """
        key = ("regex", name, pattern, literal)
        if name in self._codes and key not in self._cache:
            codes, uniques = self._codes[name]
            dist = self.distinct(name)

            def sub(k: tuple[Any, ...]) -> npt.NDArray[np.bool_]:
                return _run(k, dist, len(dist), sub)  # type: ignore[no-any-return]

            per = _run(key, dist, len(dist), sub)
            self._cache[key] = per[codes] if len(uniques) else np.zeros(self.n, dtype=bool)
        return self._op(key, name)

    def distinct(self, name: str) -> pa.Array:
        """The distinct values of a column (aligned with ``codes(name)[1]``) as an Arrow string array."""
        uniques = self.codes(name)[1]
        got = self._distinct.get(name)
        if got is None or len(got) != len(uniques):
            got = self._distinct[name] = pa.array(uniques, type=pa.large_string())
        return got

    def regex_at(self, name: str, pattern: str, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        """For ``rows`` only: does the column contain a match of the RE2 ``pattern`` (not cached)."""
        if not len(rows):
            return np.zeros(0, dtype=bool)
        return _bools(pc.match_substring_regex(self.arrow(name).take(pa.array(rows, type=pa.int64())), pattern))

    def contains(self, name: str, literal: str, ignore_case: bool = False) -> npt.NDArray[np.bool_]:
        """Rows whose column contains ``literal`` (a plain substring scan)."""
        return self._op(("contains", name, literal, ignore_case), name)

    def empty(self, name: str) -> npt.NDArray[np.bool_]:
        """Rows whose column is ''."""
        return self._op(("empty", name), name)

    # -- the current term --------------------------------------------------------------------

    def term_table(self, ids: Collection[str]) -> npt.NDArray[np.bool_]:
        """Per distinct target: is it one of ``ids``."""
        wanted = ids if isinstance(ids, (set, frozenset)) else frozenset(ids)
        return self.table("terms.target", wanted.__contains__, key=("in", wanted))

    def term_in(self, ids: Collection[str]) -> npt.NDArray[np.bool_]:
        """Rows whose current term (``terms.target``) is one of ``ids``."""
        wanted = ids if isinstance(ids, (set, frozenset)) else frozenset(ids)
        return self.per_value("terms.target", wanted.__contains__, key=("in", wanted))

    def aspect_codes(self, ontology: Ontology) -> npt.NDArray[np.int8]:
        """Per row: 0 none, 1 P, 2 F, 3 C, from the namespace of the current term."""
        if self.ctx.terms_deferred:
            return self.verdict_vector("aspect", lambda t: _term_aspects(ontology, t))
        def code(t: str) -> int:
            return _ASPECT_CODE.get(ontology.namespace(t), 0) if t and t in ontology else 0
        return self.per_value("terms.target", code, dtype=np.int8, key="aspect")

    def verdict_vector(self, key: str, fn: Callable[[npt.NDArray[Any]], npt.NDArray[Any]]) -> npt.NDArray[Any]:
        """Per row: ``fn`` (vectorized: targets -> values) of the current term, once per distinct ID per file.

        Only with the engine's per-row codes (``ctx.terms_deferred``); ``key`` names ``fn``.
        """
        k = ("verdict_vector", key)
        got = self._cache.get(k)
        if got is None:
            store: dict[Any, npt.NDArray[Any]] = self.ctx.state.setdefault("gorules.verdict_tables", {})
            targets = idrules.verdict_targets(self.ctx)
            table = store.get(k)
            if table is None or len(table) < len(targets):
                start = 0 if table is None else len(table)
                more = fn(targets[start:])
                table = store[k] = more if table is None else np.concatenate([table, more])
            got = self._cache[k] = table[self.codes("terms.target")[0]]
        return got

    def has_target(self) -> npt.NDArray[np.bool_]:
        """Rows whose term resolved to a current primary term."""
        return ~self.eq("terms.target", "")

    # -- the qualifier -----------------------------------------------------------------------

    def relation(self) -> tuple[npt.NDArray[np.intp], list[str]]:
        """(codes, values) of the relation part of each row's qualifier ('' when none)."""
        codes, uniques = self.codes(Col.QUALIFIER)
        return codes, [_relation_of(u) for u in uniques]

    def negated(self) -> npt.NDArray[np.bool_]:
        """Rows whose qualifier carries NOT."""
        return self.per_value(Col.QUALIFIER, _is_negated)

    def self_in_with(self, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        """For ``rows``: does with/from list the annotated gene product itself (DB:DB_Object_ID).

        With Arrow kernels (split the with/from lists, compare each entry with its row's
        DB:DB_Object_ID): ~7x faster than a Python loop over the rows. Rows whose with/from has
        whitespace or non-ASCII text, where :func:`_split_ids`' ``str.strip`` could differ from a plain
        split, are judged by the loop.
        """
        if not len(rows):
            return np.zeros(0, dtype=bool)
        take = pa.array(rows, type=pa.int64())
        codes, uniques = self.codes(Col.DB)  # as values() reads DB: through its codes
        db = pa.array(uniques, type=pa.large_string()).take(pa.array(codes[rows]))
        oid = self.arrow(Col.DB_OBJECT_ID).take(take)
        wf = self.arrow(Col.WITH_FROM).take(take)
        got = _lists_item(wf, pc.binary_join_element_wise(db, oid, pa.scalar(":", pa.large_string())), len(rows))
        text = _value_bytes(wf)
        if not text.isascii() or _STRIP_BYTES.search(text) is not None:
            slow = np.flatnonzero(_bools(pc.match_substring_regex(wf, _STRIP_PATTERN)))
            if len(slow):
                d, o, w = (np.asarray(a.take(pa.array(slow)).to_numpy(zero_copy_only=False), dtype=object)
                           for a in (db, oid, wf))
                got[slow] = [f"{x}:{y}" in _split_ids(z) for x, y, z in zip(d.tolist(), o.tolist(), w.tolist())]
        return got


def _lists_item(lists: pa.Array, items: pa.Array, n: int) -> npt.NDArray[np.bool_]:
    """Per row: is ``items[i]`` one of the '|' or ',' separated entries of ``lists[i]`` (entries not stripped)."""
    tokens = pc.split_pattern(pc.replace_substring(lists, ",", "|"), "|")
    parent = np.asarray(pc.list_parent_indices(tokens).to_numpy(zero_copy_only=False), dtype=np.intp)
    same = _bools(pc.equal(pc.list_flatten(tokens), items.take(pa.array(parent))))
    return np.bincount(parent[same], minlength=n) > 0


#: What ``str.strip`` removes from ASCII text, and non-ASCII characters (bytes; RE2 pattern).
_STRIP_BYTES = re.compile(rb"[\t-\r\x1c-\x1f ]")
_STRIP_PATTERN = r"[\t-\r\x1c-\x1f ]|[^\x00-\x7f]"


#: Columns with few distinct values: dictionary-encoded once and tested per distinct value.
_LOW_CARDINALITY = frozenset({Col.DB, Col.QUALIFIER, Col.GO_ID, Col.EVIDENCE, Col.ASPECT, Col.DB_OBJECT_TYPE,
                              Col.TAXON, Col.DATE, Col.ASSIGNED_BY, "terms.target"})
_ASPECT_CODE = {"biological_process": 1, "molecular_function": 2, "cellular_component": 3}
_ASPECT_OF_CODE = ("", "P", "F", "C")


def _as_arrow(s: pd.Series) -> pa.Array:
    """A pandas string column as one Arrow array (zero-copy for Arrow-backed columns)."""
    arr: Any
    try:
        arr = s.array.__arrow_array__()
    except (AttributeError, TypeError, pa.ArrowException):
        arr = pa.array(s.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.large_string())
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    return arr


def _contains(arr: pa.Array, n: int, literal: str, ignore_case: bool) -> npt.NDArray[np.bool_]:
    """Rows of ``arr`` containing ``literal``.

    Searched in the column's data buffer, the values back to back (~2x faster than Arrow's kernel,
    which searches value by value). No occurrence: no row has it (most single-valued columns never
    hold a '|'). A few occurrences (under one row in 32): each is mapped to its row through the value
    offsets, and one that straddles two values is not a match. Otherwise Arrow's substring kernel
    scans every row.
    Ignoring case, ASCII data is lowered first (Arrow's ASCII kernel for the row scan: ~1.5x faster
    than the case-insensitive kernel, same rows); other data goes to the Unicode-aware kernel, since
    case folding could map other characters onto the literal's letters (e.g. the Kelvin sign onto 'k').
    """
    data = _value_bytes(arr)
    needle = literal.encode("utf-8")
    if ignore_case:
        if not (data.isascii() and needle.isascii()):
            return _bools(pc.match_substring(arr, literal, ignore_case=True))
        data, needle = data.lower(), needle.lower()
    if not needle:
        return np.ones(n, dtype=bool)
    few = n // 32
    starts: list[int] = []
    # A literal in many rows ('pmid:' in most references) shows in the first sixteenth already.
    if 16 * data.count(needle, 0, len(data) // 16) <= few:
        at = data.find(needle)
        while at >= 0 and len(starts) <= few:
            starts.append(at)
            at = data.find(needle, at + 1)  # one position on: a straddling match may hide a real one
        if not starts:
            return np.zeros(n, dtype=bool)
    if not starts or len(starts) > few:
        if ignore_case:
            return _bools(pc.match_substring(pc.ascii_lower(arr), literal.lower()))
        return _bools(pc.match_substring(arr, literal))
    offsets = _value_offsets(arr)
    pos = np.asarray(starts, dtype=np.int64)
    rows = np.searchsorted(offsets, pos, side="right") - 1
    inside = pos + len(needle) <= offsets[rows + 1]
    got = np.zeros(n, dtype=bool)
    got[rows[inside]] = True
    return got


def _value_offsets(arr: pa.Array) -> npt.NDArray[np.int64]:
    """Where each value of a string array starts in :func:`_value_bytes` (``n + 1`` offsets)."""
    buffers = arr.buffers()
    width = 8 if pa.types.is_large_string(arr.type) else 4
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if width == 8 else np.int32)[arr.offset:arr.offset + len(arr) + 1]
    return offsets.astype(np.int64) - int(offsets[0])


def _value_bytes(arr: pa.Array) -> bytes:
    """The bytes of a string array's values (only its own range of a shared, sliced buffer)."""
    buffers = arr.buffers()
    if len(buffers) < 3 or buffers[2] is None or not len(arr):
        return b""
    width = 8 if pa.types.is_large_string(arr.type) else 4
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if width == 8 else np.int32)
    start, stop = int(offsets[arr.offset]), int(offsets[arr.offset + len(arr)])
    return buffers[2][start:stop].to_pybytes()  # type: ignore[no-any-return]


@lru_cache(maxsize=None)
def _matches_empty(pattern: str) -> bool:
    """Whether the RE2 ``pattern`` finds a match in ''."""
    return bool(pc.match_substring_regex(pa.array([""], type=pa.large_string()), pattern)[0].as_py())


def _bools(x: Any) -> npt.NDArray[np.bool_]:
    if isinstance(x, pa.ChunkedArray):
        x = x.combine_chunks()
    if x.null_count:
        x = pc.fill_null(x, False)
    return np.asarray(x.to_numpy(zero_copy_only=False), dtype=bool)


_MISSING = object()


def _encode(arr: pa.Array) -> tuple[npt.NDArray[np.intp], list[str]]:
    """(code per row, distinct values) of a string column ('' for nulls)."""
    enc = pc.dictionary_encode(arr)
    idx = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.intp)
    values = enc.dictionary.to_pylist()
    if enc.dictionary.null_count:
        values = ["" if u is None else u for u in values]
    return idx, values


def _run(key: tuple[Any, ...], arr: pa.Array, n: int,
         sub: Callable[[tuple[Any, ...]], npt.NDArray[np.bool_]]) -> Any:
    """One column operation of the view on the ``n`` values of ``arr``; ``sub(key)`` gives the ones it builds on.

    ``("codes", name)``: :func:`_encode`; ``("empty", name)``; ``("contains", name, literal, ignore_case)``;
    ``("regex", name, pattern, literal)`` (see :meth:`_View.regex`).
    """
    op = key[0]
    if op == "codes":
        return _encode(arr)
    if op == "empty":
        return _bools(pc.equal(pc.binary_length(arr), 0))
    if op == "contains":
        return _contains(arr, n, key[2], key[3])
    if op != "regex":
        raise ValueError(f"unknown column operation {op!r}")
    name, pattern, literal = key[1], key[2], key[3]
    rows: npt.NDArray[np.intp] | None
    if literal is not None:
        got = sub(("contains", name, literal, True)).copy()
        rows = np.flatnonzero(got)
    else:
        # Empty values (most with/from, nearly every gene product form id) are judged once.
        empty = sub(("empty", name))
        n_empty = int(empty.sum())
        rows = np.flatnonzero(~empty) if 4 * n_empty >= n else None
        got = np.full(n, _matches_empty(pattern), dtype=bool)
    if rows is None:  # few empty values: one scan of the whole column is cheaper than a take
        got = _bools(pc.match_substring_regex(arr, pattern))
    elif len(rows):
        got[rows] = _bools(pc.match_substring_regex(arr.take(pa.array(rows, type=pa.int64())), pattern))
    return got


def _view(chunk: pd.DataFrame, ctx: RuleContext) -> _View:
    """The shared view of ``chunk`` (rebuilt whenever the chunk or its term table changes)."""
    v = ctx.state.get("gorules.view")
    if isinstance(v, _View) and v.chunk is chunk and v.ctx is ctx and v.token is _terms_token(ctx) \
            and v.n == len(chunk):
        if v.synced < len(ctx.repaired_columns):  # a rule repaired columns since: forget what was read of them
            v.forget(ctx.repaired_columns[v.synced:])
            v.synced = len(ctx.repaired_columns)
        return v
    v = _View(chunk, ctx, ctx.state.setdefault("gorules.memo", {}))
    ctx.state["gorules.view"] = v
    return v


def _terms_token(ctx: RuleContext) -> object:
    """What identifies the rows' terms: the per-row codes when deferred, else the given table."""
    return idrules.row_codes(ctx) if ctx.terms_deferred else ctx.terms


def _term_positions(ontology: Ontology, ids: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """Row index of each ID among the ontology's terms (-1: not a term, e.g. '' or an alt_id)."""
    return np.asarray(idrules.term_index(ontology).get_indexer(pd.Index(ids, dtype=object)), dtype=np.intp)


def _per_term(ontology: Ontology, key: str, build: Callable[[], npt.NDArray[Any]]) -> npt.NDArray[Any]:
    return ontology.derived(("goannot.validate._chunkview", key), build)


def _term_aspects(ontology: Ontology, ids: npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    """0 none, 1 P, 2 F, 3 C per ID, from its namespace (0 for IDs that are not terms)."""
    def build() -> npt.NDArray[np.int8]:
        names = ontology.state.namespaces
        return np.array([_ASPECT_CODE.get(n, 0) for n in names], dtype=np.int8)
    codes = _per_term(ontology, "aspect", build)
    pos = _term_positions(ontology, ids)
    return np.where(pos >= 0, codes[pos], 0).astype(np.int8)


def _split_ids(value: str) -> list[str]:
    """The identifiers of a with/from or reference value ('|' and ',' separated)."""
    return [p.strip() for p in re.split(r"[|,]", value) if p.strip()]


def _relation_of(qualifier: str) -> str:
    parts = [p.strip() for p in qualifier.split("|") if p.strip() and p.strip().upper() != "NOT"]
    return parts[-1] if parts else ""


def _is_negated(qualifier: str) -> bool:
    return any(p.strip().upper() == "NOT" for p in qualifier.split("|"))

