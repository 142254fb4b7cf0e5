"""The first page speaks to people who never saw code, and no text counts the notebooks by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from workbook import app_session, paths
from workbook.forms.switch import DemoSwitch

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: What a person who never saw code should not meet in the app: the notebooks' settings and their values.
CODE_WORDS = re.compile(r"`(use_demo|workbook_path|None|True|False)\b|\$CAREER_WORKBOOK|use_demo\s*=")


def _markdown(path: Path) -> list[tuple[list[str], str]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(c["metadata"].get("tags", []), "".join(c["source"])) for c in cells if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_words_are_only_in_cells_for_jupyterlab(path):
    """The app hides the cells tagged lab-only; everything else reads without code."""
    for tags, text in _markdown(path):
        if "lab-only" not in tags:
            assert not CODE_WORDS.search(text), f"{path.name}: {CODE_WORDS.search(text).group(0)!r} in {text[:80]!r}"


def test_the_first_page_still_tells_jupyterlab_users_how():
    lab = " ".join(text for tags, text in _markdown(NOTEBOOKS[0]) if "lab-only" in tags)
    assert "`use_demo`" in lab and "`workbook_path`" in lab and "career-workbook report --demo" in lab


#: A number of notebooks or steps of the method written out (there are nine or so): it goes stale the day
#: a notebook is added. Distances on the scale ("0.05 steps") and small counts ("two pages") are not that.
COUNTED = re.compile(
    r"(?<![\d.])\b(five|six|seven|eight|nine|ten|eleven|twelve|[5-9]|1\d)\s+(guided\s+)?(notebooks|steps)\b", re.I
)


def _texts():
    yield "README.md", (ROOT / "README.md").read_text(encoding="utf-8")
    yield "ARCHITECTURE.md", (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        yield path.name, "\n".join(text for _, text in _markdown(path))
    for path in sorted((ROOT / "workbook").rglob("*.py")):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def test_no_text_counts_the_notebooks_by_hand():
    found = [f"{name}: {m.group(0)!r}" for name, text in _texts() for m in COUNTED.finditer(text)]
    assert found == []


def test_in_the_app_the_switch_says_what_it_does_and_where_both_files_are(tmp_path, monkeypatch):
    monkeypatch.setenv(app_session.STATE_ENV_VAR, str(tmp_path / "choice"))
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "mine <b>.sqlite"))
    switch = DemoSwitch()
    about = BeautifulSoup(switch.about.value, "html.parser").get_text(" ")
    assert str(tmp_path / "mine <b>.sqlite") in about  # shown as written, never as markup
    assert str(paths.default_demo_path()) in about
    assert "fictional example" in about and "never touches your own notes" in about
    assert not CODE_WORDS.search(about) and "use_demo" not in about
