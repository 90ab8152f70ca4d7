"""Refresh GO's side of ``goannot/data/gorules.tsv`` from go-site's rule metadata and re-render the README table.

GO's rule files (geneontology/go-site ``metadata/rules/gorule-*.md``, BSD-3-Clause; a copy sits in
``../shared/reference/go-site/rules/``) state each rule's title, status and fail mode in their front
matter. This script writes those into the ``title`` and ``go_status`` columns ("status, fail_mode")
of ``gorules.tsv``; goannot's own columns (state, severity, notes) are left as they are and are kept
by hand. Rules the table has but the metadata lost get ``go_status`` "absent from go-site metadata";
rules the metadata has but the table lacks are added as "not implemented: new in GO's metadata".
Then the README's rule table is rendered from the tsv.

    python .ci/sync_gorules.py [RULES_DIR]

``tests/test_gorule_metadata.py`` fails whenever the tsv, the README and the metadata disagree.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from goannot.validate.failmodes import parse_front_matter  # noqa: E402

TSV = REPO / "goannot" / "data" / "gorules.tsv"
README = REPO / "README.md"
ABSENT = "absent from go-site metadata"
HEADER = "| rule | title | GO status | GO fail mode | goannot | severity |"


def read_tsv() -> tuple[list[str], list[str], list[dict[str, str]]]:
    """(comment lines, field names, rows) of gorules.tsv."""
    text = TSV.read_text(encoding="utf-8").splitlines()
    comments = [ln for ln in text if ln.startswith("#")]
    body = [ln for ln in text if ln and not ln.startswith("#")]
    reader = csv.DictReader(body, delimiter="\t", quoting=csv.QUOTE_NONE)
    return comments, list(reader.fieldnames or []), list(reader)


def readme_table(rows: list[dict[str, str]]) -> str:
    """The README's rule table: GO's title, status and fail mode beside goannot's state and severity."""
    out = [HEADER, "|---|---|---|---|---|---|"]
    for r in rows:
        status, _, mode = r["go_status"].partition(",")
        out.append(f"| {r['id']} | {r['title']} | {status.strip()} | {mode.strip()} | {r['state']} | "
                   f"{r['severity']} |")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    rules_dir = Path(argv[0]) if argv else REPO.parent / "shared" / "reference" / "go-site" / "rules"
    meta = {}
    for f in sorted(rules_dir.glob("gorule-*.md")):
        fm = parse_front_matter(f.read_text(encoding="utf-8"))
        meta[fm["id"]] = fm
    comments, fields, rows = read_tsv()
    have = {r["id"] for r in rows}
    for rid, fm in meta.items():
        if rid not in have:
            rows.append({"id": rid, "title": fm.get("title", ""), "go_status": "", "severity": "", "notes": "",
                         "state": "not implemented: new in GO's metadata"})
    for r in rows:
        fm = meta.get(r["id"])
        if fm is None:
            r["go_status"] = ABSENT
            continue
        r["title"] = fm.get("title", r["title"]).strip()
        r["go_status"] = f"{fm.get('status', '').strip()}, {fm.get('fail_mode', '').strip()}"
    rows.sort(key=lambda r: r["id"])
    buf = io.StringIO()
    buf.write("\n".join(comments) + "\n")
    buf.write("\t".join(fields) + "\n")
    buf.writelines("\t".join(r.get(k) or "" for k in fields) + "\n" for r in rows)
    TSV.write_text(buf.getvalue(), encoding="utf-8")
    text = README.read_text(encoding="utf-8")
    lines = text.split("\n")
    start = next(k for k, ln in enumerate(lines) if ln.startswith("| rule | title |"))
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    lines[start:end] = readme_table(rows).split("\n")
    README.write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
