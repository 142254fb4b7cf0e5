"""Capturing a conversation the same day, and evidence from other sources, driven through the forms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from hostile import BLANK, HOSTILE

from workbook.forms.base import StatusLine
from workbook.forms.capture import (
    NO_CONVERSATION,
    NO_OPTIONS,
    CaptureForm,
    EvidenceForm,
    thank_you_line,
)
from workbook.forms.insight_editor import InsightEditor

TODAY = dt.date(2026, 11, 26)
NASTY = [*HOSTILE, *BLANK]


@dataclass(frozen=True)
class MetIds:
    o: int
    o2: int
    pay: int
    flex: int
    p: int
    v: int


@pytest.fixture
def met_ids(wb) -> MetIds:
    o = wb.add_option("UX research", questions="Is the pay fair?\nNights?")
    o2 = wb.add_option("Data engineering")
    pay = wb.add_criterion("Pay", 2.0)
    flex = wb.add_criterion("Flexibility")
    p = wb.add_contact("Rosa Marquez", "Acme", "UX Researcher", "alumni", options=[o])
    v = wb.add_conversation(p, o, status="scheduled", scheduled_at="2026-11-26 10:00")
    return MetIds(o=o, o2=o2, pay=pay, flex=flex, p=p, v=v)


@pytest.fixture
def met(wb, met_ids):
    """A conversation that took place today with Rosa about UX research (ids in ``met_ids``)."""
    return wb


@pytest.fixture
def form(met):
    return CaptureForm(met, today=TODAY)


def conv(wb, ids: MetIds) -> dict:
    return wb.get("conversations", ids.v)


def test_empty_workbook_says_what_to_do_first(wb):
    form = CaptureForm(wb, today=TODAY)
    assert form.status.text == NO_CONVERSATION and form.tabs.layout.display == "none"
    form.mark_done.click()
    assert form.status.kind == "error" and "conversation" in form.status.text
    other = EvidenceForm(wb)
    assert other.status.text == NO_OPTIONS and other.insight.save.layout.display == "none"
    other.insight.save.click()
    assert other.status.kind == "error" and wb.insights().empty


def test_mark_done_defaults_to_today_and_keeps_notes(form, met, met_ids):
    assert form.done_on.value == TODAY
    form.notes.value = "She walked me through a study.\nGood coffee."
    form.mark_done.click()
    assert form.status.kind == "ok", form.status.text
    row = conv(met, met_ids)
    assert (row["status"], row["done_on"], row["notes"]) == ("done", "2026-11-26", form.notes.value)
    assert "(done" in form.conversation.label and "due by 2026-11-27" in form.header.value


@pytest.mark.parametrize(("day", "reason"), [(None, "is empty"), (TODAY + dt.timedelta(days=1), "in the future")])
def test_mark_done_refuses_a_missing_or_future_date(form, met, met_ids, day, reason):
    form.done_on.value = day
    form.mark_done.click()
    assert form.status.kind == "error" and "done on" in form.status.text and reason in form.status.text
    assert conv(met, met_ids)["status"] == "scheduled"


def test_several_insights_in_a_row_stay_on_the_conversation(form, met, met_ids):
    ed = form.insight
    assert ed.option.value == met_ids.o and ed.source.value == "interview"
    ed.criterion.value = met_ids.pay
    ed.stance.value = 2
    ed.quote.value = "Pay rises fast after two years"
    ed.save.click()
    assert form.status.kind == "ok", form.status.text
    assert ed.quote.value == "" and ed.stance.value is None and form.conversation.value == met_ids.v
    ed.criterion.value = met_ids.flex
    ed.stance.value = -1
    ed.confidence.value = "high"
    ed.against_hopes.value = True
    ed.quote.value = "Evenings are common before launches"
    ed.save.click()
    ins = met.insights()
    assert list(ins["stance"]) == [2, -1]
    assert list(ins["conversation_id"]) == [met_ids.v] * 2
    assert list(ins["contact_id"]) == [met_ids.p] * 2
    assert list(ins["against_hopes"]) == [False, True]
    assert ins.iloc[1]["confidence"] == "high"
    assert list(ed.table.frame["stance"]) == ["+2 strongly for", "−1 against"]


def test_an_insight_needs_a_stance(form, met):
    form.insight.quote.value = "keep me"
    form.insight.save.click()
    assert form.status.kind == "error" and "stance" in form.status.text
    assert met.insights().empty and form.insight.quote.value == "keep me"


@pytest.mark.parametrize("nasty", NASTY)
def test_insight_quote_is_stored_exactly_and_shown_escaped(form, met, nasty):
    form.insight.stance.value = 1
    form.insight.quote.value = nasty
    form.insight.save.click()
    assert form.status.kind == "ok"
    assert met.insights().iloc[0]["note"] == nasty
    assert BeautifulSoup(form.insight.table.value, "html.parser").find(["script", "img"]) is None


def test_referral_becomes_a_linked_contact_with_a_planned_conversation(form, met, met_ids):
    form.ref_name.value = "Kofi Mensah"
    form.ref_organization.value = "Nordlicht"
    form.ref_email.value = "kofi@example.org"
    assert form.ref_option.value == met_ids.o
    form.add_referral.click()
    assert form.status.kind == "ok", form.status.text
    assert "referred by Rosa Marquez" in form.status.text
    new = met.contacts().iloc[-1]
    assert (new["name"], new["relationship"], new["referred_by"]) == ("Kofi Mensah", "referral", met_ids.p)
    links = met.insider_links()
    assert ((links["contact_id"] == new["id"]) & (links["option_id"] == met_ids.o)).any()
    planned = met.conversations().iloc[-1]
    assert (planned["contact_id"], planned["status"]) == (new["id"], "planned")
    assert form.ref_name.value == "" and list(form.referrals.frame["name"]) == ["Kofi Mensah"]
    assert form.conversation.value == met_ids.v


def test_referral_without_option_or_plan(form, met, met_ids):
    form.ref_name.value = "Lee"
    form.ref_option.value = None
    form.add_referral.click()
    assert form.status.kind == "ok"
    assert len(met.conversations()) == 1 and met.insider_links()["contact_id"].tolist() == [met_ids.p]


@pytest.mark.parametrize("name", ["", "   "])
def test_referral_needs_a_name(form, met, name):
    form.ref_name.value = name
    form.add_referral.click()
    assert form.status.kind == "error" and "name" in form.status.text
    assert len(met.contacts()) == 1 and len(met.conversations()) == 1


@pytest.mark.parametrize("nasty", [n for n in NASTY if n.strip()])
def test_referral_fields_are_stored_exactly(form, met, nasty):
    for box in (form.ref_name, form.ref_organization, form.ref_role, form.ref_email):
        box.value = nasty
    form.add_referral.click()
    assert form.status.kind == "ok"
    new = met.contacts().iloc[-1]
    assert [new["name"], new["organization"], new["role"], new["email"]] == [nasty] * 4
    assert BeautifulSoup(form.referrals.value, "html.parser").find(["script", "img"]) is None


def test_thank_you_due_within_24_hours_then_marked_sent(form, met, met_ids):
    form.mark_thanked.click()
    assert form.status.kind == "error" and "mark the conversation done first" in form.status.text
    form.mark_done.click()
    assert "due by 2026-11-27" in form.thanks_due.value
    assert "Rosa" in form.thank_you_note.value  # a draft to edit
    form.thank_you_note.value = "Thank you, Rosa! 🙏"
    form.mark_thanked.click()
    assert form.status.kind == "ok", form.status.text
    row = conv(met, met_ids)
    assert (row["status"], row["thanked_on"], row["thank_you_note"]) == ("thanked", "2026-11-26", "Thank you, Rosa! 🙏")
    assert "sent on 2026-11-26" in form.thanks_due.value
    form.mark_done.click()  # correcting the notes later does not undo the thank-you
    assert conv(met, met_ids)["status"] == "thanked"


def test_thank_you_cannot_be_dated_before_the_conversation(form, met, met_ids):
    form.done_on.value = TODAY - dt.timedelta(days=2)
    form.mark_done.click()
    form.thanked_on.value = TODAY - dt.timedelta(days=3)
    form.mark_thanked.click()
    assert form.status.kind == "error" and "before the conversation" in form.status.text
    assert conv(met, met_ids)["thanked_on"] is None


@pytest.mark.parametrize(
    ("days_ago", "expected"), [(0, "due by 2026-11-27 (tomorrow)"), (1, "due today"), (3, "overdue since 2026-11-24")]
)
def test_thank_you_line(days_ago, expected):
    done = (TODAY - dt.timedelta(days=days_ago)).isoformat()
    assert expected in thank_you_line({"done_on": done, "thanked_on": None}, TODAY)


def test_debrief_updates_the_conversation_and_the_open_questions(form, met, met_ids):
    assert [text for _, text in form.answered] == ["Is the pay fair?", "Nights?"]
    form.debrief.value = "Research is half presenting."
    form.still_interested.value = "yes, more than before"
    form.still_need.value = "How do teams hire juniors?\nNights?\n"
    form.answered[0][0].value = True
    form.save_debrief.click()
    assert form.status.kind == "ok", form.status.text
    assert "1 added, 1 ticked off" in form.status.text
    row = conv(met, met_ids)
    assert (row["debrief"], row["still_interested"]) == ("Research is half presenting.", "yes, more than before")
    assert met.get("options", met_ids.o)["questions"] == "Nights?\nHow do teams hire juniors?"
    assert [text for _, text in form.answered] == ["Nights?", "How do teams hire juniors?"]
    assert form.still_need.value == ""


@pytest.mark.parametrize("nasty", NASTY)
def test_debrief_and_notes_are_stored_exactly(form, met, met_ids, nasty):
    form.debrief.value = nasty
    form.still_interested.value = nasty
    form.save_debrief.click()
    form.notes.value = nasty
    form.mark_done.click()
    form.thank_you_note.value = nasty
    form.mark_thanked.click()
    assert form.status.kind == "ok", form.status.text
    row = conv(met, met_ids)
    assert [row["debrief"], row["still_interested"], row["notes"], row["thank_you_note"]] == [nasty] * 4


def test_header_escapes_names(wb):
    o = wb.add_option("<b>UX</b>")
    wb.add_conversation(wb.add_contact("<img src=x onerror=alert(1)>"), o)
    form = CaptureForm(wb, today=TODAY)
    soup = BeautifulSoup(form.header.value, "html.parser")
    assert soup.find("img") is None and "<img src=x onerror=alert(1)>" in soup.get_text()


def test_opens_on_the_latest_done_conversation(met, met_ids):
    met.add_conversation(met_ids.p, met_ids.o2, status="done", done_on="2026-11-20")
    latest = met.add_conversation(met_ids.p, met_ids.o2, status="done", done_on="2026-11-25")
    assert CaptureForm(met, today=TODAY).conversation.value == latest


def test_evidence_from_other_sources_without_a_conversation(met, met_ids):
    other = EvidenceForm(met)
    ed = other.insight
    assert "interview" not in [v for _, v in ed.source.options] and ed.source.value == "desk-research"
    ed.source.value = "second-hand"
    ed.contact.value = met_ids.p
    ed.criterion.value = met_ids.flex
    ed.stance.value = -2
    ed.quote.value = "A friend of Rosa says hours are long"
    ed.save.click()
    assert other.status.kind == "ok", other.status.text
    row = met.insights().iloc[0]
    assert (row["source"], row["stance"], row["contact_id"]) == ("second-hand", -2, met_ids.p)
    assert pd.isna(row["conversation_id"]) and pd.isna(row["heard_from"])
    assert ed.quote.value == "" and len(ed.table.frame) == 1


def test_a_second_hand_note_can_name_whose_view_it_is(met, met_ids):
    other = EvidenceForm(met)
    ed = other.insight
    assert ed.heard_from.layout.display == "none"  # only asked for second-hand notes
    ed.source.value = "second-hand"
    assert ed.heard_from.layout.display is None
    assert ed.heard_from.label == "(someone not in my contacts)"
    friend = met.add_contact("Ines Olsen")
    ed.reload()
    ed.heard_from.value = friend
    ed.criterion.value = met_ids.flex
    ed.stance.value = 1
    ed.save.click()
    assert other.status.kind == "ok", other.status.text
    assert met.insights().iloc[-1]["heard_from"] == friend
    # A review has no "whose view": the choice is hidden and nothing is stored.
    ed.source.value = "online-review"
    ed.stance.value = 1
    ed.save.click()
    assert pd.isna(met.insights().iloc[-1]["heard_from"])


def test_the_capture_form_shows_its_five_tabs_in_order(form):
    assert form.tabs.titles == ("1 Done", "2 Insights", "3 Who else", "4 Thank-you", "5 Debrief")
    done, insights, who_else, thanks, debrief = form.tabs.children
    assert done.children == (form.done_on, form.notes, form.mark_done)
    assert insights is form.insight.view and isinstance(form.insight, InsightEditor)
    assert who_else.children[1:] == (
        form.ref_name,
        form.ref_organization,
        form.ref_role,
        form.ref_email,
        form.ref_option,
        form.ref_plan,
        form.add_referral,
        form.referrals,
    )
    assert "Who else should you talk to?" in who_else.children[0].value
    assert thanks.children == (
        form.thanks_due,
        form.thank_you_note,
        form.thank_you_send,
        form.thanked_on,
        form.mark_thanked,
    )
    assert debrief.children[:3] == (form.debrief, form.still_interested, form.still_need)
    assert debrief.children[4:] == (form.answered_box, form.save_debrief)
    assert [type(f.insight) for f in (form, EvidenceForm(form.wb))] == [InsightEditor, InsightEditor]


def test_the_insight_editor_keeps_each_choice_on_reload_until_it_is_archived(met, met_ids):
    ed = InsightEditor(met, StatusLine())
    assert (ed.option.value, ed.criterion.value, ed.contact.label, ed.heard_from.label) == (
        met_ids.o,
        met_ids.pay,
        "(not a particular person)",
        "(someone not in my contacts)",
    )
    ed.option.value, ed.criterion.value = met_ids.o2, met_ids.flex
    ed.contact.value = ed.heard_from.value = met_ids.p
    met.add_option("Teaching")
    met.add_contact("Ines Olsen")
    ed.reload()
    assert (ed.option.value, ed.criterion.value, ed.contact.value, ed.heard_from.value) == (
        met_ids.o2,
        met_ids.flex,
        met_ids.p,
        met_ids.p,
    )
    assert [label for label, _ in ed.option.options] == ["UX research", "Data engineering", "Teaching"]
    for table, record in (("options", met_ids.o2), ("criteria", met_ids.flex), ("contacts", met_ids.p)):
        met.archive(table, record)
    ed.reload()
    assert (ed.option.value, ed.criterion.value) == (met_ids.o, met_ids.pay)  # the first one left
    assert (ed.contact.index, ed.contact.value, ed.heard_from.index, ed.heard_from.value) == (0, None, 0, None)
    assert ed.contact.label == "(not a particular person)" and ed.heard_from.label == "(someone not in my contacts)"


def test_evidence_form_shows_the_latest_ten_from_other_sources(met, met_ids):
    for i in range(12):
        met.add_insight(met_ids.o, met_ids.pay, 1, source="online-review", note=f"review {i}")
    met.add_insight(met_ids.o, met_ids.pay, 1, conversation_id=met_ids.v, note="from Rosa")
    other = EvidenceForm(met)
    assert other.insight.contact.label == "(not a particular person)" and other.insight.contact.value is None
    assert list(other.insight.table.frame["note"]) == [f"review {i}" for i in range(2, 12)]


def test_the_thank_you_window_set_in_notebook_08_is_honoured_everywhere(form, met, met_ids):
    """Capture page, due list, calendar and prep sheet all follow the ``thank_you_hours`` setting."""
    from workbook.forms.settings import SettingsForm
    from workbook.outreach.cadence import due_list
    from workbook.prepare.prep import build_sheet

    settings = SettingsForm(met)
    settings.fields["thank_you_hours"].value = 72
    settings.save_button.click()
    assert met.setting("thank_you_hours") == 72
    form.mark_done.click()  # done today, 2026-11-26, after the 10:00 conversation
    form = CaptureForm(met, today=TODAY)
    form.conversation.value = met_ids.v
    assert "within 72 hours" in form.thanks_due.value and "2026-11-29" in form.thanks_due.value
    due = due_list(met, TODAY)
    thanks = due[due["kind"] == "thank_you"].iloc[0]
    assert thanks["due_on"] == dt.date(2026, 11, 29) and "72 hours" in thanks["what"]
    assert build_sheet(met, met_ids.v).thank_you_hours == 72


def test_the_thank_you_rule_lives_with_the_conversation_rules():
    from workbook.store import conversations as rules

    done = {"done_on": "2026-11-26", "scheduled_at": "2026-11-26 10:00", "duration_min": 30, "thanked_on": None}
    assert rules.thank_you_due_for(done) == dt.date(2026, 11, 27)
    assert rules.thank_you_due_for(done, hours=72) == dt.date(2026, 11, 29)
    assert "within 72 hours" in rules.thank_you_status(done, TODAY, 72)
    with pytest.raises(ValueError, match="thank_you_hours"):
        rules.thank_you_hours(0)
