"""Reading a workbook's tables as typed DataFrames.

Plain functions over a connection; :class:`~workbook.store.workbook.Workbook`
calls them while holding its lock, so a second kernel thread never shares the
connection mid-query. Column types come from the field definitions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import pandas as pd

from ..errors import ValidationError
from . import fields as _fields

#: Tables that can be read besides those with field definitions.
EXTRA_TABLES = ("conversation_events", "settings", "contact_sources")
#: Tables counted by :func:`counts` (archived rows left out).
COUNTED = ("options", "criteria", "contacts", "conversations", "insights")
#: The insight columns the analysis reads (notes can be long: leave them on disk).
ANALYSIS_COLUMNS = (
    "id",
    "option_id",
    "criterion_id",
    "stance",
    "confidence",
    "source",
    "conversation_id",
    "contact_id",
    "heard_from",
    "against_hopes",
)

#: How the rows of tables without an ``id`` are ordered when read.
_ORDER = {"insider_links": "", "settings": "", "contact_sources": " ORDER BY contact_id, created_at, source"}
#: How each column is typed when read (from the field definitions).
_READ_KINDS = _fields.read_kinds()
_DTYPES = {"int": "int64", "nullable_int": "Int64", "bool": bool, "float": "float64"}


def read_table(
    conn: sqlite3.Connection, table: str, *, include_archived: bool = False, columns: Iterable[str] | None = None
) -> pd.DataFrame:
    """A table as a DataFrame with real dtypes: integer ids, datetimes for dates, booleans.

    ``columns`` reads only those columns (faster on large tables).
    """
    if table not in _fields.FIELDS and table not in EXTRA_TABLES:
        raise ValidationError("table", f"{table!r} is not a table of the workbook")
    select = "*"
    if columns is not None:
        known = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        wanted = list(columns)
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise ValidationError("columns", f"{unknown[0]!r} is not a column of {table}")
        select = ", ".join(wanted)
    where = ""
    if table in _fields.ARCHIVABLE and not include_archived:
        where = " WHERE archived = 0"
    order = _ORDER.get(table, " ORDER BY id")
    cur = conn.execute(f"SELECT {select} FROM {table}{where}{order}")
    names = [d[0] for d in cur.description]
    frame = pd.DataFrame.from_records(cur.fetchall(), columns=names)
    return _typed(frame)


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table (archived rows excluded)."""
    return {t: conn.execute(f"SELECT count(*) FROM {t} WHERE archived = 0").fetchone()[0] for t in COUNTED}


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for col in frame.columns:
        kind = _READ_KINDS.get(col)
        if kind in _DTYPES:
            frame[col] = frame[col].astype(_DTYPES[kind])
        elif kind in {"date", "datetime"}:
            frame[col] = pd.to_datetime(frame[col], format="ISO8601")
    return frame
