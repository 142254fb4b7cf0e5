"""The evidence model's building blocks: how much each note counts, and the evidence per cell.

A *cell* is one option × one criterion. :func:`aggregate` turns the insights
into, for every cell, the weighted votes for and against and the number of
independent sources behind them. :func:`cell_mean` and :func:`cell_sd` turn
votes into a score on the stance scale and its spread. The plain-words account
of the model is in :mod:`workbook.evidence`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError

#: How much one note counts by the kind of source it came from (1 = a first-hand interview).
SOURCE_RELIABILITY: dict[str, float] = {
    "interview": 1.0,  # first-hand, from someone who does the work
    "own-experience": 0.8,  # you did this work yourself (an internship, a side project)
    "second-hand": 0.5,  # someone who knows someone who does the work
    "job-posting": 0.4,  # what employers say they want, not what the work is
    "desk-research": 0.4,  # articles, salary surveys, statistics
    "online-review": 0.25,  # anonymous, self-selected, impossible to check
}
#: Used for a source name the table above does not know.
UNKNOWN_SOURCE_RELIABILITY = min(SOURCE_RELIABILITY.values())

#: How much one note counts by how sure you were when you wrote it down.
CONFIDENCE_WEIGHT: dict[str, float] = {"low": 0.5, "medium": 0.75, "high": 1.0}

#: Imaginary votes each cell starts with on each side: the pull towards neutral.
PRIOR_VOTES = 1.0
#: low/high are a 90% interval: mean ± 1.645 standard deviations.
INTERVAL_Z = 1.6449
#: Upper end of the weight range (the same as the criteria form allows).
WEIGHT_MAX = 100.0


def resolve_reliability(reliability: Mapping[str, float] | None) -> dict[str, float]:
    """The defaults, overridden by ``reliability`` (source name -> factor between 0 and 1)."""
    merged = dict(SOURCE_RELIABILITY)
    for name, value in (reliability or {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValidationError("reliability", f"the factor for {name!r} must be a number, not {value!r}")
        if not 0.0 <= float(value) <= 1.0:
            raise ValidationError("reliability", f"the factor for {name!r} is {value}; it must be between 0 and 1")
        merged[str(name)] = float(value)
    return merged


def resolve_weights(criteria: pd.DataFrame, weights: Mapping[int, float] | None) -> np.ndarray:
    """Raw weights in the order of ``criteria`` (stored weights, overridden by ``weights``)."""
    ids = criteria["id"].to_numpy(dtype="int64") if len(criteria) else np.zeros(0, dtype="int64")
    raw = criteria["weight"].to_numpy(dtype="float64", copy=True) if len(criteria) else np.zeros(0)
    if weights:
        position = {int(cid): i for i, cid in enumerate(ids)}
        for key, value in weights.items():
            try:
                cid = int(key)
            except (TypeError, ValueError):
                raise ValidationError("weights", f"{key!r} is not a criterion id") from None
            if cid not in position:
                raise ValidationError("weights", f"there is no criterion with id {cid}")
            if isinstance(value, bool) or not isinstance(value, int | float | np.number) or not math.isfinite(value):
                raise ValidationError("weights", f"the weight of criterion {cid} must be a number, not {value!r}")
            if not 0.0 <= float(value) <= WEIGHT_MAX:
                raise ValidationError("weights", f"the weight of criterion {cid} is {value}; it must be 0 to 100")
            raw[position[cid]] = float(value)
    return raw


def normalise(raw: np.ndarray) -> np.ndarray:
    """Weights that add up to 1 (all zero: every criterion counts the same)."""
    total = raw.sum()
    if raw.size == 0:
        return raw
    return raw / total if total > 0 else np.full(raw.shape, 1.0 / raw.size)


def cell_mean(votes_for: np.ndarray, votes_against: np.ndarray) -> np.ndarray:
    """Score on the stance scale: 2 × (for − against) / (for + against + both prior votes)."""
    return 2.0 * (votes_for - votes_against) / (votes_for + votes_against + 2.0 * PRIOR_VOTES)


def cell_sd(votes_for: np.ndarray, votes_against: np.ndarray) -> np.ndarray:
    """Spread of a cell's score: 2 / sqrt(votes + 1), votes counting the prior (shrinks like a poll's)."""
    return 2.0 / np.sqrt(votes_for + votes_against + 2.0 * PRIOR_VOTES + 1.0)


@dataclass
class Cells:
    """Evidence per option × criterion, arrays shaped (options, criteria), options and criteria sorted by id."""

    option_ids: np.ndarray
    titles: list[str]
    criterion_ids: np.ndarray
    names: list[str]
    raw_weights: np.ndarray
    votes_for: np.ndarray
    votes_against: np.ndarray
    n_insights: np.ndarray
    n_sources: np.ndarray
    option_insights: np.ndarray  # per option
    option_sources: np.ndarray  # per option: distinct sources over all criteria

    @property
    def weights(self) -> np.ndarray:
        return normalise(self.raw_weights)

    @property
    def mean(self) -> np.ndarray:
        return cell_mean(self.votes_for, self.votes_against)

    @property
    def sd(self) -> np.ndarray:
        return cell_sd(self.votes_for, self.votes_against)


def _lookup(values: pd.Series, table: Mapping[str, float], default: float) -> np.ndarray:
    """``table[value]`` for every value (``default`` for unknown ones), via the few distinct values."""
    codes, uniques = pd.factorize(values)
    factors = np.array([table.get(str(u), default) for u in uniques] + [default], dtype="float64")
    return factors[codes]  # code -1 (missing) picks the default at the end


def _ids(frame: pd.DataFrame, column: str, keep: np.ndarray) -> np.ndarray | None:
    """An optional id column as floats (NaN where empty), for the kept rows."""
    if column not in frame:
        return None
    return frame[column].to_numpy(dtype="float64", na_value=np.nan)[keep]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("id", kind="stable") if len(frame) else frame


def aggregate(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    weights: Mapping[int, float] | None = None,
    reliability: Mapping[str, float] | None = None,
) -> Cells:
    """Weighted votes for and against per cell, each independent source counted once.

    Within one source (a conversation, else a contact, else the note itself) a
    cell gets the *largest* vote for, the largest vote against and the largest
    neutral vote among that source's notes, so repeating a point in five notes
    does not make it five sources, and adding a note never takes votes away.
    """
    options, criteria = _sorted(options), _sorted(criteria)
    rel = resolve_reliability(reliability)
    option_ids = options["id"].to_numpy(dtype="int64") if len(options) else np.zeros(0, dtype="int64")
    criterion_ids = criteria["id"].to_numpy(dtype="int64") if len(criteria) else np.zeros(0, dtype="int64")
    n_o, n_c = option_ids.size, criterion_ids.size
    shape = (n_o, n_c)
    zeros = np.zeros(shape)
    cells = Cells(
        option_ids,
        [str(t) for t in options.get("title", [])],
        criterion_ids,
        [str(n) for n in criteria.get("name", [])],
        resolve_weights(criteria, weights),
        zeros.copy(),
        zeros.copy(),
        np.zeros(shape, dtype="int64"),
        np.zeros(shape, dtype="int64"),
        np.zeros(n_o, dtype="int64"),
        np.zeros(n_o, dtype="int64"),
    )
    if not len(insights) or not n_o or not n_c:
        return cells
    o = pd.Index(option_ids).get_indexer(insights["option_id"].to_numpy(dtype="int64"))
    c = pd.Index(criterion_ids).get_indexer(insights["criterion_id"].to_numpy(dtype="int64"))
    keep = (o >= 0) & (c >= 0)  # notes on archived options or criteria do not count
    if not keep.any():
        return cells
    ins = insights
    o, c = o[keep], c[keep]
    w = _lookup(ins["source"], rel, UNKNOWN_SOURCE_RELIABILITY)[keep]
    w *= _lookup(ins["confidence"], CONFIDENCE_WEIGHT, CONFIDENCE_WEIGHT["medium"])[keep]
    stance = ins["stance"].to_numpy(dtype="float64")[keep]
    # Independent source: the conversation, else the person, else the note on its own.
    conv = _ids(ins, "conversation_id", keep)
    person = _ids(ins, "contact_id", keep)
    row = ins["id"].to_numpy(dtype="float64")[keep] if "id" in ins else np.flatnonzero(keep).astype("float64")
    source = 3.0 * row + 2.0
    if person is not None:
        source = np.where(np.isnan(person), source, 3.0 * person + 1.0)
    if conv is not None:
        source = np.where(np.isnan(conv), source, 3.0 * conv)
    source = source.astype("int64")
    cell = o * n_c + c
    # Per (cell, source): the largest vote for, against and neutral (sorted, then reduced per group).
    key = cell.astype("int64") * (int(source.max()) + 1) + source
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    s, w = stance[order], w[order]
    best_for = np.maximum.reduceat(np.where(s > 0, s * w, 0.0), starts)
    best_against = np.maximum.reduceat(np.where(s < 0, -s * w, 0.0), starts)
    half_neutral = np.maximum.reduceat(np.where(s == 0, w, 0.0), starts) / 2.0
    group_cell = cell[order][starts]
    size = n_o * n_c
    cells.votes_for = np.bincount(group_cell, best_for + half_neutral, size).reshape(shape)
    cells.votes_against = np.bincount(group_cell, best_against + half_neutral, size).reshape(shape)
    cells.n_sources = np.bincount(group_cell, minlength=size).reshape(shape)
    cells.n_insights = np.bincount(cell, minlength=size).reshape(shape)
    cells.option_insights = np.bincount(o, minlength=n_o)
    option_source = np.unique(o.astype("int64") * (int(source.max()) + 1) + source) // (int(source.max()) + 1)
    cells.option_sources = np.bincount(option_source, minlength=n_o)
    return cells
