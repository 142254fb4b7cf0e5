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


class ChangedElsewhereError(ValidationError):
    """A record changed since the page saving it loaded it. Nothing was written.

    Another page, a command or a restored backup changed it in between: saving
    would silently replace their values with older ones. ``fields`` are the
    fields that changed since; ``loaded`` is what the page loaded, ``theirs``
    what is stored now and ``yours`` what this save would have written (each a
    dict by field). ``what`` is the record in words ("option #3", "settings");
    ``labels`` may name fields that are not words (criteria by id, for weights).
    """

    def __init__(
        self,
        what: str,
        fields: list[str],
        *,
        loaded: dict,
        theirs: dict,
        yours: dict,
        table: str | None = None,
        id: int | None = None,
        labels: dict | None = None,
    ):
        self.what = what
        self.fields = list(fields)
        self.loaded = dict(loaded)
        self.theirs = dict(theirs)
        self.yours = dict(yours)
        self.id = id
        self.labels = dict(labels or {})
        changed = ", ".join(str(self.labels.get(f, f)).replace("_", " ") for f in self.fields)
        super().__init__(
            what,
            f"was changed elsewhere (another page, a command or a restored backup) since this page loaded it "
            f"({changed}); nothing was saved",
            table=table,
        )


class SaveFailedError(WorkbookError):
    """SQLite could not read or write the workbook: busy, read-only, full or damaged. Nothing was written.

    ``kind`` is ``"busy"``, ``"read-only"``, ``"full"``, ``"damaged"`` or
    ``"other"``; ``str(error)`` says in words what happened and what to do,
    with SQLite's own words at the end.
    """

    def __init__(self, message: str, kind: str = "other"):
        self.kind = kind
        super().__init__(message)


class NotFoundError(WorkbookError, KeyError):
    """A record asked for by id does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "not found"


class WorkbookFileError(WorkbookError):
    """The workbook file cannot be opened or is not a Career Workbook."""
