"""Atomic file output: write to a temp file beside the target, then rename over it.

A reader never sees a half-written file, and a failure (exception, interrupt) leaves the old file
untouched and no temp file behind. ``.gz`` targets are compressed.

Temp files of a run that is killed are not left to accumulate either. Every temp file goannot
writes carries its process id in its name (``.<target>.<pid>.tmp``, ``goannot-<what>-<pid>-*``) and
is registered while it exists (:func:`register_temp`): the handlers that :func:`install_cleanup`
sets up remove the registered files on SIGTERM, SIGHUP and at interpreter exit (SIGINT already
unwinds through the ``except`` blocks). What a ``kill -9`` or a power cut leaves behind is swept by
the next run that writes to the same place (:func:`sweep_stale_temps`): a temp file whose process
is gone is removed.
"""

from __future__ import annotations

import atexit
import contextlib
import gzip
import logging
import os
import re
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any, cast

__all__ = ["atomic_open", "atomic_write_text", "atomic_write_bytes", "register_temp", "unregister_temp",
           "sweep_stale_temps", "install_cleanup", "private_tempfile"]

log = logging.getLogger(__name__)


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
    sweep_stale_temps(target.parent, target.name)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    register_temp(tmp)
    try:
        raw = open(tmp, "wb")
    except BaseException:
        unregister_temp(tmp)
        raise
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
    finally:
        unregister_temp(tmp)


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


# --------------------------------------------------------------------------------------------------
# Temp files of killed runs

_live: set[str] = set()
_live_lock = threading.Lock()
#: ``.<target>.<pid>.tmp`` (atomic writes, cache entries) and ``.<target>.part-<pid>`` (downloads)
_DOT_TEMP = re.compile(r"^\.(?P<target>.+)\.(?:(?P<pid>\d+)\.tmp|part-(?P<pid2>\d+))$")
#: ``goannot-<what>-<pid>-<random><suffix>`` in the system temp folder (see :func:`private_tempfile`)
_SYS_TEMP = re.compile(r"^goannot-[a-z]+-(?P<pid>\d+)-")


def register_temp(path: str | Path) -> None:
    """Remember ``path`` as a temp file of this process, removed on SIGTERM/SIGHUP or at exit."""
    with _live_lock:
        _live.add(os.fspath(path))


def unregister_temp(path: str | Path) -> None:
    """Forget ``path`` (it was renamed into place or removed)."""
    with _live_lock:
        _live.discard(os.fspath(path))


def _remove_registered() -> None:
    with _live_lock:
        paths = list(_live)
        _live.clear()
    for p in paths:
        try:
            os.unlink(p)
        except OSError:
            pass


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's), or cannot tell: keep its files
    return True


def sweep_stale_temps(folder: str | Path, target: str | None = None) -> list[Path]:
    """Remove the temp files in ``folder`` whose writing process no longer exists; return them.

    Only goannot's own temp names are considered (see the module docstring), and with ``target``
    only the temp files of that target name. A process id reused by a live process keeps its file
    (it is removed by a later sweep). Never raises: sweeping is housekeeping.
    """
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = _DOT_TEMP.match(name)
        if m is not None:
            if target is not None and m.group("target") != target:
                continue
            pid = int(m.group("pid") or m.group("pid2"))
        else:
            s = _SYS_TEMP.match(name)
            if s is None or target is not None:
                continue
            pid = int(s.group("pid"))
        if _pid_alive(pid):
            continue
        path = Path(folder) / name
        try:
            if not path.is_symlink() and path.is_file():
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    if removed:
        log.info("removed %d temp file(s) left in %s by runs that were killed", len(removed), folder)
    return removed


def private_tempfile(what: str, suffix: str = "") -> tuple[int, str]:
    """``tempfile.mkstemp`` in the system temp folder, named ``goannot-<what>-<pid>-...``, registered.

    Returns (fd, path) like mkstemp. Stale files of dead processes with goannot names in the temp
    folder are swept first. ``what`` is lowercase letters (e.g. "findings").
    """
    if not what.isalpha() or not what.islower():
        raise ValueError(f"temp file kind must be lowercase letters, not {what!r}")
    sweep_stale_temps(tempfile.gettempdir())
    fd, path = tempfile.mkstemp(prefix=f"goannot-{what}-{os.getpid()}-", suffix=suffix)
    register_temp(path)
    return fd, path


_installed = False


def _on_signal(signum: int, frame: FrameType | None) -> None:
    _remove_registered()
    # Die of the same signal, as if no handler had been installed: the exit status stays honest.
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def install_cleanup() -> None:
    """Remove registered temp files at exit and on SIGTERM/SIGHUP (main thread only; idempotent).

    Meant for programs (the CLI calls it); a library user who installs own handlers can call
    :func:`sweep_stale_temps` instead. Signals whose handler is not the default are left alone.
    """
    global _installed
    if _installed:
        return
    _installed = True
    atexit.register(_remove_registered)
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, _on_signal)
