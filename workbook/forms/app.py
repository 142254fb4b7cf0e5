"""The no-code app as one page: a step bar over the guided notebooks, each step a view built when first opened.

``career-workbook app`` (and the hub's app mode) point Voilà at one small
notebook whose only cell calls :func:`app_page`. The page finds the guided
notebooks (:func:`workbook.app_session.steps`), shows a button per step, and
builds a step's view the first time it is opened, by running that notebook's
cells (all but those tagged ``lab-only``) in a namespace of its own
(:mod:`workbook.forms.steps`). Everything runs in the page's one kernel.

A view is kept while the person moves between steps, with whatever they typed.
It is built again when they come back to it after the workbook changed
elsewhere (another step, JupyterLab, a command: SQLite's ``data_version`` of
the step's own connection tells) or after they switched between their workbook
and the demo, so a step never offers stale choices.

The page's address names the step shown (``?step=compare-paths``); the app's
Voilà template keeps it in step with the bar, turns links between notebooks into
clicks on the bar, and follows the browser's Back and Forward buttons.
"""

from __future__ import annotations

import base64
import contextlib
import html
import importlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .. import app_session
from ..store.workbook import Workbook
from .base import StatusLine, no_maths, widget_text
from .steps import Cell, CellFailed, app_cells, imported_modules, markdown_html, run_cell

#: The output of a cell that shows a widget.
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _instances() -> dict[str, Any]:
    """Every widget alive in this kernel, by model id."""
    from ipywidgets.widgets import widget

    return widget._instances


class StepView:
    """One guided notebook as shown in the page: its text and what its code shows, as widgets in one box.

    The box fills as the notebook's cells run, so the top of a step shows
    while the rest is still being built.
    """

    def __init__(self, notebook: Path, notebooks: list[Path]):
        self.notebook = notebook
        self.slug = app_session.step_slug(notebook, notebooks)
        self.box = widgets.VBox([])
        self.box.add_class("cw-step-view")
        self.box.add_class(f"cw-view-{self.slug}")
        self.namespace: dict[str, Any] = {"__name__": "__main__"}
        self.error = ""  # why the step could not be shown in full
        self._notebooks = notebooks
        self._demo = app_session.demo_chosen()
        self._versions: dict[int, int] = {}
        self._widgets: set[str] = set()

    def build(self) -> StepView:
        before = set(_instances())
        parts: list[widgets.Widget] = []
        for cell in app_cells(self.notebook):
            if cell.kind == "markdown":
                parts.append(widgets.HTML(markdown_html(cell.source, self._notebooks)))
            elif cell.kind == "code" and cell.source.strip():
                try:
                    parts += [shown(output) for output in run_cell(cell.source, self.namespace, self.notebook.name)]
                except CellFailed as failed:
                    parts += [shown(output) for output in failed.outputs]
                    self.error = f"{type(failed.error).__name__}: {failed.error}"
                    parts.append(_failure(failed.error))
                    break
                self.box.children = (*self.box.children, *parts)  # what is ready shows now
                parts = []
        self.box.children = (*self.box.children, *parts)
        self.box.add_class("cw-built")  # after every part: the page's tests wait for it
        self._widgets = set(_instances()) - before
        self._versions = {id(wb): _version(wb) for wb in self.workbooks()}
        return self

    def workbooks(self) -> list[Workbook]:
        """The workbooks this step opened."""
        return [value for value in self.namespace.values() if isinstance(value, Workbook)]

    def stale(self) -> bool:
        """True when the view no longer shows the workbook as it is: changed elsewhere, or the demo switched."""
        if app_session.demo_chosen() != self._demo:
            return True
        return any(_version(wb) != self._versions.get(id(wb)) for wb in self.workbooks())

    def close(self) -> None:
        """Close the step's workbooks and widgets (its view must be off the page)."""
        for wb in self.workbooks():
            wb.close()
        instances = _instances()
        for model_id in self._widgets:
            widget = instances.get(model_id)
            if widget is not None:
                widget.close()
        self.box.close()
        self.namespace.clear()


def shown(output: dict[str, Any]) -> widgets.Widget:
    """A widget showing one output of a cell: the widget itself, a picture, HTML, or printed text."""
    if output.get("output_type") == "stream":
        return widgets.HTML(no_maths(f'<pre class="cw-printed">{html.escape(output.get("text", ""))}</pre>'))
    data = output.get("data", {})
    view = data.get(WIDGET_VIEW)
    if isinstance(view, dict) and view.get("model_id") in _instances():
        return _instances()[view["model_id"]]
    if "image/png" in data:
        png = data["image/png"]
        return widgets.Image(value=png if isinstance(png, bytes) else base64.b64decode(png), format="png")
    if "text/html" in data:
        return widgets.HTML(no_maths(f'<div class="jp-RenderedHTMLCommon">{data["text/html"]}</div>'))
    if set(data) <= {"text/plain"}:
        return widgets.HTML(no_maths(f'<pre class="cw-printed">{html.escape(str(data.get("text/plain", "")))}</pre>'))
    return widgets.Output(outputs=(output,))  # any other kind, drawn as JupyterLab draws it


def _version(wb: Workbook) -> int:
    try:
        return wb.data_version()
    except Exception:  # noqa: BLE001 - a closed or vanished workbook: the view is out of date
        return -1


def _failure(error: BaseException) -> StatusLine:
    line = StatusLine()
    line.error(
        f"This step could not be shown in full: {error}. "
        "What comes after this point is missing; the terminal where the app runs has the details."
    )
    return line


class AppPage:
    """The step bar and the steps' views. ``view`` is the widget to show; ``show(step)`` switches."""

    def __init__(self, folder: Path | None = None, *, first: str | None = None):
        app_session.enter_page()
        self.notebooks = app_session.steps(folder)
        self.views: dict[str, StepView] = {}
        self.current = ""
        self.buttons: dict[str, widgets.Button] = {}
        for notebook in self.notebooks:
            slug = app_session.step_slug(notebook, self.notebooks)
            button = widgets.Button(description=widget_text(app_session.step_title(notebook)))
            button.add_class("cw-step-button")
            button.add_class(f"cw-goto-{slug}")
            button.on_click(self._clicked(slug))
            self.buttons[slug] = button
        self.bar = widgets.HBox(list(self.buttons.values()), layout=widgets.Layout(flex_flow="row wrap"))
        self.bar.add_class("cw-stepbar")
        self.status = StatusLine()
        # One place per step, in the order of the bar, filled when the step is first opened: the page never
        # moves a step's view, so the browser never draws a view again that it has drawn before.
        self.places = {slug: widgets.Box(layout=widgets.Layout(display="none")) for slug in self.buttons}
        self.body = widgets.VBox(list(self.places.values()))
        self.view = widgets.VBox([self.bar, self.status, self.body])
        self.view.add_class("cw-app")
        if not self.notebooks:
            self.status.error(f"No guided notebooks were found in {app_session.steps_folder()}.")
            return
        step = app_session.find_step(first, self.notebooks) if first else None
        self.show(step or self.notebooks[0])

    def _clicked(self, slug: str) -> Callable[[widgets.Button], None]:
        def clicked(_button: widgets.Button) -> None:
            self.show(slug)

        return clicked

    def show(self, step: Path | str) -> StepView:
        """Show ``step`` (a notebook, or a name :func:`~workbook.app_session.find_step` knows); build it if need be."""
        notebook = step if isinstance(step, Path) else app_session.find_step(step, self.notebooks)
        if notebook is None:
            raise ValueError(f"step: no guided step is called {step!r}")
        slug = app_session.step_slug(notebook, self.notebooks)
        view = self.views.get(slug)
        if view is not None and view.stale():
            self._discard(slug)
            view = None
        for name, place in self.places.items():
            if name != slug:
                place.layout.display = "none"
        self._mark(slug)
        place = self.places[slug]
        place.layout.display = None
        if view is None:
            self.status.show(f"Opening {app_session.step_title(notebook)}…")
            view = StepView(notebook, self.notebooks)
            self.views[slug] = view
            place.children = (view.box,)
            view.build()
            self.status.clear()
        return view

    def _mark(self, slug: str) -> None:
        self.current = slug
        for name, button in self.buttons.items():
            if name == slug:
                button.add_class("cw-current")
                button.button_style = "primary"
            else:
                button.remove_class("cw-current")
                button.button_style = ""

    def _discard(self, slug: str) -> None:
        view = self.views.pop(slug)
        self.places[slug].children = ()
        view.close()


def warm_up(notebooks: list[Path]) -> threading.Thread:
    """Import, in the background, what every step's code imports, so a step opens quickly the first time."""
    cells: list[Cell] = [cell for nb in notebooks for cell in app_cells(nb)]
    modules = imported_modules(cells)

    def run() -> None:
        for name in modules:
            # A module that fails to import: the step that needs it says so when it is opened.
            with contextlib.suppress(Exception):
                importlib.import_module(name)

    thread = threading.Thread(target=run, name="career-workbook-warm-up", daemon=True)
    thread.start()
    return thread


def app_page(folder: Path | None = None) -> widgets.Widget:
    """The app page: the step its address asks for (``?step=…``, else the first) shown, the others' imports warmed.

    Voilà tells the page's kernel the address's query in ``$QUERY_STRING``.
    """
    notebooks = app_session.steps(folder)
    step = app_session.step_in_query(os.environ.get("QUERY_STRING", ""), notebooks)
    page = AppPage(folder, first=app_session.step_slug(step, notebooks) if step else None)
    warm_up(notebooks)
    return page.view
