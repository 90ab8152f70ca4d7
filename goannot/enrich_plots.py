"""Figures of enrichment results as self-contained SVG text, and topGO's "elim" collapse.

No plotting library: each figure is a few hundred lines of SVG written as strings, which any
browser shows and :mod:`xml.etree` parses. Every mark carries a ``<title>`` (GO ID, name, numbers)
so that hovering in a browser identifies it.

:func:`collapse_elim` is the elim algorithm of Alexa et al. (2006) as topGO and goatools
(``algorithm='elim'``) implement it: terms are scored bottom-up with a one-sided (over-representation)
Fisher test, and when a term is significant its population genes are removed from all its ancestors
(from their term counts and from the population) before those are scored. The p-values equal
goatools' elim p-values (the tests check it); ``collapsed_by`` names the significant descendants
responsible, which goatools does not report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from .enrich import NAMESPACES, EnrichmentResult, longest_isa_depth
from .errors import GoannotError
from .ontology import Ontology
from .stats import fisher_exact_pvalues

__all__ = ["collapse_elim", "scatter_svg", "dotplot_svg", "dag_svg"]

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
        bottom_up = sorted(scored, key=lambda x: (-(indptr[x + 1] - indptr[x]), term_ids[x]))
        elim: dict[int, set[int]] = {}
        contributors: dict[int, list[int]] = {}
        p_elim: dict[int, float] = {}
        n_elim: dict[int, int] = {}
        for x in bottom_up:
            items = pop_items[x]
            gone = elim.get(x, set())
            s_items = items & study_genes
            k = len(gone)
            p = float(fisher_exact_pvalues([len(s_items - gone)], study_n - len(gone & study_genes),
                                           [len(items) - k], pop_n - k, "greater")[0])
            p_elim[x], n_elim[x] = p, k
            if p <= alpha:
                for a in anc[x]:
                    elim.setdefault(a, set()).update(items)
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


# -- scatter: -log10 p in A vs B ----------------------------------------------------------------

def scatter_svg(comparison: pd.DataFrame, *, labels: Sequence[str] | None = None, size: int = 460,
                label_top: int = 8) -> str:
    """-log10 p of side A (x) against side B (y), one point per term of a comparison table.

    Terms tested on one side only are drawn on the other side's axis (at 0) in grey; the dashed
    diagonal is equal evidence. The ``label_top`` strongest terms are labelled with their GO ID.
    """
    la, lb = labels or comparison.attrs.get("labels", ("A", "B"))
    xs = np.array([_neglog(p) for p in comparison[f"p_{la}"]], dtype=float)
    ys = np.array([_neglog(p) for p in comparison[f"p_{lb}"]], dtype=float)
    both = ~np.isnan(xs) & ~np.isnan(ys)
    top = float(np.nanmax(np.concatenate([xs, ys, [1.0]])))
    top = max(1.0, math.ceil(top * 1.05))
    m = 56
    span = size - 2 * m

    def px(v: float) -> float:
        return m + (0.0 if math.isnan(v) else v) / top * span

    def py(v: float) -> float:
        return size - m - (0.0 if math.isnan(v) else v) / top * span

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
           f'viewBox="0 0 {size} {size}" {_FONT} font-size="11">',
           f'<rect width="{size}" height="{size}" fill="white"/>',
           f'<line x1="{m}" y1="{size - m}" x2="{size - m}" y2="{size - m}" stroke="black"/>',
           f'<line x1="{m}" y1="{size - m}" x2="{m}" y2="{m}" stroke="black"/>',
           f'<line x1="{m}" y1="{size - m}" x2="{size - m}" y2="{m}" stroke="#999" stroke-dasharray="4 3"/>']
    for k in range(0, int(top) + 1, max(1, int(top) // 5)):
        out.append(f'<text x="{px(k):.1f}" y="{size - m + 16}" text-anchor="middle">{k}</text>')
        out.append(f'<text x="{m - 6}" y="{py(k) + 4:.1f}" text-anchor="end">{k}</text>')
    out.append(f'<text x="{size / 2}" y="{size - 14}" text-anchor="middle">-log10 p ({_attr(la)})</text>')
    out.append(f'<text x="16" y="{size / 2}" text-anchor="middle" transform="rotate(-90 16 {size / 2})">'
               f'-log10 p ({_attr(lb)})</text>')
    status = comparison["status"].astype(str).tolist() if "status" in comparison else [""] * len(comparison)
    for k, row in enumerate(comparison.itertuples(index=False)):
        color = "#3182bd" if both[k] else "#aaaaaa"
        title = f"{row.GO} {getattr(row, 'name', '')} [{status[k]}]"
        out.append(f'<circle cx="{px(xs[k]):.1f}" cy="{py(ys[k]):.1f}" r="3" fill="{color}" fill-opacity="0.7">'
                   f'<title>{_attr(title)}</title></circle>')
    strength = np.fmax(np.nan_to_num(xs), np.nan_to_num(ys))
    for k in np.argsort(-strength, kind="stable")[:label_top].tolist():
        out.append(f'<text x="{px(xs[k]) + 5:.1f}" y="{py(ys[k]) - 4:.1f}" font-size="9">'
                   f'{_attr(comparison["GO"].iloc[k])}</text>')
    out.append("</svg>")
    return "\n".join(out)


# -- dot plot of the top terms --------------------------------------------------------------------

def dotplot_svg(result: EnrichmentResult, top: int = 20, *, method: str | None = None,
                enriched_only: bool = True) -> str:
    """The ``top`` terms by p-value: fold enrichment (x), dot area ~ study count, colour ~ -log10 p."""
    col = _pcol(result, method)
    t = result.table
    if enriched_only:
        t = t[t["enrichment"] == "e"]
    t = t.sort_values([col, "p_uncorrected", "GO"], kind="stable").head(top)
    n = len(t)
    row_h, left, right, head = 22, 380, 60, 40
    width = left + 320 + right
    height = head + max(n, 1) * row_h + 50
    folds = t["fold_enrichment"].astype(float).to_numpy()
    fmax = float(np.nanmax(folds)) if n else 1.0
    fmax = max(fmax, 1.0) * 1.1
    logs = np.array([_neglog(p) for p in t[col]], dtype=float)
    lmax = float(np.nanmax(logs)) if n else 1.0
    cmax = int(t["study_count"].to_numpy().max()) if n else 1

    def px(v: float) -> float:
        return left + v / fmax * 320

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {_FONT} font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="20" font-size="12">top {n} terms by {_attr(col)} (colour: -log10 p, '
           f'area: study count)</text>',
           f'<line x1="{px(1):.1f}" y1="{head - 6}" x2="{px(1):.1f}" y2="{head + n * row_h}" stroke="#bbb" '
           f'stroke-dasharray="3 3"/>']
    row: Any
    for k, row in enumerate(t.itertuples(index=False)):
        y = head + k * row_h + row_h / 2
        label = f"{row.name} ({row.GO})"
        if len(label) > 62:
            label = label[:59] + "..."
        r = 3 + 7 * math.sqrt(int(row.study_count) / max(cmax, 1))
        color = _color(logs[k] / lmax if lmax > 0 else 0.0)
        title = (f"{row.GO} {row.name}: {row.ratio_in_study} vs {row.ratio_in_pop}, fold "
                 f"{float(row.fold_enrichment):.2f}, {col} {float(getattr(row, col)):.3g}")
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{_attr(label)}</text>')
        out.append(f'<circle cx="{px(float(row.fold_enrichment)):.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{color}">'
                   f'<title>{_attr(title)}</title></circle>')
    axis_y = head + n * row_h + 8
    out.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + 320}" y2="{axis_y}" stroke="black"/>')
    for k in range(0, 5):
        v = fmax * k / 4
        out.append(f'<text x="{px(v):.1f}" y="{axis_y + 14}" text-anchor="middle">{v:.1f}</text>')
    out.append(f'<text x="{left + 160}" y="{axis_y + 32}" text-anchor="middle">fold enrichment</text>')
    out.append("</svg>")
    return "\n".join(out)


# -- DAG of significant terms -----------------------------------------------------------------------

def dag_svg(result: EnrichmentResult, ontology: Ontology, alpha: float | None = None, *,
            method: str | None = None, max_terms: int = 80) -> str:
    """The significant terms (``p_<method> < alpha``) as a layered DAG, general terms on top.

    Layers are goatools' depth (longest is_a path); an edge joins a term to its nearest significant
    ancestors over the result's relations (the transitive reduction within the drawn set). At most
    ``max_terms`` terms (the most significant) are drawn; colour is -log10 p.
    """
    col = _pcol(result, method)
    a = result.meta.get("alpha", 0.05) if alpha is None else alpha
    sig = result.table[result.table[col] < a].sort_values([col, "GO"], kind="stable").head(max_terms)
    rels = tuple(result.meta.get("relations", ("is_a", "part_of")))
    indptr, indices = ontology.closure(rels)
    depth_all = longest_isa_depth(ontology)
    ids = sig["GO"].tolist()
    idx = [ontology.index_of(g) for g in ids]
    pos_of = {i: k for k, i in enumerate(idx)}
    anc = [set(indices[indptr[i]:indptr[i + 1]].tolist()) & set(idx) - {i} for i in idx]
    edges: list[tuple[int, int]] = []
    for k, ancs in enumerate(anc):
        for p in ancs:  # nearest: no other drawn ancestor lies between
            if not any(p in anc[pos_of[q]] for q in ancs if q != p):
                edges.append((k, pos_of[p]))
    layers: dict[int, list[int]] = {}
    for k, i in enumerate(idx):
        layers.setdefault(int(depth_all[i]), []).append(k)
    box_w, box_h, gap_x, gap_y, margin = 170, 44, 16, 40, 20
    widest = max((len(v) for v in layers.values()), default=1)
    width = margin * 2 + widest * (box_w + gap_x)
    order = sorted(layers)
    height = margin * 2 + max(len(order), 1) * (box_h + gap_y) + 20
    xy: dict[int, tuple[float, float]] = {}
    for layer, d in enumerate(order):
        members = layers[d]
        offset = (width - len(members) * (box_w + gap_x)) / 2
        for j, k in enumerate(members):
            xy[k] = (offset + j * (box_w + gap_x), margin + 20 + layer * (box_h + gap_y))
    logs = [_neglog(p) for p in sig[col]]
    lmax = max([x for x in logs if not math.isnan(x)] + [1.0])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" {_FONT} font-size="10">',
           f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
           f'<text x="{margin}" y="{margin}" font-size="12">{len(ids)} terms with {_attr(col)} &lt; {a} '
           f'({_attr("+".join(rels))})</text>']
    for child, parent in edges:
        cx, cy = xy[child]
        px_, py_ = xy[parent]
        out.append(f'<line x1="{cx + box_w / 2:.1f}" y1="{cy:.1f}" x2="{px_ + box_w / 2:.1f}" '
                   f'y2="{py_ + box_h:.1f}" stroke="#666"/>')
    for k, row in enumerate(sig.itertuples(index=False)):
        x, y = xy[k]

        name = str(row.name)
        name = name if len(name) <= 30 else name[:27] + "..."
        color = _color(logs[k] / lmax if not math.isnan(logs[k]) else 0.0)
        title = f"{row.GO} {row.name} ({NAMESPACES.get(str(row.NS), row.NS)}): {col} {float(getattr(row, col)):.3g}"
        out.append(f'<g><title>{_attr(title)}</title>'
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{box_w}" height="{box_h}" rx="5" fill="{color}" '
                   f'fill-opacity="0.25" stroke="{color}"/>'
                   f'<text x="{x + box_w / 2:.1f}" y="{y + 17:.1f}" text-anchor="middle" font-weight="bold">'
                   f'{_attr(row.GO)}</text>'
                   f'<text x="{x + box_w / 2:.1f}" y="{y + 33:.1f}" text-anchor="middle">{_attr(name)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)
