"""An iCalendar (RFC 5545) file of scheduled conversations and due follow-ups, via ``icalendar``.

- Each scheduled conversation is an event from its start for its duration, titled
  "Informational interview: <contact> (<option>)".
- Each open follow-up, second-contact suggestion and thank-you is an all-day event
  on the day it falls due (overdue ones on the day the calendar is made for).

UIDs are stable (a key kept in the workbook's settings, the kind and the
conversation id), so importing a newer file updates events instead of
duplicating them. Times are "floating" local times, as they are stored.
Text drops the characters RFC 5545 forbids (control characters, U+0085,
U+2028, U+2029; see :func:`workbook.textsafety.ics`).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import icalendar
import pandas as pd

from .. import files
from ..errors import ValidationError
from ..store import conversations as rules
from ..textsafety import ics
from . import cadence

if TYPE_CHECKING:
    from ..store.workbook import Workbook

PRODID = "-//Career Workbook//Informational interviews//EN"
UID_DOMAIN = "career-workbook"
UID_SETTING = "calendar_uid"
#: Conversation statuses that appear as events (when they have a date and time).
EVENT_STATUSES = rules.ON_CALENDAR
_EPOCH = dt.datetime(2020, 1, 1)

_SUMMARY = {
    "thank_you": "Send a thank-you",
    "follow_up": "Follow up",
    "second_contact": "Ask a second person",
    "move_on": "Move on",
}


@dataclass(frozen=True)
class CalendarSummary:
    path: Path
    conversations: int
    reminders: int

    def __str__(self) -> str:
        return (
            f"Wrote {self.path}: {self.conversations} conversation(s) and {self.reminders} reminder(s). "
            "Import it into your calendar; importing a newer file updates the same events."
        )


def _sequence(when: Any) -> int:
    """A revision number that grows with time (minutes since 2020), as RFC 5545 asks."""
    if when is None or pd.isna(when):
        return 0
    return max(0, int((pd.Timestamp(when).to_pydatetime() - _EPOCH).total_seconds() // 60))


def build_calendar(
    conversations: pd.DataFrame,
    contacts: pd.DataFrame,
    options: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    on: dt.date,
    uid_prefix: str,
    stamp: dt.datetime | None = None,
    thank_you_hours: int = rules.THANK_YOU_HOURS,
) -> icalendar.Calendar:
    """A calendar of the scheduled ``conversations`` and the due ``actions`` (from :mod:`cadence`)."""
    stamp = stamp or dt.datetime.now(dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Career Workbook")

    people = {} if contacts.empty else {int(r.id): r for r in contacts.itertuples(index=False)}
    titles = {} if options.empty else dict(zip(options["id"], options["title"], strict=True))
    if not conversations.empty:
        for conv in conversations.itertuples(index=False):
            if conv.status not in EVENT_STATUSES or pd.isna(conv.scheduled_at):
                continue
            person = people.get(int(conv.contact_id))
            if person is None:
                continue
            start = pd.Timestamp(conv.scheduled_at).to_pydatetime()
            option = str(titles.get(conv.option_id, f"option #{conv.option_id}"))
            event = icalendar.Event()
            event.add("uid", f"{uid_prefix}-conversation-{int(conv.id)}@{UID_DOMAIN}")
            event.add("dtstamp", stamp)
            event.add("sequence", _sequence(conv.updated_at))
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(minutes=int(conv.duration_min)))
            event.add("summary", ics(f"Informational interview: {person.name} ({option})"))
            about = ", ".join(str(x) for x in (person.role, person.organization) if str(x or "").strip())
            event.add(
                "description",
                ics(
                    f"{person.name}" + (f" — {about}" if about else "") + "\n"
                    f"Keep to the {int(conv.duration_min)} minutes you asked for. "
                    f"Ask who else you should talk to. Thank them within {thank_you_hours} hours."
                ),
            )
            cal.add_component(event)

    if actions is not None and not actions.empty:
        for act in actions.itertuples(index=False):
            if act.kind not in _SUMMARY:
                continue
            day = max(act.due_on, on)
            event = icalendar.Event()
            event.add("uid", f"{uid_prefix}-{act.kind.replace('_', '-')}-{int(act.conversation_id)}@{UID_DOMAIN}")
            event.add("dtstamp", stamp)
            event.add("sequence", (day - _EPOCH.date()).days)
            event.add("dtstart", day)
            event.add("dtend", day + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
            event.add("summary", ics(f"{_SUMMARY[act.kind]}: {act.contact} ({act.option})"))
            event.add("description", ics(act.what))
            cal.add_component(event)
    return cal


def uid_prefix(wb: Workbook) -> str:
    """This workbook's key for calendar UIDs (made once and kept in its settings)."""
    key = wb.setting(UID_SETTING)
    if not key:
        key = f"cw-{uuid.uuid4().hex[:12]}"
        wb.set_setting(UID_SETTING, key)
    return str(key)


def calendar_for(wb: Workbook, on: dt.date | str | None = None) -> icalendar.Calendar:
    """The calendar of a workbook as of ``on`` (default today)."""
    day = cadence.parse_day(on, "on") if on is not None else dt.date.today()
    actions = cadence.due_list(wb, day, upcoming=True)
    return build_calendar(
        wb.conversations(),
        wb.contacts(),
        wb.options(include_archived=True),
        actions,
        on=day,
        uid_prefix=uid_prefix(wb),
        thank_you_hours=cadence.Cadence.from_settings(wb).thank_you_hours,
    )


def write_calendar(wb: Workbook, path: str | os.PathLike, on: dt.date | str | None = None) -> CalendarSummary:
    """Write the ``.ics`` file for ``wb`` to ``path`` (replacing it) and say what it holds.

    The file is private (``0600``); a ``path`` that is the workbook, a backup or
    any SQLite file is refused and nothing is written.
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise ValidationError("output", f"{target} is a folder; give a file name such as interviews.ics")
    protect = [getattr(wb, "path", None)]
    files.check_output(target, protect)  # never over the workbook or a backup, before anything is built
    cal = calendar_for(wb, on)
    data = cal.to_ical()
    target = files.write_private(target, lambda fh: fh.write(data), protect)
    events = [c for c in cal.walk("VEVENT")]
    meetings = sum(1 for e in events if "-conversation-" in str(e["uid"]))
    return CalendarSummary(target.resolve(), meetings, len(events) - meetings)
