"""``run_report``: the whole pipeline for one gene, from the bundled data to a report folder.

Steps (library calls only; each step's logic lives in its own module):

1. load the GO release (:func:`goannot.load_ontology`) and check it (:func:`goannot.dagcheck.check_dag`);
2. per species, read its GAF (:func:`goannot.annotations.read_annotations`), find the gene
   (:class:`goannot.genes.GeneIndex`: UniProt accession, symbol, symbol in any case, GAF synonym) and
   keep that gene's rows; extra sets (the old NCBI table of IL7) likewise;
3. validate and repair each gene's rows (:func:`goannot.validate.validate`, policy ``replace``, with
   the file's own date as "today" so an archived GAF is judged as of its release);
4. compare the repaired sets (:func:`goannot.compare.compare`, which propagates each set and takes
   information content from the whole GAF of each species);
5. write ``report.html``, ``report.json`` and the TSV tables atomically (:mod:`goannot.atomic`).

A gene missing from one species is reported for that species (``sets[i].status`` and ``messages``)
and the report goes on with the others; comparison needs at least two sets.

``report.json`` schema (``schema: "goannot-report/1"``; keys are stable, new keys may be added)::

    {
      "schema": "goannot-report/1", "goannot_version": str, "gene": str, "species": [str],
      "relations": [str], "evidence": str,
      "releases": {"go": {"data_version", "sha256", "path"},
                   "annotations": {label: {"source", "path", "sha256", "version", "generated"}}},
      "sets": [{"label", "kind" ("species" | "extra"), "species", "taxon", "source", "path", "sha256",
                "version", "generated", "status" ("ok" | "gene-not-found" | "gene-ambiguous" | "unreadable"
                | "no-source"), "message", "gene": {"query", "status", "via", "db", "id", "curie", "symbol"},
                "rows", "file_rows", "file_rejects"}],
      "dag_check": DagReport.as_dict() (findings capped at 200; "findings_total" gives the count),
      "validation": {label: ValidationResult.as_dict()},
      "comparison": {"sets": [str], "meta": Comparison.meta, "tables": {name: [record, ...]}} or {},
      "facts": [str], "messages": [str], "timings": {step: seconds}
    }

The comparison tables are those of :func:`goannot.compare.comparison_tables` (genes, matrix,
matrix_wide, shared, core, specific, near_misses, similarity, ribbon); each is also written as
``<name>.tsv``, with ``validation_findings.tsv`` (the findings of every set, with a ``set`` column).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import __version__
from ..annotations import AnnotationSet, read_annotations
from ..atomic import atomic_open, atomic_write_text
from ..dagcheck import DagReport, check_dag
from ..errors import GoannotError
from ..genes import GeneIndex
from ..loader import load_ontology
from ..ontology import Ontology
from ..sources import Source, content_hash, get_source, locate, manifest
from ..validate import ValidationResult, validate
from ..validate.engine import header_date
from .html import render_html
from .svg import dag_svg, namespace_panels, ribbon_svg

__all__ = ["run_report", "ReportResult", "SetInfo", "DEFAULT_SPECIES", "NCBI_IL7_TABLE", "TSV_TABLES",
           "summary_text"]

log = logging.getLogger(__name__)

DEFAULT_SPECIES: tuple[str, ...] = ("human", "mouse", "rat")
#: The old NCBI Gene GO table of human IL7 (seed 004; examples/ holds it, the package ships it as data).
NCBI_IL7_TABLE = Path(__file__).resolve().parents[1] / "data" / "il7_ncbi_go_table.tsv"
NCBI_IL7_LABEL = "human NCBI 2010"
#: TSV files the report writes (when there is a comparison); stale ones from an earlier run are removed.
TSV_TABLES: tuple[str, ...] = ("genes", "matrix", "matrix_wide", "shared", "core", "specific", "near_misses",
                               "similarity", "ribbon", "validation_findings")
SCHEMA = "goannot-report/1"
_FOUND = ("found", "synonym", "replaced", "discontinued")
_VIA_TEXT = {"id": "ID", "id-ci": "ID (any case)", "symbol": "symbol", "symbol-ci": "symbol (any case)",
             "synonym": "synonym", "synonym-ci": "synonym (any case)"}
_MAX_DAG_FINDINGS = 200


@dataclass
class SetInfo:
    """One annotation set of the report: where it came from and what became of its gene."""

    label: str
    kind: str
    species: str | None = None
    taxon: int | None = None
    source: str = ""
    path: str = ""
    sha256: str = ""
    version: str = ""
    generated: str = ""
    status: str = "ok"
    message: str = ""
    gene: dict[str, Any] = field(default_factory=dict)
    rows: int = 0
    file_rows: int = 0
    file_rejects: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The ``sets[i]`` record of report.json."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ReportResult:
    """What :func:`run_report` produced: files written, the key facts, and the report.json dict."""

    out_dir: Path
    paths: dict[str, Path]
    facts: list[str]
    report: dict[str, Any]
    messages: list[str]
    seconds: float

    @property
    def html(self) -> Path:
        """The report page."""
        return self.paths["html"]

    def summary_text(self) -> str:
        """The short terminal summary (see :func:`summary_text`)."""
        return summary_text(self)


# -- inputs -----------------------------------------------------------------------------------------


def _default_source(species: str) -> Source | None:
    """The bundled GAF of a species, if the manifest has one."""
    for src in manifest().values():
        if src.kind == "annotations" and src.species == species and src.is_bundled:
            return src
    return None


def _release_date(aset: AnnotationSet, fallback: str) -> str | None:
    """The date an annotation file speaks for (its header's generated date, else a YYYY-MM-DD version)."""
    stated = header_date(aset.header)
    if stated is not None:
        return stated.isoformat()
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})", fallback)
    return m.group(1) if m else None


def _lookup(aset: AnnotationSet, gene: str, taxon: int | None) -> tuple[dict[str, Any], npt.NDArray[np.bool_] | None]:
    """Find ``gene`` in a file: the lookup record and the mask of the gene's rows (None if not found)."""
    table = aset.table
    index = GeneIndex.from_annotations(table, source=Path(aset.path).name)
    row = index.resolve_one(gene, taxon)
    rec = {"query": gene, "status": str(row["status"]), "via": _VIA_TEXT.get(str(row["via"]), str(row["via"])),
           "db": str(row["db"]), "id": str(row["id"]), "symbol": str(row["symbol"]), "ids": str(row["ids"]),
           "curie": f"{row['db']}:{row['id']}" if row["db"] and row["id"] else str(row["id"] or "")}
    if rec["status"] not in _FOUND:
        return rec, None
    if rec["id"]:
        mask = (table["db_object_id"] == rec["id"]) & (table["db"] == rec["db"])
    else:  # symbol-only tables (NCBI's web table)
        mask = (table["db_object_id"] == "") & (table["db_object_symbol"] == rec["symbol"])
        rec["curie"] = f"symbol:{rec['symbol']}"
    return rec, mask.to_numpy(dtype=bool)


def _not_found_message(label: str, where: str, rec: Mapping[str, Any]) -> tuple[str, str]:
    status = rec.get("status", "unknown")
    if status == "ambiguous":
        return "gene-ambiguous", f"{label}: {rec['query']!r} names several genes in {where}: {rec.get('ids')}"
    if status == "other-taxon":
        return "gene-not-found", (f"{label}: {rec['query']!r} is only a gene of another taxon in {where} "
                                  f"({rec.get('ids')})")
    return "gene-not-found", (f"{label}: gene {rec['query']!r} not found in {where} (no UniProt accession, "
                              f"symbol in any case or synonym matches); this set is left out")


def _read_set(info: SetInfo, path: Path, gene: str) -> tuple[AnnotationSet | None, AnnotationSet | None]:
    """Read one file and cut it down to the gene's rows: (whole file, gene rows) or Nones with a status."""
    t0 = time.perf_counter()
    try:
        whole = read_annotations(path)
    except (GoannotError, OSError) as exc:
        info.status, info.message = "unreadable", f"{info.label}: cannot read {path}: {exc}"
        return None, None
    info.path, info.sha256 = str(path), content_hash(path)
    info.file_rows, info.file_rejects = whole.input_rows, len(whole.rejects)
    info.generated = _release_date(whole, info.version) or ""
    if not info.version and whole.format in ("gaf", "gpad", "gpi"):
        info.version = f"{whole.format} {whole.version}"  # a plain table's "version" is only its layout
    rec, mask = _lookup(whole, gene, info.taxon)
    info.gene = rec
    if mask is None:
        info.status, info.message = _not_found_message(info.label, f"{info.source or path.name}", rec)
        log.warning("%s", info.message)
        return whole, None
    rows = whole.table[mask].reset_index(drop=True)
    sub = dataclasses.replace(whole, table=rows, rejects=whole.rejects.iloc[0:0], input_rows=len(rows))
    info.rows = len(rows)
    log.info("%s: %s -> %s (%s, by %s): %d of %d rows, read in %.2f s", info.label, gene, rec["curie"],
             rec["symbol"], rec["via"], len(rows), whole.input_rows, time.perf_counter() - t0)
    return whole, sub


def _plan(species: Sequence[str], sources: Mapping[str, str | Path] | None,
          extra: Mapping[str, str | Path]) -> list[tuple[SetInfo, Path | None]]:
    """The sets to read, in report order: species first, then extra sets."""
    plan: list[tuple[SetInfo, Path | None]] = []
    for sp in species:
        given = (sources or {}).get(sp)
        info = SetInfo(label=sp, kind="species", species=sp)
        src: Source | None
        if given is not None and not Path(given).exists() and str(given) in manifest():
            src = get_source(str(given))
        elif given is not None:
            src = None
            info.source, path = Path(given).name, Path(given)
            plan.append((info, path))
            continue
        else:
            src = _default_source(sp)
        if src is None:
            info.status = "no-source"
            info.message = (f"{sp}: no bundled GAF for this species; pass sources={{'{sp}': path or manifest "
                            f"name}}")
            plan.append((info, None))
            continue
        info.source, info.taxon, info.version = src.name, src.taxon, src.version
        try:
            plan.append((info, locate(src)))
        except GoannotError as exc:
            info.status, info.message = "no-source", f"{sp}: {exc}"
            plan.append((info, None))
    for label, p in extra.items():
        info = SetInfo(label=label, kind="extra", source=Path(p).name)
        if not Path(p).is_file():
            info.status, info.message = "no-source", f"{label}: no such file {p}"
            plan.append((info, None))
        else:
            plan.append((info, Path(p)))
    return plan


# -- facts -------------------------------------------------------------------------------------------


def _repair_facts(label: str, result: ValidationResult, rows: pd.DataFrame, onto: Ontology) -> list[str]:
    """One sentence per GO ID repaired by an ID rule, saying whether the repaired row was merged."""
    changes = result.changes
    if changes is None or not len(changes):
        return []
    ids = changes[(changes["column"] == "go_id")]
    merged = result.findings[result.findings["rule"] == "GOANNOT:duplicate-after-repair"]
    stated = dict(zip(rows["line"].tolist(), rows["term_name"].astype(str).tolist()))
    facts = []
    for line, rule, before, after in zip(ids["line"], ids["rule"], ids["before"], ids["after"]):
        old_name = stated.get(int(line), "")
        res = onto.resolve(str(before))
        kind = ("a secondary ID" if res.status == "secondary" else "obsolete, replaced by"
                if res.status == "obsolete" else "repaired to")
        what = f"{before}" + (f" ({old_name})" if old_name and old_name != onto.name(str(after)) else "")
        target = f"{after} ({onto.name(str(after))})"
        sentence = (f"{label}: {what} is {kind} of {target}" if kind == "a secondary ID"
                    else f"{label}: {what} is {kind} {target}")
        hit = merged[merged["go_id"] == after]
        if len(hit):
            lines = sorted({int(line)} | {int(x) for x in hit["line"]})
            sentence += (f"; repaired and merged with the row already annotating {after} "
                         f"(lines {', '.join(map(str, lines))})")
        else:
            sentence += "; repaired"
        facts.append(sentence + f" [{rule}].")
    return facts


def _validation_fact(label: str, v: ValidationResult) -> str:
    return (f"{label}: {v.input_rows} rows = {v.kept} kept + {v.repaired} repaired + {v.rejected} rejected + "
            f"{v.merged} merged.")


# -- pictures ----------------------------------------------------------------------------------------


def _dag_pictures(matrix: pd.DataFrame, onto: Ontology, relations: Sequence[str], sets: Sequence[str],
                  gene: str) -> dict[str, str]:
    """The DAG sub-graph of every term some set has (direct or inferred), striped by set: one picture
    per namespace (``"dag:<namespace>"``), so that each is scaled to the page on its own."""
    present = matrix[matrix["state"].isin(["direct", "inferred"]).to_numpy()]
    membership: dict[str, set[str]] = {}
    direct: dict[str, set[str]] = {}
    for s, t, state in zip(present["set"].astype(str), present["term"].astype(str), present["state"]):
        membership.setdefault(t, set()).add(s)
        if state == "direct":
            direct.setdefault(t, set()).add(s)
    terms = [t for t in dict.fromkeys(present["term"].astype(str))]
    inside = set(terms)
    edges = [e for e in onto.edges(relations) if e[0] in inside and e[2] in inside]
    namespaces = {t: onto.namespace(t) for t in terms}
    return {f"dag:{ns}": dag_svg(members, edges, membership, {t: onto.name(t) for t in members}, sets=sets,
                                 direct=direct, namespaces=namespaces,
                                 title=f"GO {ns.replace('_', ' ')} terms of {gene} across {', '.join(sets)}")
            for ns, members in namespace_panels(terms, namespaces)}


# -- output ------------------------------------------------------------------------------------------


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready records (numpy scalars to Python, NaN to null) through pandas' own JSON writer."""
    out: list[dict[str, Any]] = json.loads(df.to_json(orient="records", force_ascii=False))
    return out


def _write_tsv(path: Path, df: pd.DataFrame) -> None:
    with atomic_open(path, "w", newline="") as fh:
        df.to_csv(fh, sep="\t", index=False, lineterminator="\n")


def _dag_summary(dag: DagReport) -> dict[str, Any]:
    d = dag.as_dict()
    d["findings_total"] = len(d["findings"])
    d["findings"] = d["findings"][:_MAX_DAG_FINDINGS]
    return d


# -- the job -----------------------------------------------------------------------------------------


def run_report(gene: str = "IL7", species: Sequence[str] = DEFAULT_SPECIES, *,
               ontology: Ontology | str | Path | None = None,
               sources: Mapping[str, str | Path] | None = None,
               extra_sets: Mapping[str, str | Path] | None = None,
               out_dir: str | Path = "goannot-report",
               relations: Sequence[str] = ("is_a", "part_of"),
               evidence: str | Sequence[str] | None = None,
               slim: str = "goslim_agr",
               genes: Mapping[str, str] | None = None) -> ReportResult:
    """Build the report of ``gene`` across ``species`` (and extra sets) into ``out_dir``.

    ``ontology`` is a loaded :class:`~goannot.ontology.Ontology`, a manifest name or a path (default:
    the bundled GO 2019-01-27). ``sources`` maps a species to a manifest name or a GAF path (default:
    the bundled UniProt-GOA GAF of 2019-01-29). ``extra_sets`` maps labels to further annotation files
    (default for IL7: the old NCBI Gene table, labelled "human NCBI 2010"; pass ``{}`` for none).
    ``relations`` and ``evidence`` (an :class:`~goannot.evidence.EvidenceFilter` spec) govern
    propagation and comparison; ``slim`` names the subset of the ribbon (default ``goslim_agr``, the
    Alliance of Genome Resources' ribbon slim: 58 terms, narrower than ``goslim_generic``'s 147).
    ``genes`` overrides the query for some sets by label (``{"rat": "P56478"}``), for a gene whose
    symbol differs between species or names several genes in one file.
    Returns a :class:`ReportResult`; :meth:`ReportResult.summary_text` is the terminal summary.
    """
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    out = Path(out_dir)
    messages: list[str] = []

    def tick(step: str, t0: float) -> float:
        now = time.perf_counter()
        timings[step] = round(now - t0, 3)
        return now

    if extra_sets is None:
        extra: Mapping[str, str | Path] = ({NCBI_IL7_LABEL: NCBI_IL7_TABLE} if gene.upper() == "IL7"
                                           and NCBI_IL7_TABLE.is_file() else {})
        if gene.upper() == "IL7" and not NCBI_IL7_TABLE.is_file():
            log.warning("the NCBI IL7 table %s is missing from this installation; left out", NCBI_IL7_TABLE)
    else:
        extra = extra_sets

    unknown = sorted(set(genes or {}) - set(species) - set(extra))
    if unknown:
        raise GoannotError(f"genes= names no set of this report: {', '.join(unknown)} (sets: "
                           f"{', '.join([*species, *extra])})")

    stray = sorted(set(sources or {}) - set(species))
    if stray:
        raise GoannotError(f"sources= names species not in the report: {', '.join(stray)} (species: "
                           f"{', '.join(species)})")

    t = time.perf_counter()
    onto = ontology if isinstance(ontology, Ontology) else load_ontology(ontology)
    t = tick("load_ontology", t)
    log.info("GO %s loaded; checking the DAG", onto.data_version)
    dag = check_dag(onto, relations=relations)
    t = tick("dag_check", t)

    infos: list[SetInfo] = []
    validations: dict[str, ValidationResult] = {}
    repaired: dict[str, pd.DataFrame] = {}
    corpora: dict[str, AnnotationSet] = {}
    facts: list[str] = []
    for info, path in _plan(species, sources, extra):
        infos.append(info)
        if path is None:
            messages.append(info.message)
            log.warning("%s", info.message)
            continue
        whole, sub = _read_set(info, path, (genes or {}).get(info.label, gene))
        if sub is None or whole is None:
            messages.append(info.message)
            continue
        if whole.table["db_object_id"].ne("").any() and whole.table["db_object_id"].nunique() > 1:
            corpora[info.label] = whole  # information content from the whole file
        # the set keeps its file's header, so age rules count from the file's own date (engine default)
        v = validate(sub, onto, policy="replace")
        validations[info.label] = v
        assert v.table is not None
        repaired[info.label] = v.table
        facts.extend(_repair_facts(info.label, v, sub.table, onto))
        log.info("%s", _validation_fact(info.label, v))
    t = tick("read_lookup_validate", t)

    labels = list(repaired)
    comparison: dict[str, Any] = {}
    figures: dict[str, str] = {}
    slim_description = ""
    tables: dict[str, pd.DataFrame] = {}
    if len(labels) >= 2:
        try:
            comp, tables = _compare(repaired, corpora, onto, relations, evidence, slim, infos)
        except GoannotError as exc:
            messages.append(f"comparison failed: {exc}")
            log.error("comparison failed: %s", exc)
        else:
            t = tick("compare", t)
            comparison = {"sets": list(comp.sets), "meta": _jsonable(comp.meta),
                          "tables": {name: _records(df) for name, df in tables.items()}}
            facts.extend(_comparison_facts(comp))
            slim_description = onto.subset_names.get(slim, "")
            figures["ribbon"] = ribbon_svg(
                comp.ribbon, sets=labels, title=f"GO slim ribbon of {gene} ({slim})",
                caption=f"slim {slim}" + (f" ({slim_description})" if slim_description else "")
                + f", {comp.ribbon['slim_term'].nunique()} terms")
            figures.update(_dag_pictures(comp.matrix, onto, relations, labels, gene))
            t = tick("pictures", t)
    else:
        messages.append(f"only {len(labels)} set(s) have {gene!r}: nothing to compare")

    go = {"data_version": onto.data_version, "sha256": onto.provenance.sha256, "path": onto.provenance.path}
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "goannot_version": __version__,
        "gene": gene,
        "species": list(species),
        "relations": list(relations),
        "evidence": evidence if isinstance(evidence, str) or evidence is None else "+".join(evidence),
        "releases": {"go": go, "annotations": {
            i.label: {"source": i.source, "path": i.path, "sha256": i.sha256, "version": i.version,
                      "generated": i.generated} for i in infos if i.path}},
        "sets": [i.as_dict() for i in infos],
        "dag_check": _dag_summary(dag),
        "validation": {lab: v.as_dict() for lab, v in validations.items()},
        "comparison": comparison,
        "facts": facts,
        "messages": messages,
        "timings": timings,
    }

    if not validations:  # no set has the gene: a report would describe nothing, so none is written
        raise GoannotError(f"{gene!r} is in none of the sets ({', '.join(species)}); no report written. Try a "
                           f"symbol, UniProt accession or synonym (`goannot report IL7R`), or --gene-for LABEL=ID")
    paths = _write(out, report, figures, tables, validations, slim_description)
    timings["write"] = round(time.perf_counter() - t, 3)
    total = time.perf_counter() - t_start
    timings["total"] = round(total, 3)
    log.info("report of %s written to %s in %.1f s", gene, out, total)
    return ReportResult(out_dir=out, paths=paths, facts=facts, report=report, messages=messages, seconds=total)


def _compare(repaired: Mapping[str, pd.DataFrame], corpora: Mapping[str, AnnotationSet], onto: Ontology,
             relations: Sequence[str], evidence: str | Sequence[str] | None, slim: str,
             infos: Sequence[SetInfo]) -> tuple[Any, dict[str, pd.DataFrame]]:
    """The one call into :mod:`goannot.compare` (kept here so its signature is met in one place)."""
    from ..compare import compare, comparison_tables

    queries = {}
    for info in infos:
        if info.label in repaired:
            queries[info.label] = info.gene["curie"] if info.gene.get("id") else info.gene["symbol"]
    comp = compare(dict(repaired), onto, genes=queries, relations=relations, evidence=evidence,
                   corpora=dict(corpora), slim=slim)
    return comp, comparison_tables(comp)


def _comparison_facts(comp: Any) -> list[str]:
    from ..compare import summary_facts

    facts: list[str] = summary_facts(comp)
    return facts


def _jsonable(value: Any) -> Any:
    """Plain JSON types from nested dicts/lists holding numpy scalars, tuples or paths."""
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def _write(out: Path, report: dict[str, Any], figures: Mapping[str, str], tables: Mapping[str, pd.DataFrame],
           validations: Mapping[str, ValidationResult], slim_description: str = "") -> dict[str, Path]:
    """Write every output atomically; remove TSVs of an earlier run that this run has no table for."""
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, df in tables.items():
        paths[name] = out / f"{name}.tsv"
        _write_tsv(paths[name], df)
    if validations:
        findings = pd.concat([v.findings.assign(set=lab)[["set", *v.findings.columns]]
                              for lab, v in validations.items()], ignore_index=True)
        paths["validation_findings"] = out / "validation_findings.tsv"
        _write_tsv(paths["validation_findings"], findings)
    for name in TSV_TABLES:
        stale = out / f"{name}.tsv"
        if name not in paths and stale.exists():
            stale.unlink()
    paths["json"] = out / "report.json"
    atomic_write_text(paths["json"], json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    paths["html"] = out / "report.html"
    atomic_write_text(paths["html"], render_html({**report, "figures": dict(figures),
                                                  "slim_description": slim_description}))
    return paths


def summary_text(result: ReportResult, *, max_facts: int = 14) -> str:
    """A short terminal summary: where the report is, the releases, each set's gene and counts, key facts."""
    r = result.report
    go = r["releases"]["go"]
    dag = r["dag_check"]
    lines = [f"goannot report {r['gene']}: {result.paths['html']}",
             f"GO {go['data_version']} (sha256 {str(go['sha256'])[:12]}...): DAG check "
             f"{'OK' if dag['ok'] else 'FAILED'}, {dag['findings_total']} finding(s)"]
    for s in r["sets"]:
        if s["status"] == "ok":
            g = s["gene"]
            v = r["validation"].get(s["label"], {})
            lines.append(f"  {s['label']:<16} {s['source']:<24} {g['symbol']} {g['curie']} (by {g['via']}): "
                         f"{s['rows']} rows = {v.get('kept')} kept + {v.get('repaired')} repaired + "
                         f"{v.get('rejected')} rejected + {v.get('merged')} merged")
        else:
            lines.append(f"  {s['label']:<16} {s['status']}: {s['message']}")
    for fact in r["facts"][:max_facts]:
        lines.append(f"- {fact}")
    if len(r["facts"]) > max_facts:
        lines.append(f"- ... {len(r['facts']) - max_facts} more facts in report.json")
    for msg in r["messages"]:
        if not any(msg == s["message"] for s in r["sets"]):
            lines.append(f"! {msg}")
    lines.append(f"({result.seconds:.1f} s; {len(result.paths)} files in {result.out_dir})")
    return "\n".join(lines) + "\n"
