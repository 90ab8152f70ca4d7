"""Benchmark (not a test): Dask validation on N concatenated copies of the bundled human GAF.

Measures, on the same input:
  * the one-time conversion to Parquet parts (one streaming pass; serial per file),
  * validation of the converted dataset on a local cluster of 1 and of 2 single-threaded worker
    processes (rows per second, per core, and the 2-vs-1 speed-up),
  * the single-process engine (validate_file) on the same text file, for the per-core baseline,
  * the peak RSS of each worker process (ru_maxrss), to compare across input sizes.

Usage: PYTHONPATH=. python benchmarks/dask_validate.py COPIES [--skip-single]
Worker processes import goannot from PYTHONPATH (set it to the checkout being measured).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def make_input(copies: int, out: Path) -> Path:
    from goannot.sources import get_source, locate

    src = locate(get_source("goa_human-2019-01-29"))
    with gzip.open(src, "rt") as fh:
        text = fh.read()
    header = "".join(ln + "\n" for ln in text.splitlines() if ln.startswith("!"))
    body = "".join(ln + "\n" for ln in text.splitlines() if ln and not ln.startswith("!"))
    with open(out, "w") as fh:
        fh.write(header)
        for _ in range(copies):
            fh.write(body)
    return out


def run_cluster(dataset: Path, workers: int, go: Any) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from goannot.dask_engine import validate_files

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cl, \
            Client(cl) as c:
        c.run(lambda: __import__("goannot.dask_engine"))  # warm imports: not part of the rate
        cpu0 = c.run(_cpu_s)
        t0 = time.perf_counter()
        [r] = validate_files([dataset], go, client=c)
        dt = time.perf_counter() - t0
        cpu1 = c.run(_cpu_s)
        peaks = c.run(_peak_rss_mb)
    if isinstance(r, Exception):
        raise r
    return {"workers": workers, "seconds": dt, "rows": r.input_rows, "rows_per_s": r.input_rows / dt,
            "rows_per_s_per_core": r.input_rows / dt / workers, "peak_rss_mb": sorted(peaks.values()),
            "worker_cpu_s": sum(cpu1[w] - cpu0[w] for w in cpu1),
            "rows_per_cpu_s": r.input_rows / max(1e-9, sum(cpu1[w] - cpu0[w] for w in cpu1)),
            "merged": r.merged, "repaired": r.repaired}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("copies", type=int)
    ap.add_argument("--rows-per-part", type=int, default=500_000)
    ap.add_argument("--skip-single", action="store_true")
    args = ap.parse_args()
    from goannot import load_ontology
    from goannot.convert import convert
    from goannot.validate import validate_file

    go = load_ontology()
    tmp = Path(tempfile.mkdtemp(prefix="goannot-bench-"))
    try:
        gaf = make_input(args.copies, tmp / "human_x.gaf")
        res: dict[str, Any] = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "copies": args.copies, "cpus": os.cpu_count(), "load": os.getloadavg()}
        t0 = time.perf_counter()
        ds = convert(gaf, tmp / "pq", rows_per_part=args.rows_per_part)
        res["convert"] = {"seconds": time.perf_counter() - t0, "rows": ds.input_rows, "parts": len(ds.parts)}
        res["convert"]["rows_per_s"] = ds.input_rows / res["convert"]["seconds"]
        for w in (1, 2):
            res[f"dask_{w}"] = run_cluster(tmp / "pq", w, go)
            print(json.dumps(res[f"dask_{w}"]), file=sys.stderr)
        res["speedup_2_vs_1"] = res["dask_1"]["seconds"] / res["dask_2"]["seconds"]
        if not args.skip_single:
            t0, c0 = time.perf_counter(), time.process_time()
            r = validate_file(gaf, go)
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            res["single_process"] = {"seconds": dt, "cpu_s": cpu, "rows_per_s": r.input_rows / dt,
                                     "rows_per_cpu_s": r.input_rows / cpu, "merged": r.merged}
        print(json.dumps(res, indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
