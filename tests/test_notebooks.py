"""The guided notebooks share one outline, stay thin, and are committed clean."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _headings(path: Path) -> list[str]:
    return [
        line
        for cell in _cells(path)
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
        if re.match(r"#{1,2} ", line)
    ]


def test_there_are_nine_guided_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(9)]


def _what_is_next(path: Path) -> str:
    text = "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")
    return text.split("## What is next", 1)[1]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_what_is_next_links_to_the_next_notebook(path):
    links = re.findall(r"\[[^\]]+\]\(([^)]+\.ipynb)\)", _what_is_next(path))
    names = {p.name for p in NOTEBOOKS}
    assert links, "'What is next' has no link"
    assert set(links) <= names, f"links to missing notebooks: {set(links) - names}"
    following = NOTEBOOKS[(NOTEBOOKS.index(path) + 1) % len(NOTEBOOKS)].name
    assert following in links, f"'What is next' should link to {following}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_follows_the_outline(path):
    heads = _headings(path)
    assert re.fullmatch(rf"# {path.name[:2]} · \S.*", heads[0]), heads[0]
    assert heads[1:3] == ["## What you will do and why", "## Before you start"]
    steps = heads[3:-2]
    assert steps, "at least one step"
    for n, head in enumerate(steps, start=1):
        assert re.fullmatch(rf"## Step {n} · [A-Z].*", head), head
    assert heads[-2:] == ["## Summary", "## What is next"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_is_committed_clean_and_thin(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in raw["metadata"]
    code = [c for c in raw["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None
        tree = ast.parse("".join(cell["source"]))
        defined = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not defined, "helpers belong in the package, not in a notebook"
