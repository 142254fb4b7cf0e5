"""Test session set-up shared by unit tests and notebook runs.

Before anything runs, ``$CAREER_WORKBOOK`` and ``$CAREER_WORKBOOK_HOME`` point
into a temporary folder, so neither the tests nor the notebook kernels (which
inherit this environment) can touch a real user's workbook.

Every guided notebook is run twice under nbval: on a fresh, empty workbook
(nbval's own collector) and on a copy of the demo workbook (``[demo]``).

The suite runs in parallel with pytest-xdist (``-n auto`` in README.md, with
``--dist loadgroup`` from pyproject.toml). Each worker is a separate process with its own temporary
folder, workbooks, ports, JupyterLab and Chromium. Tests that must share one
process stay together: the cells of one notebook run (one kernel), the app's
tests (one app for the module) and the hub's (one hub for each module, one module after the other).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

#: Notebooks kept as test data (the previous release's) are run by their own test, not collected by nbval.
collect_ignore_glob = ["tests/data/*"]

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="career-workbook-tests-"))
os.environ["CAREER_WORKBOOK_HOME"] = str(_SESSION_DIR / "home")
os.environ["CAREER_WORKBOOK"] = str(_SESSION_DIR / "fresh" / "workbook.sqlite")
os.environ.setdefault("MPLBACKEND", "Agg")

try:  # Property tests: on CI the same examples every run (a failure there is a real one, reproducible);
    # on a developer's machine new random examples each run, to keep finding cases.
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI"):
        _hypothesis_settings.load_profile("ci")
except ImportError:  # hypothesis comes with the test extra
    pass


def _demo_copy() -> Path:
    """A demo workbook built once per session; each notebook gets its own copy."""
    built = _SESSION_DIR / "demo-master.sqlite"
    if not built.exists():
        from workbook.demo import build_demo

        build_demo(built, overwrite=True).close()
    return built


try:
    from nbval.plugin import IPyNbFile
except ImportError:  # nbval not installed: notebooks are not collected at all
    IPyNbFile = None


if IPyNbFile is not None:

    class DemoNotebook(IPyNbFile):
        """A guided notebook run against a private copy of the demo workbook."""

        def setup(self):
            target = _SESSION_DIR / "demo" / f"{Path(str(self.fspath)).stem}.sqlite"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(_demo_copy(), target)
            previous = os.environ["CAREER_WORKBOOK"]
            os.environ["CAREER_WORKBOOK"] = str(target)
            try:
                super().setup()  # the kernel starts here and inherits the environment
            finally:
                os.environ["CAREER_WORKBOOK"] = previous

    def pytest_collect_file(file_path, parent):
        opt = parent.config.option
        if (getattr(opt, "nbval", False) or getattr(opt, "nbval_lax", False)) and file_path.suffix == ".ipynb":
            name = f"{file_path.name}[demo]"  # its own node id, so xdist runs both the fresh and the demo run
            nodeid = f"{parent.nodeid}/{name}" if parent.nodeid else name
            return DemoNotebook.from_parent(parent, path=file_path, name=name, nodeid=nodeid)
        return None


#: Test modules whose tests share something expensive (a module-scoped server, a cached simulation): one
#: worker runs all of them.
_ONE_WORKER_MODULES = {
    "tests/browser/test_app.py": "app",
    "tests/hub/test_hub.py": "hub",
    "tests/hub/test_hub_oauth.py": "hub",  # a hub of its own: two hubs at once would share two cores
    # Each simulated setting is measured once per process (functools.cache) and read by three tests.
    "tests/test_evidence_calibration.py": "calibration",
}


def _xdist_group(item) -> str | None:
    """The group an item must run in with others on one worker, or None (any worker)."""
    if IPyNbFile is not None and isinstance(item.parent, IPyNbFile):
        # A notebook's cells run in order in one kernel; [demo] is a second run. xdist ignores a group
        # name ending in "]" (it takes it for a test parameter), so the brackets go.
        return item.parent.nodeid.replace("[", " ").replace("]", "")
    return _ONE_WORKER_MODULES.get(item.nodeid.split("::", 1)[0])


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    seen: set[str] = set()
    twice = sorted({i.nodeid for i in items if i.nodeid in seen or seen.add(i.nodeid)})
    if twice:  # xdist keeps one test per node id: the others would silently not run
        raise pytest.UsageError(f"{len(twice)} tests share a node id with another, e.g. {twice[0]}")
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        group = _xdist_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)
