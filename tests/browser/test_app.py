"""The no-code app in Chromium: every step without code, forms that save what was typed, the report.

One ``career-workbook app`` runs for the whole module, on a temporary workbook
and user data folder; every test opens its pages in a new page (one browser
context for the module, as a person's browser keeps its cache) and checks that
nothing went to another host and the console stayed clean.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from workbook import open_workbook
from workbook.cli import app as _app

from .app import AppServer, button, foreign_requests, open_step
from .conftest import VIEWPORT, _keep_screenshot_if_failed, _watched
from .lab import NotebookPage

pytestmark = pytest.mark.browser

PERSON = "Zoë Ñúñez — 研究者"
HOSTILE = '<img src=x onerror="alert(1)"> & <b>bold</b>'

#: Each step and buttons of the forms it must show (with an option, a criterion and a planned conversation).
STEPS = {
    "00_start_here": ["My workbook", "The demo (fictional example)"],
    "01_options_and_criteria": ["Save option", "Save criterion", "Add selected criteria", "Save weights"],
    "02_who_to_ask": ["Save contact", "Preview", "Save targets", "Find matches"],
    "03_ask_and_follow_up": ["Add as a conversation to ask", "Record"],
    "04_prepare": ["Add my question", "Save questions and prep sheet"],
    "05_capture": ["Mark done and save notes", "Save insight"],
    "06_compare_paths": ["Save these weights", "Back to saved weights"],
    "07_share_report": ["Save report"],
    "08_settings": ["Save settings", "Back to defaults"],
}


def tag() -> str:
    return uuid.uuid4().hex[:6]


@pytest.fixture(scope="module")
def app(browser, tmp_path_factory):
    """``career-workbook app`` on a temporary workbook (started after the browser, so a missing one skips first)."""
    server = AppServer(tmp_path_factory.mktemp("app"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app_context(browser):
    """One browser context for the app's pages: Voilà's scripts come from its cache after the first."""
    context = browser.new_context(viewport=VIEWPORT)
    yield context
    context.close()


@pytest.fixture
def page(app_context, request, artifacts):
    """A new page for one test, recording console errors, dialogs and requests (see conftest.py)."""
    page = _watched(app_context.new_page())
    yield page
    _keep_screenshot_if_failed(page, request, artifacts)
    page.close()


@pytest.fixture
def app_workbook(app):
    book = open_workbook(app.workbook_path)
    yield book
    book.close()


@pytest.fixture(scope="module")
def planned(app):
    """What notebooks 01–03 leave behind: an option, a criterion, an insider and a planned conversation."""
    book = open_workbook(app.workbook_path)
    t = tag()
    option = book.add_option(f"Data journalism {t}", questions="Can I switch without a new degree?")
    book.add_criterion(f"Pay {t}", 2.0)
    contact = book.add_contact(f"{PERSON} {t}", "Ålesund Tidende", "Data editor", "alumni", options=[option])
    book.add_conversation(contact, option, status="planned")
    book.close()


def assert_clean(page) -> None:
    """What a person would notice went wrong: errors in the console, requests leaving the machine."""
    assert foreign_requests(page.requests) == [], "requests to other hosts"
    assert page.console_errors == []
    assert page.dialogs == []


def test_the_command_prints_a_local_address_with_a_token(app):
    assert app.address == _app.first_url(app.port, app.token)
    assert app.address.startswith("http://127.0.0.1:")
    assert len(app.token) >= 32


def test_without_the_token_the_app_shows_nothing(app):
    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
    try:
        connection.request("GET", urlsplit(app.url("01_options_and_criteria", token=False)).path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    assert response.status in (302, 401, 403)
    assert "Step 1" not in body and "Save option" not in body


def test_no_process_of_the_app_shows_the_token_on_its_command_line(app):
    """What every account on the computer can read with ``ps``: the command, Voilà, its kernels."""
    tree = app.processes()
    assert len(tree) >= 3, tree  # the command, Voilà and at least one waiting kernel
    for pid in tree:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:  # ended meanwhile
            continue
        assert app.token not in command, pid


def test_a_waiting_kernel_cannot_be_reached_without_the_token(app):
    """Voilà's /voila/query/<kernel id> would hand the next visitor's request, token included, to anyone."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    deadline = time.monotonic() + 60
    while not app.kernels() and time.monotonic() < deadline:
        time.sleep(0.5)
    kernel = app.kernels()[0]  # its id is in the kernel's command line, for every account to see
    for headers in ({}, {"Authorization": "token " + "0" * 48}):
        with pytest.raises(InvalidStatus) as refused:
            connect(f"ws://127.0.0.1:{app.port}/voila/query/{kernel}", additional_headers=headers, open_timeout=10)
        assert refused.value.response.status_code == 403


@pytest.mark.parametrize("step", list(STEPS))
def test_every_step_shows_its_forms_without_code(app, planned, page, step):
    open_step(page, app, step, ready=STEPS[step][0])
    for name in STEPS[step]:
        assert button(page, name).is_visible(), name
    assert page.locator(".cw-status.cw-error").count() == 0
    text = page.inner_text("body")

    assert page.locator(".jp-CodeCell .jp-InputArea, .cm-editor, .jp-InputPrompt").count() == 0
    assert "import workbook" not in text and "workbook.notebook.start" not in text
    for broken in ("Traceback", "There was an error when executing cell", "Error displaying widget"):
        assert broken not in text
    assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
    # which workbook is open, and a way to every step
    assert "Using your workbook:" in text and str(app.workbook_path) in text
    links = page.locator("nav.cw-steps a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [f"{s}.ipynb" for s in STEPS]
    assert re.findall(r"https?://[\w.-]*cdn[\w.-]*", page.content()) == []  # nor any loader waiting to fetch
    assert_clean(page)


def test_a_link_in_the_step_bar_opens_that_step_and_the_step_left_stops_its_kernel(app, page):
    """Kernels of steps a person has left do not pile up while the app runs."""
    open_step(page, app, "00_start_here", ready="My workbook")
    kernel = page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    assert kernel in app.kernels()
    page.locator("nav.cw-steps a", has_text="07 Share report").click()
    button(page, "Save report").wait_for(timeout=90_000)
    assert page.url.split("?")[0] == app.url("07_share_report", token=False)
    deadline = time.monotonic() + 30
    while kernel in app.kernels() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert kernel not in app.kernels()
    assert_clean(page)


def test_a_form_saves_exactly_what_was_typed(app, page, app_workbook):
    t = tag()
    title = f"{PERSON}: ethnographe {t}"
    description = f"Étudier les usages — ユーザー調査 {HOSTILE}"
    open_step(page, app, "01_options_and_criteria", ready="Save option")
    nb = NotebookPage(page, page.url)
    options = nb.cell("Save option")
    nb.fill("Title", title, scope=options)
    nb.fill("Description", description, scope=options, area=True)
    nb.fill("Questions it must answer", "Faut-il un diplôme ?\nWhat does a week look like?", scope=options, area=True)
    nb.choose("Status", "shortlisted", scope=options)
    nb.click("Save option", scope=options)
    assert title in nb.status("ok", "Added option", scope=options)

    saved = app_workbook.options().set_index("title").loc[title]
    assert saved["description"] == description
    assert saved["status"] == "shortlisted"
    assert "Faut-il un diplôme ?" in saved["questions"]
    assert page.dialogs == []  # the hostile text was not run
    assert_clean(page)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.text.append(data)


def test_the_report_is_saved_from_the_app(app, page, app_workbook, tmp_path):
    title = f"Muséologie {PERSON} {tag()}"
    app_workbook.add_option(title, "Travailler avec des collections")
    target = tmp_path / "für-mentor.html"

    open_step(page, app, "07_share_report", ready="Save report")
    nb = NotebookPage(page, page.url)
    nb.fill("Save to (folder or .html file)", str(target))
    nb.click("Save report")
    message = nb.status("ok", str(target))

    assert "no names" in message
    parser = _Text()
    parser.feed(target.read_text(encoding="utf-8"))
    text = " ".join(parser.text)
    # The option arrives; words of a contact's name inside it are masked in the private report.
    assert "Muséologie" in text and title.split()[-1] in text
    assert parser.scripts == 0
    # opening the step saved a report too (as Run All does in JupyterLab), into the reports folder
    assert list(app.workbook_path.parent.joinpath("reports").glob("*.html"))
    assert_clean(page)


def test_saves_from_the_app_and_another_process_at_the_same_time_all_arrive(app, page, app_workbook):
    """As with the app and JupyterLab open on one workbook: both write, nothing is lost."""
    t = tag()
    stop = app.base / f"stop-{t}"
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(app.workbook_path), t, str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        open_step(page, app, "01_options_and_criteria", ready="Save option")
        nb = NotebookPage(page, page.url)
        options = nb.cell("Save option")
        typed = [f"App {PERSON} {t} {i}" for i in range(5)]
        for title in typed:
            nb.fill("Title", title, scope=options)
            nb.click("Save option", scope=options)
            nb.status("ok", title, scope=options)
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    written = int(out.split()[-1])
    assert written >= 20, "the other process barely wrote while the app saved"

    assert set(typed) <= set(app_workbook.options()["title"])
    assert {f"Other process {t} {i}" for i in range(written)} <= set(app_workbook.contacts()["name"])
    assert_clean(page)


#: A second writer, as a JupyterLab kernel on the same workbook would be: one contact per transaction.
_WRITER = """
import pathlib, sys, time
from workbook import open_workbook
wb = open_workbook(sys.argv[1])
stop = pathlib.Path(sys.argv[3])
n = 0
deadline = time.monotonic() + 120
while not stop.exists() and time.monotonic() < deadline:
    wb.add_contact(f"Other process {sys.argv[2]} {n}", "Kernel GmbH")
    n += 1
    time.sleep(0.02)
wb.close()
print(n)
"""


def test_the_demo_switch_opens_the_demo_in_every_step_and_back(app, page):
    open_step(page, app, "00_start_here", ready="The demo (fictional example)")
    nb = NotebookPage(page, page.url)
    button(page, "The demo (fictional example)").click()
    assert str(app.home / "demo.sqlite") in nb.status("ok", "demo workbook")
    try:
        open_step(page, app, "01_options_and_criteria", ready="Save option")
        text = " ".join(page.inner_text("body").split())
        assert "Using the demo workbook (fictional example):" in text and str(app.home / "demo.sqlite") in text
        assert "3 options" in text  # Lena's three paths
        assert str(app.workbook_path) not in text
    finally:
        open_step(page, app, "00_start_here", ready="My workbook")
        button(page, "My workbook").click()
    assert str(app.workbook_path) in nb.status("ok", "your own workbook")
    assert_clean(page)
