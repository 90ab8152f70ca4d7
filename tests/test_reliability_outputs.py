"""Outputs and environment faults (issue 13, items 6-8 and 11).

All-or-nothing outputs, clear errors with exit status 2 and nothing left behind for a missing or
unwritable directory, a directory in the way, a full disk (outputs and the findings' temp file), and
exit status 3 for an internal error. Tests run as root, so an unwritable directory and a full disk
are simulated by monkeypatching the system calls; a missing directory and a directory in the way are
real.
"""

from __future__ import annotations

import ast
import errno
import io
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

import pytest

from goannot import atomic
from goannot.atomic import AtomicFiles, atomic_open, atomic_text
from goannot.cli import main
from goannot.errors import OutputError, UsageError
from goannot.ontology import Ontology
from goannot.validate import _spill, engine, exit_status, render_table, validate_file

IL7_TABLE = Path(__file__).parent / "data" / "validate" / "il7_ncbi_go_table.tsv"
OUTPUTS = ("fix", "rejects", "log", "report")


def _enospc() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FullDisk(io.FileIO):
    """A file on a full disk: every write fails with ENOSPC (as write(2) does)."""

    def write(self, data: Any) -> int:
        raise _enospc()


def _cli(tmp_path: Path, *extra: str, **paths: Path) -> int:
    args = ["validate", str(IL7_TABLE)]
    for kind, p in paths.items():
        args += [f"--{kind}", str(p)]
    return main(args + list(extra))


def _old_outputs(d: Path) -> dict[str, Path]:
    """The four outputs, each already there from an earlier run ("old")."""
    paths = {k: d / f"il7.{k}" for k in OUTPUTS}
    for p in paths.values():
        p.write_text("old")
    return paths


def _untouched(d: Path, paths: dict[str, Path]) -> None:
    assert sorted(p.name for p in d.iterdir()) == sorted(p.name for p in paths.values())  # no temp file
    assert all(p.read_text() == "old" for p in paths.values())


# -- item 6: all or nothing, one path per output, umask ------------------------------------------


def test_failing_report_commits_no_other_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Before: --fix, --rejects and --log were renamed into place before the report was written."""
    paths = _old_outputs(tmp_path)

    def full(result: Any, fh: Any, **kw: Any) -> None:
        fh.write("{")
        raise _enospc()

    monkeypatch.setattr(engine, "write_report", full)
    assert _cli(tmp_path, **paths) == 2
    err = capsys.readouterr().err
    assert "il7.report" in err and "No space left on device" in err and "Traceback" not in err
    _untouched(tmp_path, paths)


def test_outputs_all_written_together(tmp_path: Path) -> None:
    paths = _old_outputs(tmp_path)
    assert _cli(tmp_path, **paths) == 0
    assert all(p.read_text() != "old" for p in paths.values())
    assert json.loads(paths["report"].read_text())["input_rows"] == 23
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths.values())


@pytest.mark.parametrize("same", [("fix", "report"), ("rejects", "log")])
def test_one_path_for_two_outputs_is_a_usage_error(tmp_path: Path, same: tuple[str, str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Before: both were written to the same temp name in turn; the last rename won, one output was lost."""
    target = tmp_path / "out.txt"
    other = {k: tmp_path / f"{k}.txt" for k in OUTPUTS if k not in same}
    paths = {same[0]: target, same[1]: tmp_path / "." / "out.txt", **other}
    assert _cli(tmp_path, **paths) == 2
    err = capsys.readouterr().err
    assert "same file" in err and same[0] in err and same[1] in err
    assert list(tmp_path.iterdir()) == []


def test_same_path_usage_error_in_the_library(go: Ontology, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="same file"):
        validate_file(IL7_TABLE, go, fix_path=tmp_path / "x", log_path=tmp_path / "x")
    assert exit_status(UsageError("x")) == 2


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_outputs_respect_the_umask(tmp_path: Path, mask: int) -> None:
    """Before: every validate output was 0600 (mkstemp's mode), whatever the umask."""
    paths = {k: tmp_path / f"il7.{k}" for k in OUTPUTS}
    paths["fix"] = tmp_path / "il7.fix.gz"
    old = os.umask(mask)
    try:
        assert _cli(tmp_path, **paths) == 0
    finally:
        os.umask(old)
    for p in paths.values():
        assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~mask, p


def test_failed_rename_puts_back_what_was_renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    a.write_text("old a")
    files = AtomicFiles({"a": a, "b": b, "c": c})
    for label in ("a", "b", "c"):
        files.write(label, b"new")
    real = os.replace
    calls = []

    def flaky(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    with pytest.raises(OutputError, match="Input/output error"):
        files.commit()
    monkeypatch.undo()
    assert a.read_text() == "old a" and not b.exists() and not c.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["a"]


# -- item 7: environment faults ------------------------------------------------------------------


def test_missing_output_directory_is_exit_2_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Before: a FileNotFoundError traceback from mkstemp."""
    ran = []
    monkeypatch.setattr(engine._Validator, "run", lambda *a: ran.append(1))
    target = tmp_path / "no" / "such" / "dir" / "fixed.tsv"
    assert _cli(tmp_path, fix=target, report=tmp_path / "r.json") == 2
    err = capsys.readouterr().err
    assert f"cannot write {target}: directory {target.parent} does not exist" in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert not ran and list(tmp_path.iterdir()) == []


def test_target_is_a_directory_is_exit_2_and_nothing_written(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Before: the other outputs were renamed into place, then IsADirectoryError escaped as a traceback."""
    (tmp_path / "d").mkdir()
    assert _cli(tmp_path, fix=tmp_path / "fixed.tsv", log=tmp_path / "d") == 2
    err = capsys.readouterr().err
    assert f"cannot write {tmp_path / 'd'}: is a directory" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["d"] and list((tmp_path / "d").iterdir()) == []


def test_unwritable_directory_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.open

    def no_entry(path: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        if Path(path).parent == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path, flags, mode, **kw)

    monkeypatch.setattr(atomic.os, "open", no_entry)
    assert _cli(tmp_path, fix=tmp_path / "fixed.tsv", report=locked / "r.json") == 2
    err = capsys.readouterr().err
    assert f"cannot write {locked / 'r.json'}: cannot create a file in {locked}: Permission denied" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked"] and list(locked.iterdir()) == []


@pytest.mark.parametrize("when", ["write", "fsync"])
def test_disk_full_for_outputs_is_exit_2_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str], when: str) -> None:
    paths = _old_outputs(tmp_path)
    if when == "write":
        monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: io.BufferedWriter(FullDisk(fd, "w"), 64))
    else:
        def fsync(fd: int) -> None:
            raise _enospc()
        monkeypatch.setattr(atomic.os, "fsync", fsync)
    assert _cli(tmp_path, **paths) == 2
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert "No space left on device" in err and "il7." in err and "Traceback" not in err
    _untouched(tmp_path, paths)


def test_atomic_open_disk_full_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: closing the temp file flushed again, failed again, and the temp file stayed."""
    target = tmp_path / "out.tsv"
    target.write_text("old")
    monkeypatch.setattr(atomic, "open", lambda p, mode: io.BufferedWriter(FullDisk(p, "w")), raising=False)
    with pytest.raises(OSError) as info:
        with atomic_open(target, "wb") as fh:
            fh.write(b"data")
    assert info.value.errno == errno.ENOSPC
    assert [p.name for p in tmp_path.iterdir()] == ["out.tsv"] and target.read_text() == "old"


def test_atomic_text_disk_full_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: io.BufferedWriter(FullDisk(fd, "w"), 16))
    with pytest.raises(OutputError, match=r"out\.json: No space left on device") as info:
        with atomic_text(tmp_path / "out.json") as fh:
            fh.write("x" * 100)
    assert info.value.errno == errno.ENOSPC and list(tmp_path.iterdir()) == []


class _FullSpillWriter:
    """Stands in for the Arrow IPC writer of the findings' temp file on a full TMPDIR."""

    def __init__(self, fail_write: bool) -> None:
        self.fail_write = fail_write

    def write_batch(self, batch: Any) -> None:
        if self.fail_write:
            raise _enospc()

    def close(self) -> None:
        raise _enospc()


@pytest.mark.parametrize("fail_write", [True, False], ids=["at-write", "at-close"])
def test_full_tmpdir_is_exit_2_and_the_spill_file_goes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str], fail_write: bool) -> None:
    """Before: the failing close was retried by discard(), failed again, and the spill file stayed."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.setattr(_spill.ipc, "new_file", lambda sink, schema: _FullSpillWriter(fail_write))
    out = tmp_path / "out"
    out.mkdir()
    assert _cli(tmp_path, "--fail-on", "never", fix=out / "fixed.tsv", report=out / "r.json") == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "TMPDIR" in err and "Traceback" not in err
    assert list(tmp.iterdir()) == [] and list(out.iterdir()) == []


# -- item 8: exit statuses -----------------------------------------------------------------------


def test_internal_error_is_exit_3_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Before: the exception escaped main(): a traceback and Python's status 1, i.e. "findings"."""
    def broken(self: Any, *args: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(engine._Validator, "run", broken)
    fix = tmp_path / "fixed.tsv"
    assert _cli(tmp_path, fix=fix) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "internal error: KeyError" in err and "--debug" in err
    assert list(tmp_path.iterdir()) == []
    assert main(["--debug", "validate", str(IL7_TABLE)]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "internal error: KeyError" in err.splitlines()[-1]
    assert exit_status(KeyError("x")) == 3 and exit_status(_enospc()) == 2


def test_interrupt_is_130_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    paths = _old_outputs(tmp_path)

    def interrupted(self: Any, *args: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine._Validator, "run", interrupted)
    assert _cli(tmp_path, **paths) == 130
    assert capsys.readouterr().err == "goannot: error: interrupted\n"
    _untouched(tmp_path, paths)


def test_os_error_outside_validate_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: a missing --study file was a FileNotFoundError traceback."""
    missing = tmp_path / "study.txt"
    assert main(["enrich", "--study", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"goannot: error: {missing}: ") and err.count("\n") == 1  # one line, the file named


def test_help_documents_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for line in ("0    success", "1    findings at or above --fail-on", "2    unusable input or environment",
                 "3    internal error"):
        assert line in out


def test_readme_lists_the_exit_statuses() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "## Reliability" in readme
    for code in ("`0`", "`1`", "`2`", "`3`"):
        assert code in readme.split("## Reliability", 1)[1]


# -- item 10: the summary does not read a streamed run's findings ---------------------------------


def test_summary_and_status_from_the_examples_not_the_findings(go: Ontology) -> None:
    result = validate_file(IL7_TABLE, go)
    text, status = render_table(result), result.exit_status("info")
    examples = result.examples
    result.examples = {}
    assert render_table(result) == text and result.exit_status("info") == status == 1  # same as from findings
    result.examples = examples
    result.findings = result.findings.iloc[:0]  # not looked at
    assert render_table(result) == text and result.exit_status("info") == 1


# -- item 11: no import circle between validate/report and validate/engine -----------------------


def test_report_does_not_import_the_engine() -> None:
    tree = ast.parse((Path(engine.__file__).parent / "report.py").read_text())
    imported = {(n.module or "") for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(m.endswith("engine") for m in imported), imported
    assert engine.atomic_text is atomic_text  # kept for callers of the old place
