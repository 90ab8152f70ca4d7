"""Format detection, the reader registry, and the two entry points every caller uses.

:func:`iter_annotations` streams a file chunk by chunk so files larger than memory can be processed;
:func:`read_annotations` reads it whole into one :class:`AnnotationSet`.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import GoannotError
from ._model import AnnotationChunk, AnnotationSet, rejects_frame
from .gaf import read_gaf
from .gene2go import read_gene2go
from .gpad import gpi_entities, read_gpad
from .table import read_table

__all__ = ["READERS", "FORMATS", "detect_format", "iter_annotations", "read_annotations", "ChunkReader"]

log = logging.getLogger(__name__)

#: A reader: ``(path, *, strict, chunk_rows, **options) -> Iterator[AnnotationChunk]``.
ChunkReader = Callable[..., Iterator[AnnotationChunk]]

#: The format registry: format name -> reader. Add an entry to teach :func:`read_annotations` a format.
READERS: dict[str, ChunkReader] = {
    "gaf": read_gaf,
    "gpad": read_gpad,
    "gpi": gpi_entities,
    "gene2go": read_gene2go,
    "table": read_table,
}
FORMATS = tuple(READERS)

_SNIFF_BYTES = 1 << 16


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic != b"\x1f\x8b":
        with open(path, "rb") as fh:
            return fh.read(_SNIFF_BYTES)
    try:
        with gzip.open(path, "rb") as gz:
            return gz.read(_SNIFF_BYTES)
    except (EOFError, OSError, zlib.error):
        # Too damaged to sniff: let the reader of the likeliest format report where it breaks.
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            return d.decompress(path.read_bytes()[:_SNIFF_BYTES * 4], _SNIFF_BYTES)
        except zlib.error:
            return b""


def detect_format(path: str | Path) -> str:
    """Name the format of an annotation file from its first lines (then its name).

    Version lines decide (``!gaf-version``, ``!gpa-version``/``!gpad-version``, ``!gpi-version``), then
    NCBI's ``#tax_id`` header, then the column count of the first data line after ``!`` headers
    (17 or 15 -> GAF, 12 -> GPAD), then the file name (.gaf, .gpad, .gpi, gene2go); anything else is
    read as a plain table or page text.
    """
    p = Path(path)
    text = _head(p).removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    lines = [ln.strip("\r") for ln in text.split("\n")[:-1] or text.split("\n")]
    bang = False
    for line in lines:
        low = line.strip().lower().replace(" ", "")
        if not low:
            continue
        if low.startswith("!gaf-version"):
            return "gaf"
        if low.startswith(("!gpa-version", "!gpad-version")):
            return "gpad"
        if low.startswith("!gpi-version"):
            return "gpi"
        if low.startswith("#tax_id"):
            return "gene2go"
        if low.startswith("!"):
            bang = True
            continue
        ncols = line.count("\t") + 1
        if bang or ncols in (15, 17):
            if ncols in (15, 17):
                return "gaf"
            if ncols == 12:
                return "gpad"
        break
    name = p.name.lower().removesuffix(".gz")
    for ext, fmt in ((".gaf", "gaf"), (".gpad", "gpad"), (".gpa", "gpad"), (".gpi", "gpi")):
        if name.endswith(ext):
            return fmt
    if name.startswith("gene2go"):
        return "gene2go"
    return "table"


def iter_annotations(path: str | Path, format: str | None = None, *, strict: bool = False,
                     chunk_rows: int = 200_000, **options: Any) -> Iterator[AnnotationChunk]:
    """Stream an annotation file as chunks of at most ``chunk_rows`` rows.

    ``format`` forces a reader (one of :data:`FORMATS`); by default it is detected. Every chunk
    repeats the file's ``header``, ``format`` and ``version``. Bad lines go to each chunk's
    ``rejects``; ``strict=True`` raises :class:`~goannot.errors.AnnotationParseError` at the first one.
    ``options`` go to the reader (``gpi=`` for GPAD).
    """
    p = Path(path)
    if not p.is_file():
        raise GoannotError(f"{path}: no such file")
    fmt = format or detect_format(p)
    if fmt not in READERS:
        raise GoannotError(f"unknown annotation format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt != "gpad" and options.pop("gpi", None) is not None:
        log.info("%s is read as %s: the GPI file is not used", path, fmt)
    log.debug("reading %s as %s", path, fmt)
    # Not a generator itself, so a missing file or an unknown format fails at the call.
    return READERS[fmt](p, strict=strict, chunk_rows=chunk_rows, **options)


def read_annotations(path: str | Path, format: str | None = None, *, strict: bool = False,
                     gpi: str | Path | None = None, chunk_rows: int = 200_000) -> AnnotationSet:
    """Read a whole annotation file (GAF, GPAD [+ GPI], GPI, gene2go, table, page text).

    Lenient by default: a bad line never aborts the file, it lands in ``rejects`` with its line
    number and what was expected. A truncated or corrupt gzip file raises
    :class:`~goannot.errors.AnnotationParseError` even so: its rows cannot be trusted to be complete.
    """
    options: dict[str, Any] = {"gpi": gpi} if gpi is not None else {}
    chunks = list(iter_annotations(path, format, strict=strict, chunk_rows=chunk_rows, **options))
    first = chunks[0]
    tables = [c.table for c in chunks if len(c.table)]
    rejects = [c.rejects for c in chunks if len(c.rejects)]
    table = (tables[0] if len(tables) == 1 else
             pd.concat(tables, ignore_index=True) if tables else first.table)
    rejects_df = (rejects[0].reset_index(drop=True) if len(rejects) == 1 else
                  pd.concat(rejects, ignore_index=True) if rejects else rejects_frame([]))
    return AnnotationSet(
        table=table,
        rejects=rejects_df,
        skipped=sum(c.skipped for c in chunks),
        header=first.header,
        format=first.format,
        version=first.version,
        path=first.path,
        input_rows=sum(c.input_rows for c in chunks),
        notes=tuple(note for c in chunks for note in c.notes),
        inferred=dict(first.inferred),
    )


