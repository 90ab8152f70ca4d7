"""GPAD (+GPI), gene2go, plain tables, page text, format detection and forcing, the ECO map."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from goannot.annotations import (FORMATS, READERS, detect_format, eco_map, iter_annotations, read_annotations,
                                 read_gpi)
from goannot.columns import TABLE_COLUMNS
from goannot.errors import AnnotationParseError, GoannotError

DATA = Path(__file__).parent / "data" / "annotations"
SEED_PAGE = Path("/work/shared/seeds/004_059fe3de4e445edf.txt")
ECO_REFERENCE = Path("/work/shared/reference/eco")
IL7 = "P13232"
ANTI_APOPTOSIS = "GO:0006916"


def test_registry_is_a_plain_dict() -> None:
    assert isinstance(READERS, dict)
    assert set(FORMATS) == {"gaf", "gpad", "gpi", "gene2go", "table", "id2gos"}


def test_gpad12_with_gpi() -> None:
    result = read_annotations(DATA / "sample_1.2.gpad", gpi=DATA / "sample_1.2.gpi")
    assert (result.format, result.version) == ("gpad", "1.2")
    t = result.table
    assert list(t.columns) == list(TABLE_COLUMNS)
    assert t["qualifier"].tolist() == ["enables", "NOT|involved_in", "located_in"]
    assert t["aspect"].tolist() == ["F", "P", "C"]
    assert t["evidence"].tolist() == ["IDA", "IEA", ""]       # ECO:9999999 has no mapping: kept, evidence empty
    assert t["eco"].tolist() == ["ECO:0000314", "ECO:0000256", "ECO:9999999"]
    assert t["db_object_symbol"].tolist() == ["IL7", "IL7", ""]  # Q99999 is not in the GPI
    assert t.loc[0, "db_object_name"] == "Interleukin-7" and t.loc[0, "db_object_synonym"] == "IL7|IL-7"
    assert t["taxon"].tolist() == ["taxon:9606", "taxon:9606|taxon:5476", ""]
    assert result.rejects[["line", "reason"]].values.tolist() == [
        [6, "column 9 (Date) '2019-01-01' is not a valid YYYYMMDD date"]]
    assert result.input_rows == 4


def test_gpad12_without_gpi_leaves_gene_product_columns_empty() -> None:
    t = read_annotations(DATA / "sample_1.2.gpad").table
    assert t["db_object_symbol"].tolist() == ["", "", ""]
    # GAF's taxon column puts the object's taxon first; without a GPI it is unknown, so empty.
    assert t["taxon"].tolist() == ["", "", ""]


def test_gpad20_relations_eco_and_dates() -> None:
    result = read_annotations(DATA / "sample_2.0.gpad", gpi=DATA / "sample_2.0.gpi")
    assert result.version == "2.0" and result.header["generated-by"] == "TEST"
    t = result.table
    assert t["db"].tolist() == ["UniProtKB", "UniProtKB"] and t["db_object_id"].tolist() == [IL7, IL7]
    assert t["qualifier"].tolist() == ["enables", "NOT|involved_in"]
    assert t["evidence"].tolist() == ["IDA", "IMP"]
    assert t["date"].tolist() == ["20190102", "20190102"]
    assert t["db_object_type"].tolist() == ["protein", "protein"]
    assert t["taxon"].tolist() == ["taxon:9606", "taxon:9606|taxon:5476"]
    assert result.rejects["reason"].tolist() == [
        "column 9 (Date) '2019-02-30' is not a valid YYYY-MM-DD date",
        "column 2 (Negation) 'MAYBE' is not NOT or empty",
    ]


def test_gpi20_entities() -> None:
    gpi = read_gpi(DATA / "sample_2.0.gpi")
    assert gpi[["db", "db_object_id", "db_object_symbol", "db_object_type", "taxon"]].values.tolist() == [
        ["UniProtKB", IL7, "IL7", "protein", "taxon:9606"],
        ["MGI", "MGI:98933", "Il7", "gene", "taxon:10090"],
    ]


def test_gpi_is_refused_as_annotations_but_read_as_entities() -> None:
    # A GPI holds gene products, no annotations (issue 12): read as annotations it is refused.
    with pytest.raises(AnnotationParseError, match="GPI file is a table of gene products"):
        read_annotations(DATA / "sample_1.2.gpi")
    chunks = list(iter_annotations(DATA / "sample_1.2.gpi", entities=True))
    assert chunks[0].format == "gpi" and chunks[0].table["db_object_symbol"].tolist() == ["IL7"]
    assert chunks[0].table["go_id"].tolist() == [""]


def test_eco_mapping_by_reference() -> None:
    m = eco_map()
    assert m.code("ECO:0000255") == "ISM"
    assert m.code("ECO:0000255", "GO_REF:0000011") == "ISS"
    assert m.code("ECO:0007322") == "IEA"
    assert m.code("ECO:0000000") == ""
    assert m.eco_of_code["IEA"] == "ECO:0000501"


def _reference_rows(name: str) -> list[list[str]]:
    text = (ECO_REFERENCE / name).read_text()
    return [ln.split("\t") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@pytest.mark.skipif(not ECO_REFERENCE.is_dir(), reason="ECO reference files not present")
def test_eco_mapping_matches_the_published_gaf_eco_mapping() -> None:
    m = eco_map()
    published = _reference_rows("gaf-eco-mapping.txt")
    assert published
    for code, ref, eco in published:
        if ref == "Default":
            assert m.default_code[eco] == code, eco
            assert m.eco_of_code[code] == eco
        else:
            assert m.code(eco, ref) == code, (eco, ref)
    # The derived mapping (ECO id, code, "Default"?) covers many more ECO ids; where ours maps, it agrees.
    derived = _reference_rows("gaf-eco-mapping-derived.txt")
    assert len(derived) > 1000
    compared = 0
    for row in derived:
        eco, code = row[0], row[1]
        if eco in m.default_code and len(row) > 2 and row[2].strip() == "Default":
            assert m.default_code[eco] == code, eco
            compared += 1
    assert compared >= 20


def test_gene2go() -> None:
    result = read_annotations(DATA / "gene2go_sample.tsv")
    assert result.format == "gene2go" and result.skipped == 1
    t = result.table
    assert t["db"].tolist() == ["NCBIGene"] * 3 and t["db_object_id"].tolist() == ["3574"] * 3
    assert t["aspect"].tolist() == ["F", "P", "C"]
    assert t["qualifier"].tolist() == ["enables", "involved_in", "NOT|located_in"]
    assert t["reference"].tolist() == ["PMID:1234|PMID:5678", "", ""]
    assert t["term_name"].tolist() == ["cytokine activity", "immune response", "extracellular region"]
    assert t["taxon"].tolist() == ["taxon:9606"] * 3
    assert result.rejects[["line", "reason"]].values.tolist() == [
        [5, "column 4 evidence code 'XYZ' is not a GO evidence code"],
        [6, "column 2 (GeneID) is empty"],
    ]
    assert result.rejects.loc[1, "raw"].split("\t")[1] == "-"


def test_csv_table_by_column_names() -> None:
    result = read_annotations(DATA / "sample_table.csv")
    assert (result.format, result.version) == ("table", "csv")
    t = result.table
    assert t["go_id"].tolist() == ["GO:0005125", ANTI_APOPTOSIS, "GO:0005886"]
    assert t["db_object_symbol"].tolist() == ["IL7", "IL7", "IL7R"]
    assert t["aspect"].tolist() == ["F", "P", "C"]
    assert t["term_name"].tolist() == ["cytokine activity", "anti-apoptosis", "plasma membrane, outer"]
    assert result.rejects[["line", "reason"]].values.tolist() == [
        [4, "column 2 (GO ID) is empty"],
        [6, "expected 5 comma-separated columns (table header at line 1), found 2"],
    ]
    assert result.skipped == 1 and result.input_rows == 5


def test_tsv_table_go_column_found_by_content() -> None:
    t = read_annotations(DATA / "sample_table_bycontent.tsv").table
    assert t["go_id"].tolist() == ["GO:0005125", "GO:0006955"]
    assert t["db_object_symbol"].tolist() == ["IL7", "IL7"] and (t["db_object_id"] == "").all()


@pytest.mark.skipif(not SEED_PAGE.is_file(), reason="seed page not present")
def test_page_text_from_a_gene_page() -> None:
    result = read_annotations(SEED_PAGE)
    assert (result.format, result.version) == ("table", "text")
    t = result.table
    # The page lists the IL7 GO table once: 23 GO lines; its 16 other lines (title, prose, blank
    # lines, the "GO IDGO TermGO Category" header) are skipped, not rows.
    assert len(t) == 23 and result.rejects.empty and result.skipped == 16
    assert result.input_rows == 23
    row = t[t["go_id"] == ANTI_APOPTOSIS].iloc[0]
    assert (row["term_name"], row["aspect"], row["line"]) == ("anti-apoptosis", "P", 18)
    stated = dict(zip(t["go_id"], t["term_name"]))
    assert stated["GO:0008284"] == "positive regulation of cell proliferation"
    assert stated["GO:0005139"] == "interleukin-7 receptor binding"
    assert t["aspect"].value_counts().to_dict() == {"P": 16, "F": 5, "C": 2}


def test_page_text_rows_and_prose(tmp_path: Path) -> None:
    page = ("Some prose about GO:0005125 in a sentence.\nGO IDGO TermGO Category\n"
            "GO:0005125 cytokine activity Function\nGO:0005576 extracellular region\n\n"
            "GO:0006955\n")
    path = tmp_path / "page.txt"
    path.write_text(page)
    result = read_annotations(path)
    assert result.table[["go_id", "term_name", "aspect"]].values.tolist() == [
        ["GO:0005125", "cytokine activity", "F"], ["GO:0005576", "extracellular region", ""],
        ["GO:0006955", "", ""]]
    assert result.skipped == 3


@pytest.mark.parametrize(("name", "fmt"), [
    ("sample_2.1.gaf", "gaf"), ("sample_1.0.gaf", "gaf"), ("sample_1.2.gpad", "gpad"), ("sample_2.0.gpad", "gpad"),
    ("sample_2.0.gpi", "gpi"), ("gene2go_sample.tsv", "gene2go"), ("sample_table.csv", "table"),
])
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(DATA / name) == fmt


def test_detect_gaf_without_version_line_and_gzipped(tmp_path: Path) -> None:
    body = (DATA / "sample_2.1.gaf").read_text().split("\n", 5)[5]
    path = tmp_path / "noversion.dat.gz"
    path.write_bytes(gzip.compress(body.encode()))
    assert detect_format(path) == "gaf"
    assert len(read_annotations(path).table) == 6


def test_forcing_a_format(tmp_path: Path) -> None:
    path = tmp_path / "weird.txt"
    path.write_bytes((DATA / "sample_2.1.gaf").read_bytes())
    assert read_annotations(path, format="gaf").format == "gaf"
    forced = read_annotations(path, format="table")
    assert forced.format == "table"
    with pytest.raises(GoannotError, match="unknown annotation format"):
        read_annotations(path, format="obo")


def test_strict_mode_for_other_formats() -> None:
    with pytest.raises(AnnotationParseError) as err:
        read_annotations(DATA / "gene2go_sample.tsv", strict=True)
    assert err.value.line == 5
    with pytest.raises(AnnotationParseError) as err:
        read_annotations(DATA / "sample_table.csv", strict=True)
    assert err.value.line == 4


def test_missing_file_and_unknown_format_fail_at_the_call() -> None:
    with pytest.raises(GoannotError, match="no such file"):
        read_annotations(DATA / "nope.gaf")
    with pytest.raises(GoannotError, match="no such file"):
        iter_annotations(DATA / "nope.gaf")
    with pytest.raises(GoannotError, match="unknown annotation format"):
        iter_annotations(DATA / "sample_2.1.gaf", format="xml")
