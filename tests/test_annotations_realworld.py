"""Annotation files as the world writes them (issue 12, annotation part): every case has its own fixture
in tests/data/annotations/, named after it, and a test that fails on the behaviour the issue reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from goannot.annotations import read_annotations
from goannot.validate import validate, validate_file

DATA = Path(__file__).parent / "data" / "annotations"


def _rules(result: Any, rule: str) -> list[tuple[int, str, str]]:
    f = result.findings
    f = f[f["rule"] == rule]
    return list(zip(f["line"].tolist(), f["severity"].tolist(), f["message"].tolist()))


def _validate(name: str, go: Any, **kw: Any) -> Any:
    """Validate a fixture in memory (the result keeps its table and rejects)."""
    return validate(read_annotations(DATA / name), go, **kw)


def _accounted(result: Any) -> None:
    assert result.input_rows == result.kept + result.repaired + result.rejected + result.merged


# -- 1. short GAF 2.x lines -------------------------------------------------------------------------

def test_short_lines_all_16_columns_are_padded_not_rejected() -> None:
    result = read_annotations(DATA / "short_lines_16_columns.gaf")
    assert len(result.rejects) == 0
    assert result.table["db_object_id"].tolist() == ["SPAC1002.01", "SPAC1002.02", "SPAC1002.03c"]
    assert result.table["annotation_extension"].tolist() == ["", "part_of(GO:0005634)", ""]
    assert result.table["gene_product_form_id"].tolist() == ["", "", ""]
    assert [n.lines.tolist() for n in result.notes] == [[3, 4, 5]]
    assert "16 of the 17" in str(result.notes[0].message)


def test_short_lines_mixed_widths_keep_15_to_17_and_reject_the_rest(go: Any) -> None:
    result = _validate("short_lines_mixed.gaf", go)
    _accounted(result)
    assert (result.input_rows, result.kept + result.repaired, result.rejected) == (5, 3, 2)
    assert sorted(result.rejects["line"].tolist()) == [5, 6]
    reasons = dict(zip(result.rejects["line"], result.rejects["reason"]))
    assert "expected 15 to 17 tab-separated columns (GAF 2.1), found 14" == reasons[5]
    assert "found 18" in reasons[6]
    padded = [(line, sev) for line, sev, msg in _rules(result, "GORULE:0000001") if "columns (the empty" in msg]
    assert padded == [(2, "info"), (3, "info")]
    assert result.exit_status() == 1  # the rejected lines are errors


# -- 4. dates -----------------------------------------------------------------------------------------

def test_iso_dates_are_repaired_and_logged_impossible_dates_rejected(go: Any, tmp_path: Path) -> None:
    log = tmp_path / "changes.tsv"
    rejects = tmp_path / "rejects.tsv"
    result = validate_file(DATA / "date_iso_dashes.gaf", go, log_path=log, rejects_path=rejects)
    _accounted(result)
    assert (result.repaired, result.rejected) == (1, 1)
    assert rejects.read_text().splitlines()[1].startswith("4\tGOANNOT:unparsable-line\tcolumn 14 (Date) "
                                                          "'2005-02-30' is not a valid YYYYMMDD date")
    assert "2\tGORULE:0000001\tdate\t2005-01-17\t20050117" in log.read_text()
    assert [(line, sev) for line, sev, _ in _rules(result, "GORULE:0000001")] == [(2, "warning")]


def test_iso_dates_read_as_yyyymmdd() -> None:
    result = read_annotations(DATA / "date_iso_dashes.gaf")
    assert result.table["date"].tolist() == ["20050117", "20050117"]


# -- 5. a repair never changes meaning -------------------------------------------------------------------

def test_unknown_qualifier_tokens_are_rejected_never_made_positive(go: Any) -> None:
    result = _validate("qualifier_unknown_tokens.gaf", go)
    _accounted(result)
    assert result.table["db_object_id"].tolist() == ["P00005", "P00006"]  # NOT|enables, enables
    assert result.table["qualifier"].tolist() == ["NOT|enables", "enables"]
    rejected = result.rejects.set_index("line")["rule"].to_dict()
    assert rejected == {2: "GORULE:0000001", 3: "GORULE:0000001", 4: "GORULE:0000001", 5: "GORULE:0000001",
                        8: "GORULE:0000001"}
    assert "GORULE:0000061" not in result.counts_by_rule  # no relation guessed for NOTT / enabels


def test_unknown_qualifier_tokens_kept_with_an_error_under_keep(go: Any) -> None:
    result = _validate("qualifier_unknown_tokens.gaf", go, policy="keep")
    assert result.rejected == 0 and result.repaired == 0
    assert result.table["qualifier"].tolist()[:4] == ["NOTT", "NOTT|enables", "N0T|enables", "not|enables"]
    assert result.exit_status() == 1


@pytest.mark.parametrize("policy", ["replace", "reject"])
def test_no_repair_loses_a_not(go: Any, tmp_path: Path, policy: str) -> None:
    """Audit of the repairs that touch the qualifier: the NOT survives every one of them."""
    rows = [  # GORULE:0000061: colocalizes_with on a MF term; GORULE:0000059: GAF 2.1 row without a relation
        ("2.2", "NOT|colocalizes_with", "GO:0005125", "F", "NOT|enables"),
        ("2.1", "NOT", "GO:0005125", "F", "NOT|enables"),
        ("2.1", "NOT", "GO:0005634", "C", "NOT|located_in"),
    ]
    for version, qualifier, term, aspect, want in rows:
        path = tmp_path / f"not_{version}.gaf"
        path.write_text(f"!gaf-version: {version}\n" + "\t".join(
            ["UniProtKB", "P13232", "IL7", qualifier, term, "PMID:1", "IDA", "", aspect, "n", "", "protein",
             "taxon:9606", "20050117", "UniProt", "", ""]) + "\n")
        result = validate(read_annotations(path), go, policy=policy, options={"convert_to_22": True})
        assert result.table["qualifier"].tolist() == [want], (version, qualifier)


def test_id_form_repair_does_not_guess_digits(go: Any, tmp_path: Path) -> None:
    path = tmp_path / "ids.gaf"
    line = ["UniProtKB", "P13232", "IL7", "enables", "", "PMID:1", "IDA", "", "F", "n", "", "protein",
            "taxon:9606", "20050117", "UniProt", "", ""]
    path.write_text("!gaf-version: 2.2\n" + "\n".join("\t".join(line[:4] + [t] + line[5:])
                                                      for t in ("go:0005125", "GO:5125")) + "\n")
    result = validate(read_annotations(path), go)
    assert result.table["go_id"].tolist() == ["GO:0005125"]  # form fixed
    assert result.rejects["rule"].tolist() == ["GOANNOT:malformed-id"]  # wrong digit count: never padded


# -- 3. annotation extensions ------------------------------------------------------------------------------

def test_malformed_extensions_reported_and_only_the_bad_alternative_dropped(go: Any, tmp_path: Path) -> None:
    log = tmp_path / "log.tsv"
    result = validate_file(DATA / "extension_malformed.gaf", go, log_path=log)
    _accounted(result)
    assert (result.kept, result.repaired, result.rejected) == (2, 6, 0)
    flagged = sorted(line for line, _, _ in _rules(result, "GORULE:0000001"))
    assert flagged == [2, 3, 4, 5, 7, 8]
    changes = [ln.split("\t") for ln in log.read_text().splitlines()[1:]]
    after = {int(c[0]): c[4] for c in changes if c[2] == "annotation_extension"}
    assert after == {2: "", 3: "", 4: "", 5: "", 7: "occurs_in(CL:0000057)", 8: "has_input(UniProtKB:P12345)"}


def test_malformed_extensions_only_reported_under_keep(go: Any) -> None:
    result = _validate("extension_malformed.gaf", go, policy="keep")
    assert result.repaired == 0
    assert result.table["annotation_extension"].tolist()[:4] == ["foo", "foo(x)", "foo(X:9 X:8)", "part_of(GO:0005634"]
    assert result.exit_status() == 1


# -- 9. no false clean --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "forced", "said"), [
    ("unusable_empty.gaf", None, "the file is empty"),
    ("unusable_cr_only_line_ends.gaf", None, "CR only"),
    ("unusable_ontology.obo", None, "looks like an OBO ontology"),
    ("unusable_obograph.json", None, "looks like a JSON document"),
    ("unusable_binary.png", None, "binary file"),
    ("unusable_passwd.txt", None, "no annotations found: no line starts with a GO ID"),
    ("sample_2.2.gaf", "gpad", "not one of its"),  # a forced format that parses nothing
    ("short_lines_16_columns.gaf", "gene2go", "not one of its"),
])
def test_input_that_is_not_annotations_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 name: str, forced: str | None, said: str) -> None:
    from goannot.cli import main

    fix = tmp_path / "fixed.gaf"
    argv = ["validate", str(DATA / name), "--fix", str(fix)] + (["--format", forced] if forced else [])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and name in err
    assert not fix.exists()  # nothing written for an input that was not understood


def test_passwd_is_not_a_clean_file() -> None:
    with pytest.raises(Exception, match="it starts 'root:x:0:0"):
        read_annotations(DATA / "unusable_passwd.txt")


def test_header_only_gaf_is_valid_with_0_rows(go: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from goannot.cli import main

    assert main(["validate", str(DATA / "header_only.gaf")]) == 0
    assert "0 input rows" in capsys.readouterr().out


# -- 2. no !gaf-version header --------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "version", "why"), [
    ("no_version_header_gaf22.gaf", "2.2", "GAF 2.2 relations (enables, involved_in)"),
    ("no_version_header_gaf21.gaf", "2.1", "17 columns and no GAF 2.2 relation"),
    ("no_version_header_15_columns.gaf", "1.0", "15 columns and no GAF 2.2 relation"),
])
def test_version_without_header_is_decided_from_content(go: Any, name: str, version: str, why: str) -> None:
    aset = read_annotations(DATA / name)
    assert aset.version == version and len(aset.rejects) == 0
    assert why in aset.inferred["version"]
    result = validate(aset, go)
    assert result.releases["annotations"]["inferred"]["version"].startswith(version)
    if version == "2.2":  # read as 2.2: its relations are allowed, not 'not allowed in GAF 1.0/2.1'
        assert "GORULE:0000001" not in result.counts_by_rule


# -- 6. reference dates ---------------------------------------------------------------------------------------

def test_header_less_file_counts_age_from_its_newest_annotation(go: Any, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = validate_file(DATA / "reference_date_no_header_date.gaf", go, report_path=report)
    annotations = result.releases["annotations"]
    assert annotations["reference_date"] == "2019-01-10"
    assert "newest annotation date" in annotations["reference_date_from"]
    # 20180601 is less than a year before 2019-01-10: no finding; 20150101 is over three years: rejected.
    assert [line for line, _, _ in _rules(result, "GORULE:0000029")] == [4]
    assert result.rejected == 1
    assert '"reference_date": "2019-01-10"' in report.read_text()


def test_today_option_overrides_the_file(go: Any) -> None:
    import datetime as dt

    result = _validate("reference_date_no_header_date.gaf", go, options={"today": dt.date(2015, 6, 1)})
    assert result.releases["annotations"]["reference_date"] == "2015-06-01"
    assert "GORULE:0000029" not in result.counts_by_rule


def test_header_date_wins_over_rows(go: Any) -> None:
    result = validate_file(DATA / "header_only.gaf", go)
    assert result.releases["annotations"]["reference_date"] == "2019-01-29"
    assert "header" in result.releases["annotations"]["reference_date_from"]


# -- 8. formats -----------------------------------------------------------------------------------------------

def test_goatools_id2gos_is_read(go: Any) -> None:
    from goannot.annotations import detect_format

    assert detect_format(DATA / "id2gos_goatools.txt") == "id2gos"
    aset = read_annotations(DATA / "id2gos_goatools.txt")
    assert aset.format == "id2gos"
    assert list(zip(aset.table["db_object_id"], aset.table["go_id"], aset.table["line"])) == [
        ("IL7", "GO:0005125", 2), ("IL7", "GO:0006955", 2), ("IL7", "GO:0005576", 2), ("IL7R", "GO:0004917", 4),
        ("CD4", "GO:0005515", 5), ("CD4", "GO:42", 5)]
    assert aset.rejects["line"].tolist() == [6, 7]
    result = validate(aset, go)
    _accounted(result)
    assert result.rejects.set_index("line")["rule"].to_dict() == {
        5: "GOANNOT:malformed-id", 6: "GOANNOT:unparsable-line", 7: "GOANNOT:unparsable-line"}


def test_gpi_is_refused_as_annotations_with_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    from goannot.cli import main

    assert main(["validate", str(DATA / "gpi_given_as_annotations.gpi")]) == 2
    assert "GPI file is a table of gene products, not GO annotations" in capsys.readouterr().err


def test_gpi_feeds_the_gene_index() -> None:
    from goannot.cli import _gene_index

    index = _gene_index(str(DATA / "gpi_given_as_annotations.gpi"))
    table = index.table if hasattr(index, "table") else None
    found = index.resolve_one("Il7", 10090)
    assert found["status"] != "unknown" and "98933" in str(dict(found))
    assert table is None or len(table) == 2


def test_gpad_header_over_gaf_rows_is_read_as_gaf() -> None:
    from goannot.annotations import detect_format

    assert detect_format(DATA / "gpad_header_over_gaf_rows.txt") == "gaf"
    aset = read_annotations(DATA / "gpad_header_over_gaf_rows.txt")
    assert aset.format == "gaf" and aset.version == "2.2" and len(aset.table) == 2 and len(aset.rejects) == 0


def test_header_less_16_column_gaf_is_detected() -> None:
    aset = read_annotations(DATA / "no_version_header_16_columns.txt")
    assert aset.format == "gaf" and len(aset.table) == 2 and aset.version == "2.1"


# -- 7. IBA references ----------------------------------------------------------------------------------------

def test_every_reference_paint_used_is_accepted_legacy_ones_with_a_warning(go: Any) -> None:
    result = _validate("iba_paint_references.gaf", go)
    _accounted(result)
    assert result.table["db_object_id"].tolist() == ["P00001", "P00002", "P00003", "P00004"]
    assert result.rejects.set_index("line")["rule"].to_dict() == {7: "GORULE:0000037"}
    graded = [(line, sev) for line, sev, _ in _rules(result, "GORULE:0000037")]
    assert graded == [(4, "warning"), (5, "warning"), (7, "error")]


# -- 10. --fix headers ------------------------------------------------------------------------------------------

def test_fix_output_keeps_the_producer_header_as_written(go: Any, tmp_path: Path) -> None:
    src = DATA / "producer_header_kept.gaf"
    fixed = tmp_path / "fixed.gaf"
    validate_file(src, go, fix_path=fixed)
    written = fixed.read_text().splitlines()
    original = src.read_text().splitlines()[:7]
    assert written[:7] == original
    assert written[7].startswith("!goannot-validated: GO releases/2019-01-27")
    assert read_annotations(fixed).table["db_object_id"].tolist() == ["SPAC1002.02", "SPAC1002.03c"]


def test_convert_to_22_writes_a_22_header(go: Any, tmp_path: Path) -> None:
    fixed = tmp_path / "fixed.gaf"
    validate_file(DATA / "producer_header_kept.gaf", go, fix_path=fixed, options={"convert_to_22": True})
    lines = fixed.read_text().splitlines()
    assert lines[0] == "!gaf-version: 2.2" and lines[1:7] == (DATA / "producer_header_kept.gaf").read_text().splitlines()[1:7]
    again = read_annotations(fixed)
    assert again.version == "2.2" and again.table["qualifier"].tolist() == ["located_in", "NOT|acts_upstream_of_or_within"]


def test_fix_output_of_a_header_less_file_states_its_version(go: Any, tmp_path: Path) -> None:
    fixed = tmp_path / "fixed.gaf"
    validate_file(DATA / "no_version_header_gaf22.gaf", go, fix_path=fixed)
    assert fixed.read_text().startswith("!gaf-version: 2.2\n!goannot-validated:")


def test_extension_relations_checked_where_the_release_declares_them(go: Any) -> None:
    from goannot import load_ontology

    mini = load_ontology(Path(__file__).parent / "data" / "obo" / "go-mini-extension-relations.obo")
    result = _validate("extension_relation_unknown.gaf", mini)
    found = [(line, msg) for line, _, msg in _rules(result, "GORULE:0000001")]
    assert found == [(4, "annotation extension relation(s) has_inptu not declared in this GO release")]
    # The bundled go-basic release declares no extension relation (no has_input): nothing can be said.
    assert _rules(_validate("extension_relation_unknown.gaf", go), "GORULE:0000001") == []


# -- regression on a bundled real file ----------------------------------------------------------------------

def test_bundled_worm_gaf_results_move_only_where_issue_12_asks(go: Any) -> None:
    from goannot.sources import locate

    result = validate_file(locate("goa_worm-2019-01-29"), go)
    # Issue 16 moved these counts on purpose: GO's fail modes and the rules backed by go-site's
    # metadata judge the 2019 file by today's metadata (GO_REF:0000037-40, obsoleted since, are
    # GORULE:0000030's hard failures: 11,333 rows; 131 taxon-constraint and 4 retracted-paper rows).
    assert (result.input_rows, result.kept, result.repaired, result.rejected, result.merged) == (
        75650, 64104, 115, 11428, 3)
    assert result.input_rows == result.kept + result.repaired + result.rejected + result.merged
    counts = dict(result.counts_by_rule)
    # Issue 12's one moved count: PAINT's pre-2020 reference PMID:21873635 on every IBA row, a warning.
    assert counts.pop("GORULE:0000037") == 24338
    assert set(result.findings.loc[result.findings["rule"] == "GORULE:0000037", "severity"]) == {"warning"}
    assert {k: counts[k] for k in ("GORULE:0000005", "GORULE:0000008", "GORULE:0000046", "GORULE:0000051",
                                   "GORULE:0000061", "GORULE:0000063")} == {
        "GORULE:0000005": 26, "GORULE:0000008": 12, "GORULE:0000046": 97, "GORULE:0000051": 2736,
        "GORULE:0000061": 48, "GORULE:0000063": 204}
    assert counts["GORULE:0000030"] == 11333 and counts["GORULE:0000013"] == 131 and counts["GORULE:0000022"] == 4
    annotations = result.releases["annotations"]
    assert annotations["version"] == "2.1" and "inferred" not in annotations
    assert annotations["reference_date"] == "2019-01-14" and "header" in annotations["reference_date_from"]


def test_page_text_starting_with_a_bracket_is_not_taken_for_json() -> None:
    aset = read_annotations(DATA / "page_text_starting_with_a_link.txt")
    assert aset.format == "table" and aset.table["go_id"].tolist() == ["GO:0005125"]


def test_gpad_unknown_relation_id_is_rejected_not_given_a_default(go: Any) -> None:
    result = _validate("gpad20_unknown_relation_id.gpad", go)
    assert result.table["qualifier"].tolist() == ["NOT|enables"]
    assert result.rejects.set_index("line")["rule"].to_dict() == {3: "GORULE:0000001"}


@pytest.mark.parametrize("policy", ["replace", "reject"])
def test_other_repairs_keep_the_not_and_the_term(go: Any, tmp_path: Path, policy: str) -> None:
    """Audit: the aspect repair (GORULE:0000028), the prefix repair (GORULE:0000027) and the merged-term
    repair (GORULE:0000020) change the column they fix and nothing that says what is annotated."""
    rows = [
        ["UniProt", "P13232", "IL7", "NOT|enables", "GO:0005125", "PMID:1", "IDA", "", "P"],  # aspect + prefix
        ["UniProtKB", "P13232", "IL7", "NOT|involved_in", "GO:0007582", "PMID:1", "IDA", "", "P"],  # alt_id of BP
    ]
    rest = ["n", "", "protein", "taxon:9606", "20050117", "UniProt", "", ""]
    path = tmp_path / "audit.gaf"
    path.write_text("!gaf-version: 2.2\n" + "\n".join("\t".join(r + rest) for r in rows) + "\n")
    result = validate(read_annotations(path), go, policy=policy)
    got = result.table[["db", "qualifier", "go_id", "aspect"]].values.tolist()
    if policy == "replace":
        assert got == [["UniProtKB", "NOT|enables", "GO:0005125", "F"], ["UniProtKB", "NOT|involved_in", "GO:0008150", "P"]]
    else:  # policy reject: the secondary ID is rejected, not repaired
        assert got == [["UniProtKB", "NOT|enables", "GO:0005125", "F"]]
