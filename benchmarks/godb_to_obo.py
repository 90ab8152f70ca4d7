"""Build an OBO file from Bioconductor's GO.db SQLite (Debian package ``r-bioc-go.db``).

Why: goannot needs two real GO releases to test and benchmark ``goannot release-diff``; the
bundled one is go.obo 2019-01-27, and Debian ships GO 2022-07-01 as ``GO.sqlite`` in
``r-bioc-go.db`` (``apt-get install -y r-bioc-go.db``; the file is found under
``/usr/lib/R/site-library/GO.db/extdata/GO.sqlite``). This script writes that release as an OBO
that :func:`goannot.load_ontology` reads like any other.

What the SQLite carries, hence what the OBO has:

* current terms (``go_term``): id, name, namespace (BP/MF/CC), definition (without its references);
* obsolete terms (``go_obsolete``): id, name, namespace, definition, ``is_obsolete: true``;
* secondary IDs: ``go_synonym`` rows with ``like_go_id = 1`` become ``alt_id`` of their term;
* text synonyms: the other ``go_synonym`` rows, written as ``RELATED`` (GO.db keeps no scope);
* parents: ``go_{bp,mf,cc}_parents``, i.e. go-basic's relations: ``is_a``, ``part_of``,
  ``regulates``, ``negatively_regulates``, ``positively_regulates``. GO.db's artificial root
  ``all`` (parent of the three namespace roots) is left out.

Limits (state them wherever results from this file are shown):

* **no replaced_by and no consider**: every term obsoleted in this release looks "obsolete with no
  guidance" to goannot, even where GO named a replacement;
* go-basic relations only: no ``has_part``, ``occurs_in``... (a diff against a full go.obo must
  compare only the relations both files have; ``goannot release-diff`` does);
* no subsets (slims, ``gocheck_do_not_annotate``), no xrefs, no synonym scopes or types, no
  comments, no definition references; ``data-version`` is taken from GO.db's ``GOSOURCEDATE``.

Run ``python benchmarks/godb_to_obo.py [GO.sqlite] OUT.obo``. Output is written atomically.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

log = logging.getLogger("benchmarks.godb_to_obo")

#: Where Debian's r-bioc-go.db puts the database.
DEFAULT_SQLITE = Path("/usr/lib/R/site-library/GO.db/extdata/GO.sqlite")

_NAMESPACE = {"BP": "biological_process", "MF": "molecular_function", "CC": "cellular_component"}
_RELATION = {"isa": "is_a", "part of": "part_of", "regulates": "regulates",
             "negatively regulates": "negatively_regulates", "positively regulates": "positively_regulates"}
_TYPEDEFS = ("part_of", "regulates", "negatively_regulates", "positively_regulates")


def _quote(text: str) -> str:
    """An OBO quoted string: backslashes and double quotes escaped, newlines flattened."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ")


def _one_line(text: str) -> str:
    return text.replace("\n", " ").replace("\r", " ").strip()


def godb_to_obo_text(sqlite_path: Path) -> str:
    """The OBO text of a GO.db SQLite file (see the module docstring for what it carries)."""
    con = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
        date = meta.get("GOSOURCEDATE", "unknown")
        terms = con.execute("SELECT _id, go_id, term, ontology, definition FROM go_term "
                            "WHERE go_id LIKE 'GO:%' ORDER BY go_id").fetchall()
        obsolete = con.execute("SELECT go_id, term, ontology, definition FROM go_obsolete "
                               "WHERE go_id LIKE 'GO:%' ORDER BY go_id").fetchall()
        alt: dict[int, list[str]] = defaultdict(list)
        syn: dict[int, list[str]] = defaultdict(list)
        for _id, text, secondary, like_id in con.execute(
                "SELECT _id, synonym, secondary, like_go_id FROM go_synonym ORDER BY _id, synonym"):
            if like_id and secondary:
                alt[_id].append(secondary)
            elif text:
                syn[_id].append(text)
        parents: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for table in ("go_bp_parents", "go_mf_parents", "go_cc_parents"):
            rows = con.execute(f"SELECT x._id, p.go_id, x.relationship_type FROM {table} x "  # noqa: S608
                               "JOIN go_term p ON p._id = x._parent_id WHERE p.go_id LIKE 'GO:%'")
            for _id, parent, rel in rows:
                relation = _RELATION.get(rel)
                if relation is None:
                    raise ValueError(f"{sqlite_path}: unknown relationship_type {rel!r} in {table}")
                parents[_id].append((relation, parent))
    finally:
        con.close()
    names = {go_id: name for _, go_id, name, _, _ in terms}
    out = ["format-version: 1.2", f"data-version: releases/{date}",
           "default-namespace: gene_ontology", "ontology: go",
           f"remark: converted from Bioconductor GO.db ({meta.get('GOSOURCEURL', '?')}, {date}) by "
           "goannot benchmarks/godb_to_obo.py; no replaced_by/consider, subsets, xrefs or synonym scopes", ""]
    for _id, go_id, name, ns, definition in terms:
        out += ["[Term]", f"id: {go_id}", f"name: {_one_line(name)}", f"namespace: {_NAMESPACE[ns]}"]
        out += [f"alt_id: {a}" for a in sorted(set(alt.get(_id, ())))]
        if definition:
            out.append(f'def: "{_quote(definition)}" []')
        out += [f'synonym: "{_quote(s)}" RELATED []' for s in syn.get(_id, ())]
        for relation, parent in sorted(set(parents.get(_id, ())), key=lambda rp: (rp[0] != "is_a", rp)):
            label = names.get(parent, "")
            if relation == "is_a":
                out.append(f"is_a: {parent} ! {label}")
            else:
                out.append(f"relationship: {relation} {parent} ! {label}")
        out.append("")
    for go_id, name, ns, definition in obsolete:
        out += ["[Term]", f"id: {go_id}", f"name: {_one_line(name)}", f"namespace: {_NAMESPACE[ns]}"]
        if definition:
            out.append(f'def: "{_quote(definition)}" []')
        out += ["is_obsolete: true", ""]
    for rel in _TYPEDEFS:
        out += ["[Typedef]", f"id: {rel}", f"name: {rel.replace('_', ' ')}", *(
            ["is_transitive: true"] if rel == "part_of" else []), ""]
    log.info("%s: %d terms, %d obsolete, %d alt_ids", sqlite_path, len(terms), len(obsolete),
             sum(len(v) for v in alt.values()))
    return "\n".join(out)


def convert(sqlite_path: Path, out_path: Path) -> Path:
    """Write the OBO of ``sqlite_path`` to ``out_path`` atomically; returns ``out_path``."""
    from goannot.atomic import atomic_write_text

    atomic_write_text(out_path, godb_to_obo_text(sqlite_path))
    return out_path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``godb_to_obo.py [SQLITE] OUT``."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("paths", nargs="+", metavar="[SQLITE] OUT")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    sqlite_path, out = (DEFAULT_SQLITE, args.paths[0]) if len(args.paths) == 1 else args.paths[:2]
    if not Path(sqlite_path).exists():
        log.error("%s not found: install Debian's r-bioc-go.db (apt-get install -y r-bioc-go.db)", sqlite_path)
        return 2
    convert(Path(sqlite_path), Path(out))
    log.info("wrote %s", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
