"""The gene report: ``goannot report IL7`` -- validation, propagation and comparison in one folder.

:func:`run_report` runs the pipeline and writes ``report.html`` (one self-contained page with inline
SVG pictures), ``report.json`` (schema in :mod:`goannot.report.job`) and TSV tables. The renderers are
pure functions usable on their own: :func:`render_html` (report dict -> HTML),
:func:`ribbon_svg` and :func:`dag_svg` (tables -> SVG text). Only the names in ``__all__`` are stable.
"""

from __future__ import annotations

from .html import render_html, table_html
from .job import DEFAULT_SPECIES, ReportResult, SetInfo, run_report, summary_text
from .svg import dag_svg, ribbon_svg, set_colors

__all__ = [
    "run_report",
    "ReportResult",
    "SetInfo",
    "summary_text",
    "DEFAULT_SPECIES",
    "render_html",
    "table_html",
    "ribbon_svg",
    "dag_svg",
    "set_colors",
]
