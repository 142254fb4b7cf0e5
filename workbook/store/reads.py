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
from . import vocab

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

    if table == "insights" and not include_archived and columns is not None and tuple(columns) == ANALYSIS_COLUMNS:
        frame = read_evidence(conn)
        if frame is not None:
            return frame
    cur = _select(conn, table, include_archived, columns)
    names = [d[0] for d in cur.description]
    frame = pd.DataFrame.from_records(cur.fetchall(), columns=names)
    return _typed(frame)


#: The values the analysis' text columns can take through the workbook, numbered (:func:`read_evidence`).
_CODED = {"source": tuple(vocab.SOURCES), "confidence": tuple(vocab.CONFIDENCE)}


def _packed_columns() -> tuple[str, list[str]]:
    """The SQL of one number per note holding its stance, flag, source and confidence, and its parameters;
    NULL where a value is not one the workbook writes."""
    cases: list[str] = []
    params: list[str] = []
    for column, values in _CODED.items():
        cases.append(f"CASE {column} " + " ".join(f"WHEN ? THEN {i}" for i in range(len(values))) + " END")
        params += values
    sql = (
        "CASE WHEN typeof(stance) = 'integer' AND stance BETWEEN -2 AND 2 AND typeof(against_hopes) = 'integer' "
        f"THEN ((stance + 2) * 2 + (against_hopes != 0)) * 256 + {cases[0]} * 16 + {cases[1]} END"
    )
    return sql, params


def read_evidence(conn: sqlite3.Connection) -> pd.DataFrame | None:
    """The notes as the analysis reads them: :func:`read_table` of :data:`ANALYSIS_COLUMNS`, the same frame.

    sqlite3 makes a Python object of every value it returns, and at 100,000 notes that is most of the time
    a read takes: here the stance, the "against my hopes" flag, the source and the confidence come as one
    number per note (the two texts as their place in the workbook's lists), are unpacked with numpy, and
    each column is typed directly rather than inferred by pandas first. ``None`` when a note holds a value
    the workbook does not write (then :func:`read_table` reads them as they are).
    """
    import numpy as np
    import pandas as pd

    if any(len(values) > 15 for values in _CODED.values()):  # four bits each in the number
        return None
    packed, params = _packed_columns()
    rows = conn.execute(
        f"SELECT id, option_id, criterion_id, {packed}, conversation_id, contact_id, heard_from "
        "FROM insights WHERE archived = 0 ORDER BY id",
        params,
    ).fetchall()
    if not rows:
        return None
    table = np.empty((len(rows), 7), dtype=object)
    table[:] = rows
    try:
        ids = table[:, :4].astype("int64")  # a NULL (a value the workbook does not write) cannot be converted
    except (TypeError, ValueError, OverflowError):
        return None
    if (ids[:, :3] != table[:, :3]).any():  # an id that was not a whole number
        return None
    data = {"id": ids[:, 0].copy(), "option_id": ids[:, 1].copy(), "criterion_id": ids[:, 2].copy()}
    code = ids[:, 3]
    data["stance"] = (code >> 9) - 2
    data["confidence"] = _coded("confidence", code & 15)
    data["source"] = _coded("source", (code >> 4) & 15)
    for j, name in enumerate(("conversation_id", "contact_id", "heard_from"), start=4):
        column = table[:, j]
        empty = column == None  # noqa: E711 (element-wise: the NULLs)
        try:
            values = np.where(empty, 0, column).astype("int64")
        except (TypeError, ValueError, OverflowError):
            return None
        if (values[~empty] != column[~empty]).any():
            return None
        data[name] = pd.arrays.IntegerArray(values, empty.astype(bool))
    data["against_hopes"] = (code >> 8 & 1).astype(bool)
    return pd.DataFrame(data, columns=list(ANALYSIS_COLUMNS))


def _coded(column: str, codes: Any) -> Any:
    import numpy as np
    import pandas as pd

    return pd.Series(np.array(_CODED[column], dtype=object)[codes]).infer_objects()


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
