"""Semantic similarity of annotation sets: term counts, information content, Jaccard, SimGIC, Resnik, Lin.

Comparing the GO annotations of two genes (orthologs, or one gene in two sources) needs a number that
says how close the two term sets are, weighting a shared specific term more than a shared root. This
module holds the pure, vectorized pieces; :mod:`goannot.compare` chooses what to feed them.

Information content
    ``IC(t) = -ln p(t)`` with ``p(t) = n(t) / n(namespace)``: ``n(t)`` is the number of genes of an
    annotation corpus annotated to ``t`` or to a descendant of ``t`` over the chosen relations (the
    propagated, "true path" count), and ``n(namespace)`` the number of genes annotated to any term of
    the namespace of ``t`` (for GO, the genes annotated to the namespace root). A gene counts once per
    term however many rows support it; NOT rows never count. This is goatools' ``TermCounts`` /
    ``get_info_content`` definition (natural log; the tests check the values against goatools).
    Terms no gene of the corpus reaches have no IC: they are left out of the Series, and the measures
    below treat a missing IC as 0, as goatools' ``get_info_content`` does.

    The counts come from a whole annotation file (e.g. the species' GAF), not from the genes being
    compared. :func:`annotation_counts` counts over the pairs of
    :func:`goannot.propagate.closure_pairs` (the one implementation of the propagation rules, without
    the tables of :func:`~goannot.propagate.propagate`); the counts equal ``propagate.term_counts``
    (tested).
    :class:`ICCache` keeps counts per (corpus sha256, ontology sha256, relations, evidence filter) in
    memory for callers that compare many genes; there is no global cache.

Measures (all symmetric)
    * :func:`jaccard` -- ``|A n B| / |A u B|`` of two term sets (use the propagated closures);
    * :func:`simgic` -- the IC-weighted Jaccard of two closures (Pesquita et al. 2008):
      ``sum IC(A n B) / sum IC(A u B)``;
    * :func:`resnik_matrix` -- IC of the most informative common ancestor (MICA) of every pair of
      terms, found by intersecting the reflexive ancestor closures *within the namespace of the
      terms*: Resnik and Lin are defined within one ontology, and GO's part_of edges from MF to BP
      terms would otherwise let two MF terms share a BP ancestor (terms of two namespaces score 0);
    * :func:`lin_matrix` -- ``2 IC(MICA) / (IC(a) + IC(b))``, with goatools' conventions for
      zero IC (the same term scores 1, two terms under different roots 0, otherwise undefined: NaN);
    * :func:`best_match_average` -- the BMA of a pair matrix: the mean over both sets of each term's
      best match, ``(mean_a max_b s + mean_b max_a s) / 2``;
    * :func:`wang_matrix` -- Wang et al. (2007)'s graph-based similarity, which needs no corpus:
      the semantic value ``S_A(t)`` of each term t of A's ancestor graph is 1 for A and
      ``max over children c of t in that graph of w(c -> t) * S_A(c)`` otherwise (edge weights
      :data:`WANG_WEIGHTS`: is_a 0.8, part_of 0.6, the paper's), and
      ``sim(A, B) = sum over common t of (S_A(t) + S_B(t)) / (sum S_A + sum S_B)``. As for Resnik,
      only ancestors in the namespace of the term count, so terms of two namespaces score 0.
      GOSemSim 2.24 (Debian's r-bioc-gosemsim) weighs every edge 0.7 (its relation names do not
      match its weight names) and keeps the first value of a breadth-first walk; with equal weights
      that is the same maximum, so ``weights=dict.fromkeys(relations, 0.7)`` reproduces it
      (benchmarks/gosemsim_verify.py).

Empty sides
    A measure of two term sets is undefined when either set is empty (nothing to compare): Jaccard,
    SimGIC and BMA all return NaN then, and SimGIC also when either side weighs nothing (only
    roots). Annotations to a namespace root (ND, "no biological data available") say that nothing
    is known: :func:`informative_terms` drops them before a comparison, as the near-miss code of
    :mod:`goannot.compare` does.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .annotations import AnnotationSet
from .columns import Col
from .errors import GoannotError
from .evidence import EvidenceFilter
from .ontology import DEFAULT_RELATIONS, Ontology
from .propagate import Propagation, closure_pairs

__all__ = [
    "AnnotationCounts",
    "ICCache",
    "annotation_counts",
    "information_content",
    "jaccard",
    "simgic",
    "resnik_matrix",
    "lin_matrix",
    "best_match_average",
    "informative_terms",
    "wang_matrix",
    "WANG_WEIGHTS",
    "corpus_key",
]

log = logging.getLogger(__name__)

_F64 = npt.NDArray[np.float64]

#: What a corpus may be given as: a propagation, an annotation table, or a whole read file.
Corpus = Propagation | pd.DataFrame | AnnotationSet


@dataclass(frozen=True)
class AnnotationCounts:
    """Genes per term of an annotation corpus, propagated (the numerator and denominator of p(t)).

    ``counts`` is indexed by term ID (only terms with at least one gene); ``namespace_totals`` maps a
    namespace to the number of genes with any term in it; ``corpus`` describes where the counts
    came from (name, sha256, relations, evidence, genes) for reports.
    """

    counts: pd.Series
    namespace_totals: dict[str, int]
    corpus: dict[str, Any] = field(default_factory=dict)
    namespaces: pd.Series | None = None  # namespace of each counted term (same index), when known
    #: the single corpora a pooled count was made of (empty for a single corpus)
    components: tuple[AnnotationCounts, ...] = field(default=(), repr=False, compare=False)

    def pooled(self, *others: AnnotationCounts) -> AnnotationCounts:
        """The counts of this corpus and ``others`` together (genes of distinct corpora are distinct).

        Used for a pair of species: each brings its own GAF, and the pair's IC is computed on both.
        Corpora with the same ``corpus["key"]`` are counted once, also inside an already pooled
        count (pooling {human, mouse} with human counts the human GAF once).
        """
        parts: dict[Any, AnnotationCounts] = {}
        for c in (self, *others):
            for leaf in c.components or (c,):
                parts.setdefault(leaf.corpus.get("key", id(leaf)), leaf)
        leaves = tuple(parts.values())
        if len(leaves) == 1:
            return leaves[0]
        if len(self.components) == len(leaves) and all(a is b for a, b in zip(self.components, leaves)):
            return self  # nothing new to add
        counts = pd.concat([p.counts for p in parts.values()]).groupby(level=0, sort=False).sum()
        spaces = [p.namespaces for p in parts.values() if p.namespaces is not None]
        namespaces = None
        if len(spaces) == len(parts):
            allns = pd.concat(spaces)
            namespaces = allns[~allns.index.duplicated()].reindex(counts.index)
        totals: dict[str, int] = {}
        for p in parts.values():
            for ns, n in p.namespace_totals.items():
                totals[ns] = totals.get(ns, 0) + n
        names = [str(p.corpus.get("name", "?")) for p in parts.values()]
        corpus = {"name": " + ".join(names), "parts": [p.corpus for p in parts.values()],
                  "key": tuple(sorted(str(k) for k in parts))}
        return AnnotationCounts(counts.astype(np.int64), totals, corpus, namespaces, leaves)


def _table_of(source: Corpus) -> pd.DataFrame:
    if isinstance(source, AnnotationSet):
        return source.table
    if isinstance(source, pd.DataFrame):
        return source
    raise TypeError(f"expected an annotation table or AnnotationSet, not {type(source).__name__}")


def corpus_key(source: Corpus) -> str:
    """A content key for a corpus: the file's sha256 for a read file, a hash of the used columns else.

    A read file's digest is remembered by :func:`goannot.sources.content_hash`, so this costs a stat;
    a DataFrame is hashed row-wise with :func:`pandas.util.hash_pandas_object` (~0.1 s for 475k rows).
    """
    from .sources import content_hash

    if isinstance(source, AnnotationSet) and source.path:
        try:
            return "file:" + content_hash(source.path)
        except OSError:
            pass
    if isinstance(source, Propagation):
        raise TypeError("a Propagation has no content key; pass its annotation table instead")
    table = _table_of(source)
    cols = [c for c in (Col.DB.value, Col.DB_OBJECT_ID.value, Col.QUALIFIER.value, Col.GO_ID.value,
                        Col.EVIDENCE.value) if c in table.columns]
    hashed = pd.util.hash_pandas_object(table[cols].astype(object), index=False).to_numpy()
    return "table:" + hashlib.sha256(hashed.tobytes()).hexdigest()


def _counts_from_pairs(pair_gene: npt.NDArray[np.int64], pair_term: npt.NDArray[np.int64], n_genes: int,
                       ontology: Ontology) -> tuple[pd.Series, dict[str, int], int, pd.Series]:
    """Genes per term, genes per namespace, from distinct propagated (gene, term) pairs.

    ``n_genes`` is the number of genes with a positive annotation (reported as the corpus size).
    """
    all_ns = np.asarray(ontology.namespaces_array(), dtype=object)
    per_term = np.bincount(pair_term, minlength=len(all_ns))
    nz = np.flatnonzero(per_term)
    index = pd.Index(np.asarray(ontology.term_ids(), dtype=object)[nz], name="term")
    counts = pd.Series(per_term[nz].astype(np.int64), index=index, name="genes")
    namespaces = pd.Series(all_ns[nz], index=index, name="namespace")
    ns_codes, ns_values = pd.factorize(pd.Series(all_ns, dtype=object))
    seen = np.zeros((int(pair_gene.max()) + 1 if len(pair_gene) else 0, len(ns_values)), dtype=bool)
    seen[pair_gene, ns_codes[pair_term]] = True  # gene x namespace: any term there
    per_ns = seen.sum(axis=0)
    totals = {str(ns_values[k]): int(per_ns[k]) for k in range(len(ns_values)) if per_ns[k]}
    return counts, totals, n_genes, namespaces


def _counts_from_table(table: pd.DataFrame, ontology: Ontology, relations: Sequence[str],
                       flt: EvidenceFilter) -> tuple[pd.Series, dict[str, int], int, pd.Series]:
    """Genes per term of a table, over the pairs of :func:`goannot.propagate.closure_pairs`."""
    cp = closure_pairs(table, ontology, relations, flt)
    d = cp.direct_gene
    n_genes = int(np.count_nonzero(np.diff(d)) + 1) if len(d) else 0  # direct_gene is sorted
    return _counts_from_pairs(cp.pair_gene, cp.pair_term, n_genes, ontology)


def _counts_from_propagation(prop: Propagation, ontology: Ontology
                             ) -> tuple[pd.Series, dict[str, int], int, pd.Series]:
    """Counts from a propagation's closure (its term categories are the ontology's IDs in index order)."""
    closure = prop.closure
    genes = closure["gene"].cat.codes.to_numpy().astype(np.int64)
    terms = closure["term"].cat.codes.to_numpy().astype(np.int64)
    return _counts_from_pairs(genes, terms, int(closure["gene"].nunique()), ontology)


def ontology_indexer(ontology: Ontology, terms: npt.NDArray[Any] | Sequence[str]) -> npt.NDArray[np.int64]:
    """Ontology index of each primary term ID (``-1`` for IDs that are not primary terms)."""
    index = pd.Index(ontology.term_ids())
    return np.asarray(index.get_indexer(pd.Index(list(terms), dtype=object)), dtype=np.int64)


def annotation_counts(source: Corpus, ontology: Ontology, relations: Sequence[str] | str = DEFAULT_RELATIONS,
                      evidence: EvidenceFilter | str | Sequence[str] | None = None, *,
                      name: str | None = None) -> AnnotationCounts:
    """Genes per term of a corpus, propagated over ``relations`` (see the module docstring).

    ``source`` is an annotation table, an :class:`~goannot.annotations.AnnotationSet`, or a
    :class:`~goannot.propagate.Propagation` (whose own relations and evidence filter then apply;
    ``relations``/``evidence`` are ignored for it). Obsolete and unknown GO IDs and NOT rows are
    skipped; secondary IDs count for their primary term, as in propagation.
    """
    rels = (relations,) if isinstance(relations, str) else tuple(relations)
    flt = EvidenceFilter.parse(evidence)
    if isinstance(source, Propagation):
        counts, totals, n_genes, namespaces = _counts_from_propagation(source, ontology)
        corpus: dict[str, Any] = {"name": name or "propagation", "relations": source.meta.get("relations"),
                                  "evidence": source.meta.get("evidence"), "genes": n_genes}
    else:
        counts, totals, n_genes, namespaces = _counts_from_table(_table_of(source), ontology, rels, flt)
        corpus = {"name": name or (source.path if isinstance(source, AnnotationSet) else "table"),
                  "relations": list(rels), "evidence": flt.spec, "genes": n_genes}
        if isinstance(source, AnnotationSet):
            corpus["path"] = source.path
    corpus["namespace_genes"] = dict(totals)
    return AnnotationCounts(counts, totals, corpus, namespaces)


def information_content(source: AnnotationCounts | Corpus, ontology: Ontology,
                        relations: Sequence[str] | str = DEFAULT_RELATIONS,
                        evidence: EvidenceFilter | str | Sequence[str] | None = None) -> pd.Series:
    """``IC(t) = -ln(n(t) / n(namespace of t))`` for every term the corpus reaches (module docstring).

    ``source`` is :class:`AnnotationCounts` or anything :func:`annotation_counts` takes. The Series is
    indexed by term ID and named ``ic``; namespace roots have IC 0.
    """
    counts = source if isinstance(source, AnnotationCounts) else annotation_counts(
        source, ontology, relations, evidence)
    c = counts.counts
    if len(c) == 0:
        return pd.Series([], dtype=np.float64, index=pd.Index([], name="term", dtype=object), name="ic")
    if counts.namespaces is not None:
        ns = counts.namespaces.to_numpy()
    else:
        ns = pd.Series(ontology.namespaces_array(), dtype=object).to_numpy()[ontology_indexer(ontology, list(c.index))]
    total = pd.Series(ns, dtype=object).map(counts.namespace_totals).to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ic = -np.log(c.to_numpy(dtype=np.float64) / total)
    return pd.Series(np.maximum(ic, 0.0) + 0.0, index=pd.Index(c.index, name="term"), name="ic")


class ICCache:
    """In-memory counts per (corpus key, ontology sha256, relations, evidence filter).

    Create one and pass it to :func:`goannot.compare.compare` (``ic_cache=``) to reuse a species'
    counts over many comparisons; nothing is kept between calls that do not share a cache object.
    """

    def __init__(self) -> None:
        self._store: dict[tuple[str, str, tuple[str, ...], str], AnnotationCounts] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._store)

    def counts(self, source: pd.DataFrame | AnnotationSet, ontology: Ontology,
               relations: Sequence[str] | str = DEFAULT_RELATIONS,
               evidence: EvidenceFilter | str | Sequence[str] | None = None, *,
               name: str | None = None) -> AnnotationCounts:
        """:func:`annotation_counts` of ``source``, computed once per key."""
        rels = (relations,) if isinstance(relations, str) else tuple(relations)
        flt = EvidenceFilter.parse(evidence)
        ckey = corpus_key(source)
        key = (ckey, str(ontology.provenance.sha256), tuple(sorted(rels)), flt.spec)
        got = self._store.get(key)
        if got is not None:
            self.hits += 1
            return got
        self.misses += 1
        got = annotation_counts(source, ontology, rels, flt, name=name)
        got.corpus["key"] = ckey
        self._store[key] = got
        return got


# -- measures -------------------------------------------------------------------------------------

def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """``|A n B| / |A u B|``; NaN when either set is empty (see "Empty sides" in the module docstring)."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return float("nan")
    return len(sa & sb) / len(sa | sb)


def _ic_of(terms: Sequence[str], ic: pd.Series) -> _F64:
    return ic.reindex(pd.Index(list(terms), dtype=object)).fillna(0.0).to_numpy(dtype=np.float64)


def simgic(a: Iterable[str], b: Iterable[str], ic: pd.Series) -> float:
    """IC-weighted Jaccard of two closures: ``sum IC(A n B) / sum IC(A u B)``.

    NaN when either side weighs nothing (empty, or only terms of IC 0 such as roots): like the
    best-match averages, there is then nothing to compare.
    """
    sa, sb = set(a), set(b)
    if not _ic_of(sorted(sa), ic).sum() > 0 or not _ic_of(sorted(sb), ic).sum() > 0:
        return float("nan")
    inter = _ic_of(sorted(sa & sb), ic).sum()
    union = _ic_of(sorted(sa | sb), ic).sum()
    return float(inter / union)


def informative_terms(terms: Iterable[str], ontology: Ontology,
                      relations: Sequence[str] | str = DEFAULT_RELATIONS) -> list[str]:
    """``terms`` without the roots over ``relations`` (terms with no parent: GO's namespace roots).

    An annotation to a namespace root is GO's way to say "no data" (ND): it is not a function the
    gene shares or lacks, so best-match averages that counted it would give it a best match of 0.
    Order is kept; unknown IDs are kept too (the measures reject or ignore them themselves).
    """
    indptr, _ = ontology.closure(relations)
    out = []
    for t in terms:
        try:
            i = ontology.index_of(t)
        except KeyError:
            out.append(t)
            continue
        if indptr[i + 1] - indptr[i] > 1:
            out.append(t)
    return out


def _ancestor_matrix(terms: Sequence[str], ontology: Ontology, relations: Sequence[str] | str,
                     columns: pd.Index | None = None, *, same_namespace: bool = False
                     ) -> tuple[npt.NDArray[np.bool_], pd.Index]:
    """Rows: ``terms``; columns: the union of their reflexive ancestors (or ``columns``); True = ancestor.

    ``same_namespace`` keeps only the ancestors in the namespace of the row's term.
    """
    indptr, indices = ontology.closure(relations)
    idx = np.array([ontology.index_of(t) for t in terms], dtype=np.int64)
    lens = indptr[idx + 1] - indptr[idx]
    rows = np.repeat(np.arange(len(idx)), lens)
    anc = np.concatenate([indices[indptr[i]:indptr[i + 1]] for i in idx]) if len(idx) else np.zeros(0, np.int32)
    ids = np.asarray(ontology.term_ids(), dtype=object)
    if columns is None:
        columns = pd.Index(np.unique(anc))
    col = columns.get_indexer(pd.Index(anc))
    ok = col >= 0
    out = np.zeros((len(idx), len(columns)), dtype=bool)
    out[rows[ok], col[ok]] = True
    if same_namespace:
        spaces = np.asarray(ontology.namespaces_array(), dtype=object)
        out &= spaces[idx][:, None] == spaces[np.asarray(columns, dtype=np.int64)][None, :]
    return out, pd.Index(ids[np.asarray(columns, dtype=np.int64)], dtype=object)


def resnik_matrix(terms_a: Sequence[str], terms_b: Sequence[str], ontology: Ontology, ic: pd.Series,
                  relations: Sequence[str] | str = DEFAULT_RELATIONS) -> _F64:
    """Resnik similarity of every (a, b): IC of the MICA, by intersecting ancestor closures.

    Only ancestors in the namespace of each term count (Resnik's measure is defined within one
    ontology; over part_of, MF terms have BP ancestors), so terms of two namespaces have no common
    ancestor. Returns a ``len(terms_a) x len(terms_b)`` array; pairs without a common ancestor score
    0. Work is one boolean (a, b, ancestor) tensor, chunked over ``terms_a`` to bound memory.
    """
    if not len(terms_a) or not len(terms_b):
        return np.zeros((len(terms_a), len(terms_b)))
    indptr, indices = ontology.closure(relations)
    idx = np.array([ontology.index_of(t) for t in (*terms_a, *terms_b)], dtype=np.int64)
    cols = pd.Index(np.unique(np.concatenate([indices[indptr[i]:indptr[i + 1]] for i in idx])))
    anc_a, names = _ancestor_matrix(terms_a, ontology, relations, cols, same_namespace=True)
    anc_b, _ = _ancestor_matrix(terms_b, ontology, relations, cols, same_namespace=True)
    w = _ic_of(list(names), ic)
    out = np.zeros((len(terms_a), len(terms_b)))
    step = max(1, 4_000_000 // max(1, len(terms_b) * len(cols)))
    wb = anc_b * w  # (n, k) IC where the column is an ancestor of b, else 0
    for lo in range(0, len(terms_a), step):
        block = anc_a[lo:lo + step, None, :] * wb[None, :, :]  # (m', n, k)
        out[lo:lo + step] = block.max(axis=2)
    return out


def lin_matrix(terms_a: Sequence[str], terms_b: Sequence[str], ontology: Ontology, ic: pd.Series,
               relations: Sequence[str] | str = DEFAULT_RELATIONS, *, resnik: _F64 | None = None) -> _F64:
    """Lin similarity ``2 IC(MICA) / (IC(a) + IC(b))`` of every (a, b) (goatools' zero-IC rules).

    When either term has IC 0: the same term scores 1, a pair with Resnik 0 scores 0, anything else
    is NaN (goatools returns its default value there). ``resnik`` reuses a computed Resnik matrix.
    """
    r = resnik_matrix(terms_a, terms_b, ontology, ic, relations) if resnik is None else resnik
    ia = _ic_of(list(terms_a), ic)[:, None]
    ib = _ic_of(list(terms_b), ic)[None, :]
    denom = ia + ib
    both = (ia > 0) & (ib > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lin = np.where(both, 2.0 * r / np.where(denom > 0, denom, 1.0), np.nan)
    same = np.asarray(terms_a, dtype=object)[:, None] == np.asarray(terms_b, dtype=object)[None, :]
    lin = np.where(~both & same, 1.0, lin)
    lin = np.where(~both & ~same & (r == 0), 0.0, lin)
    return np.asarray(lin, dtype=np.float64)


#: Wang et al. (2007)'s semantic contribution factors per relation (goatools' and the paper's).
WANG_WEIGHTS: dict[str, float] = {"is_a": 0.8, "part_of": 0.6}


def _wang_values(term: str, ontology: Ontology, weights: Mapping[str, float]) -> dict[int, float]:
    """``S_A(t)`` of every t in A's ancestor graph over ``weights``' relations, A's namespace only."""
    rels = tuple(sorted(weights))
    up: dict[int, list[tuple[int, float]]] = ontology.derived(
        ("goannot.similarity", "wang_up", tuple(sorted(weights.items()))), lambda: _weighted_parents(ontology, weights))
    indptr, indices = ontology.closure(rels)
    spaces = ontology.namespaces_array()
    a = ontology.index_of(term)
    members = [int(k) for k in indices[indptr[a]:indptr[a + 1]].tolist() if spaces[k] == spaces[a]]
    # children before parents: a proper ancestor's closure is a strict subset, hence smaller
    members.sort(key=lambda k: -(indptr[k + 1] - indptr[k]))
    inside = set(members)
    s: dict[int, float] = {a: 1.0}
    for k in members:  # push each value to the parents: when k is reached, all its children are done
        v = s.get(k)
        if v is None:
            continue
        for p, w in up.get(k, ()):
            if p in inside and w * v > s.get(p, -1.0):
                s[p] = w * v
    return s


def _weighted_parents(ontology: Ontology, weights: Mapping[str, float]) -> dict[int, list[tuple[int, float]]]:
    st = ontology.state
    names = np.asarray(st.rel_names, dtype=object)[st.edge_rel]
    up: dict[int, list[tuple[int, float]]] = {}
    for c, p, r in zip(st.edge_child.tolist(), st.edge_parent.tolist(), names.tolist()):
        if r in weights:
            up.setdefault(int(c), []).append((int(p), float(weights[r])))
    return up


def wang_matrix(terms_a: Sequence[str], terms_b: Sequence[str], ontology: Ontology,
                weights: Mapping[str, float] = WANG_WEIGHTS) -> _F64:
    """Wang's similarity of every (a, b) (module docstring); the relations are ``weights``' keys.

    Returns a ``len(terms_a) x len(terms_b)`` array in [0, 1]; the same term scores 1, terms of two
    namespaces 0. Each term's semantic values are computed once per call.
    """
    if any(not 0.0 < w < 1.0 for w in weights.values()):
        raise GoannotError(f"Wang weights must be in (0, 1): {dict(weights)}")
    values = {t: _wang_values(t, ontology, weights) for t in dict.fromkeys((*terms_a, *terms_b))}
    totals = {t: sum(v.values()) for t, v in values.items()}
    out = np.zeros((len(terms_a), len(terms_b)))
    for i, a in enumerate(terms_a):
        va = values[a]
        for j, b in enumerate(terms_b):
            vb = values[b]
            common = va.keys() & vb.keys()
            out[i, j] = 1.0 if a == b else sum(va[k] + vb[k] for k in common) / (totals[a] + totals[b])
    return out


def best_match_average(matrix: _F64) -> float:
    """BMA of a pair matrix: ``(mean of row maxima + mean of column maxima) / 2``, NaNs ignored.

    NaN when either side is empty.
    """
    m = np.asarray(matrix, dtype=np.float64)
    if m.size == 0:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: their best match is NaN, skipped
        rows = np.nanmax(m, axis=1)
        cols = np.nanmax(m, axis=0)
        return float((np.nanmean(rows) + np.nanmean(cols)) / 2.0)


def pooled_counts(parts: Mapping[str, AnnotationCounts]) -> AnnotationCounts:
    """The pooled counts of several labelled corpora (each distinct corpus once)."""
    values = list(parts.values())
    if not values:
        raise GoannotError("no corpora to pool")
    return values[0].pooled(*values[1:])
