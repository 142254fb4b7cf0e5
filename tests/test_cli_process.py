"""The ``career-workbook`` program runs one command and ends: what it imported is frozen for the collector.

Only the program itself does this; a command called from a test or another program
leaves every object collectable (a long-lived process must not keep its garbage).
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import workbook
from workbook import parallel
from workbook.cli.main import cli
from workbook.report.build import build_report

SOURCE = str(Path(workbook.__file__).resolve().parent.parent)

#: Runs ``career-workbook ARGS`` as the console script does, then prints how many objects were frozen.
_PROGRAM = """
import atexit, gc, sys
atexit.register(lambda: print("frozen:", gc.get_freeze_count()))
from workbook.cli import main
sys.argv = ["career-workbook", *sys.argv[1:]]
main()
"""


def _run_program(
    args: list[str], tmp_path: Path, *, program: str = _PROGRAM, environ: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run ``program`` (one of the scripts above) with ``args`` in a fresh process, this checkout first on its path."""
    base = dict(os.environ if environ is None else environ)
    path = os.pathsep.join(p for p in (SOURCE, base.get("PYTHONPATH")) if p)
    env = {**base, "MPLBACKEND": "Agg", "PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, "-c", program, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def test_the_program_freezes_what_the_report_imported_and_writes_the_report(filled, tmp_path):
    out = tmp_path / "report.html"
    done = _run_program(["report", "--workbook", str(filled.path), "-o", str(out)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Report written" in done.stdout and out.stat().st_size > 10_000
    frozen = int(done.stdout.rsplit("frozen:", 1)[1])
    assert frozen > 100_000  # pandas, matplotlib and the rest: left alone by the collector until the end


def test_a_failing_command_still_ends_with_its_message_and_code(tmp_path):
    done = _run_program(["report", "--workbook", str(tmp_path / "missing.sqlite")], tmp_path)
    assert done.returncode == 1
    assert "Error" in done.stderr and "frozen:" in done.stdout


def test_a_command_called_in_this_process_leaves_every_object_collectable(filled, tmp_path):
    before = gc.get_freeze_count()
    result = CliRunner().invoke(cli, ["report", "--workbook", str(filled.path), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() == before


#: Runs ``career-workbook ARGS`` as the console script does, counting the processes it forks.
_COUNTING_FORKS = """
import atexit, os, sys
forks = []
_fork = os.fork
def counted():
    pid = _fork()
    if pid:
        forks.append(pid)
    return pid
os.fork = counted
atexit.register(lambda: print("forked:", len(forks)))
from workbook.cli import main
sys.argv = ["career-workbook", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("names", [False, True], ids=["without names", "with names"])
def test_the_program_writes_the_report_the_library_builds(demo_wb, tmp_path, names):
    """The program draws some charts in a second process (where it can) and imports matplotlib leaner:
    the file is the same, byte for byte, as the report built in this process, in one process."""
    out = tmp_path / "report.html"
    args = ["report", "--workbook", str(demo_wb.path), "-o", str(out), *(["--names"] if names else [])]
    done = _run_program(args, tmp_path, program=_COUNTING_FORKS)
    assert done.returncode == 0, done.stderr
    forked = int(done.stdout.rsplit("forked:", 1)[1])
    assert forked == (1 if sys.platform.startswith("linux") and parallel.cores_available() >= 2 else 0)
    assert out.read_text(encoding="utf-8") == build_report(demo_wb, names=names)


#: Runs ``career-workbook ARGS`` as the console script does, then prints how many threads numpy's maths was given.
_MATHS_THREADS = """
import atexit, os, sys
atexit.register(lambda: print("threads:", os.environ.get("OPENBLAS_NUM_THREADS"), os.environ.get("OMP_NUM_THREADS")))
from workbook.cli import main
sys.argv = ["career-workbook", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(("given", "used"), [(None, "1 1"), ("2", "2 1")], ids=["default", "the user's own"])
def test_the_report_program_runs_numpys_maths_on_one_thread_unless_told(demo_wb, tmp_path, given, used):
    """Starting a thread per core at numpy's import costs the report about 0.1 s of CPU for nothing."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    if given:
        env["OPENBLAS_NUM_THREADS"] = given
    args = ["report", "--workbook", str(demo_wb.path), "-o", str(tmp_path / "r.html")]
    done = _run_program(args, tmp_path, program=_MATHS_THREADS, environ=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rsplit("threads:", 1)[1].strip() == used


def test_a_command_called_in_this_process_leaves_the_maths_threads_alone(filled, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    result = CliRunner().invoke(cli, ["report", "--workbook", str(filled.path), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert "OPENBLAS_NUM_THREADS" not in os.environ
