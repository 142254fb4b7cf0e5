"""The workbook of the public contract: the store's :class:`~workbook.store.Workbook`, plus the analysis.

``from workbook import open_workbook`` gives this :class:`Workbook`: everything
the store offers, and the comparison as methods (``wb.compare()``,
``wb.ranks()``, ``wb.sensitivity()``, ``wb.next_conversations()``,
``wb.decide()``). Each is a thin convenience over the analysis of a fresh
snapshot (:mod:`workbook.evidence.engine`), so the store itself never reaches up
into the analysis. Code inside the package calls the ``*_for`` functions on a
snapshot instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from . import paths as _paths
from .store import workbook as _store

if TYPE_CHECKING:
    import pandas as pd

    from .evidence.engine import Decision

Weights = Mapping[int, float] | None


class Workbook(_store.Workbook):
    """One workbook file: the store's reads and writes, and the comparison of the evidence."""

    def compare(self, weights: Weights = None, draws: int = 2000, seed: int = 0) -> pd.DataFrame:
        """Which options the evidence supports: score, 90% interval, chance of being good and of being best,
        expected loss. ``weights`` (criterion id -> weight) overrides the stored weights for this answer."""
        from .evidence.engine import compare_for

        return compare_for(self.snapshot(), weights=weights, draws=draws, seed=seed)

    def ranks(self, weights: Weights = None, draws: int = 2000, seed: int = 0) -> pd.DataFrame:
        """Share of draws in which each option with evidence takes each rank (1 = best), per option (SMAA-2)."""
        from .evidence.engine import ranks_for

        return ranks_for(self.snapshot(), weights=weights, draws=draws, seed=seed)

    def cells(self, weights: Weights = None) -> pd.DataFrame:
        """The evidence per option × criterion: score, 90% interval, sources, notes for and against."""
        from .evidence.engine import cells_for

        return cells_for(self.snapshot(), weights=weights)

    def sensitivity(self, weights: Weights = None) -> pd.DataFrame:
        """For each criterion, how far its weight must move before the leading option changes."""
        from .evidence.engine import sensitivity_for

        return sensitivity_for(self.snapshot(), weights=weights)

    def next_conversations(self, n: int = 5, weights: Weights = None) -> pd.DataFrame:
        """Who to talk to next (a person covers every option they know), and why."""
        from .evidence.engine import next_conversations_for

        return next_conversations_for(self.snapshot(), n=n, weights=weights)

    def decide(self, weights: Weights = None, n: int = 5, draws: int = 2000, seed: int = 0) -> Decision:
        """Scores, the verdict in words, the next conversations, the stop rule and warnings, from one analysis."""
        from .evidence.engine import decide_for

        return decide_for(self.snapshot(), weights=weights, n=n, draws=draws, seed=seed)


def open_workbook(path: str | os.PathLike | None = None, *, create: bool = True) -> Workbook:
    """Open the workbook at ``path``; ``None`` means ``$CAREER_WORKBOOK``, else the per-user default.

    The file (and its folder) is created if missing.
    """
    return Workbook(_paths.resolve(path), create=create)
