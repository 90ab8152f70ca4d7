"""Convert an annotation file once into a partitioned Parquet dataset that workers can read in parallel.

A gzip stream cannot be split: only one reader can walk it, front to back. Distributed validation
(:mod:`goannot.dask_engine`) therefore converts each input once, streaming (memory bounded by one
part), into a directory of Parquet parts that any number of workers then read independently:

* ``part-00000.parquet`` ... : the parsed rows, all :data:`~goannot.columns.TABLE_COLUMNS` including
  the original 1-based ``line``, ``rows_per_part`` rows each (the last one shorter);
* ``rejects-00000.parquet`` ... : the lines the reader could not parse (``line, reason, raw``), stored
  with the part whose chunk they came with, so every input row belongs to exactly one part;
* ``_goannot.json``: the file's header, format, version and source path, and per part its name and
  row counts. Written last: a directory without it is an interrupted conversion and is not read.

Validating the dataset gives the same counts, findings and outputs as validating the original file,
because every row keeps its line number.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from .annotations import AnnotationChunk

__all__ = ["ParquetDataset", "PartInfo", "convert", "open_dataset", "read_part", "MANIFEST"]

log = logging.getLogger(__name__)

#: The manifest file of a converted dataset.
MANIFEST = "_goannot.json"
_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class PartInfo:
    """One part of a dataset: its file, its rejects file (or ""), and its row counts."""

    name: str
    rejects: str
    rows: int
    input_rows: int
    first_line: int
    last_line: int


@dataclass
class ParquetDataset:
    """A converted annotation file: where it lives, what the original file said, and its parts."""

    root: str
    path: str
    format: str
    version: str
    header: dict[str, str]
    parts: list[PartInfo] = field(default_factory=list)
    #: the header lines as the producer wrote them (``--fix`` writes them back) and what the reader inferred
    header_lines: tuple[str, ...] = ()
    inferred: dict[str, str] = field(default_factory=dict)

    @property
    def input_rows(self) -> int:
        """Rows of the original file (parsed rows plus rejected lines)."""
        return sum(p.input_rows for p in self.parts)

    def meta(self) -> dict[str, Any]:
        """The metadata the validation engine reads from a chunk (header, format, version, path)."""
        return {"header": dict(self.header), "format": self.format, "version": self.version, "path": self.path,
                "inferred": dict(self.inferred), "header_lines": tuple(self.header_lines)}


def _write_manifest(ds: ParquetDataset) -> None:
    doc = {"goannot_parquet": _SCHEMA_VERSION, "path": ds.path, "format": ds.format, "version": ds.version,
           "header": ds.header, "header_lines": list(ds.header_lines), "inferred": ds.inferred,
           "parts": [p.__dict__ for p in ds.parts]}
    tmp = Path(ds.root) / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, Path(ds.root) / MANIFEST)


def convert(path: str | Path, out_dir: str | Path, *, format: str | None = None, rows_per_part: int = 500_000,
            strict: bool = False) -> ParquetDataset:
    """Convert one annotation file into a Parquet dataset in ``out_dir`` (created; must be empty or absent).

    Streams the file with :func:`~goannot.annotations.iter_annotations` in chunks of ``rows_per_part``
    rows and writes each chunk as it comes, so memory stays bounded by one part whatever the file's
    size. Raises :class:`~goannot.errors.GoannotError` for an unreadable file; nothing is left behind then.
    """
    from .annotations import iter_annotations

    root = Path(out_dir)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root}: not empty")
    root.mkdir(parents=True, exist_ok=True)
    ds: ParquetDataset | None = None
    pending: list[AnnotationChunk] = []

    def flush() -> None:
        assert ds is not None
        k = len(ds.parts)
        table = pd.concat([c.table for c in pending], ignore_index=True) if len(pending) > 1 else pending[0].table
        bad = [c.rejects for c in pending if len(c.rejects)]
        name = f"part-{k:05d}.parquet"
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), root / name)
        rejects = ""
        if bad:
            rejects = f"rejects-{k:05d}.parquet"
            pq.write_table(pa.Table.from_pandas(pd.concat(bad, ignore_index=True), preserve_index=False),
                           root / rejects)
        lines = [int(table["line"].min()), int(table["line"].max())] if len(table) else [0, 0]
        ds.parts.append(PartInfo(name, rejects, len(table), sum(c.input_rows for c in pending), lines[0], lines[1]))
        pending.clear()

    try:
        # The readers cut a file into blocks of their own size: gather them into parts of about rows_per_part.
        for chunk in iter_annotations(path, format, strict=strict, chunk_rows=rows_per_part):
            if ds is None:
                ds = ParquetDataset(str(root), chunk.path or str(path), chunk.format, chunk.version,
                                    dict(chunk.header), header_lines=tuple(chunk.header_lines),
                                    inferred=dict(chunk.inferred or {}))
            pending.append(chunk)
            if sum(len(c.table) for c in pending) >= rows_per_part:
                flush()
        if pending:
            flush()
        if ds is None:
            raise RuntimeError(f"{path}: the reader yielded no chunk")
        _write_manifest(ds)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    log.info("%s: %d rows in %d parts written to %s", path, ds.input_rows, len(ds.parts), root)
    return ds


def open_dataset(root: str | Path) -> ParquetDataset:
    """A dataset written by :func:`convert` (its manifest must be there: the conversion completed)."""
    doc = json.loads((Path(root) / MANIFEST).read_text(encoding="utf-8"))
    if doc.get("goannot_parquet") != _SCHEMA_VERSION:
        raise ValueError(f"{root}: unsupported dataset version {doc.get('goannot_parquet')!r}")
    return ParquetDataset(str(root), doc["path"], doc["format"], doc["version"], dict(doc["header"]),
                          [PartInfo(**p) for p in doc["parts"]], tuple(doc.get("header_lines", ())),
                          dict(doc.get("inferred", {})))


def is_dataset(path: str | Path) -> bool:
    """True when ``path`` is a directory holding a completed :func:`convert` dataset."""
    return (Path(path) / MANIFEST).is_file()


def read_part(ds: ParquetDataset, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Part ``k`` of ``ds`` as (annotation table in the reader's dtypes, reader rejects)."""
    from .annotations._model import REJECT_COLUMNS, to_pandas

    info = ds.parts[k]
    table = to_pandas(pq.read_table(Path(ds.root) / info.name))
    if info.rejects:
        rejects = pq.read_table(Path(ds.root) / info.rejects).to_pandas()
        rejects["line"] = rejects["line"].astype("int64")
    else:
        rejects = pd.DataFrame({c: pd.Series(dtype="int64" if c == "line" else object) for c in REJECT_COLUMNS})
    return table, rejects
