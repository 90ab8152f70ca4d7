"""The README and examples say what the code does: the quickstart, the GORULE table, the IL7 story."""

from __future__ import annotations

import csv
import re
import runpy
from pathlib import Path

import pytest

from goannot.validate.rules import REGISTRY

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()


def _gorules() -> list[dict[str, str]]:
    lines = [ln for ln in (REPO / "goannot" / "data" / "gorules.tsv").read_text().splitlines()
             if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_quickstart_is_exactly_two_commands() -> None:
    block = README.split("## Quickstart", 1)[1].split("```", 2)[1]
    commands = [ln.split("#")[0].strip() for ln in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_readme_lists_every_gorule_with_its_state() -> None:
    rows = _gorules()
    assert len(rows) >= 65
    for row in rows:
        m = re.search(rf"^\| {re.escape(row['id'])} \| .* \| (.*) \| (.*) \|$", README, re.MULTILINE)
        assert m, f"{row['id']} missing from the README table"
        assert m.group(1).startswith(row["state"].split(":")[0]), row["id"]


def test_implemented_rules_are_registered() -> None:
    import goannot.validate  # noqa: F401  (registers every rule)

    for row in _gorules():
        if row["state"].startswith(("implemented", "partial")):
            assert row["id"] in REGISTRY, row["id"]


@pytest.mark.slow
def test_il7_story_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(REPO / "examples" / "il7_story.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "GO:0006916 is secondary -> GO:0043066" in out
    assert "cytokine receptor binding above IL-7 receptor binding: True" in out
    assert "GO:0005126 for IL7 comes from ['GO:0005139']" in out
    assert "GO:0038111" in out or "interleukin-7" in out
