"""Reading GPAD 1.2 and 2.0 annotation files, with GPI 1.2 / 2.0 for gene product details.

GPAD carries no symbol, name, synonyms, type or taxon of the annotated gene product: those come
from a GPI file (``gpi=``), joined on DB + DB_Object_ID; without one they stay empty. Evidence is
an ECO id: it is kept in ``eco`` and mapped to a GO evidence code in ``evidence`` with
:mod:`goannot.annotations.eco`. An ECO id the mapping does not know leaves ``evidence`` empty (the
row is kept; the validator reports it). Relations become GAF 2.2 labels in ``qualifier``
("NOT|enables" when negated) and give the ``aspect`` (enables -> F, involved_in -> P, ...).
GPAD 2.0 dates (YYYY-MM-DD) are written as YYYYMMDD, as in GAF.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._blocks import DEFAULT_BLOCK_BYTES, iter_blocks
from ._chunks import Meta, chunks_of, empty_chunk
from ._model import STRING_DTYPE, AnnotationChunk, arrow_table
from ._tsv import (Check, Layout, Rows, apply_checks, date_check, empty_check, header_pairs, parse_block,
                   raise_first, split_header)
from .eco import eco_map
from .relations import ASPECT_OF_RELATION, LABEL_OF_RELATION_ID

__all__ = ["read_gpad", "read_gpi", "gpi_entities", "GPI_COLUMNS"]

log = logging.getLogger(__name__)

_STR = pa.large_string()

_GPAD12 = Layout(
    "GPAD 1.2",
    ("db", "db_object_id", "qualifier", "go_id", "reference", "eco", "with_from", "interacting_taxon",
     "date", "assigned_by", "annotation_extension", "annotation_properties"),
    ("DB", "DB_Object_ID", "Qualifier", "GO ID", "DB:Reference", "Evidence", "With/From",
     "Interacting taxon", "Date", "Assigned_by", "Annotation Extension", "Annotation Properties"),
)
_GPAD20 = Layout(
    "GPAD 2.0",
    ("id", "negation", "relation", "go_id", "reference", "eco", "with_from", "interacting_taxon",
     "date", "assigned_by", "annotation_extension", "annotation_properties"),
    ("DB:DB_Object_ID", "Negation", "Relation", "Ontology class ID", "Reference", "Evidence type",
     "With/From", "Interacting taxon", "Date", "Assigned by", "Annotation Extensions",
     "Annotation properties"),
)
_MANDATORY12 = ("db", "db_object_id", "qualifier", "go_id", "reference", "eco", "date", "assigned_by")
_MANDATORY20 = ("id", "relation", "go_id", "reference", "eco", "date", "assigned_by")

#: Columns of the gene product table :func:`read_gpi` returns.
GPI_COLUMNS = ("db", "db_object_id", "db_object_symbol", "db_object_name", "db_object_synonym",
               "db_object_type", "taxon")

_GPI12 = Layout("GPI 1.2", ("db", "db_object_id", "db_object_symbol", "db_object_name", "db_object_synonym",
                            "db_object_type", "taxon", "parent_object_id", "db_xref", "properties"),
                ("DB", "DB_Object_ID", "DB_Object_Symbol", "DB_Object_Name", "DB_Object_Synonym",
                 "DB_Object_Type", "Taxon", "Parent_Object_ID", "DB_Xref", "Properties"))
_GPI20 = Layout("GPI 2.0", ("id", "db_object_symbol", "db_object_name", "db_object_synonym", "db_object_type",
                            "taxon", "encoded_by", "parent_protein", "complex_members", "db_xref", "properties"),
                ("DB_Object_ID", "DB_Object_Symbol", "DB_Object_Name", "DB_Object_Synonyms",
                 "DB_Object_Type", "DB_Object_Taxon", "Encoded_by", "Parent_Protein",
                 "Protein_Containing_Complex_Members", "DB_Xrefs", "Gene_Product_Properties"))

#: GPI 2.0 gives types as Sequence Ontology (or GO) ids; the table uses GAF's labels.
_TYPE_LABELS = {
    "SO:0000104": "protein", "PR:000000001": "protein", "SO:0000704": "gene", "SO:0001217": "gene",
    "SO:0000234": "mRNA", "SO:0000673": "transcript", "SO:0000655": "ncRNA", "SO:0000252": "rRNA",
    "SO:0000253": "tRNA", "SO:0000274": "snRNA", "SO:0000275": "snoRNA", "SO:0000276": "miRNA",
    "SO:0001877": "lnc_RNA", "GO:0032991": "protein_complex", "CHEBI:33695": "gene_product",
}


def _s(text: str) -> pa.Scalar:
    return pa.scalar(text, type=_STR)


def _sniff_version(header: dict[str, str], data: bytes, key_names: tuple[str, ...]) -> str:
    for key in key_names:
        if header.get(key):
            return header[key]
    for line in data.split(b"\n", 50)[:50]:
        if line.strip():
            first = line.split(b"\t", 1)[0]
            return "2.0" if b":" in first else "1.2"
    return ""


def _curie_parts(arr: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, pa.Array]:
    """Split "UniProtKB:P12345" into ("UniProtKB", "P12345"); "MGI:MGI:1" into ("MGI", "MGI:1")."""
    parts = pc.extract_regex(arr, r"^(?P<db>[^:]*):(?P<local>.*)$")
    db = pc.fill_null(pc.struct_field(parts, "db"), "")
    local = pc.coalesce(pc.struct_field(parts, "local"), arr)
    return db.cast(_STR), local.cast(_STR)


def _ncbi_taxon(arr: pa.ChunkedArray | pa.Array) -> pa.Array:
    """"NCBITaxon:9606" (GPAD/GPI 2.0) -> "taxon:9606"; pipe-separated lists too."""
    return pc.replace_substring_regex(arr, r"(^|\|)\s*(?:NCBITaxon|NCBITaxon_|taxon):?", r"\1taxon:")


def read_gpi(path: str | Path, *, strict: bool = False) -> pd.DataFrame:
    """The gene products of a GPI 1.2 or 2.0 file: columns :data:`GPI_COLUMNS`, one row per entity.

    Malformed GPI lines are logged and left out (``strict=True`` raises instead).
    """
    table, _, _, _ = _gpi_arrow(str(path), strict=strict)
    return pd.DataFrame({name: pd.array(table.column(name), dtype=STRING_DTYPE) for name in GPI_COLUMNS})


def _gpi_arrow(path: str, *, strict: bool) -> tuple[pa.Table, list[tuple[int, str, str]], int, dict[str, str]]:
    blocks = iter_blocks(path)
    first = next(blocks, None)
    empty = pa.table({name: pa.array([], type=_STR) for name in GPI_COLUMNS})
    if first is None:
        return empty.append_column("line", pa.array([], type=pa.int64())), [], 0, {}
    header_lines, rest = split_header(first, b"!")
    header = header_pairs(header_lines, "!")
    version = _sniff_version(header, rest.data, ("gpi-version",))
    layout = _GPI20 if version.startswith("2") else _GPI12
    pieces: list[pa.Table] = []
    rejects: list[tuple[int, str, str]] = []
    skipped = len(header_lines)
    for block in chain([rest], blocks):
        if not block.data:
            continue
        rows = parse_block(block, layout)
        key = "id" if layout is _GPI20 else "db_object_id"
        rows = apply_checks(rows, [empty_check(rows, key, layout.titles[layout.names.index(key)], 1 if key == "id" else 2)],
                            layout.names)
        if strict:
            raise_first(path, rows.rejects)
        rejects += rows.rejects
        skipped += rows.skipped
        cols = dict(rows.columns)
        if layout is _GPI20:
            cols["db"], cols["db_object_id"] = _curie_parts(cols["id"])
            cols["taxon"] = _ncbi_taxon(cols["taxon"])
            types = cols["db_object_type"]
            keys = pa.array(list(_TYPE_LABELS), type=_STR)
            mapped = pc.take(pa.array(list(_TYPE_LABELS.values()), type=_STR), pc.index_in(types, value_set=keys))
            cols["db_object_type"] = pc.if_else(pc.is_null(mapped), types, mapped)
        arrays = [cols[name] for name in GPI_COLUMNS]
        arrays = [a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in arrays]
        arrays = [a.cast(_STR) for a in arrays]
        pieces.append(pa.Table.from_arrays(arrays + [pa.array(rows.lines)], names=[*GPI_COLUMNS, "line"]))
    for line, reason, _ in rejects[:20]:
        log.warning("%s:%d: %s", path, line, reason)
    if len(rejects) > 20:
        log.warning("%s: %d malformed GPI lines in all", path, len(rejects))
    table = pa.concat_tables(pieces) if pieces else empty.append_column("line", pa.array([], type=pa.int64()))
    return table, rejects, skipped, {**header, **({"gpi-version": version} if version else {})}


def gpi_entities(path: str | Path, *, strict: bool = False, chunk_rows: int = 200_000) -> Iterator[AnnotationChunk]:
    """Read a GPI file *as* an annotation table: one row per gene product, annotation columns empty.

    Useful to inspect a GPI with the same tools; to annotate GPAD rows pass the GPI as ``gpi=``.
    """
    path = str(path)
    table, rejects, skipped, header = _gpi_arrow(path, strict=strict)
    meta = Meta(path, "gpi", header.get("gpi-version", ""), header)
    cols = {name: table.column(name) for name in GPI_COLUMNS}
    yield from chunks_of(arrow_table(cols, table.column("line").to_numpy()), rejects, skipped, meta, chunk_rows)


def _gpi_lookup(gpi: str | Path | None, strict: bool) -> tuple[pa.Array, pa.Table] | None:
    if gpi is None:
        return None
    table, _, _, _ = _gpi_arrow(str(gpi), strict=strict)
    keys = pc.binary_join_element_wise(table.column("db"), table.column("db_object_id"), _s(":"))
    return keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys, table


def _negation_check(neg: pa.Array) -> Check:
    bad = ~np.asarray(pc.is_in(neg, value_set=pa.array(["", "NOT"], type=_STR)), dtype=bool)

    def reason(j: int) -> str:
        return f"column 2 (Negation) '{neg[j].as_py()}' is not NOT or empty"
    return Check(bad, reason)


def _curie_check(ident: pa.Array) -> Check:
    bad = ~np.asarray(pc.match_substring_regex(ident, r"^[^:]+:.+|^$"), dtype=bool)

    def reason(j: int) -> str:
        return f"column 1 (DB:DB_Object_ID) '{ident[j].as_py()}' is not a CURIE (DB:ID)"
    return Check(bad, reason)


def _gpad_checks(rows: Rows, layout: Layout, mandatory: tuple[str, ...], v2: bool) -> list[Check]:
    checks: list[Check] = []
    for i, (name, title) in enumerate(zip(layout.names, layout.titles)):
        if name in mandatory:
            checks.append(empty_check(rows, name, title, i + 1))
        if name == "date":
            checks.append(date_check(rows, name, title, i + 1, "gpad2" if v2 else "%Y%m%d"))
        if v2 and name == "negation":
            checks.append(_negation_check(rows.columns[name]))
        if v2 and name == "id":
            checks.append(_curie_check(rows.columns[name]))
    return checks


def _gpad_columns(rows: Rows, v2: bool, gpi: tuple[pa.Array, pa.Table] | None) -> dict[str, pa.Array]:
    c = rows.columns
    out: dict[str, pa.Array] = {}
    if v2:
        out["db"], out["db_object_id"] = _curie_parts(c["id"])
        rel = c["relation"]
        keys = pa.array(list(LABEL_OF_RELATION_ID), type=_STR)
        mapped = pc.take(pa.array(list(LABEL_OF_RELATION_ID.values()), type=_STR), pc.index_in(rel, value_set=keys))
        label = pc.if_else(pc.is_null(mapped), rel, mapped)
        out["qualifier"] = pc.if_else(pc.equal(c["negation"], "NOT"),
                                      pc.binary_join_element_wise(_s("NOT"), label, _s("|")), label)
        out["date"] = pc.replace_substring(c["date"], "-", "")
        interacting = _ncbi_taxon(c["interacting_taxon"])
    else:
        out["db"], out["db_object_id"], out["qualifier"] = c["db"], c["db_object_id"], c["qualifier"]
        label = pc.replace_substring_regex(c["qualifier"], r"^.*\|", "")
        out["date"] = c["date"]
        interacting = c["interacting_taxon"]
    for name in ("go_id", "reference", "eco", "with_from", "assigned_by", "annotation_extension"):
        out[name] = c[name]
    out["evidence"] = eco_map().codes(c["eco"], c["reference"])
    rel_keys = pa.array(list(ASPECT_OF_RELATION), type=_STR)
    aspect = pc.take(pa.array(list(ASPECT_OF_RELATION.values()), type=_STR), pc.index_in(label, value_set=rel_keys))
    out["aspect"] = pc.fill_null(aspect, "")
    taxon: pa.Array | pa.ChunkedArray = pa.array([""] * len(rows), type=_STR)
    if gpi is not None:
        keys, table = gpi
        idx = pc.index_in(pc.binary_join_element_wise(out["db"], out["db_object_id"], _s(":")), value_set=keys)
        for name in ("db_object_symbol", "db_object_name", "db_object_synonym", "db_object_type", "taxon"):
            out[name] = pc.fill_null(pc.take(table.column(name), idx), "")
        taxon = out["taxon"]
        missing = int(pc.sum(pc.is_null(idx)).as_py() or 0)
        if missing:
            log.info("%d GPAD rows have no entry in the GPI", missing)
    both = pc.and_(pc.not_equal(taxon, ""), pc.not_equal(interacting, ""))
    out["taxon"] = pc.if_else(both, pc.binary_join_element_wise(taxon, interacting, _s("|")), taxon)
    return out


def read_gpad(path: str | Path, *, strict: bool = False, chunk_rows: int = 200_000,
              gpi: str | Path | None = None, block_bytes: int = DEFAULT_BLOCK_BYTES) -> Iterator[AnnotationChunk]:
    """Stream a GPAD 1.2 / 2.0 file as :class:`AnnotationChunk` objects (see the module docstring)."""
    path = str(path)
    blocks = iter_blocks(path, block_bytes)
    first = next(blocks, None)
    if first is None:
        yield empty_chunk(Meta(path, "gpad", "", {}))
        return
    header_lines, rest = split_header(first, b"!")
    header = header_pairs(header_lines, "!")
    version = _sniff_version(header, rest.data, ("gpad-version", "gpa-version"))
    v2 = version.startswith("2")
    layout, mandatory = (_GPAD20, _MANDATORY20) if v2 else (_GPAD12, _MANDATORY12)
    meta = Meta(path, "gpad", version, header)
    lookup = _gpi_lookup(gpi, strict)
    skipped = len(header_lines)
    unmapped = 0
    for block in chain([rest], blocks):
        if not block.data:
            continue
        rows = parse_block(block, layout)
        rows = apply_checks(rows, _gpad_checks(rows, layout, mandatory, v2), layout.names)
        if strict:
            raise_first(path, rows.rejects)
        cols = _gpad_columns(rows, v2, lookup)
        unmapped += int(pc.sum(pc.equal(cols["evidence"], "")).as_py() or 0)
        yield from chunks_of(arrow_table(cols, rows.lines), rows.rejects, skipped + rows.skipped, meta, chunk_rows)
        skipped = 0
    if skipped:
        yield empty_chunk(meta, skipped)
    if unmapped:
        log.warning("%s: %d rows have an ECO id with no GO evidence code mapping; evidence left empty",
                    path, unmapped)
