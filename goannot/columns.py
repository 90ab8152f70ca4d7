"""Names of the columns of goannot's one annotation table, shared by every reader and writer.

Every reader (GAF, GPAD+GPI, gene2go, plain tables) produces a :class:`pandas.DataFrame` with
these columns, in this order, so the validator, propagation and comparison never see a format.
Columns a format does not carry are empty strings (never NaN), so string operations stay simple.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Col", "TABLE_COLUMNS", "GAF_COLUMNS", "ASPECTS", "NAMESPACE_OF_ASPECT", "ASPECT_OF_NAMESPACE",
           "EVIDENCE_CODES"]


class Col(StrEnum):
    """Columns of the annotation table (GAF 2.2 column meanings, snake_case names)."""

    DB = "db"                                   # GAF 1
    DB_OBJECT_ID = "db_object_id"               # GAF 2
    DB_OBJECT_SYMBOL = "db_object_symbol"       # GAF 3
    QUALIFIER = "qualifier"                     # GAF 4, pipe-separated as written ("NOT|enables")
    GO_ID = "go_id"                             # GAF 5
    REFERENCE = "reference"                     # GAF 6, pipe-separated
    EVIDENCE = "evidence"                       # GAF 7, a GO evidence code (GPAD ECO ids are mapped)
    WITH_FROM = "with_from"                     # GAF 8
    ASPECT = "aspect"                           # GAF 9: P, F or C
    DB_OBJECT_NAME = "db_object_name"           # GAF 10
    DB_OBJECT_SYNONYM = "db_object_synonym"     # GAF 11, pipe-separated
    DB_OBJECT_TYPE = "db_object_type"           # GAF 12
    TAXON = "taxon"                             # GAF 13, "taxon:9606" or "taxon:9606|taxon:11676"
    DATE = "date"                               # GAF 14, YYYYMMDD
    ASSIGNED_BY = "assigned_by"                 # GAF 15
    ANNOTATION_EXTENSION = "annotation_extension"  # GAF 16
    GENE_PRODUCT_FORM_ID = "gene_product_form_id"  # GAF 17
    # Not GAF columns:
    TERM_NAME = "term_name"                     # a term name the input states (plain tables, gene2go)
    ECO = "eco"                                 # ECO id when the input gave one (GPAD)
    LINE = "line"                               # 1-based physical line number in the source file


#: The order of the table's columns.
TABLE_COLUMNS: tuple[str, ...] = tuple(c.value for c in Col)

#: The 17 GAF 2.x columns in file order.
GAF_COLUMNS: tuple[str, ...] = TABLE_COLUMNS[:17]

ASPECTS = ("P", "F", "C")
NAMESPACE_OF_ASPECT = {"P": "biological_process", "F": "molecular_function", "C": "cellular_component"}
ASPECT_OF_NAMESPACE = {v: k for k, v in NAMESPACE_OF_ASPECT.items()}

#: GO evidence codes in current use, plus the retired IMR/NR/IGC kept so old files can be read and flagged.
EVIDENCE_CODES = frozenset({
    "EXP", "IDA", "IPI", "IMP", "IGI", "IEP",
    "HTP", "HDA", "HMP", "HGI", "HEP",
    "IBA", "IBD", "IKR", "IRD",
    "ISS", "ISO", "ISA", "ISM", "IGC", "RCA",
    "TAS", "NAS", "IC", "ND", "IEA",
    "IMR", "NR",
})
