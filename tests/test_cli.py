"""The goannot command, run in-process through ``main(argv)``: outputs and exit statuses."""

from __future__ import annotations

import json
import sys
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
    out = capsys.readouterr().out.splitlines()[1:]  # after the header
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
    assert header[0] == "# relations: is_a,part_of"
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


# -- issue 14: the traps of a new user's first hour ------------------------------------------------

MOUSE_STUDY = ["Il7", "Il7r", "Il2rg", "Jak1", "Jak3", "Stat5a", "Stat5b", "Il2", "Trp53", "Gm12345"]


@pytest.fixture(scope="module")
def il7_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("study") / "il7.txt"
    path.write_text("\n".join(IL7_PATHWAY) + "\n")
    return path


def test_enrich_names_the_release_and_says_when_the_list_is_cut(il7_study: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Trap 1: the release line read meta['ontology'] ('GO ?'); 50 of 133 rows printed silently."""
    assert main(["enrich", "--study", str(il7_study)]) == 0
    out = capsys.readouterr().out
    assert "GO ?" not in out
    assert out.splitlines()[0].startswith("GO releases/2019-01-27; annotations GO.goa_human_2019.01.29.gz")
    n_sig = int(next(line for line in out.splitlines() if "significant" in line).split()[0])
    assert n_sig > 50
    assert f"showing the first 50 of {n_sig}" in out
    assert sum(line.startswith("GO:") for line in out.splitlines()) == 50


class _ClosedPipe:
    """A stdout whose reader went away (`goannot enrich ... | head -1`)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_enrich_writes_its_files_even_when_stdout_is_closed(il7_study: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Trap 2: with stdout closed early, --out and --meta were never written."""
    out, meta = tmp_path / "res.tsv", tmp_path / "m.json"
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    main(["enrich", "--study", str(il7_study), "--ns", "BP", "-o", str(out), "--meta", str(meta)])
    monkeypatch.undo()
    assert "GO:0038111" in set(pd.read_csv(out, sep="\t")["GO"])
    assert json.loads(meta.read_text())["study"]["given"] == len(IL7_PATHWAY)


def test_enrich_warns_loudly_about_another_species_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Trap 3: mouse symbols against the default human GAF ran without a word."""
    study = tmp_path / "mouse.txt"
    study.write_text("\n".join(MOUSE_STUDY) + "\n")
    assert main(["enrich", "--study", str(study), "--ns", "BP"]) == 0
    err = capsys.readouterr().err
    assert "2 of 10 study ID(s) match no gene of the annotations: Trp53, Gm12345" in err
    assert "MOST STUDY IDS DO NOT FIT THESE ANNOTATIONS (taxon 9606 human)" in err
    assert "Il7 -> IL7" in err


def test_enrich_human_ids_raise_no_species_warning(il7_study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["enrich", "--study", str(il7_study), "--ns", "MF"]) == 0
    assert "DO NOT FIT" not in capsys.readouterr().err


def test_enrich_missing_study_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Trap 4: a missing --study file was a FileNotFoundError traceback."""
    assert main(["enrich", "--study", str(tmp_path / "nosuch.txt")]) == 2
    err = capsys.readouterr().err
    assert "nosuch.txt: no such file" in err and "Traceback" not in err


def test_report_of_an_unknown_gene_is_exit_2_and_writes_nothing(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Trap 4: `goannot report NOTAGENE` exited 0 and wrote an empty report."""
    out = tmp_path / "rep"
    assert main(["report", "NOTAGENE", "--out", str(out)]) == 2
    assert "'NOTAGENE' is in none of the sets" in capsys.readouterr().err
    assert not out.exists()
    # an earlier report in the folder is left as it was (the check comes before any write)
    out.mkdir()
    (out / "report.html").write_text("earlier report")
    assert main(["report", "NOTAGENE", "--out", str(out)]) == 2
    assert [p.name for p in out.iterdir()] == ["report.html"] and (out / "report.html").read_text() == "earlier report"


def test_enrich_compare_explains_with_annotations_not_study_lists(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Trap 5: genes of A's study missing from B's *study list* were called 'not in the B annotations';
    the terminal showed only the status counts."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n".join(IL7_PATHWAY))
    b.write_text("\n".join(IL7_PATHWAY[:6]))
    out = tmp_path / "cmp.tsv"
    assert main(["enrich-compare", "--study", str(a), "--study-b", str(b), "--ns", "BP", "--out", str(out),
                 "--labels", "full,core"]) == 0
    table = pd.read_csv(out, sep="\t", keep_default_na=False)
    assert not table["explanation"].str.contains("not in the core annotations").any()
    printed = capsys.readouterr().out
    assert "significant: full" in printed and "GO:0038111" in printed
    assert "full: GO releases/2019-01-27" in printed


def test_out_dash_is_stdout_not_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Trap 7: `--out -` wrote a file named '-'."""
    monkeypatch.chdir(tmp_path)
    assert main(["propagate", str(IL7_TABLE), "--out", "-", "--evidence", "all"]) == 0
    out = capsys.readouterr().out
    assert not (tmp_path / "-").exists()
    assert out.startswith("# relations: is_a,part_of\n")
    table = pd.read_csv(__import__("io").StringIO(out), sep="\t", comment="#", dtype=str)
    assert "GO:0043066" in set(table["term"])


def test_resolve_prints_a_header_and_v_is_accepted_after_the_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    """Trap 7: resolve's TSV had no header; `-v` after the subcommand was rejected."""
    assert main(["resolve", "GO:0006916", "anti-apoptosis", "-v"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["query", "status", "primary", "name", "replaced_by", "consider"]
    assert all(len(line.split("\t")) == 6 for line in lines)


def test_propagate_header_is_readable_not_a_repr(tmp_path: Path) -> None:
    """Trap 7: file headers were Python reprs (`['is_a', 'part_of']`, dicts)."""
    out = tmp_path / "closure.tsv"
    assert main(["propagate", str(IL7_TABLE), "--out", str(out)]) == 0
    header = [line for line in out.read_text().splitlines() if line.startswith("#")]
    assert header[0] == "# relations: is_a,part_of"
    go_line = next(line for line in header if line.startswith("# go: "))
    assert json.loads(go_line[len("# go: "):])["data_version"] == "releases/2019-01-27"
    assert not any("': " in line or "['" in line for line in header)


# -- what goatools / runoak users expect ----------------------------------------------------------

def test_version_and_help_show_defaults_examples_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == "goannot 0.1.0"
    with pytest.raises(SystemExit):
        main(["enrich", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: goa_human-2019-01-29)" in text and "(default: go-2019-01-27, bundled)" in text
    assert "(default: 0.05)" in text and "example: goannot enrich" in text and "exit status: 0" in text


@pytest.mark.parametrize("suffix", ["csv", "json", "xlsx"])
def test_enrich_output_formats(suffix: str, il7_study: Path, tmp_path: Path) -> None:
    if suffix == "xlsx":
        pytest.importorskip("openpyxl")
    out = tmp_path / f"res.{suffix}"
    assert main(["enrich", "--study", str(il7_study), "--ns", "BP", "-o", str(out)]) == 0
    table = (pd.read_csv(out) if suffix == "csv" else pd.DataFrame(json.loads(out.read_text()))
             if suffix == "json" else pd.read_excel(out, sheet_name="enrichment"))
    assert "GO:0038111" in set(table["GO"]) and "p_fdr_bh" in table.columns


def test_xlsx_without_openpyxl_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import builtins

    real_import = builtins.__import__

    def no_openpyxl(name: str, *args: object, **kwargs: object) -> object:
        if name == "openpyxl":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    assert main(["propagate", str(IL7_TABLE), "--out", str(tmp_path / "c.xlsx")]) == 2
    assert "needs the openpyxl package" in capsys.readouterr().err
    assert not (tmp_path / "c.xlsx").exists()


def test_enrich_out_dash_puts_the_table_on_stdout_and_the_summary_on_stderr(
        il7_study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["enrich", "--study", str(il7_study), "--ns", "BP", "-o", "-", "--out-format", "csv"]) == 0
    captured = capsys.readouterr()
    table = pd.read_csv(__import__("io").StringIO(captured.out))
    assert "GO:0038111" in set(table["GO"]) and not (tmp_path / "-").exists()
    assert "term(s) significant" in captured.err and "term(s) significant" not in captured.out


def test_help_imports_neither_pandas_nor_pyarrow() -> None:
    """`goannot --help` (and the parser of every subcommand) loads no table library: 0.15 s, not 0.4."""
    import subprocess

    code = ("import sys\nfrom goannot.cli import build_parser\nbuild_parser().format_help()\n"
            "print(sorted(m for m in ('pandas', 'pyarrow', 'scipy', 'dask') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]", out.stderr
