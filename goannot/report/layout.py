"""A layered (Sugiyama) layout of a small DAG, in plain Python: layers, crossing minimisation, x placement.

Used by the report's term graph (:func:`goannot.report.svg.dag_svg`) and the enrichment DAG
(:func:`goannot.enrich_plots.dag_svg`). Written here rather than taken from grandalf because on the
GO sub-graphs we draw it gives fewer crossings (``benchmarks/dag_crossings.py`` compares both with
graphviz ``dot``) and it needs no runtime dependency. The steps are the classic ones:

1. **layers**: every edge runs from a child up to a parent on a smaller layer, and the total edge
   length is as small as possible (``dot``'s ranking, solved as a linear program by scipy);
2. **dummy nodes**: an edge spanning several layers is cut into unit segments through one dummy
   node per layer crossed, so it is routed in the gaps between boxes instead of through them;
3. **order**: alternate down and up sweeps of the barycenter heuristic, each followed by the
   adjacent-exchange ("transpose") heuristic of Gansner et al. (1993, the one ``dot`` uses); the
   order with the fewest crossings seen is kept;
4. **x placement**: each layer in turn is placed as close as possible (least squares) to the mean x
   of its neighbours in the adjacent layers, subject to the order and to minimum gaps -- an exact
   isotonic regression (pool adjacent violators) -- a few down and up passes. Dummies weigh more,
   so long edges run straight.

Everything is deterministic (ties are broken by name) and pure.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Layout", "layered_layout", "count_crossings", "DUMMY_PREFIX"]

#: Dummy node names start with this (never a GO ID or any name given).
DUMMY_PREFIX = "\x00dummy:"


@dataclass
class Layout:
    """The result of :func:`layered_layout`.

    ``layers`` lists each layer's nodes (dummies included) left to right; ``x`` is every node's
    centre; ``layer`` every real node's layer; ``routes`` maps each edge ``(child, parent)`` to the
    nodes its drawing passes, child first, dummies between, parent last; ``width`` spans all boxes.
    ``crossings`` is the number of pairwise segment crossings between adjacent layers.
    """

    layers: list[list[str]]
    x: dict[str, float]
    layer: dict[str, int]
    routes: dict[tuple[str, str], list[str]]
    width: float
    crossings: int
    widths: dict[str, float] = field(default_factory=dict)


def _longest_path_layers(nodes: Sequence[str], ups: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Layer = longest path (in edges) from a root; a cycle is broken at its least-blocked node."""
    children: dict[str, list[str]] = {n: [] for n in nodes}
    pending = {n: len(ups[n]) for n in nodes}
    for n in nodes:
        for p in ups[n]:
            children[p].append(n)
    layer = {n: 0 for n in nodes}
    done: set[str] = set()
    ready = sorted(n for n in nodes if pending[n] == 0)
    while len(done) < len(nodes):
        if not ready:
            ready = [min((n for n in nodes if n not in done), key=lambda n: (pending[n], n))]
        nxt: list[str] = []
        for n in ready:
            if n in done:
                continue
            done.add(n)
            placed = [layer[p] for p in ups[n] if p in done]
            layer[n] = max(placed) + 1 if placed else 0
            for c in children[n]:
                pending[c] -= 1
                if pending[c] == 0:
                    nxt.append(c)
        ready = sorted(nxt)
    return layer


def _shortest_layers(nodes: Sequence[str], pairs: Sequence[tuple[str, str]], start: Mapping[str, int]) -> dict[str, int]:
    """Layers minimising the total edge length (sum of parent-to-child layer spans, each at least 1).

    This is the ranking ``dot`` computes with network simplex; here it is the same linear program
    solved by scipy's HiGHS. Its constraint matrix (one difference per edge) is totally unimodular,
    so the optimum found is integral. Fewer long edges mean fewer dummies and fewer crossings. Falls
    back to ``start`` (longest-path layers) if the solver fails.
    """
    if not pairs:
        return {x: 0 for x in nodes}
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    index = {n: i for i, n in enumerate(nodes)}
    m, n = len(pairs), len(nodes)
    rows = np.repeat(np.arange(m), 2)
    cols = np.array([index[x] for c, p in pairs for x in (c, p)])
    vals = np.tile([-1.0, 1.0], m)  # l_p - l_c <= -1
    a_ub = coo_matrix((vals, (rows, cols)), shape=(m, n)).tocsr()
    # a small pull upwards (all of it together less than one unit of edge length) breaks ties: nodes
    # without edges and whole components without a drawn root would otherwise float anywhere
    cost = np.full(n, 1.0 / (n + 1))
    for c, p in pairs:
        cost[index[c]] += 1.0
        cost[index[p]] -= 1.0
    res = linprog(cost, A_ub=a_ub, b_ub=-np.ones(m), bounds=[(0, n)] * n, method="highs")
    if not res.success:
        return dict(start)
    raw = np.rint(res.x).astype(int)
    low = int(raw.min())
    return {x: int(raw[index[x]]) - low for x in nodes}


def _inversions(seq: list[int]) -> int:
    """Number of pairs i < j with seq[i] > seq[j] (insertion into a sorted list; fine at this size)."""
    seen: list[int] = []
    inv = 0
    for v in seq:
        k = bisect_right(seen, v)
        inv += len(seen) - k
        seen.insert(k, v)
    return inv


def _pair_crossings(upper: Sequence[str], lower: Sequence[str], down: Mapping[str, Sequence[str]]) -> int:
    """Crossings between two adjacent layers; ``down`` maps an upper node to its lower neighbours."""
    pos = {n: i for i, n in enumerate(lower)}
    seq: list[int] = []
    for u in upper:
        seq.extend(sorted(pos[c] for c in down.get(u, ()) if c in pos))
    return _inversions(seq)


def count_crossings(layers: Sequence[Sequence[str]], down: Mapping[str, Sequence[str]]) -> int:
    """Total crossings of a layered drawing with straight segments between adjacent layers."""
    return sum(_pair_crossings(layers[k], layers[k + 1], down) for k in range(len(layers) - 1))


def _median_value(ps: list[int]) -> float:
    """Gansner et al.'s weighted median of the sorted neighbour positions ``ps`` (-1 when none)."""
    m = len(ps)
    if m == 0:
        return -1.0
    if m % 2 == 1:
        return float(ps[m // 2])
    if m == 2:
        return (ps[0] + ps[1]) / 2
    left, right = ps[m // 2 - 1] - ps[0], ps[-1] - ps[m // 2]
    if left + right == 0:
        return (ps[m // 2 - 1] + ps[m // 2]) / 2
    return (ps[m // 2 - 1] * right + ps[m // 2] * left) / (left + right)


def _sort_layer(layer: list[str], neigh: Mapping[str, Sequence[str]], pos: Mapping[str, int],
                median: bool) -> list[str]:
    """Reorder a layer by the median (or barycenter) of each node's neighbours in the fixed layer;
    a node without neighbours keeps its place."""
    keyed: list[tuple[float, str]] = []
    for n in layer:
        ps = sorted(pos[m] for m in neigh.get(n, ()) if m in pos)
        v = (_median_value(ps) if median else sum(ps) / len(ps)) if ps else -1.0
        keyed.append((v, n))
    movable = sorted(((v, i) for i, (v, _n) in enumerate(keyed) if v >= 0))
    out = list(layer)
    slots = [i for i, (v, _n) in enumerate(keyed) if v >= 0]
    for slot, (_v, i) in zip(slots, movable):
        out[slot] = keyed[i][1]
    return out


def _transpose(layers: list[list[str]], up: Mapping[str, Sequence[str]], down: Mapping[str, Sequence[str]],
               equal_swaps: bool) -> None:
    """Swap adjacent nodes while a swap lowers the crossings with both neighbouring layers
    (``equal_swaps``: also when it leaves them equal, once per pair, to leave a plateau)."""
    positions = [{n: i for i, n in enumerate(lay)} for lay in layers]

    def cost(u: str, v: str, k: int) -> int:
        c = 0
        for kk, table in ((k - 1, up), (k + 1, down)):
            if 0 <= kk < len(layers):
                pos = positions[kk]
                a = [pos[m] for m in table.get(u, ()) if m in pos]
                b = [pos[m] for m in table.get(v, ()) if m in pos]
                c += sum(1 for x in a for y in b if x > y)
        return c

    improved, rounds = True, 0
    while improved and rounds < 12:
        improved, rounds = False, rounds + 1
        for k, lay in enumerate(layers):
            for i in range(len(lay) - 1):
                u, v = lay[i], lay[i + 1]
                before, after = cost(u, v, k), cost(v, u, k)
                if after < before or (equal_swaps and rounds == 1 and after == before and after > 0):
                    lay[i], lay[i + 1] = v, u
                    positions[k][u], positions[k][v] = i + 1, i
                    improved = improved or after < before


def _sift(layers: list[list[str]], up: Mapping[str, Sequence[str]], down: Mapping[str, Sequence[str]]) -> bool:
    """Sifting (Matuszewski et al. 1999): move each node, most connected first, to the place in its
    layer where it crosses least (counted against both neighbouring layers). True if anything moved."""
    moved = False
    positions = [{n: i for i, n in enumerate(lay)} for lay in layers]
    for k, lay in enumerate(layers):
        def neigh_pos(n: str) -> list[list[int]]:
            out = []
            for kk, table in ((k - 1, up), (k + 1, down)):
                if 0 <= kk < len(layers):
                    pos = positions[kk]
                    out.append(sorted(pos[m] for m in table.get(n, ()) if m in pos))
                else:
                    out.append([])
            return out

        nps = {n: neigh_pos(n) for n in lay}

        def c(u: str, v: str) -> int:
            """Crossings between u's and v's edges when u is left of v."""
            total = 0
            for a, b in zip(nps[u], nps[v]):
                if a and b:
                    total += sum(bisect_left(b, x) for x in a)
            return total

        for u in sorted(lay, key=lambda n: (-sum(len(x) for x in nps[n]), n)):
            if not any(nps[u]):
                continue
            others = [n for n in lay if n != u]
            # cost of u at slot j (before others[j]): sum_{i<j} c(others[i], u) + sum_{i>=j} c(u, others[i])
            left = [c(v, u) for v in others]
            right = [c(u, v) for v in others]
            cost = sum(right)
            best_j, best = 0, cost
            for j, v in enumerate(others):
                cost += left[j] - right[j]
                if cost < best:
                    best_j, best = j + 1, cost
            cur_j = lay.index(u)
            cur_cost = sum(left[:cur_j]) + sum(right[cur_j:])
            if best < cur_cost:
                others.insert(best_j, u)
                lay[:] = others
                moved = True
        positions[k] = {n: i for i, n in enumerate(lay)}
    return moved


def _order(layers: list[list[str]], up: Mapping[str, Sequence[str]], down: Mapping[str, Sequence[str]],
           iterations: int) -> tuple[list[list[str]], int]:
    """Crossing minimisation: from the given order, sweeps of median (then barycenter) sorting, each
    followed by transposition; the best order seen wins."""
    best = [list(lay) for lay in layers]
    best_c = count_crossings(best, down)
    for median in (True, False):
        cur = [list(lay) for lay in best]
        for it in range(iterations):
            if it % 2 == 0:
                for k in range(1, len(cur)):
                    pos = {n: i for i, n in enumerate(cur[k - 1])}
                    cur[k] = _sort_layer(cur[k], up, pos, median)
            else:
                for k in range(len(cur) - 2, -1, -1):
                    pos = {n: i for i, n in enumerate(cur[k + 1])}
                    cur[k] = _sort_layer(cur[k], down, pos, median)
            _transpose(cur, up, down, equal_swaps=it % 4 == 3)
            c = count_crossings(cur, down)
            if c < best_c:
                best, best_c = [list(lay) for lay in cur], c
            if best_c == 0:
                return best, 0
    for _ in range(4):
        if not _sift(best, up, down):
            break
        _transpose(best, up, down, equal_swaps=False)
        best_c = count_crossings(best, down)
    return best, best_c


def _isotonic_place(desired: Sequence[float], weights: Sequence[float], gaps: Sequence[float]) -> list[float]:
    """Weighted least-squares positions x (in the given order) with x[i+1] - x[i] >= gaps[i]."""
    offs = [0.0]
    for g in gaps:
        offs.append(offs[-1] + g)
    ys = [d - o for d, o in zip(desired, offs)]
    # pool adjacent violators on ys: blocks of (mean, weight, count)
    blocks: list[list[float]] = []
    for y, w in zip(ys, weights):
        blocks.append([y, w, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, n2 = blocks.pop()
            m1, w1, n1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    out: list[float] = []
    for m, _w, n in blocks:
        out.extend([m] * int(n))
    return [y + o for y, o in zip(out, offs)]


def layered_layout(nodes: Sequence[str], edges: Collection[tuple[str, str]], widths: Mapping[str, float], *,
                   gap: float = 14.0, dummy_width: float = 6.0, iterations: int = 24) -> Layout:
    """Lay out the DAG ``nodes`` / ``edges`` (``(child, parent)``, parents drawn above) in layers.

    ``widths`` gives each node's box width; boxes in a layer are at least ``gap`` apart, dummies
    (long edges' bends) are ``dummy_width`` wide. Edges with an end outside ``nodes`` and self-loops
    are ignored. Returns a :class:`Layout` with x centres starting at 0.
    """
    node_list = list(dict.fromkeys(nodes))
    inside = set(node_list)
    pairs = sorted({(c, p) for c, p in edges if c in inside and p in inside and c != p})
    ups: dict[str, list[str]] = {n: [] for n in node_list}
    for c, p in pairs:
        ups[c].append(p)
    layer = _longest_path_layers(node_list, ups)
    # cycles (never in GO) would give edges pointing down: drop them from the drawing's routing
    pairs = [(c, p) for c, p in pairs if layer[c] > layer[p]]
    layer = _shortest_layers(node_list, pairs, layer)
    depth = max(layer.values(), default=-1) + 1
    layers: list[list[str]] = [[] for _ in range(depth)]
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    routes: dict[tuple[str, str], list[str]] = {}
    w = dict(widths)
    for c, p in pairs:
        route = [c]
        for k in range(layer[c] - 1, layer[p], -1):
            d = f"{DUMMY_PREFIX}{c}>{p}@{k}"
            route.append(d)
            w[d] = dummy_width
        route.append(p)
        routes[(c, p)] = route
        for lo, hi in zip(route, route[1:]):
            up.setdefault(lo, []).append(hi)
            down.setdefault(hi, []).append(lo)
    dummy_layer: dict[str, int] = {}
    for (c, p), route in routes.items():
        for i, d in enumerate(route[1:-1]):
            dummy_layer[d] = layer[c] - 1 - i
    # two starts, as dot does: depth-first from the roots down, and from the bottom layer up; so
    # related nodes start close. Each is improved by _order and the one with fewer crossings is kept.
    def dfs_layers(starts: list[str], table: Mapping[str, Sequence[str]]) -> list[list[str]]:
        seen: set[str] = set()
        out: list[list[str]] = [[] for _ in range(depth)]
        for s0 in starts:
            stack = [s0]
            while stack:
                m = stack.pop()
                if m in seen:
                    continue
                seen.add(m)
                out[layer[m] if m in layer else dummy_layer[m]].append(m)
                stack.extend(sorted(table.get(m, ()), reverse=True))
        return out

    everything = [*node_list, *dummy_layer]

    def level(n: str) -> int:
        return layer[n] if n in layer else dummy_layer[n]

    starts = [dfs_layers(sorted(everything, key=lambda n: (level(n), n)), down),
              dfs_layers(sorted(everything, key=lambda n: (-level(n), n)), up)]
    layers, crossings = min((_order(start, up, down, iterations) for start in starts), key=lambda r: r[1])

    # x placement
    def sep(a: str, b: str) -> float:
        g = gap if not (a.startswith(DUMMY_PREFIX) and b.startswith(DUMMY_PREFIX)) else dummy_width
        return (w[a] + w[b]) / 2 + g

    x: dict[str, float] = {}
    for lay in layers:
        pos = 0.0
        for i, n in enumerate(lay):
            if i:
                pos += sep(lay[i - 1], n)
            x[n] = pos
    seqs = [range(1, depth), range(depth - 2, -1, -1)]
    for it in range(8):
        for k in seqs[it % 2]:
            lay = layers[k]
            table = up if it % 2 == 0 else down
            desired, weights = [], []
            for n in lay:
                ns = [x[m] for m in table.get(n, ())] + [x[m] for m in (down if it % 2 == 0 else up).get(n, ())]
                desired.append(sum(ns) / len(ns) if ns else x[n])
                weights.append(4.0 if n.startswith(DUMMY_PREFIX) else 1.0)
            gaps = [sep(a, b) for a, b in zip(lay, lay[1:])]
            for n, v in zip(lay, _isotonic_place(desired, weights, gaps)):
                x[n] = v
    left = min((x[n] - w[n] / 2 for n in x), default=0.0)
    right = max((x[n] + w[n] / 2 for n in x), default=0.0)
    for n in x:
        x[n] -= left
    return Layout(layers=layers, x=x, layer=layer, routes=routes, width=right - left, crossings=crossings,
                  widths=w)


def edge_path(lay: Layout, route: Sequence[str], layer_top: Sequence[float], box_h: float, *, x0: float = 0.0,
              start_dx: float = 0.0, end_dx: float = 0.0) -> str:
    """SVG path data of one routed edge, from the child's top side up to the parent's bottom side.

    ``layer_top[k]`` is the y of layer ``k``'s box tops (all boxes of a layer share ``box_h``);
    ``x0`` shifts the layout, ``start_dx`` / ``end_dx`` move the end points along the child's /
    parent's side (to spread several edges). Between layers the path is a cubic curve with vertical
    tangents, which stays inside the gap between the two layers; through a dummy's layer it is a
    vertical line at the dummy's x. So no edge can cross a box of any layer.
    """
    child, parent = route[0], route[-1]
    pts: list[tuple[float, float]] = [(x0 + lay.x[child] + start_dx, layer_top[lay.layer[child]])]
    k = lay.layer[child]
    for d in route[1:-1]:
        k -= 1
        pts.append((x0 + lay.x[d], layer_top[k] + box_h))
        pts.append((x0 + lay.x[d], layer_top[k]))
    pts.append((x0 + lay.x[parent] + end_dx, layer_top[lay.layer[parent]] + box_h))
    f = _fmt
    out = [f"M {f(pts[0][0])} {f(pts[0][1])}"]
    for i in range(1, len(pts)):
        (xa, ya), (xb, yb) = pts[i - 1], pts[i]
        if i % 2 == 1:  # across a gap between layers
            ym = (ya + yb) / 2
            out.append(f"C {f(xa)} {f(ym)} {f(xb)} {f(ym)} {f(xb)} {f(yb)}")
        else:  # up through a dummy's layer
            out.append(f"L {f(xb)} {f(yb)}")
    return " ".join(out)


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")
