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

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

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
    """
    path = Path(path).expanduser()
    fmt = export_format(path)
    frames = tables(wb)
    if fmt == "xlsx":
        _write_xlsx(frames, path)
    else:
        _write_csv(frames, path, raw=raw)
    return ExportResult(path=path.resolve(), format=fmt, rows={t: len(f) for t, f in frames.items()})


def _write_csv(frames: dict[str, pd.DataFrame], folder: Path, *, raw: bool = False) -> None:
    if folder.exists() and not folder.is_dir():
        raise ValidationError("output", f"{folder} is a file; give a folder name for CSV files")
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        target = folder / f"{name}.csv"
        tmp = target.with_name(target.name + ".partial")
        if not raw:
            text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
            frame = frame.assign(**{c: frame[c].map(neutralise) for c in text})
        # utf-8 with a byte-order mark: spreadsheet programs then read accents and emoji correctly.
        # CRLF line ends (RFC 4180): a field holding a CR or LF is then always quoted, so it stays one cell.
        frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        os.replace(tmp, target)


def _write_xlsx(frames: dict[str, pd.DataFrame], target: Path) -> None:
    from openpyxl import Workbook as ExcelBook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if target.is_dir():
        raise ValidationError("output", f"{target} is a folder; give a file name ending in .xlsx")
    target.parent.mkdir(parents=True, exist_ok=True)
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
    tmp = target.with_name(target.name + ".partial")
    book.save(tmp)
    os.replace(tmp, target)
