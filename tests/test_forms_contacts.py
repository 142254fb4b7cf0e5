"""Notebook 02 forms driven like a user would: contacts, LinkedIn import, targets, "who do I know there?"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from workbook.forms.contacts import (
    NEW,
    ContactsForm,
    InsiderFinder,
    TargetsForm,
    clean_profile_url,
)
from workbook.forms.linkedin import LinkedInImportForm
from workbook.people import matching

HOSTILE = "<img src=x onerror=alert(1)>"
LINKEDIN = Path(__file__).parent / "data" / "linkedin"


def cells(table_widget) -> list[str]:
    return [td.get_text() for td in BeautifulSoup(table_widget.value, "html.parser").find_all("td")]


def fill(form, **values):
    form.pick.value = NEW
    for name, value in values.items():
        getattr(form, name).value = value
    form.save_button.click()


# ------------------------------------------------------------------ contacts
def test_add_contact_with_every_field(wb):
    ux = wb.add_option("UX research")
    ph = wb.add_option("Public health")
    maya = wb.add_contact("Maya")
    form = ContactsForm(wb)
    fill(
        form,
        name="Rosa Marquez",
        organization="Acme Analytics",
        role="UX Researcher",
        email="rosa@example.org",
        profile_url="linkedin.com/in/rosa",
        relationship="alumni",
        strength=4,
        insider_for=(ux, ph),
        referred_by=maya,
        notes="Met at a meetup",
    )
    assert form.status.kind == "ok", form.status.text
    row = wb.contacts().set_index("name").loc["Rosa Marquez"]
    assert (row["organization"], row["role"], row["email"]) == ("Acme Analytics", "UX Researcher", "rosa@example.org")
    assert row["profile_url"] == "https://linkedin.com/in/rosa"
    assert (row["relationship"], row["strength"], row["referred_by"], row["notes"]) == (
        "alumni",
        4,
        maya,
        "Met at a meetup",
    )
    links = wb.insider_links()
    assert sorted(links.loc[links["contact_id"] == row["id"], "option_id"]) == [ux, ph]
    assert "UX research, Public health" in cells(form.table)
    assert form.name.value == ""


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        (dict(name=""), "name", "empty"),
        (dict(name="Ana", email="ana-at-example"), "email", "email address"),
        (dict(name="Ana", profile_url="not a url"), "profile_url", "web address"),
        (dict(name="Ana", profile_url="ftp://x.org/a"), "profile_url", "web address"),
    ],
)
def test_bad_contact_is_refused_naming_the_field(wb, values, field, reason):
    form = ContactsForm(wb)
    fill(form, **values)
    assert form.status.kind == "error"
    assert field.replace("_", " ") in form.status.text and reason in form.status.text
    assert wb.contacts().empty


def test_hostile_text_is_stored_exactly_and_shown_escaped(wb):
    form = ContactsForm(wb)
    fill(form, name=HOSTILE, organization=HOSTILE, notes=HOSTILE)
    row = wb.contacts().iloc[0]
    assert (row["name"], row["organization"], row["notes"]) == (HOSTILE, HOSTILE, HOSTILE)
    assert HOSTILE in cells(form.table)
    assert "<img" not in form.table.value and "<img" not in form.status.value


def test_edit_contact_replaces_insider_links_and_archive_hides_it(wb):
    ux = wb.add_option("UX research")
    ph = wb.add_option("Public health")
    cid = wb.add_contact("Kofi", "Nordlicht GmbH", options=[ux])
    form = ContactsForm(wb)
    form.pick.value = cid
    assert (form.name.value, form.organization.value, form.insider_for.value) == ("Kofi", "Nordlicht GmbH", (ux,))
    form.role.value = "Data Engineer"
    form.insider_for.value = (ph,)
    form.save_button.click()
    assert form.status.kind == "ok"
    assert wb.get("contacts", cid)["role"] == "Data Engineer"
    assert wb.insider_links()[["contact_id", "option_id"]].values.tolist() == [[cid, ph]]
    form.pick.value = cid
    form.archive_button.click()
    assert wb.contacts().empty and "Kofi" not in cells(form.table)


def test_self_referral_is_refused(wb):
    cid = wb.add_contact("Kofi")
    form = ContactsForm(wb)
    form.pick.value = cid
    form.referred_by.value = cid
    form.save_button.click()
    assert form.status.kind == "error" and "referred by" in form.status.text


def test_same_name_and_organisation_is_pointed_out(wb):
    wb.add_contact("José Núñez", "Riverside Health Inc.")
    form = ContactsForm(wb)
    fill(form, name="jose nunez", organization="Riverside Health")
    assert form.status.kind == "ok" and "you already have José Núñez at Riverside Health Inc." in form.status.text
    assert "same name and organisation" in form.status.text and "#" not in form.status.text


def test_two_contacts_with_one_name_say_how_they_differ_never_an_id(wb):
    wb.add_contact("Maya Chen", "Acme", "UX Researcher")
    wb.add_contact("Maya Chen", "Globex", "UX Researcher")
    wb.add_contact("Tom Berg", "Initech")
    form = ContactsForm(wb)
    labels = [label for label, _ in form.pick.options[1:]]
    assert labels == ["Maya Chen — Acme", "Maya Chen — Globex", "Tom Berg"]
    wb.add_contact("Tom Berg", "Initech")  # nothing tells these two apart: then, and only then, the record
    form.refresh()
    tom = [label for label, _ in form.pick.options if label.startswith("Tom")]
    assert len(set(tom)) == 2 and all(t.startswith("Tom Berg — Initech, record ") for t in tom)


def test_clean_profile_url():
    assert clean_profile_url(" www.linkedin.com/in/x ") == "https://www.linkedin.com/in/x"
    assert clean_profile_url("") == ""


# ----------------------------------------------------------- LinkedIn import
def test_linkedin_preview_then_import_then_nothing_new(wb):
    refreshed = []
    form = LinkedInImportForm(wb, on_import=lambda: refreshed.append(True))
    form.path.value = str(LINKEDIN / "connections_current.csv")
    form.preview_button.click()
    assert wb.contacts().empty  # a preview writes nothing
    assert "4 new, 0 duplicates (already in your workbook or repeated in the file), 1 skipped." in form.counts.text
    assert form.import_button.description == "Import 4 contacts" and not form.import_button.disabled
    assert "Müller & Söhne GmbH" in cells(form.table)
    form.import_button.click()
    assert form.status.kind == "ok" and "Imported 4 contacts" in form.status.text
    people = wb.contacts().set_index("name")
    assert set(people["source"]) == {"linkedin"}
    assert people.loc["Amara Nwosu", "connected_on"] == dt.datetime(2025, 12, 7)
    assert refreshed == [True]
    assert form.import_button.disabled and "0 new, 4 duplicates" in form.counts.text
    form.preview_button.click()
    assert form.import_button.description == "Import 0 contacts" and form.import_button.disabled


def test_linkedin_refuses_a_non_linkedin_file_and_imports_nothing(wb):
    form = LinkedInImportForm(wb)
    form.path.value = str(LINKEDIN / "connections_current.csv")
    form.preview_button.click()
    form.path.value = str(LINKEDIN / "not_linkedin.csv")
    assert form.import_button.disabled  # a changed path needs a new preview
    form.preview_button.click()
    assert form.status.kind == "error"
    assert "file" in form.status.text and "does not look like LinkedIn" in form.status.text
    assert form.import_button.disabled and cells(form.table) == []
    form.import_button.click()
    assert wb.contacts().empty


@pytest.mark.parametrize(("path", "reason"), [("", "is empty"), ("/no/such/Connections.csv", "does not exist")])
def test_linkedin_form_without_a_usable_path(wb, path, reason):
    form = LinkedInImportForm(wb)
    form.path.value = path
    form.preview_button.click()
    assert form.status.kind == "error" and reason in form.status.text


def test_linkedin_upload_is_used_when_no_path_is_typed(wb):
    form = LinkedInImportForm(wb)
    data = (LINKEDIN / "connections_older.csv").read_bytes()
    form.upload.value = (
        {
            "name": "Connections.csv",
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": dt.datetime(2025, 12, 7),
        },
    )
    form.preview_button.click()
    assert form.import_button.description == "Import 2 contacts"
    form.import_button.click()
    assert len(wb.contacts()) == 2


def test_linkedin_latin1_file_gets_a_clear_message(wb, tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_bytes("First Name,Last Name,Company,Position\nRené,Müller,Café,Chef\n".encode("latin-1"))
    form = LinkedInImportForm(wb)
    form.path.value = str(path)
    form.preview_button.click()
    assert form.status.kind == "error" and "not UTF-8" in form.status.text
    assert wb.contacts().empty


# -------------------------------------------------- targets and insider finder
def test_targets_form_saves_one_per_line_and_reloads(wb):
    ux = wb.add_option("UX research")
    ph = wb.add_option("Public health")
    form = TargetsForm(wb)
    form.option.value = ux
    form.organizations.value = "Brightpath Software, Inc.\n\nQuillstone"
    form.roles.value = "UX Researcher"
    form.save_button.click()
    assert form.status.kind == "ok"
    assert matching.load_targets(wb)[ux] == {
        "organizations": ["Brightpath Software, Inc.", "Quillstone"],
        "roles": ["UX Researcher"],
    }
    form.option.value = ph
    assert form.organizations.value == ""
    form.option.value = ux
    assert form.roles.value == "UX Researcher"
    assert "Brightpath Software, Inc.; Quillstone" in cells(form.table)


def test_targets_form_without_options_says_so(wb):
    form = TargetsForm(wb)
    form.save_button.click()
    assert form.save_button.disabled and form.option.value is None
    assert form.status.kind == "error" and "add an option first" in form.status.text
    assert "No options yet" in form.table.value


def test_finder_suggests_and_links_insiders(wb):
    ux = wb.add_option("UX research")
    maya = wb.add_contact("Maya", "Brightpath Software Inc.", "UX Researcher")
    wb.add_contact("Meta person", "Metaflow Inc", "Engineer")
    changed = []
    finder = InsiderFinder(wb, on_change=lambda: changed.append(True))
    targets = TargetsForm(wb, on_change=finder.refresh)
    targets.option.value = ux
    targets.organizations.value = "brightpath software\nMeta"
    targets.save_button.click()
    assert [v for _, v in finder.pick.options] == [(maya, ux)]
    assert cells(finder.table)[:2] == ["UX research", "Maya"]
    finder.pick.value = ((maya, ux),)
    finder.link_button.click()
    assert finder.status.kind == "ok"
    assert wb.insider_links()[["contact_id", "option_id"]].values.tolist() == [[maya, ux]]
    assert changed == [True] and finder.pick.options == ()
    finder.find_button.click()
    assert "No contacts match" in finder.status.text


def test_finder_link_without_selection(wb):
    finder = InsiderFinder(wb)
    finder.link_button.click()
    assert finder.status.kind == "error" and "select" in finder.status.text
