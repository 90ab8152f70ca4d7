"""GO rules backed by GO's reference metadata (goannot.validate.refrules), on hand-made rows and the bundled GAFs.

Expected outcomes follow the rule texts and the shipped tables: PMID:10026173 is the first entry of
go-site's retracted-publications.txt; GO_REF:0000037 is obsolete in gorefs.yaml, GO_REF:0000024 is
not; human (9606) is one of GO's reference species, rabbit (9986) is not; GO:0001772 'immunological
synapse' is only_in Vertebrata (NCBITaxon:7742); GO:0000747 'conjugation with cellular fusion' is
only_in the union 'Fungi or Dictyostelium'.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from goannot.ontology import Ontology
from goannot.validate import refrules, validate
from goannot.validate.rules import REGISTRY

IMMUNOLOGICAL_SYNAPSE = "GO:0001772"      # C, only_in Vertebrata
CONJUGATION_WITH_FUSION = "GO:0000747"    # P, only_in NCBITaxon_Union:0000022 (Fungi or Dictyostelium)
OPTS = {"today": "2019-01-29"}


def _row(**kw: str) -> dict[str, str]:
    base = dict(db="UniProtKB", db_object_id="P13232", db_object_symbol="IL7", go_id="GO:0005125",
                reference="PMID:11418668", evidence="IDA", aspect="F", db_object_type="protein",
                taxon="taxon:9606", date="20171110", assigned_by="UniProt", qualifier="", with_from="",
                annotation_extension="")
    base.update(kw)
    return base


def _run(go: Ontology, rule: str, *rows: dict[str, str], policy: str = "replace") -> tuple[Any, pd.DataFrame]:
    result = validate(pd.DataFrame(list(rows)), go, policy=policy, rules=[rule], options=OPTS)
    assert result.balanced
    return result, result.findings[result.findings["rule"] == rule]


def test_tables_load() -> None:
    assert 10026173 in set(refrules.retracted_pmids().tolist()) and len(refrules.retracted_pmids()) > 20000
    assert refrules.gorefs()["GO_REF:0000037"] is True and refrules.gorefs()["GO_REF:0000024"] is False
    assert refrules.db_prefixes()["PUBMED"][0] == "PMID"  # a synonym maps to its database
    assert "9606" in refrules.reference_species() and "9986" not in refrules.reference_species()


def test_0000022_retracted_publications_are_filtered(go: Ontology) -> None:
    result, f = _run(go, "GORULE:0000022", _row(), _row(reference="PMID:10026173"),
                     _row(reference="GO_REF:0000024|PMID:10026173"), _row(reference="PMID:100261730"))
    assert f["line"].tolist() == [2, 3] and set(f["action"]) == {"reject"}
    assert "PMID:10026173" in f["message"].iloc[0]
    assert (result.kept, result.rejected) == (2, 2)
    kept, _ = _run(go, "GORULE:0000022", _row(reference="PMID:10026173"), policy="keep")
    assert (kept.kept, kept.rejected) == (1, 0)


def test_0000030_obsolete_and_unknown_gorefs_are_filtered(go: Ontology) -> None:
    result, f = _run(go, "GORULE:0000030", _row(reference="GO_REF:0000024"), _row(reference="GO_REF:0000037"),
                     _row(reference="GO_REF:9999999"), _row(reference="GO_REF:0000007"))  # 0000007: alt id of 0000002
    assert f["line"].tolist() == [2, 3]
    assert "obsolete" in f["message"].iloc[0] and "not a GO_REF known" in f["message"].iloc[1]
    assert result.rejected == 2


def test_0000064_treegrafter_for_reference_species(go: Ontology) -> None:
    tg = dict(evidence="IEA", reference="GO_REF:0000118", assigned_by="InterPro")
    result, f = _run(go, "GORULE:0000064", _row(**tg), _row(**tg, taxon="taxon:9986"),
                     _row(evidence="IEA", reference="GO_REF:0000002"))
    assert f["line"].tolist() == [1] and result.rejected == 1


@pytest.mark.parametrize("bad, message", [
    ({"db": "FooBase"}, "DB prefix FooBase is not in"),
    ({"db_object_id": "P1323"}, "id P1323 does not match the id syntax of UniProtKB"),
    ({"evidence": "ISS", "with_from": "UniProtKB:P10168|EcoGene:EG10001"}, "with_from: prefix EcoGene"),
    ({"annotation_extension": "has_input(FooBase:1)"}, "annotation_extension: prefix FooBase"),
])
def test_0000027_prefix_registry_and_id_syntax(go: Ontology, bad: dict[str, str], message: str) -> None:
    good = _row(evidence="ISS", with_from="UniProtKB:P10168", annotation_extension="has_input(UniProtKB:P10168)")
    result, f = _run(go, "GORULE:0000027", good, _row(**bad))
    assert f["line"].tolist() == [2] and message in f["message"].iloc[0]
    assert result.kept == 2  # soft: reported, kept
    assert REGISTRY["GORULE:0000027"].check.__module__ == "goannot.validate.gorules"


def test_0000027_legacy_prefix_still_repaired(go: Ontology) -> None:
    result, f = _run(go, "GORULE:0000027", _row(db="UniProt"))
    assert result.repaired == 1 and "legacy DB prefix UniProt" in f["message"].iloc[0]


def test_0000013_taxon_constraints(go: Ontology) -> None:
    c = dict(go_id=IMMUNOLOGICAL_SYNAPSE, aspect="C")
    fly = "taxon:7227"
    result, f = _run(go, "GORULE:0000013",
                     _row(**c),                                          # human: a vertebrate, passes
                     _row(**c, taxon=fly),                               # experimental: reported, kept
                     _row(**c, taxon=fly, evidence="IEA", reference="GO_REF:0000002"),  # non-experimental: filtered
                     _row(**c, taxon=fly, qualifier="NOT"),              # NOT: exempt
                     _row(go_id=CONJUGATION_WITH_FUSION, aspect="P", taxon="taxon:4932"),  # yeast: in the union
                     _row(go_id=CONJUGATION_WITH_FUSION, aspect="P", evidence="ISS", with_from="SGD:S000001"),
                     _row(**c, taxon="taxon:99999999", evidence="IEA"))  # outside the slim: not judged
    assert f["line"].tolist() == [2, 3, 6]
    assert f["action"].tolist() == ["report", "reject", "reject"]
    assert "only in taxon NCBITaxon:7742" in f["message"].iloc[0]
    assert "NCBITaxon_Union:0000022" in f["message"].iloc[2]
    assert (result.kept, result.rejected) == (5, 2)


def test_0000013_constraints_are_inherited_over_is_a_and_part_of(go: Ontology) -> None:
    cons = refrules._constraints(go)
    for child in go.descendants(CONJUGATION_WITH_FUSION, ("is_a", "part_of")):
        assert ("only_in", "NCBITaxon_Union:0000022") in cons[child], child
    assert any(True for _ in go.descendants(CONJUGATION_WITH_FUSION, ("is_a", "part_of")))


@pytest.mark.slow
def test_bundled_human_gaf(go: Ontology) -> None:
    """On GOA human 2019-01-29: GO_REFs obsoleted since (GO_REF:0000037/38/39/40) are filtered, retracted
    papers are found, and no human row breaks the registry's UniProtKB id syntax."""
    from goannot.sources import locate
    from goannot.validate import validate_file
    rules = ["GORULE:0000022", "GORULE:0000030", "GORULE:0000064", "GORULE:0000013", "GORULE:0000027"]
    r = validate_file(locate("goa_human-2019-01-29"), go, rules=rules)
    f = r.findings
    refs30 = set(f[f["rule"] == "GORULE:0000030"]["message"].str.extract(r"(GO_REF:\d+)")[0])
    assert refs30 == {"GO_REF:0000037", "GO_REF:0000038", "GO_REF:0000039", "GO_REF:0000040"}
    assert r.counts_by_rule["GORULE:0000022"] > 0
    assert not f[f["rule"] == "GORULE:0000027"]["message"].str.contains("id syntax").any()
    assert r.counts_by_rule.get("GORULE:0000064", 0) == 0  # the 2019 file predates TreeGrafter IEAs
    assert r.input_rows == r.kept + r.repaired + r.rejected + r.merged


def test_0000033_group_references(go: Ontology) -> None:
    """gorefs.yaml lists MGI:2152098 as an external accession of GO_REF:0000002: replaced; other group ids are
    dropped when a public id remains; a row with group ids only is rejected (the rule's mixed fail mode)."""
    result, f = _run(go, "GORULE:0000033", _row(), _row(reference="MGI:2152098"),
                     _row(reference="PMID:2|Reactome:R-HSA-1"), _row(reference="Reactome:R-HSA-1"))
    assert f["line"].tolist() == [2, 3, 4] and f["action"].tolist() == ["repair", "repair", "reject"]
    # a repair says what the reference becomes; a rejected row has no fix to offer
    assert f["fix"].tolist() == ["reference -> GO_REF:0000002", "reference -> PMID:2", ""]
    assert (result.kept, result.repaired, result.rejected) == (1, 2, 1)
    assert result.table is not None
    assert result.table["reference"].tolist() == ["PMID:11418668", "GO_REF:0000002", "PMID:2"]
    keep, _ = _run(go, "GORULE:0000033", _row(reference="Reactome:R-HSA-1"), policy="keep")
    assert (keep.kept, keep.rejected) == (1, 0)


def test_0000026_paint_files_may_carry_iba(go: Ontology, tmp_path: Any) -> None:
    from goannot.validate import validate_file
    assert refrules.is_paint_file("gene_association.paint_fb.gaf.gz") and not refrules.is_paint_file("goa_human.gaf")
    line = "\t".join(["FB", "FBgn0000001", "a", "", "GO:0005125", "GO_REF:0000033", "IBA", "PANTHER:PTN1", "F", "",
                      "", "protein", "taxon:7227", "20180101", "FlyBase", "", ""])
    for name, rejected in (("paint_fb.gaf", 0), ("fb.gaf", 1)):
        p = tmp_path / name
        p.write_text("!gaf-version: 2.1\n" + line + "\n")
        r = validate_file(p, go, rules=["GORULE:0000026"], options=OPTS)
        assert r.rejected == rejected, name
