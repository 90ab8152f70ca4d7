"""goannot.bridges against the libraries they imitate, on the real bundled GO 2019-01-27 release.

* ``to_networkx`` must give obonet's graph: the same nodes, the same keyed edges, the same graph
  attributes and, where goannot's index keeps the data, the same node attributes.
* ``to_goatools_godag`` must give goatools' GODag: the same keys and, per term, the same parents,
  children, relationships, level and depth, so goatools' own algorithms answer the same.

The references are parsed once per module (obonet takes ~15 s on go.obo, goatools a few seconds).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from goannot import Ontology, load_ontology
from goannot.bridges import to_goatools_godag, to_id2gos, to_networkx
from goannot.errors import GoannotError

obonet = pytest.importorskip("obonet")
goatools_obo = pytest.importorskip("goatools.obo_parser")
go_tasks = pytest.importorskip("goatools.godag.go_tasks")

NEG_REG_APOPTOSIS = "GO:0043066"      # negative regulation of apoptotic process
ANTI_APOPTOSIS = "GO:0006916"         # alt_id of NEG_REG_APOPTOSIS
NEG_REG_PCD = "GO:0043069"            # its is_a parent
APOPTOSIS = "GO:0006915"              # its negatively_regulates target
REPAIROSOME = "GO:0000108"            # obsolete, replaced_by NER_COMPLEX
NER_COMPLEX = "GO:0000109"
MITO_INHERITANCE = "GO:0000001"       # is_a GO:0048308, GO:0048311
BP, MF, CC = "GO:0008150", "GO:0003674", "GO:0005575"
IL7 = "P13232"

GO_LIVE_TERMS = 45_013                # non-obsolete [Term] stanzas: obonet's default node count
GO_EDGES = 95_863                     # is_a + relationship lines of the live terms
# Terms whose definition contains the OBO escape "\n": read as a newline and written back escaped,
# so they equal obonet's raw text too (regression: they once came back as a plain "n").
DEFS_WITH_NEWLINE_ESCAPE = 6

_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"(.*)$')


@pytest.fixture(scope="module")
def go(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ontology]:
    """The bundled GO, loaded once for this module with a private compiled cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOANNOT_CACHE", str(tmp_path_factory.mktemp("goannot-cache")))
        yield load_ontology(None)


@pytest.fixture(scope="module")
def obo_path(go: Ontology) -> str:
    assert go.provenance.path is not None
    return go.provenance.path


@pytest.fixture(scope="module")
def obonet_graph(obo_path: str) -> Any:
    return obonet.read_obo(obo_path)


@pytest.fixture(scope="module")
def our_graph(go: Ontology) -> Any:
    return to_networkx(go)


@pytest.fixture(scope="module")
def goatools_dag(obo_path: str) -> Any:
    return goatools_obo.GODag(obo_path, optional_attrs={"relationship"}, prt=None)


@pytest.fixture(scope="module")
def our_dag(go: Ontology) -> Any:
    return to_goatools_godag(go)


# -- networkx / obonet -----------------------------------------------------------------------------

def test_networkx_nodes_and_keyed_edges_equal_obonet(our_graph: Any, obonet_graph: Any) -> None:
    assert our_graph.number_of_nodes() == obonet_graph.number_of_nodes() == GO_LIVE_TERMS
    assert set(our_graph.nodes) == set(obonet_graph.nodes)
    assert our_graph.number_of_edges() == obonet_graph.number_of_edges() == GO_EDGES
    assert set(our_graph.edges(keys=True)) == set(obonet_graph.edges(keys=True))
    # edges carry no data in obonet either; direction child -> parent, key = relation
    assert our_graph.edges[MITO_INHERITANCE, "GO:0048308", "is_a"] == {}
    assert our_graph.has_edge(NEG_REG_APOPTOSIS, APOPTOSIS, key="negatively_regulates")


def test_networkx_graph_attributes_equal_obonet(our_graph: Any, obonet_graph: Any) -> None:
    ours = {k: v for k, v in our_graph.graph.items() if k != "typedefs"}
    theirs = {k: v for k, v in obonet_graph.graph.items() if k != "typedefs"}
    assert ours == theirs
    assert ours["name"] == "go" and ours["data-version"] == "releases/2019-01-27"
    # typedefs: goannot keeps id, name, is_transitive, is_obsolete of each [Typedef]
    keep = ("id", "name", "is_transitive", "is_obsolete")
    assert our_graph.graph["typedefs"] == [{k: td[k] for k in keep if k in td}
                                           for td in obonet_graph.graph["typedefs"]]


def _synonym_without_refs(value: str) -> str:
    """obonet's synonym string without its trailing ``[dbxref, ...]`` list."""
    m = _QUOTED.match(value)
    assert m is not None, value
    rest = m.group(2).split("[", 1)[0].strip()
    return f'"{m.group(1)}" {rest}'


def test_networkx_node_attributes_equal_obonet(our_graph: Any, obonet_graph: Any) -> None:
    exact = ("name", "namespace", "alt_id", "comment", "subset", "is_a", "relationship",
             "is_obsolete", "replaced_by", "consider")
    mismatches: list[tuple[str, str]] = []
    newline_defs = 0
    for node, theirs in obonet_graph.nodes(data=True):
        ours = our_graph.nodes[node]
        mismatches.extend((node, k) for k in exact if ours.get(k) != theirs.get(k))
        # def: goannot keeps the quoted text, not the [dbxref] list after it
        m = _QUOTED.match(theirs["def"])
        assert m is not None
        expected_def = f'"{m.group(1)}"'
        if "\\n" in expected_def:
            newline_defs += 1
        if ours.get("def") != expected_def:
            mismatches.append((node, "def"))
        if ours.get("synonym", []) != [_synonym_without_refs(s) for s in theirs.get("synonym", [])]:
            mismatches.append((node, "synonym"))
        # xref: goannot keeps the identifier, not the quoted description some xrefs have
        if ours.get("xref", []) != [x.split(" ", 1)[0] for x in theirs.get("xref", [])]:
            mismatches.append((node, "xref"))
        # tags goannot's index does not keep at all
        missing = {"created_by", "creation_date", "intersection_of", "union_of", "disjoint_from",
                   "property_value"}
        extra = set(ours) - set(theirs)
        assert not extra, (node, extra)
        assert set(theirs) - set(ours) <= missing, (node, set(theirs) - set(ours))
    assert mismatches == []
    assert newline_defs == DEFS_WITH_NEWLINE_ESCAPE


def test_networkx_spot_check(our_graph: Any) -> None:
    node = our_graph.nodes[MITO_INHERITANCE]
    assert node["name"] == "mitochondrion inheritance"
    assert node["namespace"] == "biological_process"
    assert node["is_a"] == ["GO:0048308", "GO:0048311"]
    assert node["synonym"] == ['"mitochondrial inheritance" EXACT']
    assert node["def"].startswith('"The distribution of mitochondria')
    assert ANTI_APOPTOSIS in our_graph.nodes[NEG_REG_APOPTOSIS]["alt_id"]
    assert ANTI_APOPTOSIS not in our_graph  # alt_ids are attributes, not nodes, as in obonet


def test_networkx_with_obsolete_terms_equals_obonet(go: Ontology, obo_path: str) -> None:
    ours = to_networkx(go, include_obsolete=True)
    theirs = obonet.read_obo(obo_path, ignore_obsolete=False)
    assert set(ours.nodes) == set(theirs.nodes)
    assert set(ours.edges(keys=True)) == set(theirs.edges(keys=True))
    for key in ("is_obsolete", "replaced_by", "consider"):
        assert ours.nodes[REPAIROSOME].get(key) == theirs.nodes[REPAIROSOME].get(key)
    assert ours.nodes[REPAIROSOME]["replaced_by"] == [NER_COMPLEX]


@pytest.mark.parametrize("relations", [("is_a",), ("is_a", "part_of"), "regulates"])
def test_networkx_relation_filter(go: Ontology, our_graph: Any, relations: tuple[str, ...] | str) -> None:
    wanted = {relations} if isinstance(relations, str) else set(relations)
    sub = to_networkx(go, relations)
    assert set(sub.nodes) == set(our_graph.nodes)  # the filter selects edges only
    assert set(sub.edges(keys=True)) == {e for e in our_graph.edges(keys=True) if e[2] in wanted}
    assert sub.nodes[NEG_REG_APOPTOSIS] == our_graph.nodes[NEG_REG_APOPTOSIS]


# -- goatools GODag --------------------------------------------------------------------------------

def _ids(recs: Any) -> set[str]:
    return {r.item_id for r in recs}


def _rels(rel: dict[str, Any]) -> dict[str, set[str]]:
    return {k: _ids(v) for k, v in rel.items()}


def test_godag_is_a_goatools_godag(our_dag: Any) -> None:
    assert isinstance(our_dag, goatools_obo.GODag)
    assert isinstance(our_dag[NEG_REG_APOPTOSIS], goatools_obo.GOTerm)
    assert our_dag[ANTI_APOPTOSIS] is our_dag[NEG_REG_APOPTOSIS]
    assert REPAIROSOME not in our_dag


def test_godag_keys_and_header_equal_goatools(our_dag: Any, goatools_dag: Any) -> None:
    assert set(our_dag) == set(goatools_dag)
    assert our_dag.data_version == goatools_dag.data_version == "releases/2019-01-27"
    assert our_dag.version == goatools_dag.version
    assert set(our_dag.typedefs) == set(goatools_dag.typedefs)
    assert {k: t.name for k, t in our_dag.typedefs.items()} == {
        k: t.name for k, t in goatools_dag.typedefs.items()}


def test_godag_terms_equal_goatools(our_dag: Any, goatools_dag: Any) -> None:
    scalar = ("id", "item_id", "name", "namespace", "_parents", "level", "depth", "is_obsolete",
              "alt_ids")
    bad: list[tuple[str, str]] = []
    for key, theirs in goatools_dag.items():
        ours = our_dag[key]
        if ours.item_id != theirs.item_id:  # alt_id keys must point at the same primary term
            bad.append((key, "primary"))
            continue
        bad.extend((key, a) for a in scalar if getattr(ours, a) != getattr(theirs, a))
        if _ids(ours.parents) != _ids(theirs.parents):
            bad.append((key, "parents"))
        if _ids(ours.children) != _ids(theirs.children):
            bad.append((key, "children"))
        if _rels(ours.relationship) != _rels(theirs.relationship):
            bad.append((key, "relationship"))
        if _rels(ours.relationship_rev) != _rels(theirs.relationship_rev):
            bad.append((key, "relationship_rev"))
    assert bad == []
    # and the object graph is internally consistent: parents are the DAG's own GOTerms
    term = our_dag[NEG_REG_APOPTOSIS]
    assert our_dag[NEG_REG_PCD] in term.parents and term in our_dag[NEG_REG_PCD].children
    assert our_dag[APOPTOSIS] in term.relationship["negatively_regulates"]
    assert term in our_dag[APOPTOSIS].relationship_rev["negatively_regulates"]
    assert (our_dag[BP].level, our_dag[BP].depth) == (0, 0)


# Not True / RELATIONSHIP_SET: with those goatools follows *every* relationship, has_part included,
# which makes cycles in the full go.obo (X part_of Y, Y has_part X) and its recursion never ends
# (RecursionError on goatools' own GODag as on ours). The last set below is RELATIONSHIP_SET plus
# occurs_in, which takes goatools' selective path.
@pytest.mark.parametrize("relationships", [
    None, {"part_of"}, {"part_of", "regulates"},
    {"part_of", "regulates", "negatively_regulates", "positively_regulates", "occurs_in"},
], ids=["is_a", "part_of", "part_of+regulates", "regulates-family+occurs_in"])
def test_godag_go2ancestors_equal_goatools(our_dag: Any, goatools_dag: Any, relationships: Any) -> None:
    ours = go_tasks.get_go2ancestors(set(our_dag.values()), relationships)
    theirs = go_tasks.get_go2ancestors(set(goatools_dag.values()), relationships)
    assert ours == theirs


def test_godag_ancestors_agree_with_goannot(go: Ontology, our_dag: Any) -> None:
    go2anc = go_tasks.get_go2ancestors(set(our_dag.values()), {"part_of"})
    for term in (NEG_REG_APOPTOSIS, MITO_INHERITANCE, "GO:0005634"):
        assert go2anc[term] == go.ancestors(term, ("is_a", "part_of"))


def test_godag_without_relationships_equals_plain_goatools(go: Ontology, obo_path: str) -> None:
    ours = to_goatools_godag(go, relationships=False)
    theirs = goatools_obo.GODag(obo_path, prt=None)
    assert set(ours) == set(theirs)
    assert ours.version == theirs.version
    term = ours[NEG_REG_APOPTOSIS]
    assert not hasattr(term, "relationship")  # goatools' algorithms test for this attribute
    assert go_tasks.get_go2ancestors(set(ours.values()), None) == \
        go_tasks.get_go2ancestors(set(theirs.values()), None)


def test_godag_update_association_equals_goatools(our_dag: Any, goatools_dag: Any) -> None:
    from goatools.anno.update_association import update_association

    def assoc() -> dict[str, set[str]]:
        return {"g1": {NEG_REG_APOPTOSIS}, "g2": {MITO_INHERITANCE, "GO:0005634"}, "g3": {ANTI_APOPTOSIS}}

    ours, theirs = assoc(), assoc()
    update_association(ours, our_dag, relationships={"part_of"}, prt=None)
    update_association(theirs, goatools_dag, relationships={"part_of"}, prt=None)
    assert ours == theirs
    assert BP in ours["g1"] and CC in ours["g2"]


def test_godag_with_obsolete_terms(go: Ontology) -> None:
    dag = to_goatools_godag(go, load_obsolete=True)
    term = dag[REPAIROSOME]
    assert term.is_obsolete and term.parents == set() and (term.level, term.depth) == (0, 0)


# -- id2gos ----------------------------------------------------------------------------------------

@pytest.fixture()
def table() -> pd.DataFrame:
    return pd.DataFrame({
        "db_object_id": [IL7, IL7, IL7, "Q1", "Q1", "Q2"],
        "go_id": ["GO:0005125", "GO:0006955", "GO:0005615", NEG_REG_APOPTOSIS, "GO:0005634", "GO:0005634"],
        "qualifier": ["enables", "NOT|involved_in", "located_in", "", "part_of", "NOT"],
        "aspect": ["F", "P", "C", "P", "C", "C"],
    })


def test_id2gos_skips_not(table: pd.DataFrame) -> None:
    assert to_id2gos(table) == {IL7: {"GO:0005125", "GO:0005615"},
                                "Q1": {NEG_REG_APOPTOSIS, "GO:0005634"}}


@pytest.mark.parametrize("namespace", ["BP", "P", "biological_process"])
def test_id2gos_namespace_from_ontology(table: pd.DataFrame, go: Ontology, namespace: str) -> None:
    assert to_id2gos(table, namespace=namespace, ontology=go) == {"Q1": {NEG_REG_APOPTOSIS}}


def test_id2gos_namespace_from_aspect_column(table: pd.DataFrame) -> None:
    assert to_id2gos(table, namespace="CC") == {IL7: {"GO:0005615"}, "Q1": {"GO:0005634"}}


def test_id2gos_errors(table: pd.DataFrame) -> None:
    with pytest.raises(GoannotError, match="namespace"):
        to_id2gos(table.drop(columns="aspect"), namespace="BP")
    with pytest.raises(GoannotError, match="unknown GO namespace"):
        to_id2gos(table, namespace="XX")
    with pytest.raises(GoannotError, match="qualifier"):
        to_id2gos(table.drop(columns="qualifier"))


def test_id2gos_feeds_goatools(table: pd.DataFrame, our_dag: Any) -> None:
    from goatools.anno.update_association import update_association

    id2gos = to_id2gos(table)
    update_association(id2gos, our_dag, prt=None)
    assert MF in id2gos[IL7] and BP in id2gos["Q1"]
