"""Graph algorithms over adjacency lists (node -> successors by index), safe on any input.

Shared by the ontology index (closures over graphs that may hold cycles) and the DAG check; no
recursion, so depth is limited only by memory.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["strongly_connected_components", "cycle_from"]


def strongly_connected_components(adj: Sequence[Sequence[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components of a graph given as adjacency lists, without recursion.

    Returns every component (singletons included) as a list of node indices. An explicit stack of
    (node, next-edge position) frames replaces the call stack, so depth is limited only by memory.
    """
    n = len(adj)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v, pos = work[-1]
            edges = adj[v]
            if pos < len(edges):
                work[-1] = (v, pos + 1)
                w = edges[pos]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            if work:
                u = work[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
            if low[v] == index[v]:
                comp: list[int] = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp.append(w)
                    if w == v:
                        break
                components.append(comp)
    return components


def cycle_from(adj: Sequence[Sequence[int]], start: int) -> list[int] | None:
    """A cycle reached from ``start`` by always taking the first successor, as ``[a, ..., a]``.

    ``None`` when that walk ends at a node without successors. Each node is visited at most once,
    so this ends on any graph.
    """
    pos: dict[int, int] = {}
    path: list[int] = []
    v = start
    while v not in pos:
        if not adj[v]:
            return None
        pos[v] = len(path)
        path.append(v)
        v = adj[v][0]
    return [*path[pos[v]:], v]
