"""The no-code app against JupyterLab: how long until the first step's widgets are all shown.

App: ``career-workbook app`` (with and without preheated kernels), a person
opens the printed address of ``00_start_here`` in a new browser window; timed
until the demo switch (the step's only widget) is shown. Baseline: JupyterLab on
a fresh copy of the same notebook, opened in a new browser window, Run All,
timed until every cell ran and the same widget is shown. Both in Debian's
Chromium through Playwright, on new temporary workbooks; medians.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path

from workbook import paths

from . import row

GOAL = 1.5  # the app may take at most this many times as long as JupyterLab
FIRST = "00_start_here"
#: After each visit the app starts a new kernel for the step; let it get ready before the next measurement.
SETTLE_S = 20


def _chromium():
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import LAUNCH_ARGS, chromium_path

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium, or set $CHROMIUM)")
    driver = sync_playwright().start()
    return driver, driver.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, headless=True)


def _time_app(browser, server) -> float:
    from tests.browser.app import button, open_step
    from tests.browser.conftest import VIEWPORT

    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        start = time.monotonic()
        open_step(page, server, FIRST)
        button(page, "My workbook").wait_for(state="visible", timeout=120_000)
        return time.monotonic() - start
    finally:
        context.close()


def _time_lab(browser, lab) -> float:
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
        lab.shutdown_kernels()
        return seconds
    finally:
        context.close()


def _wait_for_pools(server, steps: int, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while len(server.kernels()) < steps and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(SETTLE_S)  # the kernels' imports


def run(quick: bool = False) -> list[dict]:
    from tests.browser.app import AppServer
    from tests.browser.conftest import LabServer

    runs = 1 if quick else 3
    steps = len(list(paths.notebooks_dir().glob("[0-9][0-9]_*.ipynb")))
    driver, browser = _chromium()
    lab_s: list[float] = []
    app_s: list[float] = []
    cold_s: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="cw-bench-app-") as tmp:
            base = Path(tmp)
            lab = LabServer(base / "lab")
            lab.start()
            try:
                _time_lab(browser, lab)  # warm the file cache (not counted)
                for _ in range(runs):
                    lab_s.append(_time_lab(browser, lab))
            finally:
                lab.stop()

            cold = AppServer(base / "app-cold", preheat=False)
            cold.start()
            try:
                for _ in range(runs):
                    cold_s.append(_time_app(browser, cold))
                    time.sleep(2)  # the page's kernel is shut down when it is left
            finally:
                cold.stop()

            app = AppServer(base / "app")
            app.start()
            try:
                _wait_for_pools(app, steps)
                for _ in range(runs):
                    app_s.append(_time_app(browser, app))
                    time.sleep(SETTLE_S)
            finally:
                app.stop()
    finally:
        browser.close()
        driver.stop()

    lab_median = statistics.median(lab_s)
    app_median = statistics.median(app_s)
    verdict = "ok" if app_median <= GOAL * lab_median else "OVER BUDGET"
    what = f"{FIRST} in a new Chromium window until its widget shows; median of {runs}"
    return [
        row(
            "app: first step shown (kernels preheated)",
            app_median,
            lab_median,
            f"vs JupyterLab opening {FIRST} + Run All; {what}; goal {GOAL}×: {verdict}",
        ),
        row(
            "app: first step shown (--no-preheat)",
            statistics.median(cold_s),
            lab_median,
            f"vs JupyterLab opening {FIRST} + Run All; {what}",
        ),
    ]
