"""Syntax of the GAF columns whose values have a grammar: the qualifier and the annotation extension.

Used by GORULE:0000001 (:mod:`goannot.validate.gorules`). Both are judged once per distinct value
of a chunk (the shared view's tables), and the extension column first by one RE2 match of the
whole grammar over the column, so only values that fail it are looked at in Python.

Qualifier (GAF 2.2, GPAD): ``NOT`` and/or one gp2term relation, ``|``-separated. A token that is
neither (``NOTT``, ``N0T``, ``not``) cannot be read: guessing would risk turning a NOT annotation
into a positive one, so the row is rejected (kept with an error under policy ``keep``), never
repaired.

Annotation extension (GAF 2.2 column 16, GPAD column 11): ``|``-separated alternatives (each stands
for an annotation of its own), each a ``,``-separated conjunction of ``relation(DB:ID)`` units. An
alternative with a malformed unit cannot be read; dropping only that unit would widen what the
conjunction says, so the repair drops the whole alternative and keeps the others.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..annotations.relations import RELATION_IDS
from ..columns import Col
from ..ontology import Ontology
from ._chunkview import _View
from .rules import Action, RuleContext

__all__: list[str] = []  # private to the rule modules

log = logging.getLogger(__name__)

#: Tokens a qualifier may hold.
QUALIFIER_TOKENS = frozenset({"NOT", *RELATION_IDS})

_RELATION = r"[A-Za-z][A-Za-z0-9_]*(?::[A-Za-z0-9_]+)?"
_FILLER = r"[A-Za-z][A-Za-z0-9_.\-]*:[^\s(),|]+"
_UNIT = rf"{_RELATION}\({_FILLER}\)"
_CONJUNCTION = rf"{_UNIT}(?:,{_UNIT})*"
#: The whole column-16 grammar, as an RE2 pattern (full match).
EXTENSION_GRAMMAR = rf"^{_CONJUNCTION}(?:\|{_CONJUNCTION})*$"
_UNIT_RE = re.compile(rf"({_RELATION})\(({_FILLER})\)")


def unknown_qualifier_tokens(qualifier: str) -> str:
    """'' if every token of ``qualifier`` is NOT or a gp2term relation, else why the row cannot be read."""
    if not qualifier:
        return ""
    bad = [t.strip() for t in qualifier.split("|") if t.strip() not in QUALIFIER_TOKENS]
    if not bad:
        return ""
    shown = ", ".join(repr(t) for t in bad)
    return (f"qualifier {qualifier!r}: {shown} is neither NOT nor a gp2term relation; the row cannot be read "
            "(a guess could turn a NOT annotation into a positive one)")


def extension_verdict(value: str) -> tuple[str, str]:
    """(problem, value with the malformed alternatives dropped) for a column-16 value failing the grammar."""
    kept: list[str] = []
    bad: list[str] = []
    for alternative in value.split("|"):
        units = alternative.split(",")
        if alternative.strip() and all(_UNIT_RE.fullmatch(u.strip()) for u in units):
            kept.append(",".join(u.strip() for u in units))
        else:
            bad.append(alternative)
    if not bad:  # only spaces around separators: the grammar has none
        return "", ",".join(kept) if len(kept) == 1 else "|".join(kept)
    shown = ", ".join(repr(b) for b in bad)
    return (f"annotation extension {shown} is not relation(DB:ID) joined by ',' and '|'",
            "|".join(kept))


def extension_relations(value: str) -> list[str]:
    """The relation names of a well-formed column-16 value."""
    return [m.group(1) for m in _UNIT_RE.finditer(value)]


def known_relations(ontology: Ontology) -> frozenset[str] | None:
    """The relations extensions may use, from the release's [Typedef]s; None when the release does not
    carry extension relations (go-basic declares only its graph relations: has_input, the commonest
    extension relation, is absent), so nothing can be said."""
    typedefs = ontology.typedefs
    names = {t for t in typedefs} | {str(d.get("name", "")).replace(" ", "_") for d in typedefs.values()}
    return frozenset(names) if "has_input" in names else None


def syntax_checks(v: _View, ctx: RuleContext) -> tuple[list[tuple[npt.NDArray[np.bool_], Any]], Callable[[pd.DataFrame], pd.DataFrame]]:
    """GORULE:0000001's first checks (unreadable qualifier, malformed or unknown extension) and the step
    that gives their findings an action: reject for an unreadable qualifier (report under policy
    ``keep``), repair (malformed alternatives dropped) for a malformed extension."""
    qcodes = v.codes(Col.QUALIFIER)[0]
    qtext = v.table(Col.QUALIFIER, unknown_qualifier_tokens, dtype=object, key="unknown-qualifier")
    unreadable = (qtext != "")[qcodes] if len(qtext) else np.zeros(v.n, dtype=bool)
    ext = Col.ANNOTATION_EXTENSION
    v.codes(ext)  # few distinct values: the grammar is matched once per value
    malformed = ~v.empty(ext) & ~v.regex(ext, EXTENSION_GRAMMAR)
    verdicts: dict[str, tuple[str, str]] = {}
    for value in (v.values(ext, np.flatnonzero(malformed)).tolist() if malformed.any() else []):
        if value not in verdicts:
            verdicts[value] = extension_verdict(value)
    relations = known_relations(ctx.ontology)
    unknown = np.zeros(v.n, dtype=bool)
    if relations is not None:
        def stray(value: str) -> str:
            odd = sorted({r for r in extension_relations(value) if r not in relations})
            return f"annotation extension relation(s) {', '.join(odd)} not declared in this GO release" if odd else ""
        rtext = v.table(ext, stray, dtype=object, key="extension-relations")
        unknown = ((rtext != "")[v.codes(ext)[0]] if len(rtext) else unknown) & ~malformed

    def ext_message(rows: npt.NDArray[np.intp]) -> npt.NDArray[Any]:
        return np.array([verdicts[x][0] for x in v.values(ext, rows).tolist()], dtype=object)

    checks: list[tuple[npt.NDArray[np.bool_], Any]] = [
        (unreadable, lambda rows: qtext[qcodes[rows]]), (malformed, ext_message)]
    if relations is not None:
        checks.append((unknown, lambda rows: rtext[v.codes(ext)[0][rows]]))

    def settle(found: pd.DataFrame) -> pd.DataFrame:
        if not len(found):
            return found
        rows = found["row"].to_numpy(dtype=np.intp)
        action = found["action"].to_numpy(dtype=object).copy()
        if ctx.options.get("policy") != "keep":
            action[unreadable[rows]] = str(Action.REJECT)
        fixing = malformed[rows] & ~unreadable[rows]
        if fixing.any():
            values = v.values(ext, rows[fixing]).tolist()
            new = np.full(len(rows), None, dtype=object)
            new[fixing] = [verdicts[x][1] for x in values]
            fix = found["fix"].to_numpy(dtype=object).copy()
            fix[fixing] = [f"annotation extension -> {verdicts[x][1]!r} (malformed alternatives dropped)"
                           for x in values]
            action[fixing] = str(Action.REPAIR)
            log.info("%d annotation extension(s) with malformed alternatives (GORULE:0000001)", int(fixing.sum()))
            found["fix"] = pd.Series(fix, dtype=object, index=found.index)
            found["set_annotation_extension"] = pd.Series(new, dtype=object, index=found.index)
        found["action"] = pd.Series(action, dtype=object, index=found.index)
        return found

    return checks, settle
