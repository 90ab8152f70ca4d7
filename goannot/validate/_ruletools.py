"""What the GO rules (:mod:`goannot.validate.gorules`) share besides the chunk view.

Term sets derived from the release (closures below a term, subsets), kept with the ontology
(:meth:`goannot.ontology.Ontology.derived`); the builder of a rule's findings from a row mask; and
what the rules read from the context: today's date, the format and the GAF version.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..columns import Col
from ..ontology import Ontology
from ._chunkview import _View
from .rules import RuleContext, findings, no_findings

__all__: list[str] = []  # private to the rule modules


def _termset(ontology: Ontology, key: str, build: Callable[[], Iterable[str]]) -> frozenset[str]:
    """A set of terms the rules derive from the ontology, built once and kept with it."""
    return ontology.derived(("goannot.validate.gorules", key), lambda: frozenset(build()))


def _closure(ontology: Ontology, relations: tuple[str, ...], *roots: str) -> frozenset[str]:
    """The roots (those the release has) and all their descendants over ``relations``.

    What ``ontology.descendants(root, relations, reflexive=True)`` gives for each root, found in one
    walk down the release's edge arrays with numpy (one step per depth level, ~5 ms) rather than
    through the per-term adjacency lists ``descendants`` builds on first use (~35 ms a relation set,
    paid by the first validation of a process).
    """
    def build() -> set[str]:
        s = ontology.state
        starts = [ontology.index_of(r) for r in roots if r in ontology and not ontology.is_obsolete(r)]
        if not starts:
            return set()
        use = np.isin(s.edge_rel, [k for k, name in enumerate(s.rel_names) if name in relations])
        child, parent = s.edge_child[use], s.edge_parent[use]
        reached = np.zeros(len(s.ids), dtype=bool)
        reached[starts] = True
        frontier = reached.copy()
        while True:
            new = child[frontier[parent]]
            new = new[~reached[new]]
            if not len(new):
                break
            reached[new] = True
            frontier = np.zeros_like(reached)
            frontier[new] = True
        ids = s.ids
        return {ids[k] for k in np.flatnonzero(reached).tolist()}
    return _termset(ontology, ",".join(relations) + ":" + ",".join(roots), build)


def _is_a_closure(ontology: Ontology, *roots: str) -> frozenset[str]:
    """The roots and all their is_a descendants (GO rules say 'subclass descendants')."""
    return _closure(ontology, ("is_a",), *roots)


def _subset(ontology: Ontology, name: str) -> frozenset[str]:
    def build() -> set[str]:
        try:
            return ontology.subset(name)
        except (KeyError, ValueError):
            return set()
    return _termset(ontology, "subset:" + name, build)


Rows = npt.NDArray[np.intp]


def _result(mask: npt.NDArray[np.bool_], message: Any, view: _View, **kw: Any) -> pd.DataFrame:
    """Findings for the rows of ``mask``.

    ``message`` and each ``set_*``/``fix``/``action`` value may be a scalar, or a function of the
    selected positional rows returning aligned values (so nothing is built for unflagged rows).
    """
    rows = np.flatnonzero(mask)
    if not len(rows):
        return no_findings()

    def pick(v: Any) -> Any:
        return v(rows) if callable(v) and not isinstance(v, str) else v

    return findings(rows, pick(message), go_id=view.values(Col.GO_ID, rows), **{k: pick(x) for k, x in kw.items()})


def _cat(*parts: Any) -> npt.NDArray[Any]:
    """Element-wise string concatenation of scalars and object arrays."""
    out: Any = ""
    for p in parts:
        out = out + (p if isinstance(p, np.ndarray) else str(p))
    return np.asarray(out, dtype=object)


def _today(ctx: RuleContext) -> _dt.date:
    t = ctx.options.get("today")
    if isinstance(t, _dt.datetime):
        return t.date()
    if isinstance(t, _dt.date):
        return t
    if isinstance(t, str) and t:
        return _dt.date.fromisoformat(t)
    return _dt.date.today()


def _years_before(day: _dt.date, years: int) -> _dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _is_gaf(ctx: RuleContext) -> bool:
    return str(ctx.options.get("format", "gaf")) in ("gaf", "table")


def _gaf_version(ctx: RuleContext) -> str:
    v = ctx.options.get("gaf_version")
    if v:
        return str(v)
    header = ctx.options.get("header") or {}
    got = header.get("gaf-version") if isinstance(header, dict) else None
    if isinstance(got, list):
        got = got[0] if got else None
    return str(got).strip() if got else ""
