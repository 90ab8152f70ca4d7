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
