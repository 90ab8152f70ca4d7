"""The GO Consortium's annotation rules (GORULE:00000NN) that goannot can check from GO and the file alone.

Each rule is a registered, vectorized check (see :mod:`goannot.validate.rules`). The engine runs the
ID-status rules first (GORULE:0000020, malformed/unknown/secondary/obsolete IDs), applies their
repairs, and then calls these checks on the repaired chunk with each row's term known (per-row codes
into the file's table of distinct IDs, or a ``ctx.terms`` table given by the caller); so these
checks read the current term (``terms.target``) and never resolve IDs again. Rows whose term has no target (unknown, malformed, obsolete without replacement)
are left to the ID rules: a term-based rule says nothing about them.

Speed: every predicate is computed once per *distinct* value of a column and broadcast back to the
rows, through the per-chunk view that all rules of a pass share (:mod:`goannot.validate._chunkview`).

Which GO rules exist, what GO says of them and what goannot does with each is listed in
``goannot/data/gorules.tsv`` (rendered as the README's GORULE table); :func:`rule_table` reads it.
Severities follow the rule's ``fail_mode`` (hard -> error, soft -> warning) unless the docstring of
the check says why not. Rules of GO type ``filter`` with a hard fail mode ask for ``reject``:
GO removes such rows from its releases; whether goannot drops them is the engine's repair policy.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..columns import EVIDENCE_CODES, NAMESPACE_OF_ASPECT, Col
from ..ontology import Ontology
from ._chunkview import _ASPECT_CODE, _ASPECT_OF_CODE, _View, _bools, _term_aspects, _view
from ._syntax import QUALIFIER_TOKENS, syntax_checks
from ._ruletools import (Rows, _cat, _closure, _gaf_version, _is_a_closure, _is_gaf, _result, _subset, _today,
                         _years_before)
from .rules import Action, RuleContext, Severity, findings, no_findings, register

__all__ = ["ROOTS", "RELATIONS_BY_ASPECT", "GorulesRow", "rule_table", "default_relation"]

log = logging.getLogger(__name__)

BP, MF, CC = "GO:0008150", "GO:0003674", "GO:0005575"
#: The three GO root terms.
ROOTS: frozenset[str] = frozenset({BP, MF, CC})
BINDING, PROTEIN_BINDING = "GO:0005488", "GO:0005515"
CATALYTIC_ACTIVITY = "GO:0003824"
PROTEIN_CONTAINING_COMPLEX = "GO:0032991"
#: GORULE:0000015: terms (with their is_a/part_of descendants) that may carry a second taxon. GO:0051704
#: 'multi-organism process' is the parent GO used for such processes (e.g. 'defense response to
#: bacterium') before the 2020 reorganisation under GO:0044419; it is only present in older releases.
INTERSPECIES_ROOTS = ("GO:0044419", "GO:0043903", "GO:0018995", "GO:0051704")
#: GORULE:0000046: self-binding terms (and is_a descendants).
SELF_BINDING_ROOTS = ("GO:0042803", "GO:0051260", "GO:0051289", "GO:0070207", "GO:0043621", "GO:0032840")

_URL = "https://github.com/geneontology/go-site/blob/master/metadata/rules/gorule-{:07d}.md"

#: Gene product to term relations allowed by GAF 2.2 / GPAD per aspect (GORULE:0000061).
RELATIONS_BY_ASPECT: dict[str, frozenset[str]] = {
    "F": frozenset({"enables", "contributes_to"}),
    "P": frozenset({"involved_in", "acts_upstream_of", "acts_upstream_of_positive_effect",
                    "acts_upstream_of_negative_effect", "acts_upstream_of_or_within",
                    "acts_upstream_of_or_within_positive_effect", "acts_upstream_of_or_within_negative_effect"}),
    "C": frozenset({"located_in", "part_of", "is_active_in", "colocalizes_with"}),
}
_ALL_RELATIONS = frozenset().union(*RELATIONS_BY_ASPECT.values())
#: The only relations GAF 2.0/2.1 qualifiers could carry besides NOT.
_GAF21_RELATIONS = frozenset({"contributes_to", "colocalizes_with"})

#: Evidence codes retired by GO (IMR was replaced by IKR, NR by ND): GORULE:0000001 allowed values.
RETIRED_EVIDENCE = frozenset({"IMR", "NR"})
_SIMILARITY = frozenset({"ISS", "ISA", "ISO"})
_NOT_FOR_BINDING = ("IEA", "ISS", "ISM", "ISO", "ISA", "IBA", "RCA")  # GORULE:0000005

#: DB Object Type values (GAF 2.2 spec: Sequence Ontology labels of gene products; SO ids accepted too).
DB_OBJECT_TYPES = frozenset(t.lower() for t in (
    "protein", "protein_complex", "protein-containing complex", "protein-containing_complex", "complex",
    "gene", "gene_product", "transcript", "primary_transcript", "mRNA", "RNA", "ncRNA", "rRNA", "tRNA",
    "snRNA", "snoRNA", "miRNA", "lncRNA", "lnc_RNA", "lincRNA", "piRNA", "scRNA", "siRNA", "SRP_RNA",
    "RNase_P_RNA", "RNase_MRP_RNA", "telomerase_RNA", "antisense_RNA", "antisense_lncRNA", "guide_RNA",
    "tmRNA", "ribozyme", "vault_RNA", "Y_RNA", "scaRNA", "pre_miRNA", "ncRNA_gene", "protein_coding_gene",
    "pseudogene", "pseudogenic_transcript", "gene_segment", "biological region", "biological_region",
    "marker", "polypeptide", "mature_protein_region", "chain", "peptide", "isoform", "protein_isoform",
))

_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*:\S+$")
_TAXON = re.compile(r"^(?:taxon|NCBITaxon):[1-9][0-9]*$", re.IGNORECASE)
_SO_ID = re.compile(r"^SO:[0-9]{7}$")
_GO_ID = r"GO:[0-9]{7}"


# ---------------------------------------------------------------------------------------------
# GORULE:0000001 - format compliance (what the reader let through)
# ---------------------------------------------------------------------------------------------

_SINGLE_VALUED = (Col.DB, Col.DB_OBJECT_ID, Col.DB_OBJECT_SYMBOL, Col.GO_ID, Col.EVIDENCE, Col.ASPECT,
                  Col.DB_OBJECT_TYPE, Col.DATE, Col.ASSIGNED_BY)
#: One or more PREFIX:ID separated by '|' (references) or '|' and ',' (with/from), as an RE2 pattern.
_CURIE_LIST = r"^[A-Za-z][A-Za-z0-9_.\-]*:[^|,\s]+(?:[|,][A-Za-z][A-Za-z0-9_.\-]*:[^|,\s]+)*$"


def _qualifier_problem(version: str) -> Callable[[str], str]:
    allowed = _GAF21_RELATIONS if version and version < "2.2" else _ALL_RELATIONS
    label = f"GAF {version}" if version else "GAF 2.2"

    def problem(q: str) -> str:
        if not q:
            return ""
        parts = [p.strip() for p in q.split("|")]
        bad = [p for p in parts if p != "NOT" and p not in allowed]
        if bad:
            return f"qualifier value(s) {', '.join(repr(b) for b in bad)} not allowed in {label}"
        if parts.count("NOT") > 1 or sum(p != "NOT" for p in parts) > 1:
            return f"qualifier {q!r}: at most one NOT and one relation"
        return ""
    return problem


def _taxon_problem(t: str) -> str:
    if not t:
        return ""
    parts = t.split("|")
    bad = [p for p in parts if not _TAXON.match(p.strip())]
    if bad:
        return f"taxon {', '.join(repr(b) for b in bad)} is not of the form taxon:NNNN"
    if len(parts) > 2:
        return f"taxon column has {len(parts)} values; GAF allows one, or two for interspecies annotations"
    return ""


def _type_problem(t: str) -> str:
    if not t or t.lower() in DB_OBJECT_TYPES or _SO_ID.match(t):
        return ""
    return f"DB object type {t!r} is not a gene product type (SO label or SO id)"


def _evidence_problem(e: str) -> str:
    if e in RETIRED_EVIDENCE:
        return f"evidence code {e} is retired by GO (IMR -> IKR, NR -> ND)"
    if e and e not in EVIDENCE_CODES:
        return f"evidence {e!r} is not a GO evidence code"
    return ""


@register("GORULE:0000001", "GAF lines are parsed according to GAF 2.2 specifications", Severity.ERROR,
          url=_URL.format(1))
def gorule_0000001(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Row syntax the reader does not check: allowed values, cardinalities and minimal forms.

    The reader already rejects wrong column counts, empty mandatory columns, impossible dates and
    non-GO evidence codes. Left here: qualifier values (GAF 2.0/2.1 know only NOT, contributes_to
    and colocalizes_with; 2.2 the gp2term relations), retired evidence codes (IMR, NR), the aspect
    value when the term's namespace is unknown (otherwise GORULE:0000028 repairs it), the DB
    object type, the taxon form and its cardinality (one, or two for interspecies annotations),
    pipes in single-valued columns, the minimal PREFIX:ID form of references, with/from entries and
    the gene product form id, and dates in the future. One finding per row: the first problem.
    """
    v = _view(chunk, ctx)
    checks, settle = syntax_checks(v, ctx)  # unreadable qualifiers rejected, malformed extensions repaired
    for c in _SINGLE_VALUED:
        checks.append((v.contains(c, "|"), f"column {c.value} must hold a single value"))
    for c, fn in ((Col.QUALIFIER, _qualifier_problem(_gaf_version(ctx))), (Col.EVIDENCE, _evidence_problem),
                  (Col.DB_OBJECT_TYPE, _type_problem), (Col.TAXON, _taxon_problem)):
        t = v.table(c, fn, dtype=object, key=("problem", c, _gaf_version(ctx)))
        bad = (t != "")[v.codes(c)[0]] if len(t) else np.zeros(v.n, dtype=bool)
        checks.append((bad, lambda rows, c=c, t=t: t[v.codes(c)[0][rows]]))
    if _is_gaf(ctx):
        bad_aspect = ~v.isin(Col.ASPECT, tuple(NAMESPACE_OF_ASPECT)) & ~v.eq(Col.ASPECT, "") \
            & (v.aspect_codes(ctx.ontology) == 0)
        checks.append((bad_aspect, "aspect must be P, F or C"))
    # References and with/from repeat (a fifth / a third distinct): encoded here, they are matched once
    # per distinct value, and the later rules reading them share the codes.
    v.codes(Col.REFERENCE)
    v.codes(Col.WITH_FROM)
    for c, what in ((Col.REFERENCE, "reference"), (Col.WITH_FROM, "with/from"),
                    (Col.GENE_PRODUCT_FORM_ID, "gene product form id")):
        bad = ~v.empty(c) & ~v.regex(c, _CURIE_LIST)
        checks.append((bad, lambda rows, c=c, what=what: _cat(f"{what} ", v.values(c, rows),
                                                              " is not of the form PREFIX:ID")))
    today = _today(ctx).strftime("%Y%m%d")
    checks.append((_bools(pc.greater(v.arrow(Col.DATE), today)), f"date lies after today ({today})"))
    return settle(_first_problem(v, checks))


def _first_problem(v: _View, checks: list[tuple[npt.NDArray[np.bool_], Any]]) -> pd.DataFrame:
    """One finding per row: the message of the first check that flags it."""
    which = np.full(v.n, -1, dtype=np.int32)
    for k, (mask, _) in reversed(list(enumerate(checks))):
        which[mask] = k
    rows = np.flatnonzero(which >= 0)
    if not len(rows):
        return no_findings()
    msgs = np.empty(len(rows), dtype=object)
    for k, (_, msg) in enumerate(checks):
        sel = which[rows] == k
        if sel.any():
            msgs[sel] = msg(rows[sel]) if callable(msg) else msg
    return findings(rows, msgs, go_id=v.values(Col.GO_ID, rows))


# ---------------------------------------------------------------------------------------------
# Binding, evidence and term-class rules
# ---------------------------------------------------------------------------------------------

@register("GORULE:0000002", "No 'NOT' annotations to binding ; GO:0005488 or 'protein binding ; GO:0005515'",
          Severity.ERROR, url=_URL.format(2))
def gorule_0000002(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """NOT annotations directly to binding or protein binding (would mean 'binds nothing')."""
    v = _view(chunk, ctx)
    mask = v.negated() & v.term_in((BINDING, PROTEIN_BINDING))
    return _result(mask, "NOT annotation to binding / protein binding: the protein would bind nothing", v)


@register("GORULE:0000005", "IEA, ISS and ISS-related annotations should not be used to support direct "
          "annotations to 'protein binding ; GO:0005515' or 'binding ; GO:0005488'", Severity.WARNING,
          url=_URL.format(5))
def gorule_0000005(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """IEA, ISS, ISM, ISO, ISA, IBA or RCA annotations directly to binding / protein binding."""
    v = _view(chunk, ctx)
    mask = v.isin(Col.EVIDENCE, _NOT_FOR_BINDING) & v.term_in((BINDING, PROTEIN_BINDING))
    return _result(mask, lambda r: _cat("evidence ", v.values(Col.EVIDENCE, r),
                                        " is not allowed for a direct annotation to binding / protein binding"), v)


@register("GORULE:0000006", "IEP and HEP usage is restricted to terms from the Biological Process ontology, "
          "except when assigned by GOC", Severity.ERROR, url=_URL.format(6))
def gorule_0000006(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """IEP/HEP on a molecular function or cellular component term, whoever assigned it.

    Older rule text exempted rows assigned by GOC; the current text (go-site metadata) has no
    exception. GO filters the rows (hard), hence ``reject``.
    """
    v = _view(chunk, ctx)
    asp = v.aspect_codes(ctx.ontology)
    mask = v.isin(Col.EVIDENCE, ("IEP", "HEP")) & (asp >= 2)
    names = np.array(["", "biological process", "molecular function", "cellular component"], dtype=object)
    return _result(mask, lambda r: _cat("evidence ", v.values(Col.EVIDENCE, r), " used with a ", names[asp[r]],
                                        " term (only biological process allowed)"), v, action=Action.REJECT)


@register("GORULE:0000007", "IPI should not be used with GO:0003824 catalytic activity or descendents",
          Severity.WARNING, url=_URL.format(7))
def gorule_0000007(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """IPI annotations to catalytic activity or its is_a descendants (binary interaction is too weak)."""
    v = _view(chunk, ctx)
    mask = v.eq(Col.EVIDENCE, "IPI") & v.term_in(_is_a_closure(ctx.ontology, CATALYTIC_ACTIVITY))
    return _result(mask, "IPI evidence for a catalytic activity: to be reviewed", v)


@register("GORULE:0000008", "No annotations should be made to uninformative high level terms", Severity.WARNING,
          url=_URL.format(8))
def gorule_0000008(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Direct annotations to gocheck_do_not_annotate terms, or manual ones to gocheck_do_not_manually_annotate.

    IEA annotations may use gocheck_do_not_manually_annotate terms; no annotation may use a
    gocheck_do_not_annotate term. Only the term itself counts, not its ancestors.
    """
    v = _view(chunk, ctx)
    never = v.term_in(_subset(ctx.ontology, "gocheck_do_not_annotate"))
    manual = v.term_in(_subset(ctx.ontology, "gocheck_do_not_manually_annotate")) & ~v.eq(Col.EVIDENCE, "IEA")
    text = np.array(["term is in gocheck_do_not_manually_annotate: too general for a manual annotation",
                     "term is in gocheck_do_not_annotate: too general for any annotation"], dtype=object)
    return _result(never | manual, lambda r: text[never[r].astype(np.int8)], v)


@register("GORULE:0000011", "ND evidence code should be to root nodes only, and no terms other than root nodes "
          "can have the evidence code ND", Severity.ERROR, url=_URL.format(11))
def gorule_0000011(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """ND annotations to anything but the three roots (filtered by GO, hence ``reject``).

    The converse (a root annotated with another code) is GORULE:0000041's finding, so a row is
    never reported twice. ND to a root (as RGD's "no data" rows) is correct and passes.
    """
    v = _view(chunk, ctx)
    mask = v.eq(Col.EVIDENCE, "ND") & ~v.term_in(ROOTS) & v.has_target()
    return _result(mask, "ND evidence is only for the root terms (GO:0008150, GO:0003674, GO:0005575)", v,
                   action=Action.REJECT)


@register("GORULE:0000041", "For the root terms, ND is the only valid evidence code", Severity.WARNING,
          url=_URL.format(41))
def gorule_0000041(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Annotations to a root term with an evidence code other than ND."""
    v = _view(chunk, ctx)
    mask = v.term_in(ROOTS) & ~v.eq(Col.EVIDENCE, "ND")
    return _result(mask, lambda r: _cat("a root term annotated with evidence ", v.values(Col.EVIDENCE, r),
                                        "; only ND is valid for the roots"), v)


@register("GORULE:0000015", "Dual species taxon check", Severity.WARNING, url=_URL.format(15))
def gorule_0000015(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Two taxa only on interspecies terms, and never the same taxon twice.

    A second taxon is allowed for descendants of GO:0044419 (interspecies interaction), GO:0043903
    (its regulation) and GO:0018995 (host cellular component). The rule says is_a descendants, but
    GO's own passing example (host cell plasma membrane) sits below 'host' by part_of in the bundled
    release, so part_of is followed too; GO:0051704 stands for GO:0044419 in pre-2020 releases.
    """
    v = _view(chunk, ctx)
    multi = v.per_value(Col.TAXON, lambda t: "|" in t, key="multi")
    if not multi.any():
        return no_findings()
    repeated = v.per_value(Col.TAXON, lambda t: len(set(t.split("|"))) < len(t.split("|")), key="repeated")
    allowed = _closure(ctx.ontology, ("is_a", "part_of"), *INTERSPECIES_ROOTS)
    wrong_term = multi & ~v.term_in(allowed) & v.has_target()
    text = np.array(["a second taxon is only for interspecies terms (GO:0044419, GO:0043903, GO:0018995)",
                     "the same taxon is given twice"], dtype=object)
    return _result(repeated | wrong_term, lambda r: text[repeated[r].astype(np.int8)], v)


# ---------------------------------------------------------------------------------------------
# With/from rules
# ---------------------------------------------------------------------------------------------

@register("GORULE:0000016", "With/From: IC annotations require a With/From GO ID", Severity.ERROR,
          url=_URL.format(16))
def gorule_0000016(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """IC annotations whose with/from holds no GO ID, or only the annotated term itself."""
    v = _view(chunk, ctx)
    ic = np.flatnonzero(v.eq(Col.EVIDENCE, "IC"))
    if not len(ic):
        return no_findings()
    wf = v.values(Col.WITH_FROM, ic).tolist()
    term = v.values("terms.target", ic).tolist()
    go = v.values(Col.GO_ID, ic).tolist()
    msgs = np.full(v.n, "", dtype=object)
    for k, (w, t, g) in enumerate(zip(wf, term, go)):
        gos = re.findall(_GO_ID, w)
        if not gos:
            msgs[ic[k]] = "IC annotation without a GO ID in with/from"
        elif all(x in (t, g) for x in gos):
            msgs[ic[k]] = "IC annotation whose with/from GO ID is the annotated term itself"
    return _result(msgs != "", lambda r: msgs[r], v)


@register("GORULE:0000017", "IDA annotations must not have a With/From entry", Severity.WARNING,
          url=_URL.format(17))
def gorule_0000017(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """IDA annotations with something in with/from (use IPI when there is an interactor)."""
    v = _view(chunk, ctx)
    mask = v.eq(Col.EVIDENCE, "IDA") & ~v.empty(Col.WITH_FROM)
    return _result(mask, "IDA annotation with a with/from entry (IPI is for annotations with an interactor)", v)


@register("GORULE:0000018", "IPI annotations require a With/From entry", Severity.WARNING, url=_URL.format(18))
def gorule_0000018(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """IPI annotations with an empty with/from (the interactor must be named)."""
    v = _view(chunk, ctx)
    mask = v.eq(Col.EVIDENCE, "IPI") & v.empty(Col.WITH_FROM)
    return _result(mask, "IPI annotation without an interactor in with/from", v)


@register("GORULE:0000046", "The 'with' field (GAF column 8) must be the same as the gene product (GAF column 2) "
          "when annotating to 'self-binding' terms", Severity.WARNING, url=_URL.format(46))
def gorule_0000046(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Self-binding terms (homodimerization, ...) whose with/from names a partner other than the gene product.

    Rows with an empty with/from are left alone (nothing contradicts self-binding there).
    """
    v = _view(chunk, ctx)
    cand = np.flatnonzero(v.term_in(_is_a_closure(ctx.ontology, *SELF_BINDING_ROOTS)) & ~v.empty(Col.WITH_FROM))
    mask = np.zeros(v.n, dtype=bool)
    mask[cand[~v.self_in_with(cand)]] = True
    return _result(mask, "self-binding term, but with/from does not list the gene product itself", v)


@register("GORULE:0000047", "With/from: ChEBI IDs in With/from can only be used with terms that are "
          "descendants of GO:0005488 (binding)", Severity.WARNING, url=_URL.format(47))
def gorule_0000047(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """A CHEBI id in with/from on a term that is not binding or an is_a descendant of it."""
    v = _view(chunk, ctx)
    chebi = v.regex(Col.WITH_FROM, r"(?i)(?:^|[|,])chebi:", literal="chebi:")
    if not chebi.any():
        return no_findings()
    mask = chebi & ~v.term_in(_is_a_closure(ctx.ontology, BINDING)) & v.has_target()
    return _result(mask, "ChEBI id in with/from, but the term is not a kind of binding", v)


@register("GORULE:0000050", "Annotations to ISS, ISA and ISO should not be self-referential", Severity.WARNING,
          url=_URL.format(50))
def gorule_0000050(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """ISS/ISA/ISO annotations whose with/from is the annotated gene product itself."""
    v = _view(chunk, ctx)
    cand = np.flatnonzero(v.isin(Col.EVIDENCE, _SIMILARITY) & ~v.empty(Col.WITH_FROM))
    mask = np.zeros(v.n, dtype=bool)
    mask[cand[v.self_in_with(cand)]] = True
    return _result(mask, "similarity evidence citing the gene product itself in with/from", v)


@register("GORULE:0000063", "Annotations using ISS/ISA/ISO evidence should refer to a gene product (in the "
          "'with' column)", Severity.WARNING, url=_URL.format(63))
def gorule_0000063(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """ISS/ISA/ISO annotations with an empty with/from (ISM is outside the rule)."""
    v = _view(chunk, ctx)
    mask = v.isin(Col.EVIDENCE, _SIMILARITY) & v.empty(Col.WITH_FROM)
    return _result(mask, lambda r: _cat("evidence ", v.values(Col.EVIDENCE, r),
                                        " without the similar gene product in with/from"), v)


# ---------------------------------------------------------------------------------------------
# Evidence / provenance rules
# ---------------------------------------------------------------------------------------------

#: PAINT's reference: GO_REF:0000033 now; PMID:21873635 and PAINT_REF:n in files before 2019/2020.
_PAINT_REFERENCES = ("GO_REF:0000033", "PMID:21873635", "PAINT_REF:")


@register("GORULE:0000026", "IBA annotations must have been sourced from the PAINT inference pipeline",
          Severity.ERROR, url=_URL.format(26))
def gorule_0000026(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """IBA annotations not assigned by GO_Central: they leaked from elsewhere than PAINT (filtered by GO).

    GO decides per submitted file (is it registered as a PAINT source in paint.yaml?); a file alone
    only tells who assigned each row, and PAINT's IBAs are assigned by GO_Central.
    """
    v = _view(chunk, ctx)
    mask = v.eq(Col.EVIDENCE, "IBA") & ~v.eq(Col.ASSIGNED_BY, "GO_Central")
    return _result(mask, lambda r: _cat("IBA annotation assigned by ", v.values(Col.ASSIGNED_BY, r),
                                        ", not by GO_Central (PAINT)"), v, action=Action.REJECT)


@register("GORULE:0000037", "IBA annotations should ONLY be assigned_by GO_Central and have GO_REF:0000033 "
          "as a reference", Severity.ERROR, url=_URL.format(37))
def gorule_0000037(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """IBA annotations whose reference is not PAINT's GO_REF:0000033 (rejected); the references PAINT used
    before it (PMID:21873635, and PAINT_REF:n in 2018-era files) are accepted with a warning.

    The assigned_by half of the rule is GORULE:0000026's finding, so a leaked row is reported once.
    """
    v = _view(chunk, ctx)
    iba = v.eq(Col.EVIDENCE, "IBA")
    if not iba.any():
        return no_findings()
    rows = np.flatnonzero(iba)  # the reference matters only on IBA rows: a few percent of a file
    refs = v.arrow(Col.REFERENCE).take(pa.array(rows, type=pa.int64())).dictionary_encode()
    texts = refs.dictionary.to_pylist()  # a handful of distinct references: judged one by one
    ok = np.array([bool(re.search(r"(?:^|\|)GO_REF:0000033(?:\||$)", t)) for t in texts] + [False], dtype=bool)
    old = np.array([bool(re.search(r"(?:^|\|)(?:PMID:21873635|PAINT_REF:[0-9]+)(?:\||$)", t)) for t in texts]
                   + [False], dtype=bool) & ~ok
    code = np.full(v.n, len(texts), dtype=np.intp)
    code[rows] = refs.indices.to_numpy(zero_copy_only=False)
    bad, legacy = iba & ~ok[code] & ~old[code], old[code]  # legacy: references PAINT used before GO_REF:0000033
    text = np.array([f"IBA annotation with PAINT's legacy reference {t} (now GO_REF:0000033)" for t in texts]
                    + [""], dtype=object)

    if not bad.any() and int(old.sum()) == 1:  # 2019-era files: every IBA row cites PMID:21873635
        return _result(legacy, text[int(np.flatnonzero(old)[0])], v, action=str(Action.REPORT),
                       severity=str(Severity.WARNING))

    def message(r: Rows) -> npt.NDArray[Any]:
        return np.where(legacy[r], text[code[r]], "IBA annotation without the PAINT reference GO_REF:0000033")
    return _result(bad | legacy, message, v,
                   action=lambda r: np.where(legacy[r], str(Action.REPORT), str(Action.REJECT)).astype(object),
                   severity=lambda r: np.where(legacy[r], str(Severity.WARNING), str(Severity.ERROR)).astype(object))


@register("GORULE:0000042", "Qualifier: IKR evidence code requires a NOT qualifier", Severity.ERROR,
          url=_URL.format(42))
def gorule_0000042(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """IKR annotations without NOT (IKR states a loss of function)."""
    v = _view(chunk, ctx)
    mask = v.eq(Col.EVIDENCE, "IKR") & ~v.negated()
    return _result(mask, "IKR evidence without a NOT qualifier", v, action=Action.REJECT)


@register("GORULE:0000029", "IEAs should be less than one year old.", Severity.ERROR, url=_URL.format(29))
def gorule_0000029(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """IEA annotations older than three years (rejected) or one to three years (reported).

    Age is counted from ``ctx.options["today"]`` (default: today), so an archived release should be
    validated with its own date. GO's one-to-three-year band is a warning: those findings carry
    ``action="report"`` and an extra ``severity`` column saying ``warning``.
    """
    v = _view(chunk, ctx)
    iea = v.eq(Col.EVIDENCE, "IEA")
    if not iea.any():
        return no_findings()
    today = _today(ctx)
    one, three = _years_before(today, 1).strftime("%Y%m%d"), _years_before(today, 3).strftime("%Y%m%d")
    date = v.arrow(Col.DATE)
    old = iea & _bools(pc.less(date, three))
    aging = iea & ~old & _bools(pc.less(date, one))
    mask = old | aging
    text = np.array(["IEA older than one year (dated ", "IEA older than three years (dated "], dtype=object)
    out = _result(mask, lambda r: _cat(text[old[r].astype(np.int8)], v.values(Col.DATE, r), ")"), v,
                  action=lambda r: np.where(old[r], str(Action.REJECT), str(Action.REPORT)).astype(object))
    if len(out):
        out["severity"] = np.where(old[mask], str(Severity.ERROR), str(Severity.WARNING)).astype(object)
    return out


# ---------------------------------------------------------------------------------------------
# Term / namespace / relation rules
# ---------------------------------------------------------------------------------------------

@register("GORULE:0000028", "GO aspect should match the term's namespace; otherwise it is repaired to the "
          "appropriate aspect", Severity.ERROR, fix="set the aspect to the one of the term's namespace",
          url=_URL.format(28))
def gorule_0000028(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Aspect (GAF column 9) not matching the current term's namespace; repaired.

    Not applied to rows without an aspect (GPAD has no aspect column).
    """
    v = _view(chunk, ctx)
    want = v.aspect_codes(ctx.ontology)
    acodes, auniq = v.codes(Col.ASPECT)
    have = np.array([_ASPECT_OF_CODE.index(a) if a in _ASPECT_OF_CODE[1:] else -1 for a in auniq], dtype=np.int8)
    have_row = have[acodes] if len(have) else np.zeros(v.n, dtype=np.int8)
    mask = (want > 0) & (have_row != want) & ~v.eq(Col.ASPECT, "")
    letters = np.array(_ASPECT_OF_CODE, dtype=object)
    names = np.array(["", "biological_process", "molecular_function", "cellular_component"], dtype=object)
    return _result(mask, lambda r: _cat("aspect ", v.values(Col.ASPECT, r), " but the term is a ", names[want[r]]),
                   v, fix=lambda r: _cat("aspect ", v.values(Col.ASPECT, r), " -> ", letters[want[r]]),
                   action=Action.REPAIR, set_aspect=lambda r: letters[want[r]])


@register("GORULE:0000039", "Protein complexes can not be annotated to GO:0032991 (protein-containing complex) "
          "or its descendants", Severity.ERROR, url=_URL.format(39))
def gorule_0000039(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """ComplexPortal entities annotated to protein-containing complex or its is_a descendants (filtered)."""
    v = _view(chunk, ctx)
    cp = v.per_value(Col.DB, lambda d: d.lower() == "complexportal", key="complexportal")
    if not cp.any():
        return no_findings()
    mask = cp & v.term_in(_is_a_closure(ctx.ontology, PROTEIN_CONTAINING_COMPLEX))
    return _result(mask, "a ComplexPortal complex annotated to a protein-containing complex term", v,
                   action=Action.REJECT)


@register("GORULE:0000051", "Some GO terms require a value in the Annotation Extension field", Severity.WARNING,
          url=_URL.format(51))
def gorule_0000051(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Direct annotations to protein binding or binding without an annotation extension."""
    v = _view(chunk, ctx)
    mask = v.term_in((BINDING, PROTEIN_BINDING)) & v.empty(Col.ANNOTATION_EXTENSION)
    return _result(mask, "annotation to binding / protein binding needs an annotation extension", v)


@register("GORULE:0000065", "Annotations to term that are candidates for obsoletion should be removed",
          Severity.WARNING, url=_URL.format(65))
def gorule_0000065(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Annotations to terms of the gocheck_obsoletion_candidate subset (absent from releases before 2020)."""
    cand = _subset(ctx.ontology, "gocheck_obsoletion_candidate")
    if not cand:
        return no_findings()
    v = _view(chunk, ctx)
    return _result(v.term_in(cand), "term is scheduled for obsoletion (gocheck_obsoletion_candidate)", v)


#: Default relations, indexed by :func:`_default_codes`.
_DEFAULTS = ("", "enables", "involved_in", "acts_upstream_of_or_within", "is_active_in", "part_of", "located_in")


def default_relation(aspect: str, is_root: bool, is_complex: bool) -> str:
    """The gp2term relation GO assigns by default (GORULE:0000059 / 0000061).

    F: enables. P: involved_in for the root, acts_upstream_of_or_within below it. C: is_active_in
    for the root, part_of for protein-containing complex and its is_a descendants, located_in else.
    """
    if aspect == "F":
        return "enables"
    if aspect == "P":
        return "involved_in" if is_root else "acts_upstream_of_or_within"
    if aspect == "C":
        if is_root:
            return "is_active_in"
        return "part_of" if is_complex else "located_in"
    return ""


def _default_codes(v: _View, ctx: RuleContext) -> npt.NDArray[np.int8]:
    """Per row, the index in :data:`_DEFAULTS` of the current term's default relation (0: no term)."""
    onto = ctx.ontology
    cplx = _is_a_closure(onto, PROTEIN_CONTAINING_COMPLEX)
    if ctx.terms_deferred:
        return v.verdict_vector("default_relation", lambda t: _default_vector(onto, t, cplx))

    def code(t: str) -> int:
        a = _ASPECT_OF_CODE[_ASPECT_CODE.get(onto.namespace(t), 0)] if t and t in onto else ""
        return _DEFAULTS.index(default_relation(a, t in ROOTS, t in cplx))
    return v.per_value("terms.target", code, dtype=np.int8, key="default_relation")


def _default_vector(onto: Ontology, ids: npt.NDArray[Any], cplx: frozenset[str]) -> npt.NDArray[np.int8]:
    """:func:`default_relation` as :data:`_DEFAULTS` indices for many IDs at once (what ``code`` says per ID)."""
    aspect = _term_aspects(onto, ids)
    listed = ids.tolist()
    root = np.fromiter((t in ROOTS for t in listed), dtype=bool, count=len(listed))
    is_cplx = np.fromiter((t in cplx for t in listed), dtype=bool, count=len(listed))
    out = np.zeros(len(ids), dtype=np.int8)
    out[aspect == 2] = _DEFAULTS.index("enables")
    out[(aspect == 1) & root] = _DEFAULTS.index("involved_in")
    out[(aspect == 1) & ~root] = _DEFAULTS.index("acts_upstream_of_or_within")
    out[(aspect == 3) & root] = _DEFAULTS.index("is_active_in")
    out[(aspect == 3) & ~root & is_cplx] = _DEFAULTS.index("part_of")
    out[(aspect == 3) & ~root & ~is_cplx] = _DEFAULTS.index("located_in")
    return out


def _new_qualifiers(v: _View, default: npt.NDArray[np.int8], rows: Rows, prefix: str = "") -> npt.NDArray[Any]:
    """``prefix`` + 'NOT|<default>' or '<default>' for ``rows`` (built from a 14-entry table)."""
    table = np.array([prefix + ("NOT|" if neg else "") + d for d in _DEFAULTS for neg in (False, True)], dtype=object)
    return table[default[rows].astype(np.intp) * 2 + v.negated()[rows]]


@register("GORULE:0000059", "GAF Version 2.0 and 2.1 are converted into GAF Version 2.2", Severity.INFO,
          fix="write the default gp2term relation into the qualifier (NOT kept)", url=_URL.format(59))
def gorule_0000059(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Rows of a GAF 2.0/2.1 file without a relation, with the relation GAF 2.2 would give them.

    Only for files declared 2.0 or 2.1 (``ctx.options["gaf_version"]`` or the header), and only when
    the user asked for the conversion (``ctx.options["convert_to_22"]``): a GAF 2.1 file without
    relations is valid GAF 2.1, so reporting every row of it would bury real findings (472k rows
    of the human file). Existing contributes_to / colocalizes_with are kept.
    """
    version = _gaf_version(ctx)
    if not (version.startswith("2.0") or version.startswith("2.1")) or not ctx.options.get("convert_to_22"):
        return no_findings()
    v = _view(chunk, ctx)
    default = _default_codes(v, ctx)
    rcodes, rel = v.relation()
    no_rel = np.array([r == "" for r in rel], dtype=bool)[rcodes] if rel else np.zeros(v.n, dtype=bool)
    mask = no_rel & (default > 0)
    action = Action.REPAIR
    return _result(mask, lambda r: _new_qualifiers(v, default, r, "no gp2term relation (GAF 2.2 requires one): "),
                   v, fix=lambda r: _new_qualifiers(v, default, r, "qualifier -> "), action=action,
                   set_qualifier=lambda r: _new_qualifiers(v, default, r))


def _allowed(default: str, relation: str) -> bool:
    """GORULE:0000061: may a term whose default relation is ``default`` carry ``relation``."""
    if default in ("", "enables") and relation == "enables":
        return True
    return {
        "enables": relation in RELATIONS_BY_ASPECT["F"],  # F below the root (root: see _ROOT_ONLY)
        "involved_in": relation == "involved_in",
        "acts_upstream_of_or_within": relation in RELATIONS_BY_ASPECT["P"],
        "is_active_in": relation == "is_active_in",
        "part_of": relation == "part_of",
        "located_in": relation in ("located_in", "is_active_in", "colocalizes_with"),
    }.get(default, True)


@register("GORULE:0000061", "Allowed gene product to term relations (gp2term)", Severity.ERROR,
          fix="replace the relation by the term's default relation (NOT kept)", url=_URL.format(61))
def gorule_0000061(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Relations not allowed for the term; repaired to the default relation for the term.

    F root: enables; F: enables, contributes_to. P root: involved_in; P: involved_in and the
    acts_upstream_of family. C root: is_active_in; protein-containing complex (is_a): part_of;
    other C: located_in, is_active_in, colocalizes_with (GO:0110165 'cellular anatomical entity',
    which the rule names, is newer than the bundled release; every other CC term is treated so).
    In GAF 2.0/2.1 files rows without a relation are GORULE:0000059's business and skipped here.
    """
    v = _view(chunk, ctx)
    default = _default_codes(v, ctx)
    rcodes, rel = v.relation()
    if not rel:
        return no_findings()
    mf_root = v.term_in((MF,))
    readable = np.array([all(t.strip() in QUALIFIER_TOKENS for t in q.split("|")) if q else True
                         for q in v.codes(Col.QUALIFIER)[1]], dtype=bool)  # never repair an unreadable one
    # allowed[d, r]: default relation index d x distinct relation r
    allowed = np.array([[_allowed(d, r) for r in rel] for d in _DEFAULTS], dtype=bool)
    ok = allowed[default, rcodes]
    ok[mf_root] = np.array([r == "enables" for r in rel], dtype=bool)[rcodes[mf_root]]
    # A missing relation is a defect only where the format requires one (GAF 2.2, GPAD); GAF 2.0/2.1,
    # gene2go and plain tables carry none (GORULE:0000059 converts GAF 2.1 on request).
    fmt = str(ctx.options.get("format", "gaf"))
    if not (fmt == "gpad" or (fmt == "gaf" and _gaf_version(ctx).startswith("2.2"))):
        ok |= np.array([r == "" for r in rel], dtype=bool)[rcodes]
    mask = ~ok & (default > 0) & (readable[v.codes(Col.QUALIFIER)[0]] if len(readable) else True)
    rel_arr = np.array(rel, dtype=object)

    def message(r: Rows) -> npt.NDArray[Any]:
        got = rel_arr[rcodes[r]]
        shown = np.where(got == "", "no relation", "relation " + got.astype(str)).astype(object)
        return _cat(shown, " not allowed for this term; default: ", np.array(_DEFAULTS, dtype=object)[default[r]])

    return _result(mask, message, v, fix=lambda r: _new_qualifiers(v, default, r, "qualifier -> "),
                   action=Action.REPAIR, set_qualifier=lambda r: _new_qualifiers(v, default, r))


# ---------------------------------------------------------------------------------------------
# Identifier rules
# ---------------------------------------------------------------------------------------------

#: Legacy prefixes GO repairs to the canonical one (GORULE:0000027's example; db-xrefs.yaml has the rest).
PREFIX_SYNONYMS = {"UniProt": "UniProtKB", "Uniprot": "UniProtKB", "UNIPROTKB": "UniProtKB",
                   "uniprotkb": "UniProtKB", "UniprotKB": "UniProtKB"}
#: A PubMed reference that is not PMID:<positive integer> (PMID:PMID:1, PMID:0, PMID:unpublished, PMID:.).
_BAD_PMID = r"(?:^|\|)(?i:pmid):(?:$|\||[^1-9]|[0-9]+[^0-9|])"


_GO_ID_RE = re.compile(_GO_ID)
#: Most distinct with/from or extension values whose GO IDs' verdicts a file's run keeps.
_VALUE_MEMO_LIMIT = 200_000


def _go_id_problem(onto: Ontology, term: str) -> str:
    """'' for a current primary GO ID, else why it is not one (secondary, obsolete, unknown); memoized."""
    memo: dict[str, str] = onto.derived(("goannot.validate.gorules", "id_problems"), dict)
    got = memo.get(term)
    if got is None:
        r = onto.resolve(term)
        status = r.status.value
        if status == "primary":
            got = ""
        elif status == "secondary":
            got = f"{term} is a secondary ID of {r.primary}"
        elif status == "obsolete":
            got = f"{term} is obsolete" + (f" (replaced by {', '.join(r.replaced_by)})" if r.replaced_by else "")
        else:
            got = f"{term} is not in this GO release"
        memo[term] = got
    return got


@register("GORULE:0000027", "Each identifier in GAF is valid", Severity.WARNING,
          fix="replace legacy prefix synonyms by the canonical prefix (UniProt -> UniProtKB)", url=_URL.format(27))
def gorule_0000027(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """What can be checked of identifiers without db-xrefs.yaml and groups.yaml.

    Malformed PubMed references (PMID:PMID:1, PMID:0, PMID:unpublished), GO IDs in with/from and
    annotation extensions that are not current terms (unknown, secondary or obsolete: not extant),
    and the legacy 'UniProt' prefix in column 1 (repaired to 'UniProtKB', as the rule asks). Whether a prefix is registered at all,
    its local-ID syntax and the assigned_by group need GO's metadata files.
    """
    v = _view(chunk, ctx)
    onto = ctx.ontology
    checks: list[tuple[npt.NDArray[np.bool_], Any]] = [
        (v.regex(Col.REFERENCE, _BAD_PMID, literal="pmid:"),
         lambda r: _cat("malformed PubMed reference in ", v.values(Col.REFERENCE, r), " (PMID:<number>)"))]
    for c in (Col.WITH_FROM, Col.ANNOTATION_EXTENSION):
        # Judged once per distinct value (with/from and extensions repeat a lot) and broadcast.
        codes, distinct = v.codes(c)
        cand = np.flatnonzero(_bools(pc.match_substring(v.distinct(c), "GO:"))) if distinct else np.zeros(0, np.intp)
        if len(cand):
            # ... and once per file: a value's verdict is kept for the file's later chunks (bounded).
            memo: dict[str, str] = ctx.state.setdefault("gorules.go_ids_in_values", {})
            if len(memo) > _VALUE_MEMO_LIMIT:
                memo.clear()
            texts = []
            for w in [distinct[k] for k in cand.tolist()]:
                got = memo.get(w)
                if got is None:
                    got = memo[w] = "; ".join(filter(None, (_go_id_problem(onto, g)
                                                            for g in _GO_ID_RE.findall(w))))
                texts.append(f"{c.value}: {got}" if got else "")
            text = np.full(len(distinct), "", dtype=object)
            text[cand] = texts
            hit = text != ""
            if hit.any():
                checks.append((hit[codes], lambda r, text=text, codes=codes: text[codes[r]]))
    found = _first_problem(v, checks)
    legacy = v.isin(Col.DB, tuple(PREFIX_SYNONYMS))
    if not legacy.any():
        return found
    canon = np.array([PREFIX_SYNONYMS.get(d, d) for d in v.codes(Col.DB)[1]], dtype=object)
    fixed = _result(legacy, lambda r: _cat("legacy DB prefix ", v.values(Col.DB, r), " (canonical: ",
                                           canon[v.codes(Col.DB)[0][r]], ")"), v,
                    fix=lambda r: _cat("DB ", v.values(Col.DB, r), " -> ", canon[v.codes(Col.DB)[0][r]]),
                    action=Action.REPAIR, set_db=lambda r: canon[v.codes(Col.DB)[0][r]])
    both = pd.concat([f for f in (found, fixed) if len(f)], ignore_index=True)
    return both.sort_values("row", kind="stable").reset_index(drop=True)


@register("GORULE:0000055", "References should have only one ID per ID space", Severity.WARNING,
          url=_URL.format(55))
def gorule_0000055(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """References citing two IDs of the same prefix (two PMIDs = two publications)."""
    v = _view(chunk, ctx)
    cand = np.flatnonzero(v.contains(Col.REFERENCE, "|"))
    if not len(cand):
        return no_findings()
    text = np.full(v.n, "", dtype=object)
    for k, ref in enumerate(v.values(Col.REFERENCE, cand).tolist()):
        prefixes = [p.split(":", 1)[0].upper() for p in ref.split("|") if p]
        seen = sorted({x for x in prefixes if prefixes.count(x) > 1})
        if seen:
            text[cand[k]] = f"reference {ref} has more than one {', '.join(seen)} ID"
    return _result(text != "", lambda r: text[r], v)


# ---------------------------------------------------------------------------------------------
# The rule table (goannot/data/gorules.tsv)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GorulesRow:
    """One row of ``gorules.tsv``: a GO rule, what GO says of it and what goannot does."""

    id: str
    title: str
    go_status: str
    state: str
    severity: str
    notes: str

    @property
    def registered(self) -> bool:
        """True when goannot has a check for it (state implemented or partial)."""
        return self.state == "implemented" or self.state.startswith("partial")


@lru_cache(maxsize=1)
def rule_table() -> tuple[GorulesRow, ...]:
    """The rows of ``goannot/data/gorules.tsv`` (every GO annotation rule, in id order)."""
    text = resources.files("goannot").joinpath("data/gorules.tsv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return tuple(GorulesRow(r["id"], r["title"], r["go_status"], r["state"], r["severity"], r.get("notes") or "")
                 for r in reader)
