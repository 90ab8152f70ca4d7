"""Evidence classes and filter specs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from goannot.columns import EVIDENCE_CODES
from goannot.errors import GoannotError
from goannot.evidence import CLASS_OF_CODE, CLASSES, EvidenceFilter, EvidenceFilterError, evidence_class

EXPERIMENTAL = {"EXP", "IDA", "IPI", "IMP", "IGI", "IEP", "HTP", "HDA", "HMP", "HGI", "HEP"}


@pytest.mark.parametrize("code, cls", [
    ("IDA", "experimental"), ("HDA", "experimental"), ("IBA", "phylogenetic"), ("IKR", "phylogenetic"),
    ("ISS", "computational"), ("RCA", "computational"), ("IGC", "computational"), ("TAS", "author_statement"),
    ("NAS", "author_statement"), ("IC", "curator_statement"), ("ND", "no_data"), ("IEA", "electronic"),
    ("ida", "experimental"), (" IEA ", "electronic"), ("XYZ", None), ("NR", None),
])
def test_evidence_class(code: str, cls: str | None) -> None:
    assert evidence_class(code) == cls


def test_every_current_code_has_one_class() -> None:
    assert set(CLASS_OF_CODE) == EVIDENCE_CODES - {"NR"}
    main = [c for name, c in CLASSES.items() if name != "high_throughput"]
    assert sum(map(len, main)) == len(CLASS_OF_CODE)           # main classes do not overlap
    assert CLASSES["experimental"] == EXPERIMENTAL
    assert CLASSES["high_throughput"] < CLASSES["experimental"]


@pytest.mark.parametrize("spec, kept, dropped", [
    (None, {"IEA", "ND", "IDA", "XYZ"}, set()),
    ("all", {"IEA", "ND", "IDA"}, set()),
    ("", {"IEA"}, set()),
    ("exclude:IEA", {"IDA", "ND", "IMR", "XYZ"}, {"IEA"}),        # excluding lets unknown codes through
    ("no-ND", {"IEA", "IDA"}, {"ND"}),
    ("no-electronic", {"IDA"}, {"IEA"}),
    ("experimental", EXPERIMENTAL, {"IEA", "IBA", "TAS", "XYZ"}),  # including keeps only what it names
    ("codes:IDA,IMP", {"IDA", "IMP", "ida"}, {"IPI", "IEA"}),
    ("codes:IDA, phylogenetic", {"IDA", "IBA"}, {"IMP"}),
    ("experimental+phylogenetic; no-HTP", {"IDA", "IBA"}, {"HTP", "IEA"}),
    ("experimental;exclude:high_throughput", {"IDA", "EXP"}, {"HDA", "HTP"}),
    ("exclude:IEA,ND", {"IDA", "TAS"}, {"IEA", "ND"}),
    ("no-author-statement", {"IDA"}, {"TAS", "NAS"}),
])
def test_filter_specs(spec: str | None, kept: set[str], dropped: set[str]) -> None:
    flt = EvidenceFilter.parse(spec)
    assert all(flt.accepts(c) for c in kept)
    assert not any(flt.accepts(c) for c in dropped)


def test_spec_sequences_and_idempotent_parse() -> None:
    flt = EvidenceFilter.parse(["experimental", "no-IEP"])
    assert flt.include == EXPERIMENTAL and flt.exclude == {"IEP"}
    assert flt.spec == "experimental; no-IEP" and str(flt) == flt.spec
    assert EvidenceFilter.parse(flt) is flt
    assert EvidenceFilter.parse(None).keeps_all and not flt.keeps_all


@pytest.mark.parametrize("spec", ["experimantal", "codes:", "codes:IDA,FOO", "no-", "include:IDA", "exclude:"])
def test_bad_specs_raise(spec: str) -> None:
    with pytest.raises(EvidenceFilterError) as err:
        EvidenceFilter.parse(spec)
    assert isinstance(err.value, GoannotError) and isinstance(err.value, ValueError)


def test_mask_vectorized_over_a_column() -> None:
    column = pd.Series(["IEA", "IDA", "ND", None, "IMP", "IEA"], dtype="string")
    assert EvidenceFilter.parse("no-IEA").mask(column).tolist() == [False, True, True, False, True, False]
    assert EvidenceFilter.parse("all").mask(column).tolist() == [True] * 6
    assert EvidenceFilter.parse("experimental").mask(["IDA", "TAS"]).tolist() == [True, False]
    assert EvidenceFilter.parse("no-ND").mask([]).dtype == np.bool_
