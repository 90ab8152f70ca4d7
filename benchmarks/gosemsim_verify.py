"""Verify goannot's Resnik, Lin and Wang term similarities against R's GOSemSim (an independent
implementation), on the same ontology and the same information content.

Not a test (GOSemSim is R, installed with ``apt-get install r-bioc-gosemsim``; never a dependency of
goannot): run by hand, it writes ``results/gosemsim_verify.json``.

    python benchmarks/gosemsim_verify.py [--terms 60] [--seed 7]

Same ontology
    GOSemSim walks its own GO, two of them: Wang over the ``gotbl`` table shipped in GOSemSim,
    Resnik/Lin over GO.db's ANCESTOR maps (Debian bookworm: GO.db 3.16, go-basic of 2022-07-01),
    which differ in a few edges. The script exports each to an OBO file and loads it into goannot:
    Wang runs on the gotbl ontology, Resnik/Lin on the GO.db one (built from GO.db's PARENTS maps),
    and it checks that goannot's closure over is_a, part_of and the regulates family equals GO.db's
    ancestors for every sampled term (GO.db follows those five relations, each namespace on its own).
Same IC
    goannot computes IC from the bundled human GAF (2019-01-29) propagated over those relations on
    that ontology; the same values are handed to GOSemSim as the ``IC`` of a ``GOSemSimDATA`` object,
    so Resnik/Lin compare the MICA search and the formulas, not two corpora.
Wang weights
    GOSemSim 2.24's ``getSV`` weighs edges by relation name with names ``is_a``/``part_of``/``other``,
    but ``gotbl`` spells them ``isa``/``part of``: every edge becomes ``other``, weight 0.7. It also
    keeps the first value met in a breadth-first walk rather than the maximum over paths; with one
    weight for every edge the two agree (the shortest path has the largest product). goannot is run
    with ``weights = 0.7`` for the five relations to reproduce it, and with Wang's own weights
    (is_a 0.8, part_of 0.6) to show how far GOSemSim's effective weights move the numbers.
Sample
    ``--terms`` GO terms per namespace drawn (seeded) among those the corpus annotates, all pairs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from goannot import load_ontology, sources  # noqa: E402
from goannot.annotations import read_annotations  # noqa: E402
from goannot.similarity import information_content, lin_matrix, resnik_matrix, wang_matrix  # noqa: E402

RELATIONS = ("is_a", "part_of", "regulates", "negatively_regulates", "positively_regulates")
REL_OF = {"isa": "is_a", "is_a": "is_a", "part of": "part_of", "part_of": "part_of", "regulates": "regulates",
          "negatively regulates": "negatively_regulates", "positively regulates": "positively_regulates",
          "negatively_regulates": "negatively_regulates", "positively_regulates": "positively_regulates"}
NS = {"BP": "biological_process", "MF": "molecular_function", "CC": "cellular_component"}

R_EXPORT = r"""
suppressMessages(library(GOSemSim))
GOSemSim:::.initial()
g <- get("gotbl", envir = get(".GOSemSimEnv", envir = .GlobalEnv))
write.table(g, file = commandArgs(TRUE)[1], sep = "\t", quote = FALSE, row.names = FALSE)
rows <- list()
for (ont in c("BP", "MF", "CC")) {
  par <- AnnotationDbi::as.list(get(paste0("GO", ont, "PARENTS"), envir = asNamespace("GO.db")))
  rows[[ont]] <- data.frame(go_id = rep(names(par), lengths(par)), Term = rep(names(par), lengths(par)),
                            Ontology = ont, relationship = unlist(lapply(par, names), use.names = FALSE),
                            parent = unlist(par, use.names = FALSE))
}
write.table(do.call(rbind, rows), file = commandArgs(TRUE)[2], sep = "\t", quote = FALSE, row.names = FALSE)
cat(as.character(packageVersion("GOSemSim")), as.character(packageVersion("GO.db")),
    GO.db::GO_dbInfo()[GO.db::GO_dbInfo()$name == "GOSOURCEDATE", "value"], "\n")
"""

R_SIMS = r"""
suppressMessages(library(GOSemSim))
args <- commandArgs(TRUE)
dir <- args[1]
ic <- read.table(file.path(dir, "ic.tsv"), sep = "\t", header = TRUE, colClasses = c("character", "numeric"))
out <- list()
for (ont in c("BP", "MF", "CC")) {
  terms <- readLines(file.path(dir, paste0("terms_", ont, ".txt")))
  d <- new("GOSemSimDATA", ont = ont, IC = setNames(ic$ic, ic$term))
  for (m in c("Wang", "Resnik", "Lin")) {
    s <- termSim(terms, terms, semData = d, method = m)
    write.table(s, file.path(dir, paste0(m, "_", ont, ".tsv")), sep = "\t", quote = FALSE)
  }
  anc <- AnnotationDbi::as.list(GOSemSim:::getAncestors(ont))[terms]
  writeLines(vapply(names(anc), function(t) paste(c(t, anc[[t]]), collapse = " "), ""),
             file.path(dir, paste0("anc_", ont, ".txt")))
}
"""


def write_obo(gotbl: pd.DataFrame, path: Path) -> int:
    """An OBO file of GOSemSim's gotbl: one stanza per term, its parents by relation."""
    names = dict(zip(gotbl["go_id"], gotbl["Term"]))
    spaces = dict(zip(gotbl["go_id"], gotbl["Ontology"].map(NS)))
    parents: dict[str, list[tuple[str, str]]] = {}
    for c, r, p in zip(gotbl["go_id"], gotbl["relationship"], gotbl["parent"]):
        if p != "all":
            parents.setdefault(c, []).append((REL_OF[r], p))
    ids = sorted(set(gotbl["go_id"]) | {p for ps in parents.values() for _, p in ps})
    lines = ["format-version: 1.2", "data-version: gosemsim/gotbl", ""]
    for t in ids:
        lines += ["[Term]", f"id: {t}", f"name: {names.get(t, t)}", f"namespace: {spaces.get(t, 'biological_process')}"]
        for rel, p in parents.get(t, []):
            lines.append(f"is_a: {p}" if rel == "is_a" else f"relationship: {rel} {p}")
        lines.append("")
    for rel in RELATIONS[1:]:
        lines += ["[Typedef]", f"id: {rel}", f"name: {rel.replace('_', ' ')}", ""]
    path.write_text("\n".join(lines))
    return len(ids)


def read_matrix(path: Path, terms: list[str]) -> np.ndarray:
    m = pd.read_csv(path, sep="\t", index_col=0)
    return m.loc[terms, terms].to_numpy(dtype=float)


def agreement(ours: np.ndarray, theirs: np.ndarray) -> dict[str, float | int]:
    both = ~np.isnan(ours) & ~np.isnan(theirs)
    diff = np.abs(ours[both] - theirs[both])
    return {"pairs": int(ours.size), "compared": int(both.sum()),
            "nan_only_ours": int((np.isnan(ours) & ~np.isnan(theirs)).sum()),
            "nan_only_gosemsim": int((~np.isnan(ours) & np.isnan(theirs)).sum()),
            "max_abs_diff": float(diff.max()) if diff.size else 0.0,
            "share_within_1e-9": float((diff <= 1e-9).mean()) if diff.size else 1.0,
            "pearson": float(np.corrcoef(ours[both], theirs[both])[0, 1]) if diff.size > 2 else float("nan")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--terms", type=int, default=60, help="terms per namespace (all pairs compared)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default=str(HERE / "results" / "gosemsim_verify.json"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gosemsim-") as tmp:
        d = Path(tmp)
        got = subprocess.run(["Rscript", "-e", R_EXPORT, str(d / "gotbl.tsv"), str(d / "godb.tsv")],
                             capture_output=True, text=True, check=True)
        versions = got.stdout.split()
        gotbl = pd.read_csv(d / "gotbl.tsv", sep="\t", dtype=str, quoting=3, keep_default_na=False)
        godb = pd.read_csv(d / "godb.tsv", sep="\t", dtype=str, quoting=3, keep_default_na=False)
        n_terms = write_obo(gotbl, d / "gotbl.obo")
        write_obo(godb, d / "godb.obo")
        wang_onto = load_ontology(d / "gotbl.obo")
        onto = load_ontology(d / "godb.obo")
        human = read_annotations(sources.locate("goa_human-2019-01-29"))
        ic = information_content(human, onto, RELATIONS)
        ic.rename("ic").rename_axis("term").reset_index().to_csv(d / "ic.tsv", sep="\t", index=False)
        rng = np.random.default_rng(args.seed)
        sample: dict[str, list[str]] = {}
        for code, ns in NS.items():
            pool = sorted(t for t in ic.index if onto.namespace(t) == ns and ic[t] > 0 and t in wang_onto)
            sample[code] = sorted(rng.choice(pool, args.terms, replace=False).tolist())
            (d / f"terms_{code}.txt").write_text("\n".join(sample[code]) + "\n")
        subprocess.run(["Rscript", "-e", R_SIMS, str(d)], capture_output=True, text=True, check=True)
        results: dict[str, object] = {}
        for code, terms in sample.items():
            anc_ok = 0
            for line in (d / f"anc_{code}.txt").read_text().split("\n"):
                if not line:
                    continue
                t, *anc = line.split()
                ours = {a for a in onto.ancestors(t, RELATIONS) if onto.namespace(a) == NS[code]}
                anc_ok += ours == set(anc) - {"all"}
            r = resnik_matrix(terms, terms, onto, ic, RELATIONS)
            lin = lin_matrix(terms, terms, onto, ic, RELATIONS, resnik=r)
            w07 = wang_matrix(terms, terms, wang_onto, dict.fromkeys(RELATIONS, 0.7))
            w_paper = wang_matrix(terms, terms, wang_onto)
            theirs = {m: read_matrix(d / f"{m}_{code}.tsv", terms) for m in ("Wang", "Resnik", "Lin")}
            results[code] = {
                "terms": len(terms), "ancestors_equal_go_db": f"{anc_ok}/{len(terms)}",
                "resnik": agreement(r, theirs["Resnik"]),
                "resnik_over_max_ic": agreement(r / float(ic.max()), theirs["Resnik"]),
                "lin": agreement(lin, theirs["Lin"]),
                "wang_weights_0.7": agreement(w07, theirs["Wang"]),
                "wang_paper_weights_vs_gosemsim": agreement(w_paper, theirs["Wang"]),
            }
    report = {"what": "goannot vs GOSemSim term similarities on GOSemSim's own GO, human GAF IC",
              "gosemsim": versions[0] if versions else None, "go_db": versions[1] if len(versions) > 1 else None,
              "go_source_date": versions[2] if len(versions) > 2 else None, "ontology_terms_gotbl": n_terms,
              "relations": list(RELATIONS), "ic_corpus": "goa_human-2019-01-29", "seed": args.seed,
              "results": results, "seconds": round(time.perf_counter() - t0, 1)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
