"""Gene-identifier checks: does each row's gene exist, in the row's taxon, according to a gene index?

A GAF row whose ``db_object_id`` names no gene of its ``taxon`` is silently lost by every
gene-centric analysis (enrichment populations, comparisons). The classic case is an ID copied from
a web page for the wrong gene or species: NCBI Gene ID 3564 given for human IL7, whose ID is 3574.
This module holds the rule ``GOANNOT:unknown-gene-id`` and :func:`gene_id_report`, both built on
:func:`assess_gene_ids`, which resolves each *distinct* (identifier, taxon, symbol) once with
:meth:`goannot.genes.GeneIndex.lookup` and spreads the verdicts back over the rows.

The rule runs only when the user passes an index (``options["gene_index"]``): without one there is
no list of genes to compare with. Rows are checked only where the index can judge them: the row's
namespace (UniProtKB, NCBIGene, ...; inferred from the identifier's form when ``db`` is empty) must
be one the index has IDs of, and its taxon one the index has genes of; an NCBI-only index does not
call every UniProt accession unknown.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..genes import DB_OF_KIND, GeneIndex, detect_id_kinds, normalize_taxa
from .rules import RuleContext, Severity, findings, no_findings, register

__all__ = ["UNKNOWN_GENE_ID", "ASSESS_COLUMNS", "assess_gene_ids", "gene_id_report"]

log = logging.getLogger(__name__)

UNKNOWN_GENE_ID = "GOANNOT:unknown-gene-id"

#: Columns of :func:`assess_gene_ids`' per-row result.
ASSESS_COLUMNS: tuple[str, ...] = ("query", "taxon", "namespace", "kind", "checked", "status", "message")

#: Statuses that make a finding.
_BAD = ("unknown", "other-taxon", "replaced", "discontinued")

_LABEL = {"NCBIGene": "NCBI Gene ID", "UniProtKB": "UniProtKB accession", "MGI": "MGI ID", "RGD": "RGD ID",
          "FB": "FlyBase ID", "WB": "WormBase ID", "ZFIN": "ZFIN ID", "TAIR": "TAIR ID", "ENSEMBL": "Ensembl ID",
          "": "gene symbol"}

_DB_ALIASES = {"EntrezGene": "NCBIGene", "GeneID": "NCBIGene", "NCBI_Gene": "NCBIGene", "UniProt": "UniProtKB"}


def _distinct(df: pd.DataFrame) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """The distinct (db, id, symbol, taxon) of ``df`` and each row's code into them."""
    def col(name: str) -> pd.Series:
        return (df[name] if name in df.columns else pd.Series("", index=df.index)).fillna("").astype(str)

    key = pd.DataFrame({"db": col("db"), "id": col("db_object_id"), "symbol": col("db_object_symbol"),
                        "taxon": col("taxon")})
    codes = np.zeros(len(key), dtype=np.int64)
    for name in key.columns:
        c, uniq = pd.factorize(key[name], sort=False)
        codes = pd.factorize(codes * (len(uniq) + 1) + c, sort=False)[0].astype(np.int64)
    first = np.unique(codes, return_index=True)[1]
    return key.take(first).reset_index(drop=True), codes


def assess_gene_ids(df: pd.DataFrame, index: GeneIndex) -> pd.DataFrame:
    """Per row of an annotation table: which gene identifier it gives, whether the index could judge
    it, the lookup status, and the finding's message ('' when there is nothing to say).

    The identifier is ``db_object_id`` (with ``db`` as curie prefix), or the symbol when the row has
    no id. Columns: :data:`ASSESS_COLUMNS`, aligned positionally with ``df``.
    """
    u, codes = _distinct(df)
    ident = u["id"].str.strip()
    sym = u["symbol"].str.strip()
    taxon = normalize_taxa(u["taxon"])
    id_kinds = detect_id_kinds(ident)
    db = u["db"].str.strip().replace(_DB_ALIASES)
    by_form = id_kinds.map(DB_OF_KIND).fillna("")
    namespace = np.where(ident == "", "", np.where(db != "", db, by_form))
    query = np.where(ident == "", sym,
                     np.where(db != "", db + ":" + ident.to_numpy(dtype=object), ident.to_numpy(dtype=object)))
    kind = np.where(ident == "", detect_id_kinds(sym).to_numpy(dtype=object), id_kinds.to_numpy(dtype=object))

    taxa, dbs = index.taxa, index.dbs
    tax_ok = taxon.isin(taxa) | (taxon == "")
    ns_ok = np.where(namespace == "", True, pd.Series(namespace).isin(dbs).to_numpy())
    checked = tax_ok.to_numpy() & ns_ok & (query != "")

    status = np.full(len(u), "not-checked", dtype=object)
    message = np.full(len(u), "", dtype=object)
    idx = np.flatnonzero(checked)
    if len(idx):
        t = taxon.to_numpy(dtype=object)[idx]
        look = index.lookup(query[idx], t, db=namespace[idx])
        st = look["status"].to_numpy(dtype=object)
        status[idx] = st
        bad = np.isin(st, _BAD)
        if bad.any():
            b = idx[bad]
            # what the row's own symbol is in the same namespace and taxon: the likely intended gene
            hint = index.lookup(sym.to_numpy(dtype=object)[b], taxon.to_numpy(dtype=object)[b],
                                db=namespace[b])
            lb = look[bad].reset_index(drop=True)
            message[b] = [_message(str(ns), str(i), str(s), str(tx), r, h)
                          for ns, i, s, tx, r, h in zip(namespace[b], np.where(ident.to_numpy()[b] == "",
                                                                              sym.to_numpy()[b], ident.to_numpy()[b]),
                                                        sym.to_numpy()[b], taxon.to_numpy()[b],
                                                        lb.to_dict("records"), hint.to_dict("records"))]
    per_row = {"query": query, "taxon": taxon.to_numpy(dtype=object), "namespace": namespace, "kind": kind,
               "checked": checked, "status": status, "message": message}
    return pd.DataFrame({k: np.asarray(v)[codes] for k, v in per_row.items()})


def _message(namespace: str, ident: str, symbol: str, taxon: str, look: dict[str, object],
             hint: dict[str, object]) -> str:
    """One finding's text (built once per distinct bad identifier, not per row)."""
    label = _LABEL.get(namespace, f"{namespace} ID")
    status = look["status"]
    if status == "replaced":
        return f"{label} {ident} was replaced by {look['current']}"
    if status == "discontinued":
        return f"{label} {ident} is discontinued"
    where = f"a gene of taxon {taxon}" if taxon else "a known gene"
    text = f"{label} {ident} is not {where}"
    if status == "other-taxon":
        text += f" (it is a gene of taxon {look['gene_taxon'] or '?'})" if look["gene_taxon"] else \
            f" (it names genes of other taxa: {look['ids']})"
    if symbol and symbol != ident and hint["status"] in ("found", "synonym") and hint["id"] and hint["id"] != ident:
        text += f" ({symbol} is {hint['id']})"
    return text


@register(UNKNOWN_GENE_ID, "Gene identifier unknown for the row's taxon", Severity.WARNING,
          needs="a goannot.genes.GeneIndex in options['gene_index'] (from a GAF or NCBI Gene tables)")
def check_unknown_gene_id(chunk: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """Rows whose gene ID (or, lacking one, symbol) names no gene of their taxon in the user's index,
    names a gene of another taxon, or is a replaced/discontinued NCBI GeneID. Report only."""
    index = ctx.options.get("gene_index")
    if not isinstance(index, GeneIndex) or chunk.empty:
        return no_findings()
    verdict = assess_gene_ids(chunk, index)
    rows = np.flatnonzero(verdict["message"].to_numpy() != "")
    if not len(rows):
        return no_findings()
    return findings(rows, verdict["message"].to_numpy()[rows])


def gene_id_report(df: pd.DataFrame, index: GeneIndex, *, detail: bool = False) -> pd.DataFrame:
    """A summary of a table's gene identifiers for the CLI: per (kind, status), how many distinct
    identifiers and rows, with up to five examples and one example message.

    With ``detail`` one row per distinct (query, taxon) instead: kind, namespace, status, rows, message.
    Status "not-checked" means the index holds no genes of that namespace or taxon.
    """
    v = assess_gene_ids(df, index)
    per_id = (v.groupby(["query", "taxon"], sort=False)
              .agg(kind=("kind", "first"), namespace=("namespace", "first"), status=("status", "first"),
                   rows=("status", "size"), message=("message", "first"))
              .reset_index())
    if detail:
        return per_id
    summary = (per_id.groupby(["kind", "status"], sort=True)
               .agg(ids=("query", "size"), rows=("rows", "sum"),
                    examples=("query", lambda s: "|".join(s.head(5))),
                    message=("message", lambda s: next((m for m in s if m), "")))
               .reset_index())
    return summary
