"""The measurement model: what a note says about one option × criterion, and how sure that is.

In plain words
--------------
A *cell* is one option × one criterion. Its unknown true value θ lies on the
stance scale −2..+2 (0: neither good nor bad for you, +2: as good as it gets).

* **A note is a rounded, noisy reading of θ.** Someone tells you how it is;
  you write it down as a whole stance from −2 to +2. Their impression is θ plus
  noise, rounded to the nearest stance (the end stances are open: +2 covers
  everything above +1.5). A small share of notes (:data:`STRAY`) may be
  anything at all, so one odd note never makes the rest impossible.
* **People have a leaning.** Someone who loves their work rates it high on
  everything; a sceptic rates it low. So each source has a personal offset
  *b* for each option, shared by everything it says about that option:
  stance = round(θ + b + noise). Its spread τ ("how much people differ in
  enthusiasm") is learned. One enthusiast on six criteria is therefore one
  source of evidence, not six: their offset does not average out across
  criteria, only across people.
* **Sources are counted as people** (:mod:`.sources`): everything one person
  said about a cell is one reading (their notes combined, so the same view
  told three times counts once); your own experience is one source; online
  reviews, job postings and desk research about an option are one source per
  kind (reviews echo each other), each a noisier reading than a first-hand
  account (:data:`SOURCE_RELIABILITY`, settable).
* **How noisy a reading is** (:func:`reading_noise`):
  σᵢ² = σ² / confidence + B² × (1 / reliability − 1). σ is how far a person's
  impression of one criterion strays from the truth, beyond their leaning.
* **What truths are like.** Before any note, a cell's value is centred on
  neutral (0) with a spread *s* that is learned from all your cells: when the
  paths you weigh are mostly middling, a single strong note is read with that
  in mind.
* **Learned from disagreement.** σ, τ and s are not known in advance; each
  has a weak prior (:data:`SIGMA_PRIOR_MEDIAN`, :data:`TAU_PRIOR_MEDIAN`) and
  is learned from your notes (:mod:`.noise`). Noise can only show where two or
  more sources speak about the same thing; with no such overlap the priors
  stand, and the analysis says so.

How it is computed
------------------
θ lives on :data:`GRID_SIZE` equal bins covering −2..+2, so every posterior is
exact on the grid and never leaves the scale. Given σ, τ and s:

* **Few sources** (an option with at most :data:`EXACT_SOURCES`): the offsets of
  its sources are summed out exactly on a lattice (every combination), so the
  cells of the option are coupled exactly as the model says. Options with the
  same number of sources are computed together (:func:`_exact_options`; one
  option alone: :func:`_exact_option`, the same numbers).
* **Many sources**: each cell's posterior integrates each source's offset
  (exact for one reading per source), and the cells of an option are coupled
  by a Gaussian copula whose correlation is the model's own (the offsets a
  source shares across the cells it speaks to, weighted by its share of each
  cell's evidence).

The posteriors of the few most likely (σ, τ, s) are mixed by their weight
(:class:`Posterior`); draws come from that mixture, one row of draws per cell
(:meth:`Posterior.draw_by_cell`), in single precision. The noise levels, and
the draws in pieces, are worked on by two threads where a core is to spare
(:func:`..parallel.side_by_side`); each piece of draws has its own random
numbers, so the result does not depend on which thread drew it.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..parallel import side_by_side
from .sources import is_document, source_keys

if TYPE_CHECKING:
    from .noise import Noise

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
#: B: the extra spread (stance steps) a source of reliability ½ adds to every reading it gives.
SOURCE_BIAS = 1.0
#: Variance rounding to a whole stance adds to a reading (uniform over one step).
ROUNDING_VARIANCE = 1.0 / 12.0

# ---------------------------------------------------------------- the grid
#: Bins of θ on −2..+2 (each 0.025 wide).
GRID_SIZE = 160
EDGES = np.linspace(-2.0, 2.0, GRID_SIZE + 1)
THETA = (EDGES[:-1] + EDGES[1:]) / 2.0
BIN_WIDTH = 4.0 / GRID_SIZE
#: Share of notes allowed to be anything at all.
STRAY = 0.01
#: Stances, lowest first.
STANCES = np.arange(-2, 3)
#: The 90% interval: from the 5% to the 95% point.
INTERVAL = (0.05, 0.95)
#: Each cell's quantile function is tabulated at Φ(z) for this many normal scores z evenly spread over
#: ±:data:`DRAW_SPAN`, and a draw interpolates between them (the copula's normal scores map straight in).
DRAW_LEVELS = 385
DRAW_SPAN = 4.0

# ------------------------------------------------- what is learned, and priors
#: σ: how far one person's impression of one criterion strays from the truth (stance steps).
SIGMA_GRID = np.geomspace(0.15, 2.0, 9)
SIGMA_PRIOR_MEDIAN = 0.6
SIGMA_PRIOR_SPREAD = 0.7  # log scale
#: τ: how much people's leanings about an option differ (stance steps).
TAU_GRID = np.array([0.05, 0.15, 0.3, 0.45, 0.65, 0.9, 1.25])
TAU_PRIOR_MEDIAN = 0.6
TAU_PRIOR_SPREAD = 0.8  # log scale: wide enough for "people hardly differ" and "people differ a lot"
#: s: how spread out the true values of one option's criteria are around the option's overall level
#: (inf: every value on −2..+2 equally likely).
SPREAD_GRID = np.array([0.35, 0.5, 0.7, 1.0, 1.4, np.inf])
#: Its prior: leaning towards "anything on the scale is possible" until your notes say otherwise.
SPREAD_PRIOR = np.array([0.75, 1.0, 1.0, 1.0, 1.25, 2.0])
#: m: how spread out options' overall levels are (a good path tends to be good on many criteria), so that
#: "everyone is positive about this option" can be the option, not only everyone's leaning.
LEVEL_GRID = np.array([0.05, 0.35, 0.7, 1.05])
#: Its prior: options differ overall, but less than criteria differ within an option.
LEVEL_PRIOR = np.array([0.35, 0.3, 0.2, 0.15])
#: Points of the lattice on which an option's overall level is summed out in the exact computation.
LEVEL_LATTICE = 15

#: Options with at most this many sources are computed exactly (every combination of their offsets); the
#: tests check the copula against the exact computation at two and three sources.
EXACT_SOURCES = 2
#: Lattice points per source offset in the exact computation, by number of sources.
EXACT_LATTICE = {1: 25, 2: 15, 3: 9}
#: The lattice spans this many τ either side of 0.
LATTICE_SPAN = 3.0


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


# --------------------------------------------------- the normal distribution
_Z_LOW, _Z_STEP, _Z_SIZE = -9.0, 0.001, 18_001
_PHI = np.array([0.5 * math.erfc(-(_Z_LOW + i * _Z_STEP) / math.sqrt(2.0)) for i in range(_Z_SIZE)] + [1.0])


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """Φ(x), to about 1e-8: linear between the points of a fine table (the only place the model needs it)."""
    pos = (np.clip(x, _Z_LOW, -_Z_LOW) - _Z_LOW) / _Z_STEP
    i = np.minimum(pos.astype(np.int64), _Z_SIZE - 1)
    frac = pos - i
    return _PHI[i] * (1.0 - frac) + _PHI[i + 1] * frac


def normal_cdf_at(x: float) -> float:
    """:func:`normal_cdf` of one number, the same value, without making arrays."""
    pos = (min(max(x, _Z_LOW), -_Z_LOW) - _Z_LOW) / _Z_STEP
    i = min(int(pos), _Z_SIZE - 1)
    frac = pos - i
    return float(_PHI[i] * (1.0 - frac) + _PHI[i + 1] * frac)


def reading_probabilities(noise: np.ndarray, theta: np.ndarray = THETA) -> np.ndarray:
    """P(stance | θ) for each noise level: shape (len(noise), 5 stances, len(theta))."""
    noise = np.asarray(noise, dtype="float64")
    theta = np.asarray(theta, dtype="float64")[None, :]
    out = np.empty((noise.size, STANCES.size, theta.size))
    for i, n in enumerate(noise):  # one noise level at a time: the arrays in between stay in cache
        # Φ at the four boundaries between stances, once each: P(stance) is the step between two of them.
        cdf = normal_cdf(((STANCES[:-1] + 0.5)[:, None] - theta) / n)  # (4, θ)
        out[i] = (1.0 - STRAY) * np.diff(cdf, axis=0, prepend=0.0, append=1.0) + STRAY / STANCES.size
    return out


# ------------------------------------------------------------- the readings
def _lookup(values: pd.Series, table: Mapping[str, float], default: float) -> np.ndarray:
    codes, uniques = pd.factorize(values)
    factors = np.array([table.get(str(u), default) for u in uniques] + [default], dtype="float64")
    return factors[codes]


@dataclass
class Readings:
    """A workbook's notes as readings: one per source and cell (a source's notes in a cell combined).

    Cells are options × criteria (sorted by id), numbered ``option × n_criteria + criterion``.
    """

    option_ids: np.ndarray
    criterion_ids: np.ndarray
    #: The noise classes present: (reliability, confidence factor) per row, shape (classes, 2).
    classes: np.ndarray
    #: Per reading: its cell, its source (an index into ``source_*``), and how its weight of 1
    #: is shared among (stance, class) pairs: shape (readings, 5 × classes).
    cell: np.ndarray
    source: np.ndarray
    weights: np.ndarray
    #: Per source: its option (index) and its key (:func:`.sources.source_keys`).
    source_option: np.ndarray
    source_key: np.ndarray
    #: Per cell: notes, sources, notes for (stance > 0) and against (stance < 0 or flagged against hopes).
    n_insights: np.ndarray
    n_sources: np.ndarray
    n_for: np.ndarray
    n_against: np.ndarray
    #: Per option: notes, sources, and of the sources how many are documents.
    option_insights: np.ndarray
    option_sources: np.ndarray
    option_documents: np.ndarray = field(default_factory=lambda: np.zeros(0, "int64"))

    @property
    def shape(self) -> tuple[int, int]:
        return self.option_ids.size, self.criterion_ids.size

    @property
    def n_cells(self) -> int:
        return self.option_ids.size * self.criterion_ids.size

    @functools.cached_property
    def counts(self) -> np.ndarray:
        """Per cell, the readings' weights summed: shape (cells, 5 × classes). Worked out once (read-only).

        A reading's weights are mostly zero (its notes are of one or two kinds): only the others are summed.
        """
        k = self.weights.shape[1]
        row, column = np.nonzero(self.weights)
        flat = self.cell[row] * k + column
        out = np.bincount(flat, weights=self.weights[row, column], minlength=self.n_cells * k).reshape(-1, k)
        out.flags.writeable = False
        return out

    @property
    def has(self) -> np.ndarray:
        """Cells with at least one reading."""
        return self.n_sources > 0

    def stance_mean(self) -> np.ndarray:
        """Each reading's mean stance (its notes' weighted average)."""
        w = self.weights.reshape(len(self.cell), STANCES.size, len(self.classes)).sum(axis=2)
        return w @ STANCES.astype("float64")

    def precision(self, sigma: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Each reading's precision 1 / variance (rounding included) at each σ: shape (readings, len(sigma))."""
        noise = reading_noise(np.asarray(sigma)[None, :], self.classes[:, :1], self.classes[:, 1:])
        q = 1.0 / (np.square(noise) + ROUNDING_VARIANCE)  # (classes, σ)
        w = self.weights if rows is None else self.weights[rows]
        share = w.reshape(len(w), STANCES.size, len(self.classes)).sum(axis=1)  # (readings, classes)
        return share @ q


def readings(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    reliability: Mapping[str, float] | None = None,
) -> Readings:
    """Every source's notes per cell combined into one reading (its notes' likelihoods, precision-weighted)."""
    rel = resolve_reliability(reliability)
    option_ids = np.sort(options["id"].to_numpy(dtype="int64")) if len(options) else np.zeros(0, "int64")
    criterion_ids = np.sort(criteria["id"].to_numpy(dtype="int64")) if len(criteria) else np.zeros(0, "int64")
    n_o, n_c = option_ids.size, criterion_ids.size
    size = n_o * n_c
    zeros_i = np.zeros(0, "int64")
    empty = Readings(
        option_ids,
        criterion_ids,
        np.ones((1, 2)),
        zeros_i,
        zeros_i,
        np.zeros((0, STANCES.size)),
        zeros_i,
        zeros_i,
        np.zeros(size, "int64"),
        np.zeros(size, "int64"),
        np.zeros(size, "int64"),
        np.zeros(size, "int64"),
        np.zeros(n_o, "int64"),
        np.zeros(n_o, "int64"),
        np.zeros(n_o, "int64"),
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
    o, c = o[keep].astype("int64"), c[keep].astype("int64")
    cell = o * n_c + c
    r = np.round(_lookup(ins["source"], rel, UNKNOWN_SOURCE_RELIABILITY), 6)
    conf = np.round(_lookup(ins["confidence"], CONFIDENCE_WEIGHT, CONFIDENCE_WEIGHT["medium"]), 6)
    r_codes, r_values = pd.factorize(r)
    c_codes, c_values = pd.factorize(conf)
    cls, pairs = pd.factorize(r_codes * len(c_values) + c_codes)  # hashing, no sort: fast at 100,000 notes
    pairs = np.asarray(pairs)
    classes = np.stack([np.asarray(r_values)[pairs // len(c_values)], np.asarray(c_values)[pairs % len(c_values)]], 1)
    q = 1.0 / np.square(reading_noise(SIGMA_PRIOR_MEDIAN, r, conf))  # precision at a typical σ
    stance = np.clip(ins["stance"].to_numpy(dtype="int64"), -2, 2) + 2
    key = source_keys(ins)
    # Sources are per option: the same person about two options has two leanings.
    k_codes, k_values = pd.factorize(key)
    src, combined = pd.factorize(o * len(k_values) + k_codes)
    combined = np.asarray(combined, dtype="int64")
    src_pairs = np.stack([combined // len(k_values), np.asarray(k_values, dtype="int64")[combined % len(k_values)]], 1)
    # One source's notes in a cell: weights that add up to 1, in proportion to each note's precision.
    reading, reading_keys = pd.factorize(cell * (len(src_pairs) + 1) + src)
    total = np.bincount(reading, weights=q)
    share = q / total[reading]
    n_combo = STANCES.size * len(classes)
    weights = np.bincount(
        reading * n_combo + stance * len(classes) + cls, weights=share, minlength=len(reading_keys) * n_combo
    ).reshape(len(reading_keys), n_combo)
    reading_keys = np.asarray(reading_keys, dtype="int64")
    reading_cell = reading_keys // (len(src_pairs) + 1)
    reading_source = reading_keys % (len(src_pairs) + 1)
    raw_stance = ins["stance"].to_numpy(dtype="int64")
    flagged = ins["against_hopes"].to_numpy(dtype=bool) if "against_hopes" in ins else np.zeros(len(ins), bool)
    source_option = src_pairs[:, 0]
    source_key = src_pairs[:, 1]
    return Readings(
        option_ids,
        criterion_ids,
        classes,
        reading_cell,
        reading_source,
        weights,
        source_option,
        source_key,
        np.bincount(cell, minlength=size),
        np.bincount(reading_cell, minlength=size),
        np.bincount(cell, weights=raw_stance > 0, minlength=size).astype("int64"),
        np.bincount(cell, weights=(raw_stance < 0) | flagged, minlength=size).astype("int64"),
        np.bincount(o, minlength=n_o),
        np.bincount(source_option, minlength=n_o),
        np.bincount(source_option, weights=is_document(source_key), minlength=n_o).astype("int64"),
    )


# ------------------------------------------------------------ likelihoods
def log_likelihood_table(classes: np.ndarray, noise_sigma: float, extra_variance: float = 0.0, theta=THETA):
    """log P(stance | θ) for each (stance, class) at σ, with ``extra_variance`` added: shape (5 × classes, θ)."""
    noise = np.sqrt(np.square(reading_noise(noise_sigma, classes[:, 0], classes[:, 1])) + extra_variance)
    p = reading_probabilities(noise, theta)  # (classes, stance, θ)
    return np.log(p.transpose(1, 0, 2).reshape(STANCES.size * len(classes), -1))


def truth_prior(spread: float, centre: np.ndarray | float = 0.0) -> np.ndarray:
    """The prior of a cell's θ on the grid: centred on ``centre`` with spread ``spread`` (inf: flat).

    With an array of centres, one prior per centre: shape (centres, grid).
    """
    centre = np.asarray(centre, dtype="float64")
    if not math.isfinite(spread):
        return np.full(centre.shape + (GRID_SIZE,), 1.0 / GRID_SIZE)
    p = np.exp(-0.5 * np.square((THETA - centre[..., None]) / spread))
    return p / p.sum(axis=-1, keepdims=True)


def marginal_spread(spread: float, level: float) -> float:
    """A cell's spread before any note, its option's level summed out."""
    return math.sqrt(spread**2 + level**2) if math.isfinite(spread) else math.inf


@functools.lru_cache(maxsize=64)
def prior_variance(spread: float) -> float:
    """The variance of a cell's truth before any note, at spread ``spread`` (kept: the spreads are a few)."""
    p = truth_prior(spread)
    return float(p @ np.square(THETA))


# ------------------------------------------------------------ the posterior
@dataclass
class Exact:
    """One option computed exactly: every combination of its sources' offsets and its level on lattices.

    A cell depends only on the offsets of the sources that spoke to it, so the cells are kept in groups by
    those sources (:class:`Spoken`), each on the combinations of its own sources' offsets; the option's other
    cells follow its level alone.
    """

    cells: np.ndarray  # the option's cells (global cell numbers), all its criteria
    lattice: tuple[int, ...]  # lattice points per source: the combinations are their product
    groups: list[Spoken]
    #: The option's level on its lattice, and each level's prior on the grid: (levels,), (levels, grid).
    level_prior: np.ndarray
    #: Chance of each (offsets, level) combination given the evidence: (combinations, levels).
    weight: np.ndarray

    def marginal(self) -> np.ndarray:
        """Each cell's posterior, every combination and level summed out: (cells, grid)."""
        # Σ_m Σ_k w(m, k) L(θ | m) T(θ | k) / Z(m, k), with Z(m, k) = Σ_θ L(θ | m) T(θ | k); L = 1 where unspoken
        prior = self.level_prior / self.level_prior.sum(axis=1, keepdims=True)
        out = np.empty((self.cells.size, GRID_SIZE))
        out[:] = self.weight.sum(axis=0) @ prior
        w = self.weight.reshape(self.lattice + (-1,))
        for g in self.groups:
            others = tuple(a for a in range(len(self.lattice)) if a not in g.sources)
            w_g = w.sum(axis=others).reshape(-1, w.shape[-1])  # (its combinations, levels)
            share = w_g[:, None, :] / np.where(g.z > 0, g.z, 1.0)
            out[g.cells] = (g.likelihood * (share @ self.level_prior)).sum(axis=0)
        return out

    def combination(self, g: Spoken, combo: np.ndarray) -> np.ndarray:
        """The combination of ``g``'s own sources' offsets in each of the option's combinations ``combo``."""
        digits = np.unravel_index(combo, self.lattice)
        return np.ravel_multi_index(tuple(digits[a] for a in g.sources), tuple(self.lattice[a] for a in g.sources))


@dataclass
class Spoken:
    """Cells of an exact option that the same sources spoke to."""

    sources: tuple[int, ...]  # which of the option's sources (axes of the combinations)
    cells: np.ndarray  # positions in the option's cells
    #: Per combination of these sources' offsets: each cell's likelihood on the grid, (combinations, cells, grid).
    likelihood: np.ndarray
    #: Σ_θ likelihood × each level's prior: (combinations, cells, levels).
    z: np.ndarray


@dataclass
class SpokenCells:
    """Cells that the same sources spoke to (by their place among their option's sources), across many options."""

    sources: tuple[int, ...]  # which of each option's sources (axes of the combinations)
    option: np.ndarray  # per cell, its option's position in its :class:`ExactClass`, ascending
    criterion: np.ndarray  # per cell, its criterion
    #: Per cell and combination of these sources' offsets, the likelihood on the grid: (cells, combinations, grid).
    likelihood: np.ndarray
    #: Σ_θ likelihood × each level's prior: (cells, combinations, levels).
    z: np.ndarray


@dataclass
class ExactClass:
    """The options computed exactly that have the same number of sources, computed together."""

    options: np.ndarray  # option indices, ascending
    lattice: tuple[int, ...]  # lattice points per source, the same for each of these options
    groups: list[SpokenCells]  # by the sources that spoke, in the order of their bit patterns
    #: Chance of each (offsets, level) combination given the evidence, per option: (options, combinations, levels).
    weight: np.ndarray
    spoken: np.ndarray  # (options, criteria): the cells someone spoke to

    def marginal(self, level_prior: np.ndarray) -> np.ndarray:
        """Each cell's posterior, every combination and level summed out: (options, criteria, grid).

        :meth:`Exact.marginal` for every option of the class at once.
        """
        n, n_c = self.spoken.shape
        prior = level_prior / level_prior.sum(axis=1, keepdims=True)
        out = np.empty((n, n_c, GRID_SIZE))
        out[:] = (self.weight.sum(axis=1) @ prior)[:, None, :]
        w = self.weight.reshape((n, *self.lattice, -1))
        for g in self.groups:
            others = tuple(1 + a for a in range(len(self.lattice)) if a not in g.sources)
            w_g = w.sum(axis=others).reshape(n, -1, w.shape[-1])  # (options, its combinations, levels)
            share = w_g[g.option] / np.where(g.z > 0, g.z, 1.0)  # (cells, its combinations, levels)
            mixed = np.matmul(share.transpose(0, 2, 1), g.likelihood)  # (cells, levels, grid): combinations summed
            out[g.option, g.criterion] = np.einsum("clg,lg->cg", mixed, level_prior)
        return out


class ExactOptions(Mapping[int, Exact]):
    """The options of one part computed exactly, in classes by their number of sources.

    As a mapping, option index -> that option alone (:class:`Exact`, as :func:`_exact_option` computes it).
    """

    def __init__(self, n_criteria: int, level_prior: np.ndarray, classes: list[ExactClass]):
        self.n_criteria = n_criteria
        #: The options' level on its lattice: each level's prior on the grid, (levels, grid).
        self.level_prior = level_prior
        self.classes = classes
        where = {int(o): (c, i) for c, cls in enumerate(classes) for i, o in enumerate(cls.options)}
        self._where = dict(sorted(where.items()))
        self.options = np.array(list(self._where), dtype=np.int64)

    @property
    def alias(self) -> _Alias:
        """The level prior's alias tables (for the draws)."""
        return _alias(self.level_prior)

    def __getitem__(self, o: int) -> Exact:
        c, i = self._where[int(o)]
        cls = self.classes[c]
        groups = []
        for g in cls.groups:
            mine = np.flatnonzero(g.option == i)
            if mine.size:
                groups.append(
                    Spoken(
                        g.sources,
                        g.criterion[mine],
                        g.likelihood[mine].transpose(1, 0, 2),
                        g.z[mine].transpose(1, 0, 2),
                    )
                )
        n_c = self.n_criteria
        return Exact(int(o) * n_c + np.arange(n_c), cls.lattice, groups, self.level_prior, cls.weight[i])

    def __iter__(self) -> Iterator[int]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


@dataclass
class Part:
    """The posterior at one value of (σ, τ, s, m), and its weight."""

    sigma: float
    tau: float
    spread: float
    level: float
    weight: float
    theta: np.ndarray  # (cells, GRID_SIZE) each cell's posterior
    correlation: np.ndarray  # (options, criteria, criteria) the copula's correlation per option
    exact: ExactOptions  # the options computed exactly (option index -> :class:`Exact`)
    variance: np.ndarray  # (cells,) each cell's variance in the Gaussian view


@dataclass
class Posterior:
    """Each cell's posterior (mixed over the likely noise levels), and how to draw whole options."""

    readings: Readings
    parts: list[Part]
    noise: Noise  # what was learned about the noise
    theta: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n = self.readings.n_cells
        self.theta = np.zeros((n, GRID_SIZE))
        for part in self.parts:
            self.theta += part.weight * part.theta

    @functools.cached_property
    def mean(self) -> np.ndarray:
        """Posterior mean per cell; exactly 0 (neutral) for the cells of an option nobody has spoken about.

        Worked out once (read-only: the scores, the reasons of every next conversation... all read it).
        """
        mean = self.theta @ THETA
        n_o, n_c = self.readings.shape
        silent = np.repeat(self.readings.option_sources == 0, n_c)
        mean[silent] = 0.0
        mean.flags.writeable = False
        return mean

    @property
    def cdf(self) -> np.ndarray:
        return np.cumsum(self.theta, axis=1)

    def quantile(self, q: float) -> np.ndarray:
        return _quantiles(self.theta, np.array([q]))[:, 0]

    def interval(self) -> tuple[np.ndarray, np.ndarray]:
        return self.quantile(INTERVAL[0]), self.quantile(INTERVAL[1])

    def quantiles(self, levels: np.ndarray) -> np.ndarray:
        return _quantiles(self.theta, levels)

    def draw(self, draws: int, rng: np.random.Generator) -> np.ndarray:
        """Random values of every cell's θ: shape (draws, cells); cells of one option drawn together.

        The same values as :meth:`draw_by_cell`, one row per draw.
        """
        return np.ascontiguousarray(self.draw_by_cell(draws, rng).T)

    def draw_by_cell(self, draws: int, rng: np.random.Generator) -> np.ndarray:
        """Random values of every cell's θ, one row per cell: shape (cells, draws), single precision.

        Each noise level takes its share of the draws (its weight); in each draw the cells of an option are
        drawn together.
        """
        n_o, n_c = self.readings.shape
        if n_o * n_c == 0 or draws == 0:
            return np.zeros((n_o * n_c, draws), dtype=np.float32)
        share = _allocate(np.array([p.weight for p in self.parts]), draws)
        drawn = [i for i in range(len(self.parts)) if share[i]]
        tables: dict[int, _CopulaTable | None] = {}

        def table(i: int) -> None:
            tables[i] = _copula_table(self.parts[i], self.readings)

        side_by_side(table, drawn)
        # The draws in pieces of about a sixth (a noise level's share in one piece or more), each piece its
        # own columns from its own stream of random numbers spawned from ``rng``: the same seed gives the same
        # draws whichever piece is drawn first, and two threads share the pieces evenly.
        size = max(_PIECE_DRAWS, -(-draws // _PIECES))
        pieces: list[tuple[int, int, int]] = []
        start = 0
        for i in drawn:
            k = int(share[i])
            bounds = np.linspace(start, start + k, max(1, round(k / size)) + 1).round().astype(int)
            pieces += [(i, int(a), int(b)) for a, b in itertools.pairwise(bounds)]
            start += k
        streams = rng.spawn(len(pieces)) if len(pieces) > 1 else [rng]
        out = np.empty((n_o * n_c, draws), dtype=np.float32)

        def fill(j: int) -> None:
            i, a, b = pieces[j]
            _draw_part(self.parts[i], self.readings, b - a, streams[j], out[:, a:b], tables[i])

        side_by_side(fill, range(len(pieces)))
        return out


#: The draws are made in about this many pieces, of at least :data:`_PIECE_DRAWS` draws.
_PIECES = 6
_PIECE_DRAWS = 200


def _allocate(weights: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers in proportion to ``weights`` adding up to ``total`` (largest remainders)."""
    raw = weights / weights.sum() * total
    base = np.floor(raw).astype("int64")
    rest = total - base.sum()
    base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base


#: Cells worked on together when tabulating quantiles (their rows stay in the processor's cache).
_CHUNK_CELLS = 96


def _quantiles(theta: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Each row's quantiles at ``levels`` (increasing, within 0..1): density flat within a bin."""
    n = theta.shape[0]
    if n == 0:
        return np.zeros((0, levels.size))
    out = np.empty((n, levels.size))
    for start in range(0, n, _CHUNK_CELLS):  # a few rows at a time: the arrays in between stay in cache
        stop = min(start + _CHUNK_CELLS, n)
        out[start:stop] = _row_quantiles(theta[start:stop], levels, start)
    return out


def _row_quantiles(theta: np.ndarray, levels: np.ndarray, first: int) -> np.ndarray:
    """:func:`_quantiles` of rows ``first``, ``first + 1`` … of a larger table (the offsets stay theirs)."""
    n = theta.shape[0]
    cdf = np.cumsum(theta, axis=1)
    total = cdf[:, -1:].copy()
    cdf /= total
    # Row r's cdf is searched at r + level: one sorted search for every row (levels within 0..1).
    offset = np.arange(first, first + n, dtype="float64")[:, None]
    k = np.searchsorted((cdf + offset).ravel(), (levels[None, :] + offset).ravel(), side="left")
    k = np.clip(k.reshape(n, levels.size) - (np.arange(n) * GRID_SIZE)[:, None], 0, GRID_SIZE - 1)
    rows = np.arange(n)[:, None]
    below = np.where(k > 0, cdf[rows, np.maximum(k - 1, 0)], 0.0)
    p = theta[rows, k] / total
    frac = np.clip((levels[None, :] - below) / np.where(p > 0, p, 1.0), 0.0, 1.0)
    return EDGES[k] + frac * BIN_WIDTH


_SCORES = np.linspace(-DRAW_SPAN, DRAW_SPAN, DRAW_LEVELS)
_LEVELS = np.array([0.5 * math.erfc(-z / math.sqrt(2.0)) for z in _SCORES])


#: Values drawn together (a few hundred kilobytes): the arrays in between stay in the processor's cache.
_CHUNK_VALUES = 1 << 16


def _chunks(n: int, per: int) -> list[slice]:
    """Slices of ``range(n)`` covering about :data:`_CHUNK_VALUES` values each, ``per`` values a row."""
    step = max(1, _CHUNK_VALUES // max(per, 1))
    return [slice(start, min(start + step, n)) for start in range(0, n, step)]


def _from_scores(table: np.ndarray, z: np.ndarray, out: np.ndarray) -> None:
    """Values of each row's quantile function at normal scores ``z`` (cells, draws), into ``out`` (the same shape);
    ``table``: (cells, levels). In single precision (values on −2..+2).
    """
    pos = np.clip(z, -DRAW_SPAN, DRAW_SPAN)
    pos += np.float32(DRAW_SPAN)
    pos *= np.float32((DRAW_LEVELS - 1) / (2 * DRAW_SPAN))
    i = pos.astype(np.int32)
    np.minimum(i, DRAW_LEVELS - 2, out=i)
    pos -= i  # the fraction of the way to the next level
    i += (np.arange(table.shape[0], dtype=np.int32) * DRAW_LEVELS)[:, None]
    flat = table.astype(np.float32, copy=False).ravel()
    low = flat[i]
    i += 1
    high = flat[i]
    high -= low
    high *= pos
    np.add(high, low, out=out)


def _normals(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Standard normal numbers in single precision, by the Box–Muller transform (exact: two uniform numbers
    give two independent normal ones): twice as fast here as numpy's own, and most of the copula's draws."""
    size = math.prod(shape)
    half = (size + 1) // 2
    u = rng.random(2 * half, dtype=np.float32)
    radius = np.log1p(-u[:half])  # log(1 − u): u < 1, so never log(0)
    radius *= np.float32(-2.0)
    np.sqrt(radius, out=radius)
    angle = u[half:]
    angle *= np.float32(2.0 * math.pi)
    out = np.empty(2 * half, dtype=np.float32)
    np.multiply(radius, np.cos(angle), out=out[:half])
    np.multiply(radius, np.sin(angle), out=out[half:])
    return out[:size].reshape(shape)


@dataclass
class _CopulaTable:
    """What the copula's draws at one noise level need, worked out once for all its pieces of draws."""

    options: np.ndarray  # the options drawn by the copula
    cells: np.ndarray  # their cells, in order
    quantiles: np.ndarray  # each cell's quantile function, (cells, levels), single precision
    chol: np.ndarray  # each option's Cholesky factor of its correlation, (options, criteria, criteria)


def _copula_table(part: Part, r: Readings) -> _CopulaTable | None:
    """:class:`_CopulaTable` of ``part``; None when every option is computed exactly."""
    n_o, n_c = r.shape
    copula = np.ones(n_o, dtype=bool)
    copula[part.exact.options] = False
    options = np.flatnonzero(copula)
    if not options.size:
        return None
    cells = (options[:, None] * n_c + np.arange(n_c)[None, :]).ravel()
    # Each cell's quantile function: (cells, levels). The cells nobody spoke to share theirs (the prior).
    table = np.empty((cells.size, DRAW_LEVELS), dtype=np.float32)
    silent = r.n_sources[cells] == 0
    for group in (silent, ~silent):
        if group.any():
            rows = cells[group][:1] if group is silent else cells[group]
            table[group] = _quantiles(part.theta[rows], _LEVELS)
    chol = np.linalg.cholesky(part.correlation[options] + 1e-9 * np.eye(n_c)[None]).astype(np.float32)
    return _CopulaTable(options, cells, table, chol)


def _draw_part(
    part: Part, r: Readings, draws: int, rng: np.random.Generator, out: np.ndarray, copula: _CopulaTable | None
) -> None:
    """Draws of every cell at one noise level into ``out``, (cells, draws), single precision; ``copula``:
    :func:`_copula_table` of ``part``."""
    n_o, n_c = r.shape
    if copula is not None:
        whole = copula.cells.size == n_o * n_c  # every option by the copula: its cells are ``out``'s rows, in order
        for chunk in _chunks(copula.options.size, n_c * draws):  # a few options at a time
            normal = _normals((chunk.stop - chunk.start, draws, n_c), rng)
            z = copula.chol[chunk] @ normal.transpose(0, 2, 1)  # (options, c, draws)
            mine = slice(chunk.start * n_c, chunk.stop * n_c)
            if whole:
                _from_scores(copula.quantiles[mine], z.reshape(-1, draws), out[mine])
            else:
                values = np.empty((mine.stop - mine.start, draws), dtype=np.float32)
                _from_scores(copula.quantiles[mine], z.reshape(-1, draws), values)
                out[copula.cells[mine]] = values
    if part.exact:
        _draw_exact(part.exact, draws, rng, out)


#: Rounds of proposals from the level's prior before the cells still waiting are drawn by the inverse CDF.
_PROPOSALS = 6


def _draw_exact(exact: ExactOptions, draws: int, rng: np.random.Generator, out: np.ndarray) -> None:
    """The options computed exactly: each draw picks their offsets and level, then every cell given those.

    A cell's distribution given them is its likelihood L(θ | offsets) times its level's prior T(θ | level);
    a cell nobody spoke to has L = 1, and is drawn from T. The draws of every option are made together, a
    class of options and a group of their cells at a time: a value from T, kept with chance L (L is at most
    1), tried again where it was not kept (rejection sampling, exact). ``out``: (cells, draws), filled in.
    """
    n_c = exact.n_criteria
    n_levels = exact.level_prior.shape[0]
    prior = exact.alias
    for cls in exact.classes:
        pick = _choose(cls.weight.reshape(cls.options.size, -1), draws, rng)
        combo, level = np.divmod(pick, n_levels)  # (options, draws)
        cells = cls.options[:, None] * n_c + np.arange(n_c)[None, :]
        at, _ = np.nonzero(~cls.spoken)
        silent = cells[~cls.spoken]
        for c in _chunks(silent.size, draws):
            out[silent[c]] = prior.values(level[at[c]], rng)
        digits = np.unravel_index(combo, cls.lattice)
        for g in cls.groups:
            sizes = tuple(cls.lattice[a] for a in g.sources)
            combination = np.ravel_multi_index(tuple(digits[a] for a in g.sources), sizes)  # (options, draws)
            n_comb = g.likelihood.shape[1]
            lik, z = g.likelihood.reshape(-1, GRID_SIZE), g.z.reshape(-1, n_levels)
            spoken = cells[g.option, g.criterion]
            for c in _chunks(g.option.size, draws):
                row = np.arange(c.start, c.stop)[:, None] * n_comb + combination[g.option[c]]
                out[spoken[c]] = _draw_spoken(lik, z, row, level[g.option[c]], exact.level_prior, prior, rng)


#: Below this chance of a proposal being kept, a cell's value is drawn by the inverse CDF straight away.
_DIRECT = 0.2


def _draw_spoken(
    lik: np.ndarray,
    z: np.ndarray,
    row: np.ndarray,
    level: np.ndarray,
    level_prior: np.ndarray,
    prior: _Alias,
    rng: np.random.Generator,
) -> np.ndarray:
    """One value from each L(θ | row) T(θ | level) (``row``, ``level``: same shape), by rejection from T.

    ``z``: Σ_θ L(θ | row) T(θ | level), (rows, levels): the chance that a proposal from T is kept. Where it is
    small (strong evidence: proposals mostly fail), and where a few rounds of proposals all failed, the value
    is drawn from L T by proposals from its row (:func:`_draw_by_rows`), or else by the inverse CDF of L T
    (exact too).
    """
    shape = row.shape
    row, level = row.ravel(), level.ravel()
    n_levels = level_prior.shape[0]
    flat_lik = lik.ravel()
    values = np.empty(row.size)
    direct = z.ravel()[row * n_levels + level] < _DIRECT
    todo = np.flatnonzero(~direct)
    start = row * GRID_SIZE
    for _ in range(_PROPOSALS):
        if not todo.size:
            break
        outcome, frac = prior.outcomes(level[todo], rng)
        kept = rng.random(todo.size) < flat_lik[start[todo] + prior.bin[outcome]]
        values[todo[kept]] = prior.value(outcome[kept], frac[kept])  # the values of the proposals kept
        todo = todo[~kept]
    rest = np.concatenate([np.flatnonzero(direct), todo])
    if rest.size:
        rest = _draw_by_rows(lik, z, row, level, level_prior, rest, values, rng)
    if rest.size:
        # The (row, level) pairs needed, in order, and each value's: marked in a table of every pair (no sort).
        pair = row[rest] * n_levels + level[rest]
        needed = np.zeros(z.size, dtype=bool)
        needed[pair] = True
        unique = np.flatnonzero(needed)
        which = (np.cumsum(needed) - 1)[pair]
        k = _grid_bins(lik[unique // n_levels] * level_prior[unique % n_levels], which, rng)
        values[rest] = EDGES[k] + rng.random(rest.size) * BIN_WIDTH
    return values.reshape(shape)


def _choose(weights: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """For each row of weights, ``draws`` indexes picked in proportion to them: shape (rows, draws).

    Each row's uniform numbers are looked up in its cumulative weights in increasing order (one sorted search
    through every row, each row's shares after the previous row's), then put back in their places.
    """
    n, size = weights.shape
    cdf = np.cumsum(weights, axis=1)
    cdf /= cdf[:, -1:]
    cdf[:, -1] = 1.0
    cdf += np.arange(n, dtype="float64")[:, None]
    u = rng.random((n, draws))
    order = np.argsort(u, axis=1)
    ascending = np.take_along_axis(u, order, axis=1) + np.arange(n)[:, None]
    found = np.searchsorted(cdf.ravel(), ascending.ravel(), side="right").reshape(n, draws)
    pick = np.empty_like(found)
    np.put_along_axis(pick, order, found - (np.arange(n) * size)[:, None], axis=1)
    return np.minimum(pick, size - 1)


class _Alias:
    """Walker's alias tables of a few distributions on the grid: a value from any of them in constant time."""

    def __init__(self, p: np.ndarray):
        probs = np.ones(p.shape)
        aliases = np.tile(np.arange(GRID_SIZE), (p.shape[0], 1))
        for row, q in enumerate(p / p.sum(axis=1, keepdims=True) * GRID_SIZE):
            prob, alias = probs[row], aliases[row]
            small = [i for i in range(GRID_SIZE) if q[i] < 1.0]
            large = [i for i in range(GRID_SIZE) if q[i] >= 1.0]
            while small and large:
                lo, hi = small.pop(), large.pop()
                prob[lo], alias[lo] = q[lo], hi
                q[hi] -= 1.0 - q[lo]
                (small if q[hi] < 1.0 else large).append(hi)
        self.prob: np.ndarray = probs.ravel()
        # Per column, its two outcomes (the column itself below ``prob``, its alias above): the bin, the value at
        # the outcome's start, where that start lies in the column's fraction, and how a fraction becomes a value.
        column = np.tile(np.arange(GRID_SIZE), p.shape[0])
        self.bin = np.stack([column, aliases.ravel()], axis=1).ravel()
        self.start = np.stack([EDGES[column], EDGES[aliases.ravel()]], axis=1).ravel()
        self.offset = np.stack([np.zeros(self.prob.size), self.prob], axis=1).ravel()
        with np.errstate(divide="ignore"):
            scale = BIN_WIDTH / np.stack([self.prob, 1.0 - self.prob], axis=1)
        self.scale = np.where(np.isfinite(scale), scale, 0.0).ravel()  # an outcome that never happens: 0

    def outcomes(self, which: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """For each draw from ``p[which]``: its outcome (an index into the tables) and its fraction of the column.

        One uniform number gives both a bin and where in it: its whole part the column, its fraction decides
        between the column and its alias, and what is left of the fraction after that choice is again uniform.
        The bin is ``bin[outcome]``, the value :meth:`value`.
        """
        u = rng.random(which.shape)
        u *= GRID_SIZE
        column = np.minimum(u.astype(np.int64), GRID_SIZE - 1)
        u -= column  # the fraction
        column += which * GRID_SIZE
        outcome = column * 2
        outcome += u >= self.prob[column]
        return outcome, u

    def values(self, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One value from each distribution ``p[which]`` (uniform within its bin)."""
        return self.value(*self.outcomes(which, rng))

    def value(self, outcome: np.ndarray, frac: np.ndarray) -> np.ndarray:
        """The value of each outcome, at its fraction of the column (``frac`` is reused)."""
        frac -= self.offset[outcome]
        frac *= self.scale[outcome]
        frac += self.start[outcome]
        return frac


#: Alias tables made, by their distributions (a level prior depends only on the truths' spread and level).
_ALIASES: dict[bytes, _Alias] = {}


def _alias(p: np.ndarray) -> _Alias:
    """:class:`_Alias` of ``p``, made once for all the posteriors that share it.

    Safe from two threads at once (the draws' pieces): the table returned is the one found or made here,
    never read again from the dictionary, which the other thread may have just emptied.
    """
    key = p.tobytes()
    found = _ALIASES.get(key)
    if found is None:
        if len(_ALIASES) >= 64:
            _ALIASES.clear()
        found = _ALIASES[key] = _Alias(p)
    return found


#: Below this chance of a proposal from its row being kept, a value is drawn by the inverse CDF of its own pair.
_ROW_KEPT = 0.3


def _draw_by_rows(
    lik: np.ndarray,
    z: np.ndarray,
    row: np.ndarray,
    level: np.ndarray,
    level_prior: np.ndarray,
    rest: np.ndarray,
    values: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Values ``rest`` of :func:`_draw_spoken` (into ``values``) by rejection from their row at one level.

    L(θ | row) T(θ | level) = L(θ | row) T(θ | middle) × T(θ | level) / T(θ | middle): a proposal from the row at
    the middle level (one cumulative table per row, where the inverse CDF needs one per row and level) is kept
    with chance T(θ | level) / T(θ | middle), scaled to at most 1 (exact). Levels differ by a tilt, so where the
    evidence is strong this is mostly kept; values whose proposals would be kept less often than
    :data:`_ROW_KEPT` (and those still waiting after a few rounds) are returned, to be drawn by the inverse CDF.
    """
    n_levels = level_prior.shape[0]
    middle = level_prior[n_levels // 2]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ratio = level_prior / middle
        peak = ratio.max(axis=1)
        if not (np.isfinite(peak).all() and (middle > 0).all()):
            return rest
        keep = (ratio / peak[:, None]).ravel()  # (levels × grid): the chance a proposal in each bin is kept
    needed = np.zeros(lik.shape[0], dtype=bool)
    needed[row[rest]] = True
    rows = np.flatnonzero(needed)
    cdf = np.cumsum(lik[rows] * middle, axis=1)  # (rows needed, grid)
    which = (np.cumsum(needed) - 1)[row[rest]]
    chance = z.ravel()[row[rest] * n_levels + level[rest]] / (cdf[which, -1] * peak[level[rest]])
    use = chance >= _ROW_KEPT
    todo, which = rest[use], which[use]
    for _ in range(_PROPOSALS):
        if not todo.size:
            break
        k = _search_bins(cdf, which, rng)
        kept = rng.random(todo.size) < keep[level[todo] * GRID_SIZE + k]
        values[todo[kept]] = EDGES[k[kept]] + rng.random(int(kept.sum())) * BIN_WIDTH
        todo, which = todo[~kept], which[~kept]
    return np.concatenate([rest[~use], todo])


def _grid_bins(p: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One bin of the grid from each distribution ``p[which]`` (p: (rows, grid), not necessarily normalised)."""
    return _search_bins(np.cumsum(p, axis=1), which, rng)


def _search_bins(cdf: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """:func:`_grid_bins` from the distributions' cumulative sums ``cdf`` (rows, grid)."""
    flat = cdf.ravel()
    row = which.ravel()
    target = rng.random(row.size) * cdf[row, -1]
    # The first bin whose cumulative share reaches the target, by bisection within each draw's own row.
    k = row * GRID_SIZE
    n = GRID_SIZE
    while n > 1:
        half = n // 2
        k = np.where(flat[k + half] < target, k + half, k)
        n -= half
    return np.minimum(k + (flat[k] < target) - row * GRID_SIZE, GRID_SIZE - 1).reshape(which.shape)


def _cell_posteriors(r: Readings, sigma: float, tau: float, spread: float, cells: np.ndarray) -> np.ndarray:
    """The posteriors of ``cells``, each with every source's offset (and the option's level) summed out on its own."""
    table = _cell_table(r.classes.tobytes(), sigma, tau)  # (5·classes, grid)
    loglik = r.counts[cells] @ table  # (cells, grid)
    logp = loglik + np.log(truth_prior(spread))[None, :]
    p = np.exp(logp - logp.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


@functools.lru_cache(maxsize=64)
def _cell_table(classes: bytes, sigma: float, tau: float) -> np.ndarray:
    """:func:`log_likelihood_table` of these kinds of notes at σ with each source's offset (spread τ) added, kept
    (it depends on the model's grids, not on the notes)."""
    table = log_likelihood_table(np.frombuffer(classes).reshape(-1, 2), sigma, tau**2)
    table.flags.writeable = False
    return table


def _correlation(r: Readings, sigma: float, tau: float, spread: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The copula's correlation between the cells of each option, and each cell's Gaussian variance.

    Cell j's estimate weighs each source's reading by its share λ of the cell's
    precision, and the prior (centred on neutral) by the rest. A source speaking
    to cells j and k puts its offset (variance τ²) into both, and the option's
    level (variance m²) is in every cell's truth, so
    Cov(j, k) = τ² Σ_sources λⱼ λₖ + m² λ⁰ⱼ λ⁰ₖ.
    """
    n_o, n_c = r.shape
    prior_prec = 1.0 / prior_variance(marginal_spread(spread, level))
    prec = r.precision(np.array([sigma]))[:, 0]
    a = 1.0 / (1.0 / prec + tau**2)  # each reading's precision with its offset included
    cell_prec = np.bincount(r.cell, weights=a, minlength=r.n_cells) + prior_prec
    lam = a / cell_prec[r.cell]
    shares = np.zeros((r.source_option.size, n_c))
    shares[r.source, r.cell % n_c] = lam
    # Σ over each option's sources of λλᵀ: sources sorted by option, summed in one pass.
    order = np.argsort(r.source_option, kind="stable")
    by_option = shares[order]
    starts = np.searchsorted(r.source_option[order], np.arange(n_o))
    outer = by_option[:, :, None] * by_option[:, None, :]
    cov = np.zeros((n_o, n_c, n_c))
    has = np.bincount(r.source_option, minlength=n_o) > 0
    if outer.shape[0]:
        cov[has] = tau**2 * np.add.reduceat(outer, starts[has], axis=0)
    lam0 = (prior_prec / cell_prec).reshape(n_o, n_c)
    cov += level**2 * lam0[:, :, None] * lam0[:, None, :]
    var = 1.0 / cell_prec
    idx = np.arange(n_c)
    cov[:, idx, idx] = var.reshape(n_o, n_c)
    sd = np.sqrt(var.reshape(n_o, n_c))
    corr = cov / (sd[:, :, None] * sd[:, None, :])
    corr[:, idx, idx] = 1.0
    return np.clip(corr, -1.0, 1.0), var


@functools.cache
def _lattice(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in standard units on ±:data:`LATTICE_SPAN` and the log of their normal prior (adding up to 1)."""
    z = np.linspace(-LATTICE_SPAN, LATTICE_SPAN, k)
    log_pz = -0.5 * z**2
    log_pz -= np.log(np.exp(log_pz).sum())
    z.flags.writeable = log_pz.flags.writeable = False  # kept and shared
    return z, log_pz


def _offset_likelihoods(r: Readings, rows: np.ndarray, sigma: float, tau: float, k: int) -> np.ndarray:
    """Readings' log-likelihoods at θ + b for every offset b on a lattice of ``k`` points: (rows, k, grid)."""
    table = _offset_table(r.classes.tobytes(), sigma, tau, k)  # (5·classes, k·grid)
    return (r.weights[rows] @ table).reshape(-1, k, GRID_SIZE)


@functools.lru_cache(maxsize=12)
def _offset_table(classes: bytes, sigma: float, tau: float, k: int) -> np.ndarray:
    """log P(stance | θ + b) for each (stance, class) at σ, for every offset b on the lattice of ``k`` points at τ:
    (5 · classes, k · grid). It depends on the kinds of notes and the model's grids, not on the notes themselves:
    made once and kept (about 2 MB each; a new note rarely changes the σ and τ the posterior is computed at)."""
    z, _ = _lattice(k)
    shifted = THETA[None, :] + tau * z[:, None]
    table = log_likelihood_table(np.frombuffer(classes).reshape(-1, 2), sigma, 0.0, shifted.ravel())
    table.flags.writeable = False
    return table


def _levels(spread: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The options' level on its lattice: the log of each point's prior, and each point's prior of the truths on
    the grid, (levels,) and (levels, grid); one point when the truths are flat (the level changes nothing)."""
    if not math.isfinite(spread):
        return np.zeros(1), truth_prior(spread, np.zeros(1))
    zl, log_pl = _lattice(LEVEL_LATTICE)
    return log_pl, truth_prior(spread, level * zl)


class _Offsets:
    """What every exact option of one (σ, τ, s, m) shares: its readings' log-likelihoods on their lattice of
    offsets, the readings of each option, and the prior of the options' level."""

    def __init__(self, r: Readings, options: np.ndarray, sigma: float, tau: float, spread: float, level: float):
        self.r, self.sigma, self.tau = r, sigma, tau
        option = r.source_option[r.source]
        order = np.argsort(option, kind="stable")
        bounds = np.searchsorted(option[order], np.arange(r.shape[0] + 1))
        self.readings = {int(o): order[bounds[o] : bounds[o + 1]] for o in options}
        self.log_pl, self.level_prior = _levels(spread, level)

    def __call__(self, rows: np.ndarray, k: int) -> np.ndarray:
        """The log-likelihoods of readings ``rows`` on the lattice of ``k`` offsets (worked out when asked for:
        a reading of one kind of note is mostly taken from a kept table instead)."""
        return _offset_likelihoods(self.r, rows, self.sigma, self.tau, k)


def _exact_option(
    r: Readings,
    o: int,
    sigma: float,
    tau: float,
    spread: float,
    level: float,
    offsets: _Offsets | None = None,
) -> Exact | None:
    """Option ``o`` exactly: its sources' offsets and its level summed out on lattices, every combination.

    ``offsets``: the readings' likelihoods on the lattices, computed once for every option at (σ, τ).
    """
    n_c = r.shape[1]
    if offsets is None:
        offsets = _Offsets(r, np.array([o]), sigma, tau, spread, level)
    mine = offsets.readings[o]  # this option's readings
    if mine.size == 0:
        return None
    sources, src = np.unique(r.source[mine], return_inverse=True)
    n_src = sources.size
    k = EXACT_LATTICE[n_src]
    _, log_pz = _lattice(k)
    contrib = offsets(mine, k)  # each reading's log-likelihood at every lattice offset of its source
    level_prior, log_pl = offsets.level_prior, offsets.log_pl
    lattice = (k,) * n_src
    # The prior of every combination of offsets and level, then each spoken cell's evidence.
    log_w = np.zeros(lattice + (log_pl.size,)) + log_pl
    for g in range(n_src):
        shape = [1] * (n_src + 1)
        shape[g] = k
        log_w = log_w + log_pz.reshape(shape)
    cell = r.cell[mine] % n_c
    who = np.zeros(n_c, dtype=np.int64)  # per cell, which sources spoke to it (one bit each)
    np.bitwise_or.at(who, cell, 1 << src)
    groups = []
    for pattern in np.unique(who[who > 0]):
        axes = tuple(a for a in range(n_src) if pattern >> a & 1)
        cells = np.flatnonzero(who == pattern)
        position = np.full(n_c, -1)
        position[cells] = np.arange(cells.size)
        total = np.zeros((k,) * len(axes) + (cells.size, GRID_SIZE))
        for i, a in enumerate(axes):
            rows = (src == a) & (position[cell] >= 0)
            per = np.zeros((cells.size, k, GRID_SIZE))
            per[position[cell[rows]]] = contrib[rows]  # one reading per source and cell
            shape = [1] * len(axes) + [cells.size, GRID_SIZE]
            shape[i] = k
            total = total + per.transpose(1, 0, 2).reshape(shape)
        total = total.reshape(-1, cells.size, GRID_SIZE)
        top = total.max(axis=2, keepdims=True)
        lik = np.exp(total - top)  # (its combinations, cells, grid), each row scaled by exp(top)
        z_cell = (lik.reshape(-1, GRID_SIZE) @ level_prior.T).reshape(lik.shape[:2] + (-1,))  # (…, cells, levels)
        shape = [1] * (n_src + 1)
        for a in axes:
            shape[a] = k
        shape[-1] = log_pl.size
        log_w = log_w + ((np.log(z_cell) + top).sum(axis=1)).reshape(shape)
        groups.append(Spoken(axes, cells, lik, z_cell))
    w = np.exp(log_w - log_w.max()).reshape(-1, log_pl.size)
    w /= w.sum()
    w[w.max(axis=1) <= 1e-9] = 0.0  # combinations that cannot matter
    w /= w.sum()
    return Exact(o * n_c + np.arange(n_c), lattice, groups, level_prior, w)


@dataclass
class _Likelihoods:
    """What the exact options of one class share at one (σ, τ), whatever the truths' spread and level."""

    options: np.ndarray  # option indices, ascending
    lattice: tuple[int, ...]
    pattern: np.ndarray  # (options, criteria): which of its option's sources spoke to each cell (a bit each)
    #: Per group of cells (by pattern, ascending): the sources, each cell's option (position) and criterion, its
    #: likelihood on the grid per combination of those sources' offsets, scaled to a maximum of 1, and the log of
    #: that scale: (cells, combinations, grid) and (cells, combinations, 1).
    groups: list[tuple[tuple[int, ...], np.ndarray, np.ndarray, np.ndarray, np.ndarray]]


def _exact_likelihoods(r: Readings, options: np.ndarray, sigma: float, tau: float) -> list[_Likelihoods]:
    """The likelihoods of the exact options' cells on their lattices of offsets, options with the same number of
    sources together, cells grouped by which of their option's sources spoke to them."""
    n_c = r.shape[1]
    option = r.source_option[r.source]  # each reading's option
    n_sources = r.option_sources[options]
    out = []
    for n_src in (int(n) for n in np.unique(n_sources)):
        mine = options[n_sources == n_src]
        k = EXACT_LATTICE[n_src]
        rows = np.flatnonzero(np.isin(option, mine))
        where = np.searchsorted(mine, option[rows])  # each reading's option, as a position in ``mine``
        # Each reading's source as an axis: its rank among its option's sources (by source number).
        sources = np.unique(r.source[rows])
        by_option = np.lexsort((sources, r.source_option[sources]))
        ranked, ranked_option = sources[by_option], r.source_option[sources[by_option]]
        axis_of = np.zeros(r.source_option.size, dtype=np.int64)
        axis_of[ranked] = np.arange(ranked.size) - np.searchsorted(ranked_option, ranked_option)
        axis = axis_of[r.source[rows]]
        criterion = r.cell[rows] % n_c
        pattern = np.zeros((mine.size, n_c), dtype=np.int64)
        np.bitwise_or.at(pattern, (where, criterion), 1 << axis)
        reading = np.full((mine.size, n_c, n_src), -1)
        reading[where, criterion, axis] = rows
        groups: list[tuple[tuple[int, ...], np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for bits in np.unique(pattern[pattern > 0]):
            axes = tuple(a for a in range(n_src) if bits >> a & 1)
            at, crit = np.nonzero(pattern == bits)  # by option, then criterion
            if len(axes) == 1:  # one reading per cell: a reading of one kind of note is a row of a kept table
                lik, top = _one_reading(r, reading[at, crit, axes[0]], sigma, tau, k)
                groups.append((axes, at, crit, lik, top))
                continue
            total: np.ndarray | float = 0.0
            for i, a in enumerate(axes):
                shape = [at.size] + [1] * len(axes) + [GRID_SIZE]
                shape[1 + i] = k
                total = total + _offset_likelihoods(r, reading[at, crit, a], sigma, tau, k).reshape(shape)
            lik = np.asarray(total).reshape(at.size, -1, GRID_SIZE)
            top = lik.max(axis=2, keepdims=True)
            lik -= top
            np.exp(lik, out=lik)
            groups.append((axes, at, crit, lik, top))
        out.append(_Likelihoods(mine, (k,) * n_src, pattern, groups))
    return out


def _one_reading(r: Readings, rows: np.ndarray, sigma: float, tau: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Readings' likelihoods on the lattice of offsets, each scaled to a maximum of 1, and the log of that scale:
    (rows, k, grid) and (rows, k, 1). A reading of one kind of note (stance and class) is a row of
    :func:`_scaled_offset_table`, the same numbers; the others are worked out."""
    w = r.weights[rows]
    kind = w.argmax(axis=1)
    single = w[np.arange(rows.size), kind] == 1.0
    scaled, tops = _scaled_offset_table(r.classes.tobytes(), sigma, tau, k)
    if single.all():
        return scaled[kind], tops[kind]
    lik = np.empty((rows.size, k, GRID_SIZE))
    top = np.empty((rows.size, k, 1))
    lik[single], top[single] = scaled[kind[single]], tops[kind[single]]
    if not single.all():
        mixed = _offset_likelihoods(r, rows[~single], sigma, tau, k)
        top[~single] = mixed.max(axis=2, keepdims=True)
        mixed -= top[~single]
        lik[~single] = np.exp(mixed)
    return lik, top


@functools.lru_cache(maxsize=12)
def _scaled_offset_table(classes: bytes, sigma: float, tau: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_offset_table` as likelihoods, each (stance, class) and offset scaled to a maximum of 1, and the log of
    that scale: (5 · classes, k, grid) and (5 · classes, k, 1). Kept, as the table is."""
    table = _offset_table(classes, sigma, tau, k).reshape(-1, k, GRID_SIZE)
    top = table.max(axis=2, keepdims=True)
    scaled = np.exp(table - top)
    scaled.flags.writeable = top.flags.writeable = False
    return scaled, top


def _exact_options(
    r: Readings,
    options: np.ndarray,
    sigma: float,
    tau: float,
    spread: float,
    level: float,
    likelihoods: list[_Likelihoods] | None = None,
) -> tuple[ExactOptions, np.ndarray]:
    """:func:`_exact_option` for every option of ``options`` at once, and their cells' posteriors.

    Options with the same number of sources share the shape of their combinations, so they are computed
    together, cells grouped by which of their option's sources spoke to them (the first, the second, both...).
    ``likelihoods``: :func:`_exact_likelihoods` at (σ, τ), when at hand (noise levels that differ only in the
    truths' spread share them). Returns the options and their cells' posteriors, (options × criteria, grid).
    """
    n_c = r.shape[1]
    if likelihoods is None:
        likelihoods = _exact_likelihoods(r, options, sigma, tau)
    log_pl, level_prior = _levels(spread, level)
    n_levels = log_pl.size
    classes = []
    for known in likelihoods:
        mine, lattice = known.options, known.lattice
        _, log_pz = _lattice(lattice[0])
        log_w = np.zeros((mine.size, *lattice, n_levels)) + log_pl
        for a in range(len(lattice)):
            shape = [1] * log_w.ndim
            shape[1 + a] = lattice[0]
            log_w = log_w + log_pz.reshape(shape)
        groups = []
        for axes, at, crit, lik, top in known.groups:
            z = (lik.reshape(-1, GRID_SIZE) @ level_prior.T).reshape(lik.shape[:2] + (n_levels,))
            first = np.flatnonzero(np.r_[True, at[1:] != at[:-1]])
            evidence = np.add.reduceat(np.log(z) + top, first, axis=0)  # summed over each option's cells
            shape = [first.size] + [1] * len(lattice) + [n_levels]
            for a in axes:
                shape[1 + a] = lattice[a]
            log_w[at[first]] += evidence.reshape(shape)
            groups.append(SpokenCells(axes, at, crit, lik, z))
        flat = log_w.reshape(mine.size, -1)
        w = np.exp(flat - flat.max(axis=1, keepdims=True)).reshape(mine.size, -1, n_levels)
        w /= w.sum(axis=(1, 2), keepdims=True)
        w[w.max(axis=2) <= 1e-9] = 0.0  # combinations that cannot matter
        w /= w.sum(axis=(1, 2), keepdims=True)
        classes.append(ExactClass(mine, lattice, groups, w, known.pattern > 0))
    exact = ExactOptions(n_c, level_prior, classes)
    theta = np.empty((exact.options.size, n_c, GRID_SIZE))
    for cls in classes:
        theta[np.searchsorted(exact.options, cls.options)] = cls.marginal(level_prior)
    return exact, theta.reshape(-1, GRID_SIZE)


def posterior(r: Readings, noise: Noise, exact_sources: int = EXACT_SOURCES) -> Posterior:
    """The posterior of every cell, mixed over the likely values of (σ, τ, s, m) learned (:func:`.noise.learn`).

    Options with at most ``exact_sources`` sources (up to 3) are computed exactly, the others by the copula.
    """
    learned = noise
    n_o, n_c = r.shape
    few = np.flatnonzero((r.option_sources > 0) & (r.option_sources <= exact_sources))
    likelihoods: dict[tuple[float, float], list[_Likelihoods]] = {}
    if r.n_cells and few.size:  # noise levels that differ in the truths alone share these: worked out first
        pairs = list(dict.fromkeys((sigma, tau) for sigma, tau, *_ in learned.support))

        def likelihood(pair: tuple[float, float]) -> None:
            likelihoods[pair] = _exact_likelihoods(r, few, *pair)

        side_by_side(likelihood, pairs)
    support = list(learned.support)
    parts: list[Part | None] = [None] * len(support)

    def part(i: int) -> None:
        parts[i] = _part(r, few, likelihoods, *support[i])

    side_by_side(part, range(len(support)))  # each noise level on its own, side by side
    return Posterior(r, [p for p in parts if p is not None], learned)


def _part(
    r: Readings,
    few: np.ndarray,
    likelihoods: dict[tuple[float, float], list[_Likelihoods]],
    sigma: float,
    tau: float,
    spread: float,
    level: float,
    weight: float,
) -> Part:
    """The posterior at one noise level (:func:`posterior`); ``few``: the options computed exactly."""
    n_o, n_c = r.shape
    if not r.n_cells:
        return Part(
            sigma,
            tau,
            spread,
            level,
            weight,
            np.zeros((0, GRID_SIZE)),
            np.zeros((n_o, n_c, n_c)),
            ExactOptions(n_c, truth_prior(spread)[None, :], []),
            np.zeros(0),
        )
    corr, var = _correlation(r, sigma, tau, spread, level)
    theta = np.empty((r.n_cells, GRID_SIZE))
    copula = np.ones(n_o, dtype=bool)
    copula[few] = False
    cells = (np.flatnonzero(copula)[:, None] * n_c + np.arange(n_c)[None, :]).ravel()
    theta[cells] = _cell_posteriors(r, sigma, tau, marginal_spread(spread, level), cells)
    if few.size:
        exact, marginal = _exact_options(r, few, sigma, tau, spread, level, likelihoods[sigma, tau])
        theta[(few[:, None] * n_c + np.arange(n_c)[None, :]).ravel()] = marginal
    else:
        exact = ExactOptions(n_c, truth_prior(spread)[None, :], [])
    return Part(sigma, tau, spread, level, weight, theta, corr, exact, var)
