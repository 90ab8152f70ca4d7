"""Writing annotation tables: GAF (2.1 or 2.2), TSV and JSON, always atomically.

Every writer goes through :func:`goannot.atomic.atomic_open`: a temporary file in the target's
directory is moved into place with :func:`os.replace`, so a reader never sees half a file and a failure leaves the old file as it was
(the temporary file is removed). A path ending in ``.gz`` is gzip-compressed.

GAF 2.2 output converts GAF 2.0/2.1 qualifiers following GORULE:0000059 (the relation defaults of
the GAF 2.2 specification): a row without a relation gets, by aspect,

* F: ``enables``;
* P: ``involved_in`` for the root ``GO:0008150``, else ``acts_upstream_of_or_within``;
* C: ``is_active_in`` for the root ``GO:0005575``, ``part_of`` for protein-containing complex
  (GO:0032991) and its descendants, else ``located_in``. Telling complexes apart needs the
  ontology: pass ``is_protein_containing_complex``; without it only GO:0032991 itself counts.

``NOT`` is kept in front ("NOT|enables"); rows that already have a relation (``contributes_to``,
``colocalizes_with``, or any GAF 2.2 relation) keep it.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from ..atomic import atomic_open
from ..columns import GAF_COLUMNS, Col
from ..errors import GoannotError

__all__ = ["write_gaf", "write_tsv", "gaf_header", "write_json", "gaf22_qualifiers"]

log = logging.getLogger(__name__)

BP_ROOT, MF_ROOT, CC_ROOT = "GO:0008150", "GO:0003674", "GO:0005575"
PROTEIN_CONTAINING_COMPLEX = "GO:0032991"
_KEPT_IN_21 = {"contributes_to", "colocalizes_with"}


def _split_qualifier(q: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(negated, relation) arrays from a qualifier column; each distinct value is parsed once."""
    text = q.astype(str)
    parsed: dict[str, tuple[bool, str]] = {}
    for v in pd.unique(text):
        parts = [p.strip() for p in str(v).split("|") if p.strip()]
        rels = [p for p in parts if p.upper() != "NOT"]
        parsed[str(v)] = (len(rels) < len(parts), rels[-1] if rels else "")
    negated = text.map({k: v[0] for k, v in parsed.items()}).to_numpy(dtype=bool)
    relation = text.map({k: v[1] for k, v in parsed.items()}).to_numpy(dtype=object)
    return negated, relation


def gaf22_qualifiers(df: pd.DataFrame,
                     is_protein_containing_complex: Callable[[str], bool] | None = None) -> pd.Series:
    """The GAF 2.2 qualifier of every row (see the module docstring for the rule)."""
    negated, relation = _split_qualifier(df[Col.QUALIFIER])
    missing = relation == ""
    if missing.any():
        aspect = df[Col.ASPECT].astype(str).to_numpy(dtype=object)
        go = df[Col.GO_ID].astype(str).to_numpy(dtype=object)
        cc = missing & (aspect == "C")
        complexes = {g for g in pd.unique(go[cc]) if g == PROTEIN_CONTAINING_COMPLEX
                     or (is_protein_containing_complex is not None and is_protein_containing_complex(str(g)))}
        is_complex = np.isin(go, list(complexes)) if complexes else np.zeros(len(go), dtype=bool)
        default = np.select(
            [aspect == "F",
             (aspect == "P") & (go == BP_ROOT), aspect == "P",
             (aspect == "C") & (go == CC_ROOT), (aspect == "C") & is_complex, aspect == "C"],
            ["enables", "involved_in", "acts_upstream_of_or_within", "is_active_in", "part_of", "located_in"],
            default="",
        ).astype(object)
        relation = np.where(missing, default, relation)
        unknown = int((relation == "").sum())
        if unknown:
            log.warning("%d rows have no relation and an aspect other than P, F, C: qualifier left empty", unknown)
    prefix = np.where(negated, np.where(relation == "", "NOT", "NOT|"), "").astype(object)
    return pd.Series(prefix + relation, index=df.index).astype(df[Col.QUALIFIER].dtype)


def _gaf21_qualifiers(df: pd.DataFrame) -> pd.Series:
    negated, relation = _split_qualifier(df[Col.QUALIFIER])
    parts = [("NOT|" if n else "") + (r if r in _KEPT_IN_21 else "") for n, r in zip(negated, relation)]
    return pd.Series([p.rstrip("|") for p in parts], index=df.index).astype(df[Col.QUALIFIER].dtype)


def _arrow_strings(df: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pa.Table:
    arrays = []
    for name in columns:
        if name in df.columns:
            col = df[name]
            arr = pa.array(col.astype(str) if col.dtype == object or not pd.api.types.is_string_dtype(col) else col,
                           from_pandas=True)
            if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
                arr = arr.cast(pa.large_string())
            arr = arr.fill_null("")
        else:
            arr = pa.array([""] * len(df), type=pa.large_string())
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=list(columns))


def _write_rows(fh: IO[bytes], table: pa.Table, include_header: bool) -> None:
    """Tab-separated rows of ``table``; tabs and newlines inside values become spaces."""
    import pyarrow.compute as pc

    options = pcsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
    sink = pa.BufferOutputStream()
    try:
        pcsv.write_csv(table, sink, write_options=options)
    except pa.ArrowInvalid:
        # A value holds a tab or newline (pyarrow refuses to write it unquoted): replace them.
        cols = []
        for col in table.columns:
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                col = pc.replace_substring_regex(col, r"[\t\r\n]", " ")
            cols.append(col)
        sink = pa.BufferOutputStream()
        pcsv.write_csv(pa.Table.from_arrays(cols, names=table.column_names), sink, write_options=options)
    if include_header:
        fh.write(("\t".join(table.column_names) + "\n").encode("utf-8"))
    fh.write(memoryview(sink.getvalue()))


def write_gaf(annotations: pd.DataFrame, path: str | Path, *, version: str = "2.2",
              header: Mapping[str, str] | None = None,
              is_protein_containing_complex: Callable[[str], bool] | None = None) -> None:
    """Write the annotation table as a GAF 2.2 (default) or 2.1 file, atomically.

    ``header`` entries become ``!key: value`` lines after ``!gaf-version``; ``generated-by`` and
    ``date-generated`` (required by GAF 2.2) are added when missing. See the module docstring for the
    2.1 -> 2.2 qualifier conversion. In 2.1 output only NOT, contributes_to and colocalizes_with
    are kept in the qualifier, as GAF 2.1 allows.
    """
    if version not in ("2.1", "2.2"):
        raise GoannotError(f"cannot write GAF version {version!r}; expected '2.1' or '2.2'")
    df = annotations.copy(deep=False)
    if Col.QUALIFIER in df.columns:
        df[Col.QUALIFIER] = (gaf22_qualifiers(df, is_protein_containing_complex) if version == "2.2"
                             else _gaf21_qualifiers(df))
    meta = {k.lower(): str(v) for k, v in (header or {}).items() if k.lower() != "gaf-version"}
    meta.setdefault("generated-by", "goannot")
    meta.setdefault("date-generated", _dt.date.today().isoformat())
    lines = [f"!gaf-version: {version}"] + [f"!{k}: {v}" for k, v in meta.items()]
    table = _arrow_strings(df, GAF_COLUMNS)
    with atomic_open(path, "wb") as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))
        _write_rows(fh, table, include_header=False)


def gaf_header(header_lines: tuple[str, ...] | list[str], version: str, stamp: str = "") -> list[str]:
    """The header of a GAF written from a read one: the producer's lines as written, then ``stamp``.

    Case, spaces in keys, ``!!`` and multi-line notes are kept. The ``!gaf-version`` line says
    ``version`` (the version the rows are written in, e.g. 2.2 after ``--convert-to-22``); a file
    that had none gets one first, as GAF requires it.
    """
    out: list[str] = []
    seen = False
    for line in header_lines:
        if line.lstrip("!").strip().lower().replace(" ", "").startswith("gaf-version") and not seen:
            out.append(f"!gaf-version: {version}")
            seen = True
        else:
            out.append(line)
    if not seen:
        out.insert(0, f"!gaf-version: {version}")
    return out + ([f"!{stamp}"] if stamp else [])


def write_tsv(annotations: pd.DataFrame, path: str | Path) -> None:
    """Write any table as tab-separated text with a header line, atomically."""
    table = _arrow_strings(annotations, [str(c) for c in annotations.columns])
    with atomic_open(path, "wb") as fh:
        _write_rows(fh, table, include_header=True)


def write_json(annotations: pd.DataFrame, path: str | Path) -> None:
    """Write any table as a JSON array of records (one object per row), atomically."""
    records: list[dict[str, Any]] = annotations.to_dict(orient="records")  # type: ignore[assignment]
    with atomic_open(path, "wb") as fh:
        fh.write(json.dumps(records, ensure_ascii=False, default=str).encode("utf-8"))
