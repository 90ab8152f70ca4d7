"""Short text and notebook (HTML) forms of goannot's result objects.

A result holds whole DataFrames; the default dataclass repr would print them all. These helpers give
every result the same two faces: ``__repr__`` one line of counts and releases, ``_repr_html_`` a
small key/value table and the first rows of the result's main table (Jupyter calls it).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["short_repr", "html_summary", "fmt", "file_name"]

#: Rows of the main table shown in a notebook.
HTML_ROWS = 10


def fmt(value: Any) -> str:
    """A value as a person reads it: thousands separators, lists joined, dicts as k=v."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "+".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {fmt(v)}" for k, v in value.items())
    return str(value)


def file_name(path: Any) -> str:
    """The last part of a path ('' for none)."""
    return Path(str(path)).name if path else ""


def short_repr(kind: str, fields: Mapping[str, Any]) -> str:
    """``Kind(key=value, ...)`` with readable values; empty values left out."""
    parts = [f"{k}={fmt(v)}" for k, v in fields.items() if v not in (None, "", [], {})]
    return f"{kind}({', '.join(parts)})"


def html_summary(kind: str, fields: Mapping[str, Any], table: pd.DataFrame | None = None,
                 caption: str = "") -> str:
    """A key/value table of ``fields`` and the first :data:`HTML_ROWS` rows of ``table``."""
    rows = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th><td style='text-align:left'>"
                   f"{html.escape(fmt(v))}</td></tr>" for k, v in fields.items() if v not in (None, "", [], {}))
    out = f"<div><strong>{html.escape(kind)}</strong><table>{rows}</table>"
    if table is not None:
        shown = table.head(HTML_ROWS)
        note = f"{caption}: first {len(shown)} of {len(table):,} rows" if len(shown) < len(table) else \
            f"{caption}: {len(table):,} rows"
        out += f"<p>{html.escape(note)}</p>" + shown.to_html(index=False, max_cols=12, notebook=False)
    return out + "</div>"
