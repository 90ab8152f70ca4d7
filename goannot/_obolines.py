"""The OBO document model, the value rules of OBO 1.4 and the line-by-line OBO reader.

:mod:`goannot.obo` (the public reader) and :mod:`goannot._oboscan` (its vectorized fast path) both
build on this module; neither imports the other's internals, so there is no import circle.

The reader keeps what an annotation toolkit needs as plain data (:class:`OboDocument`, one
column per field over the ``[Term]`` stanzas, obsolete ones included) and the ``[Typedef]``
stanzas. Edges are kept as written, *child -> parent* (``is_a: X`` in the stanza of
``Y`` is the edge Y -> X), so references to missing terms survive for the DAG check.

Everything else in a stanza (``intersection_of``, ``property_value``, ``created_by``...) is skipped:
this is an index for annotation work, not a round-trip editor; pronto does that.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TypeVar

from .errors import OboParseError

__all__ = ["OboTerm", "OboTypedef", "OboDocument", "DuplicateStanza", "parse_obo_lines", "clean_value",
           "first_token", "merge_duplicate_stanzas", "relation_aliases", "RELATION_NAMES"]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*(.*)$')
_UNESCAPE = re.compile(r"\\(.)")
#: OBO 1.4 escapes: \n newline, \t tab, \W space; any other escaped character stands for itself.
_ESCAPED = {"n": "\n", "t": "\t", "W": " "}


#: Term tags the reader keeps, and frequent ones it skips without looking further (go.obo: ~60k lines).
_TERM_TAGS = frozenset({"id", "name", "namespace", "def", "comment", "synonym", "is_a", "relationship", "alt_id",
                        "is_obsolete", "replaced_by", "consider", "subset", "xref"})
#: Header tags whose value is one unquoted string (comments and qualifiers are cut from them).
_PLAIN_HEADER_TAGS = frozenset({"format-version", "data-version", "default-namespace", "ontology"})
_SKIPPED_TAGS = frozenset({"intersection_of", "creation_date", "created_by", "property_value", "disjoint_from",
                           "union_of"})


def _unescape_char(m: re.Match[str]) -> str:
    c = m.group(1)
    return _ESCAPED.get(c, c)


@dataclass(slots=True)
class OboTerm:
    """The fields of one ``[Term]`` stanza that goannot uses. ``line`` is where the stanza starts."""

    id: str
    line: int
    name: str = ""
    namespace: str = ""
    definition: str = ""
    comment: str = ""
    is_obsolete: bool = False
    alt_ids: list[str] = field(default_factory=list)
    replaced_by: list[str] = field(default_factory=list)
    consider: list[str] = field(default_factory=list)
    subsets: list[str] = field(default_factory=list)
    synonyms: list[tuple[str, str, str]] = field(default_factory=list)  # (text, scope, type)
    xrefs: list[str] = field(default_factory=list)
    #: (relation, parent id) pairs, child -> parent; ``is_a`` included.
    parents: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class OboTypedef:
    """A ``[Typedef]`` stanza: a relation type such as part_of or regulates."""

    id: str
    name: str = ""
    is_transitive: bool = False
    is_obsolete: bool = False
    #: ``xref:`` values: for relations, the RO/BFO identifiers this relation stands for (part_of: BFO:0000050).
    xrefs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OboDocument:
    """A parsed OBO file, held as columns: one entry per ``[Term]`` stanza, in file order.

    Columns rather than one object per term: go.obo has 47k terms with ~10 fields each, and
    building and then re-reading a million small objects is most of what a parse would cost.
    ``edge_*`` hold every ``is_a``/``relationship`` line, child -> parent, with the parent as written
    (it may name no term: the DAG check reports that). :attr:`terms` gives per-term records.
    """

    header: dict[str, list[str]]
    typedefs: list[OboTypedef]
    path: str | None = None
    ids: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    obsolete: list[bool] = field(default_factory=list)
    alt_ids: list[tuple[int, str]] = field(default_factory=list)          # (term index, alt id)
    replaced_by: dict[int, list[str]] = field(default_factory=dict)
    consider: dict[int, list[str]] = field(default_factory=dict)
    subsets: dict[int, list[str]] = field(default_factory=dict)
    syn_term: list[int] = field(default_factory=list)
    syn_text: list[str] = field(default_factory=list)
    syn_scope: list[str] = field(default_factory=list)
    syn_type: list[str] = field(default_factory=list)
    xref_term: list[int] = field(default_factory=list)
    xref_text: list[str] = field(default_factory=list)
    edge_child: list[int] = field(default_factory=list)
    edge_rel: list[str] = field(default_factory=list)
    edge_parent: list[str] = field(default_factory=list)

    @classmethod
    def from_terms(cls, header: dict[str, list[str]], terms: list[OboTerm], typedefs: list[OboTypedef],
                   path: str | None = None) -> OboDocument:
        """Columns from per-term records (what the OBO-Graphs reader builds)."""
        doc = cls(header=header, typedefs=typedefs, path=path)
        for i, t in enumerate(terms):
            doc.ids.append(t.id)
            doc.lines.append(t.line)
            doc.names.append(t.name)
            doc.namespaces.append(t.namespace)
            doc.definitions.append(t.definition)
            doc.comments.append(t.comment)
            doc.obsolete.append(t.is_obsolete)
            doc.alt_ids.extend((i, a) for a in t.alt_ids)
            if t.replaced_by:
                doc.replaced_by[i] = list(t.replaced_by)
            if t.consider:
                doc.consider[i] = list(t.consider)
            if t.subsets:
                doc.subsets[i] = list(t.subsets)
            for text, scope, kind in t.synonyms:
                doc.syn_term.append(i)
                doc.syn_text.append(text)
                doc.syn_scope.append(scope)
                doc.syn_type.append(kind)
            for x in t.xrefs:
                doc.xref_term.append(i)
                doc.xref_text.append(x)
            for rel, parent in t.parents:
                doc.edge_child.append(i)
                doc.edge_rel.append(rel)
                doc.edge_parent.append(parent)
        return doc

    @property
    def terms(self) -> list[OboTerm]:
        """One record per term (built on each call: for inspection and tests, not hot paths)."""
        out = [OboTerm(id=tid, line=ln, name=nm, namespace=ns, definition=d, comment=c, is_obsolete=o,
                       replaced_by=list(self.replaced_by.get(i, ())), consider=list(self.consider.get(i, ())),
                       subsets=list(self.subsets.get(i, ())))
               for i, (tid, ln, nm, ns, d, c, o) in enumerate(zip(self.ids, self.lines, self.names, self.namespaces,
                                                                 self.definitions, self.comments, self.obsolete))]
        for i, a in self.alt_ids:
            out[i].alt_ids.append(a)
        for i, text, scope, kind in zip(self.syn_term, self.syn_text, self.syn_scope, self.syn_type):
            out[i].synonyms.append((text, scope, kind))
        for i, x in zip(self.xref_term, self.xref_text):
            out[i].xrefs.append(x)
        for i, rel, parent in zip(self.edge_child, self.edge_rel, self.edge_parent):
            out[i].parents.append((rel, parent))
        return out


def unquote(value: str, path: str | None, line: int, tag: str) -> tuple[str, str]:
    """``"quoted text" rest`` -> (text with OBO escapes undone, rest); raises when there is no quoted string."""
    if value[:1] == '"' and "\\" not in value:  # the common case, without a regex
        end = value.find('"', 1)
        if end > 0:
            return value[1:end], value[end + 1:].lstrip()
    m = _QUOTED.match(value)
    if m is None:
        raise OboParseError(path, line, f"{tag}: expected a quoted string, found {value[:60]!r}")
    return _UNESCAPE.sub(_unescape_char, m.group(1)), m.group(2)


def synonym_fields(value: str, path: str | None, line: int) -> tuple[str, str, str]:
    """``"text" SCOPE [TYPE] [xrefs]`` -> (text, scope, type); no scope means RELATED."""
    text, rest = unquote(value, path, line, "synonym")
    bits = rest.split("[", 1)[0].split()
    return text, bits[0] if bits else "RELATED", bits[1] if len(bits) > 1 else ""


def relationship_fields(value: str, path: str | None, line: int) -> tuple[str, str]:
    """``TYPE ID ! comment`` -> (type, id)."""
    parts = value.split(None, 2)
    if len(parts) < 2:
        raise OboParseError(path, line, f"relationship: expected 'TYPE ID', found {value[:60]!r}")
    return parts[0], parts[1]


def is_true(value: str) -> bool:
    """An OBO boolean (``true``, ``True``...; anything else is false)."""
    return value.lower().startswith("true")


#: Characters after which a value may hold more than its text: a hidden comment, a qualifier block, an escape.
SPECIAL = ("!", "{", "\\")
_QUALIFIER_BLOCK = re.compile(r"\{[^{}]*=[^{}]*\}\s*(?:!.*)?$")


def has_special(value: str) -> bool:
    """Whether ``value`` needs :func:`clean_value` (else ``value.strip()`` is its value)."""
    return "!" in value or "{" in value or "\\" in value


def clean_value(value: str) -> str:
    """An unquoted OBO 1.4 value: cut at the hidden comment (an unescaped ``!``) and before a trailing
    qualifier block (``{source="x"}``), stripped.

    The OBO 1.4 spec (section 2.3, EOL) puts both after the value; a ``{`` that does not open a
    ``{tag="value", ...}`` block running to the end of the line stays part of the value. An escaped
    ``\\!`` or ``\\{`` starts neither. Escapes in unquoted values are kept as written (as obonet and
    goatools keep them: GO's comments hold ``\\n``); quoted strings (def, synonym) are unescaped.
    """
    i, n = 0, len(value)
    while i < n:
        c = value[i]
        if c == "\\":
            i += 2
            continue
        if c == "!" or (c == "{" and _QUALIFIER_BLOCK.match(value, i)):
            break
        i += 1
    return value[:i].strip()


def tidy(value: str) -> str:
    """``value.strip()``, or :func:`clean_value` where the value holds a comment, qualifiers or escapes."""
    return clean_value(value) if has_special(value) else value.strip()


def first_token(value: str) -> str:
    """The identifier that opens a value (``is_a: GO:1 {x="y"} ! one`` -> ``GO:1``)."""
    token = value.partition(" ")[0]
    return clean_value(value).partition(" ")[0] if has_special(token) else token


def relationship_value(value: str, path: str | None, line: int) -> tuple[str, str]:
    """``relationship: TYPE ID {qualifiers} ! comment`` -> (type, id)."""
    rel, parent = relationship_fields(value, path, line)
    if has_special(rel) or has_special(parent):
        rel, parent = relationship_fields(clean_value(value), path, line)
    return rel, parent


#: Relation identifiers (RO, BFO) by the OBO short names GO and the OBO Foundry use for them; used to
#: read ``relationship: BFO:0000050 X`` as ``part_of`` whatever spelling a file uses.
RELATION_NAMES: dict[str, str] = {
    "BFO:0000050": "part_of", "BFO:0000051": "has_part", "BFO:0000066": "occurs_in",
    "BFO:0000062": "preceded_by", "BFO:0000063": "precedes", "BFO:0000067": "contains_process",
    "RO:0002211": "regulates", "RO:0002212": "negatively_regulates", "RO:0002213": "positively_regulates",
    "RO:0002578": "directly_regulates", "RO:0002629": "directly_positively_regulates",
    "RO:0002630": "directly_negatively_regulates",
    "RO:0002091": "starts_during", "RO:0002092": "happens_during", "RO:0002093": "ends_during",
    "RO:0002087": "immediately_preceded_by", "RO:0002090": "immediately_precedes",
    "RO:0002160": "only_in_taxon", "RO:0002161": "never_in_taxon", "RO:0002162": "in_taxon",
    "RO:0002215": "capable_of", "RO:0002216": "capable_of_part_of",
    "RO:0002233": "has_input", "RO:0002234": "has_output",
    "RO:0002327": "enables", "RO:0002331": "involved_in", "RO:0001025": "located_in",
    "RO:0001015": "location_of", "RO:0002432": "is_active_in", "RO:0002325": "colocalizes_with",
    "RO:0002326": "contributes_to", "RO:0002263": "acts_upstream_of", "RO:0002264": "acts_upstream_of_or_within",
    "RO:0002411": "causally_upstream_of", "RO:0002418": "causally_upstream_of_or_within",
    "RO:0000056": "participates_in", "RO:0000057": "has_participant", "RO:0000052": "inheres_in",
    "RO:0002350": "member_of", "RO:0002351": "has_member", "RO:0002131": "overlaps", "RO:0002220": "adjacent_to",
    "RO:0002202": "develops_from",
}

_OBO_PURL = "http://purl.obolibrary.org/obo/"


def relation_curie(rel: str) -> str:
    """A relation as written (``BFO:0000050``, ``BFO_0000050``, its OBO PURL, ``part_of``) as a CURIE when it is one."""
    if rel.startswith(_OBO_PURL):
        rel = rel[len(_OBO_PURL):]
    if ":" not in rel and "_" in rel:
        prefix, _, local = rel.partition("_")
        if prefix in ("BFO", "RO") and local.isdigit():
            return f"{prefix}:{local}"
    return rel


def relation_aliases(typedefs: list[OboTypedef]) -> dict[str, str]:
    """How each spelling of a relation maps to one name: RO/BFO IDs and a file's own Typedef ids.

    A Typedef whose id or xref is a known RO/BFO ID gets that ID's standard name (so a file that calls
    part_of ``partof`` still closes over part_of); other Typedef xrefs map to the Typedef's id.
    """
    alias = dict(RELATION_NAMES)
    for td in typedefs:
        spellings = [relation_curie(td.id), *(relation_curie(x) for x in td.xrefs)]
        name = next((RELATION_NAMES[x] for x in spellings if x in RELATION_NAMES), td.id)
        for x in spellings:
            if x != name:
                alias[x] = name
    return alias





def parse_obo_lines(text: str, path: str | None = None) -> OboDocument:
    """The line-by-line OBO reader: any file, slower; its errors name the line."""
    header: dict[str, list[str]] = {}
    typedefs: list[OboTypedef] = []
    doc = OboDocument(header=header, typedefs=typedefs, path=path)
    ids, names, namespaces = doc.ids, doc.names, doc.namespaces
    definitions, comments, obsolete = doc.definitions, doc.comments, doc.obsolete
    edge_child, edge_rel, edge_parent = doc.edge_child, doc.edge_rel, doc.edge_parent
    syn_term, syn_text, syn_scope, syn_type = doc.syn_term, doc.syn_text, doc.syn_scope, doc.syn_type
    cur = -1  # index of the current [Term], -1 outside one or before its id: line
    typedef: OboTypedef | None = None
    stanza = "header"
    stanza_line = 0
    pending_id = True
    for lineno, raw in enumerate(text.split("\n"), 1):
        if raw[-1:] == "\r":
            raw = raw[:-1]
        if not raw or raw[0] == "!":
            continue
        if raw[0] == "[":
            header_name = raw.strip()
            if not header_name.endswith("]"):
                raise OboParseError(path, lineno, f"expected a stanza header like [Term], found {raw[:60]!r}")
            if pending_id and stanza in ("Term", "Typedef"):
                raise OboParseError(path, stanza_line, f"[{stanza}] stanza without an id: tag")
            stanza = header_name[1:-1]
            stanza_line = lineno
            pending_id = stanza in ("Term", "Typedef")
            cur = -1
            typedef = None
            continue
        tag, sep, value = raw.partition(":")
        if tag not in _TERM_TAGS:  # the common tags need no shape check
            if tag in _SKIPPED_TAGS and stanza == "Term":
                continue
            if not sep or not tag or " " in tag or "\t" in tag:
                # 'is_a GO:0008150' has a colon, but inside the value: the tag would be 'is_a GO'
                tag = tag.strip()
                if not raw.strip():
                    continue
                if not sep or not tag or " " in tag or "\t" in tag:
                    raise OboParseError(path, lineno, f"expected 'tag: value', found {raw[:60]!r}")
        value = value.strip()
        if stanza == "Term":
            if cur < 0:
                if tag != "id":
                    raise OboParseError(path, lineno, f"[Term] stanza must start with id:, found {tag}:")
                tid = tidy(value)
                if not tid:
                    raise OboParseError(path, lineno, "[Term] id: is empty")
                cur = len(ids)
                ids.append(tid)
                doc.lines.append(stanza_line)
                names.append("")
                namespaces.append("")
                definitions.append("")
                comments.append("")
                obsolete.append(False)
                pending_id = False
                continue
            if tag == "synonym":
                text_, scope, kind = synonym_fields(value, path, lineno)
                syn_term.append(cur)
                syn_text.append(text_)
                syn_scope.append(scope)
                syn_type.append(kind)
            elif tag == "is_a":
                edge_child.append(cur)
                edge_rel.append("is_a")
                edge_parent.append(first_token(value))
            elif tag == "relationship":
                rel, parent = relationship_value(value, path, lineno)
                edge_child.append(cur)
                edge_rel.append(rel)
                edge_parent.append(parent)
            elif tag == "name":
                names[cur] = tidy(value)
            elif tag == "namespace":
                namespaces[cur] = tidy(value)
            elif tag == "def":
                definitions[cur] = unquote(value, path, lineno, "def")[0]
            elif tag == "alt_id":
                doc.alt_ids.append((cur, tidy(value)))
            elif tag == "is_obsolete":
                obsolete[cur] = is_true(value)
            elif tag == "replaced_by":
                doc.replaced_by.setdefault(cur, []).append(tidy(value))
            elif tag == "consider":
                doc.consider.setdefault(cur, []).append(tidy(value))
            elif tag == "subset":
                doc.subsets.setdefault(cur, []).append(first_token(value))
            elif tag == "xref":
                doc.xref_term.append(cur)
                doc.xref_text.append(first_token(value))
            elif tag == "comment":
                comments[cur] = tidy(value)
            elif tag == "id":
                raise OboParseError(path, lineno, f"second id: in the [Term] stanza of {ids[cur]}")
        elif stanza == "Typedef":
            if typedef is None:
                if tag != "id":
                    raise OboParseError(path, lineno, f"[Typedef] stanza must start with id:, found {tag}:")
                typedef = OboTypedef(id=tidy(value))
                if not typedef.id:
                    raise OboParseError(path, lineno, "[Typedef] id: is empty")
                typedefs.append(typedef)
                pending_id = False
            elif tag == "name":
                typedef.name = tidy(value)
            elif tag == "xref":
                typedef.xrefs.append(first_token(value))
            elif tag == "is_transitive":
                typedef.is_transitive = value.lower().startswith("true")
            elif tag == "is_obsolete":
                typedef.is_obsolete = value.lower().startswith("true")
        elif stanza == "header":
            header.setdefault(tag, []).append(tidy(value) if tag in _PLAIN_HEADER_TAGS else value)
    if pending_id and stanza in ("Term", "Typedef"):
        raise OboParseError(path, stanza_line, f"[{stanza}] stanza without an id: tag")
    log.debug("parsed %d terms, %d typedefs from %s", len(ids), len(typedefs), path or "<text>")
    return doc




@dataclass(frozen=True, slots=True)
class DuplicateStanza:
    """Two or more ``[Term]`` stanzas with one id, combined into one (OBO 1.4, section 4.1.1)."""

    id: str
    #: where each stanza starts (0 where the source has no lines, e.g. OBO-Graphs JSON)
    lines: tuple[int, ...]
    #: single-valued tags the stanzas give different values (name, namespace, def, comment): the first is kept
    conflicts: tuple[str, ...]


def _union(a: list[_T], b: list[_T]) -> list[_T]:
    seen = set(a)
    out = list(a)
    for x in b:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def merge_duplicate_stanzas(doc: OboDocument) -> tuple[OboDocument, list[DuplicateStanza]]:
    """Combine ``[Term]`` stanzas that share an id, as OBO 1.4 (4.1.1) says a parser must.

    The combined stanza holds the union of the tag-values (a value given twice counts once) at the
    place of the first stanza. The spec allows one name, namespace, def and comment per term: where
    the stanzas disagree the first value is kept and the tag is reported in ``conflicts``; is_obsolete
    is true when any stanza says so. Returns ``doc`` itself when every id is unique.
    """
    if len(set(doc.ids)) == len(doc.ids):
        return doc, []
    merged: dict[str, OboTerm] = {}
    lines: dict[str, list[int]] = {}
    conflicts: dict[str, list[str]] = {}
    for term in doc.terms:
        first = merged.get(term.id)
        lines.setdefault(term.id, []).append(term.line)
        if first is None:
            merged[term.id] = term
            continue
        for tag, attr in (("name", "name"), ("namespace", "namespace"), ("def", "definition"),
                          ("comment", "comment")):
            mine, theirs = getattr(first, attr), getattr(term, attr)
            if not mine:
                setattr(first, attr, theirs)
            elif theirs and theirs != mine and tag not in conflicts.get(term.id, []):
                conflicts.setdefault(term.id, []).append(tag)
        first.is_obsolete = first.is_obsolete or term.is_obsolete
        for attr in ("alt_ids", "replaced_by", "consider", "subsets", "synonyms", "xrefs", "parents"):
            setattr(first, attr, _union(getattr(first, attr), getattr(term, attr)))
    out = OboDocument.from_terms(doc.header, list(merged.values()), doc.typedefs, doc.path)
    found = [DuplicateStanza(tid, tuple(ln), tuple(conflicts.get(tid, ()))) for tid, ln in lines.items()
             if len(ln) > 1]
    log.warning("%s: %d term id(s) have more than one [Term] stanza; combined as OBO 1.4 says",
                doc.path or "<text>", len(found))
    return out, found
