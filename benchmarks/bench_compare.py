"""Timing of the evidence engine at scale: 200 options × 12 criteria × 100,000 insights.

``compare`` with 2,000 draws must take at most 1 s on a 2-core machine. Its
time is shown next to a plain pandas group-by mean over the same rows,
measured in the same run, so the ratio says how much the model costs over the
simplest possible summary. Run ``python -m benchmarks.bench_compare``
(``--quick`` for a small, fast check).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from workbook import evidence

from . import row
from .generate import synthetic_frames

BUDGET_S = 1.0
FULL = {"n_options": 200, "n_criteria": 12, "n_insights": 100_000, "n_contacts": 5000}
QUICK = {"n_options": 20, "n_criteria": 6, "n_insights": 5_000, "n_contacts": 500}


def _median_time(action: Callable[[], object], repeat: int) -> float:
    action()  # warm-up: imports, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(quick: bool = False) -> list[dict]:
    """Time ``compare``, ``sensitivity`` and ``next_conversations``; one dict per measurement.

    Keys: ``name``, ``seconds`` (median of several runs), ``baseline_seconds``
    (pandas group-by mean of stance per option × criterion over the same
    rows), ``ratio`` (seconds / baseline) and ``note``.
    """
    size = QUICK if quick else FULL
    f = synthetic_frames(**size, seed=0)
    options, criteria, insights = f["options"], f["criteria"], f["insights"]
    repeat = 3 if quick else 5
    baseline = _median_time(lambda: insights.groupby(["option_id", "criterion_id"])["stance"].mean(), repeat)
    shape = f"{size['n_options']} options × {size['n_criteria']} criteria × {size['n_insights']:,} insights"
    cases = {
        "compare (2,000 draws)": lambda: evidence.compare(options, criteria, insights, draws=2000, seed=0),
        "sensitivity": lambda: evidence.sensitivity(options, criteria, insights),
        "next_conversations (n=5)": lambda: evidence.next_conversations(
            options, criteria, insights, f["contacts"], f["insider_links"], f["conversations"], n=5
        ),
    }
    rows = []
    for name, action in cases.items():
        seconds = _median_time(action, repeat)
        note = shape
        if name.startswith("compare") and not quick:
            note += f"; budget {BUDGET_S:g} s: {'ok' if seconds <= BUDGET_S else 'OVER BUDGET'}"
        rows.append(row(name, seconds, baseline, note))
    return rows


if __name__ == "__main__":
    from .__main__ import main

    sys.exit(main(["--only", "compare", *sys.argv[1:]]))
