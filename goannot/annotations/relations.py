"""Gene product to GO term relations: labels, Relation Ontology ids, and the aspect each implies.

GAF 2.2 and GPAD 1.2 write relations as labels ("enables"); GPAD 2.0 writes their ids
("RO:0002327"). The list is the one the GAF 2.2 / GPAD 2.0 specifications allow.
"""

from __future__ import annotations

__all__ = ["RELATION_IDS", "LABEL_OF_RELATION_ID", "ASPECT_OF_RELATION", "relation_of", "is_negated"]

#: Relation label -> Relation Ontology (or BFO) id.
RELATION_IDS: dict[str, str] = {
    "enables": "RO:0002327",
    "contributes_to": "RO:0002326",
    "involved_in": "RO:0002331",
    "acts_upstream_of": "RO:0002263",
    "acts_upstream_of_positive_effect": "RO:0004034",
    "acts_upstream_of_negative_effect": "RO:0004035",
    "acts_upstream_of_or_within": "RO:0002264",
    "acts_upstream_of_or_within_positive_effect": "RO:0004032",
    "acts_upstream_of_or_within_negative_effect": "RO:0004033",
    "located_in": "RO:0001025",
    "part_of": "BFO:0000050",
    "is_active_in": "RO:0002432",
    "colocalizes_with": "RO:0002325",
}

#: Relation id -> label (GPAD 2.0 -> GAF 2.2).
LABEL_OF_RELATION_ID: dict[str, str] = {v: k for k, v in RELATION_IDS.items()}

_ASPECT_LABELS = {
    "F": ("enables", "contributes_to"),
    "P": ("involved_in", "acts_upstream_of", "acts_upstream_of_positive_effect",
          "acts_upstream_of_negative_effect", "acts_upstream_of_or_within",
          "acts_upstream_of_or_within_positive_effect", "acts_upstream_of_or_within_negative_effect"),
    "C": ("located_in", "part_of", "is_active_in", "colocalizes_with"),
}

#: Relation label -> the aspect (P, F, C) of the terms it may point to.
ASPECT_OF_RELATION: dict[str, str] = {label: a for a, labels in _ASPECT_LABELS.items() for label in labels}


def relation_of(qualifier: str) -> str:
    """The relation part of a qualifier ("NOT|enables" -> "enables"; "NOT" -> "")."""
    parts = [p.strip() for p in qualifier.split("|") if p.strip() and p.strip().upper() != "NOT"]
    return parts[-1] if parts else ""


def is_negated(qualifier: str) -> bool:
    """True if the qualifier carries NOT."""
    return any(p.strip().upper() == "NOT" for p in qualifier.split("|"))
