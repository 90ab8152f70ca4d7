"""The report as one self-contained HTML file, rendered from the report's JSON-ready dict by Jinja2.

:func:`render_html` takes the same dict that is written as ``report.json`` (see
:mod:`goannot.report.job` for its schema) plus the SVG pictures, so the page and the JSON can never
disagree. The markup lives in templates (``goannot/report/templates/``: ``report.html.j2``, table
macros in ``macros.html.j2``, the CSS and the 7-line sort script); this module only turns the
report into plain values for them. Autoescaping is on, so every value from the data is escaped by
Jinja2; the only strings inserted verbatim are the SVG pictures (they come from
:mod:`goannot.report.svg`, which escapes its own text) and the cells a :func:`table_html` caller's
formatter returns. The page has no external resource of any kind and works without JavaScript.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

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
_NS_SHORT = {"biological_process": "BP", "molecular_function": "MF", "cellular_component": "CC"}

Cell = Any  #: a plain value, or {"parts": [...], "cls": ..., "title": ...} (see macros.html.j2)
Formatter = Callable[[Any, Mapping[str, Any]], str]


# For pages still written as strings (goannot.reldiff_report imports these four): the report's
# stylesheet and sort script, an escaper and a key/value table.
_CSS = (files(__package__) / "templates" / "report.css").read_text(encoding="utf-8")
_SORT_JS = (files(__package__) / "templates" / "sort.js").read_text(encoding="utf-8")


def _e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def _kv(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column key/value table; values are HTML already."""
    return "<table class='kv'>" + "".join(f"<tr><td>{_e(k)}</td><td>{v}</td></tr>" for k, v in rows) + "</table>"


@lru_cache(maxsize=1)
def _env() -> Environment:
    """The template environment: autoescape on for everything, undefined names are errors."""
    return Environment(loader=PackageLoader("goannot.report", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _static(name: str) -> Markup:
    """A static file of the templates folder (CSS, JS), inserted as is."""
    loader = _env().loader
    assert loader is not None
    source, _path, _up = loader.get_source(_env(), name)
    return Markup(source)


def _value(value: Any) -> Cell:
    """A plain cell: numbers right-aligned (floats with 3 decimals), NaN and None empty, bools yes/''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return {"parts": [{"t": "" if math.isnan(value) else f"{value:.3f}"}], "cls": "num"}
    if isinstance(value, int):
        return {"parts": [{"t": str(value)}], "cls": "num"}
    return str(value)


def _table(records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, *,
           cells: Mapping[str, Callable[[Any, Mapping[str, Any]], Cell]] | None = None,
           max_rows: int | None = None, cls: str = "sortable", empty: str = "none") -> dict[str, Any]:
    """The template's table: column names, rows of cells, how many rows were left out."""
    cols = list(columns) if columns is not None else (list(records[0]) if records else [])
    fmt = cells or {}
    shown = records if max_rows is None else records[:max_rows]
    rows = [[fmt[c](rec.get(c), rec) if c in fmt else _value(rec.get(c)) for c in cols] for rec in shown]
    return {"cols": cols, "rows": rows, "cls": cls, "more": len(records) - len(shown), "empty": empty}


def table_html(records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, *,
               formatters: Mapping[str, Formatter] | None = None, max_rows: int | None = None,
               cls: str = "sortable", empty: str = "none") -> str:
    """An HTML table of ``records`` (dicts), one column per key in ``columns`` (default: the first's keys).

    ``formatters`` give a column's cell HTML from (value, record); they must escape what they emit
    (it is inserted as is). Numeric cells are right-aligned. Beyond ``max_rows`` a note says how
    many rows were left out.
    """
    html_cells = {c: (lambda f: (lambda v, r: {"parts": [{"html": Markup(f(v, r))}]}))(f)
                  for c, f in (formatters or {}).items()}
    t = _table(records, columns, cells=html_cells, max_rows=max_rows, cls=cls, empty=empty)
    return _env().get_template("table.html.j2").render(t=t).strip()


def _badge(text: str, color: str, title: str = "") -> dict[str, str]:
    return {"badge": text, "color": color, "title": title}


def _evidence_part(evidence_class: Any) -> list[dict[str, str]]:
    cls = str(evidence_class or "")
    if not cls:
        return []
    text, color = EVIDENCE_BADGES.get(cls, (cls[:3].upper(), "#666"))
    return [_badge(text, color, cls.replace("_", " "))]


def _severity(value: Any, _rec: Mapping[str, Any] | None = None) -> Cell:
    sev = str(value or "")
    return {"parts": [_badge(sev, _SEVERITY_COLORS.get(sev, "#666"))]} if sev else ""


def _ns(value: Any, _rec: Mapping[str, Any] | None = None) -> Cell:
    ns = str(value or "")
    return {"parts": [{"t": _NS_SHORT.get(ns, ns.replace("_", " ")), "title": ns.replace("_", " ")}]}


def _mono(value: Any, _rec: Mapping[str, Any] | None = None) -> Cell:
    return {"parts": [{"t": str(value or ""), "cls": "mono"}]}


def _support(value: Any, rec: Mapping[str, Any] | None = None) -> Cell:
    v = str(value or "")
    tip = ("some set has this term only by transfer from another compared set: not independent evidence"
           if v == "circular" else "every set having this term has evidence of its own for it")
    return {"parts": [{"t": v, "cls": "bad" if v == "circular" else "ok", "title": tip}]}


def _circular_sets(value: Any, _rec: Mapping[str, Any] | None = None) -> Cell:
    v = str(value or "")
    if not v:
        return ""
    tips = [f"{a} has the term only by transfer from {b}" for a, _, b in
            (p.partition("<-") for p in v.split("; ")) if b]
    return {"parts": [{"t": v, "cls": "mono", "title": "; ".join(tips)}]}


# -- sections -------------------------------------------------------------------------------------


def _summary(report: Mapping[str, Any]) -> dict[str, Any]:
    go = report.get("releases", {}).get("go", {})
    kv = [("gene", {"parts": [{"t": str(report.get("gene", "")), "cls": "ok"}]}),
          ("GO release", {"parts": [{"t": f"{go.get('data_version')} "},
                                    {"t": f"sha256 {go.get('sha256')}", "cls": "mono"}]}),
          ("relations", " + ".join(report.get("relations", []))),
          ("evidence filter", report.get("evidence") or "all")]
    colors = set_colors([s["label"] for s in report.get("sets", []) if s.get("status") == "ok"])
    rows = []
    for s in report.get("sets", []):
        gene = s.get("gene") or {}
        label = str(s.get("label"))
        name = f"{gene.get('id', '')} {gene.get('symbol', '')}".strip()
        rows.append([
            {"parts": ([{"swatch": colors[label]}] if label in colors else []) + [{"t": label}]},
            s.get("source") or "", s.get("version") or "", s.get("generated") or "",
            name or {"parts": [{"t": "not found", "cls": "bad"}]}, gene.get("via", ""), _value(s.get("rows", "")),
            _mono(str(s.get("sha256") or "")[:16]),
            s.get("status") if s.get("status") == "ok" else {"parts": [{"t": str(s.get("status")), "cls": "bad"}]},
        ])
    cols = ["set", "source", "release", "generated", "gene", "matched by", "rows", "sha256", "status"]
    return {"kv": kv, "sets": {"cols": cols, "rows": rows, "cls": "sortable", "more": 0, "empty": "none"}}


def _dag_check(dag: Mapping[str, Any]) -> dict[str, Any] | None:
    """The GO release's own DAG check, summed up in one line; the findings behind a click."""
    if not dag:
        return None
    counts: Mapping[str, int] = dag.get("counts", {})
    findings = dag.get("findings", [])
    severity = {f.get("check"): f.get("severity") for f in findings}
    n_errors = sum(n for c, n in counts.items() if severity.get(c) == "error")
    if not dag.get("ok") and not n_errors:
        n_errors = sum(counts.values())
    others = {c: n for c, n in counts.items() if n and severity.get(c) != "error"} if dag.get("ok") else {}
    shown = [{"check": f.get("check"), "severity": f.get("severity"), "term": f.get("term_id"),
              "message": f.get("message")} for f in findings]
    return {"n_terms": dag.get("n_terms"), "relations": " + ".join(dag.get("relations", [])), "ok": dag.get("ok"),
            "n_errors": n_errors, "n_other": sum(others.values()),
            "by_check": ", ".join(f"{n} {c.replace('_', ' ')}" for c, n in sorted(others.items(), key=lambda x: -x[1])),
            "seconds": dag.get("seconds"), "n_findings": len(findings),
            "total": dag.get("findings_total", len(findings)),
            "findings": _table(shown, cells={"severity": _severity, "term": _mono})}


def _validation(validation: Mapping[str, Mapping[str, Any]], max_findings: int) -> list[dict[str, Any]]:
    out = []
    for label, v in validation.items():
        total = v.get("kept", 0) + v.get("repaired", 0) + v.get("rejected", 0) + v.get("merged", 0)
        rules = [{"rule": r, "count": n} for r, n in v.get("counts_by_rule", {}).items()]
        out.append({
            "label": label, "input_rows": v.get("input_rows"), "kept": v.get("kept"), "repaired": v.get("repaired"),
            "rejected": v.get("rejected"), "merged": v.get("merged"), "balanced": total == v.get("input_rows"),
            "policy": v.get("policy"),
            "status_line": ", ".join(f"{k} {n}" for k, n in v.get("counts_by_status", {}).items()),
            "rules": _table(rules),
            "findings": _table(v.get("findings", []), ["line", "rule", "severity", "go_id", "message", "fix", "action"],
                               cells={"severity": _severity}, max_rows=max_findings),
        })
    return out


def _matrix(records: Sequence[Mapping[str, Any]], sets: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The wide matrix (one row per term, a cell per set), split into terms some set annotates directly
    and terms present only by inference. Sized to the page: fixed layout, wrapping names."""
    cells: dict[str, dict[str, Mapping[str, Any]]] = {}
    info: dict[str, tuple[str, str]] = {}
    for rec in records:
        cells.setdefault(str(rec["term"]), {})[str(rec["set"])] = rec
        info[str(rec["term"])] = (str(rec.get("name", "")), str(rec.get("namespace", "")))

    def row(term: str) -> list[Cell]:
        name, ns = info[term]
        out: list[Cell] = [_mono(term), name, _ns(ns)]
        for s in sets:
            rec = cells[term].get(s)
            state = str(rec.get("state", "absent")) if rec else "absent"
            if not rec or state == "absent":
                out.append({"parts": [{"t": _DOT}], "cls": "state-absent"})
                continue
            parts: list[dict[str, Any]] = [{"t": state + " "}, *_evidence_part(rec.get("evidence_class"))]
            if rec.get("transferred_from"):
                own = " (own support too)" if rec.get("own_support") else ""
                parts += [{"br": True}, {"t": f"\u21d0 {rec['transferred_from']}{own}", "cls": "xfer",
                                         "title": f"transferred from {rec['transferred_from']}{own}"}]
            if rec.get("conflict"):
                parts.append({"t": " \u26a0", "cls": "bad", "title": "contradicted by a NOT annotation"})
            out.append({"parts": parts, "cls": f"state-{state}", "title": str(rec.get("evidence_codes") or "")})
        return out

    direct = [t for t in cells if any(str(r.get("state")) in ("direct", "NOT") for r in cells[t].values())]
    rest = [t for t in cells if t not in set(direct)]
    cols = ["term", "name", "ns", *sets]

    def tab(terms: list[str]) -> dict[str, Any]:
        return {"cols": cols, "rows": [row(t) for t in terms], "cls": "sortable matrix", "more": 0, "empty": "none",
                "widths": ["7.5em", "24%", "3em", *([""] * len(sets))]}

    return tab(direct), tab(rest)


def _comparison(comp: Mapping[str, Any], sets: Sequence[str]) -> dict[str, Any] | None:
    if not comp:
        return None
    tables: Mapping[str, Sequence[Mapping[str, Any]]] = comp.get("tables", {})
    direct, inferred = _matrix(tables.get("matrix", []), sets)
    support = {"support": _support, "circular_sets": _circular_sets, "namespace": _ns, "term": _mono}
    shared = [r for r in tables.get("shared", []) if not r.get("in_all")]
    ev = {"evidence_class": lambda v, r: {"parts": [*_evidence_part(v), {"t": str(r.get("evidence_codes", ""))}]},
          "namespace": _ns, "term": _mono}
    return {
        "badges": [{"parts": [*_evidence_part(c), {"t": c.replace("_", " ")}]} for c in EVIDENCE_BADGES],
        "direct": direct, "inferred": inferred,
        "core": _table(tables.get("core", []), ["term", "name", "namespace", "direct_in", "support", "circular_sets"],
                       cells=support),
        "shared": _table(shared, ["term", "name", "namespace", "sets", "direct_in", "support", "circular_sets"],
                         cells=support),
        "specific": _table(tables.get("specific", []), ["set", "term", "name", "namespace", "evidence_class",
                                                        "transferred_from"], cells=ev),
        "near": _table(tables.get("near_misses", []), max_rows=300),
        "similarity": _table(tables.get("similarity", []), cells={"namespace": _ns}),
    }


def render_html(sections: Mapping[str, Any], *, max_findings: int = 500) -> str:
    """The whole report page as one string.

    ``sections`` is the report dict (the content of ``report.json``: gene, sets, releases, dag_check,
    validation, comparison, facts, messages) plus ``figures``: ``{"ribbon": svg, "dag": svg}``, or
    one ``"dag:<namespace>"`` entry per namespace panel instead of ``"dag"``, and optionally
    ``slim_description`` (the slim's ``subsetdef`` text). ``max_findings`` caps the findings rows
    shown per set (the JSON has them all).
    """
    report = sections
    sets = [s["label"] for s in report.get("sets", []) if s.get("status") == "ok"]
    figures: Mapping[str, str] = report.get("figures", {})
    comp = report.get("comparison", {})
    ribbon = None
    if figures.get("ribbon"):
        slim = str(comp.get("meta", {}).get("slim", "") or "")
        n_slim = len({r.get("slim_term") for r in comp.get("tables", {}).get("ribbon", [])})
        ribbon = {"svg": Markup(figures["ribbon"]), "slim": slim or "slim", "n_terms": n_slim,
                  "description": str(report.get("slim_description") or "")}
    dag = [{"title": k.split(":", 1)[1].replace("_", " ") if ":" in k else "all namespaces", "svg": Markup(v)}
           for k, v in figures.items() if (k == "dag" or k.startswith("dag:")) and v]
    nav = [("summary", "Summary"), ("dag-check", "DAG check"), ("validation", "Validation"),
           ("comparison", "Comparison"), ("ribbon", "Slim ribbon"), ("dag", "Term graph")]
    context = {
        "css": _static("report.css"), "js": _static("sort.js"), "gene": str(report.get("gene", "")),
        "species": report.get("species", []), "go": report.get("releases", {}).get("go", {}),
        "version": report.get("goannot_version", ""), "nav": nav, "summary": _summary(report),
        "messages": report.get("messages", []), "facts": report.get("facts", []),
        "dag_check": _dag_check(report.get("dag_check", {})),
        "validation": _validation(report.get("validation", {}), max_findings),
        "comparison": _comparison(comp, sets), "ribbon": ribbon, "dag": dag,
    }
    return _env().get_template("report.html.j2").render(**context)
