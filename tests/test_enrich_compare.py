"""Tests of goannot.enrich_compare and goannot.enrich_plots on the mini GO and a hand-edited release."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from goannot import load_ontology
from goannot.enrich import enrich
from goannot.enrich_compare import compare_enrichments, ortholog_map, run_and_compare
from goannot.enrich_plots import collapse_elim, dag_svg, dotplot_svg, scatter_svg

from test_enrich import (APOPTOSIS, MINI_OBO, NER_COMPLEX, NUCLEUS, RECEPTOR_BINDING, make_table, mini_rows,
                          with_aspects)

REG_APOPTOSIS_POS = "GO:0043065"


@pytest.fixture(scope="module")
def mini() -> Any:
    return load_ontology(MINI_OBO)


@pytest.fixture()
def release_b(tmp_path: Path) -> Any:
    """The mini GO with the NER complex made obsolete (replaced by nucleus) and a merged term."""
    text = MINI_OBO.read_text()
    stanzas = text.split("\n\n")
    out = []
    for st in stanzas:
        if f"id: {NER_COMPLEX}\n" in st:
            keep = [ln for ln in st.splitlines() if not ln.startswith(("is_a:", "relationship:"))]
            keep += ["is_obsolete: true", f"replaced_by: {NUCLEUS}"]
            st = "\n".join(keep)
        if f"id: {REG_APOPTOSIS_POS}\n" in st:  # merged into regulation of apoptotic process
            continue
        if "id: GO:0042981\n" in st:
            st = st.replace("id: GO:0042981\n", f"id: GO:0042981\nalt_id: {REG_APOPTOSIS_POS}\n")
        out.append(st)
    path = tmp_path / "go-mini-b.obo"
    path.write_text("\n\n".join(out))
    return load_ontology(path, use_cache=False)


def test_compare_releases_unreachable_and_not_annotated(mini: Any, release_b: Any) -> None:
    table = with_aspects(make_table(mini_rows(80, seed=5)), mini)
    genes = sorted(set(table["db_object_id"]))
    study = genes[:25]
    # release B's annotations: the same rows, without any receptor binding annotation
    table_b = table[table["go_id"] != RECEPTOR_BINDING].reset_index(drop=True)
    cmp = run_and_compare(study, table, mini, annotations_b=table_b, ontology_b=release_b,
                          population_a=genes, labels=("old", "new"))
    t = cmp.table.set_index("GO")
    assert cmp.meta["mode"] == "releases"
    assert t.loc[NER_COMPLEX, "status"] == "unreachable_in_new"
    assert "obsolete, replaced_by GO:0005634 in the new release" in t.loc[NER_COMPLEX, "explanation"]
    assert t.loc[REG_APOPTOSIS_POS, "status"] == "unreachable_in_new"
    assert "secondary ID (merged into GO:0042981)" in t.loc[REG_APOPTOSIS_POS, "explanation"]
    assert t.loc[RECEPTOR_BINDING, "status"] == "only_old"
    assert "no new annotation" in t.loc[RECEPTOR_BINDING, "explanation"]
    assert t.loc[APOPTOSIS, "status"] == "both"
    assert set(cmp.table.columns) >= {"p_old", "p_new", "fold_old", "fold_new", "log2_ratio", "significant_old"}
    both = t[t["status"] == "both"]
    assert np.allclose(both["log2_ratio"], np.log2(both["fold_new"] / both["fold_old"]), equal_nan=True)


def test_compare_gene_lists_and_background(mini: Any) -> None:
    table = with_aspects(make_table(mini_rows(80, seed=5)), mini)
    genes = sorted(set(table["db_object_id"]))
    a = enrich(genes[:20], genes, table, mini)
    b = enrich(genes[30:50], genes[:60], table, mini)
    cmp = compare_enrichments(a, b)
    assert set(cmp["status"]) == {"both"} or set(cmp["status"]) <= {"both", "only_A", "only_B"}
    assert cmp["explanation"].str.contains("background differs").all()
    assert cmp.attrs["labels"] == ("A", "B")
    with pytest.raises(Exception):
        compare_enrichments(a, b, labels=("X", "X"))


def test_compare_species_with_orthologs(mini: Any) -> None:
    rows_a = mini_rows(60, seed=8)
    table_a = with_aspects(make_table(rows_a), mini)
    # species B: the same annotation under other accessions, genes 0-9 without ortholog
    rows_b = [(f"Q{r[0][1:]}", r[1].lower(), r[2]) for r in rows_a]
    table_b = with_aspects(make_table(rows_b), mini)
    orth = pd.DataFrame({"a": [f"P{g:05d}" for g in range(10, 60)], "b": [f"Q{g:05d}" for g in range(10, 60)]})
    study = [f"P{g:05d}" for g in range(0, 20)]
    cmp = run_and_compare(study, table_a, mini, annotations_b=table_b, orthologs=orth, labels=("human", "mouse"))
    assert cmp.meta["mode"] == "species" and cmp.meta["no_ortholog"] == study[:10]
    assert cmp.b.meta["study"]["study_n"]["BP"] == 10
    assert cmp.table["explanation"].str.contains("without an ortholog annotated in mouse").any()
    assert ortholog_map({"x": ["y", "z"], "w": "v"}) == {"x": ["y", "z"], "w": ["v"]}


def test_svgs_parse_and_name_terms(mini: Any, release_b: Any) -> None:
    table = with_aspects(make_table(mini_rows(80, seed=5)), mini)
    genes = sorted(set(table["db_object_id"]))
    res = enrich(genes[:25], genes, table, mini, corrections=["fdr_bh"])
    cmp = run_and_compare(genes[:25], table, mini, ontology_b=release_b)
    svg = scatter_svg(cmp.table)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and APOPTOSIS in svg
    dot = dotplot_svg(res, top=5)
    ET.fromstring(dot)
    assert res.table.iloc[0]["name"] in dot
    dag = dag_svg(res, mini, alpha=1.0)
    drawn = res.table[res.table["p_fdr_bh"] < 1.0]["GO"].tolist()
    ET.fromstring(dag)
    assert drawn and all(go_id in dag for go_id in drawn)
    assert "<line" in dag


def test_collapse_elim_equals_goatools_elim(mini: Any) -> None:
    import collections

    from goatools.go_enrichment import GOEnrichmentStudy
    from goatools.obo_parser import GODag

    table = with_aspects(make_table(mini_rows(200, seed=21)), mini)
    genes = sorted(set(table["db_object_id"]))
    # a study concentrated on the NER complex (CC) and apoptosis regulation
    hits = set(table.loc[table["go_id"].isin([NER_COMPLEX, "GO:0043066"]), "db_object_id"])
    study = sorted(hits)[:40] + genes[:5]
    res = enrich(study, genes, table, mini, relations=("is_a", "part_of"))
    cutoff = 0.05
    elim = collapse_elim(res, mini, cutoff)
    dag = GODag(str(MINI_OBO), optional_attrs={"relationship"}, prt=None)
    n = 0
    for asp, code in (("P", "BP"), ("F", "MF"), ("C", "CC")):
        rows = table[table["aspect"] == asp]
        assoc: dict[str, set[str]] = collections.defaultdict(set)
        for g, t in zip(rows["db_object_id"], rows["go_id"]):
            assoc[g].add(t)
        goea = GOEnrichmentStudy(genes, dict(assoc), dag, propagate_counts=True, relationships={"part_of"},
                                 methods=["bonferroni"], log=None, algorithm="elim", elim_cutoff=cutoff)
        ref = {r.GO: (r.p_uncorrected, r.elim_genes) for r in goea.run_study(study, prt=None)}
        part = elim[elim["NS"] == code].set_index("GO")
        assert set(part.index) == set(ref)
        for go_id, (p, n_elim) in ref.items():
            assert part.loc[go_id, "p_elim"] == pytest.approx(p, rel=1e-9, abs=0), go_id
            assert part.loc[go_id, "elim_genes"] == n_elim
            n += 1
    assert n == len(elim)
    collapsed = elim[elim["collapsed_by"] != ""]
    assert len(collapsed) > 0
    assert (elim.loc[elim["GO"] == NUCLEUS, "collapsed_by"].str.contains(NER_COMPLEX)).all()


def test_missing_genes_are_judged_by_the_other_annotations_not_its_study(mini: Any) -> None:
    """Issue 14 trap 5: a gene of A's study that B's *annotations* hold is not 'missing' from B,
    even when B's study list leaves it out; a gene B's annotations lack still is."""
    table = with_aspects(make_table(mini_rows(80, seed=5)), mini)
    genes = sorted(set(table["db_object_id"]))
    study_a, study_b = genes[:20], genes[:5]
    same = run_and_compare(study_a, table, mini, study_b=study_b, population_a=genes, population_b=genes)
    assert not same.table["explanation"].str.contains("not in the B annotations").any()
    # B's annotations without gene 0: only that gene may be called missing
    gone = genes[0]
    cmp = run_and_compare(study_a, table, mini, study_b=study_a,
                          annotations_b=table[table["db_object_id"] != gone].reset_index(drop=True),
                          population_a=genes, population_b=genes)
    t = cmp.table
    has_gone = t["GO"].isin(cmp.a.table.loc[cmp.a.table["study_items"].str.contains(gone), "GO"])
    notes = t.loc[has_gone, "explanation"]
    assert notes.str.contains("1 of").any()
    assert notes.str.contains("A study gene\\(s\\) here not in the B annotations").all()
    assert not t.loc[~has_gone, "explanation"].str.contains("not in the B annotations").any()
