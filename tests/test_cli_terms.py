"""Term commands (term, ancestors, descendants, tree, search) and `goannot slim`, in-process on the
bundled GO 2019-01-27; slim mapping checked against goatools' mapslim on real annotations."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from goannot import Ontology
from goannot.cli import main
from goannot.cli_terms import lineage_lines, search_terms
from goannot.slim import read_slim_file, slim_terms

IL7R_BINDING = "GO:0005139"
NEG_REG_APOPTOSIS = "GO:0043066"


def _tsv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), sep="\t", comment="#", dtype=str, keep_default_na=False)


def test_term_by_secondary_id_and_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["term", "GO:0006916", "interleukin-7 receptor binding"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{NEG_REG_APOPTOSIS} ! negative regulation of apoptotic process\n")
    assert "status: secondary (asked as GO:0006916" in out
    assert "anti-apoptosis (EXACT)" in out and "definition: Any process that stops" in out
    assert f"{IL7R_BINDING} ! interleukin-7 receptor binding" in out
    assert main(["term", "GO:0006916", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["id"] == NEG_REG_APOPTOSIS and "GO:0006916" in record["alt_ids"]


def test_unknown_term_is_exit_2_with_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["term", "NOTATERM"]) == 2
    err = capsys.readouterr().err
    assert "'NOTATERM' is not a term ID, name or synonym" in err and "goannot search" in err


def test_ancestors_and_descendants_match_the_library(go: Ontology, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ancestors", IL7R_BINDING, "--relations", "is_a"]) == 0
    table = _tsv(capsys.readouterr().out)
    assert list(table.columns) == ["id", "name", "namespace"]
    assert set(table["id"]) == go.ancestors(IL7R_BINDING, ("is_a",))
    assert main(["descendants", "GO:0006915", "--reflexive"]) == 0
    table = _tsv(capsys.readouterr().out)
    assert set(table["id"]) == go.descendants("GO:0006915", reflexive=True)


def test_tree_is_the_lineage_from_the_roots(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tree", IL7R_BINDING]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "GO:0003674 ! molecular_function"
    assert "  [i] GO:0005488 ! binding" in lines
    marked = [line for line in lines if line.endswith(" *")]
    assert len(marked) == 2  # reached through cytokine and growth factor receptor binding
    assert all(line.strip().startswith(f"[i] {IL7R_BINDING}") for line in marked)


def test_lineage_lines_show_part_of(go: Ontology) -> None:
    lines = lineage_lines(go, "GO:0005634")  # nucleus
    assert any("[p]" in line for line in lines) and lines[0].startswith("GO:0005575")


def test_search_names_and_synonyms_best_first(go: Ontology, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "anti-apoptosis"]) == 0
    table = _tsv(capsys.readouterr().out)
    assert table.iloc[0][["id", "matched"]].tolist() == [NEG_REG_APOPTOSIS, "synonym:EXACT"]
    hits = search_terms(go, "interleukin-7 receptor")
    assert hits.iloc[0]["id"] in {"GO:0004917", IL7R_BINDING} and len(hits) >= 3
    assert main(["search", "no term is called this"]) == 1


def test_term_table_output_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "anc.json"
    assert main(["ancestors", IL7R_BINDING, "-o", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert {"id": "GO:0003674", "name": "molecular_function", "namespace": "molecular_function"} in rows


# -- slim --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def goatools_dags(go: Any) -> tuple[Any, Any]:
    obo_parser = pytest.importorskip("goatools.obo_parser")
    dag = obo_parser.GODag(go.provenance.path, prt=None)
    return obo_parser, dag


def _slim_dag(obo_parser: Any, dag: Any, ids: list[str]) -> Any:
    slim_dag = obo_parser.GODag.__new__(obo_parser.GODag)
    dict.update(slim_dag, {t: dag[t] for t in ids})
    return slim_dag


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["direct", "all"])
def test_slim_of_rat_gaf_equals_goatools_mapslim(mode: str, go: Any, goatools_dags: tuple[Any, Any],
                                                 tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`goannot slim` of the bundled rat GAF on goslim_agr, is_a only, = goatools' mapslim per term."""
    mapslim = pytest.importorskip("goatools.mapslim")
    obo_parser, dag = goatools_dags
    out = tmp_path / "slim.tsv"
    assert main(["slim", "goa_rat-2019-01-29", "--slim", "goslim_agr", "--mode", mode, "--relations", "is_a",
                 "--out", str(out)]) == 0
    assert "goslim_agr terms" in capsys.readouterr().out
    mapping = pd.read_csv(out, sep="\t", comment="#", dtype=str, keep_default_na=False)
    assert out.read_text().startswith("# slim: goslim_agr\n# mode: " + mode)
    slim_dag = _slim_dag(obo_parser, dag, slim_terms(go, "goslim_agr"))
    by_term = mapping.groupby("term")["slim_term"].apply(set).to_dict()
    terms = sorted(str(t) for t in by_term)[:: max(1, len(by_term) // 400)]  # ~400 terms spread over the file
    assert len(terms) >= 300
    for term in terms:
        direct, all_ = mapslim.mapslim(term, dag, slim_dag)
        assert by_term[term] == (direct if mode == "direct" else all_), term


def test_slim_from_a_slim_file_and_a_term_list(go: Any, goatools_dags: tuple[Any, Any], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A slim given as a file (a subset of goslim_generic written as an OBO) and terms given as a list."""
    mapslim = pytest.importorskip("goatools.mapslim")
    obo_parser, dag = goatools_dags
    slim_ids = slim_terms(go, "goslim_generic")[::3]
    slim_obo = tmp_path / "myslim.obo"
    slim_obo.write_text("format-version: 1.2\n\n" + "".join(
        f"[Term]\nid: {t}\nname: {go.name(t)}\n\n" for t in slim_ids) + "[Typedef]\nid: part_of\n")
    assert read_slim_file(slim_obo) == slim_ids
    terms = [IL7R_BINDING, NEG_REG_APOPTOSIS, "GO:0005634", "GO:0038111", "GO:0006915", "GO:0004917"]
    term_file = tmp_path / "terms.txt"
    term_file.write_text("\n".join(terms) + "\n")
    out = tmp_path / "m.tsv"
    assert main(["slim", str(term_file), "--slim", str(slim_obo), "--mode", "all", "--relations", "is_a",
                 "--out", str(out)]) == 0
    mapping = pd.read_csv(out, sep="\t", comment="#", dtype=str, keep_default_na=False)
    slim_dag = _slim_dag(obo_parser, dag, slim_ids)
    for term in terms:
        _, all_ = mapslim.mapslim(term, dag, slim_dag)
        assert set(mapping.loc[mapping["term"] == term, "slim_term"]) == all_, term


def test_slim_unknown_name_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    terms = tmp_path / "t.txt"
    terms.write_text("GO:0006915\n")
    assert main(["slim", str(terms), "--slim", "goslim_nosuch"]) == 2
    err = capsys.readouterr().err
    assert "goslim_agr" in err and "goslim_generic" in err
    assert main(["slim", str(terms), "--slim", "goslim_agr", "--counts", "-"]) == 0
    counts = _tsv(capsys.readouterr().out)
    assert counts.set_index("slim_term").loc["GO:0008219", "n_terms"] == "1"  # cell death
