"""Errors raised by the workbook. Every one names what went wrong in plain words."""

from __future__ import annotations


class WorkbookError(Exception):
    """Base class for errors the workbook reports to people."""


class ValidationError(WorkbookError, ValueError):
    """A value given for a field is not allowed. Nothing was written.

    ``field`` names the field, ``reason`` says why; ``str(error)`` reads
    ``"<field>: <reason>"`` so a form or the CLI can show it as it is.
    """

    def __init__(self, field: str, reason: str, *, table: str | None = None, row: int | None = None):
        self.field = field
        self.reason = reason
        self.table = table
        self.row = row
        where = f"row {row}: " if row is not None else ""
        super().__init__(f"{where}{field}: {reason}")


class NotFoundError(WorkbookError, KeyError):
    """A record asked for by id does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "not found"


class WorkbookFileError(WorkbookError):
    """The workbook file cannot be opened or is not a Career Workbook."""
