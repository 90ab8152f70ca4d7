"""Shared helpers for goannot's benchmark scripts: time a snippet in a fresh Python process.

Every measurement runs in a new interpreter, so no run profits from another's imports, caches or
warmed-up allocator. Inside the child the helper times two phases with ``time.perf_counter``:

* ``setup``: the imports (and whatever preparation the benchmark needs, e.g. a first load), reported
  as ``setup_s`` (import time when setup is only imports);
* ``stmt``: the operation under test, reported as ``call_s`` (wall) and ``cpu_s``
  (``time.process_time``: CPU of all the process's threads, so it can exceed wall time for
  multithreaded code; on a shared machine it is the steadier number). Interpreter start-up and
  imports are excluded from both.

The child's peak resident set size comes from ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` read by
the child itself at the end (Linux reports KiB): the high-water mark of that process alone, which
``RUSAGE_CHILDREN`` in the parent cannot give per child. The parent also records the process's total
wall time. Each measurement is repeated and summarized by its median.

Usage::

    from _measure import measure, machine_info
    result = measure("goatools", setup="from goatools.obo_parser import GODag",
                     stmt="GODag(PATH, prt=None)", params={"PATH": path}, repeats=3)
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["Sample", "Measurement", "run_snippet", "measure", "machine_info", "write_json"]

_MARK = "@@goannot-measure@@"

# The child: params as globals, time setup and stmt, report as one marked JSON line on stdout.
_DRIVER = """
import json, resource, sys, time
g = json.loads(sys.argv[1])
t0 = time.perf_counter()
exec(compile(sys.argv[2], "<setup>", "exec"), g)
t1 = time.perf_counter()
c1 = time.process_time()
exec(compile(sys.argv[3], "<stmt>", "exec"), g)
c2 = time.process_time()
t2 = time.perf_counter()
rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
extra = g.get("RESULT")
print("{mark}" + json.dumps({{"setup_s": t1 - t0, "call_s": t2 - t1, "cpu_s": c2 - c1, "peak_rss_kib": rss_kib,
                              "result": extra}}, default=str), flush=True)
"""


@dataclass
class Sample:
    """One run of a snippet in a fresh process."""

    setup_s: float
    call_s: float
    cpu_s: float
    peak_rss_mib: float
    process_s: float
    result: Any = None


@dataclass
class Measurement:
    """A snippet measured ``repeats`` times: medians plus every sample."""

    name: str
    setup_s: float
    call_s: float
    cpu_s: float
    peak_rss_mib: float
    process_s: float
    samples: list[Sample] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def _precompile() -> None:
    """Byte-compile goannot's sources, as pip does for an installed package.

    Every other package in the comparison was byte-compiled when pip installed it; goannot is
    installed editable, and with ``PYTHONDONTWRITEBYTECODE`` set (as on this machine) each fresh
    process would compile its modules from source again, inside the timed call for lazily imported
    ones. Children only read the bytecode, so writing it once here is enough.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("goannot")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


_precompile()


def run_snippet(setup: str, stmt: str, *, params: Mapping[str, Any] | None = None,
                env: Mapping[str, str] | None = None, python: str = sys.executable,
                timeout: float = 1800.0) -> Sample:
    """Run ``setup`` then ``stmt`` in a fresh ``python`` and return their timings and peak RSS.

    ``params`` (JSON-serializable) become globals of the snippets. A snippet may set ``RESULT`` to a
    JSON-serializable value to report (e.g. a term count, to check that the run did its work).
    ``env`` is added to the current environment. Raises ``RuntimeError`` with the child's stderr if
    it fails.
    """
    child_env = dict(os.environ)
    child_env.update(env or {})
    driver = _DRIVER.format(mark=_MARK)
    start = time.perf_counter()
    proc = subprocess.run([python, "-c", driver, json.dumps(dict(params or {})), setup, stmt],
                          capture_output=True, text=True, env=child_env, timeout=timeout, check=False)
    elapsed = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(_MARK)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"snippet failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    data = json.loads(lines[-1][len(_MARK):])
    return Sample(setup_s=data["setup_s"], call_s=data["call_s"], cpu_s=data["cpu_s"],
                  peak_rss_mib=data["peak_rss_kib"] / 1024.0, process_s=elapsed, result=data["result"])


def measure(name: str, setup: str, stmt: str, *, repeats: int = 3, params: Mapping[str, Any] | None = None,
            env: Mapping[str, str] | None = None, before_each: Callable[[], None] | None = None,
            python: str = sys.executable, log: Callable[[str], None] | None = None) -> Measurement:
    """Run a snippet ``repeats`` times, each in a fresh process, and summarize by the median.

    ``before_each`` runs in the parent before every repeat (e.g. empty a cache directory for a
    cold-start measurement). ``log`` receives one progress line per repeat.
    """
    samples: list[Sample] = []
    for k in range(repeats):
        if before_each is not None:
            before_each()
        sample = run_snippet(setup, stmt, params=params, env=env, python=python)
        samples.append(sample)
        if log is not None:
            log(f"  {name} [{k + 1}/{repeats}] call {sample.call_s:.3f} s (CPU {sample.cpu_s:.3f} s), setup {sample.setup_s:.3f} s, "
                f"peak RSS {sample.peak_rss_mib:.0f} MiB")
    return _summary(name, samples)


def measure_interleaved(cases: Mapping[str, tuple[str, str, Mapping[str, Any]]], *, repeats: int = 3,
                        warmup: int = 0, env: Mapping[str, str] | None = None, python: str = sys.executable,
                        log: Callable[[str], None] | None = None) -> dict[str, Measurement]:
    """Like :func:`measure` for several cases (name -> setup, stmt, params), run round-robin.

    Repeat k of every case runs before repeat k + 1 of any, so a machine whose speed drifts over
    minutes (a shared VM, the kernel still writing out a file made just before) weighs on all cases
    alike instead of on whichever is measured first. ``warmup`` rounds of every case run first and
    are not counted (each counted run is still a fresh process; only the machine is warm: files in
    the page cache, caches primed).
    """
    samples: dict[str, list[Sample]] = {name: [] for name in cases}
    for k in range(-warmup, repeats):
        for name, (setup, stmt, params) in cases.items():
            sample = run_snippet(setup, stmt, params=params, env=env, python=python)
            if k >= 0:
                samples[name].append(sample)
            if log is not None:
                tag = f"[{k + 1}/{repeats}]" if k >= 0 else "[warm-up]"
                log(f"  {name} {tag} call {sample.call_s:.3f} s (CPU {sample.cpu_s:.3f} s), "
                    f"setup {sample.setup_s:.3f} s, peak RSS {sample.peak_rss_mib:.0f} MiB")
    return {name: _summary(name, got) for name, got in samples.items()}


def _summary(name: str, samples: list[Sample]) -> Measurement:
    """The medians of a case's samples."""
    return Measurement(
        name=name,
        setup_s=statistics.median(s.setup_s for s in samples),
        call_s=statistics.median(s.call_s for s in samples),
        cpu_s=statistics.median(s.cpu_s for s in samples),
        peak_rss_mib=statistics.median(s.peak_rss_mib for s in samples),
        process_s=statistics.median(s.process_s for s in samples),
        samples=samples,
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 2)
    except OSError:
        pass
    return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_info(packages: tuple[str, ...] = ()) -> dict[str, Any]:
    """Where the numbers were measured: CPU, cores, RAM, load, Python and package versions."""
    try:
        load: list[float] | None = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "ram_gib": _ram_gib(),
        "loadavg_at_start": load,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "packages": {p: _version(p) for p in packages},
    }


def write_json(path: Path, payload: Mapping[str, Any]) -> None:
    """Write results as indented JSON, creating the folder; atomic (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    os.replace(tmp, path)
