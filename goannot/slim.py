"""Map annotations to a GO slim and count them per slim term, like the GO ribbon.

A slim is a small set of broad terms (``goslim_generic``, ``goslim_agr``...; the ontology declares
them as subsets). Mapping a term to a slim means finding the slim terms among its reflexive ancestors
over the chosen relations. Two readings exist, both given by :func:`map_to_slim`:

* **all** -- every slim term that is an ancestor of the term, or the term itself (map2slim's and
  goatools' ``all_ancestors``);
* **direct** -- those slim ancestors that are not an ancestor of another slim ancestor of the same
  term, i.e. the most specific slim terms (goatools' ``direct_ancestors``: "not covered by an
  earlier slim term on any path"). The ``direct`` column of the mapping marks them.

goatools' :func:`goatools.mapslim.mapslim` walks ``is_a`` paths only; pass ``relations=("is_a",)``
for the same answer (the tests compare). goannot's default is ``is_a`` + ``part_of``, as for
propagation, which is what the GO ribbon does.

:func:`ribbon_counts` counts, per labelled set and slim term, the distinct annotated terms and genes
mapping to it. Every slim term appears for every set (zeros included), so ribbons line up.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import GoannotError, InputError
from .ontology import DEFAULT_RELATIONS, Ontology
from .propagate import Propagation

__all__ = ["slim_terms", "read_slim_file", "map_to_slim", "annotation_terms", "ribbon_counts", "MAPPING_COLUMNS",
           "RIBBON_COLUMNS"]

log = logging.getLogger(__name__)

#: Columns of :func:`map_to_slim`.
MAPPING_COLUMNS = ("gene", "term", "slim_term", "direct")
#: Columns of :func:`ribbon_counts`.
RIBBON_COLUMNS = ("set", "slim_term", "name", "namespace", "n_terms", "n_genes")

Source = Propagation | pd.DataFrame | Iterable[str]


def slim_terms(ontology: Ontology, slim: str | Iterable[str]) -> list[str]:
    """The primary term IDs of a slim: a subset name of ``ontology`` or an explicit set of IDs.

    Obsolete and unknown IDs in an explicit set raise :class:`~goannot.errors.GoannotError`;
    secondary IDs are mapped to their primary term. Sorted by ontology index.
    """
    if isinstance(slim, str):
        if slim not in ontology.subset_names:
            raise GoannotError(f"no subset {slim!r} in this ontology; subsets: "
                               f"{', '.join(sorted(ontology.subset_names))}")
        ids = ontology.subset(slim)
    else:
        ids = set(slim)
    out: dict[int, str] = {}
    bad = []
    for t in ids:
        try:
            i = ontology.index_of(t)
        except KeyError:
            bad.append(t)
            continue
        if ontology.state.obsolete[i]:
            bad.append(t)
            continue
        out[i] = ontology.term_ids()[i]
    if bad:
        raise GoannotError(f"slim terms not current in this ontology: {', '.join(sorted(bad))}")
    return [out[i] for i in sorted(out)]


_GO_ID = re.compile(r"\bGO:\d{7}\b")


def read_slim_file(path: str | Path) -> list[str]:
    """The term IDs of a slim file: a slim OBO (``goslim_agr.obo``: the ids of its ``[Term]`` stanzas)
    or any text listing GO IDs (one per line, or a TSV whose lines hold them; the first GO ID of a
    line counts, so a ``GO:x<TAB>name`` list works). Order of first appearance, no duplicates.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, None, f"cannot read slim file: {exc}") from None
    ids: list[str] = []
    if "[Term]" in text:
        stanza = ""
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("["):
                stanza = line
            elif stanza == "[Term]" and line.startswith("id:"):
                ids.append(line[3:].strip())
    else:
        for line in text.splitlines():
            found = _GO_ID.search(line.split("#", 1)[0])
            if found:
                ids.append(found.group(0))
    if not ids:
        raise InputError(path, None, "no GO term IDs found (expected a slim OBO file or a list of GO IDs)")
    return list(dict.fromkeys(ids))


def annotation_terms(table: pd.DataFrame, ontology: Ontology) -> tuple[pd.DataFrame, dict[str, int]]:
    """(gene, symbol, term) of the positive annotations of ``table``, with primary term IDs.

    NOT rows are left out (as goatools' readers and map2slim do); secondary IDs become their primary
    term; obsolete and unknown IDs are dropped. Returns the distinct rows and the counts of what was
    left out (``not``, ``obsolete_or_unknown``), for the caller to report.
    """
    qualifier = table["qualifier"].astype(str) if "qualifier" in table.columns else pd.Series("", index=table.index)
    negated = qualifier.str.contains(r"(?:^|\|)NOT(?:\||$)", regex=True).to_numpy()
    rows = table.loc[~negated]
    go_ids = rows["go_id"].astype(str)
    primary = {g: ontology.resolve(g).primary for g in pd.unique(go_ids)}
    terms = go_ids.map(lambda g: primary.get(g) or "")
    ok = terms.to_numpy() != ""
    ok &= np.fromiter((not ontology.is_obsolete(t) if t else False for t in terms.tolist()), dtype=bool,
                      count=len(terms))
    db = rows["db"].astype(str) if "db" in rows.columns else pd.Series("", index=rows.index)
    gene = (db + ":" + rows["db_object_id"].astype(str)).str.lstrip(":")
    symbol = rows["db_object_symbol"].astype(str) if "db_object_symbol" in rows.columns else gene
    out = pd.DataFrame({"gene": gene.to_numpy(dtype=object)[ok], "symbol": symbol.to_numpy(dtype=object)[ok],
                        "term": terms.to_numpy(dtype=object)[ok]}).drop_duplicates(ignore_index=True)
    return out, {"not": int(negated.sum()), "obsolete_or_unknown": int((~ok).sum())}


def _pairs(source: Source) -> pd.DataFrame:
    """(gene, term) of the direct annotations of ``source``, distinct, as plain strings."""
    if isinstance(source, Propagation):
        d = source.closure[source.closure["direct"].to_numpy()]
        frame = pd.DataFrame({"gene": d["gene"].astype(str).to_numpy(), "term": d["term"].astype(str).to_numpy()})
    elif isinstance(source, pd.DataFrame):
        if "term" not in source.columns:
            raise GoannotError("a (gene, term) table needs a 'term' column")
        genes = source["gene"].astype(str).to_numpy() if "gene" in source.columns else np.full(len(source), "")
        frame = pd.DataFrame({"gene": genes, "term": source["term"].astype(str).to_numpy()})
    else:
        terms = [str(t) for t in source]
        frame = pd.DataFrame({"gene": [""] * len(terms), "term": terms})
    return frame.drop_duplicates(ignore_index=True)


def map_to_slim(source: Source, ontology: Ontology, slim: str | Iterable[str] = "goslim_generic",
                relations: Sequence[str] | str = DEFAULT_RELATIONS) -> pd.DataFrame:
    """Slim terms of each annotated term: one row per (gene, term, slim_term) of the "all" reading.

    ``source`` is a :class:`~goannot.propagate.Propagation` (its direct terms are mapped), a table
    with ``term`` (and optionally ``gene``) columns, or an iterable of term IDs (``gene`` is then '').
    Terms must be primary IDs of ``ontology`` (propagation makes them so); others raise. ``direct``
    marks the most specific slim terms of the term (the module docstring). A term with no slim
    ancestor gets no row. Sorted by gene, term and slim term (ontology order).
    """
    pairs = _pairs(source)
    slim_ids = slim_terms(ontology, slim)
    term_ids = ontology.term_ids()
    n = len(term_ids)
    in_slim = np.zeros(n, dtype=bool)
    in_slim[[ontology.index_of(t) for t in slim_ids]] = True
    uterms = pd.unique(pairs["term"])
    try:
        tidx = np.array([ontology.index_of(t) for t in uterms], dtype=np.int64)
    except KeyError as exc:
        raise GoannotError(f"term {exc.args[0]!r} is not in the ontology") from None
    indptr, indices = ontology.closure(relations)
    lens = indptr[tidx + 1] - indptr[tidx]
    src = np.repeat(np.arange(len(tidx)), lens)
    anc = (np.concatenate([indices[indptr[i]:indptr[i + 1]] for i in tidx]).astype(np.int64)
           if len(tidx) else np.zeros(0, np.int64))
    keep = in_slim[anc]
    src, anc = src[keep], anc[keep]
    # covered: slim ancestors of another slim ancestor s' of the same term (proper ancestors of s')
    slen = indptr[anc + 1] - indptr[anc]
    csrc = np.repeat(np.arange(len(anc)), slen)
    canc = (np.concatenate([indices[indptr[i]:indptr[i + 1]] for i in anc]).astype(np.int64)
            if len(anc) else np.zeros(0, np.int64))
    proper = (canc != anc[csrc]) & in_slim[canc]
    covered = set(zip(src[csrc[proper]].tolist(), canc[proper].tolist()))
    direct = np.fromiter(((s, a) not in covered for s, a in zip(src.tolist(), anc.tolist())), dtype=bool,
                         count=len(src))
    ids = np.asarray(term_ids, dtype=object)
    per_term = pd.DataFrame({"term": np.asarray(uterms, dtype=object)[src], "slim_term": ids[anc],
                             "direct": direct, "_order": anc})
    out = pairs.merge(per_term, on="term", how="inner")
    out["_torder"] = out["term"].map(dict(zip(uterms, tidx.tolist())))
    out = out.sort_values(["gene", "_torder", "_order"], kind="stable", ignore_index=True)
    log.debug("mapped %d terms of %d genes to %d slim terms", len(uterms), pairs["gene"].nunique(),
              out["slim_term"].nunique())
    return out[list(MAPPING_COLUMNS)]


def ribbon_counts(sets: Mapping[str, Source], ontology: Ontology, slim: str | Iterable[str] = "goslim_generic",
                  relations: Sequence[str] | str = DEFAULT_RELATIONS, *, direct_only: bool = False) -> pd.DataFrame:
    """Per set and slim term: how many distinct annotated terms and genes map to it (GO-ribbon cells).

    ``sets`` maps a label to anything :func:`map_to_slim` takes. With ``direct_only`` a term counts
    only for its most specific slim terms. Every slim term is listed for every set, with zeros.
    """
    slim_ids = slim_terms(ontology, slim)
    frames = []
    for label, source in sets.items():
        m = map_to_slim(source, ontology, slim_ids, relations)
        if direct_only:
            m = m[m["direct"].to_numpy()]
        n_terms = m.groupby("slim_term")["term"].nunique()
        n_genes = m.groupby("slim_term")["gene"].nunique()
        frames.append(pd.DataFrame({
            "set": label, "slim_term": slim_ids,
            "name": [ontology.name(t) for t in slim_ids],
            "namespace": [ontology.namespace(t) for t in slim_ids],
            "n_terms": n_terms.reindex(slim_ids, fill_value=0).to_numpy(dtype=np.int64),
            "n_genes": n_genes.reindex(slim_ids, fill_value=0).to_numpy(dtype=np.int64),
        }))
    if not frames:
        return pd.DataFrame({c: [] for c in RIBBON_COLUMNS})
    return pd.concat(frames, ignore_index=True)[list(RIBBON_COLUMNS)]
