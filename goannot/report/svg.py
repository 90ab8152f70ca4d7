"""Pictures for the report as SVG text: the slim ribbon and the DAG sub-graph of a gene's terms.

Both are pure functions from tables to a string of SVG 1.1, so the report needs no plotting library
and no system package (no matplotlib, no graphviz) and the HTML can inline them. Every text and
attribute value is escaped (:func:`xml.sax.saxutils.escape` / ``quoteattr``); tooltips are SVG
``<title>`` elements, which browsers show on hover without any script.

The DAG is laid out by :mod:`goannot.report.layout` (a layered Sugiyama layout with dummy nodes
and crossing minimisation), one panel per namespace, edges routed between the boxes with an
arrowhead at the parent; a legend explains stripes, edge styles and borders.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from .layout import Layout, edge_path, layered_layout

__all__ = [
    "SET_COLORS",
    "RELATION_STYLES",
    "ASPECT_LABELS",
    "set_colors",
    "ribbon_svg",
    "dag_svg",
    "layer_terms",
    "namespace_panels",
]

#: Okabe-Ito colours (readable by colour-blind readers), assigned to the sets in order.
SET_COLORS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
                               "#999999")
_ABSENT = "#e6e6e6"

#: relation -> (stroke colour, dash array or "" for solid); relations not listed use ``_OTHER_STYLE``.
RELATION_STYLES: dict[str, tuple[str, str]] = {
    "is_a": ("#777777", ""),
    "part_of": ("#2b6cb0", "6 3"),
    "regulates": ("#b7791f", "2 3"),
    "positively_regulates": ("#2f855a", "2 3"),
    "negatively_regulates": ("#c53030", "2 3"),
}
_OTHER_STYLE = ("#805ad5", "8 3 2 3")

#: Aspect codes and namespaces -> display label; the ribbon groups its columns in this order (GO's
#: ribbon order: function, process, component).
ASPECT_LABELS: dict[str, str] = {
    "F": "molecular function", "P": "biological process", "C": "cellular component",
    "molecular_function": "molecular function", "biological_process": "biological process",
    "cellular_component": "cellular component",
}
_ASPECT_ORDER = ("molecular function", "biological process", "cellular component")

_FONT = "font-family='Helvetica, Arial, sans-serif'"


def _q(value: object) -> str:
    """An attribute value, quoted and escaped."""
    return quoteattr(str(value))


def _t(value: object) -> str:
    """Element text, escaped."""
    return escape(str(value))


def _fmt(x: float) -> str:
    """Coordinates with at most one decimal: smaller files, stable output."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def set_colors(sets: Sequence[str]) -> dict[str, str]:
    """The colour of each set, in order (cycling through :data:`SET_COLORS`)."""
    return {s: SET_COLORS[i % len(SET_COLORS)] for i, s in enumerate(sets)}


# -- ribbon --------------------------------------------------------------------------------------


def _ramp(fraction: float) -> str:
    """White-ish to dark blue: cell colour for a count as a fraction of the largest count."""
    lo, hi = (0xE8, 0xF1, 0xFA), (0x08, 0x30, 0x6B)
    f = min(max(fraction, 0.0), 1.0)
    return "#" + "".join(f"{round(a + (b - a) * f):02x}" for a, b in zip(lo, hi))


def ribbon_svg(ribbon: pd.DataFrame, *, sets: Sequence[str] | None = None, value: str = "n_terms",
               cell: int = 16, title: str = "GO slim ribbon", caption: str | None = None) -> str:
    """The slim ribbon: one column per slim term, grouped by aspect, one row per annotation set.

    ``ribbon`` is a long table, one row per set and slim term, as
    :func:`goannot.slim.ribbon_counts` returns it: ``set``, ``slim_term``, ``name``, ``namespace`` and
    the count column ``value`` (``n_terms``: how many of the set's terms fall under the slim term;
    or ``n_genes``). ``term`` / ``aspect`` (``P``/``F``/``C``) / ``count`` are accepted instead.
    Cell colour darkens with the count (log scale, relative to the largest count); 0 is light grey.
    Each cell carries a ``<title>`` tooltip and ``data-set``/``data-term``/``data-count`` attributes.
    ``sets`` fixes the row order (default: order of first appearance). ``caption`` (e.g. the slim's
    name) is written visibly on top of the picture (``<text class='caption'>``); ``title`` is its tooltip.
    """
    term_col = "slim_term" if "slim_term" in ribbon.columns else "term"
    aspect_col = "namespace" if "namespace" in ribbon.columns else "aspect"
    count_col = value if value in ribbon.columns else "count"
    missing = {"set", term_col, "name", aspect_col, count_col} - set(ribbon.columns)
    if missing:
        raise ValueError(f"ribbon table lacks column(s) {', '.join(sorted(missing))}")
    ribbon = ribbon.rename(columns={term_col: "term", aspect_col: "aspect", count_col: "count"})
    rows = list(sets) if sets is not None else list(dict.fromkeys(ribbon["set"].astype(str)))
    cols = ribbon.drop_duplicates("term")[["term", "name", "aspect"]].astype(str)
    groups: dict[str, list[tuple[str, str]]] = {a: [] for a in _ASPECT_ORDER}
    for term, name, aspect in zip(cols["term"], cols["name"], cols["aspect"]):
        groups.setdefault(ASPECT_LABELS.get(aspect, aspect), []).append((term, name))
    groups = {k: v for k, v in groups.items() if v}
    counts = {(str(s), str(t)): int(c) for s, t, c in zip(ribbon["set"], ribbon["term"], ribbon["count"])}
    top = max(counts.values(), default=0)
    scale = math.log1p(top) if top > 0 else 1.0

    label_w = max([len(r) for r in rows] + [4]) * 7 + 16
    name_len = max([len(n) for n in cols["name"]] + [0])
    head_h = min(name_len, 34) * 5.2 + 34  # rotated column labels (clipped at 34 characters)
    group_gap = cell
    x = float(label_w)
    parts: list[str] = []
    grid_top = 24 + head_h
    for aspect, terms in groups.items():
        gx = x
        for term, name in terms:
            cx = x + cell / 2
            label = name if len(name) <= 34 else name[:33] + "\u2026"
            parts.append(f"<text class='col-label' x='0' y='0' transform='translate({_fmt(cx + 3)},"
                         f"{_fmt(grid_top - 4)}) rotate(-60)' font-size='9'>{_t(label)}"
                         f"<title>{_t(term)} {_t(name)}</title></text>")
            for r, s in enumerate(rows):
                c = counts.get((s, term), 0)
                fill = _ramp(math.log1p(c) / scale) if c > 0 else "#f2f2f2"
                y = grid_top + r * cell
                parts.append(
                    f"<rect class='cell' x='{_fmt(x)}' y='{_fmt(y)}' width='{cell - 1}' height='{cell - 1}' "
                    f"fill='{fill}' stroke='#d0d0d0' stroke-width='0.5' data-set={_q(s)} data-term={_q(term)} "
                    f"data-count='{c}'><title>{_t(s)} \u2014 {_t(term)} {_t(name)}: {c} term"
                    f"{'' if c == 1 else 's'}</title></rect>")
            x += cell
        parts.append(f"<text class='aspect-label' x='{_fmt(gx)}' y='14' font-size='11' font-weight='bold'>"
                     f"{_t(aspect)}</text>")
        parts.append(f"<line x1='{_fmt(gx)}' y1='18' x2='{_fmt(x - 1)}' y2='18' stroke='#444' stroke-width='1'/>")
        x += group_gap
    for r, s in enumerate(rows):
        y = grid_top + r * cell + cell * 0.72
        parts.append(f"<text class='row-label' x='{label_w - 6}' y='{_fmt(y)}' font-size='11' "
                     f"text-anchor='end'>{_t(s)}</text>")
    width = x + 10
    legend_y = grid_top + len(rows) * cell + 18
    legend = [f"<text x='{label_w}' y='{_fmt(legend_y)}' font-size='10'>terms under the slim term:</text>"]
    lx = label_w + 140
    for v in sorted({0, 1, max(top // 2, 1), top}):
        fill = _ramp(math.log1p(v) / scale) if v > 0 else "#f2f2f2"
        legend.append(f"<rect x='{lx}' y='{_fmt(legend_y - 10)}' width='12' height='12' fill='{fill}' "
                      f"stroke='#d0d0d0' stroke-width='0.5'/><text x='{lx + 16}' y='{_fmt(legend_y)}' "
                      f"font-size='10'>{v}</text>")
        lx += 44
    height = legend_y + 10
    head, shift = "", 0
    if caption:
        shift = 24
        head = (f"<text class='caption' x='4' y='15' font-size='13' font-weight='bold' fill='#1f3a5f'>"
                f"{_t(caption)}</text>")
        width = max(width, len(caption) * 7.5 + 10)
    return (f"<svg xmlns='http://www.w3.org/2000/svg' class='ribbon' width='{_fmt(width)}' "
            f"height='{_fmt(height + shift)}' viewBox='0 0 {_fmt(width)} {_fmt(height + shift)}' {_FONT} role='img'>"
            f"<title>{_t(title)}</title>{head}<g transform='translate(0,{shift})'>" + "".join(parts)
            + "".join(legend) + "</g></svg>")


# -- DAG ------------------------------------------------------------------------------------------


def layer_terms(terms: Collection[str], parents: Mapping[str, Collection[str]]) -> dict[str, int]:
    """Each term's layer: the longest path (in edges) from a root of the sub-graph, roots being 0.

    ``parents`` maps a term to its parents; parents outside ``terms`` are ignored. A cycle (never in
    a checked GO release) is broken by putting its remaining terms one layer below their placed parents.
    """
    from .layout import _longest_path_layers

    inside = set(terms)
    order = list(dict.fromkeys(terms))
    return _longest_path_layers(order, {t: [p for p in parents.get(t, ()) if p in inside and p != t] for t in order})


@dataclass
class _Panel:
    namespace: str
    terms: list[str]
    layout: Layout
    top: float
    layer_top: list[float]
    height: float


#: Panel order: GO's three namespaces first, anything else after.
_NS_ORDER = ("biological_process", "molecular_function", "cellular_component")


def namespace_panels(terms: Sequence[str], namespaces: Mapping[str, str] | None) -> list[tuple[str, list[str]]]:
    """The terms grouped by namespace, GO's three first (process, function, component), in a stable order."""
    ns_of = namespaces or {}
    names = list(dict.fromkeys([n for n in _NS_ORDER if any(ns_of.get(t) == n for t in terms)]
                               + [ns_of.get(t, "") for t in terms]))
    return [(ns, [t for t in terms if ns_of.get(t, "") == ns]) for ns in names]


def dag_svg(terms: Iterable[str], edges: Iterable[tuple[str, str, str]],
            membership: Mapping[str, Collection[str]], names: Mapping[str, str], *,
            sets: Sequence[str] | None = None, direct: Mapping[str, Collection[str]] | None = None,
            namespaces: Mapping[str, str] | None = None, title: str = "GO sub-graph") -> str:
    """The DAG sub-graph of ``terms`` as SVG, each node striped by the sets that have the term.

    ``edges`` are ``(child, relation, parent)`` triples (as :meth:`Ontology.edges` yields them); those
    with an end outside ``terms`` are dropped, and of several relations between one pair the first
    given is drawn. Relations are styled by :data:`RELATION_STYLES` (is_a solid, part_of dashed,
    regulates dotted) with an arrowhead at the parent. ``membership`` maps a term to the labels of the
    sets having it (directly or by propagation); ``direct`` (optional) to those annotating it directly,
    drawn as a heavy border. ``sets`` fixes the stripe order and colours (default: sorted labels).
    ``namespaces`` (term -> namespace) gives each namespace its own panel (edges between namespaces,
    such as part_of from a process to a component, are left out: they would cross every panel).

    The layout is :func:`goannot.report.layout.layered_layout` (layers, dummy nodes for long edges,
    crossing minimisation), so edges run between boxes, never through them.
    Panels are ``<g class='panel' data-namespace=...>``; nodes ``<g class='node' data-term=...
    data-sets='a|b'>`` holding ``<rect class='box'>``; stripes ``<rect class='stripe' data-set=...>``;
    edges ``<path class='edge' data-relation=... data-child=... data-parent=...>``.
    """
    term_list = list(dict.fromkeys(terms))
    inside = set(term_list)
    order = list(sets) if sets is not None else sorted({s for t in term_list for s in membership.get(t, ())})
    colors = set_colors(order)
    direct = direct or {}
    ns_of = namespaces or {}
    rel_of: dict[tuple[str, str], str] = {}
    for child, rel, parent in edges:
        if (child in inside and parent in inside and child != parent
                and ns_of.get(child, "") == ns_of.get(parent, "")):
            rel_of.setdefault((child, parent), rel)

    node_w, line_h, gap_x, gap_y, stripe_h = 150.0, 11.0, 14.0, 46.0, 7.0
    wrap_w, max_lines = 26, 3
    wrapped = {t: textwrap.wrap(names.get(t, "") or "(no name)", wrap_w, max_lines=max_lines,
                                placeholder="\u2026") or [""] for t in term_list}
    node_h = stripe_h + 6 + line_h * (1 + max_lines)
    margin, legend_h, band_title_h = 16.0, 58.0, 30.0

    panels: list[_Panel] = []
    y0 = margin + legend_h
    width = 0.0
    for ns, members in namespace_panels(term_list, ns_of):
        lay = layered_layout(members, list(rel_of), {t: node_w for t in members}, gap=gap_x)
        top = y0
        y0 += band_title_h if ns else 0.0
        layer_top = [y0 + k * (node_h + gap_y) for k in range(len(lay.layers))]
        y0 += len(lay.layers) * (node_h + gap_y) - gap_y + 24
        panels.append(_Panel(ns, members, lay, top, layer_top, y0 - top))
        width = max(width, lay.width + 2 * margin)
    height = y0 + margin - 10
    width = max(width, 760.0)

    styles = _styles_in_use(rel_of.values())
    marker_of = {rel: i for i, rel in enumerate(styles)}
    out: list[str] = ["<defs>" + "".join(
        f"<marker id='arrow-{i}' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
        f"orient='auto'><path class='arrowhead' d='M 0 0 L 10 5 L 0 10 z' fill='{color}'/></marker>"
        for i, (color, _) in enumerate(styles.values())) + "</defs>"]
    for pan in panels:
        lay = pan.layout
        x0 = margin + (width - 2 * margin - lay.width) / 2
        out.append(f"<g class='panel' data-namespace={_q(pan.namespace)}>")
        if pan.namespace:
            out.append(f"<rect class='panel-frame' x='{_fmt(margin / 2)}' y='{_fmt(pan.top)}' "
                       f"width='{_fmt(width - margin)}' height='{_fmt(pan.height - 8)}' rx='6' fill='none' "
                       f"stroke='#d5dbe3'/><text class='band-label' x='{_fmt(margin)}' y='{_fmt(pan.top + 20)}' "
                       f"font-size='14' font-weight='bold' fill='#333'>{_t(pan.namespace.replace('_', ' '))} "
                       f"({len(pan.terms)} terms)</text>")
        # end points spread along a box's side, in the x order of the next point of the route
        outs: dict[str, list[tuple[float, tuple[str, str]]]] = {}
        ins: dict[str, list[tuple[float, tuple[str, str]]]] = {}
        for key, route in lay.routes.items():
            outs.setdefault(route[0], []).append((lay.x[route[1]], key))
            ins.setdefault(route[-1], []).append((lay.x[route[-2]], key))
        offset: dict[tuple[str, tuple[str, str]], float] = {}
        for side, table in (("out", outs), ("in", ins)):
            for term, lst in table.items():
                lst.sort()
                n = len(lst)
                step = min(12.0, (node_w - 30) / max(n, 1))
                for k, (_x, key) in enumerate(lst):
                    offset[(side, key)] = (k - (n - 1) / 2) * step
        for key, route in sorted(lay.routes.items()):
            rel = rel_of[key]
            color, dash = RELATION_STYLES.get(rel, _OTHER_STYLE)
            d = edge_path(lay, route, pan.layer_top, node_h, x0=x0, start_dx=offset[("out", key)],
                          end_dx=offset[("in", key)])
            dash_attr = f" stroke-dasharray='{dash}'" if dash else ""
            out.append(f"<path class='edge' data-relation={_q(rel)} data-child={_q(key[0])} "
                       f"data-parent={_q(key[1])} d='{d}' fill='none' stroke='{color}' stroke-width='1.1' "
                       f"stroke-opacity='0.8'{dash_attr} marker-end='url(#arrow-{marker_of[rel]})'>"
                       f"<title>{_t(key[0])} {_t(rel)} {_t(key[1])}</title></path>")
        n_sets = max(len(order), 1)
        for t in pan.terms:
            nx, ny = x0 + lay.x[t] - node_w / 2, pan.layer_top[lay.layer[t]]
            have = [s for s in order if s in set(membership.get(t, ()))]
            direct_in = [s for s in order if s in set(direct.get(t, ()))]
            tip = (f"{t} {names.get(t, '')}\nin: {', '.join(have) or 'no set'}"
                   + (f"\ndirect in: {', '.join(direct_in)}" if direct_in else ""))
            border = ("#222222", "2.2") if direct_in else ("#9a9a9a", "1")
            out.append(f"<g class='node' data-term={_q(t)} data-sets={_q('|'.join(have))} "
                       f"data-direct={_q('|'.join(direct_in))}><title>{_t(tip)}</title>")
            out.append(f"<rect class='box' x='{_fmt(nx)}' y='{_fmt(ny)}' width='{_fmt(node_w)}' "
                       f"height='{_fmt(node_h)}' rx='4' fill='{'#ffffff' if len(have) < len(order) else '#f4f8f1'}' "
                       f"stroke='{border[0]}' stroke-width='{border[1]}'/>")
            sw = (node_w - 2) / n_sets
            for i, s in enumerate(order):
                fill = colors[s] if s in have else _ABSENT
                out.append(f"<rect class='stripe' data-set={_q(s)} x='{_fmt(nx + 1 + i * sw)}' "
                           f"y='{_fmt(ny + 1)}' width='{_fmt(sw)}' height='{_fmt(stripe_h)}' fill='{fill}'/>")
            ty = ny + stripe_h + 4 + line_h - 2
            out.append(f"<text x='{_fmt(nx + 5)}' y='{_fmt(ty)}' font-size='9' fill='#555'>{_t(t)}"
                       + (" \u25cf direct" if direct_in else "") + "</text>")
            for k, line in enumerate(wrapped[t]):
                out.append(f"<text x='{_fmt(nx + 5)}' y='{_fmt(ty + line_h * (k + 1))}' font-size='10' "
                           f"fill='#111'>{_t(line)}</text>")
            out.append("</g>")
        out.append("</g>")

    legend = _dag_legend(order, colors, styles, margin)
    return (f"<svg xmlns='http://www.w3.org/2000/svg' class='dag' width='{_fmt(width)}' height='{_fmt(height)}' "
            f"viewBox='0 0 {_fmt(width)} {_fmt(height)}' {_FONT} role='img'><title>{_t(title)}</title>"
            + legend + "".join(out) + "</svg>")


def _styles_in_use(relations: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Relation -> style for the relations present, is_a first, in a stable order."""
    present = set(relations)
    ordered = [r for r in RELATION_STYLES if r in present] + sorted(present - set(RELATION_STYLES))
    return {r: RELATION_STYLES.get(r, _OTHER_STYLE) for r in ordered}


def _dag_legend(order: Sequence[str], colors: Mapping[str, str], styles: Mapping[str, tuple[str, str]],
                margin: float) -> str:
    """Legend: a swatch per set (stripe colour), a line sample per relation, the direct-border key."""
    out = [f"<g class='legend'><text x='{_fmt(margin)}' y='{_fmt(margin + 10)}' font-size='11' "
           f"font-weight='bold'>stripes: sets having the term</text>"]
    x = margin + 190
    for s in order:
        out.append(f"<rect class='legend-set' data-set={_q(s)} x='{_fmt(x)}' y='{_fmt(margin)}' width='14' "
                   f"height='12' fill='{colors[s]}'/><text x='{_fmt(x + 18)}' y='{_fmt(margin + 10)}' "
                   f"font-size='11'>{_t(s)}</text>")
        x += 26 + 7 * len(s)
    out.append(f"<rect x='{_fmt(x)}' y='{_fmt(margin)}' width='14' height='12' fill='{_ABSENT}'/>"
               f"<text x='{_fmt(x + 18)}' y='{_fmt(margin + 10)}' font-size='11'>absent</text>")
    y = margin + 30
    out.append(f"<text x='{_fmt(margin)}' y='{_fmt(y)}' font-size='11' font-weight='bold'>edges child \u2192 "
               f"parent</text>")
    x = margin + 190
    for rel, (color, dash) in styles.items():
        dash_attr = f" stroke-dasharray='{dash}'" if dash else ""
        out.append(f"<line x1='{_fmt(x)}' y1='{_fmt(y - 4)}' x2='{_fmt(x + 30)}' y2='{_fmt(y - 4)}' "
                   f"stroke='{color}' stroke-width='1.6'{dash_attr}/><text x='{_fmt(x + 35)}' y='{_fmt(y)}' "
                   f"font-size='11'>{_t(rel)}</text>")
        x += 50 + 7 * len(rel)
    out.append(f"<rect x='{_fmt(x + 10)}' y='{_fmt(y - 11)}' width='22' height='12' rx='3' fill='#fff' "
               f"stroke='#222' stroke-width='2.2'/><text x='{_fmt(x + 38)}' y='{_fmt(y)}' font-size='11'>"
               f"heavy border: annotated directly in at least one set</text>")
    out.append("</g>")
    return "".join(out)
