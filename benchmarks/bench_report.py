"""Timing of the shareable HTML report: the demo workbook, and a workbook at scale.

The large case is 200 options, 12 criteria, 5,000 contacts and 100,000
insights; its report must build in at most 1.5 s and stay under 2 MB. The
report from the command line (``career-workbook report``, a fresh process:
imports, opening and checking the file, building, writing) must take at most
2× the bare import of pandas + matplotlib on the demo workbook. Each time is
shown next to that bare import in a fresh Python process, measured in the same
run, so the ratio says how many "cold starts" a report costs on this machine
whatever its load. The command's CPU time (with the second process that draws
some of its charts where a core is free) is shown beside the import's. Run
``python -m benchmarks.bench_report`` (``--quick`` for a small, fast check).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from workbook import open_workbook
from workbook.demo import build_demo
from workbook.report.build import build_report

from . import row
from .bench_startup import CONSOLE, run_process, run_process_cpu
from .generate import build_workbook

#: The report at scale, built in process.
BUDGET_S = 1.5
BUDGET_BYTES = 2_000_000
#: The report of the demo workbook from the command line, against the bare import.
COMMAND_BUDGET_RATIO = 2.0
FULL = {"options": 200, "criteria": 12, "contacts": 5000, "insights": 100_000}
QUICK = {"options": 20, "criteria": 6, "contacts": 500, "insights": 5_000}
BASELINE_STATEMENT = "import pandas, matplotlib"


def _median(samples: list[tuple[float, int, float]]) -> tuple[float, float]:
    """Median wall and CPU seconds of :func:`run_process_cpu` samples."""
    return statistics.median(g[0] for g in samples), statistics.median(g[2] for g in samples)


def time_command(path: Path, out: Path, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median wall and CPU time of ``career-workbook report`` on the workbook at ``path``, a fresh process each
    time, and of the bare ``python -c "import pandas, matplotlib"``, the two run in turn.

    Run in turn, a burst of other work on the machine slows both alike, and their ratio stays put.
    The CPU time counts the second process that draws some of the charts where a core is free.
    """
    argv = [sys.executable, "-c", CONSOLE, "report", "--workbook", str(path), "-o", str(out)]
    bare = [sys.executable, "-c", BASELINE_STATEMENT]
    run_process(argv)  # warm-up: the file cache, bytecode, matplotlib's font cache
    run_process(bare)
    command, baseline = [], []
    for _ in range(runs):
        baseline.append(run_process_cpu(bare))
        command.append(run_process_cpu(argv))
    return _median(command), _median(baseline)


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
    pandas + matplotlib in a subprocess, run in turn with the demo's command),
    ``ratio`` and ``note`` (size and budget).
    """
    size = QUICK if quick else FULL
    repeat = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="cw-bench-report-") as tmp:
        folder = Path(tmp)
        demo = folder / "demo.sqlite"
        build_demo(demo, overwrite=True).close()
        big = build_workbook(folder / "scale.sqlite", seed=0, **size)
        (seconds, cpu), (baseline, baseline_cpu) = time_command(demo, folder / "demo.html", 3 if quick else 7)
        ok = seconds <= COMMAND_BUDGET_RATIO * baseline
        note = f"`career-workbook report`, a fresh process; CPU {cpu:.2f} s against {baseline_cpu:.2f} s; "
        note += f"budget {COMMAND_BUDGET_RATIO:g}×: " + ("ok" if ok else "OVER BUDGET")
        command_row = row("report from the command line: demo", seconds, baseline, note)
        seconds, nbytes = time_report(demo, repeat)
        rows = [row("report: demo workbook", seconds, baseline, f"{nbytes / 1024:.0f} KB, built in process")]
        rows.append(command_row)

        seconds, nbytes = time_report(big, repeat)
        shape = f"{size['options']} options, {size['contacts']:,} contacts, {size['insights']:,} insights"
        note = f"{shape}; {nbytes / 1024:.0f} KB, built in process"
        if not quick:
            ok = seconds <= BUDGET_S and nbytes <= BUDGET_BYTES
            note += f"; budget {BUDGET_S:g} s and 2 MB: {'ok' if ok else 'OVER BUDGET'}"
        rows.append(row(f"report: {size['options']} options", seconds, baseline, note))
        (seconds, cpu), _ = time_command(big, folder / "scale.html", repeat)
        note = f"{shape}; `career-workbook report`, a fresh process (imports, the file's check, building, writing); "
        note += f"CPU {cpu:.2f} s"
        rows.append(row(f"report from the command line: {size['options']} options", seconds, baseline, note))
    return rows


if __name__ == "__main__":
    from .__main__ import main

    sys.exit(main(["--only", "report", *sys.argv[1:]]))
