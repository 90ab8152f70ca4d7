"""Release diff: hand-made release pairs with every change class, and the real GO 2019 -> 2022 pair.

``tests/data/obo/rdiff_old.obo`` -> ``rdiff_new.obo`` make every change the diff classifies, and
``tests/data/annotations/rdiff_sample.gaf`` annotates one gene per situation. The expected results
below were worked out by hand from those files (the comments say how), not copied from a run.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

import goannot
from goannot.cli import main
from goannot.reldiff import ReleaseDiff, release_diff
from goannot.reldiff_report import gene_changes, render_html, tables, to_json
from goannot.reldiff_terms import OUTCOME

DATA = Path(__file__).resolve().parent / "data"
OLD = DATA / "obo" / "rdiff_old.obo"
NEW = DATA / "obo" / "rdiff_new.obo"
GAF = DATA / "annotations" / "rdiff_sample.gaf"
REPO = Path(__file__).resolve().parent.parent
GODB = Path("/usr/lib/R/site-library/GO.db/extdata/GO.sqlite")


@pytest.fixture(scope="module")
def diff() -> ReleaseDiff:
    return release_diff(OLD, NEW, [GAF])


# -- level 1 ------------------------------------------------------------------------------------------

def test_every_term_change_class(diff: ReleaseDiff) -> None:
    got = {(r["id"], r["change"]) for r in diff.ontology.terms.to_dict("records")}
    assert got == {
        ("GO:0000030", "added"),
        ("GO:0000005", "obsoleted"), ("GO:0000006", "obsoleted"), ("GO:0000007", "obsoleted"),
        ("GO:0000015", "obsoleted"), ("GO:0000016", "obsoleted"),
        ("GO:0000008", "merged"), ("GO:0000011", "reinstated"), ("GO:0000012", "removed"),
        ("GO:0000009", "renamed"), ("GO:0000010", "namespace_moved"),
        ("GO:0000004", "parents_changed"), ("GO:0000010", "parents_changed"), ("GO:0000013", "parents_changed"),
    }
    t = diff.ontology.terms.set_index(["id", "change"])
    assert t.loc[("GO:0000005", "obsoleted"), "into"] == "GO:0000003"
    assert t.loc[("GO:0000006", "obsoleted"), "consider"] == "GO:0000002,GO:0000003"
    assert t.loc[("GO:0000008", "merged"), "into"] == "GO:0000003"
    assert t.loc[("GO:0000013", "parents_changed"), "relation"] == "part_of"
    assert t.loc[("GO:0000004", "parents_changed"), "detail"] == "+GO:0000003; -GO:0000002"
    s = diff.ontology.summary
    assert sum(s["changes"].values()) == len(diff.ontology.terms)
    assert s["obsoleted_with_replaced_by"] == 2 and s["obsoleted_with_consider_only"] == 1


def test_edges_added_and_removed_with_causes(diff: ReleaseDiff) -> None:
    e = diff.ontology.edges
    removed = {(c, r, p): why for c, r, p, ch, why in e.itertuples(index=False) if ch == "removed"}
    added = {(c, r, p): why for c, r, p, ch, why in e.itertuples(index=False) if ch == "added"}
    assert added == {("GO:0000004", "is_a", "GO:0000003"): "", ("GO:0000010", "is_a", "GO:0000020"): "",
                     ("GO:0000011", "is_a", "GO:0000001"): "child reinstated",
                     ("GO:0000013", "part_of", "GO:0000002"): "",
                     ("GO:0000030", "is_a", "GO:0000002"): "new child term"}
    assert removed[("GO:0000005", "is_a", "GO:0000002")] == "child obsoleted"
    assert removed[("GO:0000008", "is_a", "GO:0000003")] == "child merged"
    assert removed[("GO:0000012", "is_a", "GO:0000001")] == "child removed"
    assert removed[("GO:0000013", "part_of", "GO:0000003")] == ""
    assert len(removed) == 10  # every edge out of 4, 5, 6, 7, 8, 10, 12, 13(part_of), 15, 16
    assert diff.ontology.summary["edges_removed_by_relation"] == {"is_a": 9, "part_of": 1}


def test_relations_only_one_release_has_are_left_out(tmp_path: Path) -> None:
    text = NEW.read_text().replace("relationship: part_of GO:0000002", "relationship: has_part GO:0000002")
    text += "\n[Typedef]\nid: has_part\nname: has part\n"
    path = tmp_path / "new_has_part.obo"
    path.write_text(text)
    d = release_diff(OLD, path, closure=False)
    assert d.ontology.relations_only_new == ("has_part",)
    assert "has_part" not in set(d.ontology.edges["relation"])


# -- level 2 ------------------------------------------------------------------------------------------

def test_row_classes_add_up(diff: ReleaseDiff) -> None:
    c = diff.files[0].annotations.counts
    assert c["rows_read"] == 15
    # Under NEW, by hand: G1 14, G3 9, G5 30, G6 NOT-14, G6 13, G7 11, G8 10 are current terms;
    # 8 (merged) and 99 (alt_id) are repaired to their primary; 5 replaced_by 3; 6 consider; 7 no
    # guidance; 15 -> 16 -> nothing; 9999999 and 12 unknown.
    assert c["by_class_new"] == {"current": 7, "secondary_repaired": 2, "obsolete_replaced": 1,
                                 "obsolete_consider": 1, "obsolete_no_guidance": 1, "obsolete_broken_chain": 1,
                                 "unknown": 2, "malformed": 0}
    assert c["by_class_old"] == {"current": 11, "secondary_repaired": 1, "obsolete_replaced": 0,
                                 "obsolete_consider": 0, "obsolete_no_guidance": 1, "obsolete_broken_chain": 0,
                                 "unknown": 2, "malformed": 0}
    assert c["by_outcome_new"] == {"kept": 7, "repaired": 3, "lost": 5}
    for key in ("by_class_new", "by_class_old", "by_outcome_new", "transitions"):
        assert sum(c[key].values()) == c["rows_read"]
    # The release changes the verdict of 5, 6, 7, 8, 11, 12, 15 and 30; not of 99 (secondary in both)
    # nor of 9999999 (unknown in both).
    assert c["rows_changed_by_release"] == 8
    ids = diff.files[0].annotations.ids.set_index("go_id")
    assert ids.loc["GO:0000005", "new_target"] == "GO:0000003"
    assert ids.loc["GO:0000008", "new_target"] == "GO:0000003"
    assert ids.loc["GO:0000099", "new_target"] == "GO:0000002" and not ids.loc["GO:0000099", "changed"]
    rows = diff.files[0].annotations.rows
    assert len(rows) == 15 - 7  # every row NEW repairs or loses, and only those
    genes = diff.files[0].annotations.genes.set_index("gene")
    assert genes.loc["UniProtKB:G5", "lost"] == 3 and genes.loc["UniProtKB:G5", "secondary_repaired"] == 1


def test_outcomes_are_the_validators(diff: ReleaseDiff) -> None:
    """The diff's kept / repaired / lost rows are what the validator keeps, repairs and rejects."""
    from goannot.annotations import read_annotations
    from goannot.validate import validate
    from goannot.validate.idrules import ID_RULES

    annotations = read_annotations(GAF)
    c = diff.files[0].annotations.counts
    for onto, side in ((diff.new, "new"), (diff.old, "old")):
        r = validate(annotations, onto, rules=list(ID_RULES))
        outcome = {"kept": 0, "repaired": 0, "lost": 0}
        for cls, n in c[f"by_class_{side}"].items():
            outcome[OUTCOME[cls]] += n
        assert (r.kept + r.merged, r.repaired, r.rejected) == (outcome["kept"], outcome["repaired"], outcome["lost"])


# -- level 3 ------------------------------------------------------------------------------------------

# (gene, term, change, cause), by hand from the two OBOs and the GAF (is_a + part_of):
EXPECTED_PAIRS = {
    ("G1", "GO:0000002", "lost", "edge_removed"),        # 14 is_a 4; 4 is_a 2 became 4 is_a 3
    ("G1", "GO:0000003", "gained", "edge_added"),
    ("G2", "GO:0000005", "lost", "term_obsoleted"),      # 5 replaced_by 3
    ("G2", "GO:0000002", "lost", "annotation_repaired"),
    ("G2", "GO:0000003", "gained", "annotation_repaired"),
    ("G3", "GO:0000006", "lost", "term_obsoleted"),      # consider: the row is lost; 9 unchanged
    ("G3", "GO:0000002", "lost", "annotation_lost"),
    ("G4", "GO:0000008", "lost", "term_merged"),         # 8 -> 3, which it already had
    ("G5", "GO:0000007", "lost", "term_obsoleted"),
    ("G5", "GO:0000003", "lost", "annotation_lost"),     # only 7 reached 3
    ("G5", "GO:0000015", "lost", "term_obsoleted"),
    ("G5", "GO:0000030", "gained", "term_added"),        # unknown in OLD, new term in NEW
    ("G6", "GO:0000003", "lost", "edge_removed"),        # 13 part_of 3 became part_of 2
    ("G6", "GO:0000002", "gained", "edge_added"),
    ("G7", "GO:0000011", "gained", "term_added"),        # reinstated
    ("G7", "GO:0000001", "gained", "annotation_gained"),
    ("G8", "GO:0000001", "lost", "edge_removed"),        # moved to molecular_function
    ("G8", "GO:0000020", "gained", "edge_added"),
    ("G9", "GO:0000012", "lost", "term_removed"),
    ("G9", "GO:0000001", "lost", "annotation_lost"),
}


def test_closure_changes_and_causes(diff: ReleaseDiff) -> None:
    cd = diff.files[0].closure
    assert cd is not None
    got = {(g.split(":", 1)[1], t, ch, c) for g, t, ch, c in
           cd.pairs[["gene", "term", "change", "cause"]].itertuples(index=False)}
    assert got == EXPECTED_PAIRS
    details = {(g, t): d for g, t, d in cd.pairs[["gene", "term", "detail"]].itertuples(index=False)}
    assert details[("UniProtKB:G1", "GO:0000002")] == "GO:0000004 is_a GO:0000002"
    assert details[("UniProtKB:G6", "GO:0000002")] == "GO:0000013 part_of GO:0000002"
    genes = cd.genes.set_index("gene")
    # closure sizes: G5 had {2,1,7,3,15}, has {2,1,30}
    assert (genes.loc["UniProtKB:G5", "closure_old"], genes.loc["UniProtKB:G5", "closure_new"]) == (5, 3)
    assert (genes["closure_old"] + genes["gained"] - genes["lost"] == genes["closure_new"]).all()
    assert cd.counts["pairs_old"] + cd.counts["gained"] - cd.counts["lost"] == cd.counts["pairs_new"]
    assert cd.genes["changed"].iloc[0] == 4  # G5 changed most: -7, -3, -15, +30
    assert cd.counts["rows_old"]["negated"] == 1  # G6's NOT row never counts


def test_gene_changes_by_symbol(diff: ReleaseDiff) -> None:
    assert set(gene_changes(diff, "G8SYM")["term"]) == {"GO:0000001", "GO:0000020"}
    assert set(gene_changes(diff, "G8")["term"]) == {"GO:0000001", "GO:0000020"}


# -- level 4 ------------------------------------------------------------------------------------------

def _enrichment_gaf(path: Path) -> Path:
    """E1..E4 annotated to GO:0000014 and GO:0000016, E5..E20 to GO:0000009."""
    lines = ["!gaf-version: 2.2"]
    for k in range(1, 21):
        terms = ("GO:0000014", "GO:0000016") if k <= 4 else ("GO:0000009",)
        for go in terms:
            lines.append("\t".join(["UniProtKB", f"E{k}", f"e{k}", "involved_in", go, "PMID:1", "IDA", "", "P",
                                    "", "", "protein", "taxon:9606", "20000601", "UniProt", "", ""]))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_enrichment_terms_entering_and_leaving(tmp_path: Path) -> None:
    # Study E1..E4 of 20 genes. Under OLD they alone have 2, 4, 14, 16 (p = 1/C(20,4) each, times at
    # most 6 tests: significant) and they alone lack 9 (depleted, same p). Under NEW, 4 is_a 3
    # instead of 2 and 16 is obsolete: 3 enters, 2 and 16 leave, 4, 14 and 9 stay.
    gaf = _enrichment_gaf(tmp_path / "e.gaf")
    d = release_diff(OLD, NEW, [gaf], studies={"four": ["E1", "E2", "E3", "E4"]}, method="bonferroni")
    e = d.files[0].enrichments[0]
    moved = {(r["GO"], r["change"], r["cause"]) for r in e.table.to_dict("records")}
    assert moved == {("GO:0000003", "entered", "study_count"), ("GO:0000002", "left", "study_count"),
                     ("GO:0000016", "left", "term_obsoleted"), ("GO:0000004", "stayed", ""),
                     ("GO:0000014", "stayed", ""), ("GO:0000009", "stayed", "")}
    k = e.counts
    assert (k["entered"], k["left"], k["stayed"]) == (1, 2, 3)
    assert k["entered"] + k["stayed"] == k["significant_new"]
    assert k["left"] + k["stayed"] == k["significant_old"]
    row = e.table.set_index("GO").loc["GO:0000003"]
    assert "study count 0 -> 4" in row["detail"] and "edge_added 4" in row["detail"]


# -- outputs, command, API ------------------------------------------------------------------------------

def test_command_writes_json_html_tsv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json, out_html, out_tsv = tmp_path / "d.json", tmp_path / "d.html", tmp_path / "tsv"
    rc = main(["release-diff", "--go", str(OLD), "--go-new", str(NEW), str(GAF), "--json", str(out_json),
               "--html", str(out_html), "--tsv", str(out_tsv), "--gene", "G1"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "closure changes of G1: 2" in text
    data: dict[str, Any] = json.loads(out_json.read_text())
    assert data["files"][0]["annotations"]["by_outcome_new"] == {"kept": 7, "repaired": 3, "lost": 5}
    assert data["tables"]["rdiff_sample.gaf.closure_pairs"]["rows_total"] == len(EXPECTED_PAIRS)
    names = {p.name for p in out_tsv.iterdir()}
    assert {"terms.tsv", "edges.tsv", "rdiff_sample.gaf.ids.tsv", "rdiff_sample.gaf.closure_pairs.tsv"} <= names
    html = out_html.read_text()
    assert html.startswith("<!DOCTYPE html>") and "GO release diff: 2000-01-01" in html


def test_unusable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["release-diff", "--go", str(OLD), "--go-new", str(NEW), str(tmp_path / "missing.gaf")]) == 2
    assert main(["release-diff", "--go", str(OLD), "--go-new", str(tmp_path / "missing.obo")]) == 2
    study = tmp_path / "study.txt"
    study.write_text("G1\n")
    assert main(["release-diff", "--go", str(OLD), "--go-new", str(NEW), "--study", str(study)]) == 2
    assert "--study needs at least one annotation FILE" in capsys.readouterr().err


def test_html_escapes_names(tmp_path: Path) -> None:
    path = tmp_path / "evil.obo"
    path.write_text(NEW.read_text().replace("name: new name", "name: <script>alert(1)</script> & co"))
    html = render_html(release_diff(OLD, path, [GAF]))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_json_is_bounded(diff: ReleaseDiff) -> None:
    data = to_json(diff, max_rows=3)
    assert all(len(t["rows"]) <= 3 for t in data["tables"].values())
    assert data["tables"]["terms"]["rows_total"] == len(tables(diff)["terms"])


def test_lazy_api_survives_submodule_import() -> None:
    import goannot.reldiff  # noqa: F401  (the submodule must not shadow the function)

    assert goannot.release_diff is release_diff
    assert "release_diff" in goannot.__all__


# -- the real releases -----------------------------------------------------------------------------------

def _converter() -> Any:
    spec = importlib.util.spec_from_file_location("godb_to_obo", REPO / "benchmarks" / "godb_to_obo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["godb_to_obo"] = module
    spec.loader.exec_module(module)
    return module


needs_godb = pytest.mark.skipif(
    not GODB.exists(), reason="GO 2022-07-01 comes from Debian's r-bioc-go.db (apt-get install -y r-bioc-go.db), "
                              f"not installed: {GODB} is missing")


@pytest.fixture(scope="module")
def go2022(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out: Path = _converter().convert(GODB, tmp_path_factory.mktemp("godb") / "go-2022-07-01.obo")
    return out


@needs_godb
def test_converter_keeps_every_term(go2022: Path) -> None:
    con = sqlite3.connect(f"file:{GODB}?mode=ro", uri=True)
    n_terms = con.execute("SELECT count(*) FROM go_term WHERE go_id LIKE 'GO:%'").fetchone()[0]
    n_obsolete = con.execute("SELECT count(*) FROM go_obsolete").fetchone()[0]
    n_alt = con.execute("SELECT count(*) FROM go_synonym WHERE like_go_id = 1").fetchone()[0]
    con.close()
    onto = goannot.load_ontology(go2022)
    assert len(onto.ids()) == n_terms
    assert len(onto.ids(include_obsolete=True)) == n_terms + n_obsolete
    assert len(onto.alt_ids) == n_alt
    assert onto.data_version == "releases/2022-07-01"
    assert "all" not in onto.term_ids()


@needs_godb
def test_il7_seed_table_under_go_2022(go2022: Path) -> None:
    d = release_diff(None, go2022, [REPO / "examples" / "il7_ncbi_go_table.tsv"])
    assert d.ontology.old_version == "2019-01-27" and d.ontology.new_version == "2022-07-01"
    f = d.files[0]
    ids = f.annotations.ids.set_index("go_id")
    # GO:0006916 'anti-apoptosis' has been an alt_id of GO:0043066 since 2010, in both releases.
    for side in ("old", "new"):
        assert ids.loc["GO:0006916", f"{side}_class"] == "secondary_repaired"
        assert ids.loc["GO:0006916", f"{side}_target"] == "GO:0043066"
    c = f.annotations.counts
    assert sum(c["by_class_new"].values()) == c["rows_read"] == 23
    # GO obsoleted the '... part' terms (GO:0044421 'extracellular region part') in 2019-2020:
    # IL7's extracellular annotations no longer reach it.
    assert f.closure is not None
    pairs = f.closure.pairs.set_index("term")
    assert pairs.loc["GO:0044421", "change"] == "lost" and pairs.loc["GO:0044421", "cause"] == "term_obsoleted"
    assert "other" not in set(f.closure.pairs["cause"])
    k = f.closure.counts
    assert k["pairs_old"] + k["gained"] - k["lost"] == k["pairs_new"]


def test_namespace_move_under_an_aspect_filter() -> None:
    # Only molecular_function annotations: G8's GO:0000010 is biological_process in OLD (filtered
    # out) and molecular_function in NEW (kept), so G8 gains 10 and the MF root 20; nothing else.
    d = release_diff(OLD, NEW, [GAF], aspects="F")
    cd = d.files[0].closure
    assert cd is not None
    got = {(g, t, ch, c) for g, t, ch, c in cd.pairs[["gene", "term", "change", "cause"]].itertuples(index=False)}
    assert got == {("UniProtKB:G8", "GO:0000010", "gained", "annotation_gained"),
                   ("UniProtKB:G8", "GO:0000020", "gained", "annotation_gained")}
    assert all("namespace biological_process -> molecular_function" in x for x in cd.pairs["detail"])


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.gaf"
    empty.write_text("!gaf-version: 2.2\n")
    d = release_diff(OLD, NEW, [empty])
    f = d.files[0]
    assert f.annotations.counts["rows_read"] == 0 and sum(f.annotations.counts["by_class_new"].values()) == 0
    assert f.closure is not None and len(f.closure.pairs) == 0
    assert "<table" in render_html(d)


def test_terms_whose_genes_moved(diff: ReleaseDiff) -> None:
    from goannot.reldiff_report import closure_terms

    table = closure_terms(diff, diff.files[0]).set_index("term")
    for term in {t for _, t, _, _ in EXPECTED_PAIRS}:
        gained = sum(1 for _, t, ch, _ in EXPECTED_PAIRS if t == term and ch == "gained")
        lost = sum(1 for _, t, ch, _ in EXPECTED_PAIRS if t == term and ch == "lost")
        assert (table.loc[term, "genes_gained"], table.loc[term, "genes_lost"]) == (gained, lost)
    assert table.loc["GO:0000008", "term_change"] == "merged"
    assert table.index[0] == "GO:0000002"  # 1 gene gained it, 3 lost it: the most moved


@needs_godb
def test_human_gaf_counts_add_up(go2022: Path) -> None:
    from goannot.sources import get_source, locate

    src = get_source("goa_human-2019-01-29")
    d = release_diff(None, go2022, [locate(src)])
    f = d.files[0]
    c = f.annotations.counts
    assert c["rows_read"] + c["parse_rejects"] == 475_402  # the manifest's row count
    for key in ("by_class_old", "by_class_new", "by_outcome_new", "transitions"):
        assert sum(c[key].values()) == c["rows_read"]
    assert len(f.annotations.rows) == c["rows_read"] - c["by_class_new"]["current"]
    assert f.closure is not None
    k = f.closure.counts
    assert k["pairs_old"] + k["gained"] - k["lost"] == k["pairs_new"]
    assert len(f.closure.pairs) == k["gained"] + k["lost"]
    assert "other" not in set(f.closure.pairs["cause"].astype(str))
    s = d.ontology.summary
    assert sum(s["changes"].values()) == len(d.ontology.terms)
