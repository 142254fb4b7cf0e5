"""Each guided notebook in JupyterLab in Chromium: run all, use its form as a person would, check the file.

Every test opens a fresh copy of the notebook (outputs cleared), so nothing from
an earlier run can pass for this one. All notebooks share the lab server's
workbook; each test adds what it needs first, with text of its own.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

pytestmark = pytest.mark.browser

PERSON = "Zoë Ñúñez — 研究者"
HOSTILE = '<img src=x onerror="alert(1)"> & <b>bold</b>'


def tag() -> str:
    return uuid.uuid4().hex[:6]


def planned_conversation(wb, tag: str, status: str = "planned") -> dict[str, int]:
    """An option, a criterion, an insider and a conversation with them, as notebooks 01–03 leave them."""
    option = wb.add_option(f"Data journalism {tag}", questions="Can I switch without a new degree?")
    criterion = wb.add_criterion(f"Pay {tag}", 2.0)
    contact = wb.add_contact(f"{PERSON} {tag}", "Ålesund Tidende", "Data editor", "alumni", options=[option])
    conversation = wb.add_conversation(contact, option, status=status)
    return {"option": option, "criterion": criterion, "contact": contact, "conversation": conversation}


def test_00_start_here_shows_which_workbook_is_in_use(open_notebook, lab, lab_workbook):
    lab_workbook.add_option(f"Teaching {tag()}")

    nb = open_notebook("00_start_here")
    nb.run_all()
    outputs = nb.page.locator(".jp-OutputArea-output").filter(visible=True)
    text = " ".join(outputs.all_text_contents())

    assert "Using your workbook" in text
    assert str(lab.workbook_path.resolve()) in text
    assert lab_workbook.describe() in " ".join(text.split())


def test_01_options_and_criteria_saves_what_was_typed(open_notebook, lab_workbook):
    """Also: an option without a title and a weight out of range are refused, and nothing is written."""
    t = tag()
    title = f"{PERSON}: ethnographe {t}"
    description = f"Étudier les usages — ユーザー調査 {HOSTILE}"
    before = (len(lab_workbook.options()), len(lab_workbook.criteria()))

    nb = open_notebook("01_options_and_criteria")
    nb.run_all()
    options = nb.cell("Save option")
    nb.fill("Description", description, scope=options, area=True)
    nb.click("Save option", scope=options)  # forgot the title
    assert "title" in nb.status("error", "Not saved", scope=options)
    assert len(lab_workbook.options()) == before[0]
    nb.fill("Title", title, scope=options)
    nb.fill("Questions it must answer", "Do I need a degree?\nWhat does a week look like?", scope=options, area=True)
    nb.choose("Status", "shortlisted", scope=options)
    nb.click("Save option", scope=options)
    nb.status("ok", "Added option", scope=options)

    criteria = nb.cell("Save criterion")
    nb.fill("Name", f"Sens du travail {t}", scope=criteria)
    nb.fill("What it means to you", "Voir l'effet de mon travail — 意味", scope=criteria, area=True)
    nb.fill("Weight (0–100)", "250", scope=criteria)
    nb.click("Save criterion", scope=criteria)
    assert "weight" in nb.status("error", "Not saved", scope=criteria)
    assert len(lab_workbook.criteria()) == before[1]
    nb.fill("Weight (0–100)", "4.5", scope=criteria)
    nb.click("Save criterion", scope=criteria)
    nb.status("ok", "Added criterion", scope=criteria)

    option = lab_workbook.options().set_index("title").loc[title]
    assert (option["description"], option["questions"], option["status"]) == (
        description,
        "Do I need a degree?\nWhat does a week look like?",
        "shortlisted",
    )
    criterion = lab_workbook.criteria().set_index("name").loc[f"Sens du travail {t}"]
    assert (criterion["description"], criterion["weight"]) == ("Voir l'effet de mon travail — 意味", 4.5)
    assert nb.page.dialogs == []


def test_02_who_to_ask_saves_a_contact_and_insider_link(open_notebook, lab_workbook):
    """Also: an email address that is not one is refused, and nothing is written."""
    t = tag()
    option = lab_workbook.add_option(f"Urban planning {t}")
    name = f"{PERSON} {t}"
    before = len(lab_workbook.contacts())

    nb = open_notebook("02_who_to_ask")
    nb.run_all()
    form = nb.cell("Save contact")
    nb.fill("Name", name, scope=form)
    nb.fill("Organisation", "Ville de Zürich — 都市計画", scope=form)
    nb.fill("Role", "Urbaniste", scope=form)
    nb.fill("Email", "zoë at example", scope=form)
    nb.choose("Relationship", "alumni", scope=form)
    nb.choose_many("Knows from inside", re.compile(rf"^Urban planning {t}$"), scope=form)
    nb.fill("Notes", f"Met at the alumni day. {HOSTILE}", scope=form, area=True)
    nb.click("Save contact", scope=form)
    assert "email" in nb.status("error", "Not saved", scope=form)
    assert len(lab_workbook.contacts()) == before
    nb.fill("Email", "zoe.nunez@example.org", scope=form)
    nb.click("Save contact", scope=form)
    nb.status("ok", "Added contact", scope=form)

    contact = lab_workbook.contacts().set_index("name").loc[name]
    assert (contact["organization"], contact["role"], contact["email"], contact["relationship"]) == (
        "Ville de Zürich — 都市計画",
        "Urbaniste",
        "zoe.nunez@example.org",
        "alumni",
    )
    assert contact["notes"] == f"Met at the alumni day. {HOSTILE}"
    links = lab_workbook.insider_links()
    assert links[links["contact_id"] == contact["id"]]["option_id"].tolist() == [option]
    assert nb.page.dialogs == []


def test_02_imports_contacts_from_two_sources_as_one_person(open_notebook, lab_workbook, tmp_path):
    """LinkedIn, then a phone's vCard of the same person: one contact, both sources, the chosen job title."""
    t = tag()
    name = f"Ingrid Dahl-{t}"
    linkedin = tmp_path / "Connections.csv"
    linkedin.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        f'Ingrid,Dahl-{t},,,"Müller & Söhne GmbH",Head of Research,07 Dec 2025\n',
        encoding="utf-8",
    )
    phone = tmp_path / "phone.vcf"
    phone.write_text(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nORG:Müller & Söhne\r\nTITLE:Research Director {HOSTILE}\r\n"
        f"EMAIL;TYPE=work:ingrid.{t}@example.org\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )

    nb = open_notebook("02_who_to_ask")
    nb.run_all()
    form = nb.cell("Preview")
    nb.fill("Contacts file", str(linkedin), scope=form)
    nb.click("Preview", scope=form)
    assert "1 new" in nb.status("info", "LinkedIn Connections.csv", scope=form)
    nb.click("Import: 1 new, 0 updated", scope=form)
    nb.status("ok", "Imported 1 new contact", scope=form)
    nb.fill("Contacts file", str(phone), scope=form)
    nb.click("Preview", scope=form)
    assert "1 detail differs" in nb.status("info", "vCard 3.0", scope=form)
    choice = form.locator(".widget-dropdown select").filter(visible=True).last
    choice.select_option(label=f"use the file's: Research Director {HOSTILE}")
    nb.click("Import: 0 new, 1 updated", scope=form)
    nb.status("ok", "updated 1 from vCard 3.0", scope=form)

    people = lab_workbook.contacts()
    mine = people[people["name"] == name]
    assert len(mine) == 1, "one person, one contact"
    row = mine.iloc[0]
    assert (row["organization"], row["role"], row["email"]) == (
        "Müller & Söhne GmbH",
        f"Research Director {HOSTILE}",
        f"ingrid.{t}@example.org",
    )
    assert sorted(lab_workbook.contact_sources(int(row["id"]))["source"]) == ["linkedin", "vcard"]
    assert nb.page.dialogs == []


def test_03_ask_drafts_records_and_schedules(open_notebook, lab_workbook):
    """Also: a time that is not a time of day is refused with a message, and nothing is written."""
    t = tag()
    option = lab_workbook.add_option(f"Museum education {t}")
    address = f"zoe.{t}@example.org"
    contact = lab_workbook.add_contact(
        f"{PERSON} {t}", "Musée d'Orsay", "Educator", "alumni", options=[option], email=address
    )
    my_name = f"Renée Ødegård-Łukasz {t}"

    nb = open_notebook("03_ask_and_follow_up")
    nb.run_all()
    draft = nb.cell("Save my name")
    nb.fill("Your name", my_name, scope=draft)
    nb.click("Save my name", scope=draft)
    nb.status("ok", "Saved your name", scope=draft)
    nb.choose("Contact", re.compile(rf"^{re.escape(PERSON)} {t}$"), scope=draft)  # names, never ids
    nb.choose("Option", re.compile(rf"^Museum education {t}$"), scope=draft)
    nb.click("Add as a conversation to ask", scope=draft)
    nb.status("ok", "Added as a conversation", scope=draft)

    assert lab_workbook.setting("my_name") == my_name
    conversations = lab_workbook.conversations()
    mine = conversations[conversations["contact_id"] == contact]
    assert mine[["option_id", "status"]].values.tolist() == [[option, "planned"]]
    cid = int(mine.iloc[0]["id"])
    letter = draft.locator("textarea").filter(visible=True).first.input_value()
    assert my_name in letter and PERSON.split()[0] in letter

    # the draft goes to my own mail app (nothing is sent from here), or is copied
    href = draft.locator("a.cw-mailto").filter(visible=True).first.get_attribute("href")
    subject = f"Could I learn about your work in Museum education {t}?"
    assert href.startswith(f"mailto:{address}?subject={quote(subject, safe='')}&body=")
    assert unquote(href.split("&body=", 1)[1]) == letter.split("\n", 2)[2].replace("\n", "\r\n")
    nb.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    draft.locator("button.cw-copy").filter(visible=True).first.click()
    draft.locator("button.cw-copy", has_text="Copied").filter(visible=True).first.wait_for()
    assert nb.page.evaluate("navigator.clipboard.readText()") == letter

    record = nb.cell("Record")
    nb.choose("Conversation", re.compile(rf"^{re.escape(PERSON)} {t} — Museum education {t} \("), scope=record)
    nb.choose("What happened", "Request sent", scope=record)
    nb.click("Record", scope=record)
    nb.status("ok", "Recorded: request to", scope=record)
    nb.choose("What happened", "Reply: a time is agreed", scope=record)
    nb.fill("Time (HH:MM)", "25:99", scope=record)
    nb.click("Record", scope=record)
    assert "time" in nb.status("error", "is not a time of day", scope=record)
    assert lab_workbook.get("conversations", cid)["status"] == "requested"
    nb.fill("Time (HH:MM)", "15:30", scope=record)
    nb.click("Record", scope=record)
    nb.status("ok", "Scheduled:", scope=record)

    row = lab_workbook.get("conversations", cid)
    today = dt.date.today().isoformat()
    assert (row["status"], row["requested_on"], row["duration_min"]) == ("scheduled", today, 20)
    assert row["scheduled_at"].replace("T", " ").startswith(f"{today} 15:30")


def test_04_prepare_saves_own_question_and_sheet(open_notebook, lab_workbook):
    t = tag()
    ids = planned_conversation(lab_workbook, t)
    question = f"Qu'est-ce qui vous a surpris — 最も驚いたことは? {t}"

    nb = open_notebook("04_prepare")
    nb.run_all()
    form = nb.cell("Save questions and prep sheet")
    nb.choose("Conversation", re.compile(rf"^{re.escape(PERSON)} {t} — Data journalism {t} \("), scope=form)
    nb.fill("Your own question", question, scope=form, area=True)
    nb.click("Add my question", scope=form)
    assert "Added your question" in nb.status("ok", "Added your question", scope=form)
    nb.click("Save questions and prep sheet", scope=form)
    saved = nb.status("ok", "Saved 1 question", scope=form)

    chosen = lab_workbook.table("prep_questions")
    mine = chosen[chosen["conversation_id"] == ids["conversation"]]
    assert mine["text"].tolist() == [question]
    bank = lab_workbook.table("questions")
    assert question in bank["text"].tolist()
    sheet = saved.split(" to ", 1)[1].rstrip(".")
    assert question in html.unescape(Path(sheet).read_text(encoding="utf-8"))


def test_05_capture_marks_done_and_saves_an_insight(open_notebook, lab_workbook):
    """Also: an insight without a stance is refused with a message, and nothing is written."""
    t = tag()
    ids = planned_conversation(lab_workbook, t, status="scheduled")
    insights_before = len(lab_workbook.insights())
    notes = f"{PERSON} a parlé de la paie — 給料は良い {t}"
    quote = f"« Le salaire monte vite » {HOSTILE} {t}"

    nb = open_notebook("05_capture")
    nb.run_all()
    form = nb.cell("Mark done and save notes")
    nb.choose("Conversation", re.compile(rf"^{re.escape(PERSON)} {t} — Data journalism {t} \("), scope=form)
    nb.fill("Notes", notes, scope=form, area=True)
    nb.click("Mark done and save notes", scope=form)
    nb.status("ok", "Marked done", scope=form)

    nb.tab("2 Insights", scope=form)
    nb.choose("Criterion", re.compile(rf"^Pay {t}$"), scope=form)
    nb.fill("Short quote or note", quote, scope=form, area=True)
    nb.click("Save insight", scope=form)  # forgot the stance
    assert nb.status("error", "stance", scope=form).startswith("Not saved")
    assert len(lab_workbook.insights()) == insights_before

    nb.click("+2 strongly for", scope=form)
    nb.click("high", scope=form)
    nb.fill("Short quote or note", quote, scope=form, area=True)
    nb.click("Save insight", scope=form)
    assert f"evidence strongly for Data journalism {t} on Pay {t} (+2)" in nb.status(
        "ok", "Saved: evidence", scope=form
    )

    conversation = lab_workbook.get("conversations", ids["conversation"])
    assert conversation["status"] == "done"
    assert conversation["notes"] == notes
    insights = lab_workbook.insights()
    mine = insights[insights["note"] == quote]
    assert len(mine) == 1
    row = mine.iloc[0]
    assert (row["option_id"], row["criterion_id"], row["stance"], row["confidence"], row["source"]) == (
        ids["option"],
        ids["criterion"],
        2,
        "high",
        "interview",
    )
    assert row["conversation_id"] == ids["conversation"]
    assert row["contact_id"] == ids["contact"]
    assert nb.page.dialogs == []  # the quote's markup was shown as text, never run


def test_06_compare_saves_weights_set_with_a_slider(open_notebook, lab_workbook):
    t = tag()
    ids = planned_conversation(lab_workbook, t, status="done")
    lab_workbook.add_insight(
        ids["option"], ids["criterion"], 2, note=f"{PERSON} {t}", conversation_id=ids["conversation"]
    )

    nb = open_notebook("06_compare_paths")
    nb.run_all()
    form = nb.cell("Save these weights")
    results = form.locator(".cw-table").filter(visible=True).first
    assert f"Data journalism {t}" in results.text_content()
    nb.slide(f"Pay {t}", 7, scope=form)
    nb.status("info", "not saved", scope=form)
    assert lab_workbook.get("criteria", ids["criterion"])["weight"] == 2.0
    nb.click("Save these weights", scope=form)
    nb.status("ok", "Saved the weights", scope=form)

    assert lab_workbook.get("criteria", ids["criterion"])["weight"] == 7.0


def test_07_share_report_saves_the_report_with_names(open_notebook, lab, lab_workbook):
    t = tag()
    ids = planned_conversation(lab_workbook, t, status="done")
    lab_workbook.add_insight(
        ids["option"], ids["criterion"], 1, note=f"{HOSTILE} {t}", conversation_id=ids["conversation"]
    )
    target = lab.base / f"rapport pour Zoë {t}.html"

    nb = open_notebook("07_share_report")
    nb.run_all()
    form = nb.cell("Save report")
    nb.tick("Show contacts' names", scope=form)
    nb.fill("Save to (folder or .html file)", str(target), scope=form)
    nb.click("Save report", scope=form)
    saved = nb.status("ok", str(target), scope=form)

    assert "with contacts' names" in saved
    page = target.read_text(encoding="utf-8")
    assert f"{PERSON} {t}" in page
    assert "<script" not in page and 'onerror="alert' not in page
    assert "&lt;img src=x onerror=" in page
    assert nb.page.dialogs == []  # the preview in the notebook ran none of the injected markup
