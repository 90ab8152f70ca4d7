"""The ontology index: terms, identifiers (primary, alt_id, obsolete) and the relation graph.

An :class:`Ontology` is built once from a parsed OBO or OBO-Graphs document and is then read-only.
It keeps plain columnar data (lists of names, numpy arrays of edges) so that it can be written to
and read from the compiled cache (:mod:`goannot.cache`) quickly, and it answers the questions
annotation work asks: what is the status of this ID, what are the ancestors of this term over these
relations, which terms are in this subset.

Edge direction, stated once for all methods: **edges point from child to parent**. ``is_a: X`` in
the stanza of ``Y`` is the edge ``Y -> X``; ``relationship: part_of Z`` in ``Y`` is ``Y -part_of-> Z``.
:meth:`Ontology.parents` and :meth:`Ontology.ancestors` follow edges forward (towards the roots),
:meth:`Ontology.children` and :meth:`Ontology.descendants` follow them backward. obonet's networkx
graph uses the same direction (an edge ``child -> parent``), which surprises users who expect
arrows from general to specific.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from ._graph import cycle_from, strongly_connected_components
from ._obolines import OboDocument, merge_duplicate_stanzas, relation_aliases, relation_curie
from .errors import OntologyCycleError

__all__ = [
    "Ontology",
    "Term",
    "Resolution",
    "IdStatus",
    "Provenance",
    "DEFAULT_RELATIONS",
    "REGULATES",
    "normalize_id",
]

log = logging.getLogger(__name__)
_D = TypeVar("_D")

#: The relations GO annotation tools propagate over by default (goatools, GO's own closure).
DEFAULT_RELATIONS: tuple[str, ...] = ("is_a", "part_of")
#: The regulates family, to add to :data:`DEFAULT_RELATIONS` when regulation should propagate.
REGULATES: tuple[str, ...] = ("regulates", "negatively_regulates", "positively_regulates")

_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:[A-Za-z0-9_.:-]+$")
_OBO_IRI = re.compile(r"^https?://purl\.obolibrary\.org/obo/([A-Za-z][A-Za-z0-9]*)_(\S+)$")


class IdStatus(StrEnum):
    """What an identifier is in a given release."""

    PRIMARY = "primary"      # a current, non-obsolete term
    SECONDARY = "secondary"  # an alt_id of another term (merged term)
    OBSOLETE = "obsolete"    # a term marked is_obsolete (maybe with replaced_by / consider)
    UNKNOWN = "unknown"      # well formed, but not in this release
    MALFORMED = "malformed"  # not shaped like an identifier of this ontology


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer of :meth:`Ontology.resolve`.

    ``primary`` is the term the ID stands for now: itself when primary, the term that holds it as
    alt_id when secondary, ``None`` otherwise (for obsolete IDs see ``replaced_by``/``consider``; the
    validator follows replaced_by chains). ``normalized`` is the ID after lenient clean-up (case,
    ``GO_0006916``, OBO PURL IRIs); it differs from ``query`` only when such a fix was needed.
    """

    query: str
    status: IdStatus
    normalized: str
    primary: str | None = None
    replaced_by: tuple[str, ...] = ()
    consider: tuple[str, ...] = ()
    name: str = ""
    namespace: str = ""
    primary_is_obsolete: bool = False

    @property
    def ok(self) -> bool:
        """True for a current primary ID used as is."""
        return self.status is IdStatus.PRIMARY and self.query == self.normalized


@dataclass(frozen=True, slots=True)
class Term:
    """A read-only view of one term; built on demand by ``ontology[id]``."""

    id: str
    name: str
    namespace: str
    definition: str
    comment: str
    is_obsolete: bool
    alt_ids: tuple[str, ...]
    replaced_by: tuple[str, ...]
    consider: tuple[str, ...]
    subsets: tuple[str, ...]
    synonyms: tuple[tuple[str, str, str], ...]
    xrefs: tuple[str, ...]
    #: (relation, parent id) pairs, child -> parent.
    parents: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Which file an ontology came from: enough to say which release a result used."""

    path: str | None = None
    sha256: str | None = None
    source_name: str | None = None
    data_version: str | None = None
    format: str = "obo"

    def as_dict(self) -> dict[str, str | None]:
        """A JSON-ready dict."""
        return {"path": self.path, "sha256": self.sha256, "source": self.source_name,
                "data_version": self.data_version, "format": self.format}


def normalize_id(value: str) -> str:
    """Clean an identifier leniently: strip, OBO PURL IRI or ``PREFIX_local`` to CURIE, upper-case prefix."""
    v = value.strip()
    m = _OBO_IRI.match(v)
    if m:
        return f"{m.group(1).upper()}:{m.group(2)}"
    if ":" not in v and "_" in v:
        prefix, _, local = v.partition("_")
        if prefix.isalpha():
            return f"{prefix.upper()}:{local}"
    prefix, sep, local = v.partition(":")
    if sep and prefix.isalpha():
        return f"{prefix.upper()}:{local}"
    return v


_SEP = "\x1e"  # ASCII record separator: never in OBO text
_SCOPES = ("EXACT", "BROAD", "NARROW", "RELATED")
_SCOPE_CODE = {sc: k for k, sc in enumerate(_SCOPES)}
#: The bulky text columns; a compiled cache may leave them to be loaded on first use.
TEXT_FIELDS = ("definitions", "comments", "syn_text", "syn_type", "xref_text")


def _pack(values: Iterable[str]) -> str:
    return _SEP.join(values)


def _unpack(blob: str, count: int) -> list[str]:
    return blob.split(_SEP) if count else []


@dataclass
class _State:
    """The columnar content of an ontology: what the cache stores, nothing derived."""

    ids: list[str]
    names: list[str]
    namespaces: list[str]
    definitions: str | None                     # packed: one string per term, see _pack (None: not loaded yet)
    comments: str | None                        # packed
    obsolete: npt.NDArray[np.bool_]
    alt: dict[str, str]                         # alt_id -> primary id
    replaced_by: dict[str, tuple[str, ...]]
    consider: dict[str, tuple[str, ...]]
    syn_term: npt.NDArray[np.int32]             # synonyms, columnar: term index,
    syn_scope: npt.NDArray[np.int8]             # index into _SCOPES,
    syn_text: str | None                        # packed texts,
    syn_type: str | None                        # packed synonym types
    subsets: dict[str, tuple[str, ...]]
    xref_term: npt.NDArray[np.int32]
    xref_text: str | None                       # packed
    edge_child: npt.NDArray[np.int32]
    edge_parent: npt.NDArray[np.int32]
    edge_rel: npt.NDArray[np.int16]
    rel_names: list[str]
    #: references that point at no term: (from id, tag, target), tag in is_a / relation / replaced_by / consider
    dangling: list[tuple[str, str, str]]
    #: alt_ids claimed twice or equal to a primary id: (alt id, claiming term, other term)
    alt_collisions: list[tuple[str, str, str]]
    header: dict[str, list[str]]
    typedefs: dict[str, dict[str, Any]]
    subset_defs: dict[str, str]
    provenance: Provenance = field(default_factory=Provenance)
    #: ids that had more than one [Term] stanza, combined: (id, stanza lines, tags whose values disagreed)
    duplicates: list[tuple[str, tuple[int, ...], tuple[str, ...]]] = field(default_factory=list)


def _scope_codes(scopes: list[str]) -> list[int]:
    """Synonym scopes as codes into _SCOPES (unknown scopes count as RELATED), once per distinct scope."""
    table = {sc: _SCOPE_CODE.get(sc, 3) for sc in set(scopes)}
    return [table[sc] for sc in scopes]


def _state_from_document(doc: OboDocument, provenance: Provenance) -> _State:
    # OBO 1.4 semantics on top of the document as written: stanzas sharing an id are combined (4.1.1),
    # then terms without namespace get the header's default-namespace (4.3), and relations spelled
    # as RO/BFO IDs get their OBO names (via the Typedefs' xrefs), so closures do not depend on spelling.
    doc, duplicates = merge_duplicate_stanzas(doc)
    ids = doc.ids
    namespaces = doc.namespaces
    default_ns = (doc.header.get("default-namespace") or [""])[0]
    if default_ns and "" in namespaces:
        namespaces = [ns or default_ns for ns in namespaces]
    index = {tid: i for i, tid in enumerate(ids)}
    alt: dict[str, str] = {}
    collisions: list[tuple[str, str, str]] = []
    for i, a in doc.alt_ids:
        owner = ids[i]
        if a in index:
            collisions.append((a, owner, a))
        elif a in alt and alt[a] != owner:
            collisions.append((a, owner, alt[a]))
        else:
            alt[a] = owner
    # Edges: parents as written -> indices; references to no term are kept aside for the DAG check.
    get = index.get
    parent_idx = [get(p, -1) for p in doc.edge_parent]
    rel_names: list[str] = ["is_a"]
    rel_index = {"is_a": 0}
    rel_codes = []
    alias = relation_aliases(doc.typedefs)
    for r in doc.edge_rel:
        k = rel_index.get(r)
        if k is None:  # a new spelling: one code per relation name
            name = alias.get(relation_curie(r), r)
            k = rel_index.get(name)
            if k is None:
                k = rel_index[name] = len(rel_names)
                rel_names.append(name)
            rel_index[r] = k
        rel_codes.append(k)
    child = np.asarray(doc.edge_child, dtype=np.int32)
    parent = np.asarray(parent_idx, dtype=np.int32)
    rel = np.asarray(rel_codes, dtype=np.int16)
    ok = parent >= 0
    dangling: list[tuple[str, str, str]] = [
        (ids[doc.edge_child[k]], rel_names[rel_codes[k]], doc.edge_parent[k]) for k in np.flatnonzero(~ok).tolist()]
    replaced_by = {ids[i]: tuple(v) for i, v in doc.replaced_by.items()}
    consider = {ids[i]: tuple(v) for i, v in doc.consider.items()}
    for tag, table in (("replaced_by", replaced_by), ("consider", consider)):
        for tid, targets in table.items():
            dangling.extend((tid, tag, x) for x in targets if x not in index)
    subset_defs: dict[str, str] = {}
    for line in doc.header.get("subsetdef", []):
        name, _, desc = line.partition(" ")
        subset_defs[name] = desc.strip().strip('"')
    return _State(
        ids=ids, names=doc.names, namespaces=namespaces,  # the document is discarded after indexing
        definitions=_pack(doc.definitions), comments=_pack(doc.comments),
        obsolete=np.asarray(doc.obsolete, dtype=bool),
        alt=alt, replaced_by=replaced_by, consider=consider,
        syn_term=np.asarray(doc.syn_term, dtype=np.int32),
        syn_scope=np.asarray(_scope_codes(doc.syn_scope), dtype=np.int8),
        syn_text=_pack(doc.syn_text), syn_type=_pack(doc.syn_type),
        subsets={ids[i]: tuple(v) for i, v in doc.subsets.items()},
        xref_term=np.asarray(doc.xref_term, dtype=np.int32), xref_text=_pack(doc.xref_text),
        edge_child=child[ok], edge_parent=parent[ok], edge_rel=rel[ok],
        rel_names=rel_names, dangling=dangling, alt_collisions=collisions,
        header=doc.header,
        typedefs={td.id: {"name": td.name, "is_transitive": td.is_transitive, "is_obsolete": td.is_obsolete,
                          "xrefs": list(td.xrefs)} for td in doc.typedefs},
        subset_defs=subset_defs,
        provenance=provenance,
        duplicates=[(d.id, d.lines, d.conflicts) for d in duplicates],
    )


class ClosureStore(Protocol):
    """Somewhere to keep computed closures between processes (the compiled cache provides one)."""

    def load(self, relations: tuple[str, ...]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]] | None:
        """The stored closure for this sorted relation set, or None."""

    def save(self, relations: tuple[str, ...],
             closure: tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]) -> None:
        """Store a closure (failures are the store's to log, never to raise)."""


class Ontology:
    """A read-only index of one ontology release (GO or any OBO ontology).

    Build one with :func:`goannot.load_ontology`; :meth:`from_document` is for parsed documents.
    Identifiers are CURIEs (``GO:0043066``). Every term stanza is present, obsolete ones included;
    secondary IDs (alt_id) are not terms but resolve to one (:meth:`resolve`).
    """

    def __init__(self, state: _State, texts: Callable[[], dict[str, str]] | None = None) -> None:
        self._s = state
        self._load_texts = texts  # supplies TEXT_FIELDS left None in ``state`` (see goannot.cache)
        self._index: dict[str, int] = {tid: i for i, tid in enumerate(state.ids)}
        self._adjacency: dict[tuple[tuple[str, ...], bool], list[tuple[int, ...]]] = {}
        self._closures: dict[tuple[str, ...], tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]] = {}
        self._closure_store: ClosureStore | None = None
        self._by_label: dict[str, list[tuple[str, str]]] | None = None
        self._prefix_shapes: dict[str, tuple[int, bool]] | None = None
        self._unpacked: dict[str, Any] = {}  # lazily split packed text columns and groupings
        self._derived: dict[Hashable, Any] = {}  # see derived()

    def derived(self, key: Hashable, build: Callable[[], _D]) -> _D:
        """A value derived from this release, built on first request and kept with the ontology.

        Later stages (validation rules, enrichment) keep their per-release tables here (a term index,
        the terms under 'binding', is_a depths...) rather than in module-level caches: they live and
        go with the ontology they describe. ``key`` should name its owner, e.g.
        ``("goannot.enrich", "depth")``. Two threads may both build a missing value; one is kept.
        """
        try:
            return self._derived[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[key] = build()
            return value

    def _texts(self, field_name: str) -> list[str]:
        got = self._unpacked.get(field_name)
        if got is None:
            if getattr(self._s, field_name) is None:
                if self._load_texts is None:
                    raise RuntimeError(f"ontology text column {field_name} is missing and has no loader")
                for key, value in self._load_texts().items():
                    setattr(self._s, key, value)
            count = len(self._s.ids) if field_name in ("definitions", "comments") else (
                len(self._s.syn_term) if field_name.startswith("syn_") else len(self._s.xref_term))
            got = self._unpacked[field_name] = _unpack(getattr(self._s, field_name), count)
        return got

    def _grouped(self, kind: str) -> dict[int, list[int]]:
        key = f"group:{kind}"
        got = self._unpacked.get(key)
        if got is None:
            got = {}
            owner = self._s.syn_term if kind == "syn" else self._s.xref_term
            for k, i in enumerate(owner.tolist()):
                got.setdefault(i, []).append(k)
            self._unpacked[key] = got
        return got

    def synonyms(self, term_id: str) -> tuple[tuple[str, str, str], ...]:
        """(text, scope, type) synonyms of a term; scope is EXACT, BROAD, NARROW or RELATED."""
        i = self._start(term_id)
        texts, types = self._texts("syn_text"), self._texts("syn_type")
        scopes = self._s.syn_scope
        return tuple((texts[k], _SCOPES[scopes[k]], types[k]) for k in self._grouped("syn").get(i, ()))

    def with_provenance(self, provenance: Provenance) -> Ontology:
        """This ontology's content under another provenance (same data, new index object)."""
        return Ontology(replace(self._s, provenance=provenance), self._load_texts)

    def attach_closure_store(self, store: ClosureStore | None) -> None:
        """Let :meth:`closure` reuse closures computed by earlier processes (see :mod:`goannot.cache`)."""
        self._closure_store = store

    @classmethod
    def from_document(cls, doc: OboDocument, provenance: Provenance | None = None) -> Ontology:
        """Index a parsed OBO/OBO-Graphs document."""
        prov = provenance or Provenance(path=doc.path)
        if prov.data_version is None:
            values = doc.header.get("data-version")
            version = values[0] if values else None
            prov = Provenance(prov.path, prov.sha256, prov.source_name, version, prov.format)
        return cls(_state_from_document(doc, prov))

    # -- basic access -------------------------------------------------------------------------

    @property
    def provenance(self) -> Provenance:
        """The file, checksum and release this ontology was loaded from."""
        return self._s.provenance

    @property
    def data_version(self) -> str | None:
        """The OBO header's ``data-version`` (GO: ``releases/2019-01-27``), if any."""
        return self._s.provenance.data_version

    @property
    def header(self) -> dict[str, list[str]]:
        """The OBO header tags, each with its list of values."""
        return self._s.header

    @property
    def relations(self) -> tuple[str, ...]:
        """The relation types that occur as edges, ``is_a`` first (one only on an edge to no term is left out)."""
        used = set(np.unique(self._s.edge_rel).tolist())
        return tuple(r for k, r in enumerate(self._s.rel_names) if k == 0 or k in used)

    @property
    def typedefs(self) -> dict[str, dict[str, Any]]:
        """Declared relation types (``[Typedef]`` stanzas): id -> name, is_transitive, is_obsolete, xrefs."""
        return self._s.typedefs

    def __len__(self) -> int:
        return len(self._s.ids)

    def __contains__(self, term_id: object) -> bool:
        return term_id in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._s.ids)

    def __getitem__(self, term_id: str) -> Term:
        i = self._index.get(term_id)
        if i is None:
            primary = self._s.alt.get(term_id)
            if primary is None:
                raise KeyError(term_id)
            i = self._index[primary]
        return self._term(i)

    def __repr__(self) -> str:
        return (f"Ontology({len(self)} terms, data_version={self.data_version!r}, "
                f"path={self.provenance.path!r})")

    def _term(self, i: int) -> Term:
        s = self._s
        tid = s.ids[i]
        return Term(
            id=tid, name=s.names[i], namespace=s.namespaces[i], definition=self._texts("definitions")[i],
            comment=self._texts("comments")[i], is_obsolete=bool(s.obsolete[i]),
            alt_ids=tuple(self._alt_ids_of().get(tid, ())),
            replaced_by=s.replaced_by.get(tid, ()), consider=s.consider.get(tid, ()),
            subsets=s.subsets.get(tid, ()), synonyms=self.synonyms(tid),
            xrefs=tuple(self._texts("xref_text")[k] for k in self._grouped("xref").get(i, ())),
            parents=tuple(self._edges_of(i)),
        )

    def _edges_of(self, i: int) -> Iterator[tuple[str, str]]:
        s = self._s
        got = self._unpacked.get("group:edges")
        if got is None:  # edge positions grouped by child, in file order: one sort for all terms
            order = np.argsort(s.edge_child, kind="stable")
            bounds = np.searchsorted(s.edge_child[order], np.arange(len(s.ids) + 1))
            got = self._unpacked["group:edges"] = (order.tolist(), bounds.tolist())
        order_l, bounds_l = got
        for k in order_l[bounds_l[i]:bounds_l[i + 1]]:
            yield s.rel_names[s.edge_rel[k]], s.ids[s.edge_parent[k]]

    def _alt_ids_of(self) -> dict[str, list[str]]:
        cached: dict[str, list[str]] | None = getattr(self, "_alt_by_primary", None)
        if cached is None:
            cached = {}
            for a, p in self._s.alt.items():
                cached.setdefault(p, []).append(a)
            self._alt_by_primary = cached
        return cached

    def ids(self, *, include_obsolete: bool = False) -> list[str]:
        """All term IDs in file order; obsolete terms only on request."""
        if include_obsolete:
            return list(self._s.ids)
        obs = self._s.obsolete
        return [t for t, o in zip(self._s.ids, obs) if not o]

    def name(self, term_id: str) -> str:
        """The term's name ('' if the ID is not a term; secondary IDs give their primary's name)."""
        i = self._index.get(term_id)
        if i is None:
            p = self._s.alt.get(term_id)
            i = self._index.get(p) if p else None
        return self._s.names[i] if i is not None else ""

    def namespace(self, term_id: str) -> str:
        """The term's namespace ('' if unknown); secondary IDs give their primary's."""
        i = self._index.get(term_id)
        if i is None:
            p = self._s.alt.get(term_id)
            i = self._index.get(p) if p else None
        return self._s.namespaces[i] if i is not None else ""

    def is_obsolete(self, term_id: str) -> bool:
        """True when ``term_id`` is a term marked is_obsolete."""
        i = self._index.get(term_id)
        return bool(self._s.obsolete[i]) if i is not None else False

    @property
    def alt_ids(self) -> dict[str, str]:
        """Secondary ID -> primary ID (a copy)."""
        return dict(self._s.alt)

    # -- identifier resolution ----------------------------------------------------------------

    def _shapes(self) -> dict[str, tuple[int, bool]]:
        if self._prefix_shapes is None:
            shapes: dict[str, tuple[int, bool]] = {}
            for tid in self._s.ids:
                prefix, _, local = tid.partition(":")
                if prefix not in shapes:
                    shapes[prefix] = (len(local), local.isdigit())
            self._prefix_shapes = shapes
        return self._prefix_shapes

    def _well_formed(self, curie: str) -> bool:
        if not _CURIE.match(curie):
            return False
        prefix, _, local = curie.partition(":")
        shape = self._shapes().get(prefix)
        if shape is None:
            return True
        width, digits = shape
        return not digits or (local.isdigit() and len(local) == width)

    def resolve(self, term_id: str) -> Resolution:
        """Say what ``term_id`` is in this release: primary, secondary, obsolete, unknown or malformed.

        The lookup is tolerant of form (``go:0043066``, ``GO_0043066``, PURL IRIs are normalized and
        ``Resolution.normalized`` shows the fix) but not of content: an ID of the right prefix with a
        wrong number of digits is malformed, not guessed.
        """
        norm = normalize_id(term_id)
        s = self._s
        i = self._index.get(norm)
        if i is not None:
            tid = s.ids[i]
            if s.obsolete[i]:
                return Resolution(term_id, IdStatus.OBSOLETE, norm, None, s.replaced_by.get(tid, ()),
                                  s.consider.get(tid, ()), s.names[i], s.namespaces[i])
            return Resolution(term_id, IdStatus.PRIMARY, norm, tid, name=s.names[i], namespace=s.namespaces[i])
        primary = s.alt.get(norm)
        if primary is not None:
            j = self._index[primary]
            return Resolution(term_id, IdStatus.SECONDARY, norm, primary, s.replaced_by.get(primary, ()),
                              s.consider.get(primary, ()), s.names[j], s.namespaces[j], bool(s.obsolete[j]))
        if not self._well_formed(norm):
            return Resolution(term_id, IdStatus.MALFORMED, norm)
        return Resolution(term_id, IdStatus.UNKNOWN, norm)

    # -- graph ---------------------------------------------------------------------------------

    def _relation_mask(self, relations: Iterable[str] | str | None) -> tuple[tuple[str, ...], npt.NDArray[np.bool_]]:
        if relations is None or relations == "all":
            rels = tuple(self._s.rel_names)
        elif isinstance(relations, str):
            rels = (relations,)
        else:
            rels = tuple(dict.fromkeys(relations))
        codes = [k for k, r in enumerate(self._s.rel_names) if r in rels]
        return rels, np.isin(self._s.edge_rel, codes)

    def _adj(self, relations: Iterable[str] | str | None, up: bool) -> list[tuple[int, ...]]:
        rels, mask = self._relation_mask(relations)
        key = (tuple(sorted(rels)), up)
        adj = self._adjacency.get(key)
        if adj is None:
            src = self._s.edge_child[mask] if up else self._s.edge_parent[mask]
            dst = self._s.edge_parent[mask] if up else self._s.edge_child[mask]
            order = np.argsort(src, kind="stable")
            src, dst = src[order], dst[order]
            bounds = np.searchsorted(src, np.arange(len(self._s.ids) + 1))
            dl = dst.tolist()
            bl = bounds.tolist()
            adj = [tuple(dl[bl[i]:bl[i + 1]]) for i in range(len(self._s.ids))]
            self._adjacency[key] = adj
        return adj

    def _start(self, term_id: str) -> int:
        i = self._index.get(term_id)
        if i is None:
            p = self._s.alt.get(term_id)
            if p is None:
                raise KeyError(f"{term_id} is not a term or alt_id of this ontology")
            i = self._index[p]
        return i

    def _walk(self, term_id: str, relations: Iterable[str] | str | None, up: bool) -> set[str]:
        adj = self._adj(relations, up)
        start = self._start(term_id)
        seen = {start}
        stack = [start]
        while stack:
            for nxt in adj[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        seen.discard(start)
        ids = self._s.ids
        return {ids[k] for k in seen}

    def parents(self, term_id: str, relations: Iterable[str] | str | None = DEFAULT_RELATIONS) -> set[str]:
        """Direct parents of a term over ``relations`` (edges child -> parent; ``None`` = all)."""
        ids = self._s.ids
        return {ids[k] for k in self._adj(relations, True)[self._start(term_id)]}

    def children(self, term_id: str, relations: Iterable[str] | str | None = DEFAULT_RELATIONS) -> set[str]:
        """Direct children: terms with an edge over ``relations`` pointing at ``term_id``."""
        ids = self._s.ids
        return {ids[k] for k in self._adj(relations, False)[self._start(term_id)]}

    def ancestors(self, term_id: str, relations: Iterable[str] | str | None = DEFAULT_RELATIONS,
                  *, reflexive: bool = False) -> set[str]:
        """All terms reachable from ``term_id`` by following child -> parent edges of ``relations``.

        A path may mix the chosen relations (``is_a`` then ``part_of``...), as GO tools and goatools'
        ``update_association`` do. ``reflexive`` includes the term itself. Secondary IDs are followed
        from their primary term.
        """
        found = self._walk(term_id, relations, True)
        if reflexive:
            found.add(self._s.ids[self._start(term_id)])
        return found

    def descendants(self, term_id: str, relations: Iterable[str] | str | None = DEFAULT_RELATIONS,
                    *, reflexive: bool = False) -> set[str]:
        """All terms from which ``term_id`` is reachable over ``relations`` (edges walked backward)."""
        found = self._walk(term_id, relations, False)
        if reflexive:
            found.add(self._s.ids[self._start(term_id)])
        return found

    def edges(self, relations: Iterable[str] | str | None = None) -> Iterator[tuple[str, str, str]]:
        """(child, relation, parent) triples over ``relations`` (``None`` = all)."""
        _, mask = self._relation_mask(relations)
        s = self._s
        for c, p, r in zip(s.edge_child[mask].tolist(), s.edge_parent[mask].tolist(), s.edge_rel[mask].tolist()):
            yield s.ids[c], s.rel_names[r], s.ids[p]

    def closure(self, relations: Iterable[str] | str | None = DEFAULT_RELATIONS
                ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
        """The reflexive ancestor closure of every term as CSR arrays ``(indptr, indices)``.

        Row ``i`` (term ``self.term_ids()[i]``) lists the indices of ``i`` and all its ancestors over
        ``relations``. Computed once per relation set (by a pass in topological order, parents
        before children) and memoized on this object; this is what bulk propagation uses.
        """
        rels, _ = self._relation_mask(relations)
        key = tuple(sorted(rels))
        got = self._closures.get(key)
        if got is not None:
            return got
        if self._closure_store is not None:
            got = self._closure_store.load(key)
            if got is not None and len(got[0]) == len(self._s.ids) + 1:
                self._closures[key] = got
                return got
        up = self._adj(relations, True)
        n = len(up)
        order = self._topological(up)
        if len(order) < n:
            anc = self._closure_with_cycles(up, rels)
        else:
            anc = [frozenset()] * n  # filled in ``order``: every parent before its children
            for i in order:
                ps = up[i]
                if not ps:
                    anc[i] = frozenset((i,))
                elif len(ps) == 1:
                    anc[i] = anc[ps[0]] | {i}
                else:
                    acc: set[int] = {i}
                    for p in ps:
                        acc |= anc[p]
                    anc[i] = frozenset(acc)
        lengths = np.fromiter((len(a) for a in anc), dtype=np.int64, count=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.fromiter((k for a in anc for k in sorted(a)), dtype=np.int32,
                              count=int(indptr[-1]))
        self._closures[key] = (indptr, indices)
        if self._closure_store is not None:
            self._closure_store.save(key, (indptr, indices))
        return indptr, indices

    def _closure_with_cycles(self, up: Sequence[tuple[int, ...]], rels: tuple[str, ...]) -> list[frozenset[int]]:
        """Reflexive ancestor sets on a graph with cycles: every member of a cycle reaches all the others.

        Tarjan emits a component after every component it reaches, so parents are done first; the
        graph is not a DAG (``ontology check`` reports it), but reachability is still well defined.
        """
        anc: list[frozenset[int] | None] = [None] * len(up)
        cycles = []
        for comp in strongly_connected_components(up):
            acc: set[int] = set(comp)
            for i in comp:
                for p in up[i]:
                    a = anc[p]
                    if a is not None:  # None only for members of this same component
                        acc |= a
            done = frozenset(acc)
            for i in comp:
                anc[i] = done
            if len(comp) > 1 or comp[0] in up[comp[0]]:
                cycles.append(sorted(self._s.ids[i] for i in comp))
        out = [a if a is not None else frozenset() for a in anc]  # every node is in one component
        log.warning("the %s graph of %s has %d cycle(s) (e.g. through %s); each term on a cycle gets the "
                    "ancestors of the whole cycle; `goannot ontology check` lists them", "+".join(rels),
                    self._s.provenance.path or "this ontology", len(cycles), ", ".join(cycles[0][:5]))
        return out

    @staticmethod
    def _topological(up: Sequence[tuple[int, ...]]) -> list[int]:
        """Node order with every parent before its children; short of the nodes on or below a cycle."""
        n = len(up)
        pending = [len(ps) for ps in up]
        down: list[list[int]] = [[] for _ in range(n)]
        for i, ps in enumerate(up):
            for p in ps:
                down[p].append(i)
        order = [i for i in range(n) if pending[i] == 0]
        k = 0
        while k < len(order):
            for c in down[order[k]]:
                pending[c] -= 1
                if pending[c] == 0:
                    order.append(c)
            k += 1
        return order

    def term_ids(self) -> list[str]:
        """Term IDs in index order (the row order of :meth:`closure`)."""
        return self._s.ids

    def index_of(self, term_id: str) -> int:
        """Row index of a term (or of the primary of a secondary ID); KeyError if neither."""
        return self._start(term_id)

    def namespaces_array(self) -> list[str]:
        """Namespace of every term in index order."""
        return self._s.namespaces

    def roots(self, namespace: str | None = None) -> list[str]:
        """Non-obsolete terms without an is_a parent, optionally of one namespace."""
        up = self._adj(("is_a",), True)
        s = self._s
        return [s.ids[i] for i in range(len(up))
                if not up[i] and not s.obsolete[i] and (namespace is None or s.namespaces[i] == namespace)]

    def depth(self, term_id: str) -> int:
        """Length of the shortest is_a path to a root (goatools' ``level``).

        Raises :class:`~goannot.errors.OntologyCycleError`, naming the cycle, when every is_a path
        from the term runs into a cycle (no root is reachable, so there is no depth).
        """
        up = self._adj(("is_a",), True)
        start = self._start(term_id)
        frontier = {start}
        seen = {start}
        d = 0
        while frontier:
            if any(not up[i] for i in frontier):
                return d
            frontier = {p for i in frontier for p in up[i]} - seen
            seen |= frontier
            d += 1
        ring = [self._s.ids[k] for k in cycle_from(up, start) or ()]
        raise OntologyCycleError(self._s.provenance.path,
                                 f"{self._s.ids[start]} has no depth: every is_a path from it runs into the "
                                 f"cycle {' -> '.join(ring)}", ring)

    # -- subsets and lookup --------------------------------------------------------------------

    @property
    def subset_names(self) -> dict[str, str]:
        """Declared subsets (``subsetdef``): name -> description."""
        return dict(self._s.subset_defs)

    def subset(self, name: str) -> set[str]:
        """Terms in a subset (GO slims, ``gocheck_do_not_annotate``, ...)."""
        return {t for t, subs in self._s.subsets.items() if name in subs}

    def _labels(self) -> dict[str, list[tuple[str, str]]]:
        if self._by_label is None:
            table: dict[str, list[tuple[str, str]]] = {}
            s = self._s
            for tid, nm in zip(s.ids, s.names):
                table.setdefault(nm.casefold(), []).append((tid, "name"))
            texts = self._texts("syn_text")
            for k, (i, sc) in enumerate(zip(s.syn_term.tolist(), s.syn_scope.tolist())):
                table.setdefault(texts[k].casefold(), []).append((s.ids[i], f"synonym:{_SCOPES[sc]}"))
            self._by_label = table
        return self._by_label

    def find(self, label: str) -> list[tuple[str, str]]:
        """Terms whose name or synonym equals ``label`` (case-insensitive).

        Returns ``(term id, how)`` pairs, ``how`` being ``"name"`` or ``"synonym:EXACT"`` etc.; names first.
        """
        hits = self._labels().get(label.strip().casefold(), [])
        return sorted(hits, key=lambda h: (h[1] != "name", h[0]))

    # -- internals shared with the cache and the DAG check -------------------------------------

    @property
    def state(self) -> _State:
        """The columnar content (for :mod:`goannot.cache` and :mod:`goannot.dagcheck`); do not mutate."""
        return self._s
