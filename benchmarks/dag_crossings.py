"""Benchmark: edge crossings of goannot's layered DAG layout against graphviz ``dot`` on the same graphs.

Graphs (one per namespace panel, as the pictures draw them):

* ``IL7`` and ``CD4``: the report's term graph -- every term some set of ``goannot report GENE`` has
  (direct or inferred), edges over is_a + part_of within one namespace;
* ``enrich300``: the enrichment DAG of 300 genes of the bundled human GAF (goa_human 2019-01-29),
  a seeded sample (seed 14) of the genes annotated under immune system process (GO:0002376), so
  that many terms are significant; all terms with ``p_fdr_bh < 0.05`` (no ``max_terms`` cap), each
  joined to its nearest significant ancestors (:func:`goannot.enrich_plots.significant_subgraph`).

Crossings are counted the same way for both drawings, geometrically: every edge is sampled into a
polyline (goannot: its SVG path; dot: the B-spline of ``dot -Tplain``), and every proper
intersection of two edges that share no end node counts once. Graphviz comes from Debian
(``apt-get install graphviz``) and is used here only, never by goannot.

grandalf (the pure-Python Sugiyama library we could have depended on) is measured too when it is
importable (``pip install --target /tmp/gd grandalf; PYTHONPATH=/tmp/gd python ...``): its crossings
are counted on its own layers and dummies, like goannot's ``goannot_layered_count``.

Run ``python benchmarks/dag_crossings.py`` from the repository root (a few minutes); writes
``benchmarks/results/dag_crossings.json``.
"""

from __future__ import annotations

import json
import logging
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from goannot import load_ontology  # noqa: E402
from goannot.report.layout import edge_path, layered_layout  # noqa: E402

log = logging.getLogger("benchmarks.dag_crossings")
RESULTS = Path(__file__).resolve().parent / "results" / "dag_crossings.json"
Edge = tuple[str, str]


def _sample_path(d: str, steps: int = 12) -> np.ndarray:
    """Points along an SVG path made of M, L and C commands."""
    toks = re.findall(r"[MLC]|-?\d+(?:\.\d+)?", d)
    pts: list[tuple[float, float]] = []
    i, cur = 0, (0.0, 0.0)
    while i < len(toks):
        cmd = toks[i]
        i += 1
        if cmd in ("M", "L"):
            cur = (float(toks[i]), float(toks[i + 1]))
            i += 2
            pts.append(cur)
        else:
            c1 = (float(toks[i]), float(toks[i + 1]))
            c2 = (float(toks[i + 2]), float(toks[i + 3]))
            end = (float(toks[i + 4]), float(toks[i + 5]))
            i += 6
            pts.extend(_bezier(cur, c1, c2, end, steps)[1:])
            cur = end
    return np.array(pts)


def _bezier(p0: tuple[float, float], p1: tuple[float, float], p2: tuple[float, float],
            p3: tuple[float, float], steps: int) -> list[tuple[float, float]]:
    out = []
    for k in range(steps + 1):
        t = k / steps
        a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
        out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def count_geometric(edges: Sequence[Edge], lines: Sequence[np.ndarray]) -> int:
    """Proper intersections between polylines of edges that share no end node."""
    boxes = [(ln[:, 0].min(), ln[:, 1].min(), ln[:, 0].max(), ln[:, 1].max()) for ln in lines]
    total = 0
    for i in range(len(lines)):
        a = lines[i]
        a0, a1 = a[:-1], a[1:]
        for j in range(i + 1, len(lines)):
            if set(edges[i]) & set(edges[j]):
                continue
            bi, bj = boxes[i], boxes[j]
            if bi[2] < bj[0] or bj[2] < bi[0] or bi[3] < bj[1] or bj[3] < bi[1]:
                continue
            b = lines[j]
            b0, b1 = b[:-1], b[1:]
            p, r = a0[:, None, :], (a1 - a0)[:, None, :]
            q, s = b0[None, :, :], (b1 - b0)[None, :, :]
            rxs = r[..., 0] * s[..., 1] - r[..., 1] * s[..., 0]
            qp = q - p
            with np.errstate(divide="ignore", invalid="ignore"):
                t = (qp[..., 0] * s[..., 1] - qp[..., 1] * s[..., 0]) / rxs
                u = (qp[..., 0] * r[..., 1] - qp[..., 1] * r[..., 0]) / rxs
            hit = (rxs != 0) & (t > 1e-9) & (t <= 1) & (u > 1e-9) & (u <= 1)
            total += int(hit.sum())
    return total


def goannot_crossings(nodes: Sequence[str], edges: Sequence[Edge]) -> dict[str, int]:
    lay = layered_layout(nodes, edges, {n: 150.0 for n in nodes})
    box_h, gap_y = 57.0, 46.0
    tops = [k * (box_h + gap_y) for k in range(len(lay.layers))]
    keys = sorted(lay.routes)
    lines = [_sample_path(edge_path(lay, lay.routes[k], tops, box_h)) for k in keys]
    return {"geometric": count_geometric(keys, lines), "layered": lay.crossings, "layers": len(lay.layers),
            "width_px": round(lay.width)}


def dot_crossings(nodes: Sequence[str], edges: Sequence[Edge]) -> dict[str, int]:
    ids = {n: f"n{i}" for i, n in enumerate(nodes)}
    back = {v: k for k, v in ids.items()}
    lines = ["digraph G {", "node [shape=box, width=2.08, height=0.79, fixedsize=true, label=\"\"];"]
    lines += [f"{ids[n]};" for n in nodes]
    lines += [f"{ids[p]} -> {ids[c]};" for c, p in edges]  # parents on top, as goannot draws them
    lines.append("}")
    res = subprocess.run(["dot", "-Tplain"], input="\n".join(lines), capture_output=True, text=True, check=True)
    keys: list[Edge] = []
    polys: list[np.ndarray] = []
    ranks: set[str] = set()
    for ln in res.stdout.splitlines():
        f = ln.split()
        if f and f[0] == "node":
            ranks.add(f[3])
        if not f or f[0] != "edge":
            continue
        tail, head, n = f[1], f[2], int(f[3])
        ctrl = [(float(f[4 + 2 * k]), -float(f[5 + 2 * k])) for k in range(n)]
        pts = [ctrl[0]]
        for k in range(1, n - 2, 3):
            pts.extend(_bezier(ctrl[k - 1], ctrl[k], ctrl[k + 1], ctrl[k + 2], 12)[1:])
        keys.append((back[head], back[tail]))
        polys.append(np.array(pts))
    return {"geometric": count_geometric(keys, polys), "layers": len(ranks)}


def grandalf_crossings(nodes: Sequence[str], edges: Sequence[Edge], rounds: int = 24) -> int | None:
    """Crossings of grandalf's SugiyamaLayout (the pure-Python candidate dependency), counted on its
    layers with dummies (straight segments between adjacent layers); None if grandalf is missing."""
    try:
        from grandalf.graphs import Edge as GEdge, Graph, Vertex
        from grandalf.layouts import SugiyamaLayout
    except ImportError:
        return None

    class View:
        w, h = 150.0, 57.0

    verts = {n: Vertex(n) for n in nodes}
    for v in verts.values():
        v.view = View()
    g = Graph(list(verts.values()), [GEdge(verts[p], verts[c]) for c, p in edges])
    total = 0
    for comp in g.C:
        sug = SugiyamaLayout(comp)
        sug.init_all()
        sug.draw(rounds)
        pairs: list[tuple[tuple[int, int], tuple[int, int]]] = []  # ((rank, pos) upper, (rank, pos) lower)
        for e in comp.sE:
            chain = [e.v[0]]
            ctrl = sug.ctrls.get(e, {})
            r0, r1 = sug.grx[e.v[0]].rank, sug.grx[e.v[1]].rank
            step = 1 if r1 > r0 else -1
            chain += [ctrl[r] for r in range(r0 + step, r1, step)] + [e.v[1]]
            for a, b in zip(chain, chain[1:]):
                ga, gb = sug.grx[a], sug.grx[b]
                up, lo = (ga, gb) if ga.rank < gb.rank else (gb, ga)
                pairs.append(((up.rank, up.pos), (lo.rank, lo.pos)))
        by_rank: dict[int, list[tuple[int, int]]] = {}
        for (ru, pu), (_rl, pl) in pairs:
            by_rank.setdefault(ru, []).append((pu, pl))
        for segs in by_rank.values():
            segs.sort()
            for i in range(len(segs)):
                for j in range(i + 1, len(segs)):
                    if segs[i][0] < segs[j][0] and segs[i][1] > segs[j][1]:
                        total += 1
    return total


def report_graph(gene: str, onto: object) -> dict[str, tuple[list[str], list[Edge]]]:
    from goannot.report import run_report

    with tempfile.TemporaryDirectory() as tmp:
        r = run_report(gene, ontology=onto, out_dir=tmp)  # type: ignore[arg-type]
    recs = r.report["comparison"]["tables"]["matrix"]
    terms = list(dict.fromkeys(str(x["term"]) for x in recs if x.get("state") in ("direct", "inferred")))
    return _panels(terms, onto)


def _panels(terms: list[str], onto: object) -> dict[str, tuple[list[str], list[Edge]]]:
    inside = set(terms)
    ns = {t: onto.namespace(t) for t in terms}  # type: ignore[attr-defined]
    edges = sorted({(c, p) for c, _r, p in onto.edges(("is_a", "part_of"))  # type: ignore[attr-defined]
                    if c in inside and p in inside and ns[c] == ns[p] and c != p})
    out: dict[str, tuple[list[str], list[Edge]]] = {}
    for space in dict.fromkeys(ns.values()):
        members = [t for t in terms if ns[t] == space]
        out[space] = (members, [e for e in edges if ns[e[0]] == space])
    return out


def enrich_graph(onto: object) -> dict[str, tuple[list[str], list[Edge]]]:
    from goannot.annotations import read_annotations
    from goannot.enrich import enrich
    from goannot.enrich_plots import significant_subgraph
    from goannot.propagate import propagate
    from goannot.sources import locate

    table = read_annotations(locate("goa_human-2019-01-29"))
    prop = propagate(table, onto, relations=("is_a", "part_of"))  # type: ignore[arg-type]
    c = prop.closure
    genes = set(c.loc[c["term"].astype(str) == "GO:0002376", "gene"].astype(str))
    g = prop.genes
    immune = sorted(set(g.loc[g["gene"].astype(str).isin(genes), "db_object_id"].astype(str)))
    study = random.Random(14).sample(immune, 300)
    res = enrich(study, None, table, onto, corrections=["fdr_bh"])  # type: ignore[arg-type]
    sig, edges = significant_subgraph(res, onto, 0.05, max_terms=None)  # type: ignore[arg-type]
    ns = dict(zip(sig["GO"].astype(str), sig["NS"].astype(str)))
    out: dict[str, tuple[list[str], list[Edge]]] = {}
    for space in dict.fromkeys(ns.values()):
        members = [g for g in sig["GO"].astype(str) if ns[g] == space]
        out[space] = (members, [e for e in edges if ns[e[0]] == ns[e[1]] == space])
    return out


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    if not shutil.which("dot"):
        print("needs graphviz: apt-get install -y graphviz", file=sys.stderr)
        return 2
    onto = load_ontology()
    graphs = {"IL7": report_graph("IL7", onto), "CD4": report_graph("CD4", onto), "enrich300": enrich_graph(onto)}
    rows = []
    for name, panels in graphs.items():
        for space, (nodes, edges) in panels.items():
            ours = goannot_crossings(nodes, edges)
            dot = dot_crossings(nodes, edges)
            gd = grandalf_crossings(nodes, edges)
            rows.append({"graph": name, "namespace": space, "terms": len(nodes), "edges": len(edges),
                         "goannot": ours["geometric"], "goannot_layered_count": ours["layered"],
                         "goannot_layers": ours["layers"], "dot": dot["geometric"], "dot_ranks": dot["layers"],
                         "grandalf_layered_count": gd})
            print(f"{name:10} {space:20} {len(nodes):4} terms {len(edges):4} edges  goannot {ours['geometric']:5}"
                  f"  dot {dot['geometric']:5}  grandalf {gd}")
    totals = {}
    for name in graphs:
        ours = sum(r["goannot"] for r in rows if r["graph"] == name)
        dot = sum(r["dot"] for r in rows if r["graph"] == name)
        gds = [r["grandalf_layered_count"] for r in rows if r["graph"] == name]
        totals[name] = {"goannot": ours, "dot": dot, "ratio": round(ours / dot, 3) if dot else None,
                        "grandalf_layered": None if None in gds else sum(gds)}
        print(f"{name:10} total goannot {ours} dot {dot} ratio {totals[name]['ratio']}")
    ver = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
    RESULTS.write_text(json.dumps({"graphviz": ver, "panels": rows, "totals": totals}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
