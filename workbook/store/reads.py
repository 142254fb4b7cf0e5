"""Reading a workbook's tables as typed DataFrames, or as plain Python records.

Plain functions over a connection; :class:`~workbook.store.workbook.Workbook`
calls them while holding its lock, so a second kernel thread never shares the
connection mid-query. Column types come from the field definitions.

pandas is imported only when a table is read as a DataFrame: a command that
reads records (``career-workbook due``) starts without it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from . import fields as _fields

if TYPE_CHECKING:
    import pandas as pd

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


def _select(
    conn: sqlite3.Connection, table: str, include_archived: bool, columns: Iterable[str] | None
) -> sqlite3.Cursor:
    """The rows of ``table`` (archived ones left out unless asked), in :data:`_ORDER`'s order (by id by default)."""
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
    return conn.execute(f"SELECT {select} FROM {table}{where}{order}")


def read_table(
    conn: sqlite3.Connection, table: str, *, include_archived: bool = False, columns: Iterable[str] | None = None
) -> pd.DataFrame:
    """A table as a DataFrame with real dtypes: integer ids, datetimes for dates, booleans.

    ``columns`` reads only those columns (faster on large tables).
    """
    import pandas as pd

    cur = _select(conn, table, include_archived, columns)
    names = [d[0] for d in cur.description]
    frame = pd.DataFrame.from_records(cur.fetchall(), columns=names)
    return _typed(frame)


def read_records(
    conn: sqlite3.Connection, table: str, *, include_archived: bool = False, columns: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """A table as plain dicts, typed like :func:`read_table` but in plain Python.

    Ids are ``int``, flags ``bool``, dates ``datetime.date``, date-times
    ``datetime.datetime``; an empty value is ``None``.
    """
    cur = _select(conn, table, include_archived, columns)
    names = [d[0] for d in cur.description]
    convert = [(i, _PLAIN[_READ_KINDS[n]]) for i, n in enumerate(names) if _READ_KINDS.get(n) in _PLAIN]
    records = []
    for raw in cur:
        values = list(raw)
        for i, to_python in convert:
            if values[i] is not None:
                values[i] = to_python(values[i])
        records.append(dict(zip(names, values, strict=True)))
    return records


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table (archived rows excluded)."""
    return {t: conn.execute(f"SELECT count(*) FROM {t} WHERE archived = 0").fetchone()[0] for t in COUNTED}


def _date(value: Any) -> dt.date:
    return dt.datetime.fromisoformat(str(value)).date()


#: How a stored value becomes a plain Python value, by read kind.
_PLAIN: dict[str, Callable[[Any], Any]] = {
    "int": int,
    "nullable_int": int,
    "bool": bool,
    "float": float,
    "date": _date,
    "datetime": lambda v: dt.datetime.fromisoformat(str(v)),
}


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    for col in frame.columns:
        kind = _READ_KINDS.get(col)
        if kind in _DTYPES:
            frame[col] = frame[col].astype(_DTYPES[kind])
        elif kind in {"date", "datetime"}:
            frame[col] = pd.to_datetime(frame[col], format="ISO8601")
    return frame
