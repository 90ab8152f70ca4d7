"""The ``goannot`` command: a thin layer of argument parsing over library calls.

Each subcommand is a ``_cmd_*`` function taking the parsed arguments and returning an exit status;
the work is done by the library. ``main(argv)`` is what the console script and the tests call.
Exit statuses: 0 success / clean, 1 findings at or above the failure threshold, 2 unusable input
or a failed command.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from .errors import GoannotError

__all__ = ["main", "build_parser"]

log = logging.getLogger("goannot")

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2

#: The seed-004 IL7 table shipped with goannot's examples (used by the demo).
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _out(text: str = "", stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(text + "\n")


def _load_go(source: str | None) -> Any:
    from .loader import load_ontology

    return load_ontology(source)


# -- data ------------------------------------------------------------------------------------------

def _cmd_data_list(args: argparse.Namespace) -> int:
    from .sources import manifest, source_status

    rows = []
    for src in manifest().values():
        st = source_status(src)
        where = str(st.location) if st.location else (src.url or "")
        rows.append((src.name, src.kind, src.version, "bundled" if src.is_bundled else "online", st.state, where))
    if args.json:
        _out(json.dumps([dict(zip(("name", "kind", "version", "origin", "state", "location"), r)) for r in rows],
                        indent=2))
        return EXIT_OK
    widths = [max(len(r[i]) for r in rows + [("name", "kind", "version", "origin", "state", "")]) for i in range(5)]
    header = ("name", "kind", "version", "origin", "state", "location")
    for r in [header, *rows]:
        _out("  ".join(v.ljust(w) for v, w in zip(r[:5], widths)) + "  " + r[5])
    return EXIT_OK


def _cmd_data_fetch(args: argparse.Namespace) -> int:
    from .download import fetch

    def progress(done: int, total: int | None) -> None:
        if args.progress:
            pct = f"{100 * done / total:5.1f}%" if total else f"{done / 1e6:.1f} MB"
            sys.stderr.write(f"\r{args.name}: {pct}")

    path = fetch(args.name, force=args.force, progress=progress)
    if args.progress:
        sys.stderr.write("\n")
    _out(f"{args.name}: {path}")
    return EXIT_OK


# -- ontology --------------------------------------------------------------------------------------

def _cmd_ontology_check(args: argparse.Namespace) -> int:
    from .dagcheck import check_dag, render_table

    onto = _load_go(args.go)
    report = check_dag(onto)
    _out(f"{onto.provenance.path} (data-version {onto.data_version}, {len(onto)} terms)")
    _out(render_table(report))
    if args.json:
        _write_json(Path(args.json), report.as_dict())
    return EXIT_OK if report.ok else EXIT_FINDINGS


def _cmd_resolve(args: argparse.Namespace) -> int:
    onto = _load_go(args.go)
    worst = EXIT_OK
    for query in args.ids:
        hits = [] if ":" in query or "_" in query else onto.find(query)
        if hits:
            for tid, how in hits:
                _out(f"{query}\t{how}\t{tid}\t{onto.name(tid)}")
            continue
        r = onto.resolve(query)
        _out("\t".join([query, r.status.value, r.primary or "", r.name,
                        ",".join(r.replaced_by), ",".join(r.consider)]))
        if r.status.value in ("unknown", "malformed"):
            worst = EXIT_FINDINGS
    return worst


# -- annotations -----------------------------------------------------------------------------------

def _annotation_path(name: str) -> Path:
    """A file path, or the local file of a manifest annotation source (bundled or fetched)."""
    p = Path(name)
    if p.exists():
        return p
    from .sources import get_source, locate, manifest

    if name in manifest():
        return locate(get_source(name))
    from .errors import InputError

    raise InputError(name, None, "no such file, and not a known annotation source (see `goannot data list`)")


def _gene_index(spec: str) -> Any:
    from .genes import GeneIndex

    if spec.startswith("ncbi:"):
        return GeneIndex.from_ncbi(int(spec.split(":", 1)[1]))
    from .annotations import read_annotations

    return GeneIndex.from_annotations(read_annotations(_annotation_path(spec)).table)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .validate import exit_status, render_table, validate_file

    onto = _load_go(args.go)
    options: dict[str, Any] = {"convert_to_22": args.convert_to_22}
    if args.today:
        import datetime as dt

        options["today"] = dt.date.fromisoformat(args.today)
    if args.gene_index:
        options["gene_index"] = _gene_index(args.gene_index)
    try:
        result = validate_file(
            _annotation_path(args.file), onto, format=args.format, policy=args.policy,
            rules=args.rules.split(",") if args.rules else None, fail_on=args.fail_on, options=options,
            fix_path=args.fix, rejects_path=args.rejects, log_path=args.log, report_path=args.report,
            strict=args.strict)
    except GoannotError as exc:
        _out(f"goannot: error: {exc}", sys.stderr)
        return exit_status(exc)
    _out(render_table(result))
    for label, path in (result.outputs or {}).items():
        _out(f"{label}: {path}")
    return exit_status(result, args.fail_on)


def _cmd_propagate(args: argparse.Namespace) -> int:
    from .annotations import read_annotations
    from .ontology import DEFAULT_RELATIONS, REGULATES
    from .propagate import propagate

    onto = _load_go(args.go)
    relations: tuple[str, ...] = tuple(args.relations.split(",")) if args.relations else DEFAULT_RELATIONS
    if args.regulates:
        relations = tuple(dict.fromkeys(relations + REGULATES))
    annotations = read_annotations(_annotation_path(args.file), format=args.format)
    prop = propagate(annotations.table, onto, relations, args.evidence, aspects=args.aspects)
    meta = dict(prop.meta)
    meta["annotations"] = {"path": annotations.path, "format": annotations.format, "version": annotations.version,
                           "generated": annotations.header.get("date-generated") or annotations.header.get("generated")}
    table = prop.closure.merge(prop.genes[["gene", "symbol"]], on="gene", how="left")
    table["name"] = [onto.name(t) for t in table["term"].astype(str)]
    table = table[["gene", "symbol", "term", "name", "direct", "n_sources"]]
    if args.out:
        from .atomic import atomic_open

        with atomic_open(args.out) as fh:
            for key in ("relations", "evidence", "aspects"):
                fh.write(f"# {key}: {meta.get(key)}\n")
            fh.write(f"# go: {meta.get('ontology', {})}\n# annotations: {meta['annotations']}\n")
            table.to_csv(fh, sep="\t", index=False)
        _out(f"closure: {args.out}")
    if args.json:
        _write_json(Path(args.json), meta)
    counts = meta.get("counts", {})
    _out(f"{len(prop.genes):,} genes, {int(prop.closure['direct'].sum()):,} direct and "
         f"{int((~prop.closure['direct']).sum()):,} inferred (gene, term) pairs over {'+'.join(relations)}"
         + (f"; rows: {counts}" if counts else ""))
    if len(prop.conflicts):
        _out(f"{len(prop.conflicts):,} positive (gene, term) pairs contradict a NOT annotation")
    return EXIT_OK


# -- demo ------------------------------------------------------------------------------------------

def _read_example_table(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _cmd_demo(args: argparse.Namespace) -> int:
    from .dagcheck import check_dag, render_table

    onto = _load_go(args.go)
    prov = onto.provenance
    n_obsolete = sum(1 for t in onto.term_ids() if onto.is_obsolete(t))
    _out(f"GO release {onto.data_version}: {len(onto):,} terms ({n_obsolete:,} obsolete), "
         f"{len(onto.alt_ids):,} secondary IDs")
    _out(f"  file {prov.path}")
    _out(f"  sha256 {prov.sha256} ({'manifest ' + prov.source_name if prov.source_name else 'unlisted file'})")
    _out()
    _out("DAG check")
    _out(render_table(check_dag(onto)))
    table = EXAMPLES / "il7_ncbi_go_table.tsv"
    rows = _read_example_table(table)
    _out()
    _out(f"IL7 GO table from an old NCBI Gene page ({table.name}, {len(rows)} rows) against this release")
    for row in rows:
        r = onto.resolve(row["GO ID"])
        stated = row["GO Term"]
        if r.status.value == "secondary":
            _out(f'  {r.query} "{stated}" is a secondary ID of {r.primary} "{r.name}"')
        elif r.status.value == "obsolete":
            guide = (f"replaced_by {', '.join(r.replaced_by)}" if r.replaced_by else
                     f"consider {', '.join(r.consider)}" if r.consider else "no replacement")
            _out(f'  {r.query} "{stated}" is obsolete ({guide})')
        elif r.status.value in ("unknown", "malformed"):
            _out(f'  {r.query} "{stated}" is {r.status.value}')
        elif r.name != stated:
            _out(f'  {r.query} "{stated}" is now named "{r.name}"')
    return EXIT_OK


# -- plumbing --------------------------------------------------------------------------------------

def _write_json(path: Path, data: Any) -> None:
    from .atomic import atomic_write_text

    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``goannot`` command (exposed for documentation and tests)."""
    p = argparse.ArgumentParser(prog="goannot", description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, fn: Callable[[argparse.Namespace], int], help: str,
            parent: Any = sub) -> argparse.ArgumentParser:
        sp: argparse.ArgumentParser = parent.add_parser(name, help=help, description=help)
        sp.set_defaults(func=fn)
        return sp

    def go_option(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--go", metavar="SOURCE|PATH", default=None,
                        help="GO release: a manifest name or an OBO/OBO-Graphs file (default: the bundled release)")

    demo = add("demo", _cmd_demo, "run the main job on the bundled GO release (what `make demo` runs)")
    go_option(demo)

    data = sub.add_parser("data", help="known data sources").add_subparsers(dest="data_command", required=True)
    dl = add("list", _cmd_data_list, "list known sources: name, version, location, verified or not", data)
    dl.add_argument("--json", action="store_true", help="JSON instead of a table")
    df = add("fetch", _cmd_data_fetch, "download an online source into the cache (atomic, checksummed)", data)
    df.add_argument("name")
    df.add_argument("--force", action="store_true", help="download again even if cached")
    df.add_argument("--progress", action="store_true", help="show progress on stderr")

    onto = sub.add_parser("ontology", help="ontology checks").add_subparsers(dest="onto_command", required=True)
    oc = add("check", _cmd_ontology_check, "check the DAG: cycles, dangling references, obsolete terms...", onto)
    go_option(oc)
    oc.add_argument("--json", metavar="FILE", help="also write the findings as JSON")

    va = add("validate", _cmd_validate, "check annotations against a GO release, repair, never lose a row")
    va.add_argument("file", metavar="FILE|SOURCE", help="GAF, GPAD, gene2go, or a table; or a manifest name")
    go_option(va)
    va.add_argument("--format", choices=("gaf", "gpad", "gpi", "gene2go", "table"), help="skip format detection")
    va.add_argument("--policy", choices=("replace", "keep", "reject"), default="replace",
                    help="secondary/obsolete IDs: replace where GO names one target (default), keep, or reject")
    va.add_argument("--fix", metavar="OUT", help="write the repaired annotations (GAF 2.2 for .gaf/.gaf.gz, else TSV)")
    va.add_argument("--rejects", metavar="FILE", help="write the rejected rows with their reasons")
    va.add_argument("--log", metavar="FILE", help="write one entry per change (line, rule, before, after)")
    va.add_argument("--report", metavar="FILE.json", help="write the JSON report")
    va.add_argument("--fail-on", choices=("info", "warning", "error", "never"), default="error",
                    help="exit 1 when a finding reaches this severity (default: error)")
    va.add_argument("--strict", action="store_true", help="stop at the first malformed line")
    va.add_argument("--rules", metavar="ID,ID", help="run only these rule ids")
    va.add_argument("--convert-to-22", action="store_true", help="give GAF 2.0/2.1 rows their GAF 2.2 relation")
    va.add_argument("--today", metavar="YYYY-MM-DD", help="date for age rules (default: the file's own date)")
    va.add_argument("--gene-index", metavar="ncbi:TAXON|GAF",
                    help="check gene identifiers against NCBI Gene (taxon 9606, 10090, 7227) or a GAF's genes")

    pr = add("propagate", _cmd_propagate, "gene x term closure over chosen relations, NOT-aware, with provenance")
    pr.add_argument("file", metavar="FILE|SOURCE")
    go_option(pr)
    pr.add_argument("--format", choices=("gaf", "gpad", "gene2go", "table"))
    pr.add_argument("--relations", metavar="R,R", help="relations to follow (default: is_a,part_of)")
    pr.add_argument("--regulates", action="store_true", help="also follow regulates, negatively_/positively_regulates")
    pr.add_argument("--evidence", metavar="SPEC", help="e.g. exclude:IEA, experimental, codes:IDA,IMP, no-ND")
    pr.add_argument("--aspects", metavar="P,F,C", help="only annotations to terms of these aspects")
    pr.add_argument("--out", metavar="FILE.tsv", help="write the closure (gene, symbol, term, name, direct, n_sources)")
    pr.add_argument("--json", metavar="FILE", help="write the run's metadata (relations, filters, releases, counts)")

    rs = add("resolve", _cmd_resolve, "what IDs (or names/synonyms) are in a GO release")
    go_option(rs)
    rs.add_argument("ids", nargs="+", metavar="ID|NAME")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``goannot`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="goannot: %(levelname)s: %(message)s")
    try:
        return int(args.func(args))
    except GoannotError as exc:
        _out(f"goannot: error: {exc}", sys.stderr)
        return EXIT_UNUSABLE
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
