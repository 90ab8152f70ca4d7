"""Shared test setup: a private goannot cache for the session, and the real bundled GO loaded once.

No test writes outside pytest's temp dirs: GOANNOT_CACHE points into one for the whole session
(tests that need an empty cache set their own with monkeypatch).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_SESSION_CACHE = Path(tempfile.mkdtemp(prefix="goannot-test-cache-"))
os.environ["GOANNOT_CACHE"] = str(_SESSION_CACHE)
os.environ.pop("GOANNOT_MIRROR", None)

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SESSION_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def go() -> Iterator["object"]:
    """The bundled GO release 2019-01-27, loaded once per session."""
    from goannot import load_ontology

    yield load_ontology()


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private goannot cache root for one test (also where content hashes are remembered)."""
    from goannot import cachestore

    path = tmp_path / "cache"
    monkeypatch.setenv("GOANNOT_CACHE", str(path))
    cachestore._warned.clear()  # each test sees its own warnings
    return path


@pytest.fixture
def obo(tmp_path: Path) -> Path:
    """A private copy of the mini GO that a test may modify."""
    target = tmp_path / "src" / "go-mini.obo"
    target.parent.mkdir()
    shutil.copy(REPO / "tests" / "data" / "obo" / "go-mini.obo", target)
    return target
