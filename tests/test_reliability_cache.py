"""The cache cannot run code or lie, its folders are private, and killed runs leave no temp files.

One test per class of attack or fault (issue 13, items 1-3 and 5): a planted pickle, single bit
flips in each kind of payload, a cache folder or file of another user or writable by others, a
symlinked entry, a forged ``hashes.json``, ``kill -9`` during a cache write and SIGTERM during a
validation.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from goannot import cachestore, loader
from goannot.atomic import atomic_write_text, sweep_stale_temps
from goannot.cache import cache_path, texts_path
from goannot.loader import load_ontology
from goannot.ontology import Ontology
from goannot.sources import Source, content_hash, sha256_of

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "obo"
APOPTOSIS = "GO:0006915"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0




def _fresh(obo: Path) -> Ontology:
    return load_ontology(obo, use_cache=False)


def _same(a: Ontology, b: Ontology) -> None:
    """Two ontologies hold the same terms, names, graph and texts."""
    assert a.term_ids() == b.term_ids()
    for t in a.term_ids():
        assert a[t] == b[t]
        assert a.ancestors(t) == b.ancestors(t)


def _parsed(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records every parse of a source file from now on."""
    calls: list[object] = []
    real = loader.read_obo

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "read_obo", counting)
    return calls


class _Plant:
    """A pickle payload that, if ever unpickled, creates a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


# ---- 1. no code from the cache --------------------------------------------------------------------

def test_planted_pickle_runs_no_code(root: Path, obo: Path, tmp_path: Path) -> None:
    """A pickle planted under every name goannot's cache uses (old and new) is never unpickled."""
    marker = tmp_path / "marker"
    payload = pickle.dumps(("goannot-ontology-cache", 3, sha256_of(obo), _Plant(marker)))
    content_hash(obo)  # the file was seen before: a warm load looks its entry up
    folder = root / "ontologies"
    folder.mkdir(parents=True, mode=0o700)
    sha = sha256_of(obo)
    for name in (f"{sha}.v3.pickle", f"{sha}.v3.texts.pickle", cache_path(root, sha).name,
                 texts_path(root, sha).name):
        (folder / name).write_bytes(payload)
        os.chmod(folder / name, 0o600)
    onto = load_ontology(obo)
    _same(onto, _fresh(obo))
    assert not marker.exists()
    assert not list(folder.glob("*.pickle"))  # entries of the old pickle format are cleared away


def test_planted_pickle_in_gene_cache_runs_no_code(root: Path, tmp_path: Path) -> None:
    from goannot.genes import ncbi_cache_path, ncbi_gene_file, read_ncbi_genes

    marker = tmp_path / "marker"
    path = ncbi_gene_file("genes_NCBI_7227_ProteinCoding.py")
    entry = ncbi_cache_path(path)
    entry.parent.mkdir(parents=True, mode=0o700)
    entry.write_bytes(pickle.dumps(_Plant(marker)))
    os.chmod(entry, 0o600)
    old_format = entry.with_suffix(".pickle")
    old_format.write_bytes(pickle.dumps(_Plant(marker)))
    os.chmod(old_format, 0o600)
    table = read_ncbi_genes(path)
    assert len(table) > 10_000
    assert not marker.exists()
    assert not old_format.exists()


def test_no_pickle_anywhere_in_goannot() -> None:
    """Structurally: no module of goannot imports pickle (or its kin) or loads numpy data with pickles."""
    banned = re.compile(r"^\s*(import|from)\s+(pickle|cPickle|_pickle|dill|joblib|shelve|marshal)\b"
                        r"|allow_pickle\s*=\s*True|read_pickle|to_pickle", re.M)
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "goannot").rglob("*.py")
                 if banned.search(p.read_text(encoding="utf-8"))]
    # The one exception: the Dask engine's own work files of one run (Dask moves tasks by pickle
    # anyway); each is signed with the run's secret and refused unread if the signature fails
    # (test_dask_work_file_not_signed_by_the_run_is_refused_unread).
    assert offenders == ["goannot/dask_engine.py"]
    assert "hmac.compare_digest" in (REPO / "goannot" / "dask_engine.py").read_text(encoding="utf-8")


def test_dask_work_file_not_signed_by_the_run_is_refused_unread(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    import pickle

    from goannot import dask_engine

    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (open, (str(marker), "w"))

    planted = tmp_path / "state-00000-00000.pkl"
    planted.write_bytes(b"\0" * 32 + pickle.dumps(Payload()))  # a planted file: no valid signature
    with pytest.raises(ValueError, match="signature"):
        dask_engine._load(planted, "a" * 32)
    assert not marker.exists()
    dask_engine._dump({"rows": [1, 2]}, planted, "a" * 32)
    assert dask_engine._load(planted, "a" * 32) == {"rows": [1, 2]}
    with pytest.raises(ValueError, match="signature"):
        dask_engine._load(planted, "b" * 32)  # another run's secret
    blob = bytearray(planted.read_bytes())
    blob[-3] ^= 1
    planted.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="signature"):
        dask_engine._load(planted, "a" * 32)  # a flipped bit


# ---- 2. integrity: single bit flips -----------------------------------------------------------------

def _flip(path: Path, offset: int, bit: int = 0) -> None:
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 1 << bit
    path.write_bytes(bytes(data))


def _offsets(path: Path) -> list[int]:
    """Ten offsets: in the magic line, the JSON header, and spread over the payload to its last byte."""
    size = path.stat().st_size
    header_end = path.read_bytes().index(b"\n", len(cachestore.CONTAINER) + 1)
    payload = [header_end + 1 + (size - header_end - 2) * k // 6 for k in range(7)]
    return [3, header_end // 2, header_end - 3] + payload


def test_bit_flips_in_the_core_entry_rebuild_with_a_warning(root: Path, obo: Path,
                                                            caplog: pytest.LogCaptureFixture,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    good = load_ontology(obo)
    entry = cache_path(root, sha256_of(obo))
    pristine = entry.read_bytes()
    parses = _parsed(monkeypatch)
    for k, offset in enumerate(_offsets(entry)):
        entry.write_bytes(pristine)
        _flip(entry, offset, bit=k % 8)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="goannot"):
            again = load_ontology(obo)
        _same(again, good)
        assert again.name(APOPTOSIS) == "apoptotic process"
        assert any("corrupt" in r.getMessage() for r in caplog.records), offset
        assert len(parses) == k + 1  # rebuilt from the source, not read from the flipped entry
    assert entry.read_bytes() == pristine  # the rebuild wrote the same bytes back


def test_bit_flips_in_the_text_columns_are_caught(root: Path, obo: Path, caplog: pytest.LogCaptureFixture) -> None:
    expected = {t: (o.definition, o.synonyms) for t, o in ((t, _fresh(obo)[t]) for t in _fresh(obo).term_ids())}
    load_ontology(obo)
    path = texts_path(root, sha256_of(obo))
    pristine = path.read_bytes()
    for offset in _offsets(path):
        path.write_bytes(pristine)
        _flip(path, offset)
        warm = load_ontology(obo)
        with caplog.at_level(logging.WARNING, logger="goannot"):
            got = {t: (warm[t].definition, warm[t].synonyms) for t in warm.term_ids()}
        assert got == expected
        assert any("corrupt" in r.getMessage() for r in caplog.records)
        load_ontology(obo)  # rewrite the pair


def test_bit_flips_in_a_closure_entry_recompute_it(root: Path, obo: Path, caplog: pytest.LogCaptureFixture) -> None:
    indptr, indices = _fresh(obo).closure()
    load_ontology(obo).closure()  # computes and stores the closure
    (entry,) = (root / "ontologies").glob("*.closure.*")
    pristine = entry.read_bytes()
    for offset in _offsets(entry):
        entry.write_bytes(pristine)
        _flip(entry, offset, bit=7)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="goannot"):
            got_ptr, got_idx = load_ontology(obo).closure()
        assert np.array_equal(got_ptr, indptr) and np.array_equal(got_idx, indices)
        assert any("corrupt" in r.getMessage() for r in caplog.records)


def test_bit_flips_in_a_gene_table_entry_rebuild_it(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    from goannot.genes import ncbi_cache_path, ncbi_gene_file, read_ncbi_genes

    path = ncbi_gene_file("genes_NCBI_7227_ProteinCoding.py")
    first = read_ncbi_genes(path)
    entry = ncbi_cache_path(path)
    pristine = entry.read_bytes()
    for offset in _offsets(entry)[::2]:
        entry.write_bytes(pristine)
        _flip(entry, offset)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="goannot"):
            pd.testing.assert_frame_equal(read_ncbi_genes(path), first)
        assert any("corrupt" in r.getMessage() for r in caplog.records)


# ---- 3. cache folder hygiene ------------------------------------------------------------------------

def test_cache_folders_are_private_and_files_0600(root: Path, obo: Path) -> None:
    old = os.umask(0o002)  # a user-private-group umask would make group-writable files
    try:
        load_ontology(obo)
    finally:
        os.umask(old)
    for d in (root, root / "ontologies"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) >= 3  # hashes.json, core, texts
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}


def _other_user(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``path`` another user's: really (as root), else by making goannot believe it is someone else."""
    if AS_ROOT:
        os.chown(path, 65534, 65534)
    else:
        me = os.geteuid()
        monkeypatch.setattr(cachestore, "_euid", lambda: me + 1)


def _plant_good_entry_of_other_content(root: Path, obo: Path) -> None:
    """A well-formed entry for ``obo``'s key that describes another ontology (what an attacker would plant)."""
    other = DATA / "two_roots.obo"
    tmp_root = root.parent / "elsewhere"
    from goannot.cache import write_cache

    write_cache(load_ontology(other, use_cache=False), tmp_root, sha256_of(obo))
    (root / "ontologies").mkdir(parents=True, exist_ok=True, mode=0o700)
    for p in (tmp_root / "ontologies").iterdir():
        shutil.copy(p, root / "ontologies" / p.name)


@pytest.mark.parametrize("how", ["other-owner", "group-writable", "world-writable"])
def test_untrusted_cache_folder_is_bypassed(root: Path, obo: Path, how: str, monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    _plant_good_entry_of_other_content(root, obo)
    content_hash(obo)
    folder = root / "ontologies"
    if how == "other-owner":
        _other_user(folder, monkeypatch)
    else:
        folder.chmod(0o770 if how == "group-writable" else 0o777)
    before = sorted(p.name for p in folder.iterdir())
    with caplog.at_level(logging.WARNING, logger="goannot"):
        onto = load_ontology(obo)
    _same(onto, _fresh(obo))  # not the planted two_roots ontology
    assert any("not using the cache" in r.getMessage() for r in caplog.records)
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written into it either


@pytest.mark.parametrize("how", ["other-owner", "writable-by-others", "symlink"])
def test_untrusted_cache_file_is_not_read(root: Path, obo: Path, how: str, monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    _plant_good_entry_of_other_content(root, obo)
    content_hash(obo)
    entry = cache_path(root, sha256_of(obo))
    if how == "other-owner":
        if not AS_ROOT:
            pytest.skip("needs root to give a file away")
        os.chown(entry, 65534, 65534)
    elif how == "writable-by-others":
        entry.chmod(0o666)
    else:
        elsewhere = tmp_path / "planted.core"
        entry.rename(elsewhere)
        entry.symlink_to(elsewhere)
    with caplog.at_level(logging.WARNING, logger="goannot"):
        onto = load_ontology(obo)
    _same(onto, _fresh(obo))
    assert any("not using the cache" in r.getMessage() for r in caplog.records)


def test_hashes_json_cannot_point_outside_the_cache(root: Path, obo: Path, tmp_path: Path) -> None:
    """A remembered 'hash' that is a path is dropped, never joined into a cache path."""
    import json

    load_ontology(obo)
    stamps_file = root / "hashes.json"
    stamps = json.loads(stamps_file.read_text())
    (key,) = stamps
    stamps[key] = "../../" + str(tmp_path / "evil")
    stamps_file.write_text(json.dumps(stamps))
    from goannot.sources import known_hash

    assert known_hash(obo) is None
    _same(load_ontology(obo), _fresh(obo))


def test_hashes_json_forged_to_another_entry_is_not_followed(root: Path, obo: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    """A stamp that says the mini GO has the hash of two_roots.obo: that entry was built from another file."""
    import json

    load_ontology(DATA / "two_roots.obo")
    load_ontology(obo)
    stamps_file = root / "hashes.json"
    stamps = json.loads(stamps_file.read_text())
    mine = next(k for k in stamps if k.startswith(str(obo.resolve())))
    stamps[mine] = sha256_of(DATA / "two_roots.obo")
    stamps_file.write_text(json.dumps(stamps))
    with caplog.at_level(logging.WARNING, logger="goannot"):
        onto = load_ontology(obo)
    _same(onto, _fresh(obo))
    assert any("remembered hash" in r.getMessage() for r in caplog.records)
    from goannot.sources import known_hash

    assert known_hash(obo) == sha256_of(obo)  # the lie was replaced by the truth


def test_wrong_remembered_hash_neither_fails_nor_passes_a_manifest_file(root: Path, obo: Path) -> None:
    from goannot.errors import ChecksumError

    src = Source(name="mini", kind="ontology", format="obo", version="1", sha256=sha256_of(obo),
                 bundled_package="x", bundled_path="go-mini.obo")
    assert loader._verify_remembered(src, obo, "0" * 64) == sha256_of(obo)
    obo.write_text(obo.read_text() + "\n")
    with pytest.raises(ChecksumError):  # a really changed file still fails, remembered or not
        loader._verify_remembered(src, obo, sha256_of(obo))
    with pytest.raises(ChecksumError):
        loader._verify_remembered(src, obo, "0" * 64)


# ---- 5. temp files of killed runs -------------------------------------------------------------------

def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _run(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def test_kill_9_during_a_cache_write_leaves_a_temp_that_the_next_run_sweeps(root: Path, obo: Path) -> None:
    env = {**os.environ, "GOANNOT_CACHE": str(root)}
    code = """
        import os, signal, sys
        from goannot import cachestore, load_ontology
        real = os.replace
        def die(src, dst):
            if str(dst).endswith(".core"):
                os.kill(os.getpid(), signal.SIGKILL)  # kill -9 with the entry half-installed
            real(src, dst)
        cachestore.os.replace = die
        load_ontology(sys.argv[1])
    """
    proc = _run(code, env, str(obo))
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    left = [p for p in (root / "ontologies").iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1  # the fault really happened
    _same(load_ontology(obo), _fresh(obo))
    assert not left[0].exists()
    assert cache_path(root, sha256_of(obo)).is_file()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_validate_removes_the_spill_file(root: Path, tmp_path: Path, signum: int) -> None:
    spill_dir = tmp_path / "tmpdir"
    spill_dir.mkdir()
    env = {**os.environ, "GOANNOT_CACHE": str(root), "TMPDIR": str(spill_dir)}
    code = f"""
        import os, signal, sys
        from goannot.validate import _spill
        real = _spill.FindingSpill.add_batch
        def add_then_signal(self, batch):
            real(self, batch)
            os.kill(os.getpid(), {int(signum)})  # stopped mid-validation, the spill file open
        _spill.FindingSpill.add_batch = add_then_signal
        from goannot.cli import main
        sys.exit(main(sys.argv[1:]))
    """
    gaf = REPO / "tests" / "data" / "annotations" / "sample_2.2.gaf"
    proc = _run(code, env, "validate", str(gaf), "--go", str(DATA / "go-mini.obo"))
    # SIGINT unwinds as KeyboardInterrupt: the CLI says so and exits 130; SIGTERM kills the process
    assert proc.returncode == (130 if signum == signal.SIGINT else -signum), proc.stderr
    assert list(spill_dir.iterdir()) == []


def test_sigterm_during_an_atomic_write_removes_its_temp(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.tsv"
    code = """
        import os, signal, sys
        from goannot.atomic import atomic_open, install_cleanup
        install_cleanup()
        with atomic_open(sys.argv[1]) as fh:
            fh.write("half")
            os.kill(os.getpid(), signal.SIGTERM)
    """
    proc = _run(code, dict(os.environ), str(target))
    assert proc.returncode == -signal.SIGTERM, proc.stderr
    assert list(target.parent.iterdir()) == []


def test_stale_temps_of_dead_processes_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    dead, me = _dead_pid(), os.getpid()
    names = {
        f".go.obo.{dead}.tmp": False, f".go.obo.part-{dead}": False, f"goannot-findings-{dead}-x1.arrow": False,
        f".go.obo.{me}.tmp": True,            # this (live) process's own
        f".go.obo.{os.getppid()}.tmp": True,  # another live process's
        "go.obo": True, ".go.obo.notapid.tmp": True, "report.tmp": True,  # not goannot temp names
    }
    for name in names:
        (tmp_path / name).write_text("x")
    removed = sweep_stale_temps(tmp_path)
    assert sorted(p.name for p in removed) == sorted(n for n, keep in names.items() if not keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, keep in names.items() if keep)


def test_atomic_write_sweeps_its_targets_stale_temps(tmp_path: Path) -> None:
    stale = tmp_path / f".out.txt.{_dead_pid()}.tmp"
    stale.write_text("half")
    other = tmp_path / f".other.txt.{_dead_pid()}.tmp"
    other.write_text("half")
    atomic_write_text(tmp_path / "out.txt", "done")
    assert not stale.exists()
    assert other.exists()  # only the target's own temps are swept by a write of that target
    assert (tmp_path / "out.txt").read_text() == "done"


def test_arrays_read_from_the_cache_are_writable(root: Path, obo: Path) -> None:
    load_ontology(obo)
    warm = load_ontology(obo)
    assert all(np.asarray(getattr(warm.state, name)).flags.writeable
               for name in ("obsolete", "edge_child", "edge_parent", "edge_rel", "syn_term"))


def test_sigterm_during_validate_removes_the_outputs_temp_files(root: Path, tmp_path: Path) -> None:
    """validate's --fix/--rejects/--log temp files sit beside their targets: SIGTERM removes them too."""
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "GOANNOT_CACHE": str(root), "TMPDIR": str(tmp_path)}
    code = """
        import os, signal, sys
        from goannot.validate import _spill
        real = _spill.FindingSpill.add_batch
        def add_then_signal(self, batch):
            real(self, batch)
            os.kill(os.getpid(), signal.SIGTERM)
        _spill.FindingSpill.add_batch = add_then_signal
        from goannot.cli import main
        sys.exit(main(sys.argv[1:]))
    """
    gaf = REPO / "tests" / "data" / "annotations" / "sample_2.2.gaf"
    proc = _run(code, env, "validate", str(gaf), "--go", str(DATA / "go-mini.obo"),
                "--fix", str(out / "fixed.gaf"), "--rejects", str(out / "rejects.tsv"), "--log", str(out / "log.tsv"))
    assert proc.returncode == -signal.SIGTERM, proc.stderr
    assert list(out.iterdir()) == []
