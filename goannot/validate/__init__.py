"""Validation and repair of GO annotations against a GO release.

Only the names in ``__all__`` are stable; the modules behind them may change.

>>> from goannot.validate import validate_file            # doctest: +SKIP
>>> result = validate_file("goa_human.gaf.gz", load_ontology(), fix_path="fixed.gaf")  # doctest: +SKIP
>>> print(render_table(result))                            # doctest: +SKIP
"""

from __future__ import annotations

# Importing the rule modules registers their rules: the ID rules first, so they run first.
from . import idrules as _idrules  # noqa: F401,I001
from . import gorules as _gorules  # noqa: F401
from . import generules as _generules  # noqa: F401
from . import refrules as _refrules  # noqa: F401
from . import extrules as _extrules  # noqa: F401
from . import corpusrules as _corpusrules  # noqa: F401
from .engine import DUPLICATE_KEY, validate, validate_file
from .report import ValidationResult, exit_status, render_table, write_report_json
from .rules import Action, Rule, RuleContext, Severity, register, rules

__all__ = [
    "validate",
    "validate_file",
    "ValidationResult",
    "Rule",
    "RuleContext",
    "Severity",
    "Action",
    "rules",
    "register",
    "render_table",
    "write_report_json",
    "exit_status",
    "DUPLICATE_KEY",
]
