"""Ontology files read the way OBO 1.4 and OBO-Graphs say (issue 12, ontologies) and ontology faults
that must end in a clear answer (issue 13): one hand-made fixture per case in tests/data/obo/, named
after it, plus regression tests on the bundled GO release.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from collections.abc import Callable
from pathlib import Path

import pytest

from goannot.cli import main
from goannot.dagcheck import check_dag
from goannot.errors import OboParseError, OntologyCycleError
from goannot.loader import detect_ontology_format, load_ontology
from goannot.obo import parse_obo, parse_obo_lines, read_obo
from goannot.obograph import parse_obograph, read_obograph, to_obograph, write_obograph
from goannot.ontology import Ontology

DATA = Path(__file__).parent / "data" / "obo"


def load(name: str | Path) -> Ontology:
    return load_ontology(DATA / name if isinstance(name, str) else name, use_cache=False)


def assert_same_index(a: Ontology, b: Ontology) -> None:
    """Two indexes hold the same terms (every field), edges, alt_ids, relations and release."""
    assert a.term_ids() == b.term_ids()
    for tid in a:
        assert a[tid] == b[tid], tid
    assert list(a.edges()) == list(b.edges())
    assert a.alt_ids == b.alt_ids
    assert a.relations[0] == b.relations[0] == "is_a" and set(a.relations) == set(b.relations)
    assert a.data_version == b.data_version
    assert a.typedefs == b.typedefs


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOANNOT_CACHE", str(tmp_path / "cache"))


# -- 11. OBO 1.4 header and values -------------------------------------------------------------------


def test_default_namespace_applies_to_terms_without_namespace() -> None:
    onto = load("default_namespace.obo")
    assert onto.namespace("GO:0000002") == "biological_process"
    assert onto.namespace("GO:0000003") == "cellular_component"  # an explicit namespace wins
    assert read_obo(DATA / "default_namespace.obo").namespaces[1] == ""  # the document stays as written
    assert check_dag(onto).by_check("missing_namespace") == []
    assert onto.roots("biological_process") == ["GO:0000001"]


def test_trailing_qualifiers_and_comments_are_not_values() -> None:
    onto = load("trailing_qualifiers.obo")
    assert onto.term_ids() == ["GO:0000001", "GO:0000002", "GO:0000003"]
    root, child, part = onto["GO:0000001"], onto["GO:0000002"], onto["GO:0000003"]
    assert (root.name, root.namespace, root.definition) == ("root", "biological_process", "The root.")
    assert root.comment == "keep this\\! and this {curly}"  # escapes kept as written
    assert (child.name, child.namespace) == ("child\\! with bang", "biological_process")
    assert child.xrefs == ("EC:1.1.1.1", "Wikipedia:A\\,B")
    assert child.alt_ids == ("GO:0000009",)
    assert child.subsets == ("goslim_x",)
    assert child.synonyms == (("kid", "EXACT", ""),)
    assert child.parents == (("is_a", "GO:0000001"),)
    assert part.name == "part"
    assert part.parents == (("part_of", "GO:0000002"),)


def test_trailing_qualifiers_fast_path_equals_line_reader() -> None:
    from goannot._oboscan import scan_obo

    text = (DATA / "trailing_qualifiers.obo").read_text(encoding="utf-8")
    scanned = scan_obo(text, text.encode("utf-8"), "t.obo")
    assert scanned is not None  # the regular shape stays on the vectorized path
    assert scanned == parse_obo_lines(text, "t.obo")


@pytest.mark.parametrize(("name", "line", "words"), [
    ("empty_id.obo", 10, "id: is empty"),
    ("text_before_stanza.obo", 3, "tag: value"),
])
def test_malformed_header_and_ids_name_the_line(name: str, line: int, words: str) -> None:
    with pytest.raises(OboParseError) as info:
        read_obo(DATA / name)
    assert info.value.line == line
    assert words in info.value.reason
    assert f"{name}:{line}:" in str(info.value)


def test_empty_typedef_id_is_an_error() -> None:
    with pytest.raises(OboParseError, match="Typedef.*id: is empty"):
        parse_obo("format-version: 1.4\n\n[Term]\nid: GO:1\n\n[Typedef]\nid:  ! nothing\nname: x\n")


# -- 12. duplicate stanzas ---------------------------------------------------------------------------


def test_duplicate_stanzas_are_combined_and_the_index_agrees_with_itself() -> None:
    onto = load("duplicate_stanza.obo")
    assert onto.ids() == ["GO:0000001", "GO:0000002", "GO:0000003"]
    assert len(onto) == 3
    kid = onto["GO:0000002"]
    assert (kid.name, kid.namespace) == ("child", "biological_process")
    assert kid.synonyms == (("kid", "EXACT", ""), ("offspring", "RELATED", ""))  # a repeated value counts once
    assert kid.parents == (("is_a", "GO:0000001"),)
    assert onto.parents("GO:0000002") == {"GO:0000001"}
    assert ("GO:0000002", "is_a", "GO:0000001") in set(onto.edges())
    assert onto.resolve("GO:0000009").primary == "GO:0000002"
    assert onto.roots() == ["GO:0000001"]
    report = check_dag(onto)
    (finding,) = report.by_check("duplicate_stanza")
    assert finding.severity == "warning" and finding.term_id == "GO:0000002"
    assert finding.detail == {"lines": [10, 22], "conflicts": []}
    assert report.ok


def test_duplicate_stanzas_that_disagree_are_an_error() -> None:
    onto = load("duplicate_stanza_conflict.obo")
    assert onto.name("GO:0000002") == "child"  # the first stanza's name
    report = check_dag(onto)
    (finding,) = report.by_check("duplicate_stanza")
    assert finding.severity == "error"
    assert finding.detail["conflicts"] == ["name"]
    assert not report.ok


def test_ontology_check_reports_duplicates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ontology", "check", "--go", str(DATA / "duplicate_stanza_conflict.obo")]) == 1
    out = capsys.readouterr().out
    assert "duplicate_stanza" in out and "GO:0000002" in out


def test_duplicate_json_nodes_are_combined_like_stanzas() -> None:
    graph = to_obograph(load("go-mini.obo"))
    nodes = graph["graphs"][0]["nodes"]
    nodes.append({"id": nodes[0]["id"], "type": "CLASS", "meta": {"xrefs": [{"val": "X:1"}]}})
    onto = Ontology.from_document(parse_obograph(graph))
    assert onto.ids(include_obsolete=True) == load("go-mini.obo").ids(include_obsolete=True)
    assert onto[onto.term_ids()[0]].xrefs[-1] == "X:1"


# -- 13. relation identifiers ------------------------------------------------------------------------


def test_relation_ids_are_read_as_their_obo_names() -> None:
    by_id, by_name = load("relation_ids.obo"), load("relation_names.obo")
    assert set(by_id.relations) == {"is_a", "part_of", "regulates", "my_relation"}
    assert list(by_id.edges()) == list(by_name.edges())
    assert by_id.parents("GO:0000003", "part_of") == {"GO:0000002"}
    assert by_id.ancestors("GO:0000004") == by_name.ancestors("GO:0000004") == {
        "GO:0000001", "GO:0000002", "GO:0000003"}
    for rels in (("is_a", "part_of"), ("is_a", "part_of", "regulates"), ("is_a", "my_relation")):
        a, b = by_id.closure(rels), by_name.closure(rels)
        assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist(), rels


def test_bundled_go_relations_keep_their_names() -> None:
    go = load_ontology()
    assert set(go.relations) == {"is_a", "part_of", "has_part", "regulates", "negatively_regulates",
                                 "positively_regulates", "occurs_in", "ends_during", "happens_during"}
    assert go.typedefs["part_of"]["xrefs"] == ["BFO:0000050"]


# -- 14. OBO-Graphs JSON -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["obsolete_and_merged.json", "obsolete_and_merged_owl_deprecated.json"])
def test_json_forms_give_the_obo_index(name: str) -> None:
    obo, js = load("obsolete_and_merged.obo"), load(name)
    assert js.provenance.format == "obojson"
    assert_same_index(obo, js)
    assert js.is_obsolete("GO:0000004") and js.is_obsolete("GO:0000005")
    assert js.resolve("GO:0000092").status.value == "secondary"  # a "terms merged" node is an alt_id
    assert js.resolve("GO:0000092").primary == "GO:0000002"
    assert "GO:0000092" not in js


def test_obo_fixtures_round_trip_through_the_writer(tmp_path: Path) -> None:
    for name in ("go-mini.obo", "obsolete_and_merged.obo", "trailing_qualifiers.obo", "relation_ids.obo",
                 "duplicate_stanza.obo", "default_namespace.obo"):
        onto = load(name)
        out = write_obograph(onto, tmp_path / f"{name}.json")
        assert detect_ontology_format(out) == "obojson"
        assert_same_index(onto, load(out))


def test_bundled_go_round_trips_through_obographs_json(tmp_path: Path) -> None:
    """Property: the bundled GO written as OBO-Graphs JSON reads back to the same index, term by term."""
    go = load_ontology()
    out = write_obograph(go, tmp_path / "go.json.gz")
    back = load(out)
    assert len(back) == len(go) == 47_347
    assert_same_index(go, back)
    assert back.subset("goslim_generic") == go.subset("goslim_generic")


# -- 15. compression ---------------------------------------------------------------------------------

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
@pytest.mark.parametrize("name", ["go-mini.obo", "go-mini.json"])
def test_compressed_ontologies_read_like_plain_ones(tmp_path: Path, suffix: str, name: str) -> None:
    packed = tmp_path / f"{name}.{suffix}"
    packed.write_bytes(COMPRESSORS[suffix]((DATA / name).read_bytes()))
    assert detect_ontology_format(packed) == ("obojson" if name.endswith(".json") else "obo")
    assert_same_index(load(name), load(packed))


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_damaged_compressed_ontology_is_a_clear_error(tmp_path: Path, suffix: str, damage: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    data = COMPRESSORS[suffix]((DATA / "go-mini.obo").read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data = data[:12] + bytes(b ^ 0x5A for b in data[12:40]) + data[40:]
    bad = tmp_path / f"go.obo.{suffix}"
    bad.write_bytes(data)
    with pytest.raises(OboParseError) as info:
        load(bad)
    assert info.value.path == str(bad)
    assert main(["ontology", "check", "--go", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "Traceback" not in err


# -- issue 13: faults end with an answer --------------------------------------------------------------


def test_depth_terminates_on_an_is_a_cycle_and_names_it() -> None:
    onto = load("isa_cycle_no_root.obo")
    with pytest.raises(OntologyCycleError) as info:
        onto.depth("GO:0000002")
    assert info.value.cycle == ["GO:0000003", "GO:0000004", "GO:0000003"]
    assert "GO:0000003 -> GO:0000004 -> GO:0000003" in str(info.value)
    assert onto.depth("GO:0000001") == 0
    assert load("cycle.obo").depth("GO:0000002") == 2  # a cycle with a way out still has a depth


@pytest.mark.parametrize("name", ["cycle.obo", "isa_cycle_no_root.obo"])
def test_closure_and_propagation_terminate_on_cycles(name: str) -> None:
    import pandas as pd

    from goannot.columns import TABLE_COLUMNS
    from goannot.propagate import gene_to_terms, propagate

    onto = load(name)
    indptr, indices = onto.closure()
    ids = onto.term_ids()
    for i, tid in enumerate(ids):
        assert {ids[k] for k in indices[indptr[i]:indptr[i + 1]].tolist()} == onto.ancestors(tid, reflexive=True)
    row = dict.fromkeys(TABLE_COLUMNS, "")
    row.update(db="UniProtKB", db_object_id="G1", db_object_symbol="g1", go_id="GO:0000002", evidence="IDA", line=1)
    prop = propagate(pd.DataFrame([row], columns=list(TABLE_COLUMNS)), onto)
    assert gene_to_terms(prop)["UniProtKB:G1"] == onto.ancestors("GO:0000002", reflexive=True)
    assert check_dag(onto).by_check("cycle")


def _imports(module: Path, package: Path) -> set[str]:
    """goannot modules that ``module`` imports at its top level or in its functions (relative imports)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return {m for m in found if (package / f"{m}.py").exists()}


def test_ontology_modules_import_no_circle() -> None:
    """No import path leads from an ontology module back to itself (obo <-> _oboscan was one)."""
    from goannot._graph import strongly_connected_components

    package = Path(__file__).resolve().parent.parent / "goannot"
    names = sorted(p.stem for p in package.glob("*.py"))
    index = {n: k for k, n in enumerate(names)}
    adj = [[index[m] for m in _imports(package / f"{n}.py", package)] for n in names]
    mine = {"obo", "_obolines", "_oboscan", "obograph", "ontology", "dagcheck", "loader", "_graph", "_compressed"}
    circles = [sorted(names[k] for k in comp) for comp in strongly_connected_components(adj)
               if len(comp) > 1 and mine & {names[k] for k in comp}]
    assert circles == []
    assert "obo" not in _imports(package / "_oboscan.py", package)


def test_go_pointing_at_a_directory_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ontology", "check", "--go", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a directory" in err and "Traceback" not in err


@pytest.mark.parametrize("content", ["", "\n\n", "format-version: 1.4\nontology: x\n"])
def test_empty_obo_is_exit_2(tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.obo"
    empty.write_text(content)
    with pytest.raises(OboParseError, match="not an OBO ontology"):
        read_obo(empty)
    assert main(["ontology", "check", "--go", str(empty)]) == 2
    assert "not an OBO ontology" in capsys.readouterr().err


def test_json_without_classes_or_graphs_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for text in ('{"graphs": [{"nodes": []}]}', "[1, 2]", '{"graphs": "x"}'):
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        with pytest.raises(OboParseError):
            read_obograph(bad)
        assert main(["ontology", "check", "--go", str(bad)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_json_written_for_the_mini_go_is_valid_obographs_shape() -> None:
    graph = json.loads(json.dumps(to_obograph(load("go-mini.obo"))))["graphs"][0]
    kinds = {n["type"] for n in graph["nodes"]}
    assert kinds == {"CLASS", "PROPERTY"}
    assert all(set(e) == {"sub", "pred", "obj"} for e in graph["edges"])
    assert {"sub": "http://purl.obolibrary.org/obo/GO_0005634", "pred": "is_a",
            "obj": "http://purl.obolibrary.org/obo/GO_0043229"} in graph["edges"]


def test_random_ontologies_round_trip_through_obographs_json() -> None:
    """Property: any ontology the OBO reader accepts reads back from the writer's JSON as the same index
    (random documents from the scanner's generator: odd whitespace, comments, qualifiers, obsolete
    terms, dangling references, typedefs)."""
    import random

    from test_oboscan import _random_obo

    rng = random.Random(20261204)
    for _ in range(150):
        text = _random_obo(rng)
        onto = Ontology.from_document(parse_obo(text, "random.obo"))
        back = Ontology.from_document(parse_obograph(json.loads(json.dumps(to_obograph(onto)))))
        assert_same_index(onto, back)


def test_relations_lists_only_relations_with_edges() -> None:
    onto = Ontology.from_document(parse_obo("format-version: 1.4\n\n[Term]\nid: GO:1\nnamespace: x\n"
                                            "relationship: part_of GO:9 ! no such term\n"))
    assert onto.relations == ("is_a",)
    assert list(onto.edges()) == []
