"""The measurement model: what one note says about one option × criterion, and the exact posterior.

A *cell* is one option × one criterion. Its unknown true value θ lies on the
stance scale −2..+2 (0: neither good nor bad for you, +2: as good as it gets).

**A note is a rounded, noisy reading of θ.** Someone who does the work tells
you how it is; you write it down as a whole stance from −2 to +2. The model:
their impression is θ plus noise, and you round it to the nearest stance, so

    P(stance = s | θ) = Φ((s + ½ − θ) / σᵢ) − Φ((s − ½ − θ) / σᵢ)

with the end stances open (−2 covers everything below −1.5, +2 everything above
+1.5). A small share (:data:`STRAY`) of notes is allowed to be anything at all
(a misheard remark, a typo), so one stray note never makes the rest impossible.

**How noisy a note is** depends on who said it and how sure you were
(:func:`reading_noise`): σᵢ² = σ² / confidence + B² × (1 / reliability − 1).
The first part is how far people who do the work stray from the truth (σ,
learned, below), widened when you were unsure; the second is what a less
reliable kind of source adds on top whatever the insiders say — an online
review is self-selected and unverifiable, so it is a noisier reading of the
same truth, not a smaller vote (:data:`SOURCE_RELIABILITY`,
:data:`CONFIDENCE_WEIGHT`, :data:`SOURCE_BIAS`; the reliabilities can be
changed in the settings). A first-hand interview adds nothing on top.

**σ is learned from your own notes.** How far insiders' impressions stray from
the truth is not known in advance. Each cell has its own σ, drawn from a
distribution over a grid of values (:data:`SIGMA_GRID`) that is learned from
all your cells at once, starting from a weak prior centred on
:data:`SIGMA_PRIOR_MEDIAN`. Where the people you spoke with agree, small σ
explains their notes best and the interval is narrow; where they disagree, a
larger σ is needed and the interval widens.

**People, not conversations, are independent.** Everything one person told
you about a cell — in any number of conversations or notes, first-hand or
passed on by someone else (``heard_from``) — is one reading: the person's
notes are combined into one likelihood (their precision-weighted geometric
mean), so the same view told three times counts once. Your own experience is
one source (you). A note from a document (online review, job posting, desk
research) is a source of its own.

**Exact posterior on a grid.** θ is represented on :data:`GRID_SIZE` equal
bins covering −2..+2 exactly; the prior is flat (every value equally likely:
"no evidence" says nothing), the likelihoods multiply and the result is
normalised. Means, 90% intervals and random draws come straight from the grid,
so nothing ever falls outside −2..+2 and no interval is moved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtr

# ---------------------------------------------------------------- settings
#: How reliable a kind of source is (1 = someone who does the work, speaking first-hand).
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
#: How sure you were when you wrote the note down.
CONFIDENCE_WEIGHT: dict[str, float] = {"low": 0.5, "medium": 0.75, "high": 1.0}
#: Sources that are documents, not people: each such note is an independent source of its own.
DOCUMENT_SOURCES = frozenset({"online-review", "job-posting", "desk-research"})

#: B: the extra spread (stance steps) a source of reliability ½ adds to every reading it gives.
SOURCE_BIAS = 1.0

# ---------------------------------------------------------------- the grid
#: Bins of θ on −2..+2 (each 0.025 wide).
GRID_SIZE = 160
EDGES = np.linspace(-2.0, 2.0, GRID_SIZE + 1)
THETA = (EDGES[:-1] + EDGES[1:]) / 2.0
BIN_WIDTH = 4.0 / GRID_SIZE
#: Possible noise levels σ of a fully reliable, sure note (stance steps).
SIGMA_GRID = np.geomspace(0.12, 3.0, 16)
#: The weak prior on σ: centred here (in stance steps) ...
SIGMA_PRIOR_MEDIAN = 0.6
#: ... spread this much (log scale) ...
SIGMA_PRIOR_SPREAD = 1.0
#: ... and worth as much as this many cells of evidence.
SIGMA_PRIOR_CELLS = 2.0
#: Share of notes allowed to be anything at all.
STRAY = 0.01
#: Stances, lowest first.
STANCES = np.arange(-2, 3)
#: The 90% interval: from the 5% to the 95% point.
INTERVAL = (0.05, 0.95)
#: Levels at which each cell's quantile function is tabulated for random draws.
DRAW_LEVELS = 1024
#: Most iterations when learning the distribution of σ.
EM_STEPS = 300


def resolve_reliability(reliability: Mapping[str, float] | None) -> dict[str, float]:
    """The defaults, overridden by ``reliability`` (source name -> factor, more than 0 and at most 1)."""
    from ..errors import ValidationError

    merged = dict(SOURCE_RELIABILITY)
    for name, value in (reliability or {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValidationError("reliability", f"the factor for {name!r} must be a number, not {value!r}")
        if not 0.0 < float(value) <= 1.0:
            raise ValidationError(
                "reliability", f"the factor for {name!r} is {value}; it must be more than 0 and at most 1"
            )
        merged[str(name)] = float(value)
    return merged


def reading_noise(sigma: np.ndarray | float, reliability: np.ndarray | float, confidence: np.ndarray | float):
    """σᵢ of a reading: σ² / confidence + SOURCE_BIAS² × (1 / reliability − 1), square-rooted."""
    return np.sqrt(np.square(sigma) / confidence + SOURCE_BIAS**2 * (1.0 / np.asarray(reliability) - 1.0))


def reading_probabilities(sigma: np.ndarray) -> np.ndarray:
    """P(stance | θ) for each noise level: shape (len(sigma), 5 stances, GRID_SIZE)."""
    sigma = np.asarray(sigma, dtype="float64")[:, None, None]
    upper = np.append(STANCES[:-1] + 0.5, np.inf)[None, :, None]
    lower = np.insert(STANCES[1:] - 0.5, 0, -np.inf)[None, :, None]
    p = ndtr((upper - THETA) / sigma) - ndtr((lower - THETA) / sigma)
    return (1.0 - STRAY) * p + STRAY / STANCES.size


def _sigma_prior() -> np.ndarray:
    z = (np.log(SIGMA_GRID) - math.log(SIGMA_PRIOR_MEDIAN)) / SIGMA_PRIOR_SPREAD
    base = np.exp(-0.5 * z**2)
    return base / base.sum()


# ------------------------------------------------------------- the readings
def _lookup(values: pd.Series, table: Mapping[str, float], default: float) -> np.ndarray:
    codes, uniques = pd.factorize(values)
    factors = np.array([table.get(str(u), default) for u in uniques] + [default], dtype="float64")
    return factors[codes]


def _optional_ids(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return frame[column].to_numpy(dtype="float64", na_value=np.nan)


@dataclass
class Readings:
    """The notes of a workbook as readings per cell, people combined (cells are options × criteria, by id)."""

    option_ids: np.ndarray
    criterion_ids: np.ndarray
    #: The noise classes present: (reliability, confidence factor) per row, shape (classes, 2).
    classes: np.ndarray
    #: Per cell, how many readings of each (stance, class) it has: shape (cells, 5 × classes);
    #: one person's notes in a cell add up to one reading.
    counts: np.ndarray
    n_insights: np.ndarray  # per cell
    n_sources: np.ndarray  # per cell: people and documents
    option_insights: np.ndarray
    option_sources: np.ndarray
    #: Per cell: notes against (stance < 0) and notes flagged "against my hopes".
    n_against: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    n_for: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))

    @property
    def shape(self) -> tuple[int, int]:
        return self.option_ids.size, self.criterion_ids.size


def source_keys(insights: pd.DataFrame) -> np.ndarray:
    """Who each note's claim comes from, as one integer per note (equal keys: one independent source).

    The person it was heard from (``heard_from``), else for a first-hand note the
    contact (the conversation's contact is stored on the note), else for your
    own experience you, else the note itself (documents, and notes whose person
    is unknown).
    """
    n = len(insights)
    row = insights["id"].to_numpy(dtype="int64") if "id" in insights else np.arange(n, dtype="int64")
    key = 3 * row + 2  # the note on its own
    source = insights["source"].astype("str").to_numpy() if "source" in insights else np.full(n, "interview")
    contact = _optional_ids(insights, "contact_id")
    heard = _optional_ids(insights, "heard_from")
    person = np.where(np.isnan(heard), np.where(source == "interview", contact, np.nan), heard)
    key = np.where(source == "own-experience", 1, key)
    key = np.where(np.isnan(person), key, 3 * np.nan_to_num(person).astype("int64") + 3)
    return key.astype("int64")


def readings(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    reliability: Mapping[str, float] | None = None,
) -> Readings:
    """Count the readings per cell, each person's notes in a cell combined into one."""
    rel = resolve_reliability(reliability)
    option_ids = np.sort(options["id"].to_numpy(dtype="int64")) if len(options) else np.zeros(0, "int64")
    criterion_ids = np.sort(criteria["id"].to_numpy(dtype="int64")) if len(criteria) else np.zeros(0, "int64")
    n_o, n_c = option_ids.size, criterion_ids.size
    size = n_o * n_c
    empty = Readings(
        option_ids,
        criterion_ids,
        np.ones((1, 2)),
        np.zeros((size, STANCES.size)),
        np.zeros(size, "int64"),
        np.zeros(size, "int64"),
        np.zeros(n_o, "int64"),
        np.zeros(n_o, "int64"),
        np.zeros(size, "int64"),
        np.zeros(size, "int64"),
    )
    if not len(insights) or not size:
        return empty
    if "id" in insights:  # a canonical order, so row order never changes a sum
        insights = insights.sort_values("id", kind="stable")
    o = pd.Index(option_ids).get_indexer(insights["option_id"].to_numpy(dtype="int64"))
    c = pd.Index(criterion_ids).get_indexer(insights["criterion_id"].to_numpy(dtype="int64"))
    keep = (o >= 0) & (c >= 0)  # notes on archived options or criteria do not count
    if not keep.any():
        return empty
    ins = insights[keep]
    o, c = o[keep], c[keep]
    cell = o * n_c + c
    r = np.round(_lookup(ins["source"], rel, UNKNOWN_SOURCE_RELIABILITY), 6)
    conf = np.round(_lookup(ins["confidence"], CONFIDENCE_WEIGHT, CONFIDENCE_WEIGHT["medium"]), 6)
    cls, pairs = pd.MultiIndex.from_arrays([r, conf]).factorize()  # hashing, no sort: fast at 100,000 notes
    classes = np.array([list(p) for p in pairs], dtype="float64").reshape(-1, 2)
    q = 1.0 / np.square(reading_noise(SIGMA_PRIOR_MEDIAN, r, conf))  # precision at a typical σ
    stance = np.clip(ins["stance"].to_numpy(dtype="int64"), -2, 2) + 2
    key = source_keys(ins)
    # One person's notes in a cell: weights that add up to 1, in proportion to each note's precision.
    span = int(key.max()) + 1
    group, group_keys = pd.factorize(cell.astype("int64") * span + key)
    total = np.bincount(group, weights=q)
    share = q / total[group]
    combo = stance * len(classes) + cls
    n_combo = STANCES.size * len(classes)
    counts = np.bincount(cell * n_combo + combo, weights=share, minlength=size * n_combo).reshape(size, n_combo)
    n_sources = np.bincount(np.asarray(group_keys) // span, minlength=size)
    option_keys = pd.unique(o.astype("int64") * span + key)
    raw_stance = ins["stance"].to_numpy(dtype="int64")
    flagged = ins["against_hopes"].to_numpy(dtype=bool) if "against_hopes" in ins else np.zeros(len(ins), bool)
    return Readings(
        option_ids,
        criterion_ids,
        classes,
        counts,
        np.bincount(cell, minlength=size),
        n_sources,
        np.bincount(o, minlength=n_o),
        np.bincount(np.asarray(option_keys) // span, minlength=n_o),
        np.bincount(cell, weights=(raw_stance < 0) | flagged, minlength=size).astype("int64"),
        np.bincount(cell, weights=raw_stance > 0, minlength=size).astype("int64"),
    )


# ------------------------------------------------------------ the posterior
@dataclass
class Posterior:
    """Exact posterior of every cell's θ on the grid, and of its noise level σ."""

    readings: Readings
    #: P(θ in bin | evidence) per cell: shape (cells, GRID_SIZE).
    theta: np.ndarray
    #: The learned distribution of σ over :data:`SIGMA_GRID` (what a cell without notes expects).
    sigma_weights: np.ndarray
    #: Joint posterior of (σ, θ) per cell: shape (cells, len(SIGMA_GRID), GRID_SIZE).
    joint: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """Posterior mean per cell; exactly 0 (neutral) where there are no readings."""
        mean = self.theta @ THETA
        mean[self.readings.counts.sum(axis=1) == 0] = 0.0
        return mean

    @property
    def cdf(self) -> np.ndarray:
        return np.cumsum(self.theta, axis=1)

    def quantile(self, q: float) -> np.ndarray:
        """The q-quantile of each cell (density flat within a bin, so exact for the grid posterior)."""
        cdf = self.cdf
        below = np.concatenate([np.zeros((cdf.shape[0], 1)), cdf[:, :-1]], axis=1)
        k = np.minimum((cdf < q).sum(axis=1), GRID_SIZE - 1)
        rows = np.arange(cdf.shape[0])
        p = self.theta[rows, k]
        frac = np.clip((q - below[rows, k]) / np.where(p > 0, p, 1.0), 0.0, 1.0)
        return EDGES[k] + frac * BIN_WIDTH

    def interval(self) -> tuple[np.ndarray, np.ndarray]:
        return self.quantile(INTERVAL[0]), self.quantile(INTERVAL[1])

    def quantiles(self, levels: np.ndarray) -> np.ndarray:
        """Each cell's quantiles at ``levels`` (increasing, within 0..1): shape (cells, levels)."""
        n = self.theta.shape[0]
        cdf = self.cdf
        cdf[:, -1] = 1.0
        offset = np.arange(n, dtype="float64")[:, None]
        k = np.searchsorted((cdf + offset).ravel(), (levels[None, :] + offset).ravel(), side="left")
        k = np.minimum(k.reshape(n, levels.size) - (np.arange(n) * GRID_SIZE)[:, None], GRID_SIZE - 1)
        rows = np.arange(n)[:, None]
        below = np.where(k > 0, cdf[rows, np.maximum(k - 1, 0)], 0.0)
        p = self.theta[rows, k]
        frac = np.clip((levels[None, :] - below) / np.where(p > 0, p, 1.0), 0.0, 1.0)
        return EDGES[k] + frac * BIN_WIDTH

    def draw(self, draws: int, rng: np.random.Generator) -> np.ndarray:
        """Random values of every cell's θ: shape (draws, cells), each from its own posterior.

        Each cell's quantile function is tabulated at :data:`DRAW_LEVELS` evenly
        spaced levels (the midpoints of equal slices of probability), and a draw
        picks one of them at random: a fine, exact-in-the-limit stand-in for
        inverse-CDF sampling that costs one look-up per value.
        """
        n = self.theta.shape[0]
        if n == 0:
            return np.zeros((draws, 0))
        table = self.quantiles((np.arange(DRAW_LEVELS) + 0.5) / DRAW_LEVELS)  # (cells, levels)
        pick = rng.integers(0, DRAW_LEVELS, size=(draws, n), dtype=np.int32)
        pick += (np.arange(n, dtype=np.int32) * DRAW_LEVELS)[None, :]
        return table.ravel()[pick]


def log_likelihood_table(classes: np.ndarray, sigma: np.ndarray = SIGMA_GRID) -> np.ndarray:
    """log P(stance | θ, σ, class): shape (5 stances × classes, len(sigma), GRID_SIZE)."""
    noise = reading_noise(sigma[None, :], classes[:, :1], classes[:, 1:])  # (classes, sigma)
    p = reading_probabilities(noise.ravel())  # (classes·sigma, stance, grid)
    n = len(classes)
    p = p.reshape(n, sigma.size, STANCES.size, GRID_SIZE).transpose(2, 0, 1, 3)
    return np.log(p).reshape(STANCES.size * n, sigma.size, GRID_SIZE)


def posterior(r: Readings) -> Posterior:
    """The exact grid posterior of every cell, with the distribution of σ learned from all cells."""
    n_cells = r.counts.shape[0]
    k = SIGMA_GRID.size
    prior_sigma = _sigma_prior()
    if n_cells == 0:
        return Posterior(r, np.zeros((0, GRID_SIZE)), prior_sigma, np.zeros((0, k, GRID_SIZE)))
    table = log_likelihood_table(r.classes)
    has = r.counts.sum(axis=1) > 0
    loglik = np.zeros((n_cells, k, GRID_SIZE))
    if has.any():
        loglik[has] = (r.counts[has] @ table.reshape(table.shape[0], -1)).reshape(-1, k, GRID_SIZE)
    loglik -= loglik.max(axis=(1, 2), keepdims=True)
    lik = np.exp(loglik)
    marginal = lik.mean(axis=2)  # flat prior on θ: (cells, σ)
    weights = _learn_sigma(marginal[has], prior_sigma)
    joint = lik * weights[None, :, None]
    joint /= joint.sum(axis=(1, 2), keepdims=True)
    return Posterior(r, joint.sum(axis=1), weights, joint)


def _learn_sigma(marginal: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """The distribution of σ across cells (EM with a weak Dirichlet prior worth a few cells)."""
    alpha = SIGMA_PRIOR_CELLS * prior
    g = prior.copy()
    if marginal.shape[0] == 0:
        return g
    for _ in range(EM_STEPS):
        resp = marginal * g
        resp /= resp.sum(axis=1, keepdims=True)
        new = (resp.sum(axis=0) + alpha) / (marginal.shape[0] + SIGMA_PRIOR_CELLS)
        if np.abs(new - g).max() < 1e-9:
            g = new
            break
        g = new
    return g


# ------------------------------------------------- weighted sums, exactly
#: Grid step and size on which the distribution of a weighted sum Σⱼ wⱼ·xⱼ (weights adding up to 1) is built.
SUM_STEP = 0.002
SUM_BINS = 4096  # a power of two (FFT); covers −2..+2 with room to spare


def sum_grid(total_weight: float = 1.0) -> np.ndarray:
    """The values of the grid :func:`weighted_sum` returns its chances on."""
    return -2.0 * total_weight + SUM_STEP * np.arange(SUM_BINS)


def weighted_sum(prob: np.ndarray, values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Distribution of Σⱼ wⱼ·xⱼ for independent discrete xⱼ, for many sums at once.

    ``prob`` and ``values``: shape (sums, terms, outcomes), the chance and value
    (within −2..+2) of each outcome of each term; ``w``: the terms' weights
    (they add up to at most 1). Returns the chances on :func:`sum_grid` (with
    ``w.sum()``): shape (sums, SUM_BINS). A value between two grid points splits
    its chance between them so that every mean stays exact; the terms are
    combined by convolution (FFT).
    """
    n_sums, n_terms, n_out = prob.shape
    pos = w[None, :, None] * (values + 2.0) / SUM_STEP  # position of wⱼ·(x + 2) ≥ 0
    whole = np.floor(pos).astype("int64")
    frac = pos - whole
    base = (np.arange(n_sums * n_terms) * (SUM_BINS + 1)).reshape(n_sums, n_terms, 1)
    size = n_sums * n_terms * (SUM_BINS + 1)
    kernels = np.bincount((base + whole).ravel(), (prob * (1 - frac)).ravel(), size)
    kernels += np.bincount((base + whole + 1).ravel(), (prob * frac).ravel(), size)
    kernels = kernels.reshape(n_sums, n_terms, SUM_BINS + 1)[:, :, :SUM_BINS]
    spectrum = np.fft.rfft(kernels, axis=2).prod(axis=1)
    dist = np.clip(np.fft.irfft(spectrum, SUM_BINS, axis=1), 0.0, None)
    return dist / dist.sum(axis=1, keepdims=True)


def grid_quantiles(dist: np.ndarray, grid: np.ndarray, levels: tuple[float, ...]) -> list[np.ndarray]:
    """Quantiles of distributions on a grid (linear between grid points), one array per level."""
    cdf = np.cumsum(dist, axis=1)
    out = []
    for q in levels:
        k = np.minimum((cdf < q).sum(axis=1), dist.shape[1] - 1)
        rows = np.arange(dist.shape[0])
        below = np.where(k > 0, cdf[rows, np.maximum(k - 1, 0)], 0.0)
        step = grid[1] - grid[0]
        frac = np.clip((q - below) / np.where(dist[rows, k] > 0, dist[rows, k], 1.0), 0.0, 1.0)
        out.append(grid[k] - step / 2 + frac * step)  # a point's chance spread over its half-steps
    return out
