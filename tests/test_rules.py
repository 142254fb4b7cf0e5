"""The rules that have one home: conversation rules, field-derived types and limits, number formatting."""

from __future__ import annotations

import datetime as dt
import math
import sqlite3

import pytest

from workbook import formatting
from workbook.errors import ValidationError
from workbook.store import conversations as rules
from workbook.store import fields
from workbook.store.schema import MIGRATIONS, SCHEMA_VERSION, TABLES


@pytest.fixture(scope="module")
def schema_columns() -> dict[str, list[str]]:
    conn = sqlite3.connect(":memory:")
    for version in range(1, SCHEMA_VERSION + 1):
        MIGRATIONS[version](conn)
    out = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in TABLES}
    conn.close()
    return out


def test_archivable_tables_are_those_with_an_archive_flag(schema_columns):
    flagged = {t for t, cols in schema_columns.items() if "archived" in cols}
    assert set(fields.ARCHIVABLE) == flagged


def test_every_typed_column_of_the_schema_has_a_read_kind(schema_columns):
    kinds = fields.read_kinds()
    for table, columns in schema_columns.items():
        spec = {**fields.SYSTEM_FIELDS, **fields.FIELDS.get(table, {})}
        for col in columns:
            if col in spec and spec[col].kind not in {"text", "title", "choice"}:
                assert col in kinds, (table, col)


def test_limits_come_from_the_field_definitions():
    assert fields.limits("criteria", "weight") == (0.0, 100.0)
    assert fields.limits("conversations", "duration_min") == (1, 480)
    assert fields.FIELDS["conversations"]["duration_min"].default == rules.DEFAULT_MINUTES


def test_a_status_fills_its_date_only_when_missing():
    day = dt.date(2026, 3, 2)
    assert rules.fill_status_date({}, "done", today=day) == {"done_on": "2026-03-02"}
    assert rules.fill_status_date({"done_on": "2026-01-01"}, "done", today=day) == {"done_on": "2026-01-01"}
    assert rules.fill_status_date({}, "scheduled", today=day) == {}


@pytest.mark.parametrize(
    ("status", "step", "fits"),
    [
        ("planned", "sent", True),
        ("done", "sent", False),
        ("requested", "followed_up", True),
        ("planned", "followed_up", False),
        ("done", "thanked", True),
        ("planned", "thanked", False),
    ],
)
def test_steps_fit_only_some_statuses(status, step, fits):
    day = dt.date(2026, 3, 2)
    if fits:
        rules.check_step(status, step, day, day)
    else:
        with pytest.raises(ValidationError, match="does not fit"):
            rules.check_step(status, step, day, day)


def test_a_past_step_cannot_be_dated_in_the_future():
    with pytest.raises(ValidationError, match="future"):
        rules.check_step("planned", "sent", dt.date(2026, 3, 3), dt.date(2026, 3, 2))


def test_thank_you_is_due_within_a_day_of_the_conversation():
    done = dt.date(2026, 3, 2)
    assert rules.thank_you_due(rules.conversation_end(done)) == dt.date(2026, 3, 3)
    at = dt.datetime(2026, 3, 2, 15, 0)
    assert rules.conversation_end(done, at, 30) == dt.datetime(2026, 3, 2, 15, 30)
    assert rules.thank_you_due(rules.conversation_end(done, at, 30), hours=48) == dt.date(2026, 3, 4)
    assert rules.conversation_end(None) is None


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [(1.25, 1, "+1.2"), (-0.44, 1, "−0.4"), (0.0, 2, "+0.00"), (None, 1, "–"), (math.nan, 1, "–")],
)
def test_signed_scores(value, digits, shown):
    assert formatting.signed(value, digits) == shown


@pytest.mark.parametrize(("value", "shown"), [(0.374, "37%"), (1.0, "100%"), (0, "0%"), (None, "–")])
def test_percentages(value, shown):
    assert formatting.percent(value) == shown
