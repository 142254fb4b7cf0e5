"""The shared HTML report opens in Chromium from a file: no errors, no script runs, nothing fetched."""

from __future__ import annotations

import pytest

from workbook.demo import build_demo
from workbook.report.build import write_report

pytestmark = pytest.mark.browser

TITLE = '<script>alert("option")</script> Zoë Ñúñez — 研究者'
QUOTE = '"><img src=x onerror=alert(2)> « ça paie bien » <a href="https://example.com/x">link</a>'
CONTACT = "<svg onload=alert(3)> Renée O'Brien"


@pytest.fixture
def demo_with_hostile_text(tmp_path):
    """The demo workbook plus an option, a quote and a person whose text is markup."""
    wb = build_demo(tmp_path / "demo.sqlite", overwrite=True)
    option = wb.add_option(TITLE, description="<style>body{display:none}</style>")
    criterion = int(wb.criteria()["id"].iloc[0])
    contact = wb.add_contact(CONTACT, "<b>Org</b>", "<i>Role</i>", "friend", options=[option])
    conversation = wb.add_conversation(contact, option, status="done")
    wb.add_insight(option, criterion, 2, confidence="high", note=QUOTE, conversation_id=conversation)
    yield wb
    wb.close()


@pytest.mark.parametrize("names", [False, True], ids=["private", "with-names"])
def test_report_opens_offline_with_no_errors(page, demo_with_hostile_text, tmp_path, artifacts, names):
    path = write_report(demo_with_hostile_text, tmp_path / "report.html", names=names)
    url = path.resolve().as_uri()

    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")

    assert page.dialogs == []
    assert page.console_errors == []
    fetched = [r for r in page.requests if not r.startswith("data:")]
    assert fetched == [url]
    assert page.locator("script").count() == 0
    assert page.locator("body").is_visible()  # the injected <style> did not hide the page
    # markup shown as the text it is; without names, words of contacts' names are masked in the title too
    # (the demo's Zoe and Nunez; "alert", a word of the hostile contact's name, is an ordinary word here and stays)
    shown = TITLE if names else TITLE.replace("Zoë Ñúñez", "[name]")
    assert page.get_by_text(shown, exact=False).count() >= 1
    assert page.get_by_text("« ça paie bien »", exact=False).count() >= 1
    assert (page.locator("img").count() > 0) and all(
        src.startswith("data:") for src in page.locator("img").evaluate_all("els => els.map(e => e.src)")
    )
    shot = artifacts / f"report-{'with-names' if names else 'private'}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
