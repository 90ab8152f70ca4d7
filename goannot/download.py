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
* **Verified on every reuse.** Without ``force``, :func:`fetch` returns a cached file without any
  network access, after checking its bytes against the manifest's sha256 or, for a release the
  manifest does not pin, the sha256 recorded at its first download. A file that fails the check,
  or has no record to check against, is downloaded again: it is never reported as present.
* **Complete.** A transfer shorter than its ``Content-Length`` fails; a ``.gz`` file must be whole
  gzip members; without a ``Content-Length`` (a server that just closes the connection) the file
  must end with a complete line and parse (OBO: its last stanza has an id and a name; JSON: it
  loads; tables: the last line has as many columns as the one before) before it is installed.
* **Retried.** Connection failures, timeouts, truncated transfers and HTTP 408/429/5xx are retried
  up to ``retries`` times with exponential backoff (1, 2, 4 s..., or the server's ``Retry-After``
  up to 60 s). Other HTTP errors and checksum mismatches fail at once.
* **https only.** Manifest URLs are https; plain http is refused (also as a redirect target, so a
  redirect cannot downgrade a download), except to this machine (127.0.0.0/8, ::1, localhost) or
  with ``GOANNOT_ALLOW_HTTP=1`` for a trusted mirror.
* **Refresh is conditional.** ``fetch(force=True)`` sends the recorded ``ETag`` / ``Last-Modified``
  as ``If-None-Match`` / ``If-Modified-Since``; a ``304 Not Modified`` keeps the verified file.

A failed download raises a one-line :class:`~goannot.errors.DownloadError` saying what failed and
that nothing was written.

Why not pooch: it verifies a hash given in advance and retries, but it neither records the hash
of a first download to check later reuses, nor makes conditional requests, nor checks a transfer
for completeness before installing it, nor refuses an https-to-http redirect; wrapping it for
those would take the same code as this module plus requests as a dependency.

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
import ipaddress
import json
import logging
import os
import socket
import time
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
from .atomic import register_temp, sweep_stale_temps, unregister_temp
from .cachestore import make_private_dir, trusted_dir, write_private_bytes
from .sources import Source, cache_dir, content_hash, download_meta, get_source, locate, sha256_of

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
ALLOW_HTTP_ENV = "GOANNOT_ALLOW_HTTP"
"""Set to 1 to allow plain http to hosts other than this machine (a trusted mirror)."""

_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_MAX_WAIT = 60.0
_sleep = time.sleep  # tests replace it: they never wait for, or assert on, time

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
    """The sidecar, written atomically as a 0600 file (it is read back only if it is the user's own)."""
    write_private_bytes(target, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))


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
    retries: int = 3,
) -> DownloadResult:
    """Download ``url`` to ``dest`` atomically; return what was downloaded.

    ``sha256``, when given, must match or :class:`ChecksumError` is raised and ``dest`` is untouched.
    ``progress(done, total)`` is called after each block (``total`` is ``None`` without a
    ``Content-Length``). ``label`` names the download in messages (default: the file name). With
    ``record`` the :class:`DownloadResult` is also written to the sidecar ``<dest>.meta.json``.
    Transient failures are retried up to ``retries`` times (see the module docstring).

    Raises :class:`DownloadError` (one line) on network or HTTP failures and incomplete transfers;
    in every failure case the temporary file is removed and an existing ``dest`` is left unchanged.
    """
    result = _download(url, Path(dest), sha256=sha256, timeout=timeout, progress=progress, label=label,
                       record=record, retries=retries, validators=None)
    assert result is not None  # only a conditional request can come back "not modified"
    return result


class _Failure(Exception):
    """One attempt failed: ``reason`` for the message; ``retry`` if another attempt may succeed."""

    def __init__(self, reason: str, *, retry: bool, name_url: bool = True, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry, self.name_url, self.wait = reason, retry, name_url, wait


class _Refused(Exception):
    """A redirect to a URL that :func:`_insecure` refuses."""


def _insecure(url: str) -> str | None:
    """Why ``url`` must not be fetched (plain http to another machine, an unknown scheme), or None."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("https", "file"):
        return None
    if scheme != "http":
        return f"unsupported URL scheme {scheme!r} (use https)"
    host = (parts.hostname or "").lower()
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if local or os.environ.get(ALLOW_HTTP_ENV) == "1":
        return None
    return f"refusing plain http to {host}: use https (or set {ALLOW_HTTP_ENV}=1 for a trusted mirror)"


class _SafeRedirect(urllib.request.HTTPRedirectHandler):
    """Follows redirects, but not to a URL :func:`_insecure` refuses (no https-to-http downgrade)."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        problem = _insecure(urllib.parse.urljoin(req.full_url, newurl))
        if problem:
            raise _Refused(f"redirected to {newurl}: {problem}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if value and value.strip().isdigit():
        return min(float(value.strip()), _MAX_WAIT)
    return None


def _incomplete(path: Path, name: str) -> str | None:
    """Why a file received without a ``Content-Length`` looks cut short, or None (see the module docstring)."""
    size = path.stat().st_size
    if size == 0:
        return "the transfer is empty"
    lower = name.lower()
    if lower.endswith(".json"):
        try:
            with open(path, "rb") as fh:
                json.load(fh)
        except ValueError as exc:
            return f"the JSON is incomplete (transfer cut short?): {_one_line(exc)}"
        return None
    with open(path, "rb") as fh:
        fh.seek(max(0, size - (1 << 16)))
        tail = fh.read()
    if not tail.endswith(b"\n"):
        return "the file ends mid-line (transfer cut short?)"
    if lower.endswith(".obo"):
        cut = tail.rfind(b"\n[")
        stanza = tail[cut + 1:] if cut >= 0 else b""
        if stanza and (b"\nid:" not in stanza or b"\nname:" not in stanza):
            return "its last OBO stanza has no id or name (transfer cut short?)"
        from .errors import GoannotError
        from .obo import read_obo

        try:
            read_obo(path)
        except (GoannotError, UnicodeDecodeError) as exc:
            return f"it does not parse as OBO: {_one_line(exc)}"
        return None
    rows = [line for line in tail.split(b"\n")[:-1] if line and not line.startswith((b"!", b"#"))][-2:]
    if len(rows) == 2 and rows[0].count(b"\t") != rows[1].count(b"\t"):
        return "its last line has another number of columns than the one before (transfer cut short?)"
    return None


_Got = tuple[str, int, str, "str | None", "str | None"]  # final URL, size, sha256, ETag, Last-Modified


def _transfer(url: str, tmp: Path, name: str, timeout: float, progress: Progress | None,
              validators: dict[str, str] | None) -> _Got | None:
    """One attempt: stream ``url`` into ``tmp`` and check it is whole; None for "304 Not Modified"."""
    request = urllib.request.Request(
        url, headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity", **(validators or {})})
    digest = hashlib.sha256()
    size = 0
    gz = _GzipCheck() if name.endswith(".gz") else None
    try:
        response = urllib.request.build_opener(_SafeRedirect).open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304 and validators:
            return None
        raise _Failure(f"HTTP {exc.code} {_one_line(exc.reason)} for {exc.url or url}", retry=exc.code in _RETRY_STATUS,
                       name_url=False, wait=_retry_after(exc.headers)) from None
    except _Refused as exc:
        raise _Failure(str(exc), retry=False) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise _Failure(_reason(exc, timeout), retry=True) from None
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
            raise _Failure(_reason(exc, timeout), retry=True) from None
        except zlib.error as exc:
            raise _Failure(f"not valid gzip data: {_one_line(exc)}", retry=False) from None
    if total is not None and size != total:
        raise _Failure(f"transfer truncated: got {size} of {total} bytes", retry=True)
    if gz is not None and (problem := gz.problem()):
        raise _Failure(problem, retry=True)
    if total is None and gz is None and (problem := _incomplete(tmp, name)):
        raise _Failure(problem, retry=True)
    return final_url, size, digest.hexdigest(), etag, last_modified


def _download(url: str, dest: Path, *, sha256: str | None, timeout: float, progress: Progress | None,
              label: str | None, record: bool, retries: int,
              validators: dict[str, str] | None) -> DownloadResult | None:
    """:func:`download`, with conditional request headers; None when the server says 304 Not Modified."""
    what = label or dest.name
    folder = dest.parent
    created_folder = not folder.exists()
    kept = f"the existing {dest} is unchanged" if dest.exists() else "nothing was written"

    def fail(reason: str, *, name_url: bool = True) -> DownloadError:
        where = f" from {url}" if name_url else ""
        return DownloadError(f"cannot download {what}{where}: {reason} — {kept}")

    if problem := _insecure(url):
        raise fail(problem)
    if folder.resolve().is_relative_to(cache_dir().resolve()):
        make_private_dir(folder)  # the cache is private (0700); a folder the caller named follows the umask
    else:
        folder.mkdir(parents=True, exist_ok=True)
    sweep_stale_temps(folder, dest.name)
    tmp = folder / f".{dest.name}.part-{os.getpid()}"
    register_temp(tmp)
    log.info("downloading %s from %s", what, url)
    try:
        attempt = 0
        while True:
            try:
                got = _transfer(url, tmp, dest.name, timeout, progress, validators)
                break
            except _Failure as exc:
                if not exc.retry or attempt >= retries:
                    raise fail(exc.reason, name_url=exc.name_url) from None
                wait = exc.wait if exc.wait is not None else min(2.0 ** attempt, _MAX_WAIT)
                attempt += 1
                log.warning("%s: %s; retrying in %g s (%d of %d)", what, exc.reason, wait, attempt, retries)
                _sleep(wait)
        if got is None:
            _unlink_quietly(tmp)
            return None
        final_url, size, actual, etag, last_modified = got
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
    finally:
        unregister_temp(tmp)
    if record:
        try:
            _write_json_atomic(meta, result.to_json())
        except OSError as exc:  # the data file is fine; only provenance is missing
            log.warning("could not write %s: %s", meta, exc)
    log.info("%s: %d bytes, sha256 %s%s", what, size, actual, " (verified)" if sha256 else "")
    return result


def _reusable(src: Source, dest: Path) -> bool:
    """Whether the cached ``dest`` has the bytes it should (manifest sha256, else the one recorded)."""
    expected = src.sha256 or (meta["sha256"] if (meta := download_meta(dest)) else None)
    if expected is None:
        log.warning("cached %s has no download record to check it against; downloading it again", dest)
        return False
    actual = sha256_of(dest)
    if actual != expected:
        log.warning("cached %s has sha256 %s, %s %s; downloading it again", dest, actual,
                    "the manifest says" if src.sha256 else "it was downloaded with", expected)
        return False
    return True


def fetch(
    source: Source | str,
    *,
    force: bool = False,
    timeout: float = 60.0,
    url: str | None = None,
    progress: Progress | None = None,
    retries: int = 3,
) -> Path:
    """Make ``source`` available locally and return its path.

    A bundled source is returned as :func:`~goannot.sources.locate` finds it (nothing to download).
    An online source is downloaded into ``cache_dir()/"sources"/<name>/<filename>`` unless it is
    already there: without ``force`` a cached file is returned without network access, provided its
    sha256 matches the manifest's or, where the manifest has none, the one recorded at its download
    (otherwise it is downloaded again). With ``force`` a verified cached file is refreshed with a
    conditional request (``ETag`` / ``Last-Modified``) and kept if the server says it is unchanged.
    ``url`` overrides the manifest URL (and ``$GOANNOT_MIRROR``), e.g. to use a local copy or server.
    """
    src = get_source(source) if isinstance(source, str) else source
    if src.is_bundled:
        path = locate(src)
        log.info("%s is bundled with the package (%s); nothing to download", src.name, path)
        return path
    assert src.url is not None  # online sources always have one (checked when the manifest is read)
    dest = destination(src)
    if not trusted_dir(dest.parent, cache_dir()):
        raise DownloadError(f"cannot download {src.name}: {dest.parent} is not safely yours (see the warning "
                            "above); nothing was written")
    validators: dict[str, str] | None = None
    if dest.is_file() and _reusable(src, dest):
        if not force:
            log.info("%s already downloaded and verified: %s", src.name, dest)
            return dest
        meta = download_meta(dest) or {}
        validators = {h: str(meta[k]) for h, k in (("If-None-Match", "etag"), ("If-Modified-Since", "last_modified"))
                      if meta.get(k)} or None
    target = url if url is not None else mirror_url(src.url)
    got = _download(target, dest, sha256=src.sha256, timeout=timeout, progress=progress, label=src.name,
                    record=True, retries=retries, validators=validators)
    if got is None:
        log.info("%s is unchanged on the server; keeping %s", src.name, dest)
    return dest


def download_record(source: Source | str | Path) -> DownloadResult | None:
    """The recorded provenance of a downloaded file (a source, or a path), or ``None`` if unknown.

    The sidecar is ignored when its size disagrees with the file, so a stale record is never reported.
    """
    path = source if isinstance(source, Path) else destination(source)
    data = download_meta(path)
    if data is None:
        return None
    try:
        return DownloadResult(
            path=path, sha256=str(data["sha256"]), size=int(data["size"]), url=str(data["url"]),
            final_url=str(data.get("final_url") or data["url"]), etag=data.get("etag"),
            last_modified=data.get("last_modified"), downloaded_at=str(data.get("downloaded_at", "")),
            source=data.get("source"))
    except (ValueError, KeyError, TypeError):
        return None
