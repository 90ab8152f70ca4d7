"""``load_ontology``: from a path or a manifest name to an :class:`~goannot.ontology.Ontology`.

The compiled cache (:mod:`goannot.cache`) makes every load after the first one cheap; the cache key
is the sha256 of the source file, which :func:`goannot.sources.content_hash` remembers per
(path, size, mtime) so a warm load does not re-hash 34 MB either.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from . import cache as _cache
from ._compressed import read_head
from .errors import ChecksumError, OboParseError, UnknownSourceError
from .obo import read_obo
from .obograph import read_obograph
from .ontology import Ontology, Provenance
from .sources import (Source, cache_dir, content_hash, default_ontology_name, expected_sha256, forget_hash,
                      get_source, known_hash, locate, manifest, sha256_of)

__all__ = ["load_ontology", "detect_ontology_format"]

log = logging.getLogger(__name__)


def detect_ontology_format(path: Path) -> str:
    """'obojson' for OBO-Graphs JSON, else 'obo' (by the first non-blank byte; gzip, bzip2, xz looked into)."""
    start = read_head(path, 4096, OboParseError).lstrip()
    return "obojson" if start[:1] == b"{" else "obo"


def _resolve_source(source: str | Path | None) -> tuple[Path, Source | None]:
    if source is None:
        src = get_source(default_ontology_name())
        return locate(src, verify=False), src
    if isinstance(source, Path) or Path(source).exists():
        path = Path(source)
        if path.is_dir():
            raise OboParseError(path, None, "is a directory; expected an OBO or OBO-Graphs JSON file")
        if not path.exists():
            raise UnknownSourceError(f"{path}: no such ontology file")
        return path, None
    if str(source) in manifest():
        src = get_source(str(source))
        if src.kind != "ontology":
            raise UnknownSourceError(f"{source!r} is an annotation source, not an ontology")
        return locate(src, verify=False), src
    raise UnknownSourceError(
        f"{source!r} is neither a file nor a known ontology source; known: "
        + ", ".join(n for n, s in manifest().items() if s.kind == "ontology"))


def load_ontology(source: str | Path | None = None, *, use_cache: bool = True,
                  cache_root: Path | None = None) -> Ontology:
    """Load an ontology: ``None`` = the bundled GO release, a manifest name, or a path.

    Paths may be OBO or OBO-Graphs JSON (``go-basic.json``), plain or gzip/bzip2/xz-compressed; any OBO
    ontology works, not only GO. Bundled and manifest files are sha256-verified. With ``use_cache``
    the compiled index is read from / written to ``cache_root`` (default: :func:`goannot.sources.cache_dir`).
    """
    path, src = _resolve_source(source)
    root = cache_root or cache_dir()
    digest = known_hash(path)
    hashing: Future[str] | None = None
    pool: ThreadPoolExecutor | None = None
    if digest is None:
        # First sight of this file version: hash it in a thread while the main thread parses
        # (hashlib releases the GIL); a file never hashed has no cache entry to look for.
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="goannot-hash")
        hashing = pool.submit(content_hash, path)
    else:
        digest = _verify_remembered(src, path, digest)
    if digest is not None and use_cache:
        size = path.stat().st_size
        try:
            cached = _cache.read_cache(root, digest, source_size=size)
        except _cache.ForeignEntry as exc:
            log.warning("%s: the remembered hash of %s is wrong; hashing the file again", exc, path)
            digest = _verify_remembered(src, path, _rehash(path))
            try:
                cached = _cache.read_cache(root, digest, source_size=size)
            except _cache.ForeignEntry:
                cached = None
        if cached is not None:
            log.debug("ontology %s read from the compiled cache", path)
            cached.attach_closure_store(_cache.FileClosureStore(root, digest))
            return cached
    try:
        fmt = (src.format if src else None) or detect_ontology_format(path)
        onto = _parse(path, src, fmt, hashing.result if hashing is not None else (lambda: digest))
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    digest = onto.provenance.sha256
    assert digest is not None
    log.info("loaded %d terms from %s (data-version %s)", len(onto), path, onto.data_version)
    if use_cache:
        _cache.write_cache(onto, root, digest, source_size=path.stat().st_size)
        onto.attach_closure_store(_cache.FileClosureStore(root, digest))
    return onto


def _verify(src: Source | None, path: Path, digest: str) -> None:
    """Raise :class:`ChecksumError` when a manifest source's bytes are not the ones it names.

    For a download the manifest does not pin, that is the sha256 recorded when it was downloaded.
    """
    expected = expected_sha256(src, path) if src is not None else None
    if expected and digest != expected:
        raise ChecksumError(path, expected, digest)


def _rehash(path: Path) -> str:
    """The sha256 of ``path`` computed afresh, replacing a remembered one that was found wrong."""
    forget_hash(path)
    return content_hash(path)


def _verify_remembered(src: Source | None, path: Path, digest: str) -> str:
    """:func:`_verify` for a remembered hash: one that disagrees with the manifest is recomputed first.

    The remembered hashes (``hashes.json``) are a speed-up, not evidence: a wrong one must neither
    pass a file nor fail a good one.
    """
    expected = expected_sha256(src, path) if src is not None else None
    if expected and digest != expected:
        actual = sha256_of(path)
        if actual != digest:
            log.warning("the remembered hash of %s was wrong; it is hashed again", path)
            digest = _rehash(path)
    _verify(src, path, digest)
    return digest


def _parse(path: Path, src: Source | None, fmt: str, digest: Callable[[], str | None]) -> Ontology:
    """Parse and index ``path``; ``digest`` gives its sha256 once parsed (it may still be computing)."""
    enabled = gc.isenabled()
    gc.disable()  # ~10^6 acyclic objects are built here; the cyclic GC would rescan them repeatedly
    try:
        doc = read_obograph(path) if fmt == "obojson" else read_obo(path)
        sha = digest()  # hashing ran beside the parse and is done by now; verify before indexing
        if sha is not None:
            _verify(src, path, sha)
        prov = Provenance(path=str(path), sha256=sha, source_name=src.name if src else None, format=fmt)
        onto = Ontology.from_document(doc, prov)
        del doc
    finally:
        if enabled:
            gc.enable()
    return onto
