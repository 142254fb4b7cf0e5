"""The 3B7 follow-up routine, thank-you timing and the `due` command."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook import ValidationError
from workbook.cli.main import cli
from workbook.outreach import cadence
from workbook.outreach.cadence import (
    COLUMNS,
    Cadence,
    business_days_after,
    due_actions,
    due_list,
)

FRIDAY = "2026-11-06"


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@dataclass(frozen=True)
class AcmeIds:
    o: int
    rosa: int
    kofi: int


@pytest.fixture
def acme_ids(wb) -> AcmeIds:
    o = wb.add_option("UX research")
    rosa = wb.add_contact("Rosa Marquez", "Acme", "UX Researcher")
    kofi = wb.add_contact("Kofi Mensah", "ACME ", "Designer")
    return AcmeIds(o=o, rosa=rosa, kofi=kofi)


@pytest.fixture
def acme(wb, acme_ids):
    """One option and two people at Acme (spelled two ways); their ids are in ``acme_ids``."""
    return wb


def kinds(frame):
    return list(frame["kind"])


def test_three_business_days_over_a_weekend_then_seven(acme, acme_ids):
    acme.add_conversation(acme_ids.rosa, acme_ids.o, status="requested", requested_on=FRIDAY)
    assert due_list(acme, "2026-11-10").empty  # Mon, Tue: 2 business days
    wed = due_list(acme, "2026-11-11")
    assert kinds(wed) == ["second_contact"]
    assert wed.loc[0, "due_on"] == d("2026-11-11") and not wed.loc[0, "overdue"]
    assert "ask Kofi Mensah, also at Acme" in wed.loc[0, "what"]
    assert "follow_up" not in kinds(due_list(acme, "2026-11-16"))
    tue = due_list(acme, "2026-11-17")
    assert kinds(tue) == ["second_contact", "follow_up"]  # sorted by date: the older one first
    assert list(tue["overdue"]) == [True, False]
    assert "7 business days" in tue.loc[1, "what"]


def test_a_request_sent_at_the_weekend_waits_three_weekdays():
    assert business_days_after(d("2026-11-07"), 3) == d("2026-11-11")  # Sat: Mon, Tue, Wed
    assert business_days_after(d("2026-11-08"), 3) == d("2026-11-11")  # Sun
    assert business_days_after(d("2026-11-09"), 3) == d("2026-11-12")  # Mon: Tue, Wed, Thu
    assert business_days_after(d("2026-11-06"), 7) == d("2026-11-17")


def test_the_follow_up_says_how_long_you_waited_even_from_a_weekend(acme, acme_ids):
    acme.add_conversation(acme_ids.rosa, acme_ids.o, status="requested", requested_on="2026-11-07")
    row = due_list(acme, "2026-11-17").iloc[-1]
    assert row["kind"] == "follow_up" and "(7 business days)" in row["what"]


def test_holidays_are_skipped_when_given(acme, acme_ids):
    acme.add_conversation(acme_ids.rosa, acme_ids.o, status="requested", requested_on=FRIDAY)
    conv = acme.conversations()
    plain = due_actions(conv, acme.contacts(), "2026-11-11")
    with_holiday = due_actions(conv, acme.contacts(), "2026-11-11", holidays=["2026-11-09"])
    assert kinds(plain) == ["second_contact"] and with_holiday.empty


def test_days_come_from_the_settings(acme, acme_ids):
    acme.add_conversation(acme_ids.rosa, acme_ids.o, status="requested", requested_on=FRIDAY)
    acme.set_setting("cadence_second_contact_days", 1)
    acme.set_setting("cadence_follow_up_days", 2)
    assert kinds(due_list(acme, "2026-11-09")) == ["second_contact"]
    assert kinds(due_list(acme, "2026-11-10")) == ["second_contact", "follow_up"]


@pytest.mark.parametrize("value", [0, -3, "three", 2.5, True])
def test_bad_cadence_settings_name_the_setting(acme, value):
    acme.set_setting("cadence_follow_up_days", value)
    with pytest.raises(ValidationError) as err:
        due_list(acme, FRIDAY)
    assert err.value.field == "cadence_follow_up_days"


def test_second_contact_is_generic_when_everyone_there_was_asked(acme, acme_ids):
    acme.add_conversation(acme_ids.rosa, acme_ids.o, status="requested", requested_on=FRIDAY)
    acme.add_conversation(acme_ids.kofi, acme_ids.o, status="declined", requested_on="2026-11-01")
    row = due_list(acme, "2026-11-11").iloc[0]
    assert row["kind"] == "second_contact"
    assert "find a second person at Acme" in row["what"] and "Kofi" not in row["what"]


def test_second_contact_is_dropped_once_someone_else_there_is_asked(acme, acme_ids):
    acme.add_conversation(acme_ids.rosa, acme_ids.o, status="requested", requested_on=FRIDAY)
    acme.add_conversation(acme_ids.kofi, acme_ids.o, status="requested", requested_on="2026-11-11")
    rosa = due_list(acme, "2026-11-12")
    assert "second_contact" not in list(rosa.loc[rosa["contact"] == "Rosa Marquez", "kind"])


def test_second_contact_without_an_organisation(wb):
    o = wb.add_option("Teaching")
    p = wb.add_contact("Lee Park")
    wb.add_conversation(p, o, status="requested", requested_on=FRIDAY)
    row = due_list(wb, "2026-11-11").iloc[0]
    assert "ask a second person who knows Teaching" in row["what"]


def test_thank_you_due_within_24_hours_then_overdue(acme, acme_ids):
    acme.add_conversation(
        acme_ids.rosa, acme_ids.o, status="done", scheduled_at="2026-11-10 15:30", done_on="2026-11-10"
    )
    assert due_list(acme, "2026-11-09").empty
    same_day = due_list(acme, "2026-11-10")
    assert kinds(same_day) == ["thank_you"]
    assert same_day.loc[0, "due_on"] == d("2026-11-11") and not same_day.loc[0, "overdue"]
    late = due_list(acme, "2026-11-12").iloc[0]
    assert late["overdue"] and "overdue" in late["what"]


def test_thank_you_hours_are_configurable(acme, acme_ids):
    acme.add_conversation(acme_ids.rosa, acme_ids.o, status="done", done_on="2026-11-10")
    acme.set_setting("thank_you_hours", 48)
    assert due_list(acme, "2026-11-10").loc[0, "due_on"] == d("2026-11-12")


def test_thanked_conversations_need_nothing(acme, acme_ids):
    v = acme.add_conversation(acme_ids.rosa, acme_ids.o, status="done", done_on="2026-11-10")
    acme.update_conversation(v, thanked_on="2026-11-10")
    assert due_list(acme, "2026-11-12").empty


def test_follow_up_without_reply_then_move_on(acme, acme_ids):
    acme.add_conversation(
        acme_ids.rosa, acme_ids.o, status="followed_up", requested_on="2026-10-20", followed_up_on=FRIDAY
    )
    assert due_list(acme, "2026-11-16").empty
    assert kinds(due_list(acme, "2026-11-17")) == ["move_on"]


def test_a_scheduled_conversation_asks_for_capture_that_day(acme, acme_ids):
    acme.add_conversation(acme_ids.rosa, acme_ids.o, status="scheduled", scheduled_at="2026-11-12 09:00")
    assert due_list(acme, "2026-11-11").empty
    assert kinds(due_list(acme, "2026-11-12")) == ["capture"]
    upcoming = due_list(acme, "2026-11-01", upcoming=True)
    assert kinds(upcoming) == ["capture"] and not upcoming.loc[0, "overdue"]


def test_archived_contacts_and_conversations_are_left_out(acme, acme_ids):
    v = acme.add_conversation(acme_ids.rosa, acme_ids.o, status="requested", requested_on=FRIDAY)
    acme.archive("contacts", acme_ids.rosa)
    assert due_list(acme, "2026-11-30").empty
    acme.unarchive("contacts", acme_ids.rosa)
    acme.archive("conversations", v)
    assert due_list(acme, "2026-11-30").empty


def test_empty_tables_give_an_empty_list_with_the_columns(wb):
    frame = due_list(wb, FRIDAY)
    assert frame.empty and list(frame.columns) == COLUMNS


def test_cadence_defaults_are_3_7_and_24():
    assert Cadence() == Cadence(second_contact_days=3, follow_up_days=7, thank_you_hours=24)


# ------------------------------------------------------------------ CLI
def test_due_command_lists_what_is_due(acme, acme_ids, wb_path):
    acme.add_conversation(acme_ids.rosa, acme_ids.o, status="requested", requested_on=FRIDAY)
    acme.add_conversation(acme_ids.kofi, acme_ids.o, status="done", done_on="2026-11-16")
    result = CliRunner().invoke(cli, ["due", "--on", "2026-11-17", "--workbook", str(wb_path)])
    assert result.exit_code == 0, result.output
    assert "Due on 2026-11-17 (3):" in result.output
    assert "[send a thank-you] Kofi Mensah" in result.output
    assert "[follow up] Rosa Marquez" in result.output
    assert "(overdue)" in result.output


def test_due_command_says_when_nothing_is_due(wb, wb_path):
    result = CliRunner().invoke(cli, ["due", "--on", "2026-11-17", "--workbook", str(wb_path)])
    assert result.exit_code == 0, result.output
    assert "Nothing due on 2026-11-17" in result.output


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", "17/11/2026"])
def test_due_command_refuses_a_bad_date_in_one_line(wb_path, bad):
    result = CliRunner().invoke(cli, ["due", "--on", bad, "--workbook", str(wb_path)])
    assert result.exit_code != 0
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "--on" in errors[0] and "YYYY-MM-DD" in errors[0]
    assert "Traceback" not in result.output


# ------------------------------------------------------- business days, as numpy counts them
_days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=_days, days=st.integers(0, 400), holidays=st.lists(_days, max_size=8))
def test_business_days_after_counts_as_numpy_does(start, days, holidays):
    hols = [np.datetime64(h, "D") for h in holidays]
    expected = np.busday_offset(np.datetime64(start, "D"), days, roll="backward", holidays=hols)
    assert business_days_after(start, days, holidays) == expected.astype(dt.date)


@settings(max_examples=300, deadline=None)
@given(start=_days, end=_days, holidays=st.lists(_days, max_size=8))
def test_business_days_between_counts_as_numpy_does(start, end, holidays):
    hols = [np.datetime64(h, "D") for h in holidays]
    first = np.busday_offset(np.datetime64(start, "D"), 0, roll="backward", holidays=hols)
    expected = int(np.busday_count(first, np.datetime64(end, "D"), holidays=hols))
    assert cadence._busdays_between(start, end, frozenset(holidays)) == expected


def test_the_due_list_reads_the_same_from_a_snapshot_and_as_records(acme, acme_ids):
    acme.add_conversation(acme_ids.rosa, acme_ids.o, status="requested", requested_on=FRIDAY)
    with acme.snapshot() as snap:
        from_snapshot = due_list(snap, "2026-11-17")
    assert kinds(from_snapshot) == ["second_contact", "follow_up"]
    assert from_snapshot.to_dict("records") == cadence.due_items(acme, "2026-11-17")
