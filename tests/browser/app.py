"""The no-code app (``career-workbook app``) started as a person starts it, on temporary folders.

:class:`AppServer` runs the real command in its own process group, reads the
address it prints, and stops it (with Voilà and its kernels) at the end. The
benchmarks use it too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests import processes
from workbook import app_session

READY_S = 90
#: How long a step may take to show its forms on a busy 2-core machine (kernel start and first cell).
STEP_READY_S = 90
_URL = re.compile(r"The app is at (http://\S+)")
_KERNEL = re.compile(r"kernel-([0-9a-f-]{36})\.json")
_free_port = processes.free_port


class AppServer:
    """``python -m workbook app --no-browser`` on a temporary workbook and user data folder."""

    def __init__(self, base: Path, *, preheat: bool = True):
        self.base = base
        self.workbook_path = base / "workbook.sqlite"
        self.home = base / "home"
        self.port = _free_port()
        self.log_path = base / "app.log"
        self.preheat = preheat
        self.address = ""  # what the command printed
        self.token = ""
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("config", "runtime", "ipython", "home"):
            (self.base / name).mkdir(parents=True, exist_ok=True)
        env.update(
            JUPYTER_CONFIG_DIR=str(self.base / "config"),
            JUPYTER_RUNTIME_DIR=str(self.base / "runtime"),
            IPYTHONDIR=str(self.base / "ipython"),
            CAREER_WORKBOOK=str(self.workbook_path),  # also given with --workbook below
            CAREER_WORKBOOK_HOME=str(self.home),  # the demo workbook goes here
            MPLBACKEND="module://matplotlib_inline.backend_inline",
        )
        env.pop(app_session.STATE_ENV_VAR, None)
        return env

    def argv(self) -> list[str]:
        argv = [sys.executable, "-m", "workbook", "app", "--no-browser", f"--port={self.port}",
                f"--workbook={self.workbook_path}"]  # fmt: skip
        return argv if self.preheat else [*argv, "--no-preheat"]

    def start(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.process = processes.start(self.argv(), env=self.environment(), log_path=self.log_path)
        try:
            found = processes.wait_for(
                lambda: _URL.search(processes.log_tail(self.log_path, 100_000)),
                timeout=READY_S, what="career-workbook app printing its address",
                process=self.process, log_path=self.log_path,
            )  # fmt: skip
        except processes.ProcessError:
            self.stop()
            raise
        self.address = found.group(1)
        self.token = dict(p.split("=", 1) for p in urlsplit(self.address).query.split("&"))["token"]

    def log(self) -> str:
        return processes.log_tail(self.log_path)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, step: str, *, token: bool = True) -> str:
        """The address of a step, e.g. ``url("01_options_and_criteria")``."""
        address = f"{self.root}/voila/render/{step}.ipynb"
        return f"{address}?token={self.token}" if token else address

    def processes(self) -> list[int]:
        """The command's process and every process under it (Voilà, its kernels)."""
        return [self.process.pid, *(pid for pid, _ in processes.descendants(self.process.pid))]

    def kernels(self) -> list[str]:
        """The ids of the kernels the app's Voilà server runs now (from their processes' connection files)."""
        table = subprocess.run(
            ["ps", "-ww", "-eo", "pid=,ppid=,args="], capture_output=True, text=True, check=True
        ).stdout
        rows = [line.split(None, 2) for line in table.splitlines() if len(line.split(None, 2)) == 3]
        voila = {pid for pid, ppid, _ in rows if int(ppid) == self.process.pid}
        return [m.group(1) for _, ppid, args in rows if ppid in voila for m in [_KERNEL.search(args)] if m]

    def stop(self) -> None:
        """Stop the command, Voilà and its kernels (see :func:`tests.processes.stop`)."""
        process, self.process = self.process, None
        processes.stop(process)


def open_step(
    page, server: AppServer, step: str, *, ready: str | None = None, timeout_s: float = STEP_READY_S
) -> float:
    """Open a step in ``page`` and wait until it has rendered (and the button ``ready`` shows); return seconds."""
    start = time.monotonic()
    page.goto(server.url(step), timeout=timeout_s * 1000)
    page.locator("#rendered_cells").wait_for(state="visible", timeout=timeout_s * 1000)
    if ready:
        button(page, ready).wait_for(state="visible", timeout=timeout_s * 1000)
    return time.monotonic() - start


def button(page, text: str):
    """The first visible widget button reading ``text`` (its icon, if any, has no text)."""
    return page.locator("button", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).filter(visible=True).first


def foreign_requests(urls: list[str]) -> list[str]:
    """The requests that went anywhere but 127.0.0.1 (``data:`` URLs stay in the page)."""
    foreign = []
    for url in urls:
        if url.startswith("data:"):
            continue
        inner = url.removeprefix("blob:")
        if urlsplit(inner).hostname != "127.0.0.1":
            foreign.append(url)
    return foreign
