"""The app as one page (workbook/forms/app.py), driven in plain pytest: the step bar, views built when first
opened, kept or built again, the demo switch, what a step shows and what it never shows (the code, lab-only text).

The browser tests (tests/browser/test_app.py) drive the same page in Voilà.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import ipywidgets as widgets
import pytest

from workbook import app_session, open_workbook, paths
from workbook.forms import app as app_page
from workbook.forms import steps
from workbook.forms.switch import DemoSwitch


@pytest.fixture
def shell(tmp_path, monkeypatch):
    """An IPython shell, as in the page's kernel: what the steps display is collected through it."""
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    yield InteractiveShell.instance()
    InteractiveShell.clear_instance()


@pytest.fixture
def page_state(monkeypatch):
    """The page's state in this process (open, demo chosen) starts afresh and is forgotten after the test."""
    monkeypatch.setattr(app_session, "_page", {"open": False, "demo": False})
    monkeypatch.delenv(app_session.STATE_ENV_VAR, raising=False)
    monkeypatch.delenv(app_session.NOTEBOOKS_ENV_VAR, raising=False)


@pytest.fixture
def own(tmp_path, monkeypatch):
    """The person's own workbook (``$CAREER_WORKBOOK``), with an option."""
    path = tmp_path / "own.sqlite"
    monkeypatch.setenv(paths.ENV_VAR, str(path))
    with open_workbook(path) as wb:
        wb.add_option("Museum education")
    return path


def notebook(folder: Path, name: str, *cells: tuple[str, ...]) -> Path:
    """A notebook ``name`` in ``folder`` made of (kind, source) or (kind, source, tag) cells."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "cells": [
            {
                "cell_type": kind,
                "metadata": {"tags": list(tags)} if tags else {},
                "source": source,
                **({"outputs": []} if kind == "code" else {}),
            }
            for kind, source, *tags in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def texts(view: app_page.StepView) -> str:
    """Everything a step shows as text (HTML widgets' markup, labels, button captions)."""
    found = []
    for part in view.box.children:
        found.append(str(getattr(part, "value", "")) if isinstance(part, widgets.HTML) else repr(part))
    return "\n".join(found)


# ------------------------------------------------------------------ steps and addresses
def test_the_steps_are_the_guided_notebooks_present(tmp_path, shell, page_state, own):
    folder = tmp_path / "steps"
    for name in ("00_start.ipynb", "01_options.ipynb", "05_capture.ipynb"):
        notebook(folder, name, ("markdown", f"# {name}"))
    (folder / "notes.ipynb").write_text("{}", encoding="utf-8")  # not a step: no number
    (folder / "07_share.txt").write_text("", encoding="utf-8")
    page = app_page.AppPage(folder)
    assert list(page.buttons) == ["start", "options", "capture"]
    assert [b.description for b in page.buttons.values()] == ["00 Start", "01 Options", "05 Capture"]

    notebook(folder, "06_compare_paths.ipynb", ("markdown", "# 06"))
    assert list(app_page.AppPage(folder).buttons) == ["start", "options", "capture", "compare-paths"]


def test_two_steps_of_the_same_name_are_told_apart_by_their_number(tmp_path, shell, page_state, own):
    folder = tmp_path / "steps"
    notebook(folder, "00_start.ipynb", ("markdown", "See [my notes](02_notes.ipynb)"))
    notebook(folder, "01_notes.ipynb", ("markdown", "# First notes"))
    notebook(folder, "02_notes.ipynb", ("markdown", "# Second notes"))
    page = app_page.AppPage(folder)
    assert list(page.buttons) == ["start", "01-notes", "02-notes"]
    assert 'href="?step=02-notes"' in texts(page.views["start"])
    assert "Second notes" in texts(page.show("02-notes"))
    assert "First notes" in texts(page.show("01-notes"))


def test_the_shipped_steps_each_have_a_button_in_the_bar(shell, page_state, own):
    page = app_page.AppPage()
    shipped = sorted(p.stem for p in paths.notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
    assert [app_session.step_title(nb) for nb in page.notebooks] == [b.description for b in page.buttons.values()]
    assert [nb.stem for nb in page.notebooks] == shipped
    assert page.buttons["options-and-criteria"].description == "01 Options and criteria"


@pytest.mark.parametrize(
    "asked",
    ["compare-paths", "compare_paths", "06_compare_paths", "06_compare_paths.ipynb", "06", "6", "compare", " Compare "],
)
def test_a_step_is_found_by_any_of_its_names(asked):
    assert app_session.find_step(asked, app_session.steps()).name == "06_compare_paths.ipynb"


@pytest.mark.parametrize("asked", ["", "99", "share-everything", "c", "../06_compare_paths"])
def test_a_name_that_is_no_step_or_could_be_two_finds_none(asked):
    assert app_session.find_step(asked, app_session.steps()) is None  # "c": capture, compare-paths


def test_the_address_names_the_step(shell, page_state, own, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "token=abc&step=compare")
    view = app_page.app_page()
    page_view = view.children[2]
    shown = [place for place in page_view.children if place.layout.display != "none"]
    assert len(shown) == 1 and "cw-view-compare-paths" in shown[0].children[0]._dom_classes


@pytest.mark.parametrize("query", ["", "step=nowhere", "token=abc", "step="])
def test_an_address_without_a_step_or_with_an_unknown_one_opens_the_first(shell, page_state, own, monkeypatch, query):
    monkeypatch.setenv("QUERY_STRING", query)
    places = app_page.app_page().children[2].children
    shown = [place for place in places if place.layout.display != "none"]
    assert len(shown) == 1 and "cw-view-start-here" in shown[0].children[0]._dom_classes


# ------------------------------------------------------------------ views built once, kept, built again
def test_only_the_step_shown_is_built_and_a_step_is_built_once(shell, page_state, own):
    page = app_page.AppPage()
    assert list(page.views) == ["start-here"]
    compare = page.show("compare")
    assert list(page.views) == ["start-here", "compare-paths"] and page.current == "compare-paths"
    assert page.show("start") is page.views["start-here"]
    assert page.show("06") is compare  # nothing changed: the same view, whatever was typed in it kept


def test_the_step_shown_is_the_only_one_visible_and_its_button_is_marked(shell, page_state, own):
    page = app_page.AppPage()
    page.show("prepare")
    page.show("settings")
    visible = [slug for slug, place in page.places.items() if place.layout.display != "none"]
    assert visible == ["settings"]
    assert [s for s, b in page.buttons.items() if "cw-current" in b._dom_classes] == ["settings"]
    assert page.buttons["settings"].button_style == "primary" and page.buttons["prepare"].button_style == ""


def test_a_step_changed_elsewhere_is_built_again_when_shown_with_what_was_saved(shell, page_state, own):
    page = app_page.AppPage(first="options")
    before = page.views["options-and-criteria"]
    form = before.namespace["options_form"]
    form.title.value = "Typed, not saved"
    page.show("start")
    assert page.show("options") is before  # nothing changed elsewhere: kept as left
    assert form.title.value == "Typed, not saved"

    with open_workbook(own) as other:  # JupyterLab, a command, another step
        other.add_option("Saved in another program")
    page.show("start")
    after = page.show("options")
    assert after is not before
    assert any("Saved in another program" in label for label, _ in after.namespace["options_form"].pick.options)
    assert before.namespace == {}  # the old view let go of everything


def test_a_step_left_behind_closes_its_workbook_and_widgets(shell, page_state, own):
    page = app_page.AppPage(first="options")
    old = page.views["options-and-criteria"]
    wb = old.workbooks()[0]
    button = old.namespace["options_form"].save_button
    with open_workbook(own) as other:
        other.add_option("Another")
    page.show("options")
    with pytest.raises(Exception, match="closed"):
        wb.options()
    assert button.comm is None  # closed: the browser forgets it too
    assert page.places["options-and-criteria"].children == (page.views["options-and-criteria"].box,)


def test_a_steps_own_saves_do_not_build_it_again(shell, page_state, own):
    page = app_page.AppPage(first="options")
    view = page.views["options-and-criteria"]
    form = view.namespace["options_form"]
    form.title.value = "Saved from this step"
    form.save_button.click()
    assert form.status.kind == "ok", form.status.text
    page.show("start")
    assert page.show("options") is view


# ------------------------------------------------------------------ the demo switch
def test_the_switch_makes_every_step_open_the_demo_and_back(shell, page_state, own, tmp_path, monkeypatch):
    monkeypatch.setenv(app_session.STATE_ENV_VAR, str(tmp_path / "choice"))  # as career-workbook app sets it
    page = app_page.AppPage(first="options")
    assert page.views["options-and-criteria"].workbooks()[0].path == own.resolve()
    page.show("start")
    DemoSwitch().choice.value = True  # what the switch on the first step does
    demo = page.show("options").workbooks()[0]
    assert demo.path == paths.default_demo_path().resolve() and not demo.is_empty()
    assert "Using the demo workbook" in texts(page.views["options-and-criteria"])

    DemoSwitch().choice.value = False
    assert page.show("options").workbooks()[0].path == own.resolve()


def test_without_a_choice_file_the_page_keeps_the_choice_while_it_is_open(shell, page_state, own):
    """As on JupyterHub, where no career-workbook app sets $CAREER_WORKBOOK_APP."""
    assert not app_session.in_app()
    with pytest.raises(RuntimeError):
        app_session.choose_demo(True)
    page = app_page.AppPage(first="start")
    switch = DemoSwitch()
    assert switch.choice in switch.view.children  # a switch, not an explanation
    switch.choice.value = True
    assert app_session.demo_chosen()
    assert page.show("settings").workbooks()[0].path == paths.default_demo_path().resolve()


# ------------------------------------------------------------------ what a step shows
def test_a_step_shows_its_text_and_what_its_code_shows_never_the_code(tmp_path, shell, page_state, own):
    folder = tmp_path / "steps"
    notebook(
        folder,
        "00_first.ipynb",
        ("markdown", "# First\n\nSee [the second](01_second.ipynb) and [elsewhere](https://example.org)."),
        ("code", "answer = 6 * 7\nprint('printed', answer)\nanswer"),
        ("code", "import ipywidgets as w\nbox = w.Button(description='Press me')\nbox"),
        ("code", "secret_code = 'hidden'  # a cell showing nothing shows nothing"),
        ("code", "import sys\nprint('to the log', file=sys.stderr)\nNone"),
    )
    notebook(folder, "01_second.ipynb", ("markdown", "# Second"))
    view = app_page.AppPage(folder).views["first"]
    parts = view.box.children
    markup = texts(view)
    assert "<h1>First</h1>" in markup
    assert '<a href="?step=second" class="cw-step-link">the second</a>' in markup
    assert '<a href="https://example.org">elsewhere</a>' in markup
    assert "printed 42" in markup and ">42<" in markup
    assert view.namespace["box"] in parts
    assert "secret_code" not in markup and "answer = 6" not in markup and "to the log" not in markup
    assert "cw-built" in view.box._dom_classes


def test_in_the_page_a_step_has_no_bar_of_its_own_as_a_page_of_its_own_it_has(
    shell, page_state, own, tmp_path, monkeypatch
):
    from workbook import notebook

    monkeypatch.setenv(app_session.STATE_ENV_VAR, str(tmp_path / "choice"))
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    notebook.start().close()  # a notebook served as a page of its own, as on JupyterHub
    assert any('<nav class="cw-steps"' in getattr(o, "data", "") for o in shown)
    shown.clear()
    page = app_page.AppPage(first="settings")
    assert "cw-steps" not in texts(page.views["settings"]) and page.bar.children  # the page's own bar instead


def test_printed_text_is_shown_as_text(tmp_path, shell, page_state, own):
    folder = tmp_path / "steps"
    notebook(folder, "00_only.ipynb", ("code", "print('<img src=x onerror=alert(1)> $a$ and $b$')"))
    markup = texts(app_page.AppPage(folder).views["only"])
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup and "<img" not in markup
    assert "mathjax_ignore" in markup


def test_a_cell_that_fails_says_so_in_words_and_the_step_stops_there(tmp_path, shell, page_state, own, capfd):
    folder = tmp_path / "steps"
    notebook(
        folder,
        "00_broken.ipynb",
        ("markdown", "# Before"),
        ("code", "print('shown first')\nraise ValueError('the <b>options</b> table is missing')"),
        ("markdown", "# After"),
        ("code", "print('never run')"),
    )
    view = app_page.AppPage(folder).views["broken"]
    markup = texts(view)
    assert "shown first" in markup
    assert "This step could not be shown in full: the &lt;b&gt;options&lt;/b&gt; table is missing" in markup
    assert "After" not in markup and "never run" not in markup
    assert "Traceback" not in markup and "ValueError" not in markup
    assert "Traceback" in capfd.readouterr().err  # the details go to the terminal where the app runs
    assert view.error.startswith("ValueError")


def test_what_a_cell_shows_becomes_a_widget_of_the_page():
    button = widgets.Button(description="Save")
    png = bytes.fromhex("89504e470d0a1a0a")
    assert app_page.shown({"output_type": "display_data", "data": button._repr_mimebundle_()}) is button
    image = app_page.shown({"output_type": "display_data", "data": {"image/png": png, "text/plain": "<Figure>"}})
    assert isinstance(image, widgets.Image) and image.value == png
    base64_png = app_page.shown({"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo="}})
    assert base64_png.value == png
    table = app_page.shown({"output_type": "display_data", "data": {"text/html": "<table></table>"}})
    assert isinstance(table, widgets.HTML) and "jp-RenderedHTMLCommon" in table.value
    other = app_page.shown({"output_type": "display_data", "data": {"text/markdown": "*x*"}})
    assert isinstance(other, widgets.Output) and other.outputs[0]["data"] == {"text/markdown": "*x*"}


def test_cells_tagged_lab_only_are_neither_shown_nor_run(tmp_path, shell, page_state, own):
    folder = tmp_path / "steps"
    notebook(
        folder,
        "00_start.ipynb",
        ("markdown", "# For everyone"),
        ("markdown", "In JupyterLab, set `use_demo = True`.", "lab-only"),
        ("code", "print('printed in JupyterLab')", "lab-only"),
        ("code", "print('printed everywhere')"),
    )
    markup = texts(app_page.AppPage(folder).views["start"])
    assert "For everyone" in markup and "printed everywhere" in markup
    assert "use_demo" not in markup and "printed in JupyterLab" not in markup


def test_the_app_shows_no_code_words_from_the_notebooks_text():
    """What the notebooks say about their settings cell and the terminal is for JupyterLab only."""
    notebooks = app_session.steps()
    for nb in notebooks:
        for cell in steps.app_cells(nb):
            if cell.kind != "markdown":
                continue
            markup = steps.markdown_html(cell.source, notebooks)
            code = re.findall(r"<code>(.*?)</code>", markup)
            assert not [c for c in code if re.search(r"workbook_path|use_demo|\bNone\b|\bTrue\b|\bFalse\b", c)], nb
            assert "lab-only" not in markup and ".ipynb" not in markup, nb


def test_lab_only_text_stays_in_the_notebook_for_jupyterlab():
    start = next(nb for nb in app_session.steps() if nb.name.startswith("00_"))
    lab_only = [c for c in steps.read_cells(start) if "lab-only" in c.tags]
    assert lab_only and lab_only[0] not in steps.app_cells(start)
    text = "".join(c.source for c in lab_only if c.kind == "markdown")
    assert "`use_demo`" in text and "`workbook_path`" in text


def test_every_module_a_step_imports_is_imported_ahead(shell, page_state):
    modules = steps.imported_modules(c for nb in app_session.steps() for c in steps.read_cells(nb))
    assert "workbook.forms.compare" in modules and "workbook.forms.settings" in modules
    assert len(modules) == len(set(modules))
    app_page.warm_up(app_session.steps()).join(timeout=120)
    import sys

    assert all(name in sys.modules for name in modules)


def test_the_page_says_so_when_there_are_no_steps(tmp_path, shell, page_state):
    page = app_page.AppPage(tmp_path / "nothing-here")
    assert page.status.kind == "error" and "No guided notebooks" in page.status.text


def test_the_app_notebook_is_one_cell_calling_the_page():
    from workbook.cli.app import app_notebook

    cells = steps.read_cells(app_notebook())
    assert [c.kind for c in cells] == ["code"]
    assert "app_page()" in cells[0].source
