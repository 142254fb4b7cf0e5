"""The suite runs in parallel the way README.md (and so CI) runs it, and nothing is left out on the way."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_test_command_runs_the_suite_in_parallel_by_groups():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme.split("Run the whole test suite", 1)[1]
    command = next(line for line in after.splitlines() if line.startswith("python3 "))
    assert re.search(r"python3 -m pytest -n \S+$", command), command
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "--dist loadgroup" in config["tool"]["pytest"]["ini_options"]["addopts"]


@pytest.mark.slow
def test_both_runs_of_a_notebook_run_every_cell_in_order_on_one_worker_each(tmp_path):
    """The fresh and the demo run of a notebook each keep their cells on one worker (one kernel), in order.

    Three workers for two notebook runs: one takes the fresh run, and cells scheduled one by one
    would land on the other two.
    """
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "3", "-v", f"--basetemp={tmp_path / 'run'}",
         "notebooks/00_start_here.ipynb"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    ran = re.findall(r"^\[(gw\d+)\] \[ *\d+%\] PASSED (\S+?)::Cell (\d+)", done.stdout, re.MULTILINE)
    runs: dict[str, list[tuple[str, int]]] = {}
    for worker, notebook, cell in ran:
        runs.setdefault(notebook, []).append((worker, int(cell)))
    assert set(runs) == {"notebooks/00_start_here.ipynb", "notebooks/00_start_here.ipynb[demo]"}, done.stdout
    for notebook, cells in runs.items():
        assert len({worker for worker, _ in cells}) == 1, f"{notebook} ran on several workers: {cells}"
        assert [cell for _, cell in cells] == list(range(len(cells))), f"{notebook} ran out of order: {cells}"
    assert len(runs["notebooks/00_start_here.ipynb"]) == len(runs["notebooks/00_start_here.ipynb[demo]"]) > 1
