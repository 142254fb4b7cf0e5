"""Backups (a consistent copy, even while writing) and restores (checked, reversible)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest
from click.testing import CliRunner

from workbook import open_workbook
from workbook.cli.main import cli
from workbook.errors import WorkbookFileError
from workbook.store.backup import backup_workbook, check_backup, restore_workbook
from workbook.store.schema import MIGRATIONS, TABLES

#: Longest a test waits for another thread, in seconds.
WAIT_S = 60.0


def snapshot(wb) -> dict[str, pd.DataFrame]:
    return {t: wb.table(t, include_archived=True) for t in TABLES}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(a[table], b[table], obj=table)


def test_backup_defaults_to_a_timestamped_file_next_to_the_workbook(filled):
    path = backup_workbook(filled)
    assert path.parent == filled.path.parent / "backups"
    assert path.name.startswith(f"{filled.path.stem}-") and path.suffix == ".sqlite"
    second = backup_workbook(filled)
    assert second != path, "two backups in the same second do not overwrite each other"
    with open_workbook(path, create=False) as copy:
        assert_same(snapshot(copy), snapshot(filled))


def test_backup_refuses_to_overwrite_a_file(filled, tmp_path):
    target = tmp_path / "keep.sqlite"
    target.write_bytes(b"precious")
    with pytest.raises(ValueError, match="already exists"):
        backup_workbook(filled, target)
    assert target.read_bytes() == b"precious"


def test_backup_while_another_connection_writes(filled):
    writes, stop = [], threading.Event()
    deadline = time.monotonic() + WAIT_S  # a stuck writer fails the test instead of hanging it

    def writer():
        with open_workbook(filled.path) as other:
            oid = int(other.options()["id"].iloc[0])
            cid = int(other.criteria()["id"].iloc[0])
            while (not stop.is_set() or len(writes) < 50) and time.monotonic() < deadline:
                writes.append(other.add_insight(oid, cid, 1, note=f"note {len(writes)}"))

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        while len(writes) < 20:
            assert thread.is_alive(), "the writer stopped before writing 20 insights"
            assert time.monotonic() < deadline, f"the writer wrote {len(writes)} insights in {WAIT_S} s"
            time.sleep(0.01)
        backups = [backup_workbook(filled) for _ in range(3)]
    finally:
        stop.set()
        thread.join(timeout=WAIT_S)
    assert not thread.is_alive(), "the writer did not stop"
    assert len(writes) >= 50
    total = len(filled.insights())
    for path in backups:
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        with open_workbook(path, create=False) as copy:
            notes = copy.insights()
            assert 1 + 20 <= len(notes) <= total
            numbers = sorted(int(n.split()[1]) for n in notes["note"] if n.startswith("note "))
            assert numbers == list(range(len(numbers))), "a backup holds a prefix of the writes, no gaps"


def test_restore_round_trips_every_row_and_keeps_what_it_replaced(filled, filled_ids):
    before = snapshot(filled)
    saved = backup_workbook(filled)
    filled.add_option("Added after the backup")
    filled.archive("options", filled_ids.o2)
    changed = snapshot(filled)
    result = restore_workbook(saved, filled.path)
    assert_same(snapshot(filled), before)  # the open connection sees the restored workbook
    with open_workbook(filled.path) as fresh:
        assert_same(snapshot(fresh), before)
    assert result.replaced_backup is not None and result.replaced_backup.parent == filled.path.parent / "backups"
    with open_workbook(result.replaced_backup, create=False) as replaced:
        assert_same(snapshot(replaced), changed)
    assert result.counts["options"] == 2


def test_restore_keeps_the_workbook_in_wal_mode(filled):
    saved = backup_workbook(filled)
    restore_workbook(saved, filled.path)
    assert filled.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    filled.add_option("still writable")


def test_restore_into_a_new_file(filled, tmp_path):
    saved = backup_workbook(filled)
    target = tmp_path / "elsewhere" / "new.sqlite"
    result = restore_workbook(saved, target)
    assert result.replaced_backup is None
    with open_workbook(target, create=False) as copy:
        assert_same(snapshot(copy), snapshot(filled))


def test_restore_an_older_schema_brings_it_up_to_date(filled, tmp_path):
    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as raw:
        MIGRATIONS[1](raw)
        raw.execute("PRAGMA user_version = 1")
        raw.execute(
            "INSERT INTO options (title, created_at, updated_at) VALUES ('From 2025', '2025-05-01T10:00:00', '2025-05-01T10:00:00')"
        )
    raw.close()
    restore_workbook(old, filled.path)
    assert filled.schema_version == max(MIGRATIONS)
    assert filled.options()["title"].tolist() == ["From 2025"]


def test_restore_with_another_page_size(filled, tmp_path):
    other = tmp_path / "big-pages.sqlite"
    raw = sqlite3.connect(other)
    raw.execute("PRAGMA page_size = 8192")
    raw.execute("CREATE TABLE scratch (x)")  # the first write fixes the page size
    raw.execute("DROP TABLE scratch")
    raw.close()
    with open_workbook(other) as book:  # WAL mode keeps the 8 KB pages it was created with
        book.add_option("Big pages")
        assert book.conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    restore_workbook(other, filled.path)
    assert filled.options()["title"].tolist() == ["Big pages"]


def _not_sqlite(path):
    path.write_text("title,description\nUX,research\n")


def _other_sqlite(path):
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    raw.close()


def _newer_workbook(path):
    with open_workbook(path) as book:
        book.add_option("From the future")
        book.conn.execute(f"PRAGMA user_version = {max(MIGRATIONS) + 1}")


@pytest.mark.parametrize(
    "make,reason",
    [
        (_not_sqlite, "not an SQLite file"),
        (_other_sqlite, "not a Career Workbook"),
        (_newer_workbook, "newer Career Workbook"),
    ],
)
def test_restore_refuses_what_is_not_a_workbook_and_replaces_nothing(filled, tmp_path, make, reason):
    bad = tmp_path / "bad.sqlite"
    make(bad)
    before = snapshot(filled)
    with pytest.raises(WorkbookFileError, match=reason) as err:
        restore_workbook(bad, filled.path)
    assert "nothing was replaced" in str(err.value)
    assert_same(snapshot(filled), before)
    assert not (filled.path.parent / "backups").exists()


def test_restore_refuses_a_missing_file_and_the_workbook_itself(filled, tmp_path):
    with pytest.raises(WorkbookFileError, match="no such file"):
        restore_workbook(tmp_path / "nope.sqlite", filled.path)
    with pytest.raises(ValueError, match="the workbook itself"):
        restore_workbook(filled.path, filled.path)


def test_check_backup_counts_rows(filled):
    assert check_backup(backup_workbook(filled)) == filled.counts()


def test_cli_backup_and_restore_with_yes(filled, tmp_path):
    runner = CliRunner()
    target = tmp_path / "b.sqlite"
    result = runner.invoke(cli, ["backup", "-o", str(target), "--workbook", str(filled.path)])
    assert result.exit_code == 0, result.output
    assert f"Backup written: {target.resolve()}" in result.output
    filled.add_option("Later idea")
    result = runner.invoke(cli, ["restore", str(target), "--yes", "--workbook", str(filled.path)])
    assert result.exit_code == 0, result.output
    assert "The workbook it replaced was saved to" in result.output
    assert "Later idea" not in filled.options()["title"].tolist()


def test_cli_restore_asks_first(filled, tmp_path):
    saved = backup_workbook(filled, tmp_path / "b.sqlite")
    filled.add_option("Later idea")
    runner = CliRunner()
    result = runner.invoke(cli, ["restore", str(saved), "--workbook", str(filled.path)], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert "Later idea" in filled.options()["title"].tolist()
    assert not (filled.path.parent / "backups").exists()
    result = runner.invoke(cli, ["restore", str(saved), "--workbook", str(filled.path)], input="y\n")
    assert result.exit_code == 0, result.output
    assert "holds 2 options" in result.output
    assert "Later idea" not in filled.options()["title"].tolist()


def test_cli_restore_refuses_a_non_workbook(filled, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    result = CliRunner().invoke(cli, ["restore", str(bad), "--yes", "--workbook", str(filled.path)])
    assert result.exit_code == 1
    assert "not a Career Workbook" in result.output and "nothing was replaced" in result.output


def test_every_share_command_has_help_with_an_example():
    runner = CliRunner()
    for command in ("report", "export", "backup", "restore"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output and "--workbook" in result.output


def _read_only_folder(folder, *files) -> None:
    for f in files:
        f.chmod(0o444)
    folder.chmod(0o555)


def _without_override() -> list[str]:
    """A prefix that runs a command bound by file permissions: as root, without the capabilities that bypass them."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be simulated")
    return ["setpriv", "--bounding-set=-all", "--inh-caps=-all"]


def test_a_backup_is_one_complete_private_file(filled):
    saved = backup_workbook(filled)
    assert saved.read_bytes()[18:20] == b"\x01\x01", "a rollback-journal file, not WAL: nothing else is needed"
    assert sorted(p.name for p in saved.parent.iterdir()) == [saved.name]
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    before = saved.read_bytes()
    assert check_backup(saved)["options"] == 2
    assert sorted(p.name for p in saved.parent.iterdir()) == [saved.name], "checking it leaves nothing behind"
    assert saved.read_bytes() == before


@pytest.mark.parametrize("made_by", ["this version", "an older version (WAL mode)"])
def test_a_backup_restores_from_a_read_only_folder_and_leaves_nothing_behind(filled, tmp_path, made_by):
    media = tmp_path / "usb-stick"
    media.mkdir()
    if made_by == "this version":
        saved = backup_workbook(filled, media / "backup.sqlite")
    else:  # older versions copied the file as it was: in WAL mode
        saved = media / "backup.sqlite"
        filled.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(filled.path, saved)
        assert saved.read_bytes()[18:20] == b"\x02\x02"
    expected = snapshot(filled)
    target = tmp_path / "restored" / "workbook.sqlite"
    _read_only_folder(media, saved)
    try:
        script = (
            "import sys; from workbook.store.backup import restore_workbook; "
            "print(restore_workbook(sys.argv[1], sys.argv[2]).counts)"
        )
        done = subprocess.run(
            [*_without_override(), sys.executable, "-c", script, str(saved), str(target)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in media.iterdir()) == ["backup.sqlite"]
    finally:
        media.chmod(0o755)
    with open_workbook(target, create=False) as restored:
        assert_same(snapshot(restored), expected)
