"""Downloading the manifest's online sources into the user cache, atomically and verifiably.

:func:`fetch` puts an online source where :func:`goannot.sources.locate` looks for it,
``cache_dir()/"sources"/<name>/<filename>``; :func:`download` is the building block it uses.

Guarantees, because a half-written GO release or GAF would fail much later and far from the cause:

* **Atomic.** Bytes are streamed into ``.<filename>.part-<pid>`` in the destination folder, fsynced,
  verified, and only then renamed over the destination with :func:`os.replace`. On *any* failure
  (HTTP error, timeout, a transfer shorter than its ``Content-Length``, a ``.gz`` file whose gzip
  stream is incomplete, a sha256 mismatch, ``KeyboardInterrupt``) the temporary file is removed and an
  existing file is left as it was.
* **Verified.** When the manifest knows a source's sha256 a mismatch raises
  :class:`~goannot.errors.ChecksumError` and nothing is installed. Online releases change, so usually
  the sha256 is unknown: then the digest seen, the URL, size, date and the HTTP validators (``ETag``,
  ``Last-Modified``) are recorded in a sidecar ``<filename>.meta.json`` (also written atomically), which
  :func:`download_record` reads back so that results can say which download they were computed from.
* **Offline-friendly.** Without ``force``, :func:`fetch` returns a cached file without any network
  access (after checking it when the sha256 is known). A failed download raises a one-line
  :class:`~goannot.errors.DownloadError` saying what failed and that nothing was written.

Environment:

``GOANNOT_MIRROR``
    A base URL that replaces the scheme and host of manifest URLs, for sites behind a proxy or with a
    local mirror: with ``GOANNOT_MIRROR=https://mirror.example.org/go`` the manifest URL
    ``http://purl.obolibrary.org/obo/go/go-basic.obo`` is fetched from
    ``https://mirror.example.org/go/obo/go/go-basic.obo``. An explicit ``url=`` given to :func:`fetch`
    takes precedence over both.

``timeout`` is urllib's per-operation socket timeout (connecting, and each read), not a bound on the
whole transfer: a slow but progressing download of a large GAF is not cut off. Redirects (PURLs
redirect) are followed by urllib.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import logging
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import ChecksumError, DownloadError
from .sources import Source, cache_dir, content_hash, get_source, locate

__all__ = [
    "MIRROR_ENV",
    "DownloadResult",
    "download",
    "fetch",
    "destination",
    "mirror_url",
    "download_record",
]

log = logging.getLogger(__name__)

MIRROR_ENV = "GOANNOT_MIRROR"
"""Name of the environment variable holding a mirror base URL (see the module docstring)."""

_CHUNK = 1 << 16
_META_SUFFIX = ".meta.json"
_USER_AGENT = "goannot (+https://github.com/goannot)"

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class DownloadResult:
    """What one successful download produced, as recorded in the ``.meta.json`` sidecar.

    ``url`` is the URL requested, ``final_url`` the one that answered after redirects; ``etag`` and
    ``last_modified`` are the server's validators (``None`` when it sent none); ``downloaded_at`` is an
    ISO-8601 UTC timestamp.
    """

    path: Path
    sha256: str
    size: int
    url: str
    final_url: str
    etag: str | None
    last_modified: str | None
    downloaded_at: str
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The sidecar's content (the path is implied by the sidecar's location, so it is left out)."""
        return {
            "source": self.source, "sha256": self.sha256, "size": self.size, "url": self.url,
            "final_url": self.final_url, "etag": self.etag, "last_modified": self.last_modified,
            "downloaded_at": self.downloaded_at,
        }


# ---------------------------------------------------------------------------------------------------
# helpers


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + _META_SUFFIX)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); harmless where directories cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_json_atomic(target: Path, data: dict[str, Any]) -> None:
    tmp = target.with_name(f".{target.name}.part-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        _unlink_quietly(tmp)
        raise


class _GzipCheck:
    """Incremental check that a byte stream is one or more *complete* gzip members.

    Fed while downloading, so a truncated ``.gz`` is caught without reading the file a second time.
    Zero padding after a member is accepted, as :mod:`gzip` does.
    """

    def __init__(self) -> None:
        self._d: Any = None  # zlib's Decompress type is not public
        self._members = 0

    def feed(self, data: bytes) -> None:
        while data:
            if self._d is None:
                if self._members:
                    data = data.lstrip(b"\0")
                    if not data:
                        return
                self._d = zlib.decompressobj(wbits=31)
            self._d.decompress(data)  # output discarded; only completeness matters
            if not self._d.eof:
                return
            self._members += 1
            data = self._d.unused_data
            self._d = None

    def problem(self) -> str | None:
        """``None`` when the stream ended at the end of a gzip member, else what is wrong."""
        if self._d is not None:
            return "the gzip stream is incomplete (transfer truncated?)"
        if self._members == 0:
            return "the file is empty, not gzip data"
        return None


def _reason(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        inner = exc.reason
        if isinstance(inner, (TimeoutError, socket.timeout)):
            return f"timed out after {timeout:g} s (no network?)"
        return f"{_one_line(inner)} (no network?)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"timed out after {timeout:g} s (no network?)"
    if isinstance(exc, http.client.IncompleteRead):
        return f"transfer truncated after {len(exc.partial)} bytes of a chunk"
    if isinstance(exc, (ConnectionError, http.client.HTTPException)):
        return f"connection lost: {_one_line(exc) or type(exc).__name__}"
    return _one_line(exc) or type(exc).__name__


# ---------------------------------------------------------------------------------------------------
# public API


def mirror_url(url: str, mirror: str | None = None) -> str:
    """``url`` with its scheme and host replaced by the ``mirror`` base URL (default ``$GOANNOT_MIRROR``).

    The mirror's own path is prefixed to the URL's path; the query is kept. Without a mirror the URL
    is returned unchanged.
    """
    base = mirror if mirror is not None else os.environ.get(MIRROR_ENV, "")
    if not base:
        return url
    parts = urllib.parse.urlsplit(url)
    rest = urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))
    return base.rstrip("/") + "/" + rest.lstrip("/")


def destination(source: Source | str) -> Path:
    """Where :func:`fetch` installs an online source: the path :func:`goannot.sources.locate` expects."""
    src = get_source(source) if isinstance(source, str) else source
    return cache_dir() / "sources" / src.name / src.filename


def download(
    url: str,
    dest: Path,
    *,
    sha256: str | None = None,
    timeout: float = 60.0,
    progress: Progress | None = None,
    label: str | None = None,
    record: bool = True,
) -> DownloadResult:
    """Download ``url`` to ``dest`` atomically; return what was downloaded.

    ``sha256``, when given, must match or :class:`ChecksumError` is raised and ``dest`` is untouched.
    ``progress(done, total)`` is called after each block (``total`` is ``None`` without a
    ``Content-Length``). ``label`` names the download in messages (default: the file name). With
    ``record`` the :class:`DownloadResult` is also written to the sidecar ``<dest>.meta.json``.

    Raises :class:`DownloadError` (one line) on network or HTTP failures and incomplete transfers;
    in every failure case the temporary file is removed and an existing ``dest`` is left unchanged.
    """
    dest = Path(dest)
    what = label or dest.name
    folder = dest.parent
    created_folder = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{dest.name}.part-{os.getpid()}"
    kept = f"the existing {dest} is unchanged" if dest.exists() else "nothing was written"

    def fail(reason: str, *, name_url: bool = True) -> DownloadError:
        where = f" from {url}" if name_url else ""
        return DownloadError(f"cannot download {what}{where}: {reason} — {kept}")

    request = urllib.request.Request(
        url, headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"})
    digest = hashlib.sha256()
    size = 0
    gz = _GzipCheck() if dest.name.endswith(".gz") else None
    log.info("downloading %s from %s", what, url)
    try:
        try:
            response = urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise fail(f"HTTP {exc.code} {_one_line(exc.reason)} for {exc.url or url}", name_url=False) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise fail(_reason(exc, timeout)) from None
        with response:
            final_url = response.geturl()
            header_length = response.headers.get("Content-Length")
            total = int(header_length) if header_length and header_length.isdigit() else None
            etag = response.headers.get("ETag")
            last_modified = response.headers.get("Last-Modified")
            try:
                with open(tmp, "wb") as out:
                    while block := response.read(_CHUNK):
                        out.write(block)
                        digest.update(block)
                        size += len(block)
                        if gz is not None:
                            gz.feed(block)
                        if progress is not None:
                            progress(size, total)
                    out.flush()
                    os.fsync(out.fileno())
            except (OSError, http.client.HTTPException) as exc:
                if isinstance(exc, OSError) and not isinstance(exc, (TimeoutError, ConnectionError)):
                    raise  # a local write error (disk full, permissions): let it say so itself
                raise fail(_reason(exc, timeout)) from None
            except zlib.error as exc:
                raise fail(f"not valid gzip data: {_one_line(exc)}") from None
        if total is not None and size != total:
            raise fail(f"transfer truncated: got {size} of {total} bytes")
        if gz is not None and (problem := gz.problem()):
            raise fail(problem)
        actual = digest.hexdigest()
        if sha256 and actual != sha256.lower():
            raise ChecksumError(dest, sha256, actual)
        result = DownloadResult(
            path=dest, sha256=actual, size=size, url=url, final_url=final_url, etag=etag,
            last_modified=last_modified, downloaded_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            source=label)
        meta = _meta_path(dest)
        if record:
            _unlink_quietly(meta)  # never leave a sidecar that describes the file being replaced
        os.replace(tmp, dest)
        _fsync_dir(folder)
    except BaseException:
        _unlink_quietly(tmp)
        if created_folder:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty
        raise
    if record:
        try:
            _write_json_atomic(meta, result.to_json())
        except OSError as exc:  # the data file is fine; only provenance is missing
            log.warning("could not write %s: %s", meta, exc)
    log.info("%s: %d bytes, sha256 %s%s", what, size, actual, " (verified)" if sha256 else "")
    return result


def fetch(
    source: Source | str,
    *,
    force: bool = False,
    timeout: float = 60.0,
    url: str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Make ``source`` available locally and return its path.

    A bundled source is returned as :func:`~goannot.sources.locate` finds it (nothing to download).
    An online source is downloaded into ``cache_dir()/"sources"/<name>/<filename>`` unless it is
    already there: without ``force`` a cached file is returned without network access, provided it
    matches the manifest's sha256 when one is known (a mismatching cached file is downloaded again).
    ``url`` overrides the manifest URL (and ``$GOANNOT_MIRROR``), e.g. to use a local copy or server.
    """
    src = get_source(source) if isinstance(source, str) else source
    if src.is_bundled:
        path = locate(src)
        log.info("%s is bundled with the package (%s); nothing to download", src.name, path)
        return path
    assert src.url is not None  # online sources always have one (checked when the manifest is read)
    dest = destination(src)
    if not force and dest.is_file():
        if not src.sha256:
            log.info("%s already downloaded: %s", src.name, dest)
            return dest
        actual = content_hash(dest)
        if actual == src.sha256:
            log.info("%s already downloaded and verified: %s", src.name, dest)
            return dest
        log.warning("cached %s has sha256 %s, the manifest says %s; downloading it again",
                    dest, actual, src.sha256)
    target = url if url is not None else mirror_url(src.url)
    download(target, dest, sha256=src.sha256, timeout=timeout, progress=progress, label=src.name)
    return dest


def download_record(source: Source | str | Path) -> DownloadResult | None:
    """The recorded provenance of a downloaded file (a source, or a path), or ``None`` if unknown.

    The sidecar is ignored when its size disagrees with the file, so a stale record is never reported.
    """
    path = source if isinstance(source, Path) else destination(source)
    try:
        data = json.loads(_meta_path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("size") != path.stat().st_size:
            return None
        return DownloadResult(
            path=path, sha256=str(data["sha256"]), size=int(data["size"]), url=str(data["url"]),
            final_url=str(data.get("final_url") or data["url"]), etag=data.get("etag"),
            last_modified=data.get("last_modified"), downloaded_at=str(data.get("downloaded_at", "")),
            source=data.get("source"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
