"""Older workbook files open, are backed up first, and are upgraded without losing anything."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from workbook import WorkbookFileError, open_workbook
from workbook.store.schema import SCHEMA_VERSION

V1 = Path(__file__).parent / "data" / "workbook_v1.sqlite"


@pytest.fixture
def old_file(tmp_path):
    target = tmp_path / "old.sqlite"
    shutil.copy2(V1, target)
    return target


def test_v1_file_upgrades_with_a_backup(old_file):
    with sqlite3.connect(old_file) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    wb = open_workbook(old_file)
    assert wb.schema_version == SCHEMA_VERSION
    # the backup is the untouched version-1 file
    assert wb.backup_path is not None and wb.backup_path.exists()
    with sqlite3.connect(wb.backup_path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
        assert raw.execute("SELECT count(*) FROM insights").fetchone()[0] == 1
    # every record survived, text exactly
    assert wb.options().loc[0, "title"] == "Hospital pharmacy"
    assert wb.contacts().loc[0, "name"] == "Inès Dubois"
    assert wb.insights().loc[0, "note"] == "Pay is steady — “fine”"
    # and the new columns and tables work
    conv = wb.conversations()
    assert conv.loc[0, "debrief"] == ""
    wb.update_conversation(int(conv.loc[0, "id"]), debrief="Learned a lot")
    wb.add("questions", text="What surprised you?", tiara="insights")
    wb.close()
    # opening again does not back up again
    again = open_workbook(old_file)
    assert again.backup_path is None
    again.close()


def test_newer_file_is_refused(tmp_path):
    path = tmp_path / "future.sqlite"
    wb = open_workbook(path)
    wb.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    wb.close()
    with pytest.raises(WorkbookFileError, match="newer Career Workbook"):
        open_workbook(path)


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE songs (title TEXT)")
    with pytest.raises(WorkbookFileError, match="not a Career Workbook"):
        open_workbook(path)
    with sqlite3.connect(path) as raw:  # untouched
        assert raw.execute("SELECT name FROM sqlite_master").fetchall() == [("songs",)]


def test_not_sqlite_at_all(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("just some notes, not a database\n" * 50)
    with pytest.raises(WorkbookFileError, match="not a workbook file"):
        open_workbook(path)
    assert path.read_text().startswith("just some notes")


def test_folder_is_refused(tmp_path):
    with pytest.raises(WorkbookFileError, match="folder"):
        open_workbook(tmp_path)


def _open_at_once(path: str, ready, start, results) -> None:
    ready.put(True)
    start.wait()
    try:
        wb = open_workbook(path)
        results.put(("ok", wb.schema_version, str(wb.backup_path) if wb.backup_path else None))
        wb.close()
    except Exception as exc:  # reported to the test, which fails on it
        results.put(("error", repr(exc), None))


def test_two_processes_opening_an_old_file_at_once_migrate_it_once(old_file):
    """The second waits for the first, finds the file up to date, and makes no second backup."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    ready, results, start = ctx.Queue(), ctx.Queue(), ctx.Event()
    workers = [ctx.Process(target=_open_at_once, args=(str(old_file), ready, start, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=30)
    start.set()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert all(kind == "ok" and version == SCHEMA_VERSION for kind, version, _ in outcomes), outcomes
    backups = [b for _, _, b in outcomes if b]
    assert len(backups) == 1, outcomes
    assert sorted(p.name for p in old_file.parent.iterdir() if ".partial" in p.name or ".bak" in p.name) == [
        Path(backups[0]).name
    ]
    with sqlite3.connect(backups[0]) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    raw.close()
    with open_workbook(old_file) as wb:
        assert wb.contacts().loc[0, "name"] == "Inès Dubois"
