"""The compiled ontology cache: used when valid, rebuilt when the source changes or the entry is bad,
written atomically, and never a reason for a load to fail."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from goannot import loader
from goannot import cachestore
from goannot.cache import CACHE_FORMAT, cache_path
from goannot.cachestore import read_entry
from goannot.loader import load_ontology
from goannot.sources import sha256_of

DATA = Path(__file__).parent / "data" / "obo"
NUCLEUS = "GO:0005634"




def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("the source was parsed although a valid cache entry exists")

    monkeypatch.setattr(loader, "read_obo", boom)
    monkeypatch.setattr(loader, "read_obograph", boom)


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_second_load_reads_the_cache(root: Path, obo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_ontology(obo)
    entry = cache_path(root, sha256_of(obo))
    assert entry.is_file()
    _no_parsing(monkeypatch)
    second = load_ontology(obo)
    assert second.term_ids() == first.term_ids()
    assert second[NUCLEUS] == first[NUCLEUS]
    assert second.provenance == first.provenance
    assert second.ancestors(NUCLEUS) == first.ancestors(NUCLEUS)


@pytest.mark.parametrize("fixture", ["duplicate_stanza_conflict.obo", "relation_ids.obo", "default_namespace.obo"])
def test_cached_load_equals_parsed_load(root: Path, tmp_path: Path, fixture: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """What the index learnt from the file (combined duplicate stanzas, Typedef xrefs, relation
    names, default namespaces) survives the cache: a warm load answers as the cold one did."""
    source = tmp_path / fixture
    shutil.copy(DATA / fixture, source)
    cold = load_ontology(source)
    _no_parsing(monkeypatch)
    warm = load_ontology(source)
    assert warm._s.duplicates == cold._s.duplicates
    assert warm.typedefs == cold.typedefs
    assert [warm[t] for t in warm.ids(include_obsolete=True)] == [cold[t] for t in cold.ids(include_obsolete=True)]
    assert list(warm.edges()) == list(cold.edges())


def test_use_cache_false_neither_reads_nor_writes(root: Path, obo: Path) -> None:
    load_ontology(obo, use_cache=False)
    assert not (root / "ontologies").exists()


def test_json_source_is_cached_too(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_ontology(DATA / "go-mini.json")
    _no_parsing(monkeypatch)
    assert load_ontology(DATA / "go-mini.json").term_ids() == first.term_ids()


def test_changed_source_is_reparsed(root: Path, obo: Path) -> None:
    assert load_ontology(obo).name(NUCLEUS) == "nucleus"
    old_entry = cache_path(root, sha256_of(obo))
    obo.write_text(obo.read_text().replace("name: nucleus\n", "name: cell nucleus (renamed)\n"))
    changed = load_ontology(obo)
    assert changed.name(NUCLEUS) == "cell nucleus (renamed)"
    assert cache_path(root, sha256_of(obo)) != old_entry
    assert cache_path(root, sha256_of(obo)).is_file()


def test_same_size_change_with_new_mtime_is_reparsed(root: Path, obo: Path) -> None:
    assert load_ontology(obo).name(NUCLEUS) == "nucleus"
    st = obo.stat()
    obo.write_text(obo.read_text().replace("name: nucleus\n", "name: nucleos\n"))
    assert obo.stat().st_size == st.st_size
    os.utime(obo, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert load_ontology(obo).name(NUCLEUS) == "nucleos"


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_entry_is_rebuilt_with_a_warning(root: Path, obo: Path, damage: str,
                                                 caplog: pytest.LogCaptureFixture,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    good = load_ontology(obo)
    entry = cache_path(root, sha256_of(obo))
    blob = entry.read_bytes()
    entry.write_bytes({"truncate": blob[: len(blob) // 2], "garbage": b"\x80\x05not a cache entry at all",
                       "empty": b""}[damage])
    with caplog.at_level(logging.WARNING, logger="goannot.cache"):
        again = load_ontology(obo)
    assert again[NUCLEUS] == good[NUCLEUS]
    assert any("corrupt" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert read_entry(entry, "goannot-ontology-cache", CACHE_FORMAT, sha256_of(obo)) is not None
    _no_parsing(monkeypatch)  # the rebuilt entry is good
    assert load_ontology(obo)[NUCLEUS] == good[NUCLEUS]


def test_entry_of_another_file_is_not_trusted(root: Path, obo: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A well-formed entry stored under the wrong key (e.g. copied by hand) is rejected."""
    other = load_ontology(DATA / "two_roots.obo")
    shutil.copy(cache_path(root, sha256_of(DATA / "two_roots.obo")), cache_path(root, sha256_of(obo)))
    assert len(other) == 4
    # a file seen before (its hash remembered) is looked up in the cache, and the foreign entry found
    from goannot.sources import content_hash

    content_hash(obo)
    with caplog.at_level(logging.WARNING, logger="goannot.cache"):
        onto = load_ontology(obo)
    assert len(onto) == 21
    assert any("key mismatch" in r.getMessage() for r in caplog.records)


def test_write_leaves_no_temp_files(root: Path, obo: Path) -> None:
    load_ontology(obo)
    load_ontology(DATA / "go-mini.json")
    assert _leftovers(root) == []
    # two entries, each a core file and a text-columns file
    assert len(list((root / "ontologies").iterdir())) == 4


class _FailingFile:
    """A file object whose write puts down a few bytes and then fails."""

    def __init__(self, fh: object, error: BaseException) -> None:
        self.fh, self.error = fh, error

    def __enter__(self) -> "_FailingFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()  # type: ignore[attr-defined]

    def write(self, data: bytes) -> int:
        self.fh.write(b"partial")  # type: ignore[attr-defined]
        raise self.error


@pytest.mark.parametrize("error", [OSError("disk full"), ValueError("cannot encode"), RecursionError("too deep")])
def test_failed_write_leaves_nothing_and_load_succeeds(root: Path, obo: Path, error: Exception,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    real_fdopen = os.fdopen

    def failing_fdopen(fd: int, *args: object, **kwargs: object) -> _FailingFile:
        return _FailingFile(real_fdopen(fd, *args, **kwargs), error)  # type: ignore[arg-type]

    monkeypatch.setattr(cachestore.os, "fdopen", failing_fdopen)  # the module goannot.cachestore calls
    with caplog.at_level(logging.WARNING, logger="goannot"):
        onto = load_ontology(obo)
    assert onto.name(NUCLEUS) == "nucleus"
    assert not cache_path(root, sha256_of(obo)).exists()
    assert _leftovers(root) == []
    assert any("could not write" in r.getMessage() for r in caplog.records)


def test_unwritable_cache_root_still_loads(tmp_path: Path, obo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache root that cannot be created (a file stands in its way) costs speed, not the load."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("GOANNOT_CACHE", str(blocker / "cache"))
    assert load_ontology(obo).name(NUCLEUS) == "nucleus"
    assert load_ontology(obo).name(NUCLEUS) == "nucleus"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_cache_dir_still_loads(root: Path, obo: Path) -> None:
    load_ontology(obo)  # creates root/ontologies and one entry
    os.remove(cache_path(root, sha256_of(obo)))
    for d in (root / "ontologies", root):
        d.chmod(0o555)
    try:
        assert load_ontology(obo).name(NUCLEUS) == "nucleus"
        assert not cache_path(root, sha256_of(obo)).exists()
    finally:
        for d in (root, root / "ontologies"):
            d.chmod(0o755)


def test_read_only_cache_via_permission_error(root: Path, obo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as above for any user (root included): every write in the cache raises PermissionError."""
    real_open = open

    def guarded_open(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if any(m in mode for m in "wax+") and str(root) in str(file):
            raise PermissionError(13, "Read-only file system", str(file))
        return real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    real_os_open = os.open

    def guarded_os_open(file: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and str(root) in str(file):
            raise PermissionError(13, "Read-only file system", str(file))
        return real_os_open(file, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("builtins.open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    assert load_ontology(obo).name(NUCLEUS) == "nucleus"
    assert not cache_path(root, sha256_of(obo)).exists()
    assert load_ontology(obo).name(NUCLEUS) == "nucleus"


def test_damaged_text_columns_are_reread_from_the_source(root: Path, obo: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    """The text file is read on first use; if it is damaged by then, the texts come from the source file."""
    from goannot.cache import texts_path
    from goannot.sources import content_hash

    first = load_ontology(obo)
    expected = {t: first[t].definition for t in first}
    warm = load_ontology(obo)  # from the cache, texts not read yet
    texts_path(root, content_hash(obo)).write_bytes(b"garbage")
    with caplog.at_level(logging.WARNING, logger="goannot.cache"):
        got = {t: warm[t].definition for t in warm}
    assert got == expected
    assert any("unreadable" in r.getMessage() for r in caplog.records)
    # the damaged entry is gone, so the next load parses and writes a sound one
    assert not cache_path(root, content_hash(obo)).exists()
    assert {t: load_ontology(obo)[t].definition for t in first} == expected
