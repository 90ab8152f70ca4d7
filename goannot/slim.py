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
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import GoannotError
from .ontology import DEFAULT_RELATIONS, Ontology
from .propagate import Propagation

__all__ = ["slim_terms", "map_to_slim", "ribbon_counts", "MAPPING_COLUMNS", "RIBBON_COLUMNS"]

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
