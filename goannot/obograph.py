"""A reader for OBO-Graphs JSON (GO's ``go-basic.json``), producing the same :class:`OboDocument`.

OBO-Graphs use IRIs (``http://purl.obolibrary.org/obo/GO_0008150``); they are turned into CURIEs.
Edges ``{"sub", "pred", "obj"}`` are child -> parent, ``pred`` being ``is_a`` or a relation IRI
(``BFO_0000050`` = part_of, ``RO_0002211`` = regulates ...), mapped to the OBO relation names.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from ._compressed import read_bytes
from .errors import OboParseError
from .obo import OboDocument, OboTerm, OboTypedef

__all__ = ["read_obograph", "parse_obograph"]

log = logging.getLogger(__name__)

_OBO = "http://purl.obolibrary.org/obo/"
#: Relation IRIs GO uses, by their OBO short names.
RELATION_NAMES = {
    "BFO_0000050": "part_of", "BFO_0000051": "has_part", "BFO_0000066": "occurs_in",
    "RO_0002211": "regulates", "RO_0002212": "negatively_regulates", "RO_0002213": "positively_regulates",
    "RO_0002091": "starts_during", "RO_0002092": "happens_during", "RO_0002093": "ends_during",
}
_OIO = "http://www.geneontology.org/formats/oboInOwl#"


def _curie(iri: str) -> str:
    if iri.startswith(_OBO):
        local = iri[len(_OBO):]
        if local in RELATION_NAMES:
            return RELATION_NAMES[local]
        prefix, sep, rest = local.partition("_")
        if sep and prefix.isalpha():
            return f"{prefix}:{rest}"
        return local
    if iri.startswith(_OIO):
        return iri[len(_OIO):]
    return iri


def parse_obograph(data: dict[str, Any], path: str | None = None) -> OboDocument:
    """Convert a loaded OBO-Graphs JSON document (its first graph) to an :class:`OboDocument`."""
    graphs = data.get("graphs")
    if not isinstance(graphs, list) or not graphs:
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
    terms: dict[str, OboTerm] = {}
    typedefs: list[OboTypedef] = []
    for n, node in enumerate(graph.get("nodes", [])):
        if "id" not in node:
            raise OboParseError(path, None, f"node #{n} has no 'id'")
        nid = _curie(node["id"])
        kind = node.get("type")
        nmeta = node.get("meta") or {}
        if kind == "PROPERTY":
            typedefs.append(OboTypedef(id=nid, name=node.get("lbl", ""),
                                       is_obsolete=bool(nmeta.get("deprecated"))))
            continue
        if kind != "CLASS":
            continue
        term = OboTerm(id=nid, line=0, name=node.get("lbl", ""))
        term.is_obsolete = bool(nmeta.get("deprecated"))
        term.definition = (nmeta.get("definition") or {}).get("val", "")
        term.comment = " ".join(nmeta.get("comments") or [])
        term.subsets = [s.rsplit("#", 1)[-1] for s in nmeta.get("subsets") or []]
        term.xrefs = [x.get("val", "") for x in nmeta.get("xrefs") or []]
        for syn in nmeta.get("synonyms") or []:
            scope = {"hasExactSynonym": "EXACT", "hasBroadSynonym": "BROAD", "hasNarrowSynonym": "NARROW",
                     "hasRelatedSynonym": "RELATED"}.get(syn.get("pred", ""), "RELATED")
            kind = (syn.get("synonymType", "") or "").rsplit("#", 1)[-1]  # IRI ".../go#systematic_synonym"
            term.synonyms.append((syn.get("val", ""), scope, kind))
        for bpv in nmeta.get("basicPropertyValues") or []:
            pred = _curie(bpv.get("pred", ""))
            val = _curie(bpv.get("val", ""))
            if pred == "hasOBONamespace":
                term.namespace = bpv.get("val", "")
            elif pred == "hasAlternativeId":
                term.alt_ids.append(val)
            elif pred in ("IAO:0100001", "term replaced by"):
                term.replaced_by.append(val)
            elif pred in ("consider", "oboInOwl:consider"):
                term.consider.append(val)
        terms[nid] = term
    for e, edge in enumerate(graph.get("edges", [])):
        try:
            sub, pred, obj = _curie(edge["sub"]), _curie(edge["pred"]), _curie(edge["obj"])
        except KeyError as exc:
            raise OboParseError(path, None, f"edge #{e} lacks {exc}") from None
        if sub in terms:
            terms[sub].parents.append((pred, obj))
    return OboDocument.from_terms(header, list(terms.values()), typedefs, path)


def read_obograph(path: str | Path) -> OboDocument:
    """Read an OBO-Graphs JSON file, plain or gzip/bzip2/xz-compressed."""
    p = Path(path)
    raw = read_bytes(p, OboParseError)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise OboParseError(p, line, f"not valid JSON ({exc})") from None
    return parse_obograph(data, str(p))
