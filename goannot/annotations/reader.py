"""Format detection, the reader registry, and the two entry points every caller uses.

:func:`iter_annotations` streams a file chunk by chunk so files larger than memory can be processed;
:func:`read_annotations` reads it whole into one :class:`AnnotationSet`.
"""

from __future__ import annotations

import gzip
import logging
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import AnnotationParseError, GoannotError
from ._model import AnnotationChunk, AnnotationSet, rejects_frame
from .gaf import read_gaf
from .gene2go import read_gene2go
from .gpad import gpi_entities, read_gpad
from .id2gos import looks_like_id2gos, read_id2gos
from .table import read_table

__all__ = ["READERS", "FORMATS", "detect_format", "iter_annotations", "read_annotations", "ChunkReader",
           "unusable_reason"]

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
    "id2gos": read_id2gos,
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


#: Column counts of each format's data lines (GAF 1.0 / short GAF 2.x / GAF 2.x; GPAD 1.2 and 2.0; GPI).
_WIDTHS = {"gaf": (15, 16, 17), "gpad": (12,), "gpi": (10, 11)}
_DATA_LINES = 50


def detect_format(path: str | Path) -> str:
    """Name the format of an annotation file from its first lines (then its name).

    Version lines (``!gaf-version``, ``!gpa-version``/``!gpad-version``, ``!gpi-version``) name a
    format, but the column counts of the first data lines (up to 50) must agree: a ``!gpa-version``
    header over 15- to 17-column rows is a mislabelled GAF and is read as GAF (with a warning).
    Then NCBI's ``#tax_id`` header (gene2go); then the data lines alone: 15 to 17 columns -> GAF,
    12 columns under ``!`` headers -> GPAD, ``gene<TAB>GO:..;GO:..`` -> goatools' id2gos; then the
    file name (.gaf, .gpad, .gpi, gene2go); anything else is read as a plain table or page text.
    """
    p = Path(path)
    text = _head(p).removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    lines = [ln.strip("\r") for ln in text.split("\n")[:-1] or text.split("\n")]
    declared = ""
    bang = False
    data: list[str] = []
    for line in lines:
        low = line.strip().lower().replace(" ", "")
        if not low:
            continue
        if not data and low.startswith("#tax_id"):
            return "gene2go"
        if low.startswith("!"):
            bang = True
            for key, fmt in (("!gaf-version", "gaf"), ("!gpa-version", "gpad"), ("!gpad-version", "gpad"),
                             ("!gpi-version", "gpi")):
                if low.startswith(key) and not declared:
                    declared = fmt
            continue
        data.append(line)
        if len(data) >= _DATA_LINES:
            break
    widths = [ln.count("\t") + 1 for ln in data]
    common = max(set(widths), key=widths.count) if widths else 0
    if declared:
        if not widths or common in _WIDTHS[declared]:
            return declared
        if common in _WIDTHS["gaf"]:  # no GPAD or GPI line has 15 to 17 columns: a mislabelled GAF
            log.warning("%s: its header says %s, but its data lines have %d columns: reading it as GAF",
                        p, declared, common)
            return "gaf"
        return declared
    if common in _WIDTHS["gaf"]:
        return "gaf"
    if bang and common == 12:
        return "gpad"
    if looks_like_id2gos(data):
        return "id2gos"
    name = p.name.lower().removesuffix(".gz")
    for ext, fmt in ((".gaf", "gaf"), (".gpad", "gpad"), (".gpa", "gpad"), (".gpi", "gpi")):
        if name.endswith(ext):
            return fmt
    if name.startswith("gene2go"):
        return "gene2go"
    return "table"


def unusable_reason(head: bytes) -> str | None:
    """Why text starting with ``head`` cannot be annotations whatever its format, or None.

    An empty file, a binary file, CR-only line ends (one enormous "line"), an OBO or a JSON document
    would otherwise be read as zero annotation rows, which looks like a clean file.
    """
    text = head.removeprefix(b"\xef\xbb\xbf")
    if not text.strip():
        return "the file is empty: no annotations" if not text else "the file holds only blank space: no annotations"
    if b"\x00" in text[:4096]:
        return "a binary file (NUL bytes), not annotation text"
    if b"\r" in text and b"\n" not in text:
        return "lines end in CR only (old Mac line ends): no line can be told apart; convert them to LF"
    start = text.lstrip()
    if start.startswith(b"format-version:") or start.startswith(b"[Term]") or b"\n[Term]" in text:
        return "this looks like an OBO ontology, not annotations (give it as the GO release instead)"
    if start[:1] == b"{" or re.match(rb"\[\s*[\[{\"0-9-]", start):  # not "[IL7](...)" page text
        return "this looks like a JSON document (an OBO-Graphs ontology?), not tab-separated annotations"
    return None


def _first_words(head: bytes) -> str:
    line = next((ln for ln in head.decode("utf-8", "replace").splitlines() if ln.strip()), "")
    return line[:80] + ("..." if len(line) > 80 else "")


def _accounted(chunks: Iterator[AnnotationChunk], path: Path, head: bytes) -> Iterator[AnnotationChunk]:
    """Pass the chunks on; at the end refuse a non-empty input of which not one row could be read.

    Header-only files (every line a comment) are valid and have 0 rows. A file whose data lines were
    all rejected by the reader, or page text without a single GO ID line, was not understood: it is
    unusable input (:class:`~goannot.errors.AnnotationParseError`), not a clean file of 0 rows.
    """
    rows = rejected = 0
    first: tuple[int, str] | None = None
    fmt = version = ""
    for chunk in chunks:
        rows += len(chunk.table)
        rejected += len(chunk.rejects)
        if first is None and len(chunk.rejects):
            first = (int(chunk.rejects["line"].iloc[0]), str(chunk.rejects["reason"].iloc[0]))
        fmt, version = chunk.format, chunk.version
        yield chunk
    if rows:
        return
    if rejected and first is not None:
        raise AnnotationParseError(path, None, f"not one of its {rejected} data line(s) could be read as {fmt} "
                                               f"(line {first[0]}: {first[1]}); it starts {_first_words(head)!r}")
    if fmt == "table" and version == "text":
        raise AnnotationParseError(path, None, "no annotations found: no line starts with a GO ID and no header "
                                               f"names a GO ID column; it starts {_first_words(head)!r}")


def iter_annotations(path: str | Path, format: str | None = None, *, strict: bool = False,
                     chunk_rows: int = 200_000, **options: Any) -> Iterator[AnnotationChunk]:
    """Stream an annotation file as chunks of at most ``chunk_rows`` rows.

    ``format`` forces a reader (one of :data:`FORMATS`); by default it is detected. Every chunk
    repeats the file's ``header``, ``format`` and ``version``. Bad lines go to each chunk's
    ``rejects``; ``strict=True`` raises :class:`~goannot.errors.AnnotationParseError` at the first one.
    ``options`` go to the reader (``gpi=`` for GPAD). A GPI file is refused (it holds no annotations)
    unless ``entities=True`` asks for its gene products as rows with empty annotation columns. Input that is not annotations (empty, binary,
    an ontology, nothing readable) raises :class:`~goannot.errors.AnnotationParseError`: at the call
    when its first bytes tell, after the last chunk when no row could be read.
    """
    p = Path(path)
    if not p.is_file():
        raise GoannotError(f"{path}: no such file")
    head = _head(p)
    why = unusable_reason(head) if head or not p.stat().st_size else None  # "": a gzip too damaged to sniff
    if why is not None:
        raise AnnotationParseError(p, None, why)
    fmt = format or detect_format(p)
    if fmt not in READERS:
        raise GoannotError(f"unknown annotation format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "gpi" and not options.pop("entities", False):
        raise AnnotationParseError(p, None, "a GPI file is a table of gene products, not GO annotations: give it "
                                            "with its GPAD (gpi=), or as the gene index (--gene-index)")
    if fmt != "gpad" and options.pop("gpi", None) is not None:
        log.info("%s is read as %s: the GPI file is not used", path, fmt)
    log.debug("reading %s as %s", path, fmt)
    # Not a generator itself, so a missing file or an unknown format fails at the call.
    return _accounted(READERS[fmt](p, strict=strict, chunk_rows=chunk_rows, **options), p, head)


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
        header_lines=first.header_lines,
    )


