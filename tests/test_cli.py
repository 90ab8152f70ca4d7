"""The goannot command, run in-process through ``main(argv)``: outputs and exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from goannot.cli import main

REPO = Path(__file__).resolve().parent.parent
IL7_TABLE = REPO / "examples" / "il7_ncbi_go_table.tsv"
OBO = Path(__file__).parent / "data" / "obo"


def test_data_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["go-2019-01-27"]["state"] == "verified"
    assert rows["goa_rat-2019-01-29"]["origin"] == "bundled"
    assert rows["go-basic"]["origin"] == "online"


def test_resolve_ids_and_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resolve", "GO:0006916", "anti-apoptosis"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split("\t")[:3] == ["GO:0006916", "secondary", "GO:0043066"]
    assert out[1].split("\t")[:3] == ["anti-apoptosis", "synonym:EXACT", "GO:0043066"]
    assert main(["resolve", "GO:9999999"]) == 1


def test_ontology_check_exit_status_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ontology", "check", "--go", str(OBO / "go-mini.obo")]) == 0
    out = tmp_path / "dag.json"
    assert main(["ontology", "check", "--go", str(OBO / "cycle.obo"), "--json", str(out)]) == 1
    report = json.loads(out.read_text())
    assert any(f["check"] == "cycle" for f in report["findings"])
    assert "cycle" in capsys.readouterr().out


def test_fetch_of_an_unknown_source_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "fetch", "no-such-source"]) == 2
    assert "unknown data source" in capsys.readouterr().err


def test_validate_il7_table_repairs_merges_and_writes_everything(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    paths = {k: tmp_path / f"il7.{k}" for k in ("fixed.tsv", "rejects.tsv", "log.tsv", "report.json")}
    status = main(["validate", str(IL7_TABLE), "--fix", str(paths["fixed.tsv"]), "--rejects",
                   str(paths["rejects.tsv"]), "--log", str(paths["log.tsv"]), "--report", str(paths["report.json"])])
    assert status == 0
    report = json.loads(paths["report.json"].read_text())
    assert (report["input_rows"], report["kept"], report["repaired"], report["rejected"], report["merged"]) == \
        (23, 21, 1, 0, 1)
    assert report["counts_by_status"]["secondary"] == 1
    log = pd.read_csv(paths["log.tsv"], sep="\t", dtype=str)
    assert log.iloc[0][["rule", "before", "after"]].tolist() == ["GORULE:0000020", "GO:0006916", "GO:0043066"]
    fixed = pd.read_csv(paths["fixed.tsv"], sep="\t", dtype=str, keep_default_na=False)
    assert len(fixed) == 22 and "GO:0006916" not in set(fixed["go_id"])
    assert "GORULE:0000020" in capsys.readouterr().out
    # findings at info level (stale names) fail the run when asked
    assert main(["validate", str(IL7_TABLE), "--fail-on", "info"]) == 1


def test_validate_unusable_input_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "missing.gaf")]) == 2
    bad = tmp_path / "bad.gaf.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    assert main(["validate", str(bad)]) == 2
    assert "error" in capsys.readouterr().err


def test_propagate_writes_closure_with_its_settings(tmp_path: Path) -> None:
    out = tmp_path / "closure.tsv"
    meta = tmp_path / "meta.json"
    assert main(["propagate", str(IL7_TABLE), "--out", str(out), "--json", str(meta), "--evidence", "all"]) == 0
    header = [line for line in out.read_text().splitlines() if line.startswith("#")]
    assert header[0] == "# relations: ['is_a', 'part_of']"
    table = pd.read_csv(out, sep="\t", comment="#", dtype=str)
    terms = set(table["term"])
    assert {"GO:0043066", "GO:0005139", "GO:0005126", "GO:0008150"} <= terms
    assert json.loads(meta.read_text())["relations"] == ["is_a", "part_of"]


def test_demo_is_the_il7_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    assert "GO:0006916 (anti-apoptosis) is a secondary ID of GO:0043066" in out
    assert "releases/2019-01-27" in out and "DAG check OK" in out
    assert "23 rows = 21 kept + 1 repaired + 0 rejected + 1 merged" in out
    for name in ("report.html", "report.json", "matrix.tsv", "ribbon.tsv"):
        assert (tmp_path / "rep" / name).is_file()


IL7_PATHWAY = ["IL7", "IL7R", "IL2RG", "JAK1", "JAK3", "STAT5A", "STAT5B", "IL2", "IL4", "IL15", "IL21", "IL9"]


def test_enrich_cli_finds_the_cytokine_pathway(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study = tmp_path / "study.txt"
    study.write_text("# IL-7 / common gamma chain pathway\n" + "\n".join(IL7_PATHWAY) + "\nNOT_A_GENE\n")
    out, meta, dot = tmp_path / "res.tsv", tmp_path / "meta.json", tmp_path / "dot.svg"
    assert main(["enrich", "--study", str(study), "--all-annotated", "--ns", "BP", "--out", str(out),
                 "--meta", str(meta), "--dotplot", str(dot)]) == 0
    printed = capsys.readouterr().out
    assert "per namespace" in printed or "per_namespace" in printed
    table = pd.read_csv(out, sep="\t")
    top = table.sort_values("p_uncorrected").head(20)
    assert "GO:0038111" in set(top["GO"])  # interleukin-7-mediated signaling pathway
    assert "NOT_A_GENE" in json.dumps(json.loads(meta.read_text()))
    assert dot.read_text().startswith("<svg")


def test_enrich_compare_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n".join(IL7_PATHWAY))
    b.write_text("\n".join(IL7_PATHWAY[:6]))
    out, svg = tmp_path / "cmp.tsv", tmp_path / "cmp.svg"
    assert main(["enrich-compare", "--study", str(a), "--study-b", str(b), "--ns", "BP", "--out", str(out),
                 "--scatter", str(svg), "--labels", "full,core"]) == 0
    table = pd.read_csv(out, sep="\t")
    assert {"both", "only_full"} & set(table["status"])
    assert svg.read_text().startswith("<svg")
