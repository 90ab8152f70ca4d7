"""Benchmark: peak RSS of the ``goannot validate`` command on the human GAF, once, five and ten times over.

Streaming should keep memory flat: the issue's target is the 5x and 10x runs within 5% of the 1x
run. Each run is the whole command (``goannot validate FILE``, no output files) in a fresh process;
its peak resident set size is the child's ``ru_maxrss`` as its parent collects it (``wait4``), the
figure ``/usr/bin/time -v`` prints as "Maximum resident set size". The three files hold the GAF's
header once and its data lines once, five and ten times, all gzip level 1 (made in a temp directory). Runs go
round-robin (1x, 5x, 10x, 1x, ...); the median of the repeats is reported.

    python benchmarks/memory.py            # 3 repeats
    python benchmarks/memory.py --quick    # 1 repeat
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _measure import machine_info, write_json
from validate import bundled_gaf, concatenated

RESULTS = Path(__file__).parent / "results" / "memory.json"
TIMES = (1, 5, 10)
PACKAGES = ("goannot", "pandas", "pyarrow", "numpy")

# Runs the command as a child and prints the child's peak RSS (KiB) and wall time: what `time -v` reports.
_WRAPPER = """
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
status = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.perf_counter() - t0
print(json.dumps({"status": status, "wall_s": wall,
                  "peak_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""
_CLI = "import sys; from goannot.cli import main; sys.exit(main())"


def run_cli(path: Path, env: dict[str, str]) -> dict[str, Any]:
    """One ``goannot validate PATH`` in a fresh process: exit status, wall seconds, peak RSS KiB."""
    out = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, "-c", _CLI, "validate", str(path)],
                         capture_output=True, text=True, check=True, env={**os.environ, **env})
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if result["status"] not in (0, 1):
        raise RuntimeError(f"goannot validate {path} exited {result['status']}")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one repeat")
    ap.add_argument("--output", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    repeats = 1 if args.quick else 3
    info = machine_info(PACKAGES)
    started = time.time()
    path = bundled_gaf()
    samples: dict[int, list[dict[str, Any]]] = {n: [] for n in TIMES}
    with tempfile.TemporaryDirectory(prefix="goannot-bench-") as tmp:
        env = {"GOANNOT_CACHE": str(Path(tmp) / "cache")}
        # The 1x file is rewritten too, so that the three differ only in length (not in gzip level).
        files = {n: concatenated(path, n, Path(tmp) / f"goa_human_x{n}.gaf.gz") for n in TIMES}
        os.sync()
        run_cli(files[1], env)  # prime the compiled ontology cache; not counted
        for r in range(repeats):
            for n in TIMES:
                s = run_cli(files[n], env)
                samples[n].append(s)
                print(f"round {r + 1}: {n}x {s['peak_rss_kib'] / 1024:.0f} MiB, {s['wall_s']:.1f} s", file=sys.stderr)
    peak = {f"{n}x": statistics.median(s["peak_rss_kib"] for s in samples[n]) / 1024 for n in TIMES}
    wall = {f"{n}x": statistics.median(s["wall_s"] for s in samples[n]) for n in TIMES}
    for n in TIMES:
        key = f"{n}x"
        print(f"{key:>4}: peak RSS {peak[key]:.0f} MiB ({peak[key] / peak['1x'] - 1:+.1%} of 1x), "
              f"{wall[key]:.1f} s wall")
    payload: dict[str, Any] = {
        "benchmark": "memory",
        "description": "peak RSS (ru_maxrss of the child, as /usr/bin/time -v reports it) of `goannot validate FILE` "
                       "without output files, each run a fresh process; FILE = the bundled human GAF's header and its "
                       "data lines 1, 5 and 10 times in one gzip file (level 1); medians over round-robin repeats.",
        "gaf": path, "repeats": repeats, "machine": info,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "peak_rss_mib": peak, "wall_s": wall,
        "samples": {f"{n}x": samples[n] for n in TIMES},
    }
    write_json(args.output, payload)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
