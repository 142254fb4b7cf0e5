"""The follow-up routine (3B7) and thank-you timing, as pure functions over the tables.

- A request without a reply for 3 business days: ask a second person at the same
  organisation (named when the workbook has someone there not yet asked).
- Still no reply after 7 business days: follow up once with the first person.
- Still nothing 7 business days after the follow-up: mark it "no reply" and move on.
- On the day of a scheduled conversation: record what you learned, the same day.
- After a conversation: a thank-you within 24 hours; overdue after that.

Business days are weekdays (numpy's business-day calendar), optionally minus
holidays. The numbers come from the settings ``cadence_second_contact_days``,
``cadence_follow_up_days`` and ``thank_you_hours``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..people.matching import normalise_org
from ..store import conversations as rules
from ..store.readable import Readable

#: Kinds of due action, in the order they are listed on the same day, with a short label.
KINDS: dict[str, str] = {
    "thank_you": "send a thank-you",
    "capture": "record the conversation",
    "follow_up": "follow up",
    "second_contact": "ask a second person",
    "move_on": "move on",
}
COLUMNS = ["kind", "due_on", "overdue", "conversation_id", "contact_id", "contact", "option", "what"]

SETTINGS = {
    "second_contact_days": "cadence_second_contact_days",
    "follow_up_days": "cadence_follow_up_days",
    "thank_you_hours": rules.THANK_YOU_SETTING,
}


@dataclass(frozen=True)
class Cadence:
    """How long to wait before each step (business days; hours for the thank-you)."""

    second_contact_days: int = 3
    follow_up_days: int = 7
    thank_you_hours: int = rules.THANK_YOU_HOURS

    def __post_init__(self) -> None:
        for name, setting in SETTINGS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 365 * 24:
                raise ValidationError(setting, f"{value!r} is not allowed; use a whole number from 1 up")

    @classmethod
    def from_settings(cls, wb: Readable) -> Cadence:
        """The cadence stored in a workbook's settings (defaults where none is stored)."""
        values = {}
        for name, setting in SETTINGS.items():
            value = wb.setting(setting)
            if value is None:
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            values[name] = value
        return cls(**values)


def _day(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _label(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _add_busdays(start: dt.date, days: int, holidays: list[np.datetime64]) -> dt.date:
    out = np.busday_offset(np.datetime64(start, "D"), days, roll="backward", holidays=holidays)
    return out.astype("datetime64[D]").astype(dt.date)


def business_days_after(start: dt.date, days: int, holidays: Iterable[dt.date | str] = ()) -> dt.date:
    """The day ``days`` business days after ``start`` (a weekend start counts like the Friday before)."""
    return _add_busdays(start, days, [np.datetime64(_day(h), "D") for h in holidays])


def _busdays_between(start: dt.date, end: dt.date, holidays: list[np.datetime64]) -> int:
    """Business days from ``start`` to ``end``, counted like :func:`_add_busdays` (the inverse of it)."""
    first = np.busday_offset(np.datetime64(start, "D"), 0, roll="backward", holidays=holidays)
    return int(np.busday_count(first, np.datetime64(end, "D"), holidays=holidays))


def due_actions(
    conversations: pd.DataFrame,
    contacts: pd.DataFrame,
    on: dt.date | str | None = None,
    options: pd.DataFrame | None = None,
    *,
    cadence: Cadence | None = None,
    holidays: Iterable[dt.date | str] = (),
    upcoming: bool = False,
) -> pd.DataFrame:
    """The actions due on ``on`` (default today): one row per action, soonest first.

    Columns: ``kind`` (see :data:`KINDS`), ``due_on``, ``overdue`` (due before
    ``on``), ``conversation_id``, ``contact_id``, ``contact``, ``option`` and
    ``what`` (a one-line plain instruction). With ``upcoming=True`` actions not
    yet due are included too, on the day they will fall due if nothing changes.
    Conversations whose contact is not in ``contacts`` (archived) are skipped.
    """
    cadence = cadence or Cadence()
    on = _day(on) or dt.date.today()
    hols = [np.datetime64(_day(h), "D") for h in holidays]
    rows: list[dict[str, Any]] = []
    if conversations is None or conversations.empty or contacts is None or contacts.empty:
        return pd.DataFrame(columns=COLUMNS)

    people = {int(r.id): r for r in contacts.itertuples(index=False)}
    titles = {} if options is None or options.empty else dict(zip(options["id"], options["title"], strict=True))
    asked = set(conversations.loc[conversations["status"] != "planned", "contact_id"].astype(int))
    conversations = _plain_rows(conversations)
    by_org = _contacts_by_org(people)
    sent_by_org, sent_by_option = _requests_sent(conversations, people)

    for conv in conversations:
        person = people.get(conv.contact_id)
        if person is None:
            continue
        name = str(person.name)
        first = name.split()[0] if name.split() else name
        option = str(titles.get(conv.option_id, f"option #{conv.option_id}"))
        base = {"conversation_id": conv.id, "contact_id": conv.contact_id, "contact": name, "option": option}
        add = functools.partial(_add_action, rows, base, on, upcoming)

        if conv.status == "requested" and conv.requested_on:
            asked_on = conv.requested_on
            org = normalise_org(person.organization)
            second = _add_busdays(asked_on, cadence.second_contact_days, hols)
            # Someone else at the organisation (or, with no organisation known, about the
            # same option) asked since this request: the second contact has been reached.
            others = sent_by_org.get(org, []) if org else sent_by_option.get(conv.option_id, [])
            if not any(c != person.id and d >= asked_on for c, d in others):
                colleagues = by_org.get(org, [])
                add("second_contact", second, _second_contact_text(first, person, option, colleagues, asked, people))
            follow = _add_busdays(asked_on, cadence.follow_up_days, hols)
            waited = _busdays_between(asked_on, max(on, follow), hols)
            add(
                "follow_up",
                follow,
                f"No reply from {first} since {_label(asked_on)} ({waited} business days): "
                f"send one short, friendly follow-up, then record it as sent.",
            )
        elif conv.status == "followed_up":
            since = conv.followed_up_on or conv.requested_on
            if since:
                add(
                    "move_on",
                    _add_busdays(since, cadence.follow_up_days, hols),
                    f"No reply to your follow-up to {first} of {_label(since)}: mark it 'no reply' "
                    f"and ask someone else about {option}; don't chase further.",
                )
        elif conv.status == "scheduled" and conv.scheduled_at:
            when = conv.scheduled_at
            add(
                "capture",
                when.date(),
                f"Conversation with {first} on {_label(when.date())} at {when:%H:%M}: the same day, "
                f"write down what you learned and mark it done.",
            )
        elif conv.status == "done" and conv.thanked_on is None:
            end = rules.conversation_end(conv.done_on, conv.scheduled_at, conv.duration_min)
            if end is not None:
                due = rules.thank_you_due(end, cadence.thank_you_hours)
                add("thank_you", due, _thank_you_text(first, due, on, cadence), available=end.date())

    frame = pd.DataFrame(rows, columns=COLUMNS)
    if frame.empty:
        return frame
    order = {k: i for i, k in enumerate(KINDS)}
    frame = frame.assign(_k=frame["kind"].map(order)).sort_values(["due_on", "_k", "contact"], kind="stable")
    return frame.drop(columns="_k").reset_index(drop=True)


_DATES = rules.DATE_COLUMNS


Sent = dict[Any, list[tuple[int, dt.date]]]


def _contacts_by_org(people: dict[int, Any]) -> dict[str, list[int]]:
    """Contact ids by (normalised) organisation; contacts without one are left out."""
    by_org: dict[str, list[int]] = {}
    for cid, person in people.items():
        if normalise_org(person.organization):
            by_org.setdefault(normalise_org(person.organization), []).append(cid)
    return by_org


def _requests_sent(conversations: list[SimpleNamespace], people: dict[int, Any]) -> tuple[Sent, Sent]:
    """Requests sent, by organisation of the contact asked and by option: (contact id, date)."""
    by_org: Sent = {}
    by_option: Sent = {}
    for r in conversations:
        day = r.requested_on
        if day is None or int(r.contact_id) not in people:
            continue
        by_option.setdefault(int(r.option_id), []).append((int(r.contact_id), day))
        org = normalise_org(people[int(r.contact_id)].organization)
        if org:
            by_org.setdefault(org, []).append((int(r.contact_id), day))
    return by_org, by_option


def _thank_you_text(first: str, due: dt.date, on: dt.date, cadence: Cadence) -> str:
    if on > due:
        return f"Thank-you to {first} is overdue (was due {_label(due)}): send it today; late is better than never."
    return (
        f"Thank {first} within {cadence.thank_you_hours} hours of your conversation "
        f"(by {_label(due)}): one thing you learned, and what you will do with it."
    )


def _plain_rows(frame: pd.DataFrame) -> list[SimpleNamespace]:
    """The conversations as plain Python values (dates, datetimes, ints, None), for quick row loops."""
    n = len(frame)
    columns: dict[str, list[Any]] = {}
    for col in ("id", "contact_id", "option_id", "duration_min"):
        values = frame[col] if col in frame else pd.Series([None] * n)
        columns[col] = [None if pd.isna(v) else int(v) for v in values]
    columns["status"] = [str(v) for v in frame["status"]]
    for col in (*_DATES, "scheduled_at"):
        values = pd.to_datetime(frame[col]) if col in frame else pd.Series([pd.NaT] * n, dtype="datetime64[s]")
        plain = values.dt.to_pydatetime() if col == "scheduled_at" else values.dt.date
        columns[col] = [None if pd.isna(v) else v for v in plain]
    return [SimpleNamespace(**{k: columns[k][i] for k in columns}) for i in range(n)]


def _add_action(
    rows: list[dict[str, Any]],
    base: dict[str, Any],
    on: dt.date,
    upcoming: bool,
    kind: str,
    due: dt.date,
    what: str,
    available: dt.date | None = None,
) -> None:
    """Add an action to ``rows`` if it is due on ``on`` (or ``upcoming``); ``available``: listed from that day."""
    if upcoming or on >= (available or due):
        rows.append({**base, "kind": kind, "due_on": due, "overdue": on > due, "what": what})


def _second_contact_text(
    first: str, person: Any, option: str, colleagues: list[int], asked: set[int], people: dict[int, Any]
) -> str:
    org = str(person.organization or "").strip()
    if not org:
        return f"No reply from {first} yet: ask a second person who knows {option} from the inside."
    free = [people[c].name for c in colleagues if c != person.id and c not in asked]
    if free:
        return f"No reply from {first} yet: ask {free[0]}, also at {org}, about {option}."
    return (
        f"No reply from {first} yet: find a second person at {org} to ask about {option} "
        "(nobody else there in your workbook yet)."
    )


def due_list(wb: Readable, on: dt.date | str | None = None, *, upcoming: bool = False) -> pd.DataFrame:
    """:func:`due_actions` for a workbook, with its cadence settings (archived records left out)."""
    return due_actions(
        wb.conversations(),
        wb.contacts(),
        on,
        wb.options(include_archived=True),
        cadence=Cadence.from_settings(wb),
        upcoming=upcoming,
    )


def parse_day(value: Any, field: str = "date") -> dt.date:
    """A date from a ``YYYY-MM-DD`` string (or a date), or a ValidationError naming ``field``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else _bad(field, value)
    except ValueError:
        return _bad(field, value)


def _bad(field: str, value: Any) -> dt.date:
    raise ValidationError(field, f"{value!r} is not a date in the form YYYY-MM-DD (for example 2026-03-14)")
