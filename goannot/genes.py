"""Gene identifiers: what kind an identifier is, and an index from IDs, symbols and synonyms to genes.

Users hand goannot gene lists typed from papers and web pages: UniProt accessions, NCBI Gene IDs,
MGI IDs, official symbols, old aliases, with case slips. Before such a list can be compared with a GAF
(or an enrichment study trusted), each entry has to be resolved to a gene *of the right species*, and
the entries that resolve to nothing, to a gene of another species, or to several genes have to be
said out loud rather than silently dropped.

- :func:`id_kind` / :func:`detect_id_kinds` / :func:`dominant_kind` classify identifiers by pattern
  (vectorized over the distinct values, so a 475k-row GAF column costs one pass per pattern).
- :class:`GeneIndex` maps identifiers, symbols and synonyms to gene records. It is built from an
  annotation table (:meth:`GeneIndex.from_annotations`) and/or from the NCBI Gene tables that goatools
  ships as test data (:meth:`GeneIndex.from_ncbi`); :meth:`GeneIndex.lookup` resolves many queries
  with pandas merges, never a Python loop per query.

The NCBI tables are Python files of one giant dict literal (up to 30 MB); importing them costs seconds
and hundreds of MB, so they are located with :func:`importlib.util.find_spec` (goatools is never
imported), parsed with one regular expression over the fields we need, and the parsed table is
cached under ``cache_dir()/genes/<sha256 of the file>.arrow``: Arrow IPC tables in goannot's
digest-checked cache container (:mod:`goannot.cachestore`), data only, rebuilt when damaged.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import DataSourceError, GoannotError

__all__ = [
    "ID_KINDS",
    "DB_OF_KIND",
    "LOOKUP_STATUSES",
    "LOOKUP_COLUMNS",
    "NCBI_FILES",
    "GeneIndex",
    "GeneNotFoundError",
    "id_kind",
    "detect_id_kinds",
    "dominant_kind",
    "normalize_taxon",
    "normalize_taxa",
    "ncbi_gene_file",
    "read_ncbi_genes",
    "ncbi_cache_path",
    "ncbi_header_count",
    "find_gene",
]

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------------
# Identifier kinds

_UNIPROT = r"(?:[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2})"

#: (kind, full-match pattern), tried in this order; the first that matches names the kind.
_KIND_PATTERNS: tuple[tuple[str, str], ...] = (
    ("uniprot", rf"(?:UniProtKB:|UniProt:)?{_UNIPROT}(?:-\d+)?"),
    ("ncbigene", r"(?:(?:NCBIGene|GeneID|EntrezGene|NCBI_Gene):)?\d+"),
    ("mgi", r"(?:MGI:)?MGI:\d+"),
    ("rgd", r"RGD:\d+"),
    ("flybase", r"(?:FB:)?FBgn\d+"),
    ("wormbase", r"(?:WB:)?WBGene\d+"),
    ("zfin", r"(?:ZFIN:)?ZDB-GENE-\d+-\d+"),
    ("araport", r"(?:TAIR:|Araport:)?[Aa][Tt][1-5CMcm][Gg]\d{5}(?:\.\d+)?"),
    ("tair", r"TAIR:locus:\d+"),
    ("ensembl", r"(?:ENSEMBL:|Ensembl:)?ENS[A-Z]*G\d+(?:\.\d+)?"),
    # anything else word-like: no blanks or list separators, at least one letter or digit
    ("symbol", r"(?=[^\s|,;]*[A-Za-z0-9])[^\s|,;]+"),
)

#: Every kind :func:`id_kind` returns ("other": not word-like, e.g. "two words"; "empty": blank).
ID_KINDS: tuple[str, ...] = tuple(k for k, _ in _KIND_PATTERNS) + ("other", "empty")

#: The GAF ``db`` an identifier kind belongs to ('' for symbols: they are names, not IDs).
DB_OF_KIND: dict[str, str] = {
    "uniprot": "UniProtKB", "ncbigene": "NCBIGene", "mgi": "MGI", "rgd": "RGD", "flybase": "FB",
    "wormbase": "WB", "zfin": "ZFIN", "araport": "TAIR", "tair": "TAIR", "ensembl": "ENSEMBL",
}

_KIND_RX = [(k, re.compile(p)) for k, p in _KIND_PATTERNS]


def id_kind(value: object) -> str:
    """The kind of one gene identifier (one of :data:`ID_KINDS`); surrounding blanks are ignored."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "empty"
    text = str(value).strip()
    if not text:
        return "empty"
    for kind, rx in _KIND_RX:
        if rx.fullmatch(text):
            return kind
    return "other"


def detect_id_kinds(values: pd.Series | Sequence[Any]) -> pd.Series:
    """The kind of every value (aligned with ``values``), matching each pattern once per distinct value.

    GAF columns repeat each identifier dozens of times, so the patterns run over the distinct
    values only and the result is mapped back through the factorized codes.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if len(s) <= _FEW_QUERIES:  # a few values: the compiled patterns, without pandas' per-call overhead
        return pd.Series([id_kind(v) for v in s.tolist()], index=s.index, dtype=object, name="kind")
    codes, uniques = pd.factorize(s.fillna("").astype(str).str.strip(), sort=False)
    u = pd.Series(uniques, dtype=object).astype(str)
    kinds = np.full(len(u), "other", dtype=object)
    todo = np.ones(len(u), dtype=bool)
    empty = (u == "").to_numpy()
    kinds[empty] = "empty"
    todo &= ~empty
    for kind, pattern in _KIND_PATTERNS:
        left = np.flatnonzero(todo)
        if not len(left):
            break
        hit = left[u.iloc[left].str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)]
        kinds[hit] = kind
        todo[hit] = False
    out = np.where(codes >= 0, kinds[np.maximum(codes, 0)] if len(kinds) else "empty", "empty")
    return pd.Series(out, index=s.index, dtype=object, name="kind")


def dominant_kind(values: pd.Series | Sequence[Any]) -> str:
    """The most frequent non-empty kind among ``values`` ("empty" when all are blank).

    Used to guess what a user's gene list is (accessions? symbols?) before choosing how to map it.
    Ties go to the kind listed first in :data:`ID_KINDS`.
    """
    kinds = detect_id_kinds(values)
    counts = kinds[kinds != "empty"].value_counts()
    if counts.empty:
        return "empty"
    best = counts.max()
    return next(k for k in ID_KINDS if counts.get(k, 0) == best)


# --------------------------------------------------------------------------------------------------
# Taxa

def normalize_taxon(taxon: object) -> str:
    """A taxon as bare digits: 9606, "9606", "taxon:9606", "NCBITaxon:9606", "taxon:9606|taxon:562" -> "9606".

    The first taxon of a GAF's two-taxon column is the gene's own; the second is an interacting one.
    ``None`` and "" give "".
    """
    if taxon is None:
        return ""
    text = str(taxon).split("|", 1)[0].strip()
    for prefix in ("taxon:", "NCBITaxon:", "NCBITaxon_"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text


def normalize_taxa(taxa: pd.Series) -> pd.Series:
    """:func:`normalize_taxon` over a column, once per distinct value."""
    codes, uniques = pd.factorize(taxa.fillna("").astype(str), sort=False)
    norm = np.array([normalize_taxon(u) for u in uniques] or [""], dtype=object)
    return pd.Series(norm[np.maximum(codes, 0)] if len(codes) else [], index=taxa.index, dtype=object)


# --------------------------------------------------------------------------------------------------
# NCBI Gene tables shipped by goatools

#: Files per taxon in goatools/test_data, read together (first wins on a shared GeneID). The mouse
#: "All" table of 2016-02-22 lacks 8,584 protein-coding genes its "ProteinCoding" table has, so the
#: union is what a taxon's genes are.
NCBI_FILES: dict[str, tuple[str, ...]] = {
    "9606": ("genes_NCBI_9606_All.py", "genes_NCBI_9606_ProteinCoding.py"),
    "10090": ("genes_NCBI_10090_All.py", "genes_NCBI_10090_ProteinCoding.py"),
    "7227": ("genes_NCBI_7227_ProteinCoding.py",),
}

_NCBI_SPECIES = {"9606": "human", "10090": "mouse", "7227": "fly"}
_NCBI_COLUMNS = ("tax_id", "GeneID", "CurrentID", "Status", "Symbol", "Aliases", "description")
_STR = r"""('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_NCBI_RX = re.compile(
    r"NtData\(tax_id=(\d+), Org_name=" + _STR.replace("(", "(?:", 1) + r", GeneID=(\d+), CurrentID=(\d+), "
    r"Status=" + _STR + r", Symbol=" + _STR + r", Aliases=" + _STR + r", description=" + _STR + r",")
_HEADER_RX = re.compile(r"#\s*(\d+)\s+items")
_CACHE_MAGIC = "goannot-ncbi-genes"
_CACHE_FORMAT = 2


def ncbi_gene_file(name: str) -> Path:
    """Path of one goatools test_data file, found without importing goatools."""
    spec = importlib.util.find_spec("goatools")
    if spec is None or not spec.submodule_search_locations:
        raise DataSourceError("the NCBI Gene tables come with goatools; install it with `pip install goatools`")
    path = Path(list(spec.submodule_search_locations)[0]) / "test_data" / name
    if not path.is_file():
        raise DataSourceError(f"goatools is installed but lacks {path}")
    return path


def ncbi_header_count(path: str | Path) -> int | None:
    """The item count a goatools gene file states in its header (``# 59542 items``), if any."""
    with open(path, encoding="utf-8") as fh:
        head = fh.read(1024)
    m = _HEADER_RX.search(head)
    return int(m.group(1)) if m else None


def _unquote(literal: str) -> str:
    if "\\" in literal:
        value = ast.literal_eval(literal)
        return str(value)
    return literal[1:-1]


def _parse_ncbi(path: Path) -> pd.DataFrame:
    text = path.read_text(encoding="utf-8")
    rows = _NCBI_RX.findall(text)
    if not rows:
        raise DataSourceError(f"{path}: no NtData(...) gene records found; not a goatools NCBI gene table")
    df = pd.DataFrame(rows, columns=list(_NCBI_COLUMNS), dtype=object)
    for col in ("Status", "Symbol", "Aliases", "description"):
        df[col] = [_unquote(v) for v in df[col]]
    for col in ("tax_id", "GeneID", "CurrentID"):
        df[col] = df[col].astype(np.int64)
    stated = ncbi_header_count(path)
    if stated is not None and stated != len(df):
        log.warning("%s states %d items but %d records were parsed", path, stated, len(df))
    return df


def _cache_file(key: str) -> Path:
    from .sources import cache_dir

    if not re.fullmatch(r"[A-Za-z0-9_-]+", key):
        raise ValueError(f"bad gene cache key {key!r}")
    return cache_dir() / "genes" / f"{key}.arrow"


def _cache_read(key: str) -> dict[str, pd.DataFrame] | None:
    """The tables cached under ``key``, or None (absent, refused, or damaged and deleted)."""
    from .cachestore import read_entry
    from .sources import cache_dir

    path = _cache_file(key)
    parts = read_entry(path, _CACHE_MAGIC, _CACHE_FORMAT, key, root=cache_dir())
    if parts is None:
        return None
    import pyarrow as pa
    import pyarrow.feather as feather

    try:
        return {name: feather.read_feather(pa.py_buffer(blob)) for name, blob in parts.items()}
    except (pa.ArrowException, ValueError, KeyError) as exc:  # digest-checked, yet not a table
        log.warning("gene cache %s is corrupt (%s); rebuilding it", path, exc)
        path.unlink(missing_ok=True)
        return None


def _cache_write(key: str, tables: dict[str, pd.DataFrame]) -> None:
    """Store ``tables`` under ``key`` as Arrow IPC; a cache that cannot be written only costs time."""
    import io

    import pyarrow.feather as feather

    from .cachestore import write_entry
    from .sources import cache_dir

    parts: dict[str, bytes] = {}
    try:
        for name, table in tables.items():
            buf = io.BytesIO()
            feather.write_feather(table, buf, compression="uncompressed")
            parts[name] = buf.getvalue()
    except Exception as exc:  # noqa: BLE001 - a table Arrow cannot hold is simply not cached
        log.warning("could not cache the gene tables %s: %s", key, exc)
        return
    if write_entry(_cache_file(key), _CACHE_MAGIC, _CACHE_FORMAT, key, parts, root=cache_dir()):
        for old in _cache_file(key).parent.glob("*.pickle"):  # format 1, never read again
            old.unlink(missing_ok=True)


def ncbi_cache_path(path: str | Path) -> Path:
    """Where the parsed form of a goatools gene file is cached (named by the file's sha256)."""
    from .sources import content_hash

    return _cache_file(content_hash(path))


def read_ncbi_genes(path: str | Path) -> pd.DataFrame:
    """One goatools NCBI gene file as a table (tax_id, GeneID, CurrentID, Status, Symbol, Aliases, description).

    The parse (~1 s for the 30 MB human file) is cached under ``cache_dir()/genes/<sha256>.arrow``;
    an entry that cannot be read or does not carry its key is deleted and rebuilt with a warning.
    """
    from .sources import content_hash

    p = Path(path)
    sha = content_hash(p)
    cached = _cache_read(sha)
    if cached is not None and "table" in cached:
        return cached["table"]
    table = _parse_ncbi(p)
    _cache_write(sha, {"table": table})
    return table


# --------------------------------------------------------------------------------------------------
# The index

#: Statuses :meth:`GeneIndex.lookup` gives a query.
LOOKUP_STATUSES: tuple[str, ...] = (
    "found",         # an ID or official symbol of exactly one gene (per namespace)
    "synonym",       # a synonym/alias of exactly one gene
    "ambiguous",     # names several genes of one namespace; ``ids`` lists them all
    "replaced",      # an NCBI GeneID whose CurrentID points to another gene (``current``)
    "discontinued",  # an NCBI GeneID whose status is not live, with no replacement
    "other-taxon",   # known, but only as a gene of another taxon (``gene_taxon`` says which)
    "unknown",       # matches nothing
    "empty",         # a blank query
)

#: Columns of :meth:`GeneIndex.lookup`'s result.
LOOKUP_COLUMNS: tuple[str, ...] = ("query", "taxon", "kind", "status", "via", "n", "db", "id", "symbol",
                                   "gene_taxon", "current", "ids", "symbols")

#: Up to this many distinct queries are settled by column scans (:meth:`GeneIndex._scan`), more by hash indexes.
_FEW_QUERIES = 16
_VIA = ("id", "id-ci", "symbol", "symbol-ci", "synonym", "synonym-ci")
_GENE_COLUMNS = ("db", "id", "symbol", "taxon", "status", "current", "name", "source")


class GeneNotFoundError(GoannotError, LookupError):
    """:func:`find_gene` found no single gene for a query (unknown, other taxon, or ambiguous)."""


def _bare_id_ok(db: pd.Series, ids: pd.Series) -> pd.Series:
    """Whether a record's bare id may be a lookup key: digits alone mean an NCBI GeneID, nothing else."""
    return (ids != "") & (~ids.str.fullmatch(r"\d+") | db.isin(["NCBIGene", "EntrezGene", "GeneID"]))


def _id_keys(genes: pd.DataFrame) -> pd.DataFrame:
    """The ID keys (tier 0) of gene records: ``db:id``, and the bare id where it may stand alone."""
    gene = np.arange(len(genes), dtype=np.int64)
    db = genes["db"].to_numpy(dtype=object)
    ids = genes["id"].to_numpy(dtype=object)
    has_db = (ids != "") & (db != "")
    bare = _bare_id_ok(genes["db"], genes["id"]).to_numpy()
    return pd.concat([
        pd.DataFrame({"key": pd.Series(db[has_db] + ":" + ids[has_db], dtype=object), "gene": gene[has_db]}),
        pd.DataFrame({"key": pd.Series(ids[bare], dtype=object), "gene": gene[bare]}),
    ], ignore_index=True).drop_duplicates(["key", "gene"], keep="first")


def _names_of(genes: pd.DataFrame, synonyms: pd.Series) -> pd.DataFrame:
    """The (key, tier, gene) rows of an index: IDs (tier 0), symbols (1), synonyms (2).

    ``synonyms`` holds, per gene row (same order), a list of synonyms.
    """
    gene = pd.Series(np.arange(len(genes), dtype=np.int64), index=genes.index)
    parts = [
        _id_keys(genes).assign(tier=0)[["key", "tier", "gene"]],
        pd.DataFrame({"key": genes["symbol"][genes["symbol"] != ""], "tier": 1,
                      "gene": gene[genes["symbol"] != ""]}),
    ]
    syn = pd.DataFrame({"key": synonyms.to_numpy(dtype=object), "gene": gene.to_numpy()}).explode("key")
    syn["key"] = syn["key"].fillna("").astype(str).str.strip()
    syn = syn[(syn["key"] != "") & (syn["key"].to_numpy() != genes["symbol"].to_numpy()[syn["gene"].to_numpy()])]
    parts.append(syn.assign(tier=2)[["key", "tier", "gene"]])
    names = pd.concat(parts, ignore_index=True).drop_duplicates(["key", "gene"], keep="first")
    names["tier"] = names["tier"].astype(np.int8)
    names["lkey"] = names["key"].str.lower()
    return names.reset_index(drop=True)


_NCBI_PREFIX = re.compile(r"(?:GeneID|EntrezGene|NCBI_Gene):(?=\d+$)")
_SUFFIX = {"uniprot": re.compile(r"-\d+$"), "ensembl": re.compile(r"\.\d+$")}


def _normalize_query(query: str, kind: str) -> str:
    """A query as an index key: GeneID:/EntrezGene: -> NCBIGene:, UniProt: -> UniProtKB:, isoforms and
    Ensembl versions dropped, Arabidopsis locus codes upper-cased without prefix, MGI:MGI: kept (it is
    the MGI curie of the id "MGI:n")."""
    out = query.strip()
    if ":" in out:
        out = _NCBI_PREFIX.sub("NCBIGene:", out, count=1)
        if kind == "uniprot" and out.startswith("UniProt:"):
            out = "UniProtKB:" + out[len("UniProt:"):]
    suffix = _SUFFIX.get(kind)
    if suffix is not None and ("-" in out or "." in out):
        out = suffix.sub("", out)
    if kind == "araport":
        for prefix in ("TAIR:", "Araport:"):
            if out.startswith(prefix):
                out = out[len(prefix):]
                break
        out = out.upper()
    return out


def _normalize_queries(q: pd.Series, kinds: pd.Series) -> pd.Series:
    """:func:`_normalize_query` over distinct queries (a plain loop: most queries need no change, and
    string methods on Python objects beat regex passes over the whole column)."""
    return pd.Series([_normalize_query(x, k) for x, k in zip(q.tolist(), kinds.tolist())], index=q.index,
                     dtype=object)


def _row_codes(*columns: pd.Series) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Dense codes 0..k-1 of the distinct rows of aligned columns, numbered by first appearance.

    Factorizes each column and combines the integer codes, which is far cheaper than hashing
    concatenated strings when a GAF repeats each value many times.
    """
    combined: np.ndarray[Any, np.dtype[np.int64]] = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(col, sort=False)
        combined = combined * (len(uniques) + 1) + codes.astype(np.int64)
        combined = pd.factorize(combined, sort=False)[0].astype(np.int64)
    return combined


def _broadcast(value: object, n: int, name: str) -> pd.Series:
    if value is None or isinstance(value, (str, int, np.integer)):
        return pd.Series([value] * n, dtype=object)
    s = pd.Series(list(value) if not isinstance(value, pd.Series) else value.to_numpy(), dtype=object)  # type: ignore[call-overload]
    if len(s) != n:
        raise ValueError(f"{name} has {len(s)} values for {n} queries")
    return s


def first_rows(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Position of the first occurrence of each code, for codes numbered by first appearance.

    ``pd.factorize`` numbers values in order of appearance, so a code occurs first where it
    exceeds every code before it: one running maximum, no sort.
    """
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    top = np.maximum.accumulate(codes)
    is_first = np.empty(len(codes), dtype=bool)
    is_first[0] = True
    np.greater(top[1:], top[:-1], out=is_first[1:])
    return np.flatnonzero(is_first)


def _codes(column: pd.Series) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Codes (order of appearance) and stripped distinct values of a string column; missing is ''."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    raw: list[Any] = pd.Series(uniques, dtype=object).to_numpy(dtype=object, na_value="").tolist()
    values = [v.strip() if isinstance(v, str) else str(v).strip() for v in raw]
    return codes.astype(np.int64, copy=False), values


class GeneIndex:
    """Gene records and every name that leads to them.

    ``genes`` has one row per gene: ``db`` (UniProtKB, NCBIGene, MGI, ...), ``id``, ``symbol``,
    ``taxon`` (bare digits, '' if unknown), ``status`` (live / replaced / discontinued), ``current``
    (the replacing id), ``name`` (description) and ``source`` (where the record came from).
    ``names`` maps keys to gene rows: ``key``, ``lkey`` (lower case), ``tier`` (0 ID, 1 symbol, 2 synonym).
    Build with :meth:`from_annotations`, :meth:`from_ncbi` or :meth:`from_records`; join with :meth:`merge`.

    ``names`` (every spelling, lower-cased, synonyms exploded) is built on first use: a query that
    names exactly one gene by its exact ID or official symbol is resolved through two hash indexes
    over ``genes`` without it, so a whole-genome population of accessions costs a lookup, not an
    index of every synonym. An index built by :meth:`from_annotations` also knows, in ``row_genes``,
    the gene of every table row (-1 for rows with neither ID nor symbol).
    """

    def __init__(self, genes: pd.DataFrame, names: pd.DataFrame | None = None, *,
                 synonyms: pd.Series | None = None, row_genes: npt.NDArray[np.int64] | None = None) -> None:
        self.genes = genes
        self.row_genes = row_genes
        self._names = names
        self._synonyms = synonyms
        self._memo: dict[str, Any] = {}

    @property
    def names(self) -> pd.DataFrame:
        """The (key, tier, gene, lkey) rows of every ID, symbol and synonym (built on first use)."""
        if self._names is None:
            syn = self._synonyms
            if syn is None:
                syn = pd.Series([[]] * len(self.genes), dtype=object)
            elif len(syn) and isinstance(syn.iloc[0], str):  # GAF synonym strings, split on first use
                syn = syn.str.split("|")
            self._names = _names_of(self.genes, syn)
        return self._names

    # ---- construction ----------------------------------------------------------------------

    @classmethod
    def from_records(cls, genes: pd.DataFrame, synonyms: pd.Series | None = None, *,
                     row_genes: npt.NDArray[np.int64] | None = None) -> GeneIndex:
        """An index over gene records (columns as :attr:`genes`; missing ones are filled with '').

        ``synonyms`` is aligned with ``genes`` and holds a list of synonyms per gene, or a GAF
        ``db_object_synonym`` string per gene (pipe-separated, split when the name table is first
        needed); ``row_genes`` optionally maps the rows of the table the records came from to them.
        """
        g = genes.reset_index(drop=True).copy()
        for col in _GENE_COLUMNS:
            if col not in g.columns:
                g[col] = "live" if col == "status" else ""
            g[col] = g[col].fillna("").astype(str)
        g = g[list(_GENE_COLUMNS)]
        syn = None if synonyms is None else pd.Series(list(synonyms), dtype=object)
        return cls(g, synonyms=syn, row_genes=row_genes)

    @classmethod
    def from_annotations(cls, table: pd.DataFrame, *, source: str = "annotations") -> GeneIndex:
        """The genes an annotation table (GAF columns: db, db_object_id, db_object_symbol,
        db_object_synonym, taxon) talks about, one record per (db, id, taxon).

        Synonyms are the pipe-separated ``db_object_synonym`` of the gene's first row; the taxon is
        the first of ``taxon``. Rows without an id still give a symbol-only record, one per
        (db, symbol, taxon). Missing columns other than ``db_object_id`` and ``db_object_symbol``
        (one of them is needed) count as blank. The columns are factorized once and their integer
        codes combined (no string per row); ``row_genes`` holds each row's record.
        """
        if "db_object_id" not in table.columns and "db_object_symbol" not in table.columns:
            raise ValueError("annotation table lacks column(s) db_object_id, db_object_symbol")

        def codes_of(name: str) -> tuple[npt.NDArray[np.int64], list[str]]:
            if name in table.columns:
                return _codes(table[name])
            return np.zeros(len(table), dtype=np.int64), [""]

        db_c, db_v = codes_of("db")
        id_c, id_v = codes_of("db_object_id")
        tax_raw, tax_v = codes_of("taxon")
        tax_c, tax_norm = _codes(pd.Series([normalize_taxon(v) for v in tax_v], dtype=object))
        tax_c = tax_c[tax_raw] if len(tax_raw) else tax_raw
        blank_id = [v == "" for v in id_v]
        row_genes = np.full(len(table), -1, dtype=np.int64)
        if len(db_v) == 1 and len(tax_norm) == 1 and not any(blank_id):
            row_genes = id_c  # one db and taxon (a GOA file): the ID codes are the record codes
            at = first_rows(id_c)
        else:
            sym_c, sym_v = codes_of("db_object_symbol")
            no_id = np.asarray(blank_id, dtype=bool)[id_c] if len(id_c) else np.zeros(0, dtype=bool)
            blank_sym = np.asarray([v == "" for v in sym_v], dtype=bool)[sym_c] if len(sym_c) else no_id
            ident = np.where(no_id, len(id_v) + sym_c, id_c)  # id-less rows: keyed by their symbol
            width = np.int64(len(id_v) + len(sym_v) + 1)
            key = (db_c * width + ident) * np.int64(max(len(tax_norm), 1)) + tax_c
            usable = ~(no_id & blank_sym)
            codes_raw, _ = pd.factorize(key[usable])
            rec_codes = codes_raw.astype(np.int64, copy=False)
            row_genes[usable] = rec_codes
            at = np.flatnonzero(usable)[first_rows(rec_codes)]

        def pick(values: list[str], codes: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
            return np.asarray(values, dtype=object)[codes[at]] if len(at) else np.zeros(0, dtype=object)

        dbs, ids, taxa = pick(db_v, db_c), pick(id_v, id_c), pick(tax_norm, tax_c)
        syms = (np.asarray([str(v).strip() for v in table["db_object_symbol"].iloc[at].to_numpy(
            dtype=object, na_value="").tolist()], dtype=object)
            if "db_object_symbol" in table.columns else np.full(len(at), "", dtype=object))
        genes = pd.DataFrame({"db": dbs, "id": ids, "symbol": syms, "taxon": taxa, "status": "live",
                              "current": "", "name": "", "source": source})
        syn = (pd.Series(table["db_object_synonym"].iloc[at].to_numpy(dtype=object, na_value=""), dtype=object)
               if "db_object_synonym" in table.columns else None)
        return cls.from_records(genes, syn, row_genes=row_genes)

    @classmethod
    def from_ncbi(cls, taxon: int | str) -> GeneIndex:
        """NCBI Gene's genes of one taxon, from goatools' test_data tables (downloaded 2016).

        Available: human 9606, mouse 10090, fly 7227 (:data:`NCBI_FILES`); other taxa raise
        :class:`DataSourceError` naming these. Records whose CurrentID is not 0 are "replaced"
        (``current`` = CurrentID), others whose Status is not "live" are "discontinued".
        """
        t = normalize_taxon(taxon)
        if t not in NCBI_FILES:
            raise DataSourceError(
                f"no NCBI Gene table for taxon {t or taxon!r}; available: "
                + ", ".join(f"{k} ({_NCBI_SPECIES[k]})" for k in NCBI_FILES) + " (goatools test_data)")
        from .sources import content_hash

        paths = [ncbi_gene_file(name) for name in NCBI_FILES[t]]
        key = "index-" + t + "-" + hashlib.sha256("|".join(content_hash(p) for p in paths).encode()).hexdigest()[:32]
        cached = _cache_read(key)
        if cached is not None and set(cached) == {"genes", "names"}:
            return cls(cached["genes"], cached["names"])
        index = cls._build_ncbi(t, [read_ncbi_genes(p) for p in paths])
        _cache_write(key, {"genes": index.genes, "names": index.names})
        return index

    @classmethod
    def _build_ncbi(cls, t: str, tables: list[pd.DataFrame]) -> GeneIndex:
        """The index over parsed NCBI tables of taxon ``t`` (the first table wins on a shared GeneID)."""
        df = pd.concat(tables, ignore_index=True).drop_duplicates("GeneID", keep="first")
        df = df[df["tax_id"].astype(str) == t]
        current = df["CurrentID"].to_numpy()
        live = (df["Status"].str.lower() == "live").to_numpy()
        status = np.where(current != 0, "replaced", np.where(live, "live", "discontinued"))
        genes = pd.DataFrame({
            "db": "NCBIGene", "id": df["GeneID"].astype(str).to_numpy(), "symbol": df["Symbol"].to_numpy(),
            "taxon": t, "status": status, "current": np.where(current != 0, current.astype(str), ""),
            "name": df["description"].to_numpy(), "source": f"NCBI Gene (goatools test_data) {t}"})
        aliases = df["Aliases"].str.split(r",\s*", regex=True)
        return cls.from_records(genes, aliases)

    def merge(self, *others: GeneIndex) -> GeneIndex:
        """One index over this one's genes and the others' (e.g. a GAF's proteins plus NCBI genes)."""
        genes, names, offset = [self.genes], [self.names], len(self.genes)
        for other in others:
            genes.append(other.genes)
            names.append(other.names.assign(gene=other.names["gene"] + offset))
            offset += len(other.genes)
        return GeneIndex(pd.concat(genes, ignore_index=True), pd.concat(names, ignore_index=True))

    # ---- facts -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.genes)

    def __repr__(self) -> str:
        return (f"GeneIndex({len(self.genes)} genes, {len(self.names)} names, "
                f"dbs={sorted(self.dbs)}, taxa={sorted(self.taxa)})")

    @property
    def taxa(self) -> frozenset[str]:
        """Taxa with at least one gene ('' stands for genes without a taxon)."""
        return frozenset(self.genes["taxon"].unique())

    @property
    def dbs(self) -> frozenset[str]:
        """Namespaces (GAF ``db`` values) the index holds IDs of."""
        return frozenset(self.genes.loc[self.genes["id"] != "", "db"].unique())

    # ---- lookup --------------------------------------------------------------------------------

    def lookup(self, values: Iterable[Any] | pd.Series, taxon: object = None, *, db: object = None) -> pd.DataFrame:
        """Resolve queries (IDs, curies, symbols, synonyms) to genes; one result row per query, in order.

        ``taxon`` restricts matches to that taxon: a scalar, or one value per query (None / '' = any).
        ``db`` restricts to a namespace likewise ("UniProtKB", "NCBIGene", ...).
        Matching goes by tiers: ID, then official symbol, then synonym; within each, the exact
        (case-sensitive) key before a case-insensitive one. The first tier with a match decides:
        one gene per namespace is "found" (or "synonym"), several are "ambiguous" and ``ids`` lists
        them all. Columns are :data:`LOOKUP_COLUMNS`; ``db``/``id``/``symbol``/``gene_taxon`` are those
        of the first match ('' when ambiguous or unmatched). Work is done once per distinct
        (query, taxon, db).
        """
        codes, u = self._distinct_queries(values, taxon, db)
        res, _ = self._resolve(u)
        # numpy takes: far cheaper than taking arrow-backed string columns row by row
        return pd.DataFrame({c: res[c][codes] for c in LOOKUP_COLUMNS})

    def match(self, values: Iterable[Any] | pd.Series, taxon: object = None, *, db: object = None) -> pd.DataFrame:
        """Every gene each distinct query resolves to, by the rules of :meth:`lookup`.

        One row per (distinct query, gene), queries in order of first appearance: ``query``,
        ``gene`` (the row of :attr:`genes`; -1 and a single row when nothing matched), ``via``,
        ``status`` and ``n`` (as in :meth:`lookup`). An ambiguous query has one row per gene,
        which a caller that lets it stand for all of them (enrichment) needs.
        """
        _, u = self._distinct_queries(values, taxon, db)
        res, m = self._resolve(u, full=False)
        qid = m["qid"].to_numpy(dtype=np.int64)
        unmatched = np.flatnonzero(res["n"] == 0)
        at = np.concatenate([qid, unmatched])
        gene = np.concatenate([m["gene"].to_numpy(dtype=np.int64), np.full(len(unmatched), -1, dtype=np.int64)])
        order = np.lexsort((gene, at))
        at, gene = at[order], gene[order]
        return pd.DataFrame({"query": pd.Series(res["query"][at], dtype=object), "gene": gene,
                             "via": pd.Series(res["via"][at], dtype=object),
                             "status": pd.Series(res["status"][at], dtype=object), "n": res["n"][at]})

    def _distinct_queries(self, values: Iterable[Any] | pd.Series, taxon: object, db: object
                          ) -> tuple[npt.NDArray[np.int64], pd.DataFrame]:
        """Codes of the queries and the distinct (query, taxon, db) with kind and normalized key."""
        q = pd.Series(values.to_numpy() if isinstance(values, pd.Series) else list(values), dtype=object)
        n = len(q)
        q = q.fillna("").astype(str)
        if taxon is None and db is None:  # the common case: queries alone
            codes = pd.factorize(q.to_numpy(dtype=object))[0].astype(np.int64)
            first = first_rows(codes)
            u = pd.DataFrame({"query": pd.Series(q.to_numpy(dtype=object)[first], dtype=object),
                              "taxon": pd.Series([""] * len(first), dtype=object),
                              "qdb": pd.Series([""] * len(first), dtype=object)})
        else:
            tax = normalize_taxa(_broadcast(taxon, n, "taxon"))
            dbq = _broadcast(db, n, "db").fillna("").astype(str)
            frame = pd.DataFrame({"query": q, "taxon": tax, "qdb": dbq})
            codes = _row_codes(q, tax, dbq)
            u = frame.take(first_rows(codes)).reset_index(drop=True)
        u["qid"] = np.arange(len(u))
        u["kind"] = detect_id_kinds(u["query"]).to_numpy()
        u["norm"] = _normalize_queries(u["query"], u["kind"])
        u["lnorm"] = pd.Series([x.lower() for x in u["norm"].tolist()], dtype=object)
        return codes, u

    def _unique_keys(self, tier: int) -> tuple[pd.Index, npt.NDArray[np.int64]]:
        """Exact keys naming exactly one gene in ``tier`` (0 IDs, 1 symbols) and that gene (memoized)."""
        name = f"unique{tier}"
        got = self._memo.get(name)
        if got is None:
            if tier == 0:
                keys = _id_keys(self.genes)
            else:
                sym = self.genes["symbol"]
                keys = pd.DataFrame({"key": sym, "gene": np.arange(len(sym), dtype=np.int64)})[(sym != "").to_numpy()]
            once = ~keys["key"].duplicated(keep=False).to_numpy()
            got = (pd.Index(keys["key"].to_numpy(dtype=object)[once], dtype=object),
                   keys["gene"].to_numpy(dtype=np.int64)[once])
            self._memo[name] = got
        return got

    def _id_lower_keys(self) -> pd.Index:
        """Every ID key in lower case (memoized): a query found here may match an ID in another case."""
        got = self._memo.get("lower0")
        if got is None:
            got = self._memo["lower0"] = pd.Index(_id_keys(self.genes)["key"].str.lower().to_numpy(dtype=object),
                                                 dtype=object)
        return got  # type: ignore[no-any-return]

    def _columns(self) -> dict[str, npt.NDArray[Any]]:
        """db, id, symbol as object arrays, whether the bare id is a key, lower-case ids (memoized)."""
        got = self._memo.get("columns")
        if got is None:
            g = self.genes
            got = {"db": g["db"].to_numpy(dtype=object), "id": g["id"].to_numpy(dtype=object),
                   "symbol": g["symbol"].to_numpy(dtype=object),
                   "bare": _bare_id_ok(g["db"], g["id"]).to_numpy(dtype=bool)}
            got["lid"] = np.asarray([x.lower() for x in got["id"].tolist()], dtype=object)
            got["ldb"] = np.asarray([x.lower() for x in got["db"].tolist()], dtype=object)
            self._memo["columns"] = got
        assert isinstance(got, dict)
        return got

    def _scan(self, norm: str, lnorm: str) -> tuple[int, int]:
        """(gene, rank) when ``norm`` names one gene by its exact ID (rank 0) or, no ID matching in
        any case, by its exact symbol (rank 2); (-1, 0) otherwise (the full path decides).

        The same rule as the hash path of :meth:`_matches`, by comparing with the columns: cheaper
        than building the key indexes when there are only a few queries (:func:`compare`'s one gene).
        """
        c = self._columns()
        prefix, colon, rest = norm.partition(":")
        exact = (c["bare"] & (c["id"] == norm)) | ((c["db"] == prefix) & (c["id"] == rest) if colon else False)
        hits = np.flatnonzero(exact)
        if len(hits) == 1:
            return int(hits[0]), 0
        if len(hits):
            return -1, 0
        lprefix, _, lrest = lnorm.partition(":")
        if (c["bare"] & (c["lid"] == lnorm)).any() or (colon and ((c["ldb"] == lprefix) & (c["lid"] == lrest)).any()):
            return -1, 0
        hits = np.flatnonzero(c["symbol"] == norm)
        return (int(hits[0]), 2) if len(hits) == 1 else (-1, 0)

    def _matches(self, u: pd.DataFrame) -> pd.DataFrame:
        """The best-ranked matches of distinct queries ``u``: one row per (qid, gene), with rank and other.

        A query equal to the one exact ID key of a single gene (rank 0), or, when no ID matches in any
        case, to the one exact symbol of a single gene (rank 2), is settled by a hash lookup; the rest
        are merged with :attr:`names` (every tier, both cases) and the best rank is kept, preferring
        genes of the asked taxon.
        """
        g = self.genes
        n = len(u)
        norm = u["norm"].to_numpy(dtype=object)
        lnorm = u["lnorm"].to_numpy(dtype=object)
        live = lnorm != ""
        gene = np.full(n, -1, dtype=np.int64)
        rank = np.zeros(n, dtype=np.int64)
        if n <= _FEW_QUERIES:  # a few queries: compare with the columns, no hash index to build
            for k in np.flatnonzero(live).tolist():
                gene[k], rank[k] = self._scan(str(norm[k]), str(lnorm[k]))
        else:
            keys0, genes0 = self._unique_keys(0)
            at = keys0.get_indexer(pd.Index(norm, dtype=object)) if len(keys0) else np.full(n, -1)
            hit = live & (at >= 0)
            gene[hit] = genes0[at[hit]]
            rest = np.flatnonzero(live & ~hit)
            if len(rest):
                keys1, genes1 = self._unique_keys(1)
                at1 = keys1.get_indexer(pd.Index(norm[rest], dtype=object)) if len(keys1) else np.full(len(rest), -1)
                no_id = self._id_lower_keys().get_indexer(pd.Index(lnorm[rest], dtype=object)) < 0
                sym_hit = (at1 >= 0) & no_id
                gene[rest[sym_hit]] = genes1[at1[sym_hit]]
                rank[rest[sym_hit]] = 2
        found = gene >= 0
        if found.any():  # a fast match must also pass the db and taxon filters, else the full path decides
            pick = np.maximum(gene, 0)
            qdb, qtax = u["qdb"].to_numpy(dtype=object), u["taxon"].to_numpy(dtype=object)
            gdb = g["db"].to_numpy(dtype=object)[pick]
            gtax = g["taxon"].to_numpy(dtype=object)[pick]
            found &= ((qdb == "") | (gdb == qdb)) & ((qtax == "") | (gtax == qtax) | (gtax == ""))
        fast = pd.DataFrame({"qid": u["qid"].to_numpy()[found], "gene": gene[found], "rank": rank[found],
                             "other": False})
        slow = live & ~found
        if not slow.any():
            return fast
        m = u.loc[slow, ["qid", "norm", "lnorm", "taxon", "qdb"]].merge(
            self.names, left_on="lnorm", right_on="lkey", how="inner")
        gi = m["gene"].to_numpy()
        m["gdb"] = g["db"].to_numpy()[gi]
        m["gtaxon"] = g["taxon"].to_numpy()[gi]
        m = m[(m["qdb"] == "") | (m["gdb"] == m["qdb"])]
        m["rank"] = m["tier"].astype(np.int64) * 2 + (m["key"] != m["norm"]).astype(np.int64)
        ok = (m["taxon"] == "") | (m["gtaxon"] == m["taxon"]) | (m["gtaxon"] == "")
        # the best tier per query among genes of the right taxon; else, among other taxa
        has_ok = ok.groupby(m["qid"]).transform("any")
        m = m[ok | ~has_ok]
        m = m[m["rank"] == m.groupby("qid")["rank"].transform("min")]
        m = m.drop_duplicates(["qid", "gene"])
        m = m.assign(other=~has_ok[m.index])[["qid", "gene", "rank", "other"]]
        both = pd.concat([fast, m], ignore_index=True) if len(fast) else m
        out: pd.DataFrame = both.sort_values(["qid", "gene"], kind="stable", ignore_index=True)
        return out

    def _resolve(self, u: pd.DataFrame, *, full: bool = True) -> tuple[dict[str, npt.NDArray[Any]], pd.DataFrame]:
        """Lookup over distinct queries ``u`` (qid 0..n-1, query, taxon, qdb, kind, norm, lnorm).

        Returns the per-query result as arrays (:data:`LOOKUP_COLUMNS` plus qid; no DataFrame, whose
        construction would convert every string array) and the long matches. Without ``full``, only
        qid, query, kind, status, via and n (what :meth:`match` reports).
        """
        g = self.genes
        m = self._matches(u)
        n = len(u)
        qid_m = m["qid"].to_numpy(dtype=np.int64)
        gi = m["gene"].to_numpy(dtype=np.int64)
        if len(m):
            head = np.empty(len(m), dtype=bool)
            head[0] = True
            np.not_equal(qid_m[1:], qid_m[:-1], out=head[1:])
            starts = np.flatnonzero(head)
        else:
            starts = np.zeros(0, dtype=np.int64)
        counts = np.diff(starts, append=len(m))
        qids = qid_m[starts]
        per_db = np.ones(len(starts), dtype=np.int64)
        multi = np.flatnonzero(counts > 1).tolist()  # the few multi-match queries
        gdb_all = g["db"].to_numpy(dtype=object)
        for i in multi:
            per_db[i] = max(pd.Series(gdb_all[gi[starts[i]:starts[i] + counts[i]]]).value_counts())
        if full:
            gdb = gdb_all[gi]
            gid = g["id"].to_numpy(dtype=object)[gi]
            curie = np.where(gdb != "", gdb + ":" + gid, gid) if len(gi) else np.zeros(0, dtype=object)
            sym = g["symbol"].to_numpy(dtype=object)[gi]
            ids, symbols = curie[starts].copy(), sym[starts].copy()
            for i in multi:
                sl = slice(int(starts[i]), int(starts[i] + counts[i]))
                ids[i] = "|".join(curie[sl])
                symbols[i] = "|".join(dict.fromkeys(x for x in sym[sl] if x))

        def spread(values: npt.NDArray[Any], fill: Any, dtype: Any = object) -> npt.NDArray[Any]:
            out = np.full(n, fill, dtype=dtype)
            out[qids] = values
            return out

        found = spread(np.ones(len(qids), dtype=bool), False, bool)
        n_match = spread(counts, 0, np.int64)
        single = found & (spread(per_db, 0, np.int64) <= 1)
        first_gene = spread(gi[starts], -1, np.int64)
        pick = np.where(single, first_gene, -1)
        rank = spread(m["rank"].to_numpy(dtype=np.int64)[starts], 0, np.int64)
        other = spread(m["other"].to_numpy(dtype=bool)[starts], False, bool)

        def col(name: str) -> npt.NDArray[Any]:
            values = g[name].to_numpy(dtype=object)
            return np.where(pick >= 0, values[np.maximum(pick, 0)] if len(values) else "", "")

        gstatus = col("status")
        via = np.where(found, np.array(_VIA, dtype=object)[np.minimum(rank, len(_VIA) - 1)], "")
        status = np.select(
            [u["kind"].to_numpy() == "empty", ~found, other, ~single,
             gstatus == "replaced", gstatus == "discontinued", rank >= 4],
            ["empty", "unknown", "other-taxon", "ambiguous", "replaced", "discontinued", "synonym"],
            default="found")
        res: dict[str, npt.NDArray[Any]] = {
            "qid": u["qid"].to_numpy(), "query": u["query"].to_numpy(dtype=object),
            "kind": u["kind"].to_numpy(dtype=object), "status": status.astype(object), "via": via, "n": n_match}
        if full:
            res.update({"taxon": u["taxon"].to_numpy(dtype=object), "db": col("db"), "id": col("id"),
                        "symbol": col("symbol"), "gene_taxon": col("taxon"), "current": col("current"),
                        "ids": spread(ids, ""), "symbols": spread(symbols, "")})
        return res, m

    def resolve_one(self, query: str, taxon: object = None) -> pd.Series:
        """:meth:`lookup` of a single query, as one row."""
        return self.lookup([query], taxon).iloc[0]



# --------------------------------------------------------------------------------------------------
# Convenience

def _as_index(source: object) -> GeneIndex:
    if isinstance(source, GeneIndex):
        return source
    table = getattr(source, "table", source)  # an AnnotationSet carries its table
    if isinstance(table, pd.DataFrame):
        return GeneIndex.from_annotations(table)
    raise TypeError(f"expected a GeneIndex, an annotation table or an AnnotationSet, not {type(source).__name__}")


@overload
def find_gene(query: str, source: object, taxon: object = None, *, strict: Literal[True] = True) -> str: ...


@overload
def find_gene(query: str, source: object, taxon: object = None, *, strict: Literal[False]) -> str | None: ...


def find_gene(query: str, source: object, taxon: object = None, *, strict: bool = True) -> str | None:
    """The curie of the one gene ``query`` names in ``source`` (a GeneIndex, annotation table or
    AnnotationSet), e.g. ``find_gene("IL7", human_gaf) == "UniProtKB:P13232"``.

    With ``strict`` an unknown, other-taxon or ambiguous query raises :class:`GeneNotFoundError`
    saying which; otherwise None is returned. Building an index from a table costs ~0.3 s for the
    human GAF: for many queries build a :class:`GeneIndex` once and use :meth:`GeneIndex.lookup`.
    """
    row = _as_index(source).resolve_one(query, taxon)
    if row["status"] in ("found", "synonym", "replaced", "discontinued") and row["id"]:
        return f"{row['db']}:{row['id']}" if row["db"] else str(row["id"])
    if not strict:
        return None
    where = f" in taxon {normalize_taxon(taxon)}" if taxon is not None else ""
    detail = {"ambiguous": f"names several genes: {row['ids']}",
              "other-taxon": f"is only a gene of taxon {row['gene_taxon'] or '?'} ({row['ids']})",
              "empty": "is empty"}.get(str(row["status"]), "matches no gene")
    raise GeneNotFoundError(f"{query!r}{where} {detail}")
