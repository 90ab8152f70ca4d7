"""Reading NCBI's ``gene2go`` files (plain or gzipped).

Columns: tax_id, GeneID, GO_ID, Evidence, Qualifier, GO_term, PubMed, Category; ``-`` means empty.
The table gets ``db`` = ``NCBIGene``, ``taxon`` = ``taxon:<tax_id>``, ``reference`` = the PubMed ids as
``PMID:n`` (pipe-separated), ``aspect`` from Category (Process/Function/Component -> P/F/C; other
values kept as written), ``term_name`` = GO_term. Negation sits in the Qualifier ("NOT enables" or
"NOT|enables"), which is written the GAF way, "NOT|enables".
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..columns import EVIDENCE_CODES
from ._blocks import DEFAULT_BLOCK_BYTES, iter_blocks
from ._chunks import Meta, chunks_of, empty_chunk
from ._model import AnnotationChunk, arrow_table
from ._tsv import Check, Layout, Rows, apply_checks, empty_check, parse_block, raise_first, split_header, value_check

__all__ = ["read_gene2go", "GENE2GO_HEADER"]

log = logging.getLogger(__name__)

_STR = pa.large_string()

#: The header line NCBI writes (detection looks for its start, ``#tax_id``).
GENE2GO_HEADER = "#tax_id\tGeneID\tGO_ID\tEvidence\tQualifier\tGO_term\tPubMed\tCategory"

_LAYOUT = Layout("gene2go",
                 ("tax_id", "gene_id", "go_id", "evidence", "qualifier", "go_term", "pubmed", "category"),
                 ("tax_id", "GeneID", "GO_ID", "Evidence", "Qualifier", "GO_term", "PubMed", "Category"),
                 b"#")
_MANDATORY = ("tax_id", "gene_id", "go_id", "evidence", "category")
_ASPECTS = {"Process": "P", "Function": "F", "Component": "C"}


def _checks(rows: Rows) -> list[Check]:
    checks: list[Check] = []
    for i, (name, title) in enumerate(zip(_LAYOUT.names, _LAYOUT.titles)):
        if name in _MANDATORY:
            checks.append(empty_check(rows, name, title, i + 1))
        if name == "evidence":
            checks.append(value_check(rows, name, EVIDENCE_CODES,
                                      lambda v: f"column 4 evidence code '{v}' is not a GO evidence code"))
    return checks


def _columns(c: dict[str, pa.Array]) -> dict[str, pa.Array]:
    def prefixed(arr: pa.Array, prefix: str) -> pa.Array:
        out = pc.replace_substring_regex(arr, r"(^|\|)\s*([^|])", rf"\1{prefix}\2")
        return pc.if_else(pc.equal(arr, ""), arr, out)

    category = c["category"]
    mapped = pc.take(pa.array(list(_ASPECTS.values()), type=_STR),
                     pc.index_in(category, value_set=pa.array(list(_ASPECTS), type=_STR)))
    return {
        "db": pc.if_else(pc.equal(c["gene_id"], ""), c["gene_id"], pa.scalar("NCBIGene", _STR)),
        "db_object_id": c["gene_id"],
        "qualifier": pc.replace_substring_regex(c["qualifier"], r"^NOT[ |]+", "NOT|"),
        "go_id": c["go_id"],
        "reference": prefixed(c["pubmed"], "PMID:"),
        "evidence": c["evidence"],
        "aspect": pc.if_else(pc.is_null(mapped), category, mapped),
        "taxon": prefixed(c["tax_id"], "taxon:"),
        "term_name": c["go_term"],
    }


def read_gene2go(path: str | Path, *, strict: bool = False, chunk_rows: int = 200_000,
                 block_bytes: int = DEFAULT_BLOCK_BYTES) -> Iterator[AnnotationChunk]:
    """Stream a gene2go file as :class:`AnnotationChunk` objects (see the module docstring)."""
    path = str(path)
    blocks = iter_blocks(path, block_bytes)
    first = next(blocks, None)
    meta = Meta(path, "gene2go", "", {})
    if first is None:
        yield empty_chunk(meta)
        return
    header_lines, rest = split_header(first, b"#")
    skipped = len(header_lines)
    for block in chain([rest], blocks):
        if not block.data:
            continue
        rows = parse_block(block, _LAYOUT)
        original = rows.columns
        # "-" is gene2go's empty value.
        rows.columns = {k: pc.if_else(pc.equal(v, "-"), pa.scalar("", _STR), v) for k, v in rows.columns.items()}
        rows = apply_checks(rows, _checks(rows), _LAYOUT.names, raw=original)
        if strict:
            raise_first(path, rows.rejects)
        yield from chunks_of(arrow_table(_columns(rows.columns), rows.lines), rows.rejects,
                             skipped + rows.skipped, meta, chunk_rows)
        skipped = 0
    if skipped:
        yield empty_chunk(meta, skipped)
