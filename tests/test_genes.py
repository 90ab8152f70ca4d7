"""Gene identifiers: kind detection, the NCBI Gene tables from goatools, GAF-derived indexes, lookups,
find_gene, the GOANNOT:unknown-gene-id rule, and the parse cache."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from goannot.columns import GAF_COLUMNS, TABLE_COLUMNS
from goannot.errors import DataSourceError
from goannot.genes import (GeneIndex, GeneNotFoundError, detect_id_kinds, dominant_kind, find_gene, id_kind,
                           ncbi_cache_path, ncbi_gene_file, ncbi_header_count, read_ncbi_genes)
from goannot.sources import locate
from goannot.validate.generules import UNKNOWN_GENE_ID, assess_gene_ids, gene_id_report
from goannot.validate.rules import REGISTRY, RuleContext

HUMAN, MOUSE, RAT = "9606", "10090", "10116"
IL7_GENEID_HUMAN = "3574"
IL7_WRONG_GENEID = "3564"          # given for IL7 by a web page; not a human gene in NCBI's table
IL7_GENEID_MOUSE = "16196"
IL7_HUMAN = "P13232"
IL7_MOUSE = "P10168"
IL7_RAT = "P56478"                 # looked up in goa_rat-2019-01-29 (symbol Il7)
HUMAN_NCBI_ITEMS = 59542           # the header of genes_NCBI_9606_All.py says "# 59542 items"


def read_gaf(name: str) -> pd.DataFrame:
    df = pd.read_csv(locate(name), sep="\t", comment="!", header=None, dtype=str, keep_default_na=False,
                     quoting=3)
    df.columns = list(GAF_COLUMNS[: df.shape[1]])
    return df


@pytest.fixture(scope="module")
def human_gaf() -> pd.DataFrame:
    return read_gaf("goa_human-2019-01-29")


@pytest.fixture(scope="module")
def human_index(human_gaf: pd.DataFrame) -> GeneIndex:
    return GeneIndex.from_annotations(human_gaf)


@pytest.fixture(scope="module")
def ncbi_human() -> GeneIndex:
    return GeneIndex.from_ncbi(9606)


def table(*rows: dict[str, str]) -> pd.DataFrame:
    """A hand-made annotation table: given columns, '' elsewhere."""
    return pd.DataFrame([{c: r.get(c, "") for c in TABLE_COLUMNS} for r in rows])


# ---- kinds -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "kind"), [
    ("P13232", "uniprot"), ("UniProtKB:P13232", "uniprot"), ("P13232-2", "uniprot"),
    ("A0A2U3TZM8", "uniprot"), ("Q9UMX9", "uniprot"),
    ("3574", "ncbigene"), ("NCBIGene:3574", "ncbigene"), ("GeneID:3574", "ncbigene"),
    ("MGI:MGI:96561", "mgi"), ("MGI:96561", "mgi"),
    ("RGD:3000", "rgd"),
    ("FBgn0000490", "flybase"),
    ("WBGene00000912", "wormbase"),
    ("ZDB-GENE-980526-166", "zfin"),
    ("AT1G01010", "araport"), ("TAIR:locus:2031476", "tair"),
    ("ENSG00000104432", "ensembl"), ("ENSMUSG00000040329", "ensembl"),
    ("IL7", "symbol"), ("Il7", "symbol"), ("HLA-A", "symbol"), ("C1orf112", "symbol"), ("p13232", "symbol"),
    ("two words", "other"),
    ("", "empty"), ("  ", "empty"), (None, "empty"),
])
def test_id_kind(value: str | None, kind: str) -> None:
    assert id_kind(value) == kind
    assert detect_id_kinds(pd.Series([value], dtype=object)).iloc[0] == kind


def test_detect_id_kinds_is_aligned_and_dominant_kind() -> None:
    s = pd.Series(["IL7", "P13232", "", "3574", "IL7", "TP53"], index=[10, 11, 12, 13, 14, 15])
    kinds = detect_id_kinds(s)
    assert list(kinds.index) == list(s.index)
    assert kinds.tolist() == ["symbol", "uniprot", "empty", "ncbigene", "symbol", "symbol"]
    assert dominant_kind(s) == "symbol"
    assert dominant_kind(["", " "]) == "empty"


# ---- NCBI Gene tables --------------------------------------------------------------------------

def test_ncbi_human_table_parses_every_item() -> None:
    path = ncbi_gene_file("genes_NCBI_9606_All.py")
    assert ncbi_header_count(path) == HUMAN_NCBI_ITEMS
    genes = read_ncbi_genes(path)
    assert len(genes) == HUMAN_NCBI_ITEMS
    il7 = genes[genes["GeneID"] == int(IL7_GENEID_HUMAN)].iloc[0]
    assert (il7["Symbol"], il7["Status"], il7["CurrentID"], il7["tax_id"]) == ("IL7", "live", 0, 9606)
    assert il7["description"] == "interleukin 7"
    assert int(IL7_WRONG_GENEID) not in set(genes["GeneID"])
    # a description holding a quote was written with double quotes in the file
    assert genes.loc[genes["GeneID"] == 211, "description"].iloc[0] == "5'-aminolevulinate synthase 1"


def test_ncbi_fly_backslash_escapes_are_decoded() -> None:
    genes = read_ncbi_genes(ncbi_gene_file("genes_NCBI_7227_ProteinCoding.py"))
    assert ncbi_header_count(ncbi_gene_file("genes_NCBI_7227_ProteinCoding.py")) == len(genes)
    arp8 = genes[genes["Symbol"] == "Arp8"].iloc[0]
    assert "Dmel\\CG7846" in arp8["Aliases"].split(", ")


def test_ncbi_index_il7(ncbi_human: GeneIndex) -> None:
    res = ncbi_human.lookup(["IL7", IL7_GENEID_HUMAN, IL7_WRONG_GENEID, "NCBIGene:3574", "GeneID:3574",
                             "IL-7", "il7"], taxon=9606)
    assert res["status"].tolist() == ["found", "found", "unknown", "found", "found", "synonym", "found"]
    assert set(res.loc[res["status"] != "unknown", "id"]) == {IL7_GENEID_HUMAN}
    assert res["via"].tolist() == ["symbol", "id", "", "id", "id", "synonym", "symbol-ci"]
    assert len(ncbi_human) >= HUMAN_NCBI_ITEMS  # All plus the few ProteinCoding-only genes


def test_ncbi_mouse_index_and_taxa() -> None:
    mouse = GeneIndex.from_ncbi("taxon:10090")
    assert mouse.resolve_one("Il7", MOUSE)["id"] == IL7_GENEID_MOUSE
    assert mouse.resolve_one(IL7_GENEID_HUMAN, MOUSE)["status"] == "unknown"
    both = GeneIndex.from_ncbi(9606).merge(mouse)
    row = both.resolve_one(IL7_GENEID_MOUSE, HUMAN)
    assert (row["status"], row["gene_taxon"]) == ("other-taxon", MOUSE)
    # case-sensitive symbol first: IL7 is the human gene, Il7 the mouse one
    assert both.resolve_one("IL7")["id"] == IL7_GENEID_HUMAN
    assert both.resolve_one("Il7")["id"] == IL7_GENEID_MOUSE


def test_ncbi_unavailable_taxon_names_the_available_ones() -> None:
    with pytest.raises(DataSourceError, match=r"10116.*9606.*10090.*7227"):
        GeneIndex.from_ncbi(10116)


# ---- GAF-derived index -------------------------------------------------------------------------

def test_gaf_index_il7_synonym_and_ambiguous(human_index: GeneIndex) -> None:
    res = human_index.lookup(["IL7", IL7_HUMAN, "UniProtKB:P13232-2", "RAB7L1", "AIM1", "NOTAGENE", ""],
                             taxon="taxon:9606")
    assert res["status"].tolist() == ["found", "found", "found", "synonym", "ambiguous", "unknown", "empty"]
    assert res["id"].tolist()[:4] == [IL7_HUMAN, IL7_HUMAN, IL7_HUMAN, "O14966"]
    assert res["symbol"].iloc[3] == "RAB29"              # RAB7L1 is the old name of RAB29
    # AIM1 is a synonym of three human genes: all are listed, none is chosen
    ambiguous = res.iloc[4]
    assert ambiguous["n"] == 3 and ambiguous["id"] == ""
    assert set(ambiguous["ids"].split("|")) == {"UniProtKB:Q96GD4", "UniProtKB:Q9UMX9", "UniProtKB:Q9Y4K1"}
    assert set(ambiguous["symbols"].split("|")) == {"AURKB", "SLC45A2", "CRYBG1"}


def test_gaf_index_other_taxon(human_index: GeneIndex) -> None:
    row = human_index.resolve_one("IL7", MOUSE)
    assert (row["status"], row["gene_taxon"]) == ("other-taxon", HUMAN)


def test_lookup_is_aligned_with_repeats(human_index: GeneIndex) -> None:
    queries = pd.Series(["IL7", "nothing-such", "IL7", "P13232"] * 3)
    res = human_index.lookup(queries, taxon=[HUMAN, HUMAN, MOUSE, ""] * 3)
    assert len(res) == 12
    assert res["status"].tolist()[:4] == ["found", "unknown", "other-taxon", "found"]
    assert res["status"].tolist()[4:8] == res["status"].tolist()[:4]


@pytest.mark.parametrize(("gaf", "query", "accession"), [
    ("goa_human-2019-01-29", "IL7", IL7_HUMAN),
    ("goa_mouse-2019-01-29", "Il7", IL7_MOUSE),
    ("goa_rat-2019-01-29", "Il7", IL7_RAT),
])
def test_find_gene(gaf: str, query: str, accession: str) -> None:
    assert find_gene(query, read_gaf(gaf)) == f"UniProtKB:{accession}"


def test_find_gene_strict_and_lenient(human_index: GeneIndex) -> None:
    with pytest.raises(GeneNotFoundError, match="several genes"):
        find_gene("AIM1", human_index)
    with pytest.raises(GeneNotFoundError, match="taxon 9606"):
        find_gene("IL7", human_index, taxon=MOUSE)
    assert find_gene("NOTAGENE", human_index, strict=False) is None


# ---- the rule ----------------------------------------------------------------------------------

def run_rule(df: pd.DataFrame, index: object) -> pd.DataFrame:
    ctx = RuleContext(ontology=None, terms=pd.DataFrame(), options={"gene_index": index})  # type: ignore[arg-type]
    return REGISTRY[UNKNOWN_GENE_ID].check(df, ctx)


def test_rule_flags_wrong_ncbi_id_with_the_right_one(ncbi_human: GeneIndex) -> None:
    df = table(
        {"db": "NCBIGene", "db_object_id": IL7_GENEID_HUMAN, "db_object_symbol": "IL7", "taxon": "taxon:9606"},
        {"db": "NCBIGene", "db_object_id": IL7_WRONG_GENEID, "db_object_symbol": "IL7", "taxon": "taxon:9606"},
        {"db": "", "db_object_id": IL7_WRONG_GENEID, "db_object_symbol": "IL7", "taxon": "taxon:9606"},
        {"db": "UniProtKB", "db_object_id": IL7_HUMAN, "db_object_symbol": "IL7", "taxon": "taxon:9606"},
        {"db": "NCBIGene", "db_object_id": IL7_GENEID_MOUSE, "db_object_symbol": "Il7", "taxon": "taxon:10090"},
        {"db_object_symbol": "IL-7", "taxon": "taxon:9606"},
        {"db_object_symbol": "NOTAGENE", "taxon": "taxon:9606"},
    )
    found = run_rule(df, ncbi_human)
    assert found["row"].tolist() == [1, 2, 6]
    assert found["message"].iloc[0] == "NCBI Gene ID 3564 is not a gene of taxon 9606 (IL7 is 3574)"
    assert found["message"].iloc[1] == found["message"].iloc[0]
    assert found["message"].iloc[2] == "gene symbol NOTAGENE is not a gene of taxon 9606"
    # a UniProt row and a mouse row are not judged by a human NCBI index
    verdict = assess_gene_ids(df, ncbi_human)
    assert verdict["status"].tolist()[3:5] == ["not-checked", "not-checked"]


def test_rule_passes_clean_tables_and_needs_an_index(human_gaf: pd.DataFrame, human_index: GeneIndex) -> None:
    sample = human_gaf.iloc[::50].reset_index(drop=True)
    assert run_rule(sample, human_index).empty
    bad = table({"db": "NCBIGene", "db_object_id": IL7_WRONG_GENEID, "taxon": "taxon:9606"})
    assert run_rule(bad, None).empty
    assert run_rule(bad, "not an index").empty


def test_rule_flags_accession_of_another_species(human_index: GeneIndex) -> None:
    mouse_index = GeneIndex.from_annotations(read_gaf("goa_mouse-2019-01-29"))
    both = human_index.merge(mouse_index)
    df = table({"db": "UniProtKB", "db_object_id": IL7_MOUSE, "db_object_symbol": "IL7", "taxon": "taxon:9606"})
    found = run_rule(df, both)
    assert found["message"].tolist() == [
        "UniProtKB accession P10168 is not a gene of taxon 9606 (it is a gene of taxon 10090) (IL7 is P13232)"]


def test_gene_id_report(ncbi_human: GeneIndex) -> None:
    df = table(*[{"db": "NCBIGene", "db_object_id": i, "db_object_symbol": "IL7", "taxon": "taxon:9606"}
                 for i in (IL7_GENEID_HUMAN, IL7_GENEID_HUMAN, IL7_WRONG_GENEID)])
    summary = gene_id_report(df, ncbi_human)
    by_status = summary.set_index("status")
    assert by_status.loc["found", "rows"] == 2 and by_status.loc["found", "ids"] == 1
    assert by_status.loc["unknown", "examples"] == "NCBIGene:3564"
    assert "IL7 is 3574" in str(by_status.loc["unknown", "message"])
    detail = gene_id_report(df, ncbi_human, detail=True)
    assert detail["rows"].tolist() == [2, 1]


# ---- cache -------------------------------------------------------------------------------------

def test_parse_cache_is_rebuilt_when_corrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("GOANNOT_CACHE", str(tmp_path))
    path = ncbi_gene_file("genes_NCBI_7227_ProteinCoding.py")
    first = read_ncbi_genes(path)
    cached = ncbi_cache_path(path)
    assert cached.is_file() and cached.parent == tmp_path / "genes"
    pd.testing.assert_frame_equal(read_ncbi_genes(path), first)
    cached.write_bytes(b"not a cache entry")
    with caplog.at_level(logging.WARNING, logger="goannot.genes"):
        again = read_ncbi_genes(path)
    assert "corrupt" in caplog.text
    pd.testing.assert_frame_equal(again, first)
    assert cached.read_bytes() != b"not a cache entry"
    assert not list(cached.parent.glob(".*.tmp"))


def test_index_cache_is_rebuilt_when_corrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOANNOT_CACHE", str(tmp_path))
    fly = GeneIndex.from_ncbi(7227)
    for entry in (tmp_path / "genes").glob("index-*.arrow"):
        entry.write_bytes(entry.read_bytes()[:100])
    again = GeneIndex.from_ncbi(7227)
    pd.testing.assert_frame_equal(again.genes, fly.genes)
    assert again.resolve_one("Arp8", 7227)["status"] == "found"
