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

from ..errors import ValidationError, WorkbookFileError
from .schema import SCHEMA_VERSION
from .workbook import Workbook

#: Tables a file must have to count as a Career Workbook.
_REQUIRED_TABLES = {"options", "criteria", "contacts", "conversations", "insights", "settings"}


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


def backup_workbook(wb: Workbook, target: str | os.PathLike | None = None, *, label: str = "") -> Path:
    """Write a consistent copy of ``wb`` and return where it went.

    ``target`` defaults to a timestamped file in ``backups/`` next to the
    workbook. An existing file at ``target`` is refused rather than overwritten.
    """
    if target is None:
        target = _stamped(default_backup_dir(wb), wb.path.stem, label)
    target = Path(target).expanduser()
    if target.is_dir():
        target = _stamped(target, wb.path.stem, label)
    if target.exists():
        raise ValidationError("output", f"{target} already exists; choose another file name")
    return wb.backup_to(target)


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
    """A checked, migrated private copy of ``source`` opened as a Workbook (deleted afterwards)."""
    source = source.expanduser()
    if not source.exists():
        raise WorkbookFileError(f"{source}: no such file")
    if source.is_dir():
        raise WorkbookFileError(f"{source} is a folder, not a workbook backup")
    with open(source, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise WorkbookFileError(f"{source} is not a Career Workbook (not an SQLite file); nothing was replaced")
    copy_path = folder / "snapshot.sqlite"
    try:
        with (
            contextlib.closing(sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)) as src,
            contextlib.closing(sqlite3.connect(str(copy_path))) as dest,
        ):
            src.backup(dest)
            version = dest.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in dest.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            check = dest.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise WorkbookFileError(f"{source} cannot be read as a Career Workbook ({exc}); nothing was replaced") from None
    if check != "ok":
        raise WorkbookFileError(f"{source} is damaged ({check}); nothing was replaced")
    if version < 1 or not tables >= _REQUIRED_TABLES:
        raise WorkbookFileError(f"{source} is an SQLite file, but not a Career Workbook; nothing was replaced")
    if version > SCHEMA_VERSION:
        raise WorkbookFileError(
            f"{source} was written by a newer Career Workbook (schema {version}); "
            "please upgrade before restoring it; nothing was replaced"
        )
    wb = Workbook(copy_path, create=False)  # brings an older backup's schema up to date
    try:
        yield wb
    finally:
        wb.close()


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
        with Workbook(target) as live:
            replaced = backup_workbook(live, label="before-restore") if existed else None
            _match_page_size(copy, live.conn.execute("PRAGMA page_size").fetchone()[0])
            copy.conn.backup(live.conn)
            counts = live.counts()
    return RestoreResult(workbook=target, source=source, replaced_backup=replaced, counts=counts)
