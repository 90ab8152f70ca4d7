"""The Ontology index: facts of the bundled GO 2019-01-27 release, agreement with goatools and obonet,
and the hand-made mini GO read from OBO and from OBO-Graphs JSON.

The GO facts below were checked by hand against the bundled go.obo; they are constants on purpose
(a test that re-reads the OBO text to find its expectations would share the reader's bugs).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from goannot import IdStatus, Ontology, load_ontology
from goannot.ontology import normalize_id

DATA = Path(__file__).parent / "data" / "obo"

# -- GO identifiers used below ------------------------------------------------------------------------
BP, MF, CC = "GO:0008150", "GO:0003674", "GO:0005575"
NEG_REG_APOPTOSIS = "GO:0043066"          # negative regulation of apoptotic process
ANTI_APOPTOSIS = "GO:0006916"             # alt_id of NEG_REG_APOPTOSIS (merged term "anti-apoptosis")
NEG_REG_PCD = "GO:0043069"                # negative regulation of programmed cell death (is_a parent)
REG_APOPTOSIS = "GO:0042981"              # regulation of apoptotic process (is_a parent)
APOPTOSIS = "GO:0006915"                  # apoptotic process (negatively_regulates target)
REPAIROSOME = "GO:0000108"                # obsolete repairosome, replaced_by NER_COMPLEX
NER_COMPLEX = "GO:0000109"                # nucleotide-excision repair complex
RIBOSOMAL_CHAPERONE = "GO:0000005"        # obsolete ribosomal chaperone activity, consider x3
RIBOSOMAL_CHAPERONE_CONSIDER = ("GO:0042254", "GO:0044183", "GO:0051082")
IL7R_BINDING = "GO:0005139"               # interleukin-7 receptor binding
CYTOKINE_R_BINDING = "GO:0005126"         # cytokine receptor binding

GO_TERM_STANZAS = 47_347
GO_OBSOLETE = 2_334
GO_ALT_IDS = 2_432
GO_SLIM_GENERIC = 147


@pytest.fixture(scope="module")
def go(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ontology]:
    """The bundled GO, loaded once per module with the cache in a temporary folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOANNOT_CACHE", str(tmp_path_factory.mktemp("gocache")))
        yield load_ontology()


@pytest.fixture(scope="module")
def sample(go: Ontology) -> list[str]:
    """300 random current GO terms (fixed seed)."""
    return random.Random(20190127).sample(go.ids(), 300)


# -- release facts --------------------------------------------------------------------------------------


def test_release_and_counts(go: Ontology) -> None:
    assert go.data_version == "releases/2019-01-27"
    assert go.provenance.source_name == "go-2019-01-27"
    assert go.provenance.sha256 == "310e574b929a73f7527934b67215fbdaf1dbf309b552960144c065497b3f6bc2"
    assert len(go) == GO_TERM_STANZAS
    assert len(go.ids(include_obsolete=True)) == GO_TERM_STANZAS
    assert len(go.ids()) == GO_TERM_STANZAS - GO_OBSOLETE
    assert len(go.alt_ids) == GO_ALT_IDS


def test_roots_per_namespace(go: Ontology) -> None:
    assert go.roots("biological_process") == [BP]
    assert go.roots("molecular_function") == [MF]
    assert go.roots("cellular_component") == [CC]
    assert sorted(go.roots()) == sorted([BP, MF, CC])
    assert go.depth(BP) == 0


def test_secondary_id(go: Ontology) -> None:
    r = go.resolve(ANTI_APOPTOSIS)
    assert r.status is IdStatus.SECONDARY
    assert r.primary == NEG_REG_APOPTOSIS
    assert r.name == "negative regulation of apoptotic process"
    assert r.namespace == "biological_process"
    assert not r.ok
    assert go[ANTI_APOPTOSIS].id == NEG_REG_APOPTOSIS
    assert ANTI_APOPTOSIS in go[NEG_REG_APOPTOSIS].alt_ids
    assert ANTI_APOPTOSIS not in go  # a secondary ID is not a term
    assert go.ancestors(ANTI_APOPTOSIS) == go.ancestors(NEG_REG_APOPTOSIS)


def test_obsolete_with_replaced_by(go: Ontology) -> None:
    r = go.resolve(REPAIROSOME)
    assert r.status is IdStatus.OBSOLETE
    assert r.primary is None
    assert r.replaced_by == (NER_COMPLEX,)
    assert r.consider == ()
    assert go.is_obsolete(REPAIROSOME)
    assert not go.is_obsolete(NER_COMPLEX)
    assert go.parents(REPAIROSOME, None) == set()


def test_obsolete_with_consider(go: Ontology) -> None:
    r = go.resolve(RIBOSOMAL_CHAPERONE)
    assert r.status is IdStatus.OBSOLETE
    assert r.name == "obsolete ribosomal chaperone activity"
    assert r.replaced_by == ()
    assert r.consider == RIBOSOMAL_CHAPERONE_CONSIDER


@pytest.mark.parametrize(("query", "status"), [
    ("GO:123", IdStatus.MALFORMED),
    ("foo", IdStatus.MALFORMED),
    ("GO:00430660", IdStatus.MALFORMED),
    ("GO:9999999", IdStatus.UNKNOWN),
    (NEG_REG_APOPTOSIS, IdStatus.PRIMARY),
])
def test_status(go: Ontology, query: str, status: IdStatus) -> None:
    r = go.resolve(query)
    assert r.status is status
    assert (r.primary is not None) == (status is IdStatus.PRIMARY)


@pytest.mark.parametrize("query", ["go:0043066", "GO_0043066", "http://purl.obolibrary.org/obo/GO_0043066",
                                   " GO:0043066 "])
def test_normalization(go: Ontology, query: str) -> None:
    assert normalize_id(query) == NEG_REG_APOPTOSIS
    r = go.resolve(query)
    assert r.status is IdStatus.PRIMARY
    assert r.normalized == r.primary == NEG_REG_APOPTOSIS
    assert not r.ok  # usable, but not as written
    assert go.resolve(NEG_REG_APOPTOSIS).ok


def test_find_by_synonym_and_name(go: Ontology) -> None:
    assert go.find("anti-apoptosis") == [(NEG_REG_APOPTOSIS, "synonym:EXACT")]
    assert go.find("Negative Regulation of Apoptotic Process") == [(NEG_REG_APOPTOSIS, "name")]
    assert go.find("no such label") == []


def test_subsets(go: Ontology) -> None:
    slim = go.subset("goslim_generic")
    assert len(slim) == GO_SLIM_GENERIC
    assert {BP, MF, CC} <= slim
    assert "goslim_generic" in go.subset_names
    assert go.subset("no_such_subset") == set()


def test_edge_direction(go: Ontology) -> None:
    """Edges point child -> parent: parents() goes up, children() comes back down."""
    assert go.parents(NEG_REG_APOPTOSIS, "is_a") == {REG_APOPTOSIS, NEG_REG_PCD}
    assert go.parents(NEG_REG_APOPTOSIS, None) == {REG_APOPTOSIS, NEG_REG_PCD, APOPTOSIS}
    assert APOPTOSIS not in go.parents(NEG_REG_APOPTOSIS)  # negatively_regulates is not in the default set
    assert NEG_REG_APOPTOSIS in go.children(NEG_REG_PCD, "is_a")
    assert ("negatively_regulates", APOPTOSIS) in go[NEG_REG_APOPTOSIS].parents
    assert (NEG_REG_APOPTOSIS, "is_a", NEG_REG_PCD) in set(go.edges("is_a"))


def test_cytokine_receptor_binding_is_an_ancestor(go: Ontology) -> None:
    anc = go.ancestors(IL7R_BINDING)
    assert CYTOKINE_R_BINDING in anc
    assert MF in anc
    assert IL7R_BINDING not in anc
    assert IL7R_BINDING in go.ancestors(IL7R_BINDING, reflexive=True)
    assert IL7R_BINDING in go.descendants(CYTOKINE_R_BINDING)


# -- agreement with reference implementations ---------------------------------------------------------


@pytest.fixture(scope="module")
def godag(go: Ontology) -> object:
    obo_parser = pytest.importorskip("goatools.obo_parser")
    return obo_parser.GODag(go.provenance.path, optional_attrs={"relationship", "subset"}, prt=None)


def test_ancestors_is_a_match_goatools(go: Ontology, godag: object, sample: list[str]) -> None:
    for tid in sample:
        assert go.ancestors(tid, "is_a") == godag[tid].get_all_parents(), tid  # type: ignore[index]


def test_ancestors_is_a_part_of_match_goatools(go: Ontology, godag: object, sample: list[str]) -> None:
    from goatools.godag.go_tasks import get_id2upperselect

    upper = get_id2upperselect([godag[t] for t in sample], {"part_of"})  # type: ignore[index]
    for tid in sample:
        assert go.ancestors(tid, ("is_a", "part_of")) == upper[tid], tid


def test_subset_matches_goatools(go: Ontology, godag: object) -> None:
    theirs = {t.item_id for t in godag.values() if "goslim_generic" in t.subset}  # type: ignore[attr-defined]
    assert go.subset("goslim_generic") == theirs


def test_ancestors_with_regulates_match_goatools(go: Ontology, godag: object, sample: list[str]) -> None:
    from goatools.godag.go_tasks import get_id2upperselect

    regulates = {"part_of", "regulates", "negatively_regulates", "positively_regulates"}
    upper = get_id2upperselect([godag[t] for t in sample], regulates)  # type: ignore[index]
    for tid in sample:
        assert go.ancestors(tid, ("is_a", *sorted(regulates))) == upper[tid], tid


@pytest.mark.parametrize("relations", [("is_a", "part_of"), ("is_a",)])
def test_closure_rows_equal_ancestors(go: Ontology, sample: list[str], relations: tuple[str, ...]) -> None:
    indptr, indices = go.closure(relations)
    ids = go.term_ids()
    assert len(indptr) == len(ids) + 1
    for tid in sample[:150] + [BP, NEG_REG_APOPTOSIS, REPAIROSOME]:
        i = go.index_of(tid)
        row = {ids[k] for k in indices[indptr[i]:indptr[i + 1]].tolist()}
        assert row == go.ancestors(tid, relations, reflexive=True), tid
    assert go.closure(relations)[0] is indptr  # memoized


def test_descendants_invert_closure(go: Ontology) -> None:
    indptr, indices = go.closure()
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    for tid in (CYTOKINE_R_BINDING, REG_APOPTOSIS, "GO:0005634"):
        j = go.index_of(tid)
        below = {go.term_ids()[i] for i in rows[indices == j].tolist()}
        assert below == go.descendants(tid, reflexive=True)


# -- the hand-made mini GO, from OBO and from OBO-Graphs JSON ------------------------------------------


@pytest.fixture(scope="module", params=["go-mini.obo", "go-mini.json"])
def mini(request: pytest.FixtureRequest) -> Ontology:
    """The mini GO from each format."""
    return load_ontology(DATA / request.param, use_cache=False)


def test_mini_resolution(mini: Ontology) -> None:
    assert mini.data_version == "releases/2099-01-01"
    assert len(mini) == 21
    assert mini.resolve(ANTI_APOPTOSIS).primary == NEG_REG_APOPTOSIS
    assert mini.resolve(REPAIROSOME).replaced_by == (NER_COMPLEX,)
    assert mini.resolve(RIBOSOMAL_CHAPERONE).consider == ("GO:0005515", "GO:0005102")
    assert mini.resolve("GO:0000004").primary == BP
    assert mini.roots() == [BP, MF, CC]


def test_mini_graph(mini: Ontology) -> None:
    assert mini.ancestors("GO:0005634") == {"GO:0043229", "GO:0043226", "GO:0005622", "GO:0005623", CC}
    assert mini.ancestors("GO:0005634", "is_a") == {"GO:0043229", "GO:0043226", CC}
    assert mini.parents(NEG_REG_APOPTOSIS, None) == {REG_APOPTOSIS, APOPTOSIS}
    assert APOPTOSIS in mini.ancestors("GO:0043065", ("is_a", "positively_regulates"))
    assert set(mini.relations) == {"is_a", "part_of", "regulates", "negatively_regulates",
                                   "positively_regulates"}


def test_mini_labels_and_subsets(mini: Ontology) -> None:
    assert mini.find("anti-apoptosis") == [(NEG_REG_APOPTOSIS, "synonym:EXACT")]
    assert mini.find("cell nucleus") == [("GO:0005634", "synonym:EXACT")]
    assert mini.subset("goslim_generic") == {BP, MF, CC, APOPTOSIS, "GO:0005488", "GO:0043226", "GO:0005634"}
    assert mini.subset("gocheck_do_not_annotate") == {"GO:0065007", "GO:0050789", "GO:0005488"}
    assert ("negative regulation of apoptosis", "EXACT", "systematic_synonym") in mini.synonyms(NEG_REG_APOPTOSIS)
    assert mini["GO:0005634"].xrefs == ("Wikipedia:Cell_nucleus",)


def test_obo_and_json_give_the_same_index() -> None:
    a = load_ontology(DATA / "go-mini.obo", use_cache=False)
    b = load_ontology(DATA / "go-mini.json", use_cache=False)
    assert a.provenance.format == "obo" and b.provenance.format == "obojson"
    assert a.data_version == b.data_version
    assert a.term_ids() == b.term_ids()
    for tid in a:
        ta, tb = a[tid], b[tid]
        assert ta == tb, tid
    assert set(a.edges()) == set(b.edges())
    assert a.alt_ids == b.alt_ids


def test_derived_values_are_built_once_and_kept_per_ontology() -> None:
    a = load_ontology(DATA / "go-mini.obo", use_cache=False)
    b = load_ontology(DATA / "go-mini.obo", use_cache=False)
    calls: list[str] = []

    def build(label: str) -> list[str]:
        calls.append(label)
        return [label]

    first = a.derived(("tests", "x"), lambda: build("a"))
    assert a.derived(("tests", "x"), lambda: build("again")) is first
    assert b.derived(("tests", "x"), lambda: build("b")) == ["b"]
    assert calls == ["a", "b"]
