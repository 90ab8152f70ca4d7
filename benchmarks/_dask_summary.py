"""The Dask section of BENCHMARKS.md, from results/dask_validate_{10x,2x}.json (benchmarks/dask_validate.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
GOA_ROWS = 1.4e9   # UniProt-GOA, all species (~21 GB gzipped)
CORES = 64


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RESULTS / name).read_text())
    return data


def dask_section() -> list[str]:
    """Rows per second per core, 1 vs 2 workers, peak RSS per worker, and the UniProt-GOA projection."""
    big, small = _load("dask_validate_10x.json"), _load("dask_validate_2x.json")
    d1, d2, single, conv = big["dask_1"], big["dask_2"], big.get("single_process", {}), big["convert"]
    rate = min(d1["rows_per_cpu_s"], d2["rows_per_cpu_s"])
    minutes = GOA_ROWS / (CORES * rate) / 60
    conv_hours = GOA_ROWS / conv["rows_per_s"] / 3600
    out = [f"## Validating on Dask ({big['copies']} concatenated human GAFs, {d1['rows']:,} rows, every rule)", "",
           f"`benchmarks/dask_validate.py {big['copies']}` (one run, {big['date']}, {big['cpus']} cores, load average "
           f"at start {big['load'][0]:.2f}): the input is converted once to Parquet parts of 500,000 rows "
           f"(`goannot convert`), then validated on a `LocalCluster` of single-threaded worker processes. "
           "Worker CPU is the workers' own user+system time (`c.run(getrusage)`); per-core rates use it. A Dask "
           "worker spends about twice the CPU per row of the single-process engine (reading Parquet parts, key "
           "hashes of every row, the part state pickled to the work directory and read back).", "",
           "| case | wall s | rows/s | worker CPU s | rows per worker-CPU-s | peak RSS per worker MiB |",
           "|---|---|---|---|---|---|"]
    for name, r in (("1 worker", d1), ("2 workers", d2)):
        out.append(f"| {name} | {r['seconds']:.1f} | {r['rows_per_s']:,.0f} | {r['worker_cpu_s']:.1f} | "
                   f"{r['rows_per_cpu_s']:,.0f} | {', '.join(f'{m:.0f}' for m in r['peak_rss_mb'])} |")
    if single:
        out.append(f"| single process (`validate_file`, text input) | {single['seconds']:.1f} | "
                   f"{single['rows_per_s']:,.0f} | {single['cpu_s']:.1f} (process) | {single['rows_per_cpu_s']:,.0f} | |")
    out += ["", f"Conversion to Parquet: {conv['rows']:,} rows in {conv['seconds']:.1f} s ({conv['rows_per_s']:,.0f} "
            "rows/s, one process, plain-text input; the gzipped bundled human GAF converts at about 160-240k rows/s).",
            "",
            f"2 workers vs 1: **{big['speedup_2_vs_1']:.2f}x** (goal: at least 1.7x; **not met**). On the "
            f"{small['copies']}x input ({small['dask_1']['rows']:,} rows) it was {small['speedup_2_vs_1']:.2f}x. "
            "The workers' CPU time stays at about one core's worth with two workers: two validation tasks running "
            "at once each take 2-3x longer than alone (task stream). This VM itself limits it: a pure-Python "
            "loop scales 2.0x over two processes, but an allocation-heavy numpy/pandas loop (random ints to "
            "strings, factorize; `benchmarks/vm_scaling.py`) only 1.34x (12.9 s alone, 19.3 s for two at once). "
            "Intermediate files on tmpfs, or Arrow limited to one thread per worker, changed nothing. Beyond that "
            "ceiling the cause is not found yet; the per-worker start-up (rule tables built on each "
            "worker's first part, about 2 s) and the merge shuffle (3-4 s for ~500k candidate rows, mostly "
            "coordination) are fixed costs that also weigh at this size.", "",
            "Peak RSS per worker is flat in input size: "
            f"{', '.join(f'{m:.0f}' for m in small['dask_1']['peak_rss_mb'])} MiB (1 worker) and "
            f"{', '.join(f'{m:.0f}' for m in small['dask_2']['peak_rss_mb'])} MiB (2 workers) for "
            f"{small['dask_1']['rows']:,} rows, against {', '.join(f'{m:.0f}' for m in d1['peak_rss_mb'])} and "
            f"{', '.join(f'{m:.0f}' for m in d2['peak_rss_mb'])} MiB for {d1['rows']:,}: it is set by the part "
            "size (500,000 rows), because each part's validated state goes to the run's work directory, not to "
            "worker memory.", "",
            f"Projection for all of UniProt-GOA ({GOA_ROWS:.1e} rows) on {CORES} cores, from the lower measured rate "
            f"({rate:,.0f} rows per worker-CPU-second): validation of the parts **{minutes:.1f} min**, assuming "
            "(1) linear scaling over workers, which this 2-core machine did not show (above), (2) the input already "
            "converted to Parquet parts on storage every worker reads, (3) GOA's rows cost what the human GAF's "
            "cost per row, (4) the merge shuffle moves ~37% of rows as 40-byte integer records (the human file's "
            "share of candidates), about 21 GB across the cluster, not measured at that size. Converting one 21 GB "
            f"gzip stream is serial: at the plain-text rate above it alone takes about {conv_hours:.1f} h, about 2 h "
            "at the gzip rate; under 10 minutes end to end needs the input as many files converted in parallel, or a "
            "parallel gzip reader (rapidgzip is on PyPI; not tried). The < 10 minute goal is therefore not "
            "demonstrated."]
    return out
