"""Field rules for every table: what each column accepts, its default and its checks.

``clean(table, values, partial=False)`` turns user input into values ready for
SQLite, or raises :class:`~workbook.errors.ValidationError` naming the field
and the reason. It does not touch the database; foreign keys are checked by
the store inside the write transaction.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError
from . import vocab

_MISSING = object()


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, title, int, float, bool, date, datetime, choice, ref
    default: Any = None
    required: bool = False
    choices: tuple = ()
    aliases: dict = field(default_factory=dict)
    low: float | None = None
    high: float | None = None
    ref: str | None = None  # table a ref points at
    nullable: bool = True
    help: str = ""


def _t(name: str, help: str = "", default: str = "") -> Field:
    return Field(name, "text", default=default, nullable=False, help=help)


FIELDS: dict[str, dict[str, Field]] = {
    "options": {
        f.name: f
        for f in [
            Field("title", "title", required=True, nullable=False, help="short name of the career path"),
            _t("description", "what the path is, in your own words"),
            Field(
                "status",
                "choice",
                default="exploring",
                choices=tuple(vocab.OPTION_STATUSES),
                nullable=False,
            ),
            _t("questions", "open questions this option must answer, one per line"),
        ]
    },
    "criteria": {
        f.name: f
        for f in [
            Field("name", "title", required=True, nullable=False),
            _t("description"),
            Field("weight", "float", default=1.0, low=0.0, high=100.0, nullable=False),
        ]
    },
    "contacts": {
        f.name: f
        for f in [
            Field("name", "title", required=True, nullable=False),
            _t("organization"),
            _t("role"),
            _t("email"),
            _t("profile_url"),
            Field(
                "relationship",
                "choice",
                default="",
                choices=tuple(vocab.RELATIONSHIPS),
                nullable=False,
            ),
            Field("strength", "int", default=3, low=1, high=5, nullable=False),
            Field("referred_by", "ref", ref="contacts"),
            _t("source", default="manual"),
            Field("connected_on", "date"),
            _t("notes"),
        ]
    },
    "insider_links": {
        f.name: f
        for f in [
            Field("contact_id", "ref", ref="contacts", required=True, nullable=False),
            Field("option_id", "ref", ref="options", required=True, nullable=False),
        ]
    },
    "conversations": {
        f.name: f
        for f in [
            Field("contact_id", "ref", ref="contacts", required=True, nullable=False),
            Field("option_id", "ref", ref="options", required=True, nullable=False),
            Field(
                "status",
                "choice",
                default="planned",
                choices=tuple(vocab.CONVERSATION_STATUSES),
                aliases=vocab.CONVERSATION_STATUS_ALIASES,
                nullable=False,
            ),
            Field("requested_on", "date"),
            Field("followed_up_on", "date"),
            Field("scheduled_at", "datetime"),
            Field("duration_min", "int", default=20, low=1, high=480, nullable=False),
            Field("done_on", "date"),
            Field("thanked_on", "date"),
            _t("notes"),
            _t("debrief", "what you learned, in your own words"),
            _t("still_interested", "after this conversation, are you still interested?"),
            _t("thank_you_note"),
        ]
    },
    "insights": {
        f.name: f
        for f in [
            Field("option_id", "ref", ref="options", required=True, nullable=False),
            Field("criterion_id", "ref", ref="criteria", required=True, nullable=False),
            Field("stance", "int", required=True, low=-2, high=2, nullable=False),
            Field(
                "confidence",
                "choice",
                default="medium",
                choices=tuple(vocab.CONFIDENCE),
                nullable=False,
            ),
            Field("source", "choice", default="interview", choices=tuple(vocab.SOURCES), nullable=False),
            _t("note", "what you heard, ideally a short quote"),
            Field("conversation_id", "ref", ref="conversations"),
            Field("contact_id", "ref", ref="contacts"),
            Field("against_hopes", "bool", default=False, nullable=False),
            # A second-hand claim: the contact it came from (then it counts with that person).
            Field("heard_from", "ref", ref="contacts"),
        ]
    },
    "questions": {
        f.name: f
        for f in [
            Field("text", "title", required=True, nullable=False),
            Field("tiara", "choice", default="insights", choices=tuple(vocab.TIARA), nullable=False),
            _t("topic", default="own"),
        ]
    },
    "prep_questions": {
        f.name: f
        for f in [
            Field("conversation_id", "ref", ref="conversations", required=True, nullable=False),
            Field("position", "int", default=0, low=0, high=10_000, nullable=False),
            Field("text", "title", required=True, nullable=False),
            Field("tiara", "choice", default="insights", choices=tuple(vocab.TIARA), nullable=False),
        ]
    },
}

#: Tables that only link two records (no id, no archive flag, no time stamps).
LINK_TABLES = ("insider_links",)
#: Tables whose rows can be archived and unarchived: every table of records.
ARCHIVABLE = tuple(table for table in FIELDS if table not in LINK_TABLES)

#: Columns the store keeps itself, by kind (every record table has them; ``changed_at`` is the event log's).
SYSTEM_FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        Field("id", "int", nullable=False),
        Field("archived", "bool", default=False, nullable=False),
        Field("created_at", "datetime", nullable=False),
        Field("updated_at", "datetime", nullable=False),
        Field("changed_at", "datetime", nullable=False),
    ]
}


def read_kinds() -> dict[str, str]:
    """How each column is typed when a table is read, derived from the field definitions.

    ``int`` (int64), ``nullable_int`` (Int64: a column that may be empty in some
    table), ``bool``, ``float``, ``date`` and ``datetime``; other columns stay text.
    A column name means the same in every table.
    """
    kinds: dict[str, str] = {}
    every = [*SYSTEM_FIELDS.values(), *(f for spec in FIELDS.values() for f in spec.values())]
    for f in every:
        if f.kind in {"int", "ref"}:
            kind = "nullable_int" if f.nullable or kinds.get(f.name) == "nullable_int" else "int"
        elif f.kind in {"bool", "float", "date", "datetime"}:
            kind = f.kind
        else:
            continue
        kinds[f.name] = kind
    return kinds


def limits(table: str, name: str) -> tuple[float, float]:
    """The lowest and highest value a number field accepts."""
    f = FIELDS[table][name]
    if f.low is None or f.high is None:
        raise KeyError(f"{table}.{name} has no range")
    return f.low, f.high


def is_missing(value: Any) -> bool:
    """``None``, a float NaN, or pandas' NaT / NA (a form or a DataFrame row may hand those in)."""
    if value is None:
        return True
    if isinstance(value, str | int):
        return False
    if isinstance(value, float):
        return math.isnan(value)
    pd = sys.modules.get("pandas")  # a pandas missing value can only come from an imported pandas
    if pd is None:
        return False
    try:
        return bool(value is pd.NaT or pd.isna(value))
    except (TypeError, ValueError):
        return False


def _check_text(f: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError(f.name, f"must be text, not {type(value).__name__}")
    if "\x00" in value:
        raise ValidationError(f.name, "contains a NUL character, which cannot be stored")
    return value


def _parse_date(f: Field, value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text).isoformat() if len(text) == 10 else _bad_date(f, value)
        except ValueError:
            pass
        _bad_date(f, value)
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date().isoformat()
    raise ValidationError(f.name, f"must be a date (YYYY-MM-DD), not {type(value).__name__}")


def _bad_date(f: Field, value: Any):
    raise ValidationError(f.name, f"{value!r} is not a date in the form YYYY-MM-DD (for example 2026-03-14)")


def _parse_datetime(f: Field, value: Any) -> str:
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0, 0)).isoformat(timespec="minutes")
    if isinstance(value, str):
        text = value.strip().replace(" ", "T", 1)
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                f.name,
                f"{value!r} is not a date and time in the form YYYY-MM-DD HH:MM (for example 2026-03-14 15:30)",
            ) from None
        if len(text) < 16:
            raise ValidationError(f.name, f"{value!r} has no time of day; use YYYY-MM-DD HH:MM")
        return parsed.replace(tzinfo=None, microsecond=0).isoformat(timespec="minutes")
    raise ValidationError(f.name, f"must be a date and time (YYYY-MM-DD HH:MM), not {type(value).__name__}")


def _parse_number(f: Field, value: Any, integer: bool) -> int | float:
    if isinstance(value, bool):
        raise ValidationError(f.name, "must be a number, not true/false")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValidationError(f.name, "is empty; a number is needed")
        try:
            value = float(text) if not integer else int(text.lstrip("+"))
        except ValueError:
            raise ValidationError(f.name, f"{value!r} is not a {'whole ' if integer else ''}number") from None
    if not isinstance(value, numbers.Real):
        raise ValidationError(f.name, f"must be a number, not {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValidationError(f.name, "must be a finite number")
    if integer:
        if number != int(number):
            raise ValidationError(f.name, f"must be a whole number, not {value}")
        value = int(number)
    else:
        value = number
    if f.low is not None and value < f.low or f.high is not None and value > f.high:
        low = int(f.low) if integer and f.low is not None else f.low
        high = int(f.high) if integer and f.high is not None else f.high
        raise ValidationError(f.name, f"{value} is out of range; it must be between {low} and {high}")
    return value


def _clean_title(f: Field, value: Any) -> str:
    text = _check_text(f, value)
    if not text.strip():
        raise ValidationError(f.name, "is empty; please type something")
    return text


def _clean_choice(f: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError(f.name, f"must be one of {', '.join(repr(c) for c in f.choices)}")
    key = value.strip().lower()
    key = f.aliases.get(key, key)
    if key not in f.choices:
        key = key.replace(" ", "_")
    if key not in f.choices:
        allowed = ", ".join(repr(c) for c in f.choices if c)
        raise ValidationError(f.name, f"{value!r} is not allowed; choose one of {allowed}")
    return key


def _clean_bool(f: Field, value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, numbers.Integral) and value in (0, 1)):
        return int(bool(value))
    if isinstance(value, str) and value.strip().lower() in {"yes", "no", "true", "false", "1", "0"}:
        return int(value.strip().lower() in {"yes", "true", "1"})
    raise ValidationError(f.name, f"must be yes or no, not {value!r}")


def _clean_ref(f: Field, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral | str | float):
        raise ValidationError(f.name, f"must be the id of a record in {f.ref}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f.name, f"{value!r} is not an id (a whole number)") from None
    if isinstance(value, float) and value != number:
        raise ValidationError(f.name, f"{value!r} is not an id (a whole number)")
    return number


#: How a present value of each field kind is checked and converted.
_CLEANERS: dict[str, Callable[[Field, Any], Any]] = {
    "title": _clean_title,
    "text": _check_text,
    "choice": _clean_choice,
    "int": lambda f, value: _parse_number(f, value, integer=True),
    "float": lambda f, value: _parse_number(f, value, integer=False),
    "bool": _clean_bool,
    "date": _parse_date,
    "datetime": _parse_datetime,
    "ref": _clean_ref,
}


def clean_value(f: Field, value: Any) -> Any:
    """Validate one value for field ``f`` and return it ready for SQLite."""
    if is_missing(value):
        if f.required:
            raise ValidationError(f.name, "is required")
        if not f.nullable:
            return f.default
        return None
    if f.kind not in _CLEANERS:
        raise AssertionError(f"unknown field kind {f.kind}")
    return _CLEANERS[f.kind](f, value)


def clean(table: str, values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate ``values`` for ``table``.

    With ``partial=False`` (a new row) missing fields get their defaults and
    required ones must be present; with ``partial=True`` (an update) only the
    given fields are checked. Unknown field names are refused.
    """
    if table not in FIELDS:
        raise ValidationError("table", f"{table!r} is not a table of the workbook")
    spec = FIELDS[table]
    unknown = [k for k in values if k not in spec]
    if unknown:
        allowed = ", ".join(spec)
        raise ValidationError(unknown[0], f"is not a field of {table}; the fields are {allowed}")
    out: dict[str, Any] = {}
    for name, f in spec.items():
        if name in values:
            out[name] = clean_value(f, values[name])
        elif not partial:
            out[name] = clean_value(f, None)
    return out
