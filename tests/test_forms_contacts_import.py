"""Notebook 02's contacts import form driven like a user would: any source, preview, choose, import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ipywidgets as widgets
from bs4 import BeautifulSoup

from workbook.forms.contacts_import import KEEP, USE_FILE, ContactImportForm

DATA = Path(__file__).parent / "data" / "contacts"
LINKEDIN = Path(__file__).parent / "data" / "linkedin" / "connections_current.csv"
HOSTILE = "<img src=x onerror=alert(1)>"


def cells(table_widget) -> list[str]:
    return [td.get_text() for td in BeautifulSoup(table_widget.value, "html.parser").find_all("td")]


def html_sinks(widget) -> list[str]:
    """The value of every HTML widget inside ``widget`` (what a browser would parse as markup)."""
    found = [widget.value] if isinstance(widget, widgets.HTML) else []
    for child in getattr(widget, "children", ()):
        found += html_sinks(child)
    return found


def labels(widget) -> list[str]:
    found = [widget.value] if isinstance(widget, widgets.Label) else []
    for child in getattr(widget, "children", ()):
        found += labels(child)
    return found


def test_preview_a_vcard_then_import_then_nothing_left_to_do(wb):
    refreshed = []
    form = ContactImportForm(wb, on_import=lambda: refreshed.append(True))
    form.path.value = str(DATA / "phone_v21.vcf")
    form.preview_button.click()
    assert wb.contacts().empty, "a preview writes nothing"
    assert form.counts.text.startswith("phone_v21.vcf (vCard 2.1): 3 people — 3 new, 0 updated")
    assert "Jürgen Müller" in cells(form.table)
    assert form.import_button.description == "Import: 3 new, 0 updated" and not form.import_button.disabled
    form.import_button.click()
    assert form.status.kind == "ok"
    assert form.status.text == "Imported 3 new contacts and updated 0 from vCard 2.1 (phone_v21.vcf)."
    assert sorted(wb.contacts()["name"]) == ["Inés Niño", "Jürgen Müller", "Li Wei"]
    assert refreshed == [True]
    assert "0 new, 0 updated, 3 unchanged" in form.counts.text and form.import_button.disabled


def test_a_second_source_updates_the_same_people_and_a_difference_is_chosen(wb):
    form = ContactImportForm(wb)
    form.path.value = str(LINKEDIN)
    form.preview_button.click()
    form.import_button.click()
    form.path.value = str(DATA / "outlook.csv")  # Ingrid Dahl again, with another job title
    assert form.import_button.disabled, "a changed path needs a new preview"
    form.preview_button.click()
    assert list(form.choices) == ["2:role"]
    assert labels(form.differences)[1] == "Line 2 · Ingrid Dahl · role"
    choice = form.choices["2:role"]
    assert choice.options == (("keep: Head of Research, Europe", KEEP), ("use the file's: Research Director", USE_FILE))
    assert choice.value is KEEP
    assert form.import_button.description == "Import: 2 new, 1 updated"
    choice.value = USE_FILE
    form.import_button.click()
    ingrid = wb.contacts().set_index("name").loc["Ingrid Dahl"]
    assert ingrid["role"] == "Research Director"
    assert sorted(wb.contact_sources(int(ingrid["id"]))["source"]) == ["linkedin", "outlook"]
    assert len(wb.contacts()) == 6, "Ingrid is one contact, from two sources"
    assert form.choices == {} and form.import_button.disabled


def test_keeping_the_workbooks_value_leaves_it(wb):
    jose = wb.add_contact("José Núñez", "Riverside County", "Epidemiologist", email="jose.nunez@example.org")
    form = ContactImportForm(wb)
    form.path.value = str(DATA / "google_current.csv")
    form.preview_button.click()
    assert list(form.choices) == ["2:organization", "2:role"]
    assert all(choice.value is KEEP for choice in form.choices.values())
    form.import_button.click()
    assert wb.get("contacts", jose)["role"] == "Epidemiologist"
    assert wb.get("contacts", jose)["organization"] == "Riverside County"
    assert list(form.choices) == ["2:organization", "2:role"], "still differ, still offered"


def test_upload_is_used_when_no_path_is_typed(wb):
    form = ContactImportForm(wb)
    data = (DATA / "contacts_v4.vcf").read_bytes()
    form.upload.value = (
        {
            "name": "contacts.vcf",
            "type": "text/vcard",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": dt.datetime(2026, 1, 7),
        },
    )
    form.preview_button.click()
    assert "listed twice" in form.counts.text
    form.import_button.click()
    assert sorted(wb.contacts()["name"]) == ["Hana Sato", "Zoë Ångström"]


def test_a_bad_file_says_why_and_imports_nothing(wb):
    form = ContactImportForm(wb)
    form.path.value = str(DATA / "phone_v21.vcf")
    form.preview_button.click()
    form.path.value = str(DATA / "picture.png")
    form.preview_button.click()
    assert form.status.kind == "error" and "binary data" in form.status.text
    assert form.import_button.disabled and cells(form.table) == []
    form.import_button.click()
    assert wb.contacts().empty


def test_text_from_a_file_is_never_markup(wb):
    wb.add_contact(f"Ada {HOSTILE}", "Acme", "Nurse", email="ada@acme.example")
    vcard = f"BEGIN:VCARD\nVERSION:3.0\nFN:Ada {HOSTILE}\nTITLE:{HOSTILE} lead\nEMAIL:ada@acme.example\nEND:VCARD\n"
    form = ContactImportForm(wb)
    form.upload.value = (
        {
            "name": f"{HOSTILE}.vcf",
            "type": "",
            "size": 1,
            "content": memoryview(vcard.encode()),
            "last_modified": dt.datetime(2026, 1, 7),
        },
    )
    form.preview_button.click()
    assert list(form.choices) == ["1:role"]
    for markup in html_sinks(form.view):
        assert "<img" not in markup, markup
    assert any(HOSTILE in text for text in labels(form.differences)), "shown as plain text in a Label"


def test_the_contacts_table_shows_every_source_a_person_came_from(wb):
    from workbook.forms.contacts import ContactsForm

    contacts = ContactsForm(wb)
    form = ContactImportForm(wb, on_import=contacts.refresh)
    for file in (DATA / "apple_v3.vcf", LINKEDIN):
        form.path.value = str(file)
        form.preview_button.click()
        form.import_button.click()
    rows = BeautifulSoup(contacts.table.value, "html.parser").find_all("tr")
    amara = next(r for r in rows if "Amara Nwosu" in r.get_text())
    assert "vcard, linkedin" in [td.get_text() for td in amara.find_all("td")], "the first source first"
