"""Reading goatools' id2gos association files: ``gene<TAB>GO:0000001;GO:0000002``.

goatools (``goatools.associations.read_associations``, ``IdToGosReader``) reads this format: one
gene per line, its GO IDs ``;``-separated in the second column; blank lines and ``#`` comments are
skipped. It states nothing else (no evidence, aspect, reference or taxon), so those columns stay
empty. Each GO ID of a line is one annotation row: a line with three GO IDs gives three rows, all
carrying that line's number, and the counts of a validation are counts of such rows. The gene goes
to both ``db_object_id`` and ``db_object_symbol`` (id2gos files use either). A line that is not two
tab-separated columns, or whose GO list is empty, is rejected; a listed value that is not a GO ID
is kept for the validator to judge (GOANNOT:malformed-id), as every reader does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ._blocks import iter_blocks
from ._chunks import Meta, chunks_of, empty_chunk
from ._model import AnnotationChunk, Reject, arrow_table
from ._tsv import raise_first

__all__ = ["read_id2gos", "looks_like_id2gos"]

log = logging.getLogger(__name__)


def looks_like_id2gos(lines: list[str]) -> bool:
    """True when most data lines (``#`` comments aside) are ``gene<TAB>GO:...[;GO:...]``, the first among them."""
    data = [ln for ln in lines if ln.strip() and not ln.startswith("#")]

    def fits(line: str) -> bool:
        fields = line.split("\t")
        gos = [g.strip() for g in fields[-1].split(";") if g.strip()]
        return len(fields) == 2 and bool(fields[0].strip()) and bool(gos) and all(g.startswith("GO:") for g in gos)

    good = [fits(ln) for ln in data]
    return bool(good) and good[0] and 2 * sum(good) >= len(good)


def read_id2gos(path: str | Path, *, strict: bool = False, chunk_rows: int = 200_000) -> Iterator[AnnotationChunk]:
    """Stream an id2gos file as :class:`AnnotationChunk` objects (see the module docstring)."""
    path = str(path)
    meta = Meta(path, "id2gos", "", {})
    skipped = 0
    for block in iter_blocks(path):
        genes: list[str] = []
        go_ids: list[str] = []
        lines: list[int] = []
        rejects: list[Reject] = []
        pieces = block.data.split(b"\n")
        if block.data.endswith(b"\n"):
            pieces.pop()
        for offset, raw in enumerate(pieces):
            lineno = block.first_line + offset
            text = raw.rstrip(b"\r").decode("utf-8", errors="replace")
            if not text.strip() or text.lstrip().startswith("#"):
                skipped += 1
                continue
            fields = text.split("\t")
            if len(fields) != 2 or not fields[0].strip():
                rejects.append((lineno, f"expected 2 tab-separated columns (id2gos: gene, GO IDs separated by ';'), "
                                        f"found {len(fields)}" if len(fields) != 2 else "column 1 (gene) is empty",
                                text))
                continue
            gos = [g.strip() for g in fields[1].split(";") if g.strip()]
            if not gos:
                rejects.append((lineno, "column 2 (GO IDs) is empty", text))
                continue
            gene = fields[0].strip()
            genes.extend([gene] * len(gos))
            go_ids.extend(gos)
            lines.extend([lineno] * len(gos))
        if strict:
            raise_first(path, rejects)
        if not lines and not rejects:
            continue
        table = arrow_table({"db_object_id": genes, "db_object_symbol": genes, "go_id": go_ids},
                            np.array(lines, dtype=np.int64))
        yield from chunks_of(table, rejects, skipped, meta, chunk_rows)
        skipped = 0
    if skipped:
        yield empty_chunk(meta, skipped)
