"""The result of a validation run: counts, findings, releases, and its JSON and terminal forms.

:meth:`ValidationResult.as_dict` is the stable, documented JSON schema (``goannot validate --report``)::

    {
      "input_rows": int, "kept": int, "repaired": int, "rejected": int, "merged": int,
      "counts_by_status": {"primary": int, "secondary": int, "obsolete": int, "unknown": int, "malformed": int},
      "counts_by_rule": {rule_id: int},
      "findings": [{"line": int, "rule": str, "severity": str, "go_id": str, "message": str, "fix": str,
                    "action": str}],
      "findings_total": int, "findings_truncated": bool,
      "policy": str, "fail_on": str, "exit_status": int,
      "releases": {"go": {"data_version", "sha256", "path"},
                   "annotations": {"path", "format", "version", "generated"}}
    }

``input_rows == kept + repaired + rejected + merged`` always holds. ``counts_by_status`` counts table
rows (lines the reader rejected have no GO ID to count) by the status of their GO ID *before* repair.
``action`` says what happened to the row (``report``, ``repair`` or ``reject``); it was added to the
finding record beside the six fields the issue named.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from ..atomic import atomic_text
from .rules import Severity

__all__ = [
    "ValidationResult",
    "FINDING_RECORD",
    "STATUSES",
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_UNUSABLE",
    "EXIT_INTERNAL",
    "exit_status",
    "render_table",
    "write_report",
    "write_report_json",
    "empty_findings",
]

log = logging.getLogger(__name__)

#: Fields of one finding record, in order (the columns of :attr:`ValidationResult.findings`).
FINDING_RECORD: tuple[str, ...] = ("line", "rule", "severity", "go_id", "message", "fix", "action")
#: GO ID statuses, in the order ``counts_by_status`` lists them.
STATUSES: tuple[str, ...] = ("primary", "secondary", "obsolete", "unknown", "malformed")

EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2
#: A bug in goannot (an exception it did not expect): never to be mistaken for findings (1).
EXIT_INTERNAL = 3


def empty_findings() -> pd.DataFrame:
    """A findings table without rows."""
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "line" else object) for c in FINDING_RECORD})


def _threshold(fail_on: str) -> int | None:
    """Rank at or above which findings fail the run; ``None`` for ``never``."""
    if fail_on in ("never", "none"):
        return None
    return Severity(fail_on).rank


@dataclass
class ValidationResult:
    """Everything a validation run established.

    ``findings`` has the columns :data:`FINDING_RECORD`, one row per finding, in line order per chunk.
    ``table``, ``rejects`` (line, rule, reason, raw) and ``changes`` (line, rule, column, before, after)
    are filled by :func:`~goannot.validate.validate` (in memory); :func:`~goannot.validate.validate_file`
    writes them to files instead and leaves them ``None``. ``outputs`` names the files written,
    ``timings`` the seconds spent reading and validating.

    ``examples`` holds each rule's first finding (rule -> severity, line, message), kept as the
    findings are made: the summary and the exit status read it instead of the findings, which a
    streamed run keeps on disk (reading them would bring all their pages into memory). Empty (for a
    result built by hand) means: look at ``findings``.
    """

    input_rows: int = 0
    kept: int = 0
    repaired: int = 0
    rejected: int = 0
    merged: int = 0
    counts_by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    counts_by_rule: dict[str, int] = field(default_factory=dict)
    findings: pd.DataFrame = field(default_factory=empty_findings)
    releases: dict[str, dict[str, Any]] = field(default_factory=dict)
    policy: str = "replace"
    fail_on: str = "error"
    table: pd.DataFrame | None = None
    rejects: pd.DataFrame | None = None
    changes: pd.DataFrame | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    examples: dict[str, tuple[str, int, str]] = field(default_factory=dict)

    def _fields(self) -> dict[str, Any]:
        worst = self.worst
        return {"input_rows": self.input_rows, "kept": self.kept, "repaired": self.repaired,
                "rejected": self.rejected, "merged": self.merged, "findings": len(self.findings),
                "worst": worst.value if worst is not None else None,
                "go": self.releases.get("go", {}).get("data_version")}

    def __repr__(self) -> str:
        from .._display import short_repr

        return short_repr("ValidationResult", self._fields())

    def _repr_html_(self) -> str:
        from .._display import html_summary

        return html_summary("ValidationResult", self._fields(), self.findings, "findings")

    @property
    def balanced(self) -> bool:
        """The row invariant: every input row is kept, repaired, rejected or merged, exactly once."""
        return self.input_rows == self.kept + self.repaired + self.rejected + self.merged

    @property
    def worst(self) -> Severity | None:
        """The most severe finding's severity (``None`` without findings)."""
        if self.examples:
            severities = {sev for sev, _, _ in self.examples.values()}
        elif len(self.findings):
            severities = set(self.findings["severity"].unique())
        else:
            return None
        return max((Severity(s) for s in severities), key=lambda s: s.rank)

    def first_findings(self) -> list[tuple[str, str, int, str]]:
        """Each rule's first finding as (rule, severity, line, message), in order of first appearance."""
        if self.examples:
            return [(rule, sev, line, msg) for rule, (sev, line, msg) in self.examples.items()]
        f = self.findings
        if not len(f):
            return []
        # The first row of each rule, found on the rule column alone (not a copy of every column).
        codes, _ = pd.factorize(f["rule"])
        _, first = np.unique(codes, return_index=True)
        first.sort()
        rows = f.iloc[first]
        return [(str(r), str(s), int(ln), str(m)) for r, s, ln, m in
                zip(rows["rule"], rows["severity"], rows["line"], rows["message"])]

    def exit_status(self, fail_on: str | None = None) -> int:
        """0 when no finding reaches ``fail_on`` (default: the run's), else 1."""
        threshold = _threshold(fail_on or self.fail_on)
        worst = self.worst
        if threshold is None or worst is None:
            return EXIT_CLEAN
        return EXIT_FINDINGS if worst.rank >= threshold else EXIT_CLEAN

    def as_dict(self, max_findings: int | None = None) -> dict[str, Any]:
        """The stable JSON-ready form (schema in the module docstring); ``max_findings`` caps the list."""
        f = self.findings if max_findings is None else self.findings.head(max_findings)
        records = _records(f)
        return self._summary(records, len(records) < len(self.findings))

    def _summary(self, records: list[dict[str, Any]], truncated: bool) -> dict[str, Any]:
        return {
            "input_rows": self.input_rows,
            "kept": self.kept,
            "repaired": self.repaired,
            "rejected": self.rejected,
            "merged": self.merged,
            "counts_by_status": {s: int(self.counts_by_status.get(s, 0)) for s in STATUSES},
            "counts_by_rule": dict(self.counts_by_rule),
            "findings": records,
            "findings_total": len(self.findings),
            "findings_truncated": truncated,
            "policy": self.policy,
            "fail_on": self.fail_on,
            "exit_status": self.exit_status(),
            "releases": self.releases,
        }


def _records(f: pd.DataFrame) -> list[dict[str, Any]]:
    """Finding rows as JSON-ready dicts."""
    return [
        {"line": int(line), "rule": str(rule), "severity": str(sev), "go_id": str(go), "message": str(msg),
         "fix": str(fix), "action": str(action)}
        for line, rule, sev, go, msg, fix, action in zip(*(f[c].tolist() for c in FINDING_RECORD))
    ]


def exit_status(result: ValidationResult | BaseException, fail_on: str | None = None) -> int:
    """The process exit status for a run: 0 clean, 1 findings at or above ``fail_on``, 2 unusable input
    or environment, 3 an internal error.

    Pass the exception a run raised: a :class:`~goannot.errors.GoannotError` (unreadable input, an
    output that cannot be written, contradictory arguments), an :class:`OSError` (the environment:
    disk full, permissions) or a :class:`MemoryError` gives 2; anything else is a bug in goannot and
    gives 3, so that a crash never reads as "findings" (1) to a pipeline.
    """
    if isinstance(result, BaseException):
        from ..errors import GoannotError

        if isinstance(result, (GoannotError, OSError, MemoryError)):
            return EXIT_UNUSABLE
        return EXIT_INTERNAL
    return result.exit_status(fail_on)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def render_table(result: ValidationResult, *, width: int = 100) -> str:
    """A plain-text summary for the terminal: the row accounting, then one line per rule.

    Each rule line gives the count, the severity and one example (line and message).
    """
    lines = [
        f"{result.input_rows} input rows: {result.kept} kept, {result.repaired} repaired, "
        f"{result.rejected} rejected, {result.merged} merged (policy {result.policy})",
        "GO ID status before repair: " + ", ".join(f"{s} {result.counts_by_status.get(s, 0)}" for s in STATUSES),
    ]
    read = (result.releases or {}).get("annotations", {})
    lines += [f"read as {read.get('format')} {what}" for what in (read.get("inferred") or {}).values()]
    if read.get("reference_date"):
        lines.append(f"age rules count from {read['reference_date']}: {read.get('reference_date_from', '')}")
    first = result.first_findings()
    if not first:
        lines.append("no findings")
        return "\n".join(lines) + "\n"
    rows = []
    for rule, sev, line, msg in first:
        rows.append((str(rule), str(sev), str(result.counts_by_rule.get(str(rule), 0)), f"line {line}: {msg}"))
    rank = {s.value: s.rank for s in Severity}
    rows.sort(key=lambda r: (-rank.get(r[1], 0), r[0]))
    w_rule = max(len("rule"), *(len(r[0]) for r in rows))
    w_count = max(len("count"), *(len(r[2]) for r in rows))
    lines.append(f"{'rule':<{w_rule}}  {'severity':<8}  {'count':>{w_count}}  example")
    for rule, sev, count, example in rows:
        head = f"{rule:<{w_rule}}  {sev:<8}  {count:>{w_count}}  "
        lines.append(head + _clip(example, max(20, width - len(head))))
    return "\n".join(lines) + "\n"


_REPORT_BATCH = 20_000


def write_report_json(result: ValidationResult, path: str | Path, *, max_findings: int | None = None) -> None:
    """Write :meth:`ValidationResult.as_dict` as JSON to ``path``, atomically (a temp file renamed into place).

    See :func:`write_report` for the text; a failure leaves ``path`` as it was.
    """
    with atomic_text(path) as fh:
        write_report(result, fh, max_findings=max_findings)


def write_report(result: ValidationResult, fh: IO[str], *, max_findings: int | None = None) -> None:
    """Write :meth:`ValidationResult.as_dict` as JSON onto the text stream ``fh``.

    The findings are converted and written a batch at a time, never all as Python dicts at once: a
    streamed run may have hundreds of thousands. The text is what ``json.dump(as_dict(), indent=1)``
    writes, plus a final newline.
    """
    f = result.findings if max_findings is None else result.findings.head(max_findings)
    head = json.dumps(result._summary([], len(f) < len(result.findings)), indent=1, ensure_ascii=False)
    marker = '\n "findings": []'
    cut = head.index(marker) + len(marker) - 1
    fh.write(head[:cut])
    for start in range(0, len(f), _REPORT_BATCH):
        batch = _records(f.iloc[start:start + _REPORT_BATCH])
        text = ",\n".join(json.dumps(r, indent=1, ensure_ascii=False) for r in batch)
        fh.write(("\n" if start == 0 else ",\n") + "\n".join("  " + ln for ln in text.split("\n")))
    fh.write("\n " if len(f) else "")  # the closing bracket comes with the rest
    fh.write(head[cut:])
    fh.write("\n")


def merge_counts(into: dict[str, int], add: Mapping[str, int]) -> None:
    """Add ``add``'s counts to ``into`` (used to sum per-chunk counts)."""
    for k, v in add.items():
        into[k] = into.get(k, 0) + int(v)
