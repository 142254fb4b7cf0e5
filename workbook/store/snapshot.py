"""A read snapshot: the workbook's tables read once each and kept, for analysis, charts and the report.

``wb.snapshot()`` gives one. Every table is read on first use and kept, and
so is each analysis result, so a report that shows the comparison in five
places computes it once. Used as a context manager it also holds a read
transaction, so every table comes from the same moment (a read never blocks a
notebook that is writing)::

    with wb.snapshot() as snap:
        snap.compare(); snap.options(); snap.cells()

Callers get shallow copies, so adding a column to a frame never changes the kept one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterable, Mapping
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

    def reliability(self) -> dict[str, float] | None:
        """The stored ``source_reliability`` setting, if any."""
        return self.setting("source_reliability")

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

    # --------------------------------------------------------------- analysis
    #: Settings the evidence engine reads (see :mod:`workbook.evidence`), and the argument each one fills.
    ENGINE_SETTINGS = {
        "source_reliability": "reliability",
        "decision_thresholds": "thresholds",
        "conversation_cost": "conversation_cost",
        "weight_concentration": "weight_concentration",
    }

    def engine_settings(self, *names: str) -> dict[str, Any]:
        """The stored engine settings as keyword arguments (only those set; ``names`` limits them)."""
        out = {}
        for key, arg in self.ENGINE_SETTINGS.items():
            if names and arg not in names:
                continue
            value = self.setting(key)
            if value is not None:
                out[arg] = value
        return out

    def analysis(self, weights: Mapping[int, float] | None = None, draws: int = 2000, seed: int = 0) -> Any:
        """The evidence analysed once (:class:`workbook.evidence.Analysis`), kept for these arguments."""
        from .. import evidence

        key = ("analysis", _key(weights), _hashable(draws), _hashable(seed))
        if key not in self._results:
            self._results[key] = evidence.analysis(
                self.options(),
                self.criteria(),
                self.evidence_rows(),
                weights=weights,
                draws=draws,
                seed=seed,
                **self.engine_settings("reliability", "weight_concentration"),
            )
        return self._results[key]

    def compare(self, weights: Mapping[int, float] | None = None, draws: int = 2000, seed: int = 0) -> pd.DataFrame:
        """Which options the evidence supports (:func:`workbook.evidence.compare` for the columns)."""
        from .. import evidence

        return self._kept(
            ("compare", _key(weights), _hashable(draws), _hashable(seed)),
            lambda: evidence.ranking.comparison_frame(self.analysis(weights, draws, seed)),
        )

    def ranks(self, weights: Mapping[int, float] | None = None, draws: int = 2000, seed: int = 0) -> pd.DataFrame:
        """Share of draws in which each option takes each rank (1 = best)."""
        from .. import evidence

        return self._kept(
            ("ranks", _key(weights), _hashable(draws), _hashable(seed)),
            lambda: evidence.ranks_frame(self.analysis(weights, draws, seed)),
        )

    def sensitivity(self, weights: Mapping[int, float] | None = None) -> pd.DataFrame:
        """For each criterion, how far its weight must move before the leading option changes."""
        from .. import evidence

        return self._kept(
            ("sensitivity", _key(weights)), lambda: evidence.decisions.sensitivity(self.analysis(weights))
        )

    def cells(self, weights: Mapping[int, float] | None = None) -> pd.DataFrame:
        """Per option × criterion: score, interval and sources (:func:`workbook.evidence.cells`)."""
        from .. import evidence

        return self._kept(("cells", _key(weights)), lambda: evidence.cells_frame(self.analysis(weights)))

    def next_conversations(self, n: int = 5, weights: Mapping[int, float] | None = None) -> pd.DataFrame:
        """Which conversation (contact × option) would help the decision most, and why."""
        from .. import evidence

        return self._kept(
            ("next", _hashable(n), _key(weights)),
            lambda: evidence.next_conversations(
                self.analysis(weights),
                self.evidence_rows(),
                self.contacts(),
                self.insider_links(),
                self.conversations(),
                n=n,
                **self.engine_settings("reliability", "conversation_cost"),
            ),
        )

    def decide(self, weights: Mapping[int, float] | None = None, n: int = 5, draws: int = 2000, seed: int = 0) -> Any:
        """Scores, verdict, next conversations, stop rule and warnings (:class:`workbook.evidence.Decision`)."""
        from .. import evidence
        from ..prepare.questions import disprove_questions

        key = ("decide", _key(weights), _hashable(n), _hashable(draws), _hashable(seed))
        if key not in self._results:
            self._results[key] = evidence.decide_from(
                self.analysis(weights, draws, seed),
                self.evidence_rows(),
                self.contacts(),
                self.insider_links(),
                self.conversations(),
                self.table("prep_questions"),
                disprove_questions(self.workbook),
                n=n,
                **self.engine_settings("reliability", "thresholds", "conversation_cost"),
            )
        return self._results[key]


def _hashable(value: Any) -> Hashable:
    return value if isinstance(value, Hashable) else repr(value)


def _key(weights: Mapping[int, float] | None) -> Hashable:
    """A cache key for a weights mapping (``repr`` keeps odd values distinct without hashing them)."""
    if weights is None:
        return None
    try:
        return tuple(sorted(weights.items()))
    except (AttributeError, TypeError):
        return ("unhashable", repr(weights))
