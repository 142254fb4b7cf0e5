"""How noisy notes are is learned from one option's readings at a time: the likelihood of its readings at every
(σ, τ, s, m) of the grid, with its truths, its level and its sources' leanings summed out. It must be the plain
multivariate normal one, worked out here the long way (one covariance matrix per grid point)."""

from __future__ import annotations

import numpy as np
import pytest

from workbook.evidence import model, noise


def _dense(y: np.ndarray, prec: np.ndarray, cell: np.ndarray, src: np.ndarray) -> np.ndarray:
    """log N(y; 0, C) up to the 2π term, C = m² 11ᵀ + v_s [same cell] + τ² [same source] + diag(1 / prec)."""
    same_cell = (cell[:, None] == cell[None, :]).astype(float)
    same_src = (src[:, None] == src[None, :]).astype(float)
    v = np.array([model.prior_variance(s) for s in model.SPREAD_GRID])
    out = np.empty((model.SIGMA_GRID.size, model.TAU_GRID.size, v.size, model.LEVEL_GRID.size))
    for a in range(model.SIGMA_GRID.size):
        for b, tau in enumerate(model.TAU_GRID):
            for c, var in enumerate(v):
                for d, level in enumerate(model.LEVEL_GRID):
                    cov = level**2 + var * same_cell + tau**2 * same_src + np.diag(1.0 / prec[:, a])
                    sign, logdet = np.linalg.slogdet(cov)
                    assert sign > 0
                    out[a, b, c, d] = -0.5 * (y @ np.linalg.solve(cov, y) + logdet)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_an_options_likelihood_is_the_multivariate_normal_one(seed):
    rng = np.random.default_rng(seed)
    n_cells, n_sources = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    pairs = [(c, g) for c in range(n_cells) for g in range(n_sources) if rng.random() < 0.6] or [(0, 0)]
    cell = np.array([p[0] for p in pairs])
    src = np.array([p[1] for p in pairs])
    # Every cell and source numbered from 0 without gaps, as learn() hands them over.
    cell = np.unique(cell, return_inverse=True)[1]
    src = np.unique(src, return_inverse=True)[1]
    y = rng.normal(0.0, 1.5, cell.size)
    prec = rng.uniform(0.3, 4.0, cell.size)[:, None] / np.square(model.SIGMA_GRID)[None, :]
    got = noise._option_loglik(y, prec, cell, src)
    want = _dense(y, prec, cell, src)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-11)
