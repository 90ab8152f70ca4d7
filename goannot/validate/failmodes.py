"""GO's fail modes decide what happens to the rows a GO rule flags.

Every GO rule's metadata (geneontology/go-site ``metadata/rules/gorule-NNNNNNN.md``) states a
``fail_mode``: ``hard`` (GO's pipeline filters the row out of its release), ``soft`` (the row is
reported and kept) or ``mixed`` (the rule itself says which findings filter: GORULE:0000020 repairs
or filters, GORULE:0000033 repairs or reports). goannot ships that metadata as the ``go_status``
column of ``goannot/data/gorules.tsv`` ("implemented, hard"); a test keeps it in agreement with
the shared copy of go-site, so a refreshed metadata makes any change visible.

:func:`enforce` applies it to the rules the engine runs, whatever module registered them:

- a rule GO runs with fail mode ``hard`` (status not ``deprecated``): its ``report`` findings
  (except those the rule grades ``warning`` or ``info`` in a ``severity`` column) become ``reject`` under policies ``replace`` and ``reject`` (the row goes to the rejects with the
  rule id), and its severity is ``error``; its repairs stay repairs (GO repairs those rows too);
- under policy ``keep`` (report only), no GO rule rejects a row: its rejects become reports and the
  row is kept with its (error) finding. The ID rules (:mod:`~goannot.validate.idrules`) are not GO
  rule checks and keep their own actions: a malformed or unknown GO ID is unusable whatever the policy;
- ``soft`` and ``mixed`` rules, and rules GO lists as deprecated, keep the actions they return.

The rule functions themselves stay policy-free (tests call them directly); only the engine's copy
of each rule is wrapped.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import re
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from . import idrules
from .rules import Action, Rule, RuleContext, Severity

__all__ = ["go_metadata", "fail_mode", "go_status", "enforce", "parse_front_matter"]

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---", re.DOTALL)
_SCALAR = re.compile(r"^([A-Za-z_]+):[ \t]*(.*?)\s*$")


def parse_front_matter(text: str) -> dict[str, str]:
    """The top-level scalar keys of a go-site rule file's front matter (id, title, status, fail_mode, type).

    Enough YAML for these files: ``key: value`` lines at column 0, values optionally quoted; nested
    lists (implementations, tags) are skipped. Returns {} when the text has no front matter.
    """
    m = _FRONT.match(text)
    if not m:
        return {}
    out: dict[str, str] = {}
    for line in m.group(1).splitlines():
        s = _SCALAR.match(line)
        if s and not line[:1].isspace():
            value = s.group(2)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            out[s.group(1)] = value
    return out


@lru_cache(maxsize=1)
def go_metadata() -> dict[str, tuple[str, str]]:
    """{rule id: (GO status, GO fail mode)} as shipped in ``gorules.tsv`` ('' where GO states none)."""
    text = resources.files("goannot").joinpath("data/gorules.tsv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    out: dict[str, tuple[str, str]] = {}
    for r in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        status, _, mode = (r.get("go_status") or "").partition(",")
        out[r["id"]] = (status.strip(), mode.strip())
    return out


def go_status(rule_id: str) -> str:
    """GO's status of a rule (implemented, approved, proposed, deprecated; '' if GO has no such rule)."""
    return go_metadata().get(rule_id, ("", ""))[0]


def fail_mode(rule_id: str) -> str:
    """GO's fail mode of a rule (hard, soft, mixed; '' if GO has no such rule)."""
    return go_metadata().get(rule_id, ("", ""))[1]


def _enforced(rule: Rule, hard: bool) -> Rule:
    original = rule.check
    reject, report = Action.REJECT.value, Action.REPORT.value

    @functools.wraps(original)
    def check(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
        f = original(chunk, ctx)
        if f is None or not len(f):
            return f
        action = (f["action"].to_numpy(dtype=object) if "action" in f
                  else np.full(len(f), report, dtype=object))
        if ctx.options.get("policy") == "keep":
            new = np.where(action == reject, report, action)
        elif hard:
            # A finding the rule itself grades below error (a "severity" column: GORULE:0000037's
            # legacy PAINT references) is a warning GO does not filter on; the rest are filtered.
            filtered = action == report
            if "severity" in f:
                graded = f["severity"].to_numpy(dtype=object).astype(str)
                filtered &= ~np.isin(graded, [str(Severity.WARNING), str(Severity.INFO)])
            new = np.where(filtered, reject, action)
        else:
            return f
        if np.array_equal(new, action):
            return f
        f = f.copy(deep=False)
        f["action"] = pd.Series(new.astype(object), index=f.index, dtype=object)
        return f

    severity = Severity.ERROR if hard else rule.severity
    return dataclasses.replace(rule, check=check, severity=severity)


def enforce(rules: list[Rule]) -> list[Rule]:
    """The engine's copies of ``rules`` with GO's fail modes applied (see the module docstring).

    Rules that are not GO rules (GOANNOT:*) and the ID rules are returned as they are.
    """
    out = []
    for r in rules:
        if not r.id.startswith("GORULE:") or r.id in idrules.ID_RULES:
            out.append(r)
            continue
        status, mode = go_metadata().get(r.id, ("", ""))
        out.append(_enforced(r, hard=mode == "hard" and status != "deprecated"))
    return out
