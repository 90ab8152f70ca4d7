"""Cutting parsed blocks into :class:`AnnotationChunk` objects, shared by every reader."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ._model import AnnotationChunk, ReaderNote, Reject, arrow_table, rejects_frame, to_pandas

__all__ = ["Meta", "chunks_of", "empty_chunk"]


@dataclass(frozen=True)
class Meta:
    """What every chunk of one file repeats."""

    path: str
    format: str
    version: str
    header: dict[str, str]
    inferred: dict[str, str] | None = None
    header_lines: tuple[str, ...] = ()


def chunks_of(table: pa.Table, rejects: list[Reject], skipped: int, meta: Meta,
              chunk_rows: int, notes: list[ReaderNote] | None = None) -> Iterator[AnnotationChunk]:
    """Yield ``table`` in slices of at most ``chunk_rows`` rows.

    Rejects and skipped lines of the block go with its first slice; each note goes with the slice
    holding its lines.
    """
    n = table.num_rows
    step = max(1, chunk_rows)
    start = 0
    first = True
    while first or start < n:
        piece = table.slice(start, step)
        piece_notes: tuple[ReaderNote, ...] = ()
        if notes:
            lines = piece.column("line").to_numpy()
            whole = start == 0 and len(piece) == n
            piece_notes = tuple(note if whole else note.take(np.isin(note.lines, lines)) for note in notes)
            piece_notes = tuple(note for note in piece_notes if len(note.lines))
        yield AnnotationChunk(
            table=to_pandas(piece),
            rejects=rejects_frame(rejects if first else []),
            skipped=skipped if first else 0,
            header=dict(meta.header),
            format=meta.format,
            version=meta.version,
            path=meta.path,
            notes=piece_notes,
            inferred=dict(meta.inferred or {}),
            header_lines=meta.header_lines,
        )
        first = False
        start += step


def empty_chunk(meta: Meta, skipped: int = 0, rejects: list[Reject] | None = None) -> AnnotationChunk:
    """A chunk without rows (empty file, header-only file, or a block of rejects only)."""
    table = arrow_table({}, np.zeros(0, dtype=np.int64))
    return next(chunks_of(table, rejects or [], skipped, meta, 1))

