"""Run every benchmark in one go (``make bench``): ontology loading, validation, propagation, enrichment.

Each script writes its JSON to ``benchmarks/results/``; BENCHMARKS.md is written from them by hand
with the date and machine they record.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = ("ontology_load.py", "validate.py", "memory.py", "propagate.py", "enrich.py")


def main(argv: list[str] | None = None) -> int:
    """Run the scripts in order; stop at the first that fails."""
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        status = subprocess.call([sys.executable, str(HERE / script)], cwd=HERE)
        if status:
            return status
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
