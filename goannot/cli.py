"""The ``goannot`` command: a thin layer of argument parsing over library calls.

Each subcommand is a ``_cmd_*`` function taking the parsed arguments and returning an exit status;
the work is done by the library. ``main(argv)`` is what the console script and the tests call.
Exit statuses (:data:`EXIT_STATUSES`, also in ``--help``): 0 success / clean, 1 findings at or
above the failure threshold, 2 unusable input or environment (a bad file or argument, a missing or
unwritable directory, a full disk), 3 an internal error (a bug: one line on stderr, the traceback
with ``--debug``), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from .atomic import install_cleanup
from .errors import GoannotError

__all__ = ["main", "build_parser"]

log = logging.getLogger("goannot")

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

#: What each exit status means (shown by ``goannot --help``; the README lists the same).
EXIT_STATUSES = """exit status:
  0    success; validate: no finding at or above --fail-on
  1    findings at or above --fail-on (validate), DAG errors (ontology check), unknown IDs (resolve),
       no hit (search)
  2    unusable input or environment: a bad or missing file, bad arguments, a missing or unwritable
       output directory, a full disk; nothing was written
  3    internal error (a bug in goannot): one line on stderr, the traceback with --debug
  130  interrupted (Ctrl-C); nothing was written"""

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

    if args.progress is None:  # default: only on a terminal, never into a pipe or a log file
        args.progress = sys.stderr.isatty() and sys.stdout.isatty()

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


#: Columns of `goannot resolve`: for a name/synonym hit, status is how it matched ("name",
#: "synonym:EXACT"...) and primary the term found.
RESOLVE_COLUMNS = ("query", "status", "primary", "name", "replaced_by", "consider")


def _cmd_resolve(args: argparse.Namespace) -> int:
    onto = _load_go(args.go)
    worst = EXIT_OK
    _out("\t".join(RESOLVE_COLUMNS))
    for query in args.ids:
        hits = [] if ":" in query or "_" in query else onto.find(query)
        if hits:
            for tid, how in hits:
                _out(f"{query}\t{how}\t{tid}\t{onto.name(tid)}\t\t")
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
    from .cli_io import annotation_path

    return annotation_path(name)


def _gene_index(spec: str) -> Any:
    from .genes import GeneIndex

    if spec.startswith("ncbi:"):
        return GeneIndex.from_ncbi(int(spec.split(":", 1)[1]))
    from .annotations import detect_format, read_annotations, read_gpi

    path = _annotation_path(spec)
    if detect_format(path) == "gpi":  # gene products, no annotations: just what an index needs
        return GeneIndex.from_annotations(read_gpi(path), source=path.name)
    return GeneIndex.from_annotations(read_annotations(path).table)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .validate import exit_status, render_table, validate_file

    onto = _load_go(args.go)
    options: dict[str, Any] = {"convert_to_22": args.convert_to_22}
    if args.today:
        import datetime as dt

        options["today"] = dt.date.fromisoformat(args.today)
    if args.gene_index:
        options["gene_index"] = _gene_index(args.gene_index)
    if args.engine == "dask":
        from .dask_cli import validate_dask

        return validate_dask(args, [args.file, *args.more], _annotation_path, onto, options)
    if args.more:
        _out("goannot: error: several files need --engine dask", sys.stderr)
        return EXIT_UNUSABLE
    corpus = _corpus_for(args, onto)
    if corpus is not None:
        options["corpus"] = corpus
    try:
        result = validate_file(
            _annotation_path(args.file), onto, format=args.format, policy=args.policy,
            rules=args.rules.split(",") if args.rules else None, fail_on=args.fail_on, options=options,
            fix_path=args.fix, rejects_path=args.rejects, log_path=args.log, report_path=args.report,
            report_md_path=args.report_md, strict=args.strict)
    except GoannotError as exc:
        if args.debug or args.verbose:
            traceback.print_exc(file=sys.stderr)
        _out(f"goannot: error: {_one_line(str(exc))}", sys.stderr)
        return exit_status(exc)
    _out(render_table(result))
    for label, path in (result.outputs or {}).items():
        _out(f"{label}: {path}")
    return exit_status(result, args.fail_on)


def _corpus_for(args: argparse.Namespace, onto: Any) -> Any:
    """The corpus of the cross-row GO rules: --corpus files, else the bundled GAFs for a bundled file."""
    from .validate.corpusrules import default_corpus, load_corpus

    if args.no_corpus:
        return None
    paths = [_annotation_path(p) for p in args.corpus] if args.corpus else default_corpus(_annotation_path(args.file))
    return load_corpus(paths, onto) if paths else None


def _cmd_convert(args: argparse.Namespace) -> int:
    from .dask_cli import convert_command

    return convert_command(args, _annotation_path(args.file))


def _cmd_propagate(args: argparse.Namespace) -> int:
    from .annotations import read_annotations
    from .ontology import DEFAULT_RELATIONS, REGULATES
    from .propagate import propagate

    onto = _load_go(args.go)
    relations: tuple[str, ...] = tuple(args.relations.split(",")) if args.relations else DEFAULT_RELATIONS
    if args.regulates:
        relations = tuple(dict.fromkeys(relations + REGULATES))
    if args.engine == "dask":
        from .dask_cli import propagate_dask

        return propagate_dask(args, _annotation_path(args.file), onto, relations)
    annotations = read_annotations(_annotation_path(args.file), format=args.format)
    prop = propagate(annotations.table, onto, relations, args.evidence, aspects=args.aspects)
    meta = dict(prop.meta)
    meta["annotations"] = {"path": annotations.path, "format": annotations.format, "version": annotations.version,
                           "generated": annotations.header.get("date-generated") or annotations.header.get("generated")}
    table = prop.closure.merge(prop.genes[["gene", "symbol"]], on="gene", how="left")
    table["name"] = [onto.name(t) for t in table["term"].astype(str)]
    table = table[["gene", "symbol", "term", "name", "direct", "n_sources"]]
    if args.out:
        from .cli_io import write_table

        header = {key: meta.get(key) for key in ("relations", "evidence", "aspects")}
        header.update(go=meta.get("ontology", {}), annotations=meta["annotations"])
        write_table(table, args.out, args.out_format, header=header, sheet="closure")
        if args.out == "-":
            return EXIT_OK  # stdout is the closure; no summary mixed into it
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

def _cmd_demo(args: argparse.Namespace) -> int:
    """The main job on the bundled release: the IL7 report (what `make demo` runs)."""
    args.gene = "IL7"
    args.species = "human,mouse,rat"
    args.source = args.extra = args.gene_for = None
    args.no_extra = False
    args.relations = args.evidence = None
    args.slim = None
    args.ontology = args.go
    return _cmd_report(args)


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            from .errors import InputError

            raise InputError(None, None, f"{what}: expected LABEL=VALUE, got {item!r}")
        out[key] = value
    return out


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import run_report

    kwargs: dict[str, Any] = {}
    if args.no_extra:
        kwargs["extra_sets"] = {}
    elif args.extra:
        kwargs["extra_sets"] = _pairs(args.extra, "--extra")
    if args.source:
        kwargs["sources"] = _pairs(args.source, "--source")
    if args.gene_for:
        kwargs["genes"] = _pairs(args.gene_for, "--gene-for")
    if args.relations:
        kwargs["relations"] = tuple(args.relations.split(","))
    if args.evidence:
        kwargs["evidence"] = args.evidence
    if args.slim:
        kwargs["slim"] = args.slim
    result = run_report(args.gene, tuple(args.species.split(",")), ontology=args.ontology, out_dir=args.out,
                        **kwargs)
    _out(result.summary_text())
    return EXIT_OK


# -- enrichment ------------------------------------------------------------------------------------

def _id_list(path: str) -> list[str]:
    """Identifiers from a file ('-' stdin): one per line (or whitespace/comma separated); '#' comments.

    A missing file is an InputError (exit 2), not a traceback."""
    from .cli_io import read_id_list

    return read_id_list(path)


def _enrich_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    from .ontology import DEFAULT_RELATIONS, REGULATES

    relations: tuple[str, ...] = tuple(args.relations.split(",")) if args.relations else DEFAULT_RELATIONS
    if args.regulates:
        relations = tuple(dict.fromkeys(relations + REGULATES))
    return {"ns": tuple(args.ns.split(",")), "relations": relations, "evidence": args.evidence,
            "corrections": tuple(args.corrections.split(",")), "alpha": args.alpha,
            "correct_per_namespace": not args.pool_namespaces,
            "all_annotated_population": args.annotated_background, "min_study_count": args.min_study_count,
            "alternative": args.alternative, "algorithm": args.algorithm, "elim_cutoff": args.elim_cutoff}


def _print_enrichment(result: Any, show_all: bool, top: int = 50, annotations_table: Any = None) -> None:
    from .cli_io import identifier_warnings, release_line

    meta = result.meta
    scope = meta.get("correction_scope", "per namespace")
    _out(f"{release_line(meta)}; corrections {', '.join(meta.get('corrections', []))} "
         f"({scope}); relations {'+'.join(meta.get('relations', []))}")
    for w in result.warnings:
        _out(f"warning: {w}")
    for w in identifier_warnings(result.identifiers, annotations_table):
        _out(f"goannot: warning: {w}", sys.stderr)  # seen even when stdout goes to a file or a pipe
    table = result.table if show_all else result.significant()
    cols = [c for c in ("GO", "NS", "enrichment", "name", "ratio_in_study", "ratio_in_pop", "p_uncorrected")
            if c in table.columns] + [c for c in table.columns if c.startswith("p_") and c != "p_uncorrected"]
    _out(f"{len(table)} term(s) {'tested' if show_all else 'significant'}")
    if len(table):
        shown = table if top <= 0 else table.head(top)
        _out(shown[cols].to_string(index=False, max_colwidth=50))
        if len(shown) < len(table):
            _out(f"... showing the first {len(shown)} of {len(table)} (--top 0 prints all; --out FILE writes "
                 f"every tested term)")


def _cmd_enrich(args: argparse.Namespace) -> int:
    from .annotations import read_annotations
    from .enrich import enrich

    onto = _load_go(args.go)
    if args.studies:
        from .dask_cli import enrich_many

        population = None if args.all_annotated or not args.population else _id_list(args.population)
        return enrich_many(args, onto, _annotation_path(args.annotations), population, _enrich_kwargs(args), _id_list)
    if not args.study:
        _out("goannot: error: give --study FILE (or --studies DIR|FILE... to run many on Dask)", sys.stderr)
        return EXIT_UNUSABLE
    annotations = read_annotations(_annotation_path(args.annotations))
    study = _id_list(args.study)
    population = None if args.all_annotated or not args.population else _id_list(args.population)
    result = enrich(study, population, annotations, onto, **_enrich_kwargs(args))
    # Files first: they must not depend on stdout being read (`... | head` closes it early).
    if args.out and args.out != "-":
        from .cli_io import write_table

        write_table(result.table, args.out, args.out_format, sheet="enrichment")
    if args.meta:
        _write_json(Path(args.meta), result.meta)
    if args.dotplot or args.dag:
        from .atomic import atomic_write_text
        from .enrich_plots import dag_svg, dotplot_svg

        if args.dotplot:
            atomic_write_text(args.dotplot, dotplot_svg(result))
        if args.dag:
            atomic_write_text(args.dag, dag_svg(result, onto))
    elim = None
    if args.elim is not None:
        from .enrich_plots import collapse_elim

        elim = collapse_elim(result, onto, alpha=args.elim)
    if args.out == "-":  # the table is the output; the summary goes to stderr
        from .cli_io import write_table

        write_table(result.table, "-", args.out_format)
        summary: TextIO = sys.stderr
    else:
        summary = sys.stdout
    import contextlib

    with contextlib.redirect_stdout(summary):
        _print_enrichment(result, args.all, args.top, annotations.table)
        if elim is not None:
            _out(f"elim (topGO-style, cutoff {args.elim}): {int(elim['significant'].sum())} term(s) significant")
    return EXIT_OK


def _cmd_enrich_compare(args: argparse.Namespace) -> int:
    from .annotations import read_annotations
    from .enrich_compare import run_and_compare

    onto_a = _load_go(args.go)
    onto_b = _load_go(args.go_b) if args.go_b else onto_a
    ann_a = read_annotations(_annotation_path(args.annotations))
    ann_b = read_annotations(_annotation_path(args.annotations_b)) if args.annotations_b else ann_a
    orthologs = None
    if args.orthologs:
        import pandas as pd

        orthologs = pd.read_csv(args.orthologs, sep="\t", dtype=str, comment="#")
    labels = tuple(args.labels.split(","))
    if len(labels) != 2:
        from .errors import InputError

        raise InputError(None, None, "--labels takes two names, e.g. --labels A,B")
    comp = run_and_compare(
        _id_list(args.study), ann_a, onto_a, study_b=_id_list(args.study_b) if args.study_b else None,
        annotations_b=ann_b, ontology_b=onto_b,
        population_a=_id_list(args.population) if args.population else None,
        population_b=_id_list(args.population_b) if args.population_b else None,
        orthologs=orthologs, labels=(labels[0], labels[1]), **_enrich_kwargs(args))
    table = comp.table
    # Files first (they must not depend on stdout being read), then the summary.
    if args.out:
        from .cli_io import write_table

        write_table(table, args.out, args.out_format, sheet="enrich-compare")
    if args.scatter:
        from .atomic import atomic_write_text
        from .enrich_plots import scatter_svg

        atomic_write_text(args.scatter, scatter_svg(table, labels=labels))
    import contextlib

    with contextlib.redirect_stdout(sys.stderr if args.out == "-" else sys.stdout):
        _print_comparison(comp, labels, args.top)
        if args.out and args.out != "-":
            _out(f"comparison: {args.out}")
    return EXIT_OK


def _cmd_release_diff(args: argparse.Namespace) -> int:
    from .reldiff_report import run_command

    return run_command(args, _out, _annotation_path, _id_list)


def _print_comparison(comp: Any, labels: Sequence[str], top: int) -> None:
    """The terminal summary of enrich-compare: releases, statuses, significant terms and why they differ."""
    from .cli_io import release_line

    la, lb = labels
    table = comp.table
    _out(f"{la}: {release_line(comp.a.meta)}")
    _out(f"{lb}: {release_line(comp.b.meta)}")
    counts = comp.meta.get("counts", {})
    _out("terms: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    sig = comp.meta.get("significant", {})
    _out(f"significant: {la} {sig.get(la, 0)}, {lb} {sig.get(lb, 0)}")
    either = table[table[f"significant_{la}"].to_numpy(bool) | table[f"significant_{lb}"].to_numpy(bool)]
    if not len(either):
        return
    cols = ["GO", "name", "status", f"p_{la}", f"p_{lb}", "explanation"]
    shown = either if top <= 0 else either.head(top)
    _out(shown[cols].to_string(index=False, max_colwidth=60))
    if len(shown) < len(either):
        _out(f"... showing the first {len(shown)} of {len(either)} terms significant on either side "
             f"(--top 0 prints all; --out FILE writes every term)")


# -- plumbing --------------------------------------------------------------------------------------

def _write_json(path: Path, data: Any) -> None:
    from .atomic import atomic_write_text

    if str(path) == "-":  # `--json -` / `--meta -`: stdout, not a file named '-'
        _out(json.dumps(data, indent=2, default=str))
        return
    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")


EXIT_CODES_HELP = EXIT_STATUSES


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps epilog examples as written and shows each option's default unless its help says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if ("default" not in text and action.default not in (None, False, argparse.SUPPRESS)
                and action.option_strings and action.nargs != 0):
            text += " (default: %(default)s)"
        return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``goannot`` command (exposed for documentation and tests)."""
    from . import __version__
    from .cli_terms import EXAMPLES, add_term_commands

    p = argparse.ArgumentParser(prog="goannot", description=__doc__.splitlines()[0] if __doc__ else None,
                                formatter_class=_HelpFormatter, epilog=EXIT_STATUSES)
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    p.add_argument("--debug", action="store_true", help="show the traceback of an error")
    p.add_argument("--version", action="version", version=f"goannot {__version__}")
    # -v is also accepted after the subcommand (SUPPRESS: absent there, the top-level count stands)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="more log output (-vv for debug)")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show the traceback of an error")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, fn: Callable[[argparse.Namespace], int], help: str,
            parent: Any = sub) -> argparse.ArgumentParser:
        example = EXAMPLES.get(name, "")
        sp: argparse.ArgumentParser = parent.add_parser(
            name, help=help, description=help, parents=[common], formatter_class=_HelpFormatter,
            epilog=(f"example:\n  {example}\n\n" if example else "") + EXIT_CODES_HELP)
        sp.set_defaults(func=fn)
        return sp

    from .sources import default_ontology_name

    default_go = default_ontology_name()

    def dask_options(sp: argparse.ArgumentParser, parts: bool = True) -> None:
        sp.add_argument("--scheduler", metavar="ADDRESS", help="Dask: the scheduler to use (default: a local cluster)")
        sp.add_argument("--workers", type=int, metavar="N", help="Dask: local cluster size (default: one per core)")
        if parts:
            sp.add_argument("--rows-per-part", type=int, default=500_000, metavar="N",
                            help="Dask: rows per Parquet part an input is split into (default: 500000)")

    def go_option(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--go", metavar="SOURCE|PATH", default=None,
                        help=f"GO release: a manifest name or an OBO/OBO-Graphs file (default: {default_go}, bundled)")

    demo = add("demo", _cmd_demo, "the main job on the bundled release: the IL7 report (what `make demo` runs)")
    go_option(demo)
    demo.add_argument("--out", default="goannot-report", help="output folder (default: goannot-report)")

    rp = add("report", _cmd_report, "validate, propagate and compare one gene across species; HTML/JSON/TSV report")
    rp.add_argument("gene", help="symbol, UniProt accession or GAF synonym (e.g. IL7, IL7R, Cd4)")
    rp.add_argument("--species", default="human,mouse,rat", help="bundled species (default: human,mouse,rat)")
    rp.add_argument("--ontology", "--go", dest="ontology", metavar="SOURCE|PATH", help="GO release (default: bundled)")
    rp.add_argument("--source", action="append", metavar="SPECIES=SOURCE|PATH", help="annotation file for a species")
    rp.add_argument("--extra", action="append", metavar="LABEL=PATH", help="another set to compare (e.g. a table)")
    rp.add_argument("--no-extra", action="store_true", help="leave out the default extra set (IL7's NCBI table)")
    rp.add_argument("--gene-for", action="append", metavar="LABEL=QUERY", help="the gene's ID in one set")
    rp.add_argument("--relations", metavar="R,R", help="relations to propagate over (default: is_a,part_of)")
    rp.add_argument("--evidence", metavar="SPEC", help="evidence filter, e.g. exclude:IEA")
    rp.add_argument("--slim", help="slim of the ribbon (default: goslim_agr)")
    rp.add_argument("--out", default="goannot-report", help="output folder (default: goannot-report)")

    def enrich_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--ns", default="BP,MF,CC", help="namespaces to test (default: BP,MF,CC)")
        sp.add_argument("--relations", metavar="R,R", help="relations to propagate over (default: is_a,part_of)")
        sp.add_argument("--regulates", action="store_true", help="also propagate over the regulates family")
        sp.add_argument("--evidence", metavar="SPEC", help="evidence filter, e.g. exclude:IEA")
        sp.add_argument("--corrections", default="bonferroni,fdr_bh",
                        help="any of bonferroni,holm,sidak,fdr_bh,fdr_by (default: bonferroni,fdr_bh)")
        sp.add_argument("--alpha", type=float, default=0.05, help="significance level of the corrected p-values")
        sp.add_argument("--pool-namespaces", action="store_true",
                        help="correct all namespaces together (goatools' GOEnrichmentStudy); default: per namespace")
        sp.add_argument("--annotated-background", action="store_true",
                        help="background = population genes annotated in the namespace (default: all given)")
        sp.add_argument("--min-study-count", type=int, default=0, metavar="N",
                        help="leave out terms with fewer study genes before correcting")
        sp.add_argument("--alternative", choices=("two-sided", "greater", "less"), default=None,
                        help="Fisher alternative (default: two-sided for classic, greater for the others)")
        sp.add_argument("--algorithm", choices=("classic", "elim", "weight01", "parentchild"), default="classic",
                        help="term scoring: classic (each term alone) or topGO's elim, weight01, parentchild")
        sp.add_argument("--elim-cutoff", type=float, default=0.01, metavar="P",
                        help="for --algorithm elim: p-value at or below which a term's genes leave its ancestors")

    en = add("enrich", _cmd_enrich, "GO enrichment (Fisher's exact test) of a study gene list")
    go_option(en)
    en.add_argument("--study", metavar="FILE", help="study IDs (symbols, UniProt accessions...)")
    en.add_argument("--studies", nargs="+", metavar="DIR|FILE",
                    help="many study lists (files, or every file of a directory), run in parallel on Dask into one "
                         "table (--out); needs goannot[dask]")
    dask_options(en, parts=False)
    grp = en.add_mutually_exclusive_group()
    grp.add_argument("--population", metavar="FILE", help="population IDs")
    grp.add_argument("--all-annotated", action="store_true", help="population = every gene in the annotations")
    en.add_argument("--annotations", default="goa_human-2019-01-29", metavar="GAF|SOURCE",
                    help="annotation file or manifest source (`goannot data list`); mind the species")
    enrich_options(en)
    en.add_argument("--all", action="store_true", help="print every tested term, not only significant ones")
    en.add_argument("--top", type=int, default=50, metavar="N", help="print at most N terms (0: all)")
    en.add_argument("--out", "-o", metavar="FILE.tsv",
                    help="write the full result table ('-' for stdout; .tsv, .csv, .json or .xlsx by suffix)")
    en.add_argument("--out-format", choices=("tsv", "csv", "json", "xlsx"), help="format of --out (default: by suffix)")
    en.add_argument("--meta", metavar="FILE.json", help="write provenance and identifier diagnostics")
    en.add_argument("--dotplot", metavar="FILE.svg")
    en.add_argument("--dag", metavar="FILE.svg", help="DAG of the significant terms")
    en.add_argument("--elim", type=float, nargs="?", const=0.01, metavar="CUTOFF",
                    help="also run the topGO-style elim collapse")

    ec = add("enrich-compare", _cmd_enrich_compare,
             "two enrichments side by side: gene lists, conditions, species (orthologs) or releases")
    go_option(ec)
    ec.add_argument("--go-b", metavar="SOURCE|PATH", help="GO release for B (default: the same)")
    ec.add_argument("--study", required=True, metavar="FILE", help="study A")
    ec.add_argument("--study-b", metavar="FILE", help="study B (default: study A mapped through --orthologs)")
    ec.add_argument("--annotations", default="goa_human-2019-01-29", metavar="GAF|SOURCE",
                    help="annotation file or manifest source (`goannot data list`); mind the species")
    ec.add_argument("--annotations-b", metavar="GAF|SOURCE", help="annotations for B (default: the same)")
    ec.add_argument("--population", metavar="FILE")
    ec.add_argument("--population-b", metavar="FILE")
    ec.add_argument("--orthologs", metavar="FILE.tsv", help="two columns: A id, B id")
    ec.add_argument("--labels", default="A,B")
    enrich_options(ec)
    ec.add_argument("--top", type=int, default=30, metavar="N", help="print at most N terms (0: all)")
    ec.add_argument("--out", "-o", metavar="FILE.tsv",
                    help="write the comparison table ('-' for stdout; .tsv, .csv, .json or .xlsx by suffix)")
    ec.add_argument("--out-format", choices=("tsv", "csv", "json", "xlsx"), help="format of --out (default: by suffix)")
    ec.add_argument("--scatter", metavar="FILE.svg", help="-log10 p of A against B")

    data = sub.add_parser("data", help="known data sources").add_subparsers(dest="data_command", required=True)
    dl = add("list", _cmd_data_list, "list known sources: name, version, location, verified or not", data)
    dl.add_argument("--json", action="store_true", help="JSON instead of a table")
    df = add("fetch", _cmd_data_fetch, "download an online source into the cache (atomic, checksummed)", data)
    df.add_argument("name")
    df.add_argument("--force", action="store_true", help="download again even if cached")
    df.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                    help="show progress on stderr (default: when stdout and stderr are a terminal)")

    onto = sub.add_parser("ontology", help="ontology checks").add_subparsers(dest="onto_command", required=True)
    oc = add("check", _cmd_ontology_check, "check the DAG: cycles, dangling references, obsolete terms...", onto)
    go_option(oc)
    oc.add_argument("--json", metavar="FILE", help="also write the findings as JSON")

    va = add("validate", _cmd_validate, "check annotations against a GO release, repair, never lose a row")
    va.add_argument("file", metavar="FILE|SOURCE", help="GAF, GPAD, gene2go, id2gos, or a table; or a manifest name")
    va.add_argument("more", nargs="*", metavar="FILE", help="more files (--engine dask; outputs are then directories)")
    go_option(va)
    va.add_argument("--format", choices=("gaf", "gpad", "gpi", "gene2go", "table", "id2gos"),
                    help="skip format detection")
    va.add_argument("--policy", choices=("replace", "keep", "reject"), default="replace",
                    help="secondary/obsolete IDs: replace where GO names one target (default), keep, or reject")
    va.add_argument("--fix", metavar="OUT", help="write the repaired annotations (GAF 2.2 for .gaf/.gaf.gz, else TSV)")
    va.add_argument("--rejects", metavar="FILE", help="write the rejected rows with their reasons")
    va.add_argument("--log", metavar="FILE", help="write one entry per change (line, rule, before, after)")
    va.add_argument("--report", metavar="FILE.json", help="write the JSON report")
    va.add_argument("--report-md", metavar="FILE.md", help="write GO's per-dataset report layout (rule, count, "
                    "fail mode, examples with line numbers)")
    va.add_argument("--fail-on", choices=("info", "warning", "error", "never"), default="error",
                    help="exit 1 when a finding reaches this severity (default: error)")
    va.add_argument("--strict", action="store_true", help="stop at the first malformed line")
    va.add_argument("--rules", metavar="ID,ID", help="run only these rule ids")
    va.add_argument("--convert-to-22", action="store_true", help="give GAF 2.0/2.1 rows their GAF 2.2 relation")
    va.add_argument("--today", metavar="YYYY-MM-DD", help="date for age rules (default: the file's own date)")
    va.add_argument("--corpus", nargs="+", metavar="FILE|SOURCE",
                    help="annotation files for the cross-row rules (GORULE:0000004/36/38/49/54); default: the "
                         "seven bundled GAFs when FILE is one of them")
    va.add_argument("--no-corpus", action="store_true", help="skip the cross-row rules' corpus")
    va.add_argument("--gene-index", metavar="ncbi:TAXON|GAF|GPI",
                    help="check gene identifiers against NCBI Gene (taxon 9606, 10090, 7227) or a GAF's genes")
    va.add_argument("--engine", choices=("local", "dask"), default="local",
                    help="local: this process (default); dask: a Dask cluster (needs goannot[dask])")
    dask_options(va)

    cv = add("convert", _cmd_convert, "convert an annotation file into Parquet parts (streaming) for --engine dask")
    cv.add_argument("file", metavar="FILE|SOURCE")
    cv.add_argument("--to", required=True, metavar="DIR", help="output directory (created; must be empty)")
    cv.add_argument("--format", choices=("gaf", "gpad", "gpi", "gene2go", "table"), help="skip format detection")
    cv.add_argument("--rows-per-part", type=int, default=500_000, metavar="N", help="rows per part (default: 500000)")
    cv.add_argument("--strict", action="store_true", help="stop at the first malformed line")

    pr = add("propagate", _cmd_propagate, "gene x term closure over chosen relations, NOT-aware, with provenance")
    pr.add_argument("file", metavar="FILE|SOURCE")
    go_option(pr)
    pr.add_argument("--format", choices=("gaf", "gpad", "gene2go", "table", "id2gos"))
    pr.add_argument("--relations", metavar="R,R", help="relations to follow (default: is_a,part_of)")
    pr.add_argument("--regulates", action="store_true", help="also follow regulates, negatively_/positively_regulates")
    pr.add_argument("--evidence", metavar="SPEC", help="e.g. exclude:IEA, experimental, codes:IDA,IMP, no-ND")
    pr.add_argument("--aspects", metavar="P,F,C", help="only annotations to terms of these aspects")
    pr.add_argument("--out", metavar="FILE.tsv",
                    help="write the closure (gene, symbol, term, name, direct, n_sources); '-' for stdout")
    pr.add_argument("--out-format", choices=("tsv", "csv", "json", "xlsx"), help="format of --out (default: by suffix)")
    pr.add_argument("--json", metavar="FILE", help="write the run's metadata (relations, filters, releases, counts)")
    pr.add_argument("--engine", choices=("local", "dask"), default="local",
                    help="dask: rows shuffled by gene over a Dask cluster (--out table only; needs goannot[dask])")
    dask_options(pr)

    rd = add("release-diff", _cmd_release_diff,
             "what a new GO release does to terms, annotations, closures and enrichments (OLD -> NEW)")
    rd.add_argument("files", nargs="*", metavar="FILE|SOURCE", help="annotation files to follow across releases")
    go_option(rd)
    rd.add_argument("--go-new", required=True, metavar="SOURCE|PATH", help="the new GO release")
    rd.add_argument("--study", action="append", metavar="[LABEL=]FILE", help="gene list to enrich under both")
    rd.add_argument("--population", metavar="FILE", help="enrichment background (default: every gene of the file)")
    rd.add_argument("--relations", metavar="R,R", help="relations to propagate over (default: is_a,part_of)")
    rd.add_argument("--regulates", action="store_true", help="also propagate over the regulates family")
    rd.add_argument("--evidence", metavar="SPEC", help="evidence filter, e.g. exclude:IEA")
    rd.add_argument("--aspects", metavar="P,F,C", help="only annotations to terms of these aspects")
    rd.add_argument("--method", default="fdr_bh", help="correction that defines significance (default: fdr_bh)")
    rd.add_argument("--alpha", type=float, default=0.05)
    rd.add_argument("--gene", action="append", metavar="ID|SYMBOL", help="list this gene's closure changes")
    rd.add_argument("--top", type=int, default=10, help="rows shown per list (default: 10)")
    rd.add_argument("--json", metavar="FILE", help="summary and the first rows of every table")
    rd.add_argument("--html", metavar="FILE", help="HTML page in the report's style")
    rd.add_argument("--tsv", metavar="DIR", help="every table as a TSV file")

    rs = add("resolve", _cmd_resolve, "what IDs (or names/synonyms) are in a GO release")
    go_option(rs)
    rs.add_argument("ids", nargs="+", metavar="ID|NAME")
    add_term_commands(add, go_option)
    return p


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _os_error(exc: OSError) -> str:
    """An OSError as one line naming the file(s) and what stood in the way."""
    from .atomic import os_reason

    names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
    return f"{' -> '.join(names)}: {os_reason(exc)}" if names else os_reason(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``goannot`` command; returns the exit status (:data:`EXIT_STATUSES`).

    A user's mistake or the environment (unreadable input, a full disk, a missing directory) is one
    line on stderr and status 2; an error goannot did not expect is a bug, reported in one line with
    status 3 so that a pipeline never takes it for findings (1). ``--debug`` (or ``-v``) adds the
    traceback of either.
    """
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="goannot: %(levelname)s: %(message)s")
    install_cleanup()  # temp files of a run stopped by SIGTERM/SIGHUP are removed, not left behind
    debug = bool(args.debug or args.verbose)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # the reader of our output went away (`goannot ... | head`): not an error
        return EXIT_OK
    except (Exception, KeyboardInterrupt) as exc:
        error: BaseException = exc
    if isinstance(error, GoannotError):
        message, status = str(error), EXIT_UNUSABLE
    elif isinstance(error, OSError):
        message, status = _os_error(error), EXIT_UNUSABLE
    elif isinstance(error, MemoryError):
        message, status = "out of memory", EXIT_UNUSABLE
    elif isinstance(error, KeyboardInterrupt):
        message, status = "interrupted", EXIT_INTERRUPTED
    else:
        message = (f"internal error: {type(error).__name__}: {error} (a bug in goannot; "
                   f"{'traceback above' if debug else 'run again with --debug for the traceback'})")
        status = EXIT_INTERNAL
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    _out(f"goannot: error: {_one_line(message)}", sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
