"""Timing of the evidence engine at scale: 200 options × 12 criteria × 100,000 insights, and × 1,000.

Budgets on a 2-core machine: ``compare`` with 2,000 draws at most 0.6 s, on the
frames and on a stored workbook (reading included), each time with the model
fitted afresh (the posteriors the engine keeps between calls are forgotten
first, so the time includes learning the noise and every cell's posterior);
``wb.decide()`` (a fresh analysis, the verdict, the next conversations and the
warnings) at most 0.6 s at 100,000 insights; both at most 0.3 s on a stored
workbook of 200 options × 12 criteria with 1,000 insights (few people per
option, so most options are computed exactly rather than by the copula);
``next_conversations`` (from one analysis) at most 2 s; on the demo workbook,
a slider move in notebook 06 (the decision, both charts and both tables
redrawn) at most 0.5 s. A weight change alone reuses the fitted model: its
row says what a what-if costs once the model is fitted. Each time is shown
next to a plain pandas group-by mean over the same rows, measured in the same
run, so the ratio says how much the model costs over the simplest possible
summary. Run ``python -m benchmarks.bench_compare`` (``--quick`` for a small,
fast check).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from workbook import evidence, open_workbook, parallel
from workbook.demo import build_demo
from workbook.forms.compare import CompareForm

from . import row
from .generate import build_workbook, synthetic_frames

#: The stored workbook: the same size as the frames (``quick``: small).
_STORED = {
    False: {"options": 200, "criteria": 12, "contacts": 5000, "insights": 100_000},
    True: {"options": 20, "criteria": 6, "contacts": 500, "insights": 5_000},
}
#: The same options and criteria with few notes (``quick``: fewer options).
_FEW = {
    False: {"options": 200, "criteria": 12, "contacts": 500, "insights": 1_000},
    True: {"options": 20, "criteria": 6, "contacts": 100, "insights": 200},
}

BUDGET_S = {
    "compare (2,000 draws)": 0.6,
    "wb.compare() on the stored workbook": 0.6,
    "wb.decide() on the stored workbook": 0.6,
    "wb.compare(), few notes": 0.3,
    "wb.decide(), few notes": 0.3,
    "next_conversations (n=5)": 2.0,
    "notebook 06 slider move (demo)": 0.5,
}
FULL = {"n_options": 200, "n_criteria": 12, "n_insights": 100_000, "n_contacts": 5000}
QUICK = {"n_options": 20, "n_criteria": 6, "n_insights": 5_000, "n_contacts": 500}


def _forget_fitted_models() -> None:
    """Forget the posteriors the engine keeps between calls, so the next call fits the model afresh."""
    evidence.engine._posteriors.clear()


def _median_time(action: Callable[[], object], repeat: int) -> float:
    action()  # warm-up: imports, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(quick: bool = False) -> list[dict]:
    """Time ``compare`` (fitted afresh, and with other weights), ``sensitivity`` and ``next_conversations``.

    One dict per measurement.

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
    with tempfile.TemporaryDirectory(prefix="cw-bench-compare-") as tmp:
        stored = open_workbook(build_workbook(Path(tmp) / "scale.sqlite", seed=0, **_STORED[quick]))
        few = open_workbook(build_workbook(Path(tmp) / "few.sqlite", seed=0, **_FEW[quick]))
        with few.snapshot() as snap:
            few_insights = snap.evidence_rows()
        few_baseline = _median_time(
            lambda: few_insights.groupby(["option_id", "criterion_id"])["stance"].mean(), repeat
        )
        demo = build_demo(Path(tmp) / "demo.sqlite", overwrite=True)
        form = CompareForm(demo)
        first = next(iter(form.sliders.values()))
        moves = iter(range(10_000))

        def slide() -> None:
            first.value = 1.0 + next(moves) % 2  # a weight the form has not just shown

        analysis = evidence.analysis(options, criteria, insights, draws=2000, seed=0)
        other = {int(c): 1.0 + i % 3 for i, c in enumerate(criteria["id"])}

        def fresh(action: Callable[[], object]) -> Callable[[], object]:
            def run_fresh() -> object:
                _forget_fitted_models()
                return action()

            return run_fresh

        cases = {
            "compare (2,000 draws)": fresh(lambda: evidence.compare(options, criteria, insights, draws=2000, seed=0)),
            "wb.compare() on the stored workbook": fresh(stored.compare),
            "wb.decide() on the stored workbook": fresh(stored.decide),
            "wb.compare(), few notes": fresh(few.compare),
            "wb.decide(), few notes": fresh(few.decide),
            "compare with other weights (model kept)": lambda: evidence.compare(
                options, criteria, insights, weights=other, draws=2000, seed=0
            ),
            "sensitivity (from one analysis)": lambda: evidence.decisions.sensitivity(analysis),
            "next_conversations (n=5)": lambda: evidence.next_conversations(
                analysis, insights, f["contacts"], f["insider_links"], f["conversations"], n=5
            ),
            "notebook 06 slider move (demo)": slide,
        }
        few_shape = f"{_FEW[quick]['options']} options × {_FEW[quick]['criteria']} criteria × "
        few_shape += f"{_FEW[quick]['insights']:,} insights"
        rows = []
        for name, action in cases.items():
            spare = parallel.spare_core()  # whether the engine works on two threads now (a core to spare)
            seconds = _median_time(action, repeat)
            base = few_baseline if "few notes" in name else baseline
            if "demo" in name:
                note = "demo workbook: decision, 2 charts, 2 tables"
            else:
                note = few_shape if "few notes" in name else shape
            if name.startswith(("compare", "wb.")):  # the rows that draw
                note += "; two threads" if spare else "; one thread (no core to spare)"
            if name in BUDGET_S and not quick:
                budget = BUDGET_S[name]
                note += f"; budget {budget:g} s: {'ok' if seconds <= budget else 'OVER BUDGET'}"
            rows.append(row(name, seconds, base, note))
        stored.close()
        few.close()
        demo.close()
    return rows


if __name__ == "__main__":
    from .__main__ import main

    sys.exit(main(["--only", "compare", *sys.argv[1:]]))
