"""Every guided notebook in JupyterLab at 1280 and 1920 px: readable forms, working links, a clean console.

Each notebook runs on the demo workbook (``use_demo = True`` in a fresh copy), so its forms and tables
hold realistic text. In notebooks 00 and 05 the forms are also checked for serious WCAG 2.2 AA violations
(axe-core), in the same opened notebook: only what the notebook puts on the page (its outputs: forms,
tables, charts), not JupyterLab's own interface. With ``CAREER_WORKBOOK_SCREENSHOTS=1`` each notebook is also kept as screenshots at
1280 px in ``test-artifacts/``, top to bottom (a failed test always keeps one, from tests/browser/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid

import nbformat
import pytest

from workbook import paths

from .axe import described, violations
from .conftest import fresh_copy
from .fit import CUT_JS
from .lab import NotebookPage

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.stem for p in paths.notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
WIDTHS = (1280, 1920)
HEIGHT = 1000
#: A slider's track must be at least this wide (px) to be read and moved with a mouse.
MIN_TRACK = 150

#: Widget text, dropdown choices and pictures that must not be cut off.
_CLIPPED_JS = CUT_JS

#: Every visible slider: its label and the width of its track.
_TRACKS_JS = """() => Array.from(document.querySelectorAll('.widget-slider.widget-hslider'))
  .filter(el => el.offsetParent)
  .map(el => {
    const track = el.querySelector('.slider-container') || el.querySelector('.slider');
    const label = el.querySelector('.widget-label');
    return {label: label ? label.innerText.trim() : '?', width: track ? track.getBoundingClientRect().width : 0};
  })"""

#: Select the notebook's last cell and scroll to it.
_TO_END_JS = """async () => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  nb.activeCellIndex = nb.widgets.length - 1;
  await nb.scrollToItem(nb.widgets.length - 1);
}"""

#: The notebooks whose forms axe-core checks (the first a person sees, and the richest form, tab by tab).
ACCESS_CHECKED = ("00_start_here", "05_capture")
#: What the accessibility check looks at: the open notebook's outputs.
OUTPUTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea"

#: Console messages and kernel output that mean something went wrong with the widgets.
BAD = re.compile(r"No such comm|Error setting state|Cannot set properties of undefined|comm target", re.I)


def _open_demo(lab, page, name: str, *, beside: tuple[str, ...] = ()) -> NotebookPage:
    """Open a fresh copy of notebook ``name`` on the demo workbook; ``beside``: copies of others next to it."""
    folder = f"readable-{uuid.uuid4().hex[:8]}"
    for other in beside:
        fresh_copy(paths.notebooks_dir() / f"{other}.ipynb", lab.root / folder / f"{other}.ipynb")
    copy = fresh_copy(paths.notebooks_dir() / f"{name}.ipynb", lab.root / folder / f"{name}.ipynb")
    nb = nbformat.read(copy, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace("use_demo = False", "use_demo = True")
    nbformat.write(nb, copy)
    relative = f"{folder}/{copy.name}"
    notebook = NotebookPage(page, lab.notebook_url(relative, workspace=uuid.uuid4().hex[:12]))
    starting = lab.start_kernel(relative)
    notebook.open()
    starting.join()
    return notebook


def kernel_frames(page) -> list[str]:
    """Start keeping what the kernels say to the page (their websocket frames) that means trouble.

    The kernel writes "No such comm …" on its error stream with no cell as parent: JupyterLab shows it
    only in its log console, never in a cell, so the frames themselves are read.
    """
    found: list[str] = []

    def watch(socket) -> None:
        def received(payload) -> None:
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
            found.extend(f"kernel said: {m}" for m in BAD_FRAME.findall(text))

        socket.on("framereceived", received)

    page.on("websocket", watch)
    return found


#: What a kernel says when a widget message was dropped, as it appears in a websocket frame.
BAD_FRAME = re.compile(r"No such comm[^\\\"]*|Error setting state[^\\\"]*")


def _watch_everything(page, lab) -> dict:
    """Keep every console message (warnings too), the kernels' messages, and where the server log stood."""
    seen = {"console": [], "log_from": lab.log_path.stat().st_size, "frames": kernel_frames(page)}
    page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}"))
    return seen


def _widget_trouble(page, lab, seen: dict) -> list[str]:
    """Comm and widget-state problems in the console, the notebook's outputs and the kernel's log."""
    with open(lab.log_path, "rb") as log:
        log.seek(seen["log_from"])
        server = log.read().decode("utf-8", "replace")
    found = [m for m in seen["console"] if BAD.search(m)]
    found += [f"output: {m}" for m in BAD.findall(_kernel_text(page))]
    found += [f"kernel log: {line}" for line in server.splitlines() if BAD.search(line)]
    return found + seen["frames"]


#: Scroll the notebook to ``y`` px (lab's own scroller), returning its scroll height and view height.
_SCROLL_JS = """y => {
  const el = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
  el.scrollTop = y;
  return [el.scrollHeight, el.clientHeight];
}"""


def _screenshots(page, artifacts, name: str, most: int = 8) -> None:
    """The whole notebook at 1280 px, top to bottom, one screenshot per screenful (``notebook-NAME-1280-N.png``)."""
    page.set_viewport_size({"width": 1280, "height": 1400})
    for stale in artifacts.glob(f"notebook-{name}-1280*.png"):
        stale.unlink()
    y = 0
    for n in range(1, most + 1):
        total, view = page.evaluate(_SCROLL_JS, y)
        page.wait_for_timeout(400)  # lab renders the cells scrolled into view
        page.screenshot(path=str(artifacts / f"notebook-{name}-1280-{n}.png"))
        y += view - 80
        if y >= total - 80:
            break


def _kernel_text(page) -> str:
    """Every stream output shown in the notebook (kernel warnings such as 'No such comm' land there)."""
    return " ".join(
        page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_text_contents()
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_readable_at_1280_and_1920_and_leads_to_the_next(name, lab, lab_page, artifacts):
    """Run on the demo, nothing is cut off, no slider is squeezed, the kernel and console stay clean, and
    the "What is next" link at the end opens the next notebook (one notebook opened for all of it). In
    00 and 05, axe-core finds no serious violation in the forms."""
    following = NOTEBOOKS[(NOTEBOOKS.index(name) + 1) % len(NOTEBOOKS)]
    lab_page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    seen = _watch_everything(lab_page, lab)
    nb = _open_demo(lab, lab_page, name, beside=(following,))
    nb.run_all()
    lab_page.wait_for_timeout(1500)  # widgets render after the kernel is idle
    problems = []
    for width in WIDTHS:
        lab_page.set_viewport_size({"width": width, "height": HEIGHT})
        lab_page.wait_for_timeout(500)
        problems += [f"{width}px: clipped {c}" for c in lab_page.evaluate(_CLIPPED_JS)]
        problems += [
            f"{width}px: slider {s['label']!r} track {s['width']:.0f} px"
            for s in lab_page.evaluate(_TRACKS_JS)
            if s["width"] < MIN_TRACK
        ]
    if name in ACCESS_CHECKED:  # at 1280 px, after the layout checks (it leaves the last tab open)
        lab_page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        problems += _accessibility_problems(lab_page)
    if os.environ.get("CAREER_WORKBOOK_SCREENSHOTS"):  # for a person to look at: about 4 s per notebook
        _screenshots(lab_page, artifacts, name)
    assert not problems, "\n".join(problems)
    assert not _widget_trouble(lab_page, lab, seen)
    _follow_what_is_next(lab_page, following)


def _accessibility_problems(page) -> list[str]:
    """Serious axe-core violations in the open notebook's forms at 1280 px, every tab of a tabbed form too."""
    assert page.locator(f"{OUTPUTS} .jupyter-widgets").count() > 0
    found = violations(page, include=[OUTPUTS])
    problems = [f"accessibility:\n{described(found)}"] if found else []
    for tab in page.locator(".widget-tab .lm-TabBar-tab").filter(visible=True).all()[1:]:
        tab.click()
        page.wait_for_timeout(300)
        found = violations(page, include=[OUTPUTS])
        problems += [f"accessibility, tab {tab.inner_text()!r}:\n{described(found)}"] if found else []
    return problems


def _follow_what_is_next(page, following: str) -> None:
    """Click the "What is next" link in the open notebook's last cell; the next notebook's tab opens."""
    page.evaluate(_TO_END_JS)  # lab renders cells lazily: bring the last one into view
    last = page.locator(".jp-MarkdownCell", has_text="What is next").last
    link = last.locator(f"a[href*='{following}.ipynb']").first
    link.wait_for(timeout=30_000)
    link.click()
    tab = page.locator(".lm-TabBar-tab.lm-mod-current", has_text=f"{following}.ipynb")
    tab.first.wait_for(timeout=30_000)


def test_linking_insiders_in_02_keeps_the_console_clean(lab, lab_page):
    """After Link selected the list of matches shrinks; the browser must not try to select what is gone."""
    seen = _watch_everything(lab_page, lab)
    nb = _open_demo(lab, lab_page, "02_who_to_ask")
    nb.run_all()
    finder = nb.cell("Link selected")
    nb.click("Find matches", scope=finder)
    nb.choose_many("Link as insiders", re.compile("."), scope=finder)
    nb.click("Link selected", scope=finder)
    nb.status("ok", "Linked", scope=finder)
    lab_page.wait_for_timeout(1500)
    assert not _widget_trouble(lab_page, lab, seen)


def test_08_settings_changes_the_due_list(lab, lab_page, lab_workbook):
    """Following up after 5 business days instead of 7 puts a 5-day-old request on today's due list."""
    from workbook.outreach.cadence import business_days_after, due_list

    today = dt.date.today()
    sent = max(d for d in (today - dt.timedelta(days=n) for n in range(1, 12)) if business_days_after(d, 5) <= today)
    t = uuid.uuid4().hex[:6]
    option = lab_workbook.add_option(f"Settings check {t}")
    contact = lab_workbook.add_contact(f"Follow Up {t}", f"Org {t}")
    conversation = lab_workbook.add_conversation(contact, option, status="requested", requested_on=sent.isoformat())
    waiting = business_days_after(sent, 7) > today  # not yet due with the default
    try:

        def kinds() -> set[str]:
            due = due_list(lab_workbook, today)
            return set(due.loc[due["conversation_id"] == conversation, "kind"])

        assert waiting and "follow_up" not in kinds()
        folder = f"settings-{t}"
        copy = fresh_copy(paths.notebooks_dir() / "08_settings.ipynb", lab.root / folder / "08_settings.ipynb")
        nb = NotebookPage(lab_page, lab.notebook_url(f"{folder}/{copy.name}", workspace=t))
        starting = lab.start_kernel(f"{folder}/{copy.name}")
        nb.open()
        starting.join()
        nb.run_all()
        box = lab_page.locator(".widget-hbox", has_text="Follow up once after").locator("input").first
        box.fill("0")
        box.dispatch_event("change")
        nb.click("Save settings")
        assert "Follow up once after" in nb.status("error", "Not saved")
        assert lab_workbook.setting("cadence_follow_up_days") is None
        box.fill("5")
        box.dispatch_event("change")
        box.blur()
        nb.click("Save settings")
        nb.status("ok", "Saved")
        assert lab_workbook.setting("cadence_follow_up_days") == 5
        assert "follow_up" in kinds()
        nb.click("Back to defaults")
        nb.status("ok", "Back to defaults")
        assert lab_workbook.setting("cadence_follow_up_days") is None
    finally:
        lab_workbook.delete_setting("cadence_follow_up_days")
        lab_workbook.archive("conversations", conversation)
