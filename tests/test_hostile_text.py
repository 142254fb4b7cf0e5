"""The one hostile-text corpus (tests/hostile.py) through the report and the exports.

The store and the forms take the same corpus in their own tests (test_store, test_forms_capture,
test_prep, test_questions): here what was stored comes back out, in the shared report (no markup,
no script, the words still there) and in the CSV and Excel exports (exact with ``raw``).
"""

from __future__ import annotations

import unicodedata

import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from hostile import HOSTILE

from workbook.report.build import build_report
from workbook.store.export import export_workbook
from workbook.textsafety import page_text

IDS = [f"{i}:{unicodedata.name(t.strip()[0], 'x') if t.strip() else 'blank'}"[:40] for i, t in enumerate(HOSTILE)]


#: Short enough to be a name or a title (the very long text goes into the notes).
NAMES = [t for t in HOSTILE if len(t) < 1000]


@pytest.fixture
def stored(wb):
    """Every hostile text as an option, a criterion, a contact and a note."""
    pay = wb.add_criterion("Pay")
    for i, text in enumerate(NAMES):
        o = wb.add_option(f"{text} {i}", description=text)
        c = wb.add_criterion(f"{text} {i}") if i < 6 else pay
        person = wb.add_contact(f"{text} {i}", text, text, notes=text)
        talk = wb.add_conversation(person, o, status="done")
        wb.add_insight(o, pay, 1, note=text, conversation_id=talk)
        wb.add_insight(o, c, -1, note=text, conversation_id=talk)
    long = [t for t in HOSTILE if len(t) >= 1000]
    for text in long:
        wb.add_insight(o, pay, 2, note=text, conversation_id=talk)
    return wb


def _visible(text: str) -> str:
    """What a reader should still find of a text: its printable words (escape sequences, controls and
    invisible marks aside, which a page must not carry)."""
    kept = "".join(
        " " if ch.isspace() else ch for ch in page_text(text) if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    return " ".join(kept.split())


@pytest.mark.parametrize("names", [True, False], ids=["with-names", "private"])
def test_the_report_shows_hostile_text_as_text(stored, names):
    page = build_report(stored, names=names)
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("script") is None and soup.find("iframe") is None
    assert not [tag.name for tag in soup.find_all(True) if any(a.lower().startswith("on") for a in tag.attrs)]
    assert not [a["href"] for a in soup.find_all("a", href=True) if "evil.example" in a["href"]]
    assert not any(tag.get("src", "").startswith("x") for tag in soup.find_all("img"))
    assert "\u202e" not in page and "\x1b" not in page and "\x07" not in page  # no bidi override, no controls
    text = " ".join(soup.get_text(" ").split())
    assert "{{ 7*7 }}" in page or "{{ 7*7 }}" in text  # templates never run user text
    shown = _visible(text)
    for i, hostile in enumerate(NAMES):
        if names:  # the option titles are there, as written (up to controls and invisible marks)
            assert _visible(f"{hostile} {i}")[:30] in shown, i


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_the_raw_csv_export_gives_back_exactly_what_was_typed(wb, tmp_path, text):
    person = wb.add_contact("Someone", text, text, notes=text)
    export_workbook(wb, tmp_path / "raw", raw=True)
    contacts = pd.read_csv(tmp_path / "raw" / "contacts.csv", keep_default_na=False, dtype=str)
    row = contacts[contacts["id"] == str(person)].iloc[0]
    assert [row["organization"], row["role"], row["notes"]] == [text, text, text]


def test_the_excel_export_keeps_every_hostile_text_as_text(stored, tmp_path):
    export_workbook(stored, tmp_path / "all.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "all.xlsx")["contacts"]
    header = [c.value for c in sheet[1]]
    organisations = [row[header.index("organization")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    for text in NAMES:
        if any(0 <= ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
            continue  # Excel cannot hold these characters; the export drops them (tested in test_export)
        assert text.replace("\r\n", "\n").replace("\r", "\n") in organisations, text[:40]
