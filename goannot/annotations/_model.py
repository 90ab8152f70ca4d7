"""The result types of the readers and the conversions between Arrow and the pandas table.

Strings are held as pandas' pyarrow-backed string dtype: on pandas >= 3 that is the default
``str`` dtype (``StringDtype("pyarrow", na_value=nan)``), on older pandas ``string[pyarrow]``.
The readers parse into Arrow ``large_string`` arrays, which both dtypes wrap without copying, so the
conversion to pandas is free; the dtype behaves like any pandas string column (``==``, ``.str``,
``.isin``, ``groupby``). ``pd.ArrowDtype(pa.string())`` was measured as equally fast but its results
(``bool[pyarrow]`` masks, ``int32[pyarrow]`` lengths) surprise code written for ordinary pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..columns import TABLE_COLUMNS, Col

__all__ = [
    "AnnotationSet",
    "AnnotationChunk",
    "STRING_DTYPE",
    "REJECT_COLUMNS",
    "Reject",
    "empty_strings",
    "arrow_table",
    "to_pandas",
    "rejects_frame",
    "ReaderNote",
]


def _string_dtype() -> Any:
    try:
        return pd.StringDtype("pyarrow", na_value=np.nan)
    except TypeError:  # pandas < 2.3 has no na_value
        return pd.StringDtype("pyarrow")


#: The dtype of every string column of the annotation table.
STRING_DTYPE = _string_dtype()

#: Columns of :attr:`AnnotationSet.rejects`.
REJECT_COLUMNS = ("line", "reason", "raw")

#: One rejected line: its 1-based number, why, and its text.
Reject = tuple[int, str, str]

_LINE = Col.LINE.value


@dataclass(frozen=True)
class ReaderNote:
    """Lines the reader read, but not exactly as written: one rule, one message, maybe one column fixed.

    A short GAF 2.x line padded to 17 columns, a ``YYYY-MM-DD`` date written ``YYYYMMDD``: the row is
    kept, and the validator reports each line as a finding of ``rule`` (and, when ``column`` is set,
    logs the change from ``before`` to the value now in the table and counts the row as repaired).
    ``message`` is one text for every line or one per line.
    """

    lines: np.ndarray
    rule: str
    severity: str
    message: str | np.ndarray
    column: str = ""
    before: np.ndarray | None = None

    def take(self, keep: np.ndarray) -> ReaderNote:
        """The note for the lines where ``keep`` (a boolean mask over ``lines``) is true."""
        msg = self.message if isinstance(self.message, str) else self.message[keep]
        before = None if self.before is None else self.before[keep]
        return ReaderNote(self.lines[keep], self.rule, self.severity, msg, self.column, before)


@dataclass(frozen=True)
class AnnotationChunk:
    """A piece of an annotation file: rows, rejected lines and skipped lines of that piece.

    ``header`` and ``format``/``version`` describe the whole file and are repeated on every chunk.
    ``input_rows == len(table) + len(rejects)`` always holds. ``notes`` are the reader's findings on
    rows it kept (see :class:`ReaderNote`); ``inferred`` says what the reader decided that the file did
    not state (``{"version": "2.2 (...why...)"}`` for a GAF without a version line).
    """

    table: pd.DataFrame
    rejects: pd.DataFrame
    skipped: int
    header: dict[str, str]
    format: str
    version: str
    path: str
    input_rows: int = field(default=-1)
    notes: tuple[ReaderNote, ...] = ()
    inferred: dict[str, str] = field(default_factory=dict)
    #: The file's header lines exactly as written (comment lines before the first data line).
    header_lines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.input_rows < 0:
            object.__setattr__(self, "input_rows", len(self.table) + len(self.rejects))

    def _fields(self) -> dict[str, Any]:
        from .._display import file_name

        return {"path": file_name(self.path), "format": f"{self.format} {self.version}".strip(),
                "rows": len(self.table), "rejects": len(self.rejects),
                "date": self.header.get("date-generated") or self.header.get("generated")}

    def __repr__(self) -> str:
        from .._display import short_repr

        return short_repr(type(self).__name__, self._fields())

    def _repr_html_(self) -> str:
        from .._display import html_summary

        return html_summary(type(self).__name__, self._fields(), self.table, "table")


@dataclass(frozen=True, repr=False)  # AnnotationChunk's short __repr__, not one dumping the table
class AnnotationSet(AnnotationChunk):
    """A whole annotation file read into one table (see :func:`~goannot.annotations.read_annotations`).

    ``table`` has exactly :data:`~goannot.columns.TABLE_COLUMNS`; ``rejects`` has columns
    ``line``, ``reason``, ``raw`` (one row per line that looked like data but could not be used);
    ``skipped`` counts header, comment, blank and prose lines, which are not rows.
    """


def empty_strings(n: int) -> pa.Array:
    """A ``large_string`` array of ``n`` empty strings, without a Python loop."""
    offsets = pa.py_buffer(np.zeros(n + 1, dtype=np.int64))
    return pa.LargeStringArray.from_buffers(n, offsets, pa.py_buffer(b""))


def arrow_table(columns: dict[str, Any], lines: np.ndarray) -> pa.Table:
    """The annotation table in Arrow form: given columns, the rest empty, ``line`` last."""
    n = len(lines)
    arrays: list[pa.Array | pa.ChunkedArray] = []
    for name in TABLE_COLUMNS:
        if name == _LINE:
            arrays.append(pa.array(np.asarray(lines, dtype=np.int64)))
        elif name in columns:
            arr = columns[name]
            if not isinstance(arr, (pa.Array, pa.ChunkedArray)):
                arr = pa.array(arr, type=pa.large_string())
            elif arr.type != pa.large_string():
                arr = arr.cast(pa.large_string())
            arrays.append(arr)
        else:
            arrays.append(empty_strings(n))
    return pa.Table.from_arrays(arrays, names=list(TABLE_COLUMNS))


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Convert an Arrow annotation table to the pandas table (zero-copy for the strings)."""
    data: dict[str, Any] = {}
    for name in TABLE_COLUMNS:
        col = table.column(name)
        if name == _LINE:
            data[name] = col.to_numpy().astype(np.int64, copy=False)
        else:
            data[name] = pd.array(col, dtype=STRING_DTYPE) if len(col) else pd.array([], dtype=STRING_DTYPE)
    return pd.DataFrame(data, columns=list(TABLE_COLUMNS))


def rejects_frame(rejects: list[Reject]) -> pd.DataFrame:
    """The ``rejects`` table: ``line`` (int64), ``reason``, ``raw``."""
    rejects = sorted(rejects, key=lambda r: r[0])
    return pd.DataFrame({
        "line": np.array([r[0] for r in rejects], dtype=np.int64),
        "reason": pd.array([r[1] for r in rejects], dtype=STRING_DTYPE),
        "raw": pd.array([r[2] for r in rejects], dtype=STRING_DTYPE),
    })
