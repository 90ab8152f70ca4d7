"""OBO-Graphs JSON (GO's ``go-basic.json``): a reader producing the same :class:`OboDocument` as the
OBO reader, and a writer of an :class:`~goannot.ontology.Ontology` in that format.

OBO-Graphs use IRIs (``http://purl.obolibrary.org/obo/GO_0008150``); they are turned into CURIEs.
Edges ``{"sub", "pred", "obj"}`` are child -> parent, ``pred`` being ``is_a`` or a relation IRI
(``BFO_0000050`` = part_of, ``RO_0002211`` = regulates ...), mapped to the OBO relation names.

Two spellings of the same facts are read alike: obsolete terms marked ``"deprecated": true`` or,
in older files, by an ``owl#deprecated`` property value; and merged terms given either as
``hasAlternativeId`` values on the surviving term or as deprecated nodes whose obsolescence reason
is "terms merged" (IAO:0000227) and which point at the survivor with "term replaced by". The latter
are alt_ids (secondary IDs) of the survivor, as in the OBO file, not obsolete terms.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._compressed import read_bytes
from ._obolines import RELATION_NAMES, OboDocument, OboTerm, OboTypedef
from .errors import OboParseError

if TYPE_CHECKING:
    from .ontology import Ontology

__all__ = ["read_obograph", "parse_obograph", "to_obograph", "write_obograph", "RELATION_NAMES"]

log = logging.getLogger(__name__)

_OBO = "http://purl.obolibrary.org/obo/"
_OIO = "http://www.geneontology.org/formats/oboInOwl#"
_OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_OWL_TRANSITIVE = "http://www.w3.org/2002/07/owl#TransitiveProperty"
_REPLACED_BY = "IAO:0100001"        # term replaced by
_OBSOLESCENCE_REASON = "IAO:0000231"  # has obsolescence reason
_TERMS_MERGED = "IAO:0000227"        # terms merged
_SCOPE_PRED = {"hasExactSynonym": "EXACT", "hasBroadSynonym": "BROAD", "hasNarrowSynonym": "NARROW",
               "hasRelatedSynonym": "RELATED"}
_PRED_OF_SCOPE = {scope: pred for pred, scope in _SCOPE_PRED.items()}
_IRI_OF_RELATION = {name: _OBO + curie.replace(":", "_") for curie, name in RELATION_NAMES.items()}


def _curie(iri: str) -> str:
    """An IRI as a CURIE (OBO PURLs), a local name (oboInOwl, ``...#fragment``), or as is."""
    if iri.startswith(_OBO):
        local = iri[len(_OBO):]
        if "#" in local:
            return local.rsplit("#", 1)[1]
        prefix, sep, rest = local.partition("_")
        if sep and prefix.isalpha():
            return f"{prefix}:{rest}"
        return local
    if iri.startswith(_OIO):
        return iri[len(_OIO):]
    return iri


def _relation(iri: str) -> str:
    curie = _curie(iri)
    return RELATION_NAMES.get(curie, curie)


def _is_true(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"


def _term(node: dict[str, Any], nid: str) -> tuple[OboTerm, str | None]:
    """The term of a CLASS node, and the survivor's id when the node is a merged (secondary) id."""
    nmeta = node.get("meta") or {}
    term = OboTerm(id=nid, line=0, name=node.get("lbl", "") or "")
    term.is_obsolete = _is_true(nmeta.get("deprecated", False))
    term.definition = (nmeta.get("definition") or {}).get("val", "")
    term.comment = " ".join(nmeta.get("comments") or [])
    term.subsets = [s.rsplit("#", 1)[-1] for s in nmeta.get("subsets") or []]
    term.xrefs = [x.get("val", "") for x in nmeta.get("xrefs") or []]
    for syn in nmeta.get("synonyms") or []:
        scope = _SCOPE_PRED.get(syn.get("pred", ""), "RELATED")
        kind = (syn.get("synonymType", "") or "").rsplit("#", 1)[-1]  # IRI ".../go#systematic_synonym"
        term.synonyms.append((syn.get("val", ""), scope, kind))
    merged = False
    for bpv in nmeta.get("basicPropertyValues") or []:
        raw_pred, raw_val = bpv.get("pred", ""), str(bpv.get("val", ""))
        pred, val = _curie(raw_pred), _curie(raw_val)
        if pred == "hasOBONamespace":
            term.namespace = raw_val
        elif pred == "hasAlternativeId":
            term.alt_ids.append(val)
        elif pred in (_REPLACED_BY, "term replaced by"):
            term.replaced_by.append(val)
        elif pred in ("consider", "oboInOwl:consider"):
            term.consider.append(val)
        elif raw_pred == _OWL_DEPRECATED or pred == "is_obsolete":
            term.is_obsolete = term.is_obsolete or _is_true(raw_val)
        elif pred == _OBSOLESCENCE_REASON and val == _TERMS_MERGED:
            merged = True
    survivor = term.replaced_by[0] if merged and term.is_obsolete and len(term.replaced_by) == 1 else None
    return term, survivor


def parse_obograph(data: Any, path: str | None = None) -> OboDocument:
    """Convert a loaded OBO-Graphs JSON document (its first graph) to an :class:`OboDocument`."""
    graphs = data.get("graphs") if isinstance(data, dict) else None
    if not isinstance(graphs, list) or not graphs or not isinstance(graphs[0], dict):
        raise OboParseError(path, None, "expected an OBO-Graphs document with a non-empty 'graphs' list")
    graph = graphs[0]
    header: dict[str, list[str]] = {}
    meta = graph.get("meta") or {}
    if meta.get("version"):
        version = str(meta["version"])
        marker = "/releases/"
        # ".../obo/go/releases/2019-01-27/go-basic.json" -> "releases/2019-01-27", as go.obo's header says
        header["data-version"] = ["/".join(version[version.index(marker) + 1:].split("/")[:2])
                                  if marker in version else version]
    for bpv in meta.get("basicPropertyValues") or []:
        if _curie(bpv.get("pred", "")) == "default-namespace":
            header["default-namespace"] = [str(bpv.get("val", ""))]
    order: list[OboTerm] = []  # every CLASS node; two nodes with one id are combined by the index
    terms: dict[str, OboTerm] = {}  # the first node of each id
    merged: list[tuple[str, str]] = []  # (secondary id, survivor)
    typedefs: list[OboTypedef] = []
    for n, node in enumerate(graph.get("nodes") or []):
        if not isinstance(node, dict) or "id" not in node:
            raise OboParseError(path, None, f"node #{n} has no 'id'")
        nid = _curie(node["id"])
        kind = node.get("type")
        nmeta = node.get("meta") or {}
        if kind == "PROPERTY":
            values = {_curie(b.get("pred", "")): str(b.get("val", "")) for b in nmeta.get("basicPropertyValues") or []}
            typedefs.append(OboTypedef(id=values.get("shorthand") or RELATION_NAMES.get(nid, nid),
                                       name=node.get("lbl", "") or "",
                                       is_transitive=values.get(_RDF_TYPE) == _OWL_TRANSITIVE,
                                       is_obsolete=_is_true(nmeta.get("deprecated", False)),
                                       xrefs=[x.get("val", "") for x in nmeta.get("xrefs") or []]))
            continue
        if kind not in ("CLASS", None):
            continue
        term, survivor = _term(node, nid)
        if survivor is not None:
            merged.append((nid, survivor))
        elif kind == "CLASS":
            order.append(term)
            terms.setdefault(nid, term)
    for secondary, survivor in merged:
        target = terms.get(survivor)
        if target is None:
            log.warning("%s: merged id %s points at %s, which is no node", path, secondary, survivor)
            continue
        if secondary not in target.alt_ids:
            target.alt_ids.append(secondary)
    for e, edge in enumerate(graph.get("edges") or []):
        try:
            sub, pred, obj = _curie(edge["sub"]), _relation(edge["pred"]), _curie(edge["obj"])
        except (KeyError, TypeError) as exc:
            raise OboParseError(path, None, f"edge #{e} lacks {exc}") from None
        if sub in terms:
            terms[sub].parents.append((pred, obj))
    return OboDocument.from_terms(header, order, typedefs, path)


def read_obograph(path: str | Path) -> OboDocument:
    """Read an OBO-Graphs JSON file, plain or gzip/bzip2/xz-compressed."""
    p = Path(path)
    raw = read_bytes(p, OboParseError)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise OboParseError(p, line, f"not valid JSON ({exc})") from None
    doc = parse_obograph(data, str(p))
    if not doc.ids:
        raise OboParseError(p, None, "not an ontology: the graph has no CLASS node")
    return doc


# -- writer ------------------------------------------------------------------------------------------


def _iri(curie: str) -> str:
    prefix, sep, local = curie.partition(":")
    if sep and prefix.isalpha() and " " not in local:
        return f"{_OBO}{prefix}_{local}"
    return curie


def _relation_iri(name: str, ontology_name: str) -> str:
    return "is_a" if name == "is_a" else _IRI_OF_RELATION.get(name) or f"{_OBO}{ontology_name}#{name}"


def to_obograph(ontology: Ontology) -> dict[str, Any]:
    """The ontology as an OBO-Graphs JSON document (one graph), readable by :func:`parse_obograph`.

    Every term (obsolete ones included) is a CLASS node with its name, definition, comment,
    namespace, alt_ids (``hasAlternativeId``), replaced_by / consider, subsets, synonyms and xrefs;
    every edge is written child -> parent with its relation's RO/BFO IRI where one is known; the
    Typedefs are PROPERTY nodes. Reading the result back gives the same index.
    """
    name = (ontology.header.get("ontology") or ["ontology"])[0]
    graph_meta: dict[str, Any] = {"basicPropertyValues": []}
    version = ontology.data_version
    if version:
        graph_meta["version"] = (f"{_OBO}{name}/{version}/{name}.json" if version.startswith("releases/")
                                 else version)
    for tag in ("default-namespace",):
        for value in ontology.header.get(tag, []):
            graph_meta["basicPropertyValues"].append({"pred": _OIO + tag, "val": value})
    nodes: list[dict[str, Any]] = []
    for tid in ontology.term_ids():
        term = ontology[tid]
        meta: dict[str, Any] = {}
        if term.definition:
            meta["definition"] = {"val": term.definition, "xrefs": []}
        if term.comment:
            meta["comments"] = [term.comment]
        if term.subsets:
            meta["subsets"] = [f"{_OBO}{name}#{s}" for s in term.subsets]
        if term.synonyms:
            meta["synonyms"] = [{"pred": _PRED_OF_SCOPE.get(scope, "hasRelatedSynonym"), "val": text, "xrefs": [],
                                 **({"synonymType": f"{_OBO}{name}#{kind}"} if kind else {})}
                                for text, scope, kind in term.synonyms]
        if term.xrefs:
            meta["xrefs"] = [{"val": x} for x in term.xrefs]
        bpvs = [{"pred": _OIO + "hasOBONamespace", "val": term.namespace}] if term.namespace else []
        bpvs += [{"pred": _OIO + "hasAlternativeId", "val": a} for a in term.alt_ids]
        bpvs += [{"pred": _OBO + "IAO_0100001", "val": _iri(r)} for r in term.replaced_by]
        bpvs += [{"pred": _OIO + "consider", "val": c} for c in term.consider]
        if bpvs:
            meta["basicPropertyValues"] = bpvs
        if term.is_obsolete:
            meta["deprecated"] = True
        node: dict[str, Any] = {"id": _iri(tid), "type": "CLASS"}
        if term.name:
            node["lbl"] = term.name
        if meta:
            node["meta"] = meta
        nodes.append(node)
    for rid, td in ontology.typedefs.items():
        pmeta: dict[str, Any] = {"basicPropertyValues": [{"pred": _OIO + "shorthand", "val": rid}]}
        if td.get("is_transitive"):
            pmeta["basicPropertyValues"].append({"pred": _RDF_TYPE, "val": _OWL_TRANSITIVE})
        if td.get("xrefs"):
            pmeta["xrefs"] = [{"val": x} for x in td["xrefs"]]
        if td.get("is_obsolete"):
            pmeta["deprecated"] = True
        nodes.append({"id": _relation_iri(rid, name), "type": "PROPERTY", "lbl": td.get("name", ""), "meta": pmeta})
    edges = [{"sub": _iri(c), "pred": _relation_iri(r, name), "obj": _iri(p)} for c, r, p in ontology.edges()]
    return {"graphs": [{"id": f"{_OBO}{name}.owl", "meta": graph_meta, "nodes": nodes, "edges": edges}]}


def write_obograph(ontology: Ontology, path: str | Path) -> Path:
    """Write :func:`to_obograph` to ``path`` atomically (gzip-compressed for a ``.gz`` name)."""
    from .atomic import atomic_open

    target = Path(path)
    with atomic_open(target) as fh:
        json.dump(to_obograph(ontology), fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    return target
