"""Cross-row GO rules over a corpus (goannot.validate.corpusrules): hand-made files and the bundled GAFs.

Expected results worked out from the rule texts: a protein-binding partner present in the corpus must name
the annotated protein back (GORULE:0000004); an ISS partner needs an experimental annotation to the same
term or below it (0000038); x and 'regulation of x' for one gene product (0000036); ND beside other
annotations of the aspect (0000054); contributes_to without a complex annotation (0000049).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from goannot.ontology import Ontology
from goannot.validate import validate_file
from goannot.validate.corpusrules import load_corpus

A, B, C, D = "P13232", "P16871", "P10168", "P01234"
PROTEIN_BINDING, CYTOKINE, IMMUNE_RESPONSE = "GO:0005515", "GO:0005125", "GO:0006955"
REG_IMMUNE_RESPONSE, PROTEASOME_CORE, MF_ROOT = "GO:0050776", "GO:0005839", "GO:0003674"
RULES = ["GORULE:0000004", "GORULE:0000038", "GORULE:0000036", "GORULE:0000054", "GORULE:0000049"]


def line(gene: str, go_id: str, evidence: str = "IDA", aspect: str = "F", with_from: str = "", qualifier: str = "",
         ref: str = "PMID:1") -> str:
    return "\t".join(["UniProtKB", gene, "G" + gene, qualifier, go_id, ref, evidence, with_from, aspect, "", "",
                      "protein", "taxon:9606", "20180101", "UniProt", "", ""])


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("!gaf-version: 2.1\n!date-generated: 2019-01-29\n" + "\n".join(lines) + "\n")
    return path


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    other = write(tmp_path / "other.gaf", [
        line(B, PROTEIN_BINDING, "IPI", with_from=f"UniProtKB:{A}"),
        line(C, CYTOKINE),
        line(B, IMMUNE_RESPONSE, aspect="P"),
        line(C, PROTEASOME_CORE, aspect="C"),
    ])
    mine = write(tmp_path / "mine.gaf", [
        line(A, PROTEIN_BINDING, "IPI", with_from=f"UniProtKB:{B}"),         # 1 reciprocal exists
        line(A, PROTEIN_BINDING, "IPI", with_from=f"UniProtKB:{C}"),         # 2 C never names A: 0000004
        line(A, PROTEIN_BINDING, "IPI", with_from="UniProtKB:Q99999"),       # 3 partner not in corpus
        line(A, CYTOKINE, "ISS", with_from=f"UniProtKB:{C}"),                # 4 C has IDA cytokine activity
        line(A, CYTOKINE, "ISS", with_from=f"UniProtKB:{B}"),                # 5 B has none: 0000038
        line(A, IMMUNE_RESPONSE, aspect="P"),                                # 6
        line(A, REG_IMMUNE_RESPONSE, "IMP", aspect="P"),                     # 7 regulation of 6: 0000036
        line(D, MF_ROOT, "ND"),                                              # 8 D has IDA in F: 0000054
        line(D, CYTOKINE),                                                   # 9
        line(A, CYTOKINE, qualifier="contributes_to", ref="PMID:2"),         # 10 A in no complex: 0000049
        line(C, CYTOKINE, qualifier="contributes_to", ref="PMID:2"),         # 11 C part of a complex
    ])
    return mine, other


def test_corpus_rules_on_hand_made_files(go: Ontology, files: tuple[Path, Path]) -> None:
    mine, other = files
    corpus = load_corpus([mine, other], go)
    r = validate_file(mine, go, rules=RULES, options={"corpus": corpus})
    got = {rid: r.findings[r.findings["rule"] == rid]["line"].tolist() for rid in RULES}
    # line numbers count the two header lines
    assert got == {"GORULE:0000004": [4], "GORULE:0000038": [7], "GORULE:0000036": [9],
                   "GORULE:0000054": [10], "GORULE:0000049": [12]}
    assert r.kept == 11 and r.rejected == 0  # all soft: reported, kept


def test_without_a_corpus_the_rules_say_nothing(go: Ontology, files: tuple[Path, Path]) -> None:
    r = validate_file(files[0], go, rules=RULES)
    assert len(r.findings) == 0


@pytest.mark.slow
def test_bundled_corpus_on_human(go: Ontology) -> None:
    """Human validated against the seven bundled species: every rule finds something, all kept."""
    from goannot.sources import locate
    human = locate("goa_human-2019-01-29")
    corpus = load_corpus([human, locate("goa_mouse-2019-01-29")], go)
    r = validate_file(human, go, rules=RULES, options={"corpus": corpus})
    assert all(r.counts_by_rule.get(rid, 0) > 0 for rid in RULES), r.counts_by_rule
    assert r.rejected == 0 and r.kept + r.repaired == r.input_rows
