"""What can be read from a workbook: the one read surface of :class:`Workbook` and :class:`Snapshot`.

Functions that only read take a :class:`Readable`, so they work the same on an
open workbook (each table read when asked) and on a snapshot (each table read
once, from one moment): the people, outreach and evidence packages type their
argument with it instead of ``Any``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd


@runtime_checkable
class Readable(Protocol):
    """The tables and settings of one workbook, as DataFrames and values."""

    @property
    def path(self) -> Path: ...

    def table(
        self, table: str, *, include_archived: bool = False, columns: Iterable[str] | None = None
    ) -> pd.DataFrame: ...

    def options(self, include_archived: bool = False) -> pd.DataFrame: ...

    def criteria(self, include_archived: bool = False) -> pd.DataFrame: ...

    def contacts(self, include_archived: bool = False) -> pd.DataFrame: ...

    def conversations(self, include_archived: bool = False) -> pd.DataFrame: ...

    def insights(self, include_archived: bool = False, columns: Iterable[str] | None = None) -> pd.DataFrame: ...

    def insider_links(self) -> pd.DataFrame: ...

    def setting(self, key: str, default: Any = None) -> Any: ...

    def counts(self) -> dict[str, int]: ...
