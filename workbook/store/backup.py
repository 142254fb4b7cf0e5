"""Backups and restores of a workbook file.

A backup is a consistent copy made through SQLite's backup API, so it is safe
while a notebook is writing. A restore never swaps files under a live
workbook: it checks the file first, saves what it is about to replace, then
copies the backup's pages *into* the open workbook with the same backup API.
SQLite takes its own locks and keeps the workbook's write-ahead log (the
``-wal`` and ``-shm`` files) consistent, so other open notebooks see either
the old workbook or the restored one, never a mix.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import files
from ..errors import ValidationError, WorkbookFileError
from . import integrity
from .schema import MIGRATIONS, SCHEMA_VERSION
from .workbook import Workbook


def default_backup_dir(wb: Workbook) -> Path:
    """``backups/`` next to the workbook file."""
    if wb.in_memory:
        raise ValidationError("output", "this workbook is not saved in a file; name the backup file with -o")
    return wb.path.parent / "backups"


def _stamped(folder: Path, stem: str, label: str = "") -> Path:
    stamp = dt.datetime.now().strftime("%Y-%m-%d_%H%M%S")
    base = f"{stem}-{label + '-' if label else ''}{stamp}"
    target = folder / f"{base}.sqlite"
    n = 2
    while target.exists():
        target = folder / f"{base}-{n}.sqlite"
        n += 1
    return target


def backup_workbook(
    wb: Workbook, target: str | os.PathLike | None = None, *, label: str = "", verify: bool = True
) -> Path:
    """Write a consistent copy of ``wb`` and return where it went.

    ``target`` defaults to a timestamped file in ``backups/`` next to the
    workbook; an existing folder, or a name ending in ``/``, gets a dated file
    inside it. An existing file at ``target`` is refused rather than
    overwritten. With ``verify`` the source is checked before and the copy
    after (``PRAGMA quick_check``): a damaged workbook gives no backup.
    """
    if target is None:
        target = _stamped(default_backup_dir(wb), wb.path.stem, label)
    folder_named = str(target).endswith(("/", os.sep))
    target = Path(target).expanduser()
    if target.is_dir() or folder_named:
        target = _stamped(target, wb.path.stem, label)
    files.check_output(target, [None if wb.in_memory else wb.path])  # the workbook, a backup: said as such
    if os.path.lexists(target):
        raise ValidationError("output", f"{target} already exists; choose another file name")
    if verify:
        with wb.reading() as conn:
            integrity.quick_check(conn, f"{wb.path} (nothing was backed up)")
    written = wb.backup_to(target)
    if verify:
        try:
            with integrity.read_only(written, settled=True) as copy:
                integrity.quick_check(copy, f"the backup {written}")
        except WorkbookFileError as exc:
            written.unlink(missing_ok=True)
            raise WorkbookFileError(f"{exc}; the damaged copy was deleted") from None
    return written


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the workbook restored, from which file, and the copy of what it replaced."""

    workbook: Path
    source: Path
    replaced_backup: Path | None
    counts: dict[str, int]


def check_backup(source: str | os.PathLike) -> dict[str, int]:
    """Row counts of a backup file, or :class:`WorkbookFileError` saying why it is not a Career Workbook."""
    with tempfile.TemporaryDirectory(prefix="cw-check-") as tmp, _snapshot(Path(source), Path(tmp)) as copy:
        return copy.counts()


@contextlib.contextmanager
def _snapshot(source: Path, folder: Path):
    """A checked, migrated private copy of ``source`` opened as a Workbook (deleted afterwards).

    The backup's schema must be exactly a Career Workbook's (no tables, triggers
    or views of its own); its rows are then copied into a schema built here,
    so nothing of the file's own definitions is ever installed.
    """
    source = source.expanduser()
    if not source.exists():
        raise WorkbookFileError(f"{source}: no such file")
    if source.is_dir():
        raise WorkbookFileError(f"{source} is a folder, not a workbook backup")
    if not integrity.is_sqlite_file(source):
        raise WorkbookFileError(f"{source} is not a Career Workbook (not an SQLite file); nothing was replaced")
    raw_path, fresh_path = folder / "raw.sqlite", folder / "snapshot.sqlite"
    try:
        with (
            integrity.read_only(source.resolve(), settled=True) as src,
            contextlib.closing(sqlite3.connect(str(raw_path))) as raw,
        ):
            src.backup(raw)
        with contextlib.closing(sqlite3.connect(str(raw_path), isolation_level=None)) as raw:
            version = raw.execute("PRAGMA user_version").fetchone()[0]
            integrity.quick_check(raw, source)
            if version < 1:
                raise WorkbookFileError(f"{source} is an SQLite file, but not a Career Workbook")
            if version > SCHEMA_VERSION:
                raise WorkbookFileError(
                    f"{source} was written by a newer Career Workbook (schema {version}); "
                    "please upgrade before restoring it"
                )
            integrity.check_schema(raw, version, source)
        _copy_into_fresh_schema(raw_path, fresh_path, version, source)
    except WorkbookFileError as exc:
        raise WorkbookFileError(f"{exc}; nothing was replaced") from None
    except sqlite3.Error as exc:
        raise WorkbookFileError(f"{source} cannot be read as a Career Workbook ({exc}); nothing was replaced") from None
    wb = Workbook(fresh_path, create=False)  # brings an older backup's schema up to date
    try:
        yield wb
    finally:
        wb.close()


def _copy_into_fresh_schema(raw_path: Path, fresh_path: Path, version: int, source: Path) -> None:
    """Build the schema of ``version`` from the migrations and copy the checked file's rows into it."""
    with contextlib.closing(sqlite3.connect(fresh_path.resolve().as_uri(), uri=True, isolation_level=None)) as fresh:
        for step in sorted(MIGRATIONS)[:version]:
            MIGRATIONS[step](fresh)
        fresh.execute("ATTACH DATABASE ? AS incoming", (raw_path.resolve().as_uri() + "?mode=ro",))
        fresh.execute("BEGIN")
        for (kind, table), description in integrity.expected_schema(version).items():
            if kind == "table":
                columns = description[0]
                names = ", ".join(f'"{c[0]}"' for c in columns)
                fresh.execute(f'INSERT INTO main."{table}" ({names}) SELECT {names} FROM incoming."{table}"')
        broken = fresh.execute("PRAGMA main.foreign_key_check").fetchone()
        if broken:
            fresh.execute("ROLLBACK")
            raise WorkbookFileError(f"{source} is damaged: a row of {broken[0]} refers to a missing {broken[2]} record")
        fresh.execute(f"PRAGMA main.user_version = {int(version)}")
        fresh.execute("COMMIT")
        fresh.execute("DETACH DATABASE incoming")


def _match_page_size(copy: Workbook, page_size: int) -> None:
    """SQLite cannot back up into a WAL workbook with another page size: rebuild the copy to match."""
    conn = copy.conn
    if conn.execute("PRAGMA page_size").fetchone()[0] == page_size:
        return
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA page_size = {int(page_size)}")
    conn.execute("VACUUM")


def restore_workbook(source: str | os.PathLike, target: str | os.PathLike) -> RestoreResult:
    """Replace the workbook at ``target`` with the backup ``source``.

    The backup is checked first; a file that is not a Career Workbook is
    refused and nothing changes. The current workbook (if any) is backed up to
    ``backups/`` next to it before anything is replaced.
    """
    source = Path(source).expanduser().resolve()
    target = Path(target).expanduser().resolve()
    if source == target:
        raise ValidationError("file", "is the workbook itself; choose a backup file")
    with tempfile.TemporaryDirectory(prefix="cw-restore-") as tmp, _snapshot(source, Path(tmp)) as copy:
        existed = target.exists()
        with Workbook(target, verify=False) as live:  # a damaged or tampered workbook can be restored
            replaced = backup_workbook(live, label="before-restore", verify=False) if existed else None
            _match_page_size(copy, live.conn.execute("PRAGMA page_size").fetchone()[0])
            copy.conn.backup(live.conn)
            counts = live.counts()
    return RestoreResult(workbook=target, source=source, replaced_backup=replaced, counts=counts)
