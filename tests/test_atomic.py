"""Atomic outputs: complete or untouched, never half-written, no temp files left."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from goannot.atomic import atomic_open, atomic_write_text


def test_replaces_content_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_open(target) as fh:
            fh.write("partial")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_gz_suffix_compresses(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.tsv.gz"
    atomic_write_text(target, "a\tb\n")
    assert gzip.decompress(target.read_bytes()) == b"a\tb\n"


def test_only_write_modes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="writes only"):
        with atomic_open(tmp_path / "x", "r"):
            pass
