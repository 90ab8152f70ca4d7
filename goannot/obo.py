"""A fast reader for OBO 1.2/1.4 flat files (GO's go.obo, go-basic.obo, and any other OBO ontology).

It reads what an annotation toolkit needs and keeps it as plain data (:class:`OboDocument`, one
column per field over the ``[Term]`` stanzas, obsolete ones included) and the ``[Typedef]``
stanzas. Edges are kept as written, *child -> parent* (``is_a: X`` in the stanza of
``Y`` is the edge Y -> X), so references to missing terms survive for the DAG check.

Everything else in a stanza (``intersection_of``, ``property_value``, ``created_by``...) is skipped:
this is an index for annotation work, not a round-trip editor; pronto does that. The document
model and the line reader live in :mod:`goannot._obolines`, the vectorized fast path in
:mod:`goannot._oboscan`; this module puts them together and reads files.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from ._compressed import read_bytes
from ._obolines import OboDocument, OboTerm, OboTypedef, parse_obo_lines
from ._oboscan import scan_obo
from .errors import OboParseError

__all__ = ["OboTerm", "OboTypedef", "OboDocument", "parse_obo", "parse_obo_lines", "read_obo"]

log = logging.getLogger(__name__)


def parse_obo(text: str, path: str | None = None, *, data: bytes | None = None) -> OboDocument:
    """Parse OBO text. Raises :class:`OboParseError` with the line for what cannot be read.

    ``data`` may pass the UTF-8 bytes ``text`` was decoded from, to save encoding them again.
    Regular files are read by :func:`goannot._oboscan.scan_obo` (whole-file, vectorized); what it
    does not take, it hands to the line-by-line reader, which also says where a file is wrong.
    """
    # The parse allocates ~10^6 small objects and no cycles; the cyclic GC would only rescan them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        doc = scan_obo(text, text.encode("utf-8") if data is None else data, path)
        return doc if doc is not None else parse_obo_lines(text, path)
    finally:
        if enabled:
            gc.enable()


def read_obo(path: str | Path) -> OboDocument:
    """Read an OBO file, plain or gzip/bzip2/xz-compressed (by its magic bytes, not its name).

    A file that cannot be read, a damaged compressed stream, text that is not UTF-8 and a file
    without any ``[Term]`` stanza (an empty file, a header only) raise :class:`OboParseError`.
    """
    p = Path(path)
    data = read_bytes(p, OboParseError)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise OboParseError(p, line, f"not valid UTF-8 at byte {exc.start}") from None
    doc = parse_obo(text, str(p), data=data)
    if not doc.ids:
        what = "the file is empty" if not text.strip() else "no [Term] stanza"
        raise OboParseError(p, None, f"not an OBO ontology: {what}")
    return doc
