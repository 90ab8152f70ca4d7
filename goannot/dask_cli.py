"""The command-line side of ``goannot validate --engine dask`` and ``goannot convert``.

Kept out of :mod:`goannot.cli` so the default command imports neither Dask nor this code.
With one input file the output options name files, as for the single-process engine; with several
they name directories, and each input's outputs are written there under the input's name
(``NAME.fixed.gaf``/``.tsv``, ``NAME.rejects.tsv``, ``NAME.log.tsv``, ``NAME.report.json``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import GoannotError

if TYPE_CHECKING:
    from .ontology import Ontology

__all__ = ["validate_dask", "convert_command"]

log = logging.getLogger(__name__)

_SUFFIX = {"fix": ".fixed", "rejects": ".rejects.tsv", "log": ".log.tsv", "report": ".report.json"}


def _stem(path: Path) -> str:
    name = path.name
    for ext in (".gz", ".gaf", ".gpad", ".tsv", ".txt"):
        name = name.removesuffix(ext)
    return name or path.name


def _format(path: Path) -> str:
    from .annotations.reader import detect_format

    try:
        return str(detect_format(path))
    except (OSError, GoannotError):
        return ""


def output_paths(inputs: list[Path], given: dict[str, str | None]) -> list[dict[str, str | Path | None]]:
    """Per input, its output files: ``given`` as is for one input, else files named after each input
    inside the directories ``given`` names (created)."""
    if len(inputs) == 1:
        return [dict(given)]
    for d in given.values():
        if d is not None:
            Path(d).mkdir(parents=True, exist_ok=True)
    out: list[dict[str, str | Path | None]] = []
    seen: dict[str, int] = {}
    for p in inputs:
        stem = _stem(p)
        seen[stem] = seen.get(stem, 0) + 1
        if seen[stem] > 1:
            stem = f"{stem}.{seen[stem]}"
        fix_ext = ".gaf" if _format(p) == "gaf" else ".tsv"
        out.append({k: (Path(d) / (stem + _SUFFIX[k] + (fix_ext if k == "fix" else ""))) if d is not None else None
                    for k, d in given.items()})
    return out


def validate_dask(args: argparse.Namespace, names: list[str], resolve: Callable[[str], Path], ontology: Ontology,
                  options: dict[str, Any]) -> int:
    """Run ``validate`` on Dask for the files ``names`` (paths or manifest names, made paths by ``resolve``);
    print one table per file; return the worst exit status. A missing file is reported with the others' results."""
    inputs: list[Path] = []
    for name in names:
        try:
            inputs.append(resolve(name))
        except GoannotError:
            inputs.append(Path(name))  # the run reports it as that file's error
    try:
        from .dask_engine import validate_files
    except ModuleNotFoundError as exc:
        sys.stderr.write(f"goannot: error: --engine dask needs the dask extra (pip install 'goannot[dask]'): "
                         f"{exc}\n")
        return 2
    from .validate import exit_status, render_table

    dests = output_paths(inputs, {"fix": args.fix, "rejects": args.rejects, "log": args.log, "report": args.report})
    results = validate_files(inputs, ontology, scheduler=args.scheduler, workers=args.workers, format=args.format,
                             policy=args.policy, rules=args.rules.split(",") if args.rules else None,
                             fail_on=args.fail_on, options=options, outputs=dests,
                             rows_per_part=args.rows_per_part, strict=args.strict)
    status = 0
    for path, result in zip(inputs, results):
        if len(inputs) > 1:
            sys.stdout.write(f"== {path}\n")
        if isinstance(result, Exception):
            sys.stderr.write(f"goannot: error: {result}\n")
            status = max(status, exit_status(result) if isinstance(result, GoannotError) else 2)
            continue
        sys.stdout.write(render_table(result) + "\n")
        for label, out in (result.outputs or {}).items():
            sys.stdout.write(f"{label}: {out}\n")
        status = max(status, exit_status(result, args.fail_on))
    return status


def convert_command(args: argparse.Namespace, path: Path) -> int:
    """``goannot convert FILE --to DIR``: one streaming pass into Parquet parts (see :mod:`goannot.convert`)."""
    from .convert import convert

    ds = convert(path, args.to, format=args.format, rows_per_part=args.rows_per_part, strict=args.strict)
    sys.stdout.write(f"{path}: {ds.input_rows} rows in {len(ds.parts)} parts -> {ds.root}\n")
    return 0


def _client(args: argparse.Namespace) -> Any:
    from .dask_engine import dask_client

    return dask_client(scheduler=args.scheduler, workers=args.workers)


def propagate_dask(args: argparse.Namespace, path: Path, ontology: Ontology, relations: tuple[str, ...]) -> int:
    """``propagate --engine dask``: the closure table computed with rows shuffled by gene (same table as local)."""
    import tempfile

    from .dask_analysis import propagate_table

    with tempfile.TemporaryDirectory(prefix="goannot-dask-") as work, _client(args) as client:
        table = propagate_table(path, ontology, client=client, work_dir=work, relations=relations,
                                evidence=args.evidence, aspects=args.aspects, format=args.format,
                                rows_per_part=args.rows_per_part)
    if args.out:
        from .atomic import atomic_open

        with atomic_open(args.out) as fh:
            for key, value in (("relations", list(relations)), ("evidence", args.evidence), ("aspects", args.aspects)):
                fh.write(f"# {key}: {value}\n")
            fh.write(f"# go: {ontology.data_version}\n# annotations: {path}\n")
            table.to_csv(fh, sep="\t", index=False)
        sys.stdout.write(f"closure: {args.out}\n")
    direct = int(table["direct"].sum())
    sys.stdout.write(f"{table['gene'].nunique():,} genes, {direct:,} direct and {len(table) - direct:,} inferred "
                     f"(gene, term) pairs over {'+'.join(relations)}\n")
    return 0


def _study_files(specs: list[str]) -> list[Path]:
    files: list[Path] = []
    for spec in specs:
        p = Path(spec)
        files += sorted(q for q in p.iterdir() if q.is_file() and not q.name.startswith(".")) if p.is_dir() else [p]
    return files


def enrich_many(args: argparse.Namespace, ontology: Ontology, annotations: Path, population: list[str] | None,
                kwargs: dict[str, Any], read_ids: Callable[[str], list[str]]) -> int:
    """``enrich --studies DIR|FILE...``: every study list against one background, in parallel, one table."""
    from .dask_analysis import enrich_studies

    files = _study_files(args.studies)
    if not files:
        sys.stderr.write("goannot: error: --studies names no file\n")
        return 2
    studies = [(f.stem, read_ids(str(f))) for f in files]
    with _client(args) as client:
        table = enrich_studies(studies, population, annotations, ontology, client=client, **kwargs)
    if args.out:
        from .atomic import atomic_open

        with atomic_open(args.out) as fh:
            table.to_csv(fh, sep="\t", index=False)
        sys.stdout.write(f"table: {args.out}\n")
    sig = [c for c in table.columns if c.startswith("p_") and c != "p_uncorrected"]
    first = sig[0] if sig else None
    for label, _ in studies:
        rows = table[table["study"] == label]
        n_sig = int((rows[first] < kwargs.get("alpha", 0.05)).sum()) if first else 0
        sys.stdout.write(f"{label}: {len(rows)} terms tested, {n_sig} significant ({first})\n")
    return 0
