"""Commands and the files they are pointed at: read-only commands create nothing, other applications'
files stay untouched, damaged or unusable workbooks give one line that says what to do."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook import open_workbook
from workbook.cli.main import cli
from workbook.errors import WorkbookFileError
from workbook.store import integrity
from workbook.store.workbook import Workbook

LINKEDIN = Path(__file__).parent / "data" / "linkedin" / "connections_current.csv"
READ_ONLY = {
    "info": [],
    "import-linkedin": [str(LINKEDIN), "--dry-run"],
    "import-contacts": [str(LINKEDIN), "--dry-run"],
    "due": [],
    "report": [],
    "export": ["-o", "{tmp}/export"],
    "calendar": ["-o", "{tmp}/cal.ics"],
    "backup": ["-o", "{tmp}/copy.sqlite"],
}


def one_line_error(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output
    assert "Traceback" not in result.output
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", sorted(READ_ONLY))
def test_read_only_commands_on_a_missing_path_fail_and_create_nothing(tmp_path, command):
    missing = tmp_path / "typo" / "workbook.sqlite"
    args = [a.format(tmp=tmp_path) for a in READ_ONLY[command]]
    result = CliRunner().invoke(cli, [command, *args, "--workbook", str(missing)])
    assert "no workbook at" in one_line_error(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "no folder, no file, no output"


def _foreign(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE songs (title TEXT)")
        raw.execute("INSERT INTO songs VALUES ('Blue in Green')")
    raw.close()


@pytest.mark.parametrize("command", sorted(READ_ONLY))
def test_another_applications_sqlite_file_is_left_exactly_as_it_was(tmp_path, command):
    other = tmp_path / "music.db"
    _foreign(other)
    before = digest(other)
    args = [a.format(tmp=tmp_path) for a in READ_ONLY[command]]
    result = CliRunner().invoke(cli, [command, *args, "--workbook", str(other)])
    assert "not a Career Workbook" in one_line_error(result)
    assert digest(other) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["music.db"], "no -wal, no -shm, no journal"
    with sqlite3.connect(other) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    raw.close()


def test_opening_a_foreign_file_in_the_library_does_not_switch_it_to_wal(tmp_path):
    other = tmp_path / "music.db"
    _foreign(other)
    with pytest.raises(WorkbookFileError, match="not a Career Workbook"):
        open_workbook(other)
    assert other.read_bytes()[18:20] == b"\x01\x01", "still a rollback-journal file"


def test_an_empty_file_is_not_a_workbook(tmp_path):
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with pytest.raises(WorkbookFileError, match="empty file"):
        open_workbook(empty)
    result = CliRunner().invoke(cli, ["info", "--workbook", str(empty)])
    assert "empty file" in one_line_error(result)
    assert empty.stat().st_size == 0


def _damage(path: Path) -> None:
    """Overwrite the middle of the file (an index and table pages) with garbage."""
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(len(data) // 2 // page * page, len(data) - page, page):
        data[start + 8 : start + 200] = b"\xff" * 192
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged(tmp_path) -> Path:
    path = tmp_path / "broken.sqlite"
    with open_workbook(path) as wb:
        o, c = wb.add_option("UX research"), wb.add_criterion("Pay")
        wb.add_many("insights", [{"option_id": o, "criterion_id": c, "stance": 1, "note": "x" * 300}] * 200)
    _damage(path)
    return path


@pytest.mark.parametrize("command", ["info", "due", "report", "export", "backup"])
def test_a_damaged_workbook_is_reported_before_anything_answers(damaged, tmp_path, command):
    args = [a.format(tmp=tmp_path) for a in READ_ONLY[command]]
    line = one_line_error(CliRunner().invoke(cli, [command, *args, "--workbook", str(damaged)]))
    assert "damaged" in line and "restore it from a backup" in line
    assert not (tmp_path / "copy.sqlite").exists() and not (tmp_path / "export").exists()


def test_backup_refuses_a_damaged_source_and_verifies_its_copy(damaged, tmp_path, monkeypatch):
    from workbook.store import backup as backup_module

    # opened without the check: backup checks again
    with Workbook(damaged, verify=False) as wb, pytest.raises(WorkbookFileError, match="damaged"):
        backup_module.backup_workbook(wb, tmp_path / "copy.sqlite")
    assert not (tmp_path / "copy.sqlite").exists()
    good = tmp_path / "good.sqlite"
    with open_workbook(good) as wb:
        wb.add_option("UX research")
        real = integrity.quick_check

        def copy_is_bad(conn, label, schema="main"):
            if "the backup" in str(label):
                raise WorkbookFileError(f"{label} is damaged (test)")
            return real(conn, label, schema)

        monkeypatch.setattr(integrity, "quick_check", copy_is_bad)
        with pytest.raises(WorkbookFileError, match="the backup .* is damaged"):
            backup_module.backup_workbook(wb, tmp_path / "copy.sqlite")
    assert not (tmp_path / "copy.sqlite").exists(), "a copy that fails its check is not left behind"


def test_backup_to_a_new_folder_writes_a_dated_file_inside_it(tmp_path):
    path = tmp_path / "workbook.sqlite"
    open_workbook(path).close()
    result = CliRunner().invoke(cli, ["backup", "-o", str(tmp_path / "newdir") + "/", "--workbook", str(path)])
    assert result.exit_code == 0, result.output
    inside = list((tmp_path / "newdir").iterdir())
    assert len(inside) == 1 and inside[0].name.startswith("workbook-") and inside[0].suffix == ".sqlite"


@pytest.mark.parametrize(
    "message,expected",
    [
        ("database disk image is malformed", "restore it from a backup"),
        ("attempt to write a readonly database", "check the permissions"),
        ("database is locked", "try again"),
        ("unable to open database file", "check the permissions"),
    ],
)
def test_sqlite_errors_during_a_command_become_one_line(tmp_path, monkeypatch, message, expected):
    path = tmp_path / "workbook.sqlite"
    open_workbook(path).close()

    def fail(self, *args, **kwargs):
        raise sqlite3.OperationalError(message)

    monkeypatch.setattr(Workbook, "counts", fail)
    result = CliRunner().invoke(cli, ["info", "--workbook", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and expected in errors[0] and message in errors[0]
    assert result.output.rstrip().endswith(errors[0])
