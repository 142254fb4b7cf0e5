"""The draws of the evidence engine do not depend on how the work is split.

The copula's quantile tables, which every draw reads, are worked out a few
cells at a time (``model._CHUNK_CELLS``), to keep the arrays in the processor's
cache; the tables and the draws must be the same, bit for bit, as when every
cell is done at once. The noise levels' posteriors and the pieces of draws are
worked on by two threads side by side (``parallel.side_by_side``): the same,
bit for bit, as one after the other, whichever thread takes which piece.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.generate import synthetic_frames
from workbook import parallel
from workbook.evidence import model
from workbook.evidence.noise import learn

#: Shapes that exercise the copula alone, exact options alone, both, and several noise levels.
SHAPES = [(30, 6, 2000), (8, 4, 12), (50, 5, 600), (5, 3, 40)]


def _posterior(n_options: int, n_criteria: int, n_insights: int, seed: int) -> model.Posterior:
    frames = synthetic_frames(
        n_options=n_options, n_criteria=n_criteria, n_insights=n_insights, n_contacts=100, seed=seed
    )
    r = model.readings(frames["options"], frames["criteria"], frames["insights"])
    return model.posterior(r, learn(r))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.mark.parametrize(("seed", "shape"), list(enumerate(SHAPES)))
def test_draws_and_quantiles_are_the_same_whatever_the_chunk(seed, shape, monkeypatch):
    post = _posterior(*shape, seed=seed)
    levels = np.array([0.0, 0.05, 0.5, 0.95, 1.0])
    monkeypatch.setattr(model, "_CHUNK_CELLS", 10**9)  # every cell at once
    whole = post.draw(257, np.random.default_rng(seed))
    whole_q = [model._quantiles(p.theta, q) for p in post.parts for q in (levels, model._LEVELS)]
    for chunk in (1, 7, 96):
        monkeypatch.setattr(model, "_CHUNK_CELLS", chunk)
        assert _same(post.draw(257, np.random.default_rng(seed)), whole), chunk
        parts_q = [model._quantiles(p.theta, q) for p in post.parts for q in (levels, model._LEVELS)]
        assert all(_same(a, b) for a, b in zip(parts_q, whole_q, strict=True)), chunk


def test_the_copulas_normal_numbers_are_standard_normal_and_independent():
    """The copula's normal numbers come from pairs of uniform ones (Box–Muller): normal, and no pair related."""
    n = 200_000
    z = model._normals((n // 8, 2, 4), np.random.default_rng(3)).ravel().astype(np.float64)
    assert z.size == n and abs(z.mean()) < 4 / np.sqrt(n) and abs(z.std() - 1) < 4 / np.sqrt(2 * n)
    ordered = np.sort(z)
    cdf = model.normal_cdf(ordered)
    distance = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    assert distance * np.sqrt(n) < 1.95  # Kolmogorov–Smirnov, 0.1% level
    half = n // 2  # the two numbers of each pair are half the array apart
    assert abs(np.corrcoef(z[:half], z[half:])[0, 1]) < 4 / np.sqrt(half)
    assert abs(np.corrcoef(z[:half] ** 2, z[half:] ** 2)[0, 1]) < 4 / np.sqrt(half)  # not even in size
    assert abs(np.corrcoef(z[:-1], z[1:])[0, 1]) < 4 / np.sqrt(n)


def test_values_drawn_from_their_row_follow_their_posterior():
    """Strong evidence is drawn by proposals from its row at the middle level, kept by the tilt to the drawn level:
    the values must follow L(θ | row) T(θ | level) for every level, as the inverse CDF of each pair would give."""
    spread, level_sd = 0.7, 0.35
    zl = np.linspace(-model.LATTICE_SPAN, model.LATTICE_SPAN, model.LEVEL_LATTICE)
    level_prior = model.truth_prior(spread, level_sd * zl)  # (levels, grid)
    centres = np.array([-1.2, 0.3, 1.5])
    lik = np.exp(-0.5 * np.square((model.THETA[None, :] - centres[:, None]) / 0.15))  # strong evidence, max 1
    lik /= lik.max(axis=1, keepdims=True)
    z = lik @ level_prior.T
    rng = np.random.default_rng(11)
    n = 300_000
    row = rng.integers(0, centres.size, n)
    level = rng.integers(0, model.LEVEL_LATTICE, n)
    values = np.full(n, np.nan)
    left = model._draw_by_rows(lik, z, row, level, level_prior, np.arange(n), values, rng)
    drawn = np.setdiff1d(np.arange(n), left)
    assert drawn.size > 0.2 * n  # many are drawn this way (the others go to the inverse CDF)
    post = lik[:, None, :] * level_prior[None, :, :]
    post /= post.sum(axis=2, keepdims=True)  # (rows, levels, grid)
    checked = 0
    for r in range(centres.size):
        for lo, hi in ((0, 5), (5, 10), (10, 15)):  # low, middle and high levels
            mine = drawn[(row[drawn] == r) & (level[drawn] >= lo) & (level[drawn] < hi)]
            if mine.size < 2000:  # levels far from the middle, with evidence far from them: the inverse CDF's
                continue
            checked += 1
            p = post[r, level[mine]]  # each value's own posterior on the grid
            mean = p @ model.THETA
            sd = np.sqrt(p @ np.square(model.THETA) - np.square(mean))
            got = values[mine]
            assert abs((got - mean).mean()) < 4.5 * np.sqrt((np.square(sd)).mean() / mine.size)
            for cut in (np.median(got), centres[r]):  # P(θ ≤ cut), bins flat inside
                below = (np.clip((cut - model.EDGES[:-1]) / model.BIN_WIDTH, 0.0, 1.0)[None, :] * p).sum(axis=1)
                assert abs((got <= cut).mean() - below.mean()) < 4.5 * np.sqrt(0.25 / mine.size)
    assert checked >= 5


def _one_after_another(work, items):
    for item in items:
        work(item)


def _last_first(work, items):
    for item in reversed(list(items)):
        work(item)


@pytest.mark.parametrize(("seed", "shape"), list(enumerate(SHAPES)))
def test_posteriors_and_draws_are_the_same_in_two_threads_as_in_one(seed, shape, monkeypatch):
    monkeypatch.setattr(parallel, "spare_core", lambda: True)  # two threads, however busy the machine is
    two = _posterior(*shape, seed=seed)
    drawn = two.draw(2000, np.random.default_rng(seed))
    for order in (_one_after_another, _last_first):
        monkeypatch.setattr(model, "side_by_side", order)
        one = _posterior(*shape, seed=seed)
        assert all(_same(a.theta, b.theta) for a, b in zip(one.parts, two.parts, strict=True)), order.__name__
        assert _same(one.draw(2000, np.random.default_rng(seed)), drawn), order.__name__


def test_the_draws_are_split_in_pieces_each_with_its_own_random_numbers():
    post = _posterior(30, 6, 2000, seed=0)
    a = post.draw_by_cell(2000, np.random.default_rng(1))
    # Pieces of about a sixth of the draws: no two pieces repeat each other's values.
    pieces = [a[:, i * 333 : i * 333 + 50] for i in range(6)]
    assert len({p.tobytes() for p in pieces}) == 6
    assert _same(post.draw_by_cell(2000, np.random.default_rng(1)), a)
    assert not _same(post.draw_by_cell(2000, np.random.default_rng(2)), a)
