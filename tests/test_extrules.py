"""GORULE:0000058 (extensions against extensions-constraints.yaml, repaired by dropping disjuncts) and 0000053.

Expected results from the shipped table: has_input allows MGI/WB/PR/UniProtKB/CHEBI/SO/CL/GO/WBbt fillers on
MF and BP terms only; produced_by is not a listed relation.
"""

from __future__ import annotations

import pandas as pd

from goannot.ontology import Ontology
from goannot.validate import validate
from goannot.validate.extrules import check_extension

IMMUNE_RESPONSE, EXTRACELLULAR_REGION = "GO:0006955", "GO:0005576"


def _row(**kw: str) -> dict[str, str]:
    base = dict(db="UniProtKB", db_object_id="P13232", db_object_symbol="IL7", go_id=IMMUNE_RESPONSE,
                reference="PMID:11418668", evidence="IDA", aspect="P", db_object_type="protein",
                taxon="taxon:9606", date="20171110", assigned_by="UniProt", qualifier="", with_from="",
                annotation_extension="")
    base.update(kw)
    return base


def test_check_extension(go: Ontology) -> None:
    ok = "has_input(UniProtKB:P16871)"
    assert check_extension(go, IMMUNE_RESPONSE, ok) == ("", ok)
    why, kept = check_extension(go, IMMUNE_RESPONSE, ok + "|produced_by(CL:0000084)")
    assert kept == ok and "produced_by is not allowed" in why
    why, kept = check_extension(go, EXTRACELLULAR_REGION, ok)          # has_input is for MF/BP terms
    assert kept == "" and why
    why, kept = check_extension(go, IMMUNE_RESPONSE, "has_input(FooBase:1),has_input(CHEBI:15377)")
    assert kept == "" and "FooBase" in why                               # the whole conjunction goes


def test_0000058_repairs_under_replace_and_reports_under_keep(go: Ontology) -> None:
    rows = [_row(annotation_extension="has_input(UniProtKB:P16871)"),
            _row(annotation_extension="has_input(UniProtKB:P16871)|produced_by(CL:0000084)", reference="PMID:2")]
    result = validate(pd.DataFrame(rows), go, rules=["GORULE:0000058"], options={"today": "2019-01-29"})
    assert (result.kept, result.repaired, result.rejected) == (1, 1, 0)
    assert result.table is not None
    assert result.table["annotation_extension"].tolist() == ["has_input(UniProtKB:P16871)"] * 2
    keep = validate(pd.DataFrame(rows), go, policy="keep", rules=["GORULE:0000058"], options={"today": "2019-01-29"})
    assert (keep.kept, keep.repaired) == (2, 0) and keep.counts_by_rule["GORULE:0000058"] == 1


def test_0000053_not_with_extension(go: Ontology) -> None:
    rows = [_row(qualifier="NOT"), _row(qualifier="NOT", annotation_extension="occurs_in(CL:0000084)"),
            _row(annotation_extension="occurs_in(CL:0000084)")]
    result = validate(pd.DataFrame(rows), go, rules=["GORULE:0000053"], options={"today": "2019-01-29"})
    f = result.findings
    assert f["line"].tolist() == [2] and result.kept == 3
