"""Compressed input recognized by its magic bytes (gzip, bzip2, xz), never by its file name.

Every reader that takes ``.gz`` takes ``.bz2`` and ``.xz`` through here, and a truncated or corrupt
stream becomes an :class:`~goannot.errors.InputError` naming the file (exit 2 in the CLI) instead of
the EOFError, BadGzipFile, zlib.error or LZMAError the decompressors raise.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import zlib
from pathlib import Path
from .errors import InputError

__all__ = ["compression_of", "decompress", "read_head", "read_bytes"]

#: Magic bytes -> compression name.
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"))
_ERRORS = (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError)


def compression_of(head: bytes) -> str | None:
    """'gzip', 'bzip2', 'xz' or None, from a file's first bytes."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def decompress(data: bytes, path: str | Path | None, error: type[InputError] = InputError) -> bytes:
    """``data`` decompressed if it is gzip, bzip2 or xz (else as is); a damaged stream raises ``error``."""
    kind = compression_of(data[:6])
    if kind is None:
        return data
    try:
        if kind == "gzip":
            return gzip.decompress(data)
        if kind == "bzip2":
            return bz2.decompress(data)
        return lzma.decompress(data)
    except _ERRORS as exc:
        raise error(path, None, f"{kind} stream is corrupt or truncated ({exc or type(exc).__name__})") from None


def _open(path: Path, kind: str) -> gzip.GzipFile | bz2.BZ2File | lzma.LZMAFile:
    if kind == "gzip":
        return gzip.open(path, "rb")
    if kind == "bzip2":
        return bz2.open(path, "rb")
    return lzma.open(path, "rb")


def read_bytes(path: str | Path, error: type[InputError] = InputError) -> bytes:
    """A file's bytes, decompressed; unreadable files (a directory, no permission) raise ``error``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise error(p, None, "is a directory, not a file") from None
    except OSError as exc:
        raise error(p, None, f"cannot be read ({exc.strerror or exc})") from None
    return decompress(data, p, error)


def read_head(path: str | Path, size: int, error: type[InputError] = InputError) -> bytes:
    """The first ``size`` bytes of a file's content, decompressed (for sniffing its format)."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            head = fh.read(size)
        kind = compression_of(head[:6])
        if kind is None:
            return head
        with _open(p, kind) as zf:
            return zf.read(size)
    except IsADirectoryError:
        raise error(p, None, "is a directory, not a file") from None
    except _ERRORS as exc:
        raise error(p, None, f"cannot be read ({exc or type(exc).__name__})") from None
