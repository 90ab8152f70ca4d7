"""Topology-aware GO enrichment: topGO's elim, weight01 and parent-child algorithms, as pure functions.

The classic test (:func:`goannot.enrich.enrich` with ``algorithm="classic"``) scores every term on its
own, so a broad term looks enriched merely because it inherits the genes of one enriched specific
term. The algorithms here decorrelate the GO graph. Each takes the propagated population genes of
every term (``genes``: term -> set of gene codes), the study genes, and the DAG over the same
relations the genes were propagated with (``parents``: term -> parent terms), and returns one
p-value per term. Terms are any hashable keys, so the tests run them on hand-made DAGs and
:func:`goannot.enrich.enrich` on ontology indices. Every test is Fisher's exact test, one-sided for
over-representation (topGO's ``GOFisherTest``; :func:`goannot.stats.fisher_exact_pvalues` with
``"greater"``), on the table ``[[a, n - a], [K - a, N - n - K + a]]`` with a = study genes of the
term, n = study size, K = population genes of the term, N = population size.

Scored terms
    As in topGO (and goatools' elim), only terms with at least one study gene are scored; every other
    term gets p = 1 and changes nothing. The scored terms are closed upwards (every ancestor of a
    term with a study gene has that gene too), so their DAG is the GO DAG induced on them.

elim (Alexa et al. 2006; topGO's ``.sigGroups.elim``; goatools 1.6.9 ``--algorithm elim``)
    Terms are scored bottom-up (every descendant before its ancestors). A term whose p-value is at
    or below ``cutoff`` (topGO's default 0.01, raw; ``bonferroni=True`` divides it by the number of
    scored terms, as the 2006 paper describes and goatools offers) marks all its genes as
    eliminated in every ancestor. A term is tested without the genes eliminated from it, which
    leave the term and the population alike (topGO's ``elimCount``: ``numMembers`` and
    ``numAllMembers`` both drop them; the study size drops the eliminated study genes):
    ``a' = a - |E n S|``, ``n' = n - |E n S|``, ``K' = K - |E|``, ``N' = N - |E|``. The result does
    not depend on the order of terms that are not ancestor and descendant.

weight01 (topGO's default algorithm: "a mixture of elim and weight", Alexa et al. 2006)
    Bottom-up as well. For a term u with removed genes R(u) (initially those its descendants
    passed up) and children C (scored terms only): test u without R(u), giving p(u); the children
    at least as significant as u, ``p(c) <= p(u)`` (the 0/1 version of the weight algorithm's
    ``sigRatio(c, u) > 1``, ties going to the more specific child as in topGO's ``.sigRatio.*``),
    have all their genes removed from u; u is tested again, and the remaining children are compared
    with the new p(u), until no child is at least as significant. The genes removed from u are then
    removed from every ancestor of u too (the elim part). Unlike elim there is no cutoff: a child
    only has to beat its parent. Contingency as in elim with E = R(u). Note: topGO 2.x's helper
    ``.sigRatio.01`` returns a value above 1 for *every* child (its last branch, for
    ``p(c) > p(u)``, returns 2), so topGO as shipped removes the genes of all children with a study
    gene; goannot implements the rule the algorithm is described by, not that branch.

parentchild (Grossmann et al. 2007, "parent-child-union"; topGO's ``parentchild``)
    Each term is tested against the genes of its parents rather than the whole population: with
    ``P = U genes(parent)`` (``join="intersect"``: the intersection, Grossmann's more conservative
    variant), the table is a = study genes of the term, n = study genes in P, K = genes of the term,
    N = |P|, i.e. the hypergeometric probability of at least a study genes when drawing the term's
    genes from its parents'. A term without a scored parent (the namespace root) gets p = 1 (topGO
    does not score the root).
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from .stats import fisher_exact_pvalues

__all__ = ["ALGORITHMS", "AlgorithmResult", "elim", "weight01", "parent_child", "run_algorithm", "term_pvalues"]

log = logging.getLogger(__name__)

#: The algorithms :func:`goannot.enrich.enrich` accepts (``algorithm=``).
ALGORITHMS: tuple[str, ...] = ("classic", "elim", "weight01", "parentchild")

T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True)
class AlgorithmResult(Generic[T]):
    """P-values of one algorithm run, per term (every term of ``genes``).

    ``removed``: genes eliminated from the term before its final test (elim, weight01); for
    parent-child the number of genes in the term's parents (the test's population).
    """

    pvalues: dict[T, float]
    removed: dict[T, int]


@dataclass(frozen=True)
class _Topology(Generic[T]):
    levels: list[list[T]]            # deepest first; no two terms of a level are ancestor/descendant
    parents: dict[T, list[T]]        # within the scored terms
    children: dict[T, list[T]]
    ancestors: dict[T, frozenset[T]]  # proper ancestors within the scored terms


def _topology(terms: Sequence[T], parents: Mapping[T, Iterable[T]]) -> _Topology[T]:
    """Levels (longest path from a root, deepest first), children and proper ancestors of ``terms``."""
    inside = set(terms)
    par = {t: sorted({p for p in parents.get(t, ()) if p in inside and p != t}, key=repr) for t in terms}
    kids: dict[T, list[T]] = {t: [] for t in terms}
    for t in terms:
        for p in par[t]:
            kids[p].append(t)
    pending = {t: len(par[t]) for t in terms}
    order = [t for t in terms if pending[t] == 0]
    k = 0
    while k < len(order):
        for c in kids[order[k]]:
            pending[c] -= 1
            if pending[c] == 0:
                order.append(c)
        k += 1
    if len(order) < len(terms):
        raise ValueError("the term graph has a cycle; these algorithms need a DAG")
    depth: dict[T, int] = {}
    anc: dict[T, frozenset[T]] = {}
    for t in order:  # parents first
        depth[t] = 1 + max((depth[p] for p in par[t]), default=-1)
        acc: set[T] = set()
        for p in par[t]:
            acc.add(p)
            acc |= anc[p]
        anc[t] = frozenset(acc)
    by_level: dict[int, list[T]] = {}
    for t in order:
        by_level.setdefault(depth[t], []).append(t)
    levels = [by_level[d] for d in sorted(by_level, reverse=True)]
    return _Topology(levels=levels, parents=par, children=kids, ancestors=anc)


def _greater(a: Sequence[int], n: Sequence[int], k: Sequence[int], tot: Sequence[int]) -> list[float]:
    """One-sided (over-representation) Fisher p-values of many tables."""
    if not len(a):
        return []
    p = fisher_exact_pvalues(np.asarray(a, dtype=np.int64), np.asarray(n, dtype=np.int64),
                             np.asarray(k, dtype=np.int64), np.asarray(tot, dtype=np.int64), "greater")
    return [float(x) for x in p.tolist()]


def _scored(genes: Mapping[T, Set[int]], study: Set[int]) -> list[T]:
    return [t for t, g in genes.items() if not g.isdisjoint(study)]


def _bitmasks(genes: Mapping[T, Set[int]], terms: Sequence[T], study: Set[int]) -> tuple[dict[T, int], int]:
    """Each term's genes, and the study, as Python-int bit sets over the genes of ``terms``.

    Unions, intersections and counts of thousands of genes are then single C-level operations
    (``|``, ``&``, ``int.bit_count``), which is what makes weight01's repeated removals affordable.
    """
    universe = sorted(set().union(*(genes[t] for t in terms))) if terms else []
    pos = {g: k for k, g in enumerate(universe)}
    nbytes = (len(universe) + 7) // 8 + 1

    def pack(items: Iterable[int]) -> int:
        bits = np.zeros(nbytes * 8, dtype=bool)
        idx = [pos[g] for g in items if g in pos]
        bits[idx] = True
        return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")

    return {t: pack(genes[t]) for t in terms}, pack(study)


def elim(genes: Mapping[T, Set[int]], study: Set[int], study_n: int, pop_n: int,
         parents: Mapping[T, Iterable[T]], cutoff: float = 0.01, *, bonferroni: bool = False
         ) -> AlgorithmResult[T]:
    """topGO's elim (module docstring): bottom-up, genes of terms with ``p <= cutoff`` leave their ancestors.

    ``genes``: population genes per term (propagated); ``study``: the study genes (in the
    population); ``study_n``/``pop_n``: study and population sizes (they may count items without
    annotations); ``parents``: the DAG over the propagation's relations.
    """
    scored = _scored(genes, study)
    bits, sbits = _bitmasks(genes, scored, study)
    return _complete(genes, _elim(bits, sbits, study_n, pop_n, parents, cutoff, bonferroni))


def _complete(genes: Mapping[T, Set[int]], got: tuple[dict[T, float], dict[T, int]]) -> AlgorithmResult[T]:
    """Results of the scored terms, p = 1 and nothing removed for the others."""
    pvalues = {t: got[0].get(t, 1.0) for t in genes}
    removed = {t: got[1].get(t, 0) for t in genes}
    return AlgorithmResult(pvalues, removed)


def _elim(bits: Mapping[T, int], sbits: int, study_n: int, pop_n: int, parents: Mapping[T, Iterable[T]],
          cutoff: float, bonferroni: bool) -> tuple[dict[T, float], dict[T, int]]:
    """elim over the scored terms given as bit sets (``bits``), the study as ``sbits``."""
    if not 0.0 < cutoff <= 1.0:
        raise ValueError(f"elim cutoff must be in (0, 1], not {cutoff}")
    pvalues: dict[T, float] = {}
    removed: dict[T, int] = {}
    if not bits:
        return pvalues, removed
    limit = cutoff / len(bits) if bonferroni else cutoff
    topo = _topology(list(bits), parents)
    gone: dict[T, int] = {}
    for level in topo.levels:
        a, n, k, tot = [], [], [], []
        for t in level:
            g, e = bits[t], gone.get(t, 0)
            es = (e & sbits).bit_count()
            ne = e.bit_count()
            a.append((g & sbits).bit_count() - es)
            n.append(study_n - es)
            k.append(g.bit_count() - ne)
            tot.append(pop_n - ne)
            removed[t] = ne
        for t, p in zip(level, _greater(a, n, k, tot)):
            pvalues[t] = p
            if p <= limit:
                for u in topo.ancestors[t]:
                    gone[u] = gone.get(u, 0) | bits[t]
    return pvalues, removed


def weight01(genes: Mapping[T, Set[int]], study: Set[int], study_n: int, pop_n: int,
             parents: Mapping[T, Iterable[T]]) -> AlgorithmResult[T]:
    """topGO's weight01 (module docstring): children at least as significant as a term leave it and its ancestors.

    The terms of one level are independent of each other, so each level is scored in rounds: test
    every term still open, remove the genes of its children that beat it, and test again only the
    terms that lost genes (one batch of Fisher tests per round).
    """
    scored = _scored(genes, study)
    bits, sbits = _bitmasks(genes, scored, study)
    return _complete(genes, _weight01(bits, sbits, study_n, pop_n, parents))


def _weight01(bits: Mapping[T, int], sbits: int, study_n: int, pop_n: int, parents: Mapping[T, Iterable[T]]
              ) -> tuple[dict[T, float], dict[T, int]]:
    """weight01 over the scored terms given as bit sets."""
    pvalues: dict[T, float] = {}
    removed: dict[T, int] = {}
    if not bits:
        return pvalues, removed
    topo = _topology(list(bits), parents)
    passed_up: dict[T, int] = {}
    for level in topo.levels:
        rem = {t: passed_up.get(t, 0) for t in level}   # genes removed from t so far
        moved = {t: 0 for t in level}                    # genes t's own children took away
        waiting = {t: list(topo.children[t]) for t in level}
        open_terms = list(level)
        while open_terms:
            a, n, k, tot = [], [], [], []
            for t in open_terms:
                g, r = bits[t], rem[t]
                rs, nr = (r & sbits).bit_count(), r.bit_count()
                a.append((g & sbits).bit_count() - rs)
                n.append(study_n - rs)
                k.append(g.bit_count() - nr)
                tot.append(pop_n - nr)
            again = []
            for t, p in zip(open_terms, _greater(a, n, k, tot)):
                pvalues[t] = p
                better = [c for c in waiting[t] if pvalues[c] <= p]
                if better:
                    for c in better:
                        moved[t] |= bits[c]
                    rem[t] |= moved[t]
                    waiting[t] = [c for c in waiting[t] if pvalues[c] > p]
                    again.append(t)
            open_terms = again
        for t in level:
            removed[t] = rem[t].bit_count()
            if moved[t]:
                for u in topo.ancestors[t]:
                    passed_up[u] = passed_up.get(u, 0) | moved[t]
    return pvalues, removed


def parent_child(genes: Mapping[T, Set[int]], study: Set[int], parents: Mapping[T, Iterable[T]],
                 join: Literal["union", "intersect"] = "union") -> AlgorithmResult[T]:
    """Grossmann et al.'s parent-child test (module docstring): a term against the genes of its parents."""
    scored = _scored(genes, study)
    bits, sbits = _bitmasks(genes, scored, study)
    return _complete(genes, _parent_child(bits, sbits, parents, join))


def _parent_child(bits: Mapping[T, int], sbits: int, parents: Mapping[T, Iterable[T]], join: str
                  ) -> tuple[dict[T, float], dict[T, int]]:
    """parent-child over the scored terms given as bit sets."""
    if join not in ("union", "intersect"):
        raise ValueError(f"join must be 'union' or 'intersect', not {join!r}")
    pvalues: dict[T, float] = {}
    removed: dict[T, int] = {}
    topo = _topology(list(bits), parents)
    rows: list[T] = []
    a, n, k, tot = [], [], [], []
    for t in bits:
        ps = topo.parents[t]
        if not ps:
            continue
        pool = bits[ps[0]]
        for q in ps[1:]:
            pool = pool | bits[q] if join == "union" else pool & bits[q]
        rows.append(t)
        a.append((bits[t] & sbits).bit_count())
        n.append((pool & sbits).bit_count())
        k.append(bits[t].bit_count())
        tot.append(pool.bit_count())
        removed[t] = tot[-1]
    for t, p in zip(rows, _greater(a, n, k, tot)):
        pvalues[t] = p
    return pvalues, removed


def run_algorithm(algorithm: str, genes: Mapping[T, Set[int]], study: Set[int], study_n: int, pop_n: int,
                  parents: Mapping[T, Iterable[T]], *, elim_cutoff: float = 0.01,
                  elim_bonferroni: bool = False) -> AlgorithmResult[T]:
    """Dispatch to :func:`elim`, :func:`weight01` or :func:`parent_child` by name."""
    if algorithm == "elim":
        return elim(genes, study, study_n, pop_n, parents, elim_cutoff, bonferroni=elim_bonferroni)
    if algorithm == "weight01":
        return weight01(genes, study, study_n, pop_n, parents)
    if algorithm == "parentchild":
        return parent_child(genes, study, parents)
    raise ValueError(f"unknown algorithm {algorithm!r}; expected one of {', '.join(ALGORITHMS[1:])}")


def term_pvalues(algorithm: str, terms: npt.NDArray[np.int64], pair_gene: npt.NDArray[np.int64],
                 pair_term: npt.NDArray[np.int64], study_mask: npt.NDArray[np.bool_], study_n: int, pop_n: int,
                 edge_child: npt.NDArray[np.int64], edge_parent: npt.NDArray[np.int64], *,
                 elim_cutoff: float = 0.01, elim_bonferroni: bool = False
                 ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """:func:`run_algorithm` on array inputs, as :func:`goannot.enrich.enrich` holds them.

    ``terms``: the tested terms (integer codes); ``pair_gene``/``pair_term``: the propagated
    (population gene, term) pairs; ``study_mask``: over gene codes; ``edge_child``/``edge_parent``:
    the DAG edges over the propagation's relations. Returns the p-values and ``removed`` counts in
    the order of ``terms``.
    """
    keep = np.isin(pair_term, terms)
    g, t = pair_gene[keep], pair_term[keep]
    in_study = study_mask[g]
    scored = np.unique(t[in_study])  # terms with a study gene, sorted
    sel = np.isin(t, scored)
    g, t = g[sel], t[sel]
    universe, pos = np.unique(g, return_inverse=True)
    row = np.searchsorted(scored, t)
    nbytes = (len(universe) + 7) // 8 + 1
    bits: dict[int, int] = {}
    step = max(1, 8_000_000 // (nbytes * 8))
    for lo in range(0, len(scored), step):  # a block of terms x genes at a time, packed to bytes
        hi = min(lo + step, len(scored))
        block = np.zeros((hi - lo, nbytes * 8), dtype=bool)
        m = (row >= lo) & (row < hi)
        block[row[m] - lo, pos[m]] = True
        packed = np.packbits(block, axis=1, bitorder="little")
        for k in range(hi - lo):
            bits[int(scored[lo + k])] = int.from_bytes(packed[k].tobytes(), "little")
    sflag = np.zeros(nbytes * 8, dtype=bool)
    sflag[np.flatnonzero(study_mask[universe])] = True
    sbits = int.from_bytes(np.packbits(sflag, bitorder="little").tobytes(), "little")
    inside = np.isin(edge_child, scored) & np.isin(edge_parent, scored)
    parents: dict[int, list[int]] = {}
    for c, p in zip(edge_child[inside].tolist(), edge_parent[inside].tolist()):
        parents.setdefault(int(c), []).append(int(p))
    if algorithm == "elim":
        got = _elim(bits, sbits, study_n, pop_n, parents, elim_cutoff, elim_bonferroni)
    elif algorithm == "weight01":
        got = _weight01(bits, sbits, study_n, pop_n, parents)
    elif algorithm == "parentchild":
        got = _parent_child(bits, sbits, parents, "union")
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}; expected one of {', '.join(ALGORITHMS[1:])}")
    pv = np.array([got[0].get(int(x), 1.0) for x in terms.tolist()], dtype=np.float64)
    rm = np.array([got[1].get(int(x), 0) for x in terms.tolist()], dtype=np.int64)
    return pv, rm
