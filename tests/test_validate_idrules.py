"""The ID-status rules: one passing and one failing case per rule, on the real GO release and on a
hand-made ontology of replaced_by chains (tests/data/validate/chains.obo)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from goannot import load_ontology
from goannot.ontology import Ontology
from goannot.validate import ValidationResult, validate
from goannot.validate import idrules
from goannot.validate.idrules import (ID_RULES, MALFORMED_ID, MERGED_OR_OBSOLETE, NONCANONICAL_ID, OBSOLETE_CONSIDER,
                                      OBSOLETE_NO_GUIDANCE, REPLACED_BY_OBSOLETE, STALE_TERM_NAME, UNKNOWN_ID)

DATA = Path(__file__).parent / "data" / "validate"

# Real GO 2019-01-27 identifiers.
ANTI_APOPTOSIS = "GO:0006916"          # alt_id of NEG_REG_APOPTOSIS
NEG_REG_APOPTOSIS = "GO:0043066"
PROTEIN_BINDING = "GO:0005515"
REPAIROSOME = "GO:0000108"             # obsolete, replaced_by NER_COMPLEX
NER_COMPLEX = "GO:0000109"
THIOREDOXIN_ALT = "GO:0000013"         # alt_id of obsolete GO:0000008, which has two consider terms
RIBOSOMAL_CHAPERONE = "GO:0000005"     # obsolete, three consider terms
ASCORBATE_STABILIZATION = "GO:0000044"  # obsolete, no replaced_by, no consider
ORGAN_MORPHOGENESIS = "GO:0009887"     # now "animal organ morphogenesis"

# tests/data/validate/chains.obo
LIVE, LIVE_ALT, SECOND = "GO:9000001", "GO:9000091", "GO:9000002"
CHAIN_START = "GO:9000010"             # -> GO:9000011 (obsolete) -> LIVE
DEAD_CHAIN = "GO:9000020"              # -> GO:9000021 (obsolete, consider SECOND)
LOOP = "GO:9000030"                    # -> GO:9000031 -> GO:9000030
SPLIT = "GO:9000040"                   # replaced_by LIVE and SECOND
TO_ALT = "GO:9000050"                  # replaced_by LIVE_ALT
DANGLING = "GO:9000060"                # replaced_by a term not in the file
ALT_OF_OBSOLETE = "GO:9000071"         # alt_id of obsolete GO:9000070, replaced_by SECOND
CANDIDATES = "GO:9000080"              # consider LIVE, SECOND
NO_GUIDANCE = "GO:9000090"
ONE_STEP = "GO:9000100"                # replaced_by SECOND


@pytest.fixture(scope="module")
def chains(tmp_path_factory: pytest.TempPathFactory) -> Ontology:
    return load_ontology(DATA / "chains.obo", cache_root=tmp_path_factory.mktemp("cache"))


def table(go_ids: list[str], names: list[str] | None = None, **columns: Any) -> pd.DataFrame:
    """A small annotation table: one gene, one row per GO ID."""
    data: dict[str, Any] = {"db": "UniProtKB", "db_object_id": "P13232", "db_object_symbol": "IL7", "go_id": go_ids,
                            "evidence": "IDA", "reference": "PMID:1", "taxon": "taxon:9606"}
    if names is not None:
        data["term_name"] = names
    data.update(columns)
    return pd.DataFrame(data)


def run(df: pd.DataFrame, onto: Ontology, policy: str = "replace") -> ValidationResult:
    result = validate(df, onto, policy=policy, rules=list(ID_RULES))
    assert result.balanced
    assert result.input_rows == len(df)
    return result


def rules_of(result: ValidationResult) -> list[str]:
    return result.findings["rule"].tolist()


def the_finding(result: ValidationResult, rule: str) -> dict[str, Any]:
    f = result.findings[result.findings["rule"] == rule]
    assert len(f) == 1, result.findings
    return dict(f.iloc[0])


# -- real GO ---------------------------------------------------------------------------------------


def test_primary_ids_pass(go: Ontology) -> None:
    result = run(table([NEG_REG_APOPTOSIS, PROTEIN_BINDING]), go)
    assert len(result.findings) == 0
    assert (result.kept, result.repaired, result.rejected, result.merged) == (2, 0, 0, 0)
    assert result.counts_by_status["primary"] == 2
    assert result.exit_status() == 0


@pytest.mark.parametrize("bad", ["GO:12", "GO:00066916", "foo", "", "GO:abcdefg"])
def test_malformed_id_rejected(go: Ontology, bad: str) -> None:
    result = run(table([bad, PROTEIN_BINDING]), go)
    assert rules_of(result) == [MALFORMED_ID]
    assert result.rejected == 1 and result.kept == 1
    assert result.counts_by_status["malformed"] == 1
    assert result.rejects is not None and result.rejects["rule"].tolist() == [MALFORMED_ID]
    assert result.exit_status() == 1


def test_unknown_id_rejected(go: Ontology) -> None:
    result = run(table(["GO:9999999"]), go)
    f = the_finding(result, UNKNOWN_ID)
    assert f["severity"] == "error" and f["action"] == "reject" and "releases/2019-01-27" in f["message"]
    assert result.rejected == 1 and result.counts_by_status["unknown"] == 1


@pytest.mark.parametrize("loose", ["go:0005515", "GO_0005515", "http://purl.obolibrary.org/obo/GO_0005515"])
def test_noncanonical_id_repaired(go: Ontology, loose: str) -> None:
    result = run(table([loose]), go)
    assert rules_of(result) == [NONCANONICAL_ID]
    assert result.repaired == 1
    assert result.table is not None and result.table["go_id"].tolist() == [PROTEIN_BINDING]
    assert result.counts_by_status["primary"] == 1


def test_secondary_id_repaired_to_primary(go: Ontology) -> None:
    result = run(table([ANTI_APOPTOSIS]), go)
    f = the_finding(result, MERGED_OR_OBSOLETE)
    assert f["severity"] == "warning" and f["action"] == "repair" and NEG_REG_APOPTOSIS in f["message"]
    assert result.table is not None and result.table["go_id"].tolist() == [NEG_REG_APOPTOSIS]
    assert result.changes is not None
    assert result.changes[["line", "rule", "column", "before", "after"]].values.tolist() == [
        [1, MERGED_OR_OBSOLETE, "go_id", ANTI_APOPTOSIS, NEG_REG_APOPTOSIS]]
    assert result.counts_by_status["secondary"] == 1
    assert result.repaired == 1


@pytest.mark.parametrize("policy, kept, repaired, rejected, action", [
    ("replace", 0, 1, 0, "repair"), ("keep", 1, 0, 0, "report"), ("reject", 0, 0, 1, "reject")])
def test_secondary_id_policies(go: Ontology, policy: str, kept: int, repaired: int, rejected: int,
                               action: str) -> None:
    result = run(table([ANTI_APOPTOSIS]), go, policy)
    assert (result.kept, result.repaired, result.rejected) == (kept, repaired, rejected)
    assert the_finding(result, MERGED_OR_OBSOLETE)["action"] == action
    if policy == "keep":
        assert result.table is not None and result.table["go_id"].tolist() == [ANTI_APOPTOSIS]


def test_obsolete_with_replaced_by_repaired(go: Ontology) -> None:
    result = run(table([REPAIROSOME]), go)
    f = the_finding(result, MERGED_OR_OBSOLETE)
    assert "obsolete" in f["message"] and NER_COMPLEX in f["message"]
    assert result.table is not None and result.table["go_id"].tolist() == [NER_COMPLEX]
    assert result.counts_by_status["obsolete"] == 1


@pytest.mark.parametrize("policy, rejected", [("replace", 1), ("reject", 1), ("keep", 0)])
def test_obsolete_consider_lists_candidates_never_picks(go: Ontology, policy: str, rejected: int) -> None:
    result = run(table([RIBOSOMAL_CHAPERONE]), go, policy)
    f = the_finding(result, OBSOLETE_CONSIDER)
    for candidate in ("GO:0042254", "GO:0044183", "GO:0051082"):
        assert candidate in f["message"] and candidate in f["fix"]
    assert result.rejected == rejected and result.repaired == 0
    if rejected:
        assert result.rejects is not None and "consider" in result.rejects["reason"].iloc[0]


def test_alt_id_of_obsolete_term_with_consider(go: Ontology) -> None:
    result = run(table([THIOREDOXIN_ALT]), go)
    f = the_finding(result, OBSOLETE_CONSIDER)
    assert "GO:0000008" in f["message"] and "GO:0003756" in f["message"] and "GO:0015036" in f["message"]
    assert result.counts_by_status["secondary"] == 1 and result.rejected == 1


def test_obsolete_without_guidance(go: Ontology) -> None:
    result = run(table([ASCORBATE_STABILIZATION]), go)
    assert the_finding(result, OBSOLETE_NO_GUIDANCE)["severity"] == "error"
    assert result.rejected == 1
    kept = run(table([ASCORBATE_STABILIZATION]), go, "keep")
    assert kept.kept == 1 and rules_of(kept) == [OBSOLETE_NO_GUIDANCE]


def test_current_term_name_passes(go: Ontology) -> None:
    result = run(table([NEG_REG_APOPTOSIS], ["negative regulation of apoptotic process"]), go)
    assert len(result.findings) == 0


def test_stale_term_name_that_is_an_exact_synonym(go: Ontology) -> None:
    result = run(table([ANTI_APOPTOSIS], ["anti-apoptosis"]), go)
    f = the_finding(result, STALE_TERM_NAME)
    assert f["severity"] == "info" and f["action"] == "report"
    assert "'negative regulation of apoptotic process'" in f["message"] and "exact synonym" in f["message"]
    assert f["go_id"] == NEG_REG_APOPTOSIS


def test_stale_term_name_renamed_term(go: Ontology) -> None:
    result = run(table([ORGAN_MORPHOGENESIS], ["organ morphogenesis"]), go)
    f = the_finding(result, STALE_TERM_NAME)
    assert "'animal organ morphogenesis'" in f["message"] and "synonym" not in f["message"]
    assert result.kept == 1


def test_each_distinct_id_resolved_once_per_file(go: Ontology, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = idrules._Cache.add_many

    def counting(self: Any, onto: Ontology, ids: Any) -> Any:
        calls.extend(ids.tolist())
        return original(self, onto, ids)

    monkeypatch.setattr(idrules._Cache, "add_many", counting)
    ids = [PROTEIN_BINDING, ANTI_APOPTOSIS] * 500
    run(table(ids, db_object_id=[f"P{i}" for i in range(len(ids))]), go)
    assert sorted(set(calls)) == sorted(calls) == sorted([PROTEIN_BINDING, ANTI_APOPTOSIS])


def test_terms_aligned_with_rows(go: Ontology) -> None:
    from goannot.validate.rules import RuleContext

    ctx = RuleContext(go, pd.DataFrame())
    ids = pd.Series([PROTEIN_BINDING, ANTI_APOPTOSIS, "GO:12", PROTEIN_BINDING, REPAIROSOME])
    terms = idrules.term_table(ids, ctx)
    assert terms["status"].tolist() == ["primary", "secondary", "malformed", "primary", "obsolete"]
    assert terms["target"].tolist() == [PROTEIN_BINDING, NEG_REG_APOPTOSIS, "", PROTEIN_BINDING, NER_COMPLEX]
    assert terms["namespace"].tolist()[:2] == ["molecular_function", "biological_process"]
    assert terms["name"].iloc[1] == "negative regulation of apoptotic process"


# -- replaced_by chains ----------------------------------------------------------------------------


def test_chain_followed_to_current_term(chains: Ontology) -> None:
    result = run(table([CHAIN_START]), chains)
    f = the_finding(result, MERGED_OR_OBSOLETE)
    assert f"{CHAIN_START} -> GO:9000011 -> {LIVE}" in f["message"]
    assert result.table is not None and result.table["go_id"].tolist() == [LIVE]


def test_one_step_replacement(chains: Ontology) -> None:
    result = run(table([ONE_STEP]), chains)
    assert rules_of(result) == [MERGED_OR_OBSOLETE]
    assert result.table is not None and result.table["go_id"].tolist() == [SECOND]


def test_replaced_by_an_alt_id_lands_on_its_primary(chains: Ontology) -> None:
    result = run(table([TO_ALT]), chains)
    assert result.table is not None and result.table["go_id"].tolist() == [LIVE]


def test_alt_id_of_obsoleted_term_follows_its_replacement(chains: Ontology) -> None:
    result = run(table([ALT_OF_OBSOLETE]), chains)
    assert rules_of(result) == [MERGED_OR_OBSOLETE]
    assert result.table is not None and result.table["go_id"].tolist() == [SECOND]
    assert result.counts_by_status["secondary"] == 1


@pytest.mark.parametrize("term, words", [(DEAD_CHAIN, ["ends at obsolete GO:9000021", SECOND]),
                                         (LOOP, ["loops", "GO:9000030 -> GO:9000031 -> GO:9000030"]),
                                         (DANGLING, ["GO:9999998", "not a term"])])
def test_chain_without_current_end(chains: Ontology, term: str, words: list[str]) -> None:
    result = run(table([term]), chains)
    f = the_finding(result, REPLACED_BY_OBSOLETE)
    for w in words:
        assert w in f["message"]
    assert result.rejected == 1


def test_several_replacements_are_not_a_single_target(chains: Ontology) -> None:
    result = run(table([SPLIT]), chains)
    f = the_finding(result, OBSOLETE_CONSIDER)
    assert LIVE in f["message"] and SECOND in f["message"] and "several" in f["message"]
    assert result.rejected == 1 and result.repaired == 0


def test_consider_candidates(chains: Ontology) -> None:
    result = run(table([CANDIDATES]), chains)
    f = the_finding(result, OBSOLETE_CONSIDER)
    assert f["fix"] == f"choose one of {LIVE}, {SECOND}"


def test_no_guidance(chains: Ontology) -> None:
    assert rules_of(run(table([NO_GUIDANCE]), chains)) == [OBSOLETE_NO_GUIDANCE]


def test_stale_name_related_synonym_and_alt_target(chains: Ontology) -> None:
    result = run(table([LIVE_ALT, LIVE], ["loose target name", "old target name"],
                       reference=["PMID:1", "PMID:2"]), chains)
    messages = result.findings[result.findings["rule"] == STALE_TERM_NAME]["message"].tolist()
    assert len(messages) == 2
    assert "a related synonym" in messages[0] and "an exact synonym" in messages[1]


def test_repair_targets_cover_alt_and_replaced_by(chains: Ontology) -> None:
    targets = idrules.repair_targets(chains)
    assert {LIVE, SECOND, "GO:9000011", "GO:9000070"} <= targets


def test_terms_stay_aligned_across_chunks(go: Ontology) -> None:
    """Regression: a batch mixing slow (secondary) and fast (primary) new IDs kept verdict positions apart."""
    from goannot.validate.rules import RuleContext

    ctx = RuleContext(go, pd.DataFrame())
    first = idrules.term_table(pd.Series([ANTI_APOPTOSIS, PROTEIN_BINDING]), ctx)
    second = idrules.term_table(pd.Series([PROTEIN_BINDING, NEG_REG_APOPTOSIS, ANTI_APOPTOSIS, "GO:12"]), ctx)
    assert first["status"].tolist() == ["secondary", "primary"]
    assert second["status"].tolist() == ["primary", "primary", "secondary", "malformed"]
    assert second["target"].tolist() == [PROTEIN_BINDING, NEG_REG_APOPTOSIS, NEG_REG_APOPTOSIS, ""]
