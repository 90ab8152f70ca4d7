"""Propagate GO annotations up the ontology (the "true path rule"), with provenance and NOT handling.

A gene annotated to a term is implicitly annotated to every ancestor of that term over the chosen
relations (default ``is_a`` and ``part_of``; add :data:`~goannot.ontology.REGULATES` for the
regulates family). :func:`propagate` computes that closure for a whole annotation table at once.

Genes
    A gene is the pair (``db``, ``db_object_id``), written ``db:db_object_id`` (``UniProtKB:P13232``)
    in the result tables. ``db_object_symbol`` is kept for display only (``Propagation.genes``): two
    rows with the same pair but different symbols are the same gene.

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
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .columns import ASPECT_OF_NAMESPACE, NAMESPACE_OF_ASPECT, Col
from .errors import GoannotError
from .evidence import EvidenceFilter
from .ontology import DEFAULT_RELATIONS, REGULATES, Ontology

__all__ = ["Propagation", "propagate", "gene_to_terms", "term_counts", "sources"]

log = logging.getLogger(__name__)

_I64 = npt.NDArray[np.int64]
_I32 = npt.NDArray[np.int32]
_BOOL = npt.NDArray[np.bool_]

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


def _sorted_unique(keys: _I64) -> tuple[_I64, _I64]:
    """Distinct values of ``keys`` (sorted) and how often each occurs.

    A stable sort plus a neighbour comparison: measured at half the time of ``np.unique`` on the
    expansion keys, which come in pre-sorted runs (one per direct term) that timsort exploits.
    """
    if len(keys) == 0:
        return keys, np.zeros(0, dtype=np.int64)
    s = np.sort(keys, kind="stable")
    first = np.empty(len(s), dtype=bool)
    first[0] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(s)))
    return s[starts], counts.astype(np.int64)


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


# -- the propagation -----------------------------------------------------------------------------

def propagate(annotations: pd.DataFrame, ontology: Ontology,
              relations: Sequence[str] | str = DEFAULT_RELATIONS,
              evidence: EvidenceFilter | str | Sequence[str] | None = None, *,
              aspects: Iterable[str] | str | None = None) -> Propagation:
    """Propagate an annotation table over ``relations`` of ``ontology`` (see the module docstring).

    ``annotations`` is goannot's annotation table (:data:`~goannot.columns.TABLE_COLUMNS`); only
    ``db``, ``db_object_id`` and ``go_id`` are required (``qualifier``, ``evidence``,
    ``db_object_symbol`` default to '' and ``line`` to the 1-based row position). ``relations`` must
    include ``is_a``; ``evidence`` is an :class:`~goannot.evidence.EvidenceFilter` or a spec string;
    ``aspects`` restricts the input to terms of some namespaces (``"P"``, ``["F", "C"]``,
    ``"biological_process"``). The ancestor closure of the ontology is computed on the first call
    per relation set and memoized on the ontology.
    """
    t_start = time.perf_counter()
    missing = [c for c in _REQUIRED if c not in annotations.columns]
    if missing:
        raise GoannotError(f"annotation table lacks column(s) {', '.join(missing)}")
    rels = _normalize_relations(ontology, relations)
    flt = EvidenceFilter.parse(evidence)
    aspect_set = _normalize_aspects(aspects)
    n_rows = len(annotations)
    term_ids = ontology.term_ids()
    n_terms = len(term_ids)
    term_index = pd.Index(term_ids)

    # 1. GO IDs -> term indices, over the distinct IDs only.
    go_codes, go_values = _factorize(annotations[Col.GO_ID.value])
    state = ontology.state
    obsolete = state.obsolete
    uterm = np.full(len(go_values), -1, dtype=np.int64)
    ustatus = np.zeros(len(go_values), dtype=np.int8)  # 0 primary, 1 secondary, 2 obsolete, 3 unknown
    for k, gid in enumerate(go_values):
        try:
            i = ontology.index_of(gid)
        except KeyError:
            ustatus[k] = 3
            continue
        if obsolete[i]:
            ustatus[k] = 2
            continue
        uterm[k] = i
        ustatus[k] = 0 if term_ids[i] == gid else 1
    row_term = uterm[go_codes]
    row_status = ustatus[go_codes]
    keep = row_term >= 0
    n_obsolete = int(np.count_nonzero(row_status == 2))
    n_unknown = int(np.count_nonzero(row_status == 3))
    n_secondary = int(np.count_nonzero(row_status == 1))

    # 2. aspects, by the namespace of the term.
    n_skip_aspect = 0
    if aspect_set is not None:
        wanted = {NAMESPACE_OF_ASPECT[a] for a in aspect_set}
        namespaces = ontology.namespaces_array()
        uok = np.fromiter((uterm[k] >= 0 and namespaces[uterm[k]] in wanted for k in range(len(go_values))),
                          dtype=bool, count=len(go_values))
        in_aspect = uok[go_codes]
        n_skip_aspect = int(np.count_nonzero(keep & ~in_aspect))
        keep &= in_aspect

    # 3. evidence, decided once per distinct code.
    ev_codes, ev_values = _factorize(_column(annotations, Col.EVIDENCE.value))
    n_skip_evidence = 0
    if not flt.keeps_all:
        ev_ok = flt.mask(ev_values)[ev_codes]
        n_skip_evidence = int(np.count_nonzero(keep & ~ev_ok))
        keep &= ev_ok

    # 4. NOT rows apart.
    q_codes, q_values = _factorize(_column(annotations, Col.QUALIFIER.value))
    q_not = np.fromiter((_is_not(q) for q in q_values), dtype=bool, count=len(q_values))
    row_not = q_not[q_codes]
    pos_rows = np.flatnonzero(keep & ~row_not)
    neg_rows = np.flatnonzero(keep & row_not)

    # Genes: (db, db_object_id) of the kept rows, ordered by their label.
    db_codes, db_values = _factorize(annotations[Col.DB.value])
    id_codes, id_values = _factorize(annotations[Col.DB_OBJECT_ID.value])
    kept = np.flatnonzero(keep)
    pair = db_codes[kept] * max(len(id_values), 1) + id_codes[kept]
    upair, first_at, inverse = np.unique(pair, return_index=True, return_inverse=True)
    gdb = upair // max(len(id_values), 1)
    gid_ = upair % max(len(id_values), 1)
    labels = np.array([f"{db_values[d]}:{id_values[i]}" for d, i in zip(gdb.tolist(), gid_.tolist())],
                      dtype=object)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    row_gene = np.full(n_rows, -1, dtype=np.int64)
    row_gene[kept] = rank[inverse.ravel()]
    n_genes = len(order)
    gene_index = pd.Index(labels[order].astype(str))
    sym = _column(annotations, Col.DB_OBJECT_SYMBOL.value)
    first_rows = kept[first_at[order]]
    genes = pd.DataFrame({
        "gene": _categorical(np.arange(n_genes), gene_index),
        "db": [db_values[d] for d in gdb[order].tolist()],
        "db_object_id": [id_values[i] for i in gid_[order].tolist()],
        "symbol": ["" if pd.isna(s) else str(s) for s in sym.iloc[first_rows].tolist()],
    })

    if Col.LINE.value in annotations.columns:
        lines = annotations[Col.LINE.value].to_numpy(dtype=np.int64)
    else:
        lines = np.arange(1, n_rows + 1, dtype=np.int64)

    # go_id, evidence and qualifier have few distinct values: categoricals from the codes at hand
    # cost a gather of integers where a string column would copy every string.
    go_index, ev_index, q_index = pd.Index(go_values), pd.Index(ev_values), pd.Index(q_values)

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

    # The closure: distinct direct (gene, term) pairs expanded through the CSR ancestor closure.
    t_closure = time.perf_counter()
    indptr, indices = ontology.closure(rels)
    closure_seconds = time.perf_counter() - t_closure
    n64 = np.int64(n_terms)
    dkeys, _ = _sorted_unique(row_gene[pos_rows] * n64 + row_term[pos_rows])
    d_gene = dkeys // n64
    d_term = dkeys % n64
    lens, anc = _expand(indptr, indices, d_term)
    p_gene = np.repeat(d_gene, lens)
    ckeys, counts = _sorted_unique(p_gene * n64 + anc)
    c_gene = ckeys // n64
    c_term = ckeys % n64
    c_direct = np.zeros(len(ckeys), dtype=bool)
    c_direct[np.searchsorted(ckeys, dkeys)] = True
    closure = pd.DataFrame({
        "gene": _categorical(c_gene, gene_index),
        "term": _categorical(c_term, term_index),
        "direct": c_direct,
        "n_sources": counts.astype(np.int32),
    })

    conflicts = _conflicts(row_gene[neg_rows], row_term[neg_rows], lines[neg_rows], ckeys, c_direct,
                           indptr, indices, n_terms, gene_index, term_index)

    meta: dict[str, Any] = {
        "relations": list(rels),
        "evidence": flt.spec,
        "aspects": list(aspect_set) if aspect_set is not None else None,
        "ontology": {"data_version": ontology.data_version, "sha256": ontology.provenance.sha256,
                     "path": ontology.provenance.path},
        "rows": {
            "input": n_rows,
            "used": int(len(pos_rows)),
            "negated": int(len(neg_rows)),
            "skipped_evidence": n_skip_evidence,
            "skipped_aspect": n_skip_aspect,
            "skipped_not_a_term": n_obsolete + n_unknown,
            "skipped_obsolete": n_obsolete,
            "skipped_unknown": n_unknown,
            "secondary_mapped": n_secondary,
        },
        "genes": n_genes,
        "direct_pairs": int(len(dkeys)),
        "closure_pairs": int(len(ckeys)),
        "provenance_rows": int(len(anc)),
        "conflicts": int(len(conflicts)),
        "seconds": {"closure": closure_seconds, "total": time.perf_counter() - t_start},
    }
    log.info("propagated %d rows of %d genes over %s: %d direct -> %d closure pairs, %d NOT rows, "
             "%d conflicts", len(pos_rows), n_genes, "+".join(rels), len(dkeys), len(ckeys), len(neg_rows),
             len(conflicts))
    return Propagation(direct=direct, closure=closure, negated=negated, conflicts=conflicts, genes=genes,
                       meta=meta, provenance_arrays=(p_gene, np.repeat(d_term, lens), anc))


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
