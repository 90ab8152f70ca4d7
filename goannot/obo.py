"""A fast reader for OBO 1.2/1.4 flat files (GO's go.obo, go-basic.obo, and any other OBO ontology).

It reads what an annotation toolkit needs and keeps it as plain data (:class:`OboDocument`, one
column per field over the ``[Term]`` stanzas, obsolete ones included) and the ``[Typedef]``
stanzas. Edges are kept as written, *child -> parent* (``is_a: X`` in the stanza of
``Y`` is the edge Y -> X), so references to missing terms survive for the DAG check.

Everything else in a stanza (``intersection_of``, ``property_value``, ``created_by``...) is skipped:
this is an index for annotation work, not a round-trip editor; pronto does that.
"""

from __future__ import annotations

import gc
import gzip
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import OboParseError

__all__ = ["OboTerm", "OboTypedef", "OboDocument", "parse_obo", "parse_obo_lines", "read_obo"]

log = logging.getLogger(__name__)

_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*(.*)$')
_UNESCAPE = re.compile(r"\\(.)")
#: OBO 1.4 escapes: \n newline, \t tab, \W space; any other escaped character stands for itself.
_ESCAPED = {"n": "\n", "t": "\t", "W": " "}


#: Term tags the reader keeps, and frequent ones it skips without looking further (go.obo: ~60k lines).
_TERM_TAGS = frozenset({"id", "name", "namespace", "def", "comment", "synonym", "is_a", "relationship", "alt_id",
                        "is_obsolete", "replaced_by", "consider", "subset", "xref"})
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


def strip_trailing(value: str) -> str:
    """Drop a trailing ``! comment`` and ``{modifiers}`` from an identifier-like value."""
    cut = value.find(" !")
    if cut >= 0:
        value = value[:cut]
    cut = value.find(" {")
    if cut >= 0:
        value = value[:cut]
    return value.strip()


def parse_obo(text: str, path: str | None = None, *, data: bytes | None = None) -> OboDocument:
    """Parse OBO text. Raises :class:`OboParseError` with the line for what cannot be read.

    ``data`` may pass the UTF-8 bytes ``text`` was decoded from, to save encoding them again.
    Regular files are read by :func:`goannot._oboscan.scan_obo` (whole-file, vectorized); what it
    does not take, it hands to the line-by-line reader, which also says where a file is wrong.
    """
    from ._oboscan import scan_obo  # it uses this module's value helpers

    # The parse allocates ~10^6 small objects and no cycles; the cyclic GC would only rescan them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        doc = scan_obo(text, text.encode("utf-8") if data is None else data, path)
        return doc if doc is not None else parse_obo_lines(text, path)
    finally:
        if enabled:
            gc.enable()


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
                cur = len(ids)
                ids.append(strip_trailing(value))
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
                edge_parent.append(value.partition(" ")[0])
            elif tag == "relationship":
                rel, parent = relationship_fields(value, path, lineno)
                edge_child.append(cur)
                edge_rel.append(rel)
                edge_parent.append(parent)
            elif tag == "name":
                names[cur] = value
            elif tag == "namespace":
                namespaces[cur] = value
            elif tag == "def":
                definitions[cur] = unquote(value, path, lineno, "def")[0]
            elif tag == "alt_id":
                doc.alt_ids.append((cur, strip_trailing(value)))
            elif tag == "is_obsolete":
                obsolete[cur] = is_true(value)
            elif tag == "replaced_by":
                doc.replaced_by.setdefault(cur, []).append(strip_trailing(value))
            elif tag == "consider":
                doc.consider.setdefault(cur, []).append(strip_trailing(value))
            elif tag == "subset":
                doc.subsets.setdefault(cur, []).append(value.partition(" ")[0])
            elif tag == "xref":
                doc.xref_term.append(cur)
                doc.xref_text.append(value.partition(" ")[0])
            elif tag == "comment":
                comments[cur] = value
            elif tag == "id":
                raise OboParseError(path, lineno, f"second id: in the [Term] stanza of {ids[cur]}")
        elif stanza == "Typedef":
            if typedef is None:
                if tag != "id":
                    raise OboParseError(path, lineno, f"[Typedef] stanza must start with id:, found {tag}:")
                typedef = OboTypedef(id=strip_trailing(value))
                typedefs.append(typedef)
                pending_id = False
            elif tag == "name":
                typedef.name = value
            elif tag == "is_transitive":
                typedef.is_transitive = value.lower().startswith("true")
            elif tag == "is_obsolete":
                typedef.is_obsolete = value.lower().startswith("true")
        elif stanza == "header":
            header.setdefault(tag, []).append(value)
    if pending_id and stanza in ("Term", "Typedef"):
        raise OboParseError(path, stanza_line, f"[{stanza}] stanza without an id: tag")
    log.debug("parsed %d terms, %d typedefs from %s", len(ids), len(typedefs), path or "<text>")
    return doc


def read_obo(path: str | Path) -> OboDocument:
    """Read an OBO file, plain or gzip-compressed (by its magic bytes, not its name)."""
    p = Path(path)
    with open(p, "rb") as fh:
        data = fh.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise OboParseError(p, None, f"gzip stream is corrupt or truncated ({exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise OboParseError(p, line, f"not valid UTF-8 at byte {exc.start}") from None
    return parse_obo(text, str(p), data=data)


