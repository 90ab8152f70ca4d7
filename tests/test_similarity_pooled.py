"""Issue 14 trap 6: pooling an already pooled corpus with one of its parts counts that part once.

The report compares the NCBI IL7 table (one gene: its IC corpus is the pool of the species' GAFs)
with the human GAF; the pair's pool is then {human + mouse + rat} + human, which counted the human
GAF twice before ``AnnotationCounts.pooled`` looked inside nested pools.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from goannot import Ontology, load_ontology
from goannot.similarity import ICCache

MINI = Path(__file__).parent / "data" / "obo" / "go-mini.obo"
BP = "GO:0008150"
APOPTOSIS = "GO:0006915"
REG_APOPTOSIS = "GO:0042981"


def _table(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"db": "UniProtKB", "db_object_id": [r[0] for r in rows], "go_id": [r[1] for r in rows],
                         "evidence": "IDA", "qualifier": "", "db_object_symbol": [r[0] for r in rows]})


@pytest.fixture(scope="module")
def mini() -> Ontology:
    return load_ontology(MINI)


def test_nested_pool_counts_each_corpus_once(mini: Ontology) -> None:
    cache = ICCache()
    human = cache.counts(_table([("h1", APOPTOSIS), ("h2", REG_APOPTOSIS), ("h3", BP)]), mini, name="human")
    mouse = cache.counts(_table([("m1", APOPTOSIS)]), mini, name="mouse")
    rat = cache.counts(_table([("r1", REG_APOPTOSIS), ("r2", APOPTOSIS)]), mini, name="rat")
    species = human.pooled(mouse, rat)            # what a one-gene set (the NCBI table) gets
    pair = species.pooled(human)                  # the pair (NCBI table, human)
    assert pair.counts[BP] == species.counts[BP] == 6
    assert pair.namespace_totals["biological_process"] == 6
    assert pair.counts[APOPTOSIS] == 3
    assert pair.corpus["name"].split(" + ").count("human") == 1
    assert human.pooled(species).counts.equals(species.counts)
    assert species.pooled(species) is species and species.pooled(mouse) is species
    # a genuinely new corpus still adds
    fly = cache.counts(_table([("f1", BP)]), mini, name="fly")
    assert species.pooled(fly).counts[BP] == 7
