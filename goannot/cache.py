"""The compiled ontology cache: a parsed and indexed ontology stored under its source's sha256.

Parsing go.obo costs ~0.5 s; reading the compiled form costs a few tens of milliseconds. The cache
file is named after the sha256 of the source file's bytes and goannot's cache format version, so
a changed source (or a new goannot) never reads a stale entry. Entries are written atomically
(temp file + rename). A cache that cannot be read, or whose embedded key does not match, is
discarded and rebuilt with a warning, never trusted.

The cache is a pickle under the user's own cache directory; like any pickle it must not come from
someone else.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataSourceError
from .ontology import TEXT_FIELDS, Ontology, _State

__all__ = ["CACHE_FORMAT", "cache_path", "read_cache", "write_cache", "FileClosureStore", "read_keyed",
           "write_keyed"]

log = logging.getLogger(__name__)

#: Bumped whenever the stored state changes shape.
CACHE_FORMAT = 3
_MAGIC = "goannot-ontology-cache"


def cache_path(root: Path, sha256: str) -> Path:
    """Where the compiled form of the file with this sha256 lives."""
    return root / "ontologies" / f"{sha256}.v{CACHE_FORMAT}.pickle"


def texts_path(root: Path, sha256: str) -> Path:
    """Where the bulky text columns (definitions, synonyms, xrefs) of that entry live."""
    return root / "ontologies" / f"{sha256}.v{CACHE_FORMAT}.texts.pickle"


def _dump_atomic(target: Path, payload: object) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            # no fsync: a cache torn by a crash fails to unpickle and is rebuilt
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # e.g. NotADirectoryError when the folder itself could not be made
            pass
        raise


def read_keyed(path: Path, magic: str, fmt: int, key: str) -> Any:
    """A value stored by :func:`write_keyed` under (magic, format, key), or None.

    None when the file is absent; an entry that cannot be read or carries another key is deleted
    with a warning (the caller rebuilds it), never trusted.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("could not read the cache entry %s: %s", path, exc)
        return None
    enabled = gc.isenabled()
    gc.disable()  # an entry may hold ~10^6 objects: the cyclic GC would only rescan them
    try:
        stored_magic, stored_fmt, stored_key, value = pickle.loads(data)
        if stored_magic != magic or stored_fmt != fmt or stored_key != key:
            raise ValueError(f"key mismatch ({stored_magic!r}, {stored_fmt!r}, {stored_key!r})")
        return value
    except Exception as exc:  # noqa: BLE001 - any failure to unpickle means: rebuild
        log.warning("cache entry %s is corrupt (%s); rebuilding it", path, exc)
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
        return None
    finally:
        if enabled:
            gc.enable()


def write_keyed(path: Path, magic: str, fmt: int, key: str, value: object) -> bool:
    """Store ``value`` atomically under (magic, format, key); False (logged) if the cache is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _dump_atomic(path, (magic, fmt, key, value))
        return True
    except Exception as exc:  # noqa: BLE001 - an unwritable cache only costs time
        log.warning("could not write the cache entry %s: %s", path, exc)
        return False


def write_cache(ontology: Ontology, root: Path, sha256: str) -> Path | None:
    """Store an ontology's state atomically; returns the path, or None if the cache is not writable.

    Two files: the core (identifiers, names, graph) read by every warm load, and the text columns
    (definitions, synonyms, xrefs: ~60% of the bytes) read only when a term's text is first asked
    for. The texts are written first, so a core entry never exists without them.
    """
    target = cache_path(root, sha256)
    state = ontology.state
    names = [f.name for f in dataclasses.fields(_State)]
    texts = {name: getattr(state, name) for name in TEXT_FIELDS}
    core = tuple(None if name in TEXT_FIELDS else getattr(state, name) for name in names)
    try:
        if any(v is None for v in texts.values()):
            raise ValueError("the ontology's text columns are not loaded")
        target.parent.mkdir(parents=True, exist_ok=True)
        _dump_atomic(texts_path(root, sha256), (_MAGIC, CACHE_FORMAT, sha256, texts))
        _dump_atomic(target, (_MAGIC, CACHE_FORMAT, sha256, core))
        return target
    except Exception as exc:  # noqa: BLE001 - an unwritable cache only costs speed, never the load
        log.warning("could not write the ontology cache %s: %s", target, exc)
        return None


def _read_texts(root: Path, sha256: str, source: str | None) -> dict[str, str]:
    """The text columns of a cache entry; if that file is damaged, re-read them from the source file."""
    path = texts_path(root, sha256)
    texts = read_keyed(path, _MAGIC, CACHE_FORMAT, sha256)
    if isinstance(texts, dict) and set(texts) == set(TEXT_FIELDS):
        return texts
    log.warning("ontology cache texts %s are unreadable; re-reading %s", path, source)
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


def read_cache(root: Path, sha256: str) -> Ontology | None:
    """The cached ontology for this sha256, or None when absent; a corrupt entry is deleted."""
    target = cache_path(root, sha256)
    fields = read_keyed(target, _MAGIC, CACHE_FORMAT, sha256)
    if fields is None:
        return None
    try:
        state = _State(*fields)
        if not texts_path(root, sha256).is_file():
            raise ValueError("its text columns file is missing")
    except Exception as exc:  # noqa: BLE001 - an entry of another shape means: rebuild
        log.warning("ontology cache %s is corrupt (%s); rebuilding it", target, exc)
        target.unlink(missing_ok=True)
        return None
    source = state.provenance.path
    return Ontology(state, texts=lambda: _read_texts(root, sha256, source))


class FileClosureStore:
    """Ancestor closures of one ontology file, kept beside its compiled cache entry.

    Computing the closure over is_a + part_of costs ~0.3 s; reading it back costs a few ms. Entries
    are ``.npz`` files named after the source sha256 and the relation set; a corrupt one is deleted.
    """

    def __init__(self, root: Path, sha256: str) -> None:
        self.root = root
        self.sha256 = sha256

    def _path(self, relations: tuple[str, ...]) -> Path:
        return self.root / "ontologies" / f"{self.sha256}.v{CACHE_FORMAT}.closure.{'+'.join(relations)}.npz"

    def load(self, relations: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        path = self._path(relations)
        try:
            with np.load(path, allow_pickle=False) as data:
                return data["indptr"].astype(np.int64, copy=False), data["indices"].astype(np.int32, copy=False)
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - unreadable means recompute
            log.warning("closure cache %s is unreadable (%s); recomputing it", path, exc)
            path.unlink(missing_ok=True)
            return None

    def save(self, relations: tuple[str, ...], closure: tuple[np.ndarray, np.ndarray]) -> None:
        path = self._path(relations)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                np.savez(fh, indptr=closure[0], indices=closure[1])
            os.replace(tmp, path)
        except Exception as exc:  # noqa: BLE001 - a cache that cannot be written only costs time
            log.warning("could not write the closure cache %s: %s", path, exc)
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
