"""Light commands start light: `--help`, `info`, `due` and friends never load pandas, matplotlib, scipy or Jinja2.

Each command runs in a fresh Python process (as a person runs it), and the
process reports which of the heavy libraries ended up in ``sys.modules``.
The report command, which needs them, is run the same way to show the check sees them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import workbook

#: The checkout (or install) under test, put first on the child's path so it runs the same code.
SOURCE = str(Path(workbook.__file__).resolve().parent.parent)

#: Libraries a light command must not import (each costs tens of MB and a large part of a second).
HEAVY = ("pandas", "matplotlib", "scipy", "jinja2", "numpy", "ipywidgets", "IPython")

#: Runs ``career-workbook ARGS`` in this process, then writes the heavy modules it loaded to $LOADED_TO.
_RUN = """
import json, os, sys
from workbook.cli.main import cli
try:
    cli.main(args=sys.argv[1:], prog_name="career-workbook")
except SystemExit as exc:
    code = exc.code or 0
else:
    code = 0
with open(os.environ["LOADED_TO"], "w") as fh:
    json.dump({"code": code, "loaded": sorted(m for m in HEAVY if m in sys.modules)}, fh)
""".replace("HEAVY", repr(HEAVY))


def loaded_by(args: list[str], tmp_path, statement: str = _RUN) -> list[str]:
    """The heavy modules a fresh process has loaded after running ``career-workbook args`` (which must succeed)."""
    record = tmp_path / "loaded.json"
    path = os.pathsep.join(p for p in (SOURCE, os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "LOADED_TO": str(record), "MPLBACKEND": "Agg", "PYTHONPATH": path}
    done = subprocess.run(
        [sys.executable, "-c", statement, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(record.read_text())
    assert result["code"] == 0, done.stdout + done.stderr
    return result["loaded"]


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    from workbook.demo import build_demo

    path = tmp_path_factory.mktemp("light") / "demo.sqlite"
    build_demo(path, overwrite=True).close()
    return path


LIGHT = {
    "help": ["--help"],
    "version": ["--version"],
    "report --help": ["report", "--help"],
    "export --help": ["export", "--help"],
    "import-linkedin --help": ["import-linkedin", "--help"],
    "import-contacts --help": ["import-contacts", "--help"],
    "app --help": ["app", "--help"],
    "lab --help": ["lab", "--help"],
    "info": ["info", "--workbook", "{demo}"],
    "due": ["due", "--workbook", "{demo}", "--on", "2026-12-01"],
    "calendar": ["calendar", "--workbook", "{demo}", "-o", "{tmp}/interviews.ics"],
    "backup": ["backup", "--workbook", "{demo}", "-o", "{tmp}/copy.sqlite"],
    "demo": ["demo", "--workbook", "{tmp}/another-demo.sqlite"],
}


@pytest.mark.parametrize("name", LIGHT)
def test_a_light_command_loads_no_heavy_library(name, demo_path, tmp_path):
    args = [a.format(demo=demo_path, tmp=tmp_path) for a in LIGHT[name]]
    assert loaded_by(args, tmp_path) == []


def test_restore_loads_no_heavy_library(demo_path, tmp_path):
    args = ["restore", "--yes", "--workbook", str(tmp_path / "restored.sqlite"), str(demo_path)]
    assert loaded_by(args, tmp_path) == []
    assert (tmp_path / "restored.sqlite").exists()


def test_import_workbook_and_saving_load_no_heavy_library(tmp_path):
    statement = f"""
import json, os, sys
from workbook import open_workbook
with open_workbook(sys.argv[1]) as wb:
    o = wb.add_option("UX research")
    c = wb.add_criterion("Pay", 2)
    wb.add_insight(o, c, 1)
with open(os.environ["LOADED_TO"], "w") as fh:
    json.dump({{"code": 0, "loaded": sorted(m for m in {HEAVY!r} if m in sys.modules)}}, fh)
"""
    assert loaded_by([str(tmp_path / "wb.sqlite")], tmp_path, statement) == []


def test_the_check_sees_a_command_that_needs_the_heavy_libraries(demo_path, tmp_path):
    """The report draws charts from DataFrames: the same check finds pandas, matplotlib and Jinja2 there."""
    loaded = loaded_by(["report", "--workbook", str(demo_path), "-o", str(tmp_path / "r.html")], tmp_path)
    assert {"pandas", "matplotlib", "jinja2"} <= set(loaded)


def test_reading_a_table_as_a_dataframe_still_works_in_a_light_process(tmp_path):
    """pandas comes in when a table is first read as a DataFrame, and the frame is typed as before."""
    statement = """
import json, os, sys
from workbook import open_workbook
with open_workbook(sys.argv[1]) as wb:
    wb.add_option("UX research")
    before = "pandas" in sys.modules
    frame = wb.options()
    ok = (not before) and "pandas" in sys.modules and str(frame["id"].dtype) == "int64"
with open(os.environ["LOADED_TO"], "w") as fh:
    json.dump({"code": 0 if ok else 1, "loaded": []}, fh)
"""
    assert loaded_by([str(tmp_path / "wb.sqlite")], tmp_path, statement) == []


def test_the_report_command_imports_only_what_it_draws_with(demo_path, tmp_path):
    """The report command, run as the program runs it, draws with matplotlib's figures alone: no pyplot
    (windows, a backend to choose), no scipy; and its artist classes come without the property list
    matplotlib writes into each one's ``set`` (about 0.15 s of a start), which is put back afterwards."""
    statement = """
import json, os, sys
from workbook.cli import main
sys.argv = ["career-workbook", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
else:
    code = 0
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.text import Text
loaded = sorted(m for m in ("matplotlib.pyplot", "scipy") if m in sys.modules)
if Line2D.set.__doc__ is not None or Text.set.__doc__ is not None:
    loaded.append("artist property lists")
hook = Artist.__dict__["_update_set_signature_and_docstring"]
if hook.__func__.__module__ != "matplotlib.artist":
    loaded.append("the hook was not put back")
with open(os.environ["LOADED_TO"], "w") as fh:
    json.dump({"code": code, "loaded": loaded}, fh)
"""
    out = tmp_path / "r.html"
    assert loaded_by(["report", "--workbook", str(demo_path), "-o", str(out)], tmp_path, statement) == []
    assert out.stat().st_size > 10_000
