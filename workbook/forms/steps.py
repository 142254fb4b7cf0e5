"""One guided notebook as a view of the app page: its text and what its code shows, never the code.

The app (:mod:`workbook.forms.app`) shows each guided notebook as one view. This
module reads the notebook as the JSON file it is, renders its markdown cells to
HTML and runs its code cells in a namespace of the step's own, collecting what
each cell shows (its displays, what it prints, the value of its last line, as a
notebook would) as output records for an ``Output`` widget. The code itself is
never shown.

Cells meant for JupyterLab only (how to change the settings cell, the terminal
commands, a line printed the way a command prints it) are tagged ``lab-only``:
JupyterLab shows them and the app leaves them out (:func:`app_cells`; a guided
notebook served by Voilà as a page of its own hides them by the same tag, see
:data:`workbook.notebook.APP_STYLE`).

A link to another guided notebook becomes a link to that step of the page
(``?step=compare-paths``), which the app's template turns into a click on the
step bar.
"""

from __future__ import annotations

import ast
import html
import json
import re
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mistune

from .. import app_session
from .base import NO_MATHS

#: The tag of a cell the app leaves out (JupyterLab shows it).
LAB_ONLY = "lab-only"
#: A link to a guided notebook, possibly with an anchor: ``06_compare_paths.ipynb#step-2``.
_STEP_LINK = re.compile(r"^(?:\./)?(\d\d_[A-Za-z0-9_]+\.ipynb)(?:#.*)?$")


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    source: str
    tags: list[str] = field(default_factory=list)


def read_cells(notebook: Path) -> list[Cell]:
    """The cells of ``notebook`` (nbformat 4), read as JSON."""
    with open(notebook, encoding="utf-8") as fh:
        data = json.load(fh)
    cells = []
    for raw in data.get("cells", []):
        source = raw.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        cells.append(Cell(str(raw.get("cell_type", "")), text, list(raw.get("metadata", {}).get("tags", []))))
    return cells


def app_cells(notebook: Path) -> list[Cell]:
    """The cells of ``notebook`` the app shows or runs: all but those tagged ``lab-only``."""
    return [cell for cell in read_cells(notebook) if LAB_ONLY not in cell.tags]


class _AppRenderer(mistune.HTMLRenderer):
    """Markdown to HTML, links to guided notebooks turned into links to the page's steps."""

    def __init__(self, notebooks: list[Path]):
        super().__init__(escape=False)
        self._notebooks = notebooks

    def link(self, text: str, url: str, title: str | None = None) -> str:
        found = _STEP_LINK.match(url)
        step = app_session.find_step(found.group(1), self._notebooks) if found else None
        if step is None:
            return super().link(text, url, title)
        href = f"?{app_session.STEP_PARAM}={app_session.step_slug(step, self._notebooks)}"
        return f'<a href="{html.escape(href)}" class="cw-step-link">{text}</a>'


def markdown_html(text: str, notebooks: list[Path] | None = None) -> str:
    """A markdown cell as the app shows it: links to notebooks made links to steps."""
    notebooks = app_session.steps() if notebooks is None else notebooks
    render = mistune.create_markdown(renderer=_AppRenderer(notebooks), plugins=["table", "strikethrough"])
    return f'<div class="cw-text jp-RenderedHTMLCommon {NO_MATHS}">{render(text)}</div>'


def imported_modules(cells: Iterable[Cell]) -> list[str]:
    """The modules the code cells import, in order (to import them ahead of a visit)."""
    found: list[str] = []
    for cell in cells:
        if cell.kind != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            found += [n for n in names if n not in found]
    return found


class CellFailed(Exception):
    """A code cell of a step raised; ``outputs`` holds what it showed before, ``error`` the exception."""

    def __init__(self, error: BaseException, outputs: list[dict[str, Any]]):
        super().__init__(str(error))
        self.error = error
        self.outputs = outputs


class _Recorder:
    """Collects a cell's displays and printed text as output records, in the order they came."""

    def __init__(self) -> None:
        self.outputs: list[dict[str, Any]] = []

    def display(self, data: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
        self.outputs.append({"output_type": "display_data", "data": data, "metadata": metadata or {}})

    def write(self, text: str) -> int:
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last["output_type"] == "stream":
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": "stdout", "text": text})
        return len(text)

    def flush(self) -> None:
        pass


def _publisher(recorder: _Recorder, shell: Any) -> Any:
    from IPython.core.displaypub import DisplayPublisher

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            recorder.display(data, metadata)

        def clear_output(self, wait=False):
            recorder.outputs.clear()

    return Publisher(shell=shell)


def run_cell(source: str, namespace: dict[str, Any], filename: str = "<step>") -> list[dict[str, Any]]:
    """Run one code cell in ``namespace``; return what it showed, as notebook output records.

    As in a notebook, the value of a last line that is an expression is shown.
    Text written to stderr (warnings) goes to the kernel's log, not the page.
    Raises :class:`CellFailed` (holding what was shown so far) when the cell raises.
    """
    from IPython import get_ipython
    from IPython.display import display

    shell = get_ipython()
    recorder = _Recorder()
    tree = ast.parse(source, filename)
    final = tree.body[-1] if tree.body else None
    last = final if isinstance(final, ast.Expr) else None
    if last is not None:
        tree.body.pop()
    namespace.setdefault("display", display)
    saved = sys.stdout, sys.stderr, getattr(shell, "display_pub", None)
    sys.stdout, sys.stderr = recorder, sys.__stderr__
    if shell is not None:
        shell.display_pub = _publisher(recorder, shell)
    try:
        exec(compile(tree, filename, "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
            if value is not None:
                display(value)
    except Exception as exc:  # noqa: BLE001 - shown in words on the page, the traceback goes to the log
        traceback.print_exc(file=sys.__stderr__)
        raise CellFailed(exc, recorder.outputs) from exc
    finally:
        sys.stdout, sys.stderr = saved[0], saved[1]
        if shell is not None:
            shell.display_pub = saved[2]
    return recorder.outputs
