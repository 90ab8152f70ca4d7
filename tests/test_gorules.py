"""Tests of the GO annotation rules (goannot.validate.gorules) and the GORULE table.

Each implemented rule gets a passing and a failing hand-made row, checked against the bundled GO
release through a small stand-in for the engine's term table. The bundled human, mouse and rat
GAFs' IL7 rows are checked for their exact findings, and the time of all checks on the whole
human GAF is measured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from goannot.columns import GAF_COLUMNS, TABLE_COLUMNS
from goannot.ontology import Ontology
from goannot.validate import gorules
from goannot.validate.rules import REGISTRY, RuleContext


# Named GO terms used below.
CYTOKINE_ACTIVITY = "GO:0005125"          # F
GROWTH_FACTOR_ACTIVITY = "GO:0008083"     # F
PROTEIN_BINDING = "GO:0005515"            # F, GORULE 2/5/51
BINDING = "GO:0005488"                    # F, gocheck_do_not_manually_annotate
NFAT4_BINDING = "GO:0051529"              # F, child of protein binding (allowed with NOT)
PROTEIN_KINASE_ACTIVITY = "GO:0004672"    # F, catalytic activity descendant
HOMODIMERIZATION = "GO:0042803"           # F, self-binding
IMMUNE_RESPONSE = "GO:0006955"            # P
DEFENSE_GRAM_POSITIVE = "GO:0050830"      # P, interspecies interaction descendant
EXTRACELLULAR_REGION = "GO:0005576"       # C
PROTEASOME_CORE = "GO:0005839"            # C, protein-containing complex descendant
MF_ROOT, BP_ROOT, CC_ROOT = "GO:0003674", "GO:0008150", "GO:0005575"
TODAY = dt.date(2019, 1, 29)              # the bundled release


@pytest.fixture(scope="module")
def onto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ontology]:
    """The bundled GO release, compiled into a cache under tmp (never the user's cache)."""
    from goannot.loader import load_ontology
    mp = pytest.MonkeyPatch()
    mp.setenv("GOANNOT_CACHE", str(tmp_path_factory.mktemp("cache")))
    try:
        yield load_ontology()
    finally:
        mp.undo()


def row(**kw: str) -> dict[str, Any]:
    """One annotation row (human IL7, IDA cytokine activity) with ``kw`` overriding columns."""
    base: dict[str, Any] = {c: "" for c in TABLE_COLUMNS}
    base.update(db="UniProtKB", db_object_id="P13232", db_object_symbol="IL7", go_id=CYTOKINE_ACTIVITY,
                reference="PMID:11418668", evidence="IDA", aspect="F", db_object_type="protein",
                taxon="taxon:9606", date="20171110", assigned_by="UniProt")
    base.update(kw)
    return base


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    """A chunk with TABLE_COLUMNS and line numbers."""
    df = pd.DataFrame(list(rows), columns=list(TABLE_COLUMNS))
    df["line"] = np.arange(1, len(df) + 1, dtype=np.int64)
    return df


def terms_for(onto: Ontology, go_ids: Any) -> pd.DataFrame:
    """What the engine puts in ``ctx.terms``: status, target, namespace, name per row (per distinct ID)."""
    cache: dict[str, tuple[str, str, str, str]] = {}
    for g in pd.unique(np.asarray(go_ids, dtype=object)):
        r = onto.resolve(g)
        target = r.primary or ""
        if r.status.value == "obsolete":
            target = r.replaced_by[0] if len(r.replaced_by) == 1 else ""
        if target and onto.is_obsolete(target):
            target = ""
        ns = onto.namespace(target) if target else r.namespace
        cache[g] = (r.status.value, target, ns, onto.name(target) if target else "")
    return pd.DataFrame([cache[g] for g in go_ids], columns=["status", "target", "namespace", "name"])


def run(onto: Ontology, rule_id: str, df: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """Run one registered rule on ``df`` as the engine would."""
    opts = {"today": TODAY, "format": "gaf", "gaf_version": "2.2"}
    opts.update(options)
    ctx = RuleContext(onto, terms_for(onto, df["go_id"].tolist()), options=opts)
    return REGISTRY[rule_id].check(df, ctx)


def flagged(onto: Ontology, rule_id: str, df: pd.DataFrame, **options: Any) -> list[int]:
    return sorted(run(onto, rule_id, df, **options)["row"].tolist())


# (rule, passing row, failing row, options)
CASES: list[tuple[str, dict[str, str], dict[str, str], dict[str, Any]]] = [
    ("GORULE:0000001", {}, {"taxon": "9606"}, {}),
    ("GORULE:0000001", {"qualifier": "colocalizes_with", "go_id": EXTRACELLULAR_REGION, "aspect": "C"},
     {"qualifier": "located_in", "go_id": EXTRACELLULAR_REGION, "aspect": "C"}, {"gaf_version": "2.1"}),
    ("GORULE:0000001", {}, {"evidence": "NR"}, {}),
    ("GORULE:0000001", {}, {"db_object_type": "widget"}, {}),
    ("GORULE:0000001", {}, {"reference": "11418668"}, {}),
    ("GORULE:0000001", {}, {"date": "20300101"}, {}),
    ("GORULE:0000001", {}, {"assigned_by": "UniProt|MGI"}, {}),
    ("GORULE:0000001", {}, {"taxon": "taxon:9606|taxon:562|taxon:1280"}, {}),
    ("GORULE:0000002", {"qualifier": "NOT", "go_id": NFAT4_BINDING},
     {"qualifier": "NOT", "go_id": PROTEIN_BINDING}, {}),
    ("GORULE:0000005", {"evidence": "ISS", "with_from": "UniProtKB:P10168"},
     {"evidence": "ISS", "with_from": "UniProtKB:P10168", "go_id": PROTEIN_BINDING}, {}),
    ("GORULE:0000006", {"evidence": "IEP", "go_id": IMMUNE_RESPONSE, "aspect": "P"}, {"evidence": "IEP"}, {}),
    ("GORULE:0000006", {"evidence": "HEP", "go_id": IMMUNE_RESPONSE, "aspect": "P"},
     {"evidence": "HEP", "assigned_by": "GOC"}, {}),  # the current rule text has no GOC exception
    ("GORULE:0000005", {"evidence": "RCA", "go_id": NFAT4_BINDING}, {"evidence": "RCA", "go_id": BINDING}, {}),
    ("GORULE:0000007", {"evidence": "IPI", "with_from": "UniProtKB:P16871", "go_id": PROTEIN_BINDING},
     {"evidence": "IPI", "with_from": "UniProtKB:P16871", "go_id": PROTEIN_KINASE_ACTIVITY}, {}),
    ("GORULE:0000008", {"evidence": "IEA", "go_id": BINDING}, {"go_id": BINDING}, {}),
    ("GORULE:0000011", {"evidence": "ND", "go_id": MF_ROOT}, {"evidence": "ND"}, {}),
    ("GORULE:0000041", {"evidence": "ND", "go_id": MF_ROOT}, {"go_id": MF_ROOT}, {}),
    ("GORULE:0000015", {"go_id": DEFENSE_GRAM_POSITIVE, "aspect": "P", "taxon": "taxon:9606|taxon:1280"},
     {"taxon": "taxon:9606|taxon:1280"}, {}),
    ("GORULE:0000015", {"go_id": DEFENSE_GRAM_POSITIVE, "aspect": "P", "taxon": "taxon:9606|taxon:1280"},
     {"go_id": DEFENSE_GRAM_POSITIVE, "aspect": "P", "taxon": "taxon:9606|taxon:9606"}, {}),
    ("GORULE:0000016", {"evidence": "IC", "with_from": GROWTH_FACTOR_ACTIVITY}, {"evidence": "IC"}, {}),
    ("GORULE:0000016", {"evidence": "IC", "with_from": GROWTH_FACTOR_ACTIVITY},
     {"evidence": "IC", "with_from": CYTOKINE_ACTIVITY}, {}),
    ("GORULE:0000017", {}, {"with_from": "UniProtKB:P16871"}, {}),
    ("GORULE:0000018", {"evidence": "IPI", "with_from": "UniProtKB:P16871"}, {"evidence": "IPI"}, {}),
    ("GORULE:0000046", {"evidence": "IPI", "go_id": HOMODIMERIZATION, "with_from": "UniProtKB:P13232"},
     {"evidence": "IPI", "go_id": HOMODIMERIZATION, "with_from": "UniProtKB:P16871"}, {}),
    ("GORULE:0000047", {"evidence": "IPI", "go_id": PROTEIN_BINDING, "with_from": "CHEBI:15377"},
     {"go_id": IMMUNE_RESPONSE, "aspect": "P", "evidence": "IGI", "with_from": "CHEBI:15377"}, {}),
    ("GORULE:0000050", {"evidence": "ISS", "with_from": "UniProtKB:P10168"},
     {"evidence": "ISS", "with_from": "UniProtKB:P13232"}, {}),
    ("GORULE:0000063", {"evidence": "ISO", "with_from": "UniProtKB:P10168"}, {"evidence": "ISO"}, {}),
    ("GORULE:0000026", {"evidence": "IBA", "assigned_by": "GO_Central", "reference": "GO_REF:0000033"},
     {"evidence": "IBA", "reference": "GO_REF:0000033"}, {}),
    # PMID:21873635 (PAINT's reference before GO_REF:0000033) is now a warning: see test_annotations_realworld.
    ("GORULE:0000037", {"evidence": "IBA", "assigned_by": "GO_Central", "reference": "GO_REF:0000033"},
     {"evidence": "IBA", "assigned_by": "GO_Central", "reference": "PMID:123"}, {}),
    ("GORULE:0000042", {"evidence": "IKR", "qualifier": "NOT"}, {"evidence": "IKR"}, {}),
    ("GORULE:0000029", {"evidence": "IEA", "date": "20190112"}, {"evidence": "IEA", "date": "20150101"}, {}),
    ("GORULE:0000029", {"evidence": "IEA", "date": "20190112"}, {"evidence": "IEA", "date": "20170601"}, {}),
    ("GORULE:0000028", {}, {"aspect": "P"}, {}),
    ("GORULE:0000039", {"go_id": PROTEASOME_CORE, "aspect": "C"},
     {"db": "ComplexPortal", "db_object_id": "CPX-5993", "go_id": PROTEASOME_CORE, "aspect": "C"}, {}),
    ("GORULE:0000051", {"evidence": "IPI", "go_id": PROTEIN_BINDING, "with_from": "UniProtKB:P16871",
                        "annotation_extension": "has_input(UniProtKB:P16871)"},
     {"evidence": "IPI", "go_id": PROTEIN_BINDING, "with_from": "UniProtKB:P16871"}, {}),
    ("GORULE:0000059", {"qualifier": "contributes_to"}, {}, {"gaf_version": "2.1", "convert_to_22": True}),
    ("GORULE:0000061", {"qualifier": "enables"}, {"qualifier": "involved_in"}, {}),
    ("GORULE:0000061", {"qualifier": "part_of", "go_id": PROTEASOME_CORE, "aspect": "C"},
     {"qualifier": "colocalizes_with", "go_id": PROTEASOME_CORE, "aspect": "C"}, {}),
    ("GORULE:0000027", {}, {"reference": "PMID:PMID:11418668"}, {}),
    ("GORULE:0000027", {"evidence": "IC", "with_from": GROWTH_FACTOR_ACTIVITY},
     {"evidence": "IC", "with_from": "GO:9999999"}, {}),
    ("GORULE:0000027", {}, {"db": "UniProt"}, {}),
    ("GORULE:0000027", {"annotation_extension": "part_of(GO:0032991)"},
     {"annotation_extension": "part_of(GO:0043234)"}, {}),
    ("GORULE:0000055", {"reference": "PMID:11418668|GO_REF:0000024"},
     {"reference": "PMID:11418668|PMID:2643102"}, {}),
]


@pytest.mark.parametrize("rule_id, good, bad, options", CASES,
                         ids=[f"{c[0][-4:]}-{k}" for k, c in enumerate(CASES)])
def test_rule_pass_and_fail(onto: Ontology, rule_id: str, good: dict[str, str], bad: dict[str, str],
                            options: dict[str, Any]) -> None:
    df = frame(row(**good), row(**bad))
    got = run(onto, rule_id, df, **options)
    assert got["row"].tolist() == [1], got.to_dict("records")
    assert got["go_id"].tolist() == [df.loc[1, "go_id"]]
    assert (got["message"].str.len() > 0).all()


def test_obsoletion_candidates(onto: Ontology, monkeypatch: pytest.MonkeyPatch) -> None:
    """GORULE:0000065: the bundled 2019 release has no gocheck_obsoletion_candidate subset."""
    df = frame(row(), row(go_id=IMMUNE_RESPONSE, aspect="P"))
    assert flagged(onto, "GORULE:0000065", df) == []
    real = gorules._subset
    monkeypatch.setattr(gorules, "_subset", lambda o, name: frozenset({IMMUNE_RESPONSE})
                        if name == "gocheck_obsoletion_candidate" else real(o, name))
    assert flagged(onto, "GORULE:0000065", df) == [1]


def test_do_not_annotate_applies_to_iea(onto: Ontology) -> None:
    """GORULE:0000008: gocheck_do_not_annotate terms are wrong even for IEA."""
    never = sorted(onto.subset("gocheck_do_not_annotate"))[0]
    df = frame(row(evidence="IEA", go_id=never, aspect=gorules._ASPECT_OF_CODE[
        gorules._ASPECT_CODE[onto.namespace(never)]]))
    assert flagged(onto, "GORULE:0000008", df) == [0]


def test_aspect_repair(onto: Ontology) -> None:
    got = run(onto, "GORULE:0000028", frame(row(aspect="P"), row(go_id=IMMUNE_RESPONSE, aspect="C")))
    assert got["set_aspect"].tolist() == ["F", "P"]
    assert set(got["action"]) == {"repair"}


def test_iea_age_actions(onto: Ontology) -> None:
    got = run(onto, "GORULE:0000029", frame(row(evidence="IEA", date="20150101"),
                                            row(evidence="IEA", date="20170601"), row(date="20000101")))
    assert got["row"].tolist() == [0, 1]
    assert got["action"].tolist() == ["reject", "report"]
    assert got["severity"].tolist() == ["error", "warning"]


def test_gaf21_to_22_defaults(onto: Ontology) -> None:
    """GORULE:0000059: F enables, P root involved_in, P acts_upstream_of_or_within, C root is_active_in,
    complexes part_of, other C located_in; NOT kept; contributes_to kept; repair only on request."""
    df = frame(row(), row(qualifier="NOT"), row(go_id=BP_ROOT, aspect="P", evidence="ND"),
               row(go_id=IMMUNE_RESPONSE, aspect="P"), row(go_id=CC_ROOT, aspect="C", evidence="ND"),
               row(go_id=PROTEASOME_CORE, aspect="C"), row(go_id=EXTRACELLULAR_REGION, aspect="C"),
               row(qualifier="contributes_to"), row(go_id="GO:9999999"))
    # a GAF 2.1 file without relations is valid GAF 2.1: nothing to say unless conversion was asked for
    assert run(onto, "GORULE:0000059", df, gaf_version="2.1").empty
    got = run(onto, "GORULE:0000059", df, gaf_version="2.1", convert_to_22=True)
    assert got["set_qualifier"].tolist() == ["enables", "NOT|enables", "involved_in", "acts_upstream_of_or_within",
                                             "is_active_in", "part_of", "located_in"]
    assert set(got["action"]) == {"repair"}
    assert run(onto, "GORULE:0000059", df, gaf_version="2.2").empty


def test_gp2term_relations(onto: Ontology) -> None:
    """GORULE:0000061 repairs to the term's default relation and keeps NOT."""
    df = frame(row(qualifier="NOT|involved_in"), row(qualifier="contributes_to", go_id=MF_ROOT, evidence="ND"),
               row(qualifier="enables", go_id=IMMUNE_RESPONSE, aspect="P"),
               row(qualifier="acts_upstream_of_negative_effect", go_id=IMMUNE_RESPONSE, aspect="P"),
               row(qualifier="located_in", go_id=CC_ROOT, aspect="C", evidence="ND"),
               row(qualifier="is_active_in", go_id=EXTRACELLULAR_REGION, aspect="C"),
               row(qualifier="NOT", go_id=EXTRACELLULAR_REGION, aspect="C"))
    got = run(onto, "GORULE:0000061", df)
    assert got["row"].tolist() == [0, 1, 2, 4, 6]
    assert got["set_qualifier"].tolist() == ["NOT|enables", "enables", "acts_upstream_of_or_within",
                                             "is_active_in", "NOT|located_in"]
    # GAF 2.1: a missing relation is GORULE:0000059's, not 0000061's
    assert flagged(onto, "GORULE:0000061", frame(row(), row(qualifier="NOT")), gaf_version="2.1") == []
    # formats without a relation column (plain tables, gene2go) are not asked for one either
    for fmt in ("table", "gene2go"):
        assert flagged(onto, "GORULE:0000061", frame(row(), row(qualifier="NOT")), format=fmt, gaf_version="") == []
    # GAF 2.2 and GPAD require it
    assert flagged(onto, "GORULE:0000061", frame(row(), row(qualifier="NOT")), format="gpad") == [0, 1]


def test_legacy_prefix_repair(onto: Ontology) -> None:
    got = run(onto, "GORULE:0000027", frame(row(db="UniProt")))
    assert got["set_db"].tolist() == ["UniProtKB"] and got["action"].tolist() == ["repair"]


@pytest.mark.parametrize("with_from, cites_itself", [
    ("UniProtKB:P13232", True),
    ("UniProtKB:P10168|UniProtKB:P13232", True),
    ("UniProtKB:P10168,UniProtKB:P13232", True),
    ("UniProtKB:P132321", False),
    ("UniProtKB:P13232-2", False),
    ("UniProtKB:P10168 | UniProtKB:P13232", True),   # entries are stripped
    ("UniProtKB:P13232\u00a0,X:1", True),            # ... of Unicode whitespace too (str.strip)
    ("UniProtKB:P13232\x1c", True),                  # ... and of ASCII separators str.strip removes
    ("UniProtKB:P1323\u00e9", False),
])
def test_self_citation_in_with_from(onto: Ontology, with_from: str, cites_itself: bool) -> None:
    """GORULE:0000050's self-citation test, mixing rows the vectorized path and the stripping path judge."""
    df = frame(row(evidence="ISS", with_from=with_from), row(evidence="ISS", with_from="UniProtKB:P13232"),
               row(evidence="ISS", with_from="UniProtKB:P10168"))
    assert flagged(onto, "GORULE:0000050", df) == ([0, 1] if cites_itself else [1])


def test_engine_may_pass_object_columns(onto: Ontology) -> None:
    """Checks accept plain object-dtype chunks as well as Arrow-backed ones."""
    df = frame(row(evidence="ND"), row()).astype({c: object for c in TABLE_COLUMNS if c != "line"})
    assert flagged(onto, "GORULE:0000011", df) == [0]


def test_table_matches_registry() -> None:
    """Every rule the table calls implemented/partial is registered, and every registered GORULE is in it."""
    table = gorules.rule_table()
    ids = [r.id for r in table]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 65
    states = ("implemented", "partial: ", "covered by GORULE:", "not automatable here: ", "not implemented: ",
              "deprecated")
    assert all(r.state.startswith(states) for r in table), [r.state for r in table if not r.state.startswith(states)]
    mine = {r.id for r in REGISTRY.values() if r.check.__module__ in (
        gorules.__name__, "goannot.validate.refrules", "goannot.validate.extrules", "goannot.validate.corpusrules")}
    claimed = {r.id for r in table if r.registered}
    engine_owned = {"GORULE:0000020"}  # the ID rules (goannot.validate.engine)
    assert claimed - engine_owned == mine
    for r in table:
        if r.registered and r.id in mine:
            assert r.severity == str(REGISTRY[r.id].severity), r.id
            assert REGISTRY[r.id].url.endswith(f"gorule-{r.id[-7:]}.md")
    if "GORULE:0000020" not in REGISTRY:
        pytest.importorskip("goannot.validate.engine")
        assert "GORULE:0000020" in REGISTRY


# ---------------------------------------------------------------------------------------------
# The bundled GAFs
# ---------------------------------------------------------------------------------------------

def read_gaf(name: str) -> pd.DataFrame:
    """A bundled GAF as the annotation table (pandas reader, line numbers of the data rows)."""
    from goannot.sources import locate
    raw = pd.read_csv(locate(name), sep="\t", comment="!", header=None, dtype=str, keep_default_na=False,
                      quoting=3)
    raw.columns = list(GAF_COLUMNS)[:raw.shape[1]]
    for c in TABLE_COLUMNS:
        if c not in raw.columns:
            raw[c] = ""
    raw["line"] = np.arange(1, len(raw) + 1, dtype=np.int64)
    return raw[list(TABLE_COLUMNS)]


def all_findings(onto: Ontology, df: pd.DataFrame, **options: Any) -> dict[str, list[tuple[str, str]]]:
    """{rule id: [(go_id, action)]} for every gorules check with findings (GORULE:0000059 left out)."""
    opts = {"today": TODAY, "format": "gaf", "gaf_version": "2.1"}
    opts.update(options)
    ctx = RuleContext(onto, terms_for(onto, df["go_id"].tolist()), options=opts)
    out: dict[str, list[tuple[str, str]]] = {}
    for r in REGISTRY.values():
        if r.check.__module__ != gorules.__name__ or r.id == "GORULE:0000059":
            continue
        f = r.check(df, ctx)
        if len(f):
            out[r.id] = list(zip(f["go_id"], f["action"]))
    return out


@pytest.fixture(scope="module")
def il7(onto: Ontology) -> dict[str, pd.DataFrame]:
    got = {}
    for species in ("human", "mouse", "rat"):
        df = read_gaf(f"goa_{species}-2019-01-29")
        got[species] = df[df["db_object_symbol"].isin(["IL7", "Il7"])].reset_index(drop=True)
    return got


def test_il7_human(onto: Ontology, il7: dict[str, pd.DataFrame]) -> None:
    df = il7["human"]
    assert len(df) == 38
    assert all_findings(onto, df) == {
        # three IPI protein binding rows (IntAct) without an annotation extension
        "GORULE:0000051": [(PROTEIN_BINDING, "report")] * 3,
    }


def test_il7_mouse(onto: Ontology, il7: dict[str, pd.DataFrame]) -> None:
    df = il7["mouse"]
    assert len(df) == 29
    assert all_findings(onto, df) == {}


def test_il7_rat(onto: Ontology, il7: dict[str, pd.DataFrame]) -> None:
    """RGD's ND annotations to the MF and CC roots are correct usage: no GORULE:0000011 / 0000041 finding."""
    df = il7["rat"]
    assert len(df) == 15
    assert set(df.loc[df["evidence"] == "ND", "go_id"]) == {MF_ROOT, CC_ROOT}
    assert all_findings(onto, df) == {}
    # GAF 2.1 -> 2.2: all 15 rows lack a relation; the roots get enables / is_active_in
    ctx = RuleContext(onto, terms_for(onto, df["go_id"].tolist()),
                      options={"gaf_version": "2.1", "today": TODAY, "convert_to_22": True})
    got = REGISTRY["GORULE:0000059"].check(df, ctx)
    assert len(got) == 15
    new = dict(zip(df["go_id"].to_numpy()[got["row"]], got["set_qualifier"]))
    assert new[MF_ROOT] == "enables" and new[CC_ROOT] == "is_active_in"
    assert new["GO:0005615"] == "located_in" and new["GO:0006955"] == "acts_upstream_of_or_within"


def test_il7_old_iea_with_todays_date(onto: Ontology, il7: dict[str, pd.DataFrame]) -> None:
    """Validated today rather than at release time, every 2019 IEA is older than three years."""
    df = il7["rat"]
    got = all_findings(onto, df, today=dt.date(2025, 1, 1))
    assert got == {"GORULE:0000029": [(g, "reject") for g in df.loc[df["evidence"] == "IEA", "go_id"]]}


def test_time_on_human_gaf(onto: Ontology) -> None:
    """All gorules checks on the whole human GAF (475k rows), one chunk; the budget is about a second."""
    df = read_gaf("goa_human-2019-01-29")
    ctx = RuleContext(onto, terms_for(onto, df["go_id"].tolist()),
                      options={"today": TODAY, "format": "gaf", "gaf_version": "2.1"})
    mine = [r for r in REGISTRY.values() if r.check.__module__ == gorules.__name__]
    for r in mine:  # build the per-ontology term sets once (not part of the per-file cost)
        r.check(df.head(1000), ctx.__class__(onto, ctx.terms.head(1000), options=ctx.options))
    counts = {r.id: len(r.check(df, ctx)) for r in mine}  # speed: benchmarks/validate.py, not a test
    assert counts["GORULE:0000011"] == 0 and counts["GORULE:0000028"] == 0


@pytest.mark.parametrize("ignore_case", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_substring_scan_matches_arrow(seed: int, ignore_case: bool) -> None:
    """The view's substring scan (buffer search, rare hits mapped to rows) finds the rows Arrow finds.

    Values are built so that the literal often straddles two neighbouring values, which is no match.
    """
    import random

    import pyarrow as pa
    import pyarrow.compute as pc

    from goannot.validate._chunkview import _contains

    rng = random.Random(seed)
    parts = ["GO", ":", "go:", "CHEBI:1", "x", "", "|", "Go:7", "é"]
    for rare in (True, False):
        values = ["".join(rng.choice(parts) if not rare or rng.random() < 0.02 else "ab" for _ in range(rng.randint(0, 3)))
                  for _ in range(2000)]
        arr = pa.array(["pad GO:", *values], type=pa.large_string()).slice(1)  # a sliced array
        for literal in ("GO:", "|", "chebi:", "é"):
            want = pc.match_substring(arr, literal, ignore_case=ignore_case).to_pylist()
            assert _contains(arr, len(arr), literal, ignore_case).tolist() == want, (literal, rare)
