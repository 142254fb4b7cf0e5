"""Export every table of a workbook: a folder of CSV files, or one Excel file.

The path decides the format: a name ending in ``.xlsx`` gives an Excel
workbook with one sheet per table; a folder (a name without an extension, or
an existing folder) gives one ``<table>.csv`` per table. Archived rows are
included (with their ``archived`` column) so nothing is lost.

An export holds everything, names and private notes included: it is a copy of
your data for you, not the shareable report.

Text from elsewhere (LinkedIn fields are written by other people) can look
like a spreadsheet formula. In CSV files a cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written with a leading ``'`` so a
spreadsheet shows it as text and never runs it (OWASP's advice on CSV
injection); ``raw=True`` keeps the exact text. The Excel export stores such
text as text cells, so it needs no change.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from .. import files
from ..errors import ValidationError
from .schema import TABLES
from .workbook import Workbook

#: Suffixes that mean "one Excel file"; control characters XML cannot hold are dropped there.
_EXCEL_SUFFIXES = {".xlsx"}
#: A CSV cell beginning with one of these may be run as a formula by a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``value`` made safe for a spreadsheet: text that could start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportResult:
    """Where the export went, its format and how many rows each table had."""

    path: Path
    format: str  # "csv" or "xlsx"
    rows: dict[str, int]


def export_format(path: str | os.PathLike) -> str:
    """``"xlsx"`` or ``"csv"`` (a folder) for ``path``; anything else is refused with a clear message."""
    path = Path(path).expanduser()
    if path.is_dir():
        return "csv"
    suffix = path.suffix.lower()
    if suffix in _EXCEL_SUFFIXES:
        return "xlsx"
    if suffix == "":
        return "csv"
    raise ValidationError(
        "output", f"{path.name!r}: give a folder name (for CSV files) or a file name ending in .xlsx (for Excel)"
    )


def tables(wb: Workbook) -> dict[str, pd.DataFrame]:
    """Every table of the workbook, archived rows included, in the workbook's order."""
    return {name: wb.table(name, include_archived=True) for name in TABLES}


def export_workbook(wb: Workbook, path: str | os.PathLike, *, raw: bool = False) -> ExportResult:
    """Write every table of ``wb`` to ``path`` (a folder of CSV files, or an .xlsx file).

    CSV cells that could start a formula get a leading ``'`` unless ``raw``.
    Every file is private (``0600``, a new folder ``0700``). A target that is
    the workbook, a backup or any SQLite file is refused before anything is
    written.
    """
    path = Path(path).expanduser()
    protect = [None if wb.in_memory else wb.path]
    files.check_output(path, protect)
    fmt = export_format(path)
    if fmt == "xlsx":
        if path.is_dir():
            raise ValidationError("output", f"{path} is a folder; give a file name ending in .xlsx")
    else:
        if path.exists() and not path.is_dir():
            raise ValidationError("output", f"{path} is a file; give a folder name for CSV files")
        for name in TABLES:
            files.check_output(path / f"{name}.csv", protect)
    frames = tables(wb)
    if fmt == "xlsx":
        _write_xlsx(frames, path, protect)
    else:
        _write_csv(frames, path, protect, raw=raw)
    return ExportResult(path=path.resolve(), format=fmt, rows={t: len(f) for t, f in frames.items()})


def _write_csv(frames: dict[str, pd.DataFrame], folder: Path, protect: list, *, raw: bool = False) -> None:
    files.private_dir(folder)
    for name, frame in frames.items():
        if not raw:
            text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
            frame = frame.assign(**{c: frame[c].map(neutralise) for c in text})
        # utf-8 with a byte-order mark: spreadsheet programs then read accents and emoji correctly.
        # CRLF line ends (RFC 4180): a field holding a CR or LF is then always quoted, so it stays one cell.
        data = frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
        files.write_private(folder / f"{name}.csv", functools.partial(_write_bytes, data), protect)


def _write_bytes(data: bytes, fh: BinaryIO) -> None:
    fh.write(data)


def _write_xlsx(frames: dict[str, pd.DataFrame], target: Path, protect: list) -> None:
    from openpyxl import Workbook as ExcelBook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = ExcelBook(write_only=True)
    for name, frame in frames.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append(list(frame.columns))
        values = frame.astype(object).where(frame.notna(), None)
        for row in values.itertuples(index=False, name=None):
            cells = []
            for value in row:
                if isinstance(value, pd.Timestamp):
                    value = value.to_pydatetime()
                elif isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    if value.startswith("="):
                        # Keep text that looks like a formula as text, never as a formula.
                        cell = WriteOnlyCell(sheet, value=value)
                        cell.data_type = "s"
                        value = cell
                cells.append(value)
            sheet.append(cells)
    files.write_private(target, book.save, protect)
