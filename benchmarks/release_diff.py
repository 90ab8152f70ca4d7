"""Benchmark: ``goannot release-diff`` from GO 2019-01-27 (bundled) to GO 2022-07-01 (Debian's GO.db).

Input: the bundled go.obo 2019-01-27, GO 2022-07-01 converted from ``r-bioc-go.db``'s GO.sqlite by
``benchmarks/godb_to_obo.py`` (install with ``apt-get install -y r-bioc-go.db``), and all 475,402
rows of the bundled human GAF (goa_human 2019-01-29). Cases, each in a fresh process (``_measure``):

* ``ontology``: level 1 only (:func:`goannot.reldiff_terms.diff_ontologies`), both releases loaded in setup;
* ``human_gaf``: :func:`goannot.release_diff` on the GAF, levels 1-3 (ID classes, both propagations
  over is_a+part_of, every changed (gene, term) pair with its cause); ontologies and GAF read in setup,
  so the ancestor closures of both releases are computed inside the timed call (a cold run).

Peak RSS is that of the child, imports and inputs included. Run ``python benchmarks/release_diff.py
[--repeat N]`` from the repository root; writes ``benchmarks/results/release_diff.json``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import machine_info, measure_interleaved, write_json  # noqa: E402
from godb_to_obo import DEFAULT_SQLITE, convert  # noqa: E402

log = logging.getLogger("benchmarks.release_diff")
RESULTS = Path(__file__).resolve().parent / "results" / "release_diff.json"

_SETUP_ONTO = """
from goannot import load_ontology
from goannot.reldiff_terms import diff_ontologies
old = load_ontology()
new = load_ontology(NEW)
"""
_SETUP_GAF = _SETUP_ONTO + """
from goannot import release_diff
from goannot.annotations import read_annotations
from goannot.sources import get_source, locate
gaf = read_annotations(locate(get_source("goa_human-2019-01-29")))
"""
_STMT_ONTO = "d = diff_ontologies(old, new)\nRESULT = d.summary['changes']"
_STMT_GAF = """d = release_diff(old, new, [gaf])
f = d.files[0]
RESULT = {"rows": f.annotations.counts["by_outcome_new"], "gained": f.closure.counts["gained"],
          "lost": f.closure.counts["lost"], "genes_changed": f.closure.counts["genes_changed"],
          "other": int((f.closure.pairs["cause"] == "other").sum())}"""


def main(argv: list[str] | None = None) -> int:
    """Measure and write the results JSON."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not DEFAULT_SQLITE.exists():
        log.error("%s missing: apt-get install -y r-bioc-go.db", DEFAULT_SQLITE)
        return 2
    with tempfile.TemporaryDirectory(prefix="goannot-rdiff-bench-") as tmp:
        new = str(convert(DEFAULT_SQLITE, Path(tmp) / "go-2022-07-01.obo"))
        params = {"NEW": new}
        got = measure_interleaved({"ontology": (_SETUP_ONTO, _STMT_ONTO, params),
                                   "human_gaf": (_SETUP_GAF, _STMT_GAF, params)},
                                  repeats=args.repeat, warmup=1, log=log.info)
    payload = {
        "benchmark": "release_diff",
        "input": {"old": "go-2019-01-27 (bundled)", "new": "GO.db 2022-07-01 via benchmarks/godb_to_obo.py",
                  "annotations": "goa_human-2019-01-29", "rows": 475402, "relations": ["is_a", "part_of"]},
        "machine": machine_info(("numpy", "pandas", "pyarrow")),
        "results": {name: m.as_dict() for name, m in got.items()},
    }
    write_json(RESULTS, payload)
    for name, m in got.items():
        log.info("%s: call %.2f s (CPU %.2f s), peak RSS %.0f MiB", name, m.call_s, m.cpu_s, m.peak_rss_mib)
    return 0


if __name__ == "__main__":
    sys.exit(main())
