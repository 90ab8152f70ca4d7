"""The validation engine: policies, row accounting, merge after repair across chunks, outputs, report.

Every run checks the invariant input_rows == kept + repaired + rejected + merged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from goannot.annotations import read_annotations
from goannot.errors import GoannotError
from goannot.ontology import Ontology
from goannot.validate import ValidationResult, exit_status, render_table, validate, validate_file, write_report_json
from goannot.validate import engine
from goannot.validate.engine import DUPLICATE_AFTER_REPAIR, UNPARSABLE_LINE
from goannot.validate.idrules import ID_RULES, MERGED_OR_OBSOLETE, STALE_TERM_NAME

DATA = Path(__file__).parent / "data" / "validate"
IL7_TABLE = DATA / "il7_ncbi_go_table.tsv"

ANTI_APOPTOSIS = "GO:0006916"       # alt_id of NEG_REG_APOPTOSIS
NEG_REG_APOPTOSIS = "GO:0043066"
PROTEIN_BINDING = "GO:0005515"
CYTOKINE_ACTIVITY = "GO:0005125"
ASCORBATE_STABILIZATION = "GO:0000044"  # obsolete without guidance

ID_ONLY = list(ID_RULES)


def gaf_line(go_id: str, *, gene: str = "P13232", symbol: str = "IL7", ref: str = "PMID:1", evidence: str = "IDA",
             aspect: str = "P", date: str = "20180101") -> str:
    cols = ["UniProtKB", gene, symbol, "", go_id, ref, evidence, "", aspect, "Interleukin-7", "", "protein",
            "taxon:9606", date, "UniProt", "", ""]
    return "\t".join(cols)


def write_gaf(path: Path, lines: list[str]) -> Path:
    path.write_text("!gaf-version: 2.1\n!date-generated: 2019-01-29\n" + "\n".join(lines) + "\n")
    return path


def balanced(result: ValidationResult) -> ValidationResult:
    assert result.input_rows == result.kept + result.repaired + result.rejected + result.merged
    assert result.balanced
    return result


# -- in memory -------------------------------------------------------------------------------------


def test_duplicate_after_repair_merged_into_earlier_row(go: Ontology) -> None:
    df = pd.DataFrame({"db_object_symbol": "IL7", "go_id": [ANTI_APOPTOSIS, PROTEIN_BINDING, NEG_REG_APOPTOSIS]})
    result = balanced(validate(df, go, rules=ID_ONLY))
    assert (result.kept, result.repaired, result.rejected, result.merged) == (1, 1, 0, 1)
    merged = result.findings[result.findings["rule"] == DUPLICATE_AFTER_REPAIR]
    assert merged["line"].tolist() == [3] and "merged into line 1" in merged["message"].iloc[0]
    assert result.table is not None and result.table["go_id"].tolist() == [NEG_REG_APOPTOSIS, PROTEIN_BINDING]
    assert result.changes is not None
    assert result.changes.values.tolist() == [
        [1, MERGED_OR_OBSOLETE, "go_id", ANTI_APOPTOSIS, NEG_REG_APOPTOSIS],
        [3, DUPLICATE_AFTER_REPAIR, "row", "3", "merged into line 1"]]


def test_input_duplicates_without_repair_are_left_alone(go: Ontology) -> None:
    df = pd.DataFrame({"db_object_symbol": "IL7", "go_id": [PROTEIN_BINDING, PROTEIN_BINDING]})
    result = balanced(validate(df, go, rules=ID_ONLY))
    assert (result.kept, result.merged) == (2, 0)


def test_rows_differing_in_key_are_not_merged(go: Ontology) -> None:
    df = pd.DataFrame({"db_object_symbol": ["IL7", "IL7", "IL2"], "go_id": [ANTI_APOPTOSIS, NEG_REG_APOPTOSIS] * 1
                       + [NEG_REG_APOPTOSIS], "reference": ["PMID:1", "PMID:2", "PMID:1"]})
    result = balanced(validate(df, go, rules=ID_ONLY))
    assert result.merged == 0 and result.repaired == 1


@pytest.mark.parametrize("policy, counts", [
    ("replace", (1, 1, 1, 1)), ("keep", (4, 0, 0, 0)), ("reject", (2, 0, 2, 0))])
def test_policies_account_for_every_row(go: Ontology, policy: str, counts: tuple[int, int, int, int]) -> None:
    df = pd.DataFrame({"db_object_symbol": "IL7",
                       "go_id": [ANTI_APOPTOSIS, NEG_REG_APOPTOSIS, ASCORBATE_STABILIZATION, PROTEIN_BINDING]})
    result = balanced(validate(df, go, policy=policy, rules=ID_ONLY))
    assert (result.kept, result.repaired, result.rejected, result.merged) == counts
    assert result.counts_by_status == {"primary": 2, "secondary": 1, "obsolete": 1, "unknown": 0, "malformed": 0}


def test_bad_arguments(go: Ontology) -> None:
    df = pd.DataFrame({"go_id": [PROTEIN_BINDING]})
    with pytest.raises(ValueError):
        validate(df, go, policy="fix-everything")
    with pytest.raises(ValueError):
        validate(df, go, fail_on="fatal")
    with pytest.raises(KeyError):
        validate(df, go, rules=["GORULE:9999999"])


def test_exit_status(go: Ontology) -> None:
    clean = validate(pd.DataFrame({"go_id": [PROTEIN_BINDING]}), go, rules=ID_ONLY)
    warned = validate(pd.DataFrame({"go_id": [ANTI_APOPTOSIS]}), go, rules=ID_ONLY)
    assert exit_status(clean) == 0
    assert exit_status(warned) == 0 and exit_status(warned, "warning") == 1 and warned.exit_status("info") == 1
    assert exit_status(GoannotError("unreadable")) == 2
    assert validate(pd.DataFrame({"go_id": ["GO:1"]}), go, rules=ID_ONLY, fail_on="never").exit_status() == 0


# -- the seed-004 IL7 table (NCBI gene page) ------------------------------------------------------


def test_il7_seed_table(go: Ontology, tmp_path: Path) -> None:
    result = balanced(validate_file(IL7_TABLE, go, rules=ID_ONLY, fix_path=tmp_path / "fixed.tsv",
                                    log_path=tmp_path / "changes.tsv", rejects_path=tmp_path / "rejects.tsv",
                                    report_path=tmp_path / "report.json"))
    assert result.input_rows == 23
    assert (result.kept, result.repaired, result.rejected, result.merged) == (21, 1, 0, 1)
    assert result.counts_by_status["secondary"] == 1 and result.counts_by_status["primary"] == 22
    f = result.findings
    repair = f[f["rule"] == MERGED_OR_OBSOLETE]
    assert repair["go_id"].tolist() == [ANTI_APOPTOSIS] and NEG_REG_APOPTOSIS in repair["message"].iloc[0]
    stale = f[f["rule"] == STALE_TERM_NAME]
    assert sorted(stale["go_id"]) == ["GO:0008284", "GO:0009887", NEG_REG_APOPTOSIS]
    messages = " ".join(stale["message"])
    for now in ("negative regulation of apoptotic process", "positive regulation of cell population proliferation",
                "animal organ morphogenesis"):
        assert f"'{now}'" in messages
    # "negative regulation of catalytic activity" is still the name in the 2019-01-27 release.
    assert "GO:0043086" not in set(stale["go_id"])
    merged = f[f["rule"] == DUPLICATE_AFTER_REPAIR]
    assert merged["line"].tolist() == [12] and "line 3" in merged["message"].iloc[0]
    fixed = (tmp_path / "fixed.tsv").read_text().splitlines()
    assert len(fixed) == 1 + 22 and fixed[2].split("\t")[4] == NEG_REG_APOPTOSIS
    changes = (tmp_path / "changes.tsv").read_text().splitlines()
    assert changes[0] == "line\trule\tcolumn\tbefore\tafter"
    assert changes[1:] == [f"3\t{MERGED_OR_OBSOLETE}\tgo_id\t{ANTI_APOPTOSIS}\t{NEG_REG_APOPTOSIS}",
                           f"12\t{DUPLICATE_AFTER_REPAIR}\trow\t12\tmerged into line 3"]
    assert (tmp_path / "rejects.tsv").read_text() == "line\trule\treason\traw\n"
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["input_rows"] == 23 and report["merged"] == 1
    assert report["counts_by_rule"] == {MERGED_OR_OBSOLETE: 1, STALE_TERM_NAME: 3, DUPLICATE_AFTER_REPAIR: 1}
    assert report["releases"]["go"]["data_version"] == "releases/2019-01-27"
    assert report["releases"]["annotations"]["format"] == "table"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_il7_seed_table_in_memory_matches_streaming(go: Ontology) -> None:
    whole = balanced(validate(read_annotations(IL7_TABLE), go, rules=ID_ONLY))
    streamed = balanced(validate_file(IL7_TABLE, go, rules=ID_ONLY, chunk_rows=4))
    assert whole.as_dict()["counts_by_rule"] == streamed.as_dict()["counts_by_rule"]
    assert (whole.kept, whole.repaired, whole.merged) == (streamed.kept, streamed.repaired, streamed.merged)


# -- streaming -------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["repaired first", "repaired last"])
def test_duplicates_merged_across_chunks(go: Ontology, tmp_path: Path, order: str) -> None:
    rows = [gaf_line(ANTI_APOPTOSIS)] + [gaf_line(PROTEIN_BINDING, ref=f"PMID:{i}") for i in range(5)] \
        + [gaf_line(NEG_REG_APOPTOSIS)]
    if order == "repaired last":
        rows.reverse()
    path = write_gaf(tmp_path / "x.gaf", rows)
    result = balanced(validate_file(path, go, rules=ID_ONLY, chunk_rows=2, fix_path=tmp_path / "fixed.gaf"))
    assert (result.input_rows, result.merged, result.repaired + result.kept) == (7, 1, 6)
    merged = result.findings[result.findings["rule"] == DUPLICATE_AFTER_REPAIR]
    assert merged["line"].tolist() == [9] and "merged into line 3" in merged["message"].iloc[0]
    fixed = [ln for ln in (tmp_path / "fixed.gaf").read_text().splitlines() if not ln.startswith("!")]
    assert len(fixed) == 6 and sum(ln.split("\t")[4] == NEG_REG_APOPTOSIS for ln in fixed) == 1


def test_distinct_ids_resolved_once_across_chunks(go: Ontology, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from goannot.validate import idrules

    seen: list[str] = []
    original = idrules._Cache.add_many

    def counting(self: Any, onto: Ontology, ids: Any) -> Any:
        seen.extend(ids.tolist())
        return original(self, onto, ids)

    monkeypatch.setattr(idrules._Cache, "add_many", counting)
    path = write_gaf(tmp_path / "x.gaf", [gaf_line(g, gene=f"P{i}") for i, g in
                                          enumerate([PROTEIN_BINDING, ANTI_APOPTOSIS] * 10)])
    balanced(validate_file(path, go, rules=ID_ONLY, chunk_rows=3))
    assert sorted(seen) == sorted([PROTEIN_BINDING, ANTI_APOPTOSIS])


def test_reader_rejects_counted_and_written(go: Ontology, tmp_path: Path) -> None:
    bad = "UniProtKB\tP1\tX\t\tGO:0005515\tPMID:1"  # 6 columns
    path = write_gaf(tmp_path / "x.gaf", [gaf_line(PROTEIN_BINDING), bad, gaf_line("GO:9999999")])
    result = balanced(validate_file(path, go, rules=ID_ONLY, rejects_path=tmp_path / "rejects.tsv"))
    assert (result.input_rows, result.kept, result.rejected) == (3, 1, 2)
    assert result.counts_by_rule[UNPARSABLE_LINE] == 1
    lines = (tmp_path / "rejects.tsv").read_text().splitlines()
    assert [ln.split("\t")[:2] for ln in lines[1:]] == [["4", UNPARSABLE_LINE], ["5", "GOANNOT:unknown-id"]]
    assert lines[1].split("\t", 3)[3] == bad  # the raw line, tabs and all
    assert lines[2].split("\t", 3)[3].split("\t")[4] == "GO:9999999"


def test_outputs_atomic_on_failure(go: Ontology, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_gaf(tmp_path / "x.gaf", [gaf_line(ANTI_APOPTOSIS, ref=f"PMID:{i}") for i in range(6)])
    out = tmp_path / "out"
    out.mkdir()
    calls = {"n": 0}
    original = engine._Validator.run

    def failing(self: Any, *args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return original(self, *args)

    monkeypatch.setattr(engine._Validator, "run", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        validate_file(path, go, rules=ID_ONLY, chunk_rows=2, fix_path=out / "fixed.gaf.gz",
                      rejects_path=out / "rejects.tsv", log_path=out / "log.tsv", report_path=out / "r.json")
    assert list(out.iterdir()) == []


def test_streamed_findings_spilled_and_temp_file_gone(go: Ontology, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A streamed run's findings live in a memory-mapped temp file: same frame, no file left behind."""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    path = write_gaf(tmp_path / "x.gaf", [gaf_line(ANTI_APOPTOSIS, ref=f"PMID:{i}") for i in range(7)])
    streamed = balanced(validate_file(path, go, rules=ID_ONLY, chunk_rows=2))
    whole = balanced(validate(read_annotations(path), go, rules=ID_ONLY))
    assert list((tmp_path / "tmp").iterdir()) == []
    assert streamed.findings["line"].dtype == "int64" and len(streamed.findings) == 7
    pd.testing.assert_frame_equal(streamed.findings, whole.findings)


def test_spill_removed_when_run_fails(go: Ontology, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    path = write_gaf(tmp_path / "x.gaf", [gaf_line(ANTI_APOPTOSIS, ref=f"PMID:{i}") for i in range(6)])
    original = engine._Validator.finish

    def failing(self: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(engine._Validator, "finish", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        validate_file(path, go, rules=ID_ONLY, chunk_rows=2)
    assert original is not None and list((tmp_path / "tmp").iterdir()) == []


def test_unreadable_file_is_exit_status_2(go: Ontology, tmp_path: Path) -> None:
    with pytest.raises(GoannotError) as info:
        validate_file(tmp_path / "missing.gaf", go, fix_path=tmp_path / "fixed.gaf")
    assert exit_status(info.value) == 2
    assert list(tmp_path.iterdir()) == []


def test_gzip_fix_output_and_report(go: Ontology, tmp_path: Path) -> None:
    import gzip

    path = write_gaf(tmp_path / "x.gaf", [gaf_line(ANTI_APOPTOSIS), gaf_line(CYTOKINE_ACTIVITY, aspect="F")])
    result = balanced(validate_file(path, go, rules=ID_ONLY, fix_path=tmp_path / "fixed.gaf.gz"))
    text = gzip.decompress((tmp_path / "fixed.gaf.gz").read_bytes()).decode()
    assert text.startswith("!gaf-version: 2.1\n") and f"\t{NEG_REG_APOPTOSIS}\t" in text
    assert result.releases["annotations"]["generated"] == "2019-01-29"
    write_report_json(result, tmp_path / "r.json")
    d = json.loads((tmp_path / "r.json").read_text())
    assert set(d) >= {"input_rows", "kept", "repaired", "rejected", "merged", "counts_by_status", "counts_by_rule",
                      "findings", "releases"}
    assert set(d["findings"][0]) == {"line", "rule", "severity", "go_id", "message", "fix", "action"}
    assert set(d["releases"]["go"]) >= {"data_version", "sha256", "path"}
    assert set(d["releases"]["annotations"]) == {"path", "format", "version", "generated", "reference_date",
                                                 "reference_date_from"}
    assert result.as_dict(max_findings=0)["findings"] == [] and result.as_dict(max_findings=0)["findings_truncated"]
    table = render_table(result)
    assert MERGED_OR_OBSOLETE in table and "line 3:" in table and "2 input rows" in table


def test_all_registered_rules_run(go: Ontology, tmp_path: Path) -> None:
    """With every registered rule (the GORULE checks too, when installed) the accounting still holds."""
    path = write_gaf(tmp_path / "x.gaf", [gaf_line(ANTI_APOPTOSIS), gaf_line(NEG_REG_APOPTOSIS),
                                          gaf_line(PROTEIN_BINDING, aspect="F", ref="PMID:3")])
    result = balanced(validate_file(path, go))
    assert result.input_rows == 3 and result.merged == 1


# -- the bundled GOA files -------------------------------------------------------------------------


def _bundled(name: str) -> Path:
    from goannot.sources import get_source, locate

    return locate(get_source(name))


@pytest.mark.slow
def test_human_gaf_end_to_end(go: Ontology, tmp_path: Path) -> None:
    result = balanced(validate_file(_bundled("goa_human-2019-01-29"), go, fix_path=tmp_path / "fixed.gaf",
                                    rejects_path=tmp_path / "rejects.tsv", log_path=tmp_path / "log.tsv"))
    assert result.input_rows == 475402
    assert sum(result.counts_by_status.values()) == 475402
    fixed = sum(1 for ln in (tmp_path / "fixed.gaf").open() if not ln.startswith("!"))
    assert fixed == result.kept + result.repaired


@pytest.mark.slow
@pytest.mark.parametrize("source, symbol", [("goa_human-2019-01-29", "IL7"), ("goa_mouse-2019-01-29", "Il7"),
                                            ("goa_rat-2019-01-29", "Il7")])
def test_il7_rows_of_bundled_gafs(go: Ontology, source: str, symbol: str) -> None:
    gaf = read_annotations(_bundled(source))
    il7 = gaf.table[gaf.table["db_object_symbol"] == symbol].reset_index(drop=True)
    assert len(il7) > 5
    result = balanced(validate(il7, go, rules=ID_ONLY))
    assert result.input_rows == len(il7)
    assert result.counts_by_status["primary"] == len(il7)  # files and release are from the same week


@pytest.mark.parametrize("n", [0, 1, 3, 20_001])
@pytest.mark.parametrize("max_findings", [None, 2, 0])
def test_report_json_written_in_batches_is_json_dump_text(tmp_path: Path, n: int, max_findings: int | None) -> None:
    from goannot.validate.report import FINDING_RECORD

    findings = pd.DataFrame({c: list(range(n)) if c == "line" else
                             ["warning" if c == "severity" else f'{c} "\u00e9" {i}' for i in range(n)]
                             for c in FINDING_RECORD})
    result = ValidationResult(findings=findings)
    write_report_json(result, tmp_path / "r.json", max_findings=max_findings)
    expected = json.dumps(result.as_dict(max_findings), indent=1, ensure_ascii=False) + "\n"
    assert (tmp_path / "r.json").read_text(encoding="utf-8") == expected


# -- streamed and in-memory runs agree ---------------------------------------------------------------


def _human_sample(path: Path, n: int = 1500) -> Path:
    """The first ``n`` rows of the bundled human GAF, with rows edited to draw repairs of key columns."""
    import gzip

    from goannot.sources import locate

    with gzip.open(locate("goa_human-2019-01-29", verify=False), "rt") as fh:
        header, rows = [], []
        for line in fh:
            if line.startswith("!"):
                header.append(line)
            elif len(rows) < n:
                rows.append(line.rstrip("\n").split("\t"))
            else:
                break
    for k in range(7, n, 97):
        rows[k][0] = "UniProt"                   # GORULE:0000027 repairs the DB column
    for k in range(11, n, 89):
        rows[k][8] = {"P": "F", "F": "C", "C": "P"}[rows[k][8]]  # GORULE:0000028 repairs the aspect
    for k in range(5, n, 211):
        rows[k][4] = ANTI_APOPTOSIS              # a secondary ID: repaired to its primary
    rows.append(list(rows[5]))                   # ... and a duplicate of a repaired row
    rows[-1][4] = NEG_REG_APOPTOSIS
    path.write_text("".join(header) + "".join("\t".join(r) + "\n" for r in rows))
    return path


def test_streamed_matches_in_memory_with_every_rule(go: Ontology, tmp_path: Path) -> None:
    """validate_file chunk by chunk finds exactly what validate finds on the whole table, every rule on."""
    path = _human_sample(tmp_path / "sample.gaf")
    whole = balanced(validate(read_annotations(path), go))
    streamed = balanced(validate_file(path, go, chunk_rows=200))
    assert whole.repaired > 0 and whole.merged == 1
    assert (whole.kept, whole.repaired, whole.rejected, whole.merged) == \
        (streamed.kept, streamed.repaired, streamed.rejected, streamed.merged)
    assert whole.counts_by_rule == streamed.counts_by_rule
    key = ["line", "rule", "message"]
    a = whole.findings.astype(str).sort_values(key, ignore_index=True)
    b = streamed.findings.astype(str).sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(a, b)


def test_rules_after_a_repair_see_the_repaired_values(go: Ontology, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule running after another rule's repair reads the repaired column, not a cached old one.

    GORULE:0000027 repairs the legacy DB prefix 'UniProt' to 'UniProtKB' through the rules'
    shared per-chunk view; a later rule asking that view for 'UniProt' rows must find none.
    """
    import importlib

    rules_mod = importlib.import_module("goannot.validate.rules")  # the package re-exports a rules() function
    from goannot.validate._chunkview import _view
    from goannot.columns import Col

    seen: list[list[str]] = []

    def still_legacy(chunk: pd.DataFrame, ctx: Any) -> pd.DataFrame:
        v = _view(chunk, ctx)
        rows = v.isin(Col.DB, ("UniProt",)).nonzero()[0]
        seen.append(sorted(set(v.values(Col.DB, np.arange(v.n)).tolist())))
        return rules_mod.findings(rows, "still UniProt")

    monkeypatch.setitem(rules_mod.REGISTRY, "TEST:still-legacy",
                        rules_mod.Rule("TEST:still-legacy", "test", rules_mod.Severity.ERROR, still_legacy))
    gaf = tmp_path / "legacy.gaf"
    gaf.write_text("!gaf-version: 2.2\n" + "".join(
        f"{db}\tP13232\tIL7\tenables\tGO:0005125\tPMID:{k}\tIDA\t\tF\tInterleukin-7\tIL7\tprotein\t"
        f"taxon:9606\t20050117\tUniProt\t\t\n" for k, db in enumerate(["UniProt", "UniProtKB", "UniProt"], 1)))
    r = validate_file(gaf, go, rules=["GORULE:0000027", "TEST:still-legacy"])
    assert r.counts_by_rule.get("GORULE:0000027") == 2
    assert r.repaired == 2
    assert "TEST:still-legacy" not in r.counts_by_rule
    assert seen == [["UniProtKB"]]
