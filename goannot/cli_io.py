"""Output helpers of the ``goannot`` command: tables to files or stdout, and identifier warnings.

Kept apart from :mod:`goannot.cli` (argument parsing) so that the table writer and the identifier
diagnostics are pure, testable functions. Nothing here prints; callers get strings and lists.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, cast

import pandas as pd

from .errors import InputError

__all__ = ["OUTPUT_FORMATS", "output_format", "write_table", "release_line", "identifier_warnings",
           "read_id_list", "annotation_path"]

#: Table formats ``--out`` writes; chosen by ``--out-format`` or by the file's suffix.
OUTPUT_FORMATS = ("tsv", "csv", "json", "xlsx")
_SUFFIX_FORMAT = {".tsv": "tsv", ".txt": "tsv", ".tab": "tsv", ".csv": "csv", ".json": "json", ".xlsx": "xlsx"}

#: Identifier matches that suggest another species' gene names (``Il7`` matching human ``IL7``).
WEAK_KINDS = ("symbol_nocase", "synonym", "synonym_nocase")
#: Share of study IDs unmatched or weakly matched from which the CLI warns loudly.
MISMATCH_SHARE = 0.5
#: How many unmatched IDs the terminal names (all of them are in ``--meta``).
MAX_NAMED = 20


def output_format(dest: str, explicit: str | None = None) -> str:
    """The table format for ``dest``: ``explicit`` if given, else its suffix (``.gz`` ignored), else TSV."""
    if explicit:
        return explicit
    if dest == "-":
        return "tsv"
    suffixes = [s.lower() for s in Path(dest).suffixes if s.lower() != ".gz"]
    return _SUFFIX_FORMAT.get(suffixes[-1], "tsv") if suffixes else "tsv"


def _header_value(value: Any) -> str:
    """A header value as a user reads it: lists joined by commas, dicts as JSON, never a repr."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, default=str, sort_keys=False)
    return "" if value is None else str(value)


def write_table(table: pd.DataFrame, dest: str, fmt: str | None = None, *,
                header: Mapping[str, Any] | None = None, sheet: str = "goannot") -> str:
    """Write ``table`` to ``dest`` ('-' is stdout) as TSV, CSV, JSON records or an Excel sheet.

    ``header`` becomes ``# key: value`` lines before a TSV/CSV table (values readable, not Python
    reprs); JSON gets ``{"meta": header, "rows": [...]}`` when a header is given. Files are written
    atomically. Excel needs openpyxl, which goannot does not require: without it this raises
    :class:`~goannot.errors.InputError` naming the package. Returns the format written.
    """
    from .atomic import atomic_open

    kind = output_format(dest, fmt)
    if kind not in OUTPUT_FORMATS:
        raise InputError(dest, None, f"unknown output format {kind!r}; expected one of {', '.join(OUTPUT_FORMATS)}")
    if kind == "xlsx":
        if dest == "-":
            raise InputError(dest, None, "an Excel sheet cannot go to stdout; give a file name ending in .xlsx")
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise InputError(dest, None, "writing .xlsx needs the openpyxl package (pip install openpyxl, "
                                         "or goannot[excel]); or write .tsv / .csv instead") from None
        with atomic_open(dest, "wb") as fh:
            with pd.ExcelWriter(cast(BinaryIO, fh), engine="openpyxl") as xl:
                table.to_excel(xl, sheet_name=sheet[:31], index=False)
                if header:
                    pd.DataFrame({"key": list(header), "value": [_header_value(v) for v in header.values()]}
                                 ).to_excel(xl, sheet_name="meta", index=False)
        return kind

    def emit(fh: Any) -> None:
        if kind == "json":
            rows = json.loads(table.to_json(orient="records", force_ascii=False))
            doc: Any = {"meta": dict(header), "rows": rows} if header else rows
            fh.write(json.dumps(doc, indent=2, default=str, ensure_ascii=False) + "\n")
            return
        for key, value in (header or {}).items():
            fh.write(f"# {key}: {_header_value(value)}\n")
        table.to_csv(fh, sep="\t" if kind == "tsv" else ",", index=False, lineterminator="\n")

    if dest == "-":
        emit(sys.stdout)
        sys.stdout.flush()
    else:
        with atomic_open(dest, "w", newline="") as fh:
            emit(fh)
    return kind


def release_line(meta: Mapping[str, Any]) -> str:
    """'GO <data-version>; annotations <file> (<date>)' from an enrichment result's ``meta['releases']``."""
    releases = meta.get("releases") or {}
    onto = releases.get("ontology") or meta.get("ontology") or {}
    go = onto.get("data_version") or onto.get("source") or onto.get("path") or "?"
    ann = releases.get("annotations") or {}
    text = f"GO {go}"
    if ann.get("path"):
        date = ann.get("date") or ann.get("version")
        text += f"; annotations {Path(str(ann['path'])).name}" + (f" ({date})" if date else "")
    return text


def _taxa(table: pd.DataFrame | None) -> list[str]:
    """The most frequent taxa of an annotation table ('taxon:9606' -> '9606'), most frequent first."""
    if table is None or "taxon" not in table.columns or not len(table):
        return []
    first = table["taxon"].astype(str).str.split("|").str[0].str.replace("taxon:", "", regex=False)
    return [str(t) for t in first.value_counts().index[:3] if t]


_SPECIES = {"9606": "human", "10090": "mouse", "10116": "rat", "7227": "fly", "6239": "worm", "7955": "zebrafish",
            "3702": "arabidopsis", "559292": "yeast"}


def _symbols(table: pd.DataFrame | None) -> dict[str, str]:
    """'db:db_object_id' -> symbol of an annotation table (for readable examples)."""
    if table is None or not {"db", "db_object_id", "db_object_symbol"} <= set(table.columns):
        return {}
    genes = table[["db", "db_object_id", "db_object_symbol"]].drop_duplicates(["db", "db_object_id"])
    labels = genes["db"].astype(str) + ":" + genes["db_object_id"].astype(str)
    return dict(zip(labels.tolist(), genes["db_object_symbol"].astype(str).tolist()))


def identifier_warnings(identifiers: pd.DataFrame, annotations_table: pd.DataFrame | None = None,
                        role: str = "study") -> list[str]:
    """Warnings about how the ``role`` IDs matched the annotations' genes, for the terminal.

    Names the unmatched IDs (up to :data:`MAX_NAMED`), and, when at least :data:`MISMATCH_SHARE` of
    the distinct IDs match nothing or only by a case-insensitive symbol or a synonym (``Il7`` -> human
    ``IL7``: the usual sign of another species' gene names), says so loudly with the annotations'
    taxon. ``identifiers`` is an :attr:`~goannot.enrich.EnrichmentResult.identifiers` table.
    """
    ids = identifiers[identifiers["role"] == role] if "role" in identifiers.columns else identifiers
    if not len(ids):
        return []
    per_query = ids.groupby("query", sort=False).agg(status=("status", "first"), kind=("kind", "first"))
    n = len(per_query)
    unmatched = per_query.index[per_query["status"] == "unmatched"].tolist()
    weak = per_query.index[per_query["kind"].isin(WEAK_KINDS)].tolist()
    out: list[str] = []
    if unmatched:
        shown = ", ".join(str(q) for q in unmatched[:MAX_NAMED])
        more = f" ... and {len(unmatched) - MAX_NAMED} more (all in --meta)" if len(unmatched) > MAX_NAMED else ""
        out.append(f"{len(unmatched)} of {n} {role} ID(s) match no gene of the annotations: {shown}{more}")
    if n and (len(unmatched) + len(weak)) / n >= MISMATCH_SHARE:
        taxa = _taxa(annotations_table)
        named = [f"{t} {_SPECIES[t]}" if t in _SPECIES else t for t in taxa]
        where = f" (taxon {', '.join(named)})" if taxa else ""
        symbol_of = _symbols(annotations_table)
        examples = ", ".join(f"{q} -> {symbol_of.get(g, g)}" for q in weak[:3]
                             for g in [str(ids.loc[ids['query'] == q, 'gene'].iloc[0])])
        out.append(f"MOST {role.upper()} IDS DO NOT FIT THESE ANNOTATIONS{where}: {len(unmatched)} of {n} match "
                   f"nothing and {len(weak)} match only by a case-insensitive symbol or a synonym"
                   + (f" (e.g. {examples})" if examples else "")
                   + ". Are they another species' genes? Pick that species' annotations with --annotations "
                   "(see `goannot data list`).")
    return out


def read_id_list(path: str) -> list[str]:
    """Identifiers from a file ('-' is stdin): one per line or whitespace/comma separated; '#' comments.

    A missing or unreadable file is an :class:`~goannot.errors.InputError` (exit 2, no traceback).
    """
    import re

    def split(lines: Iterable[str]) -> list[str]:
        ids: list[str] = []
        for line in lines:
            ids.extend(x for x in re.split(r"[\s,]+", line.split("#", 1)[0]) if x)
        return ids

    if path == "-":
        return split(sys.stdin)
    try:
        with open(path, encoding="utf-8") as fh:
            return split(fh)
    except FileNotFoundError:
        raise InputError(path, None, "no such file (expected a list of gene IDs, one per line)") from None
    except IsADirectoryError:
        raise InputError(path, None, "is a directory, not a list of gene IDs") from None
    except UnicodeDecodeError:
        raise InputError(path, None, "not a UTF-8 text file of gene IDs") from None
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from None


def annotation_path(name: str) -> Path:
    """A file path, or the local file of a manifest annotation source (bundled or fetched)."""
    p = Path(name)
    if p.exists():
        return p
    from .sources import get_source, locate, manifest

    if name in manifest():
        return locate(get_source(name))
    raise InputError(name, None, "no such file, and not a known annotation source (see `goannot data list`)")
