"""Cold start: ``import workbook`` against a bare import of its heavy dependencies.

Each import runs in a fresh Python process; the figure is the time the import
statement itself takes (interpreter start excluded), the median of several runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

from . import row

#: What each line imports, and what it is compared with.
CASES = [
    ("import workbook", "import workbook", "import pandas, matplotlib, ipywidgets"),
    (
        "import the notebook layer",
        "import workbook.notebook, workbook.forms.base",
        "import pandas, matplotlib, ipywidgets",
    ),
]

_TIMER = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"


def cold_import(statement: str) -> float:
    """Seconds ``statement`` takes in a new interpreter."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    out = subprocess.run(
        [sys.executable, "-c", _TIMER.format(stmt=statement)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return float(out.stdout.strip().splitlines()[-1])


def median_cold(statements: set[str], runs: int) -> dict[str, float]:
    """Median seconds per statement; the runs of different statements alternate."""
    for statement in statements:
        cold_import(statement)  # warms the file cache and writes bytecode
    times: dict[str, list[float]] = {s: [] for s in statements}
    for _ in range(runs):
        for statement in statements:
            times[statement].append(cold_import(statement))
    return {s: statistics.median(t) for s, t in times.items()}


def run(quick: bool = False) -> list[dict]:
    runs = 2 if quick else 9
    medians = median_cold({s for _, *pair in CASES for s in pair}, runs)
    results = []
    for name, statement, baseline in CASES:
        seconds, base = medians[statement], medians[baseline]
        results.append(
            row(
                f"cold start: {name}",
                seconds,
                base,
                f"`{statement}` vs `{baseline}`, fresh process each, median of {runs}",
            )
        )
    return results
