"""A read snapshot: the workbook's tables read once each and kept, for analysis, charts and the report.

``wb.snapshot()`` gives one. Every table is read on first use and kept, and
so is each analysis result (:meth:`Snapshot.memo`: the analysis over a snapshot,
:mod:`workbook.evidence.engine`, keeps its results here), so a report that shows
the comparison in five places computes it once. Used as a context manager it also holds a read
transaction, so every table comes from the same moment (a read never blocks a
notebook that is writing)::

    with wb.snapshot() as snap:
        evidence.compare_for(snap); snap.options(); evidence.cells_for(snap)

Callers get shallow copies, so adding a column to a frame never changes the kept one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import reads

if TYPE_CHECKING:
    import pandas as pd

    from .workbook import Workbook

_UNSET = object()


class Snapshot:
    """The tables of one workbook, each read once; the same read methods as :class:`Workbook`."""

    def __init__(self, wb: Workbook) -> None:
        self.workbook = wb
        self._frames: dict[Hashable, pd.DataFrame] = {}
        self._settings: dict[str, Any] = {}
        self._counts: dict[str, int] | None = None
        self._results: dict[Hashable, Any] = {}
        self._held = contextlib.ExitStack()

    # ----------------------------------------------------------- consistency
    def __enter__(self) -> Snapshot:
        conn = self._held.enter_context(self.workbook.reading())
        if not conn.in_transaction:
            conn.execute("BEGIN")
            self._held.callback(conn.execute, "COMMIT")
        return self

    def __exit__(self, *exc: object) -> None:
        self._held.close()

    @property
    def path(self) -> Path:
        return self.workbook.path

    @property
    def in_memory(self) -> bool:
        return self.workbook.in_memory

    # ----------------------------------------------------------------- tables
    def _kept(self, key: Hashable, compute: Any) -> pd.DataFrame:
        if key not in self._frames:
            self._frames[key] = compute()
        return self._frames[key].copy(deep=False)

    def table(
        self, table: str, *, include_archived: bool = False, columns: Iterable[str] | None = None
    ) -> pd.DataFrame:
        wanted = tuple(columns) if columns is not None else None
        key = ("table", table, include_archived, wanted)
        whole = self._frames.get(("table", table, include_archived, None))
        if wanted is not None and whole is not None and set(wanted) <= set(whole.columns):
            return whole[list(wanted)]  # the whole table was read already: the columns from it
        return self._kept(key, lambda: self.workbook.table(table, include_archived=include_archived, columns=wanted))

    def records(
        self, table: str, *, include_archived: bool = False, columns: Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        """A table as plain dicts (:meth:`Workbook.records <workbook.store.workbook.Workbook.records>`), read once."""
        wanted = tuple(columns) if columns is not None else None
        key = ("records", table, include_archived, wanted)
        if key not in self._results:
            self._results[key] = self.workbook.records(table, include_archived=include_archived, columns=wanted)
        return [dict(r) for r in self._results[key]]

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

    def evidence_rows(self) -> pd.DataFrame:
        """The insights as the analysis needs them: every row, without the notes."""
        return self.insights(columns=reads.ANALYSIS_COLUMNS)

    def setting(self, key: str, default: Any = None) -> Any:
        value = self._settings.get(key, _UNSET)
        if value is _UNSET:
            value = self._settings[key] = self.workbook.setting(key, _UNSET)
        return default if value is _UNSET else value

    def counts(self) -> dict[str, int]:
        if self._counts is None:
            self._counts = self.workbook.counts()
        return dict(self._counts)

    def notes(self, option_ids: Iterable[int]) -> dict[int, str]:
        """Insight id -> note for the given options only; the other notes stay on disk."""
        ids = sorted({int(i) for i in option_ids})
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self.workbook.reading() as conn:
            rows = conn.execute(
                f"SELECT id, note FROM insights WHERE archived = 0 AND trim(note) != '' AND option_id IN ({marks})",
                ids,
            )
            return dict(rows.fetchall())

    # ------------------------------------------------------------ kept results
    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()``'s result, computed once per snapshot for ``key`` (the analysis keeps its results here)."""
        if key not in self._results:
            self._results[key] = compute()
        return self._results[key]
