"""--report-md: GO's per-dataset report layout (summary, then per rule: count, fail mode, examples with lines)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from goannot.cli import main

LINES = [
    "UniProtKB\tP13232\tIL7\tNOT\tGO:0005515\tPMID:1\tIPI\tUniProtKB:P16871\tF\t\t\tprotein\ttaxon:9606\t20180101\tUniProt\t\t",
    "UniProtKB\tP13232\tIL7\t\tGO:0005125\tPMID:10026173\tIDA\t\tF\t\t\tprotein\ttaxon:9606\t20180101\tUniProt\t\t",
    "UniProtKB\tP13232\tIL7\t\tGO:0005125\tPMID:1\tIDA\tUniProtKB:P16871\tF\t\t\tprotein\ttaxon:9606\t20180101\tUniProt\t\t",
]


def test_report_md_via_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    gaf = tmp_path / "mine.gaf"
    gaf.write_text("!gaf-version: 2.1\n!date-generated: 2019-01-29\n" + "\n".join(LINES) + "\n")
    md = tmp_path / "mine.report.md"
    monkeypatch.setattr(sys, "argv", ["goannot", "validate", str(gaf), "--report-md", str(md), "--no-corpus"])
    assert main() == 1
    text = md.read_text()
    assert text.startswith("# Group mine.gaf\n") and "## SUMMARY" in text and "## MESSAGES" in text
    assert "  * Lines (annotations) read: 3" in text and "  * Lines skipped (rejected): 2" in text
    section = text.split("### GORULE:0000002", 1)[1].split("\n### ", 1)[0]
    assert "* total: 1" in section and "* GO fail mode: hard (GO status: implemented)" in section
    assert "* goannot: reject 1" in section and re.search(r"ERROR - Line 3: GO:0005515 NOT annotation", section)
    section = text.split("### GORULE:0000017", 1)[1].split("\n### ", 1)[0]
    assert "GO fail mode: soft" in section and "Line 5:" in section and "[report]" in section
    assert "report-md: " in capsys.readouterr().out


def test_report_md_joins_the_other_outputs_all_or_nothing(tmp_path: Path) -> None:
    """--report-md is committed with --fix/--rejects/--log/--report: a report-md that cannot be
    written (its folder is missing) stops the run before any work, and no other output appears."""
    gaf = tmp_path / "mine.gaf"
    gaf.write_text("!gaf-version: 2.1\n!date-generated: 2019-01-29\n" + "\n".join(LINES) + "\n")
    fixed = tmp_path / "fixed.gaf"
    status = main(["validate", str(gaf), "--no-corpus", "--fix", str(fixed),
                   "--report-md", str(tmp_path / "missing" / "r.md")])
    assert status == 2
    assert not fixed.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.gaf"]
