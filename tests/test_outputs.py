"""Files the package writes: never over the workbook or a backup, never through a planted link, always private."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook import files, open_workbook
from workbook.cli import launch
from workbook.cli.main import cli
from workbook.demo import build_demo
from workbook.errors import ValidationError
from workbook.prepare.prep import write_sheet
from workbook.store.backup import backup_workbook, restore_workbook
from workbook.store.export import export_workbook

V1 = Path(__file__).parent / "data" / "workbook_v1.sqlite"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def book(tmp_path):
    """A closed workbook with a little data, and a backup of it in backups/ beside it."""
    path = tmp_path / "career" / "workbook.sqlite"
    with open_workbook(path) as wb:
        option = wb.add_option("UX research")
        person = wb.add_contact("Rosa Marquez", "Acme")
        wb.add_conversation(person, option, status="scheduled", scheduled_at="2026-11-20 10:00")
        saved = backup_workbook(wb)
    return path, saved


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def assert_refused(result, *paths: Path, before: dict[Path, str]) -> None:
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "nothing was written" in errors[0], result.output
    assert "Traceback" not in result.output
    for path in paths:
        assert digest(path) == before[path], f"{path.name} was changed"


#: (command, how the output is named) — the name does not matter, the file it reaches does.
WRITERS = {
    "report": lambda out: ["report", "-o", out],
    "calendar": lambda out: ["calendar", "-o", out],
    "export-xlsx": lambda out: ["export", "-o", out],
    "backup": lambda out: ["backup", "-o", out],
}


def _aim(kind: str, tmp_path: Path, wb: Path, saved: Path, suffix: str) -> Path:
    """A target that reaches the workbook or its backup under a harmless-looking name."""
    if kind == "the workbook":
        return wb
    if kind == "its backup":
        return saved
    if kind == "a symlink to the workbook":
        link = tmp_path / f"shared{suffix}"
        link.symlink_to(wb)
        return link
    if kind == "a hard link to the workbook":
        link = tmp_path / f"hard{suffix}"
        os.link(wb, link)
        return link
    if kind == "a copy renamed":
        copy = tmp_path / f"old-copy{suffix}"
        shutil.copyfile(saved, copy)
        return copy
    if kind == "its -wal file":
        return Path(f"{wb}-wal")
    raise AssertionError(kind)


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize(
    "kind",
    ["the workbook", "its backup", "a symlink to the workbook", "a hard link to the workbook", "a copy renamed"],
)
def test_no_output_replaces_the_workbook_or_a_backup(book, tmp_path, writer, kind):
    wb, saved = book
    suffix = {"report": ".html", "calendar": ".ics", "export-xlsx": ".xlsx", "backup": ".sqlite"}[writer]
    target = _aim(kind, tmp_path, wb, saved, suffix)
    before = {p: digest(p) for p in (wb, saved, target)}
    result = run(*WRITERS[writer](str(target)), "--workbook", str(wb))
    assert_refused(result, wb, saved, target, before=before)
    with open_workbook(wb, create=False) as reopened:
        assert reopened.options()["title"].tolist() == ["UX research"]


@pytest.mark.parametrize("writer", ["report", "calendar", "export-xlsx"])
def test_a_workbook_named_like_an_output_is_not_replaced(tmp_path, writer):
    """``export -o career.xlsx`` on a workbook called career.xlsx (and the same for .html and .ics)."""
    suffix = {"report": ".html", "calendar": ".ics", "export-xlsx": ".xlsx"}[writer]
    wb = tmp_path / f"career{suffix}"
    with open_workbook(wb) as book:
        book.add_option("Nursing")
    before = {wb: digest(wb)}
    result = run(*WRITERS[writer](str(wb)), "--workbook", str(wb))
    assert_refused(result, wb, before=before)


def test_the_wal_of_a_workbook_in_use_is_not_replaced(book, tmp_path):
    wb, saved = book
    with open_workbook(wb) as live:
        live.add_option("Still open")
        wal = Path(f"{wb}-wal")
        assert wal.exists()
        before = {wal: digest(wal)}
        result = run("report", "-o", str(wal), "--workbook", str(wb))
        assert_refused(result, wal, before=before)


def test_a_csv_export_into_a_folder_holding_a_link_to_the_workbook_writes_nothing(book, tmp_path):
    wb, saved = book
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "options.csv").symlink_to(wb)
    before = {wb: digest(wb)}
    result = run("export", "-o", str(folder), "--workbook", str(wb))
    assert_refused(result, wb, before=before)
    assert sorted(p.name for p in folder.iterdir()) == ["options.csv"], "not even the other tables"


def test_the_library_refuses_too_and_names_the_field(book, tmp_path, monkeypatch):
    wb, saved = book
    link = tmp_path / "tables.xlsx"
    link.symlink_to(wb)
    with open_workbook(wb) as live, pytest.raises(ValidationError, match=r"^output: .* is the workbook .* itself"):
        export_workbook(live, link)
    sheet = tmp_path / "prep-sheet.html"
    shutil.copyfile(saved, sheet)
    with pytest.raises(ValidationError, match=r"^file: .*holds an SQLite database"):
        write_sheet("<p>prep</p>", str(sheet), "x.html")
    monkeypatch.setenv("CAREER_WORKBOOK", str(wb))
    before = digest(wb)
    with pytest.raises(ValidationError, match="is your own workbook; the demo never replaces it"):
        build_demo(wb, overwrite=True)
    kept = digest(saved)
    with pytest.raises(ValidationError, match="is a backup of your own workbook; the demo never replaces it"):
        build_demo(saved, overwrite=True)
    assert digest(wb) == before and digest(saved) == kept == digest(sheet)


# ------------------------------------------------------------- planted links
@pytest.mark.parametrize(
    "writer,name",
    [
        ("report", "report.html"),
        ("calendar", "interviews.ics"),
        ("export-xlsx", "tables.xlsx"),
        ("backup", "copy.sqlite"),
    ],
)
def test_a_symlink_planted_at_the_partial_name_is_not_followed(book, tmp_path, writer, name):
    wb, saved = book
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    target = out / name
    (out / f"{name}.partial").symlink_to(victim)
    result = run(*WRITERS[writer](str(target)), "--workbook", str(wb))
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious"
    assert target.is_file() and not target.is_symlink()
    assert (out / f"{name}.partial").is_symlink(), "left alone"
    assert sorted(p.name for p in out.iterdir()) == sorted([name, f"{name}.partial"]), "no temporary file left"


def test_temporary_names_are_unpredictable_and_exclusive(tmp_path):
    target = tmp_path / "report.html"
    names = set()
    for _ in range(3):
        with files.partial_file(target) as (fd, tmp):
            os.close(fd)
            names.add(tmp.name)
            assert tmp.parent == tmp_path and stat.S_IMODE(tmp.stat().st_mode) == 0o600
            tmp.unlink()
    assert len(names) == 3 and all(n != "report.html.partial" for n in names)


# ------------------------------------------------------------------- modes
@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask 022", "umask 000"])
def test_every_file_the_package_creates_is_private_whatever_the_umask(tmp_path, monkeypatch, umask):
    home = tmp_path / "home" / "career-workbook"  # the user data folder, not there yet
    monkeypatch.setenv("CAREER_WORKBOOK_HOME", str(home))
    monkeypatch.delenv("CAREER_WORKBOOK")
    outside = tmp_path / "mine"  # folders the person names, not there yet either
    old = tmp_path / "old"
    old.mkdir()
    shutil.copyfile(V1, old / "v1.sqlite")
    previous = os.umask(umask)
    try:
        with open_workbook() as wb:  # the default workbook, in a new user data folder
            option = wb.add_option("UX research")
            person = wb.add_contact("Rosa Marquez", "Acme")
            wb.add_conversation(person, option, status="scheduled", scheduled_at="2026-11-20 10:00")
            for companion in ("-wal", "-shm"):
                assert files.mode(f"{wb.path}{companion}") == 0o600, companion
            for args in (
                ["report"],
                ["report", "-o", str(outside / "reports" / "r.html")],
                ["calendar", "-o", str(outside / "calendar" / "c.ics")],
                ["export", "-o", str(outside / "csv")],
                ["export", "-o", str(outside / "xlsx" / "all.xlsx")],
                ["backup"],
                ["backup", "-o", str(outside / "backups") + "/"],
                ["demo"],
            ):
                result = run(*args)
                assert result.exit_code == 0, (args, result.output)
            write_sheet("<p>prep</p>", str(outside / "prep") + "/", "sheet.html")
            launch.prepare_notebooks(outside / "notebooks")
            restore_workbook(backup_workbook(wb), outside / "restored" / "workbook.sqlite")
        with open_workbook(old / "v1.sqlite") as migrated:
            assert migrated.backup_path is not None
            made = [migrated.backup_path]
    finally:
        os.umask(previous)
    made += [p for root in (home, outside) for p in [root, *root.rglob("*")]]
    assert len([p for p in made if p.is_file()]) >= 20
    wrong = {str(p): oct(files.mode(p)) for p in made if files.mode(p) != (0o700 if p.is_dir() else 0o600)}
    assert wrong == {}


def test_only_a_report_without_names_saved_into_the_shared_folder_is_readable_by_its_group(book, tmp_path, monkeypatch):
    """The hub's shared-reports service reads a person's shared folder through its group: only the masked report."""
    path, _ = book
    shared = tmp_path / "shared-with-coach"
    shared.mkdir()
    link = tmp_path / "career" / "shared-reports"  # as on the hub: a link in the person's folder
    link.symlink_to(shared)
    monkeypatch.setenv("CAREER_WORKBOOK_SHARED", str(shared))
    run = CliRunner().invoke
    for args in (
        ["report", "-o", str(link / "report.html")],
        ["report", "-o", str(link / "with-names.html"), "--names"],
        ["report", "-o", str(tmp_path / "elsewhere.html")],
        ["calendar", "-o", str(link / "calendar.ics")],
        ["export", "-o", str(link / "all.xlsx")],
    ):
        result = run(cli, [args[0], "--workbook", str(path), *args[1:]])
        assert result.exit_code == 0, (args, result.output)
    modes = {p.name: oct(files.mode(p)) for p in [*shared.iterdir(), tmp_path / "elsewhere.html"]}
    assert modes == {
        "report.html": "0o640",
        "with-names.html": "0o600",
        "calendar.ics": "0o600",
        "all.xlsx": "0o600",
        "elsewhere.html": "0o600",
    }
    monkeypatch.delenv("CAREER_WORKBOOK_SHARED")
    assert run(cli, ["report", "--workbook", str(path), "-o", str(link / "report.html")]).exit_code == 0
    assert files.mode(shared / "report.html") == 0o600  # outside the hub, every report is private
    with pytest.raises(ValueError):
        files.write_text(tmp_path / "x.txt", "x", mode=0o644)
