"""Timing of the shareable HTML report: the demo workbook, and a workbook at scale.

The large case is 200 options, 12 criteria, 5,000 contacts and 100,000
insights; its report must take at most 3 s and stay under 2 MB. Each time is
shown next to the bare import of pandas + matplotlib in a fresh Python
process, measured in the same run, so the ratio says how many "cold starts"
a report costs on this machine whatever its load. Run
``python -m benchmarks.bench_report`` (``--quick`` for a small, fast check).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workbook import open_workbook
from workbook.demo import build_demo
from workbook.report.build import build_report

from . import row
from .generate import build_workbook

BUDGET_S = 3.0
BUDGET_BYTES = 2_000_000
FULL = {"options": 200, "criteria": 12, "contacts": 5000, "insights": 100_000}
QUICK = {"options": 20, "criteria": 6, "contacts": 500, "insights": 5_000}
BASELINE_STATEMENT = "import pandas, matplotlib"


def baseline_import(runs: int) -> float:
    """Median wall time of ``python -c "import pandas, matplotlib"`` in a fresh process."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", BASELINE_STATEMENT], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_report(path: Path, repeat: int) -> tuple[float, int]:
    """Median seconds of ``build_report`` on the workbook at ``path`` (after one warm-up), and its size in bytes."""
    with open_workbook(path, create=False) as wb:
        size = len(build_report(wb).encode("utf-8"))  # warm-up: imports, fonts, template compilation
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            build_report(wb)
            times.append(time.perf_counter() - start)
    return statistics.median(times), size


def run(quick: bool = False) -> list[dict]:
    """Time the report of the demo workbook and of a generated one; one dict per measurement.

    Keys: ``name``, ``seconds`` (median), ``baseline_seconds`` (bare import of
    pandas + matplotlib in a subprocess), ``ratio`` and ``note`` (size and budget).
    """
    size = QUICK if quick else FULL
    repeat = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="cw-bench-report-") as tmp:
        folder = Path(tmp)
        build_demo(folder / "demo.sqlite", overwrite=True).close()
        big = build_workbook(folder / "scale.sqlite", seed=0, **size)
        baseline = baseline_import(3)
        rows = []
        seconds, nbytes = time_report(folder / "demo.sqlite", repeat)
        rows.append(row("report: demo workbook", seconds, baseline, f"{nbytes / 1024:.0f} KB"))
        seconds, nbytes = time_report(big, repeat)
        shape = f"{size['options']} options, {size['contacts']:,} contacts, {size['insights']:,} insights"
        note = f"{shape}; {nbytes / 1024:.0f} KB"
        if not quick:
            ok = seconds <= BUDGET_S and nbytes <= BUDGET_BYTES
            note += f"; budget {BUDGET_S:g} s and 2 MB: {'ok' if ok else 'OVER BUDGET'}"
        rows.append(row(f"report: {size['options']} options", seconds, baseline, note))
    return rows


if __name__ == "__main__":
    from .__main__ import main

    sys.exit(main(["--only", "report", *sys.argv[1:]]))
