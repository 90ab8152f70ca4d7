"""Bridges from goannot's ontology index to the objects other GO libraries work on.

Many users already have code written against obonet's networkx graph or goatools' ``GODag``; these
functions hand them the same shapes built from an already loaded :class:`~goannot.ontology.Ontology`
(usually from the compiled cache), so they keep their code and skip the slow re-parse of go.obo.

* :func:`to_networkx`: a :class:`networkx.MultiDiGraph` shaped like ``obonet.read_obo``'s.
* :func:`to_goatools_godag`: a real ``goatools.obo_parser.GODag`` of goatools ``GOTerm`` objects,
  equal in keys, parents, children, level, depth and relationships to ``GODag(obo_file)``.
* :func:`to_id2gos`: an annotation table as goatools' association dict (gene -> set of GO ids).

Edges point **child -> parent**, as in obonet and goatools. networkx and goatools are imported only
when the respective bridge is called; neither is needed to use the rest of goannot.

What goannot's index does not keep cannot appear in a bridge: see :func:`to_networkx` for the obonet
node attributes that are missing or shortened.
"""

from __future__ import annotations

import functools
import gc
import logging
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import numpy as np

from .columns import ASPECT_OF_NAMESPACE, NAMESPACE_OF_ASPECT
from .errors import GoannotError
from .ontology import _SCOPES, Ontology

if TYPE_CHECKING:  # heavy imports stay lazy at run time
    import networkx
    import pandas as pd
    from goatools.obo_parser import GODag

    from .annotations import AnnotationChunk

__all__ = ["to_networkx", "to_goatools_godag", "to_id2gos"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

log = logging.getLogger(__name__)

#: obonet's ``header_tag_singularity``: header tags obonet stores as one string, not a list.
_SINGLE_HEADER_TAGS = frozenset({
    "format-version", "data-version", "version", "ontology", "date", "saved-by", "auto-generated-by",
    "default-relationship-id-prefix",
})

#: Accepted spellings of the three GO namespaces for :func:`to_id2gos` (goatools uses BP/MF/CC).
_NAMESPACE_ALIASES = {
    "BP": "biological_process", "MF": "molecular_function", "CC": "cellular_component",
    **{a: ns for a, ns in NAMESPACE_OF_ASPECT.items()},
    **{ns: ns for ns in ASPECT_OF_NAMESPACE},
}


#: A NOT among the pipe-separated qualifiers ("NOT", "NOT|enables", "contributes_to|NOT").
_NOT_QUALIFIER = re.compile(r"(?:^|\|)\s*NOT\s*(?:\||$)", re.IGNORECASE)


def _gc_paused(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` with the cyclic GC paused, as :func:`goannot.loader.load_ontology` does.

    A bridge builds ~10^5 objects that reference each other (GOTerm parents <-> children, networkx's
    nested dicts); every few hundred allocations the collector would rescan all of them. Pausing it
    cuts the goatools bridge's time by two thirds and the networkx one's by half.
    """
    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    return wrapper


def _obo_quote(text: str) -> str:
    """``text`` as an OBO quoted string (backslash, double quote, newline and tab escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + escaped + '"'


def _wanted(relations: Iterable[str] | str | None) -> set[str] | None:
    """The relation names selected by a ``relations`` argument (None = all)."""
    if relations is None or relations == "all":
        return None
    return {relations} if isinstance(relations, str) else set(relations)


class _ObonetNodes:
    """Builds obonet-shaped node attribute dicts from the columnar state.

    The columns (unpacked texts, synonym and xref rows per term, parents per term) are prepared once
    here; ``ontology[id]`` per term would scan every edge for each term, seconds over GO.
    """

    def __init__(self, ontology: Ontology) -> None:
        s = ontology.state
        self._s = s
        ids, rel_names = s.ids, s.rel_names
        self.parents: dict[int, list[tuple[str, str]]] = {}
        for c, p, r in zip(s.edge_child.tolist(), s.edge_parent.tolist(), s.edge_rel.tolist()):
            self.parents.setdefault(c, []).append((rel_names[r], ids[p]))
        # References to IDs not in the file are not edges of the index, but obonet (and the OBO
        # text) has them: keep the is_a / relationship ones so attributes and edges stay complete.
        self.dangling = [(child, tag, target) for child, tag, target in s.dangling
                         if tag not in ("replaced_by", "consider")]
        for child, tag, target in self.dangling:
            self.parents.setdefault(ontology.index_of(child), []).append((tag, target))
        self.alt_ids: dict[str, list[str]] = {}
        for alt, primary in s.alt.items():
            self.alt_ids.setdefault(primary, []).append(alt)
        self.definitions = ontology._texts("definitions")
        self.comments = ontology._texts("comments")
        texts, types, scopes = ontology._texts("syn_text"), ontology._texts("syn_type"), s.syn_scope.tolist()
        self.synonyms: dict[int, list[str]] = {}
        for k, i in enumerate(s.syn_term.tolist()):
            self.synonyms.setdefault(i, []).append(
                f"{_obo_quote(texts[k])} {_SCOPES[scopes[k]]}" + (f" {types[k]}" if types[k] else ""))
        xrefs = ontology._texts("xref_text")
        self.xrefs: dict[int, list[str]] = {}
        for k, i in enumerate(s.xref_term.tolist()):
            self.xrefs.setdefault(i, []).append(xrefs[k])
        self.obsolete = s.obsolete.tolist()

    def attributes(self, i: int) -> dict[str, Any]:
        """obonet's attribute dict for term index ``i``: only the tags the term has, as obonet."""
        s = self._s
        tid = s.ids[i]
        attrs: dict[str, Any] = {"name": s.names[i]}
        if s.namespaces[i]:
            attrs["namespace"] = s.namespaces[i]
        alts = self.alt_ids.get(tid)
        if alts:
            attrs["alt_id"] = list(alts)
        if self.definitions[i]:
            attrs["def"] = _obo_quote(self.definitions[i])
        if self.comments[i]:
            attrs["comment"] = self.comments[i]
        subsets = s.subsets.get(tid)
        if subsets:
            attrs["subset"] = list(subsets)
        synonyms = self.synonyms.get(i)
        if synonyms:
            attrs["synonym"] = synonyms
        xrefs = self.xrefs.get(i)
        if xrefs:
            attrs["xref"] = xrefs
        parents = self.parents.get(i, ())
        is_a = [p for r, p in parents if r == "is_a"]
        if is_a:
            attrs["is_a"] = is_a
        rels = [f"{r} {p}" for r, p in parents if r != "is_a"]
        if rels:
            attrs["relationship"] = rels
        if self.obsolete[i]:
            attrs["is_obsolete"] = "true"
            if tid in s.replaced_by:
                attrs["replaced_by"] = list(s.replaced_by[tid])
            if tid in s.consider:
                attrs["consider"] = list(s.consider[tid])
        return attrs


def _graph_attributes(ontology: Ontology) -> dict[str, Any]:
    """obonet's graph attributes: the header (single tags as str, others as lists), name, typedefs."""
    attrs: dict[str, Any] = {}
    for tag, values in ontology.header.items():
        attrs[tag] = values[-1] if tag in _SINGLE_HEADER_TAGS else list(values)
    if "ontology" in attrs:
        attrs["name"] = attrs["ontology"]
    typedefs = []
    for tid, info in ontology.typedefs.items():
        td: dict[str, Any] = {"id": tid}
        if info.get("name"):
            td["name"] = info["name"]
        if info.get("is_transitive"):
            td["is_transitive"] = "true"
        if info.get("is_obsolete"):
            td["is_obsolete"] = "true"
        typedefs.append(td)
    attrs["typedefs"] = typedefs
    attrs["instances"] = []
    return attrs


@_gc_paused
def to_networkx(ontology: Ontology, relations: Iterable[str] | str | None = None, *,
                include_obsolete: bool = False) -> networkx.MultiDiGraph[str]:
    """The ontology as a :class:`networkx.MultiDiGraph` shaped like ``obonet.read_obo(path)``.

    Nodes are term IDs; edges go **child -> parent** with the relation as key
    (``graph.edges["GO:0000001", "GO:0048308", "is_a"]``), over ``relations`` (``None`` = all, the
    obonet default). ``include_obsolete`` adds obsolete terms, which obonet drops by default
    (``ignore_obsolete=True``). As in obonet, an edge to a term that is not a node (a dangling
    reference, or an obsolete target when obsolete terms are left out) adds that ID as a bare node.

    Node attributes use obonet's names and value formats: ``name``, ``namespace``, ``alt_id``,
    ``comment``, ``subset``, ``is_a`` (list of IDs), ``relationship`` (list of ``"part_of GO:..."``),
    ``is_obsolete``/``replaced_by``/``consider`` on obsolete terms. They describe the term as written,
    whatever ``relations`` selects for the edges. Graph attributes are the OBO header (``name``,
    ``data-version``...), ``typedefs`` and ``instances``, as obonet gives them.

    What goannot's index does not keep is missing or shorter than obonet's (the reason: the index is
    built for annotation work, see :mod:`goannot.obo`):

    * ``def`` is the quoted definition without its ``[dbxref, ...]`` list (``'"The ..."'``) and
      ``synonym`` entries are ``'"text" SCOPE [TYPE]'`` without their dbxref list;
    * ``xref`` entries are the identifier only, without the quoted description obonet keeps;
    * ``created_by``, ``creation_date``, ``intersection_of``, ``union_of``, ``disjoint_from`` and
      ``property_value`` are absent, and typedef dicts carry only id, name, is_transitive, is_obsolete.
    """
    import networkx as nx

    s = ontology.state
    nodes = _ObonetNodes(ontology)
    obsolete = nodes.obsolete
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(**_graph_attributes(ontology))
    graph.add_nodes_from((s.ids[i], nodes.attributes(i)) for i in range(len(s.ids))
                         if include_obsolete or not obsolete[i])
    wanted = _wanted(relations)
    mask = np.ones(len(s.edge_rel), dtype=bool) if include_obsolete else ~s.obsolete[s.edge_child]
    if wanted is not None:
        mask &= np.isin(s.edge_rel, [k for k, r in enumerate(s.rel_names) if r in wanted])
    ids, rel_names = s.ids, s.rel_names
    no_data: dict[str, Any] = {}  # networkx copies it; 4-tuples say explicitly that rel is the key
    edges = [(ids[c], ids[p], rel_names[r], no_data) for c, p, r in
             zip(s.edge_child[mask].tolist(), s.edge_parent[mask].tolist(), s.edge_rel[mask].tolist())]
    edges.extend((child, target, rel, no_data) for child, rel, target in nodes.dangling
                 if (wanted is None or rel in wanted)
                 and (include_obsolete or not ontology.is_obsolete(child)))
    graph.add_edges_from(edges)
    log.debug("networkx graph: %d nodes, %d edges", graph.number_of_nodes(), graph.number_of_edges())
    return graph


def _levels_and_depths(n: int, up: dict[int, list[int]]) -> tuple[list[int | None], list[int | None]]:
    """goatools' ``level`` (shortest is_a path to a root) and ``depth`` (longest) of every node.

    One pass in topological order (parents before children) instead of goatools' recursion, which
    needs no recursion limit. Nodes on an is_a cycle keep ``None`` (goatools would not terminate).
    """
    pending = [0] * n
    down: dict[int, list[int]] = {}
    for child, parents in up.items():
        pending[child] = len(parents)
        for p in parents:
            down.setdefault(p, []).append(child)
    level: list[int | None] = [None] * n
    depth: list[int | None] = [None] * n
    order = [i for i in range(n) if pending[i] == 0]
    for i in order:
        level[i] = depth[i] = 0
    k = 0
    while k < len(order):
        node = order[k]
        k += 1
        for child in down.get(node, ()):
            pending[child] -= 1
            if pending[child] == 0:
                levels = [level[p] for p in up[child]]
                depths = [depth[p] for p in up[child]]
                level[child] = min(x for x in levels if x is not None) + 1
                depth[child] = max(x for x in depths if x is not None) + 1
                order.append(child)
    if len(order) < n:
        log.warning("is_a graph has a cycle through %d terms; their goatools level/depth stay None",
                    n - len(order))
    return level, depth


@_gc_paused
def to_goatools_godag(ontology: Ontology, *, relationships: bool = True,
                      load_obsolete: bool = False) -> GODag:
    """A ``goatools.obo_parser.GODag`` built from the index, without re-reading the OBO file.

    It equals ``GODag(path, optional_attrs={'relationship'})`` (or ``GODag(path)`` when
    ``relationships`` is False) in what goatools' algorithms read: the same keys (primary IDs of the
    non-obsolete terms, or of all terms with ``load_obsolete``, plus their alt_ids mapping to the
    same :class:`goatools.obo_parser.GOTerm`), and per term ``id``/``item_id``, ``name``,
    ``namespace``, ``_parents`` (is_a parent IDs), ``parents``/``children`` (GOTerm sets over is_a),
    ``level``, ``depth``, ``is_obsolete``, ``alt_ids``, and with ``relationships`` the
    ``relationship``/``relationship_rev`` dicts (relation -> set of GOTerm). So goatools functions
    that take a GODag (``update_association``, ``get_go2ancestors``, ``GOEnrichmentStudy``...) accept it.

    Differences: ``typedefs`` are goatools ``TypeDef`` objects with id and name only (goannot does not
    keep a typedef's namespace); goatools' other optional attributes (``defn``, ``synonym``...) are
    not set. An is_a or relationship target that is not in the DAG (goatools raises ``KeyError``
    there) is left out of ``parents``/``relationship`` with a warning; ``_parents`` keeps it as written.
    """
    from goatools.godag.typedef import TypeDef
    from goatools.obo_parser import GODag, GOTerm

    s = ontology.state
    ids, names, namespaces, rel_names = s.ids, s.names, s.namespaces, s.rel_names
    n = len(ids)
    obsolete = s.obsolete.tolist()
    default_ns = (ontology.header.get("default-namespace") or ["default"])[-1]
    alt_by_primary: dict[str, list[str]] = {}
    for alt, primary in s.alt.items():
        alt_by_primary.setdefault(primary, []).append(alt)

    dag = GODag.__new__(GODag)  # GODag.__init__ would parse the OBO file: fill the dict ourselves
    dict.__init__(dag)
    recs: list[Any] = [None] * n
    for i in range(n):
        if obsolete[i] and not load_obsolete:
            continue
        rec = GOTerm(default_ns)
        tid = ids[i]
        rec.id = rec.item_id = tid
        rec.name = names[i]
        if namespaces[i]:
            rec.namespace = namespaces[i]
        rec.is_obsolete = bool(obsolete[i])
        rec.alt_ids = set(alt_by_primary.get(tid, ()))
        if relationships:
            rec.relationship = {}
            rec.relationship_rev = {}
        recs[i] = rec
        dag[tid] = rec

    up: dict[int, list[int]] = {}
    missing = 0
    for c, p, r in zip(s.edge_child.tolist(), s.edge_parent.tolist(), s.edge_rel.tolist()):
        child, parent = recs[c], recs[p]
        if child is None:
            continue
        rel = rel_names[r]
        if rel == "is_a":
            child._parents.add(ids[p])
            if parent is None:
                missing += 1
                continue
            if parent not in child.parents:
                child.parents.add(parent)
                parent.children.add(child)
                up.setdefault(c, []).append(p)
        elif relationships:
            if parent is None:
                missing += 1
                continue
            child.relationship.setdefault(rel, set()).add(parent)
            parent.relationship_rev.setdefault(rel, set()).add(child)
    for child_id, tag, target in s.dangling:
        rec = dag.get(child_id)
        if rec is not None and tag not in ("replaced_by", "consider") and (relationships or tag == "is_a"):
            if tag == "is_a":
                rec._parents.add(target)
            missing += 1
    if missing:
        log.warning("%d is_a/relationship targets are not terms of the GODag (obsolete or absent); "
                    "left out of parents/relationship", missing)

    level, depth = _levels_and_depths(n, up)
    for i, rec in enumerate(recs):
        if rec is not None:
            rec.level, rec.depth = level[i], depth[i]

    for i, rec in enumerate(recs):  # goatools adds alt_ids last, after levels, as keys to the same term
        if rec is not None:
            for alt in alt_by_primary.get(ids[i], ()):
                dag[alt] = rec

    typedefs = {}
    for tid, info in ontology.typedefs.items():
        td = TypeDef()
        td.item_id = tid
        td.name = info.get("name", "")
        typedefs[tid] = td
    dag.typedefs = typedefs
    data_version = _header_value(ontology, "data-version")
    fmt = _header_value(ontology, "format-version")
    release = data_version.replace("releases/", "") if data_version else None
    # goatools counts the dict's keys, alt_ids included
    desc = f"{ontology.provenance.path}: fmt({fmt}) rel({release}) {len(dag):,} Terms"
    if relationships:
        desc += "; optional_attrs(relationship)"
    dag.version, dag.data_version = desc, data_version
    return dag


def _header_value(ontology: Ontology, tag: str) -> str | None:
    """The last value of an OBO header tag, or None (goatools keeps the last one it reads)."""
    values = ontology.header.get(tag)
    return values[-1] if values else None


def _canonical_namespace(namespace: str) -> str:
    ns = _NAMESPACE_ALIASES.get(namespace)
    if ns is None:
        raise GoannotError(f"unknown GO namespace {namespace!r}; use BP/MF/CC, P/F/C or the full name")
    return ns


def to_id2gos(annotations: pd.DataFrame | AnnotationChunk, *, namespace: str | None = None,
              ontology: Ontology | None = None) -> dict[str, set[str]]:
    """goatools' association dict (gene product ID -> set of GO IDs) from an annotation table.

    ``annotations`` is what :func:`goannot.read_annotations` returns, or a table with the columns
    ``db_object_id``, ``go_id`` and ``qualifier`` of goannot's table (:mod:`goannot.columns`). Rows
    with a ``NOT`` qualifier (``NOT``, ``NOT|enables``...) are skipped: they state that the product lacks the function, and goatools' readers drop them too.
    ``namespace`` (BP/MF/CC, P/F/C or the full name) keeps the annotations of one GO namespace, as
    goatools' ``get_id2gos(namespace=...)`` does; the namespace of each GO ID comes from
    ``ontology`` when given, else from the table's ``aspect`` column. GO IDs are kept as written
    (goatools does the same); repair secondary or obsolete IDs first with goannot's validator.
    """
    from .annotations import AnnotationChunk

    if isinstance(annotations, AnnotationChunk):
        annotations = annotations.table
    missing_cols = {"db_object_id", "go_id", "qualifier"} - set(annotations.columns)
    if missing_cols:
        raise GoannotError(f"annotation table lacks column(s) {sorted(missing_cols)}")
    qualifier = annotations["qualifier"].fillna("").astype(str)
    keep = ~qualifier.str.contains(_NOT_QUALIFIER, regex=True)
    if namespace is not None:
        ns = _canonical_namespace(namespace)
        if ontology is not None:
            go_ids = annotations["go_id"]
            namespace_of = {g: ontology.namespace(g) for g in go_ids.unique().tolist()}
            keep &= go_ids.map(namespace_of) == ns
        elif "aspect" in annotations.columns:
            keep &= annotations["aspect"] == ASPECT_OF_NAMESPACE[ns]
        else:
            raise GoannotError("namespace filtering needs an ontology or an 'aspect' column")
    id2gos: dict[str, set[str]] = {}
    rows = annotations.loc[keep, ["db_object_id", "go_id"]]
    for gene, go_id in zip(rows["db_object_id"].tolist(), rows["go_id"].tolist()):
        gos = id2gos.get(gene)
        if gos is None:
            id2gos[gene] = {go_id}
        else:
            gos.add(go_id)
    return id2gos
