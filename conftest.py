"""Test session set-up shared by unit tests and notebook runs.

Before anything runs, ``$CAREER_WORKBOOK`` and ``$CAREER_WORKBOOK_HOME`` point
into a temporary folder, so neither the tests nor the notebook kernels (which
inherit this environment) can touch a real user's workbook.

Every guided notebook is run twice under nbval: on a fresh, empty workbook
(nbval's own collector) and on a copy of the demo workbook (``[demo]``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

#: Notebooks kept as test data (the previous release's) are run by their own test, not collected by nbval.
collect_ignore_glob = ["tests/data/*"]

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="career-workbook-tests-"))
os.environ["CAREER_WORKBOOK_HOME"] = str(_SESSION_DIR / "home")
os.environ["CAREER_WORKBOOK"] = str(_SESSION_DIR / "fresh" / "workbook.sqlite")
os.environ.setdefault("MPLBACKEND", "Agg")


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
            return DemoNotebook.from_parent(parent, path=file_path, name=f"{file_path.name}[demo]")
        return None


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)
