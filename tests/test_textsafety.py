"""User text shown in a terminal, a calendar or a report sentence cannot act on what shows it."""

from __future__ import annotations

import icalendar
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from workbook.cli.main import cli
from workbook.outreach.calendar import write_calendar
from workbook.textsafety import BIDI_CONTROLS, ics, isolate, terminal

TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J\x1b[H"
LINK = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
NAME = f"Eve{TITLE} Ross{CLEAR} {LINK}\u202eevil\x9b31m"
ON = "2026-11-12"
CONTROL = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]}


def test_terminal_strips_escape_sequences_and_controls_but_keeps_the_words():
    shown = terminal(NAME + "\nsecond line\tand a tab")
    assert not CONTROL & set(shown) and not set(BIDI_CONTROLS) & set(shown)
    assert "pwned" not in shown and "evil.example" not in shown
    assert shown.split() == ["Eve", "Ross", "clickevil", "second", "line", "and", "a", "tab"]


@given(st.text())
def test_terminal_output_never_holds_a_control_character(text):
    shown = terminal(text)
    assert not CONTROL & set(shown) and not set(BIDI_CONTROLS) & set(shown)


@given(st.text())
def test_ics_text_holds_only_what_rfc_5545_allows(text):
    kept = ics(text)
    assert not (CONTROL - {"\t", "\n"}) & set(kept)
    assert not {"\x85", "\u2028", "\u2029"} & set(kept)


def test_isolate_cannot_be_closed_from_inside():
    wrapped = isolate("abc\u2069\u202edef")
    assert wrapped == "\u2068abcdef\u2069"


def _booked(wb):
    o = wb.add_option(f"UX {CLEAR}research")
    eve = wb.add_contact(NAME, "Acme\x0b\x0c", "Nurse\u2028Lead\x85\u2029")
    wb.add_conversation(eve, o, status="requested", requested_on="2026-11-02")
    wb.add_conversation(eve, o, status="scheduled", scheduled_at="2026-11-20 15:30")
    return wb


def test_due_prints_no_escape_sequences(wb):
    _booked(wb)
    result = CliRunner().invoke(cli, ["due", "--on", ON, "--workbook", str(wb.path)])
    assert result.exit_code == 0, result.output
    assert "Eve" in result.output and "Ross" in result.output
    assert not (CONTROL - {"\n"}) & set(result.output)
    assert "\u202e" not in result.output


def test_info_and_errors_print_no_escape_sequences(wb, tmp_path):
    hostile = tmp_path / f"x{TITLE}.sqlite"
    result = CliRunner().invoke(cli, ["info", "--workbook", str(hostile)])
    assert result.exit_code == 1 and not (CONTROL - {"\n"}) & set(result.output)


def test_import_preview_prints_no_escape_sequences(wb, tmp_path):
    export = tmp_path / "Connections.csv"
    export.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        f'"{NAME}",Lee,,,Acme,Nurse,07 Dec 2025\n'
        f",{CLEAR},,,{TITLE},Nurse,07 Dec 2025\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["import-linkedin", str(export), "--dry-run", "--workbook", str(wb.path)])
    assert result.exit_code == 0, result.output
    assert "new: 2" in result.output and not (CONTROL - {"\n"}) & set(result.output)


def test_calendar_text_drops_what_rfc_5545_forbids(wb, tmp_path):
    _booked(wb)
    path = tmp_path / "cw.ics"
    write_calendar(wb, path, ON)
    text = path.read_bytes().decode("utf-8")
    assert not (CONTROL - {"\r", "\n"}) & set(text)
    assert not {"\x85", "\u2028", "\u2029"} & set(text)
    events = list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
    assert events and all("Eve" in str(e["summary"]) for e in events)
