"""Outputs of the release diff: TSV tables, a JSON summary, an HTML page in the report's style, text.

Everything here only formats a :class:`goannot.reldiff.ReleaseDiff`; files are written atomically
(:mod:`goannot.atomic`). The JSON holds every count and the first ``max_rows`` rows of each table
(the TSV files hold them all), so its size stays bounded on a whole-proteome GAF. The HTML reuses
:mod:`goannot.report.html`'s stylesheet and table helper; every value is escaped.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .atomic import atomic_open, atomic_write_text
from .reldiff import FileDiff, ReleaseDiff
from .report.html import _CSS, _SORT_JS, _e, _kv, table_html

__all__ = ["closure_terms", "tables", "write_tsv", "to_json", "render_html", "render_text", "gene_changes", "LIMITS"]

log = logging.getLogger(__name__)

#: What the JSON and HTML show at most per table (the TSV files have every row).
LIMITS = {"json": 200, "html": 50}


def _slug(label: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label)


def closure_terms(diff: ReleaseDiff, f: FileDiff) -> pd.DataFrame:
    """Per term: genes that gained and lost it, and what happened to the term itself; most moved first."""
    cols = ["term", "name", "genes_gained", "genes_lost", "term_change", "main_cause"]
    if f.closure is None or not len(f.closure.pairs):
        return pd.DataFrame(columns=cols)
    p = f.closure.pairs
    frame = pd.DataFrame({"term": p["term"].astype(str), "change": p["change"].astype(str),
                          "cause": p["cause"].astype(str), "name": p["name"].astype(str)})
    n = frame.groupby(["term", "change"]).size().unstack(fill_value=0)
    for c in ("gained", "lost"):
        if c not in n.columns:
            n[c] = 0
    main = frame.groupby("term")["cause"].agg(lambda c: c.value_counts().index[0])
    name = frame.groupby("term")["name"].first()
    out = pd.DataFrame({"term": n.index, "name": name.reindex(n.index).to_numpy(),
                        "genes_gained": n["gained"].to_numpy(), "genes_lost": n["lost"].to_numpy()})
    out["term_change"] = [",".join(diff.ontology.changes_of(t)) for t in out["term"].tolist()]
    out["main_cause"] = main.reindex(n.index).to_numpy()
    total = out["genes_gained"] + out["genes_lost"]
    return out.assign(_t=total).sort_values(["_t", "term"], ascending=[False, True], kind="stable").drop(
        columns="_t").reset_index(drop=True)[cols]


def tables(diff: ReleaseDiff) -> dict[str, pd.DataFrame]:
    """Every table of the diff by output name (``terms``, ``edges``, then per file ``<file>.ids`` ...)."""
    out = {"terms": diff.ontology.terms, "edges": diff.ontology.edges}
    for f in diff.files:
        s = _slug(f.label)
        out[f"{s}.ids"] = f.annotations.ids.drop(columns=["old_message"])
        out[f"{s}.rows"] = f.annotations.rows
        out[f"{s}.genes"] = f.annotations.genes
        if f.closure is not None:
            out[f"{s}.closure_pairs"] = f.closure.pairs
            out[f"{s}.closure_genes"] = f.closure.genes
            out[f"{s}.closure_terms"] = closure_terms(diff, f)
        for e in f.enrichments:
            out[f"{s}.enrichment.{_slug(e.label)}"] = e.table
    return out


def write_tsv(diff: ReleaseDiff, folder: str | Path) -> list[Path]:
    """Write every table as ``folder/<name>.tsv`` (atomically); the paths written."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    header = f"# goannot release-diff {diff.ontology.old_version} -> {diff.ontology.new_version}\n"
    for name, table in tables(diff).items():
        path = root / f"{name}.tsv"
        with atomic_open(path) as fh:
            fh.write(header)
            table.to_csv(fh, sep="\t", index=False)
        written.append(path)
    return written


def _recs(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Table rows as dicts for :func:`~goannot.report.html.table_html`."""
    cols = [str(c) for c in table.columns]
    return [dict(zip(cols, row)) for row in table.itertuples(index=False, name=None)]


def _tab(table: pd.DataFrame, limit: int, empty: str = "none") -> str:
    """The first ``limit`` rows as an HTML table, with a note of how many more the TSV has."""
    html = table_html(_recs(table.head(limit)), empty=empty)
    if len(table) > limit:
        html += f"<p><em>{len(table) - limit:,} more rows in the TSV / JSON files.</em></p>"
    return html


def _records(table: pd.DataFrame, limit: int) -> list[dict[str, Any]]:
    head = table.head(limit)
    recs: list[dict[str, Any]] = json.loads(head.to_json(orient="records"))
    return recs


def to_json(diff: ReleaseDiff, max_rows: int = LIMITS["json"]) -> dict[str, Any]:
    """The summary plus the first ``max_rows`` rows of each table (``rows_total`` says how many there are)."""
    out = diff.summary()
    out["tables"] = {name: {"rows_total": int(len(t)), "rows": _records(t, max_rows)}
                     for name, t in tables(diff).items()}
    return out


def gene_changes(diff: ReleaseDiff, gene: str) -> pd.DataFrame:
    """Closure changes of one gene (label, ID or symbol; case-insensitive) over all files."""
    frames = []
    g = gene.casefold()
    for f in diff.files:
        if f.closure is None:
            continue
        p = f.closure.pairs
        hit = (p["gene"].str.casefold() == g) | (p["symbol"].astype(str).str.casefold() == g) | (
            p["gene"].str.casefold().str.endswith(":" + g))
        if hit.any():
            frames.append(p[hit].assign(file=f.label))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# -- text -------------------------------------------------------------------------------------------

def render_text(diff: ReleaseDiff, *, top: int = 10, genes: Sequence[str] = ()) -> str:
    """A plain-text summary for the terminal."""
    s = diff.ontology.summary
    lines = [f"GO {s['old']} -> {s['new']}: {s['terms_old']:,} -> {s['terms_new']:,} current terms",
             "  terms: " + ", ".join(f"{k} {v:,}" for k, v in s["changes"].items()),
             "  edges added: " + ", ".join(f"{k} {v:,}" for k, v in s["edges_added_by_relation"].items()),
             "  edges removed: " + ", ".join(f"{k} {v:,}" for k, v in s["edges_removed_by_relation"].items())]
    if s["relations_only_old"] or s["relations_only_new"]:
        lines.append(f"  relations in one release only (not compared): old {s['relations_only_old']}, "
                     f"new {s['relations_only_new']}")
    for f in diff.files:
        c = f.annotations.counts
        lines.append(f"{f.label}: {c['rows_read']:,} rows ({c['parse_rejects']:,} unreadable lines apart), "
                     f"{c['genes']:,} gene(s)")
        lines.append("  under NEW: " + ", ".join(f"{k} {v:,}" for k, v in c["by_class_new"].items() if v)
                     + " | outcome: " + ", ".join(f"{k} {v:,}" for k, v in c["by_outcome_new"].items()))
        lines.append(f"  rows whose verdict the release changes: {c['rows_changed_by_release']:,} "
                     f"({c['genes_affected']:,} genes with a non-current ID under NEW)")
        if f.closure is not None:
            k = f.closure.counts
            lines.append(f"  closure over {'+'.join(k['relations'])}: {k['pairs_old']:,} -> {k['pairs_new']:,} "
                         f"(gene, term) pairs; gained {k['gained']:,}, lost {k['lost']:,}; "
                         f"{k['genes_changed']:,} of {k['genes']:,} genes changed")
            for ch in ("lost", "gained"):
                lines.append(f"    {ch}: " + (", ".join(f"{a} {b:,}" for a, b in k["by_cause"].get(ch, {}).items())
                                                   or "none"))
            if top and len(f.closure.genes):
                lines.append(f"  most changed genes (top {top}):")
                for r in f.closure.genes.head(top).itertuples(index=False):
                    lines.append(f"    {r.gene} {r.symbol}: {r.closure_old} -> {r.closure_new} "
                                 f"(+{r.gained} -{r.lost}; mostly {r.top_cause})")
        for e in f.enrichments:
            k = e.counts
            lines.append(f"  enrichment '{e.label}' ({e.method} < {e.alpha}): {k['significant_old']} -> "
                         f"{k['significant_new']} significant; entered {k['entered']}, left {k['left']}"
                         + (f"; causes {k['by_cause']}" if k["by_cause"] else ""))
            for r in e.table[e.table["change"] != "stayed"].head(top).itertuples(index=False):
                lines.append(f"    {r.change} {r.GO} {r.name}: {r.cause}: {r.detail}")
    for gene in genes:
        moved = gene_changes(diff, gene)
        lines.append(f"closure changes of {gene}: {len(moved)}")
        for r in moved.itertuples(index=False):
            lines.append(f"  [{r.file}] {r.change} {r.term} {r.name}: {r.cause}: {r.detail}")
    return "\n".join(lines)


# -- HTML -------------------------------------------------------------------------------------------

def _counts_table(mapping: dict[str, Any], key: str = "class", value: str = "rows") -> str:
    return table_html([{key: k, value: v} for k, v in mapping.items()], cls="plain")


def _file_section(diff: ReleaseDiff, f: FileDiff, n: int, limit: int) -> str:
    c = f.annotations.counts
    parts = [f"<section id='file-{n}'><h2>{_e(f.label)}: annotation IDs</h2>",
             _kv([("file", _e(f.path)), ("rows read", _e(f"{c['rows_read']:,}")),
                  ("unreadable lines (apart)", _e(c["parse_rejects"])), ("genes", _e(f"{c['genes']:,}")),
                  ("rows whose verdict NEW changes", _e(f"{c['rows_changed_by_release']:,}"))]),
             "<h3>Rows by ID class</h3>",
             table_html([{"class": k, "old": c["by_class_old"][k], "new": v}
                         for k, v in c["by_class_new"].items()], cls="plain"),
             "<h3>Transitions (old class -> new class)</h3>", _counts_table(c["transitions"], "transition"),
             "<h3>Outcome under NEW (validator's replace policy)</h3>", _counts_table(c["by_outcome_new"], "outcome"),
             "<h3>GO IDs the release changes</h3>",
             _tab(f.annotations.ids.loc[f.annotations.ids["changed"].to_numpy(dtype=bool)].drop(
                 columns=["old_message", "changed"]), limit),
             "<h3>Genes with repaired or lost rows</h3>",
             _tab(f.annotations.genes, limit)]
    if f.closure is not None:
        k = f.closure.counts
        parts += [f"<h2 id='closure-{n}'>{_e(f.label)}: propagated annotation over {_e('+'.join(k['relations']))}</h2>",
                  _kv([("(gene, term) pairs", _e(f"{k['pairs_old']:,} -> {k['pairs_new']:,}")),
                       ("gained / lost", _e(f"{k['gained']:,} / {k['lost']:,}")),
                       ("genes changed", _e(f"{k['genes_changed']:,} of {k['genes']:,}"))]),
                  "<h3>Changed pairs by cause</h3>",
                  table_html([{"change": ch, "cause": cause, "pairs": v} for ch, d in k["by_cause"].items()
                              for cause, v in d.items()], cls="plain"),
                  "<h3>Terms whose genes moved most</h3>", _tab(closure_terms(diff, f), limit),
                  "<h3>Genes whose closure changed most</h3>",
                  _tab(f.closure.genes, limit),
                  "<h3>Changed (gene, term) pairs</h3>",
                  _tab(f.closure.pairs, limit)]
    for e in f.enrichments:
        k = e.counts
        moved = e.table[e.table["change"] != "stayed"]
        parts += [f"<h2>{_e(f.label)}: enrichment of '{_e(e.label)}'</h2>",
                  _kv([("significant", _e(f"{k['significant_old']} -> {k['significant_new']} "
                                          f"({e.method} < {e.alpha})")),
                       ("entered / left / stayed", _e(f"{k['entered']} / {k['left']} / {k['stayed']}")),
                       ("tested terms", _e(f"{k['tested_old']} -> {k['tested_new']}"))]),
                  _tab(moved, limit, empty="no term entered or left significance")]
    parts.append("</section>")
    return "".join(parts)


def render_html(diff: ReleaseDiff, *, max_rows: int = LIMITS["html"]) -> str:
    """The release diff as one self-contained HTML page (the report's stylesheet, escaped values)."""
    s = diff.ontology.summary
    od = diff.ontology
    nav = [("summary", "Summary"), ("ontology", "Ontology")] + [(f"file-{k}", f.label)
                                                               for k, f in enumerate(diff.files)]
    rel = diff.releases
    summary_rows = [("releases", _e(f"{s['old']} -> {s['new']}")),
                    ("old release file", _e(f"{rel['old'].get('path')} (sha256 {rel['old'].get('sha256')})")),
                    ("new release file", _e(f"{rel['new'].get('path')} (sha256 {rel['new'].get('sha256')})")),
                    ("current terms", _e(f"{s['terms_old']:,} -> {s['terms_new']:,}")),
                    ("relations compared", _e(", ".join(s["relations_compared"]))),
                    ("relations in one release only", _e(f"old: {', '.join(s['relations_only_old']) or '-'}; "
                                                         f"new: {', '.join(s['relations_only_new']) or '-'}"))]
    for f in diff.files:
        c = f.annotations.counts
        line = (f"{c['rows_read']:,} rows: " + ", ".join(f"{k} {v:,}" for k, v in c["by_outcome_new"].items()))
        if f.closure is not None:
            line += f"; closure +{f.closure.counts['gained']:,} -{f.closure.counts['lost']:,} pairs"
        summary_rows.append((f.label, _e(line)))
    edge_rel = sorted(set(s["edges_added_by_relation"]) | set(s["edges_removed_by_relation"]))
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>goannot release diff: {_e(s['old'])} to {_e(s['new'])}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>GO release diff: {_e(s['old'])} \u2192 {_e(s['new'])}</h1>"
        f"<p>what the new release does to terms, annotations, closures and enrichments</p></header>",
        "<nav>" + "".join(f"<a href='#{_e(a)}'>{_e(t)}</a>" for a, t in nav) + "</nav><main>",
        "<section id='summary'><h2>Summary</h2>" + _kv(summary_rows) + "</section>",
        "<section id='ontology'><h2>Ontology changes</h2>",
        "<h3>Terms</h3>" + _counts_table(s["changes"], "change", "terms"),
        "<h3>Edges per relation</h3>" + table_html(
            [{"relation": r, "added": s["edges_added_by_relation"].get(r, 0),
              "removed": s["edges_removed_by_relation"].get(r, 0),
              "terms with changed parents": s["parents_changed_by_relation"].get(r, 0)} for r in edge_rel],
            cls="plain"),
        "<h3>Term changes</h3>" + _tab(od.terms, max_rows),
        "</section>",
        *[_file_section(diff, f, k, max_rows) for k, f in enumerate(diff.files)],
        f"</main><script>{_SORT_JS}</script></body></html>",
    ]
    return "\n".join(p for p in parts if p)


# -- the command ------------------------------------------------------------------------------------

def run_command(args: Any, out: Callable[[str], None], annotation_path: Callable[[str], Path],
                id_list: Callable[[str], list[str]]) -> int:
    """``goannot release-diff``: the CLI's arguments in, the outputs written, exit status 0."""
    from .ontology import REGULATES
    from .reldiff import release_diff

    relations: tuple[str, ...] = tuple(args.relations.split(",")) if args.relations else ("is_a", "part_of")
    if args.regulates:
        relations = tuple(dict.fromkeys(relations + REGULATES))
    studies: dict[str, list[str]] = {}
    for spec in args.study or []:
        label, sep, path = spec.partition("=")
        if not sep:
            label, path = Path(spec).stem, spec
        studies[label] = id_list(path)
    files = [annotation_path(f) for f in args.files]
    if studies and not files:
        from .errors import InputError

        raise InputError(None, None, "--study needs at least one annotation FILE to run the study against")
    diff = release_diff(args.go, args.go_new, files, studies=studies or None,
                        population=id_list(args.population) if args.population else None,
                        relations=relations, evidence=args.evidence, aspects=args.aspects,
                        method=args.method, alpha=args.alpha)
    out(render_text(diff, top=args.top, genes=args.gene or ()))
    if args.tsv:
        written = write_tsv(diff, args.tsv)
        out(f"tables: {len(written)} TSV files in {args.tsv}")
    if args.json:
        atomic_write_text(args.json, json.dumps(to_json(diff), indent=1, default=_json_default) + "\n")
        out(f"json: {args.json}")
    if args.html:
        atomic_write_text(args.html, render_html(diff))
        out(f"html: {args.html}")
    return 0


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)
