"""check_dag on hand-made fixtures: the clean mini GO passes, each defect file trips exactly its check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from goannot.dagcheck import CHECKS, DagReport, check_dag, main, render_table, strongly_connected_components
from goannot.errors import OboParseError
from goannot.loader import load_ontology
from goannot.obo import read_obo
from goannot.ontology import Ontology

DATA = Path(__file__).parent / "data" / "obo"
CLEAN = DATA / "go-mini.obo"


def _check(name: str, **kw: object) -> DagReport:
    onto = load_ontology(DATA / name, use_cache=False)
    return check_dag(onto, **kw)  # type: ignore[arg-type]


def _found(report: DagReport) -> dict[str, int]:
    return {c: n for c, n in report.counts.items() if n}


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOANNOT_CACHE", str(tmp_path / "cache"))


# -- the clean fixture ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["go-mini.obo", "go-mini.json"])
def test_clean_fixture_has_no_findings(name: str) -> None:
    report = _check(name)
    assert report.findings == []
    assert report.ok
    assert report.counts == dict.fromkeys(CHECKS, 0)
    assert report.n_terms == 21


def test_clean_fixture_has_no_cycle_even_over_regulates() -> None:
    report = _check("go-mini.obo", relations=("is_a", "part_of", "regulates", "negatively_regulates",
                                              "positively_regulates"))
    assert report.ok and not report.findings


# -- one file per defect ----------------------------------------------------------------------------


def test_cycle_members_and_path() -> None:
    report = _check("cycle.obo")
    assert _found(report) == {"cycle": 2}
    assert not report.ok
    big, self_loop = report.by_check("cycle")
    assert big.severity == "error"
    assert big.term_id == "GO:0000002"
    assert big.detail["members"] == ["GO:0000002", "GO:0000003", "GO:0000004"]
    assert big.detail["path"] == ["GO:0000002", "GO:0000003", "GO:0000004", "GO:0000002"]
    assert self_loop.detail["members"] == ["GO:0000005"]
    assert self_loop.detail["path"] == ["GO:0000005", "GO:0000005"]


def test_cycle_only_over_requested_relations() -> None:
    assert len(_check("cycle.obo", relations=("is_a",)).by_check("cycle")) == 1  # only the self-loop
    with_reg = _check("cycle.obo", relations=("is_a", "part_of", "regulates"))
    assert [f.detail["members"] for f in with_reg.by_check("cycle")] == [
        ["GO:0000002", "GO:0000003", "GO:0000004"], ["GO:0000005"], ["GO:0000006", "GO:0000007"]]


def test_dangling_references() -> None:
    report = _check("dangling.obo")
    assert _found(report) == {"dangling_reference": 4, "secondary_reference": 2}
    dangling = {(f.term_id, f.detail["tag"], f.detail["target"]): f.severity
                for f in report.by_check("dangling_reference")}
    assert dangling == {
        ("GO:0000003", "is_a", "GO:0009991"): "error",
        ("GO:0000004", "part_of", "GO:0009992"): "error",
        ("GO:0000005", "replaced_by", "GO:0009993"): "error",
        ("GO:0000006", "consider", "GO:0009994"): "warning",
    }
    secondary = {(f.term_id, f.detail["tag"], f.detail["primary"]): f.severity
                 for f in report.by_check("secondary_reference")}
    assert secondary == {("GO:0000007", "consider", "GO:0000002"): "warning",
                         ("GO:0000008", "is_a", "GO:0000002"): "error"}


def test_alt_id_collisions() -> None:
    report = _check("alt_collision.obo")
    assert _found(report) == {"alt_id_collision": 2}
    by_alt = {f.detail["alt_id"]: f for f in report.by_check("alt_id_collision")}
    assert by_alt["GO:0000090"].detail["claimed_by"] == ["GO:0000002", "GO:0000003"]
    assert by_alt["GO:0000003"].detail["is_primary"] is True
    assert by_alt["GO:0000003"].term_id == "GO:0000004"
    assert all(f.severity == "error" for f in report.findings)


def test_obsolete_with_edges() -> None:
    report = _check("obsolete_with_edges.obo")
    assert _found(report) == {"obsolete_with_edges": 2}
    up, down = report.by_check("obsolete_with_edges")
    assert (up.term_id, up.detail) == ("GO:0000002", {"parents": [["is_a", "GO:0000001"]], "children": []})
    assert (down.term_id, down.detail) == ("GO:0000003",
                                           {"parents": [], "children": [["GO:0000004", "part_of"]]})


def test_replaced_by_chains() -> None:
    report = _check("replaced_by_chain.obo")
    assert _found(report) == {"replaced_by_chain": 1, "replaced_by_obsolete": 1, "replaced_by_loop": 2}
    (chain,) = report.by_check("replaced_by_chain")
    assert chain.severity == "warning"
    assert chain.detail == {"chain": ["GO:0000002", "GO:0000003", "GO:0000001"], "final": "GO:0000001"}
    (dead,) = report.by_check("replaced_by_obsolete")
    assert (dead.term_id, dead.detail["chain"], dead.severity) == ("GO:0000004", ["GO:0000004", "GO:0000005"],
                                                                   "error")
    loops = {f.term_id: f.detail["chain"] for f in report.by_check("replaced_by_loop")}
    assert loops == {"GO:0000006": ["GO:0000006", "GO:0000007", "GO:0000006"],
                     "GO:0000007": ["GO:0000007", "GO:0000006", "GO:0000007"]}


def test_replaced_by_ambiguous_are_warnings() -> None:
    report = _check("replaced_by_ambiguous.obo")
    assert _found(report) == {"replaced_by_multiple": 1, "replaced_by_and_consider": 1}
    assert report.ok  # warnings only
    assert report.by_check("replaced_by_multiple")[0].term_id == "GO:0000004"
    assert report.by_check("replaced_by_and_consider")[0].term_id == "GO:0000005"


def test_missing_namespace() -> None:
    report = _check("no_namespace.obo")
    assert _found(report) == {"missing_namespace": 1}
    assert report.findings[0].term_id == "GO:0000002"


def test_two_roots_obsolete_terms_do_not_count() -> None:
    report = _check("two_roots.obo")
    assert _found(report) == {"multiple_roots": 1}
    (f,) = report.findings
    assert f.detail == {"namespace": "biological_process", "roots": ["GO:0000001", "GO:0000002"]}


# -- malformed OBO ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "line", "words"), [
    ("malformed_no_id.obo", 10, "must start with id"),
    ("malformed_empty_stanza.obo", 8, "without an id"),
    ("malformed_def_quote.obo", 13, "quoted string"),
    ("malformed_no_colon.obo", 13, "tag: value"),
])
def test_malformed_obo_raises_with_line(name: str, line: int, words: str) -> None:
    with pytest.raises(OboParseError) as info:
        read_obo(DATA / name)
    assert info.value.line == line
    assert words in info.value.reason
    assert info.value.path is not None and info.value.path.endswith(name)
    assert f"{name}:{line}:" in str(info.value)


# -- output, algorithm ------------------------------------------------------------------------------


def test_as_dict_is_json_with_provenance() -> None:
    report = _check("replaced_by_chain.obo")
    data = json.loads(json.dumps(report.as_dict()))
    assert data["ontology"]["data_version"] == "test/defect"
    assert data["ontology"]["path"].endswith("replaced_by_chain.obo")
    assert len(data["ontology"]["sha256"]) == 64
    assert data["ok"] is False
    assert data["counts"]["replaced_by_loop"] == 2
    assert {f["check"] for f in data["findings"]} == {"replaced_by_chain", "replaced_by_obsolete",
                                                      "replaced_by_loop"}


def test_render_table_one_line_per_check() -> None:
    text = render_table(_check("cycle.obo"))
    lines = text.splitlines()
    assert len(lines) == 2 + len(CHECKS) + 1
    cycle_line = next(ln for ln in lines if ln.startswith("cycle "))
    assert cycle_line.split()[1:3] == ["2", "error"]
    assert "GO:0000002" in cycle_line
    assert lines[-1].startswith("FAILED: 2 error(s)")
    assert render_table(_check("go-mini.obo")).splitlines()[-1].startswith("OK: 0 error(s), 0 warning(s)")


def test_main_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(CLEAN)]) == 0
    assert "OK:" in capsys.readouterr().out
    assert main([str(DATA / "two_roots.obo"), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["counts"]["multiple_roots"] == 1
    assert main([str(DATA)]) == 2  # a directory: the reason, no traceback
    assert "is a directory" in capsys.readouterr().err


def test_scc_iterative_handles_long_chains() -> None:
    """A 200k-node path and a 200k-node ring: far beyond the recursion limit."""
    n = 200_000
    chain = [[i + 1] if i + 1 < n else [] for i in range(n)]
    assert len(strongly_connected_components(chain)) == n
    ring = [[(i + 1) % n] for i in range(n)]
    (comp,) = strongly_connected_components(ring)
    assert sorted(comp) == list(range(n))


def test_scc_matches_networkx() -> None:
    nx = pytest.importorskip("networkx")
    import random

    rng = random.Random(7)
    n = 300
    adj = [[rng.randrange(n) for _ in range(rng.randrange(3))] for _ in range(n)]
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((i, j) for i, js in enumerate(adj) for j in js)
    ours = {frozenset(c) for c in strongly_connected_components(adj)}
    assert ours == {frozenset(c) for c in nx.strongly_connected_components(g)}


def test_check_dag_accepts_ontology_from_document() -> None:
    onto = Ontology.from_document(read_obo(DATA / "cycle.obo"))
    report = check_dag(onto)
    assert report.ontology["sha256"] is None
    assert report.counts["cycle"] == 2
