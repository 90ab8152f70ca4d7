"""Reading and writing GO annotation files: GAF, GPAD (+ GPI), gene2go, goatools id2gos, plain tables and page text.

Every reader yields the one annotation table of :mod:`goannot.columns` (string columns use pandas'
pyarrow-backed string dtype, :data:`STRING_DTYPE`; ``line`` is int64). Only the names in ``__all__``
are stable; the modules behind them may change.

Decisions worth knowing:

* Lenient by default: a bad line never aborts a file; it goes to ``rejects`` (line, reason, raw).
  ``strict=True`` raises :class:`~goannot.errors.AnnotationParseError` at the first bad line.
* A truncated or corrupt gzip file always raises (the rows read so far cannot be known complete).
* GAF 2.x lines of 15 or 16 columns (optional trailing columns left out) are padded, as GO's parser
  does, and reported; fewer than 15 or more than 17 are rejected. GAF 1.0 files have 15. Without a
  ``!gaf-version`` line the version is decided from the content (``inferred`` says how).
* Input that is not annotations (empty, binary, an ontology, a GPI, nothing readable) raises
  :class:`~goannot.errors.AnnotationParseError` instead of reading as a clean file of 0 rows.
* Header keys (``!key: value``) are lower-cased: ``!GO-version:`` -> ``header["go-version"]``.
* GO ids, aspects and relations are kept as written: judging them is the validator's job.
* GPAD ECO ids unknown to the shipped GAF-ECO mapping keep ``eco`` and leave ``evidence`` empty.

>>> from goannot.annotations import read_annotations  # doctest: +SKIP
>>> result = read_annotations("goa_human.gaf.gz")      # doctest: +SKIP
>>> result.table, result.rejects, result.skipped       # doctest: +SKIP
"""

from __future__ import annotations

from ._model import STRING_DTYPE, AnnotationChunk, AnnotationSet
from .eco import EcoMap, eco_map
from .gaf import read_gaf
from .gene2go import read_gene2go
from .gpad import read_gpad, read_gpi
from .reader import FORMATS, READERS, detect_format, iter_annotations, read_annotations
from .relations import ASPECT_OF_RELATION, LABEL_OF_RELATION_ID, RELATION_IDS
from .table import read_table
from .writers import gaf22_qualifiers, write_gaf, write_json, write_tsv

__all__ = [
    "read_annotations",
    "iter_annotations",
    "AnnotationSet",
    "AnnotationChunk",
    "detect_format",
    "READERS",
    "FORMATS",
    "read_gaf",
    "read_gpad",
    "read_gpi",
    "read_gene2go",
    "read_table",
    "write_gaf",
    "write_tsv",
    "write_json",
    "gaf22_qualifiers",
    "eco_map",
    "EcoMap",
    "RELATION_IDS",
    "LABEL_OF_RELATION_ID",
    "ASPECT_OF_RELATION",
    "STRING_DTYPE",
]
