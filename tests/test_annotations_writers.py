"""Writers: GAF 2.1 -> 2.2 conversion (GORULE:0000059), round trips, gzip, atomic replacement."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pytest

from goannot.annotations import read_annotations, write_gaf, write_json, write_tsv
from goannot.annotations import writers
from goannot.columns import GAF_COLUMNS

DATA = Path(__file__).parent / "data" / "annotations"
NUCLEAR_PORE = "GO:0005643"  # a protein-containing complex


def test_gaf21_to_22_round_trip(tmp_path: Path) -> None:
    src = read_annotations(DATA / "sample_2.1.gaf")
    out = tmp_path / "out.gaf"
    write_gaf(src.table, out, header={"generated-by": "UniProt", "go-version": "2019-01-11"})
    text = out.read_text().splitlines()
    assert text[0] == "!gaf-version: 2.2"
    assert "!generated-by: UniProt" in text and "!go-version: 2019-01-11" in text
    assert any(line.startswith("!date-generated: ") for line in text)
    back = read_annotations(out)
    assert back.version == "2.2" and back.rejects.empty
    assert back.table["qualifier"].tolist() == [
        "enables",                          # F, no relation
        "NOT|acts_upstream_of_or_within",   # P descendant, NOT kept
        "colocalizes_with",                 # kept
        "located_in",                       # C, not a complex
        "involved_in",                      # the BP root
        "NOT|contributes_to",               # kept with NOT
    ]
    for col in GAF_COLUMNS:
        if col != "qualifier":
            assert back.table[col].tolist() == src.table[col].tolist(), col


def test_cellular_component_defaults_need_the_ontology(tmp_path: Path) -> None:
    df = read_annotations(DATA / "sample_2.1.gaf").table.iloc[[3, 3, 3]].reset_index(drop=True)
    df["go_id"] = ["GO:0005575", NUCLEAR_PORE, "GO:0032991"]
    out = tmp_path / "cc.gaf"
    write_gaf(df, out)
    assert read_annotations(out).table["qualifier"].tolist() == ["is_active_in", "located_in", "part_of"]
    write_gaf(df, out, is_protein_containing_complex=lambda go: go in {NUCLEAR_PORE, "GO:0032991"})
    assert read_annotations(out).table["qualifier"].tolist() == ["is_active_in", "part_of", "part_of"]


def test_write_gaf21_drops_gaf22_only_relations(tmp_path: Path) -> None:
    df = read_annotations(DATA / "sample_2.2.gaf").table
    out = tmp_path / "old.gaf"
    write_gaf(df, out, version="2.1")
    back = read_annotations(out)
    assert back.version == "2.1" and back.table["qualifier"].tolist() == ["", "NOT", ""]


def test_gzip_output(tmp_path: Path) -> None:
    df = read_annotations(DATA / "sample_2.2.gaf").table
    out = tmp_path / "out.gaf.gz"
    write_gaf(df, out)
    assert gzip.decompress(out.read_bytes()).startswith(b"!gaf-version: 2.2\n")
    assert read_annotations(out).table["go_id"].tolist() == df["go_id"].tolist()


def test_tabs_inside_values_do_not_break_rows(tmp_path: Path) -> None:
    df = read_annotations(DATA / "sample_2.2.gaf").table
    df.loc[0, "db_object_name"] = "Inter\tleukin\n7"
    out = tmp_path / "t.gaf"
    write_gaf(df, out)
    back = read_annotations(out)
    assert back.rejects.empty and back.table.loc[0, "db_object_name"] == "Inter leukin 7"


def test_write_tsv_and_json(tmp_path: Path) -> None:
    df = read_annotations(DATA / "sample_2.2.gaf").table
    write_tsv(df, tmp_path / "t.tsv")
    lines = (tmp_path / "t.tsv").read_text().splitlines()
    assert lines[0].split("\t") == list(df.columns) and len(lines) == 4
    assert lines[1].split("\t")[-1] == "4"
    write_json(df, tmp_path / "t.json.gz")
    records = json.loads(gzip.decompress((tmp_path / "t.json.gz").read_bytes()))
    assert len(records) == 3 and records[1]["qualifier"] == "NOT|involved_in" and records[0]["line"] == 4


@pytest.mark.parametrize("writer", ["gaf", "tsv", "json"])
def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path, writer: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    df = read_annotations(DATA / "sample_2.2.gaf").table
    out = tmp_path / "keep.out"
    out.write_text("old content\n")

    def broken(fh: IO[bytes], *args: Any, **kwargs: Any) -> None:
        fh.write(b"half a row\t")
        raise OSError("disk full")

    monkeypatch.setattr(writers, "_write_rows", broken)
    monkeypatch.setattr(writers.json, "dumps", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    call = {"gaf": write_gaf, "tsv": write_tsv, "json": write_json}[writer]
    with pytest.raises(OSError, match="disk full"):
        call(df, out)
    assert out.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.out"]


def test_successful_write_leaves_no_temp(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": ["x"], "b": [1]})
    write_tsv(df, tmp_path / "a.tsv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tsv"]
    assert (tmp_path / "a.tsv").read_text() == "a\tb\nx\t1\n"
