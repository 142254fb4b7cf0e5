"""The no-code app for everyone: words without code, no serious WCAG 2.2 AA violation (axe-core) on any step,
nothing cut off at 1280 px, a kernel that never reports a dropped widget message, and a whole step done with
the keyboard alone.

One ``career-workbook app`` runs for the module, on a temporary workbook holding an option with a long
name, a criterion, an insider and a planned conversation, so every step shows its forms. The app is one
page in one kernel: the checks of every step go through the steps of one page, by its step bar, as a
person does, and read that one kernel's messages from the page's first moment.
"""

from __future__ import annotations

import re
import uuid

import pytest

from workbook import app_session, open_workbook

from .app import AppServer, button, open_step, show_step, view
from .axe import described, violations
from .conftest import _keep_screenshot_if_failed, _watched
from .fit import CUT_JS
from .test_lab_readable import kernel_frames

pytestmark = pytest.mark.browser

STEPS = {p.stem: None for p in app_session.steps()}
#: A button each step shows once its forms are ready.
READY = {
    "00_start_here": "My workbook",
    "01_options_and_criteria": "Save option",
    "02_who_to_ask": "Save contact",
    "03_ask_and_follow_up": "Record",
    "04_prepare": "Add my question",
    "05_capture": "Save insight",
    "06_compare_paths": "Save these weights",
    "07_share_report": "Save report",
    "08_settings": "Save settings",
}
LONG = "Gestión de datos — salud pública"
CODE_WORDS = re.compile(r"\b(use_demo|workbook_path|None|True|False)\b|\$CAREER_WORKBOOK")


@pytest.fixture(scope="module")
def app(browser, tmp_path_factory):
    server = AppServer(tmp_path_factory.mktemp("app-access"))
    server.start()
    book = open_workbook(server.workbook_path)
    option = book.add_option(LONG, questions="¿Hace falta un máster?")
    book.add_criterion("Pay", 2.0)
    contact = book.add_contact("Zoë Ñúñez", "Ålesund Tidende", "Data editor", "alumni", options=[option])
    book.add_conversation(contact, option, status="planned")
    book.close()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app_context(browser):
    from .conftest import VIEWPORT

    context = browser.new_context(viewport={**VIEWPORT, "width": 1280})
    yield context
    context.close()


def _new_page(app_context):
    page = _watched(app_context.new_page())
    page.kernel_said = kernel_frames(page)  # before the page opens: its kernel's first messages count
    return page


@pytest.fixture
def page(app_context, request, artifacts):
    page = _new_page(app_context)
    yield page
    _keep_screenshot_if_failed(page, request, artifacts)
    page.close(run_before_unload=True)  # as a person closes the tab: the page's kernel is stopped


@pytest.fixture(scope="module")
def one_page(app, app_context):
    """The app page, opened once at its first step; the steps' tests go through it by the step bar."""
    page = _new_page(app_context)
    first = next(iter(READY))
    open_step(page, app, first, ready=READY[first])
    page.heard = 0  # how many of the kernel's messages an earlier step's test has already read
    yield page
    page.close(run_before_unload=True)


@pytest.fixture
def step_page(one_page, request, artifacts):
    yield one_page
    _keep_screenshot_if_failed(one_page, request, artifacts)


def test_every_step_is_listed_from_the_notebooks_present():
    assert set(READY) == set(STEPS)  # a step added without a check here fails this test


@pytest.mark.parametrize("step", list(READY))
def test_every_step_is_accessible_uncut_and_its_kernel_quiet(step_page, step):
    page = step_page
    show_step(page, step, ready=READY[step])
    page.wait_for_timeout(1500)  # the last widgets render
    assert [s for s in READY if view(page, s).is_visible()] == [step]  # the checks below see this step
    found = violations(page)
    assert not found, described(found)
    assert page.evaluate(CUT_JS) == []
    said, page.heard = page.kernel_said[page.heard :], len(page.kernel_said)
    assert said == [], "the kernel dropped widget messages"
    assert page.locator(".jupyter-widgets-error-widget").count() == 0


def test_the_first_page_speaks_without_code(app, page):
    open_step(page, app, "00_start_here", ready=READY["00_start_here"])
    text = page.inner_text("body")
    assert not CODE_WORDS.search(text), CODE_WORDS.search(text).group(0)
    flat = " ".join(view(page, "00_start_here").inner_text().split())
    # where the workbook is, and what the switch does, in words
    assert str(app.workbook_path) in flat and str(app.home / "demo.sqlite") in flat
    assert "unless you choose the demo here" in flat and "never touches your own notes" in flat
    assert "Run All Cells" not in flat  # the cells for JupyterLab only stay out
    # as many steps in the bar as notebooks, and no page says how many by hand
    assert page.locator(".cw-stepbar button").count() == len(STEPS)
    assert not re.search(r"\b(eight|nine|ten)\s+(notebooks|steps)\b", flat, re.I)


def _focused(page) -> str:
    return page.evaluate(
        """() => { const el = document.activeElement; if (!el) return '';
             const box = el.closest('.widget-inline-hbox, .widget-button, .jupyter-widgets');
             const label = box && box.querySelector(':scope > label.widget-label');
             return `${el.tagName}|${(label ? label.innerText : '').trim()}|${(el.innerText || el.value || '').trim()}`; }"""
    )


def _tab_to(page, what: re.Pattern, most: int = 200) -> str:
    """Press Tab until the focused element matches ``what`` (its tag, label and text); return that."""
    for _ in range(most):
        page.keyboard.press("Tab")
        now = _focused(page)
        if what.search(now):
            return now
    raise AssertionError(f"Tab never reached {what.pattern}")


def test_a_whole_step_with_the_keyboard_only(app, page):
    """Add an option in step 01 without touching the mouse: from the first step, Tab to step 01 in the step bar
    and press Enter, then Tab to each field, type, Tab to Save, press Enter."""
    title = f"Cartographie {uuid.uuid4().hex[:6]}"
    open_step(page, app, "00_start_here", ready=READY["00_start_here"])
    page.locator("body").focus()
    _tab_to(page, re.compile(r"^BUTTON\|\|01 Options and criteria$"))
    page.keyboard.press("Enter")
    view(page, "01_options_and_criteria").wait_for(timeout=90_000)
    button(page, READY["01_options_and_criteria"]).wait_for(timeout=90_000)
    assert "step=options-and-criteria" in page.url  # the address follows the step chosen with the keyboard
    _tab_to(page, re.compile(r"^INPUT\|Title\|"))
    page.keyboard.type(title)
    _tab_to(page, re.compile(r"^TEXTAREA\|Description\|"))
    page.keyboard.type("Des cartes pour les gens")
    _tab_to(page, re.compile(r"^TEXTAREA\|Questions it must answer\|"))
    page.keyboard.type("Faut-il un SIG ?")
    _tab_to(page, re.compile(r"^SELECT\|Status\|"))
    page.keyboard.press("ArrowDown")  # exploring -> shortlisted
    _tab_to(page, re.compile(r"^BUTTON\|\|Save option$"))
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button shows no focus ring"
    page.keyboard.press("Enter")
    status = page.locator(".cw-status.cw-ok", has_text=f"Added option {title}").first
    status.wait_for(timeout=30_000)
    book = open_workbook(app.workbook_path)
    try:
        saved = book.options().set_index("title").loc[title]
    finally:
        book.close()
    assert saved["status"] == "shortlisted" and saved["questions"] == "Faut-il un SIG ?"
    assert page.dialogs == []
    assert button(page, "Save option").is_visible()
