"""Benchmark: goannot.enrich vs goatools' GOEnrichmentStudy on the bundled human GAF, BP.

Inputs: goa_human 2019-01-29 (all 475,402 rows; the population is every db_object_id of the file,
19,739 genes), GO 2019-01-27, is_a + part_of, corrections bonferroni + fdr_bh, two-sided Fisher.
Study sets are deterministic: half genes annotated under immune response (GO:0006955, up to all of
them), the rest other genes, numpy seed 42 (the 300-gene set is the one of tests/test_enrich.py).

Each tool runs in a fresh process (benchmarks/_measure.py); the setup, *not* timed, loads the
ontology and the annotation file (goannot: ``load_ontology`` + ``read_annotations``; goatools:
``GODag(obo, optional_attrs={'relationship'})`` + the gene -> GO-set dict of the positive BP rows).
Timed (``call_s``) for the 300-gene study:

* goannot: ``enrich(study, pop, annotations, go, ns='BP')``, which includes propagating the
  annotations (and, on a fresh ontology, computing the is_a+part_of closure: "cold"); "warm" is a
  second call in the same process (closure memoized);
* goatools: ``GOEnrichmentStudy(pop, assoc, godag, propagate_counts=True, relationships={'part_of'},
  ...)`` (its constructor propagates the annotations) + ``run_study(study)``; the constructor and
  ``run_study`` are also reported apart.

The sweep (study sizes 50 ... 5000) runs in one process per tool: goannot with propagation each time
(``enrich`` on the annotation set) and with :func:`prepare_annotations` reused; goatools one
constructor and ``run_study`` per size (``--goatools-sizes``, default all). Peak RSS is the
process high-water mark (loading included). Writes ``benchmarks/results/enrich.json``.

Run ``python benchmarks/enrich.py [--repeats N] [--goatools-sizes 50,300,1000]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import machine_info, measure, write_json  # noqa: E402

log = logging.getLogger("benchmarks.enrich")
RESULTS = Path(__file__).resolve().parent / "results" / "enrich.json"
SIZES = (50, 100, 300, 1000, 3000, 5000)

# Shared by both children: the data and the deterministic studies.
_COMMON = """
import time, numpy as np
import goannot
from goannot import sources
from goannot.annotations import read_annotations
go = goannot.load_ontology()
ann = read_annotations(sources.locate('goa_human-2019-01-29'))
t = ann.table
pos = t[~t['qualifier'].astype(str).str.contains('NOT') & (t['aspect'].astype(str) == 'P')]
ids = pos['db_object_id'].astype(str)
immune_terms = go.descendants('GO:0006955') | {'GO:0006955'}
immune = sorted(set(ids[pos['go_id'].astype(str).isin(immune_terms)]))
pop = sorted(set(t['db_object_id'].astype(str)))
others = sorted(set(pop) - set(immune))
def make_study(n):
    rng = np.random.default_rng(42)
    k = min(n // 2, len(immune))
    chosen = list(rng.choice(immune, k, replace=False))
    return sorted(chosen + list(rng.choice(others, n - k, replace=False)))
STUDY = make_study(300)
"""

_GOATOOLS_SETUP = _COMMON + """
import collections
from goatools.obo_parser import GODag
from goatools.go_enrichment import GOEnrichmentStudy
dag = GODag(go.provenance.path, optional_attrs={'relationship'}, prt=None)
def make_assoc():
    assoc = collections.defaultdict(set)
    for g, x in zip(ids, pos['go_id'].astype(str)):
        assoc[g].add(x)
    return dict(assoc)
ASSOC = make_assoc()
"""

_GOANNOT_SETUP = _COMMON + """
from goannot.enrich import enrich, prepare_annotations
"""

_GOANNOT_STMT = """
t0 = time.perf_counter()
res = enrich(STUDY, pop, ann, go, ns='BP', corrections=['bonferroni', 'fdr_bh'])
t1 = time.perf_counter()
res2 = enrich(STUDY, pop, ann, go, ns='BP', corrections=['bonferroni', 'fdr_bh'])
t2 = time.perf_counter()
RESULT = {'cold_s': t1 - t0, 'warm_s': t2 - t1, 'terms': len(res.table),
          'n_fdr_bh': int((res.table['p_fdr_bh'] < 0.05).sum())}
"""

_GOATOOLS_STMT = """
t0 = time.perf_counter()
goea = GOEnrichmentStudy(pop, ASSOC, dag, propagate_counts=True, relationships={'part_of'}, alpha=0.05,
                         methods=['bonferroni', 'fdr_bh'], log=None)
t1 = time.perf_counter()
res = goea.run_study(STUDY, prt=None)
t2 = time.perf_counter()
RESULT = {'init_s': t1 - t0, 'run_study_s': t2 - t1, 'terms': len(res),
          'n_fdr_bh': sum(r.p_fdr_bh < 0.05 for r in res)}
"""

_GOANNOT_SWEEP = """
out = {}
enrich(STUDY, pop, ann, go, ns='BP')  # warm the closure once
for n in SIZES:
    s = make_study(n)
    t0 = time.perf_counter()
    r = enrich(s, pop, ann, go, ns='BP')
    t1 = time.perf_counter()
    out[n] = {'with_propagation_s': t1 - t0, 'terms': len(r.table)}
prep = prepare_annotations(ann, go, ns='BP')
for n in SIZES:
    s = make_study(n)
    t0 = time.perf_counter()
    r = enrich(s, pop, prep, go, ns='BP')
    out[n]['prepared_s'] = time.perf_counter() - t0
RESULT = out
"""

_GOATOOLS_SWEEP = """
out = {}
t0 = time.perf_counter()
goea = GOEnrichmentStudy(pop, ASSOC, dag, propagate_counts=True, relationships={'part_of'}, alpha=0.05,
                         methods=['bonferroni', 'fdr_bh'], log=None)
out['init_s'] = time.perf_counter() - t0
for n in SIZES:
    s = make_study(n)
    t0 = time.perf_counter()
    r = goea.run_study(s, prt=None)
    out[n] = {'run_study_s': time.perf_counter() - t0, 'terms': len(r)}
RESULT = out
"""


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the ratios, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--goatools-sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--no-sweep", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    env = {"GOANNOT_CACHE": os.environ.get("GOANNOT_CACHE", "")} if os.environ.get("GOANNOT_CACHE") else None
    load = os.getloadavg()
    ours = measure("goannot", _GOANNOT_SETUP, _GOANNOT_STMT, repeats=args.repeats, env=env, log=log.info)
    theirs = measure("goatools", _GOATOOLS_SETUP, _GOATOOLS_STMT, repeats=args.repeats, env=env, log=log.info)

    def med(m: Any, key: str) -> float:
        vals = sorted(float(s.result[key]) for s in m.samples)
        return vals[len(vals) // 2]

    study300 = {
        "goannot": {"call_s": ours.call_s, "cold_s": med(ours, "cold_s"), "warm_s": med(ours, "warm_s"),
                    "cpu_s": ours.cpu_s, "peak_rss_mib": ours.peak_rss_mib, "setup_s": ours.setup_s,
                    "terms": ours.samples[0].result["terms"], "n_fdr_bh": ours.samples[0].result["n_fdr_bh"]},
        "goatools": {"call_s": theirs.call_s, "init_s": med(theirs, "init_s"),
                     "run_study_s": med(theirs, "run_study_s"), "cpu_s": theirs.cpu_s,
                     "peak_rss_mib": theirs.peak_rss_mib, "setup_s": theirs.setup_s,
                     "terms": theirs.samples[0].result["terms"], "n_fdr_bh": theirs.samples[0].result["n_fdr_bh"]},
    }
    g_total = med(theirs, "init_s") + med(theirs, "run_study_s")
    ratios = {"cold_vs_goatools_total": g_total / med(ours, "cold_s"),
              "warm_vs_goatools_total": g_total / med(ours, "warm_s"),
              "warm_vs_goatools_run_study_only": med(theirs, "run_study_s") / med(ours, "warm_s")}
    sweep: dict[str, Any] = {}
    if not args.no_sweep:
        gsizes = tuple(int(x) for x in args.goatools_sizes.split(",") if x)
        s_ours = measure("goannot sweep", _GOANNOT_SETUP + f"\nSIZES = {SIZES!r}\n", _GOANNOT_SWEEP, repeats=1,
                         env=env, log=log.info)
        s_theirs = measure("goatools sweep", _GOATOOLS_SETUP + f"\nSIZES = {gsizes!r}\n", _GOATOOLS_SWEEP,
                           repeats=1, env=env, log=log.info)
        so, st = s_ours.samples[0].result, s_theirs.samples[0].result
        sweep = {"goatools_init_s": st["init_s"], "sizes": {}}
        for n in SIZES:
            row = dict(so[str(n)] if str(n) in so else so[n])
            g = st.get(str(n)) or st.get(n)
            if g:
                row["goatools_run_study_s"] = g["run_study_s"]
                row["goatools_total_s"] = g["run_study_s"] + st["init_s"]
                row["ratio_total"] = row["goatools_total_s"] / row["with_propagation_s"]
                row["ratio_run_study_vs_prepared"] = g["run_study_s"] / row["prepared_s"]
            sweep["sizes"][str(n)] = row
    payload = {"benchmark": "enrich", "machine": machine_info(("goannot", "goatools", "numpy", "pandas", "scipy")),
               "load_average_at_start": load, "study_300": study300, "ratios_300": ratios, "sweep": sweep}
    write_json(RESULTS, payload)
    print(json.dumps({"study_300": study300, "ratios_300": ratios}, indent=2))
    for n, row in sweep.get("sizes", {}).items():
        print(f"n={n:>5}: goannot {row['with_propagation_s']:.3f} s (prepared {row['prepared_s']:.3f} s)"
              + (f", goatools {row['goatools_total_s']:.2f} s (run_study {row['goatools_run_study_s']:.2f} s), "
                 f"ratio {row['ratio_total']:.1f}x" if "ratio_total" in row else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
