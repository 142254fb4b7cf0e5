"""Which career paths the evidence supports, how sure that is, and what to find out next.

Pure functions over the DataFrames the workbook returns: no widgets, no files.

How the evidence is weighed, in plain words
-------------------------------------------
**Votes.** Each insight is a vote on one option × criterion (a *cell*): a stance
of +2 is two votes for, +1 one vote for, −1 one against, −2 two against, and a
neutral 0 is one vote split half for, half against. A vote counts by *how
reliable its source is* (:data:`SOURCE_RELIABILITY`: a first-hand interview 1,
own experience 0.8, second-hand 0.5, job postings and desk research 0.4, online
reviews 0.25) times *how sure you were* (:data:`CONFIDENCE_WEIGHT`: high 1,
medium 0.75, low 0.5). The reliability factors can be changed with the
workbook setting ``source_reliability`` (source name -> factor from 0 to 1).

**Independent sources.** Five notes from one conversation are one source, not
five. Notes are grouped by conversation, else by the person they came from;
a note with neither (an online review, desk research) is a source of its own,
at its lower reliability. Per cell, a source gives its *largest* vote for, its
largest vote against and its largest neutral vote, and the sources' votes are
added up. So a cell's votes for can only grow when a note in favour is added.

**Pulled towards neutral.** Every cell starts with one imaginary vote for and
one against (:data:`PRIOR_VOTES`). Its score is
``2 × (for − against) / (for + against + 2)``: with no evidence it is 0; one
enthusiastic first-hand remark (+2, high confidence) gives +1, not +2; only
many independent sources pointing the same way come close to ±2. Because
votes for only ever raise the score, a positive note never lowers a score.

**How sure.** A cell's spread shrinks like a poll's: ``2 / sqrt(votes + 1)``,
counting the two imaginary votes, so more independent evidence always narrows
it. An option's score is the weighted average of its cells (weights scaled to
add up to 1). Its interval (``low`` to ``high``) is a 90% interval: the score
± 1.645 × the weighted sum of the cells' spreads; where that would pass −2 or
+2 it is moved inwards, keeping its width, so a narrower interval always
means more certainty. The spreads are added, not averaged away, because what you do not know about one
path tends to go together: a path you know little about keeps a wide
interval however many criteria you have. With no evidence at all a score is
0 with the widest interval.

**Chance of being best** (``p_best``). A seeded simulation draws 2,000 possible
worlds. In each, every weight is nudged up or down at random (typically by
about a quarter, :data:`WEIGHT_SPREAD`), because a weight of "3" is a rough
feeling, and every option's score is drawn from its evidence (its mean and
spread). ``p_best`` is the share of worlds in which the option comes out on
top (a tie is shared). The same seed always gives the same answer; the
chances add up to 1.

Sensitivity and the next conversation are in :mod:`workbook.evidence.decisions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .decisions import _leader_order, next_conversations, sensitivity
from .model import (
    CONFIDENCE_WEIGHT,
    INTERVAL_Z,
    PRIOR_VOTES,
    SOURCE_RELIABILITY,
    Cells,
    aggregate,
    cell_sd,
)

#: Most simulated what-ifs ``compare`` accepts (memory grows with options × draws).
MAX_DRAWS = 100_000
#: Typical relative change of a weight in the simulation (log-normal spread).
WEIGHT_SPREAD = 0.25

COMPARE_COLUMNS = ["title", "score", "low", "high", "p_best", "n_insights", "n_sources", "covered"]
CELL_COLUMNS = [
    "option_id",
    "option",
    "criterion_id",
    "criterion",
    "weight",
    "score",
    "low",
    "high",
    "votes_for",
    "votes_against",
    "n_insights",
    "n_sources",
]

__all__ = [
    "CONFIDENCE_WEIGHT",
    "PRIOR_VOTES",
    "SOURCE_RELIABILITY",
    "WEIGHT_SPREAD",
    "cells",
    "compare",
    "next_conversations",
    "sensitivity",
]


def interval(mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """90% interval: mean ± 1.645 sd, moved inwards (same width) where it would pass −2 or +2."""
    half = np.minimum(INTERVAL_Z * sd, 2.0)
    low = np.clip(mean - half, -2.0, 2.0 - 2.0 * half)
    return low, low + 2.0 * half


def option_scores(cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    """Each option's score and spread at the given weights (no criteria: 0 with one empty cell's spread)."""
    if cells.criterion_ids.size == 0:
        n = cells.option_ids.size
        return np.zeros(n), np.full(n, float(cell_sd(np.zeros(1), np.zeros(1))[0]))
    w = cells.weights
    return cells.mean @ w, cells.sd @ w


def _check_draws(draws: object, seed: object) -> None:
    if isinstance(draws, bool) or not isinstance(draws, Integral) or not 1 <= int(draws) <= MAX_DRAWS:
        raise ValidationError("draws", f"must be a whole number from 1 to {MAX_DRAWS:,}, not {draws!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral) or int(seed) < 0):
        raise ValidationError("seed", f"must be a whole number of 0 or more, not {seed!r}")


def chance_best(cells: Cells, draws: int = 2000, seed: int | None = 0) -> np.ndarray:
    """Share of simulated worlds (weights and evidence both uncertain) in which each option is on top."""
    n_o, n_c = cells.option_ids.size, cells.criterion_ids.size
    if n_o == 0:
        return np.zeros(0)
    if n_c == 0:
        return np.full(n_o, 1.0 / n_o)
    rng = np.random.default_rng(seed)
    base = cells.raw_weights if cells.raw_weights.sum() > 0 else np.ones(n_c)
    nudged = base * np.exp(WEIGHT_SPREAD * rng.standard_normal((draws, n_c)) - WEIGHT_SPREAD**2 / 2)
    nudged /= nudged.sum(axis=1, keepdims=True)
    # Given a world's weights an option's score is normal with mean Σ w·mean and spread Σ w·sd.
    scores = cells.mean @ nudged.T + (cells.sd @ nudged.T) * rng.standard_normal((n_o, draws))
    best = scores == scores.max(axis=0, keepdims=True)
    return (best / best.sum(axis=0, keepdims=True)).mean(axis=1)


def compare(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    weights: Mapping[int, float] | None = None,
    draws: int = 2000,
    seed: int | None = 0,
    reliability: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """One row per option (index ``option_id``), best supported first.

    Columns: ``title``; ``score`` (−2..+2, 0 = no evidence either way);
    ``low``/``high`` (90% interval); ``p_best`` (chance of being the best
    option, adds up to 1); ``n_insights`` (notes); ``n_sources`` (independent
    sources); ``covered`` (share of your weights on criteria with any evidence).
    """
    _check_draws(draws, seed)
    cells = aggregate(options, criteria, insights, weights=weights, reliability=reliability)
    score, sd = option_scores(cells)
    low, high = interval(score, sd)
    covered = (cells.n_sources > 0) @ cells.weights if cells.criterion_ids.size else np.zeros(score.size)
    frame = pd.DataFrame(
        {
            "title": np.array(cells.titles, dtype=object),
            "score": score,
            "low": low,
            "high": high,
            "p_best": chance_best(cells, int(draws), seed),
            "n_insights": cells.option_insights,
            "n_sources": cells.option_sources,
            "covered": covered,
        },
        index=pd.Index(cells.option_ids, name="option_id", dtype="int64"),
        columns=COMPARE_COLUMNS,
    )
    frame["title"] = frame["title"].astype("str")
    return frame.iloc[_leader_order(cells.option_ids, score)]  # best first, ties by id


def cells(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    weights: Mapping[int, float] | None = None,
    reliability: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The evidence per option × criterion, one row per cell (for the heatmap and for reading).

    ``weight`` is the criterion's share of all weights; ``score``, ``low`` and
    ``high`` are the cell's score and 90% interval; ``votes_for`` and
    ``votes_against`` the weighted votes; ``n_sources`` independent sources.
    """
    c = aggregate(options, criteria, insights, weights=weights, reliability=reliability)
    n_o, n_c = c.option_ids.size, c.criterion_ids.size
    low, high = interval(c.mean, c.sd)
    return pd.DataFrame(
        {
            "option_id": np.repeat(c.option_ids, n_c),
            "option": np.repeat(np.array(c.titles, dtype=object), n_c),
            "criterion_id": np.tile(c.criterion_ids, n_o),
            "criterion": np.tile(np.array(c.names, dtype=object), n_o),
            "weight": np.tile(c.weights, n_o),
            "score": c.mean.ravel(),
            "low": low.ravel(),
            "high": high.ravel(),
            "votes_for": c.votes_for.ravel(),
            "votes_against": c.votes_against.ravel(),
            "n_insights": c.n_insights.ravel(),
            "n_sources": c.n_sources.ravel(),
        },
        columns=CELL_COLUMNS,
    ).astype({"option": "str", "criterion": "str"})
