"""The no-code app against JupyterLab: the first page, every step, and the memory it holds.

App: ``career-workbook app`` on a workbook holding the demo's data. A person
opens the printed address in a new browser window (timed until the first step's
widgets show: the demo switch), then clicks every step in the step bar in turn
(timed until its first form or chart shows, and until the whole step shows: it
fills in as its notebook's cells run), then every step again (already built).
Step times are measured in the page, from the click to the first frame showing.
Memory is the resident size of the command, Voilà and its kernel(s), read after
the first page and after every step was shown.

Baselines, in the same run: JupyterLab in a new browser window on a fresh copy
of ``00_start_here`` (kernel started, Run All, until the same widget shows) for
the first page, and the memory of JupyterLab and that notebook's kernel; for a
step, a click on a step that is already built (the page's round trip). Both in
Debian's Chromium through Playwright, on temporary workbooks; medians.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path

from workbook import app_session, paths

from . import row

FIRST = "00_start_here"
#: The first page may take at most this many times as long as JupyterLab showing notebook 00.
FIRST_GOAL = 1.0
#: The app, everything it started included, in bytes.
MEMORY_BUDGET = 400 * 2**20
#: Seconds a step may take to show the first time it is opened.
STEP_BUDGET_S = 1.0
#: Seconds spent on the first page before the first click.
SETTLE_S = 5


def _chromium():
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import LAUNCH_ARGS, chromium_path

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium, or set $CHROMIUM)")
    driver = sync_playwright().start()
    return driver, driver.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, headless=True)


def rss_tree(pid: int) -> int:
    """Resident bytes of ``pid`` and every process under it."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        children.setdefault(int(fields["PPid"]), []).append(int(fields["Pid"]))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            text = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in text.splitlines() if line.startswith("VmRSS:")), 0)
    return total


def _time_lab(browser, lab, memory: list[int] | None = None) -> float:
    from tests.browser.conftest import VIEWPORT, fresh_copy
    from tests.browser.lab import NotebookPage

    folder = uuid.uuid4().hex[:8]
    source = paths.notebooks_dir() / f"{FIRST}.ipynb"
    fresh_copy(source, lab.root / folder / source.name)
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        notebook = NotebookPage(page, lab.notebook_url(f"{folder}/{source.name}", workspace=folder))
        start = time.monotonic()
        notebook.open(timeout_s=120)
        notebook.run_all(timeout_s=120)
        page.locator(".jp-OutputArea-output .cw-status").filter(visible=True).first.wait_for(timeout=60_000)
        seconds = time.monotonic() - start
        if memory is not None:
            memory.append(rss_tree(lab.process.pid))
        lab.shutdown_kernels()
        return seconds
    finally:
        context.close()


def _visit_app(browser, server, steps: list[str], parts: dict, first: dict, again: dict, memory: dict) -> float:
    """One person's visit: the first page, every step once, every step again. Returns the first page's seconds."""
    from tests.browser.app import STEPS, show_step, show_step_timed, wait_shown
    from tests.browser.conftest import VIEWPORT

    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        start = time.monotonic()
        page.goto(server.address, timeout=120_000)
        wait_shown(page, FIRST, ready=STEPS.get(FIRST), timeout_s=120)
        seconds = time.monotonic() - start
        time.sleep(SETTLE_S)  # a person reads the first page; the page imports what the steps need meanwhile
        memory.setdefault("first", []).append(rss_tree(server.process.pid))
        for step in steps[1:]:
            part, whole = show_step_timed(page, step, ready=STEPS.get(step))
            parts.setdefault(step, []).append(part)
            first.setdefault(step, []).append(whole)
        for step in steps:  # once round: a step built before another wrote to the workbook is built again
            show_step(page, step, ready=STEPS.get(step))
        for step in steps:
            again.setdefault(step, []).append(show_step(page, step, ready=STEPS.get(step)))
        memory.setdefault("all", []).append(rss_tree(server.process.pid))
        memory.setdefault("kernels", []).append(len(server.kernels()))
        page.goto("about:blank")  # the person leaves: the page's kernel is stopped
        return seconds
    finally:
        context.close()


def _wait_for_kernels(server, count: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while len(server.kernels()) > count and time.monotonic() < deadline:
        time.sleep(0.5)
    if len(server.kernels()) > count:
        raise RuntimeError(f"the app still runs {len(server.kernels())} kernels after the page was left")


def run(quick: bool = False) -> list[dict]:
    from tests.browser.app import AppServer
    from tests.browser.conftest import LabServer
    from workbook.demo import build_demo

    runs = 1 if quick else 3
    steps = [nb.stem for nb in app_session.steps(paths.notebooks_dir())]
    driver, browser = _chromium()
    lab_s: list[float] = []
    lab_memory: list[int] = []
    app_s: list[float] = []
    parts: dict[str, list[float]] = {}
    first: dict[str, list[float]] = {}
    again: dict[str, list[float]] = {}
    memory: dict[str, list[int]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="cw-bench-app-") as tmp:
            base = Path(tmp)
            lab = LabServer(base / "lab")
            lab.start()
            try:
                _time_lab(browser, lab)  # warm the file cache (not counted)
                for _ in range(runs):
                    lab_s.append(_time_lab(browser, lab, lab_memory))
            finally:
                lab.stop()

            app = AppServer(base / "app")
            build_demo(app.workbook_path).close()
            app.start()
            try:
                memory["started"] = [rss_tree(app.process.pid)]
                for _ in range(runs):
                    app_s.append(_visit_app(browser, app, steps, parts, first, again, memory))
                    _wait_for_kernels(app, 0)  # the page's kernel stops when the page is left
            finally:
                app.stop()
    finally:
        browser.close()
        driver.stop()
    return _rows(runs, steps, lab_s, lab_memory, app_s, parts, first, again, memory)


def _verdict(ok: bool) -> str:
    return "ok" if ok else "OVER BUDGET"


def _rows(runs, steps, lab_s, lab_memory, app_s, parts, first, again, memory) -> list[dict]:
    med = statistics.median
    lab, page = med(lab_s), med(app_s)
    round_trip = med([s for step in steps for s in again[step]])
    lab_mb = med(lab_memory)
    rows = [
        row(
            "app: first page shown",
            page,
            lab,
            f"new Chromium window until the demo switch shows, vs JupyterLab opening {FIRST} + Run All; median of "
            f"{runs}; budget {FIRST_GOAL:g}× JupyterLab: {_verdict(page <= FIRST_GOAL * lab)}",
        )
    ]
    steps_seen = (
        ("started", "before a page is open"),
        ("first", "after the first page"),
        ("all", "after every step was shown"),
    )
    for key, what in steps_seen:
        used = med(memory[key])
        kernels = f"; {med(memory['kernels']):g} kernel(s)" if key == "all" else ""
        note = (
            f"RSS of the command, Voilà and its kernels vs JupyterLab and notebook {FIRST}'s kernel{kernels}; "
            f"budget {MEMORY_BUDGET / 2**20:.0f} MB: {_verdict(used <= MEMORY_BUDGET)}"
        )
        rows.append({**row(f"app: memory {what}", used, lab_mb, note), "unit": "bytes"})
    for step in steps[1:]:
        seconds, part = med(first[step]), med(parts[step])
        rows.append(
            row(
                f"app: {step} first shown",
                seconds,
                round_trip,
                f"first visit: a click in the step bar until the whole step shows (its first form or chart after "
                f"{part:.2f} s), vs a click on a step already built; median of {runs}; budget {STEP_BUDGET_S:g} s: "
                f"whole step {_verdict(seconds <= STEP_BUDGET_S)}, first form {_verdict(part <= STEP_BUDGET_S)}",
            )
        )
    slowest = max(med(again[step]) for step in steps)
    rows.append(
        row(
            "app: a step shown again (slowest)",
            slowest,
            round_trip,
            f"every step clicked again, nothing changed since it was built; the slowest; budget {STEP_BUDGET_S:g} s: "
            f"{_verdict(slowest <= STEP_BUDGET_S)}",
        )
    )
    return rows
