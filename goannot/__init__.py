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
    "release_diff",
]


def __getattr__(name: str) -> object:
    """Lazy attributes: ``goannot.release_diff`` imports the release diff (and pandas) on first use."""
    if name == "release_diff":
        from .reldiff import release_diff

        return release_diff
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

logging.getLogger(__name__).addHandler(logging.NullHandler())
