"""Structural checks of an ontology release: cycles, dangling references, obsolete-term rules, roots.

:func:`check_dag` runs every check over an :class:`~goannot.ontology.Ontology` and returns a
:class:`DagReport` of :class:`DagFinding` records; :func:`render_table` prints it for a terminal and
:meth:`DagReport.as_dict` gives JSON that names the release checked (path, sha256, data-version).

Why: annotation propagation, slimming and enrichment silently give wrong answers on a graph with a
cycle, a parent that does not exist or an obsolete term still wired into the hierarchy. A GO release
should pass every error-level check; third-party or hand-edited OBO files often do not.

Checks and their severity (``error`` = the graph or an ID mapping is wrong and results built on it
can be wrong; ``warning`` = legal but worth knowing, usually handled by the repair step):

==========================  ========  =================================================================
check                       severity  what
==========================  ========  =================================================================
cycle                       error     a strongly connected component over ``relations`` (default
                                      is_a + part_of): the graph is not a DAG; each member's closure
                                      holds the whole cycle, depth() has no answer for terms above it
duplicate_stanza            error     two [Term] stanzas with one id, combined as OBO 1.4 (4.1.1) says,
                                      and disagreeing on name / namespace / def / comment (first kept)
                            warning   the same, without disagreement
dangling_reference          error     is_a / relationship / replaced_by target that is no term and no
                                      alt_id (``consider`` targets: warning, they are only advice)
secondary_reference         error     is_a / relationship target that is an alt_id: the edge is lost
                            warning   replaced_by / consider target that is an alt_id: resolvable
alt_id_collision            error     an alt_id equal to a primary ID, or claimed by two terms
obsolete_with_edges         error     an obsolete term with parents or children (GO: obsolete terms
                                      carry no relationships)
replaced_by_obsolete        error     following replaced_by ends at an obsolete term with no successor
replaced_by_loop            error     replaced_by links that come back to a term already visited
replaced_by_chain           warning   replaced_by reaches a live term only after more than one hop
replaced_by_multiple        warning   an obsolete term with more than one replaced_by (ambiguous repair)
replaced_by_and_consider    warning   an obsolete term with both replaced_by and consider
missing_namespace           error     a term without ``namespace:``
multiple_roots              error     more than one non-obsolete term without an is_a parent in a
                                      namespace (GO: exactly one root per namespace)
==========================  ========  =================================================================

Edges point child -> parent (see :mod:`goannot.ontology`). The cycle search is an iterative Tarjan
SCC (no recursion: GO has ~47k terms and deep chains).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ._graph import strongly_connected_components
from .ontology import Ontology

__all__ = ["CHECKS", "DagFinding", "DagReport", "check_dag", "render_table", "strongly_connected_components",
           "main"]

log = logging.getLogger(__name__)

Severity = Literal["error", "warning"]

#: Every check :func:`check_dag` runs, in report order, with its usual (highest) severity.
CHECKS: dict[str, Severity] = {
    "cycle": "error",
    "duplicate_stanza": "error",
    "dangling_reference": "error",
    "secondary_reference": "error",
    "alt_id_collision": "error",
    "obsolete_with_edges": "error",
    "replaced_by_obsolete": "error",
    "replaced_by_loop": "error",
    "replaced_by_chain": "warning",
    "replaced_by_multiple": "warning",
    "replaced_by_and_consider": "warning",
    "missing_namespace": "error",
    "multiple_roots": "error",
}

#: Reference tags that are graph edges (the others, replaced_by / consider, are ID mappings).
_MAPPING_TAGS = ("replaced_by", "consider")


@dataclass(frozen=True, slots=True)
class DagFinding:
    """One problem: which check, how bad, which term, a sentence for humans and data for programs."""

    check: str
    severity: Severity
    term_id: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"check": self.check, "severity": self.severity, "term_id": self.term_id,
                "message": self.message, "detail": self.detail}


@dataclass
class DagReport:
    """The result of :func:`check_dag`: the findings plus what was checked."""

    findings: list[DagFinding]
    ontology: dict[str, str | None]
    relations: tuple[str, ...]
    n_terms: int
    seconds: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per check, every check listed (0 when clean), in :data:`CHECKS` order."""
        out = dict.fromkeys(CHECKS, 0)
        for f in self.findings:
            out[f.check] = out.get(f.check, 0) + 1
        return out

    @property
    def errors(self) -> list[DagFinding]:
        """The error-level findings."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when no check found an error (warnings allowed)."""
        return not any(f.severity == "error" for f in self.findings)

    def by_check(self, check: str) -> list[DagFinding]:
        """The findings of one check."""
        return [f for f in self.findings if f.check == check]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: provenance of the ontology, relations, counts, findings."""
        return {"ontology": dict(self.ontology), "relations": list(self.relations), "n_terms": self.n_terms,
                "ok": self.ok, "seconds": round(self.seconds, 4), "counts": self.counts,
                "findings": [f.as_dict() for f in self.findings]}


# -- graph helpers ----------------------------------------------------------------------------------


def _adjacency(ontology: Ontology, relations: Iterable[str]) -> list[list[int]]:
    """Child -> parents lists over ``relations`` (by term index), built from the columnar edges."""
    s = ontology.state
    codes = [k for k, r in enumerate(s.rel_names) if r in set(relations)]
    mask = np.isin(s.edge_rel, codes)
    adj: list[list[int]] = [[] for _ in range(len(s.ids))]
    for c, p in zip(s.edge_child[mask].tolist(), s.edge_parent[mask].tolist()):
        adj[c].append(p)
    return adj


def _cycle_path(adj: Sequence[Sequence[int]], members: set[int], start: int) -> list[int]:
    """A shortest cycle through ``start`` inside its component (BFS), as ``[start, ..., start]``."""
    prev: dict[int, int] = {}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for w in adj[v]:
            if w not in members:
                continue
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(prev[path[-1]])
                return [*reversed(path), start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return [start]  # unreachable for a true component


# -- the checks ---------------------------------------------------------------------------------------


def _check_cycles(ontology: Ontology, relations: tuple[str, ...]) -> list[DagFinding]:
    ids = ontology.state.ids
    adj = _adjacency(ontology, relations)
    out: list[DagFinding] = []
    for comp in strongly_connected_components(adj):
        if len(comp) == 1 and comp[0] not in adj[comp[0]]:
            continue
        members = set(comp)
        start = min(comp, key=lambda k: ids[k])
        path = [ids[k] for k in _cycle_path(adj, members, start)]
        names = sorted(ids[k] for k in comp)
        out.append(DagFinding(
            "cycle", "error", ids[start],
            f"cycle over {'+'.join(relations)} through {len(comp)} term(s): {' -> '.join(path)}",
            {"members": names, "path": path, "relations": list(relations)}))
    return sorted(out, key=lambda f: f.term_id)


def _check_duplicates(ontology: Ontology) -> list[DagFinding]:
    out: list[DagFinding] = []
    for tid, lines, conflicts in ontology.state.duplicates:
        where = ", ".join(str(ln) for ln in lines if ln) or "several places"
        detail: dict[str, Any] = {"lines": list(lines), "conflicts": list(conflicts)}
        if conflicts:
            out.append(DagFinding("duplicate_stanza", "error", tid,
                                  f"{len(lines)} [Term] stanzas (lines {where}) combined; they disagree on "
                                  f"{', '.join(conflicts)} (the first stanza's value is used)", detail))
        else:
            out.append(DagFinding("duplicate_stanza", "warning", tid,
                                  f"{len(lines)} [Term] stanzas (lines {where}) combined into one", detail))
    return out


def _check_references(ontology: Ontology) -> list[DagFinding]:
    s = ontology.state
    out: list[DagFinding] = []
    for source, tag, target in s.dangling:
        primary = s.alt.get(target)
        kind = "relationship" if tag not in ("is_a", *_MAPPING_TAGS) else tag
        detail: dict[str, Any] = {"tag": tag, "target": target}
        if primary is not None:
            severity: Severity = "warning" if tag in _MAPPING_TAGS else "error"
            detail["primary"] = primary
            what = "is resolvable" if severity == "warning" else "is dropped from the graph"
            out.append(DagFinding("secondary_reference", severity, source,
                                  f"{tag} {target} is an alt_id of {primary}; the reference {what}", detail))
        else:
            severity = "warning" if tag == "consider" else "error"
            label = tag if kind != "relationship" else f"relationship {tag}"
            out.append(DagFinding("dangling_reference", severity, source,
                                  f"{label} points to {target}, which is not in this ontology", detail))
    for alt, claimant, other in s.alt_collisions:
        if alt == other:
            msg = f"alt_id {alt} of {claimant} is also a primary term ID"
        else:
            msg = f"alt_id {alt} is claimed by both {other} and {claimant}"
        out.append(DagFinding("alt_id_collision", "error", claimant, msg,
                              {"alt_id": alt, "claimed_by": [other, claimant] if alt != other else [claimant],
                               "is_primary": alt == other}))
    return out


def _check_obsolete_edges(ontology: Ontology) -> list[DagFinding]:
    s = ontology.state
    obs = s.obsolete
    if not obs.any():
        return []
    ids, rels = s.ids, s.rel_names
    child, parent, rel = s.edge_child.tolist(), s.edge_parent.tolist(), s.edge_rel.tolist()
    outgoing: dict[int, list[list[str]]] = {}
    incoming: dict[int, list[list[str]]] = {}
    for c, p, r in zip(child, parent, rel):
        if obs[c]:
            outgoing.setdefault(c, []).append([rels[r], ids[p]])
        if obs[p]:
            incoming.setdefault(p, []).append([ids[c], rels[r]])
    out: list[DagFinding] = []
    for i in sorted(outgoing.keys() | incoming.keys()):
        up, down = outgoing.get(i, []), incoming.get(i, [])
        parts = []
        if up:
            parts.append(f"{len(up)} parent edge(s), e.g. {up[0][0]} {up[0][1]}")
        if down:
            parts.append(f"{len(down)} child edge(s), e.g. {down[0][0]} {down[0][1]} it")
        out.append(DagFinding("obsolete_with_edges", "error", ids[i],
                              f"obsolete term still has {' and '.join(parts)}",
                              {"parents": up, "children": down}))
    return out


def _check_replacements(ontology: Ontology) -> list[DagFinding]:
    s = ontology.state
    index = {tid: i for i, tid in enumerate(s.ids)}
    out: list[DagFinding] = []

    def live(tid: str) -> bool:
        i = index.get(tid)
        return i is not None and not s.obsolete[i]

    for tid, targets in s.replaced_by.items():
        i = index[tid]
        if len(targets) > 1:
            out.append(DagFinding("replaced_by_multiple", "warning", tid,
                                  f"{len(targets)} replaced_by targets ({', '.join(targets)}): repair is ambiguous",
                                  {"replaced_by": list(targets)}))
        if s.consider.get(tid):
            out.append(DagFinding("replaced_by_and_consider", "warning", tid,
                                  "obsolete term has both replaced_by and consider",
                                  {"replaced_by": list(targets), "consider": list(s.consider[tid])}))
        if not s.obsolete[i]:
            continue  # replaced_by on a live term: not a chain to follow (rare; only mapping checks apply)
        # Follow the first replaced_by (resolving alt_ids) until a live term, a dead end or a loop.
        chain = [tid]
        seen = {tid}
        cur = tid
        while True:
            nxt_all = s.replaced_by.get(cur, ())
            if not nxt_all:
                break
            nxt = nxt_all[0]
            nxt = s.alt.get(nxt, nxt)
            if nxt in seen:
                chain.append(nxt)
                out.append(DagFinding("replaced_by_loop", "error", tid,
                                      f"replaced_by loops: {' -> '.join(chain)}", {"chain": chain}))
                break
            chain.append(nxt)
            seen.add(nxt)
            if nxt not in index or live(nxt):
                break  # a missing target is reported as dangling_reference
            cur = nxt
        end = chain[-1]
        if chain.count(end) > 1 or end not in index:
            continue
        if not live(end):
            out.append(DagFinding("replaced_by_obsolete", "error", tid,
                                  f"replaced_by leads to obsolete {end} with no replacement: {' -> '.join(chain)}",
                                  {"chain": chain}))
        elif len(chain) > 2:
            out.append(DagFinding("replaced_by_chain", "warning", tid,
                                  f"replaced_by reaches {end} after {len(chain) - 1} hops: {' -> '.join(chain)}",
                                  {"chain": chain, "final": end}))
    return out


def _check_namespaces_and_roots(ontology: Ontology) -> list[DagFinding]:
    s = ontology.state
    out: list[DagFinding] = []
    default_ns = (s.header.get("default-namespace") or [""])[0]
    for tid, ns in zip(s.ids, s.namespaces):
        if not ns:
            hint = f" (the header's default-namespace is {default_ns!r})" if default_ns else ""
            out.append(DagFinding("missing_namespace", "error", tid, f"term has no namespace{hint}",
                                  {"default_namespace": default_ns or None}))
    has_isa = np.zeros(len(s.ids), dtype=bool)
    isa = s.rel_names.index("is_a") if "is_a" in s.rel_names else -1
    has_isa[s.edge_child[s.edge_rel == isa]] = True
    roots: dict[str, list[str]] = {}
    for i in np.flatnonzero(~has_isa & ~s.obsolete).tolist():
        ns = s.namespaces[i]
        if ns:  # terms without a namespace are reported above
            roots.setdefault(ns, []).append(s.ids[i])
    for ns in sorted(roots):
        found = roots[ns]
        if len(found) > 1:
            shown = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
            out.append(DagFinding("multiple_roots", "error", found[0],
                                  f"namespace {ns} has {len(found)} roots (terms without is_a parent): {shown}",
                                  {"namespace": ns, "roots": found}))
    return out


def check_dag(ontology: Ontology, *, relations: Sequence[str] = ("is_a", "part_of")) -> DagReport:
    """Run every structural check on ``ontology``; cycles are searched over ``relations``.

    The other checks do not depend on ``relations``: obsolete-term edges count every relation, roots
    count is_a only. Returns a :class:`DagReport`; ``report.ok`` is False when any error was found.
    """
    t0 = time.perf_counter()
    rels = tuple(dict.fromkeys(relations))
    findings: list[DagFinding] = []
    findings += _check_cycles(ontology, rels)
    findings += _check_duplicates(ontology)
    findings += _check_references(ontology)
    findings += _check_obsolete_edges(ontology)
    findings += _check_replacements(ontology)
    findings += _check_namespaces_and_roots(ontology)
    order = {c: k for k, c in enumerate(CHECKS)}
    findings.sort(key=lambda f: order.get(f.check, len(order)))  # stable: keeps each check's own order
    prov = ontology.provenance
    report = DagReport(findings=findings,
                       ontology={"path": prov.path, "sha256": prov.sha256, "data_version": prov.data_version,
                                 "source": prov.source_name, "format": prov.format},
                       relations=rels, n_terms=len(ontology), seconds=time.perf_counter() - t0)
    log.info("check_dag: %d terms, %d findings (%d errors) in %.3f s", report.n_terms, len(findings),
             len(report.errors), report.seconds)
    return report


def render_table(report: DagReport, *, width: int = 110) -> str:
    """Plain-text summary for a terminal: one line per check with count, severity and one example."""
    counts = report.counts
    name_w = max(len(c) for c in counts)
    ont = report.ontology
    lines = [f"DAG check of {ont.get('path') or '<memory>'} (data-version {ont.get('data_version') or '?'}, "
             f"{report.n_terms} terms, cycles over {'+'.join(report.relations)})",
             f"{'check'.ljust(name_w)}  {'count':>6}  {'severity':<8} example"]
    for check, n in counts.items():
        hits = report.by_check(check)
        if hits:
            severity = "error" if any(f.severity == "error" for f in hits) else "warning"
            example = f"{hits[0].term_id}: {hits[0].message}"
        else:
            severity, example = "ok", ""
        line = f"{check.ljust(name_w)}  {n:>6}  {severity:<8} {example}".rstrip()
        if len(line) > width:
            line = line[: width - 3] + "..."
        lines.append(line)
    errors = len(report.errors)
    lines.append(f"{'OK' if report.ok else 'FAILED'}: {errors} error(s), {len(report.findings) - errors} "
                 f"warning(s) in {report.seconds:.2f} s")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m goannot.dagcheck [SOURCE] [--json] [--relations is_a part_of]``; exit 1 on errors.

    Exit 2, with the reason on stderr, when the ontology cannot be read (no traceback).
    """
    from .errors import GoannotError
    from .loader import load_ontology  # lazy: keeps `import goannot.dagcheck` light

    parser = argparse.ArgumentParser(prog="python -m goannot.dagcheck", description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=None, help="OBO/OBO-Graphs path or manifest name")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--relations", nargs="+", default=["is_a", "part_of"])
    args = parser.parse_args(argv)
    try:
        onto = load_ontology(args.source)
    except GoannotError as exc:
        sys.stderr.write(f"goannot.dagcheck: error: {exc}\n")
        return 2
    report = check_dag(onto, relations=args.relations)
    sys.stdout.write(json.dumps(report.as_dict(), indent=1) + "\n" if args.json else render_table(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
