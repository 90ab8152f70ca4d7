"""The compiled ontology cache: a parsed and indexed ontology stored under its source's sha256.

Parsing go.obo costs ~0.5 s; reading the compiled form costs a few tens of milliseconds. Entries are
named after the sha256 of the source file's bytes and goannot's cache format version, so a changed
source (or a new goannot) never reads a stale entry.

An entry holds data only, in the container of :mod:`goannot.cachestore`: numpy ``.npy`` arrays
(read with ``allow_pickle=False``), separator-packed UTF-8 string columns and JSON for the small
tables. Nothing in it can run code. Each file carries the sha256 of its payload and the key of its
source; one that is not the user's own, was altered (a single flipped bit), or belongs to another
source is refused with a warning and rebuilt, never trusted.
"""

from __future__ import annotations

import codecs
import dataclasses
import gc
import io
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .cachestore import read_entry, trusted_dir, write_entry
from .errors import DataSourceError
from .ontology import _SEP, TEXT_FIELDS, Ontology, Provenance, _State

__all__ = ["CACHE_FORMAT", "cache_path", "texts_path", "read_cache", "write_cache", "FileClosureStore",
           "ForeignEntry"]

log = logging.getLogger(__name__)

#: Bumped whenever the stored state changes shape.
CACHE_FORMAT = 5
_MAGIC = "goannot-ontology-cache"
_TEXTS_MAGIC = "goannot-ontology-texts"
_CLOSURE_MAGIC = "goannot-closure"
_HEX = frozenset("0123456789abcdef")

_ARRAYS = ("obsolete", "syn_term", "syn_scope", "xref_term", "edge_child", "edge_parent", "edge_rel")
_STRINGS = ("ids", "names")                       # one string per term: packed
_TUPLE_MAPS = ("replaced_by", "consider", "subsets")
_TUPLE_LISTS = ("dangling", "alt_collisions")
_PLAIN = ("alt", "rel_names", "header", "typedefs", "subset_defs")


class ForeignEntry(ValueError):
    """A sound cache entry that was built from a source of another size: the key that led to it lied."""


def _check_key(sha256: str) -> str:
    """The key, if it is a sha256 in hex: a key never becomes a path of its own choosing."""
    if len(sha256) != 64 or not _HEX.issuperset(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return sha256


def cache_path(root: Path, sha256: str) -> Path:
    """Where the compiled form of the file with this sha256 lives."""
    return root / "ontologies" / f"{_check_key(sha256)}.v{CACHE_FORMAT}.core"


def texts_path(root: Path, sha256: str) -> Path:
    """Where the bulky text columns (definitions, synonyms, xrefs) of that entry live."""
    return root / "ontologies" / f"{_check_key(sha256)}.v{CACHE_FORMAT}.texts"


# ---- encoding: data only ------------------------------------------------------------------------

def _npy(array: npt.NDArray[Any]) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def _from_npy(blob: memoryview) -> npt.NDArray[Any]:
    array: npt.NDArray[Any] = np.load(io.BytesIO(blob), allow_pickle=False)
    return array if array.flags.writeable else array.copy()


def _text(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def _from_text(blob: memoryview) -> str:
    return codecs.decode(blob, "utf-8", "surrogatepass")


def _encode_core(state: _State, source_size: int | None) -> dict[str, bytes]:
    parts: dict[str, bytes] = {name: _npy(getattr(state, name)) for name in _ARRAYS}
    small: dict[str, Any] = {name: getattr(state, name) for name in _PLAIN + _TUPLE_MAPS + _TUPLE_LISTS}
    small["provenance"] = dataclasses.asdict(state.provenance)
    small["duplicates"] = state.duplicates
    small["n"] = len(state.ids)
    small["source_size"] = source_size
    for name in _STRINGS:
        values: list[str] = getattr(state, name)
        packed = _SEP.join(values)
        if packed.count(_SEP) == max(len(values) - 1, 0):
            parts[name] = _text(packed)
        else:  # a value holds the separator: keep the list as JSON instead
            small[name] = values
    kinds = sorted(set(state.namespaces))
    code = {ns: k for k, ns in enumerate(kinds)}
    small["namespace_names"] = kinds
    parts["namespaces"] = _npy(np.array([code[ns] for ns in state.namespaces], dtype=np.int32))
    parts["small"] = json.dumps(small, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    return parts


def _decode_core(parts: dict[str, memoryview]) -> tuple[_State, int | None]:
    """The state stored by :func:`_encode_core`, and the size of the source it was built from."""
    small = json.loads(_from_text(parts["small"]))
    n = small["n"]
    values: dict[str, Any] = {name: _from_npy(parts[name]) for name in _ARRAYS}
    for name in _STRINGS:
        if name in small:
            values[name] = small[name]
        else:
            values[name] = _from_text(parts[name]).split(_SEP) if n else []
        if len(values[name]) != n:
            raise ValueError(f"{name}: {len(values[name])} values for {n} terms")
    codes = _from_npy(parts["namespaces"])
    values["namespaces"] = np.array(small["namespace_names"], dtype=object)[codes].tolist() if n else []
    for name in _PLAIN:
        values[name] = small[name]
    for name in _TUPLE_MAPS:
        values[name] = {k: tuple(v) for k, v in small[name].items()}
    for name in _TUPLE_LISTS:
        values[name] = [tuple(v) for v in small[name]]
    values["provenance"] = Provenance(**small["provenance"])
    values["duplicates"] = [(d[0], tuple(d[1]), tuple(d[2])) for d in small.get("duplicates", [])]
    for name in TEXT_FIELDS:
        values[name] = None
    size = small.get("source_size")
    return _State(**values), size if isinstance(size, int) else None


# ---- the ontology entry -------------------------------------------------------------------------

def write_cache(ontology: Ontology, root: Path, sha256: str, *, source_size: int | None = None) -> Path | None:
    """Store an ontology's state atomically; returns the path, or None if it was not written.

    ``source_size`` (the source file's size in bytes) is recorded so that :func:`read_cache` can
    tell when a remembered hash has steered a file to an entry built from another.

    Two files: the core (identifiers, names, graph) read by every warm load, and the text columns
    (definitions, synonyms, xrefs: ~60% of the bytes) read only when a term's text is first asked
    for. The texts are written first, so a core entry never exists without them.
    """
    target = cache_path(root, sha256)
    state = ontology.state
    try:
        texts = {name: getattr(state, name) for name in TEXT_FIELDS}
        if any(v is None for v in texts.values()):
            raise ValueError("the ontology's text columns are not loaded")
        core = _encode_core(state, source_size)
    except Exception as exc:  # noqa: BLE001 - an unwritable cache only costs speed, never the load
        log.warning("could not write the ontology cache %s: %s", target, exc)
        return None
    if not write_entry(texts_path(root, sha256), _TEXTS_MAGIC, CACHE_FORMAT, sha256,
                       {name: _text(v) for name, v in texts.items()}, root=root):
        return None
    if not write_entry(target, _MAGIC, CACHE_FORMAT, sha256, core, root=root):
        return None
    _drop_older_formats(target.parent)
    return target


_OLDER = re.compile(r"^[0-9a-f]{64}\.v(\d+)\.")


def _drop_older_formats(folder: Path) -> None:
    """Remove entries of older cache formats (the pickles of format 3 and before): never read again."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        m = _OLDER.match(name)
        if m is not None and int(m.group(1)) < CACHE_FORMAT:
            try:
                (folder / name).unlink()
            except OSError:
                pass


def _read_texts(root: Path, sha256: str, source: str | None) -> dict[str, str]:
    """The text columns of a cache entry; if that file is damaged, re-read them from the source file."""
    path = texts_path(root, sha256)
    parts = read_entry(path, _TEXTS_MAGIC, CACHE_FORMAT, sha256, root=root)
    if parts is not None and set(parts) == set(TEXT_FIELDS):
        try:
            return {name: _from_text(parts[name]) for name in TEXT_FIELDS}
        except UnicodeDecodeError:
            pass
    log.warning("ontology cache texts %s are unreadable; re-reading %s", path, source)
    if trusted_dir(path.parent, root):
        for p in (path, cache_path(root, sha256)):  # the core entry goes too: the pair is rebuilt together
            try:
                p.unlink(missing_ok=True)
            except OSError:
                pass
    if source is None:
        raise DataSourceError(f"the ontology cache texts {path} are damaged and the source file is unknown")
    from .obo import read_obo
    from .obograph import read_obograph

    doc = read_obograph(source) if source.endswith((".json", ".json.gz")) else read_obo(source)
    fresh = Ontology.from_document(doc).state
    return {name: getattr(fresh, name) for name in TEXT_FIELDS}


def read_cache(root: Path, sha256: str, *, source_size: int | None = None) -> Ontology | None:
    """The cached ontology for this sha256, or None when absent or refused (then the caller rebuilds it).

    Raises :class:`ForeignEntry` when ``source_size`` is given and the entry was built from a file
    of another size: the sha256 the caller looked up is not its file's.
    """
    target = cache_path(root, sha256)
    enabled = gc.isenabled()
    gc.disable()  # ~10^5 strings are made here: the cyclic GC would only rescan them
    try:
        parts = read_entry(target, _MAGIC, CACHE_FORMAT, sha256, root=root)
        if parts is None:
            return None
        try:
            state, built_from = _decode_core(parts)
            if not texts_path(root, sha256).is_file():
                raise ValueError("its text columns file is missing")
        except Exception as exc:  # noqa: BLE001 - digest-checked but of another shape: rebuild
            log.warning("ontology cache %s is corrupt (%s); rebuilding it", target, exc)
            target.unlink(missing_ok=True)
            return None
        if source_size is not None and built_from is not None and built_from != source_size:
            raise ForeignEntry(f"the cache entry {target.name} was built from a file of {built_from} bytes, "
                               f"not of {source_size}")
        source = state.provenance.path
        return Ontology(state, texts=lambda: _read_texts(root, sha256, source))  # its id index, GC off too
    finally:
        if enabled:
            gc.enable()


class FileClosureStore:
    """Ancestor closures of one ontology file, kept beside its compiled cache entry.

    Computing the closure over is_a + part_of costs ~0.3 s; reading it back costs a few ms. Entries
    are named after the source sha256 and the relation set and hold two ``.npy`` arrays in the
    digest-checked container; a damaged one is deleted and recomputed.
    """

    def __init__(self, root: Path, sha256: str) -> None:
        self.root = root
        self.sha256 = _check_key(sha256)

    def _path(self, relations: tuple[str, ...]) -> Path:
        return self.root / "ontologies" / f"{self.sha256}.v{CACHE_FORMAT}.closure.{'+'.join(relations)}"

    def _key(self, relations: tuple[str, ...]) -> str:
        return f"{self.sha256}:{'+'.join(relations)}"

    def load(self, relations: tuple[str, ...]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]] | None:
        """The stored closure for this relation set, or None."""
        path = self._path(relations)
        parts = read_entry(path, _CLOSURE_MAGIC, CACHE_FORMAT, self._key(relations), root=self.root)
        if parts is None:
            return None
        try:
            return (_from_npy(parts["indptr"]).astype(np.int64, copy=False),
                    _from_npy(parts["indices"]).astype(np.int32, copy=False))
        except Exception as exc:  # noqa: BLE001 - unreadable means recompute
            log.warning("closure cache %s is unreadable (%s); recomputing it", path, exc)
            path.unlink(missing_ok=True)
            return None

    def save(self, relations: tuple[str, ...],
             closure: tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]) -> None:
        """Store a closure; failures are logged, never raised."""
        write_entry(self._path(relations), _CLOSURE_MAGIC, CACHE_FORMAT, self._key(relations),
                    {"indptr": _npy(closure[0]), "indices": _npy(closure[1])}, root=self.root)
