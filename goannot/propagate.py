"""Propagate GO annotations up the ontology (the "true path rule"), with provenance and NOT handling.

A gene annotated to a term is implicitly annotated to every ancestor of that term over the chosen
relations (default ``is_a`` and ``part_of``; add :data:`~goannot.ontology.REGULATES` for the
regulates family). :func:`propagate` computes that closure for a whole annotation table at once.

Genes
    A gene is the pair (``db``, ``db_object_id``), written ``db:db_object_id`` (``UniProtKB:P13232``)
    in the result tables. ``db_object_symbol`` is kept for display only (``Propagation.genes``): two
    rows with the same pair but different symbols are the same gene. Rows without a
    ``db_object_id`` (plain tables such as NCBI's web table) are keyed by their symbol instead,
    labelled ``symbol:IL7`` (``db:symbol:IL7`` when they name a db).

Which rows count
    Rows are checked in this order, and each skipped row is counted once in ``meta``:

    1. the GO ID must name a current term: a secondary ID (alt_id) is used as its primary term
       (counted as ``secondary_mapped``); obsolete and unknown/malformed IDs are skipped
       (``skipped_obsolete``, ``skipped_unknown``). Repairing them (replaced_by, typos) is the
       validator's job (:mod:`goannot.validate`); run it first to keep those rows.
    2. ``aspects`` keeps rows whose term lies in the given namespaces (by the ontology's namespace of
       the term, not the GAF aspect column, which the validator checks separately);
    3. ``evidence`` keeps rows whose code passes an :class:`~goannot.evidence.EvidenceFilter`;
    4. rows whose qualifier contains the token ``NOT`` (any case: ``NOT``, ``NOT|enables``...) are set apart
       in ``negated`` and never count as positive annotations; the rest are ``used``.

NOT semantics
    Logically, "gene G is NOT in T" implies "G is in no descendant of T", so NOT annotations
    propagate *down*, the opposite direction of positive ones. goannot does not materialize that
    downward closure (it would attach every NOT to thousands of terms). It keeps the NOT rows as they
    are in ``Propagation.negated`` and reports every positive (gene, term) of the closure, direct or
    inferred, that contradicts one of them in ``Propagation.conflicts``: the gene has ``NOT T`` and
    the term is T itself or a descendant of T. A positive annotation to an *ancestor* of T is no
    conflict (G may be in the parent process without being in T). Conflicting pairs stay in the
    closure: deciding which annotation is wrong is a curation question, not a propagation one.

    goatools' readers drop NOT rows by default and its ``update_association`` ignores qualifiers, so
    on the positive rows the closure here is the same gene -> terms mapping as goatools' (the tests
    check this on the full human GAF).

Provenance
    ``Propagation.provenance`` has one row per (gene, direct term, implied term): the raw expansion of
    every direct term through the ancestor closure, reflexive rows included (a direct term implies
    itself). It is kept as three integer arrays in expansion order (sorted by gene, then direct
    term; about 4 million rows for the human GAF), which cost one gather of the closure arrays, and
    becomes a DataFrame only when read; a list of sources per pair would cost a Python object per
    pair and a sort by (gene, term) would double the run time. The closure table carries the number
    of direct terms implying each pair (``n_sources``), and :func:`sources` answers "why is G
    annotated to T" for one pair by a binary search in the arrays.

Gene and term columns are :class:`pandas.Categorical`; term categories are the ontology's term IDs
in index order, so ``table.term.cat.codes`` is the ontology index (:meth:`Ontology.term_ids`).
The few-valued ``go_id``, ``evidence`` and ``qualifier`` columns of ``direct`` and ``negated`` are
categorical too; they compare with strings as usual.

The row rules and the closure expansion are implemented once, in :func:`closure_pairs`, which
returns the pairs as integer arrays (:class:`ClosurePairs`); :func:`propagate` builds its tables on
it, and enrichment (:mod:`goannot.enrich`) and information content (:mod:`goannot.similarity`) use
the arrays directly.

Speed: the bundled human GAF (475,402 rows, all aspects, is_a+part_of) propagates in ~0.25 s once
the ontology's closure exists, ~0.3-0.6 s more on the first call per relation set
(``benchmarks/propagate.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .annotations import AnnotationChunk
from .columns import ASPECT_OF_NAMESPACE, NAMESPACE_OF_ASPECT, Col
from .errors import GoannotError
from .evidence import EvidenceFilter
from .ontology import DEFAULT_RELATIONS, REGULATES, Ontology

__all__ = ["ClosurePairs", "Propagation", "closure_pairs", "propagate", "gene_to_terms", "term_counts", "sources"]

log = logging.getLogger(__name__)

_I64 = npt.NDArray[np.int64]
_I32 = npt.NDArray[np.int32]
_BOOL = npt.NDArray[np.bool_]
_Int = TypeVar("_Int", bound=np.generic)

_REQUIRED = (Col.DB.value, Col.DB_OBJECT_ID.value, Col.GO_ID.value)


@dataclass(frozen=True)
class Propagation:
    """The result of :func:`propagate`.

    ``direct``
        the positive rows used: gene, term (primary ID), go_id (as written), evidence, qualifier, line.
    ``closure``
        one row per (gene, term) of the propagated annotation, sorted by gene then ontology index:
        ``direct`` (the pair was annotated directly) and ``n_sources`` (how many direct terms of the
        gene imply it, itself included).
    ``provenance``
        (gene, via_term, term): direct term ``via_term`` implies ``term`` (see the module docstring);
        built from compact arrays on first access, as most callers never look at it.
    ``negated``
        the NOT rows that passed the filters: gene, term, go_id, evidence, qualifier, line.
    ``conflicts``
        positive closure pairs contradicting a NOT: gene, term, direct, not_term, not_line (the first
        line stating ``NOT not_term`` for the gene); ``not_term`` is ``term`` or one of its ancestors.
    ``genes``
        gene, db, db_object_id, symbol (the first symbol seen), in the order of the gene categories.
    ``meta``
        relations, evidence filter, aspects, ontology release and sha256, and the row counts.
    """

    direct: pd.DataFrame
    closure: pd.DataFrame
    negated: pd.DataFrame
    conflicts: pd.DataFrame
    genes: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    #: (gene code, via term index, term index) arrays in expansion order, sorted by gene.
    provenance_arrays: tuple[_I64, _I64, _I32] = field(
        default=(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32)), repr=False, compare=False)

    def _fields(self) -> dict[str, Any]:
        m = self.meta
        return {"genes": len(self.genes), "direct": m.get("direct_pairs"), "closure": len(self.closure),
                "negated": len(self.negated), "conflicts": len(self.conflicts), "relations": m.get("relations"),
                "evidence": m.get("evidence"), "go": m.get("ontology", {}).get("data_version")}

    def __repr__(self) -> str:
        from ._display import short_repr

        return short_repr("Propagation", self._fields())

    def _repr_html_(self) -> str:
        from ._display import html_summary

        return html_summary("Propagation", self._fields(), self.closure, "closure")

    @cached_property
    def provenance(self) -> pd.DataFrame:
        """The provenance table (see the class docstring)."""
        gene, via, term = self.provenance_arrays
        genes = self.closure["gene"].cat.categories
        terms = self.closure["term"].cat.categories
        return pd.DataFrame({"gene": _categorical(gene, genes), "via_term": _categorical(via, terms),
                             "term": _categorical(term, terms)})


# -- small helpers ------------------------------------------------------------------------------

def _factorize(values: pd.Series) -> tuple[_I64, list[str]]:
    """Codes and distinct values of a string column; missing values become ''."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    labels: list[str] = pd.Series(uniques, dtype=object).fillna("").astype(str).tolist()
    codes = codes.astype(np.int64, copy=False)
    if len(set(labels)) < len(labels):  # both a missing value and '' occurred: merge them
        first = {lab: k for k, lab in reversed(list(enumerate(labels)))}
        remap = np.array([first[lab] for lab in labels], dtype=np.int64)
        keep = sorted(set(first.values()))
        position = np.full(len(labels), -1, dtype=np.int64)
        position[keep] = np.arange(len(keep))
        codes = position[remap[codes]]
        labels = [labels[k] for k in keep]
    return codes, labels


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    if name in table.columns:
        return table[name]
    return pd.Series([""] * len(table), index=table.index, dtype=object)


def _is_not(qualifier: str) -> bool:
    return any(tok.strip().upper() == "NOT" for tok in qualifier.split("|"))


def _expand(indptr: _I64, indices: _I32, terms: npt.NDArray[np.integer[Any]]) -> tuple[_I64, _I32]:
    """Expand term indices through a CSR closure.

    Returns ``lens`` (how many ancestors each of ``terms`` has, itself included: repeat any per-term
    array by it to align with the output) and the ancestors, concatenated in the order of ``terms``.
    The gather positions are built by one cumulative sum over jumps, the cheapest numpy form.
    """
    starts = indptr[terms]
    lens = indptr[terms + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return lens, np.zeros(0, dtype=np.int32)
    nonempty = lens > 0
    starts, ln = starts[nonempty], lens[nonempty]
    steps = np.ones(total, dtype=np.int64)
    steps[0] = starts[0]
    heads = np.cumsum(ln)[:-1]
    steps[heads] = starts[1:] - (starts[:-1] + ln[:-1]) + 1
    np.cumsum(steps, out=steps)
    return lens, indices[steps]


def _sorted_unique(keys: npt.NDArray[_Int]) -> tuple[npt.NDArray[_Int], _I64]:
    """Distinct values of ``keys`` (sorted) and how often each occurs.

    numpy's default sort (vectorized quicksort on x86) plus a neighbour comparison: on the 2.3
    million expansion keys of the human BP annotations it takes a third of the time of a stable
    sort, and ``np.unique`` hashes int64 keys on numpy 2.x, far slower still.
    """
    if len(keys) == 0:
        return keys, np.zeros(0, dtype=np.int64)
    s = np.sort(keys)
    first = np.empty(len(s), dtype=bool)
    first[0] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(starts, append=len(s))
    return s[starts], counts.astype(np.int64, copy=False)


def _pair_keys(gene: npt.NDArray[np.integer[Any]], term: npt.NDArray[np.integer[Any]], n_genes: int,
               n_terms: int) -> npt.NDArray[np.signedinteger[Any]]:
    """``gene * n_terms + term``, in int32 when every key fits (19,739 human genes x 47k terms do):
    half the bytes to sort and compare."""
    if n_genes * n_terms < 2**31:
        return gene.astype(np.int32, copy=False) * np.int32(n_terms) + term.astype(np.int32, copy=False)
    return gene.astype(np.int64, copy=False) * np.int64(n_terms) + term.astype(np.int64, copy=False)


def _split_keys(keys: npt.NDArray[np.signedinteger[Any]], n_terms: int) -> tuple[_I64, _I64]:
    """The (gene, term) of pair keys, as int64 arrays."""
    gene, term = np.divmod(keys, keys.dtype.type(n_terms))
    return gene.astype(np.int64, copy=False), term.astype(np.int64, copy=False)


def _categorical(codes: npt.NDArray[Any], categories: pd.Index) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int32, copy=False), categories=categories)


def _normalize_relations(ontology: Ontology, relations: Iterable[str] | str) -> tuple[str, ...]:
    rels = (relations,) if isinstance(relations, str) else tuple(relations)
    if "is_a" not in rels:
        raise GoannotError(f"relations {rels!r}: propagation needs 'is_a' among the relations")
    rels = tuple(dict.fromkeys(("is_a", *rels)))  # is_a first, duplicates dropped
    # The GO names are always accepted (REGULATES on an ontology without regulation edges is a no-op);
    # any other name must occur in this ontology, so a typo is an error rather than a silent no-op.
    known = set(ontology.relations) | set(ontology.typedefs) | set(DEFAULT_RELATIONS) | set(REGULATES)
    unknown = [r for r in rels if r not in known]
    if unknown:
        raise GoannotError(f"unknown relation(s) {', '.join(unknown)}; this ontology has "
                           f"{', '.join(ontology.relations)}")
    return rels


def _normalize_aspects(aspects: Iterable[str] | str | None) -> tuple[str, ...] | None:
    if aspects is None:
        return None
    items = [aspects] if isinstance(aspects, str) else list(aspects)
    out: list[str] = []
    for a in items:
        key = a.strip()
        if key.upper() in NAMESPACE_OF_ASPECT:
            out.append(key.upper())
        elif key.lower() in ASPECT_OF_NAMESPACE:
            out.append(ASPECT_OF_NAMESPACE[key.lower()])
        else:
            raise GoannotError(f"unknown aspect {a!r}; expected P, F, C or a GO namespace name")
    return tuple(dict.fromkeys(out))


# -- the closure pairs: the one implementation of the row rules and the expansion ------------------

@dataclass(frozen=True, eq=False)
class ClosurePairs:
    """The propagated (gene, term) pairs of an annotation table as integer arrays (:func:`closure_pairs`).

    The one implementation of the row rules (module docstring) and of the closure expansion:
    :func:`propagate` builds its tables on it, :mod:`goannot.enrich` counts study and population
    genes over ``pair_gene``/``pair_term``, :mod:`goannot.similarity` counts genes per term for
    information content. Nothing is a DataFrame or a string per pair; consumers build what they
    need from the arrays.

    Genes are the distinct genes of *every* input row (kept or not), coded 0..n-1 in the order of
    ``gene_labels``; terms are ontology indices (:meth:`Ontology.term_ids`).

    ``pair_gene``, ``pair_term``
        the closure: one entry per distinct positive (gene, term), sorted by gene then term.
    ``n_sources``
        per closure pair, how many direct terms of the gene imply it (itself included).
    ``direct_gene``, ``direct_term``
        the distinct direct (gene, term) pairs of the positive rows, sorted likewise.
    ``expansion``
        ``(lens, ancestors)``: the ancestors of every direct pair in order, ``lens[k]`` of them for
        direct pair k (the provenance before the distinct step).
    ``row_gene``, ``row_term``
        gene code and term index of every input row (term -1: not a current term).
    ``used_rows``, ``negated_rows``
        positions of the positive rows used and of the NOT rows that passed the filters.
    ``rows``
        the row counts of :func:`propagate`'s ``meta['rows']``.
    ``factorized``
        column name -> (codes per row, distinct values) of the columns factorized on the way
        (``go_id``, ``qualifier``, ``evidence`` when filtered), for callers that build row tables.
    """

    relations: tuple[str, ...]
    evidence: str
    aspects: tuple[str, ...] | None
    n_terms: int
    gene_labels: pd.Index
    gene_db: list[str]
    gene_id: list[str]
    gene_first_row: _I64
    row_gene: _I64
    row_term: _I64
    used_rows: _I64
    negated_rows: _I64
    direct_gene: _I64
    direct_term: _I64
    expansion: tuple[_I64, _I32]
    pair_gene: _I64
    pair_term: _I64
    n_sources: _I64
    rows: dict[str, int]
    factorized: dict[str, tuple[_I64, list[str]]] = field(repr=False)
    closure_seconds: float = 0.0
    table: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def n_genes(self) -> int:
        """Number of distinct genes of the input table."""
        return len(self.gene_labels)

    @cached_property
    def pair_direct(self) -> _BOOL:
        """Per closure pair: whether a positive row names it directly."""
        n64 = np.int64(self.n_terms)
        ckeys = self.pair_gene * n64 + self.pair_term
        out = np.zeros(len(ckeys), dtype=bool)
        out[np.searchsorted(ckeys, self.direct_gene * n64 + self.direct_term)] = True
        return out

    def first_values(self, column: str, rows: _I64 | None = None) -> list[str]:
        """The value of ``column`` at each gene's first row ('' if missing or no such column).

        ``rows`` (one row position per gene) overrides the first rows.
        """
        at = self.gene_first_row if rows is None else rows
        if self.table is None or column not in self.table.columns:
            return [""] * len(at)
        values: list[Any] = self.table[column].iloc[at].to_numpy(dtype=object, na_value="").tolist()
        return [v if isinstance(v, str) else str(v) for v in values]


def _term_codes(ontology: Ontology, go_values: list[str]) -> tuple[_I64, npt.NDArray[np.int8]]:
    """Term index and status (0 primary, 1 secondary, 2 obsolete, 3 unknown) of distinct GO IDs.

    Primary IDs are found by one Arrow hash lookup against the ontology's IDs; only the misses
    (secondary, obsolete-free unknown or malformed IDs: a few dozen in a GOA file) go through
    :meth:`Ontology.index_of` one by one.
    """
    term_ids = ontology.term_ids()
    n = len(go_values)
    uterm = np.full(n, -1, dtype=np.int64)
    ustatus = np.full(n, 3, dtype=np.int8)
    if n == 0:
        return uterm, ustatus
    found = pc.index_in(pa.array(go_values, type=pa.string()), value_set=pa.array(term_ids, type=pa.string()))
    at = np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.float64)
    hit = ~np.isnan(at)
    uterm[hit] = at[hit].astype(np.int64)
    ustatus[hit] = 0
    for k in np.flatnonzero(~hit).tolist():
        try:
            uterm[k] = ontology.index_of(go_values[k])
            ustatus[k] = 1
        except KeyError:
            pass
    obsolete = np.asarray(ontology.state.obsolete, dtype=bool)
    dead = (uterm >= 0) & obsolete[np.maximum(uterm, 0)]
    uterm[dead] = -1
    ustatus[dead] = 2
    return uterm, ustatus


def _gene_codes(annotations: pd.DataFrame) -> tuple[_I64, list[str], list[str], list[str], _I64]:
    """Genes of every row: (gene code per row, labels, db, db_object_id, first row), in label order.

    A gene is (``db``, ``db_object_id``), labelled ``db:db_object_id``; rows without an ID (plain
    tables such as NCBI's web table) are keyed by their symbol instead, labelled ``symbol:SYMBOL``
    (``db:symbol:SYMBOL`` when they name a db). The integer codes of the two columns are combined
    and hashed once (no string per row).
    """
    n_rows = len(annotations)
    db_codes, db_values = _factorize(annotations[Col.DB.value])
    id_codes, id_values = _factorize(annotations[Col.DB_OBJECT_ID.value])
    sym_values: list[str] = []
    sym_codes = np.zeros(0, dtype=np.int64)
    if len(db_values) <= 1 and "" not in id_values:
        gcodes = id_codes  # one db (a GOA file): the ID codes are the gene codes, in order of appearance
    else:
        key = db_codes * np.int64(max(len(id_values), 1)) + id_codes
        if "" in id_values:
            no_id = id_codes == id_values.index("")
            sym_codes, sym_values = _factorize(_column(annotations, Col.DB_OBJECT_SYMBOL.value))
            key = np.where(no_id, -1 - (db_codes * np.int64(max(len(sym_values), 1)) + sym_codes), key)
        gcodes_raw, _ = pd.factorize(key)
        gcodes = gcodes_raw.astype(np.int64, copy=False)
    if n_rows:  # factorize numbers by first appearance: a new code is a new running maximum
        top = np.maximum.accumulate(gcodes)
        is_first = np.empty(n_rows, dtype=bool)
        is_first[0] = True
        np.greater(top[1:], top[:-1], out=is_first[1:])
        first = np.flatnonzero(is_first)
    else:
        first = np.zeros(0, dtype=np.int64)
    dbs = [db_values[d] for d in db_codes[first].tolist()]
    ids = [id_values[i] for i in id_codes[first].tolist()]
    labels = [f"{d}:{i}" for d, i in zip(dbs, ids)]
    if sym_values:
        for k in np.flatnonzero(np.asarray([i == "" for i in ids], dtype=bool)).tolist():
            sym = sym_values[int(sym_codes[first[k]])]
            labels[k] = f"{dbs[k]}:symbol:{sym}" if dbs[k] else f"symbol:{sym}"
    order = np.argsort(np.asarray(labels, dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    ol = order.tolist()
    return (rank[gcodes], [labels[k] for k in ol], [dbs[k] for k in ol], [ids[k] for k in ol], first[order])


def closure_pairs(annotations: pd.DataFrame, ontology: Ontology,
                  relations: Sequence[str] | str = DEFAULT_RELATIONS,
                  evidence: EvidenceFilter | str | Sequence[str] | None = None, *,
                  aspects: Iterable[str] | str | None = None) -> ClosurePairs:
    """The propagated (gene, term) pairs of an annotation table (see :class:`ClosurePairs`).

    Arguments as :func:`propagate`. This is the lean core: it applies the row rules (module
    docstring) once per distinct value of each column and expands the distinct direct pairs through
    the ontology's CSR closure; no per-pair strings or DataFrames are built.
    """
    missing = [c for c in _REQUIRED if c not in annotations.columns]
    if missing:
        raise GoannotError(f"annotation table lacks column(s) {', '.join(missing)}")
    rels = _normalize_relations(ontology, relations)
    flt = EvidenceFilter.parse(evidence)
    aspect_set = _normalize_aspects(aspects)
    n_rows = len(annotations)
    n_terms = len(ontology.term_ids())

    # 1. GO IDs -> term indices, over the distinct IDs only.
    go_codes, go_values = _factorize(annotations[Col.GO_ID.value])
    uterm, ustatus = _term_codes(ontology, go_values)
    row_term = uterm[go_codes]
    row_status = ustatus[go_codes]
    keep = row_term >= 0
    status_counts = np.bincount(row_status, minlength=4) if n_rows else np.zeros(4, dtype=np.int64)
    factorized: dict[str, tuple[_I64, list[str]]] = {Col.GO_ID.value: (go_codes, go_values)}

    # 2. aspects, by the namespace of the term.
    n_skip_aspect = 0
    if aspect_set is not None:
        wanted = [NAMESPACE_OF_ASPECT[a] for a in aspect_set]
        in_ns = np.isin(np.asarray(ontology.namespaces_array(), dtype=object), wanted)
        uok = (uterm >= 0) & in_ns[np.maximum(uterm, 0)]
        in_aspect = uok[go_codes]
        n_skip_aspect = int(np.count_nonzero(keep & ~in_aspect))
        keep &= in_aspect

    # 3. evidence, decided once per distinct code.
    n_skip_evidence = 0
    if not flt.keeps_all:
        ev_codes, ev_values = _factorize(_column(annotations, Col.EVIDENCE.value))
        factorized[Col.EVIDENCE.value] = (ev_codes, ev_values)
        ev_ok = flt.mask(ev_values)[ev_codes]
        n_skip_evidence = int(np.count_nonzero(keep & ~ev_ok))
        keep &= ev_ok

    # 4. NOT rows apart.
    q_codes, q_values = _factorize(_column(annotations, Col.QUALIFIER.value))
    factorized[Col.QUALIFIER.value] = (q_codes, q_values)
    q_not = np.fromiter((_is_not(q) for q in q_values), dtype=bool, count=len(q_values))
    row_not = q_not[q_codes]
    pos_rows = np.flatnonzero(keep & ~row_not)
    neg_rows = np.flatnonzero(keep & row_not)

    row_gene, labels, dbs, ids, first_row = _gene_codes(annotations)

    # The closure: distinct direct (gene, term) pairs expanded through the CSR ancestor closure.
    t_closure = time.perf_counter()
    indptr, indices = ontology.closure(rels)
    closure_seconds = time.perf_counter() - t_closure
    n_genes = len(labels)
    dkeys, _ = _sorted_unique(_pair_keys(row_gene[pos_rows], row_term[pos_rows], n_genes, n_terms))
    d_gene, d_term = _split_keys(dkeys, n_terms)
    lens, anc = _expand(indptr, indices, d_term)
    ckeys, counts = _sorted_unique(_pair_keys(np.repeat(d_gene, lens), anc, n_genes, n_terms))
    pair_gene, pair_term = _split_keys(ckeys, n_terms)

    n_obsolete, n_unknown = int(status_counts[2]), int(status_counts[3])
    rows = {
        "input": n_rows,
        "used": int(len(pos_rows)),
        "negated": int(len(neg_rows)),
        "skipped_evidence": n_skip_evidence,
        "skipped_aspect": n_skip_aspect,
        "skipped_not_a_term": n_obsolete + n_unknown,
        "skipped_obsolete": n_obsolete,
        "skipped_unknown": n_unknown,
        "secondary_mapped": int(status_counts[1]),
    }
    return ClosurePairs(
        relations=rels, evidence=flt.spec, aspects=aspect_set, n_terms=n_terms,
        gene_labels=pd.Index(labels, dtype=object), gene_db=dbs, gene_id=ids, gene_first_row=first_row,
        row_gene=row_gene, row_term=row_term, used_rows=pos_rows, negated_rows=neg_rows,
        direct_gene=d_gene, direct_term=d_term, expansion=(lens, anc),
        pair_gene=pair_gene, pair_term=pair_term, n_sources=counts, rows=rows,
        factorized=factorized, closure_seconds=closure_seconds, table=annotations)


# -- the propagation -----------------------------------------------------------------------------

def propagate(annotations: pd.DataFrame | AnnotationChunk, ontology: Ontology,
              relations: Sequence[str] | str = DEFAULT_RELATIONS,
              evidence: EvidenceFilter | str | Sequence[str] | None = None, *,
              aspects: Iterable[str] | str | None = None) -> Propagation:
    """Propagate an annotation table over ``relations`` of ``ontology`` (see the module docstring).

    ``annotations`` is goannot's annotation table (:data:`~goannot.columns.TABLE_COLUMNS`), or what
    :func:`~goannot.annotations.read_annotations` returns; only ``db``, ``db_object_id`` and
    ``go_id`` are required (``qualifier``, ``evidence``, ``db_object_symbol`` default to '' and ``line`` to the 1-based row position). ``relations`` must
    include ``is_a``; ``evidence`` is an :class:`~goannot.evidence.EvidenceFilter` or a spec string;
    ``aspects`` restricts the input to terms of some namespaces (``"P"``, ``["F", "C"]``,
    ``"biological_process"``). The ancestor closure of the ontology is computed on the first call
    per relation set and memoized on the ontology.

    The pairs come from :func:`closure_pairs`; this adds the tables (rows, closure, NOT rows,
    conflicts, genes) over the genes that have a row passing the filters.
    """
    t_start = time.perf_counter()
    if isinstance(annotations, AnnotationChunk):
        annotations = annotations.table
    cp = closure_pairs(annotations, ontology, relations, evidence, aspects=aspects)
    n_rows = len(annotations)
    term_index = pd.Index(ontology.term_ids())
    n_terms = cp.n_terms
    pos_rows, neg_rows = cp.used_rows, cp.negated_rows

    # Genes: those with a row passing the filters (NOT rows included), in label order.
    kept = np.sort(np.concatenate([pos_rows, neg_rows]))
    present = np.bincount(cp.row_gene[kept], minlength=cp.n_genes) > 0
    kept_genes = np.flatnonzero(present)
    remap = np.cumsum(present, dtype=np.int64) - 1  # old gene code -> code among the kept genes
    row_gene = remap[cp.row_gene]
    n_genes = len(kept_genes)
    gene_index = pd.Index(np.asarray(cp.gene_labels, dtype=object)[kept_genes].astype(str))
    # each gene's first kept row: its first row, unless that one was filtered out (rare)
    first_kept = cp.gene_first_row[kept_genes]
    is_kept = np.zeros(n_rows, dtype=bool)
    is_kept[kept] = True
    late = ~is_kept[first_kept]
    if late.any():
        sub = kept[np.isin(cp.row_gene[kept], kept_genes[late])]
        _, at = np.unique(cp.row_gene[sub], return_index=True)
        first_kept[late] = sub[at]
    symbols = cp.first_values(Col.DB_OBJECT_SYMBOL.value, first_kept)
    genes = pd.DataFrame({
        "gene": _categorical(np.arange(n_genes), gene_index),
        "db": [cp.gene_db[g] for g in kept_genes.tolist()],
        "db_object_id": [cp.gene_id[g] for g in kept_genes.tolist()],
        "symbol": symbols,
    })

    if Col.LINE.value in annotations.columns:
        lines = annotations[Col.LINE.value].to_numpy(dtype=np.int64)
    else:
        lines = np.arange(1, n_rows + 1, dtype=np.int64)

    # go_id, evidence and qualifier have few distinct values: categoricals from the codes at hand
    # cost a gather of integers where a string column would copy every string.
    go_codes, go_values = cp.factorized[Col.GO_ID.value]
    q_codes, q_values = cp.factorized[Col.QUALIFIER.value]
    ev_codes, ev_values = cp.factorized.get(Col.EVIDENCE.value) or _factorize(
        _column(annotations, Col.EVIDENCE.value))
    go_index, ev_index, q_index = pd.Index(go_values), pd.Index(ev_values), pd.Index(q_values)
    row_term = cp.row_term

    def rows_frame(rows: _I64) -> pd.DataFrame:
        return pd.DataFrame({
            "gene": _categorical(row_gene[rows], gene_index),
            "term": _categorical(row_term[rows], term_index),
            "go_id": _categorical(go_codes[rows], go_index),
            "evidence": _categorical(ev_codes[rows], ev_index),
            "qualifier": _categorical(q_codes[rows], q_index),
            "line": lines[rows],
        })

    direct = rows_frame(pos_rows)
    negated = rows_frame(neg_rows)

    n64 = np.int64(n_terms)
    c_gene = remap[cp.pair_gene]
    ckeys = c_gene * n64 + cp.pair_term
    c_direct = cp.pair_direct
    closure = pd.DataFrame({
        "gene": _categorical(c_gene, gene_index),
        "term": _categorical(cp.pair_term, term_index),
        "direct": c_direct,
        "n_sources": cp.n_sources.astype(np.int32),
    })
    indptr, indices = ontology.closure(cp.relations)
    conflicts = _conflicts(row_gene[neg_rows], row_term[neg_rows], lines[neg_rows], ckeys, c_direct,
                           indptr, indices, n_terms, gene_index, term_index)
    lens, anc = cp.expansion
    d_gene = remap[cp.direct_gene]

    meta: dict[str, Any] = {
        "relations": list(cp.relations),
        "evidence": cp.evidence,
        "aspects": list(cp.aspects) if cp.aspects is not None else None,
        "ontology": {"data_version": ontology.data_version, "sha256": ontology.provenance.sha256,
                     "path": ontology.provenance.path},
        "rows": dict(cp.rows),
        "genes": n_genes,
        "direct_pairs": int(len(cp.direct_gene)),
        "closure_pairs": int(len(cp.pair_gene)),
        "provenance_rows": int(len(anc)),
        "conflicts": int(len(conflicts)),
        "seconds": {"closure": cp.closure_seconds, "total": time.perf_counter() - t_start},
    }
    log.info("propagated %d rows of %d genes over %s: %d direct -> %d closure pairs, %d NOT rows, "
             "%d conflicts", len(pos_rows), n_genes, "+".join(cp.relations), len(cp.direct_gene),
             len(cp.pair_gene), len(neg_rows), len(conflicts))
    return Propagation(direct=direct, closure=closure, negated=negated, conflicts=conflicts, genes=genes,
                       meta=meta, provenance_arrays=(np.repeat(d_gene, lens), np.repeat(cp.direct_term, lens), anc))


def _conflicts(n_gene: _I64, n_term: _I64, n_line: _I64, ckeys: _I64, c_direct: _BOOL,
               indptr: _I64, indices: _I32, n_terms: int, gene_index: pd.Index,
               term_index: pd.Index) -> pd.DataFrame:
    """Positive closure pairs (g, X) with a NOT (g, T), T an ancestor-or-self of X.

    Only the closure rows of genes that have a NOT are expanded (a few hundred genes in a GOA file),
    then each (g, ancestor of X) key is looked up among the sorted NOT keys.
    """
    cols = ["gene", "term", "direct", "not_term", "not_line"]
    n64 = np.int64(n_terms)
    if len(n_gene) == 0 or len(ckeys) == 0:
        return pd.DataFrame({
            "gene": _categorical(np.zeros(0, np.int64), gene_index),
            "term": _categorical(np.zeros(0, np.int64), term_index),
            "direct": np.zeros(0, dtype=bool),
            "not_term": _categorical(np.zeros(0, np.int64), term_index),
            "not_line": np.zeros(0, dtype=np.int64),
        }, columns=cols)
    nkeys_all = n_gene * n64 + n_term
    order = np.lexsort((n_line, nkeys_all))
    nk_sorted = nkeys_all[order]
    first = np.ones(len(nk_sorted), dtype=bool)
    first[1:] = nk_sorted[1:] != nk_sorted[:-1]
    nkeys = nk_sorted[first]
    nlines = n_line[order][first]
    # closure rows of the genes with a NOT: contiguous blocks of the sorted closure keys
    genes_with_not = np.unique(n_gene)
    lo = np.searchsorted(ckeys, genes_with_not * n64)
    hi = np.searchsorted(ckeys, (genes_with_not + 1) * n64)
    lens = hi - lo
    ends = np.cumsum(lens)
    rows = np.repeat(lo - (ends - lens), lens) + np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
    sel_keys = ckeys[rows]
    sel_gene = sel_keys // n64
    lens, anc = _expand(indptr, indices, sel_keys % n64)
    src = np.repeat(np.arange(len(sel_keys), dtype=np.int64), lens)
    probe = sel_gene[src] * n64 + anc
    at = np.searchsorted(nkeys, probe)
    at_c = np.minimum(at, len(nkeys) - 1)
    hit = nkeys[at_c] == probe
    hit_rows = rows[src[hit]]
    out_keys = ckeys[hit_rows]
    result = pd.DataFrame({
        "gene": _categorical(out_keys // n64, gene_index),
        "term": _categorical(out_keys % n64, term_index),
        "direct": c_direct[hit_rows],
        "not_term": _categorical(anc[hit], term_index),
        "not_line": nlines[at_c[hit]],
    }, columns=cols)
    return result.sort_values(["gene", "not_term", "term"], kind="stable", ignore_index=True)


# -- views of a result ---------------------------------------------------------------------------

def gene_to_terms(prop: Propagation, *, include_inferred: bool = True) -> dict[str, set[str]]:
    """The closure as goatools' association format: gene label -> set of GO IDs.

    With ``include_inferred=False`` only the direct terms (after secondary IDs were mapped to their
    primary). Genes whose only rows were NOT rows are absent, as in goatools.
    """
    table = prop.closure if include_inferred else prop.closure[prop.closure["direct"].to_numpy()]
    gcodes = table["gene"].cat.codes.to_numpy()
    terms: list[str] = np.asarray(table["term"].cat.categories, dtype=object)[
        table["term"].cat.codes.to_numpy()].tolist()
    names = table["gene"].cat.categories
    starts = np.flatnonzero(np.diff(gcodes, prepend=-1)).tolist()
    ends = starts[1:] + [len(terms)]
    return {str(names[gcodes[a]]): set(terms[a:b]) for a, b in zip(starts, ends)}


def term_counts(prop: Propagation, *, include_inferred: bool = True) -> pd.Series:
    """Genes per term (the study/population counts enrichment needs), most annotated first.

    Counts distinct genes: a gene with several rows to a term counts once. Terms with no gene are
    left out.
    """
    table = prop.closure if include_inferred else prop.closure[prop.closure["direct"].to_numpy()]
    cats = table["term"].cat.categories
    counts = np.bincount(table["term"].cat.codes.to_numpy(), minlength=len(cats))
    nz = np.flatnonzero(counts)
    series = pd.Series(counts[nz], index=pd.Index(np.asarray(cats)[nz], name="term"), name="genes")
    return series.sort_values(ascending=False, kind="stable")


def sources(prop: Propagation, gene: str, term: str) -> list[str]:
    """The direct terms of ``gene`` that imply ``term`` (``[]`` if the pair is not in the closure)."""
    gcats = prop.closure["gene"].cat.categories
    tcats = prop.closure["term"].cat.categories
    g = int(gcats.get_indexer(pd.Index([gene]))[0])
    t = int(tcats.get_indexer(pd.Index([term]))[0])
    if g < 0 or t < 0:
        return []
    p_gene, p_via, p_term = prop.provenance_arrays
    lo, hi = (int(x) for x in np.searchsorted(p_gene, [g, g + 1]))
    via = p_via[lo:hi][p_term[lo:hi] == t]
    return [str(tcats[v]) for v in sorted(via.tolist())]
