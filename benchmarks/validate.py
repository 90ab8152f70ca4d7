"""Benchmark: validate the bundled human GAF with every rule, next to goatools only *reading* it.

The issue's budget: goannot's validation (read + every rule + repairs) within a tenth of what
goatools' ``GafReader`` needs just to read the file. Memory: peak RSS for the file and for the
same data concatenated five times, to show that streaming keeps the peak flat.

Every case runs in a fresh process (``_measure.py``); the ontology is loaded (warm compiled cache)
in the setup, outside the timed statement, and so are the imports, for goannot and goatools alike.

    python benchmarks/validate.py            # 3 repeats
    python benchmarks/validate.py --quick    # 1 repeat
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _measure import Measurement, machine_info, measure, measure_interleaved, run_snippet, write_json

RESULTS = Path(__file__).parent / "results" / "validate.json"
PACKAGES = ("goannot", "goatools", "pandas", "pyarrow", "numpy")
WARMUP = 1  # uncounted round-robin rounds before the measured ones

GOANNOT_SETUP = """
from goannot import load_ontology
from goannot.validate import validate_file
go = load_ontology()
"""
GOANNOT_VALIDATE = """
r = validate_file(PATH, go)
assert r.input_rows == r.kept + r.repaired + r.rejected + r.merged
RESULT = {"input_rows": r.input_rows, "kept": r.kept, "repaired": r.repaired, "rejected": r.rejected,
          "merged": r.merged, "findings": len(r.findings), "timings": r.timings}
"""
GOANNOT_READ_SETUP = "from goannot.annotations import iter_annotations"
GOANNOT_READ = """
n = 0
for chunk in iter_annotations(PATH):
    n += len(chunk.table)
RESULT = {"rows": n}
"""
GOATOOLS_READ_SETUP = "from goatools.anno.gaf_reader import GafReader"
GOATOOLS_READ = """
r = GafReader(PATH, prt=None)
RESULT = {"rows": len(r.associations)}
"""


def bundled_gaf() -> str:
    from goannot.sources import locate

    return str(locate("goa_human-2019-01-29"))


def concatenated(src: str, times: int, dest: Path) -> Path:
    """The GAF's header once and its data lines ``times`` times, gzip-compressed."""
    with gzip.open(src, "rt") as fh:
        lines = fh.readlines()
    header = [ln for ln in lines if ln.startswith("!")]
    data = [ln for ln in lines if not ln.startswith("!")]
    with gzip.open(dest, "wt", compresslevel=1) as out:
        out.writelines(header)
        for _ in range(times):
            out.writelines(data)
    return dest


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repeat per case instead of three")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else 3
    path = bundled_gaf()
    info = machine_info(PACKAGES)
    started = time.time()
    results: dict[str, Measurement] = {}
    log = lambda line: print(line, file=sys.stderr)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="goannot-bench-") as tmp:
        cache = Path(tmp) / "cache"
        env = {"GOANNOT_CACHE": str(cache)}
        run_snippet(GOANNOT_SETUP, "pass", env=env)  # prime the compiled ontology cache
        five = concatenated(path, 5, Path(tmp) / "goa_human_x5.gaf.gz")
        plain = Path(tmp) / "goa_human.gaf"  # goatools' GafReader does not read gzip
        with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst)
        # The two files just written (~0.5 GB) would otherwise be flushed to disk by the kernel
        # during the first cases measured, slowing whichever runs first.
        os.sync()
        # The 1x cases run round-robin (goannot, goatools, goannot...) after one uncounted round,
        # the x5 file once after them.
        cases = {
            "goannot validate (all rules)": (GOANNOT_SETUP, GOANNOT_VALIDATE, {"PATH": path}),
            "goannot read only": (GOANNOT_READ_SETUP, GOANNOT_READ, {"PATH": path}),
            "goatools GafReader read": (GOATOOLS_READ_SETUP, GOATOOLS_READ, {"PATH": str(plain)}),
            "goannot validate (plain file)": (GOANNOT_SETUP, GOANNOT_VALIDATE, {"PATH": str(plain)}),
        }
        log("round-robin over: " + ", ".join(cases))
        results.update(measure_interleaved(cases, repeats=repeats, warmup=WARMUP, env=env, log=log))
        name = "goannot validate x5 file"
        log(f"{name} ...")
        results[name] = measure(name, GOANNOT_SETUP, GOANNOT_VALIDATE, repeats=1, params={"PATH": str(five)},
                                env=env, log=log)
        shutil.rmtree(cache, ignore_errors=True)
    val, gt = results["goannot validate (all rules)"], results["goatools GafReader read"]
    print(f"{'case':34} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}")
    for name, m in results.items():
        print(f"{name:34} {m.call_s:8.2f} {m.cpu_s:8.2f} {m.peak_rss_mib:13.0f}")
    print(f"\ngoatools read / goannot validate: {gt.call_s / val.call_s:.1f}x wall, {gt.cpu_s / val.cpu_s:.1f}x CPU "
          f"(budget: >= 10x)")
    x5 = results["goannot validate x5 file"]
    print(f"peak RSS 1x {val.peak_rss_mib:.0f} MiB, 5x {x5.peak_rss_mib:.0f} MiB")
    payload: dict[str, Any] = {
        "benchmark": "validate",
        "description": "validate_file on the bundled human GAF (475,402 rows) with every registered rule, "
                       "ontology loaded in setup; goatools GafReader reading the same file; medians in fresh "
                       "processes, the 1x cases run round-robin after one uncounted round; x5 = the data lines five times in one file (one run).",
        "gaf": path, "repeats": repeats, "warmup_rounds": WARMUP, "machine": info,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "cases": {name: m.as_dict() for name, m in results.items()},
        "ratio_goatools_read_over_goannot_validate": {"wall": gt.call_s / val.call_s, "cpu": gt.cpu_s / val.cpu_s},
        "peak_rss_mib": {"1x": val.peak_rss_mib, "5x": x5.peak_rss_mib},
    }
    write_json(args.output, payload)
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
