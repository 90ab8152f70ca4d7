"""goannot: check, repair, propagate, compare and enrich Gene Ontology annotations.

Only the names in ``__all__`` are the stable public API; submodules may change.
"""

from __future__ import annotations

import logging

from .errors import (AnnotationParseError, ChecksumError, DataSourceError, DownloadError, GoannotError,
                     InputError, OboParseError, UnknownSourceError)
from .loader import load_ontology
from .ontology import DEFAULT_RELATIONS, REGULATES, IdStatus, Ontology, Provenance, Resolution, Term

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "load_ontology",
    "Ontology",
    "Term",
    "Resolution",
    "IdStatus",
    "Provenance",
    "DEFAULT_RELATIONS",
    "REGULATES",
    "GoannotError",
    "InputError",
    "OboParseError",
    "AnnotationParseError",
    "DataSourceError",
    "UnknownSourceError",
    "ChecksumError",
    "DownloadError",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
