"""ECO class <-> GO evidence code, from the GAF-ECO mapping shipped as ``goannot/data/eco_gaf.tsv``.

GPAD files give evidence as ECO ids; the annotation table's ``evidence`` column holds GO evidence
codes, so GPAD readers map one to the other. Most ECO ids map to one code whatever the reference;
a few (e.g. ECO:0000255) map to a different code when a specific GO_REF is cited.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["EcoMap", "eco_map"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "eco_gaf.tsv"


@dataclass(frozen=True)
class EcoMap:
    """The mapping in both directions.

    ``default_code``: ECO id -> code; ``by_reference``: (ECO id, GO_REF) -> code;
    ``eco_of_code``: code -> its default ECO id (for writing GPAD).
    """

    default_code: dict[str, str]
    by_reference: dict[tuple[str, str], str]
    eco_of_code: dict[str, str]

    def code(self, eco: str, references: str = "") -> str:
        """The GO evidence code of ``eco`` (``""`` when unmapped), given the annotation's references."""
        for ref in references.split("|") if references else ():
            hit = self.by_reference.get((eco, ref.strip()))
            if hit:
                return hit
        return self.default_code.get(eco, "")

    def codes(self, eco: pa.Array, references: pa.Array) -> pa.Array:
        """Vectorized :meth:`code` over two string arrays."""
        keys = pa.array(list(self.default_code), type=pa.large_string())
        values = pa.array(list(self.default_code.values()), type=pa.large_string())
        idx = pc.index_in(eco, value_set=keys)
        out = pc.take(values, idx)
        out = pc.fill_null(out, "")
        special = {e for e, _ in self.by_reference}
        hits = np.flatnonzero(np.asarray(pc.is_in(eco, value_set=pa.array(sorted(special), type=pa.large_string())),
                                         dtype=bool))
        if not len(hits):
            return out
        result = out.to_pylist()
        for i in hits.tolist():
            result[i] = self.code(eco[i].as_py(), references[i].as_py())
        return pa.array(result, type=pa.large_string())


@cache
def eco_map(path: str | None = None) -> EcoMap:
    """Load the mapping (the shipped ``eco_gaf.tsv`` unless ``path`` names another file in its format)."""
    default: dict[str, str] = {}
    by_ref: dict[tuple[str, str], str] = {}
    eco_of: dict[str, str] = {}
    text = Path(path or _DATA).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", "eco\t")):
            continue
        eco, code, ref = (line.split("\t") + ["", ""])[:3]
        eco, code, ref = eco.strip(), code.strip(), ref.strip()
        if ref:
            by_ref[(eco, ref)] = code
        else:
            default[eco] = code
            eco_of.setdefault(code, eco)
    for (eco, _ref), code in by_ref.items():
        # An ECO id listed only for specific GO_REFs still implies its code whatever the reference.
        default.setdefault(eco, code)
    return EcoMap(default, by_ref, eco_of)
