"""Benchmark: goannot.propagate vs goatools' update_association on the bundled human GAF.

Input: all 475,402 rows of goa_human 2019-01-29 (all three aspects), GO 2019-01-27, is_a + part_of.
Timed for goannot:

* ``cold``: a freshly loaded ontology, so the run includes computing the ancestor closure;
* ``warm``: the same ontology again (the closure is memoized per relation set), best and median of
  several runs;
* ``gene_to_terms``: converting the result to goatools' dict-of-sets format.

Timed for goatools: ``update_association(assc, godag, {"part_of"})`` on the dict gene -> set(GO)
built from the same positive rows (goatools' readers drop NOT rows); loading its GODag and building
the dict are reported but not counted. The two gene -> terms mappings are compared as a check.

Run ``python benchmarks/propagate.py [--repeat N]``; writes ``benchmarks/results/propagate.json``.
This machine may be shared: the load average at start is recorded with the results.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger("benchmarks.propagate")

RESULTS = Path(__file__).resolve().parent / "results" / "propagate.json"
RELATIONS = ("is_a", "part_of")
T = TypeVar("T")


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "loadavg_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "versions": {d: _version(d) for d in ("goannot", "numpy", "pandas", "pyarrow", "goatools")},
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark once, print ratios and write the JSON record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm goannot runs (default 5)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from goannot import load_ontology
    from goannot.annotations import read_annotations
    from goannot.propagate import gene_to_terms, propagate
    from goannot.sources import get_source, locate

    info = machine()
    gaf = locate(get_source("goa_human-2019-01-29"))
    t_read, annotations = _timed(lambda: read_annotations(gaf).table)
    load_ontology()  # make sure the compiled cache exists, so the next load measures a warm load
    t_onto, onto = _timed(load_ontology)
    log.info("read %d rows in %.2f s; ontology loaded in %.2f s", len(annotations), t_read, t_onto)

    t_cold, prop = _timed(lambda: propagate(annotations, onto, RELATIONS))
    cold_closure = float(prop.meta["seconds"]["closure"])
    warm = [_timed(lambda: propagate(annotations, onto, RELATIONS))[0] for _ in range(args.repeat)]
    t_g2t, ours = _timed(lambda: gene_to_terms(prop))
    log.info("goannot: cold %.3f s (closure %.3f s), warm best %.3f s median %.3f s; gene_to_terms %.3f s",
             t_cold, cold_closure, min(warm), statistics.median(warm), t_g2t)

    from goatools.anno.update_association import update_association
    from goatools.obo_parser import GODag

    assert onto.provenance.path is not None
    t_dag, dag = _timed(lambda: GODag(onto.provenance.path, optional_attrs={"relationship"}, prt=None))
    positive = annotations[~annotations["qualifier"].str.contains("NOT", regex=False)]

    def build() -> dict[str, set[str]]:
        assc: dict[str, set[str]] = {}
        for db, oid, gid in zip(positive["db"].tolist(), positive["db_object_id"].tolist(),
                                positive["go_id"].tolist()):
            assc.setdefault(f"{db}:{oid}", set()).add(gid)
        return assc

    t_build, assc = _timed(build)
    t_goatools, _ = _timed(lambda: update_association(assc, dag, {"part_of"}, prt=None))
    same = assc == ours
    log.info("goatools: GODag %.2f s, dict %.2f s, update_association %.3f s; identical result: %s",
             t_dag, t_build, t_goatools, same)

    ratios = {
        "goatools_over_goannot_cold": t_goatools / t_cold,
        "goatools_over_goannot_warm": t_goatools / min(warm),
        "goatools_over_goannot_warm_plus_gene_to_terms": t_goatools / (min(warm) + t_g2t),
    }
    for name, value in ratios.items():
        print(f"{name}: {value:.1f}x")
    record = {
        "benchmark": "propagate",
        "input": {"annotations": "goa_human-2019-01-29", "rows": len(annotations), "aspects": "all",
                  "relations": list(RELATIONS), "ontology": onto.data_version},
        "machine": info,
        "goannot": {
            "read_annotations_s": t_read, "load_ontology_warm_s": t_onto,
            "propagate_cold_s": t_cold, "closure_cold_s": cold_closure,
            "propagate_warm_s": warm, "propagate_warm_best_s": min(warm),
            "propagate_warm_median_s": statistics.median(warm), "gene_to_terms_s": t_g2t,
            "closure_pairs": prop.meta["closure_pairs"], "genes": prop.meta["genes"],
        },
        "goatools": {"godag_load_s": t_dag, "build_association_s": t_build, "update_association_s": t_goatools},
        "identical_gene_to_terms": same,
        "ratios": ratios,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.output}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
