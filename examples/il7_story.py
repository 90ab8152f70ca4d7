"""The interleukin-7 story through goannot's Python API, from loading GO to comparing species.

Run it from the repository root after `make demo` (or any install of goannot):

    .venv/bin/python examples/il7_story.py

Facts it shows (GO release 2019-01-27, UniProt-GOA files of 2019-01-29, both bundled):
- an old NCBI Gene page lists GO:0006916 "anti-apoptosis" for human IL7: a secondary ID of
  GO:0043066 "negative regulation of apoptotic process", which IL7 also has, so validation repairs
  the row and merges it;
- human IL7 (UniProtKB:P13232) has GO:0043066 only by ISS from mouse Il7 (P10168): a shared term
  whose support is circular;
- interleukin-7 receptor binding (GO:0005139) implies cytokine receptor binding (GO:0005126).
"""

from __future__ import annotations

from pathlib import Path

import goannot
from goannot.annotations import read_annotations
from goannot.compare import compare, summary_facts
from goannot.enrich import enrich
from goannot.propagate import propagate, sources
from goannot.validate import render_table, validate

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Walk the story, printing what each step finds."""
    # 1. The GO release and its DAG.
    go = goannot.load_ontology()
    print(go)
    anti = go.resolve("GO:0006916")
    print(f"GO:0006916 is {anti.status.value} -> {anti.primary} {anti.name!r}")
    print("cytokine receptor binding above IL-7 receptor binding:", "GO:0005126" in go.ancestors("GO:0005139"))

    # 2. Validate the old NCBI table: one secondary ID repaired, then merged with the row it duplicates.
    ncbi = read_annotations(HERE / "il7_ncbi_go_table.tsv")
    checked = validate(ncbi, go)
    print(render_table(checked))

    # 3. The bundled GOA files of three species, restricted to IL7.
    species = {"human": "IL7", "mouse": "Il7", "rat": "Il7"}
    tables = {sp: read_annotations(goannot.sources.locate(f"goa_{sp}-2019-01-29")).table for sp in species}
    human = tables["human"][tables["human"]["db_object_symbol"] == "IL7"]

    # 4. Propagation with provenance: why is IL7 annotated to cytokine receptor binding?
    prop = propagate(human, go)
    print("GO:0005126 for IL7 comes from", sources(prop, "UniProtKB:P13232", "GO:0005126"))

    # 5. Compare IL7 across species (and the old NCBI table as a fourth set).
    comp = compare({**tables, "NCBI 2010": checked.table}, go, genes={**species, "NCBI 2010": "IL7"})
    for fact in summary_facts(comp)[:8]:
        print("-", fact)

    # 6. Enrichment of the IL-7 / common-gamma-chain pathway against all annotated human genes.
    study = ["IL7", "IL7R", "IL2RG", "JAK1", "JAK3", "STAT5A", "STAT5B", "IL2", "IL4", "IL15", "IL21", "IL9"]
    result = enrich(study, None, tables["human"], go, ns=("BP",))
    top = result.significant("fdr_bh").head(5)
    print(top[["GO", "name", "ratio_in_study", "p_fdr_bh"]].to_string(index=False))


if __name__ == "__main__":
    main()
