"""The store: validation of every field, exact round trips, archive/restore, history, dtypes."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
from hostile import HOSTILE

from workbook import NotFoundError, ValidationError, open_workbook
from workbook.store.fields import FIELDS


def rows(wb, table):
    return wb.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# ------------------------------------------------------------------ validation
BAD = [
    ("add_option", dict(title=""), "title", "empty"),
    ("add_option", dict(title="   "), "title", "empty"),
    ("add_option", dict(title=None), "title", "required"),
    ("add_option", dict(title=42), "title", "text"),
    ("add_option", dict(title="A", status="maybe"), "status", "not allowed"),
    ("add_option", dict(title="A", colour="red"), "colour", "not a field"),
    ("add_option", dict(title="A\x00B"), "title", "NUL"),
    ("add_criterion", dict(name=""), "name", "empty"),
    ("add_criterion", dict(name="Pay", weight=-1), "weight", "out of range"),
    ("add_criterion", dict(name="Pay", weight="heavy"), "weight", "not a number"),
    ("add_criterion", dict(name="Pay", weight=float("inf")), "weight", "finite"),
    ("add_contact", dict(name=""), "name", "empty"),
    ("add_contact", dict(name="Ana", relationship="enemy"), "relationship", "not allowed"),
    ("add_contact", dict(name="Ana", strength=0), "strength", "between 1 and 5"),
    ("add_contact", dict(name="Ana", strength=2.5), "strength", "whole number"),
    ("add_contact", dict(name="Ana", referred_by=999), "referred_by", "no record 999"),
    ("add_contact", dict(name="Ana", connected_on="07/12/2025"), "connected_on", "YYYY-MM-DD"),
    ("add_contact", dict(name="Ana", options=[999]), "option_id", "no record 999"),
]


@pytest.mark.parametrize(
    ("method", "kwargs", "field", "reason"), BAD, ids=[f"{b[0]}-{b[2]}-{i}" for i, b in enumerate(BAD)]
)
def test_bad_input_names_the_field_and_writes_nothing(wb, method, kwargs, field, reason):
    before = {t: rows(wb, t) for t in ("options", "criteria", "contacts", "insider_links")}
    with pytest.raises(ValidationError) as info:
        getattr(wb, method)(**kwargs)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}:")
    assert reason in str(info.value)
    assert isinstance(info.value, ValueError)
    assert {t: rows(wb, t) for t in before} == before


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        (dict(stance=7), "stance", "between -2 and 2"),
        (dict(stance=-3), "stance", "between -2 and 2"),
        (dict(stance="strong"), "stance", "not a whole number"),
        (dict(stance=None), "stance", "required"),
        (dict(stance=1, confidence="certain"), "confidence", "not allowed"),
        (dict(stance=1, source="gut feeling"), "source", "not allowed"),
        (dict(stance=1, conversation_id=12345), "conversation_id", "no record"),
        (dict(stance=1, against_hopes="maybe"), "against_hopes", "yes or no"),
        (dict(stance=1, note=["not", "text"]), "note", "text"),
    ],
)
def test_bad_insight_is_refused(filled, filled_ids, kwargs, field, reason):
    before = rows(filled, "insights")
    with pytest.raises(ValidationError, match=reason) as info:
        filled.add_insight(filled_ids.o1, filled_ids.c1, **kwargs)
    assert info.value.field == field
    assert rows(filled, "insights") == before


def test_insight_for_missing_option_or_criterion(filled, filled_ids):
    with pytest.raises(ValidationError) as info:
        filled.add_insight(999, filled_ids.c1, 1)
    assert info.value.field == "option_id"
    with pytest.raises(ValidationError) as info:
        filled.add_insight(filled_ids.o1, 999, 1)
    assert info.value.field == "criterion_id"


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        (dict(status="hired"), "status", "not allowed"),
        (dict(requested_on="2026-13-01"), "requested_on", "YYYY-MM-DD"),
        (dict(requested_on="yesterday"), "requested_on", "YYYY-MM-DD"),
        (dict(scheduled_at="2026-03-14"), "scheduled_at", "no time of day"),
        (dict(scheduled_at="soon"), "scheduled_at", "YYYY-MM-DD HH:MM"),
        (dict(done_on=20260101), "done_on", "must be a date"),
        (dict(duration_min=0), "duration_min", "between 1 and 480"),
    ],
)
def test_bad_conversation_is_refused(filled, filled_ids, kwargs, field, reason):
    before = rows(filled, "conversations"), rows(filled, "conversation_events")
    with pytest.raises(ValidationError, match=reason) as info:
        filled.add_conversation(filled_ids.p2, filled_ids.o2, **kwargs)
    assert info.value.field == field
    assert (rows(filled, "conversations"), rows(filled, "conversation_events")) == before


def test_conversation_needs_existing_contact(filled, filled_ids):
    with pytest.raises(ValidationError) as info:
        filled.add_conversation(4242, filled_ids.o1)
    assert info.value.field == "contact_id"
    assert "no record 4242 in contacts" in str(info.value)


def test_every_field_has_a_rule_and_a_column(wb):
    for table, spec in FIELDS.items():
        columns = {r[1] for r in wb.conn.execute(f"PRAGMA table_info({table})")}
        assert set(spec) <= columns, table


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_round_trips_exactly(wb, text):
    o = wb.add_option(text, description=text, questions=text)
    c = wb.add_criterion(text, description=text)
    p = wb.add_contact(text, organization=text, role=text, notes=text, email=text, profile_url=text)
    v = wb.add_conversation(p, o, notes=text, debrief=text)
    i = wb.add_insight(o, c, 2, note=text)
    assert wb.options().set_index("id").loc[o, "title"] == text
    assert wb.options().set_index("id").loc[o, "questions"] == text
    assert wb.criteria().set_index("id").loc[c, "name"] == text
    contact = wb.contacts().set_index("id").loc[p]
    assert (contact["name"], contact["organization"], contact["notes"]) == (text, text, text)
    assert wb.conversations().set_index("id").loc[v, "notes"] == text
    assert wb.insights().set_index("id").loc[i, "note"] == text
    # and through a second connection, so nothing is only cached
    with open_workbook(wb.path) as again:
        assert again.insights().set_index("id").loc[i, "note"] == text


def test_dtypes_are_real(filled):
    conv = filled.conversations()
    assert conv["id"].dtype == "int64"
    assert str(conv["done_on"].dtype).startswith("datetime64")
    assert conv.loc[0, "done_on"] == pd.Timestamp("2026-10-01")
    assert str(conv["scheduled_at"].dtype).startswith("datetime64")
    ins = filled.insights()
    assert ins["stance"].dtype == "int64"
    assert ins["against_hopes"].dtype == bool
    assert ins["conversation_id"].dtype == "Int64"
    assert filled.criteria()["weight"].dtype == "float64"


def test_empty_tables_have_columns(wb):
    for getter in (wb.options, wb.criteria, wb.contacts, wb.conversations, wb.insights):
        frame = getter()
        assert frame.empty and "id" in frame.columns


def test_contract_column_names(filled):
    assert {"id", "title", "description"} <= set(filled.options().columns)
    assert {"id", "name", "weight"} <= set(filled.criteria().columns)
    assert {"id", "name", "organization", "role", "relationship"} <= set(filled.contacts().columns)
    assert {"id", "contact_id", "option_id", "status", "requested_on", "scheduled_at", "done_on", "thanked_on"} <= set(
        filled.conversations().columns
    )
    assert {"id", "option_id", "criterion_id", "stance", "confidence", "source", "note", "conversation_id"} <= set(
        filled.insights().columns
    )


def test_insight_takes_contact_from_conversation(filled, filled_ids):
    ins = filled.insights()
    assert ins.loc[0, "contact_id"] == filled_ids.p1


def test_dates_accept_python_and_pandas_values(wb):
    import datetime as dt

    o = wb.add_option("A")
    p = wb.add_contact("B")
    v = wb.add_conversation(p, o, requested_on=dt.date(2026, 1, 5), scheduled_at=pd.Timestamp("2026-01-09 15:30"))
    row = wb.get("conversations", v)
    assert row["requested_on"] == "2026-01-05"
    assert row["scheduled_at"] == "2026-01-09T15:30"


# ------------------------------------------------------------------- add_many
def test_add_many_is_all_or_nothing(wb):
    good = [{"title": f"Option {i}"} for i in range(5)]
    with pytest.raises(ValidationError) as info:
        wb.add_many("options", good + [{"title": ""}] + good)
    assert info.value.row == 5 and info.value.field == "title"
    assert "row 5: title" in str(info.value)
    assert wb.options().empty
    ids = wb.add_many("options", good)
    assert len(ids) == 5 and list(wb.options()["id"]) == ids


def test_add_many_checks_references_inside_the_transaction(filled, filled_ids):
    records = [dict(option_id=filled_ids.o1, criterion_id=filled_ids.c1, stance=1)] * 3
    records.append(dict(option_id=filled_ids.o1, criterion_id=777, stance=1))
    before = rows(filled, "insights")
    with pytest.raises(ValidationError) as info:
        filled.add_many("insights", records)
    assert info.value.row == 3 and info.value.field == "criterion_id"
    assert rows(filled, "insights") == before


# ---------------------------------------------------------- update, archive
def test_update_validates_and_keeps_status_history(filled, filled_ids):
    v = filled.add_conversation(filled_ids.p2, filled_ids.o2)
    filled.update_conversation(v, status="requested", requested_on="2026-11-02")
    filled.update_conversation(v, status="scheduled", scheduled_at="2026-11-10 09:00")
    filled.update_conversation(v, status="done")
    history = filled.conversation_history(v)
    assert list(history["status"]) == ["planned", "requested", "scheduled", "done"]
    row = filled.get("conversations", v)
    assert row["requested_on"] == "2026-11-02"
    assert row["done_on"] is not None  # the day it was marked done
    with pytest.raises(ValidationError, match="status"):
        filled.update_conversation(v, status="hired")
    assert filled.get("conversations", v)["status"] == "done"
    with pytest.raises(NotFoundError):
        filled.update_conversation(9999, notes="x")


def test_status_aliases(filled, filled_ids):
    v = filled.add_conversation(filled_ids.p2, filled_ids.o2, status="to ask")
    assert filled.get("conversations", v)["status"] == "planned"
    filled.update_conversation(v, status="No reply")
    assert filled.get("conversations", v)["status"] == "no_reply"


def test_archive_hides_and_unarchive_brings_back(filled, filled_ids):
    o1 = filled_ids.o1
    filled.archive("options", o1)
    assert o1 not in set(filled.options()["id"])
    assert o1 in set(filled.options(include_archived=True)["id"])
    filled.unarchive("options", o1)
    assert o1 in set(filled.options()["id"])
    with pytest.raises(NotFoundError):
        filled.archive("options", 999)
    with pytest.raises(ValidationError, match="table"):
        filled.archive("settings", 1)


def test_insider_links(filled, filled_ids):
    p, o1, o2 = filled_ids.p1, filled_ids.o1, filled_ids.o2
    filled.set_insiders(p, [o1, o2])
    assert set(filled.insider_links().query("contact_id == @p")["option_id"]) == {o1, o2}
    filled.link_insider(p, o1)  # idempotent
    assert len(filled.insider_links().query("contact_id == @p")) == 2
    with pytest.raises(ValidationError):
        filled.set_insiders(p, [o1, 999])
    assert len(filled.insider_links().query("contact_id == @p")) == 2


def test_settings_round_trip(wb):
    assert wb.setting("my_name", "you") == "you"
    wb.set_setting("my_name", "Zoë")
    wb.set_setting("my_name", "Zoë Ñ")
    assert wb.setting("my_name") == "Zoë Ñ"


def test_foreign_keys_are_enforced_by_sqlite_too(filled):
    with pytest.raises(sqlite3.IntegrityError):
        filled.conn.execute("INSERT INTO insider_links VALUES (999, 999)")


def test_file_is_wal(wb):
    assert wb.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert wb.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_set_weights_saves_all_or_none(filled, filled_ids):
    c1, c2 = filled_ids.c1, filled_ids.c2
    filled.set_weights({c1: 5, c2: 0})
    assert dict(zip(filled.criteria()["id"], filled.criteria()["weight"], strict=True)) == {c1: 5.0, c2: 0.0}
    with pytest.raises(ValidationError, match="every weight is 0"):
        filled.set_weights({c1: 0, c2: 0})
    with pytest.raises(ValidationError, match="weight"):
        filled.set_weights({c1: 3, c2: -1})
    with pytest.raises(NotFoundError, match="no record with id 999"):
        filled.set_weights({c1: 3, 999: 1})
    assert filled.get("criteria", c1)["weight"] == 5.0  # nothing changed by the refused calls


def test_restore_of_a_record_is_the_deprecated_name_of_unarchive(filled, filled_ids):
    o1 = filled_ids.o1
    filled.archive("options", o1)
    with pytest.warns(DeprecationWarning, match="unarchive"):
        filled.restore("options", o1)
    assert o1 in set(filled.options()["id"])


def test_a_snapshot_reads_each_table_once_and_keeps_it(filled):
    from workbook import evidence

    snap = filled.snapshot()
    pd.testing.assert_frame_equal(evidence.compare_for(snap), filled.compare())
    first = snap.options()
    filled.add_option("Teaching")
    assert len(snap.options()) == len(first)  # kept, not read again
    assert len(filled.snapshot().options()) == len(first) + 1
    first["extra"] = 1  # callers get their own frame
    assert "extra" not in snap.options().columns
    assert evidence.compare_for(snap) is not evidence.compare_for(snap)  # each caller gets its own frame ...
    assert evidence.analysis_for(snap) is evidence.analysis_for(snap)  # ... of one analysis per snapshot


def test_a_snapshot_used_as_a_context_reads_one_moment(filled):
    with filled.snapshot() as snap:
        assert filled.conn.in_transaction
        assert len(snap.criteria()) == 2
    assert not filled.conn.in_transaction


def test_records_are_plain_python_values_typed_like_the_tables(filled, filled_ids):
    import datetime as dt

    (conv,) = filled.records("conversations")
    assert conv["id"] == filled_ids.v1 and type(conv["id"]) is int
    assert conv["done_on"] == dt.date(2026, 10, 1) and type(conv["done_on"]) is dt.date
    assert conv["scheduled_at"] is None and conv["archived"] is False
    assert type(conv["created_at"]) is dt.datetime
    frame = filled.conversations()
    assert list(frame.columns) == list(conv) and frame.loc[0, "done_on"].date() == conv["done_on"]
    assert [r["title"] for r in filled.records("options", columns=["title"])] == ["UX research", "Data engineering"]
    filled.archive("options", filled_ids.o2)
    assert len(filled.records("options")) == 1 and len(filled.records("options", include_archived=True)) == 2
