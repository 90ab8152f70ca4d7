"""The top-level Python API (issue 14 item 12): lazy verbs, short reprs, notebook HTML, bridges."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import goannot
from goannot import Ontology

REPO = Path(__file__).resolve().parent.parent
IL7_TABLE = REPO / "examples" / "il7_ncbi_go_table.tsv"
IL7_PATHWAY = ["IL7", "IL7R", "IL2RG", "JAK1", "JAK3", "STAT5A", "STAT5B", "IL2", "IL4", "IL15", "IL21", "IL9"]


def test_verbs_are_listed_and_imported_lazily() -> None:
    assert {"read_annotations", "validate", "propagate", "enrich", "compare"} <= set(goannot.__all__)
    assert {"enrich", "propagate"} <= set(dir(goannot))
    code = ("import sys, goannot; heavy = [m for m in ('goannot.enrich', 'goannot.compare', 'scipy') "
            "if m in sys.modules]; print(heavy); goannot.enrich; print('goannot.enrich' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.split("\n")[:2] == ["[]", "True"]
    with pytest.raises(AttributeError):
        goannot.no_such_verb  # noqa: B018


def test_verbs_run_and_stay_modules(go: Ontology) -> None:
    il7 = goannot.read_annotations(IL7_TABLE)
    assert repr(il7) == "AnnotationSet(path=il7_ncbi_go_table.tsv, format=table tsv, rows=23, rejects=0)"
    checked = goannot.validate(il7, go)
    assert repr(checked).startswith("ValidationResult(input_rows=23, kept=21, repaired=1, rejected=0, merged=1, ")
    assert "go=releases/2019-01-27" in repr(checked)
    prop = goannot.propagate(il7, go)  # an AnnotationSet, not only its table
    assert repr(prop).startswith("Propagation(genes=1, direct=")
    assert "relations=is_a+part_of" in repr(prop) and len(repr(prop)) < 200
    # the verbs are still the submodules of those names
    import goannot.propagate as module

    assert module is goannot.propagate and module.Propagation is type(prop)  # type: ignore[comparison-overlap]
    from goannot.propagate import propagate

    assert propagate(il7.table, go).closure.equals(prop.closure)


def test_enrich_and_compare_results_are_short_in_text_and_html(go: Ontology) -> None:
    from goannot.sources import locate

    human = goannot.read_annotations(locate("goa_human-2019-01-29"))
    res = goannot.enrich(IL7_PATHWAY, None, human, go, ns="BP")
    text = repr(res)
    assert text.startswith(f"EnrichmentResult(tested={len(res.table):,}, significant=bonferroni ")
    assert "go=releases/2019-01-27" in text and "annotations=GO.goa_human_2019.01.29.gz" in text
    assert len(text) < 300
    page = res._repr_html_()
    assert "<table" in page and "GO:0038111" in page and f"of {len(res.significant()):,} rows" in page
    assert page.count("<tr>") < 40  # a summary, not the whole table
    table = human.table
    il7 = {"human": table[table["db_object_symbol"] == "IL7"], "human IL7R": table[table["db_object_symbol"] == "IL7R"]}
    comp = goannot.compare(il7, go)
    assert repr(comp).startswith("Comparison(sets=human+human IL7R, terms=")
    assert "similarity" in comp._repr_html_()


def test_to_id2gos_takes_what_read_annotations_returns() -> None:
    from goannot.bridges import to_id2gos

    il7 = goannot.read_annotations(IL7_TABLE)
    assert to_id2gos(il7) == to_id2gos(il7.table)
    assert "GO:0006916" in next(iter(to_id2gos(il7).values()))
    assert isinstance(il7.table, pd.DataFrame)
