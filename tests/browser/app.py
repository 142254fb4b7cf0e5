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

    def __init__(self, base: Path):
        self.base = base
        self.workbook_path = base / "workbook.sqlite"
        self.home = base / "home"
        self.port = _free_port()
        self.log_path = base / "app.log"
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
        return [sys.executable, "-m", "workbook", "app", "--no-browser", f"--port={self.port}",
                f"--workbook={self.workbook_path}"]  # fmt: skip

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

    def voila_log(self) -> str:
        """What Voilà and its kernels wrote (kept in the app's private folder while it runs)."""
        return "".join(p.read_text(encoding="utf-8", errors="replace") for p in self.base.glob("runtime/*/voila.log"))

    def log(self) -> str:
        return processes.log_tail(self.log_path)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, step: str | None = None, *, token: bool = True) -> str:
        """The address of the app page (at a step, e.g. ``url("01_options_and_criteria")``)."""
        query = [f"step={app_session.step_slug(step)}"] if step else []
        query += [f"token={self.token}"] if token else []
        return f"{self.root}/?{'&'.join(query)}" if query else f"{self.root}/"

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


#: Each step and buttons of the forms it must show (with an option, a criterion and a planned conversation),
#: first to last: when the last shows, the step is shown whole.
STEPS = {
    "00_start_here": ["My workbook", "The demo (fictional example)"],
    "01_options_and_criteria": ["Save option", "Save criterion", "Add selected criteria", "Save weights"],
    "02_who_to_ask": ["Save contact", "Preview", "Save targets", "Find matches"],
    "03_ask_and_follow_up": ["Add as a conversation to ask", "Record"],
    "04_prepare": ["Add my question", "Save questions and prep sheet"],
    "05_capture": ["Mark done and save notes", "Save insight"],
    "06_compare_paths": ["Save these weights", "Back to saved weights"],
    "07_share_report": ["Save report"],
    "08_settings": ["Save settings", "Back to defaults"],
}


def view(page, step: str):
    """The view of ``step`` (``"06_compare_paths"``) in the app page, once built."""
    return page.locator(f".cw-view-{app_session.step_slug(step)}.cw-built")


#: True once the step's view is built and shown with every button named in ``ready``; notes the moment.
_SHOWN_JS = """([slug, ready]) => {
  const view = document.querySelector(`.cw-view-${slug}.cw-built`);
  if (!view || view.offsetParent === null) return false;
  const seen = new Set([...view.querySelectorAll("button")].filter(b => b.offsetParent !== null)
                                                           .map(b => b.textContent.trim()));
  if (!ready.every(name => seen.has(name))) return false;
  window.cwShownAt = performance.now();
  return true;
}"""


def wait_shown(page, step: str, *, ready: list[str] | str | None = None, timeout_s: float = STEP_READY_S) -> None:
    """Wait until ``step`` is shown in the app page with its ``ready`` buttons (checked at every frame)."""
    names = [ready] if isinstance(ready, str) else list(ready or [])
    page.wait_for_function(_SHOWN_JS, arg=[app_session.step_slug(step), names], polling="raf", timeout=timeout_s * 1000)


def open_step(
    page, server: AppServer, step: str, *, ready: list[str] | str | None = None, timeout_s: float = STEP_READY_S
) -> float:
    """Open the app page at ``step`` (its address) and wait until the step is shown (and ``ready`` buttons); seconds."""
    start = time.monotonic()
    page.goto(server.url(step), timeout=timeout_s * 1000)
    wait_shown(page, step, ready=ready, timeout_s=timeout_s)
    return time.monotonic() - start


def _click_step(page, step: str) -> float:
    """Click ``step`` in the step bar; the page's clock at the click, in milliseconds."""
    return page.evaluate(
        "(slug) => { const t = performance.now(); document.querySelector(`.cw-stepbar button.cw-goto-${slug}`).click();"
        " return t; }",
        app_session.step_slug(step),
    )


#: True once the step's view shows its first form or chart; notes the moment.
_FIRST_PART_JS = """(slug) => {
  const view = document.querySelector(`.cw-view-${slug}`);
  if (!view || view.offsetParent === null) return false;
  const part = [...view.querySelectorAll("button, input, select, textarea, img")].find(e => e.offsetParent !== null);
  if (!part) return false;
  window.cwFirstPartAt = performance.now();
  return true;
}"""


def show_step(page, step: str, *, ready: list[str] | str | None = None, timeout_s: float = STEP_READY_S) -> float:
    """Click ``step`` in the page's step bar and wait until it is shown (and ``ready`` buttons).

    Returns the seconds from the click to the first frame showing it, measured in the page.
    """
    clicked = _click_step(page, step)
    wait_shown(page, step, ready=ready, timeout_s=timeout_s)
    return (page.evaluate("() => window.cwShownAt") - clicked) / 1000


def show_step_timed(
    page, step: str, *, ready: list[str] | str | None = None, timeout_s: float = STEP_READY_S
) -> tuple[float, float]:
    """:func:`show_step`, returning the seconds until its first form or chart shows and until it is shown whole."""
    clicked = _click_step(page, step)
    slug = app_session.step_slug(step)
    page.wait_for_function(_FIRST_PART_JS, arg=slug, polling="raf", timeout=timeout_s * 1000)
    wait_shown(page, step, ready=ready, timeout_s=timeout_s)
    first, whole = page.evaluate("() => [window.cwFirstPartAt, window.cwShownAt]")
    return (first - clicked) / 1000, (whole - clicked) / 1000


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
