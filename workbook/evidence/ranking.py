"""From cells to options: scores with 90% intervals, chance of being good, of being best, expected loss.

An option's value is V = Σⱼ wⱼ θⱼ, the weighted average of its cells (weights
scaled to add up to 1). Every figure comes from one set of random draws: the
cells of each option drawn together from the model (:mod:`.model`: a person's
leaning moves all the cells they spoke to), and — because a weight of "3" is
a rough feeling — the weights drawn from a Dirichlet distribution centred on
yours (:data:`WEIGHT_CONCENTRATION`: the larger, the closer to your weights).

* ``score``: the expected value of V at your weights (0: neutral).
* ``low``/``high``: a 90% interval of V at your weights.
* ``p_good``: the chance that V is above neutral (0): is this path good for you at all?
* ``p_best``: the share of draws in which the option comes out on top among the
  options with evidence. An option nobody has told you anything about gets no
  chance (NaN, shown as "no evidence"): its wide spread is not evidence.
* ``expected_loss``: how much fit (steps on the −2..+2 scale) you should expect
  to give up by choosing this option instead of the best one,
  E[max V − V_option], averaged over every possibility including those where it
  *is* the best (loss 0). ``loss_if_wrong`` is the same only over the
  possibilities where it is not the best: what a wrong choice would cost.
* ``covered``: the share of your weights on criteria with any evidence;
  ``n_people`` the people (and ``n_documents`` the kinds of documents) heard.
* ``ranks``: SMAA-2 rank acceptabilities, the share of draws in which each
  option with evidence takes each rank (rank 1 is ``p_best``; NaN for the others).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..store.fields import limits
from .model import INTERVAL, Posterior, posterior, readings
from .noise import learn

#: Most simulated draws ``compare`` accepts (memory grows with options × criteria × draws).
MAX_DRAWS = 100_000
#: Concentration of the Dirichlet distribution of the weights around yours.
WEIGHT_CONCENTRATION = 50.0
#: Upper end of the weight range (the criteria field's own limit).
WEIGHT_MAX = limits("criteria", "weight")[1]
#: An option's evidence is thin while fewer people than this spoke to it, or less than this share of
#: your weights has any evidence.
THIN_PEOPLE = 2
THIN_COVERED = 0.5

COMPARE_COLUMNS = [
    "title",
    "score",
    "low",
    "high",
    "p_good",
    "p_best",
    "p_best_fixed",
    "expected_loss",
    "expected_loss_fixed",
    "loss_if_wrong",
    "n_insights",
    "n_sources",
    "n_people",
    "n_documents",
    "covered",
    "thin",
]
CELL_COLUMNS = [
    "option_id",
    "option",
    "criterion_id",
    "criterion",
    "weight",
    "score",
    "low",
    "high",
    "n_insights",
    "n_sources",
    "n_for",
    "n_against",
]


def resolve_weights(criteria: pd.DataFrame, weights: Mapping[int, float] | None) -> np.ndarray:
    """Raw weights in the order of the criteria's ids (stored weights, overridden by ``weights``)."""
    criteria = criteria.sort_values("id", kind="stable") if len(criteria) else criteria
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
    if raw.size == 0:
        return raw
    total = raw.sum()
    return raw / total if total > 0 else np.full(raw.shape, 1.0 / raw.size)


def check_draws(draws: object, seed: object) -> None:
    if isinstance(draws, bool) or not isinstance(draws, Integral) or not 1 <= int(draws) <= MAX_DRAWS:
        raise ValidationError("draws", f"must be a whole number from 1 to {MAX_DRAWS:,}, not {draws!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral) or int(seed) < 0):
        raise ValidationError("seed", f"must be a whole number of 0 or more, not {seed!r}")


def check_concentration(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ValidationError("weight_concentration", f"must be a number above 0, not {value!r}")
    return float(value)


@dataclass
class Analysis:
    """One workbook's evidence, analysed once: the cell posteriors and the option-level draws."""

    post: Posterior
    titles: list[str]
    names: list[str]
    raw_weights: np.ndarray
    #: Values of every option in each draw: at your weights, and with the weights uncertain.
    value_fixed: np.ndarray  # (draws, options)
    value: np.ndarray  # (draws, options)

    @property
    def option_ids(self) -> np.ndarray:
        return self.post.readings.option_ids

    @property
    def criterion_ids(self) -> np.ndarray:
        return self.post.readings.criterion_ids

    @property
    def weights(self) -> np.ndarray:
        return normalise(self.raw_weights)

    @property
    def cell_mean(self) -> np.ndarray:
        """Posterior mean per cell, shape (options, criteria)."""
        return self.post.mean.reshape(self.post.readings.shape)

    @property
    def score(self) -> np.ndarray:
        if self.criterion_ids.size == 0:
            return np.zeros(self.option_ids.size)
        return self.cell_mean @ self.weights

    @property
    def has_evidence(self) -> np.ndarray:
        return self.post.readings.option_sources > 0

    @property
    def covered(self) -> np.ndarray:
        """Per option, the share of your weights on criteria with any evidence."""
        r = self.post.readings
        if self.criterion_ids.size == 0:
            return np.zeros(self.option_ids.size)
        return (r.n_sources.reshape(r.shape) > 0) @ self.weights

    @property
    def n_people(self) -> np.ndarray:
        r = self.post.readings
        return r.option_sources - r.option_documents

    @property
    def thin(self) -> np.ndarray:
        """Options with evidence, but from fewer than :data:`THIN_PEOPLE` sources or on little of what matters."""
        r = self.post.readings
        return self.has_evidence & ((r.option_sources < THIN_PEOPLE) | (self.covered < THIN_COVERED))

    def contenders(self) -> np.ndarray:
        """Options the decision is among: those with evidence (all of them when none has any)."""
        has = self.has_evidence
        return has if has.any() else np.ones_like(has)

    def expected_loss(self, fixed: bool = False) -> np.ndarray:
        """E[max over the contenders (and the option itself) of V − V_option]; weights uncertain unless ``fixed``."""
        if self.option_ids.size == 0:
            return np.zeros(0)
        v = self.value_fixed if fixed else self.value
        best = v[:, self.contenders()].max(axis=1)
        return np.maximum(best[:, None], v).mean(axis=0) - v.mean(axis=0)

    def loss_if_wrong(self) -> np.ndarray:
        """E[max V − V_option | the option is not the best]: what choosing it costs when it is the wrong choice."""
        if self.option_ids.size == 0:
            return np.zeros(0)
        v = self.value
        best = np.maximum(v[:, self.contenders()].max(axis=1)[:, None], v)
        gap = best - v
        wrong = gap > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(wrong.any(axis=0), (gap * wrong).sum(axis=0) / wrong.sum(axis=0), 0.0)

    def p_best(self, fixed: bool = False) -> np.ndarray:
        """Share of draws in which each option with evidence is the best of them; NaN for the others."""
        v = self.value_fixed if fixed else self.value
        out = np.full(self.option_ids.size, np.nan)
        has = self.contenders()
        if v.shape[1] == 0 or not has.any():
            return out
        sub = v[:, has]
        top = sub >= sub.max(axis=1, keepdims=True)
        out[has] = (top / top.sum(axis=1, keepdims=True)).mean(axis=0)
        if not self.has_evidence.any():
            out[:] = np.nan
        return out

    def p_good(self) -> np.ndarray:
        """Chance that each option's value is above neutral; NaN for options without evidence."""
        out = (self.value > 0).mean(axis=0) + 0.5 * (self.value == 0).mean(axis=0)
        return np.where(self.has_evidence, out, np.nan)

    def p_ahead(self, a: int, b: int) -> float:
        """Chance that option ``a`` (index) is better than option ``b``."""
        d = self.value[:, a] - self.value[:, b]
        return float((d > 0).mean() + 0.5 * (d == 0).mean())

    def difference(self, a: int, b: int) -> np.ndarray:
        """Draws of V_a − V_b (weights uncertain)."""
        return self.value[:, a] - self.value[:, b]

    def ranks(self, fixed: bool = False) -> np.ndarray:
        """Share of draws in which each option takes each rank: shape (options, ranks); ties share.

        Only the options with evidence are ranked (as for :meth:`p_best`): the rows of the others are NaN
        (all of them when no option has evidence).
        """
        v = self.value_fixed if fixed else self.value
        n = v.shape[1]
        if n == 0:
            return np.zeros((0, 0))
        ranked = self.has_evidence
        jitter = np.random.default_rng(0).random(v.shape) * 1e-12
        order = np.flatnonzero(ranked)[np.argsort(-(v + jitter)[:, ranked], axis=1, kind="stable")]
        ranks = np.zeros((n, n))
        for r in range(order.shape[1]):
            ranks[:, r] = np.bincount(order[:, r], minlength=n)
        ranks[~ranked] = np.nan
        return ranks / v.shape[0]


def analyse(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    weights: Mapping[int, float] | None = None,
    draws: int = 2000,
    seed: int | None = 0,
    reliability: Mapping[str, float] | None = None,
    weight_concentration: float = WEIGHT_CONCENTRATION,
    post: Posterior | None = None,
) -> Analysis:
    """Cell posteriors and option values in ``draws`` random draws (same seed, same answer).

    ``post``: a posterior already computed for the same tables (weights do not change it).
    """
    check_draws(draws, seed)
    concentration = check_concentration(weight_concentration)
    options = options.sort_values("id", kind="stable") if len(options) else options
    criteria = criteria.sort_values("id", kind="stable") if len(criteria) else criteria
    raw = resolve_weights(criteria, weights)
    if post is None:
        r = readings(options, criteria, insights, reliability=reliability)
        post = posterior(r, learn(r))
    n_o, n_c = post.readings.shape
    titles = [str(t) for t in options["title"]] if "title" in options else [str(i) for i in post.readings.option_ids]
    names = [str(n) for n in criteria["name"]] if "name" in criteria else [str(i) for i in post.readings.criterion_ids]
    rng = np.random.default_rng(seed)
    draws = int(draws)
    if n_c == 0 or n_o == 0:
        zero = np.zeros((draws, n_o))
        return Analysis(post, titles, names, raw, zero, zero.copy())
    theta = post.draw_by_cell(draws, rng).reshape(n_o, n_c, draws)
    w = normalise(raw)
    sampled = np.zeros((draws, n_c))
    positive = w > 0
    if positive.sum() > 1:
        sampled[:, positive] = rng.dirichlet(concentration * w[positive], draws)
    else:
        sampled[:, positive] = 1.0
    # Σ over the criteria for each option and draw, in single precision (the draws are).
    value_fixed = np.einsum("ocd,c->od", theta, w.astype(np.float32))
    value = np.einsum("ocd,cd->od", theta, np.ascontiguousarray(sampled.T, dtype=np.float32))
    return Analysis(post, titles, names, raw, value_fixed.T.astype(np.float64), value.T.astype(np.float64))


def leader_order(a: Analysis) -> np.ndarray:
    """Options best supported first: those with evidence by score, then those without; ties by id."""
    return np.lexsort((a.option_ids, -np.round(a.score, 12), ~a.has_evidence))


def option_intervals(a: Analysis) -> tuple[np.ndarray, np.ndarray]:
    """Each option's 90% interval at your weights (from the draws; exactly 0 to 0 for no criteria)."""
    if a.value_fixed.shape[1] == 0 or a.value_fixed.shape[0] == 0:
        n = a.option_ids.size
        return np.zeros(n), np.zeros(n)
    low, high = np.quantile(a.value_fixed, INTERVAL, axis=0)
    # An option nobody has spoken about is symmetric around neutral: use that, so its interval is too. Every
    # such option has the same distribution (its cells' prior, its level's), so their draws are pooled: one
    # interval for all of them, from all their draws.
    silent = ~a.has_evidence
    if silent.any():
        half = np.quantile(np.abs(a.value_fixed[:, silent]), INTERVAL[1] - INTERVAL[0])
        low[silent], high[silent] = -half, half
    return low, high


def comparison_frame(a: Analysis) -> pd.DataFrame:
    """The table :func:`compare` returns, from an analysis."""
    score = a.score
    low, high = option_intervals(a)
    r = a.post.readings
    frame = pd.DataFrame(
        {
            "title": pd.array(a.titles, dtype="str"),
            "score": score,
            "low": np.minimum(low, score),
            "high": np.maximum(high, score),
            "p_good": a.p_good(),
            "p_best": a.p_best(),
            "p_best_fixed": a.p_best(fixed=True),
            "expected_loss": a.expected_loss(),
            "expected_loss_fixed": a.expected_loss(fixed=True),
            "loss_if_wrong": a.loss_if_wrong(),
            "n_insights": r.option_insights,
            "n_sources": r.option_sources,
            "n_people": a.n_people,
            "n_documents": r.option_documents,
            "covered": a.covered,
            "thin": a.thin,
        },
        index=pd.Index(a.option_ids, name="option_id", dtype="int64"),
        columns=COMPARE_COLUMNS,
    )
    return frame.iloc[leader_order(a)]


def ranks_frame(a: Analysis, fixed: bool = False) -> pd.DataFrame:
    """SMAA-2 rank acceptabilities: index option id, one column per rank (1 = best), rows add up to 1."""
    shares = a.ranks(fixed=fixed)
    n = a.option_ids.size
    frame = pd.DataFrame(
        shares,
        index=pd.Index(a.option_ids, name="option_id", dtype="int64"),
        columns=pd.Index(range(1, n + 1), name="rank"),
    )
    frame.insert(0, "title", pd.array(a.titles, dtype="str"))
    return frame.iloc[leader_order(a)]


def cells_frame(a: Analysis) -> pd.DataFrame:
    """The evidence per option × criterion, one row per cell (for the heatmap and for reading)."""
    r = a.post.readings
    n_o, n_c = r.shape
    low, high = a.post.interval() if n_o * n_c else (np.zeros(0), np.zeros(0))
    return pd.DataFrame(
        {
            "option_id": np.repeat(a.option_ids, n_c),
            "option": np.repeat(np.array(a.titles, dtype=object), n_c),
            "criterion_id": np.tile(a.criterion_ids, n_o),
            "criterion": np.tile(np.array(a.names, dtype=object), n_o),
            "weight": np.tile(a.weights, n_o),
            "score": a.post.mean,
            "low": low,
            "high": high,
            "n_insights": r.n_insights,
            "n_sources": r.n_sources,
            "n_for": r.n_for,
            "n_against": r.n_against,
        },
        columns=CELL_COLUMNS,
    ).astype({"option": "str", "criterion": "str"})
