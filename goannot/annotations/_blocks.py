"""Stream a file's bytes as newline-aligned blocks, decompressing gzip on the fly.

Readers parse whole blocks at once (with :mod:`pyarrow.csv`), so the unit handed out here is a
``bytes`` block that ends right after a newline (or at end of file), together with the 1-based
number of its first line. Gzip input is recognised by its magic bytes, not its name, and is
decompressed in a background thread: :mod:`zlib` releases the GIL, so on a multi-core machine
inflating the next block overlaps with parsing the current one.

A truncated or corrupt gzip stream raises :class:`~goannot.errors.AnnotationParseError` naming the
line reached: such a file cannot be trusted as a whole, so even lenient reading stops there.
"""

from __future__ import annotations

import logging
import queue
import threading
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from ..errors import AnnotationParseError

__all__ = ["Block", "iter_blocks", "is_gzip", "read_ahead", "DEFAULT_BLOCK_BYTES"]

log = logging.getLogger(__name__)

#: Bytes of text per block, i.e. per chunk handed to a caller (~50k GAF rows). Measured on GOA human
#: validated with every rule: 8 MiB blocks keep the peak at ~430 MiB for the file and for five
#: copies of it alike, where 24 MiB blocks peaked at ~560 / ~780 MiB, at the same speed (the
#: per-chunk costs of the rules are small next to the per-row ones). Re-measured after the rules'
#: per-chunk costs were cut (~0.05 -> ~0.035 s a chunk): 16 MiB blocks (4 chunks instead of 7)
#: peaked at ~515 MiB for GOA human with no wall-time gain above the shared machine's noise.
DEFAULT_BLOCK_BYTES = 8 << 20
_READ_BYTES = 1 << 20
_FIRST_READ_BYTES = 64 << 10
_GZIP_MAGIC = b"\x1f\x8b"
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Block:
    """``data`` holds whole lines; its first line is line ``first_line`` of the file."""

    data: bytes
    first_line: int


def is_gzip(path: str | Path) -> bool:
    """True if the file starts with the gzip magic bytes (whatever its name)."""
    with open(path, "rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


class _GzipCorrupt(Exception):
    """Raised inside the decompressing thread; carries zlib's message to the consumer."""


def _inflate(fh: BinaryIO) -> Iterator[bytes]:
    """Decompressed pieces of a (possibly multi-member) gzip stream."""
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    saw_data = False
    size = _FIRST_READ_BYTES  # small reads first (GAF inflates ~8x): the first block is ready sooner
    while True:
        raw = fh.read(size)
        size = min(2 * size, _READ_BYTES)
        if not raw:
            break
        saw_data = True
        while raw:
            try:
                out = d.decompress(raw)
            except zlib.error as exc:
                raise _GzipCorrupt(str(exc)) from exc
            if out:
                yield out
            if d.eof:
                # A new gzip member may follow (concatenated .gz files are valid gzip).
                raw = d.unused_data
                d = zlib.decompressobj(zlib.MAX_WBITS | 16)
                if not raw:
                    saw_data = False
            else:
                raw = b""
    tail = d.flush()
    if tail:
        yield tail
    if saw_data and not d.eof:
        raise _GzipCorrupt("unexpected end of data")


def _plain(fh: BinaryIO, size: int) -> Iterator[bytes]:
    while raw := fh.read(size):
        yield raw


_DONE = object()


def read_ahead(pieces: Iterator[_T], depth: int = 1, name: str = "goannot-read") -> Generator[_T, None, None]:
    """Run ``pieces`` in a daemon thread, producing at most ``depth`` items ahead of the consumer.

    Used twice per file: to inflate and cut blocks, and to parse them, so that both overlap with
    whatever the consumer does with the previous item (zlib and Arrow's CSV parser release the GIL).
    The producer starts on item ``k + depth`` only once the consumer has taken item ``k``, so besides
    the item in the consumer's hands at most ``depth`` items (finished or in the making) are alive:
    memory stays flat however long the file. Exceptions raised by ``pieces`` reach the consumer in
    order; when the consumer stops early the producer is closed in its own thread (so its
    ``finally`` blocks run there, at once).
    """
    q: queue.SimpleQueue[object] = queue.SimpleQueue()
    slots = threading.Semaphore(max(1, depth))
    stop = threading.Event()

    def wait_slot() -> bool:
        """Wait until the consumer has taken an item (False: the consumer has gone away)."""
        while not stop.is_set():
            if slots.acquire(timeout=0.1):
                return not stop.is_set()
        return False

    def produce() -> None:
        try:
            while wait_slot():
                piece = next(pieces, _DONE)
                q.put(piece)
                if piece is _DONE:
                    return
                del piece  # hold nothing while waiting for the consumer
        except BaseException as exc:  # handed over to the consumer, which re-raises it
            q.put(exc)
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            slots.release()  # the producer may start on the next item while this one is used
            yield item  # type: ignore[misc]
            del item
    finally:
        stop.set()
        worker.join(timeout=5)


def _cut(pieces: Iterator[bytes], block_bytes: int, first_bytes: int) -> Iterator[tuple[bytes, int]]:
    """Join ``pieces`` into newline-aligned blocks; yield each with its number of newlines.

    The first block is cut early (at ``first_bytes``) so that peeling the header off it is cheap, and
    each next one is twice as large up to ``block_bytes``.
    Raises :class:`_Truncated` carrying the line reached when ``pieces`` fails.
    """
    pending: list[bytes] = []
    pending_len = 0
    lines_done = 0
    target = first_bytes
    try:
        for piece in pieces:
            pending.append(piece)
            pending_len += len(piece)
            if pending_len < target:
                continue
            # Cut after the last newline, copying each byte once: the pieces up to it are joined
            # into the block, the tail of the piece holding it is kept for the next block.
            k = len(pending) - 1
            while k >= 0 and pending[k].rfind(b"\n") < 0:
                k -= 1
            if k < 0:  # one enormous line: keep accumulating
                continue
            last = pending[k]
            cut = last.rfind(b"\n") + 1
            if k == 0:
                block = last if cut == len(last) else last[:cut]
            else:
                block = b"".join([*pending[:k], memoryview(last)[:cut]])
            rest = ([last[cut:]] if cut < len(last) else []) + pending[k + 1:]
            del last  # only the block and the tail stay alive while the consumer works
            pending = rest
            pending_len = sum(len(p) for p in rest)
            del rest
            count = block.count(b"\n")
            yield block, count
            del block
            lines_done += count
            # Ramp up (1, 2, 4, ... MiB) to full blocks: the consumer gets its first rows, and the
            # pipeline fills, after a small block is inflated and parsed rather than a full one.
            target = min(2 * target, block_bytes)
    except _GzipCorrupt as exc:
        reached = lines_done + sum(p.count(b"\n") for p in pending) + 1
        raise _Truncated(reached, str(exc)) from None
    if pending:
        buf = b"".join(pending)
        yield buf, buf.count(b"\n")


class _Truncated(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def iter_blocks(path: str | Path, block_bytes: int = DEFAULT_BLOCK_BYTES,
                first_bytes: int = 1 << 20) -> Iterator[Block]:
    """Yield the file as newline-aligned blocks of about ``block_bytes`` bytes.

    Reading, decompressing and cutting run in a background thread. Raises
    :class:`AnnotationParseError` if a gzip stream is truncated or corrupt; its line number is the
    first line that could not be read completely.
    """
    gz = is_gzip(path)
    next_line = 1
    with open(path, "rb") as fh:
        raw = _inflate(fh) if gz else _plain(fh, min(block_bytes, _READ_BYTES * 8))
        blocks = read_ahead(_cut(raw, block_bytes, min(first_bytes, block_bytes)), name="goannot-inflate")
        try:
            for data, count in blocks:
                yield Block(data, next_line)
                next_line += count
        except _Truncated as exc:
            raise AnnotationParseError(path, exc.line, f"gzip stream truncated/corrupt ({exc})") from None
        finally:
            blocks.close()
