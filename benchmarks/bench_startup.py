"""Cold start: ``import workbook`` and the light commands, each against a baseline measured in the same run.

- ``import workbook`` against ``import pandas, matplotlib`` (budget 0.3×), and the notebook layer against
  ``import pandas, matplotlib, ipywidgets``: the time the import statement itself takes in a fresh
  Python process (interpreter start excluded), median of several runs.
- ``career-workbook --help``, ``info``, ``due`` and ``backup`` on the demo workbook: the whole command in a
  fresh process, as a person runs it (wall time and peak memory), against an empty Python
  (``python -c pass``) measured the same way; budget 0.15 s and 40 MB each.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import row

#: What each line imports, what it is compared with, and the most the ratio may be (None: no budget).
CASES: list[tuple[str, str, str, float | None]] = [
    ("import workbook", "import workbook", "import pandas, matplotlib", 0.3),
    (
        "import the notebook layer",
        "import workbook.notebook, workbook.forms.base",
        "import pandas, matplotlib, ipywidgets",
        None,
    ),
]
#: Light commands (arguments after ``career-workbook``; ``{demo}`` and ``{tmp}`` are filled in).
COMMANDS: dict[str, list[str]] = {
    "--help": ["--help"],
    "info": ["info", "--workbook", "{demo}"],
    "due": ["due", "--workbook", "{demo}", "--on", "2026-12-01"],
    "backup": ["backup", "--workbook", "{demo}", "-o", "{tmp}/backup-{{n}}.sqlite"],
}
COMMAND_BUDGET_S = 0.15
COMMAND_BUDGET_BYTES = 40 * 2**20

_TIMER = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
#: Writes the process's own peak memory (Linux: VmHWM, which starts afresh at exec) to $CW_PEAK_FILE at exit.
_PEAK = (
    "import atexit, os\n"
    "def _peak():\n"
    "    with open('/proc/self/status') as s, open(os.environ['CW_PEAK_FILE'], 'w') as out:\n"
    "        out.write(next(line.split()[1] for line in s if line.startswith('VmHWM:')))\n"
    "if os.path.exists('/proc/self/status'): atexit.register(_peak)\n"
)
#: What the installed ``career-workbook`` script runs.
CONSOLE = _PEAK + "import sys; from workbook.cli import main; sys.argv[0] = 'career-workbook'; sys.exit(main())"
EMPTY = _PEAK + "pass"


def _env() -> dict[str, str]:
    return {**os.environ, "MPLBACKEND": "Agg"}


def cold_import(statement: str) -> float:
    """Seconds ``statement`` takes in a new interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", _TIMER.format(stmt=statement)], check=True, capture_output=True, text=True, env=_env()
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


_RUNS = iter(range(1, 1_000_000))


def run_process(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (bytes) of one process, from start to exit.

    ``{n}`` in an argument becomes a number new for each run (a file name that does not exist yet).
    The peak is the one the process reports itself (the rusage of a child also counts this
    process's memory, copied when it was started); where it cannot, the rusage figure.
    """
    seconds, peak, _ = run_process_cpu(argv)
    return seconds, peak


def run_process_cpu(argv: list[str]) -> tuple[float, int, float]:
    """:func:`run_process`, and the CPU seconds (user and system) of the process and the processes it waited for."""
    n = next(_RUNS)
    argv = [a.replace("{n}", str(n)) for a in argv]
    with tempfile.TemporaryDirectory(prefix="cw-peak-") as tmp:
        report = Path(tmp) / "peak"
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**_env(), "CW_PEAK_FILE": str(report)}
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"{argv[3:]} exited with {process.returncode}")
        cpu = usage.ru_utime + usage.ru_stime
        if report.exists():
            return seconds, int(report.read_text()) * 1024, cpu  # kB
    return seconds, usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024, cpu


def median_process(argvs: dict[str, list[str]], runs: int) -> dict[str, tuple[float, int]]:
    """Median wall seconds and peak memory of each command; the runs of different commands alternate."""
    for argv in argvs.values():
        run_process(argv)  # warm-up
    seen: dict[str, list[tuple[float, int]]] = {name: [] for name in argvs}
    for _ in range(runs):
        for name, argv in argvs.items():
            seen[name].append(run_process(argv))
    return {
        name: (statistics.median(s for s, _ in got), int(statistics.median(m for _, m in got)))
        for name, got in seen.items()
    }


def _verdict(ok: bool) -> str:
    return "ok" if ok else "OVER BUDGET"


def run(quick: bool = False) -> list[dict]:
    from workbook.demo import build_demo

    runs = 3 if quick else 9
    medians = median_cold({s for _, *pair, _ in CASES for s in pair}, runs)
    results = []
    for name, statement, baseline, budget in CASES:
        seconds, base = medians[statement], medians[baseline]
        note = f"`{statement}` vs `{baseline}`, fresh process each, median of {runs}"
        if budget is not None:
            note += f"; budget {budget:g}×: {_verdict(seconds <= budget * base)}"
        results.append(row(f"cold start: {name}", seconds, base, note))

    with tempfile.TemporaryDirectory(prefix="cw-bench-startup-") as tmp:
        demo = Path(tmp) / "demo.sqlite"
        build_demo(demo, overwrite=True).close()
        argvs = {"empty Python": [sys.executable, "-c", EMPTY]}
        for name, args in COMMANDS.items():
            argvs[name] = [sys.executable, "-c", CONSOLE, *(a.format(demo=demo, tmp=tmp) for a in args)]
        measured = median_process(argvs, runs)
    base_s, base_bytes = measured.pop("empty Python")
    for name, (seconds, peak) in measured.items():
        on = " (demo workbook)" if "{demo}" in COMMANDS[name] else ""
        what = f"`career-workbook {name}`{on} vs `python -c pass`, whole process, median of {runs}"
        time_ok = seconds <= COMMAND_BUDGET_S
        results.append(
            row(f"command: {name}", seconds, base_s, f"{what}; budget {COMMAND_BUDGET_S:g} s: {_verdict(time_ok)}")
        )
        memory = row(
            f"command: {name}, peak memory",
            peak,
            base_bytes,
            f"peak resident memory; budget 40 MB: {_verdict(peak <= COMMAND_BUDGET_BYTES)}",
        )
        results.append({**memory, "unit": "bytes"})
    return results


if __name__ == "__main__":
    from .__main__ import main

    sys.exit(main(["--only", "startup", *sys.argv[1:]]))
