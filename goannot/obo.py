"""A fast reader for OBO 1.2/1.4 flat files (GO's go.obo, go-basic.obo, and any other OBO ontology).

It reads what an annotation toolkit needs and keeps it as plain data (:class:`OboDocument`): the
header, one :class:`OboTerm` record per ``[Term]`` stanza (obsolete ones included) and the
``[Typedef]`` stanzas. Edges are kept as written, *child -> parent* (``is_a: X`` in the stanza of
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

__all__ = ["OboTerm", "OboTypedef", "OboDocument", "parse_obo", "read_obo"]

log = logging.getLogger(__name__)

_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*(.*)$')
_UNESCAPE = re.compile(r"\\(.)")
#: OBO 1.4 escapes: \n newline, \t tab, \W space; any other escaped character stands for itself.
_ESCAPED = {"n": "\n", "t": "\t", "W": " "}


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
    """A parsed OBO file: header tags (each a list of values), terms and typedefs in file order."""

    header: dict[str, list[str]]
    terms: list[OboTerm]
    typedefs: list[OboTypedef]
    path: str | None = None


def _unquote(value: str, path: str | None, line: int, tag: str) -> tuple[str, str]:
    if value[:1] == '"' and "\\" not in value:  # the common case, without a regex
        end = value.find('"', 1)
        if end > 0:
            return value[1:end], value[end + 1:].lstrip()
    m = _QUOTED.match(value)
    if m is None:
        raise OboParseError(path, line, f"{tag}: expected a quoted string, found {value[:60]!r}")
    return _UNESCAPE.sub(_unescape_char, m.group(1)), m.group(2)


def _strip_trailing(value: str) -> str:
    """Drop a trailing ``! comment`` and ``{modifiers}`` from an identifier-like value."""
    cut = value.find(" !")
    if cut >= 0:
        value = value[:cut]
    cut = value.find(" {")
    if cut >= 0:
        value = value[:cut]
    return value.strip()


def parse_obo(text: str, path: str | None = None) -> OboDocument:
    """Parse OBO text. Raises :class:`OboParseError` with the line for what cannot be read."""
    # The parse allocates ~10^6 small objects and no cycles; the cyclic GC would only rescan them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_obo(text, path)
    finally:
        if enabled:
            gc.enable()


def _parse_obo(text: str, path: str | None) -> OboDocument:
    header: dict[str, list[str]] = {}
    terms: list[OboTerm] = []
    typedefs: list[OboTypedef] = []
    term: OboTerm | None = None
    typedef: OboTypedef | None = None
    stanza = "header"
    stanza_line = 0
    pending_id = True
    for lineno, raw in enumerate(text.splitlines(), 1):
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
            term = typedef = None
            continue
        tag, sep, value = raw.partition(":")
        if not sep or not tag or " " in tag or "\t" in tag:
            # 'is_a GO:0008150' has a colon, but inside the value: the tag would be 'is_a GO'
            tag = tag.strip()
            if not raw.strip():
                continue
            if not sep or not tag or " " in tag or "\t" in tag:
                raise OboParseError(path, lineno, f"expected 'tag: value', found {raw[:60]!r}")
        value = value.strip()
        if stanza == "Term":
            if term is None:
                if tag != "id":
                    raise OboParseError(path, lineno, f"[Term] stanza must start with id:, found {tag}:")
                term = OboTerm(id=_strip_trailing(value), line=stanza_line)
                terms.append(term)
                pending_id = False
                continue
            if tag == "is_a":
                term.parents.append(("is_a", value.partition(" ")[0]))
            elif tag == "relationship":
                parts = value.split(None, 2)
                if len(parts) < 2:
                    raise OboParseError(path, lineno, f"relationship: expected 'TYPE ID', found {value[:60]!r}")
                term.parents.append((parts[0], parts[1]))
            elif tag == "name":
                term.name = value
            elif tag == "namespace":
                term.namespace = value
            elif tag == "def":
                term.definition = _unquote(value, path, lineno, "def")[0]
            elif tag == "synonym":
                text_, rest = _unquote(value, path, lineno, "synonym")
                bits = rest.split("[", 1)[0].split()
                term.synonyms.append((text_, bits[0] if bits else "RELATED", bits[1] if len(bits) > 1 else ""))
            elif tag == "alt_id":
                term.alt_ids.append(_strip_trailing(value))
            elif tag == "is_obsolete":
                term.is_obsolete = value.lower().startswith("true")
            elif tag == "replaced_by":
                term.replaced_by.append(_strip_trailing(value))
            elif tag == "consider":
                term.consider.append(_strip_trailing(value))
            elif tag == "subset":
                term.subsets.append(value.partition(" ")[0])
            elif tag == "xref":
                term.xrefs.append(value.partition(" ")[0])
            elif tag == "comment":
                term.comment = value
            elif tag == "id":
                raise OboParseError(path, lineno, f"second id: in the [Term] stanza of {term.id}")
        elif stanza == "Typedef":
            if typedef is None:
                if tag != "id":
                    raise OboParseError(path, lineno, f"[Typedef] stanza must start with id:, found {tag}:")
                typedef = OboTypedef(id=_strip_trailing(value))
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
    log.debug("parsed %d terms, %d typedefs from %s", len(terms), len(typedefs), path or "<text>")
    return OboDocument(header=header, terms=terms, typedefs=typedefs, path=path)


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
    return parse_obo(text, str(p))


