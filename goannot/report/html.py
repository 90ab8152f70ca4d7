"""The report as one self-contained HTML file, rendered from the report's JSON-ready dict.

:func:`render_html` takes the same dict that is written as ``report.json`` (see
:mod:`goannot.report.job` for its schema) plus the SVG pictures, so the page and the JSON can never
disagree. The page has inline CSS, no external resource of any kind (fonts, scripts, images), and
works without JavaScript; a 20-line inline script only adds click-to-sort on table headers.
Every value from the data is escaped with :func:`html.escape`; the SVG strings are inserted as they
are (they come from :mod:`goannot.report.svg`, which escapes its own text).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .svg import set_colors

__all__ = ["render_html", "table_html", "EVIDENCE_BADGES"]

#: Evidence class -> (short badge text, colour).
EVIDENCE_BADGES: dict[str, tuple[str, str]] = {
    "experimental": ("EXP", "#1b7837"),
    "phylogenetic": ("PHY", "#5aae61"),
    "computational": ("CMP", "#8c6bb1"),
    "author_statement": ("AUT", "#bf812d"),
    "curator_statement": ("CUR", "#dfc27d"),
    "no_data": ("ND", "#999999"),
    "electronic": ("IEA", "#c51b7d"),
}

_DOT = "\u00b7"
_SEVERITY_COLORS = {"error": "#c53030", "warning": "#b7791f", "info": "#2b6cb0", "ok": "#2f855a"}

_CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#1a1a1a;background:#fafafa;font-size:14px;line-height:1.4}
header{background:#1f3a5f;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:24px}header p{margin:4px 0 0;opacity:.85}
nav{background:#e9eef4;padding:8px 28px;font-size:13px;position:sticky;top:0;z-index:2;border-bottom:1px solid #cfd8e3}
nav a{margin-right:14px;color:#1f3a5f;text-decoration:none}nav a:hover{text-decoration:underline}
main{padding:8px 28px 40px;max-width:1500px}
section{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:6px 18px 14px;margin:16px 0}
h2{font-size:19px;border-bottom:2px solid #1f3a5f;padding-bottom:4px;color:#1f3a5f}
h3{font-size:16px;margin:18px 0 6px}
table{border-collapse:collapse;font-size:12.5px;margin:6px 0 10px}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f0f3f7;position:sticky;top:34px;cursor:pointer;white-space:nowrap}
tr:nth-child(even) td{background:#fbfbfb}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:3px;padding:0 4px;font-size:10.5px;color:#fff;font-weight:bold;margin-right:2px}
.state-direct{background:#e3efe0}.state-inferred{background:#f3f7f2;color:#555}
.state-NOT{background:#fde2e2;color:#9b1c1c;font-weight:bold}.state-absent{color:#bbb}
.xfer{color:#b7791f;font-size:11px;white-space:nowrap}
.facts li{margin:3px 0}.msg{background:#fff5e6;border-left:4px solid #dd8a00;padding:6px 10px;margin:6px 0}
.ok{color:#2f855a;font-weight:bold}.bad{color:#c53030;font-weight:bold}
.figure{overflow:auto;max-height:900px;border:1px solid #e2e2e2;background:#fff}
.kv td:first-child{font-weight:bold;background:#f7f7f7;white-space:nowrap}
.mono{font-family:Menlo,Consolas,monospace;font-size:11.5px}
details summary{cursor:pointer;color:#1f3a5f;margin:6px 0}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:4px;vertical-align:-1px}
"""

_SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th){th.addEventListener('click',function(){
var t=th.closest('table'),b=t.tBodies[0],i=Array.prototype.indexOf.call(th.parentNode.children,th);
var asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){
var a=x.cells[i]?x.cells[i].textContent.trim():'',c=y.cells[i]?y.cells[i].textContent.trim():'';
var na=parseFloat(a),nc=parseFloat(c);var r=(!isNaN(na)&&!isNaN(nc))?na-nc:a.localeCompare(c);
return asc?r:-r;});rows.forEach(function(r){b.appendChild(r);});});});
"""


def _e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def _num(value: Any) -> str:
    """Numbers: ints as is, floats with 3 decimals, NaN as an empty cell."""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.3f}"
    return _e(value)


Formatter = Callable[[Any, Mapping[str, Any]], str]


def table_html(records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, *,
               formatters: Mapping[str, Formatter] | None = None, max_rows: int | None = None,
               cls: str = "sortable", empty: str = "none") -> str:
    """An HTML table of ``records`` (dicts), one column per key in ``columns`` (default: the first's keys).

    ``formatters`` give a column's cell HTML from (value, record); they must escape what they emit.
    Numeric cells are right-aligned. Beyond ``max_rows`` a note says how many rows were left out.
    """
    if not records:
        return f"<p><em>{_e(empty)}</em></p>"
    cols = list(columns) if columns is not None else list(records[0])
    fmt = formatters or {}
    shown = records if max_rows is None else records[:max_rows]
    out = [f"<table class='{_e(cls)}'><thead><tr>" + "".join(f"<th>{_e(c)}</th>" for c in cols)
           + "</tr></thead><tbody>"]
    for rec in shown:
        cells = []
        for c in cols:
            v = rec.get(c)
            if c in fmt:
                cells.append(f"<td>{fmt[c](v, rec)}</td>")
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f"<td class='num'>{_num(v)}</td>")
            else:
                cells.append(f"<td>{_num(v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if len(shown) < len(records):
        out.append(f"<p><em>{len(records) - len(shown)} more rows in the TSV / JSON files.</em></p>")
    return "".join(out)


def _kv(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column key/value table; values are HTML already."""
    return "<table class='kv'>" + "".join(f"<tr><td>{_e(k)}</td><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _badge(text: str, color: str, title: str = "") -> str:
    return f"<span class='badge' style='background:{_e(color)}' title='{_e(title)}'>{_e(text)}</span>"


def _evidence_badge(evidence_class: Any) -> str:
    cls = str(evidence_class or "")
    if not cls:
        return ""
    text, color = EVIDENCE_BADGES.get(cls, (cls[:3].upper(), "#666"))
    return _badge(text, color, cls.replace("_", " "))


def _severity(value: Any, _rec: Mapping[str, Any] | None = None) -> str:
    sev = str(value or "")
    return _badge(sev, _SEVERITY_COLORS.get(sev, "#666")) if sev else ""


# -- sections -------------------------------------------------------------------------------------


def _summary(report: Mapping[str, Any]) -> str:
    go = report.get("releases", {}).get("go", {})
    rows = [("gene", f"<b>{_e(report.get('gene'))}</b>"),
            ("GO release", f"{_e(go.get('data_version'))} <span class='mono'>sha256 {_e(go.get('sha256'))}</span>"),
            ("relations", _e(" + ".join(report.get("relations", [])))),
            ("evidence filter", _e(report.get("evidence") or "all"))]
    out = ["<section id='summary'><h2>Summary</h2>", _kv(rows)]
    for msg in report.get("messages", []):
        out.append(f"<div class='msg'>{_e(msg)}</div>")
    colors = set_colors([s["label"] for s in report.get("sets", []) if s.get("status") == "ok"])
    sets = []
    for s in report.get("sets", []):
        gene = s.get("gene") or {}
        swatch = (f"<span class='swatch' style='background:{colors[s['label']]}'></span>"
                  if s["label"] in colors else "")
        sets.append({
            "set": swatch + _e(s.get("label")),
            "source": _e(s.get("source")), "release": _e(s.get("version")), "generated": _e(s.get("generated")),
            "gene": _e(f"{gene.get('id', '')} {gene.get('symbol', '')}".strip()) or "<span class='bad'>not found</span>",
            "matched by": _e(gene.get("via", "")), "rows": _e(s.get("rows", "")),
            "sha256": f"<span class='mono'>{_e(str(s.get('sha256') or '')[:16])}</span>",
            "status": _e(s.get("status")) if s.get("status") == "ok" else f"<span class='bad'>{_e(s.get('status'))}</span>",
        })
    raw = {k: (lambda v, _r: str(v)) for k in ("set", "source", "release", "generated", "gene", "matched by", "rows", "sha256",
                                                "status")}
    out.append("<h3>Annotation sets</h3>" + table_html(sets, formatters=raw))
    facts = report.get("facts", [])
    if facts:
        out.append("<h3>Key facts</h3><ul class='facts'>" + "".join(f"<li>{_e(f)}</li>" for f in facts) + "</ul>")
    out.append("</section>")
    return "".join(out)


def _dag_check(dag: Mapping[str, Any]) -> str:
    if not dag:
        return ""
    ok = dag.get("ok")
    head = (f"<p>{_e(dag.get('n_terms'))} terms, cycles searched over {_e(' + '.join(dag.get('relations', [])))}: "
            + ("<span class='ok'>no errors</span>" if ok else "<span class='bad'>errors found</span>")
            + f" ({_e(dag.get('seconds'))} s).</p>")
    counts = [{"check": k, "count": v} for k, v in dag.get("counts", {}).items()]
    findings = dag.get("findings", [])
    shown = [{"check": f.get("check"), "severity": f.get("severity"), "term": f.get("term_id"),
              "message": f.get("message")} for f in findings]
    body = table_html(counts, cls="plain") + (
        f"<details><summary>{len(findings)} findings"
        + (f" (of {dag.get('findings_total')})" if dag.get("findings_total", len(findings)) != len(findings) else "")
        + "</summary>" + table_html(shown, formatters={"severity": _severity}) + "</details>" if findings else "")
    return f"<section id='dag-check'><h2>DAG check of the GO release</h2>{head}{body}</section>"


def _validation(validation: Mapping[str, Mapping[str, Any]], max_findings: int) -> str:
    out = ["<section id='validation'><h2>Validation and repair per set</h2>",
           "<p>Every input row ends up exactly one of kept, repaired, rejected or merged (a repair made it a "
           "duplicate of another row).</p>"]
    for label, v in validation.items():
        total = v.get("kept", 0) + v.get("repaired", 0) + v.get("rejected", 0) + v.get("merged", 0)
        balanced = total == v.get("input_rows")
        out.append(f"<h3>{_e(label)}</h3><p><b>{_e(v.get('input_rows'))}</b> input rows = {_e(v.get('kept'))} kept "
                   f"+ {_e(v.get('repaired'))} repaired + {_e(v.get('rejected'))} rejected + {_e(v.get('merged'))} "
                   f"merged " + ("<span class='ok'>\u2713</span>" if balanced else "<span class='bad'>\u2717</span>")
                   + f" &nbsp; policy <code>{_e(v.get('policy'))}</code></p>")
        status = v.get("counts_by_status", {})
        out.append("<p>GO IDs before repair: " + ", ".join(f"{_e(k)} {_e(n)}" for k, n in status.items()) + "</p>")
        findings = v.get("findings", [])
        if findings:
            rules = [{"rule": r, "count": n} for r, n in v.get("counts_by_rule", {}).items()]
            out.append("<details><summary>findings by rule</summary>" + table_html(rules) + "</details>")
            out.append(table_html(findings, ["line", "rule", "severity", "go_id", "message", "fix", "action"],
                                  formatters={"severity": _severity}, max_rows=max_findings))
        else:
            out.append("<p>No findings.</p>")
    out.append("</section>")
    return "".join(out)


def _matrix(tables: Mapping[str, Sequence[Mapping[str, Any]]], sets: Sequence[str]) -> str:
    """The wide matrix: one row per term, one cell per set with state, evidence badge, transfer mark."""
    records = tables.get("matrix", [])
    if not records:
        return ""
    cells: dict[str, dict[str, Mapping[str, Any]]] = {}
    info: dict[str, tuple[str, str]] = {}
    for rec in records:
        cells.setdefault(str(rec["term"]), {})[str(rec["set"])] = rec
        info[str(rec["term"])] = (str(rec.get("name", "")), str(rec.get("namespace", "")))

    def row_html(term: str) -> str:
        name, ns = info[term]
        tds = [f"<td class='mono'>{_e(term)}</td><td>{_e(name)}</td><td>{_e(ns.replace('_', ' '))}</td>"]
        for s in sets:
            rec = cells[term].get(s)
            state = str(rec.get("state", "absent")) if rec else "absent"
            inner = "" if state == "absent" else _e(state)
            if rec and state != "absent":
                inner += " " + _evidence_badge(rec.get("evidence_class"))
                if rec.get("transferred_from"):
                    own = " (own support too)" if rec.get("own_support") else ""
                    inner += f"<br><span class='xfer'>\u21d0 transferred from {_e(rec['transferred_from'])}{own}</span>"
                if rec.get("conflict"):
                    inner += " <span class='bad' title='contradicted by a NOT annotation'>\u26a0</span>"
            codes = f" title='{_e(rec.get('evidence_codes'))}'" if rec and rec.get("evidence_codes") else ""
            tds.append(f"<td class='state-{_e(state)}'{codes}>{inner or _DOT}</td>")
        return "<tr>" + "".join(tds) + "</tr>"

    head = ("<thead><tr><th>term</th><th>name</th><th>namespace</th>" + "".join(f"<th>{_e(s)}</th>" for s in sets)
            + "</tr></thead>")
    direct_any = [t for t in cells if any(str(r.get("state")) in ("direct", "NOT") for r in cells[t].values())]
    rest = [t for t in cells if t not in set(direct_any)]
    legend = ("<p>Cells: <b>direct</b> (annotated), <i>inferred</i> (implied through the ontology), NOT, \u00b7 "
              "absent. Badges give the best evidence class: "
              + " ".join(_evidence_badge(c) + _e(c.replace('_', ' ')) for c in EVIDENCE_BADGES)
              + ". \u21d0 marks support transferred from another compared set (ISS/ISO/IBA/IEA whose with/from "
                "names that set's gene); hover a cell for its evidence codes.</p>")
    out = [legend, f"<h3>Terms annotated directly in at least one set ({len(direct_any)})</h3>",
           "<table class='sortable'>" + head + "<tbody>" + "".join(row_html(t) for t in direct_any) + "</tbody></table>"]
    if rest:
        out.append(f"<details><summary>{len(rest)} more terms present only by inference</summary>"
                   "<table class='sortable'>" + head + "<tbody>" + "".join(row_html(t) for t in rest)
                   + "</tbody></table></details>")
    return "".join(out)


def _comparison(comp: Mapping[str, Any], sets: Sequence[str]) -> str:
    if not comp:
        return ""
    tables: Mapping[str, Sequence[Mapping[str, Any]]] = comp.get("tables", {})
    out = ["<section id='comparison'><h2>Comparison across sets</h2>"]
    out.append(_matrix(tables, sets))
    support = {"support": lambda v, r: (f"<span class='{'bad' if v == 'circular' else 'ok'}'>{_e(v)}</span>")}
    out.append("<h3 id='core'>Shared core (in every set)</h3>"
               + table_html(tables.get("core", []), ["term", "name", "namespace", "direct_in", "support",
                                                     "circular_sets"], formatters=support))
    shared = [r for r in tables.get("shared", []) if not r.get("in_all")]
    out.append(f"<details><summary>{len(shared)} terms shared by some but not all sets</summary>"
               + table_html(shared, ["term", "name", "namespace", "sets", "direct_in", "support", "circular_sets"],
                            formatters=support) + "</details>")
    ev = {"evidence_class": lambda v, r: _evidence_badge(v) + _e(r.get("evidence_codes", ""))}
    out.append("<h3 id='specific'>Set-specific direct terms</h3>"
               + table_html(tables.get("specific", []), ["set", "term", "name", "namespace", "evidence_class",
                                                         "transferred_from"], formatters=ev))
    out.append("<h3 id='near-misses'>Near misses (a direct term of one set is an ancestor or descendant of "
               "another's)</h3>" + table_html(tables.get("near_misses", []), max_rows=300))
    out.append("<h3 id='similarity'>Similarity</h3>" + table_html(tables.get("similarity", [])))
    out.append("</section>")
    return "".join(out)


def _figure(anchor: str, title: str, svg: str, note: str = "") -> str:
    if not svg:
        return ""
    return (f"<section id='{_e(anchor)}'><h2>{_e(title)}</h2>"
            + (f"<p>{_e(note)}</p>" if note else "") + f"<div class='figure'>{svg}</div></section>")


def render_html(sections: Mapping[str, Any], *, max_findings: int = 500) -> str:
    """The whole report page as one string.

    ``sections`` is the report dict (the content of ``report.json``: gene, sets, releases, dag_check,
    validation, comparison, facts, messages) plus ``figures``: ``{"ribbon": svg, "dag": svg}``.
    ``max_findings`` caps the findings rows shown per set (the JSON has them all).
    """
    report = sections
    gene = str(report.get("gene", ""))
    sets = [s["label"] for s in report.get("sets", []) if s.get("status") == "ok"]
    figures: Mapping[str, str] = report.get("figures", {})
    nav = [("summary", "Summary"), ("dag-check", "DAG check"), ("validation", "Validation"),
           ("comparison", "Comparison"), ("ribbon", "Slim ribbon"), ("dag", "Term graph")]
    go = report.get("releases", {}).get("go", {})
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>goannot report: {_e(gene)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>GO annotation report: {_e(gene)}</h1><p>{_e(', '.join(report.get('species', [])))} \u00b7 "
        f"GO {_e(go.get('data_version'))} \u00b7 generated by goannot {_e(report.get('goannot_version', ''))}</p>"
        "</header>",
        "<nav>" + "".join(f"<a href='#{a}'>{_e(t)}</a>" for a, t in nav) + "</nav><main>",
        _summary(report),
        _dag_check(report.get("dag_check", {})),
        _validation(report.get("validation", {}), max_findings),
        _comparison(report.get("comparison", {}), sets),
        _figure("ribbon", "GO slim ribbon", figures.get("ribbon", ""),
                "Number of each set's annotated terms (direct) falling under each slim term; hover a cell."),
        _figure("dag", "GO sub-graph of all annotated terms", figures.get("dag", ""),
                "Every term of every set's propagated annotation; the stripes on a term say which sets have "
                "it, a heavy border that some set annotates it directly. Scroll to see it all; hover a term "
                "for details."),
        f"</main><script>{_SORT_JS}</script></body></html>",
    ]
    return "\n".join(p for p in parts if p)
