"""What a new GO release does to annotations: :func:`release_diff`, tied to IDs, closures and enrichments.

Ontology diff tools (oaklib) compare releases; validators (goatools, ontobio) check a file against
one release. This module answers the user's question in between: *if I move my annotations from
release OLD to release NEW, what happens to them?* It works at four levels, each explaining the
next:

1. the ontologies (:mod:`goannot.reldiff_terms`): terms added, obsoleted (replaced_by, consider),
   merged, reinstated, renamed, moved, and parent edges added / removed per relation;
2. each annotation file's GO IDs (:mod:`goannot.reldiff_terms`): every row classified under both
   releases with the validator's ID rules (current, secondary -> repaired, obsolete -> replaced /
   consider / no guidance, unknown), counted by class, transition and gene; rows add up;
3. each file's propagated annotation (:mod:`goannot.reldiff_closure`): per gene, the terms gained
   and lost, each with its cause (edge added / removed, term obsoleted, merge, repair);
4. enrichment (:mod:`goannot.reldiff_enrich`): one study under both releases, the terms that
   entered or left significance, each with its cause from levels 1-3.

Everything here is computed in memory from two :class:`~goannot.ontology.Ontology` objects and
annotation tables; :mod:`goannot.reldiff_report` writes the TSV / JSON / HTML outputs and runs the
``goannot release-diff`` command. (The module is not called ``release_diff`` so that the function
``goannot.release_diff`` is not shadowed by a submodule of the same name once it is imported.)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .evidence import EvidenceFilter
from .ontology import DEFAULT_RELATIONS, Ontology
from .reldiff_closure import ClosureDiff, diff_closures
from .reldiff_enrich import EnrichmentDiff, diff_enrichment
from .reldiff_terms import AnnotationDiff, OntologyDiff, diff_annotation_ids, diff_ontologies

__all__ = ["ReleaseDiff", "FileDiff", "release_diff"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class FileDiff:
    """Levels 2-4 for one annotation file."""

    label: str
    path: str
    annotations: AnnotationDiff
    closure: ClosureDiff | None
    enrichments: list[EnrichmentDiff] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class ReleaseDiff:
    """The result of :func:`release_diff`: the ontology diff and one :class:`FileDiff` per file."""

    old: Ontology = field(repr=False)
    new: Ontology = field(repr=False)
    ontology: OntologyDiff
    files: list[FileDiff]
    seconds: dict[str, float]

    @property
    def releases(self) -> dict[str, Any]:
        """Provenance of both releases (path, data-version, sha256)."""
        return {"old": self.old.provenance.as_dict(), "new": self.new.provenance.as_dict()}

    def summary(self) -> dict[str, Any]:
        """The counts of every level, JSON-ready (no tables)."""
        files = []
        for f in self.files:
            entry: dict[str, Any] = {"label": f.label, "path": f.path, "annotations": f.annotations.counts}
            if f.closure is not None:
                entry["closure"] = f.closure.counts
            entry["enrichment"] = [e.counts for e in f.enrichments]
            files.append(entry)
        return {"releases": self.releases, "ontology": self.ontology.summary, "files": files,
                "seconds": self.seconds}


def _as_ontology(value: Ontology | str | Path | None) -> Ontology:
    if isinstance(value, Ontology):
        return value
    from .loader import load_ontology

    return load_ontology(value)


def _as_table(item: Any) -> tuple[str, str, pd.DataFrame, int]:
    """(label, path, table, parse rejects) of a path, an AnnotationSet or a bare table."""
    if isinstance(item, pd.DataFrame):
        return "table", "", item, 0
    if isinstance(item, (str, Path)):
        from .annotations import read_annotations

        item = read_annotations(item)
    table = getattr(item, "table", None)
    if not isinstance(table, pd.DataFrame):
        from .errors import InputError

        raise InputError(None, None, f"expected an annotation file, AnnotationSet or table, not {type(item).__name__}")
    path = str(getattr(item, "path", "") or "")
    rejects = getattr(item, "rejects", None)
    return Path(path).name or "table", path, table, int(len(rejects)) if rejects is not None else 0


def release_diff(old: Ontology | str | Path | None, new: Ontology | str | Path, files: Iterable[Any] = (), *,
                 studies: Mapping[str, Sequence[str]] | None = None, population: Iterable[str] | None = None,
                 relations: Sequence[str] = DEFAULT_RELATIONS,
                 evidence: EvidenceFilter | str | Sequence[str] | None = None,
                 aspects: Iterable[str] | str | None = None, closure: bool = True,
                 method: str = "fdr_bh", alpha: float = 0.05, **enrich_options: Any) -> ReleaseDiff:
    """What moving from release ``old`` to release ``new`` does to ``files`` (see the module docstring).

    ``old`` / ``new``: :class:`Ontology` objects, manifest names or paths (``None``: the bundled
    release). ``files``: annotation file paths, AnnotationSets or tables. ``studies``: label -> gene
    IDs, each run under both releases against every file (``population``: the background, default
    every gene of the file). ``relations``, ``evidence``, ``aspects``: the propagation of level 3
    (and 4). ``closure=False`` stops after level 2. ``method``/``alpha``: what "significant" means.
    """
    t0 = time.perf_counter()
    o, n = _as_ontology(old), _as_ontology(new)
    seconds: dict[str, float] = {"load": time.perf_counter() - t0}
    t = time.perf_counter()
    odiff = diff_ontologies(o, n)
    seconds["ontology"] = time.perf_counter() - t
    out: list[FileDiff] = []
    pop = list(population) if population is not None else None
    for item in files:
        t = time.perf_counter()
        label, path, table, rejects = _as_table(item)
        ann = diff_annotation_ids(table, o, n, path=path, parse_rejects=rejects)
        seconds[f"annotations:{label}"] = time.perf_counter() - t
        cdiff = None
        enr: list[EnrichmentDiff] = []
        if closure or studies:
            t = time.perf_counter()
            cdiff = diff_closures(table, ann, o, n, odiff, relations, evidence, aspects=aspects)
            seconds[f"closure:{label}"] = time.perf_counter() - t
            for study_label, genes in (studies or {}).items():
                t = time.perf_counter()
                enr.append(diff_enrichment(list(genes), pop, cdiff, o, n, odiff, label=study_label, method=method,
                                           alpha=alpha, **enrich_options))
                seconds[f"enrichment:{label}:{study_label}"] = time.perf_counter() - t
        out.append(FileDiff(label, path, ann, cdiff, enr))
    seconds["total"] = time.perf_counter() - t0
    return ReleaseDiff(o, n, odiff, out, seconds)
