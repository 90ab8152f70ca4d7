"""Figures of enrichment results as self-contained SVG text, and topGO's "elim" collapse.

No plotting library: each figure is a few hundred lines of SVG written as strings, which any
browser shows and :mod:`xml.etree` parses. Every mark carries a ``<title>`` (GO ID, name, numbers)
so that hovering in a browser identifies it.

:func:`collapse_elim` runs topGO's elim (Alexa et al. 2006; :func:`goannot.enrich_algorithms.elim`,
the same code as ``enrich(..., algorithm="elim")``, equal to goatools' ``algorithm='elim'``) over
the terms of a classic result, and adds ``collapsed_by``: the significant descendants whose genes
were removed from each term, which goatools does not report.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from .enrich import NAMESPACES, EnrichmentResult
from .enrich_algorithms import elim
from .errors import GoannotError
from .ontology import Ontology
from .stats import fisher_exact_pvalues

__all__ = ["collapse_elim", "scatter_svg", "dotplot_svg", "dag_svg", "significant_subgraph"]

_FONT = 'font-family="Helvetica,Arial,sans-serif"'


def _attr(text: Any) -> str:
    return escape(str(text), {'"': "&quot;"})


def _neglog(p: Any) -> float:
    try:
        x = float(p)
    except (TypeError, ValueError):
        return float("nan")
    if math.isnan(x):
        return float("nan")
    return -math.log10(max(x, 1e-300))


def _pcol(result: EnrichmentResult, method: str | None) -> str:
    corr = result.meta.get("corrections") or []
    col = f"p_{method}" if method else (f"p_{corr[0]}" if corr else "p_uncorrected")
    if col not in result.table.columns:
        raise GoannotError(f"result has no column {col}")
    return col


def _color(t: float) -> str:
    """Blue (0) to red (1)."""
    t = min(max(t, 0.0), 1.0)
    r, g, b = int(49 + t * (215 - 49)), int(130 - t * (130 - 48)), int(189 - t * (189 - 39))
    return f"#{r:02x}{g:02x}{b:02x}"


# -- elim ------------------------------------------------------------------------------------------

def collapse_elim(result: EnrichmentResult, ontology: Ontology, alpha: float = 0.01) -> pd.DataFrame:
    """topGO's elim over the terms of ``result`` (one-sided, cutoff ``alpha`` on the raw elim p-value).

    Returns one row per tested term: ``GO``, ``NS``, ``name``, ``study_count``, ``pop_count``,
    ``p_classic`` (one-sided, nothing eliminated), ``p_elim``, ``elim_genes`` (population genes
    removed from the term), ``significant`` (``p_elim <= alpha``) and ``collapsed_by``: the most
    general significant descendants whose genes were removed from this term (``;``-separated, ''
    when none). Terms without study genes are not scored (p = 1), as in topGO and goatools. The
    same relations and backgrounds as ``result`` are used; elim p-values are already
    "decorrelated" and are not corrected again (topGO's advice).
    """
    data = result.data
    if data is None:
        raise GoannotError("collapse_elim needs a result computed by goannot.enrich.enrich")
    prep = data.prepared
    if prep.ontology is not ontology:
        raise GoannotError("collapse_elim: the ontology is not the one the result was computed with")
    indptr, indices = ontology.closure(prep.relations)
    term_ids = ontology.term_ids()
    index = {t: i for i, t in enumerate(term_ids)}
    frames: list[pd.DataFrame] = []
    ns_code = {c: k for k, c in enumerate(prep.namespaces)}
    from .enrich import _pair_namespace_codes  # shared memo of the pairs' namespaces

    pair_ns = _pair_namespace_codes(prep)
    for code, part in result.table.groupby("NS", sort=False):
        code = str(code)
        pmask, smask = data.pop_masks[code], data.study_masks[code]
        sel = (pair_ns == ns_code[code]) & pmask[prep.pair_gene]
        g, t = prep.pair_gene[sel], prep.pair_term[sel]
        order = np.argsort(t, kind="stable")
        g, t = g[order], t[order]
        study_n = int(part["study_n"].iloc[0])
        pop_n = int(part["pop_n"].iloc[0])
        terms = [index[x] for x in part["GO"].tolist()]
        scored = [x for x, c in zip(terms, part["study_count"].tolist()) if c > 0]
        scored_set = set(scored)
        lo = np.searchsorted(t, scored)
        hi = np.searchsorted(t, scored, side="right")
        pop_items = {x: set(g[a:b].tolist()) for x, a, b in zip(scored, lo.tolist(), hi.tolist())}
        study_genes = set(np.flatnonzero(smask).tolist())
        anc = {x: set(indices[indptr[x]:indptr[x + 1]].tolist()) & scored_set - {x} for x in scored}
        # The elim itself is enrich_algorithms.elim (what `enrich --algorithm elim` runs); given every
        # proper ancestor as a "parent", its bottom-up order and eliminations are the closure's.
        got = elim(pop_items, study_genes, study_n, pop_n, anc, alpha)
        p_elim, n_elim = got.pvalues, got.removed
        contributors: dict[int, list[int]] = {}
        for x in sorted(scored, key=lambda x: term_ids[x]):
            if p_elim[x] <= alpha:
                for a in anc[x]:
                    contributors.setdefault(a, []).append(x)
        classic = fisher_exact_pvalues(part["study_count"].to_numpy(), study_n, part["pop_count"].to_numpy(),
                                       pop_n, "greater")
        collapsed: list[str] = []
        for x in terms:
            cs = contributors.get(x, [])
            cset = set(cs)
            top = sorted(term_ids[c] for c in cs if not (anc[c] & cset))
            collapsed.append(";".join(top))
        frames.append(pd.DataFrame({
            "GO": part["GO"].to_numpy(), "NS": code, "name": part["name"].to_numpy(),
            "study_count": part["study_count"].to_numpy(), "pop_count": part["pop_count"].to_numpy(),
            "p_classic": classic,
            "p_elim": [p_elim.get(x, 1.0) for x in terms],
            "elim_genes": [n_elim.get(x, 0) for x in terms],
            "collapsed_by": collapsed,
        }))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["GO", "NS", "name", "study_count", "pop_count", "p_classic", "p_elim", "elim_genes",
                 "collapsed_by"])
    out.insert(len(out.columns) - 1, "significant", out["p_elim"] <= alpha)
    return out.sort_values(["NS", "p_elim", "GO"], kind="stable", ignore_index=True)


# -- shared pieces -----------------------------------------------------------------------------------

_PANEL_ORDER = ("BP", "MF", "CC")


def _ns_codes(codes: Sequence[str]) -> list[str]:
    """The namespace codes present, BP, MF, CC first (one panel each)."""
    present = list(dict.fromkeys(str(c) for c in codes))
    return [c for c in _PANEL_ORDER if c in present] + [c for c in present if c not in _PANEL_ORDER]


def _text_w(text: str, size: float) -> float:
    """A generous estimate of a Helvetica text's width (no font metrics without a browser)."""
    return len(text) * size * 0.56


def _scale(v: float, lmax: float) -> float:
    """-log10 p to [0, 1] on a log scale (log1p), so that p = 1e-5 and 1e-250 are not both 'blue'."""
    if math.isnan(v) or lmax <= 0:
        return 0.0
    return math.log1p(max(v, 0.0)) / math.log1p(lmax)


def _colorbar(x: float, y: float, lmax: float, label: str, width: float = 170.0) -> list[str]:
    """A horizontal colour bar of -log10 p from 0 to ``lmax`` on :func:`_scale`, with ticks and a caption."""
    out = [f'<g class="legend colour-legend"><text x="{x:.1f}" y="{y - 4:.1f}">{_attr(label)}</text>',
           '<defs><linearGradient id="pgrad" x1="0" x2="1" y1="0" y2="0">'
           + "".join(f'<stop offset="{k / 4:.2f}" stop-color="{_color(k / 4)}"/>' for k in range(5))
           + "</linearGradient></defs>",
           f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.0f}" height="10" fill="url(#pgrad)" stroke="#999" '
           f'stroke-width="0.5"/>']
    ticks = [0.0] + [v for v in (1.0, 3.0, 10.0, 30.0, 100.0) if v < lmax * 0.8] + [lmax]
    for v in ticks:
        out.append(f'<text x="{x + width * _scale(v, lmax):.1f}" y="{y + 22:.1f}" text-anchor="middle" '
                   f'font-size="9">{v:.3g}</text>')
    out.append("</g>")
    return out


# -- scatter: -log10 p in A vs B ----------------------------------------------------------------

def _place_labels(points: Sequence[tuple[float, float]], texts: Sequence[str], size: float,
                  box: tuple[float, float, float, float],
                  obstacles: Sequence[tuple[float, float]]) -> list[tuple[float, float, str] | None]:
    """Greedy label placement: each label takes the first free spot of a ring of candidates around
    its point (nearest first), avoiding labels placed before it, the points and the plot's edges.
    Returns (x, y, anchor) per label, or None when no candidate is free (the label is left out)."""
    placed: list[tuple[float, float, float, float]] = []
    x0, y0, x1, y1 = box
    out: list[tuple[float, float, str] | None] = []
    h = size + 2
    for (px_, py_), text in zip(points, texts):
        w = _text_w(text, size)
        spot = None
        for dist in (6.0, 14.0, 26.0, 40.0):
            for dx, dy in ((1, -1), (1, 1), (-1, -1), (-1, 1), (1, 0), (-1, 0), (0, -1.6), (0, 1.6)):
                lx = px_ + dx * dist if dx >= 0 else px_ + dx * dist - w
                if dx == 0:
                    lx = px_ - w / 2
                ly = py_ + dy * dist - h / 2
                rect = (lx, ly, lx + w, ly + h)
                if rect[0] < x0 or rect[2] > x1 or rect[1] < y0 or rect[3] > y1:
                    continue
                if any(not (rect[2] < a or rect[0] > c or rect[3] < b or rect[1] > d) for a, b, c, d in placed):
                    continue
                if any(rect[0] - 3 < ox < rect[2] + 3 and rect[1] - 3 < oy < rect[3] + 3 for ox, oy in obstacles):
                    continue
                spot = (lx, ly + h - 3, "start" if dist > 6 else "")
                placed.append(rect)
                break
            if spot:
                break
        out.append(spot)
    return out


def scatter_svg(comparison: pd.DataFrame, *, labels: Sequence[str] | None = None, size: int = 620,
                label_top: int = 12, alpha: float = 0.05) -> str:
    """-log10 p of side A (x) against side B (y), one point per term of a comparison table.

    Terms tested on one side only are drawn on the other side's axis (at 0) in grey; the dashed
    diagonal is equal evidence; red dashed lines mark ``alpha`` on each axis. The ``label_top``
    strongest terms are labelled with their names (a point's tooltip gives ID, name and status),
    placed so that no two labels overlap and none covers a point; a label that finds no free spot
    is left out rather than drawn over another.
    """
    la, lb = labels or comparison.attrs.get("labels", ("A", "B"))
    xs = np.array([_neglog(p) for p in comparison[f"p_{la}"]], dtype=float)
    ys = np.array([_neglog(p) for p in comparison[f"p_{lb}"]], dtype=float)
    both = ~np.isnan(xs) & ~np.isnan(ys)
    sig_line = -math.log10(alpha)
    top = float(np.nanmax(np.concatenate([xs, ys, [1.0, sig_line]])))
    top = max(1.0, math.ceil(top * 1.05))
    m, legend_h = 56, 40
    span = size - 2 * m
    height = size + legend_h

    def px(v: float) -> float:
        return m + (0.0 if math.isnan(v) else v) / top * span

    def py(v: float) -> float:
        return legend_h + size - m - (0.0 if math.isnan(v) else v) / top * span

    y_axis = legend_h + size - m
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="scatter" width="{size}" height="{height}" '
           f'viewBox="0 0 {size} {height}" {_FONT} font-size="11">',
           f'<rect width="{size}" height="{height}" fill="white"/>',
           f'<line x1="{m}" y1="{y_axis}" x2="{size - m}" y2="{y_axis}" stroke="black"/>',
           f'<line x1="{m}" y1="{y_axis}" x2="{m}" y2="{py(top):.1f}" stroke="black"/>',
           f'<line class="diagonal" x1="{m}" y1="{y_axis}" x2="{px(top):.1f}" y2="{py(top):.1f}" stroke="#999" '
           f'stroke-dasharray="4 3"/>',
           f'<line class="significance" x1="{px(sig_line):.1f}" y1="{y_axis}" x2="{px(sig_line):.1f}" '
           f'y2="{py(top):.1f}" stroke="#c53030" stroke-dasharray="5 4"/>',
           f'<line class="significance" x1="{m}" y1="{py(sig_line):.1f}" x2="{px(top):.1f}" y2="{py(sig_line):.1f}" '
           f'stroke="#c53030" stroke-dasharray="5 4"/>']
    step = max(1, int(top) // 5)
    for k in range(0, int(top) + 1, step):
        out.append(f'<text x="{px(k):.1f}" y="{y_axis + 16}" text-anchor="middle">{k}</text>')
        out.append(f'<text x="{m - 6}" y="{py(k) + 4:.1f}" text-anchor="end">{k}</text>')
    out.append(f'<text x="{size / 2}" y="{y_axis + 34}" text-anchor="middle">-log10 p ({_attr(la)})</text>')
    cy = legend_h + size / 2
    out.append(f'<text x="16" y="{cy}" text-anchor="middle" transform="rotate(-90 16 {cy})">'
               f'-log10 p ({_attr(lb)})</text>')
    # legend on top
    out.append('<g class="legend">'
               '<circle cx="20" cy="16" r="4" fill="#3182bd"/><text x="28" y="20">tested in both</text>'
               '<circle cx="130" cy="16" r="4" fill="#aaaaaa"/><text x="138" y="20">tested on one side only</text>'
               '<line x1="290" y1="16" x2="316" y2="16" stroke="#c53030" stroke-dasharray="5 4"/>'
               f'<text x="322" y="20">p = {alpha:g}</text>'
               '<line x1="400" y1="16" x2="426" y2="16" stroke="#999" stroke-dasharray="4 3"/>'
               '<text x="432" y="20">equal evidence</text></g>')
    status = comparison["status"].astype(str).tolist() if "status" in comparison else [""] * len(comparison)
    names = comparison["name"].astype(str).tolist() if "name" in comparison else [""] * len(comparison)
    go_ids = comparison["GO"].astype(str).tolist()
    pts = [(px(float(xs[k])), py(float(ys[k]))) for k in range(len(comparison))]
    for k in range(len(comparison)):
        color = "#3182bd" if both[k] else "#aaaaaa"
        title = f"{go_ids[k]} {names[k]} [{status[k]}]"
        out.append(f'<circle class="point" data-term="{_attr(go_ids[k])}" cx="{pts[k][0]:.1f}" cy="{pts[k][1]:.1f}" '
                   f'r="3" fill="{color}" fill-opacity="0.7"><title>{_attr(title)}</title></circle>')
    strength = np.fmax(np.nan_to_num(xs), np.nan_to_num(ys))
    chosen = np.argsort(-strength, kind="stable")[:label_top].tolist()
    texts = [(names[k] if len(names[k]) <= 30 else names[k][:29] + "\u2026") or go_ids[k] for k in chosen]
    spots = _place_labels([pts[k] for k in chosen], texts, 9.0, (m + 2, legend_h + 4, size - 4, y_axis - 2), pts)
    for k, text, spot in zip(chosen, texts, spots):
        if spot is None:
            continue
        lx, ly, leader = spot
        if leader:  # a label moved away from its point gets a thin line to it
            w = _text_w(text, 9.0)
            ax = min(max(pts[k][0], lx), lx + w)
            ay = ly - 3 if pts[k][1] < ly - 3 else ly + 1
            out.append(f'<line class="leader" x1="{pts[k][0]:.1f}" y1="{pts[k][1]:.1f}" x2="{ax:.1f}" y2="{ay:.1f}" '
                       f'stroke="#888" stroke-width="0.6"/>')
        out.append(f'<text class="point-label" data-term="{_attr(go_ids[k])}" x="{lx:.1f}" y="{ly:.1f}" '
                   f'font-size="9">{_attr(text)}<title>{_attr(go_ids[k])} {_attr(names[k])}</title></text>')
    out.append("</svg>")
    return "\n".join(out)


# -- dot plot of the top terms --------------------------------------------------------------------

def dotplot_svg(result: EnrichmentResult, top: int = 20, *, method: str | None = None,
                enriched_only: bool = True) -> str:
    """The ``top`` terms of each namespace by p-value, one panel per namespace.

    x is fold enrichment (dashed line at 1), dot area ~ study count, colour ~ -log10 p on one
    scale for all panels; a colour bar and a size legend explain both. Each dot's tooltip gives
    the numbers.
    """
    col = _pcol(result, method)
    t = result.table
    if enriched_only:
        t = t[t["enrichment"] == "e"]
    t = t.sort_values([col, "p_uncorrected", "GO"], kind="stable")
    parts = [(ns, t[t["NS"].astype(str) == ns].head(top)) for ns in _ns_codes(t["NS"].astype(str).tolist())]
    shown = pd.concat([p for _, p in parts]) if parts else t.head(0)
    n = len(shown)
    row_h, left, plot_w, right, head, panel_head = 22, 380, 320, 40, 74, 30
    width = left + plot_w + right
    folds = shown["fold_enrichment"].astype(float).to_numpy()
    fmax = max(float(np.nanmax(folds)) if n else 1.0, 1.0) * 1.1
    logs_all = np.array([_neglog(p) for p in shown[col]], dtype=float)
    lmax = float(np.nanmax(logs_all)) if n and not np.isnan(logs_all).all() else 1.0
    lmax = max(lmax, 1e-9)
    cmax = int(shown["study_count"].to_numpy().max()) if n else 1

    def px(v: float) -> float:
        return left + v / fmax * plot_w

    def radius(c: float) -> float:
        return 3 + 7 * math.sqrt(c / max(cmax, 1))

    body: list[str] = []
    y = float(head)
    for ns, part in parts:
        body.append(f'<g class="panel" data-namespace="{_attr(ns)}">'
                    f'<text x="12" y="{y + 18:.1f}" font-size="13" font-weight="bold">'
                    f'{_attr(NAMESPACES.get(ns, ns).replace("_", " "))} (top {len(part)})</text>')
        y += panel_head
        y_start = y
        row: Any
        for row in part.itertuples(index=False):
            cy = y + row_h / 2
            label = f"{row.name} ({row.GO})"
            if len(label) > 62:
                label = label[:59] + "..."
            lg = _neglog(getattr(row, col))
            color = _color(_scale(lg, lmax))
            title = (f"{row.GO} {row.name}: {row.ratio_in_study} vs {row.ratio_in_pop}, fold "
                     f"{float(row.fold_enrichment):.2f}, {col} {float(getattr(row, col)):.3g}")
            body.append(f'<text x="{left - 8}" y="{cy + 4:.1f}" text-anchor="end">{_attr(label)}</text>')
            body.append(f'<circle class="dot" cx="{px(float(row.fold_enrichment)):.1f}" cy="{cy:.1f}" '
                        f'r="{radius(int(row.study_count)):.1f}" fill="{color}"><title>{_attr(title)}</title></circle>')
            y += row_h
        body.append(f'<line x1="{px(1):.1f}" y1="{y_start:.1f}" x2="{px(1):.1f}" y2="{y:.1f}" stroke="#bbb" '
                    f'stroke-dasharray="3 3"/>')
        body.append(f'<line x1="{left}" y1="{y + 4:.1f}" x2="{left + plot_w}" y2="{y + 4:.1f}" stroke="black"/>')
        for k in range(0, 5):
            v = fmax * k / 4
            body.append(f'<text x="{px(v):.1f}" y="{y + 18:.1f}" text-anchor="middle">{v:.1f}</text>')
        body.append("</g>")
        y += 26
    y += 6
    body.append(f'<text x="{left + plot_w / 2}" y="{y:.1f}" text-anchor="middle">fold enrichment</text>')
    height = y + 14
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="dotplot" width="{width}" height="{height:.0f}" '
           f'viewBox="0 0 {width} {height:.0f}" {_FONT} font-size="11">',
           f'<rect width="{width}" height="{height:.0f}" fill="white"/>',
           f'<text x="12" y="20" font-size="12">top {top} terms per namespace by {_attr(col)}</text>']
    out.extend(_colorbar(20, 46, lmax, f"colour: -log10 {col}"))
    sizes = sorted({1, max(cmax // 2, 1), cmax})
    sx = 240.0
    out.append(f'<g class="legend size-legend"><text x="{sx:.0f}" y="42">area: study count</text>')
    for c in sizes:
        r = radius(c)
        out.append(f'<circle cx="{sx + r:.1f}" cy="{56:.1f}" r="{r:.1f}" fill="#bbb"/>'
                   f'<text x="{sx + 2 * r + 4:.1f}" y="{60:.1f}" font-size="9">{c}</text>')
        sx += 2 * r + 14 + 6 * len(str(c))
    out.append("</g>")
    out.extend(body)
    out.append("</svg>")
    return "\n".join(out)


# -- DAG of significant terms -----------------------------------------------------------------------

def significant_subgraph(result: EnrichmentResult, ontology: Ontology, alpha: float | None = None, *,
                         method: str | None = None,
                         max_terms: int | None = 80) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The terms with ``p_<method> < alpha`` (at most ``max_terms``, the most significant) and the edges
    joining each to its nearest drawn ancestors over the result's relations (the transitive
    reduction within the drawn set), as ``(child, parent)`` GO ID pairs."""
    col = _pcol(result, method)
    a = result.meta.get("alpha", 0.05) if alpha is None else alpha
    sig = result.table[result.table[col] < a].sort_values([col, "GO"], kind="stable")
    if max_terms is not None:
        sig = sig.head(max_terms)
    rels = tuple(result.meta.get("relations", ("is_a", "part_of")))
    indptr, indices = ontology.closure(rels)
    ids = sig["GO"].astype(str).tolist()
    idx = [ontology.index_of(g) for g in ids]
    pos_of = {i: k for k, i in enumerate(idx)}
    drawn = set(idx)
    anc = [set(indices[indptr[i]:indptr[i + 1]].tolist()) & drawn - {i} for i in idx]
    edges: list[tuple[str, str]] = []
    for k, ancs in enumerate(anc):
        for p in sorted(ancs):  # nearest: no other drawn ancestor lies between
            if not any(p in anc[pos_of[q]] for q in ancs if q != p):
                edges.append((ids[k], ids[pos_of[p]]))
    return sig.reset_index(drop=True), edges


def dag_svg(result: EnrichmentResult, ontology: Ontology, alpha: float | None = None, *,
            method: str | None = None, max_terms: int = 80) -> str:
    """The significant terms (``p_<method> < alpha``) as a layered DAG, one panel per namespace.

    Terms are boxes with GO ID, name and p-value, filled by -log10 p (colour bar in the legend);
    an arrow joins a term to each nearest significant ancestor (:func:`significant_subgraph`).
    The layout is :func:`goannot.report.layout.layered_layout` (general terms on top, crossing
    minimisation, long edges routed between boxes). At most ``max_terms`` terms are drawn.
    """
    from .report.layout import edge_path, layered_layout

    col = _pcol(result, method)
    a = result.meta.get("alpha", 0.05) if alpha is None else alpha
    rels = tuple(result.meta.get("relations", ("is_a", "part_of")))
    sig, edges = significant_subgraph(result, ontology, a, method=method, max_terms=max_terms)
    ids = sig["GO"].astype(str).tolist()
    ns_of = dict(zip(ids, sig["NS"].astype(str)))
    pvals = dict(zip(ids, sig[col].astype(float)))
    names = dict(zip(ids, sig["name"].astype(str)))
    logs = {g: _neglog(p) for g, p in pvals.items()}
    lmax = max([x for x in logs.values() if not math.isnan(x)] + [1.0])
    box_w, box_h, gap_x, gap_y, margin, legend_h, panel_head = 170.0, 58.0, 16.0, 40.0, 20.0, 64.0, 30.0
    panels = []
    y = margin + legend_h
    width = 560.0
    for ns in _ns_codes([ns_of[g] for g in ids]):
        members = [g for g in ids if ns_of[g] == ns]
        lay = layered_layout(members, [e for e in edges if ns_of[e[0]] == ns_of[e[1]] == ns],
                             {g: box_w for g in members}, gap=gap_x)
        top = y
        y += panel_head
        layer_top = [y + k * (box_h + gap_y) for k in range(len(lay.layers))]
        y += len(lay.layers) * (box_h + gap_y) - gap_y + 20
        panels.append((ns, members, lay, top, layer_top, y - top))
        width = max(width, lay.width + 2 * margin)
    height = y + margin
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="enrichment-dag" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" {_FONT} font-size="10">',
           f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto"><path class="arrowhead" d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
           f'<text x="{margin}" y="{margin}" font-size="12">{len(ids)} terms with {_attr(col)} &lt; {a:g} '
           f'({_attr("+".join(rels))})</text>']
    out.extend(_colorbar(margin, margin + 28, lmax, f"fill: -log10 {col}"))
    out.append(f'<g class="legend"><line x1="{margin + 200}" y1="{margin + 33}" x2="{margin + 236}" '
               f'y2="{margin + 33}" stroke="#555" marker-end="url(#arrow)"/><text x="{margin + 242}" '
               f'y="{margin + 37}">term \u2192 its nearest significant ancestor</text></g>')
    for ns, members, lay, top, layer_top, ph in panels:
        x0 = margin + (width - 2 * margin - lay.width) / 2
        out.append(f'<g class="panel" data-namespace="{_attr(ns)}">'
                   f'<rect class="panel-frame" x="{margin / 2:.0f}" y="{top:.1f}" width="{width - margin:.0f}" '
                   f'height="{ph - 6:.1f}" rx="6" fill="none" stroke="#d5dbe3"/>'
                   f'<text x="{margin}" y="{top + 20:.1f}" font-size="13" font-weight="bold">'
                   f'{_attr(NAMESPACES.get(ns, ns).replace("_", " "))} ({len(members)} terms)</text>')
        for (child, parent), route in sorted(lay.routes.items()):
            d = edge_path(lay, route, layer_top, box_h, x0=x0)
            out.append(f'<path class="edge" data-child="{_attr(child)}" data-parent="{_attr(parent)}" d="{d}" '
                       f'fill="none" stroke="#666" stroke-width="1" marker-end="url(#arrow)"/>')
        for g in members:
            x, yy = x0 + lay.x[g] - box_w / 2, layer_top[lay.layer[g]]
            lines = textwrap.wrap(names[g], 30, max_lines=2, placeholder="\u2026") or [""]
            color = _color(_scale(logs[g], lmax))
            title = f"{g} {names[g]} ({NAMESPACES.get(ns, ns)}): {col} {pvals[g]:.3g}"
            out.append(f'<g class="node" data-term="{_attr(g)}"><title>{_attr(title)}</title>'
                       f'<rect class="box" x="{x:.1f}" y="{yy:.1f}" width="{box_w:.0f}" height="{box_h:.0f}" rx="5" '
                       f'fill="{color}" fill-opacity="0.25" stroke="{color}"/>'
                       f'<text x="{x + 6:.1f}" y="{yy + 13:.1f}" font-weight="bold">{_attr(g)}</text>'
                       f'<text class="pvalue" x="{x + box_w - 6:.1f}" y="{yy + 13:.1f}" text-anchor="end">'
                       f'p={pvals[g]:.2g}</text>')
            for k, line in enumerate(lines):
                out.append(f'<text x="{x + 6:.1f}" y="{yy + 28 + 12 * k:.1f}">{_attr(line)}</text>')
            out.append("</g>")
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
