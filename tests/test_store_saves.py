"""Saves that lose nothing: a stale page cannot write over newer values, and SQLite's refusals come out in words."""

from __future__ import annotations

import sqlite3

import pytest

from workbook import open_workbook
from workbook.errors import ChangedElsewhereError, SaveFailedError, ValidationError
from workbook.store.backup import backup_workbook, restore_workbook


@pytest.fixture
def two(wb_path):
    """The same workbook open twice, as in two notebooks (or the lab and the app)."""
    first, second = open_workbook(wb_path), open_workbook(wb_path)
    yield first, second
    first.close()
    second.close()


@pytest.fixture
def locked(wb_path):
    """Another program holding the write lock; our saves give up after 0.1 s instead of 30 s."""

    def hold(book):
        book.conn.execute("PRAGMA busy_timeout = 100")
        other = sqlite3.connect(wb_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.append(other)
        return other

    held: list[sqlite3.Connection] = []
    yield hold
    for other in held:
        other.execute("ROLLBACK")
        other.close()


# ------------------------------------------------------------------ lost updates
def test_a_stale_update_is_refused_and_writes_nothing(two):
    a, b = two
    oid = a.add_option("UX research", "first words")
    seen_by_a = a.get("options", oid)
    seen_by_b = b.get("options", oid)
    b.update("options", oid, loaded=seen_by_b, description="B's newer words")
    with pytest.raises(ChangedElsewhereError) as caught:
        a.update("options", oid, loaded=seen_by_a, title="UX research (edited)", description="A's older words")
    error = caught.value
    assert isinstance(error, ValidationError)  # every caller that shows validation errors shows this one
    assert error.fields == ["description"]
    assert error.theirs["description"] == "B's newer words"
    assert error.yours["description"] == "A's older words"
    assert error.loaded["description"] == "first words"
    assert "changed elsewhere" in str(error) and "nothing was saved" in str(error)
    stored = a.get("options", oid)
    assert (stored["title"], stored["description"]) == ("UX research", "B's newer words")


def test_an_update_based_on_current_values_is_saved(two):
    a, b = two
    oid = a.add_option("UX research", "first words", questions="Pay?")
    b.update("options", oid, questions="Pay after two years?")  # a field the first page does not compare
    loaded = {k: v for k, v in a.get("options", oid).items() if k in ("title", "description")}
    a.update("options", oid, loaded=loaded, description="better words")
    assert a.get("options", oid)["description"] == "better words"
    assert a.get("options", oid)["questions"] == "Pay after two years?"


def test_saving_twice_from_one_page_reloads_between(wb):
    oid = wb.add_option("A")
    loaded = wb.get("options", oid)
    wb.update("options", oid, loaded=loaded, title="B")
    with pytest.raises(ChangedElsewhereError):
        wb.update("options", oid, loaded=loaded, title="C")  # the page must take the saved values as loaded
    wb.update("options", oid, loaded=wb.get("options", oid), title="C")
    assert wb.get("options", oid)["title"] == "C"


def test_a_contacts_insider_links_are_compared_too(two):
    a, b = two
    o1, o2 = a.add_option("One"), a.add_option("Two")
    cid = a.add_contact("Rosa", options=[o1])
    loaded = {"name": "Rosa", "insider_for": a.insiders_of(cid)}
    b.set_insiders(cid, [o1, o2])
    with pytest.raises(ChangedElsewhereError) as caught:
        a.expect_unchanged("contacts", cid, loaded, yours={"name": "Rosa", "insider_for": (o1,)})
    assert caught.value.fields == ["insider_for"] and caught.value.theirs["insider_for"] == (o1, o2)


def test_stale_weights_are_refused_whole(two):
    a, b = two
    pay, hours = a.add_criterion("Pay", 2), a.add_criterion("Hours", 1)
    loaded = {pay: 2.0, hours: 1.0}
    b.set_weights({pay: 5.0, hours: 1.0}, loaded=loaded)
    with pytest.raises(ChangedElsewhereError) as caught:
        a.set_weights({pay: 2.0, hours: 3.0}, loaded=loaded)
    assert caught.value.fields == [pay] and caught.value.theirs[pay] == 5.0
    assert "the weight of Pay" in str(caught.value)
    assert a.criteria().set_index("id")["weight"].to_dict() == {pay: 5.0, hours: 1.0}


def test_stale_settings_are_refused(two):
    a, b = two
    loaded = a.settings(["voi_threshold", "coverage_threshold"])
    assert loaded == {"voi_threshold": None, "coverage_threshold": None}
    b.set_setting("voi_threshold", 0.2)
    with pytest.raises(ChangedElsewhereError) as caught, a.atomic():
        a.expect_settings(loaded, yours={"voi_threshold": 0.5})
        a.set_setting("voi_threshold", 0.5)
    assert caught.value.theirs["voi_threshold"] == 0.2
    assert a.setting("voi_threshold") == 0.2


def test_a_page_opened_before_a_restore_cannot_write_over_the_restored_record(wb, tmp_path):
    oid = wb.add_option("Teaching", "as backed up")
    backup = backup_workbook(wb, tmp_path / "copy.sqlite")
    wb.update("options", oid, description="changed after the backup")
    page = wb.get("options", oid)  # a page opened now, before the restore
    restore_workbook(backup, wb.path)
    with pytest.raises(ChangedElsewhereError) as caught:
        wb.update("options", oid, loaded=page, description="the page's old words")
    assert caught.value.theirs["description"] == "as backed up"
    assert wb.get("options", oid)["description"] == "as backed up"


# ------------------------------------------------------------------ SQLite's refusals in words
def test_a_locked_workbook_gives_a_save_failed_error_in_words(wb, locked):
    locked(wb)
    with pytest.raises(SaveFailedError) as caught:
        wb.add_option("Nursing")
    assert caught.value.kind == "busy"
    assert "busy in another program" in str(caught.value) and "try again" in str(caught.value)
    assert "database is locked" in str(caught.value)


def test_a_read_only_workbook_gives_a_save_failed_error_in_words(wb):
    wb.conn.execute("PRAGMA query_only = 1")
    with pytest.raises(SaveFailedError) as caught:
        wb.add_option("Nursing")
    assert caught.value.kind == "read-only" and "check the permissions" in str(caught.value)
    wb.conn.execute("PRAGMA query_only = 0")
    assert wb.options().empty


def test_a_full_disk_rolls_the_whole_save_back(wb):
    wb.add_option("Small")
    pages = wb.conn.execute("PRAGMA page_count").fetchone()[0]
    wb.conn.execute(f"PRAGMA max_page_count = {pages}")
    records = [{"title": f"Option {i}", "description": "x" * 2000} for i in range(50)]
    with pytest.raises(SaveFailedError) as caught:
        wb.add_many("options", records)
    assert caught.value.kind == "full" and "disk holding the workbook is full" in str(caught.value)
    assert not wb.conn.in_transaction
    assert wb.options()["title"].tolist() == ["Small"]


def test_a_failure_half_way_leaves_nothing_written_and_nothing_locked(wb, wb_path, monkeypatch):
    o1 = wb.add_option("One")
    cid = wb.add_contact("Rosa")
    real = wb.set_insiders

    def fail(*args, **kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(wb, "set_insiders", fail)
    with pytest.raises(SaveFailedError) as caught, wb.atomic():
        wb.update_contact(cid, name="Rosa Marquez")
        wb.set_insiders(cid, [o1])
    assert caught.value.kind == "damaged" and "restore it from a backup" in str(caught.value)
    monkeypatch.setattr(wb, "set_insiders", real)
    assert wb.get("contacts", cid)["name"] == "Rosa"
    with open_workbook(wb_path) as other:  # no lock left behind
        other.conn.execute("PRAGMA busy_timeout = 100")
        other.add_option("Two")


def test_a_failed_commit_is_rolled_back(wb, monkeypatch):
    class Failing:
        def __init__(self, conn):
            self.conn = conn

        def execute(self, sql, *args):
            if sql == "COMMIT":
                raise sqlite3.OperationalError("database or disk is full")
            return self.conn.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.conn, name)

    real = wb._conn
    monkeypatch.setattr(wb, "_conn", Failing(real))
    with pytest.raises(SaveFailedError):
        wb.add_option("Lost")
    monkeypatch.setattr(wb, "_conn", real)
    assert not real.in_transaction
    assert wb.options().empty
