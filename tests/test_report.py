"""Tests of the gene report: SVG pictures, the HTML page, and run_report on the bundled data.

The SVG and HTML tests use tiny hand-made tables; the run_report tests read the bundled GO and GOA
files (marked slow, ~5 s each) and write only into pytest's tmp_path.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from goannot.errors import GoannotError
from goannot.report import dag_svg, render_html, ribbon_svg, run_report, summary_text
from goannot.report.job import SCHEMA, TSV_TABLES
from goannot.report.svg import RELATION_STYLES, SET_COLORS, layer_terms

SVG = "{http://www.w3.org/2000/svg}"
SECONDARY = "GO:0006916"  # anti-apoptosis: an alt_id of GO:0043066 in GO 2019-01-27
PRIMARY = "GO:0043066"    # negative regulation of apoptotic process
NCBI = "human NCBI 2010"

# ---------------------------------------------------------------------------------------------
# SVG


def _ribbon() -> pd.DataFrame:
    rows = []
    for s, counts in (("human", (3, 0, 1)), ("mouse <m&m>", (1, 2, 0))):
        for (term, name, ns), c in zip((("GO:1", "binding", "molecular_function"),
                                        ("GO:2", "cell <death> & life", "biological_process"),
                                        ("GO:3", "nucleus", "cellular_component")), counts):
            rows.append({"set": s, "slim_term": term, "name": name, "namespace": ns, "n_terms": c, "n_genes": 1})
    return pd.DataFrame(rows)


def test_ribbon_svg_cells_colours_and_escaping() -> None:
    svg = ribbon_svg(_ribbon(), sets=["human", "mouse <m&m>"])
    root = ET.fromstring(svg)
    cells = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "cell"]
    assert len(cells) == 6
    by = {(c.get("data-set"), c.get("data-term")): c for c in cells}
    assert by[("human", "GO:2")].get("data-count") == "0"
    assert by[("human", "GO:2")].get("fill") == "#f2f2f2"            # zero: grey
    assert by[("human", "GO:1")].get("fill") == "#08306b"            # the largest count: darkest
    assert by[("mouse <m&m>", "GO:1")].get("fill") not in ("#f2f2f2", "#08306b")
    titles = [t.text or "" for c in cells for t in c.iter(f"{SVG}title")]
    assert any("cell <death> & life" in t for t in titles)          # unescaped back by the parser
    assert "<death>" not in svg and "&lt;death&gt;" in svg
    aspects = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "aspect-label"]
    assert aspects == ["molecular function", "biological process", "cellular component"]
    rows = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "row-label"]
    assert rows == ["human", "mouse <m&m>"]


def test_ribbon_svg_accepts_plain_columns_and_rejects_missing() -> None:
    df = _ribbon().rename(columns={"slim_term": "term", "namespace": "aspect", "n_terms": "count"})
    df["aspect"] = df["aspect"].map({"molecular_function": "F", "biological_process": "P",
                                     "cellular_component": "C"})
    assert len([e for e in ET.fromstring(ribbon_svg(df)).iter(f"{SVG}rect") if e.get("class") == "cell"]) == 6
    with pytest.raises(ValueError, match="lacks"):
        ribbon_svg(df.drop(columns=["name"]))


# A small DAG: R root; A, B children of R; C is_a A and part_of B; D regulates C, is_a R (long edge).
EDGES = [("A", "is_a", "R"), ("B", "is_a", "R"), ("C", "is_a", "A"), ("C", "part_of", "B"),
         ("D", "regulates", "C"), ("D", "is_a", "R"), ("X", "is_a", "OUTSIDE")]
TERMS = ["R", "A", "B", "C", "D"]


def test_layer_terms_is_longest_path_from_roots() -> None:
    parents: dict[str, list[str]] = {}
    for c, _, p in EDGES:
        parents.setdefault(c, []).append(p)
    assert layer_terms(TERMS, parents) == {"R": 0, "A": 1, "B": 1, "C": 2, "D": 3}


def test_dag_svg_nodes_edges_stripes() -> None:
    membership = {"R": {"human", "mouse"}, "A": {"human", "mouse"}, "B": {"human"}, "C": {"human"},
                  "D": {"mouse"}}
    names = {"R": "root", "A": "a <b> & c", "B": "b", "C": "a rather long name that has to be wrapped over "
             "several lines to fit in the box", "D": "d"}
    svg = dag_svg(TERMS, EDGES, membership, names, sets=["human", "mouse"], direct={"C": {"human"}, "D": {"mouse"}})
    root = ET.fromstring(svg)
    nodes = {g.get("data-term"): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    assert set(nodes) == set(TERMS)
    assert nodes["B"].get("data-sets") == "human" and nodes["R"].get("data-sets") == "human|mouse"
    stripes = {s.get("data-set"): s.get("fill") for s in nodes["B"].iter(f"{SVG}rect") if s.get("class") == "stripe"}
    assert stripes == {"human": SET_COLORS[0], "mouse": "#e6e6e6"}
    stripes_d = {s.get("data-set"): s.get("fill") for s in nodes["D"].iter(f"{SVG}rect") if s.get("class") == "stripe"}
    assert stripes_d == {"human": "#e6e6e6", "mouse": SET_COLORS[1]}
    assert nodes["C"].get("data-direct") == "human" and nodes["A"].get("data-direct") == ""
    edges = {(p.get("data-child"), p.get("data-parent")): p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"}
    assert set(edges) == {(c, p) for c, _, p in EDGES if p != "OUTSIDE"}
    assert edges[("C", "A")].get("stroke-dasharray") is None                      # is_a solid
    assert edges[("C", "B")].get("stroke-dasharray") == RELATION_STYLES["part_of"][1]
    assert edges[("D", "C")].get("stroke-dasharray") == RELATION_STYLES["regulates"][1]
    assert "&lt;b&gt;" in svg and "<b>" not in svg

    def top(term: str) -> float:
        box = next(r for r in nodes[term].iter(f"{SVG}rect") if r.get("class") == "box")
        return float(box.get("y", "0"))

    assert top("R") < top("A") == top("B") < top("C") < top("D")      # parents above children
    legend = [r.get("data-set") for r in root.iter(f"{SVG}rect") if r.get("class") == "legend-set"]
    assert legend == ["human", "mouse"]


def test_dag_svg_keeps_wide_layers_and_draws_one_panel_per_namespace() -> None:
    kids = [f"K{i}" for i in range(25)]
    terms = ["R", *kids, "M"]
    edges = [(k, "is_a", "R") for k in kids]
    ns = {t: "biological_process" for t in terms} | {"M": "molecular_function"}
    svg = dag_svg(terms, edges, {t: {"s"} for t in terms}, {}, namespaces=ns)
    root = ET.fromstring(svg)
    ys = {float(next(r for r in g.iter(f"{SVG}rect") if r.get("class") == "box").get("y", "0"))
          for g in root.iter(f"{SVG}g") if g.get("class") == "node" and g.get("data-term", "").startswith("K")}
    assert len(ys) == 1                                              # one layer: no folding into rows
    panels = [g.get("data-namespace") for g in root.iter(f"{SVG}g") if g.get("class") == "panel"]
    assert panels == ["biological_process", "molecular_function"]
    bands = [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "band-label"]
    assert [b.split(" (")[0] for b in bands] == ["biological process", "molecular function"]


# ---------------------------------------------------------------------------------------------
# HTML


class _Collect(HTMLParser):
    """Parses a page, recording tags, attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Collect:
    p = _Collect()
    p.feed(page)
    p.close()
    return p


def _no_external(parsed: _Collect) -> None:
    for tag, attrs in parsed.tags:
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value or value.startswith("#"), f"external reference {tag} {key}={value}"


def test_render_html_escapes_and_is_self_contained() -> None:
    report: dict[str, Any] = {
        "gene": "<script>alert(1)</script>", "species": ["human"], "relations": ["is_a"],
        "releases": {"go": {"data_version": "releases/x", "sha256": "ab" * 32}},
        "sets": [{"label": "a&b", "status": "ok", "gene": {"id": "P1", "symbol": "S"}, "source": "f.gaf"}],
        "validation": {"a&b": {"input_rows": 3, "kept": 1, "repaired": 1, "rejected": 0, "merged": 1,
                               "counts_by_status": {"primary": 3}, "counts_by_rule": {"R1": 1},
                               "findings": [{"line": 2, "rule": "R1", "severity": "warning", "go_id": "GO:1",
                                             "message": "x < y", "fix": "", "action": "repair"}]}},
        "facts": ["fact <1>"], "messages": ["careful & slow"],
        "figures": {"ribbon": "<svg xmlns='http://www.w3.org/2000/svg'><rect/></svg>"},
    }
    page = render_html(report)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    parsed = _parse(page)
    text = "".join(parsed.text)
    assert "fact <1>" in text and "careful & slow" in text and "x < y" in text
    assert "3 input rows" in text.replace("\xa0", " ") or "3" in text
    _no_external(parsed)
    assert sum(1 for tag, _ in parsed.tags if tag == "svg") == 1


# ---------------------------------------------------------------------------------------------
# run_report on the bundled data


@pytest.fixture(scope="module")
def il7(go: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("il7") / "goannot-report"
    return run_report("IL7", ontology=go, out_dir=out)


@pytest.mark.slow
def test_il7_files_and_html(il7: Any) -> None:
    out: Path = il7.out_dir
    for name in ("report.html", "report.json", *(f"{t}.tsv" for t in TSV_TABLES)):
        assert (out / name).is_file(), name
    assert not list(out.glob(".*.tmp"))                               # atomic writes left nothing behind
    page = (out / "report.html").read_text()
    parsed = _parse(page)
    _no_external(parsed)
    svgs = [attrs.get("class") for tag, attrs in parsed.tags if tag == "svg"]
    assert svgs == ["ribbon", "dag", "dag", "dag"]                  # one DAG picture per namespace
    text = "".join(parsed.text)
    assert f"{SECONDARY} (anti-apoptosis) is a secondary ID of {PRIMARY}" in text
    assert "merged" in text
    # the DAG pictures hold every term some set has, each with one stripe per set
    dags = []
    pos = 0
    while (start := page.find("<svg xmlns='http://www.w3.org/2000/svg' class='dag'", pos)) >= 0:
        pos = page.index("</svg>", start) + 6
        dags.append(ET.fromstring(page[start:pos]))
    panels = [g.get("data-namespace") for d in dags for g in d.iter(f"{SVG}g") if g.get("class") == "panel"]
    assert panels == ["biological_process", "molecular_function", "cellular_component"]
    nodes = [g for dag in dags for g in dag.iter(f"{SVG}g") if g.get("class") == "node"]
    present = {r["term"] for r in il7.report["comparison"]["tables"]["matrix"] if r["state"] in ("direct", "inferred")}
    assert {g.get("data-term") for g in nodes} == present
    assert 60 <= len(nodes) <= 400
    assert all(len([r for r in g.iter(f"{SVG}rect") if r.get("class") == "stripe"]) == 4 for g in nodes)
    assert any(p.get("data-relation") == "part_of" for dag in dags for p in dag.iter(f"{SVG}path"))


@pytest.mark.slow
def test_il7_json_schema_counts_and_facts(il7: Any) -> None:
    report = json.loads((il7.out_dir / "report.json").read_text())
    assert report["schema"] == SCHEMA
    for key in ("gene", "species", "releases", "sets", "dag_check", "validation", "comparison", "facts", "messages",
                "timings"):
        assert key in report
    assert report["gene"] == "IL7" and report["species"] == ["human", "mouse", "rat"]
    assert report["releases"]["go"]["data_version"] == "releases/2019-01-27"
    assert report["releases"]["go"]["sha256"] == "310e574b929a73f7527934b67215fbdaf1dbf309b552960144c065497b3f6bc2"
    assert report["releases"]["annotations"]["human"]["version"] == "2019-01-29"
    assert [s["label"] for s in report["sets"]] == ["human", "mouse", "rat", NCBI]
    assert all(s["status"] == "ok" for s in report["sets"])
    genes = {s["label"]: s["gene"]["curie"] for s in report["sets"]}
    assert genes["human"] == "UniProtKB:P13232" and genes["mouse"] == "UniProtKB:P10168"
    assert report["dag_check"]["ok"] is True
    for label, v in report["validation"].items():
        assert v["input_rows"] == v["kept"] + v["repaired"] + v["rejected"] + v["merged"], label
    ncbi = report["validation"][NCBI]
    assert ncbi["input_rows"] == 23 and ncbi["merged"] == 1 and ncbi["counts_by_status"]["secondary"] == 1
    assert any(f["go_id"] == SECONDARY and f["rule"] == "GORULE:0000020" for f in ncbi["findings"])
    assert any(SECONDARY in f and "secondary ID" in f and "merged" in f for f in report["facts"])
    tables = report["comparison"]["tables"]
    assert {"matrix", "shared", "core", "specific", "near_misses", "similarity", "ribbon"} <= set(tables)
    matrix = {(r["set"], r["term"]): r["state"] for r in tables["matrix"]}
    assert matrix[(NCBI, PRIMARY)] == "direct" and (NCBI, SECONDARY) not in matrix
    text = summary_text(il7)
    assert f"{SECONDARY} (anti-apoptosis) is a secondary ID of {PRIMARY}" in text


@pytest.mark.slow
def test_il7_tsvs_read_back(il7: Any) -> None:
    for name in TSV_TABLES:
        df = pd.read_csv(il7.out_dir / f"{name}.tsv", sep="\t")
        assert len(df.columns) > 1, name
    matrix = pd.read_csv(il7.out_dir / "matrix.tsv", sep="\t")
    assert set(matrix["set"]) == {"human", "mouse", "rat", NCBI}
    assert set(matrix["state"]) <= {"direct", "inferred", "NOT", "absent"}
    findings = pd.read_csv(il7.out_dir / "validation_findings.tsv", sep="\t")
    assert SECONDARY in set(findings.loc[findings["set"] == NCBI, "go_id"])
    assert len(pd.read_csv(il7.out_dir / "ribbon.tsv", sep="\t")) == 4 * len(
        pd.read_csv(il7.out_dir / "ribbon.tsv", sep="\t")["slim_term"].unique())


@pytest.mark.slow
@pytest.mark.parametrize(("query", "expected"), [
    ("IL7R", {"human": "IL7R", "mouse": "Il7r"}),
    ("Cd4", {"human": "CD4", "mouse": "Cd4"}),       # the mouse symbol; human found in any case
    ("P16871", {"human": "IL7R"}),                    # a UniProt accession names the human gene only
])
def test_gene_lookup_per_species(go: Any, tmp_path: Path, query: str, expected: dict[str, str]) -> None:
    result = run_report(query, ("human", "mouse"), ontology=go, out_dir=tmp_path / "r")
    got = {s["label"]: s["gene"].get("symbol") for s in result.report["sets"] if s["status"] == "ok"}
    assert got == expected
    assert result.html.is_file()
    if len(expected) == 1:
        mouse = next(s for s in result.report["sets"] if s["label"] == "mouse")
        assert mouse["status"] == "gene-not-found" and "P16871" in mouse["message"]
        assert any("nothing to compare" in m for m in result.messages)


_GAF_LINE = ("UniProtKB\tP99999\tFoo1\t\tGO:0005634\tPMID:1\tIDA\t\tC\tfoo\t\tprotein\ttaxon:10090\t20180101\tMGI"
             "\t\t\n")


@pytest.mark.slow
def test_gene_missing_in_one_species(go: Any, tmp_path: Path) -> None:
    mouse_gaf = tmp_path / "mouse_small.gaf"
    mouse_gaf.write_text("!gaf-version: 2.1\n" + _GAF_LINE)
    out = tmp_path / "report"
    result = run_report("IL7", ("human", "mouse"), ontology=go, sources={"mouse": mouse_gaf}, out_dir=out)
    sets = {s["label"]: s for s in result.report["sets"]}
    assert sets["mouse"]["status"] == "gene-not-found"
    assert "'IL7' not found in mouse_small.gaf" in sets["mouse"]["message"]
    assert sets["mouse"]["message"] in result.messages
    assert sets["human"]["status"] == "ok" and sets[NCBI]["status"] == "ok"
    assert result.report["comparison"]["sets"] == ["human", NCBI]
    text = "".join(_parse(result.html.read_text()).text)
    assert "'IL7' not found in mouse_small.gaf" in text
    assert "mouse" in summary_text(result) and "gene-not-found" in summary_text(result)
    # a rerun into the same folder with a single set drops the comparison tables of the first run
    again = run_report("IL7", ("human",), ontology=go, extra_sets={}, out_dir=out)
    assert again.report["comparison"] == {}
    assert not (out / "matrix.tsv").exists() and (out / "validation_findings.tsv").exists()
    assert "nothing to compare" in "".join(_parse(again.html.read_text()).text)


def test_bad_set_names_fail_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(GoannotError, match="genes= names no set.*worm"):
        run_report("IL7", ("human",), genes={"worm": "x"}, out_dir=tmp_path / "r")
    with pytest.raises(GoannotError, match="sources= names species not in the report: fly"):
        run_report("IL7", ("human",), sources={"fly": "x.gaf"}, out_dir=tmp_path / "r")
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_per_set_gene_override(go: Any, tmp_path: Path) -> None:
    result = run_report("IL7", ("human", "mouse"), ontology=go, extra_sets={}, genes={"mouse": "P10168"},
                        out_dir=tmp_path / "r")
    mouse = next(s for s in result.report["sets"] if s["label"] == "mouse")
    assert mouse["gene"]["curie"] == "UniProtKB:P10168" and mouse["gene"]["via"] == "ID"
    assert mouse["gene"]["query"] == "P10168"
    assert result.report["comparison"]["sets"] == ["human", "mouse"]
