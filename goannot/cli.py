"""The ``goannot`` command: a thin layer of argument parsing over library calls.

Each subcommand is a ``_cmd_*`` function taking the parsed arguments and returning an exit status;
the work is done by the library. ``main(argv)`` is what the console script and the tests call.
Exit statuses: 0 success / clean, 1 findings at or above the failure threshold, 2 unusable input
or a failed command.
"""

from __future__ import annotations

import argparse
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
    if args.engine == "dask":
        from .dask_cli import validate_dask

        return validate_dask(args, [args.file, *args.more], _annotation_path, onto, options)
    if args.more:
        _out("goannot: error: several files need --engine dask", sys.stderr)
        return EXIT_UNUSABLE
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
    """Identifiers from a file: one per line (or whitespace/comma separated); '#' starts a comment."""
    import re

    ids: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            ids.extend(x for x in re.split(r"[\s,]+", line.split("#", 1)[0]) if x)
    return ids


def _enrich_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    from .ontology import DEFAULT_RELATIONS, REGULATES

    relations: tuple[str, ...] = tuple(args.relations.split(",")) if args.relations else DEFAULT_RELATIONS
    if args.regulates:
        relations = tuple(dict.fromkeys(relations + REGULATES))
    return {"ns": tuple(args.ns.split(",")), "relations": relations, "evidence": args.evidence,
            "corrections": tuple(args.corrections.split(",")), "alpha": args.alpha,
            "correct_per_namespace": not args.pool_namespaces,
            "all_annotated_population": args.annotated_background, "min_study_count": args.min_study_count,
            "alternative": args.alternative}


def _print_enrichment(result: Any, show_all: bool) -> None:
    meta = result.meta
    scope = meta.get("correction_scope", "per namespace")
    _out(f"GO {meta.get('ontology', {}).get('data_version', '?')}; corrections {', '.join(meta.get('corrections', []))} "
         f"({scope}); relations {'+'.join(meta.get('relations', []))}")
    for w in result.warnings:
        _out(f"warning: {w}")
    table = result.table if show_all else result.significant()
    cols = [c for c in ("GO", "NS", "enrichment", "name", "ratio_in_study", "ratio_in_pop", "p_uncorrected")
            if c in table.columns] + [c for c in table.columns if c.startswith("p_") and c != "p_uncorrected"]
    _out(f"{len(table)} term(s) {'tested' if show_all else 'significant'}")
    if len(table):
        _out(table[cols].head(50).to_string(index=False, max_colwidth=50))


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
    _print_enrichment(result, args.all)
    if args.out:
        from .atomic import atomic_open

        with atomic_open(args.out) as fh:
            result.table.to_csv(fh, sep="\t", index=False)
    if args.meta:
        _write_json(Path(args.meta), result.meta)
    if args.dotplot or args.dag:
        from .atomic import atomic_write_text
        from .enrich_plots import dag_svg, dotplot_svg

        if args.dotplot:
            atomic_write_text(args.dotplot, dotplot_svg(result))
        if args.dag:
            atomic_write_text(args.dag, dag_svg(result, onto))
    if args.elim is not None:
        from .enrich_plots import collapse_elim

        elim = collapse_elim(result, onto, alpha=args.elim)
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
    _out(table["status"].value_counts().to_string() if "status" in table.columns else "")
    if args.out:
        from .atomic import atomic_open

        with atomic_open(args.out) as fh:
            table.to_csv(fh, sep="\t", index=False)
        _out(f"comparison: {args.out}")
    if args.scatter:
        from .atomic import atomic_write_text
        from .enrich_plots import scatter_svg

        atomic_write_text(args.scatter, scatter_svg(table, labels=labels))
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

    def dask_options(sp: argparse.ArgumentParser, parts: bool = True) -> None:
        sp.add_argument("--scheduler", metavar="ADDRESS", help="Dask: the scheduler to use (default: a local cluster)")
        sp.add_argument("--workers", type=int, metavar="N", help="Dask: local cluster size (default: one per core)")
        if parts:
            sp.add_argument("--rows-per-part", type=int, default=500_000, metavar="N",
                            help="Dask: rows per Parquet part an input is split into (default: 500000)")

    def go_option(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--go", metavar="SOURCE|PATH", default=None,
                        help="GO release: a manifest name or an OBO/OBO-Graphs file (default: the bundled release)")

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
        sp.add_argument("--alpha", type=float, default=0.05)
        sp.add_argument("--pool-namespaces", action="store_true",
                        help="correct all namespaces together (goatools' GOEnrichmentStudy); default: per namespace")
        sp.add_argument("--annotated-background", action="store_true",
                        help="background = population genes annotated in the namespace (default: all given)")
        sp.add_argument("--min-study-count", type=int, default=0)
        sp.add_argument("--alternative", choices=("two-sided", "greater", "less"), default="two-sided")

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
    en.add_argument("--annotations", default="goa_human-2019-01-29", metavar="GAF|SOURCE")
    enrich_options(en)
    en.add_argument("--all", action="store_true", help="print every tested term, not only significant ones")
    en.add_argument("--out", "-o", metavar="FILE.tsv", help="write the full result table")
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
    ec.add_argument("--annotations", default="goa_human-2019-01-29", metavar="GAF|SOURCE")
    ec.add_argument("--annotations-b", metavar="GAF|SOURCE", help="annotations for B (default: the same)")
    ec.add_argument("--population", metavar="FILE")
    ec.add_argument("--population-b", metavar="FILE")
    ec.add_argument("--orthologs", metavar="FILE.tsv", help="two columns: A id, B id")
    ec.add_argument("--labels", default="A,B")
    enrich_options(ec)
    ec.add_argument("--out", "-o", metavar="FILE.tsv")
    ec.add_argument("--scatter", metavar="FILE.svg", help="-log10 p of A against B")

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
    va.add_argument("more", nargs="*", metavar="FILE", help="more files (--engine dask; outputs are then directories)")
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
    pr.add_argument("--format", choices=("gaf", "gpad", "gene2go", "table"))
    pr.add_argument("--relations", metavar="R,R", help="relations to follow (default: is_a,part_of)")
    pr.add_argument("--regulates", action="store_true", help="also follow regulates, negatively_/positively_regulates")
    pr.add_argument("--evidence", metavar="SPEC", help="e.g. exclude:IEA, experimental, codes:IDA,IMP, no-ND")
    pr.add_argument("--aspects", metavar="P,F,C", help="only annotations to terms of these aspects")
    pr.add_argument("--out", metavar="FILE.tsv", help="write the closure (gene, symbol, term, name, direct, n_sources)")
    pr.add_argument("--json", metavar="FILE", help="write the run's metadata (relations, filters, releases, counts)")
    pr.add_argument("--engine", choices=("local", "dask"), default="local",
                    help="dask: rows shuffled by gene over a Dask cluster (--out table only; needs goannot[dask])")
    dask_options(pr)

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
