"""Propagation and many-study enrichment on a Dask cluster (optional extra ``goannot[dask]``).

* :func:`propagate_table` computes the gene x term closure table that ``goannot propagate --out``
  writes, with the annotation rows shuffled by gene (``dask.dataframe`` shuffle on ``db``,
  ``db_object_id``): every row of a gene lands in one partition, which is then propagated by the
  single-process :func:`goannot.propagate.propagate` (rows in their original line order, so each
  gene's display symbol is the same first row's). Genes never span partitions, so the union of the
  partitions' closures is the whole file's closure.
* :func:`enrich_studies` runs :func:`goannot.enrich.enrich` for many study lists against one
  background: the annotations are propagated once per worker (cached by file, ontology sha256 and
  settings), the lists run as parallel tasks, and the per-study tables are concatenated into one
  table with a leading ``study`` column, in the order the studies were given.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .convert import ParquetDataset, convert, is_dataset, open_dataset, read_part
from .dask_engine import OntologyRef, _worker_name, resolve_ontology, share_ontology

__all__ = ["propagate_table", "enrich_studies", "CLOSURE_COLUMNS"]

log = logging.getLogger(__name__)

#: Columns of the closure table (as ``goannot propagate --out`` writes them).
CLOSURE_COLUMNS: tuple[str, ...] = ("gene", "symbol", "term", "name", "direct", "n_sources")


def closure_table(annotations: pd.DataFrame, ontology: Any, relations: Sequence[str], evidence: Any,
                  aspects: Any) -> pd.DataFrame:
    """The single-process closure table of ``annotations`` (gene, symbol, term, name, direct, n_sources)."""
    from .propagate import propagate

    prop = propagate(annotations, ontology, tuple(relations), evidence, aspects=aspects)
    table = prop.closure.merge(prop.genes[["gene", "symbol"]], on="gene", how="left")
    table["name"] = [ontology.name(t) for t in table["term"].astype(str)]
    return table[list(CLOSURE_COLUMNS)]


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as plain strings: partitions have different categories, and must concatenate."""
    return pd.DataFrame({"gene": table["gene"].astype(str).to_numpy(dtype=object),
                         "symbol": table["symbol"].astype(str).to_numpy(dtype=object),
                         "term": table["term"].astype(str).to_numpy(dtype=object),
                         "name": table["name"].astype(str).to_numpy(dtype=object),
                         "direct": table["direct"].to_numpy(dtype=bool),
                         "n_sources": table["n_sources"].to_numpy(dtype="int64")})


def _empty_closure() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=bool if c == "direct" else "int64" if c == "n_sources" else object)
                         for c in CLOSURE_COLUMNS})


def _propagate_partition(rows: pd.DataFrame, ref: OntologyRef, relations: tuple[str, ...], evidence: Any,
                         aspects: Any) -> pd.DataFrame:
    if not len(rows):
        return _empty_closure()
    from .annotations._model import STRING_DTYPE

    rows = rows.sort_values("line", kind="stable").reset_index(drop=True)
    rows = rows.astype({c: STRING_DTYPE for c in rows.columns if c != "line"})
    return _plain(closure_table(rows, resolve_ontology(ref), relations, evidence, aspects))


def _part_rows(arg: tuple[ParquetDataset, int]) -> pd.DataFrame:
    return read_part(*arg)[0]


def _dataset(client: Any, path: str | Path, work_dir: str | Path, format: str | None,
             rows_per_part: int) -> ParquetDataset:
    if is_dataset(path):
        return open_dataset(path)
    fut = client.submit(convert, str(path), str(Path(work_dir) / "data"), format=format, rows_per_part=rows_per_part)
    ds: ParquetDataset = fut.result()
    return ds


def propagate_table(path: str | Path, ontology: Any, *, client: Any, work_dir: str | Path,
                    relations: Sequence[str], evidence: Any = None, aspects: Any = None,
                    format: str | None = None, rows_per_part: int = 500_000,
                    partitions: int | None = None) -> pd.DataFrame:
    """The closure table of an annotation file (or converted dataset), computed on Dask, sorted by gene, term.

    Equal to :func:`closure_table` of the whole file, sorted the same way. ``partitions`` sets how
    many gene partitions the shuffle makes (default: as many as the input has parts).
    """
    import dask.dataframe as dd

    ds = _dataset(client, path, work_dir, format, rows_per_part)
    ref = share_ontology(ontology)
    meta = read_part(ds, 0)[0].iloc[:0]
    rows = dd.from_map(_part_rows, [(ds, k) for k in range(len(ds.parts))],  # type: ignore[no-untyped-call]
                       meta=meta, enforce_metadata=False)
    by_gene = rows.shuffle(on=["db", "db_object_id"], npartitions=partitions or len(ds.parts))
    closure = by_gene.map_partitions(_propagate_partition, ref, tuple(relations), evidence, aspects,
                                     meta=_empty_closure())
    table: pd.DataFrame = closure.compute()
    return table.sort_values(["gene", "term"], kind="stable", ignore_index=True)


# -- enrichment of many studies ------------------------------------------------------------------------

_PREPARED: dict[tuple[Any, ...], Any] = {}
_PREP_LOCK = threading.Lock()


def _prepared(annotations: str, ref: OntologyRef, relations: tuple[str, ...], evidence: Any,
              ns: tuple[str, ...]) -> Any:
    """The background annotations propagated once per worker (and reused by every study on it).

    Keyed by worker too: workers of an in-process cluster share this module, and the prepared
    object's lazy lookup tables are not built thread-safely, so each worker gets its own.
    """
    key = (_worker_name(), annotations, ref, relations, evidence, ns)
    with _PREP_LOCK:
        got = _PREPARED.get(key)
        if got is None:
            from .annotations import read_annotations
            from .enrich import prepare_annotations

            got = prepare_annotations(read_annotations(annotations), resolve_ontology(ref), relations, evidence, ns)
            _PREPARED[key] = got
    return got


def _enrich_one(label: str, study: list[str], population: list[str] | None, annotations: str, ref: OntologyRef,
                kwargs: dict[str, Any]) -> pd.DataFrame:
    from .enrich import enrich

    relations = tuple(kwargs.get("relations", ("is_a", "part_of")))
    ns = tuple(kwargs.get("ns", ("BP", "MF", "CC")))
    prepared = _prepared(annotations, ref, relations, kwargs.get("evidence"), ns)
    result = enrich(study, population, prepared, prepared.ontology, **kwargs)
    table = result.table.copy()
    table.insert(0, "study", label)
    return table


def enrich_studies(studies: Sequence[tuple[str, list[str]]], population: list[str] | None, annotations: str | Path,
                   ontology: Any, *, client: Any, **kwargs: Any) -> pd.DataFrame:
    """Enrichment of each ``(label, gene list)`` of ``studies`` against one background, as one table.

    ``kwargs`` are :func:`goannot.enrich.enrich`'s keywords (``relations``, ``evidence``, ``ns`` as
    the CLI passes them). Each table row gets its study's label; rows are in the order the studies
    were given, each study's rows as :func:`~goannot.enrich.enrich` orders them.
    """
    ref = share_ontology(ontology)
    futures = [client.submit(_enrich_one, label, list(ids), population, str(annotations), ref, dict(kwargs),
                             key=f"goannot-enrich-{k}-{label}") for k, (label, ids) in enumerate(studies)]
    tables = client.gather(futures)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
