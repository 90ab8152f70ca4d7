"""Atomic file output: write to a temp file beside the target, then rename over it.

A reader never sees a half-written file, and a failure (exception, interrupt) leaves the old file
untouched and no temp file behind. ``.gz`` targets are compressed.
"""

from __future__ import annotations

import contextlib
import gzip
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

__all__ = ["atomic_open", "atomic_write_text", "atomic_write_bytes"]


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", *, encoding: str = "utf-8",
                newline: str | None = None) -> Iterator[IO[Any]]:
    """Open ``path`` for writing through a temp file that replaces it only if the block succeeds.

    ``mode`` is "w" (text) or "wb" (bytes). A ``.gz`` suffix writes gzip-compressed data.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes only ('w' or 'wb'), not {mode!r}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    raw = open(tmp, "wb")
    try:
        stream: IO[Any]
        if target.suffix == ".gz":
            gz = gzip.GzipFile(filename=target.name[:-3], mode="wb", fileobj=raw, mtime=0)
            stream = cast(IO[bytes], gz) if mode == "wb" else _text(cast(IO[bytes], gz), encoding, newline)
        else:
            gz = None
            stream = raw if mode == "wb" else _text(raw, encoding, newline)
        yield stream
        stream.flush()
        if gz is not None:
            gz.close()
        raw.flush()
        os.fsync(raw.fileno())
        raw.close()
        os.replace(tmp, target)
    except BaseException:
        raw.close()
        tmp.unlink(missing_ok=True)
        raise


def _text(binary: IO[bytes], encoding: str, newline: str | None) -> IO[str]:
    import io

    return io.TextIOWrapper(cast(io.BufferedWriter, binary), encoding=encoding, newline=newline, write_through=True)


def atomic_write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` atomically."""
    with atomic_open(path, "w", encoding=encoding) as fh:
        fh.write(text)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)
