"""Reading GAF (GO Annotation File) 1.0, 2.0, 2.1 and 2.2, plain or gzipped.

Column count: the GAF 2.x specifications define 17 tab-separated columns, the last two optional. Real
GAF 2.x files (PomBase's among them) end their lines after column 15 or 16, leaving out the empty
optional columns and their tabs; GO's own parser pads such lines, and so does this reader: a GAF 2.x
line of 15 or 16 columns is read with the missing columns empty and reported (GORULE:0000001, info,
see :data:`SHORT_LINE_RULE`). Fewer than 15 or more than 17 columns are rejected. GAF 1.0 had 15
columns, read with the two later ones empty.

Version: the ``!gaf-version`` line says it. Without one the version is decided from the content
(:func:`infer_version`): qualifiers carrying a GAF 2.2 gp2term relation (``enables``, ``involved_in``,
...) make it 2.2; otherwise 17-column lines make it 2.1 and 15-column lines 1.0. The decision is logged
and kept in the chunks' ``inferred``.

Checked here, per line: the column count, UTF-8, that mandatory columns are not empty (DB, DB Object
ID, DB Object Symbol, GO ID, DB:Reference, Evidence Code, Aspect, DB Object Type, Taxon, Date,
Assigned By; in GAF 2.2 also the Qualifier, which is mandatory there), that the date is a real
calendar date and the evidence code a GO evidence code. A real date written ``YYYY-MM-DD`` is
unambiguous: it is rewritten ``YYYYMMDD`` and the change reported (GORULE:0000001, warning, as GO's
parser does). Everything else (GO id shape, aspect values, relations allowed for a term, obsolete
terms) is the validator's business: values are kept as written, whitespace-stripped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..columns import EVIDENCE_CODES, GAF_COLUMNS
from ._blocks import DEFAULT_BLOCK_BYTES, iter_blocks, read_ahead
from ._chunks import Meta, chunks_of, empty_chunk
from ._model import AnnotationChunk, ReaderNote, arrow_table
from ._tsv import (Check, Layout, Rows, apply_checks, date_check, empty_check, has_byte, header_pairs,
                   parse_block, raise_first, split_header, value_check)
from .relations import RELATION_IDS

__all__ = ["read_gaf", "GAF_TITLES", "gaf_layout", "infer_version", "SHORT_LINE_RULE"]

log = logging.getLogger(__name__)

#: Column titles as the GAF specification names them, in file order.
GAF_TITLES: tuple[str, ...] = (
    "DB", "DB Object ID", "DB Object Symbol", "Qualifier", "GO ID", "DB:Reference", "Evidence Code",
    "With (or) From", "Aspect", "DB Object Name", "DB Object Synonym", "DB Object Type", "Taxon",
    "Date", "Assigned By", "Annotation Extension", "Gene Product Form ID",
)
_MANDATORY = frozenset({0, 1, 2, 4, 5, 6, 8, 11, 12, 13, 14})
_EVIDENCE, _DATE, _QUALIFIER = 6, 13, 3
#: The rule reader notes on GAF lines are filed under: GAF syntax.
SHORT_LINE_RULE = "GORULE:0000001"
#: Relations only GAF 2.2 writes in the qualifier (2.0/2.1 knew NOT, contributes_to, colocalizes_with).
_GAF22_ONLY = frozenset(RELATION_IDS) - {"contributes_to", "colocalizes_with"}
_SAMPLE_LINES = 2000


def gaf_layout(version: str) -> Layout:
    """The column layout for a GAF version ("" = unknown, read as GAF 2.x).

    GAF 2.x lines may stop after column 15 or 16 (``min_cols``): they are padded.
    """
    ncols = 15 if version.startswith("1") else 17
    label = f"GAF {version}" if version else "GAF"
    return Layout(label, GAF_COLUMNS[:ncols], GAF_TITLES[:ncols], b"!", min_cols=15)


def infer_version(data: bytes) -> tuple[str, str]:
    """(version, why) for GAF text without a ``!gaf-version`` line, from its first data lines.

    A qualifier naming a GAF 2.2 relation (``enables``, ``involved_in``, ``located_in``...) can only be
    GAF 2.2; otherwise 17 columns mean GAF 2.x (read as 2.1, whose rules 2.0 shares) and 15 columns
    GAF 1.0. ("", why) when no line decides (no data line, or no line of 15 to 17 columns).
    """
    widths: set[int] = set()
    relations22: set[str] = set()
    seen = 0
    for line in data.split(b"\n", _SAMPLE_LINES)[:_SAMPLE_LINES]:
        if not line.strip() or line.startswith(b"!"):
            continue
        fields = line.rstrip(b"\r").split(b"\t")
        if not 15 <= len(fields) <= 17:
            continue
        seen += 1
        widths.add(len(fields))
        for token in fields[_QUALIFIER].decode("utf-8", "replace").split("|"):
            if token.strip() in _GAF22_ONLY:
                relations22.add(token.strip())
    if not seen:
        return "", "no line of 15 to 17 tab-separated columns"
    if relations22:
        return "2.2", f"qualifiers carry GAF 2.2 relations ({', '.join(sorted(relations22))})"
    if widths == {15}:
        return "1.0", "15 columns and no GAF 2.2 relation in the qualifiers"
    return "2.1", (f"{max(widths)} columns and no GAF 2.2 relation in the qualifiers "
                   "(GAF 2.0 and 2.1 share columns and rules)")


def _checks(rows: Rows, layout: Layout, version: str) -> list[Check]:
    mandatory = _MANDATORY | ({_QUALIFIER} if version.startswith("2.2") else set())
    checks: list[Check] = []
    for i, (name, title) in enumerate(zip(layout.names, layout.titles)):
        if i in mandatory:
            checks.append(empty_check(rows, name, title, i + 1))
        if i == _EVIDENCE:
            checks.append(value_check(rows, name, EVIDENCE_CODES,
                                      lambda v: f"column 7 evidence code '{v}' is not a GO evidence code"))
        elif i == _DATE:
            checks.append(date_check(rows, name, title, i + 1, fmt="gaf"))
    return checks


def _columns(first: int, last: int) -> str:
    return f"column {first}" if first == last else f"columns {first}-{last}"


def _notes(rows: Rows, layout: Layout) -> list[ReaderNote]:
    """Reader notes for the kept rows: short lines padded, ``YYYY-MM-DD`` dates rewritten (done here)."""
    notes: list[ReaderNote] = []
    for k, lines in sorted(rows.short.items()):
        kept = np.asarray(lines, dtype=np.int64)
        kept = kept[np.isin(kept, rows.lines)]
        if len(kept):
            notes.append(ReaderNote(kept, SHORT_LINE_RULE, "info",
                                    f"line has {k} of the {layout.ncols} {layout.label} columns (the empty "
                                    f"optional columns and their tabs are left out): read with "
                                    f"{_columns(k + 1, layout.ncols)} empty"))
    date = rows.columns["date"]
    if len(rows) and has_byte(date, b"-"):
        dashed = np.asarray(pc.match_substring_regex(date, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
                            .to_numpy(zero_copy_only=False), dtype=bool)
        if dashed.any():
            at = np.flatnonzero(dashed)
            before = np.asarray(date.take(pa.array(at)).to_pylist(), dtype=object)
            rows.columns["date"] = pc.replace_substring(date, "-", "")
            fixed = np.array([b.replace("-", "") for b in before.tolist()], dtype=object)
            messages = np.array([f"date '{b}' is not YYYYMMDD: read as {f}" for b, f in zip(before, fixed)],
                                dtype=object)
            notes.append(ReaderNote(rows.lines[at], SHORT_LINE_RULE, "warning", messages, "date", before))
    return notes


def read_gaf(path: str | Path, *, strict: bool = False, chunk_rows: int = 200_000,
             block_bytes: int = DEFAULT_BLOCK_BYTES) -> Iterator[AnnotationChunk]:
    """Stream a GAF file as :class:`AnnotationChunk` objects (see module docstring for the checks).

    Blocks are parsed one ahead in a background thread (:func:`~._blocks.read_ahead`), so parsing the
    next block overlaps with whatever the caller does with the current chunk.
    """
    yield from read_ahead(_gaf_chunks(str(path), strict, chunk_rows, block_bytes), name="goannot-parse-gaf")


def _gaf_chunks(path: str, strict: bool, chunk_rows: int, block_bytes: int) -> Iterator[AnnotationChunk]:
    blocks = iter_blocks(path, block_bytes)
    first = next(blocks, None)
    if first is None:
        yield empty_chunk(Meta(path, "gaf", "", {}))
        return
    header_lines, rest = split_header(first, b"!")
    del first
    header = header_pairs(header_lines, "!")
    version = header.get("gaf-version", "")
    inferred: dict[str, str] = {}
    if not version:
        version, why = infer_version(rest.data)
        if version:
            inferred["version"] = f"{version}: no !gaf-version line; {why}"
            log.info("%s: no !gaf-version line: reading as GAF %s (%s)", path, version, why)
    layout = gaf_layout(version)
    meta = Meta(path, "gaf", version, header, inferred,
                tuple(line for line in header_lines if line.strip().startswith("!")))
    skipped = len(header_lines)
    todo = chain([rest], blocks)
    del rest  # the chain holds the first block only until it is parsed
    for block in todo:
        if not block.data:
            continue
        rows = parse_block(block, layout)
        del block  # the text is not needed once parsed: free it before the chunks are handed out
        rows = apply_checks(rows, _checks(rows, layout, version), layout.names)
        if strict:
            raise_first(path, rows.rejects)
        notes = _notes(rows, layout)
        table = arrow_table(rows.columns, rows.lines)
        rejects, extra = rows.rejects, rows.skipped
        del rows
        yield from chunks_of(table, rejects, skipped + extra, meta, chunk_rows, notes)
        del table
        skipped = 0
    if skipped:  # header only
        yield empty_chunk(meta, skipped)
