"""The Dask engine gives the single-process engine's results, whatever the partitioning.

Inputs are real bundled GOA rows (rat, 2019-01-29). A "seeded" file adds, at spread-out lines, copies
of earlier rows that a repair turns into duplicates: the GO ID written as one of its alt_ids (an ID
repair) and the DB written as a legacy synonym (a non-ID repair of a key column), some placed before
the row they duplicate, so merges cross partitions both ways. Workers are threads of this process
(``processes=False``): they import this checkout's goannot; the killed-worker test uses processes.
"""

from __future__ import annotations

import gzip
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from goannot.convert import convert, open_dataset  # noqa: E402
from goannot.dask_engine import validate_files  # noqa: E402
from goannot.ontology import Ontology  # noqa: E402
from goannot.sources import get_source, locate  # noqa: E402
from goannot.validate import ValidationResult, validate_file  # noqa: E402
from goannot.validate.engine import DUPLICATE_AFTER_REPAIR  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OUTPUTS = ("fix", "rejects", "log")


def _bundled(name: str) -> Path:
    return locate(get_source(name))


def _rat_lines(n: int) -> tuple[list[str], list[str]]:
    header: list[str] = []
    rows: list[str] = []
    with gzip.open(_bundled("goa_rat-2019-01-29"), "rt") as fh:
        for line in fh:
            if line.startswith("!"):
                header.append(line.rstrip("\n"))
            elif len(rows) < n:
                rows.append(line.rstrip("\n"))
            else:
                break
    return header, rows


@pytest.fixture(scope="module")
def seeded(go: Ontology, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6000 real rat rows + rows that repairs make duplicates of earlier/later ones + two bad rows."""
    header, rows = _rat_lines(6000)
    alt_of: dict[str, str] = {}
    for alt, primary in go.alt_ids.items():
        alt_of.setdefault(primary, alt)
    out = list(rows)
    injected, last = 0, -1000
    for k in range(len(rows)):
        cols = rows[k].split("\t")
        if cols[4] in alt_of and injected < 40 and k - last >= 100:
            last = k
            cols[4] = alt_of[cols[4]]
            # after the original (merged into it) or, every third one, far before it (the original merges)
            at = min(len(out), k + 2500) if injected % 3 else max(0, k - 2500)
            out.insert(at, "\t".join(cols))
            injected += 1
    for k in range(13, len(rows), 331):
        cols = rows[k].split("\t")
        cols[0] = "UniProt"  # legacy prefix: GORULE repairs it to UniProtKB
        out.insert(min(len(out), k + 3100), "\t".join(cols))
    out.insert(100, "UniProtKB\tP1\tX\t\tGO:0005515\tPMID:1")  # malformed: 6 columns
    bad = rows[200].split("\t")
    bad[4] = "GO:9999999"
    out.insert(4000, "\t".join(bad))
    assert injected >= 20
    path = tmp_path_factory.mktemp("seeded") / "rat_seeded.gaf"
    path.write_text("\n".join(header + out) + "\n")
    return path


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        yield c


def _single(path: Path, go: Ontology, out: Path, **kw: Any) -> ValidationResult:
    out.mkdir(parents=True, exist_ok=True)
    return validate_file(path, go, fix_path=out / "fix", rejects_path=out / "rejects", log_path=out / "log", **kw)


def _dask(paths: list[Path], go: Ontology, out: Path, client: Any, **kw: Any) -> list[ValidationResult | Exception]:
    dests = []
    for i, _ in enumerate(paths):
        (out / str(i)).mkdir(parents=True, exist_ok=True)
        dests.append({k: out / str(i) / k for k in OUTPUTS})
    return validate_files(paths, go, client=client, outputs=dests, **kw)


def _by_line(path: Path) -> list[str]:
    body = [ln for ln in path.read_text().splitlines() if not ln.startswith("!")]
    return sorted(body, key=lambda ln: (ln.split("\t")[0], ln))


def _same(a: ValidationResult, a_out: Path, b: ValidationResult | Exception, b_out: Path) -> None:
    assert isinstance(b, ValidationResult), b
    assert (b.input_rows, b.kept, b.repaired, b.rejected, b.merged) == \
           (a.input_rows, a.kept, a.repaired, a.rejected, a.merged)
    assert b.counts_by_rule == a.counts_by_rule and b.counts_by_status == a.counts_by_status
    assert b.releases == a.releases
    key = list(a.findings.columns)
    fa = a.findings.astype(str).sort_values(key, ignore_index=True)
    fb = b.findings.astype(str).sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(fa, fb)
    for kind in OUTPUTS:
        assert _by_line(b_out / kind) == _by_line(a_out / kind), kind
    # Parts are written in order behind the same header: these two files are identical, not only as sets.
    # (The change log lists a chunk's changes rule by rule, so its order follows the chunking, in both engines.)
    for kind in ("fix", "rejects"):
        assert (b_out / kind).read_bytes() == (a_out / kind).read_bytes(), kind


@pytest.mark.parametrize("rows_per_part", [100_000, 2_500, 900])
def test_seeded_file_same_as_single_process_for_any_partitioning(go: Ontology, seeded: Path, client: Any,
                                                                 tmp_path: Path, rows_per_part: int) -> None:
    ref = _single(seeded, go, tmp_path / "single")
    # the seeds did what they should (the two bad lines among the rejects; GO's data-backed rules reject more)
    assert ref.merged >= 20 and ref.rejected >= 2 and ref.balanced
    assert ref.counts_by_rule[DUPLICATE_AFTER_REPAIR] == ref.merged
    [got] = _dask([seeded], go, tmp_path / "dask", client, rows_per_part=rows_per_part)
    _same(ref, tmp_path / "single", got, tmp_path / "dask" / "0")


def test_converted_dataset_is_input_too_and_keeps_every_row(go: Ontology, seeded: Path, client: Any,
                                                            tmp_path: Path) -> None:
    ds = convert(seeded, tmp_path / "parquet", rows_per_part=1000)
    assert len(ds.parts) == 7 and open_dataset(tmp_path / "parquet") == ds
    ref = _single(seeded, go, tmp_path / "single")
    assert ds.input_rows == ref.input_rows
    [got] = _dask([tmp_path / "parquet"], go, tmp_path / "dask", client)
    _same(ref, tmp_path / "single", got, tmp_path / "dask" / "0")


def test_bad_file_among_good_ones_reported_others_finish(go: Ontology, seeded: Path, client: Any,
                                                         tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.gaf.gz"
    truncated.write_bytes(gzip.compress(seeded.read_bytes())[:5000])
    ref = _single(seeded, go, tmp_path / "single")
    got = _dask([seeded, tmp_path / "missing.gaf", truncated, seeded], go, tmp_path / "dask", client,
                rows_per_part=2000)
    assert isinstance(got[1], Exception) and isinstance(got[2], Exception)
    assert not (tmp_path / "dask" / "1" / "fix").exists() and not (tmp_path / "dask" / "2" / "fix").exists()
    _same(ref, tmp_path / "single", got[0], tmp_path / "dask" / "0")
    _same(ref, tmp_path / "single", got[3], tmp_path / "dask" / "3")


@pytest.mark.slow
def test_two_bundled_gafs_in_one_run(go: Ontology, client: Any, tmp_path: Path) -> None:
    paths = [_bundled(n) for n in ("goa_worm-2019-01-29", "goa_fly-2019-01-29")]
    got = _dask(paths, go, tmp_path / "dask", client, rows_per_part=60_000)
    for i, p in enumerate(paths):
        ref = _single(p, go, tmp_path / f"single{i}")
        _same(ref, tmp_path / f"single{i}", got[i], tmp_path / "dask" / str(i))


@pytest.mark.slow
def test_worker_killed_mid_run_nothing_lost_nothing_duplicated(go: Ontology, seeded: Path,
                                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two worker processes (importing this checkout); one is SIGKILLed once parts are validated.

    Dask recomputes what the dead worker held from the task graph; the outputs still equal the
    single-process engine's, line for line.
    """
    monkeypatch.setenv("PYTHONPATH", str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    ref = _single(seeded, go, tmp_path / "single")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        killed: list[int] = []

        def kill_when_parts_held() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not killed:
                held = c.has_what()
                for addr, keys in held.items():
                    if any("goannot-part-" in str(k) for k in keys):
                        pid = c.run(os.getpid, workers=[addr])[addr]
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                        return
                time.sleep(0.05)

        t = threading.Thread(target=kill_when_parts_held)
        t.start()
        [got] = _dask([seeded], go, tmp_path / "dask", c, rows_per_part=1000)
        t.join()
    assert killed, "no worker was killed: the run ended before any part was held"
    _same(ref, tmp_path / "single", got, tmp_path / "dask" / "0")


def test_cli_engine_dask_same_files_and_status_as_local(seeded: Path, client: Any, tmp_path: Path) -> None:
    from goannot.cli import main

    common = ["--fail-on", "warning"]
    local = main(["validate", str(seeded), "--fix", str(tmp_path / "a.gaf"), "--rejects", str(tmp_path / "a.tsv"),
                  *common])
    assert main(["convert", str(seeded), "--to", str(tmp_path / "pq"), "--rows-per-part", "3000"]) == 0
    dask = main(["validate", str(tmp_path / "pq"), "--engine", "dask", "--scheduler", client.scheduler.address,
                 "--fix", str(tmp_path / "b.gaf"), "--rejects", str(tmp_path / "b.tsv"), *common])
    assert (local, dask) == (1, 1)
    assert (tmp_path / "a.gaf").read_bytes() == (tmp_path / "b.gaf").read_bytes()
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "b.tsv").read_bytes()
    # several files: outputs are directories; a missing file is exit status 2, the others are written
    status = main(["validate", str(seeded), str(tmp_path / "missing.gaf"), "--engine", "dask",
                   "--scheduler", client.scheduler.address, "--fix", str(tmp_path / "fixed")])
    assert status == 2
    assert (tmp_path / "fixed" / "rat_seeded.fixed.gaf").read_bytes() == (tmp_path / "a.gaf").read_bytes()
    assert main(["validate", str(seeded), str(seeded)]) == 2  # several files need --engine dask


def test_default_command_never_imports_dask(seeded: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; from goannot.cli import main; main(['validate', sys.argv[1], '--fail-on', 'never']); "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed') "
            "or m in ('goannot.dask_engine', 'goannot.dask_cli', 'goannot.convert')); "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code, str(seeded)], check=True, cwd=REPO, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(REPO)})


@pytest.mark.parametrize("partitions", [1, 3])
def test_propagate_on_dask_equals_single_process(go: Ontology, seeded: Path, client: Any, tmp_path: Path,
                                                 partitions: int) -> None:
    from goannot.annotations import read_annotations
    from goannot.dask_analysis import _plain, closure_table, propagate_table

    whole = read_annotations(seeded).table
    ref = _plain(closure_table(whole, go, ("is_a", "part_of"), None, None))
    ref = ref.sort_values(["gene", "term"], kind="stable", ignore_index=True)
    got = propagate_table(seeded, go, client=client, work_dir=tmp_path, relations=("is_a", "part_of"),
                          rows_per_part=1500, partitions=partitions)
    assert len(ref) > 20_000
    pd.testing.assert_frame_equal(got, ref)


def test_many_studies_enriched_in_parallel_into_one_table(go: Ontology, client: Any, tmp_path: Path) -> None:
    from goannot.annotations import read_annotations
    from goannot.dask_analysis import enrich_studies
    from goannot.enrich import enrich

    # Real rows as published (the seeded file's legacy "UniProt" rows trip goannot.genes' ID index).
    header, rows = _rat_lines(6000)
    seeded = tmp_path / "rat6k.gaf"
    seeded.write_text("\n".join(header + rows) + "\n")

    genes = sorted(set(read_annotations(seeded).table["db_object_id"].astype(str)))
    studies = [(f"s{k}", genes[k * 7:k * 7 + 40]) for k in range(5)]
    kwargs: dict[str, Any] = {"ns": ("BP", "MF", "CC"), "relations": ("is_a", "part_of"), "evidence": None,
                              "alternative": "greater"}
    got = enrich_studies(studies, None, seeded, go, client=client, **kwargs)
    annotations = read_annotations(seeded)
    expected = []
    for label, ids in studies:
        t = enrich(ids, None, annotations, go, **kwargs).table.copy()
        t.insert(0, "study", label)
        expected.append(t)
    pd.testing.assert_frame_equal(got, pd.concat(expected, ignore_index=True))


def test_cli_propagate_and_enrich_studies_on_dask(client: Any, tmp_path: Path) -> None:
    from goannot.cli import main

    header, rows = _rat_lines(4000)
    gaf = tmp_path / "rat4k.gaf"
    gaf.write_text("\n".join(header + rows) + "\n")
    on_dask = ["--scheduler", client.scheduler.address]
    assert main(["propagate", str(gaf), "--out", str(tmp_path / "a.tsv")]) == 0
    assert main(["propagate", str(gaf), "--engine", "dask", *on_dask, "--rows-per-part", "1000",
                 "--out", str(tmp_path / "b.tsv")]) == 0

    def body(p: Path) -> list[str]:
        return sorted(ln for ln in p.read_text().splitlines() if not ln.startswith("#"))

    assert len(body(tmp_path / "a.tsv")) > 10_000 and body(tmp_path / "a.tsv") == body(tmp_path / "b.tsv")

    genes = sorted({r.split("\t")[1] for r in rows})
    (tmp_path / "studies").mkdir()
    for k in range(3):
        (tmp_path / "studies" / f"s{k}.txt").write_text("\n".join(genes[k * 11:k * 11 + 30]) + "\n")
    common = ["--annotations", str(gaf), "--all-annotated"]
    assert main(["enrich", "--studies", str(tmp_path / "studies"), *on_dask, *common,
                 "--out", str(tmp_path / "all.tsv")]) == 0
    assert main(["enrich", "--study", str(tmp_path / "studies" / "s1.txt"), *common,
                 "--out", str(tmp_path / "s1.tsv")]) == 0
    both = pd.read_csv(tmp_path / "all.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert list(both["study"].unique()) == ["s0", "s1", "s2"]
    one = pd.read_csv(tmp_path / "s1.tsv", sep="\t", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(both[both["study"] == "s1"].drop(columns="study").reset_index(drop=True), one)


def test_cli_dask_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    """A file the workers cannot read: exit 2 and one line on stderr, not the workers' task tracebacks."""
    import subprocess
    import sys

    empty = tmp_path / "empty.gaf"
    empty.write_text("")
    proc = subprocess.run([sys.executable, "-c", "import sys; from goannot.cli import main; sys.exit(main())",
                           "validate", str(empty), "--engine", "dask", "--workers", "1"],
                          cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                          timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"goannot: error: {empty}: the file is empty: no annotations\n"
