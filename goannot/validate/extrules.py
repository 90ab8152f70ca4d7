"""GO rules on annotation extensions (GAF column 16) backed by go-site's extensions-constraints.yaml.

- GORULE:0000058: each unit ``relation(PREFIX:ID)`` of an extension must match one of the
  constraints listed for its relation (the filler's prefix among the namespaces, the annotated term
  an is_a descendant of one of the primary root terms) and a relation may not appear more often in
  one conjunction than its cardinality. As the rule says, a disjunct ('|'-separated group) that
  breaks a constraint is dropped and the rest of the annotation kept: a repair, not a filter. When
  every disjunct breaks, the extension is emptied.
- GORULE:0000053: 'NOT' annotations should not have an extension (reported).

Extensions repeat a lot, so each check runs once per distinct (extension, term) pair in a file.
The table ``goannot/data/extension_constraints.tsv`` is derived by ``.ci/build_refdata.py``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from ..columns import Col
from ..ontology import Ontology
from ._chunkview import _view
from ._ruletools import _is_a_closure, _result
from .rules import Action, RuleContext, Severity, no_findings, register

__all__ = ["extension_constraints", "check_extension"]

_URL = "https://github.com/geneontology/go-site/blob/master/metadata/rules/gorule-{:07d}.md"
_UNIT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\(\s*([A-Za-z][A-Za-z0-9_.\-]*):([^()]*)\)\s*$")

#: One constraint: (filler namespaces, primary root terms, cardinality or 0 for none).
Constraint = tuple[frozenset[str], tuple[str, ...], int]


@lru_cache(maxsize=1)
def extension_constraints() -> dict[str, tuple[Constraint, ...]]:
    """{relation: its constraints} from go-site extensions-constraints.yaml."""
    text = resources.files("goannot").joinpath("data/extension_constraints.tsv").read_text(encoding="utf-8")
    rows = [ln.split("\t") for ln in text.splitlines() if ln and not ln.startswith("#")][1:]
    out: dict[str, list[Constraint]] = {}
    for rel, ns, roots, card in rows:
        out.setdefault(rel, []).append((frozenset(filter(None, ns.split("|"))),
                                        tuple(filter(None, roots.split("|"))), int(card) if card else 0))
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _cardinality() -> dict[str, int]:
    """{relation: most units of it one conjunction may hold}, for relations whose every constraint sets one."""
    out = {}
    for rel, cons in extension_constraints().items():
        limit = max(c[2] for c in cons)
        if limit and all(c[2] for c in cons):
            out[rel] = limit
    return out


def _fits(onto: Ontology, term: str, prefix: str, cons: tuple[Constraint, ...]) -> bool:
    # The roots' closures (kept with the ontology) through one dict: _is_a_closure builds its key each call.
    below: dict[str, frozenset[str]] = onto.derived(("goannot.validate.extrules", "is_a_closures"), dict)
    for ns, roots, _ in cons:
        if prefix in ns:
            for r in roots:
                got = below.get(r)
                if got is None:
                    got = below[r] = _is_a_closure(onto, r)
                if term in got:
                    return True
    return False


def check_extension(onto: Ontology, term: str, extension: str,
                    fits: dict[tuple[str, str, str], bool] | None = None) -> tuple[str, str]:
    """(what breaks, the extension with the breaking disjuncts dropped); ('', extension) when it conforms.

    ``fits``: verdicts of earlier calls (same ontology) per (term, relation, prefix), read and added to:
    a file's ~10k distinct (extension, term) pairs share far fewer such triples, and each test walks
    the closures of the constraint's root terms.
    """
    table = extension_constraints()
    cardinality = _cardinality()
    kept: list[str] = []
    problems: list[str] = []
    for group in extension.split("|"):
        units = [u for u in group.split(",") if u.strip()]
        why = ""
        counts: dict[str, int] = {}
        for u in units:
            m = _UNIT.match(u)
            if not m:
                why = f"{u.strip()!r} is not relation(PREFIX:ID)"  # GORULE:0000001's grammar; dropped here too
                break
            rel, prefix = m.group(1), m.group(2)
            counts[rel] = counts.get(rel, 0) + 1
            cons = table.get(rel)
            if cons is None:
                why = f"relation {rel} is not allowed in extensions"
                break
            ok = None if fits is None else fits.get((term, rel, prefix))
            if ok is None:
                ok = _fits(onto, term, prefix, cons)
                if fits is not None:
                    fits[(term, rel, prefix)] = ok
            if not ok:
                why = f"{rel}({prefix}:...) is not allowed for {term}"
                break
        else:
            for rel, n in counts.items():
                limit = cardinality.get(rel, 0)
                if limit and n > limit:
                    why = f"relation {rel} given {n} times (at most {limit})"
                    break
        if why:
            problems.append(why)
        else:
            kept.append(group)
    return "; ".join(problems), "|".join(kept)


@register("GORULE:0000058", "Object extensions should conform to the extensions-patterns.yaml file in metadata",
          Severity.ERROR, fix="drop the extension disjuncts that break extensions-constraints.yaml",
          url=_URL.format(58))
def gorule_0000058(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Extension disjuncts that break extensions-constraints.yaml, dropped (the annotation is kept).

    Severity error (GO's fail mode is hard); the action is the repair the rule asks for, so the row survives.
    """
    v = _view(chunk, ctx)
    cand = np.flatnonzero(~v.empty(Col.ANNOTATION_EXTENSION) & v.has_target())
    if not len(cand):
        return no_findings()
    tcodes, targets = v.codes("terms.target")
    ecodes, exts = v.codes(Col.ANNOTATION_EXTENSION)
    codes, pairs = pd.factorize(tcodes[cand].astype(np.int64) * max(len(exts), 1) + ecodes[cand])
    memo: dict[tuple[str, str], tuple[str, str]] = ctx.state.setdefault("extrules.verdicts", {})
    fits: dict[tuple[str, str, str], bool] = ctx.state.setdefault("extrules.fits", {})
    verdict = []
    width = max(len(exts), 1)
    for p in np.asarray(pairs, dtype=np.int64).tolist():
        key = (targets[p // width], exts[p % width])
        got = memo.get(key)
        if got is None:
            got = memo[key] = check_extension(ctx.ontology, *key, fits=fits)
        verdict.append(got)
    why = np.array([w for w, _ in verdict], dtype=object)[codes]
    new = np.array([k for _, k in verdict], dtype=object)[codes]
    hit = why != ""
    if not hit.any():
        return no_findings()
    msg = np.full(v.n, "", dtype=object)
    fixed = np.full(v.n, "", dtype=object)
    msg[cand[hit]] = why[hit]
    fixed[cand[hit]] = new[hit]
    mask = np.zeros(v.n, dtype=bool)
    mask[cand[hit]] = True
    return _result(mask, lambda r: msg[r], v, action=Action.REPAIR,
                   fix=lambda r: np.array([f"extension -> {x!r}" for x in fixed[r].tolist()], dtype=object),
                   set_annotation_extension=lambda r: fixed[r])


@register("GORULE:0000053", "'NOT' annotation should not have extension", Severity.WARNING, url=_URL.format(53))
def gorule_0000053(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """NOT annotations carrying an annotation extension (a negated statement cannot be qualified)."""
    v = _view(chunk, ctx)
    mask = v.negated() & ~v.empty(Col.ANNOTATION_EXTENSION)
    return _result(mask, "NOT annotation with an annotation extension", v)
