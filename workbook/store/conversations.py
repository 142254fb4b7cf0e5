"""The rules of a conversation: which date each status records, which step fits which status, thank-you timing.

The one home of these rules: the store fills status dates with them, the
outreach form checks each recorded step with them, and the due list, the
capture form and the CLI take the thank-you timing from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from . import vocab

#: When a conversation reaches a status, the date column that records it.
STATUS_DATE: Mapping[str, str] = {
    "requested": "requested_on",
    "followed_up": "followed_up_on",
    "done": "done_on",
    "thanked": "thanked_on",
}
#: The date columns of a conversation, in the order of the pipeline.
DATE_COLUMNS: tuple[str, ...] = tuple(STATUS_DATE.values())

#: Statuses of a conversation that took place.
HELD: tuple[str, ...] = ("done", "thanked")
#: The two ways a request ends without a conversation.
ENDED: tuple[str, ...] = ("declined", "no_reply")
#: Statuses of a request still waiting for its conversation (a prep sheet still helps).
PREPARABLE: tuple[str, ...] = tuple(s for s in vocab.CONVERSATION_STATUSES if s not in {"done", "thanked", "declined"})
#: Statuses with a conversation on the calendar.
ON_CALENDAR: tuple[str, ...] = ("scheduled", *HELD)

#: Steps you record in the outreach notebook and the status each leads to.
STEP_STATUS: Mapping[str, str] = {
    "sent": "requested",
    "followed_up": "followed_up",
    "scheduled": "scheduled",
    "declined": "declined",
    "no_reply": "no_reply",
    "thanked": "thanked",
}
_OPEN = ("planned", "requested", "followed_up", "scheduled", "declined", "no_reply")
#: The statuses a conversation may have when a step is recorded.
ALLOWED_FROM: Mapping[str, tuple[str, ...]] = {
    "sent": ("planned", "requested", "declined", "no_reply"),
    "followed_up": ("requested", "followed_up", "no_reply"),
    "scheduled": _OPEN,
    "declined": _OPEN,
    "no_reply": _OPEN,
    "thanked": ("scheduled", "done", "thanked"),
}
#: Steps that record something already done, so their date cannot be in the future.
PAST_ONLY: tuple[str, ...] = ("sent", "followed_up", "declined", "no_reply", "thanked")

#: A thank-you is due within this many hours of the conversation.
THANK_YOU_HOURS = 24
#: Length of a conversation when none was agreed, in minutes (about 20, as you asked for).
DEFAULT_MINUTES = 20


def fill_status_date(row: dict[str, Any], status: str | None, today: dt.date | None = None) -> dict[str, Any]:
    """``row`` with the date its status stands for filled in (today) when it is missing."""
    column = STATUS_DATE.get(status or "")
    if column and not row.get(column):
        row = {**row, column: (today or dt.date.today()).isoformat()}
    return row


def check_step(status: str, step: str, on: dt.date, today: dt.date, label: str | None = None) -> None:
    """Raise :class:`ValidationError` when ``step`` on day ``on`` does not fit a conversation in ``status``.

    ``label`` is how the step is named to the user (default: its key).
    """
    if step not in ALLOWED_FROM:
        raise ValidationError("step", f"{step!r} is not a step; choose one of {', '.join(ALLOWED_FROM)}")
    if status not in ALLOWED_FROM[step]:
        now = vocab.CONVERSATION_STATUSES.get(status, status)
        raise ValidationError("step", f"'{label or step}' does not fit a conversation that is already {now}")
    if step in PAST_ONLY and on > today:
        raise ValidationError("date", f"{on.isoformat()} is in the future; record this once it has happened")


def conversation_end(
    done_on: dt.date | None, scheduled_at: dt.datetime | None = None, duration_min: int | None = None
) -> dt.datetime | None:
    """When a conversation ended: its scheduled time plus its length, else the end of the day it was done."""
    if scheduled_at is not None and (done_on is None or scheduled_at.date() == done_on):
        return scheduled_at + dt.timedelta(minutes=duration_min or DEFAULT_MINUTES)
    if done_on is None:
        return None
    return dt.datetime.combine(done_on, dt.time(23, 59))


def thank_you_due(end: dt.datetime, hours: int = THANK_YOU_HOURS) -> dt.date:
    """The day a thank-you is due for a conversation that ended at ``end``."""
    return (end + dt.timedelta(hours=hours)).date()


#: The setting that changes the thank-you window (notebook 08).
THANK_YOU_SETTING = "thank_you_hours"
#: The longest thank-you window the setting accepts (a year, in hours).
THANK_YOU_MAX_HOURS = 365 * 24


def thank_you_hours(stored: object = None) -> int:
    """The thank-you window in hours: ``stored`` (the setting's value) if set, else :data:`THANK_YOU_HOURS`."""
    if stored is None:
        return THANK_YOU_HOURS
    if isinstance(stored, float) and stored.is_integer():
        stored = int(stored)
    if isinstance(stored, bool) or not isinstance(stored, int) or not 0 < stored <= THANK_YOU_MAX_HOURS:
        raise ValidationError(THANK_YOU_SETTING, f"{stored!r} is not allowed; use a whole number of hours from 1 up")
    return stored


def thank_you_due_for(conv: Mapping[str, Any], hours: int = THANK_YOU_HOURS) -> dt.date | None:
    """When the thank-you for a conversation record is due (None before it took place)."""

    def day(value: Any) -> dt.date | None:
        if value is None or value == "" or value != value:
            return None
        return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else _parse_day(value)

    def moment(value: Any) -> dt.datetime | None:
        if value is None or value == "" or value != value:
            return None
        return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))

    end = conversation_end(day(conv.get("done_on")), moment(conv.get("scheduled_at")), conv.get("duration_min"))
    return None if end is None else thank_you_due(end, hours)


def _parse_day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def thank_you_status(conv: Mapping[str, Any], today: dt.date, hours: int = THANK_YOU_HOURS) -> str:
    """Where the thank-you for a conversation stands, in one sentence (the window: ``hours``)."""
    if conv.get("thanked_on"):
        return f"Thank-you sent on {conv['thanked_on']}."
    due = thank_you_due_for(conv, hours)
    if due is None:
        return f"Thank-you: due within {hours} hours of the conversation. Mark the conversation done first."
    if today < due:
        left = (due - today).days
        when = "tomorrow" if left == 1 else f"in {left} days"
        return f"Thank-you due by {due.isoformat()} ({when}): within {hours} hours."
    if today == due:
        return f"Thank-you due today ({due.isoformat()})."
    return f"Thank-you overdue since {due.isoformat()}: send it now; late is better than never."
