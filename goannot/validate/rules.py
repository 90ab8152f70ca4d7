"""The rule framework of the validator: what a check is, what it returns, and the registry.

A rule is a small, registered, *vectorized* function over one chunk of the annotation table
(a DataFrame with :data:`goannot.columns.TABLE_COLUMNS`). It never loops over rows in Python
when a column operation can say the same thing: the bundled human GAF has 475k rows and the
whole validation budget is about a second.

A rule returns the rows it objects to as a DataFrame (:data:`FINDING_COLUMNS`): the positional
row in the chunk, a message, and optionally a proposed repair (``set_<column>`` columns holding the
new value) and an ``action``:

- ``"report"``: only a finding; the row is kept as is;
- ``"repair"``: the ``set_*`` values replace the row's values (subject to the repair policy);
- ``"reject"``: the row cannot be used; it goes to the rejects with this finding as its reason.

The engine (:mod:`goannot.validate.engine`) decides, per the user's policy, whether a repair is
applied, and guarantees that every input row ends up kept, repaired, rejected or merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from ..ontology import Ontology

__all__ = [
    "Severity",
    "Action",
    "Rule",
    "RuleContext",
    "FINDING_COLUMNS",
    "REGISTRY",
    "register",
    "rules",
    "findings",
    "no_findings",
]


class Severity(StrEnum):
    """How bad a finding is; ``--fail-on`` compares against this order."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for error."""
        return ("info", "warning", "error").index(self.value)


class Action(StrEnum):
    """What a finding asks the engine to do with its row."""

    REPORT = "report"
    REPAIR = "repair"
    REJECT = "reject"


#: Columns of the DataFrame a rule's check returns. ``set_<column>`` columns may be added.
FINDING_COLUMNS: tuple[str, ...] = ("row", "message", "go_id", "fix", "action")


class RuleContext:
    """What a check may look at besides the chunk itself.

    ``terms`` is aligned with the chunk's rows (same positional order) and says, for each row's GO ID,
    what the release makes of it; the engine computes it once per distinct ID:

    - ``status``: primary / secondary / obsolete / unknown / malformed (str);
    - ``target``: the current primary term the row should use ('' if none: unknown, malformed,
      obsolete without a single replaced_by, or a replaced_by chain ending in an obsolete term);
    - ``namespace``: namespace of ``target`` (or of the term itself when it has no target);
    - ``name``: current name of ``target``.

    The engine does not build ``terms`` up front: it gives each row an integer code into the file's
    table of distinct IDs (:func:`goannot.validate.idrules.term_codes`), which the bundled rules read
    directly, and :meth:`defer_terms` builds the DataFrame only if a check reads ``ctx.terms``
    (five object columns of a chunk's length cost more than most rules). Assigning ``terms``
    (as tests do) replaces the deferred table with the given one.

    ``state`` is a dict that lives for the whole file (all chunks), for rules that need to see
    across chunks (duplicates, per-file header checks); ``options`` holds user settings
    (e.g. ``today`` for date checks, ``header`` of the file, ``gaf_version``).

    ``repaired_columns`` lists, in order, the chunk columns the engine has changed so far (a rule's
    repair lands before the next rule runs): whatever a rule caches from a column for the chunk is
    stale once that column appears here.
    """

    def __init__(self, ontology: Ontology, terms: pd.DataFrame | None = None,
                 options: dict[str, Any] | None = None, state: dict[str, Any] | None = None,
                 chunk_offset: int = 0) -> None:
        self.ontology = ontology
        self.options: dict[str, Any] = {} if options is None else options
        self.state: dict[str, Any] = {} if state is None else state
        self.chunk_offset = chunk_offset
        self.repaired_columns: list[str] = []
        self._terms = terms
        self._build_terms: Callable[[], pd.DataFrame] | None = None

    @property
    def terms(self) -> pd.DataFrame:
        """The per-row term table (built on first access when deferred)."""
        if self._terms is None:
            self._terms = self._build_terms() if self._build_terms is not None else pd.DataFrame()
        return self._terms

    @terms.setter
    def terms(self, value: pd.DataFrame) -> None:
        self._terms = value
        self._build_terms = None

    def defer_terms(self, build: Callable[[], pd.DataFrame]) -> None:
        """Let ``build`` make ``terms`` when (and each time after :meth:`terms_changed`) it is read."""
        self._terms = None
        self._build_terms = build

    def terms_changed(self) -> None:
        """The rows' term codes changed: a deferred ``terms`` must be rebuilt on next access."""
        if self._build_terms is not None:
            self._terms = None

    @property
    def terms_deferred(self) -> bool:
        """True when ``terms`` derives from the engine's per-row codes (not given by the caller)."""
        return self._build_terms is not None

    def __repr__(self) -> str:
        return f"RuleContext(ontology={self.ontology!r}, chunk_offset={self.chunk_offset})"


Check = Callable[[pd.DataFrame, RuleContext], pd.DataFrame]


@dataclass(frozen=True)
class Rule:
    """A registered check.

    ``id`` is the GO Consortium's ``GORULE:0000011`` where GO has a rule, else a goannot id such as
    ``GOANNOT:secondary-id``. ``fix`` says in words what the repair does ('' when there is none).
    ``needs`` names outside data the full rule would need (taxon constraints, ...), documented in
    the README next to what goannot checks without it.
    """

    id: str
    title: str
    severity: Severity
    check: Check
    fix: str = ""
    needs: str = ""
    url: str = ""


REGISTRY: dict[str, Rule] = {}


def register(id: str, title: str, severity: Severity | str, *, fix: str = "", needs: str = "",
             url: str = "") -> Callable[[Check], Check]:
    """Decorator registering a check function as a rule (one id, once)."""

    def deco(fn: Check) -> Check:
        if id in REGISTRY:
            raise ValueError(f"rule {id} registered twice")
        REGISTRY[id] = Rule(id, title, Severity(severity), fn, fix, needs, url)
        return fn

    return deco


def rules(selected: Iterable[str] | None = None) -> list[Rule]:
    """Registered rules (all, or those whose id is in ``selected``), in registration order."""
    if selected is None:
        return list(REGISTRY.values())
    wanted = set(selected)
    unknown = wanted - REGISTRY.keys()
    if unknown:
        raise KeyError(f"unknown rule id(s): {', '.join(sorted(unknown))}")
    return [r for r in REGISTRY.values() if r.id in wanted]


def findings(rows: Any, message: Any, *, go_id: Any = "", fix: Any = "", action: Action | str = Action.REPORT,
             **sets: Any) -> pd.DataFrame:
    """Build a rule's result from aligned arrays/Series/scalars (``set_x=...`` for repairs, ``severity=``
    to grade findings apart from the rule's severity).

    ``rows`` are positional row numbers in the chunk (not index labels).
    """
    import numpy as np

    r = np.asarray(rows, dtype=np.int64)
    n = len(r)

    def col(v: Any) -> Any:
        if isinstance(v, pd.Series):
            return v.to_numpy(dtype=object)
        if isinstance(v, (list, tuple)) or hasattr(v, "__array__"):
            return np.asarray(v, dtype=object)
        return [v] * n

    data: dict[str, Any] = {"row": r, "message": col(message), "go_id": col(go_id), "fix": col(fix),
                            "action": col(str(action) if isinstance(action, Action) else action)}
    for k, v in sets.items():
        if not k.startswith("set_") and k != "severity":
            raise TypeError(f"unexpected keyword {k!r}; repairs are passed as set_<column>=values, "
                            "a per-finding grade as severity=")
        data[k] = col(v)
    # Object columns kept as they are: pandas would otherwise copy every string into its Arrow dtype,
    # only for the engine to take the values out again.
    return pd.DataFrame({k: v if k == "row" else pd.Series(np.asarray(v, dtype=object), dtype=object, copy=False)
                         for k, v in data.items()})


_EMPTY = pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else object) for c in FINDING_COLUMNS})


def no_findings() -> pd.DataFrame:
    """An empty result (a shallow copy of one prebuilt frame: most checks on most chunks find nothing)."""
    return _EMPTY.copy(deep=False)
