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

:class:`AtomicFiles` does the same for several outputs of one run (``validate --fix --rejects --log
--report``): all are written to temp files first and renamed into place together only when every
one was written; otherwise none is. New files get the permissions the umask allows (0666 & ~umask).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import gzip
import io
import logging
import os
import re
import secrets
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any, cast

from .errors import OutputError, UsageError

__all__ = ["atomic_open", "atomic_write_text", "atomic_write_bytes", "atomic_text", "AtomicFiles", "os_reason",
           "register_temp", "unregister_temp", "sweep_stale_temps", "install_cleanup", "private_tempfile"]

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
        try:
            raw.close()  # flushing may fail again (disk still full): the temp file goes all the same
        except OSError:
            pass
        finally:
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


# -- several outputs, committed together -----------------------------------------------------------


def os_reason(exc: OSError) -> str:
    """What stood in the way, in the system's words ("No space left on device"), without the errno prefix."""
    if exc.errno is not None:
        return os.strerror(exc.errno)
    return str(exc) or type(exc).__name__


def _check_target(target: Path) -> None:
    """Refuse a target that cannot become a file before anything is written (a clear error, not a traceback)."""
    parent = target.parent
    if target.is_dir():
        raise OutputError(target, "is a directory", errno.EISDIR)
    if not parent.exists():
        raise OutputError(target, f"directory {parent} does not exist", errno.ENOENT)
    if not parent.is_dir():
        raise OutputError(target, f"{parent} is not a directory", errno.ENOTDIR)


class _Temp:
    """One output being written: its target, the temp file beside it, and the streams over that file."""

    def __init__(self, target: Path) -> None:
        _check_target(target)
        self.target = target
        sweep_stale_temps(target.parent, target.name)
        # ``.<name>.<pid>.tmp`` first: the name the signal handlers and the next run's sweep know
        names = iter([f".{target.name}.{os.getpid()}.tmp"])
        while True:
            tmp = target.with_name(next(names, f".{target.name}.{secrets.token_hex(4)}.tmp"))
            try:
                # 0o666: the umask decides the permissions, as for any file a program creates.
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            except FileExistsError:
                continue
            except OSError as exc:
                raise OutputError(target, f"cannot create a file in {target.parent}: {os_reason(exc)}",
                                  exc.errno) from exc
            break
        register_temp(tmp)
        self.tmp = tmp
        self.raw: IO[bytes] = os.fdopen(fd, "wb")
        self.gz: gzip.GzipFile | None = None
        self.stream: IO[bytes] = self.raw
        if target.name.endswith(".gz"):
            self.gz = gzip.GzipFile(filename=target.name[:-3], mode="wb", fileobj=self.raw, compresslevel=6,
                                    mtime=0)
            self.stream = cast(IO[bytes], self.gz)
        self.text: io.TextIOWrapper | None = None

    def finish(self) -> None:
        """Flush everything down to the disk (the data is durable before any rename)."""
        if self.text is not None:
            self.text.flush()
            self.text.detach()
            self.text = None
        if self.gz is not None:
            self.gz.close()
        self.raw.flush()
        os.fsync(self.raw.fileno())
        self.raw.close()

    def discard(self) -> None:
        """Close without caring whether the last flush works (the disk may still be full); remove the temp."""
        for close in (self.gz.close if self.gz is not None else None, self.raw.close):
            if close is None:
                continue
            try:
                close()
            except (OSError, ValueError):
                pass
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass
        unregister_temp(self.tmp)


class AtomicFiles:
    """Outputs written side by side and committed together: all of them, or none (see the module docstring).

    ``targets`` maps a label ("fix", "report", ...) to a path (``None``: not wanted). Every target is
    checked, and its temp file created, up front, before any work: a missing directory, a directory in
    the way or an unwritable directory raises :class:`~goannot.errors.OutputError`, and two labels
    naming the same file raise :class:`~goannot.errors.UsageError`. Write with :meth:`write` or
    through :meth:`text`; :meth:`commit` renames every temp file over its target; :meth:`abort` (also
    on leaving a ``with`` block by an exception) removes them and leaves the targets as they were.

    A failure while renaming puts back the files already renamed (previous content restored through a
    hard link, new files removed). Not covered: the machine going down between the renames.
    """

    def __init__(self, targets: dict[str, str | Path | None]) -> None:
        given = {label: Path(p) for label, p in targets.items() if p is not None}
        seen: dict[str, str] = {}
        for label, target in given.items():
            key = os.path.realpath(target)
            if key in seen:
                raise UsageError(f"the {seen[key]} and {label} outputs are the same file ({target}): "
                                 "give each output its own path")
            seen[key] = label
        self._files: dict[str, _Temp] = {}
        try:
            for label, target in given.items():
                self._files[label] = _Temp(target)
        except BaseException:
            self.abort()
            raise

    def __contains__(self, label: object) -> bool:
        return label in self._files

    def __enter__(self) -> AtomicFiles:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if exc is not None:
            self.abort()

    def path(self, label: str) -> Path:
        """The target of ``label``."""
        return self._files[label].target

    @contextlib.contextmanager
    def guard(self, label: str) -> Iterator[None]:
        """Turn an :class:`OSError` raised in the block (a full disk...) into an OutputError naming ``label``'s file."""
        try:
            yield
        except OSError as exc:
            raise OutputError(self._files[label].target, os_reason(exc), exc.errno) from exc

    def write(self, label: str, data: bytes) -> None:
        """Append ``data`` to ``label``'s output."""
        with self.guard(label):
            self._files[label].stream.write(data)

    def text(self, label: str) -> IO[str]:
        """A UTF-8 text stream (``\\n`` line ends) onto ``label``'s output; write inside :meth:`guard`."""
        f = self._files[label]
        if f.text is None:
            f.text = io.TextIOWrapper(cast(io.BufferedWriter, f.stream), encoding="utf-8", newline="\n")
        return f.text

    def commit(self) -> dict[str, str]:
        """Make every output durable, then rename each over its target; returns label -> path written."""
        try:
            for label, f in self._files.items():
                with self.guard(label):
                    f.finish()
            self._rename_all()
        except BaseException:
            self.abort()
            raise
        done = {label: str(f.target) for label, f in self._files.items()}
        for f in self._files.values():
            unregister_temp(f.tmp)
        self._files = {}
        return done

    def _rename_all(self) -> None:
        backups: list[tuple[Path, str | None]] = []  # (target, hard link to its old content or None: new file)
        try:
            for label, f in self._files.items():
                backup: str | None = None
                if f.target.exists():
                    backup = f"{f.tmp}.old"
                    try:
                        os.link(f.target, backup)
                    except OSError:  # no hard links here: this target cannot be put back
                        backup = None
                with self.guard(label):
                    os.replace(f.tmp, f.target)
                backups.append((f.target, backup))
        except BaseException:
            for target, backup in reversed(backups):
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, target)
                    else:
                        os.unlink(target)
            raise
        finally:
            for f in self._files.values():
                with contextlib.suppress(OSError):
                    os.unlink(f"{f.tmp}.old")

    def abort(self) -> None:
        """Remove every temp file; the targets stay as they were. Never raises."""
        for f in self._files.values():
            f.discard()
        self._files = {}


@contextlib.contextmanager
def atomic_text(path: str | Path) -> Iterator[IO[str]]:
    """A UTF-8 text file (``\\n`` line ends) that replaces ``path`` only if the block completes.

    Unlike :func:`atomic_open` it creates no directories: a missing one is an
    :class:`~goannot.errors.OutputError`, as is a full disk (the message names ``path``).
    """
    files = AtomicFiles({"out": path})
    try:
        with files.guard("out"):
            yield files.text("out")
        files.commit()
    except BaseException:
        files.abort()
        raise
