"""Browser fixtures: one JupyterLab server and one Chromium per session, a new page per test.

The server runs on a free port with its own config, settings and workspace
folders, on a temporary folder holding fresh copies of the guided notebooks,
and with ``$CAREER_WORKBOOK`` pointing at a temporary workbook (kernels inherit
it). Without Chromium or Playwright the tests are skipped, except on CI
(``$CI`` set) where that is a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from tests import processes
from workbook import paths
from workbook.cli import launch

from .lab import NotebookPage

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Hides the "Jupyter news" toast that would cover the lower right corner.
SETTINGS_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
SERVER_READY_S = 60


def unavailable(reason: str) -> None:
    """Skip the calling test when what it needs is missing here; fail it on CI, where browser tests must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; browser tests must run on CI", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    """``$CHROMIUM`` if set, else the first Chromium on ``PATH``."""
    explicit = os.environ.get("CHROMIUM", "").strip()
    if explicit:
        return explicit if Path(explicit).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


#: When this process started collecting: screenshots older than that are from an earlier run.
_STARTED = time.time()


@pytest.fixture(scope="session")
def artifacts(pytestconfig) -> Path:
    """``test-artifacts/`` at the project root: screenshots kept after the run.

    Under xdist every worker has this fixture; each removes only what an earlier run left, never a
    screenshot another worker of this run has just taken.
    """
    folder = pytestconfig.rootpath / "test-artifacts"
    folder.mkdir(exist_ok=True)
    for stale in folder.glob("FAILED-*.png"):
        with contextlib.suppress(FileNotFoundError):  # another worker may remove it first
            if stale.stat().st_mtime < _STARTED:
                stale.unlink()
    return folder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


VIEWPORT = {"width": 1400, "height": 1000}


def _watched(page):
    """Record the page's console errors, dialogs (dismissed) and requests on the page itself."""
    page.console_errors, page.dialogs, page.requests = [], [], []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))

    def on_dialog(dialog):
        page.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


def _keep_screenshot_if_failed(page, request, artifacts: Path) -> None:
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=str(artifacts / f"FAILED-{request.node.name}.png"), full_page=True)


@pytest.fixture
def page(browser, request, artifacts):
    """A new page in a fresh browser context, recording console errors, dialogs and requests.

    A screenshot of a failed test is kept in ``test-artifacts/``.
    """
    context = browser.new_context(viewport=VIEWPORT)
    page = _watched(context.new_page())
    yield page
    _keep_screenshot_if_failed(page, request, artifacts)
    context.close()


@pytest.fixture(scope="session")
def lab_context(browser):
    """One browser context for every JupyterLab page: lab's scripts come from its cache after the first."""
    context = browser.new_context(viewport=VIEWPORT)
    yield context
    context.close()


@pytest.fixture
def lab_page(lab_context, request, artifacts):
    """A new page for one test in JupyterLab, recording like :func:`page`."""
    page = _watched(lab_context.new_page())
    yield page
    _keep_screenshot_if_failed(page, request, artifacts)
    page.close()


# -------------------------------------------------------------------- lab
_free_port = processes.free_port


def fresh_copy(source: Path, target: Path) -> Path:
    """Copy a notebook with every output, execution count and widget state removed."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


class LabServer:
    """A JupyterLab server in its own process group, on temporary folders."""

    def __init__(self, base: Path):
        self.base = base
        self.root = base / "root"
        self.workbook_path = base / "workbook.sqlite"
        self.token = uuid.uuid4().hex
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / "lab.log"
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("config", "workspaces", "user-settings", "runtime", "ipython", "home"):
            (self.base / name).mkdir(parents=True, exist_ok=True)
        env.update(
            JUPYTER_CONFIG_DIR=str(self.base / "config"),
            JUPYTERLAB_WORKSPACES_DIR=str(self.base / "workspaces"),
            JUPYTERLAB_SETTINGS_DIR=str(self.base / "user-settings"),
            JUPYTER_RUNTIME_DIR=str(self.base / "runtime"),
            IPYTHONDIR=str(self.base / "ipython"),
            CAREER_WORKBOOK=str(self.workbook_path),
            CAREER_WORKBOOK_HOME=str(self.base / "home"),
            MPLBACKEND="module://matplotlib_inline.backend_inline",
            # as career-workbook lab runs it: the package's kernel spec first (widgets' comm targets at start)
            JUPYTER_PATH=launch.jupyter_path(env.get("JUPYTER_PATH", "")),
        )
        return env

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        app_settings = self.base / "app-settings"
        app_settings.mkdir(parents=True, exist_ok=True)
        (app_settings / "overrides.json").write_text(json.dumps(SETTINGS_OVERRIDES), encoding="utf-8")
        argv = [
            sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser",
            f"--port={self.port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            f"--LabApp.app_settings_dir={app_settings}", "--expose-app-in-browser",
        ]  # fmt: skip
        self.process = processes.start(argv, env=self.environment(), log_path=self.log_path)

        def answers() -> bool:
            try:
                self.api("GET", "/api/status")
            except (urllib.error.URLError, ConnectionError):
                return False
            return True

        try:
            processes.wait_for(
                answers,
                timeout=SERVER_READY_S,
                what="JupyterLab answering",
                process=self.process,
                log_path=self.log_path,
            )
        except processes.ProcessError:
            self.stop()
            raise

    def log(self) -> str:
        return processes.log_tail(self.log_path)

    def api(self, method: str, path: str, body: dict | None = None):
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def start_kernel(self, relative: str) -> threading.Thread:
        """Start the notebook's kernel in the background while the page loads (lab then joins it)."""
        session = {"path": relative, "name": relative.rsplit("/", 1)[-1], "type": "notebook",
                   "kernel": {"name": "python3"}}  # fmt: skip
        thread = threading.Thread(target=self.api, args=("POST", "/api/sessions", session), daemon=True)
        thread.start()
        return thread

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def stop(self) -> None:
        """Stop the server and its kernels (see :func:`tests.processes.stop`)."""
        process, self.process = self.process, None
        processes.stop(process)

    def notebook_url(self, relative: str, workspace: str) -> str:
        return f"{self.url}/lab/workspaces/{workspace}/tree/{relative}?reset&token={self.token}"


@pytest.fixture(scope="session")
def lab(browser, tmp_path_factory):
    """A running JupyterLab server (started after the browser, so a missing browser skips first)."""
    server = LabServer(tmp_path_factory.mktemp("lab"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def lab_workbook(lab):
    """The workbook every kernel of the lab server opens (``$CAREER_WORKBOOK``)."""
    from workbook import open_workbook

    book = open_workbook(lab.workbook_path)
    yield book
    book.close()


@pytest.fixture
def open_notebook(lab, lab_page, request):
    """``open_notebook("01_options_and_criteria")`` opens a fresh copy in lab, ready to run."""
    opened: list[NotebookPage] = []

    def opener(name: str) -> NotebookPage:
        folder = f"{request.node.name.replace('[', '-').replace(']', '')}-{len(opened)}"
        source = paths.notebooks_dir() / f"{name}.ipynb"
        assert source.exists(), f"no notebook {source.name} in notebooks/"
        fresh_copy(source, lab.root / folder / source.name)
        relative = f"{folder}/{source.name}"
        notebook = NotebookPage(lab_page, lab.notebook_url(relative, workspace=uuid.uuid4().hex[:12]))
        starting = lab.start_kernel(relative)
        notebook.open()
        starting.join(timeout=SERVER_READY_S)
        opened.append(notebook)
        return notebook

    yield opener
    for notebook in opened:  # kept in the JUnit XML report, to see where the time goes
        request.node.user_properties.extend(notebook.timings.items())
    lab.shutdown_kernels()
