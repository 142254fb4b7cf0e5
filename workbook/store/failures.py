"""SQLite's errors while saving, in words a person can act on.

A form's status line and the command line show these instead of SQLite's
terse messages ("database is locked"); SQLite's own words follow in brackets
for whoever needs them.
"""

from __future__ import annotations

import sqlite3

from ..errors import SaveFailedError

#: What each kind of failure means, and what to do about it.
WORDS = {
    "busy": "the workbook is busy in another program — try again in a moment "
    "(if it stays busy, finish or close the other notebook or command using it)",
    "read-only": "the workbook cannot be written — it or its folder is read-only; check the permissions of the file "
    "and its folder, or copy it somewhere you can write",
    "full": "the disk holding the workbook is full — free some space, then try again",
    "damaged": "the workbook file is damaged — restore it from a backup (career-workbook restore FILE)",
    "other": "the workbook could not be saved",
}


def kind_of(exc: BaseException) -> str:
    """``busy``, ``read-only``, ``full``, ``damaged`` or ``other``, from SQLite's message."""
    low = str(exc).lower()
    if "locked" in low or "busy" in low:
        return "busy"
    if "readonly" in low or "read-only" in low or "unable to open" in low or "permission" in low:
        return "read-only"
    if "full" in low:
        return "full"
    if "malformed" in low or "corrupt" in low or "disk i/o" in low or "not a database" in low:
        return "damaged"
    return "other"


def save_failed(exc: sqlite3.Error) -> SaveFailedError:
    """``exc`` as a :class:`SaveFailedError` that says what happened and what to do."""
    kind = kind_of(exc)
    detail = " ".join(str(exc).split()) or exc.__class__.__name__
    return SaveFailedError(f"{WORDS[kind]} ({detail})", kind)


__all__ = ["WORDS", "kind_of", "save_failed"]
