"""The fast path of the OBO reader: all lines classified at once with numpy, values cut out by position.

go.obo has ~600k lines, and a line-by-line Python loop spends most of its time deciding what each
line is. Here numpy finds the line starts, reads the first 16 bytes of every line as two integers
and compares them with the tags goannot keeps, so Python only touches the lines it keeps, and mostly
just slices them out of the text.

It takes the regular shape of an OBO file and answers ``None`` for anything else (a ``[Term]`` whose
first line is not its id, ``\\r\\n`` line ends, a line that is not ``tag: value``...); the line reader
(:func:`goannot._obolines.parse_obo_lines`) then reads the file and names the line that is wrong. On every
file it accepts, its document equals the line reader's (``tests/test_oboscan.py`` compares them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from operator import itemgetter

import numpy as np
import numpy.typing as npt

from .errors import OboParseError
from ._obolines import (OboDocument, clean_value, first_token, is_true, parse_obo_lines, relationship_value,
                        synonym_fields, unquote)

__all__ = ["scan_obo"]

Positions = npt.NDArray[np.int64]

#: Tags kept from [Term] stanzas (their code is their index) and tags skipped without a look.
_KEEP = ("id", "name", "namespace", "def", "comment", "synonym", "is_a", "relationship", "alt_id",
         "is_obsolete", "replaced_by", "consider", "subset", "xref")
_SKIP = ("intersection_of", "creation_date", "created_by", "property_value", "disjoint_from", "union_of")
_SKIPPED, _BLANK, _COMMENT, _HEADER, _OTHER = 20, 21, 22, 23, -1
_T = {tag: k for k, tag in enumerate(_KEEP)}

#: A synonym's text followed by one of these 8 (or 9, 10) bytes has that scope and no type.
_SCOPES = ("EXACT", "BROAD", "NARROW", "RELATED", "")


def _key(prefix: bytes) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """(value, mask) of a line's bytes 0-7 and 8-15 when the line starts with ``prefix`` (<= 16 bytes)."""
    padded = prefix.ljust(16, b"\0")
    m1 = (1 << (8 * min(len(prefix), 8))) - 1
    m2 = (1 << (8 * max(len(prefix) - 8, 0))) - 1
    return (np.uint64(int.from_bytes(padded[:8], "little") & m1), np.uint64(m1),
            np.uint64(int.from_bytes(padded[8:], "little") & m2), np.uint64(m2))


_TAG_KEYS = [(code, _key(tag.encode() + b":")) for code, tag in enumerate(_KEEP)] + [
    (_SKIPPED, _key(tag.encode() + b":")) for tag in _SKIP]
_TERM_HEADER = _key(b"[Term]")
_SCOPE_KEYS = [_key(b" EXACT [")[0], _key(b" BROAD [")[0], _key(b" NARROW ")[0], _key(b" RELATED")[0]]


class _Text:
    """The file as bytes (for numpy) and as text (for slicing), with byte -> character offsets."""

    def __init__(self, text: str, data: bytes) -> None:
        self.text = text
        self.data = data
        self.n = n = len(data)
        # Zero-padded, so that the 16 bytes after any offset in the file can be read.
        self.buf = np.zeros(n + 24, dtype=np.uint8)
        self.buf[:n] = np.frombuffer(data, dtype=np.uint8)
        # Every byte offset is the start of an unaligned little-endian 8-byte word.
        self._words = np.ndarray(shape=(n + 17,), dtype="<u8", buffer=self.buf, strides=(1,))
        # In UTF-8, a character starts at every byte that is not a continuation byte (10xxxxxx).
        self._cont = None if text.isascii() else np.flatnonzero((self.buf[:n] & 0xC0) == 0x80)
        self.backslash = self._offsets(0x5C)
        # Where a value may hold more than its text: an escape or a qualifier block ('!' is checked per column).
        self.special = np.union1d(self.backslash, self._offsets(ord("{")))

    def _offsets(self, byte: int) -> Positions:
        """Offsets of every occurrence of ``byte`` (rare in OBO files, so found with bytes.find when few)."""
        needle, data = bytes((byte,)), self.data
        found, at = [], data.find(needle)
        while at >= 0:
            found.append(at)
            if len(found) > 10_000:  # not rare after all: one vectorized pass
                return np.flatnonzero(self.buf[:self.n] == byte)
            at = data.find(needle, at + 1)
        return np.asarray(found, dtype=np.int64)

    @functools.cached_property
    def quotes(self) -> Positions:
        """Offsets of every double quote in the file, in order (and one past the end)."""
        return np.append(np.flatnonzero(self.buf[:self.n] == ord('"')), self.n)

    def words(self, pos: Positions) -> npt.NDArray[np.uint64]:
        """The 8 bytes at each position (<= the file's size + 8) as a little-endian integer."""
        return self._words[pos]

    def chars(self, pos: Positions) -> list[int]:
        """Byte offsets as character offsets into :attr:`text`."""
        if self._cont is None:
            return pos.tolist()  # type: ignore[no-any-return]
        return (pos - np.searchsorted(self._cont, pos)).tolist()  # type: ignore[no-any-return]

    def slices(self, a: Positions, b: Positions) -> list[str]:
        """``text[a:b]`` for each pair of byte offsets."""
        text = self.text
        return [text[x:y] for x, y in zip(self.chars(a), self.chars(b))]

    def values(self, a: Positions, b: Positions) -> list[str]:
        """Tag values, ``text[a:b].strip()``, stripping only where an end is not a visible ASCII byte."""
        vals = self.slices(a, b)
        fa, lb = self.buf[a], self.buf[np.maximum(b - 1, 0)]
        untidy = (a < b) & ((fa <= 32) | (fa >= 0x80) | (lb <= 32) | (lb >= 0x80))
        for i in np.flatnonzero(untidy).tolist():
            vals[i] = vals[i].strip()
        return vals

    def has_backslash(self, a: Positions, b: Positions) -> npt.NDArray[np.bool_]:
        """Whether bytes a..b-1 hold a backslash (an OBO escape), for each pair."""
        bs = self.backslash
        return np.searchsorted(bs, a) < np.searchsorted(bs, b)

    def tidy(self, vals: list[str], a: Positions, b: Positions, token: bool = False) -> list[str]:
        """Values (or with ``token``, their first word) as the line reader's ``tidy``/``first_token`` give them.

        Only values holding an escape, a ``{`` or a ``!`` go through Python; a column is searched for
        ``!`` as one joined string, so a file without such values costs no per-line work here.
        """
        if token:
            vals = [v.partition(" ")[0] for v in vals]
        sp = self.special
        odd = np.searchsorted(sp, a) < np.searchsorted(sp, b)
        if "!" in "\n".join(vals):
            odd |= np.fromiter(("!" in v for v in vals), dtype=bool, count=len(vals))
        picked = np.flatnonzero(odd).tolist()
        if picked:
            full = self.values(a[picked], b[picked])
            fix = first_token if token else clean_value
            for i, v in zip(picked, full):
                vals[i] = fix(v)
        return vals


class _Giveup(Exception):
    """The file is not regular enough for the fast path; the line reader will take it."""


def scan_obo(text: str, data: bytes, path: str | None = None) -> OboDocument | None:
    """Parse OBO ``text`` (``data`` is its UTF-8 encoding), or ``None`` to leave it to the line reader."""
    if len(data) < 64 or b"\r" in data:
        return None
    try:
        return _scan(_Text(text, data), path)
    except _Giveup:
        return None


def _scan(t: _Text, path: str | None) -> OboDocument:
    buf, n = t.buf, t.n
    newlines = np.flatnonzero(buf[:n] == 10)
    starts = np.empty(len(newlines) + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = newlines + 1
    ends = np.empty_like(starts)
    ends[:-1] = newlines
    ends[-1] = n

    k1, k2 = t.words(starts), t.words(starts + 8)
    code = np.full(len(starts), _OTHER, dtype=np.int8)
    for c, (v1, m1, v2, m2) in _TAG_KEYS:
        hit = (k1 & m1) == v1
        if m2:
            hit &= (k2 & m2) == v2
        code[hit] = c
    first = buf[starts]
    code[first == ord("!")] = _COMMENT
    code[first == ord("[")] = _HEADER
    code[starts == ends] = _BLANK

    # Stanzas: the [Term] ones are scanned here; the header and all others go to the line reader.
    headers = np.flatnonzero(code == _HEADER)
    v1, m1, _, _ = _TERM_HEADER
    is_term = ((ends[headers] - starts[headers]) == 6) & ((k1[headers] & m1) == v1)
    term_headers = headers[is_term]
    n_terms = len(term_headers)
    if n_terms == 0:
        raise _Giveup
    stanza = np.cumsum(code == _HEADER) - 1
    term_of_stanza = np.where(is_term, np.cumsum(is_term) - 1, -1)
    term_of_line = np.where(stanza >= 0, term_of_stanza[np.maximum(stanza, 0)], -1)
    outside = term_of_line < 0
    term_code = np.where(outside | (code == _HEADER), -2, code)

    # The lines of each code, in file order: one stable (radix) sort instead of a pass per tag.
    by_code = np.argsort(term_code, kind="stable")
    bounds = np.searchsorted(term_code[by_code], np.arange(-2, _HEADER + 2))

    def lines(c: int) -> Positions:
        return by_code[bounds[c + 2]:bounds[c + 3]]

    after = term_headers + 1
    if after[-1] >= len(code) or (code[after] != _T["id"]).any():
        raise _Giveup  # a [Term] must open with its id (comments or blank lines first: the line reader)
    if len(lines(_T["id"])) != n_terms:
        raise _Giveup  # a second id: in a stanza
    for line in t.slices(starts[lines(_OTHER)], ends[lines(_OTHER)]):
        tag, sep, _ = line.partition(":")
        if (not sep or not tag or " " in tag or "\t" in tag) and line.strip():
            raise _Giveup  # not 'tag: value'

    rest = "\n".join(t.slices(starts[outside], ends[outside]))
    try:
        other = parse_obo_lines(rest, path)
    except OboParseError:
        raise _Giveup from None
    if other.ids:
        raise _Giveup  # a stanza header the line reader reads as [Term] ('[Term] ' with a space)

    doc = OboDocument(header=other.header, typedefs=other.typedefs, path=path)
    doc.lines = (term_headers + 1).tolist()

    def where(tag: str) -> tuple[Positions, Positions, Positions]:
        """(term index, value start, value end) of every line with this tag, in file order."""
        ix = lines(_T[tag])
        a = starts[ix] + len(tag) + 1
        b = ends[ix]
        a += (a < b) & (buf[a] == 32)
        return term_of_line[ix], a, b

    def one_per_term(tag: str) -> list[str]:
        terms, a, b = where(tag)
        vals = t.tidy(t.values(a, b), a, b)
        if len(vals) == n_terms and (terms == np.arange(n_terms)).all():
            return vals
        col = [""] * n_terms
        for i, v in zip(terms.tolist(), vals):
            col[i] = v  # the last one wins, as in the line reader
        return col

    doc.ids = one_per_term("id")
    if "" in doc.ids:
        raise _Giveup  # an empty id: the line reader says where
    doc.names = one_per_term("name")
    doc.namespaces = one_per_term("namespace")
    doc.comments = one_per_term("comment")

    terms, a, b = where("def")
    definitions, _, _ = _quoted(t, a, b, lambda v: unquote(v, path, 0, "def")[0])
    doc.definitions = [""] * n_terms
    for i, v in zip(terms.tolist(), definitions):
        doc.definitions[i] = v

    terms, a, b = where("synonym")
    texts, close, fast = _quoted(t, a, b, lambda v: synonym_fields(v, path, 0)[0])
    w = t.words(close + 1)
    scope = np.full(len(texts), -1, dtype=np.int8)
    scope[w == _SCOPE_KEYS[0]] = 0
    scope[w == _SCOPE_KEYS[1]] = 1
    scope[(w == _SCOPE_KEYS[2]) & (buf[close + 9] == ord("["))] = 2
    scope[(w == _SCOPE_KEYS[3]) & (buf[close + 9] == 32) & (buf[close + 10] == ord("["))] = 3
    scope[~fast] = -1
    scopes = [_SCOPES[k] for k in scope.tolist()]
    kinds = [""] * len(texts)
    odd = np.flatnonzero(scope < 0)
    for i, v in zip(odd.tolist(), t.values(a[odd], b[odd])):
        texts[i], scopes[i], kinds[i] = synonym_fields(v, path, 0)
    doc.syn_term, doc.syn_text, doc.syn_scope, doc.syn_type = terms.tolist(), texts, scopes, kinds

    # Edges in file order, is_a and relationship lines interleaved as written.
    isa_terms, isa_a, isa_b = where("is_a")
    rel_terms, rel_a, rel_b = where("relationship")
    rels: list[str] = []
    parents: list[str] = t.tidy(t.values(isa_a, isa_b), isa_a, isa_b, token=True)
    for v in t.values(rel_a, rel_b):
        try:
            r, parent = relationship_value(v, path, 0)
        except OboParseError:
            raise _Giveup from None
        rels.append(r)
        parents.append(parent)
    child = np.concatenate([isa_terms, rel_terms])
    rel = ["is_a"] * len(isa_terms) + rels
    if len(rel_terms) and len(isa_terms):
        in_file = np.argsort(np.concatenate([isa_a, rel_a]), kind="stable")
        child = child[in_file]
        pick = itemgetter(*in_file.tolist())
        rel, parents = list(pick(rel)), list(pick(parents))
    doc.edge_child, doc.edge_rel, doc.edge_parent = child.tolist(), rel, parents

    terms, a, b = where("xref")
    doc.xref_term, doc.xref_text = terms.tolist(), t.tidy(t.values(a, b), a, b, token=True)
    terms, a, b = where("alt_id")
    doc.alt_ids = list(zip(terms.tolist(), t.tidy(t.values(a, b), a, b)))
    for tag, table, token in (("replaced_by", doc.replaced_by, False), ("consider", doc.consider, False),
                              ("subset", doc.subsets, True)):
        terms, a, b = where(tag)
        for i, v in zip(terms.tolist(), t.tidy(t.values(a, b), a, b, token)):
            table.setdefault(i, []).append(v)
    doc.obsolete = [False] * n_terms
    terms, a, b = where("is_obsolete")
    for i, v in zip(terms.tolist(), t.values(a, b)):
        doc.obsolete[i] = is_true(v)
    return doc


def _quoted(t: _Text, a: Positions, b: Positions,
            slow: Callable[[str], str]) -> tuple[list[str], Positions, npt.NDArray[np.bool_]]:
    """The quoted text opening each value a..b: (texts, closing-quote offsets, cut-by-position flags).

    Values that open with a quote, hold no backslash and close the quote are cut out by position;
    the others go through ``slow(value)``, the line reader's own code, which raises for a value that
    is not quoted (the file then goes to the line reader, to be reported with its line).
    """
    fast = (t.buf[a] == ord('"')) & (a < b) & ~t.has_backslash(a, b)
    a1 = a + 1
    quotes = t.quotes
    close = quotes[np.minimum(np.searchsorted(quotes, a1), len(quotes) - 1)]
    fast &= (close >= a1) & (close < b)
    close = np.where(fast, close, a1)
    texts = t.slices(a1, close)
    odd = np.flatnonzero(~fast)
    for i, v in zip(odd.tolist(), t.values(a[odd], b[odd])):
        try:
            texts[i] = slow(v)
        except OboParseError:
            raise _Giveup from None
    return texts, close, fast
