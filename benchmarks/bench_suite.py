"""The whole test suite as README.md runs it (in parallel), against the time its tests take one by one.

The command is the one under "Run the whole test suite" in README.md (what CI runs), without its
install step. The baseline is the sum of every test's own duration in the same run (setup, call and
teardown, from pytest's JUnit XML), about what running them one after another would take; the ratio
is the share of it the parallel run needs. Budget: 6 minutes. Takes as long as the suite (minutes).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from . import row

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 6 * 60


def readme_command() -> list[str]:
    """The test command of README.md as arguments, from ``python3 -m pytest`` on."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme.split("Run the whole test suite", 1)[1]
    line = next(text for text in after.splitlines() if text.startswith("python3 "))
    pytest_part = line.split("&&")[-1].strip()
    words = shlex.split(pytest_part)
    if words[:3] != ["python3", "-m", "pytest"]:
        raise ValueError(f"README's test command does not run pytest: {line}")
    return [sys.executable, *words[1:]]


_KINDS = (("failure", "failed"), ("error", "errors"), ("skipped", "skipped"))


def _outcomes(junit: Path) -> tuple[float, dict[str, int]]:
    """The tests' summed durations and how many passed, failed, errored or were skipped."""
    total, counts = 0.0, {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    for case in ET.parse(junit).getroot().iter("testcase"):
        total += float(case.get("time", 0))
        kinds = {child.tag for child in case}
        key = next((k for tag, k in _KINDS if tag in kinds), "passed")
        counts[key] += 1
    return total, counts


def run(quick: bool = False) -> list[dict]:
    argv = readme_command()
    if quick:
        argv += ["-m", "not browser and not hub", "tests"]  # the unit tests only
    with tempfile.TemporaryDirectory(prefix="cw-bench-suite-") as tmp:
        junit = Path(tmp) / "junit.xml"
        load = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run([*argv, "-q", f"--junitxml={junit}"], cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode != 0 or not junit.exists():  # a failing suite's time says nothing
            raise RuntimeError(f"the suite did not pass:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
        summed, counts = _outcomes(junit)
    what = "unit tests" if quick else "whole suite"
    outcome = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    command = shlex.join(["python3", *argv[1:]])
    note = f"`{command}`: {outcome}; vs the tests' own durations summed; load average {load:.1f} at the start"
    if not quick:
        note += f"; budget {BUDGET_S // 60} min: {'ok' if seconds <= BUDGET_S else 'OVER BUDGET'}"
    return [row(f"test suite: {what}", seconds, summed, note)]


if __name__ == "__main__":
    from .__main__ import main

    sys.exit(main(["--only", "suite", *sys.argv[1:]]))
