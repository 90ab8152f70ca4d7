"""Term commands of ``goannot`` (what ``runoak info/ancestors/descendants/tree/search`` users expect)
and ``goannot slim`` (goatools' ``map_to_slim`` / map2slim), registered by :func:`add_term_commands`.

Kept out of :mod:`goannot.cli` so that the parser module stays small. Every command takes a term
by ID (primary or secondary, any accepted spelling) or by exact name/synonym; an unknown term is
unusable input (exit 2) with a hint to ``goannot search``. Tables go to stdout as TSV with a header,
or to ``--out`` (``-`` stdout; TSV, CSV, JSON or Excel by suffix).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a table is built: `goannot --help` stays light
    import pandas as pd

from .errors import GoannotError
from .ontology import DEFAULT_RELATIONS, Ontology

__all__ = ["add_term_commands", "EXAMPLES", "pick_term", "search_terms", "lineage_lines"]

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2

#: One short example per subcommand, shown at the end of its --help.
EXAMPLES: dict[str, str] = {
    "demo": "goannot demo --out goannot-report",
    "report": "goannot report IL7R --species human,mouse --out il7r-report",
    "enrich": "goannot enrich --study genes.txt --all-annotated --ns BP -o enrich.tsv --meta enrich.json",
    "enrich-compare": "goannot enrich-compare --study a.txt --study-b b.txt --labels day1,day7 -o cmp.tsv",
    "list": "goannot data list --json",
    "fetch": "goannot data fetch go-basic",
    "check": "goannot ontology check --json dag.json",
    "validate": "goannot validate goa_rat-2019-01-29 --fix fixed.gaf --report report.json",
    "propagate": "goannot propagate my.gaf --evidence exclude:IEA --out closure.tsv",
    "resolve": "goannot resolve GO:0006916 anti-apoptosis",
    "term": "goannot term GO:0006915 'negative regulation of apoptotic process'",
    "ancestors": "goannot ancestors GO:0005139 --relations is_a",
    "descendants": "goannot descendants GO:0006915 --out apoptosis-branch.tsv",
    "tree": "goannot tree GO:0005139",
    "search": "goannot search 'interleukin-7'",
    "slim": "goannot slim goa_human-2019-01-29 --slim goslim_agr --mode direct --out slim.tsv",
}

_OUT_FORMATS = ("tsv", "csv", "json", "xlsx")


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(f"goannot: {text}\n")


def _relations(spec: str | None) -> tuple[str, ...]:
    return tuple(r for r in spec.split(",") if r) if spec else DEFAULT_RELATIONS


def pick_term(onto: Ontology, query: str) -> str:
    """The primary term ID a query names: an ID (secondary ones map to their primary; obsolete terms
    are themselves) or an exact name/synonym (case-insensitive). Raises GoannotError when none does."""
    res = onto.resolve(query)
    if res.primary:
        return res.primary
    if res.status.value == "obsolete":
        return res.normalized
    hits = onto.find(query)
    if hits:
        names = [t for t, how in hits if how == "name"]
        return (names or [hits[0][0]])[0]
    raise GoannotError(f"{query!r} is not a term ID, name or synonym of GO {onto.data_version}; "
                                 f"try `goannot search {query.split(':')[-1]!r}`")


def _term_record(onto: Ontology, tid: str, query: str) -> dict[str, Any]:
    t = onto[tid]
    res = onto.resolve(query)
    status = "obsolete" if t.is_obsolete else ("secondary" if res.status.value == "secondary" else "current")
    return {"query": query, "id": t.id, "name": t.name, "namespace": t.namespace, "status": status,
            "definition": t.definition, "synonyms": [f"{text} ({scope})" for text, scope, _ in t.synonyms],
            "alt_ids": list(t.alt_ids), "replaced_by": list(t.replaced_by), "consider": list(t.consider),
            "parents": [f"{rel} {pid} {onto.name(pid)}" for rel, pid in t.parents],
            "subsets": list(t.subsets), "xrefs": list(t.xrefs), "comment": t.comment}


def _cmd_term(args: argparse.Namespace) -> int:
    onto = _load(args)
    records = [_term_record(onto, pick_term(onto, q), q) for q in args.terms]
    if args.json:
        _out(json.dumps(records if len(records) > 1 else records[0], indent=2, ensure_ascii=False))
        return EXIT_OK
    for k, r in enumerate(records):
        if k:
            _out()
        _out(f"{r['id']} ! {r['name']}")
        note = f" (asked as {r['query']}, a secondary ID)" if r["status"] == "secondary" else ""
        _out(f"  status: {r['status']}{note}")
        _out(f"  namespace: {r['namespace']}")
        if r["definition"]:
            _out(f"  definition: {r['definition']}")
        for key in ("synonyms", "alt_ids", "replaced_by", "consider", "parents", "subsets"):
            if r[key]:
                _out(f"  {key}: " + ("; ".join(r[key]) if key in ("synonyms", "parents") else ", ".join(r[key])))
        if r["comment"] and r["status"] == "obsolete":
            _out(f"  comment: {r['comment']}")
    return EXIT_OK


def _term_table(onto: Ontology, ids: Iterable[str]) -> pd.DataFrame:
    import pandas as pd

    ordered = sorted(set(ids), key=onto.index_of)
    return pd.DataFrame({"id": ordered, "name": [onto.name(t) for t in ordered],
                         "namespace": [onto.namespace(t) for t in ordered]}, columns=["id", "name", "namespace"])


def _emit(table: pd.DataFrame, args: argparse.Namespace) -> None:
    from .cli_io import write_table

    write_table(table, args.out or "-", args.out_format)


def _walk_command(up: bool) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        onto = _load(args)
        rels = _relations(args.relations)
        found: set[str] = set()
        for q in args.terms:
            tid = pick_term(onto, q)
            walk = onto.ancestors if up else onto.descendants
            found |= walk(tid, rels, reflexive=args.reflexive)
        _emit(_term_table(onto, found), args)
        return EXIT_OK
    run.__doc__ = f"The {'ancestors' if up else 'descendants'} of the given terms (union), as a table."
    return run


def lineage_lines(onto: Ontology, term: str, relations: Sequence[str] = DEFAULT_RELATIONS) -> list[str]:
    """The ancestors of ``term`` as an indented tree from the roots down (like ``runoak tree``).

    Each line is ``<indent>[relation] ID ! name``; a term reachable by several paths appears under
    each parent, and the term asked for is marked ``*``. Relations are abbreviated (``i`` is_a,
    ``p`` part_of, ``r``/``+r``/``-r`` the regulates family).
    """
    short = {"is_a": "i", "part_of": "p", "regulates": "r", "positively_regulates": "+r",
             "negatively_regulates": "-r", "has_part": "h", "occurs_in": "o"}
    inside = onto.ancestors(term, relations, reflexive=True)
    children: dict[str, list[tuple[str, str]]] = {}
    for child, rel, parent in onto.edges(relations):
        if child in inside and parent in inside:
            children.setdefault(parent, []).append((rel, child))
    has_parent = {c for kids in children.values() for _, c in kids}
    roots = sorted((t for t in inside if t not in has_parent), key=onto.index_of)
    lines: list[str] = []

    def visit(tid: str, rel: str, depth: int) -> None:
        mark = " *" if tid == term else ""
        tag = f"[{short.get(rel, rel)}] " if rel else ""
        lines.append(f"{'  ' * depth}{tag}{tid} ! {onto.name(tid)}{mark}")
        for r, c in sorted(children.get(tid, ()), key=lambda rc: (onto.index_of(rc[1]), rc[0])):
            visit(c, r, depth + 1)

    for root in roots:
        visit(root, "", 0)
    return lines


def _cmd_tree(args: argparse.Namespace) -> int:
    onto = _load(args)
    for k, q in enumerate(args.terms):
        if k:
            _out()
        for line in lineage_lines(onto, pick_term(onto, q), _relations(args.relations)):
            _out(line)
    return EXIT_OK


def search_terms(onto: Ontology, text: str, *, obsolete: bool = False, limit: int = 0) -> pd.DataFrame:
    """Terms whose name or a synonym contains ``text`` (case-insensitive; every word of a multi-word
    query when the phrase itself is absent), best first: exact name, exact synonym, name starting
    with the text, name containing it, synonym containing it; then ontology order.

    Columns: ``id``, ``name``, ``namespace``, ``matched`` (``name`` or ``synonym:SCOPE``), ``label``
    (the text that matched). ``limit`` > 0 keeps the first ``limit`` rows.
    """
    import pandas as pd

    needle = text.strip().casefold()
    if not needle:
        raise GoannotError("search needs some text")
    words = needle.split()
    rows: list[tuple[int, int, str, str, str]] = []
    for tid in onto.ids(include_obsolete=obsolete):
        name = onto.name(tid)
        labels = [(name, "name")] + [(syn, f"synonym:{scope}") for syn, scope, _ in onto.synonyms(tid)]
        best: tuple[int, str, str] | None = None
        for label, how in labels:
            low = label.casefold()
            if low == needle:
                rank = 0 if how == "name" else 1
            elif needle in low:
                rank = (2 if low.startswith(needle) else 3) if how == "name" else 4
            elif len(words) > 1 and all(w in low for w in words):
                rank = 5 if how == "name" else 6
            else:
                continue
            if best is None or rank < best[0]:
                best = (rank, how, label)
        if best is not None:
            rows.append((best[0], onto.index_of(tid), tid, best[1], best[2]))
    rows.sort()
    if limit > 0:
        rows = rows[:limit]
    return pd.DataFrame({"id": [r[2] for r in rows], "name": [onto.name(r[2]) for r in rows],
                         "namespace": [onto.namespace(r[2]) for r in rows], "matched": [r[3] for r in rows],
                         "label": [r[4] for r in rows]},
                        columns=["id", "name", "namespace", "matched", "label"])


def _cmd_search(args: argparse.Namespace) -> int:
    onto = _load(args)
    table = search_terms(onto, " ".join(args.text), obsolete=args.obsolete, limit=args.limit)
    _emit(table, args)
    if not len(table):
        _err(f"no term name or synonym contains {' '.join(args.text)!r}")
        return EXIT_FINDINGS
    return EXIT_OK


# -- slim ------------------------------------------------------------------------------------------

def _slim_ids(onto: Ontology, spec: str) -> tuple[list[str], str]:
    """(slim term IDs, a label) from a subset name of the ontology or a slim file."""
    from .slim import read_slim_file, slim_terms

    if spec in onto.subset_names:
        return slim_terms(onto, spec), spec
    if Path(spec).exists():
        return slim_terms(onto, read_slim_file(spec)), Path(spec).name
    slims = sorted(n for n in onto.subset_names if n.startswith("goslim"))
    raise GoannotError(f"--slim {spec!r} is neither a subset of GO {onto.data_version} nor a file; "
                                 f"subsets: {', '.join(slims)}")


def _looks_like_terms(path: str) -> bool:
    """True when a file is a plain list of GO IDs (not an annotation file)."""
    import re

    try:
        with open(path, encoding="utf-8") as fh:
            head = [line.split("#", 1)[0].strip() for line in fh.readlines()[:50]]
    except (OSError, UnicodeDecodeError):
        return False
    tokens = [t for line in head for t in re.split(r"[\s,]+", line) if t]
    return bool(tokens) and all(re.fullmatch(r"GO:\d{7}", t) for t in tokens)


def _cmd_slim(args: argparse.Namespace) -> int:
    import pandas as pd

    from .cli_io import read_id_list, write_table
    from .slim import annotation_terms, map_to_slim

    onto = _load(args)
    slim_ids, slim_label = _slim_ids(onto, args.slim)
    rels = _relations(args.relations)
    source = args.file
    if args.terms or source == "-" or (Path(source).is_file() and _looks_like_terms(source)):
        ids = read_id_list(source)
        pairs = pd.DataFrame({"gene": "", "symbol": "", "term": [pick_term(onto, q) for q in ids]})
        left_out: dict[str, int] = {}
    else:
        from .annotations import read_annotations
        from .cli_io import annotation_path

        ann = read_annotations(annotation_path(source))
        pairs, left_out = annotation_terms(ann.table, onto)
    mapping = map_to_slim(pairs[["gene", "term"]], onto, slim_ids, rels)
    if args.mode == "direct":
        mapping = mapping[mapping["direct"].to_numpy(dtype=bool)]
    symbols = pairs.drop_duplicates("gene").set_index("gene")["symbol"]
    mapping = mapping.assign(symbol=mapping["gene"].map(symbols).fillna(""),
                             term_name=[onto.name(t) for t in mapping["term"]],
                             slim_name=[onto.name(t) for t in mapping["slim_term"]])
    cols = ["gene", "symbol", "term", "term_name", "slim_term", "slim_name"]
    cols += ["direct"] if args.mode == "all" else []
    mapping = mapping[cols].reset_index(drop=True)
    counts = (mapping.groupby("slim_term").agg(n_genes=("gene", "nunique"), n_terms=("term", "nunique"))
              .reindex(slim_ids, fill_value=0).reset_index())
    counts.insert(1, "name", [onto.name(t) for t in counts["slim_term"]])
    counts.insert(2, "namespace", [onto.namespace(t) for t in counts["slim_term"]])
    if pairs["gene"].eq("").all():
        counts = counts.drop(columns=["n_genes"])
    header = {"slim": slim_label, "mode": args.mode, "relations": list(rels), "go": onto.data_version}
    if args.out:
        write_table(mapping, args.out, args.out_format, header=header, sheet="slim")
    if args.counts:
        write_table(counts, args.counts, None, header=header, sheet="slim counts")
    unmapped = sorted(set(pairs["term"]) - set(mapping["term"]))
    if args.out == "-" or args.counts == "-":
        summary = sys.stderr
    else:
        summary = sys.stdout
    summary.write(f"{len(set(pairs['term'])):,} term(s) of {pairs['gene'].replace('', pd.NA).nunique():,} gene(s) "
                  f"mapped to {mapping['slim_term'].nunique()} of {len(slim_ids)} {slim_label} terms "
                  f"({args.mode}, over {'+'.join(rels)}); {len(unmapped)} term(s) map to no slim term\n")
    if left_out:
        summary.write(f"left out: {left_out['not']:,} NOT row(s), {left_out['obsolete_or_unknown']:,} row(s) "
                      f"with an obsolete or unknown GO ID\n")
    if not args.out and not args.counts:
        summary.write(counts.to_string(index=False) + "\n")
    return EXIT_OK


# -- registration ---------------------------------------------------------------------------------

def _load(args: argparse.Namespace) -> Ontology:
    from .loader import load_ontology

    return load_ontology(args.go)


def add_term_commands(add: Callable[..., argparse.ArgumentParser],
                      go_option: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register term, ancestors, descendants, tree, search and slim with the ``add`` helper of
    :func:`goannot.cli.build_parser` (which gives each its example, exit codes and ``-v``)."""

    def out_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--out", "-o", metavar="FILE", help="write the table to FILE ('-' or none: stdout)")
        sp.add_argument("--out-format", choices=_OUT_FORMATS, help="format of --out (default: by suffix, else TSV)")

    te = add("term", _cmd_term, "a term's name, definition, status, synonyms, parents (like runoak info)")
    te.add_argument("terms", nargs="+", metavar="ID|NAME")
    go_option(te)
    te.add_argument("--json", action="store_true", help="JSON instead of text")

    for name, up, what in (("ancestors", True, "every ancestor of the terms over the relations"),
                           ("descendants", False, "every descendant of the terms over the relations")):
        sp = add(name, _walk_command(up), f"{what} (like runoak {name}); a TSV of id, name, namespace")
        sp.add_argument("terms", nargs="+", metavar="ID|NAME")
        go_option(sp)
        sp.add_argument("--relations", metavar="R,R", help="relations to follow (default: is_a,part_of)")
        sp.add_argument("--reflexive", action="store_true", help="include the terms themselves")
        out_options(sp)

    tr = add("tree", _cmd_tree, "a term's lineage as an indented tree from the roots (like runoak tree)")
    tr.add_argument("terms", nargs="+", metavar="ID|NAME")
    go_option(tr)
    tr.add_argument("--relations", metavar="R,R", help="relations to follow (default: is_a,part_of)")

    se = add("search", _cmd_search, "terms whose name or synonym contains TEXT (like runoak search); exit 1 "
                                     "when none does")
    se.add_argument("text", nargs="+", metavar="TEXT")
    go_option(se)
    se.add_argument("--limit", type=int, default=0, metavar="N", help="at most N rows (0: all)")
    se.add_argument("--obsolete", action="store_true", help="also search obsolete terms")
    out_options(se)

    sl = add("slim", _cmd_slim, "map annotations (or a list of GO IDs) to a GO slim, like goatools' map_to_slim "
                                "and map2slim")
    sl.add_argument("file", metavar="FILE|SOURCE|-", help="annotation file or manifest name, or a list of GO IDs")
    go_option(sl)
    sl.add_argument("--slim", default="goslim_generic", metavar="NAME|PATH",
                    help="a subset of the GO release (goslim_agr, goslim_generic, ...) or a slim OBO / GO ID list")
    sl.add_argument("--mode", choices=("direct", "all"), default="direct",
                    help="direct: most specific slim terms of each term (goatools' direct_ancestors); "
                         "all: every slim ancestor (all_ancestors)")
    sl.add_argument("--relations", metavar="R,R",
                    help="relations to follow (default: is_a,part_of as map2slim and the GO ribbon; "
                         "is_a alone gives goatools' mapslim)")
    sl.add_argument("--terms", action="store_true", help="FILE is a list of GO IDs (detected when it only has IDs)")
    sl.add_argument("--out", "-o", metavar="FILE", help="write the mapping (gene, symbol, term, term_name, "
                                                        "slim_term, slim_name); '-' for stdout")
    sl.add_argument("--out-format", choices=_OUT_FORMATS, help="format of --out (default: by suffix)")
    sl.add_argument("--counts", metavar="FILE", help="write genes and terms per slim term; '-' for stdout")
