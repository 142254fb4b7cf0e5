"""Files from elsewhere: a backup or workbook is trusted only when its schema is exactly a Career Workbook's,
another application's file is never changed, and damaged files are reported in one line."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook import open_workbook
from workbook.cli.main import cli
from workbook.errors import WorkbookFileError
from workbook.store import integrity
from workbook.store.backup import backup_workbook, check_backup, restore_workbook
from workbook.store.schema import MIGRATIONS, SCHEMA_VERSION

V1 = Path(__file__).parent / "data" / "workbook_v1.sqlite"
TRAPS = """
CREATE TABLE stolen (note TEXT);
CREATE TRIGGER swallow AFTER INSERT ON insights BEGIN
    INSERT INTO stolen VALUES (new.note);
    DELETE FROM insights WHERE id = new.id;
END;
CREATE TRIGGER redirect AFTER INSERT ON contacts BEGIN
    UPDATE contacts SET email = 'x@evil.example' WHERE id = new.id;
END;
"""


def fingerprint(path: Path) -> dict[str, str]:
    """The bytes of a workbook and of its write-ahead log (when it holds anything), as hashes."""
    files = [p for p in sorted(path.parent.glob(path.name + "*")) if not p.name.endswith("-shm")]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.stat().st_size}


def _closed_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "live" / "workbook.sqlite"
    with open_workbook(path) as wb:
        o = wb.add_option("UX research")
        c = wb.add_criterion("Pay")
        wb.add_insight(o, c, 1, note="fine")
    return path


def _tamper(path: Path, sql: str) -> None:
    with sqlite3.connect(path) as raw:
        raw.executescript(sql)
    raw.close()


def test_expected_schema_is_what_the_migrations_build(wb):
    assert integrity.read_schema(wb.conn) == integrity.expected_schema(SCHEMA_VERSION)
    kinds = {kind for kind, _ in integrity.expected_schema()}
    assert kinds == {"table", "index"}, "no triggers or views of our own"


def test_expected_schema_follows_the_migrations(monkeypatch):
    def columns(version: int, table: str) -> list[str]:
        return [c[0] for c in integrity.expected_schema(version)[("table", table)][0]]

    assert "heard_from" in columns(3, "insights") and "heard_from" not in columns(2, "insights")  # engine's v3

    def later(conn):
        conn.execute("ALTER TABLE contacts ADD COLUMN pronouns TEXT NOT NULL DEFAULT ''")

    monkeypatch.setitem(MIGRATIONS, SCHEMA_VERSION + 1, later)
    assert "pronouns" in columns(SCHEMA_VERSION + 1, "contacts")
    assert "pronouns" not in columns(SCHEMA_VERSION, "contacts")


@pytest.mark.parametrize("old", [False, True], ids=["current", "older-version"])
def test_restore_refuses_a_backup_with_triggers_and_installs_nothing(tmp_path, old):
    live = _closed_workbook(tmp_path)
    bad = tmp_path / "bad.sqlite"
    if old:
        shutil.copy2(V1, bad)
    else:
        with open_workbook(tmp_path / "src.sqlite") as src:
            src.add_option("From the backup")
            backup_workbook(src, bad)
    _tamper(bad, TRAPS)
    before = fingerprint(live)
    result = CliRunner().invoke(cli, ["restore", str(bad), "--yes", "--workbook", str(live)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:")
    assert "does not have" in lines[0] and "nothing was replaced" in lines[0]
    assert fingerprint(live) == before, "the live workbook is unchanged byte for byte"
    assert not (live.parent / "backups").exists()
    with open_workbook(live) as wb:  # still works as before, no trap installed
        o, c = int(wb.options()["id"][0]), int(wb.criteria()["id"][0])
        wb.add_insight(o, c, 2, note="kept")
        assert "kept" in wb.insights()["note"].tolist()
        assert {kind for kind, _ in integrity.read_schema(wb.conn)} == {"table", "index"}


@pytest.mark.parametrize(
    "sql,reason",
    [
        ("CREATE TABLE stolen (note TEXT)", "table 'stolen'"),
        ("CREATE VIEW peek AS SELECT * FROM contacts", "view 'peek'"),
        ("CREATE TRIGGER t AFTER INSERT ON contacts BEGIN SELECT 1; END", "trigger 't'"),
        ("CREATE INDEX extra ON contacts(name)", "index 'extra'"),
        ("ALTER TABLE contacts ADD COLUMN secret TEXT", "column 'secret'"),
        ("DROP INDEX insights_option", "index 'insights_option' is missing"),
    ],
)
def test_a_tampered_workbook_is_refused_on_open_and_as_a_backup(tmp_path, sql, reason):
    path = _closed_workbook(tmp_path)
    _tamper(path, sql)
    before = fingerprint(path)
    with pytest.raises(WorkbookFileError, match=reason):
        open_workbook(path)
    with pytest.raises(WorkbookFileError, match=reason):
        check_backup(path)
    assert fingerprint(path) == before


def test_a_backup_with_the_right_tables_but_wrong_columns_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "bad.sqlite"
    with sqlite3.connect(bad) as raw:
        for kind, name in integrity.expected_schema():
            if kind == "table":
                raw.execute(f'CREATE TABLE "{name}" (id INTEGER PRIMARY KEY, junk TEXT)')
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    raw.close()
    live = _closed_workbook(tmp_path)
    result = CliRunner().invoke(cli, ["restore", str(bad), "--yes", "--workbook", str(live)])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "column" in result.output and "Traceback" not in result.output


def test_restored_rows_go_into_a_schema_built_here(filled, tmp_path):
    saved = backup_workbook(filled, tmp_path / "b.sqlite")
    filled.add_option("Later idea")
    restore_workbook(saved, filled.path)
    assert integrity.read_schema(filled.conn) == integrity.expected_schema()
    assert "Later idea" not in filled.options()["title"].tolist()
    assert filled.contacts()["name"].tolist() == ["Rosa Marquez", "Kofi Mensah"]


def test_a_workbook_with_a_newer_schema_version_on_a_foreign_file_is_one_line(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE songs (title TEXT)")
        raw.execute("PRAGMA user_version = 7")
    raw.close()
    result = CliRunner().invoke(cli, ["info", "--workbook", str(path)])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "newer Career Workbook" in result.output


def test_a_workbook_whose_value_rules_were_widened_is_refused(tmp_path):
    """A stance range widened from -2..+2 to -9..+9 keeps every column as it was: the CHECK itself is compared."""
    path = _closed_workbook(tmp_path)
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA writable_schema = ON")
        raw.execute(
            "UPDATE sqlite_master SET sql = replace(sql, 'BETWEEN -2 AND 2', 'BETWEEN -9 AND 9') WHERE name = 'insights'"
        )
        raw.execute("PRAGMA writable_schema = OFF")
    raw.close()
    with sqlite3.connect(path) as raw:
        assert "-9 AND 9" in raw.execute("SELECT sql FROM sqlite_master WHERE name = 'insights'").fetchone()[0]
        raw.execute(
            "INSERT INTO insights (option_id, criterion_id, stance, created_at, updated_at) VALUES (1, 1, 9, '', '')"
        )
    raw.close()
    before = fingerprint(path)
    with pytest.raises(
        WorkbookFileError,
        match=r"insights.*CHECK \(stance between - 9 and 9\) where a Career Workbook has CHECK \(stance between - 2 and 2\)",
    ):
        open_workbook(path)
    with pytest.raises(WorkbookFileError, match="CHECK"):
        check_backup(path)
    assert fingerprint(path) == before


@pytest.mark.parametrize(
    "sql,expected",
    [
        ("CREATE TABLE t (a INT CHECK (a  BETWEEN -2 AND 2))", ("a between - 2 and 2",)),
        ("CREATE TABLE t (a INT check(A between -2 and 2), b TEXT)", ("a between - 2 and 2",)),
        (
            "CREATE TABLE t (\"check\" INT, c TEXT CHECK (c IN ('A  b', 'x)')) -- CHECK (no)\n)",
            ("c in ( 'A  b' , 'x)' )",),
        ),
        ("CREATE TABLE t (a INT /* CHECK (a > 0) */, CONSTRAINT pos CHECK (a >= 0))", ("a >= 0",)),
    ],
)
def test_check_constraints_are_read_whatever_the_spacing(sql, expected):
    assert integrity.check_constraints(sql) == expected
