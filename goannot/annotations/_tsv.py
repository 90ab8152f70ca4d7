"""The shared engine of the tab-separated readers (GAF, GPAD, GPI, gene2go).

A block of lines is parsed in one call to :func:`pyarrow.csv.read_csv` (the fast path). The fast
path is only trusted when the block is clean: every physical line is a data row with the expected
number of columns, valid UTF-8, no stray carriage returns, no comment line. Otherwise the block is
parsed again line by line in Python (the exact path), which knows the number of every line and why
it was rejected. Field checks (empty mandatory fields, dates, evidence codes) are then computed on
whole columns with :mod:`pyarrow.compute`; only rejected rows are looked at one by one.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from functools import lru_cache
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ..errors import AnnotationParseError
from ._blocks import Block
from ._model import Reject, empty_strings

__all__ = ["Layout", "Rows", "split_header", "parse_block", "Check", "apply_checks", "empty_check",
           "date_check", "value_check", "raise_first", "has_byte"]

log = logging.getLogger(__name__)

_STR = pa.large_string()


@dataclass(frozen=True)
class Layout:
    """How one tab-separated format lays out its columns.

    ``names`` are internal keys, ``titles`` what reasons call the columns ("GO ID"); ``label``
    names the format in reasons ("GAF 2.1"). ``comment`` starts header and comment lines.
    ``min_cols`` (0: all columns) lets lines that stop early be read, padded with empty columns:
    each such line is listed in ``Rows.short`` by the number of columns it had.
    """

    label: str
    names: tuple[str, ...]
    titles: tuple[str, ...]
    comment: bytes = b"!"
    min_cols: int = 0

    @property
    def ncols(self) -> int:
        return len(self.names)

    @property
    def fewest(self) -> int:
        """The fewest columns a line may have."""
        return self.min_cols or self.ncols


@dataclass
class Rows:
    """Candidate rows of one block: raw column arrays (whitespace-stripped) and line numbers."""

    columns: dict[str, pa.Array]
    lines: np.ndarray
    rejects: list[Reject] = field(default_factory=list)
    skipped: int = 0
    #: Lines read with fewer than all columns (see ``Layout.min_cols``): column count -> line numbers.
    short: dict[int, list[int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.lines)


def split_header(block: Block, comment: bytes) -> tuple[list[str], Block]:
    """Peel the leading comment and blank lines off the first block.

    Returns the header lines (decoded, without the newline) and the rest of the block with its
    first line number adjusted.
    """
    data = block.data
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # a UTF-8 byte order mark
    header: list[str] = []
    n = len(data)
    while pos < n:
        end = data.find(b"\n", pos)
        end = n if end < 0 else end
        line = data[pos:end]
        stripped = line.strip()
        if stripped and not stripped.startswith(comment):
            break
        header.append(line.decode("utf-8", errors="replace").rstrip("\r"))
        pos = end + 1
    return header, Block(data[pos:], block.first_line + len(header))


def _read_fast(data: bytes, layout: Layout) -> dict[str, pa.Array] | None:
    """Parse a clean block with pyarrow, or return None if the block is not clean."""
    if not data:
        return {name: pa.array([], type=_STR) for name in layout.names}
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    odd: list[object] = []

    def on_invalid(row: object) -> str:
        odd.append(row)
        return "skip"

    try:
        table = pcsv.read_csv(
            pa.py_buffer(data),
            # One parser block for the whole text: every column comes out as a single Arrow chunk, so
            # nothing downstream has to concatenate chunks (a copy of every column). Blocks are
            # parsed in a background thread, overlapping with the caller's work instead.
            read_options=pcsv.ReadOptions(column_names=list(layout.names), use_threads=False,
                                          block_size=max(len(data) + 1, 1 << 20)),
            parse_options=pcsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False,
                                            newlines_in_values=False, ignore_empty_lines=False,
                                            invalid_row_handler=on_invalid),
            convert_options=pcsv.ConvertOptions(column_types={n: _STR for n in layout.names},
                                                strings_can_be_null=False,
                                                quoted_strings_can_be_null=False,
                                                # ASCII text (all of GOA's) is valid UTF-8: a C-speed
                                                # isascii() spares Arrow's per-value validation.
                                                check_utf8=not data.isascii()),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if odd:
        return None
    first = table.column(0)
    # pyarrow turns an empty line into a row of empty fields without calling on_invalid; an empty
    # first field (blank line, or a row the exact path must judge anyway) sends the block there.
    if len(first) and (pc.any(pc.starts_with(first, layout.comment.decode())).as_py()
                       or pc.any(pc.equal(first, "")).as_py()):
        return None
    return {name: table.column(name) for name in layout.names}


def _read_exact(block: Block, layout: Layout) -> Rows:
    """Parse a block line by line: exact line numbers and reasons for every odd line."""
    values: list[list[str]] = [[] for _ in layout.names]
    lines: list[int] = []
    rejects: list[Reject] = []
    short: dict[int, list[int]] = {}
    skipped = 0
    comment = layout.comment.decode()
    ncols = layout.ncols
    fewest = layout.fewest
    data = block.data
    pieces = data.split(b"\n")
    if data.endswith(b"\n"):
        pieces.pop()
    for offset, raw in enumerate(pieces):
        lineno = block.first_line + offset
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            rejects.append((lineno, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at position {exc.start + 1})",
                            raw.decode("utf-8", errors="replace")))
            continue
        stripped = text.strip()
        if not stripped or stripped.startswith(comment):
            skipped += 1
            continue
        fields = text.split("\t")
        if not fewest <= len(fields) <= ncols:
            wanted = f"{ncols}" if fewest == ncols else f"{fewest} to {ncols}"
            rejects.append((lineno, f"expected {wanted} tab-separated columns ({layout.label}), "
                                    f"found {len(fields)}", text))
            continue
        if len(fields) < ncols:
            short.setdefault(len(fields), []).append(lineno)
            fields += [""] * (ncols - len(fields))
        for store, value in zip(values, fields):
            store.append(value)
        lines.append(lineno)
    columns = {name: pa.array(vals, type=_STR) for name, vals in zip(layout.names, values)}
    return Rows(columns, np.array(lines, dtype=np.int64), rejects, skipped, short)


def _first_ncols(data: bytes, comment: bytes) -> int:
    """Columns of the first line of ``data`` (0 if it is blank or a comment)."""
    end = data.find(b"\n")
    line = data[:end if end >= 0 else len(data)]
    if not line.strip() or line.startswith(comment):
        return 0
    return line.count(b"\t") + 1


def _read_fast_short(block: Block, layout: Layout) -> Rows | None:
    """The fast path for a clean block whose lines all stop at the same column before the last.

    Files that leave off the optional trailing columns do so on every line (PomBase's 16-column
    GAF): parsed with the shorter layout, then padded with empty columns, without a Python loop.
    """
    k = _first_ncols(block.data, layout.comment)
    if not layout.fewest <= k < layout.ncols:
        return None
    fast = _read_fast(block.data, Layout(layout.label, layout.names[:k], layout.titles[:k], layout.comment))
    if fast is None:
        return None
    n = len(fast[layout.names[0]])
    for name in layout.names[k:]:
        fast[name] = empty_strings(n)
    lines = np.arange(block.first_line, block.first_line + n, dtype=np.int64)
    return Rows(fast, lines, short={k: lines.tolist()} if n else {})



def parse_block(block: Block, layout: Layout) -> Rows:
    """Candidate rows of a block, fast when the block is clean, exact otherwise."""
    fast = _read_fast(block.data, layout)
    short = _read_fast_short(block, layout) if fast is None and layout.min_cols else None
    if short is not None:
        rows = short
    elif fast is None:
        log.debug("block at line %d is not clean; parsing it line by line", block.first_line)
        rows = _read_exact(block, layout)
    else:
        n = len(fast[layout.names[0]])
        rows = Rows(fast, np.arange(block.first_line, block.first_line + n, dtype=np.int64))
    rows.columns = {name: pc.ascii_trim_whitespace(arr) if _may_have_space(arr) else arr
                    for name, arr in rows.columns.items()}
    return rows


_SPACES = (b" ", b"\t", b"\r", b"\n", b"\x0b", b"\x0c")


def _may_have_space(arr: pa.Array | pa.ChunkedArray) -> bool:
    """False when no ASCII whitespace byte is in the column's data: trimming would change nothing.

    Most GAF columns (IDs, codes, dates) hold no space at all; a byte search of the data buffer is
    several times cheaper than the trim kernel's copy of the column.
    """
    return has_byte(arr, *_SPACES)


def has_byte(arr: pa.Array | pa.ChunkedArray, *needles: bytes) -> bool:
    """True when one of ``needles`` occurs in the column's data (a byte search, no per-value work)."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    for chunk in chunks:
        buffers = chunk.buffers()
        if len(buffers) < 3 or buffers[2] is None or not len(chunk):
            continue
        offsets = np.frombuffer(buffers[1], dtype=np.int64 if pa.types.is_large_string(chunk.type) else np.int32)
        data = buffers[2][int(offsets[chunk.offset]):int(offsets[chunk.offset + len(chunk)])].to_pybytes()
        if any(needle in data for needle in needles):
            return True
    return False


@dataclass(frozen=True)
class Check:
    """A vectorized field check: ``bad`` marks failing rows; ``reason(i)`` explains row ``i``."""

    bad: np.ndarray
    reason: Callable[[int], str]


def _mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=bool)


def empty_check(rows: Rows, name: str, title: str, column_no: int) -> Check:
    """Rows whose mandatory column is empty."""
    bad = _mask(pc.equal(rows.columns[name], ""))
    return Check(bad, lambda i: f"column {column_no} ({title}) is empty")


@lru_cache(maxsize=1 << 16)
def _valid_date(value: str, fmt: str) -> bool:
    shape = _DATE_SHAPES[fmt][0]
    if not shape.fullmatch(value):
        return False
    digits = value.replace("-", "")
    try:
        _dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return True


_DATE_SHAPES = {"%Y%m%d": (re.compile(r"[0-9]{8}"), "YYYYMMDD"),
                # GAF says YYYYMMDD; YYYY-MM-DD is unambiguous and read too (the GAF reader rewrites it).
                "gaf": (re.compile(r"[0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2}"), "YYYYMMDD"), "%Y-%m-%d": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "YYYY-MM-DD"),
                # GPAD 2.0 says YYYY-MM-DD, its first drafts YYYYMMDD: both are read.
                "gpad2": (re.compile(r"[0-9]{4}-?[0-9]{2}-?[0-9]{2}"), "YYYY-MM-DD")}


def date_check(rows: Rows, name: str, title: str, column_no: int, fmt: str = "%Y%m%d") -> Check:
    """Rows whose non-empty date is not a real calendar date in ``fmt``.

    Dates repeat a lot, so each distinct value is checked once in Python.
    """
    arr = rows.columns[name]
    shown = _DATE_SHAPES[fmt][1]
    uniques = pc.unique(arr).to_pylist()
    bad_values = [v for v in uniques if v and not _valid_date(v, fmt)]
    if not bad_values:
        return Check(np.zeros(len(rows), dtype=bool), lambda i: "")
    bad = _mask(pc.is_in(arr, value_set=pa.array(bad_values, type=_STR)))
    return Check(bad, lambda i: f"column {column_no} ({title}) '{arr[i].as_py()}' is not a valid {shown} date")


def value_check(rows: Rows, name: str, allowed: Iterable[str], reason: Callable[[str], str]) -> Check:
    """Rows whose non-empty value is not in ``allowed``."""
    arr = rows.columns[name]
    ok = pc.or_(pc.is_in(arr, value_set=pa.array(sorted(allowed), type=_STR)),
                pc.equal(arr, ""))
    bad = ~_mask(ok)
    return Check(bad, lambda i: reason(arr[i].as_py()))


def apply_checks(rows: Rows, checks: list[Check], names: tuple[str, ...],
                 raw: dict[str, pa.Array] | None = None) -> Rows:
    """Move rows failing any check to ``rejects`` (first failing check gives the reason).

    The rejected line's text is its fields re-joined with tabs, from ``raw`` if given (the columns
    before any rewriting) else from ``rows``.
    """
    if not checks or not len(rows):
        return rows
    bad = np.zeros(len(rows), dtype=bool)
    for check in checks:
        bad |= check.bad
    if not bad.any():
        return rows
    bad_rows = np.flatnonzero(bad)
    source = raw or rows.columns
    fields = [source[name].take(pa.array(bad_rows)).to_pylist() for name in names]
    for k, i in enumerate(bad_rows.tolist()):
        reason = next(c.reason(i) for c in checks if c.bad[i])
        rows.rejects.append((int(rows.lines[i]), reason, "\t".join(f[k] for f in fields)))
    keep = pa.array(~bad)
    rows.columns = {name: arr.filter(keep) for name, arr in rows.columns.items()}
    rows.lines = rows.lines[~bad]
    return rows


def raise_first(path: str, rejects: list[Reject]) -> None:
    """In strict mode: raise for the earliest rejected line, if any."""
    if rejects:
        line, reason, _ = min(rejects, key=lambda r: r[0])
        raise AnnotationParseError(path, line, reason)


def header_pairs(lines: Iterator[str] | list[str], comment: str) -> dict[str, str]:
    """``{key: value}`` from ``!key: value`` header lines; keys lower-cased, ``!!`` lines ignored."""
    out: dict[str, str] = {}
    for line in lines:
        text = line.strip()
        if not text.startswith(comment) or text.startswith(comment * 2):
            continue
        key, sep, value = text[len(comment):].partition(":")
        key = key.strip().lower()
        value = value.strip()
        if sep and key and " " not in key and not value.startswith("//"):
            out.setdefault(key, value)
    return out
