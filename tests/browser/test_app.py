"""The no-code app in Chromium: one page, one kernel, every step without code, a real save in each.

One ``career-workbook app`` runs for the whole module, on a temporary workbook
and user data folder; every test opens the app in a new page (one browser
context for the module, as a person's browser keeps its cache) and checks that
nothing went to another host, the console stayed clean and the kernel logged
no error.
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
from workbook.people.coverage import THRESHOLD_SETTING

from .app import STEPS, AppServer, button, foreign_requests, open_step, show_step, view, wait_shown
from .conftest import VIEWPORT, _keep_screenshot_if_failed, _watched
from .lab import NotebookPage

pytestmark = pytest.mark.browser

PERSON = "Zoë Ñúñez — 研究者"
HOSTILE = '<img src=x onerror="alert(1)"> & <b>bold</b>'
#: What a page of the app never shows: code, or the signs of a cell that failed.
BROKEN = ("Traceback", "There was an error when executing cell", "Error displaying widget", "could not be shown")


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
    page.close(run_before_unload=True)  # as a person closes the tab: the page's kernel is stopped


@pytest.fixture
def app_workbook(app):
    book = open_workbook(app.workbook_path)
    yield book
    book.close()


def planned(book, t: str, status: str = "planned") -> dict[str, int]:
    """What notebooks 01–03 leave behind: an option, a criterion, an insider and a conversation with them."""
    option = book.add_option(f"Data journalism {t}", questions="Can I switch without a new degree?")
    criterion = book.add_criterion(f"Pay {t}", 2.0)
    contact = book.add_contact(f"{PERSON} {t}", "Ålesund Tidende", "Data editor", "alumni", options=[option])
    conversation = book.add_conversation(contact, option, status=status)
    return {"option": option, "criterion": criterion, "contact": contact, "conversation": conversation}


def form(page, step: str, name: str):
    """The form of ``step`` holding the button ``name`` (one part of the step's view)."""
    has = page.locator("button", has_text=re.compile(rf"^\s*{re.escape(name)}\s*$"))
    return view(page, step).locator(":scope > *", has=has).filter(visible=True).first


def kernel_of(page) -> str:
    return page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def only_kernel(app, kernel: str, timeout_s: float = 30) -> None:
    """Assert that the app runs one kernel, the page's (pages closed before may take a moment to stop theirs)."""
    deadline = time.monotonic() + timeout_s
    while app.kernels() != [kernel] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert app.kernels() == [kernel], "the whole app is one kernel"


def assert_clean(page, app) -> None:
    """What a person would notice went wrong: errors in the console or the page, requests leaving the machine."""
    assert foreign_requests(page.requests) == [], "requests to other hosts"
    assert page.console_errors == []
    assert page.dialogs == []
    text = page.inner_text("body")
    assert not [broken for broken in BROKEN if broken in text]
    assert "Traceback" not in app.voila_log()


# ------------------------------------------------------------------ the address, the token, the kernel
def test_the_command_prints_a_local_address_with_a_token(app):
    assert app.address == _app.first_url(app.port, app.token) == f"http://127.0.0.1:{app.port}/?token={app.token}"
    assert len(app.token) >= 32


@pytest.mark.parametrize("path", ["/?step=options", "/voila/render/01_options_and_criteria.ipynb"])
def test_without_the_token_the_app_shows_nothing(app, path):
    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
    try:
        for _ in range(3):  # the address of the earlier app is first sent to the page
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            location = response.getheader("Location", "")
            if response.status != 302 or not location.startswith("/?step="):
                break
            path = location
    finally:
        connection.close()
    assert response.status in (302, 401, 403)
    assert "Options and criteria" not in body and "Save option" not in body


def test_the_page_runs_in_one_kernel_that_never_holds_the_token(app, page):
    """Every account can read command lines with ``ps``; a kernel's environment is only the person's."""
    open_step(page, app, "00_start_here", ready="My workbook")
    kernel = kernel_of(page)
    for step in STEPS:
        show_step(page, step)
    only_kernel(app, kernel)
    tree = app.processes()
    assert len(tree) == 3, tree  # the command, Voilà, the page's kernel
    for pid in tree:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:  # ended meanwhile
            continue
        assert app.token.encode() not in command, pid
    kernel_pid = next(pid for pid in tree if kernel in Path(f"/proc/{pid}/cmdline").read_text())
    assert app.token.encode() not in Path(f"/proc/{kernel_pid}/environ").read_bytes()
    assert_clean(page, app)


def test_no_one_can_listen_for_the_next_visit(app, page):
    """Voilà's /voila/query/<kernel id> would hand a visit's request to anyone; the app does not serve it."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    open_step(page, app, "00_start_here", ready="My workbook")
    kernel = kernel_of(page)  # its id is in the kernel's command line, for every account to see
    for headers in ({}, {"Authorization": f"token {app.token}"}):
        with pytest.raises(InvalidStatus) as refused:
            connect(f"ws://127.0.0.1:{app.port}/voila/query/{kernel}", additional_headers=headers, open_timeout=10)
        assert refused.value.response.status_code != 101


def test_leaving_the_page_stops_its_kernel(app, page):
    open_step(page, app, "00_start_here", ready="My workbook")
    kernel = kernel_of(page)
    assert kernel in app.kernels()
    page.goto("about:blank")
    deadline = time.monotonic() + 30
    while kernel in app.kernels() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert kernel not in app.kernels()


# ------------------------------------------------------------------ every step, one page
def test_every_step_shows_its_forms_in_one_page_without_code(app, page, app_workbook):
    planned(app_workbook, tag())
    open_step(page, app, "00_start_here", ready=STEPS["00_start_here"])
    bar = page.locator(".cw-stepbar button")
    assert [bar.nth(i).inner_text() for i in range(bar.count())] == [
        f"{s[:2]} {s[3:].replace('_', ' ').capitalize()}" for s in STEPS
    ]
    for step, buttons in STEPS.items():
        show_step(page, step, ready=buttons)
        shown = view(page, step)
        assert f"step={step[3:].replace('_', '-')}&" in page.url  # the address names the step shown
        assert [s for s in STEPS if view(page, s).is_visible()] == [step]  # one step at a time
        assert "cw-current" in (
            page.locator(f".cw-stepbar .cw-goto-{step[3:].replace('_', '-')}").get_attribute("class")
        )
        text = shown.inner_text()
        assert "Using your workbook:" in text and str(app.workbook_path) in text
        assert "import workbook" not in text and "workbook.notebook.start" not in text and "use_demo" not in text
        assert page.locator(".jp-InputArea, .cm-editor, .jp-InputPrompt").filter(visible=True).count() == 0
        assert shown.locator(".cw-status.cw-error").filter(visible=True).count() == 0
        assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
    assert re.findall(r"https?://[\w.-]*cdn[\w.-]*", page.content()) == []  # nor any loader waiting to fetch
    assert_clean(page, app)


def test_every_step_saves_what_was_typed_in_one_page(app, page, app_workbook, tmp_path):
    """One real save in each step with a form, one after the other in the same page, as a person goes through."""
    t = tag()
    ids = planned(app_workbook, t, status="requested")
    nb = NotebookPage(page, "")
    title = f"{PERSON}: ethnographe {t}"
    open_step(page, app, "01_options_and_criteria", ready="Save option")

    scope = form(page, "01_options_and_criteria", "Save option")
    nb.fill("Title", title, scope=scope)
    nb.fill("Description", f"Étudier les usages — ユーザー調査 {HOSTILE}", scope=scope, area=True)
    nb.choose("Status", "shortlisted", scope=scope)
    nb.click("Save option", scope=scope)
    nb.status("ok", title, scope=scope)
    saved = app_workbook.options().set_index("title").loc[title]
    assert (saved["description"], saved["status"]) == (f"Étudier les usages — ユーザー調査 {HOSTILE}", "shortlisted")

    show_step(page, "02_who_to_ask", ready="Save contact")
    scope = form(page, "02_who_to_ask", "Save contact")
    nb.fill("Name", f"Ingrid Dahl {t}", scope=scope)
    nb.fill("Organisation", "Ville de Zürich — 都市計画", scope=scope)
    nb.choose_many("Knows from inside", re.compile(re.escape(title)), scope=scope)  # saved a step ago
    nb.click("Save contact", scope=scope)
    nb.status("ok", "Added contact", scope=scope)
    contact = app_workbook.contacts().set_index("name").loc[f"Ingrid Dahl {t}"]
    assert contact["organization"] == "Ville de Zürich — 都市計画"

    show_step(page, "03_ask_and_follow_up", ready="Record")
    scope = form(page, "03_ask_and_follow_up", "Record")
    nb.choose("Conversation", re.compile(f"{t}.*requested"), scope=scope)
    nb.choose("What happened", "Reply: a time is agreed", scope=scope)
    nb.fill("Time (HH:MM)", "15:30", scope=scope)
    nb.click("Record", scope=scope)
    nb.status("ok", "Scheduled:", scope=scope)
    assert app_workbook.get("conversations", ids["conversation"])["status"] == "scheduled"

    question = f"Qu'est-ce qui vous a surpris — 最も驚いたことは? {t}"
    show_step(page, "04_prepare", ready="Save questions and prep sheet")
    scope = form(page, "04_prepare", "Save questions and prep sheet")
    nb.choose("Conversation", re.compile(t), scope=scope)
    nb.fill("Your own question", question, scope=scope, area=True)
    nb.click("Add my question", scope=scope)
    nb.status("ok", "Added your question", scope=scope)
    nb.click("Save questions and prep sheet", scope=scope)
    nb.status("ok", "Saved 1 question", scope=scope)
    chosen = app_workbook.table("prep_questions")
    assert chosen[chosen["conversation_id"] == ids["conversation"]]["text"].tolist() == [question]

    show_step(page, "05_capture", ready="Mark done and save notes")
    scope = form(page, "05_capture", "Mark done and save notes")
    nb.choose("Conversation", re.compile(t), scope=scope)
    nb.fill("Notes", f"{PERSON} a parlé de la paie {HOSTILE}", scope=scope, area=True)
    nb.click("Mark done and save notes", scope=scope)
    nb.status("ok", "Marked done", scope=scope)
    assert app_workbook.get("conversations", ids["conversation"])["status"] == "done"
    app_workbook.add_insight(ids["option"], ids["criterion"], 2, conversation_id=ids["conversation"])

    show_step(page, "06_compare_paths", ready="Save these weights")
    scope = form(page, "06_compare_paths", "Save these weights")
    assert f"Data journalism {t}" in scope.inner_text()
    nb.slide(f"Pay {t}", 7, scope=scope)
    nb.status("info", "not saved", scope=scope)
    nb.click("Save these weights", scope=scope)
    nb.status("ok", "Saved the weights", scope=scope)
    assert app_workbook.get("criteria", ids["criterion"])["weight"] == 7.0

    target = tmp_path / f"für-mentor {t}.html"
    show_step(page, "07_share_report", ready="Save report")
    scope = form(page, "07_share_report", "Save report")
    nb.fill("Save to (folder or .html file)", str(target), scope=scope)
    nb.click("Save report", scope=scope)
    assert "no names" in nb.status("ok", str(target), scope=scope)
    parser = _Text()
    parser.feed(target.read_text(encoding="utf-8"))
    assert "Data journalism" in " ".join(parser.text) and parser.scripts == 0
    assert list(app.workbook_path.parent.joinpath("reports").glob("*.html"))  # opening the step saved one too

    show_step(page, "08_settings", ready="Save settings")
    box = page.locator(".widget-hbox", has_text="People per option (aim)").filter(visible=True).locator("input")
    box.first.fill("4")
    box.first.dispatch_event("change")
    box.first.blur()
    try:
        nb.click("Save settings")
        nb.status("ok", "Saved")
        assert app_workbook.setting(THRESHOLD_SETTING) == 4
    finally:
        app_workbook.delete_setting(THRESHOLD_SETTING)
    only_kernel(app, kernel_of(page))
    assert_clean(page, app)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.text.append(data)


def test_a_step_shows_what_changed_elsewhere_when_you_come_back_to_it(app, page, app_workbook):
    """As with JupyterLab open on the same workbook: the other program's save shows, nothing is stale."""
    open_step(page, app, "01_options_and_criteria", ready="Save option")
    scope = form(page, "01_options_and_criteria", "Save option")
    title = f"Saved in JupyterLab {tag()}"
    assert title not in scope.inner_text()
    app_workbook.add_option(title)
    show_step(page, "00_start_here")
    show_step(page, "01_options_and_criteria", ready="Save option")
    assert title in form(page, "01_options_and_criteria", "Save option").inner_text()
    assert_clean(page, app)


# ------------------------------------------------------------------ addresses, links, Back
@pytest.mark.parametrize(
    ("address", "step"),
    [
        ("/?step=compare&token={token}", "06_compare_paths"),
        ("/?step=05&token={token}", "05_capture"),
        ("/voila/render/02_who_to_ask.ipynb?token={token}", "02_who_to_ask"),  # the earlier app's address
    ],
)
def test_an_address_opens_its_step(app, page, address, step):
    page.goto(app.root + address.format(token=app.token))
    wait_shown(page, step)
    assert view(page, step).locator("h1").first.inner_text().startswith(f"{step[:2]} ·")
    assert [s for s in STEPS if view(page, s).count()] == [step]  # only that step was built
    assert_clean(page, app)


def test_links_in_the_text_and_back_and_reload_go_through_the_steps(app, page):
    open_step(page, app, "00_start_here", ready="My workbook")
    view(page, "00_start_here").locator("a.cw-step-link", has_text="01 Options and criteria").first.click()
    wait_shown(page, "01_options_and_criteria", ready="Save option")
    assert urlsplit(page.url).path == "/" and "step=options-and-criteria" in page.url
    show_step(page, "06_compare_paths", ready="Save these weights")
    page.go_back()
    wait_shown(page, "01_options_and_criteria", ready="Save option")
    assert not view(page, "06_compare_paths").is_visible()
    page.go_back()
    wait_shown(page, "00_start_here", ready="My workbook")
    kernel = kernel_of(page)
    page.reload()  # a new visit, on the step it was on
    wait_shown(page, "00_start_here", ready="My workbook")
    page.go_forward()
    wait_shown(page, "01_options_and_criteria", ready="Save option")
    assert kernel_of(page) != kernel
    assert_clean(page, app)


# ------------------------------------------------------------------ the demo switch
def test_the_demo_switch_opens_the_demo_in_every_step_and_back(app, page):
    open_step(page, app, "00_start_here", ready="The demo (fictional example)")
    nb = NotebookPage(page, page.url)
    show_step(page, "01_options_and_criteria", ready="Save option")  # built on the person's own workbook
    show_step(page, "00_start_here")
    button(page, "The demo (fictional example)").click()
    assert str(app.home / "demo.sqlite") in nb.status("ok", "demo workbook")
    try:
        for step in ("01_options_and_criteria", "06_compare_paths"):
            show_step(page, step, ready=STEPS[step][0])
            text = " ".join(view(page, step).inner_text().split())
            assert "Using the demo workbook (fictional example):" in text and str(app.home / "demo.sqlite") in text
            assert "3 options" in text  # Lena's three paths
            assert str(app.workbook_path) not in text
    finally:
        show_step(page, "00_start_here", ready="My workbook")
        button(page, "My workbook").click()
    assert str(app.workbook_path) in nb.status("ok", "your own workbook")
    show_step(page, "01_options_and_criteria", ready="Save option")
    assert str(app.workbook_path) in view(page, "01_options_and_criteria").inner_text()
    assert_clean(page, app)


# ------------------------------------------------------------------ the app and JupyterLab together
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
        scope = form(page, "01_options_and_criteria", "Save option")
        typed = [f"App {PERSON} {t} {i}" for i in range(5)]
        for title in typed:
            nb.fill("Title", title, scope=scope)
            nb.click("Save option", scope=scope)
            nb.status("ok", title, scope=scope)
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    written = int(out.split()[-1])
    assert written >= 20, "the other process barely wrote while the app saved"

    assert set(typed) <= set(app_workbook.options()["title"])
    assert {f"Other process {t} {i}" for i in range(written)} <= set(app_workbook.contacts()["name"])
    assert_clean(page, app)


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
