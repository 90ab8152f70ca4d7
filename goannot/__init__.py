"""goannot: check, repair, propagate, compare and enrich Gene Ontology annotations.

Only the names in ``__all__`` are the stable public API; submodules may change.

The verbs are top-level and imported on first use (``import goannot`` stays light)::

    go = goannot.load_ontology()
    human = goannot.read_annotations("goa_human.gaf.gz")
    checked = goannot.validate(human, go)
    prop = goannot.propagate(human, go)          # an AnnotationSet or its table
    result = goannot.enrich(study, None, human, go)
    comp = goannot.compare({"human": human_il7, "mouse": mouse_il7}, go)

``goannot.validate``, ``propagate``, ``enrich`` and ``compare`` are also the submodules of those
names (``goannot.propagate.Propagation`` works): calling the module calls its function.
"""

from __future__ import annotations

import importlib
import logging
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .errors import (AnnotationParseError, ChecksumError, DataSourceError, DownloadError, GoannotError,
                     InputError, OboParseError, UnknownSourceError)
from .loader import load_ontology
from .ontology import DEFAULT_RELATIONS, REGULATES, IdStatus, Ontology, Provenance, Resolution, Term

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "load_ontology",
    "read_annotations",
    "validate",
    "propagate",
    "enrich",
    "compare",
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


logging.getLogger(__name__).addHandler(logging.NullHandler())


# -- top-level verbs, imported lazily ---------------------------------------------------------------

if TYPE_CHECKING:  # what type checkers see: the functions
    from .annotations import read_annotations as read_annotations
    from .compare import compare as compare
    from .enrich import enrich as enrich
    from .propagate import propagate as propagate
    from .validate import validate as validate

#: Verbs that share their name with a submodule: the module is made callable as its function.
_VERB_MODULES = ("validate", "propagate", "enrich", "compare")


class _VerbModule(ModuleType):
    """A goannot submodule that is also its main function: ``goannot.propagate(table, go)``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, self.__name__.rsplit(".", 1)[-1])(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<goannot verb {self.__name__.rsplit('.', 1)[-1]} (module {self.__name__}, callable)>"


class _Package(ModuleType):
    """goannot itself: a verb submodule bound on import (by the import system's setattr) is made callable."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _VERB_MODULES and type(value) is ModuleType:
            value.__class__ = _VerbModule
        super().__setattr__(name, value)


def __getattr__(name: str) -> Any:
    """Import a verb on first use (``goannot.enrich`` loads pandas, scipy... only when asked)."""
    if name == "read_annotations":
        from .annotations import read_annotations

        return read_annotations
    if name == "release_diff":
        from .reldiff import release_diff

        return release_diff
    if name in _VERB_MODULES:
        return importlib.import_module(f"{__name__}.{name}")  # the import binds it, callable (see _Package)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


sys.modules[__name__].__class__ = _Package
for _name in _VERB_MODULES:  # submodules imported before this point (by the imports above)
    if type(sys.modules.get(f"{__name__}.{_name}")) is ModuleType:
        sys.modules[f"{__name__}.{_name}"].__class__ = _VerbModule
