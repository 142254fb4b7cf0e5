"""The outreach forms driven as a user would: set values, click, check the workbook."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pytest

from workbook.forms.outreach import (
    DraftForm,
    DueView,
    OutreachForms,
    RecordForm,
    record_step,
)

TODAY = dt.date.today()


@dataclass(frozen=True)
class PeopleIds:
    o: int
    rosa: int
    kofi: int


@pytest.fixture
def people_ids(wb) -> PeopleIds:
    o = wb.add_option("UX research")
    rosa = wb.add_contact("Rosa Marquez", "Acme", "UX Researcher")
    kofi = wb.add_contact("Kofi Mensah", "Acme", "Designer", referred_by=rosa)
    return PeopleIds(o=o, rosa=rosa, kofi=kofi)


@pytest.fixture
def people(wb, people_ids):
    return wb


def history(wb, conversation_id):
    return list(wb.conversation_history(conversation_id)["status"])


# ------------------------------------------------------------------ draft
def test_draft_for_a_contact_and_option(people, people_ids):
    form = DraftForm(people)
    assert form.draft.value == ""
    assert form.conversation.label.startswith("(none") and form.contact.label == "(choose)"
    form.contact.value = people_ids.kofi
    form.option.value = people_ids.o
    assert "Hi Kofi," in form.draft.value and "Rosa Marquez suggested" in form.draft.value
    assert form.words < 100 and form.flags == []
    assert "words: short enough" in form.feedback.value


def test_job_language_in_an_edited_draft_is_flagged_and_escaped(people, people_ids):
    form = DraftForm(people)
    form.contact.value, form.option.value = people_ids.rosa, people_ids.o
    form.draft.value += "\nAre you hiring? <img src=x onerror=alert(1)> my CV"
    assert form.flags == ["Are you hiring", "my CV"]
    assert "Job-seeking language" in form.feedback.value
    assert "not a job interview" in form.feedback.value
    assert "<img" not in form.feedback.value


def test_flagged_phrase_with_markup_is_escaped(people, people_ids):
    form = DraftForm(people)
    form.contact.value, form.option.value = people_ids.rosa, people_ids.o
    form.draft.value = "<b>any openings</b>"
    assert form.flags == ["any openings"] and "<b>" not in form.feedback.value


def test_saving_my_name_fills_the_draft(people, people_ids):
    form = DraftForm(people)
    form.contact.value, form.option.value = people_ids.rosa, people_ids.o
    assert "[your name]" in form.draft.value
    form.my_name.value = "   "
    form.save_name.click()
    assert form.status.kind == "error" and "Your name" in form.status.text
    assert people.setting("my_name") is None
    form.my_name.value = "Ana Silva"
    form.save_name.click()
    assert people.setting("my_name") == "Ana Silva" and "I'm Ana Silva." in form.draft.value


def test_add_a_conversation_from_contact_and_option(people, people_ids):
    form = DraftForm(people)
    form.contact.value = people_ids.rosa
    form.create.click()
    assert form.status.kind == "error" and "option" in form.status.text
    assert people.conversations().empty
    form.option.value = people_ids.o
    form.create.click()
    conv = people.conversations()
    assert form.status.kind == "ok" and len(conv) == 1 and conv.loc[0, "status"] == "planned"
    assert form.conversation.value == int(conv.loc[0, "id"]) and form.contact.disabled
    form.conversation.value = None
    form.contact.value, form.option.value = people_ids.rosa, people_ids.o
    form.create.click()
    assert len(people.conversations()) == 1 and "already have" in form.status.text


def test_choosing_a_conversation_picks_the_template_that_fits(people, people_ids):
    v = people.add_conversation(people_ids.rosa, people_ids.o, status="requested", requested_on="2026-11-02")
    form = DraftForm(people)
    form.conversation.value = v
    assert form.template.value == "follow_up"
    assert "I wrote on Monday 2 November" in form.draft.value
    form.template.value = "request"
    assert form.draft.value.startswith("Subject: Could I learn")


# ------------------------------------------------------------------ record
@dataclass(frozen=True)
class PlannedIds(PeopleIds):
    v: int


@pytest.fixture
def planned_ids(people, people_ids) -> PlannedIds:
    v = people.add_conversation(people_ids.rosa, people_ids.o)
    return PlannedIds(**asdict(people_ids), v=v)


@pytest.fixture
def planned(people, planned_ids):
    """``people`` and a planned conversation with Rosa (``planned_ids.v``)."""
    return people


def test_record_a_request_sent_earlier(planned, planned_ids):
    form = RecordForm(planned)
    v = planned_ids.v
    form.conversation.value = v
    form.step.value = "sent"
    form.on.value = TODAY - dt.timedelta(days=3)
    form.save.click()
    row = planned.get("conversations", v)
    assert form.status.kind == "ok", form.status.text
    assert row["status"] == "requested" and row["requested_on"] == (TODAY - dt.timedelta(days=3)).isoformat()
    assert history(planned, v) == ["planned", "requested"]
    assert "requested" in form.table.value


@pytest.mark.parametrize(
    "step, on, time, minutes, field",
    [
        ("sent", None, "", 20, "date"),
        ("sent", TODAY + dt.timedelta(days=2), "", 20, "date"),
        ("scheduled", TODAY, "25:00", 20, "time"),
        ("scheduled", TODAY, "", 20, "time"),
        ("scheduled", TODAY, "15:30", 0, "minutes"),
        ("thanked", TODAY, "", 20, "step"),
        ("followed_up", TODAY, "", 20, "step"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(planned, planned_ids, step, on, time, minutes, field):
    form = RecordForm(planned)
    form.conversation.value = planned_ids.v
    form.step.value, form.on.value, form.time.value, form.minutes.value = step, on, time, minutes
    before = planned.get("conversations", planned_ids.v)
    form.save.click()
    assert form.status.kind == "error" and f"{field}:" in form.status.text
    assert planned.get("conversations", planned_ids.v) == before
    assert history(planned, planned_ids.v) == ["planned"]


def test_no_conversation_chosen(planned):
    form = RecordForm(planned)
    assert form.conversation.label == "(choose)"
    form.save.click()
    assert form.status.kind == "error" and "conversation:" in form.status.text


def test_a_reply_with_a_time_schedules_the_conversation(planned, planned_ids):
    form = RecordForm(planned)
    v = planned_ids.v
    form.conversation.value = v
    form.step.value = "scheduled"
    assert form.when.layout.display == ""
    form.on.value, form.time.value, form.minutes.value = TODAY + dt.timedelta(days=5), "9:05", 25
    form.save.click()
    row = planned.get("conversations", v)
    assert form.status.kind == "ok", form.status.text
    assert row["status"] == "scheduled" and row["duration_min"] == 25
    assert row["scheduled_at"] == f"{(TODAY + dt.timedelta(days=5)).isoformat()}T09:05"


def test_follow_up_decline_and_thanks(planned, planned_ids):
    v = planned_ids.v
    record_step(planned, v, "sent", dt.date(2026, 11, 2), today=dt.date(2026, 11, 20))
    record_step(planned, v, "followed_up", dt.date(2026, 11, 11), today=dt.date(2026, 11, 20))
    row = planned.get("conversations", v)
    assert row["status"] == "followed_up" and row["followed_up_on"] == "2026-11-11"
    record_step(planned, v, "declined", dt.date(2026, 11, 12), today=dt.date(2026, 11, 20))
    assert history(planned, v) == ["planned", "requested", "followed_up", "declined"]
    w = planned.add_conversation(planned_ids.kofi, planned_ids.o, status="done", done_on="2026-11-10")
    message = record_step(planned, w, "thanked", dt.date(2026, 11, 10), today=dt.date(2026, 11, 20))
    assert planned.get("conversations", w)["thanked_on"] == "2026-11-10" and "thank-you" in message


# ------------------------------------------------------------------ due
def test_due_view_follows_the_chosen_day(people, people_ids):
    people.add_conversation(people_ids.rosa, people_ids.o, status="requested", requested_on="2026-11-06")
    view = DueView(people)
    view.on.value = dt.date(2026, 11, 10)
    assert view.table.frame.empty and "Nothing due" in view.table.value
    view.on.value = dt.date(2026, 11, 17)
    assert list(view.table.frame["to do"]) == ["ask a second person", "follow up"]
    assert "Rosa Marquez" in view.table.value
    view.on.value = None
    assert view.status.kind == "error" and "Due on" in view.status.text


def test_forms_stay_in_step(people, people_ids):
    forms = OutreachForms(people)
    forms.due.on.value = TODAY + dt.timedelta(days=14)
    forms.draft.contact.value, forms.draft.option.value = people_ids.rosa, people_ids.o
    forms.draft.create.click()
    v = int(people.conversations().loc[0, "id"])
    assert v in [value for _, value in forms.record.conversation.options]
    forms.record.conversation.value = v
    forms.record.step.value = "sent"
    forms.record.on.value = TODAY
    forms.record.save.click()
    assert forms.draft.template.value == "follow_up"  # the next message to draft
    assert "follow up" in list(forms.due.table.frame["to do"])
