"""Reading GAF (GO Annotation File) 1.0, 2.0, 2.1 and 2.2, plain or gzipped.

Column count: the GAF 2.x specifications define 17 tab-separated columns; columns 16 and 17 are
optional in *content*, but their tabs are part of the format, so a GAF 2.x line with 15 or 16
columns is rejected ("expected 17 tab-separated columns (GAF 2.1), found 15"). GAF 1.0 had 15
columns; a file declaring ``!gaf-version: 1.0`` (or without a version line whose first data line
has 15 columns) is read with 15 columns and the two later columns left empty.

Checked here, per line: the column count, UTF-8, that mandatory columns are not empty (DB, DB Object
ID, DB Object Symbol, GO ID, DB:Reference, Evidence Code, Aspect, DB Object Type, Taxon, Date,
Assigned By; in GAF 2.2 also the Qualifier, which is mandatory there), that the date is a real
YYYYMMDD date and the evidence code a GO evidence code. Everything else (GO id shape, aspect values,
relations allowed for a term, obsolete terms) is the validator's business: values are kept as written,
whitespace-stripped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from ..columns import EVIDENCE_CODES, GAF_COLUMNS
from ._blocks import DEFAULT_BLOCK_BYTES, iter_blocks, read_ahead
from ._chunks import Meta, chunks_of, empty_chunk
from ._model import AnnotationChunk, arrow_table
from ._tsv import (Check, Layout, Rows, apply_checks, date_check, empty_check, header_pairs, parse_block,
                   raise_first, split_header, value_check)

__all__ = ["read_gaf", "GAF_TITLES", "gaf_layout"]

log = logging.getLogger(__name__)

#: Column titles as the GAF specification names them, in file order.
GAF_TITLES: tuple[str, ...] = (
    "DB", "DB Object ID", "DB Object Symbol", "Qualifier", "GO ID", "DB:Reference", "Evidence Code",
    "With (or) From", "Aspect", "DB Object Name", "DB Object Synonym", "DB Object Type", "Taxon",
    "Date", "Assigned By", "Annotation Extension", "Gene Product Form ID",
)
_MANDATORY = frozenset({0, 1, 2, 4, 5, 6, 8, 11, 12, 13, 14})
_EVIDENCE, _DATE, _QUALIFIER = 6, 13, 3


def gaf_layout(version: str) -> Layout:
    """The column layout for a GAF version ("" = unknown, read as GAF 2.x)."""
    ncols = 15 if version.startswith("1") else 17
    label = f"GAF {version}" if version else "GAF"
    return Layout(label, GAF_COLUMNS[:ncols], GAF_TITLES[:ncols], b"!")


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
            checks.append(date_check(rows, name, title, i + 1))
    return checks


def _sniff_ncols(data: bytes) -> int:
    """Number of tab-separated columns of the first non-empty line of ``data``."""
    for line in data.split(b"\n", 50)[:50]:
        if line.strip():
            return line.count(b"\t") + 1
    return 17


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
    if not version and _sniff_ncols(rest.data) == 15:
        version = "1.0"
        log.info("%s: no !gaf-version line and 15 columns: reading as GAF 1.0", path)
    layout = gaf_layout(version)
    meta = Meta(path, "gaf", version, header)
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
        table = arrow_table(rows.columns, rows.lines)
        rejects, extra = rows.rejects, rows.skipped
        del rows
        yield from chunks_of(table, rejects, skipped + extra, meta, chunk_rows)
        del table
        skipped = 0
    if skipped:  # header only
        yield empty_chunk(meta, skipped)
