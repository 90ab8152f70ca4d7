"""Reading plain tables of GO annotations: delimited files with a header, and pasted page text.

*Delimited tables* (tab- or comma-separated, with a header line): the GO ID column is found by its
name ("GO ID", "go_id", "GO accession", ...) or, failing that, as the column whose values look like
``GO:nnnnnnn``. Optional columns are recognised by name: gene / symbol, gene id / accession,
evidence, aspect / category / namespace / ontology, term name, qualifier, reference, taxon, ...
Aspect values may be P/F/C, BP/MF/CC, biological_process... or Process/Function/Component.

*Page text* (a gene page copied from a browser): rows are the lines that start with a GO ID, such as
``GO:0006916 anti-apoptosis biological_process``. The last token is the category if it names one
(biological_process, molecular_function, cellular_component, or Process/Function/Component), the
words between are the stated term name, kept as written in ``term_name``. Every other line (prose,
headers, blank lines) is counted in ``skipped``.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import AnnotationParseError
from ._blocks import iter_blocks
from ._chunks import Meta, chunks_of, empty_chunk
from ._model import AnnotationChunk, Reject, arrow_table

__all__ = ["read_table", "COLUMN_ALIASES", "aspect_of"]

log = logging.getLogger(__name__)

_GO_ID = re.compile(r"GO:\d{7}")
_PAGE_ROW = re.compile(r"^(GO:\d+)(?:\s+(.*))?$")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


#: Table column -> header names (normalised: lower case, letters and digits only) that mean it.
COLUMN_ALIASES: dict[str, frozenset[str]] = {
    "go_id": frozenset({"goid", "go", "goacc", "goaccession", "gotermid", "gotermaccession", "termid",
                        "goidentifier", "ontologyid", "gotermacc"}),
    "term_name": frozenset({"term", "termname", "goterm", "gotermname", "goname", "name", "description",
                            "godescription", "label", "gotermlabel"}),
    "db_object_symbol": frozenset({"symbol", "genesymbol", "gene", "genename", "dbobjectsymbol", "protein",
                                   "proteinname", "hgncsymbol", "officialsymbol"}),
    "db_object_id": frozenset({"geneid", "dbobjectid", "uniprot", "uniprotid", "uniprotkb", "accession",
                               "entrez", "entrezid", "entrezgeneid", "ncbigeneid", "ensembl", "ensemblid",
                               "ensemblgeneid", "proteinid", "geneproductid"}),
    "db": frozenset({"db", "database", "source"}),
    "evidence": frozenset({"evidence", "evidencecode", "ev", "goevidence", "goevidencecode", "code"}),
    "aspect": frozenset({"aspect", "category", "namespace", "ontology", "gocategory", "goaspect",
                         "gonamespace", "branch", "goontology", "gobranch"}),
    "qualifier": frozenset({"qualifier", "qualifiers", "relation"}),
    "reference": frozenset({"reference", "references", "pmid", "pubmed", "dbreference"}),
    "taxon": frozenset({"taxon", "taxid", "taxonid", "ncbitaxon"}),
    "with_from": frozenset({"withfrom", "with"}),
    "assigned_by": frozenset({"assignedby"}),
    "date": frozenset({"date"}),
}
_COLUMN_OF_ALIAS = {alias: col for col, aliases in COLUMN_ALIASES.items() for alias in aliases}

_ASPECT_WORDS = {
    "p": "P", "bp": "P", "biologicalprocess": "P", "process": "P",
    "f": "F", "mf": "F", "molecularfunction": "F", "function": "F",
    "c": "C", "cc": "C", "cellularcomponent": "C", "component": "C",
}
_CATEGORY_TOKENS = {"biological_process", "molecular_function", "cellular_component",
                    "Process", "Function", "Component"}


def aspect_of(value: str) -> str:
    """P, F or C for the ways tables write an aspect; the value itself if it is none of them."""
    return _ASPECT_WORDS.get(_norm(value), value)


def _lines(path: str) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    for block in iter_blocks(path):
        pieces = block.data.split(b"\n")
        if block.data.endswith(b"\n"):
            pieces.pop()
        out.extend((block.first_line + i, p.rstrip(b"\r")) for i, p in enumerate(pieces))
    if out and out[0][1].startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark
        out[0] = (out[0][0], out[0][1][3:])
    return out


def _split(text: str, delimiter: str) -> list[str]:
    if delimiter == "\t":
        return text.split("\t")
    return next(csv.reader([text]))


def _find_header(texts: list[tuple[int, str]]) -> tuple[int, str, list[str], dict[str, int]] | None:
    """(index in texts, delimiter, header cells, table column -> cell index) of a delimited header."""
    candidates = [(k, t) for k, t in enumerate(texts[:200]) if t[1].strip()]
    for k, (_, text) in candidates:
        delimiter = "\t" if "\t" in text else "," if "," in text else None
        if delimiter is None:
            continue
        cells = [c.strip() for c in _split(text, delimiter)]
        if len(cells) < 2 or _GO_ID.match(cells[0]):
            continue
        mapping: dict[str, int] = {}
        for i, cell in enumerate(cells):
            col = _COLUMN_OF_ALIAS.get(_norm(cell))
            if col and col not in mapping:
                mapping[col] = i
        if "go_id" not in mapping:
            # No column named like a GO ID: look for one whose values are GO IDs.
            following = [_split(t, delimiter) for _, t in texts[k + 1:k + 51] if t.strip()]
            for i in range(len(cells)):
                hits = sum(1 for row in following if i < len(row) and _GO_ID.fullmatch(row[i].strip()))
                if following and hits * 2 >= len(following):
                    mapping = {col: j for col, j in mapping.items() if j != i}
                    mapping["go_id"] = i
                    break
        if "go_id" in mapping:
            return k, delimiter, cells, mapping
        return None  # the first delimited line is not a GO table header
    return None


def _decode(lines: list[tuple[int, bytes]], rejects: list[Reject], is_row: re.Pattern[bytes] | None) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for lineno, raw in lines:
        try:
            out.append((lineno, raw.decode("utf-8")))
        except UnicodeDecodeError as exc:
            if is_row is None or is_row.match(raw):
                rejects.append((lineno, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at position {exc.start + 1})",
                                raw.decode("utf-8", errors="replace")))
            out.append((lineno, ""))
    return out


def read_table(path: str | Path, *, strict: bool = False, chunk_rows: int = 200_000) -> Iterator[AnnotationChunk]:
    """Stream a plain table or page text as :class:`AnnotationChunk` objects (see the module docstring)."""
    path = str(path)
    raw_lines = _lines(path)
    rejects: list[Reject] = []
    texts = _decode(raw_lines, [], None)
    found = _find_header(texts)
    values: dict[str, list[str]] = {}
    lines: list[int] = []
    skipped = 0
    if found is not None:
        k, delimiter, cells, mapping = found
        kind = "tsv" if delimiter == "\t" else "csv"
        texts = _decode(raw_lines, rejects, None)
        values = {col: [] for col in mapping}
        shown = "tab" if delimiter == "\t" else "comma"
        skipped = k + 1
        go_index = mapping["go_id"]
        for lineno, text in texts[k + 1:]:
            if not text.strip():
                if not any(r[0] == lineno for r in rejects):
                    skipped += 1
                continue
            row = [c.strip() for c in _split(text, delimiter)]
            if len(row) != len(cells):
                rejects.append((lineno, f"expected {len(cells)} {shown}-separated columns (table header at line "
                                        f"{texts[k][0]}), found {len(row)}", text))
                continue
            if not row[go_index]:
                rejects.append((lineno, f"column {go_index + 1} ({cells[go_index]}) is empty", text))
                continue
            for col, i in mapping.items():
                values[col].append(row[i])
            lines.append(lineno)
        if "aspect" in values:
            values["aspect"] = [aspect_of(v) for v in values["aspect"]]
        if "taxon" in values:
            values["taxon"] = [f"taxon:{v}" if v.isdigit() else v for v in values["taxon"]]
    else:
        kind = "text"
        texts = _decode(raw_lines, rejects, re.compile(rb"^\s*GO:\d"))
        values = {"go_id": [], "term_name": [], "aspect": []}
        bad_lines = {r[0] for r in rejects}
        for lineno, text in texts:
            m = _PAGE_ROW.match(text.strip())
            if m is None:
                if lineno not in bad_lines:
                    skipped += 1
                continue
            words = (m.group(2) or "").split()
            aspect = ""
            if words and words[-1] in _CATEGORY_TOKENS:
                aspect = aspect_of(words.pop())
            values["go_id"].append(m.group(1))
            values["term_name"].append(" ".join(words))
            values["aspect"].append(aspect)
            lines.append(lineno)
    if strict and rejects:
        line, reason, _ = min(rejects)
        raise AnnotationParseError(path, line, reason)
    meta = Meta(path, "table", kind, {})
    if not lines and not rejects:
        yield empty_chunk(meta, skipped)
        return
    yield from chunks_of(arrow_table(values, np.array(lines, dtype=np.int64)), rejects, skipped, meta, chunk_rows)
