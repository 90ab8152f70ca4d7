"""Propagation: a hand-made mini GO for the semantics (NOT, conflicts, filters, relations, provenance,
skipped IDs, meta), and the real GO 2019-01-27 + human GAF for IL7 and exact agreement with goatools.

The mini ontology (biological_process unless said otherwise; edges child -> parent)::

    ROOT
     |- PROC  (is_a ROOT)
     |   `- SUB  (is_a PROC)
     |       `- PART  (part_of SUB, is_a ROOT)
     |           `- LEAF  (is_a PART; alt_id LEAF_ALT)
     `- REG   (is_a ROOT, regulates SUB)
    OBS (obsolete)            MF_ROOT <- BINDING (molecular_function)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from goannot import REGULATES, Ontology
from goannot.annotations import read_annotations
from goannot.columns import TABLE_COLUMNS
from goannot.errors import GoannotError
from goannot.evidence import EvidenceFilter
from goannot.obo import parse_obo
from goannot.propagate import Propagation, gene_to_terms, propagate, sources, term_counts
from goannot.sources import get_source, locate

ROOT, PROC, SUB, PART, LEAF, REG, OBS = (f"GO:000000{k}" for k in range(1, 8))
LEAF_ALT = "GO:0000095"
MF_ROOT, BINDING = "GO:0000010", "GO:0000011"
UNKNOWN = "GO:0009999"

MINI_OBO = f"""format-version: 1.2
data-version: test/propagate

[Term]
id: {ROOT}
name: root
namespace: biological_process

[Term]
id: {PROC}
name: process
namespace: biological_process
is_a: {ROOT}

[Term]
id: {SUB}
name: subprocess
namespace: biological_process
is_a: {PROC}

[Term]
id: {PART}
name: part of subprocess
namespace: biological_process
is_a: {ROOT}
relationship: part_of {SUB}

[Term]
id: {LEAF}
name: leaf
namespace: biological_process
alt_id: {LEAF_ALT}
is_a: {PART}

[Term]
id: {REG}
name: regulation of subprocess
namespace: biological_process
is_a: {ROOT}
relationship: regulates {SUB}

[Term]
id: {OBS}
name: obsolete thing
namespace: biological_process
is_obsolete: true

[Term]
id: {MF_ROOT}
name: molecular_function
namespace: molecular_function

[Term]
id: {BINDING}
name: binding
namespace: molecular_function
is_a: {MF_ROOT}

[Typedef]
id: part_of
name: part of

[Typedef]
id: regulates
name: regulates
"""


@pytest.fixture(scope="module")
def mini() -> Ontology:
    return Ontology.from_document(parse_obo(MINI_OBO))


def table(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """An annotation table from (db_object_id, go_id[, qualifier[, evidence[, db[, symbol]]]]) tuples."""
    records = []
    for k, r in enumerate(rows):
        gene, go_id, qualifier, evidence, db, symbol = (*r, *("", "IDA", "UniProtKB", "")[len(r) - 2:])
        rec = {c: "" for c in TABLE_COLUMNS}
        rec.update(db=db, db_object_id=gene, db_object_symbol=symbol or gene.lower(), qualifier=qualifier,
                   go_id=go_id, evidence=evidence, line=k + 1)
        records.append(rec)
    return pd.DataFrame(records, columns=list(TABLE_COLUMNS))


def closure_of(prop: Propagation, gene: str) -> set[str]:
    return gene_to_terms(prop).get(f"UniProtKB:{gene}", set())


# -- relations -----------------------------------------------------------------------------------

def test_closure_follows_is_a_and_part_of(mini: Ontology) -> None:
    prop = propagate(table([("G1", LEAF)]), mini)
    assert closure_of(prop, "G1") == {LEAF, PART, SUB, PROC, ROOT}
    assert prop.closure["direct"].sum() == 1


def test_closure_is_a_only_stops_at_part_of(mini: Ontology) -> None:
    prop = propagate(table([("G1", LEAF)]), mini, relations=("is_a",))
    assert closure_of(prop, "G1") == {LEAF, PART, ROOT}
    assert prop.meta["relations"] == ["is_a"]


def test_regulates_only_when_asked(mini: Ontology) -> None:
    rows = table([("G1", REG)])
    assert closure_of(propagate(rows, mini), "G1") == {REG, ROOT}
    with_reg = propagate(rows, mini, relations=("is_a", "part_of", *REGULATES))
    assert closure_of(with_reg, "G1") == {REG, SUB, PROC, ROOT}


def test_relations_must_include_is_a_and_exist(mini: Ontology) -> None:
    with pytest.raises(GoannotError, match="is_a"):
        propagate(table([("G1", LEAF)]), mini, relations=("part_of",))
    with pytest.raises(GoannotError, match="unknown relation"):
        propagate(table([("G1", LEAF)]), mini, relations=("is_a", "part-of"))


# -- NOT rows and conflicts ----------------------------------------------------------------------

def test_not_rows_never_positive(mini: Ontology) -> None:
    rows = table([("G1", LEAF), ("G2", PROC, "NOT"), ("G3", SUB, "NOT|involved_in"), ("G3", BINDING)])
    prop = propagate(rows, mini)
    assert "UniProtKB:G2" not in gene_to_terms(prop)          # only a NOT row: no positive terms at all
    assert closure_of(prop, "G3") == {BINDING, MF_ROOT}
    assert list(prop.negated["term"].astype(str)) == [PROC, SUB]
    assert list(prop.negated["line"]) == [2, 3]
    assert prop.meta["rows"]["negated"] == 2 and prop.meta["rows"]["used"] == 2
    assert prop.conflicts.empty


@pytest.mark.parametrize("qualifier, negated", [
    ("NOT", True), ("NOT|contributes_to", True), ("contributes_to|NOT", True), ("not", True),
    ("contributes_to", False), ("colocalizes_with", False), ("NOTE", False), ("", False),
])
def test_not_is_a_qualifier_token(mini: Ontology, qualifier: str, negated: bool) -> None:
    prop = propagate(table([("G1", LEAF, qualifier)]), mini)
    assert len(prop.negated) == int(negated)
    assert len(prop.direct) == int(not negated)


def test_conflict_with_not_on_an_ancestor_of_the_positive_term(mini: Ontology) -> None:
    # G1: NOT SUB, but LEAF (a descendant of SUB): LEAF, PART and SUB itself contradict the NOT;
    # PROC and ROOT, ancestors of SUB, do not.
    prop = propagate(table([("G1", SUB, "NOT"), ("G1", LEAF)]), mini)
    got = {(r.term, r.direct, r.not_term, r.not_line) for r in prop.conflicts.astype({"term": str, "not_term": str})
           .itertuples()}
    assert got == {(LEAF, True, SUB, 1), (PART, False, SUB, 1), (SUB, False, SUB, 1)}
    assert closure_of(prop, "G1") == {LEAF, PART, SUB, PROC, ROOT}  # conflicts stay in the closure
    assert prop.meta["conflicts"] == 3


def test_positive_ancestor_of_a_not_term_is_no_conflict(mini: Ontology) -> None:
    prop = propagate(table([("G1", LEAF, "NOT"), ("G1", PROC), ("G2", LEAF)]), mini)
    assert prop.conflicts.empty                               # NOT LEAF + PROC is consistent; G2 has no NOT


def test_conflict_on_the_same_term_and_first_not_line(mini: Ontology) -> None:
    prop = propagate(table([("G1", PART), ("G1", PART, "NOT"), ("G1", PART, "NOT|acts_upstream_of")]), mini)
    assert len(prop.conflicts) == 1
    row = prop.conflicts.iloc[0]
    assert (str(row.term), bool(row.direct), str(row.not_term), int(row.not_line)) == (PART, True, PART, 2)


# -- filters and skipped rows --------------------------------------------------------------------

def test_evidence_filter_and_counts(mini: Ontology) -> None:
    rows = table([("G1", LEAF, "", "IEA"), ("G1", PROC, "", "IDA"), ("G2", SUB, "", "IEA"),
                  ("G3", SUB, "NOT", "IEA")])
    prop = propagate(rows, mini, evidence="exclude:IEA")
    assert gene_to_terms(prop) == {"UniProtKB:G1": {PROC, ROOT}}
    assert prop.meta["rows"]["skipped_evidence"] == 3           # NOT rows are filtered too
    assert prop.meta["evidence"] == "exclude:IEA"
    exp = propagate(rows, mini, evidence=EvidenceFilter.parse("experimental"))
    assert gene_to_terms(exp) == gene_to_terms(prop)


def test_aspects_by_term_namespace(mini: Ontology) -> None:
    rows = table([("G1", LEAF), ("G1", BINDING)])
    mf = propagate(rows, mini, aspects="F")
    assert gene_to_terms(mf) == {"UniProtKB:G1": {BINDING, MF_ROOT}}
    assert mf.meta["rows"]["skipped_aspect"] == 1 and mf.meta["aspects"] == ["F"]
    bp = propagate(rows, mini, aspects=["biological_process"])
    assert closure_of(bp, "G1") == {LEAF, PART, SUB, PROC, ROOT}
    with pytest.raises(GoannotError, match="aspect"):
        propagate(rows, mini, aspects="X")


def test_obsolete_and_unknown_skipped_secondary_mapped(mini: Ontology) -> None:
    rows = table([("G1", OBS), ("G1", UNKNOWN), ("G1", "not-an-id"), ("G1", LEAF_ALT), ("G2", OBS)])
    prop = propagate(rows, mini)
    counts = prop.meta["rows"]
    assert counts["skipped_obsolete"] == 2
    assert counts["skipped_unknown"] == 2
    assert counts["skipped_not_a_term"] == 4
    assert counts["secondary_mapped"] == 1 and counts["used"] == 1
    assert gene_to_terms(prop) == {"UniProtKB:G1": {LEAF, PART, SUB, PROC, ROOT}}   # G2 had nothing usable
    direct = prop.direct.iloc[0]
    assert (str(direct.term), direct.go_id, int(direct.line)) == (LEAF, LEAF_ALT, 4)


def test_meta_record(mini: Ontology) -> None:
    rows = table([("G1", LEAF), ("G1", OBS), ("G2", SUB, "NOT"), ("G3", BINDING, "", "IEA")])
    prop = propagate(rows, mini, evidence="no-IEA", aspects=("P", "F"))
    meta = prop.meta
    assert meta["relations"] == ["is_a", "part_of"]
    assert meta["evidence"] == "no-IEA" and meta["aspects"] == ["P", "F"]
    assert meta["ontology"]["data_version"] == "test/propagate"
    counts = meta["rows"]
    assert counts["input"] == 4
    assert (counts["used"], counts["negated"], counts["skipped_evidence"], counts["skipped_aspect"],
            counts["skipped_not_a_term"]) == (1, 1, 1, 0, 1)
    assert counts["input"] == sum(counts[k] for k in ("used", "negated", "skipped_evidence", "skipped_aspect",
                                                      "skipped_not_a_term"))
    assert (meta["genes"], meta["direct_pairs"], meta["closure_pairs"]) == (2, 1, 5)


def test_empty_input(mini: Ontology) -> None:
    prop = propagate(table([]), mini)
    assert prop.closure.empty and prop.direct.empty and prop.conflicts.empty and prop.provenance.empty
    assert gene_to_terms(prop) == {} and term_counts(prop).empty


# -- genes, provenance, counts -------------------------------------------------------------------

def test_gene_key_is_db_and_id_not_symbol(mini: Ontology) -> None:
    rows = table([("G1", LEAF, "", "IDA", "UniProtKB", "ABC"), ("G1", PROC, "", "IDA", "UniProtKB", "ABC-alias"),
                  ("G1", SUB, "", "IDA", "MGI", "Abc")])
    prop = propagate(rows, mini)
    assert set(gene_to_terms(prop)) == {"MGI:G1", "UniProtKB:G1"}
    genes = prop.genes.set_index(prop.genes["gene"].astype(str))
    assert genes.loc["UniProtKB:G1", "symbol"] == "ABC"          # the first symbol seen
    assert genes.loc["MGI:G1", "db"] == "MGI"


def test_provenance(mini: Ontology) -> None:
    prop = propagate(table([("G1", LEAF), ("G1", PART), ("G1", LEAF, "", "IMP")]), mini)
    closure = prop.closure.astype({"term": str}).set_index("term")
    assert closure.loc[LEAF, "direct"] and closure.loc[PART, "direct"] and not closure.loc[SUB, "direct"]
    assert closure.loc[LEAF, "n_sources"] == 1                  # two rows, one direct pair
    assert closure.loc[PART, "n_sources"] == 2 and closure.loc[ROOT, "n_sources"] == 2
    assert sources(prop, "UniProtKB:G1", SUB) == [PART, LEAF]   # ontology index order
    assert sources(prop, "UniProtKB:G1", LEAF) == [LEAF]
    assert sources(prop, "UniProtKB:G1", BINDING) == [] and sources(prop, "UniProtKB:nope", SUB) == []
    assert len(prop.provenance) == int(prop.closure["n_sources"].sum())


def test_term_counts_count_genes_once(mini: Ontology) -> None:
    prop = propagate(table([("G1", LEAF), ("G1", PART), ("G2", SUB), ("G3", BINDING)]), mini)
    counts = term_counts(prop)
    assert counts[ROOT] == 2 and counts[SUB] == 2 and counts[LEAF] == 1 and counts[MF_ROOT] == 1
    assert PROC in counts.index and OBS not in counts.index
    assert term_counts(prop, include_inferred=False).to_dict() == {LEAF: 1, PART: 1, SUB: 1, BINDING: 1}


def test_plain_object_columns_and_missing_optional_columns(mini: Ontology) -> None:
    rows = pd.DataFrame({"db": ["UniProtKB", "UniProtKB", "UniProtKB"], "db_object_id": ["G1", "G2", "G1"],
                         "go_id": [LEAF, None, PROC], "qualifier": [None, "", ""], "evidence": ["", None, "IDA"]})
    prop = propagate(rows, mini)
    assert gene_to_terms(prop) == {"UniProtKB:G1": {LEAF, PART, SUB, PROC, ROOT}}
    assert list(prop.direct["line"]) == [1, 3] and prop.meta["rows"]["skipped_unknown"] == 1
    assert list(prop.direct["qualifier"]) == ["", ""] and list(prop.direct["evidence"]) == ["", "IDA"]
    with pytest.raises(GoannotError, match="go_id"):
        propagate(rows.drop(columns="go_id"), mini)


# -- the real GO release and human GAF -----------------------------------------------------------

IL7 = "UniProtKB:P13232"
IL7R_BINDING = "GO:0005139"            # interleukin-7 receptor binding
CYTOKINE_R_BINDING = "GO:0005126"      # cytokine receptor binding


@pytest.fixture(scope="module")
def human() -> pd.DataFrame:
    return read_annotations(locate(get_source("goa_human-2019-01-29"))).table


@pytest.fixture(scope="module")
def human_prop(go: Ontology, human: pd.DataFrame) -> Propagation:
    return propagate(human, go)


@pytest.mark.slow
def test_il7_cytokine_receptor_binding_via_il7r_binding(human_prop: Propagation) -> None:
    terms = gene_to_terms(human_prop)[IL7]
    assert {IL7R_BINDING, CYTOKINE_R_BINDING} <= terms
    row = human_prop.closure[(human_prop.closure["gene"] == IL7) & (human_prop.closure["term"] == CYTOKINE_R_BINDING)]
    assert len(row) == 1 and not bool(row["direct"].iloc[0])
    assert sources(human_prop, IL7, CYTOKINE_R_BINDING) == [IL7R_BINDING]
    symbol = human_prop.genes.loc[human_prop.genes["gene"] == IL7, "symbol"].iloc[0]
    assert symbol == "IL7"


@pytest.mark.slow
def test_human_gaf_counts(go: Ontology, human_prop: Propagation, human: pd.DataFrame) -> None:
    counts = human_prop.meta["rows"]
    assert counts["input"] == len(human) == 475_402
    assert counts["used"] + counts["negated"] + counts["skipped_not_a_term"] == counts["input"]
    assert counts["negated"] > 0 and human_prop.meta["conflicts"] == len(human_prop.conflicts) > 0
    assert human_prop.meta["ontology"]["data_version"] == "releases/2019-01-27"
    negated = set(zip(human_prop.negated["gene"].astype(str), human_prop.negated["term"].astype(str)))
    for c in human_prop.conflicts.head(200).itertuples():
        assert str(c.not_term) in go.ancestors(str(c.term), reflexive=True)
        assert (str(c.gene), str(c.not_term)) in negated


@pytest.fixture(scope="module")
def goatools_dag(go: Ontology) -> Iterator[Any]:
    obo_parser = pytest.importorskip("goatools.obo_parser")
    assert go.provenance.path is not None
    yield obo_parser.GODag(go.provenance.path, optional_attrs={"relationship"}, prt=None)


def _goatools_input(human: pd.DataFrame, go: Ontology, aspects: str) -> pd.DataFrame:
    """Positive rows with current primary IDs: what goatools' readers keep (they drop NOT rows).

    goatools keeps alt_ids as keys of its DAG and leaves an alt_id in the gene's set (adding its
    primary's ancestors but not the primary), where goannot maps it to the primary; and it keeps
    obsolete/unknown IDs in the set where goannot skips them. The 2019-01-29 human GAF has neither
    against the 2019-01-27 release, and restricting the input to primary IDs keeps the comparison
    exact should that change.
    """
    rows = human[human["aspect"].isin(list(aspects))]
    rows = rows[~rows["qualifier"].str.contains("NOT", regex=False)]
    ids = set(go.ids())
    return rows[rows["go_id"].isin(ids)]


@pytest.mark.slow
@pytest.mark.parametrize("aspects, relations, goatools_relationships", [
    ("P", ("is_a",), None),
    ("P", ("is_a", "part_of"), {"part_of"}),
    ("PFC", ("is_a", "part_of"), {"part_of"}),
])
def test_same_as_goatools_update_association(go: Ontology, human: pd.DataFrame, goatools_dag: Any, aspects: str,
                                             relations: tuple[str, ...], goatools_relationships: set[str] | None
                                             ) -> None:
    """The full gene -> terms mapping equals goatools' ``update_association`` on the real human GAF."""
    from goatools.anno.update_association import update_association

    rows = _goatools_input(human, go, aspects)
    assert len(rows) > 100_000
    assc: dict[str, set[str]] = {}
    for db, oid, gid in zip(rows["db"].tolist(), rows["db_object_id"].tolist(), rows["go_id"].tolist()):
        assc.setdefault(f"{db}:{oid}", set()).add(gid)
    update_association(assc, goatools_dag, goatools_relationships, prt=None)
    ours = gene_to_terms(propagate(rows, go, relations=relations))
    assert ours.keys() == assc.keys()
    differing = [g for g in assc if assc[g] != ours[g]]
    assert differing == []
    assert sum(map(len, ours.values())) == sum(map(len, assc.values()))
    if goatools_relationships:  # part_of makes a difference on this data, so the test is not vacuous
        is_a_only = gene_to_terms(propagate(rows, go, relations=("is_a",)))
        assert sum(map(len, is_a_only.values())) < sum(map(len, ours.values()))
