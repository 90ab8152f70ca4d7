"""Compare the GO annotations of one gene across N labelled annotation sets.

The sets can be species (orthologs: human IL7, mouse Il7, rat Il7, each from its own GAF), sources
(an old NCBI table against GOA for the same gene) or releases of one file. :func:`compare` selects one
gene per set, propagates each over the same relations with the same evidence filter, and returns a
:class:`Comparison` of plain DataFrames.

Choosing the gene of each set
    ``genes={"human": "IL7", "mouse": "Il7"}`` names it by ID (``UniProtKB:P13232`` or ``P13232``,
    a UniProt isoform ``P13232-2`` naming its gene), symbol or GAF synonym, tried in that order, the
    exact spelling before any case: :meth:`goannot.genes.GeneIndex.match` over the set's table. The
    first tier with a match decides, and several genes in it is an error (so is no match). ``orthologs`` is a table
    with one column per set label and one row per ortholog group: ``genes`` then needs to name the
    gene of one set only, and the row whose cell equals that query (or the gene's ID) gives the
    others; a one-row table needs no ``genes``. A set given neither must hold exactly one gene.
    Rows without an ID (plain tables such as NCBI's web table) are keyed by their symbol.

Matrix states (``Comparison.matrix``, long format, one row per set and term)
    ``direct`` (a positive row names the term), ``NOT`` (a NOT row names it and no positive row
    does), ``inferred`` (implied by a direct term over the relations), ``absent``. The terms are the
    union of every set's closure and NOT terms. Each positive cell carries the evidence of every row
    whose direct term implies it (the term itself or a descendant), so a direct cell may show codes
    of more specific rows too; a NOT cell carries its NOT rows. ``evidence_class`` is the best class in
    the order of :data:`EVIDENCE_ORDER`; ``conflict`` marks positive cells contradicted by a NOT of
    the same set (see :mod:`goannot.propagate`).

Transferred evidence
    A row with a code of :data:`TRANSFER_CODES` (ISS, ISO, ISA, ISM, IBA, IEA) whose ``with_from``
    names the gene of *another* compared set is *transferred from* that set: human IL7's GO:0043066
    row is ISS with ``UniProtKB:P10168``, mouse Il7. A cell has ``own_support`` when at least one of
    its supporting rows is not transferred. A term shared by several sets is ``independent`` when
    every set holding it has own support, ``circular`` when some set holds it only through transfer
    from another compared set (``circular_sets`` says which, e.g. ``human<-mouse``): agreement there
    is not independent evidence.

Core, specific, near misses
    ``core``: terms in every set's (positive) closure. ``specific``: direct terms of one set that no
    other set's closure contains. ``near_misses``: a direct term of set A that is a proper ancestor or
    descendant of a direct term of set B, neither being direct in the other set, with the shortest
    path length over the relations; namespace roots are left out (annotations to a root mean "no
    data").

Similarity (``Comparison.similarity``, one row per pair of sets and namespace)
    Jaccard and SimGIC on closures, best-match-average Resnik, Lin and Wang on direct terms (see
    :mod:`goannot.similarity`; Wang's edge weights are is_a 0.8, part_of 0.6, and 0.6 for the
    regulates family, goatools' value, when propagation follows it). Only informative direct terms count: annotations to a namespace
    root (ND, "no data") and terms supported by ND rows only are left out, as in the near misses,
    and the closures are those of the informative terms. A namespace where one set has no
    informative term gets NaN for every measure (``n_a``/``n_b`` say which side is empty).
    Information content comes from each set's corpus -- by default the
    whole table the set was given in (the species' GAF); a set whose table holds a single gene uses the
    other sets' corpora instead, and ``corpora=`` overrides. A pair uses the pooled counts of its two
    corpora (a corpus shared by both counts once), so the measure is symmetric. ``meta["ic"]`` states
    which corpus each set and pair used. Resnik and Lin look for the most informative common
    ancestor within the namespace of the two terms only (an MF term's part_of ancestors in BP do
    not count), so in the ``all`` rows pairs of terms from two namespaces score 0.

Ribbon
    ``ribbon``: per set and slim term, the number of direct terms and genes mapping to it
    (:func:`goannot.slim.ribbon_counts`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from .annotations import AnnotationSet
from .columns import Col
from .errors import GoannotError
from .evidence import CLASS_OF_CODE, EvidenceFilter
from .genes import GeneIndex
from .ontology import DEFAULT_RELATIONS, Ontology
from .propagate import Propagation, propagate
from .similarity import (WANG_WEIGHTS, AnnotationCounts, ICCache, best_match_average, information_content,
                         informative_terms, jaccard, lin_matrix, resnik_matrix, simgic, wang_matrix)
from .slim import ribbon_counts

__all__ = [
    "Comparison",
    "compare",
    "matrix_wide",
    "comparison_tables",
    "summary_facts",
    "TRANSFER_CODES",
    "EVIDENCE_ORDER",
    "STATES",
    "GeneSelectionError",
]

log = logging.getLogger(__name__)

#: Evidence codes whose ``with_from`` may name the gene an annotation was transferred from.
TRANSFER_CODES = frozenset({"ISS", "ISO", "ISA", "ISM", "IBA", "IEA"})
#: Evidence classes from best to worst (the class of a cell is the first its rows reach).
EVIDENCE_ORDER = ("experimental", "phylogenetic", "computational", "author_statement", "curator_statement",
                  "no_data", "electronic")
#: Cell states of the matrix.
STATES = ("direct", "inferred", "NOT", "absent")

_RANK = {name: k for k, name in enumerate(EVIDENCE_ORDER)}
_NO_CLASS = len(EVIDENCE_ORDER)
_ISOFORM = re.compile(r"-\d+$")
_NAMESPACES = ("biological_process", "molecular_function", "cellular_component")
_SHORT_NS = {"biological_process": "BP", "molecular_function": "MF", "cellular_component": "CC"}


class GeneSelectionError(GoannotError, LookupError):
    """A set's gene query matches no gene, several genes, or the set holds several genes unasked."""


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare` (see the module docstring for every table's meaning).

    ``genes``: set, query, gene, db, db_object_id, symbol, matched_by, rows, source.
    ``matrix``: set, term, name, namespace, state, evidence_class, evidence_codes, transferred_from,
    own_support, conflict. ``shared``: term, name, namespace, sets, n_sets, in_all, direct_in,
    support, circular_sets. ``core``: the ``shared`` rows with ``in_all``. ``specific``: set, term,
    name, namespace, evidence_class, evidence_codes, transferred_from. ``near_misses``: set_a, term_a,
    name_a, set_b, term_b, name_b, relation (of term_a to term_b), distance. ``similarity``: set_a,
    set_b, namespace, n_a, n_b, jaccard, simgic, resnik_bma, lin_bma, wang_bma, ic_corpus. ``ribbon``: see
    :func:`goannot.slim.ribbon_counts`. ``propagations``: each set's propagation of its gene's rows.
    """

    sets: tuple[str, ...]
    genes: pd.DataFrame
    matrix: pd.DataFrame
    shared: pd.DataFrame
    core: pd.DataFrame
    specific: pd.DataFrame
    near_misses: pd.DataFrame
    similarity: pd.DataFrame
    ribbon: pd.DataFrame
    propagations: dict[str, Propagation] = field(repr=False, default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def wide(self, value: str = "state") -> pd.DataFrame:
        """The matrix as term x set (see :func:`matrix_wide`)."""
        return matrix_wide(self.matrix, value, sets=self.sets)

    def _fields(self) -> dict[str, Any]:
        return {"sets": list(self.sets), "terms": int(self.matrix["term"].nunique()) if len(self.matrix) else 0,
                "core": len(self.core), "specific": len(self.specific), "near_misses": len(self.near_misses),
                "go": self.meta.get("ontology", {}).get("data_version")}

    def __repr__(self) -> str:
        from ._display import short_repr

        return short_repr("Comparison", self._fields())

    def _repr_html_(self) -> str:
        from ._display import html_summary

        return html_summary("Comparison", self._fields(), self.similarity, "similarity")


def matrix_wide(matrix: pd.DataFrame, value: str = "state", *, sets: Sequence[str] | None = None) -> pd.DataFrame:
    """Pivot the long matrix to one row per term (term, name, namespace) and one column per set.

    ``value`` is the matrix column shown in the cells (``state``, ``evidence_class``...).
    """
    wide = matrix.pivot(index=["term", "name", "namespace"], columns="set", values=value)
    order = list(sets) if sets is not None else list(dict.fromkeys(matrix["set"]))
    wide = wide.reindex(columns=order)
    wide.columns.name = None
    return wide.reset_index()


# -- gene selection -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Gene:
    label: str
    query: str
    db: str
    db_object_id: str
    symbol: str
    matched_by: str
    rows: np.ndarray[Any, Any]

    @property
    def curie(self) -> str:
        if self.db_object_id:
            return f"{self.db}:{self.db_object_id}" if self.db else self.db_object_id
        return f"symbol:{self.symbol}"


def _strings(table: pd.DataFrame, name: str) -> pd.Series:
    if name not in table.columns:
        return pd.Series([""] * len(table), index=table.index, dtype=object)
    return table[name].fillna("").astype(str)


def _gene_keys(table: pd.DataFrame) -> pd.Series:
    """One key per gene: db:id, or symbol:SYMBOL for id-less rows."""
    db = _strings(table, Col.DB.value)
    ids = _strings(table, Col.DB_OBJECT_ID.value)
    sym = _strings(table, Col.DB_OBJECT_SYMBOL.value)
    key = (db + ":" + ids).where(db != "", ids)
    return key.where(ids != "", "symbol:" + sym)


#: How a :class:`~goannot.genes.GeneIndex` match is reported in ``Comparison.genes.matched_by``.
_MATCHED_BY = {"id": "id", "id-ci": "id", "symbol": "symbol", "symbol-ci": "symbol (any case)",
               "synonym": "synonym", "synonym-ci": "synonym"}


def _select_gene(label: str, table: pd.DataFrame, query: str | None) -> _Gene:
    """The one gene of ``table`` that ``query`` names (module docstring), or the only gene there is.

    The query is resolved by a :class:`~goannot.genes.GeneIndex` over the table (ID, symbol, synonym;
    exact spelling before any case); the gene's rows are those of every index record with its
    (db, id), or its symbol for id-less rows, whatever their taxon column says.
    """
    if query is None or not str(query).strip():
        if not _single_gene(table):
            raise GeneSelectionError(
                f"set {label!r} holds several genes; name one with genes={{{label!r}: ...}} or an ortholog table")
        rows = np.arange(len(table))
        how = "only gene"
    else:
        q = str(query).strip()
        index = GeneIndex.from_annotations(table)
        hit = index.match([q])
        found = hit["gene"].to_numpy(dtype=np.int64)
        found = found[found >= 0]
        if not len(found):
            raise GeneSelectionError(f"set {label!r}: {q!r} names no gene (by ID, symbol or synonym)")
        how = _MATCHED_BY.get(str(hit["via"].iloc[0]), str(hit["via"].iloc[0]))
        rec = index.genes
        db = rec["db"].to_numpy(dtype=object)
        ids = rec["id"].to_numpy(dtype=object)
        sym = rec["symbol"].to_numpy(dtype=object)
        # one gene per (db, id), or per symbol for id-less rows, whatever the taxon
        curies = sorted({f"{db[g]}:{ids[g]}" if ids[g] else f"symbol:{sym[g]}" for g in found.tolist()})
        if len(curies) > 1:
            raise GeneSelectionError(f"set {label!r}: {q!r} names several genes by {how}: "
                                     + ", ".join(curies[:10]))
        g0 = int(found[0])
        same = (db == db[g0]) & (ids == ids[g0]) & ((sym == sym[g0]) if not ids[g0] else True)
        assert index.row_genes is not None
        rows = np.flatnonzero(np.isin(index.row_genes, np.flatnonzero(same)))
    first = table.iloc[int(rows[0])]
    return _Gene(label=label, query="" if query is None else str(query), db=str(first.get(Col.DB.value, "") or ""),
                 db_object_id=str(first.get(Col.DB_OBJECT_ID.value, "") or ""),
                 symbol=str(first.get(Col.DB_OBJECT_SYMBOL.value, "") or ""), matched_by=how, rows=rows)


def _single_gene(table: pd.DataFrame) -> bool:
    """Whether every row has the gene of the first row (cheap: compares to one value per column)."""
    if len(table) == 0:
        return False
    key = _gene_keys(table.iloc[:1]).iloc[0]
    for col in (Col.DB.value, Col.DB_OBJECT_ID.value) if not key.startswith("symbol:") else (
            Col.DB_OBJECT_SYMBOL.value,):
        values = _strings(table, col)
        if (values != values.iloc[0]).any():
            return False
    return True


def _queries_from_orthologs(labels: Sequence[str], orthologs: pd.DataFrame,
                            genes: Mapping[str, str] | None, selected: Mapping[str, _Gene]) -> dict[str, str]:
    """One query per set from the ortholog row the given genes point at."""
    missing = [lab for lab in labels if lab not in orthologs.columns]
    if missing:
        raise GeneSelectionError(f"ortholog table lacks column(s) for set(s) {', '.join(missing)}")
    cells = orthologs[list(labels)].fillna("").astype(str)
    hit = np.ones(len(cells), dtype=bool)
    for label, gene in selected.items():
        col = cells[label].str.strip()
        names = {str(genes[label]).lower() if genes else "", gene.curie.lower(), gene.db_object_id.lower(),
                 gene.symbol.lower()} - {""}
        hit &= col.str.lower().isin(names).to_numpy()
    rows = np.flatnonzero(hit)
    if len(rows) == 0:
        raise GeneSelectionError("no row of the ortholog table matches the selected gene(s)")
    if len(rows) > 1:
        raise GeneSelectionError(f"{len(rows)} rows of the ortholog table match the selected gene(s); "
                                 "name the gene of more sets")
    return {lab: cells.iloc[int(rows[0])][lab] for lab in labels}


# -- per-set support ----------------------------------------------------------------------------

def _with_tokens(with_from: pd.Series) -> list[set[str]]:
    out = []
    for value in with_from.tolist():
        toks = set()
        for tok in re.split(r"[|,]", value):
            tok = tok.strip()
            if tok:
                tok = re.sub(r"^UniProt:", "UniProtKB:", tok)
                toks.add(_ISOFORM.sub("", tok) if tok.startswith("UniProtKB:") else tok)
        out.append(toks)
    return out


def _transferred_from(rows: pd.DataFrame, gene: _Gene, others: Sequence[_Gene]) -> list[str]:
    """Per row: the labels (comma-joined) of other compared sets whose gene its with_from names."""
    ev = rows[Col.EVIDENCE.value].fillna("").astype(str).str.upper().tolist()
    tokens = _with_tokens(rows[Col.WITH_FROM.value].fillna("").astype(str))
    names = {o.label: {o.curie} | ({o.db_object_id} if o.db_object_id else set())
             for o in others if o.curie != gene.curie}
    out = []
    for code, toks in zip(ev, tokens):
        if code not in TRANSFER_CODES or not toks:
            out.append("")
            continue
        out.append(",".join(lab for lab, ids in names.items() if toks & ids))
    return out


def _support(label: str, prop: Propagation, rows: pd.DataFrame, transferred: list[str]) -> pd.DataFrame:
    """One row per closure term of the set's gene: evidence of the rows implying it, transfer, own support."""
    direct = prop.direct
    pos = direct["line"].to_numpy() - 1  # sub-table row numbers (lines were set to 1..n)
    d = pd.DataFrame({"via_term": direct["term"].astype(str).to_numpy(),
                      "code": rows[Col.EVIDENCE.value].fillna("").astype(str).str.upper().to_numpy()[pos],
                      "from": np.asarray(transferred, dtype=object)[pos] if len(pos) else np.array([], object)})
    prov = pd.DataFrame({"via_term": prop.provenance["via_term"].astype(str).to_numpy(),
                         "term": prop.provenance["term"].astype(str).to_numpy()})
    m = prov.merge(d, on="via_term", how="inner")
    return _aggregate(label, m)


def _aggregate(label: str, m: pd.DataFrame) -> pd.DataFrame:
    m = m.assign(rank=m["code"].map(lambda c: _RANK.get(CLASS_OF_CODE.get(c, ""), _NO_CLASS)),
                 own=m["from"] == "")
    g = m.groupby("term", sort=False)
    best = g["rank"].min()
    out = pd.DataFrame({
        "set": label,
        "term": best.index.astype(str),
        "evidence_class": [EVIDENCE_ORDER[r] if r < _NO_CLASS else "" for r in best.to_numpy()],
        "evidence_codes": g["code"].agg(lambda s: "|".join(sorted(set(s) - {""}))).to_numpy(),
        "transferred_from": g["from"].agg(
            lambda s: ",".join(sorted({x for v in s for x in v.split(",") if x}))).to_numpy(),
        "own_support": g["own"].any().to_numpy(),
    })
    return out


def _negated_support(label: str, prop: Propagation, rows: pd.DataFrame, transferred: list[str]) -> pd.DataFrame:
    neg = prop.negated
    pos = neg["line"].to_numpy() - 1
    m = pd.DataFrame({"term": neg["term"].astype(str).to_numpy(),
                      "code": rows[Col.EVIDENCE.value].fillna("").astype(str).str.upper().to_numpy()[pos],
                      "from": np.asarray(transferred, dtype=object)[pos] if len(pos) else np.array([], object)})
    if m.empty:
        return pd.DataFrame(columns=["set", "term", "evidence_class", "evidence_codes", "transferred_from",
                                     "own_support"])
    return _aggregate(label, m)


# -- near misses --------------------------------------------------------------------------------

def _path_length(desc: int, anc: int, indptr: np.ndarray[Any, Any], indices: np.ndarray[Any, Any],
                 child: np.ndarray[Any, Any], parent: np.ndarray[Any, Any]) -> int:
    """Fewest child -> parent steps from term ``desc`` to its ancestor ``anc`` (ontology indices).

    Breadth-first over the edges among ``desc``'s ancestors only (a few dozen), taken from the
    ontology's edge arrays once per comparison.
    """
    allowed = indices[indptr[desc]:indptr[desc + 1]]
    sel = np.isin(child, allowed) & np.isin(parent, allowed)
    up: dict[int, list[int]] = {}
    for c, p in zip(child[sel].tolist(), parent[sel].tolist()):
        up.setdefault(c, []).append(p)
    dist = {desc: 0}
    frontier = [desc]
    while frontier and anc not in dist:
        nxt = []
        for t in frontier:
            for p in up.get(t, ()):
                if p not in dist:
                    dist[p] = dist[t] + 1
                    nxt.append(p)
        frontier = nxt
    return dist.get(anc, -1)


def _near_misses(labels: Sequence[str], direct: Mapping[str, set[str]], ontology: Ontology,
                 relations: Sequence[str]) -> pd.DataFrame:
    indptr, indices = ontology.closure(relations)
    st = ontology.state
    rel_ok = np.isin(np.asarray(st.rel_names, dtype=object)[st.edge_rel], list(relations))
    child, parent = st.edge_child[rel_ok], st.edge_parent[rel_ok]
    idx = {t: ontology.index_of(t) for terms in direct.values() for t in terms}
    anc = {t: set(indices[indptr[i]:indptr[i + 1]].tolist()) for t, i in idx.items()}
    roots = {t for t, i in idx.items() if indptr[i + 1] - indptr[i] == 1}  # no parent over the relations
    rows = []
    for a, b in combinations(labels, 2):
        only_a = sorted(direct[a] - direct[b] - roots)
        only_b = sorted(direct[b] - direct[a] - roots)
        for ta in only_a:
            for tb in only_b:
                if idx[ta] in anc[tb]:
                    rows.append((a, ta, b, tb, "ancestor", _path_length(idx[tb], idx[ta], indptr, indices,
                                                                         child, parent)))
                elif idx[tb] in anc[ta]:
                    rows.append((a, ta, b, tb, "descendant", _path_length(idx[ta], idx[tb], indptr, indices,
                                                                           child, parent)))
    cols = ["set_a", "term_a", "set_b", "term_b", "relation", "distance"]
    out = pd.DataFrame(rows, columns=cols)
    out.insert(2, "name_a", [ontology.name(t) for t in out["term_a"]])
    out.insert(5, "name_b", [ontology.name(t) for t in out["term_b"]])
    out["distance"] = out["distance"].astype(np.int64)
    return out.sort_values(["set_a", "set_b", "distance", "term_a", "term_b"], kind="stable", ignore_index=True)


# -- similarity ---------------------------------------------------------------------------------

def _nd_only_terms(rows: pd.DataFrame, ontology: Ontology) -> set[str]:
    """Primary terms of the positive rows whose only evidence is ND ("no biological data")."""
    if Col.EVIDENCE.value not in rows.columns or Col.GO_ID.value not in rows.columns:
        return set()
    qual = rows[Col.QUALIFIER.value].fillna("").astype(str) if Col.QUALIFIER.value in rows.columns else None
    keep = ~qual.str.upper().str.contains("NOT") if qual is not None else np.ones(len(rows), dtype=bool)
    nd: set[str] = set()
    other: set[str] = set()
    for go_id, code in zip(rows.loc[keep, Col.GO_ID.value].astype(str),
                           rows.loc[keep, Col.EVIDENCE.value].fillna("").astype(str).str.upper()):
        primary = ontology.resolve(go_id).primary
        if primary:
            (nd if code == "ND" else other).add(primary)
    return nd - other


def _informative(direct: Mapping[str, set[str]], nd_only: Mapping[str, set[str]], ontology: Ontology,
                 relations: Sequence[str]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per set: the direct terms that say something (no roots, no ND-only terms) and their closure."""
    indptr, indices = ontology.closure(relations)
    ids = ontology.term_ids()
    terms: dict[str, set[str]] = {}
    closure: dict[str, set[str]] = {}
    for lab, ds in direct.items():
        keep = set(informative_terms(sorted(ds - nd_only.get(lab, set())), ontology, relations))
        terms[lab] = keep
        idx = [ontology.index_of(t) for t in keep]
        closure[lab] = {ids[k] for i in idx for k in indices[indptr[i]:indptr[i + 1]].tolist()}
    return terms, closure


def _similarity(labels: Sequence[str], direct: Mapping[str, set[str]], closure: Mapping[str, set[str]],
                counts: Mapping[str, AnnotationCounts], ontology: Ontology, relations: Sequence[str],
                meta_ic: dict[str, Any]) -> pd.DataFrame:
    """One row per pair of sets and namespace (``direct``/``closure``: the informative terms)."""
    ns_of = {t: ontology.namespace(t) for terms in closure.values() for t in terms}
    rows = []
    for a, b in combinations(labels, 2):
        pooled = counts[a].pooled(counts[b])
        ic_full = information_content(pooled, ontology)
        ic = ic_full.reindex(pd.Index(sorted(closure[a] | closure[b]), dtype=object)).fillna(0.0)
        meta_ic.setdefault("pairs", {})[f"{a}|{b}"] = pooled.corpus.get("name")
        da, db_ = sorted(direct[a]), sorted(direct[b])
        r_all = resnik_matrix(da, db_, ontology, ic, relations)
        l_all = lin_matrix(da, db_, ontology, ic, relations, resnik=r_all)
        w_all = wang_matrix(da, db_, ontology, {r: WANG_WEIGHTS.get(r, 0.6) for r in relations})
        nsa = np.array([ns_of.get(t, ontology.namespace(t)) for t in da], dtype=object)
        nsb = np.array([ns_of.get(t, ontology.namespace(t)) for t in db_], dtype=object)
        for ns in ("all", *_NAMESPACES):
            if ns == "all":
                ca, cb, ia, ib = closure[a], closure[b], np.arange(len(da)), np.arange(len(db_))
            else:
                ca = {t for t in closure[a] if ns_of[t] == ns}
                cb = {t for t in closure[b] if ns_of[t] == ns}
                ia, ib = np.flatnonzero(nsa == ns), np.flatnonzero(nsb == ns)
            if not len(ia) and not len(ib):
                continue
            empty = not len(ia) or not len(ib)  # one side has nothing to compare: every measure NaN
            nan = float("nan")
            rows.append({
                "set_a": a, "set_b": b, "namespace": ns, "n_a": len(ia), "n_b": len(ib),
                "jaccard": nan if empty else jaccard(ca, cb), "simgic": nan if empty else simgic(ca, cb, ic),
                "resnik_bma": nan if empty else best_match_average(r_all[np.ix_(ia, ib)]),
                "lin_bma": nan if empty else best_match_average(l_all[np.ix_(ia, ib)]),
                "wang_bma": nan if empty else best_match_average(w_all[np.ix_(ia, ib)]),
                "ic_corpus": pooled.corpus.get("name"),
            })
    cols = ["set_a", "set_b", "namespace", "n_a", "n_b", "jaccard", "simgic", "resnik_bma", "lin_bma", "wang_bma",
            "ic_corpus"]
    return pd.DataFrame(rows, columns=cols)


# -- the comparison -----------------------------------------------------------------------------

def _as_table(value: pd.DataFrame | AnnotationSet) -> pd.DataFrame:
    if isinstance(value, AnnotationSet):
        return value.table
    if isinstance(value, pd.DataFrame):
        return value
    raise TypeError(f"expected a DataFrame or AnnotationSet, not {type(value).__name__}")


def _source_meta(value: pd.DataFrame | AnnotationSet, rows: pd.DataFrame) -> dict[str, Any]:
    dates = rows[Col.DATE.value].fillna("").astype(str) if Col.DATE.value in rows.columns else pd.Series([], dtype=object)
    dates = dates[dates != ""]
    info: dict[str, Any] = {"latest_row_date": str(dates.max()) if len(dates) else None}
    if isinstance(value, AnnotationSet):
        info.update(path=value.path, format=value.format, version=value.version,
                    date=value.header.get("generated") or value.header.get("date-generated") or value.header.get("date"),
                    go_version=value.header.get("go-version"))
    else:
        info.update(path=None, format="table")
    return info


def compare(sets: Mapping[str, pd.DataFrame | AnnotationSet], ontology: Ontology, *,
            genes: Mapping[str, str] | None = None,
            relations: Sequence[str] | str = DEFAULT_RELATIONS,
            evidence: EvidenceFilter | str | Sequence[str] | None = None,
            orthologs: pd.DataFrame | None = None,
            corpora: Mapping[str, pd.DataFrame | AnnotationSet] | None = None,
            slim: str | Iterable[str] = "goslim_generic",
            ic_cache: ICCache | None = None) -> Comparison:
    """Compare one gene across labelled annotation sets (see the module docstring).

    ``sets`` maps a label to an annotation table or a read file; ``genes`` names each set's gene
    (ID, symbol or synonym); ``orthologs`` is an ortholog table with one column per label;
    ``corpora`` overrides the table IC is computed from per label; ``slim`` is the subset (or set
    of IDs) for the ribbon; ``ic_cache`` reuses term counts across calls.
    """
    t0 = time.perf_counter()
    labels = tuple(sets)
    if len(labels) < 2:
        raise GoannotError("compare needs at least two annotation sets")
    rels = (relations,) if isinstance(relations, str) else tuple(relations)
    flt = EvidenceFilter.parse(evidence)
    tables = {lab: _as_table(v) for lab, v in sets.items()}
    unknown = [k for k in (genes or {}) if k not in tables]
    if unknown:
        raise GoannotError(f"genes names unknown set(s): {', '.join(unknown)}")

    # 1. one gene per set
    selected: dict[str, _Gene] = {}
    queries = dict(genes or {})
    if orthologs is not None:
        for lab, q in queries.items():
            selected[lab] = _select_gene(lab, tables[lab], q)
        if not selected and len(orthologs) != 1:
            raise GeneSelectionError("an ortholog table of several rows needs genes= for at least one set")
        queries = _queries_from_orthologs(labels, orthologs, genes, selected)
    for lab in labels:
        if lab not in selected:
            selected[lab] = _select_gene(lab, tables[lab], queries.get(lab))
    t_select = time.perf_counter()

    # 2. propagate each gene's rows; per-row transfer labels
    props: dict[str, Propagation] = {}
    support_frames, not_frames = [], []
    gene_rows: list[dict[str, Any]] = []
    for lab in labels:
        gene = selected[lab]
        rows = tables[lab].iloc[gene.rows].reset_index(drop=True)
        sub = rows.copy()
        sub[Col.LINE.value] = np.arange(1, len(sub) + 1, dtype=np.int64)
        sub[Col.DB.value] = "set"
        sub[Col.DB_OBJECT_ID.value] = lab
        prop = propagate(sub, ontology, rels, flt)
        props[lab] = prop
        transferred = _transferred_from(rows, gene, [selected[o] for o in labels if o != lab])
        support_frames.append(_support(lab, prop, rows, transferred))
        not_frames.append(_negated_support(lab, prop, rows, transferred))
        conflicts = {str(t) for t in prop.conflicts["term"].astype(str)}
        support_frames[-1]["conflict"] = support_frames[-1]["term"].isin(conflicts)
        gene_rows.append({"set": lab, "query": gene.query, "gene": gene.curie, "db": gene.db,
                          "db_object_id": gene.db_object_id, "symbol": gene.symbol, "matched_by": gene.matched_by,
                          "rows": len(gene.rows), "source": _source_meta(sets[lab], rows)})
    t_prop = time.perf_counter()

    direct = {lab: set(props[lab].closure.loc[props[lab].closure["direct"].to_numpy(), "term"].astype(str))
              for lab in labels}
    closure = {lab: set(props[lab].closure["term"].astype(str)) for lab in labels}
    negated = {lab: set(props[lab].negated["term"].astype(str)) for lab in labels}

    # 3. the long matrix
    support = pd.concat(support_frames, ignore_index=True)
    nots = pd.concat(not_frames, ignore_index=True)
    universe = sorted(set().union(*closure.values(), *negated.values()), key=ontology.index_of)
    grid = pd.DataFrame({"set": np.repeat(np.asarray(labels, dtype=object), len(universe)),
                         "term": np.tile(np.asarray(universe, dtype=object), len(labels))})
    pos = grid.merge(support, on=["set", "term"], how="left")
    neg = grid.merge(nots, on=["set", "term"], how="left")
    in_closure = pos["own_support"].notna().to_numpy()
    is_direct = np.array([t in direct[s] for s, t in zip(grid["set"], grid["term"])], dtype=bool)
    is_not = neg["own_support"].notna().to_numpy()
    state = np.select([is_direct, is_not, in_closure], ["direct", "NOT", "inferred"], default="absent")
    use_neg = (state == "NOT")
    matrix = pd.DataFrame({"set": grid["set"], "term": grid["term"],
                           "name": [ontology.name(t) for t in grid["term"]],
                           "namespace": [ontology.namespace(t) for t in grid["term"]],
                           "state": state})
    for col in ("evidence_class", "evidence_codes", "transferred_from"):
        matrix[col] = np.where(use_neg, neg[col].fillna("").to_numpy(dtype=object),
                               pos[col].fillna("").to_numpy(dtype=object))
    matrix["own_support"] = np.where(use_neg, neg["own_support"].fillna(False).to_numpy(dtype=bool),
                                     pos["own_support"].fillna(False).to_numpy(dtype=bool))
    matrix["conflict"] = pos["conflict"].fillna(False).to_numpy(dtype=bool) & in_closure

    # 4. shared / core / specific
    shared = _shared(labels, matrix)
    core = shared[shared["in_all"].to_numpy()].reset_index(drop=True)
    spec_rows = []
    for lab in labels:
        others = set().union(*(closure[o] for o in labels if o != lab))
        for t in sorted(direct[lab] - others, key=ontology.index_of):
            spec_rows.append((lab, t))
    specific = pd.DataFrame(spec_rows, columns=["set", "term"]).merge(
        matrix[["set", "term", "name", "namespace", "evidence_class", "evidence_codes", "transferred_from"]],
        on=["set", "term"], how="left")
    near = _near_misses(labels, direct, ontology, rels)
    t_tables = time.perf_counter()

    # 5. similarity with per-set IC corpora
    cache = ic_cache if ic_cache is not None else ICCache()
    counts: dict[str, AnnotationCounts] = {}
    meta_ic: dict[str, Any] = {"definition": "IC(t) = -ln(genes annotated to t or a descendant / genes "
                                             "annotated in t's namespace); pairs use pooled corpora",
                               "sets": {}}
    corpus_of: dict[str, pd.DataFrame | AnnotationSet] = {}
    for lab in labels:
        if corpora is not None and lab in corpora:
            corpus_of[lab] = corpora[lab]
        elif not _single_gene(tables[lab]):
            corpus_of[lab] = sets[lab]
    for lab in labels:
        if lab in corpus_of:
            c = cache.counts(corpus_of[lab], ontology, rels, flt, name=_corpus_name(lab, corpus_of[lab]))
        else:
            fallback = [o for o in labels if o in corpus_of]
            if not fallback:
                log.warning("no set has a multi-gene corpus; IC is computed from the compared genes only")
                c = cache.counts(pd.concat([tables[o] for o in labels], ignore_index=True), ontology, rels, flt,
                                 name="the compared genes")
            else:
                parts = [cache.counts(corpus_of[o], ontology, rels, flt, name=_corpus_name(o, corpus_of[o]))
                         for o in fallback]
                c = parts[0].pooled(*parts[1:])
                log.info("set %r holds one gene; its IC comes from %s", lab, c.corpus.get("name"))
        counts[lab] = c
        meta_ic["sets"][lab] = {"corpus": c.corpus.get("name"), "genes": c.corpus.get("genes"),
                                "namespace_genes": c.corpus.get("namespace_genes")}
    t_ic = time.perf_counter()
    nd_only = {lab: _nd_only_terms(tables[lab].iloc[selected[lab].rows], ontology) for lab in labels}
    sim_direct, sim_closure = _informative(direct, nd_only, ontology, list(props[labels[0]].meta["relations"]))
    similarity = _similarity(labels, sim_direct, sim_closure, counts, ontology, rels, meta_ic)
    ribbon = ribbon_counts({lab: props[lab] for lab in labels}, ontology, slim, rels)
    t_end = time.perf_counter()

    meta: dict[str, Any] = {
        "relations": list(props[labels[0]].meta["relations"]),
        "evidence": flt.spec,
        "ontology": {"data_version": ontology.data_version, "sha256": ontology.provenance.sha256,
                     "path": ontology.provenance.path},
        "sets": {row["set"]: {k: v for k, v in row.items() if k != "set"} for row in gene_rows},
        "transfer_codes": sorted(TRANSFER_CODES),
        "slim": slim if isinstance(slim, str) else sorted(slim),
        "ic": meta_ic,
        "seconds": {"select": t_select - t0, "propagate": t_prop - t_select, "tables": t_tables - t_prop,
                    "ic": t_ic - t_tables, "similarity_ribbon": t_end - t_ic, "total": t_end - t0},
    }
    genes_table = pd.DataFrame([{**{k: v for k, v in r.items() if k != "source"},
                                 "source": r["source"].get("path") or "table"} for r in gene_rows])
    log.info("compared %s: %d terms, %d core, %d specific, %d near misses in %.2f s",
             ", ".join(f"{lab}={selected[lab].curie}" for lab in labels), len(universe), len(core),
             len(specific), len(near), t_end - t0)
    return Comparison(sets=labels, genes=genes_table, matrix=matrix, shared=shared, core=core, specific=specific,
                      near_misses=near, similarity=similarity, ribbon=ribbon, propagations=props, meta=meta)


def _corpus_name(label: str, value: pd.DataFrame | AnnotationSet) -> str:
    if isinstance(value, AnnotationSet) and value.path:
        return str(value.path).rsplit("/", 1)[-1]
    return f"{label} table"


def _shared(labels: Sequence[str], matrix: pd.DataFrame) -> pd.DataFrame:
    """Terms in at least two sets' closures, with the independent / circular split."""
    cols = ["term", "name", "namespace", "sets", "n_sets", "in_all", "direct_in", "support", "circular_sets"]
    present = matrix[matrix["state"].isin(["direct", "inferred"]).to_numpy()]  # matrix is set-major
    n = present.groupby("term", sort=False)["set"].transform("size")
    present = present[(n >= 2).to_numpy()]
    if present.empty:
        return pd.DataFrame(columns=cols)
    circ = present["set"].where(~present["own_support"], None)
    circ = (circ + "<-" + present["transferred_from"]).where(~present["own_support"], "")
    work = present.assign(circ=circ, dset=present["set"].where(present["state"] == "direct", ""))
    g = work.groupby("term", sort=False)

    def join(sep: str) -> Any:
        return lambda s: sep.join(x for x in s if x)

    out = pd.DataFrame({
        "name": g["name"].first(), "namespace": g["namespace"].first(),
        "sets": g["set"].agg(",".join), "n_sets": g["set"].size(),
        "direct_in": g["dset"].agg(join(",")), "circular_sets": g["circ"].agg(join("; ")),
    })
    out["in_all"] = out["n_sets"] == len(labels)
    out["support"] = np.where(out["circular_sets"] != "", "circular", "independent")
    out = out.reset_index()
    order = {t: k for k, t in enumerate(pd.unique(matrix["term"]))}
    out = out.sort_values("term", key=lambda s: s.map(order), kind="stable", ignore_index=True)
    return out[cols]


# -- report helpers -----------------------------------------------------------------------------

def comparison_tables(comp: Comparison) -> dict[str, pd.DataFrame]:
    """Named tables of a comparison, ready to write as TSV (``<name>.tsv``)."""
    return {
        "genes": comp.genes,
        "matrix": comp.matrix,
        "matrix_wide": comp.wide("state"),
        "shared": comp.shared,
        "core": comp.core,
        "specific": comp.specific,
        "near_misses": comp.near_misses,
        "similarity": comp.similarity,
        "ribbon": comp.ribbon,
    }


def _join(labels: Sequence[str]) -> str:
    labels = list(labels)
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def summary_facts(comp: Comparison) -> list[str]:
    """Short sentences stating what a comparison found (counts per namespace, transfers, similarity)."""
    facts = []
    genes = ", ".join(f"{lab} {sym or gene} ({gene})" for lab, sym, gene in
                      zip(comp.genes["set"], comp.genes["symbol"], comp.genes["gene"]))
    facts.append(f"Compared {genes} over {'+'.join(comp.meta['relations'])}, evidence {comp.meta['evidence']}.")
    every = _join(comp.sets)
    for ns in _NAMESPACES:
        core = comp.core[comp.core["namespace"] == ns]
        if core.empty:
            continue
        circ = core[core["support"] == "circular"]
        sentence = f"{len(core)} {_SHORT_NS[ns]} terms shared by {every}"
        if len(circ):
            sources = sorted({src for v in circ["circular_sets"] for p in v.split("; ")
                              for src in p.partition("<-")[2].split(",") if src})
            sentence += (f"; {len(circ)} of them supported in some set only by transfer"
                         + (f" from {_join(sources)}" if sources else ""))
        facts.append(sentence + ".")
    for lab in comp.sets:
        spec = comp.specific[comp.specific["set"] == lab]
        if len(spec):
            names = ", ".join(f"{n} ({t})" for t, n in zip(spec["term"].head(3), spec["name"].head(3)))
            more = f" and {len(spec) - 3} more" if len(spec) > 3 else ""
            noun = "direct term" if len(spec) == 1 else "direct terms"
            facts.append(f"{len(spec)} {noun} only in {lab}: {names}{more}.")
    tr = comp.matrix[(comp.matrix["state"] == "direct") & (comp.matrix["transferred_from"] != "")
                     & ~comp.matrix["own_support"]]
    for lab in comp.sets:
        rows = tr[tr["set"] == lab]
        if len(rows):
            src = sorted({x for v in rows["transferred_from"] for x in v.split(",") if x})
            facts.append(f"{len(rows)} direct terms of {lab} rest only on transfer from {_join(src)}.")
    n_not = int((comp.matrix["state"] == "NOT").sum())
    if n_not:
        facts.append(f"{n_not} NOT annotations among the sets.")
    if len(comp.near_misses):
        close = int((comp.near_misses["distance"] == 1).sum())
        facts.append(f"{len(comp.near_misses)} near misses (a direct term of one set is an ancestor or descendant "
                     f"of another's), {close} of them one step apart.")
    sim = comp.similarity[comp.similarity["namespace"] == "all"]
    for r in sim.itertuples():
        facts.append(f"{r.set_a} vs {r.set_b}: Jaccard {r.jaccard:.2f}, SimGIC {r.simgic:.2f}, "
                     f"Resnik BMA {r.resnik_bma:.2f}, Lin BMA {r.lin_bma:.2f}.")
    return facts
