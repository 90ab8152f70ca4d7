"""GO rules that look beyond one row: a corpus of annotation files indexed once, read by per-chunk checks.

A :class:`Corpus` holds what the cross-row rules need from a set of annotation files (the file being
validated among them, or the bundled GAFs of the seven species): per gene product (``DB:ID``, the form
with/from uses) its experimental terms, all its positive terms, the aspects of its non-ND annotations,
its protein-binding partners. The engine passes it to the rules as ``options["corpus"]``; without one
the rules say nothing (they cannot judge a row alone).

- GORULE:0000004: IPI protein binding (GO:0005515 and is_a descendants, less the self-binding terms
  the rule excludes) of A with partner B in with/from: B must have such an annotation naming A.
  Only IPI rows name a partner there (an ISS row's with/from is the similar gene); partners absent
  from the corpus are not judged.
- GORULE:0000038: ISS/ISO/ISA with gene product B in with/from: B must have an experimental annotation
  (EXP, IMP, IDA, IPI, IEP, IGI, HTP, HMP, HDA, HEP, HGI) to the same term or a more specific one
  (is_a / part_of). Partners absent from the corpus are not judged.
- GORULE:0000036: a gene product annotated to x and to 'regulation of x' (a term that regulates,
  positively or negatively regulates x): the regulation row is reported.
- GORULE:0000054: ND annotations of a gene product that has other annotations in that aspect.
- GORULE:0000049: contributes_to annotations of a gene product with no annotation to protein-containing
  complex (GO:0032991, formerly GO:0043234) or an is_a descendant.

All are soft (reported). Rows are judged per distinct (gene product, term, with/from) value.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..columns import Col
from ..ontology import Ontology
from ._chunkview import _View, _view
from ._ruletools import _is_a_closure, _result
from .rules import RuleContext, Severity, no_findings, register

__all__ = ["Corpus", "load_corpus", "CORPUS_EXPERIMENTAL"]

log = logging.getLogger(__name__)

_URL = "https://github.com/geneontology/go-site/blob/master/metadata/rules/gorule-{:07d}.md"
#: GORULE:0000038's allowed evidence for the primary annotation.
CORPUS_EXPERIMENTAL = frozenset("EXP IMP IDA IPI IEP IGI HTP HMP HDA HEP HGI".split())
_SIMILARITY = ("ISS", "ISO", "ISA")
PROTEIN_BINDING, COMPLEX = "GO:0005515", "GO:0032991"
#: Self-binding terms GORULE:0000004 excludes.
_NOT_RECIPROCAL = frozenset({"GO:0042803", "GO:0051260", "GO:0043621"})
_REGULATES = ("regulates", "positively_regulates", "negatively_regulates")
_SPLIT = re.compile(r"[|,]")


@dataclass
class Corpus:
    """The columns of a set of annotation files that the cross-row rules read (one row per annotation)."""

    ontology: Ontology
    gp: np.ndarray       # DB:DB_Object_ID
    go: np.ndarray       # GO ID as given
    evidence: np.ndarray
    negated: np.ndarray  # bool
    aspect: np.ndarray
    with_from: np.ndarray
    paths: list[str] = field(default_factory=list)
    seconds: float = 0.0
    _cover: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    @cached_property
    def gene_products(self) -> frozenset[str]:
        return frozenset(self.gp.tolist())

    def _pairs(self, mask: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({"gp": self.gp[mask], "go": self.go[mask]}).drop_duplicates()

    @cached_property
    def positive(self) -> frozenset[str]:
        """'gp\\tterm' of every positive (not NOT) annotation."""
        d = self._pairs(~self.negated)
        return frozenset((d["gp"] + "\t" + d["go"]).tolist())

    def _isin(self, values: np.ndarray, wanted: Iterable[str]) -> np.ndarray:
        return pd.Series(values, dtype=object).isin(set(wanted)).to_numpy(dtype=bool)  # hashed, not sorted

    @cached_property
    def _experimental_terms(self) -> dict[str, list[str]]:
        d = self._pairs(~self.negated & self._isin(self.evidence, CORPUS_EXPERIMENTAL))
        return {str(k): list(g) for k, g in d.groupby("gp", sort=False)["go"]}

    def experimental_cover(self, gp: str) -> frozenset[str]:
        """The experimental terms of ``gp`` and all their is_a / part_of ancestors (positive annotations)."""
        got = self._cover.get(gp)
        if got is None:
            onto = self.ontology
            terms = [t for t in self._experimental_terms.get(gp, ()) if t in onto]
            if terms:
                indptr, indices = onto.closure(("is_a", "part_of"))
                at = [onto.index_of(t) for t in terms]
                anc = np.unique(np.concatenate([indices[indptr[k]:indptr[k + 1]] for k in at]))
                ids = onto.term_ids()
                got = frozenset(ids[k] for k in anc.tolist()) | frozenset(terms)
            else:
                got = frozenset()
            self._cover[gp] = got
        return got

    @cached_property
    def binders(self) -> frozenset[str]:
        """'A\\tB' where A has a protein binding annotation naming B in with/from."""
        terms = _is_a_closure(self.ontology, PROTEIN_BINDING) - _NOT_RECIPROCAL
        m = ~self.negated & self._isin(self.go, terms) & (self.evidence == "IPI") & (self.with_from != "")
        out: set[str] = set()
        for a, w in zip(self.gp[m].tolist(), self.with_from[m].tolist()):
            out.update(f"{a}\t{b.strip()}" for b in _SPLIT.split(w) if b.strip())
        return frozenset(out)

    @cached_property
    def aspects_besides_nd(self) -> frozenset[str]:
        """'gp\\taspect' of every annotation that is not ND."""
        m = self.evidence != "ND"
        d = pd.DataFrame({"gp": self.gp[m], "a": self.aspect[m]}).drop_duplicates()
        return frozenset((d["gp"] + "\t" + d["a"]).tolist())

    @cached_property
    def in_complex(self) -> frozenset[str]:
        """Gene products with a positive annotation to protein-containing complex or an is_a descendant."""
        m = ~self.negated & self._isin(self.go, _is_a_closure(self.ontology, COMPLEX) | {"GO:0043234"})
        return frozenset(self.gp[m].tolist())


def load_corpus(paths: Iterable[str | Path], ontology: Ontology) -> Corpus:
    """Read annotation files (any format goannot reads) into one :class:`Corpus`."""
    from ..annotations import read_annotations

    start = time.perf_counter()
    parts = []
    names = []
    for p in paths:
        t = read_annotations(p).table
        names.append(str(p))
        parts.append(pd.DataFrame({
            "gp": (t[Col.DB].astype(str) + ":" + t[Col.DB_OBJECT_ID].astype(str)).to_numpy(dtype=object),
            "go": t[Col.GO_ID].astype(str).to_numpy(dtype=object),
            "evidence": t[Col.EVIDENCE].astype(str).to_numpy(dtype=object),
            "negated": t[Col.QUALIFIER].astype(str).str.contains("NOT", regex=False).to_numpy(dtype=bool),
            "aspect": t[Col.ASPECT].astype(str).to_numpy(dtype=object),
            "with_from": t[Col.WITH_FROM].astype(str).to_numpy(dtype=object)}))
    d = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("gp", "go", "evidence", "negated", "aspect", "with_from")})
    c = Corpus(ontology, d["gp"].to_numpy(dtype=object), d["go"].to_numpy(dtype=object),
               d["evidence"].to_numpy(dtype=object), d["negated"].to_numpy(dtype=bool),
               d["aspect"].to_numpy(dtype=object), d["with_from"].to_numpy(dtype=object), names)
    c.seconds = time.perf_counter() - start
    log.info("corpus: %d annotations from %d files in %.2f s", len(d), len(names), c.seconds)
    return c


def _corpus(ctx: RuleContext) -> Corpus | None:
    c = ctx.options.get("corpus")
    return c if isinstance(c, Corpus) else None


def _gp(v: _View, rows: np.ndarray) -> np.ndarray:
    """DB:DB_Object_ID of ``rows`` (the form with/from and the corpus use)."""
    return np.asarray(pd.Series(v.values(Col.DB, rows)).astype(str) + ":"
                      + pd.Series(v.values(Col.DB_OBJECT_ID, rows)).astype(str), dtype=object)


def _judge_columns(v: _View, rows: np.ndarray, columns: tuple[str, ...], fn: Callable[..., str],
                   memo: dict[tuple[str, ...], str]) -> np.ndarray:
    """``fn(*values)`` once per distinct combination of ``columns`` at ``rows`` (integer codes, no string keys)."""
    key = np.zeros(len(rows), dtype=np.int64)
    encoded = [v.codes(c) for c in columns]
    for codes, uniq in encoded:
        key = key * max(len(uniq), 1) + codes[rows]
    inverse, distinct = pd.factorize(key)
    firsts = np.zeros(len(distinct), dtype=np.intp)
    firsts[inverse[::-1]] = np.arange(len(rows))[::-1]  # a row of each combination
    out = []
    for r in rows[firsts].tolist():
        k = tuple(str(uniq[codes[r]]) for codes, uniq in encoded)
        got = memo.get(k)
        if got is None:
            got = memo[k] = fn(*k)
        out.append(got)
    return np.array(out, dtype=object)[inverse] if len(rows) else np.zeros(0, dtype=object)


def _candidates(chunk: pd.DataFrame, ctx: RuleContext, mask_of: Callable[[_View], np.ndarray]
                ) -> tuple[_View, Corpus, np.ndarray] | None:
    corpus = _corpus(ctx)
    if corpus is None:
        return None
    v = _view(chunk, ctx)
    rows = np.flatnonzero(mask_of(v))
    return (v, corpus, rows) if len(rows) else None


def _report(v: _View, rows: np.ndarray, text: np.ndarray) -> pd.DataFrame:
    msgs = np.full(v.n, "", dtype=object)
    msgs[rows] = text
    mask = np.zeros(v.n, dtype=bool)
    mask[rows[text != ""]] = True
    return _result(mask, lambda r: msgs[r], v)


@register("GORULE:0000004", "Reciprocal annotations for 'protein binding ; GO:0005515'", Severity.WARNING,
          url=_URL.format(4))
def gorule_0000004(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Protein binding annotations of A naming B whose reciprocal (B's binding annotation naming A) the corpus lacks."""
    terms = _is_a_closure(ctx.ontology, PROTEIN_BINDING) - _NOT_RECIPROCAL
    got = _candidates(chunk, ctx, lambda v: v.term_in(terms) & v.eq(Col.EVIDENCE, "IPI") & ~v.negated()
                      & ~v.empty(Col.WITH_FROM))
    if got is None:
        return no_findings()
    v, corpus, rows = got
    # Every (A, partner B) entry at once with Arrow: is B in the corpus, does B name A back.
    lists = pc.split_pattern_regex(v.arrow(Col.WITH_FROM).take(pa.array(rows, type=pa.int64())), "[|,]")
    entry_row = rows[np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False), dtype=np.intp)]
    partner = pc.utf8_trim_whitespace(pc.list_flatten(lists)).to_pylist()
    a = _gp(v, entry_row).tolist()
    known, binders = corpus.gene_products, corpus.binders  # Python sets: a few lookups per entry
    missing = np.fromiter((b in known and b != g and f"{b}\t{g}" not in binders for b, g in zip(partner, a)),
                          dtype=bool, count=len(a))
    if not missing.any():
        return no_findings()
    names = np.asarray(partner, dtype=object)[missing]
    at = entry_row[missing]
    msgs = np.full(v.n, "", dtype=object)
    for r, n in zip(at.tolist(), names.tolist()):
        msgs[r] = f"{msgs[r]}, {n}" if msgs[r] else n
    hit = np.unique(at)
    msgs[hit] = [f"no reciprocal protein binding annotation of {m} naming {g}"
                 for m, g in zip(msgs[hit].tolist(), _gp(v, hit).tolist())]
    return _report(v, hit, msgs[hit])


@register("GORULE:0000038", "Annotations using ISS/ISA/ISO evidence should refer to a gene product (in the 'with' "
          "column) where there exists another annotation with the same or a more granular term using experimental "
          "evidence", Severity.WARNING, url=_URL.format(38))
def gorule_0000038(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """ISS/ISO/ISA rows whose with/from gene products have no experimental annotation to the term or below it."""
    got = _candidates(chunk, ctx, lambda v: v.isin(Col.EVIDENCE, _SIMILARITY) & ~v.empty(Col.WITH_FROM)
                      & v.has_target())
    if got is None:
        return no_findings()
    v, corpus, rows = got
    cover = corpus.experimental_cover

    def judge(t: str, w: str) -> str:
        named = [b.strip() for b in _SPLIT.split(w) if b.strip() in corpus.gene_products]
        if not named or any(t in cover(b) for b in named):
            return ""
        return f"{', '.join(named)}: no experimental annotation to {t} or a more specific term"
    return _report(v, rows, _judge_columns(v, rows, ("terms.target", Col.WITH_FROM), judge,
                                           ctx.state.setdefault("corpus.0000038", {})))


def _regulated(onto: Ontology) -> dict[str, tuple[str, ...]]:
    """{term: the terms it regulates (directly, over regulates / positively_ / negatively_regulates)}."""
    def build() -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for child, _, parent in onto.edges(_REGULATES):
            out.setdefault(child, []).append(parent)
        return {k: tuple(v) for k, v in out.items()}
    return onto.derived(("goannot.validate.corpusrules", "regulated"), build)


@register("GORULE:0000036", "Report annotations that involve gene products where the gene product is annotated to "
          "a term 'x' and 'regulation of X' (multiple annotations involved)", Severity.WARNING, url=_URL.format(36))
def gorule_0000036(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Annotations to 'regulation of x' of a gene product the corpus also annotates to x (positive rows)."""
    reg = _regulated(ctx.ontology)
    got = _candidates(chunk, ctx, lambda v: v.per_value("terms.target", reg.__contains__, key="regulates_something")
                      & ~v.negated())
    if got is None:
        return no_findings()
    v, corpus, rows = got

    def judge(db: str, ident: str, t: str) -> str:
        g = f"{db}:{ident}"
        both = [x for x in reg.get(t, ()) if f"{g}\t{x}" in corpus.positive]
        return f"{g} is also annotated to {', '.join(both)}, which {t} regulates" if both else ""
    return _report(v, rows, _judge_columns(v, rows, (Col.DB, Col.DB_OBJECT_ID, "terms.target"), judge,
                                           ctx.state.setdefault("corpus.0000036", {})))


@register("GORULE:0000054", "Genes annotated with ND should have no other annotations for that aspect",
          Severity.WARNING, url=_URL.format(54))
def gorule_0000054(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """ND annotations of a gene product that the corpus annotates otherwise in the same aspect."""
    got = _candidates(chunk, ctx, lambda v: v.eq(Col.EVIDENCE, "ND"))
    if got is None:
        return no_findings()
    v, corpus, rows = got
    keys = _gp(v, rows) + "\t" + v.values(Col.ASPECT, rows).astype(str)
    text = np.array([f"ND, but {k.split(chr(9))[0]} has other annotations in aspect {k.split(chr(9))[1]}"
                     if k in corpus.aspects_besides_nd else "" for k in keys.tolist()], dtype=object)
    return _report(v, rows, text)


@register("GORULE:0000049", "If the annotation has 'contributes_to' as its qualifier, verify that at least one "
          "annotation to GO:0043234 (protein complex), or one of its child terms exists", Severity.WARNING,
          url=_URL.format(49))
def gorule_0000049(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """contributes_to annotations of a gene product with no protein-containing complex annotation in the corpus."""
    got = _candidates(chunk, ctx, lambda v: v.per_value(Col.QUALIFIER, lambda q: "contributes_to" in q,
                                                          key="contributes_to"))
    if got is None:
        return no_findings()
    v, corpus, rows = got
    gps = _gp(v, rows)
    text = np.array(["" if g in corpus.in_complex else
                     f"contributes_to, but {g} has no annotation to protein-containing complex (GO:0032991)"
                     for g in gps.tolist()], dtype=object)
    return _report(v, rows, text)


def bundled_gafs() -> list[Path]:
    """The bundled GAFs of the seven species (the default corpus for a bundled-release file)."""
    from ..sources import locate, manifest

    return [locate(s) for s in manifest().values() if s.kind == "annotations" and s.is_bundled]


def default_corpus(path: str | Path) -> list[Path]:
    """The corpus for validating ``path``: the bundled GAFs when it is one of them, else none."""
    gafs = bundled_gafs()
    try:
        target = Path(path).resolve()
    except OSError:
        return []
    return gafs if any(target == g.resolve() for g in gafs) else []
