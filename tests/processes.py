"""Starting and stopping the servers the tests and benchmarks run: JupyterLab, the app (Voilà), JupyterHub.

Every harness (``tests/browser/conftest.py``'s lab, ``tests/browser/app.py``, ``tests/hub/harness.py``)
starts its server with :func:`start` and stops it with :func:`stop`, so each is stopped the same way:

- :func:`start` runs the command in a process group of its own, stdin closed, its output
  going to a log file;
- :func:`wait_for` polls a check until it holds, failing with the log's end when the process exits or
  the deadline passes;
- :func:`stop` sends SIGTERM to the group, waits a bounded time, then SIGKILLs the group and every
  process the server had started (kernels and hub services run in process groups of their own, so the group
  alone does not reach them), and waits, bounded, until they are gone;
- :func:`kill_processes_of` ends everything a throw-away system user still runs.

No wait here is without a deadline. Plain functions, no pytest: harnesses import them
(``from tests import processes``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

#: How long a server may take to stop after SIGTERM before it is killed.
GRACE_S = 30.0
#: How long killed processes may take to disappear.
KILL_WAIT_S = 10.0


class ProcessError(RuntimeError):
    """A server exited early or something it should do did not happen in time; the message holds its log's end."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    log_path: Path,
    cwd: str | os.PathLike | None = None,
) -> subprocess.Popen:
    """Run ``argv`` in a process group of its own, output (stdout and stderr) appended to ``log_path``."""
    with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def log_tail(log_path: Path | None, chars: int = 4000) -> str:
    """The end of a log file ('' when there is none)."""
    if log_path is None:
        return ""
    try:
        return log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


def wait_for(
    check: Callable[[], T],
    *,
    timeout: float,
    what: str,
    process: subprocess.Popen | None = None,
    log_path: Path | None = None,
    interval: float = 0.2,
) -> T:
    """Call ``check`` until it returns something true, and return that.

    Raises :class:`ProcessError` when ``process`` exits first or ``timeout`` seconds pass.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if process is not None and process.poll() is not None:
            raise ProcessError(f"{what}: the process exited with {process.returncode}\n{log_tail(log_path)}")
        if time.monotonic() >= deadline:
            raise ProcessError(f"{what}: not within {timeout:.0f} s\n{log_tail(log_path)}")
        time.sleep(interval)


# ------------------------------------------------------------------ the process table
def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state first), or None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _alive(pid: int, started: str | None = None) -> bool:
    """Whether ``pid`` runs (a zombie does not count), and is still the process that started at ``started``."""
    fields = _stat(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return False
    return started is None or fields[19] == started


def descendants(pid: int) -> list[tuple[int, str]]:
    """Every process below ``pid`` (children, their children...) as (pid, start time) pairs."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append((int(entry.name), fields[19]))
    found: list[tuple[int, str]] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


def _wait_gone(pids: list[tuple[int, str]], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while True:
        left = [pid for pid, started in pids if _alive(pid, started)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop(process: subprocess.Popen | None, *, grace: float = GRACE_S) -> None:
    """Stop a process started by :func:`start` and everything it started; bounded by ``grace`` + :data:`KILL_WAIT_S`.

    Raises :class:`ProcessError` if something it started still runs at the end.
    """
    if process is None:
        return
    family = descendants(process.pid)
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            family += descendants(process.pid)
    _signal_group(process.pid, signal.SIGKILL)  # whatever of its group is still there
    for pid, started in family:
        if _alive(pid, started):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=KILL_WAIT_S)
    left = _wait_gone(family, KILL_WAIT_S)
    if process.poll() is None or left:
        raise ProcessError(f"still running after stop: {[process.pid] if process.poll() is None else []} {left}")


def kill_processes_of(uid: int, *, timeout: float = KILL_WAIT_S) -> list[int]:
    """SIGKILL every process running as ``uid`` until none is left; the pids still there after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        running = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid == uid and _alive(int(entry.name)):
                    running.append(int(entry.name))
            except OSError:
                continue
        for pid in running:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if not running or time.monotonic() >= deadline:
            return running
        time.sleep(0.1)


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of ``pid`` and every process below it."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for member in [pid, *(p for p, _ in descendants(pid))]:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * page
    return total
