"""Cold GO load, goannot against goatools' GODag, in alternating fresh processes.

On a shared VM whose speed drifts over minutes, timing all of one tool's repeats and then all of
the other's can tilt a close comparison either way; alternating the two, pair by pair, cannot.

    python benchmarks/cold_interleaved.py [--pairs 8]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from _measure import machine_info, run_snippet, write_json

RESULTS = Path(__file__).parent / "results" / "cold_interleaved.json"


def main(argv: list[str] | None = None) -> int:
    """Measure the pairs, print them, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=8)
    args = parser.parse_args(argv)
    from goannot.sources import locate

    path = str(locate("go-2019-01-27"))
    pairs = []
    for i in range(args.pairs):
        cache = tempfile.mkdtemp(prefix="goannot-cold-")
        try:
            ours = run_snippet("from goannot import load_ontology", "load_ontology()", env={"GOANNOT_CACHE": cache})
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        theirs = run_snippet("from goatools.obo_parser import GODag", "GODag(PATH, prt=None)", params={"PATH": path})
        pairs.append({"goannot_cold_s": ours.call_s, "goatools_godag_s": theirs.call_s})
        print(f"pair {i}: goannot cold {ours.call_s:.3f} s, goatools GODag {theirs.call_s:.3f} s", file=sys.stderr)
    a = statistics.median(p["goannot_cold_s"] for p in pairs)
    b = statistics.median(p["goatools_godag_s"] for p in pairs)
    faster = sum(p["goannot_cold_s"] < p["goatools_godag_s"] for p in pairs)
    print(f"median goannot cold {a:.3f} s, goatools GODag {b:.3f} s, ratio {a / b:.2f}; "
          f"goannot faster in {faster}/{len(pairs)} pairs")
    write_json(RESULTS, {"benchmark": "cold_interleaved", "machine": machine_info(("goannot", "goatools")),
                         "pairs": pairs, "median_goannot_cold_s": a, "median_goatools_godag_s": b,
                         "ratio": a / b, "goannot_faster_pairs": faster})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
