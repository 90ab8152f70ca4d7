"""The validation engine: runs the registered rules over annotation chunks and accounts for every row.

Per chunk, in this order:

1. resolve each distinct GO ID once per file and give each row its code into that per-file table
   (:func:`goannot.validate.idrules.attach_terms`; ``ctx.terms`` is built from the codes only if a
   rule reads it);
2. run the ID rules (:mod:`~goannot.validate.idrules`) on the chunk as read and apply their repairs
   (secondary / obsolete IDs per ``policy``) and rejects;
3. run every other selected rule (GO's GORULE checks in :mod:`goannot.validate.gorules`, when that
   module is installed) on the repaired chunk, without the rows already rejected; each rule's repairs
   are applied before the next rule runs, so later rules see repaired values;
4. merge the rows that a repair made identical to an earlier row (across chunks), never silently;
5. count: every input row ends up exactly one of kept, repaired, rejected or merged.

Repairs of rules other than the ID rules (``action == "repair"``: GORULE:0000028's aspect fix, ...)
are applied under policies ``replace`` and ``reject`` and only reported under ``keep``, which is the
report-only mode. Rejects always apply: a malformed or unknown GO ID is unusable whatever the policy.

Duplicates after repair. The annotation key is :data:`DUPLICATE_KEY` (db, db_object_id,
db_object_symbol, qualifier, go_id, reference, evidence, with_from, annotation_extension, taxon); the
symbol is there for plain tables, which often name genes by symbol only. Date, assigned_by and the
other descriptive columns are not part of it. A row is merged into the first earlier row with the same key
when it or that first row was changed by a repair; rows that were already identical in the input are
left alone (that is the file's business, not a consequence of goannot's repairs). Keys are compared
as 64-bit hashes kept in ``ctx.state`` across chunks, and only for rows that can take part in such a
duplicate: rows changed in a key column, rows whose GO ID is a possible ID-repair target
(:func:`~goannot.validate.idrules.repair_targets`), and rows sharing a GO ID with a row whose key a
non-ID rule changed in the same chunk.
"""

from __future__ import annotations

import datetime as _dt

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..atomic import AtomicFiles, atomic_text
from ..columns import GAF_COLUMNS, TABLE_COLUMNS, Col
from . import failmodes, idrules
from ._spill import FindingSpill, batch_findings
from .report import FINDING_RECORD, STATUSES, ValidationResult, empty_findings, merge_counts, write_report
from .rules import Action, Rule, RuleContext, Severity
from .rules import rules as registered_rules
from .dates import header_date as header_date  # re-exported: goannot.report.job reads it here
from .dates import newest_date, newest_in_file, reference_date

if TYPE_CHECKING:
    from ..annotations import AnnotationChunk
    from ..annotations._model import ReaderNote
    from ..ontology import Ontology

__all__ = ["validate", "validate_file", "DUPLICATE_KEY", "UNPARSABLE_LINE", "DUPLICATE_AFTER_REPAIR",
           "atomic_text"]

log = logging.getLogger(__name__)

#: Columns that identify an annotation when looking for duplicates made by a repair.
DUPLICATE_KEY: tuple[str, ...] = ("db", "db_object_id", "db_object_symbol", "qualifier", "go_id", "reference",
                                  "evidence", "with_from", "annotation_extension", "taxon")
#: Finding rule for lines the reader could not parse (rejected before any rule ran).
UNPARSABLE_LINE = "GOANNOT:unparsable-line"
#: Finding rule for rows merged into an earlier row after repair.
DUPLICATE_AFTER_REPAIR = "GOANNOT:duplicate-after-repair"

_GORULES = "goannot.validate.gorules"
_KEY_SET = frozenset(DUPLICATE_KEY)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_LINE = Col.LINE.value
_GO_ID = Col.GO_ID.value


def _all_rules(selected: list[str] | tuple[str, ...] | None) -> list[Rule]:
    """The rules to run: ID rules first, then the others in registration order.

    Imports :mod:`goannot.validate.gorules` so its checks register; its absence is not an error
    (the module is developed separately), any other import failure is.
    """
    try:
        importlib.import_module(_GORULES)
    except ModuleNotFoundError as exc:
        if exc.name != _GORULES:
            raise
        log.debug("%s is not installed: running the ID rules only", _GORULES)
    chosen = registered_rules(selected)
    first = {rid: k for k, rid in enumerate(idrules.ID_RULES)}
    # GO's fail modes (hard: the row is filtered; keep: report only) act on the engine's copies.
    return failmodes.enforce(sorted(chosen, key=lambda r: first.get(r.id, len(first))))


def _string_dtype() -> Any:
    from ..annotations import STRING_DTYPE

    return STRING_DTYPE


def _as_table(df: pd.DataFrame) -> pd.DataFrame:
    """A user's DataFrame as the annotation table: all columns, "" for missing, ``line`` 1-based."""
    dtype = _string_dtype()
    n = len(df)
    data: dict[str, Any] = {}
    for name in TABLE_COLUMNS:
        if name == _LINE:
            data[name] = (df[name].to_numpy(dtype=np.int64) if name in df.columns
                          else np.arange(1, n + 1, dtype=np.int64))
        elif name not in df.columns:
            data[name] = pd.array([""] * n, dtype=dtype)
        elif df[name].dtype == dtype:
            data[name] = df[name].array
        else:
            data[name] = pd.array(df[name].fillna("").astype(str).to_numpy(dtype=object), dtype=dtype)
    return pd.DataFrame(data)


def _key_hashes(frame: pd.DataFrame, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of the :data:`DUPLICATE_KEY` values of ``rows``.

    Each column is dictionary-encoded by Arrow and only its distinct values are hashed in Python
    (``hash`` is stable within a process, which is all a file's run needs); the per-column hashes are
    then mixed with numpy. 64 bits make an accidental collision in a file of 10^6 rows ~10^-8 likely.
    """
    h = np.zeros(len(rows), dtype=np.uint64)
    if not len(rows):
        return h
    take = pa.array(rows, type=pa.int64())
    for col in DUPLICATE_KEY:
        arr = pa.array(frame[col].array)
        arr = arr.take(take)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        enc = arr.dictionary_encode()
        codes = enc.indices.to_numpy(zero_copy_only=False)
        values = enc.dictionary.to_numpy(zero_copy_only=False)
        hashed = np.fromiter(map(hash, values), dtype=np.int64, count=len(values)).view(np.uint64)
        with np.errstate(over="ignore"):
            h = (h ^ hashed[codes]) * _MIX
            h ^= h >> np.uint64(29)
    return h


@dataclass
class _Seen:
    """First occurrences of annotation keys so far in the file: sorted hashes, their line and repair flag."""

    hashes: npt.NDArray[np.uint64]
    lines: npt.NDArray[np.int64]
    repaired: npt.NDArray[np.bool_]

    @classmethod
    def empty(cls) -> _Seen:
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, bool))

    def check(self, h: npt.NDArray[np.uint64], rep: npt.NDArray[np.bool_], lines: npt.NDArray[np.int64]
              ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
        """For rows in file order: (merged?, line of the first row with the same key); then remember them."""
        if not len(h):
            return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
        codes, uniq = pd.factorize(h)
        uniq = np.asarray(uniq, dtype=np.uint64)
        # Each key's first position: factorize numbers keys by first appearance, so a position is a
        # key's first exactly where the running maximum of the codes grows.
        running = np.maximum.accumulate(codes)
        first = np.flatnonzero(np.concatenate(([True], running[1:] > running[:-1])))
        # Look the keys up in sorted order (a sorted probe walks the table once: several times faster).
        order = np.argsort(uniq)
        sorted_keys = uniq[order]
        loc_sorted = np.searchsorted(self.hashes, sorted_keys)
        inside = loc_sorted < len(self.hashes)
        found_sorted = np.zeros(len(uniq), dtype=bool)
        found_sorted[inside] = self.hashes[loc_sorted[inside]] == sorted_keys[inside]
        found = np.empty(len(uniq), dtype=bool)
        found[order] = found_sorted
        loc = np.empty(len(uniq), dtype=np.intp)
        loc[order] = loc_sorted
        safe = np.minimum(loc, max(len(self.hashes) - 1, 0))
        first_line = np.where(found, self.lines[safe] if len(self.hashes) else 0, lines[first])
        first_rep = np.where(found, self.repaired[safe] if len(self.hashes) else False, rep[first])
        position = np.arange(len(h))
        is_first = ~found[codes] & (position == first[codes])
        merged = ~is_first & (rep | first_rep[codes])
        if not found_sorted.all():
            # Merge the new keys (already sorted) into the sorted arrays: linear, no re-sort of them all.
            add = order[~found_sorted]
            at = loc_sorted[~found_sorted]
            self.hashes = np.insert(self.hashes, at, uniq[add])
            self.lines = np.insert(self.lines, at, lines[first[add]])
            self.repaired = np.insert(self.repaired, at, rep[first[add]])
        return merged, first_line[codes]


@dataclass
class _ChunkOut:
    """What one validated chunk produced (kept and repaired rows, rejects, changes, counts).

    The kept and repaired rows are ``frame``'s rows where ``keep`` is true (all of them when ``keep``
    is ``None``): a streamed run writes them column by column, without a copy of the whole table.
    """

    frame: pd.DataFrame
    keep: npt.NDArray[np.bool_] | None
    rejects: pd.DataFrame
    changes: pd.DataFrame
    kept: int
    repaired: int
    rejected: int
    merged: int

    @property
    def table(self) -> pd.DataFrame:
        """The kept and repaired rows as one table."""
        if self.keep is None:
            return self.frame
        return self.frame.iloc[np.flatnonzero(self.keep)].reset_index(drop=True)

    def column(self, name: str) -> pa.Array | pa.ChunkedArray:
        """One column of :attr:`table`, as Arrow strings."""
        col = self.frame[name]
        arr = pa.array(col.astype(str)) if name == _LINE else pa.array(col.array)
        return arr if self.keep is None else arr.filter(pa.array(self.keep))


_REJECT_COLUMNS = ("line", "rule", "reason", "raw")
_CHANGE_COLUMNS = ("line", "rule", "column", "before", "after")


def _frame(columns: tuple[str, ...], data: dict[str, Any] | None = None) -> pd.DataFrame:
    if data is None:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "line" else object) for c in columns})
    return pd.DataFrame({c: pd.Series(data[c], dtype="int64" if c == "line" else object) for c in columns})


@dataclass
class _Found:
    """One rule's findings in a chunk, as aligned arrays (one DataFrame per chunk is built from these).

    ``fix`` None: no fix text; ``message`` or ``action`` a str: the same for every finding.
    """

    line: npt.NDArray[np.int64]
    rule: str
    severity: npt.NDArray[Any] | str
    go_id: npt.NDArray[Any]
    message: npt.NDArray[Any] | str
    fix: npt.NDArray[Any] | None
    action: npt.NDArray[Any] | str


def _texts(values: npt.NDArray[Any]) -> pa.Array:
    """Object values as Arrow strings (None/NaN: null); values that are not str are written with ``str``."""
    try:
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        given = pd.notna(values)
        text = np.asarray(values, dtype=object).copy()
        text[given] = [str(v) for v in text[given].tolist()]
        return pa.array(text, type=pa.large_string(), from_pandas=True)


def _repeated(parts: list[tuple[str, int]]) -> pa.Array:
    """Each value repeated its count, built as dictionary indices and cast (no Python object per row)."""
    labels = list(dict.fromkeys(v for v, _ in parts))
    code = {v: k for k, v in enumerate(labels)}
    idx = np.repeat(np.array([code[v] for v, _ in parts], dtype=np.int32), [n for _, n in parts])
    arr = pa.DictionaryArray.from_arrays(pa.array(idx), pa.array(labels, type=pa.large_string()))
    return arr.cast(pa.large_string())


def _finding_batch(found: list[_Found]) -> pa.RecordBatch:
    """A chunk's findings as one Arrow record batch (:data:`FINDING_RECORD`), in line order (stable)."""
    lines = np.concatenate([f.line for f in found])
    order = np.argsort(lines, kind="stable")
    sizes = [len(f.line) for f in found]

    def text(get: Any) -> pa.Array:
        parts = [get(f) for f in found]
        if all(isinstance(p, str) for p in parts):
            return _repeated(list(zip(parts, sizes)))
        arrays = [(_repeated([(p, n)]) if isinstance(p, str) else _texts(p)) for p, n in zip(parts, sizes)]
        return pa.concat_arrays(arrays)

    columns = {"line": pa.array(lines, type=pa.int64()),
               "rule": text(lambda f: f.rule), "severity": text(lambda f: f.severity),
               "go_id": text(lambda f: f.go_id), "message": text(lambda f: f.message),
               "fix": text(lambda f: "" if f.fix is None else f.fix), "action": text(lambda f: f.action)}
    batch = pa.RecordBatch.from_arrays([columns[c] for c in FINDING_RECORD], names=list(FINDING_RECORD))
    if not np.all(order[1:] > order[:-1]):
        batch = batch.take(pa.array(order))
    return batch


def _note_examples(examples: dict[str, tuple[str, int, str]], found: list[_Found]) -> None:
    """Record the first finding of each rule not seen in an earlier chunk (its lowest line in this one)."""
    here: dict[str, tuple[str, int, str]] = {}
    for f in found:
        if f.rule in examples or not len(f.line):
            continue
        k = int(np.argmin(f.line))
        line = int(f.line[k])
        if f.rule in here and here[f.rule][1] <= line:
            continue
        msg = f.message if isinstance(f.message, str) else f.message[k]
        sev = f.severity if isinstance(f.severity, str) else str(f.severity[k])
        here[f.rule] = (sev, line, "<NA>" if msg is None or msg is pd.NA else str(msg))
    examples.update(here)


class _Chunk:
    """The working state of one chunk while rules run: current values, rejects, changes, findings."""

    def __init__(self, table: pd.DataFrame, policy: str, repaired_columns: list[str] | None = None) -> None:
        self.original = table
        self.frame = table.copy(deep=False)
        self.policy = policy
        #: Columns changed so far, in order (shared with the rules' context: their caches watch it).
        self.repaired_columns: list[str] = [] if repaired_columns is None else repaired_columns
        n = len(table)
        self.lines = table[_LINE].to_numpy(dtype=np.int64)
        self.pos: npt.NDArray[np.intp] | None = None   # frame position -> chunk position (None: identity)
        self.rejected = np.zeros(n, dtype=bool)  # reject_rule != "", kept as booleans: cheaper to test
        self.reject_rule = np.full(n, "", dtype=object)
        self.reject_reason = np.full(n, "", dtype=object)
        self.changed = np.zeros(n, dtype=bool)
        self.key_changed = np.zeros(n, dtype=bool)
        self.go_changed = np.zeros(n, dtype=bool)
        self.findings: list[_Found] = []
        self.changes: list[pd.DataFrame] = []
        self.counts: dict[str, int] = {}

    def to_chunk(self, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
        return rows if self.pos is None else self.pos[rows]

    def apply(self, rule: Rule, f: pd.DataFrame) -> None:
        """Record a rule's findings and carry out its rejects and (policy permitting) repairs."""
        if f is None or not len(f):
            return
        rows = f["row"].to_numpy(dtype=np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self.frame)):
            raise ValueError(f"rule {rule.id} returned row numbers outside the chunk")
        at = self.to_chunk(rows)
        action = (f["action"].to_numpy(dtype=object, copy=True) if "action" in f
                  else np.full(len(f), Action.REPORT.value, dtype=object))
        if self.policy == "keep":
            action = np.where(action == Action.REPAIR.value, Action.REPORT.value, action)
        go = (f["go_id"].fillna("").to_numpy(dtype=object, copy=True) if "go_id" in f
              else np.full(len(f), "", dtype=object))
        blank = go == ""
        if blank.any():
            go[blank] = self.frame[_GO_ID].to_numpy(dtype=object)[rows[blank]]
        message = f["message"].to_numpy(dtype=object)
        fix = f["fix"].fillna("").to_numpy(dtype=object) if "fix" in f else None
        if fix is not None and bool((fix == "").all()):
            fix = None
        same = str(action[0]) if bool((action == action[0]).all()) else None
        # One message for every row (GORULE:0000051 flags ~17% of GOA human): kept as one string, so
        # the findings batch repeats it instead of converting each row's copy.
        one = message[0] if isinstance(message[0], str) and bool((message == message[0]).all()) else None
        # A rule may grade its findings (a "severity" column, e.g. GORULE:0000029's one-to-three-year band).
        graded = f["severity"].to_numpy(dtype=object) if "severity" in f else None
        severity = (rule.severity.value if graded is None else str(graded[0]) if bool((graded == graded[0]).all())
                    else graded)
        self.findings.append(_Found(self.lines[at], rule.id, severity, go,
                                    message if one is None else one, fix, action if same is None else same))
        self.counts[rule.id] = self.counts.get(rule.id, 0) + len(f)
        rej = action == Action.REJECT.value
        if rej.any():
            self._reject(rule.id, at[rej], message[rej])
        rep = action == Action.REPAIR.value
        if rep.any():
            for col in (c for c in f.columns if c.startswith("set_")):
                self._set(rule.id, col[4:], rows[rep], f[col].to_numpy(dtype=object)[rep])

    def note(self, notes: tuple[ReaderNote, ...]) -> None:
        """Record the reader's notes on rows it kept as findings; a note that fixed a column is a repair."""
        for note in notes:
            at = np.searchsorted(self.lines, note.lines)
            found = at < len(self.lines)
            found[found] = self.lines[at[found]] == note.lines[found]
            at = at[found]
            msg = note.message if isinstance(note.message, str) else np.asarray(note.message, dtype=object)[found]
            go = self.original[_GO_ID].to_numpy(dtype=object)[at]
            action = Action.REPAIR.value if note.column else Action.REPORT.value
            self.findings.append(_Found(self.lines[at], note.rule, note.severity, go, msg, None, action))
            self.counts[note.rule] = self.counts.get(note.rule, 0) + len(at)
            if note.column and note.before is not None:
                self.changed[at] = True
                self.key_changed[at] |= note.column in _KEY_SET
                self.changes.append(_frame(_CHANGE_COLUMNS, {
                    "line": self.lines[at], "rule": [note.rule] * len(at), "column": [note.column] * len(at),
                    "before": np.asarray(note.before, dtype=object)[found],
                    "after": self.original[note.column].to_numpy(dtype=object)[at]}))

    def _reject(self, rule_id: str, at: npt.NDArray[np.intp], message: npt.NDArray[Any]) -> None:
        at, first = np.unique(at, return_index=True)
        message = message[first]
        free = ~self.rejected[at]
        self.rejected[at[free]] = True
        self.reject_rule[at[free]] = rule_id
        self.reject_reason[at[free]] = message[free]

    def _set(self, rule_id: str, col: str, rows: npt.NDArray[np.int64], values: npt.NDArray[Any]) -> None:
        if col not in self.frame.columns or col == _LINE:
            raise ValueError(f"rule {rule_id} repairs column {col!r}, which is not an annotation table column")
        given = pd.notna(values)
        rows, values = rows[given], values[given]
        if not len(rows):
            return
        # Several findings of one rule on one cell: the last one wins.
        rev_rows = rows[::-1]
        uniq, last = np.unique(rev_rows, return_index=True)
        rows, values = uniq, values[::-1][last].astype(str).astype(object)
        before = self.frame[col].iloc[rows].to_numpy(dtype=object)
        diff = before != values
        if not diff.any():
            return
        rows, before, values = rows[diff], before[diff], values[diff]
        series = self.frame[col].copy()
        series.iloc[rows] = values
        self.frame[col] = series
        self.repaired_columns.append(col)
        at = self.to_chunk(rows)
        self.changed[at] = True
        if col in _KEY_SET:
            self.key_changed[at] = True
        if col == _GO_ID:
            self.go_changed[at] = True
        self.changes.append(_frame(_CHANGE_COLUMNS, {"line": self.lines[at], "rule": [rule_id] * len(rows),
                                                     "column": [col] * len(rows), "before": before,
                                                     "after": values}))

    def drop_rejected(self, ctx: RuleContext) -> None:
        """Leave the rejected rows out of the frame (and ``ctx.terms``) that later rules see."""
        live = ~self.rejected
        if live.all():
            return
        keep = np.flatnonzero(live)
        self.frame = self.frame.iloc[keep].reset_index(drop=True)
        self.pos = keep
        idrules.restrict(ctx, keep)


class _Validator:
    """Validates the chunks of one file in order, keeping the cross-chunk state and the totals."""

    def __init__(self, ontology: Ontology, *, policy: str, rules: list[str] | tuple[str, ...] | None,
                 fail_on: str, options: dict[str, Any] | None, meta: dict[str, Any],
                 spill: bool = False, newest: Callable[[], _dt.date | None] | None = None) -> None:
        if policy not in idrules.POLICIES:
            raise ValueError(f"unknown policy {policy!r}; expected one of {', '.join(idrules.POLICIES)}")
        if fail_on not in ("info", "warning", "error", "never", "none"):
            raise ValueError(f"unknown fail_on {fail_on!r}; expected info, warning, error or never")
        self.ontology = ontology
        self.policy = policy
        self.rules = _all_rules(rules)
        self.id_rules = [r for r in self.rules if r.id in idrules.ID_RULES]
        self.other_rules = [r for r in self.rules if r.id not in idrules.ID_RULES]
        self.meta = meta
        self.options: dict[str, Any] = {"header": meta.get("header", {}), "format": meta.get("format", ""),
                                        "gaf_version": meta.get("version", "") if meta.get("format") == "gaf"
                                        else "", "path": meta.get("path", "")}
        self.options.update(options or {})
        self.options["policy"] = policy
        why = "the date given (--today)"
        if not self.options.get("today"):
            self.options["today"], why = reference_date(self.options["header"], newest)
        self.reference = (str(self.options["today"]), why)
        self.state: dict[str, Any] = {}
        self.seen = _Seen.empty()
        self.state["goannot.engine.duplicates"] = self.seen
        self.offset = 0
        self.result = ValidationResult(policy=policy, fail_on=fail_on, releases=self._releases())
        self._findings: list[pd.DataFrame] = []
        # A streamed run keeps its findings on disk: the one thing that would grow with the file.
        self._spill = FindingSpill() if spill else None
        #: Whether the rejects carry their raw line (a streamed run without a rejects file never reads it:
        #: joining the columns of ~115k rejected rows of the human GAF costs ~0.06 s).
        self.reject_raw = True

    def _releases(self) -> dict[str, dict[str, Any]]:
        prov = self.ontology.provenance
        header = self.meta.get("header", {}) or {}
        generated = next((header[k] for k in ("date-generated", "generated", "date") if header.get(k)), "")
        return {
            "go": {"data_version": self.ontology.data_version, "sha256": prov.sha256, "path": prov.path},
            "annotations": {"path": self.meta.get("path", ""), "format": self.meta.get("format", ""),
                            "version": self.meta.get("version", ""), "generated": generated,
                            "reference_date": self.reference[0], "reference_date_from": self.reference[1],
                            **({"inferred": self.meta["inferred"]} if self.meta.get("inferred") else {})},
        }

    def run(self, table: pd.DataFrame, reader_rejects: pd.DataFrame | None, input_rows: int,
            notes: tuple[ReaderNote, ...] = ()) -> _ChunkOut:
        """Validate one chunk; see the module docstring for the steps."""
        if not isinstance(table.index, pd.RangeIndex) or table.index.start != 0 or table.index.step != 1:
            table = table.reset_index(drop=True)
        n = len(table)
        ctx = RuleContext(self.ontology, None, self.options, self.state, self.offset)
        work = _Chunk(table, self.policy, ctx.repaired_columns)
        work.note(notes)
        idrules.attach_terms(table[_GO_ID], ctx)
        merge_counts(self.result.counts_by_status, idrules.status_counts(ctx))
        for rule in self.id_rules:
            work.apply(rule, rule.check(work.frame, ctx))
        if work.go_changed.any():
            idrules.mark_repaired(ctx, np.flatnonzero(work.go_changed))
        work.drop_rejected(ctx)
        for rule in self.other_rules:
            work.apply(rule, rule.check(work.frame, ctx))
        frame_at = work.to_chunk(np.arange(len(work.frame)))
        live = ~work.rejected[frame_at]
        merged = self._merge(work, ctx, frame_at, live)
        final = live & ~merged
        out_rows = np.flatnonzero(final)
        rejects = self._rejects(work, reader_rejects)
        n_rejected = int(work.rejected.sum()) + (0 if reader_rejects is None else len(reader_rejects))
        n_repaired = int(work.changed[frame_at[out_rows]].sum())
        out = _ChunkOut(work.frame, None if final.all() else final, rejects, pd.concat(work.changes, ignore_index=True) if work.changes
                        else _frame(_CHANGE_COLUMNS), kept=len(out_rows) - n_repaired, repaired=n_repaired,
                        rejected=n_rejected, merged=int(merged.sum()))
        if input_rows != out.kept + out.repaired + out.rejected + out.merged:
            raise RuntimeError(f"row accounting broken: {input_rows} input rows, but {out.kept} kept + "
                               f"{out.repaired} repaired + {out.rejected} rejected + {out.merged} merged")
        if reader_rejects is not None and len(reader_rejects):
            n_bad = len(reader_rejects)
            work.findings.insert(0, _Found(reader_rejects["line"].to_numpy(dtype=np.int64), UNPARSABLE_LINE,
                                           Severity.ERROR.value, np.full(n_bad, "", dtype=object),
                                           reader_rejects["reason"].astype(object).to_numpy(), None,
                                           Action.REJECT.value))
            work.counts[UNPARSABLE_LINE] = len(reader_rejects)
        if work.findings:
            _note_examples(self.result.examples, work.findings)
            batch = _finding_batch(work.findings)
            if self._spill is not None:
                self._spill.add_batch(batch)
            else:
                self._findings.append(batch_findings(batch))
        merge_counts(self.result.counts_by_rule, work.counts)
        r = self.result
        r.input_rows += input_rows
        r.kept += out.kept
        r.repaired += out.repaired
        r.rejected += out.rejected
        r.merged += out.merged
        self.offset += n
        # The GO rules' shared view of the chunk (see _chunkview) is only valid for this chunk; left in
        # the per-file state it would keep this chunk's columns alive while the next one is validated.
        self.state.pop("gorules.view", None)
        return out

    def _merge(self, work: _Chunk, ctx: RuleContext, frame_at: npt.NDArray[np.intp],
               live: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """Find the live rows a repair made duplicates of earlier rows; record their findings."""
        merged = np.zeros(len(frame_at), dtype=bool)
        key_changed = work.key_changed[frame_at]
        candidate = live & (key_changed | idrules.in_targets(ctx))
        other = key_changed & ~work.go_changed[frame_at]
        if other.any():  # a non-ID repair of a key column: compare with every row of the same GO ID
            go_ids = pa.array(work.frame[_GO_ID].array)
            gos = pc.unique(go_ids.take(pa.array(np.flatnonzero(other), type=pa.int64())))
            candidate |= live & np.asarray(pc.is_in(go_ids, value_set=gos).to_numpy(zero_copy_only=False), dtype=bool)
        rows = np.flatnonzero(candidate)
        if not len(rows):
            return merged
        hashes = _key_hashes(work.frame, rows)
        lines = work.lines[frame_at[rows]]
        dup, first_line = self.seen.check(hashes, key_changed[rows], lines)
        if not dup.any():
            return merged
        merged[rows[dup]] = True
        at = frame_at[rows[dup]]
        kept_line = first_line[dup]
        go = work.frame[_GO_ID].to_numpy(dtype=object)[rows[dup]]
        messages = [f"same annotation as line {k} once repaired ({g}, same gene product, qualifier, reference, "
                    f"evidence, with/from, extension and taxon); merged into line {k}"
                    for k, g in zip(kept_line.tolist(), go.tolist())]
        work.findings.append(_Found(work.lines[at], DUPLICATE_AFTER_REPAIR, Severity.INFO.value,
                                    np.asarray(go, dtype=object), np.array(messages, dtype=object),
                                    np.array([f"merged into line {k}" for k in kept_line.tolist()], dtype=object),
                                    "merge"))
        work.counts[DUPLICATE_AFTER_REPAIR] = work.counts.get(DUPLICATE_AFTER_REPAIR, 0) + len(at)
        work.changes.append(_frame(_CHANGE_COLUMNS, {
            "line": work.lines[at], "rule": [DUPLICATE_AFTER_REPAIR] * len(at), "column": ["row"] * len(at),
            "before": [str(x) for x in work.lines[at].tolist()],
            "after": [f"merged into line {k}" for k in kept_line.tolist()]}))
        return merged

    def _rejects(self, work: _Chunk, reader_rejects: pd.DataFrame | None) -> pd.DataFrame:
        """Reader rejects and rule rejects of the chunk, one row per rejected line, in line order."""
        parts: list[pd.DataFrame] = []
        if reader_rejects is not None and len(reader_rejects):
            parts.append(_frame(_REJECT_COLUMNS, {
                "line": reader_rejects["line"].to_numpy(dtype=np.int64),
                "rule": [UNPARSABLE_LINE] * len(reader_rejects),
                "reason": reader_rejects["reason"].astype(object).to_numpy(),
                "raw": reader_rejects["raw"].astype(object).to_numpy()}))
        at = np.flatnonzero(work.rejected)
        if len(at):
            columns = GAF_COLUMNS if self.meta.get("format") == "gaf" else TABLE_COLUMNS[:-1]
            raw = _join(work.original, at, columns) if self.reject_raw else np.full(len(at), "", dtype=object)
            parts.append(_frame(_REJECT_COLUMNS, {"line": work.lines[at], "rule": work.reject_rule[at],
                                                  "reason": work.reject_reason[at], "raw": raw}))
        if not parts:
            return _frame(_REJECT_COLUMNS)
        out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        return out.sort_values("line", kind="stable", ignore_index=True)

    def discard(self) -> None:
        """Drop what a failed run collected on disk."""
        if self._spill is not None:
            self._spill.discard()

    def finish(self) -> ValidationResult:
        """The totals, with all findings in one table."""
        r = self.result
        if self._spill is not None:
            r.findings = self._spill.read(owner=r)
        elif self._findings:
            r.findings = pd.concat(self._findings, ignore_index=True)
        else:
            r.findings = empty_findings()
        if not r.balanced:
            raise RuntimeError("row accounting broken over the file")
        for s in STATUSES:
            r.counts_by_status.setdefault(s, 0)
        return r


def _join(table: pd.DataFrame, rows: npt.NDArray[np.intp], columns: tuple[str, ...]) -> npt.NDArray[Any]:
    """The original values of ``rows`` as tab-joined text (the rejects file's ``raw``)."""
    take = pa.array(rows, type=pa.int64())
    arrays = [pa.array(table[c].array).take(take).cast(pa.large_string()) for c in columns]
    joined = pc.binary_join_element_wise(*arrays, pa.scalar("\t", pa.large_string()))
    return joined.to_numpy(zero_copy_only=False).astype(object)  # type: ignore[no-any-return]


def _meta_of(source: Any) -> dict[str, Any]:
    return {"header": dict(getattr(source, "header", {}) or {}), "format": getattr(source, "format", ""),
            "version": getattr(source, "version", ""), "path": getattr(source, "path", ""),
            "inferred": dict(getattr(source, "inferred", {}) or {}),
            "header_lines": tuple(getattr(source, "header_lines", ()) or ())}


def validate(annotations: pd.DataFrame | AnnotationChunk, ontology: Ontology, *, policy: str = "replace",
             rules: list[str] | tuple[str, ...] | None = None, fail_on: str = "error",
             options: dict[str, Any] | None = None) -> ValidationResult:
    """Validate an annotation table (or an :class:`~goannot.annotations.AnnotationSet`) in memory.

    ``policy`` decides what happens to secondary and obsolete GO IDs: ``replace`` (repair to the one
    current term GO names, reject rows it cannot repair), ``keep`` (report only: no repair at all) or
    ``reject``. ``rules`` selects rule ids (default: all registered). ``fail_on`` sets the severity at
    which :meth:`ValidationResult.exit_status` returns 1. ``options`` reach the rules as ``ctx.options``.

    A DataFrame may lack columns of :data:`~goannot.columns.TABLE_COLUMNS` (they are taken as empty)
    and ``line`` (rows are then numbered from 1). The returned result holds the validated ``table``
    (kept and repaired rows), the ``rejects`` and the ``changes``.
    """
    start = time.perf_counter()
    if isinstance(annotations, pd.DataFrame):
        table, reader_rejects, input_rows, meta = _as_table(annotations), None, len(annotations), {}
    else:
        table = annotations.table
        if list(table.columns) != list(TABLE_COLUMNS):
            table = _as_table(table)
        reader_rejects, input_rows, meta = annotations.rejects, annotations.input_rows, _meta_of(annotations)
    v = _Validator(ontology, policy=policy, rules=rules, fail_on=fail_on, options=options, meta=meta,
                   newest=lambda: newest_date(table["date"]))
    out = v.run(table, reader_rejects, input_rows, getattr(annotations, "notes", ()))
    result = v.finish()
    result.table, result.rejects, result.changes = out.table, out.rejects, out.changes
    result.timings = {"validate": time.perf_counter() - start}
    return result


# -- streaming outputs -----------------------------------------------------------------------------


def _tsv_lines(arrays: list[pa.Array | pa.ChunkedArray]) -> bytes:
    """Tab-joined lines (tabs and newlines inside values made spaces), newline-terminated."""
    clean = []
    for a in arrays:
        a = a.cast(pa.large_string()) if a.type != pa.large_string() else a
        clean.append(pc.replace_substring_regex(a, r"[\t\r\n]", " "))
    if not clean or not len(clean[0]):
        return b""
    joined = pc.binary_join_element_wise(*clean, pa.scalar("\t", pa.large_string()))
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    return ("\n".join(joined.to_pylist()) + "\n").encode("utf-8")


class _Outputs:
    """The files a streaming run writes, committed together at the end (:class:`~goannot.atomic.AtomicFiles`)."""

    def __init__(self, fix: str | Path | None, rejects: str | Path | None, log_path: str | Path | None,
                 report: str | Path | None, report_md: str | Path | None = None) -> None:
        self.files = AtomicFiles({"fix": fix, "rejects": rejects, "log": log_path, "report": report,
                                  "report-md": report_md})
        self.started = False

    def header(self, meta: dict[str, Any], ontology: Ontology, policy: str, convert_to_22: bool = False) -> None:
        if self.started:
            return
        self.started = True
        if "fix" in self.files:
            if meta.get("format") == "gaf":
                from ..annotations.writers import gaf_header

                version = str(meta.get("version") or "2.1")
                if convert_to_22 and policy != "keep" and version.startswith(("2.0", "2.1")):
                    version = "2.2"  # GORULE:0000059 gave every row its relation
                lines = gaf_header(meta.get("header_lines") or (), version,
                                   f"goannot-validated: GO {ontology.data_version}, policy {policy}")
                self.files.write("fix", ("\n".join(lines) + "\n").encode("utf-8"))
            else:
                self.files.write("fix", ("\t".join(TABLE_COLUMNS) + "\n").encode("utf-8"))
        if "rejects" in self.files:
            self.files.write("rejects", b"line\trule\treason\traw\n")
        if "log" in self.files:
            self.files.write("log", ("\t".join(_CHANGE_COLUMNS) + "\n").encode("utf-8"))

    def write(self, out: _ChunkOut, meta: dict[str, Any]) -> None:
        if "fix" in self.files and out.kept + out.repaired:
            gaf = meta.get("format") == "gaf"
            columns = GAF_COLUMNS if gaf else TABLE_COLUMNS
            self.files.write("fix", _tsv_lines([out.column(c) for c in columns]))
        if "rejects" in self.files and len(out.rejects):
            r = out.rejects
            # raw is the line as read: written as is, after the third tab.
            head = _tsv_lines([pa.array(r["line"].astype(str).tolist()), pa.array(r["rule"].tolist()),
                               pa.array(r["reason"].astype(str).tolist())]).decode("utf-8").split("\n")
            raw = r["raw"].astype(str).str.replace("\n", " ").tolist()
            self.files.write("rejects", "".join(f"{h}\t{w}\n" for h, w in zip(head, raw)).encode("utf-8"))
        if "log" in self.files and len(out.changes):
            c = out.changes
            self.files.write("log", _tsv_lines([pa.array(c[k].astype(str).tolist()) for k in _CHANGE_COLUMNS]))

    def report(self, result: ValidationResult, dataset: str = "") -> None:
        if "report" in self.files:
            with self.files.guard("report"):
                write_report(result, self.files.text("report"))
        if "report-md" in self.files:
            from .report_md import render_report_md

            with self.files.guard("report-md"):
                self.files.text("report-md").write(render_report_md(result, dataset=dataset))

    def commit(self) -> dict[str, str]:
        return self.files.commit()

    def abort(self) -> None:
        self.files.abort()


def validate_file(path: str | Path, ontology: Ontology, *, format: str | None = None, policy: str = "replace",
                  rules: list[str] | tuple[str, ...] | None = None, fail_on: str = "error",
                  options: dict[str, Any] | None = None, fix_path: str | Path | None = None,
                  rejects_path: str | Path | None = None, log_path: str | Path | None = None,
                  report_path: str | Path | None = None, strict: bool = False,
                  chunk_rows: int = 200_000, report_md_path: str | Path | None = None) -> ValidationResult:
    """Validate an annotation file chunk by chunk, writing outputs as it goes.

    Memory stays bounded by the chunk size, plus 8 bytes per finding (its line; the rest of the
    findings is spilled to a temporary file and memory-mapped back, see :mod:`._spill`) and 17
    bytes per distinct annotation key that a repair could duplicate (the per-file key hashes).
    ``fix_path`` receives the kept and repaired rows (GAF for GAF input, else a TSV of the table
    columns), ``rejects_path`` the rejected lines (``line, rule, reason, raw``; ``raw`` is the rest of
    the line), ``log_path`` the change log (``line, rule, column, before, after``), ``report_path``
    the JSON report (:meth:`ValidationResult.as_dict`), ``report_md_path`` GO's per-dataset report
    (:func:`~goannot.validate.report_md.render_report_md`). Each output is written to a temp file beside
    it; all are renamed into place together, only when the whole file was validated and every output
    written; on any error none is left and existing files are untouched.

    Raises :class:`~goannot.errors.GoannotError` for an unreadable file, an output that cannot be
    written (:class:`~goannot.errors.OutputError`: missing directory, disk full...) or two outputs
    given the same path (:class:`~goannot.errors.UsageError`);
    :func:`~goannot.validate.report.exit_status` maps them to 2.
    """
    from ..annotations import iter_annotations

    start = time.perf_counter()
    reading = 0.0
    # Every output's directory is checked and its temp file made before any work is done.
    outputs = _Outputs(fix_path, rejects_path, log_path, report_path, report_md_path)
    v: _Validator | None = None
    meta: dict[str, Any] = {}
    try:
        chunks = iter_annotations(path, format, strict=strict, chunk_rows=chunk_rows)
        while True:
            t0 = time.perf_counter()
            chunk = next(chunks, None)
            reading += time.perf_counter() - t0
            if chunk is None:
                break
            if v is None:
                meta = _meta_of(chunk)
                v = _Validator(ontology, policy=policy, rules=rules, fail_on=fail_on, options=options, meta=meta,
                               spill=True, newest=lambda: newest_in_file(path, format))
                v.reject_raw = "rejects" in outputs.files
                outputs.header(meta, ontology, policy, bool((options or {}).get("convert_to_22")))
            out = v.run(chunk.table, chunk.rejects, chunk.input_rows, chunk.notes)
            outputs.write(out, meta)
            # Let go of this chunk's tables before reading the next: held, they would be alive during
            # the next chunk's validation, on top of it (a copy, once rows were merged or rejected).
            del out, chunk
            log.debug("%s: %d rows validated", path, v.result.input_rows)
        if v is None:
            raise RuntimeError(f"{path}: the reader yielded no chunk")
        result = v.finish()
        outputs.report(result, Path(path).name)
        result.outputs = outputs.commit()
    except BaseException:
        outputs.abort()
        if v is not None:
            v.discard()
        raise
    total = time.perf_counter() - start
    result.timings = {"read": reading, "validate": total - reading, "total": total}
    log.info("%s: %d rows: %d kept, %d repaired, %d rejected, %d merged in %.2f s", path, result.input_rows,
             result.kept, result.repaired, result.rejected, result.merged, total)
    return result
