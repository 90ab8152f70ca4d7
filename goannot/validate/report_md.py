"""A per-dataset Markdown report in the layout of the GO pipeline's ``reports/<dataset>.report.md``.

GO's pipeline publishes, for each submitted dataset, a summary (counts of lines, associations,
skipped lines) followed by one section per rule with its message count and example lines. This
module writes the same shape from a :class:`~goannot.validate.report.ValidationResult`: per rule
the count, GO's fail mode and status, goannot's actions on the rows (reported / repaired /
rejected / merged) and the first examples with their line numbers. It sits beside the JSON report
(``--report``); both come from the same findings.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from .failmodes import fail_mode, go_status
from .report import ValidationResult

__all__ = ["render_report_md", "write_report_md"]

#: Example findings listed per rule.
EXAMPLES = 10


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _title(rule: str) -> str:
    from .rules import REGISTRY

    r = REGISTRY.get(rule)
    return r.title if r is not None else ""


def render_report_md(result: ValidationResult, *, dataset: str = "", examples: int = EXAMPLES,
                     generated: _dt.date | None = None) -> str:
    """The report as Markdown text (see the module docstring for the layout)."""
    ann = result.releases.get("annotations", {})
    name = dataset or Path(str(ann.get("path") or "annotations")).name
    day = (generated or _dt.date.today()).isoformat()
    f = result.findings
    lines = [f"# Group {name}", "", "* [SUMMARY](#summary)", "* [MESSAGES](#messages)", ""]
    for rule in sorted(result.counts_by_rule):
        anchor = rule.lower().replace(":", "").replace("-", "")
        lines.append(f"  * [{rule}](#{anchor})")
    go = result.releases.get("go", {})
    lines += ["", "## SUMMARY", "", f"This report generated on {day}", "",
              f"  * GO release: {go.get('data_version') or ''}",
              f"  * Annotation file: {ann.get('path') or ''} ({ann.get('format') or ''} {ann.get('version') or ''},"
              f" generated {ann.get('generated') or 'unknown'})",
              f"  * Policy: {result.policy}",
              f"  * Lines (annotations) read: {result.input_rows}",
              f"  * Associations kept: {result.kept + result.repaired} ({result.repaired} repaired)",
              f"  * Lines skipped (rejected): {result.rejected}",
              f"  * Lines merged into an earlier line after repair: {result.merged}"]
    for sev in ("error", "warning", "info"):
        n = int((f["severity"] == sev).sum()) if len(f) else 0
        lines.append(f"  * Line {sev.capitalize()}s: {n}")
    lines += ["", "## MESSAGES", ""]
    for rule in sorted(result.counts_by_rule):
        sel = f[f["rule"] == rule] if len(f) else f
        actions = sel["action"].value_counts().to_dict() if len(sel) else {}
        mode, status = fail_mode(rule), go_status(rule)
        lines += [f"### {rule}", "", f"{_cell(_title(rule))}" if _title(rule) else "", "",
                  f"* total: {result.counts_by_rule[rule]}",
                  f"* GO fail mode: {mode or 'n/a (not a GO rule)'}" + (f" (GO status: {status})" if status else ""),
                  "* goannot: " + ", ".join(f"{k} {v}" for k, v in sorted(actions.items())), ""]
        if len(sel):
            sev = sel["severity"].iloc[0].upper()
            lines.append(f"#### {sev} - {rule}")
            lines.append("")
            for row in sel.head(examples).itertuples(index=False):
                fix = f" (fix: {_cell(row.fix)})" if isinstance(row.fix, str) and row.fix else ""
                lines.append(f" * {str(row.severity).upper()} - Line {row.line}: {_cell(row.go_id)} "
                             f"{_cell(row.message)} [{row.action}]{fix}")
            if len(sel) > examples:
                lines.append(f" * ... {len(sel) - examples} more")
            lines.append("")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def write_report_md(result: ValidationResult, path: str | Path, *, dataset: str = "",
                    examples: int = EXAMPLES) -> None:
    """Write :func:`render_report_md` to ``path`` atomically."""
    from ..atomic import atomic_text

    text = render_report_md(result, dataset=dataset, examples=examples)
    with atomic_text(path) as fh:
        fh.write(text)
