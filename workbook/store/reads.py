"""Reading a workbook: tables as typed DataFrames, counts, and the analysis over them.

Mixed into :class:`workbook.store.Workbook`; every read holds the workbook's
lock so a second kernel thread never shares the connection mid-query.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable

import pandas as pd

from ..errors import ValidationError
from . import fields as _fields

#: How each column is typed when read (from the field definitions).
_READ_KINDS = _fields.read_kinds()
_DTYPES = {"int": "int64", "nullable_int": "Int64", "bool": bool, "float": "float64"}


class TableReads:
    """Reads and analysis; uses ``conn``, ``_lock`` and ``setting`` of the Workbook it is mixed into."""

    conn: sqlite3.Connection
    _lock: threading.RLock

    def table(
        self, table: str, *, include_archived: bool = False, columns: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """A table as a DataFrame with real dtypes: integer ids, datetimes for dates, booleans.

        ``columns`` reads only those columns (faster on large tables).
        """
        if table not in _fields.FIELDS and table not in {"conversation_events", "settings"}:
            raise ValidationError("table", f"{table!r} is not a table of the workbook")
        select = "*"
        if columns is not None:
            with self._lock:
                known = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
            wanted = list(columns)
            unknown = [c for c in wanted if c not in known]
            if unknown:
                raise ValidationError("columns", f"{unknown[0]!r} is not a column of {table}")
            select = ", ".join(wanted)
        where = ""
        if table in _fields.ARCHIVABLE and not include_archived:
            where = " WHERE archived = 0"
        order = " ORDER BY id" if table not in {"insider_links", "settings"} else ""
        with self._lock:
            cur = self.conn.execute(f"SELECT {select} FROM {table}{where}{order}")
            columns = [d[0] for d in cur.description]
            records = cur.fetchall()
        frame = pd.DataFrame.from_records(records, columns=columns)
        return _typed(frame)

    def options(self, include_archived: bool = False) -> pd.DataFrame:
        return self.table("options", include_archived=include_archived)

    def criteria(self, include_archived: bool = False) -> pd.DataFrame:
        return self.table("criteria", include_archived=include_archived)

    def contacts(self, include_archived: bool = False) -> pd.DataFrame:
        return self.table("contacts", include_archived=include_archived)

    def conversations(self, include_archived: bool = False) -> pd.DataFrame:
        return self.table("conversations", include_archived=include_archived)

    def insights(self, include_archived: bool = False, columns: Iterable[str] | None = None) -> pd.DataFrame:
        return self.table("insights", include_archived=include_archived, columns=columns)

    def insider_links(self) -> pd.DataFrame:
        return self.table("insider_links")

    def conversation_history(self, conversation_id: int | None = None) -> pd.DataFrame:
        """Every status change, oldest first (for one conversation, or all)."""
        frame = self.table("conversation_events")
        if conversation_id is not None:
            frame = frame[frame["conversation_id"] == int(conversation_id)].reset_index(drop=True)
        return frame

    # --------------------------------------------------------------- analysis
    def _reliability(self) -> dict[str, float] | None:
        return self.setting("source_reliability")

    #: The insight columns the analysis reads (notes can be long: leave them on disk).
    ANALYSIS_COLUMNS = (
        "id", "option_id", "criterion_id", "stance", "confidence", "source",
        "conversation_id", "contact_id", "heard_from", "against_hopes",
    )

    def evidence_rows(self) -> pd.DataFrame:
        """The insights as the analysis needs them: every row, without the notes."""
        return self.insights(columns=self.ANALYSIS_COLUMNS)

    def counts(self) -> dict[str, int]:
        """Rows per table (archived rows excluded)."""
        out = {}
        for table in ("options", "criteria", "contacts", "conversations", "insights"):
            with self._lock:
                out[table] = self.conn.execute(f"SELECT count(*) FROM {table} WHERE archived = 0").fetchone()[0]
        return out

    def describe(self) -> str:
        """One line saying which file is in use and what it holds."""
        c = self.counts()
        return (
            f"Workbook: {self.path} — {c['options']} options, {c['criteria']} criteria, "
            f"{c['contacts']} contacts, {c['conversations']} conversations, {c['insights']} insights"
        )

    def is_empty(self) -> bool:
        return not any(self.counts().values())


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for col in frame.columns:
        kind = _READ_KINDS.get(col)
        if kind in _DTYPES:
            frame[col] = frame[col].astype(_DTYPES[kind])
        elif kind in {"date", "datetime"}:
            frame[col] = pd.to_datetime(frame[col], format="ISO8601")
    return frame
