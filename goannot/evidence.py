"""GO evidence codes grouped into classes, and small filters over them.

GO groups its evidence codes (https://geneontology.org/docs/guide-go-evidence-codes/) into
experimental (with a high-throughput subgroup), phylogenetic, computational, author statement,
curator statement, no data, and electronic. Analyses routinely keep or drop whole groups ("only
experimental", "everything but IEA", "drop ND"), so this module names the groups once and parses the
short filter strings users type on the command line:

==========================  ===================================================================
spec                        keeps
==========================  ===================================================================
``all`` (or empty)          every row
``experimental``            the codes of one class (any name of :data:`CLASSES`)
``codes:IDA,IMP``           only the listed codes (class names allowed in the list too)
``exclude:IEA,ND``          everything except the listed codes/classes
``no-ND``, ``no-electronic`` the same as ``exclude:`` for one code or class
==========================  ===================================================================

Several specs combine (a sequence, or one string split on ``;`` or ``+``): every including spec adds
to the allowed set, every excluding spec removes from it, so ``"experimental+phylogenetic;no-HTP"``
keeps experimental and phylogenetic codes except HTP. A filter that only excludes lets codes it does
not know through (a retired ``IMR`` survives ``exclude:IEA``); a filter that includes keeps only what
it names. Matching is on the code as written, upper-cased.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from .columns import EVIDENCE_CODES
from .errors import GoannotError

__all__ = [
    "CLASSES",
    "CLASS_OF_CODE",
    "evidence_class",
    "EvidenceFilter",
    "EvidenceFilterError",
]

log = logging.getLogger(__name__)

#: Evidence class name -> its GO evidence codes. ``IMR`` (retired, merged into IKR) is kept in the
#: phylogenetic class so old files classify; the other retired code, ``NR``, belongs to no class.
CLASSES: dict[str, frozenset[str]] = {
    "experimental": frozenset("EXP IDA IPI IMP IGI IEP HTP HDA HMP HGI HEP".split()),
    "high_throughput": frozenset("HTP HDA HMP HGI HEP".split()),  # a subgroup of experimental
    "phylogenetic": frozenset("IBA IBD IKR IRD IMR".split()),
    "computational": frozenset("ISS ISO ISA ISM IGC RCA".split()),
    "author_statement": frozenset("TAS NAS".split()),
    "curator_statement": frozenset({"IC"}),
    "no_data": frozenset({"ND"}),
    "electronic": frozenset({"IEA"}),
}

#: Evidence code -> the name of its (main) class; the high_throughput subgroup is not a main class.
CLASS_OF_CODE: dict[str, str] = {code: name for name, codes in CLASSES.items() if name != "high_throughput"
                                 for code in codes}


class EvidenceFilterError(GoannotError, ValueError):
    """An evidence filter spec names no known code or class, or is not of a known shape."""


def evidence_class(code: str) -> str | None:
    """The class of an evidence code (``"IDA"`` -> ``"experimental"``); ``None`` if unknown."""
    return CLASS_OF_CODE.get(code.strip().upper())


def _class_key(word: str) -> str:
    return word.strip().lower().replace("-", "_").replace(" ", "_")


def _codes_of(word: str, spec: str) -> frozenset[str]:
    """The codes a word names: a class name or one evidence code."""
    key = _class_key(word)
    if key in CLASSES:
        return CLASSES[key]
    code = word.strip().upper()
    if code in EVIDENCE_CODES:
        return frozenset({code})
    raise EvidenceFilterError(
        f"evidence filter {spec!r}: {word!r} is neither an evidence code nor a class "
        f"({', '.join(CLASSES)})")


_SPLIT = re.compile(r"[;+]")


@dataclass(frozen=True, slots=True)
class EvidenceFilter:
    """Which evidence codes to keep: ``include`` (``None`` = any code) minus ``exclude``.

    Build one with :meth:`parse`; ``spec`` keeps the normalized text for reports and metadata.
    """

    include: frozenset[str] | None = None
    exclude: frozenset[str] = frozenset()
    spec: str = "all"

    @classmethod
    def parse(cls, spec: str | Sequence[str] | EvidenceFilter | None) -> EvidenceFilter:
        """Parse a filter spec (see the module docstring); ``None``/``"all"`` keeps everything."""
        if isinstance(spec, EvidenceFilter):
            return spec
        parts: list[str] = []
        for chunk in ([spec] if isinstance(spec, str) else list(spec or ())):
            parts.extend(p.strip() for p in _SPLIT.split(chunk) if p.strip())
        include: set[str] | None = None
        exclude: set[str] = set()
        for part in parts:
            kind, sep, rest = part.partition(":")
            low = kind.strip().lower()
            if not sep and low == "all":
                continue
            if sep and low in ("exclude", "codes"):
                words = [w for w in rest.split(",") if w.strip()]
                if not words:
                    raise EvidenceFilterError(f"evidence filter {part!r}: no codes after '{kind}:'")
                codes = frozenset().union(*(_codes_of(w, part) for w in words))
                if low == "exclude":
                    exclude |= codes
                else:
                    include = set(codes) if include is None else include | codes
            elif not sep and low.startswith("no-"):
                exclude |= _codes_of(part[3:], part)
            elif not sep:
                codes = _codes_of(part, part)
                include = set(codes) if include is None else include | codes
            else:
                raise EvidenceFilterError(
                    f"evidence filter {part!r}: expected a class, 'codes:A,B', 'exclude:A,B' or 'no-X'")
        return cls(None if include is None else frozenset(include), frozenset(exclude),
                   "; ".join(parts) or "all")

    @property
    def keeps_all(self) -> bool:
        """True when the filter lets every row through."""
        return self.include is None and not self.exclude

    def accepts(self, code: str) -> bool:
        """True when rows with evidence ``code`` pass the filter."""
        c = code.strip().upper()
        return (self.include is None or c in self.include) and c not in self.exclude

    def mask(self, codes: pd.Series | Iterable[str]) -> npt.NDArray[np.bool_]:
        """A boolean array: which of ``codes`` (e.g. the table's ``evidence`` column) pass.

        Vectorized over the distinct codes, so a 475k-row column costs one factorization.
        """
        values = codes if isinstance(codes, pd.Series) else pd.Series(list(codes), dtype=object)
        if self.keeps_all:
            return np.ones(len(values), dtype=bool)
        idx, uniques = pd.factorize(values)
        ok = np.fromiter((self.accepts(str(u)) for u in uniques), dtype=bool, count=len(uniques))
        out = np.zeros(len(values), dtype=bool)
        known = idx >= 0  # missing values (NaN) never pass a filter that is not 'all'
        out[known] = ok[idx[known]]
        return out

    def __str__(self) -> str:
        return self.spec
