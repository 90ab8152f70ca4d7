"""goannot's cache files: data only, digest-checked, private to their user.

Every cache entry goannot writes (compiled ontologies, closures, parsed gene tables) is one file in
this container::

    goannot-cache 1\\n
    {"magic": ..., "format": N, "key": ..., "parts": [[name, length], ...], "size": S, "sha256": ...}\\n
    payload (S bytes: the parts, concatenated)

The header is compact JSON (one line); the parts are plain bytes in data-only formats chosen by the
caller (numpy ``.npy`` read with ``allow_pickle=False``, Arrow IPC, UTF-8 text, JSON). Nothing in
an entry is ever executed: there is no pickle anywhere in goannot's cache, so a file planted in a
shared cache can at worst be refused. Reading checks, in order, and refuses the entry with a
warning (the caller rebuilds it) when any fails:

1. the folders from the cache root down and the file itself belong to the current user and are
   not writable by group or others (as ssh and pip insist), and the file is a regular file, not
   a symlink;
2. the header parses and names the expected magic, format version and key (the key is the
   sha256 of the source the entry was built from, so an entry copied or renamed to another key
   is refused);
3. the payload has the stated size and its sha256 matches the header's: a flipped bit anywhere
   is caught here, before any part is decoded.

Entries are written to a temp file (mode 0600) beside the target and renamed over it; folders are
created 0700. A refused folder is bypassed: nothing is read from it or written to it, the load
just costs its parse time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from .atomic import register_temp, sweep_stale_temps, unregister_temp

__all__ = ["read_entry", "write_entry", "trusted_dir", "make_private_dir", "read_private_bytes",
           "write_private_bytes", "CONTAINER"]

log = logging.getLogger(__name__)

#: First line of every cache file; bumped if the framing itself changes.
CONTAINER = b"goannot-cache 1"
_MAX_HEADER = 1 << 16
_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


def _euid() -> int | None:
    """The effective user id, or None where the platform has none (Windows: no ownership checks)."""
    return os.geteuid() if hasattr(os, "geteuid") else None


def _unsafe(st: os.stat_result, what: str, path: Path) -> str | None:
    """Why a file or folder with this stat must not be trusted, or None."""
    me = _euid()
    if me is None:
        return None
    if st.st_uid != me:
        return f"{what} {path} belongs to another user (uid {st.st_uid}, not {me})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"{what} {path} is writable by others (mode {stat.S_IMODE(st.st_mode):o}; chmod go-w it)"
    return None


def _chain(folder: Path, root: Path) -> list[Path]:
    """``root`` and every folder below it down to ``folder`` (just ``folder`` if outside ``root``)."""
    try:
        rel = folder.relative_to(root)
    except ValueError:
        return [folder]
    chain = [root]
    for part in rel.parts:
        chain.append(chain[-1] / part)
    return chain


def trusted_dir(folder: Path, root: Path) -> bool:
    """Whether cache entries under ``folder`` may be read and written (see the module docstring).

    Every existing folder from ``root`` down to ``folder`` must be the user's own and not writable
    by group or others; folders that do not exist yet are fine (they are created 0700). An untrusted
    folder is warned about once per process.
    """
    for d in _chain(folder, root):
        try:
            st = d.stat()
        except FileNotFoundError:
            return True
        except OSError:
            return True  # e.g. a file stands where a folder should be: writing fails later, quietly
        if not stat.S_ISDIR(st.st_mode):
            return True
        problem = _unsafe(st, "cache folder", d)
        if problem:
            _warn_once(f"not using the cache: {problem}")
            return False
    return True


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (and missing parents) with mode 0700; an existing folder is left as it is."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def read_private_bytes(path: Path) -> bytes | None:
    """The bytes of a cache file, or None when it is absent or not the user's own private file.

    The file is opened without following symlinks and checked on the open descriptor, so it cannot
    be swapped between the check and the read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:  # ELOOP: a symlink; EACCES...
        _warn_once(f"not using the cache file {path}: {exc.strerror or exc}")
        return None
    try:
        st = os.fstat(fd)
        problem = "cache file {} is not a regular file".format(path) if not stat.S_ISREG(st.st_mode) \
            else _unsafe(st, "cache file", path)
        if problem:
            _warn_once(f"not using the cache: {problem}")
            return None
        chunks = []
        while chunk := os.read(fd, max(st.st_size, 1 << 16)):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, as a 0600 file (no fsync: a torn cache file fails its digest).

    The temp file is registered for removal on SIGTERM/exit (:func:`goannot.atomic.register_temp`),
    and stale temp files of dead processes in the same folder are swept first.
    """
    folder = path.parent
    make_private_dir(folder)
    sweep_stale_temps(folder)
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    register_temp(tmp)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # e.g. NotADirectoryError when the folder itself could not be made
            pass
        raise
    finally:
        unregister_temp(tmp)


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def read_entry(path: Path, magic: str, fmt: int, key: str, *,
               root: Path | None = None) -> dict[str, memoryview] | None:
    """The parts (views of the file's bytes) of the entry stored at ``path`` under (magic, format, key), or None.

    None when absent or refused. A damaged entry (bad header, other key, wrong size or digest) is
    deleted with a warning so that the caller's rebuild replaces it; an entry that is not the
    user's own is left alone (it may not be ours to delete) and bypassed. ``root`` is the cache
    root whose folders are checked down to ``path``'s (default: only ``path``'s folder).
    """
    if not trusted_dir(path.parent, root or path.parent):
        return None
    data = read_private_bytes(path)
    if data is None:
        return None
    try:
        start = len(CONTAINER) + 1
        if data[:start] != CONTAINER + b"\n":
            raise ValueError("not a goannot cache file")
        end = data.find(b"\n", start, start + _MAX_HEADER)
        if end < 0:
            raise ValueError("no header")
        header = json.loads(data[start:end])
        if not isinstance(header, dict):
            raise ValueError("bad header")
        stored = (header.get("magic"), header.get("format"), header.get("key"))
        if stored != (magic, fmt, key):
            raise ValueError(f"key mismatch ({stored[0]!r}, {stored[1]!r}, {stored[2]!r})")
        payload = memoryview(data)[end + 1:]
        size = header.get("size")
        if size != len(payload):
            raise ValueError(f"size mismatch ({len(payload)} bytes, the header says {size!r})")
        if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
            raise ValueError("sha256 mismatch: the payload was altered")
        parts: dict[str, memoryview] = {}
        offset = 0
        for name, length in header["parts"]:
            if not isinstance(name, str) or not isinstance(length, int) or length < 0:
                raise ValueError("bad part list")
            parts[name] = payload[offset:offset + length]
            offset += length
        if offset != len(payload):
            raise ValueError("the parts do not cover the payload")
        return parts
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("cache entry %s is corrupt (%s); rebuilding it", path, exc)
        _discard(path)
        return None


def write_entry(path: Path, magic: str, fmt: int, key: str, parts: Mapping[str, bytes], *,
                root: Path | None = None) -> bool:
    """Store ``parts`` at ``path`` under (magic, format, key); False (logged) if not written.

    Not written when the folder is refused (see :func:`trusted_dir`) or cannot be written: an
    unwritable cache only costs time.
    """
    if not trusted_dir(path.parent, root or path.parent):
        return False
    payload = b"".join(parts.values())
    header = {"magic": magic, "format": fmt, "key": key, "parts": [[n, len(b)] for n, b in parts.items()],
              "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    try:
        write_private_bytes(path, b"".join(
            (CONTAINER, b"\n", json.dumps(header, separators=(",", ":")).encode("ascii"), b"\n", payload)))
        return True
    except Exception as exc:  # noqa: BLE001 - an unwritable cache only costs time
        log.warning("could not write the cache entry %s: %s", path, exc)
        return False
