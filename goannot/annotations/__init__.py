"""Reading and writing GO annotation files: GAF, GPAD (+ GPI), gene2go, plain tables and page text.

Every reader yields the one annotation table of :mod:`goannot.columns`. Only the names in
``__all__`` are stable; the modules behind them may change.

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
from .writers import atomic_output, gaf22_qualifiers, write_gaf, write_json, write_tsv

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
    "atomic_output",
    "eco_map",
    "EcoMap",
    "RELATION_IDS",
    "LABEL_OF_RELATION_ID",
    "ASPECT_OF_RELATION",
    "STRING_DTYPE",
]
