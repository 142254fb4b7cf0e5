"""The .ics calendar: written with icalendar, checked by parsing it back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import icalendar
import pytest
from click.testing import CliRunner

from workbook import ValidationError, open_workbook
from workbook.cli.main import cli
from workbook.outreach.calendar import write_calendar

HOSTILE = 'Zoë; DROP TABLE contacts;--\nsecond line, with \\ and "quotes"'
ON = "2026-11-12"


@dataclass(frozen=True)
class BookedIds:
    meet: int
    done: int
    ask: int
    gone: int


@pytest.fixture
def booked_ids(wb) -> BookedIds:
    o = wb.add_option("UX research, applied")
    rosa = wb.add_contact("Rosa Marquez", "Acme", "UX Researcher")
    zoe = wb.add_contact(HOSTILE, "Nordlicht <GmbH>", "Data Engineer")
    kofi = wb.add_contact("Kofi Mensah", "Acme", "Designer")
    return BookedIds(
        meet=wb.add_conversation(rosa, o, status="scheduled", scheduled_at="2026-11-20 15:30", duration_min=30),
        done=wb.add_conversation(zoe, o, status="done", scheduled_at="2026-11-10 09:00", done_on="2026-11-10"),
        ask=wb.add_conversation(kofi, o, status="requested", requested_on="2026-11-06"),
        gone=wb.add_conversation(kofi, o, status="declined", scheduled_at="2026-11-25 10:00"),
    )


@pytest.fixture
def booked(wb, booked_ids):
    return wb


def events(path):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def by_summary(evs, start):
    return [e for e in evs.values() if str(e["summary"]).startswith(start)]


def test_scheduled_conversations_are_events_with_their_duration(booked, tmp_path):
    summary = write_calendar(booked, tmp_path / "cw.ics", ON)
    evs = events(tmp_path / "cw.ics")
    meetings = by_summary(evs, "Informational interview:")
    assert summary.conversations == 2 and len(meetings) == 2  # declined one left out
    rosa = next(e for e in meetings if "Rosa" in str(e["summary"]))
    assert str(rosa["summary"]) == "Informational interview: Rosa Marquez (UX research, applied)"
    start, end = rosa.decoded("dtstart"), rosa.decoded("dtend")
    assert start == dt.datetime(2026, 11, 20, 15, 30)
    assert end - start == dt.timedelta(minutes=30)


def test_hostile_text_survives_the_round_trip(booked, tmp_path):
    write_calendar(booked, tmp_path / "cw.ics", ON)
    raw = (tmp_path / "cw.ics").read_bytes()
    assert b"\r\nBEGIN:VEVENT" in raw and raw.count(b"BEGIN:VEVENT") == raw.count(b"END:VEVENT")
    evs = events(tmp_path / "cw.ics")
    zoe = [e for e in evs.values() if HOSTILE in str(e["summary"])]
    assert {str(e["summary"]).split(":")[0] for e in zoe} == {"Informational interview", "Send a thank-you"}
    meeting = next(e for e in zoe if str(e["summary"]).startswith("Informational"))
    assert str(meeting["summary"]) == f"Informational interview: {HOSTILE} (UX research, applied)"
    assert "Nordlicht <GmbH>" in str(meeting["description"])


def test_due_actions_are_all_day_reminders(booked, tmp_path):
    summary = write_calendar(booked, tmp_path / "cw.ics", ON)
    evs = events(tmp_path / "cw.ics")
    thanks = by_summary(evs, "Send a thank-you:")[0]
    assert thanks.decoded("dtstart") == dt.date(2026, 11, 12)  # overdue: shown on the day of the export
    second = by_summary(evs, "Ask a second person:")[0]
    assert second.decoded("dtstart") == dt.date(2026, 11, 12)
    follow = by_summary(evs, "Follow up:")[0]
    assert follow.decoded("dtstart") == dt.date(2026, 11, 17)  # still ahead: on its own day
    assert follow.decoded("dtend") == dt.date(2026, 11, 18)
    assert summary.reminders == 3 and len(evs) == 5


def test_uids_are_stable_and_updates_keep_them(booked, booked_ids, tmp_path):
    write_calendar(booked, tmp_path / "a.ics", ON)
    booked.update_conversation(booked_ids.meet, scheduled_at="2026-11-21 10:00")
    write_calendar(booked, tmp_path / "b.ics", ON)
    first, second = events(tmp_path / "a.ics"), events(tmp_path / "b.ics")
    assert set(first) == set(second)
    moved = [uid for uid in first if first[uid].decoded("dtstart") != second[uid].decoded("dtstart")]
    assert len(moved) == 1
    assert second[moved[0]].decoded("dtstart") == dt.datetime(2026, 11, 21, 10, 0)
    assert int(second[moved[0]]["sequence"]) >= int(first[moved[0]]["sequence"])


def test_two_workbooks_do_not_share_uids(booked, tmp_path):
    other = open_workbook(tmp_path / "other.sqlite")
    o = other.add_option("Teaching")
    p = other.add_contact("Lee Park")
    other.add_conversation(p, o, status="scheduled", scheduled_at="2026-11-20 15:30")
    write_calendar(booked, tmp_path / "a.ics", ON)
    write_calendar(other, tmp_path / "b.ics", ON)
    other.close()
    assert not set(events(tmp_path / "a.ics")) & set(events(tmp_path / "b.ics"))


def test_output_that_is_a_folder_is_refused(booked, tmp_path):
    with pytest.raises(ValidationError) as err:
        write_calendar(booked, tmp_path, ON)
    assert err.value.field == "output"


def test_calendar_command_writes_the_file(booked, wb_path, tmp_path):
    out = tmp_path / "sub" / "cw.ics"
    result = CliRunner().invoke(cli, ["calendar", "-o", str(out), "--on", ON, "--workbook", str(wb_path)])
    assert result.exit_code == 0, result.output
    assert "2 conversation(s) and 3 reminder(s)" in result.output
    assert len(events(out)) == 5


def test_calendar_command_refuses_a_bad_date_and_writes_nothing(booked, wb_path, tmp_path):
    out = tmp_path / "cw.ics"
    result = CliRunner().invoke(cli, ["calendar", "-o", str(out), "--on", "12/11/2026", "--workbook", str(wb_path)])
    assert result.exit_code != 0 and "--on" in result.output
    assert not out.exists()


def test_an_empty_workbook_gives_a_valid_empty_calendar(wb, tmp_path):
    summary = write_calendar(wb, tmp_path / "cw.ics", ON)
    cal = icalendar.Calendar.from_ical((tmp_path / "cw.ics").read_bytes())
    assert str(cal["version"]) == "2.0" and not cal.walk("VEVENT")
    assert summary.conversations == 0 and summary.reminders == 0
