"""GO enrichment analysis: Fisher's exact test of a study gene list against a population, per term.

:func:`enrich` gives the numbers goatools' ``GOEnrichmentStudy`` gives on the same inputs (p-values
to a relative difference below 1e-9; the tests check it on the full human GAF), in a fraction of the
time: the annotations are propagated once with :func:`goannot.propagate.closure_pairs` (the lean
core of :func:`~goannot.propagate.propagate`: integer pairs, no tables), and the per-term counts are
two ``np.bincount`` calls over the propagated (gene, term) pairs restricted to the population and
to the study. The statistics are :mod:`goannot.stats`.

Definitions (each one is goatools' unless stated)
-------------------------------------------------
population size ``pop_n``
    The number of distinct population items given, annotated or not: goatools'
    ``GOEnrichmentStudy`` sets ``pop_n = len(pop)`` and never looks at whether a population gene has
    annotations. Items are identified after identifier matching (two spellings of one gene count
    once); an item that matches no gene of the annotations still counts, as its own item (an
    unannotated gene of the background). ``population=None`` means every gene the annotation table
    mentions (any aspect, any qualifier). ``all_annotated_population=True`` instead keeps, per
    namespace, only the population genes with at least one (propagated) annotation in that namespace,
    and the study genes among them: topGO's "feasible genes"; it is *not* goatools' definition and
    ``meta['population']['definition']`` says which one was used.
study size ``study_n``
    Study items that are also population items (goatools' ``study_in_pop``). Study IDs outside the
    population are listed in ``meta['study']['not_in_population']`` and produce a warning.
terms tested
    Every term of the namespace with at least one population gene (goatools' ``allterms``).
corrections
    Per namespace by default (what ``GOEnrichmentStudyNS`` does: one ``GOEnrichmentStudy`` per
    namespace); ``correct_per_namespace=False`` corrects all tested terms of all namespaces together
    (a single ``GOEnrichmentStudy`` over an association of every namespace).
corrected p-values
    :func:`goannot.stats.adjust_pvalues`, i.e. statsmodels' ``multipletests``. goatools computes
    ``fdr_bh``, ``fdr_by`` and ``holm-sidak`` with statsmodels too, and its ``bonferroni`` equals
    statsmodels'; but its default ``holm`` and ``sidak`` are local variants: ``holm`` multiplies each
    p-value by the number of remaining tests without the step-down maximum (not monotone), and
    ``sidak`` multiplies by ``alpha / (1 - (1 - alpha) ** (1 / n))``, an alpha-dependent rescaling
    rather than Sidak's ``1 - (1 - p) ** n``. goannot's ``p_holm`` / ``p_sidak`` equal goatools'
    ``p_sm_holm`` / ``p_sm_sidak`` (methods ``sm_holm``, ``sm_sidak``).
depth
    goatools' ``GOTerm.depth``: the *longest* is_a path to a root (``Ontology.depth`` is the
    shortest, goatools' ``level``).
propagation
    :func:`goannot.propagate.closure_pairs`: positive rows only (NOT rows set apart), secondary IDs
    mapped to their primary term, obsolete and unknown IDs dropped, ancestors over ``relations``
    (always including ``is_a``); the same gene -> terms mapping as goatools' ``update_association``
    with ``relationships``. A term is tested in the namespace the ontology gives it, whatever the
    GAF aspect column says.

Identifiers
-----------
Study and population items are matched to genes of the annotation table with
:class:`goannot.genes.GeneIndex` (the one gene matcher of goannot): by ID first (the gene label
``db:db_object_id`` such as ``UniProtKB:P04637``, or ``db_object_id`` alone, also with a UniProt
isoform suffix ``P04637-2``), then the symbol (``db_object_symbol``), then a GAF synonym
(``db_object_synonym``); within each tier the exact spelling before any case. The first tier that
matches decides; a query matching several genes under that tier is ``ambiguous`` and stands for all
of them (listed in the diagnostics). ``EnrichmentResult.identifiers`` has one row per (role, query,
gene). A gene's symbol and synonyms are those of its first row.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .columns import Col
from .errors import GoannotError
from .evidence import EvidenceFilter
from .genes import GeneIndex, normalize_taxa
from .ontology import DEFAULT_RELATIONS, Ontology
from .propagate import ClosurePairs, Propagation, closure_pairs
from .stats import CORRECTION_METHODS, Alternative, adjust_pvalues, enrichment_direction, fisher_exact_pvalues

__all__ = [
    "EnrichmentResult",
    "PreparedAnnotations",
    "prepare_annotations",
    "enrich",
    "match_identifiers",
    "longest_isa_depth",
    "NAMESPACES",
    "RESULT_COLUMNS",
]

log = logging.getLogger(__name__)

_I64 = npt.NDArray[np.int64]
_BOOL = npt.NDArray[np.bool_]

#: Short namespace code -> GO namespace name, in goatools' order.
NAMESPACES: dict[str, str] = {"BP": "biological_process", "MF": "molecular_function",
                              "CC": "cellular_component"}
_NS_OF_NAME = {v: k for k, v in NAMESPACES.items()}
_ASPECT_OF_NS = {"BP": "P", "MF": "F", "CC": "C"}

#: The leading columns of :attr:`EnrichmentResult.table`, in goatools' default print order; one
#: ``p_<method>`` column per correction goes before ``study_items``, then numeric extras follow.
RESULT_COLUMNS: tuple[str, ...] = ("GO", "NS", "enrichment", "name", "ratio_in_study", "ratio_in_pop",
                                   "fold_enrichment", "p_uncorrected", "depth", "study_count")
_EXTRA_COLUMNS = ("study_n", "pop_count", "pop_n")

#: Backgrounds smaller than this many genes get a warning.
MIN_BACKGROUND = 1000
#: ... and so do backgrounds smaller than this many times the study.
MIN_BACKGROUND_RATIO = 5


# -- prepared annotations ----------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class PreparedAnnotations:
    """Annotations propagated once, ready for many enrichment runs (see :func:`prepare_annotations`).

    Genes are coded 0..n-1: ``gene_labels[k]`` (``db:db_object_id``) and row k of ``genes`` (the
    :class:`~goannot.genes.GeneIndex` queries are matched with) are gene k. ``pair_gene`` /
    ``pair_term`` are the distinct propagated (gene, term) pairs, as gene codes and indices into
    ``ontology.term_ids()``, restricted to the terms of ``namespaces``.
    """

    ontology: Ontology
    relations: tuple[str, ...]
    evidence: str
    namespaces: tuple[str, ...]
    gene_labels: list[str]
    genes: GeneIndex
    pair_gene: _I64
    pair_term: _I64
    source: dict[str, Any]
    propagation: dict[str, Any]

    @cached_property
    def pair_namespace(self) -> _I64:
        """Index into ``namespaces`` of each pair's term (-1 if none)."""
        return _term_namespace_codes(self.ontology, self.namespaces)[self.pair_term]

    @cached_property
    def label_index(self) -> pd.Index:
        """``gene_labels`` as an Index (label -> gene code)."""
        return pd.Index(self.gene_labels, dtype=object)


def _table_of(annotations: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The annotation table and what is known of its file (an AnnotationSet or a bare DataFrame)."""
    if isinstance(annotations, pd.DataFrame):
        return annotations, {"path": None}
    table = getattr(annotations, "table", None)
    if not isinstance(table, pd.DataFrame):
        raise GoannotError(f"annotations: expected an annotation table, an AnnotationSet, a Propagation "
                           f"or PreparedAnnotations, not {type(annotations).__name__}")
    header = dict(getattr(annotations, "header", {}) or {})
    path = getattr(annotations, "path", None)
    info: dict[str, Any] = {"path": str(path) if path else None,
                            "format": getattr(annotations, "format", None),
                            "version": getattr(annotations, "version", None),
                            "date": header.get("date-generated") or header.get("generated") or header.get("date"),
                            "go_version": header.get("go-version")}
    if path:
        try:
            from .sources import content_hash
            info["sha256"] = content_hash(path)
        except OSError as exc:  # the file moved since it was read: the rest of the provenance stands
            log.debug("no hash of %s: %s", path, exc)
    return table, info


def _normalize_ns(ns: Iterable[str] | str) -> tuple[str, ...]:
    items = [ns] if isinstance(ns, str) else list(ns)
    out: list[str] = []
    for item in items:
        key = item.strip()
        code = key.upper() if key.upper() in NAMESPACES else _NS_OF_NAME.get(key.lower())
        if code is None:
            code = {"P": "BP", "F": "MF", "C": "CC"}.get(key.upper())
        if code is None:
            raise GoannotError(f"unknown namespace {item!r}; expected BP, MF or CC")
        out.append(code)
    if not out:
        raise GoannotError("no namespace to test")
    return tuple(dict.fromkeys(out))


def _term_namespace_codes(ontology: Ontology, namespaces: Sequence[str]) -> _I64:
    """Per term (index order): position of its namespace in ``namespaces``, -1 for the others."""
    names = np.asarray(ontology.namespaces_array(), dtype=object)
    codes = np.full(len(names), -1, dtype=np.int64)
    for k, code in enumerate(namespaces):
        codes[names == NAMESPACES[code]] = k
    return codes


def _gene_index(cp: ClosurePairs) -> GeneIndex:
    """The :class:`GeneIndex` of the genes of ``cp`` (row k is gene k): db, id and, from each gene's
    first row, symbol, taxon and synonyms."""
    genes = pd.DataFrame({"db": cp.gene_db, "id": cp.gene_id,
                          "symbol": cp.first_values(Col.DB_OBJECT_SYMBOL.value),
                          "taxon": normalize_taxa(pd.Series(cp.first_values(Col.TAXON.value), dtype=object)),
                          "source": "annotations"})
    synonyms = pd.Series(cp.first_values(Col.DB_OBJECT_SYNONYM.value), dtype=object)  # split on first use
    return GeneIndex.from_records(genes, synonyms, row_genes=cp.row_gene)


def prepare_annotations(annotations: Any, ontology: Ontology,
                        relations: Sequence[str] | str = DEFAULT_RELATIONS,
                        evidence: EvidenceFilter | str | Sequence[str] | None = None,
                        ns: Iterable[str] | str = ("BP", "MF", "CC")) -> PreparedAnnotations:
    """Propagate ``annotations`` once so that many studies can be tested against them.

    ``annotations`` is the annotation table, an :class:`~goannot.annotations.AnnotationSet` (its
    path, date and hash go into the provenance) or a :class:`~goannot.propagate.Propagation` (then
    ``relations`` and ``evidence`` are the ones it was made with). :func:`enrich` calls this itself
    when given anything else than a :class:`PreparedAnnotations`. The pairs come from
    :func:`goannot.propagate.closure_pairs`, restricted to the tested aspects (which keeps the
    closure small); the genes are every gene of the table, any aspect or qualifier.
    """
    namespaces = _normalize_ns(ns)
    rels = (relations,) if isinstance(relations, str) else tuple(relations)
    flt = EvidenceFilter.parse(evidence)
    if isinstance(annotations, Propagation):
        prop = annotations
        g = prop.genes
        labels = [str(x) for x in g["gene"].astype(str).tolist()]
        index = GeneIndex.from_records(pd.DataFrame({"db": g["db"].astype(str).to_numpy(),
                                                     "id": g["db_object_id"].astype(str).to_numpy(),
                                                     "symbol": g["symbol"].astype(str).to_numpy()}))
        source: dict[str, Any] = {"path": None, "note": "given as a Propagation"}
        closure = prop.closure
        genes = closure["gene"].cat.codes.to_numpy().astype(np.int64)
        terms = closure["term"].cat.codes.to_numpy().astype(np.int64)
        pmeta = dict(prop.meta)
        rels = tuple(pmeta.get("relations", rels))
        ev_spec = str(pmeta.get("evidence", flt.spec))
    else:
        table, source = _table_of(annotations)
        cp = closure_pairs(table, ontology, rels, flt, aspects=[_ASPECT_OF_NS[n] for n in namespaces])
        labels = list(cp.gene_labels)
        index = _gene_index(cp)
        genes, terms = cp.pair_gene, cp.pair_term
        rels, ev_spec = cp.relations, cp.evidence
        n_kept = np.zeros(cp.n_genes, dtype=bool)
        n_kept[cp.row_gene[cp.used_rows]] = True
        n_kept[cp.row_gene[cp.negated_rows]] = True
        pmeta = {"relations": list(cp.relations), "evidence": cp.evidence, "rows": dict(cp.rows),
                 "genes": int(n_kept.sum()), "closure_pairs": int(len(cp.pair_gene))}
    keep = _term_namespace_codes(ontology, namespaces)[terms] >= 0
    return PreparedAnnotations(ontology=ontology, relations=tuple(rels), evidence=ev_spec, namespaces=namespaces,
                               gene_labels=labels, genes=index, pair_gene=genes[keep], pair_term=terms[keep],
                               source=source, propagation=pmeta)


# -- identifiers -------------------------------------------------------------------------------

_ID_COLUMNS = ("query", "gene", "kind", "status")
_KIND_OF_VIA = {"symbol": "symbol", "symbol-ci": "symbol_nocase", "synonym": "synonym",
                "synonym-ci": "synonym_nocase", "id-ci": "id_nocase"}
_ISOFORM = re.compile(r"-\d+$")


def _match(queries: Sequence[str], prepared: PreparedAnnotations) -> tuple[pd.DataFrame, _I64]:
    """:func:`match_identifiers` and the gene code of every row (-1 when unmatched)."""
    qs = list(dict.fromkeys(q.strip() for q in queries if q and q.strip()))
    got = prepared.genes.match(qs)
    gene = got["gene"].to_numpy(dtype=np.int64)
    # one extra '' slot: unmatched rows (gene -1) read it
    labels = np.append(np.asarray(prepared.gene_labels, dtype=object), "")
    ids = np.append(prepared.genes.genes["id"].to_numpy(dtype=object), "")
    query = got["query"].to_numpy(dtype=object)
    via = got["via"].to_numpy(dtype=object)
    pick = np.where(gene >= 0, gene, len(labels) - 1)
    by_id = (gene >= 0) & (via == "id")
    is_label = query == labels[pick]
    is_bare = query == ids[pick]
    isoform = np.fromiter((_ISOFORM.search(q) is not None for q in query[by_id & ~is_label & ~is_bare].tolist()),
                          dtype=bool)
    id_kind = np.where(is_label, "label", np.where(is_bare, "db_object_id", "label"))
    rest = np.flatnonzero(by_id & ~is_label & ~is_bare)
    id_kind[rest] = np.where(isoform, "isoform",
                             np.where([":" in q for q in query[rest].tolist()], "label", "db_object_id"))
    other_kind = np.array([_KIND_OF_VIA.get(v, v) for v in via.tolist()], dtype=object)
    kinds = np.where(gene < 0, "", np.where(by_id, id_kind, other_kind))
    n = got["n"].to_numpy(dtype=np.int64)
    status = np.where(gene < 0, "unmatched", np.where(n > 1, "ambiguous", "matched"))
    frame = pd.DataFrame({"query": pd.Series(query, dtype=object),
                          "gene": pd.Series(np.where(gene >= 0, labels[pick], ""), dtype=object),
                          "kind": pd.Series(kinds, dtype=object), "status": pd.Series(status, dtype=object)})
    return frame, gene


def match_identifiers(queries: Sequence[str], prepared: PreparedAnnotations) -> pd.DataFrame:
    """Match user identifiers to the genes of the annotations (rules in the module docstring).

    Returns one row per (query, gene) with ``query``, ``gene`` (the label, '' when unmatched),
    ``kind`` (``label``, ``db_object_id``, ``isoform``, ``id_nocase``, ``symbol``, ``synonym``, the
    last two also as ``symbol_nocase`` / ``synonym_nocase``) and ``status`` (``matched``,
    ``ambiguous``, ``unmatched``). Queries are stripped, empty ones dropped, first-appearance order
    kept.
    """
    return _match(queries, prepared)[0]


# -- depth ----------------------------------------------------------------------------------------

def longest_isa_depth(ontology: Ontology) -> _I64:
    """goatools' ``depth`` of every term (index order): the longest is_a path to a root.

    Computed by relaxing ``depth[child] >= depth[parent] + 1`` over all is_a edges at once until
    nothing changes (as many rounds as the deepest path); kept with the ontology.
    """
    return ontology.derived(("goannot.enrich", "isa_depth"), lambda: _isa_depth(ontology))


def _isa_depth(ontology: Ontology) -> _I64:
    s = ontology.state
    n = len(s.ids)
    depth = np.zeros(n, dtype=np.int64)
    if "is_a" in s.rel_names:
        code = s.rel_names.index("is_a")
        sel = s.edge_rel == code
        child = s.edge_child[sel].astype(np.int64)
        parent = s.edge_parent[sel].astype(np.int64)
        for _ in range(n + 1):
            new = depth.copy()
            np.maximum.at(new, child, depth[parent] + 1)
            if np.array_equal(new, depth):
                break
            depth = new
        else:  # pragma: no cover - a cycle; dagcheck reports it
            log.warning("is_a cycle: depths are not well defined")
    return depth


# -- the result -----------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class _Data:
    """What collapse_elim, plots and comparisons need beyond the table."""

    prepared: PreparedAnnotations
    pop_mask: _BOOL            # over the genes: in the population (per namespace if annotated-only)
    study_mask: _BOOL          # over the genes: study genes in the population
    pop_masks: dict[str, _BOOL]
    study_masks: dict[str, _BOOL]
    display: dict[int, str]    # gene -> the study query that named it
    extra_pop: int             # population items that matched no gene (count in pop_n)
    extra_study: int           # of which in the study


@dataclass(frozen=True, eq=False)
class EnrichmentResult:
    """The outcome of :func:`enrich`.

    ``table``
        one row per tested term, goatools' columns (:data:`RESULT_COLUMNS`, ``p_<method>`` per
        correction, ``study_items``) plus ``study_n``, ``pop_count``, ``pop_n``; sorted like
        goatools (enriched first, then namespace, then uncorrected p-value; GO ID breaks ties).
    ``meta``
        provenance and diagnostics, JSON-ready (see :func:`enrich`).
    ``identifiers``
        identifier matching of every study and population query: role, query, gene, kind, status.
    """

    table: pd.DataFrame
    meta: dict[str, Any]
    identifiers: pd.DataFrame
    data: _Data | None = field(default=None, repr=False)

    def significant(self, method: str | None = None, alpha: float | None = None) -> pd.DataFrame:
        """Rows whose ``p_<method>`` (default: the first correction) is below ``alpha`` (default: meta's)."""
        corrections = self.meta.get("corrections") or []
        col = f"p_{method or (corrections[0] if corrections else 'uncorrected')}"
        if col not in self.table.columns:
            raise GoannotError(f"no column {col} in this result")
        a = self.meta.get("alpha", 0.05) if alpha is None else alpha
        return self.table[self.table[col] < a]

    @property
    def warnings(self) -> list[str]:
        """Warnings about the inputs (background size, study outside the population, unmatched IDs)."""
        return list(self.meta.get("warnings", []))

    def _fields(self) -> dict[str, Any]:
        from ._display import file_name

        m = self.meta
        rel = m.get("releases", {})
        return {"tested": len(self.table), "significant": m.get("n_significant"),
                "study": m.get("study", {}).get("study_n"), "unmatched": len(m.get("study", {}).get("unmatched", [])),
                "go": rel.get("ontology", {}).get("data_version"),
                "annotations": file_name(rel.get("annotations", {}).get("path"))}

    def __repr__(self) -> str:
        from ._display import short_repr

        return short_repr("EnrichmentResult", self._fields())

    def _repr_html_(self) -> str:
        from ._display import html_summary

        cols = [c for c in ("GO", "NS", "enrichment", "name", "ratio_in_study", "ratio_in_pop", "p_uncorrected")
                if c in self.table.columns] + [c for c in self.table.columns if c.startswith("p_")][1:2]
        table = self.significant() if len(self.table) else self.table
        return html_summary("EnrichmentResult", self._fields(), table[cols], "significant terms")


# -- enrich ---------------------------------------------------------------------------------------

def _study_items(genes: _I64, terms: _I64, display: Mapping[int, str], labels: Sequence[str]
                 ) -> dict[int, str]:
    """term -> goatools-style ``", ".join(sorted(items))`` of the study genes annotated to it."""
    if len(genes) == 0:
        return {}
    order = np.argsort(terms, kind="stable")
    t_sorted = terms[order]
    names = np.array([display.get(g, labels[g]) for g in genes[order].tolist()], dtype=object)
    bounds = np.flatnonzero(np.diff(t_sorted)) + 1
    starts = np.concatenate(([0], bounds))
    out: dict[int, str] = {}
    for k, chunk in enumerate(np.split(names, bounds)):
        out[int(t_sorted[starts[k]])] = ", ".join(sorted(set(chunk.tolist())))
    return out


def enrich(study: Iterable[str], population: Iterable[str] | None, annotations: Any, ontology: Ontology,
           ns: Iterable[str] | str = ("BP", "MF", "CC"), relations: Sequence[str] | str = DEFAULT_RELATIONS,
           evidence: EvidenceFilter | str | Sequence[str] | None = None,
           corrections: Sequence[str] | str = ("bonferroni", "fdr_bh"), alpha: float = 0.05, *,
           correct_per_namespace: bool = True, all_annotated_population: bool = False,
           min_study_count: int = 0, alternative: Alternative | None = None, algorithm: str = "classic",
           elim_cutoff: float = 0.01, elim_bonferroni: bool = False) -> EnrichmentResult:
    """Test every GO term for over- and under-representation in ``study`` against ``population``.

    ``study`` and ``population`` are gene identifiers (accessions, ``db:id`` labels, symbols or GAF
    synonyms; see the module docstring); ``population=None`` uses every gene of the annotations.
    ``annotations`` is an annotation table, an AnnotationSet, a Propagation or, to run many studies
    against the same background, a :class:`PreparedAnnotations` (then ``relations`` and
    ``evidence`` must be the ones it was prepared with, and ``ns`` among its namespaces).
    ``alternative`` is Fisher's alternative (goatools' default, two-sided; ``"greater"`` tests
    over-representation only). ``corrections`` are names of :data:`goannot.stats.CORRECTION_METHODS`
    (goatools' ``methods``). ``min_study_count`` leaves out, before the correction, terms with fewer
    study genes (0 keeps goatools' behaviour; note that it drops the terms that could be purified).
    ``algorithm`` scores the terms: ``classic`` (each on its own), or topGO's ``elim`` (equal to
    goatools 1.6.9's ``algorithm="elim"``; ``elim_cutoff``, ``elim_bonferroni``), ``weight01`` or
    ``parentchild`` (:mod:`goannot.enrich_algorithms`); these need ``alternative="greater"`` (their
    default; ``None`` means two-sided for classic) and add a column: ``elim_genes`` (genes removed
    from the term) or, for parentchild, ``parent_genes`` (the genes of its parents, the test's
    population). Their p-values are conditioned on
    the neighbouring terms, and topGO reads them as already corrected; ``corrections`` still apply.

    ``meta`` holds: ``releases`` (ontology path/data_version/sha256, annotation file path, date, hash),
    ``relations``, ``evidence``, ``namespaces``, ``alternative``, ``corrections``, ``alpha``,
    ``correction_scope`` (``per_namespace`` or ``all_namespaces``), ``population`` (items given,
    matched, ``pop_n`` per namespace, annotated genes per namespace, the definition used),
    ``study`` (given, ``study_n`` per namespace, ``unmatched``, ``not_in_population``,
    ``ambiguous``), ``warnings``, ``n_tested`` and ``n_significant`` per correction, ``seconds``.
    """
    t0 = time.perf_counter()
    from .enrich_algorithms import ALGORITHMS, term_pvalues

    if algorithm not in ALGORITHMS:
        raise GoannotError(f"unknown algorithm {algorithm!r}; expected one of {', '.join(ALGORITHMS)}")
    if algorithm != "classic" and alternative not in (None, "greater"):
        raise GoannotError(f"the {algorithm} algorithm tests over-representation only (alternative='greater'), "
                           f"not {alternative!r}")
    alternative = alternative or ("two-sided" if algorithm == "classic" else "greater")
    extra_col = "parent_genes" if algorithm == "parentchild" else "elim_genes"
    namespaces = _normalize_ns(ns)
    methods = [corrections] if isinstance(corrections, str) else list(corrections)
    for m in methods:
        if m not in CORRECTION_METHODS:
            raise GoannotError(f"unknown correction {m!r}; expected one of {', '.join(CORRECTION_METHODS)}")
    if not 0.0 < alpha < 1.0:
        raise GoannotError(f"alpha must be in (0, 1), not {alpha}")
    if isinstance(annotations, PreparedAnnotations):
        prepared = annotations
        missing_ns = [n for n in namespaces if n not in prepared.namespaces]
        if missing_ns:
            raise GoannotError(f"prepared annotations do not cover namespace(s) {', '.join(missing_ns)}")
        want_rels = (relations,) if isinstance(relations, str) else tuple(relations)
        if set(want_rels) | {"is_a"} != set(prepared.relations):
            raise GoannotError(f"prepared annotations were propagated over {'+'.join(prepared.relations)}, "
                               f"not {'+'.join(want_rels)}")
        want_ev = EvidenceFilter.parse(evidence).spec
        if want_ev != prepared.evidence:
            raise GoannotError(f"prepared annotations use evidence filter {prepared.evidence!r}, not {want_ev!r}")
    else:
        prepared = prepare_annotations(annotations, ontology, relations, evidence, namespaces)
    if prepared.ontology is not ontology:
        raise GoannotError("the prepared annotations were propagated over another ontology object")
    t_prep = time.perf_counter()
    n_uni = len(prepared.gene_labels)
    names = prepared.gene_labels
    study_list = [str(s) for s in study]

    # Identifiers -> genes; unmatched items keep their own key (goatools counts them in pop_n).
    sid, s_gene = _match(study_list, prepared)
    sid.insert(0, "role", "study")
    study_mask_all = np.zeros(n_uni, dtype=bool)
    s_genes = s_gene[s_gene >= 0]
    study_mask_all[s_genes] = True
    display: dict[int, str] = {}
    for g, q in zip(s_genes.tolist(), sid["query"].to_numpy(dtype=object)[s_gene >= 0].tolist()):
        display.setdefault(int(g), q)
    study_unmatched = sid.loc[sid["status"] == "unmatched", "query"].tolist()
    if population is None:
        pid = pd.DataFrame(columns=["role", *_ID_COLUMNS])
        pop_mask_all = np.ones(n_uni, dtype=bool)
        pop_unmatched: list[str] = []
        pop_given: int | None = None
    else:
        pop_list = [str(p) for p in population]
        pop_given = len(pop_list)
        pid, p_gene = _match(pop_list, prepared)
        pid.insert(0, "role", "population")
        pop_mask_all = np.zeros(n_uni, dtype=bool)
        pop_mask_all[p_gene[p_gene >= 0]] = True
        pop_unmatched = pid.loc[pid["status"] == "unmatched", "query"].tolist()
    identifiers = pd.concat([sid, pid], ignore_index=True)
    # Study items outside the population: matched genes not in it, unmatched IDs not among the
    # population's unmatched IDs (goatools compares raw strings there).
    pop_unmatched_set = set(pop_unmatched)
    extra_pop = len(pop_unmatched_set)
    extra_study_items = [q for q in study_unmatched if q in pop_unmatched_set] if population is not None else []
    not_in_pop_genes = np.flatnonzero(study_mask_all & ~pop_mask_all)
    not_in_population = sorted({display.get(int(g), names[g]) for g in not_in_pop_genes.tolist()}
                               | {q for q in study_unmatched if q not in pop_unmatched_set})
    study_in_pop = study_mask_all & pop_mask_all

    # Per namespace: counts by bincount over the propagated pairs.
    term_ids = ontology.term_ids()
    n_terms = len(term_ids)
    ns_of_term = ontology.namespaces_array()
    depth_all = longest_isa_depth(ontology)
    pair_gene, pair_term = prepared.pair_gene, prepared.pair_term
    pair_ns = _pair_namespace_codes(prepared)
    frames: list[pd.DataFrame] = []
    pop_n_of: dict[str, int] = {}
    study_n_of: dict[str, int] = {}
    annotated_of: dict[str, int] = {}
    pop_masks: dict[str, _BOOL] = {}
    study_masks: dict[str, _BOOL] = {}
    for k, code in enumerate(namespaces):
        in_ns = pair_ns == list(prepared.namespaces).index(code)
        g_ns, t_ns = pair_gene[in_ns], pair_term[in_ns]
        annotated = np.zeros(n_uni, dtype=bool)
        annotated[g_ns] = True
        if all_annotated_population:
            pmask = pop_mask_all & annotated
            smask = study_in_pop & annotated
            pop_n = int(pmask.sum())
            study_n = int(smask.sum())
        else:
            pmask, smask = pop_mask_all, study_in_pop
            pop_n = int(pmask.sum()) + extra_pop
            study_n = int(smask.sum()) + len(extra_study_items)
        pop_masks[code], study_masks[code] = pmask, smask
        pop_n_of[code], study_n_of[code] = pop_n, study_n
        annotated_of[code] = int((pop_mask_all & annotated).sum())
        sel_p = pmask[g_ns]
        pop_count = np.bincount(t_ns[sel_p], minlength=n_terms)
        sel_s = smask[g_ns]
        study_count = np.bincount(t_ns[sel_s], minlength=n_terms)
        tested = np.flatnonzero(pop_count > 0)
        removed: _I64 | None = None
        if algorithm != "classic" and study_n > 0:  # on every term: elimination needs the whole DAG
            algo_p, algo_removed = term_pvalues(
                algorithm, tested, g_ns[sel_p], t_ns[sel_p], smask, study_n, pop_n,
                *_dag_edges(ontology, prepared.relations), elim_cutoff=elim_cutoff, elim_bonferroni=elim_bonferroni)
            removed = np.zeros(n_terms, dtype=np.int64)
            removed[tested] = algo_removed
            algo_all = np.ones(n_terms)
            algo_all[tested] = algo_p
        if min_study_count > 0:
            tested = tested[study_count[tested] >= min_study_count]
        if study_n == 0:
            tested = tested[:0]  # goatools returns no results when no study item is in the population
        a, kk = study_count[tested], pop_count[tested]
        pvals = fisher_exact_pvalues(a, study_n, kk, pop_n, alternative) if removed is None else algo_all[tested]
        items = _study_items(g_ns[sel_s], t_ns[sel_s], display, names)
        with np.errstate(divide="ignore", invalid="ignore"):
            fold = (a / study_n) / (kk / pop_n) if study_n and pop_n else np.full(len(tested), np.nan)
        frame = pd.DataFrame({
            "GO": [term_ids[t] for t in tested.tolist()],
            "NS": code,
            "enrichment": enrichment_direction(a, study_n, kk, pop_n) if len(tested) else np.array([], dtype=str),
            "name": [ontology.state.names[t] for t in tested.tolist()],
            "ratio_in_study": [f"{x}/{study_n}" for x in a.tolist()],
            "ratio_in_pop": [f"{x}/{pop_n}" for x in kk.tolist()],
            "fold_enrichment": fold,
            "p_uncorrected": pvals,
            "depth": depth_all[tested],
            "study_count": a.astype(np.int64),
            "study_items": [items.get(t, "") for t in tested.tolist()],
            "study_n": np.full(len(tested), study_n, dtype=np.int64),
            "pop_count": kk.astype(np.int64),
            "pop_n": np.full(len(tested), pop_n, dtype=np.int64),
        })
        if algorithm != "classic":
            frame[extra_col] = removed[tested] if removed is not None else np.zeros(len(tested), dtype=np.int64)
        assert all(ns_of_term[t] == NAMESPACES[code] for t in tested[:1].tolist())
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for m in methods:
        col = np.ones(len(table))
        if len(table):
            if correct_per_namespace:
                for code in namespaces:
                    sel = (table["NS"] == code).to_numpy()
                    if sel.any():
                        col[sel] = adjust_pvalues(table.loc[sel, "p_uncorrected"].to_numpy(), m)
            else:
                col = adjust_pvalues(table["p_uncorrected"].to_numpy(), m)
        table[f"p_{m}"] = col
    columns = [*RESULT_COLUMNS, *(f"p_{m}" for m in methods), "study_items", *_EXTRA_COLUMNS,
               *((extra_col,) if algorithm != "classic" else ())]
    table = table.reindex(columns=columns)
    if len(table):
        table = table.sort_values(["enrichment", "NS", "p_uncorrected", "GO"], kind="stable",
                                  ignore_index=True)

    # Diagnostics.
    warnings: list[str] = []
    for code in namespaces:
        pn, sn = pop_n_of[code], study_n_of[code]
        if pn < MIN_BACKGROUND:
            warnings.append(f"{code}: background of {pn} genes is small (< {MIN_BACKGROUND})")
        elif sn and pn < MIN_BACKGROUND_RATIO * sn:
            warnings.append(f"{code}: background of {pn} genes is less than {MIN_BACKGROUND_RATIO}x "
                            f"the study ({sn})")
    if not_in_population:
        warnings.append(f"{len(not_in_population)} study item(s) are not in the population (not a superset "
                        f"of the study); they are left out of the test")
    if study_unmatched:
        warnings.append(f"{len(study_unmatched)} of {len(set(study_list))} study identifier(s) match no gene "
                        f"of the annotations")
    ambiguous = sorted(set(identifiers.loc[identifiers["status"] == "ambiguous", "query"].tolist()))
    if ambiguous:
        warnings.append(f"{len(ambiguous)} identifier(s) match several genes and stand for all of them")
    for w in warnings:
        log.warning("enrich: %s", w)
    definition = ("population genes with >= 1 annotation in the namespace (topGO's feasible genes)"
                  if all_annotated_population else
                  "all distinct population items, annotated or not (goatools: len(pop))")
    meta: dict[str, Any] = {
        "releases": {"ontology": ontology.provenance.as_dict(), "annotations": prepared.source},
        "relations": list(prepared.relations),
        "evidence": prepared.evidence,
        "namespaces": list(namespaces),
        "test": f"Fisher's exact test, {alternative}",
        "alternative": alternative,
        "algorithm": algorithm,
        **({"elim_cutoff": elim_cutoff, "elim_bonferroni": elim_bonferroni} if algorithm == "elim" else {}),
        "corrections": methods,
        "alpha": alpha,
        "correction_scope": "per_namespace" if correct_per_namespace else "all_namespaces",
        "min_study_count": min_study_count,
        "population": {"given": pop_given, "default_all_genes": population is None,
                       "genes_in_annotations": n_uni, "matched_genes": int(pop_mask_all.sum()),
                       "unmatched": sorted(pop_unmatched_set), "pop_n": pop_n_of,
                       "annotated_in_namespace": annotated_of, "definition": definition},
        "study": {"given": len(study_list), "distinct": len(set(s.strip() for s in study_list if s.strip())),
                  "study_n": study_n_of, "unmatched": sorted(set(study_unmatched)),
                  "not_in_population": not_in_population, "ambiguous": ambiguous},
        "propagation": {k: prepared.propagation.get(k) for k in ("rows", "genes", "closure_pairs")},
        "warnings": warnings,
        "n_tested": {code: int((table["NS"] == code).sum()) if len(table) else 0 for code in namespaces},
        "n_significant": {m: int((table[f"p_{m}"] < alpha).sum()) if len(table) else 0 for m in methods},
        "seconds": {"prepare": t_prep - t0, "total": time.perf_counter() - t0},
    }
    data = _Data(prepared=prepared, pop_mask=pop_mask_all, study_mask=study_in_pop, pop_masks=pop_masks,
                 study_masks=study_masks, display=display, extra_pop=extra_pop,
                 extra_study=len(extra_study_items))
    log.info("enrich: %d terms tested in %s (%s correction), study_n=%s pop_n=%s, %.3f s",
             len(table), "+".join(namespaces), meta["correction_scope"], study_n_of, pop_n_of,
             meta["seconds"]["total"])
    return EnrichmentResult(table=table, meta=meta, identifiers=identifiers, data=data)


def _dag_edges(ontology: Ontology, relations: Sequence[str]) -> tuple[_I64, _I64]:
    """(child, parent) index arrays of the ontology's edges over ``relations`` (the propagation's)."""
    s = ontology.state
    ok = np.isin(np.asarray(s.rel_names, dtype=object)[s.edge_rel], list(relations))
    return s.edge_child[ok].astype(np.int64), s.edge_parent[ok].astype(np.int64)


def _pair_namespace_codes(prepared: PreparedAnnotations) -> _I64:
    """Index into ``prepared.namespaces`` of every pair's term (-1 if none); kept with ``prepared``."""
    return prepared.pair_namespace

