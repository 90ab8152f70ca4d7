"""The exceptions goannot raises: one small hierarchy, each naming what a user can act on.

Every error that comes from input data says which file and, where there is one, which line,
and what was expected there.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "GoannotError",
    "InputError",
    "OboParseError",
    "OntologyCycleError",
    "AnnotationParseError",
    "DataSourceError",
    "ChecksumError",
    "DownloadError",
    "UnknownSourceError",
    "UsageError",
    "OutputError",
]


class GoannotError(Exception):
    """Base class of every error goannot raises on purpose."""


class InputError(GoannotError):
    """A file could not be read as what it claims to be.

    ``path`` and ``line`` (1-based, ``None`` when the problem is not tied to a line) locate it;
    ``reason`` says what was expected.
    """

    def __init__(self, path: str | Path | None, line: int | None, reason: str) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.reason = reason
        where = self.path or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {reason}")


class OboParseError(InputError):
    """An OBO or OBO-Graphs JSON file is malformed at ``path:line``."""


class OntologyCycleError(InputError):
    """A question has no answer because the ontology's graph has a cycle; ``cycle`` names it (a, ..., a)."""

    def __init__(self, path: str | Path | None, reason: str, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__(path, None, reason)


class AnnotationParseError(InputError):
    """An annotation file (GAF, GPAD, GPI, gene2go, table) is malformed at ``path:line``."""


class DataSourceError(GoannotError):
    """A data source from the manifest is unknown, missing, or could not be obtained."""


class UnknownSourceError(DataSourceError):
    """A name that is neither a manifest entry nor an existing path."""


class ChecksumError(DataSourceError):
    """A file's sha256 differs from the one the manifest records."""

    def __init__(self, path: str | Path, expected: str, actual: str) -> None:
        self.path = str(path)
        self.expected = expected
        self.actual = actual
        super().__init__(f"{path}: sha256 {actual} does not match the manifest's {expected}")


class DownloadError(DataSourceError):
    """A download failed (offline, HTTP error, truncated transfer); nothing was left behind."""


class UsageError(GoannotError):
    """The arguments contradict each other (one path given for two outputs, ...); nothing was done."""


class OutputError(GoannotError):
    """An output could not be written: missing or unwritable directory, a directory in the way, disk full.

    ``path`` is the file that could not be written, ``reason`` what stood in the way and ``errno``
    the operating system's error number (``None`` when the check was goannot's own). Nothing of the
    output is left behind.
    """

    def __init__(self, path: str | Path, reason: str, errno: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.errno = errno
        super().__init__(f"cannot write {path}: {reason}")
