"""Work done aside in a forked child (workbook.parallel): the same result whether or not a child did it.

The forking cases run in a fresh Python process, as the ``career-workbook`` program does: a test
process may have threads of its own (pytest-xdist), and then nothing is forked, as it should be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import workbook
from workbook import parallel

SOURCE = str(Path(workbook.__file__).resolve().parent.parent)

needs_fork = pytest.mark.skipif(
    not sys.platform.startswith("linux") or parallel.cores_available() < 2,
    reason="forking is used on Linux with at least two cores",
)


def _run(body: str, tmp_path: Path) -> dict:
    """Run ``body`` in a fresh process that may fork; it sets ``out`` (a dict), printed back as JSON."""
    program = f"""
import json, os, sys, time
from workbook import parallel
parallel.allow_forking()
parent = os.getpid()
out = {{}}
{body}
print(json.dumps(out))
"""
    path = os.pathsep.join(p for p in (SOURCE, os.environ.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-c", program],
        env={**os.environ, "PYTHONPATH": path},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_permission_the_work_runs_here_at_once():
    assert not parallel.can_fork()  # a test process never allowed it
    calls = []
    with parallel.aside(lambda: calls.append(os.getpid()) or "drawn") as job:
        assert calls == [os.getpid()]  # done before the block's own work, as without the module
        assert job.result() == "drawn"
    assert len(calls) == 1


def test_work_too_small_to_fork_runs_here(tmp_path):
    out = _run(
        """
with parallel.aside(lambda: os.getpid(), fork=False) as job:
    out["pid"], out["parent"] = job.result(), parent
""",
        tmp_path,
    )
    assert out["pid"] == out["parent"]


@needs_fork
def test_the_work_runs_in_a_child_while_the_block_goes_on(tmp_path):
    out = _run(
        """
def work():
    # Waits for a sign the block gives: done before the block, as without a child, it would never see it.
    for _ in range(400):
        if os.path.exists("go"):
            return {"pid": os.getpid(), "saw_the_block": True, "list": [1, "two", None]}
        time.sleep(0.05)
    return {"pid": os.getpid(), "saw_the_block": False}

with parallel.aside(work) as job:
    open("go", "w").close()
    out["result"] = job.result()
out["parent"] = parent
""",
        tmp_path,
    )
    assert out["result"]["saw_the_block"]
    assert out["result"]["list"] == [1, "two", None]
    assert out["result"]["pid"] != out["parent"]


@needs_fork
def test_a_failing_child_is_done_again_here_where_its_error_shows(tmp_path):
    out = _run(
        """
def work():
    if os.getpid() != parent:
        raise RuntimeError("only in the child")
    return os.getpid()

with parallel.aside(work) as job:
    out["pid"] = job.result()
try:
    with parallel.aside(lambda: 1 / 0) as job:
        job.result()
except ZeroDivisionError:
    out["error"] = "ZeroDivisionError"
out["parent"] = parent
""",
        tmp_path,
    )
    assert out["pid"] == out["parent"]
    assert out["error"] == "ZeroDivisionError"


@needs_fork
def test_a_slow_child_is_stopped_and_its_work_done_here(tmp_path):
    out = _run(
        """
parallel.CHILD_TIMEOUT_S = 0.5
def work():
    if os.getpid() != parent:
        time.sleep(60)
    return os.getpid()

start = time.monotonic()
with parallel.aside(work) as job:
    out["pid"] = job.result()
out["took"] = time.monotonic() - start
try:
    os.waitpid(-1, os.WNOHANG)
    out["children"] = "left"
except ChildProcessError:
    out["children"] = "none"
out["parent"] = parent
""",
        tmp_path,
    )
    assert out["pid"] == out["parent"]
    assert out["took"] < 10
    assert out["children"] == "none"


@needs_fork
def test_a_block_that_fails_before_asking_leaves_no_child_behind(tmp_path):
    out = _run(
        """
def work():
    time.sleep(60)
try:
    with parallel.aside(work):
        raise KeyError("the page failed")
except KeyError:
    pass
try:
    os.waitpid(-1, os.WNOHANG)
    out["children"] = "left"
except ChildProcessError:
    out["children"] = "none"
""",
        tmp_path,
    )
    assert out["children"] == "none"


def test_no_fork_beside_another_thread(monkeypatch):
    monkeypatch.setattr(parallel, "_allowed", True)
    if not sys.platform.startswith("linux") or parallel.cores_available() < 2:
        assert not parallel.can_fork()
        return
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.can_fork()
    finally:
        stop.set()
        thread.join()
    assert parallel.can_fork() == (threading.active_count() == 1)


def test_no_fork_on_a_single_core(monkeypatch):
    monkeypatch.setattr(parallel, "_allowed", True)
    monkeypatch.setattr(parallel, "cores_available", lambda: 1)
    assert not parallel.can_fork()


def test_side_by_side_does_every_item_in_two_threads_and_leaves_one(monkeypatch):
    monkeypatch.setattr(parallel, "spare_core", lambda: True)
    before = threading.active_count()
    seen: dict[int, str] = {}
    barrier = threading.Barrier(2, timeout=10)

    def work(i: int) -> None:
        if i < 2:
            barrier.wait()  # the first two items are worked on at the same time, or this times out
        seen[i] = threading.current_thread().name

    parallel.side_by_side(work, range(5))
    assert sorted(seen) == [0, 1, 2, 3, 4]
    assert len(set(seen.values())) == 2
    assert threading.active_count() == before  # the second thread has ended


def test_side_by_side_without_a_spare_core_or_inside_such_work_runs_one_after_another(monkeypatch):
    names: list[str] = []
    monkeypatch.setattr(parallel, "spare_core", lambda: False)
    parallel.side_by_side(lambda i: names.append(threading.current_thread().name), range(3))
    assert set(names) == {threading.current_thread().name}
    monkeypatch.setattr(parallel, "spare_core", lambda: True)
    inner: list[set[str]] = []

    def outer(i: int) -> None:
        mine: list[str] = []
        parallel.side_by_side(lambda j: mine.append(threading.current_thread().name), range(3))
        inner.append(set(mine))

    parallel.side_by_side(outer, range(2))
    assert all(len(names) == 1 for names in inner)  # no thread started from inside a thread's work


def test_side_by_side_raises_the_error_and_starts_nothing_after_it(monkeypatch):
    monkeypatch.setattr(parallel, "spare_core", lambda: True)
    done: list[int] = []

    def work(i: int) -> None:
        if i == 0:
            raise ValueError("item 0 failed")
        time.sleep(0.01)
        done.append(i)

    before = threading.active_count()
    with pytest.raises(ValueError, match="item 0 failed"):
        parallel.side_by_side(work, range(50))
    assert len(done) <= 3  # the other thread took at most an item or two more, not the 49
    assert threading.active_count() == before


@pytest.mark.parametrize(
    ("cores", "load", "spare"),
    [(1, 0.0, False), (2, 0.2, True), (2, 1.5, True), (2, 1.6, False), (2, 7.0, False), (8, 6.0, True)],
)
def test_a_core_is_spare_on_two_cores_or_more_when_the_load_leaves_half_a_core(monkeypatch, cores, load, spare):
    monkeypatch.setattr(parallel, "cores_available", lambda: cores)
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (load, load, load))
    assert parallel.spare_core() is spare
