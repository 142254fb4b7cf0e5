"""The names the guided notebooks use are pinned, and a user's copied notebooks upgrade without losing edits."""

from __future__ import annotations

import ast
import importlib
import json
import os
import shutil
import sys
import types
from pathlib import Path

import nbformat
import pytest

from workbook.cli import launch
from workbook.compat import MovedNameWarning, moved
from workbook.notebook import NOTEBOOK_API
from workbook.store.readable import Readable

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "notebooks").glob("*.ipynb"))
PREVIOUS = sorted((ROOT / "tests" / "data" / "previous_notebooks").glob("*.ipynb"))


def resolve(dotted: str) -> object:
    """The object a dotted name stands for (a module, or an attribute of one)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(dotted)


def _code(notebook: Path) -> list[ast.Module]:
    out = []
    for cell in nbformat.read(notebook, 4).cells:
        if cell.cell_type == "code":
            lines = [line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))]
            out.append(ast.parse("\n".join(lines)))
    return out


def _dotted(node: ast.AST) -> list[str]:
    """``a.b.c`` as ["a", "b", "c"] (empty when it is not a plain dotted name)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return [node.id, *reversed(parts)] if isinstance(node, ast.Name) else []


def names_used(notebook: Path) -> set[str]:
    """Every ``workbook`` name a notebook imports, and every attribute it reads off an imported module."""
    used: set[str] = set()
    for tree in _code(notebook):
        bound: dict[str, str] = {}  # local name -> dotted name it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workbook"):
                bound.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
            elif isinstance(node, ast.Import):
                bound.update(
                    {
                        (a.asname or a.name).split(".")[0]: a.asname and a.name or a.name.split(".")[0]
                        for a in node.names
                        if a.name.startswith("workbook")
                    }
                )
        used |= set(bound.values())
        for node in ast.walk(tree):
            parts = _dotted(node) if isinstance(node, ast.Attribute) else []
            if parts and parts[0] in bound:
                dotted = bound[parts[0]]
                for attr in parts[1:]:
                    if not isinstance(resolve(dotted), types.ModuleType):
                        break
                    dotted = f"{dotted}.{attr}"
                used.add(dotted)
    return {name for name in used if not isinstance(resolve(name), types.ModuleType)}


@pytest.mark.parametrize("name", NOTEBOOK_API)
def test_every_notebook_facing_name_imports(name):
    assert resolve(name) is not None


@pytest.mark.parametrize("notebook", SHIPPED + PREVIOUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_notebooks_use_only_pinned_names(notebook):
    unpinned = names_used(notebook) - set(NOTEBOOK_API)
    assert not unpinned, f"{notebook.name} uses names not listed in workbook.notebook.NOTEBOOK_API: {unpinned}"


def test_architecture_lists_the_notebook_facing_names():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [name for name in NOTEBOOK_API if f"`{name}`" not in text]
    assert not missing, missing


def test_the_previous_release_is_kept_as_the_notebooks_users_may_still_have():
    assert [p.name for p in PREVIOUS] == [p.name for p in SHIPPED]


@pytest.mark.slow
@pytest.mark.parametrize("notebook", PREVIOUS, ids=lambda p: p.name)
def test_the_previous_releases_notebooks_run_against_this_package(notebook, tmp_path, monkeypatch):
    """A user's copies are kept across upgrades (edited ones never replaced): last release's must still run."""
    from nbclient import NotebookClient

    from workbook.demo import build_demo

    build_demo(tmp_path / "demo.sqlite", overwrite=True).close()
    mine = tmp_path / "workbook.sqlite"
    shutil.copy(tmp_path / "demo.sqlite", mine)
    monkeypatch.setenv("CAREER_WORKBOOK", str(mine))
    book = nbformat.read(notebook, 4)
    client = NotebookClient(book, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [
        f"{o['ename']}: {o['evalue']}"
        for cell in book.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, errors


# ------------------------------------------------------------- moved names
def test_a_moved_name_keeps_working_at_its_old_place_with_a_notice(monkeypatch):
    old = types.ModuleType("workbook_old_place")
    old.__getattr__ = moved("workbook_old_place", {"Form": ("workbook.forms.options", "OptionsForm", "0.2")})
    monkeypatch.setitem(sys.modules, "workbook_old_place", old)
    with pytest.warns(MovedNameWarning, match=r"workbook_old_place.Form moved to workbook.forms.options.OptionsForm"):
        from workbook_old_place import Form  # type: ignore[import-not-found]
    from workbook.forms.options import OptionsForm

    assert Form is OptionsForm
    assert issubclass(MovedNameWarning, FutureWarning)  # shown in notebooks, unlike a DeprecationWarning
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        old.Nothing  # noqa: B018


# ------------------------------------------------------------- copied notebooks
def _notebook(path: Path, *cells: str) -> Path:
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(book, path)
    return path


@pytest.fixture
def release(tmp_path, monkeypatch):
    """A shipped folder with two notebooks, and no history of earlier versions."""
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    _notebook(shipped / "00_a.ipynb", "print('a v1')")
    _notebook(shipped / "01_b.ipynb", "print('b v1')")
    monkeypatch.setattr(launch, "_shipped_before", lambda: {})
    return shipped


def test_copies_are_made_once_then_untouched_ones_follow_upgrades_and_edited_ones_are_kept(release, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir(mode=0o700)
    first = launch.sync_notebooks(release, folder)
    assert [p.name for p in first.copied] == ["00_a.ipynb", "01_b.ipynb"] and not first.kept
    assert oct(os.stat(folder / launch.MANIFEST).st_mode & 0o777) == "0o600"
    # The user runs notebook a (outputs saved: not an edit) and edits notebook b.
    ran = nbformat.read(folder / "00_a.ipynb", 4)
    ran.cells[0].outputs = [nbformat.v4.new_output("stream", text="a v1\n")]
    nbformat.write(ran, folder / "00_a.ipynb")
    _notebook(folder / "01_b.ipynb", "print('b v1')", "my own cell")
    # A new release changes both.
    _notebook(release / "00_a.ipynb", "print('a v2')")
    _notebook(release / "01_b.ipynb", "print('b v2')")
    second = launch.sync_notebooks(release, folder)
    assert [p.name for p in second.updated] == ["00_a.ipynb"]
    assert "a v2" in (folder / "00_a.ipynb").read_text()
    assert "my own cell" in (folder / "01_b.ipynb").read_text()  # the edit survives
    ((kept, beside),) = second.kept
    assert kept.name == "01_b.ipynb" and beside.name == "01_b (new version).ipynb" and "b v2" in beside.read_text()
    assert second.notices() == ["Kept your edited 01_b.ipynb; this version's is beside it as 01_b (new version).ipynb."]
    # Nothing more to do until the next release; the edited copy is still recognised as edited.
    third = launch.sync_notebooks(release, folder)
    assert not third.copied and not third.updated and [k.name for k, _ in third.kept] == ["01_b.ipynb"]


def test_copies_made_before_versions_were_recorded_are_recognised_by_the_shipped_history(
    release, tmp_path, monkeypatch
):
    folder = tmp_path / "mine"
    folder.mkdir(mode=0o700)
    shutil.copy(release / "00_a.ipynb", folder / "00_a.ipynb")  # an old copy, no manifest
    v1 = launch.notebook_hash(release / "00_a.ipynb")
    monkeypatch.setattr(launch, "_shipped_before", lambda: {"00_a.ipynb": {v1}})
    _notebook(release / "00_a.ipynb", "print('a v2')")
    done = launch.sync_notebooks(release, folder)
    assert [p.name for p in done.updated] == ["00_a.ipynb"] and not done.kept


def test_the_shipped_history_knows_the_previous_release():
    history = launch._shipped_before()
    for notebook in PREVIOUS:
        assert launch.notebook_hash(notebook) in history[notebook.name], notebook.name


def test_every_read_only_function_takes_a_workbook_or_a_snapshot(wb):
    assert isinstance(wb, Readable)
    with wb.snapshot() as snap:
        assert isinstance(snap, Readable)


def test_the_manifest_records_each_copy(release, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir(mode=0o700)
    launch.sync_notebooks(release, folder)
    recorded = json.loads((folder / launch.MANIFEST).read_text())
    assert recorded == {p.name: launch.notebook_hash(p) for p in release.glob("*.ipynb")}
