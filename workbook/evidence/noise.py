"""How noisy notes are, how much people lean, how spread out truths are: learned from disagreement.

Three numbers shape every interval (see :mod:`.model`):

* σ: how far one person's impression of one criterion strays from the truth;
* τ: how much people's leanings about an option differ (enthusiasts and sceptics);
* s: how spread out the true values of your cells are before any note.

They are learned together from your notes, by how well each combination on a
grid (:data:`~.model.SIGMA_GRID` × :data:`~.model.TAU_GRID` ×
:data:`~.model.SPREAD_GRID`) explains them, starting from weak priors. The
likelihood is the model's Gaussian view on the latent scale (each reading's
rounding counted as noise), with every option's truths and every source's
leaning summed out exactly; only the stances' rounding is approximated here,
while the posteriors themselves (:mod:`.model`) use the rounded readings.

What can be learned from what:

* a single reading per cell says how spread out readings are, which mixes the
  truths' spread with noise; it cannot tell them apart, so σ and τ keep their
  priors and only their sum with s is learned;
* two or more sources on one cell disagree by their noise and their leanings;
* the same sources on several cells of an option show whether their
  disagreement is a steady leaning (τ) or varies from criterion to criterion (σ).

:attr:`Noise.from_disagreement` says whether any cell has two or more sources;
when none has, the intervals rest on the priors, and the comparison says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .model import (
    LEVEL_GRID,
    LEVEL_PRIOR,
    SIGMA_GRID,
    SIGMA_PRIOR_MEDIAN,
    SIGMA_PRIOR_SPREAD,
    SPREAD_GRID,
    SPREAD_PRIOR,
    TAU_GRID,
    TAU_PRIOR_MEDIAN,
    TAU_PRIOR_SPREAD,
    Readings,
    log_likelihood_table,
    prior_variance,
    reading_noise,
    truth_prior,
)

#: Most options used to learn (those with the most readings); plenty for three numbers.
LEARN_OPTIONS = 24
#: Most sources of one option used to learn (those with the most readings).
LEARN_SOURCES = 16
#: Points of (σ, τ, s) the posterior is computed at: picked evenly through the learned distribution.
SUPPORT = 6


@dataclass
class Noise:
    """The learned distribution of (σ, τ, s), and the few points the posterior is computed at."""

    #: (σ, τ, s, m, weight) at which posteriors are computed; weights add up to 1.
    support: list[tuple[float, float, float, float, float]]
    #: Posterior means of σ, τ, of the criteria's spread within an option and of the options' levels.
    sigma: float
    tau: float
    spread_sd: float
    level_sd: float
    #: Whether two or more sources speak to at least one cell (otherwise the priors stand).
    from_disagreement: bool
    #: Cells with two or more sources.
    overlapping_cells: int

    def sentence(self) -> str:
        """How sure the intervals are about the noise, in words."""
        if not self.from_disagreement:
            return (
                "No two sources have spoken about the same option and criterion yet, so how far people's views "
                "stray and how much their enthusiasm differs are assumed, not learned: the intervals rest on "
                "that assumption until two people speak about the same thing."
            )
        return (
            f"Learned from {self.overlapping_cells} place{'s' if self.overlapping_cells != 1 else ''} where two or "
            f"more sources spoke about the same thing: a typical view strays about {self.sigma:.1f} steps from "
            f"the truth, and people's enthusiasm for an option differs by about {self.tau:.1f} steps."
        )


def _log_prior() -> np.ndarray:
    ls = -0.5 * np.square((np.log(SIGMA_GRID) - math.log(SIGMA_PRIOR_MEDIAN)) / SIGMA_PRIOR_SPREAD)
    lt = -0.5 * np.square((np.log(TAU_GRID) - math.log(TAU_PRIOR_MEDIAN)) / TAU_PRIOR_SPREAD)
    ls -= np.log(np.exp(ls).sum())
    lt -= np.log(np.exp(lt).sum())
    lv = np.log(SPREAD_PRIOR / SPREAD_PRIOR.sum())
    lr = np.log(LEVEL_PRIOR / LEVEL_PRIOR.sum())
    return ls[:, None, None, None] + lt[None, :, None, None] + lv[None, None, :, None] + lr[None, None, None, :]


def _option_loglik(y: np.ndarray, prec: np.ndarray, cell: np.ndarray, src: np.ndarray) -> np.ndarray:
    """Gaussian log-likelihood of one option's readings at every (σ, τ, s, m): shape (σ, τ, s, m).

    y = μ + δ[cell] + b[src] + e: the option's overall level μ ~ N(0, m²), each cell's own part
    δ ~ N(0, v_s), each source's leaning b ~ N(0, τ²), noise e ~ N(0, 1/prec). All summed
    out exactly (the joint precision's Schur complement onto the option's truths).
    """
    n_j, n_g = int(cell.max()) + 1, int(src.max()) + 1
    n_s = prec.shape[1]
    v = np.array([prior_variance(s) for s in SPREAD_GRID])  # (s,)
    tau2 = np.square(TAU_GRID)  # (τ,)
    a = np.zeros((n_s, n_j + 1, n_g))  # precision of source g's reading on cell j; last row: on the option
    pair = cell * n_g + src
    for i in range(n_s):
        a[i, :n_j, :] = np.bincount(pair, weights=prec[:, i], minlength=n_j * n_g).reshape(n_j, n_g)
    a[:, n_j, :] = a[:, :n_j, :].sum(axis=1)
    d_j = a[:, :n_j, :].sum(axis=2)  # (σ, J)
    d_g = a[:, n_j, :]  # (σ, G)
    xdx = np.zeros((n_s, n_j + 1, n_j + 1))  # XᵀDX for the truths (cells, then the option's level)
    idx = np.arange(n_j)
    xdx[:, idx, idx] = d_j
    xdx[:, idx, n_j] = xdx[:, n_j, idx] = d_j
    xdx[:, n_j, n_j] = d_j.sum(axis=1)
    py = prec * y[:, None]
    r_d = np.zeros((n_s, n_j + 1))
    r_g = np.zeros((n_s, n_g))
    for i in range(n_s):
        r_d[i, :n_j] = np.bincount(cell, weights=py[:, i], minlength=n_j)
        r_g[i] = np.bincount(src, weights=py[:, i], minlength=n_g)
    r_d[:, n_j] = r_d[:, :n_j].sum(axis=1)
    ydy = (prec * np.square(y)[:, None]).sum(axis=0)  # (σ,)
    logd = np.log(prec).sum(axis=0)  # (σ,)
    m_bb = 1.0 / tau2[None, :, None] + d_g[:, None, :]  # (σ, τ, G)
    a_scaled = a[:, None, :, :] / m_bb[:, :, None, :]  # (σ, τ, J+1, G)
    cross = np.einsum("atjg,akg->atjk", a_scaled, a)  # (σ, τ, J+1, J+1)
    # S = XᵀDX − cross + the truths' prior precisions: 1/v_s on the cells' diagonal, 1/m² on the level's. Split
    # into the cells' block B + I/v_s, the column b they share with the level, and the level's corner β + 1/m²:
    # one eigendecomposition B = Q Λ Qᵀ per (σ, τ) gives det S and tᵀ S⁻¹ t at every (s, m) in closed form
    # (B + I/v_s = Q (Λ + I/v_s) Qᵀ, then the level's Schur complement), rather than a factor of S at each of the
    # 24 (s, m). B is the data's part (positive semi-definite), so B + I/v_s is positive definite.
    s_mat = xdx[:, None] - cross  # (σ, τ, J+1, J+1)
    t = r_d[:, None, :] - np.einsum("atjg,ag->atj", a_scaled, r_g)  # (σ, τ, J+1)
    lam, vec = np.linalg.eigh(s_mat[..., :n_j, :n_j])  # (σ, τ, J), (σ, τ, J, J)
    b = np.einsum("atji,atj->ati", vec, s_mat[..., :n_j, n_j])  # Qᵀ b
    u = np.einsum("atji,atj->ati", vec, t[..., :n_j])  # Qᵀ t (the cells' part)
    shifted = lam[:, :, None, :] + (1.0 / v)[None, None, :, None]  # (σ, τ, s, J): the eigenvalues of B + I/v_s
    positive = np.min(shifted, axis=3) > 0  # (σ, τ, s): B + I/v_s positive definite
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / shifted
        logdet_b = np.log(np.where(shifted > 0, shifted, 1.0)).sum(axis=3)  # (σ, τ, s)
        bb = (inv * np.square(b)[:, :, None, :]).sum(axis=3)
        bu = (inv * (b * u)[:, :, None, :]).sum(axis=3)
        uu = (inv * np.square(u)[:, :, None, :]).sum(axis=3)
        schur = s_mat[..., n_j, n_j][:, :, None, None] + (1.0 / np.square(LEVEL_GRID)) - bb[..., None]  # (σ, τ, s, m)
        sign = np.where(positive[..., None] & (schur > 0), 1.0, -1.0)
        logdet_s = logdet_b[..., None] + np.log(np.where(schur > 0, schur, 1.0))
        t_sol = uu[..., None] + np.square(t[..., n_j][:, :, None, None] - bu[..., None]) / schur
    cell_var = np.repeat(v[:, None], LEVEL_GRID.size, axis=1)  # (s, m)
    level_var = np.repeat(np.square(LEVEL_GRID)[None, :], v.size, axis=0)
    quad = ydy[:, None, None, None] - (np.square(r_g)[:, None, :] / m_bb).sum(axis=2)[:, :, None, None] - t_sol
    logdet_c = (
        -logd[:, None, None, None]
        + (n_j * np.log(cell_var) + np.log(level_var))[None, None]
        + n_g * np.log(tau2)[None, :, None, None]
        + np.log(m_bb).sum(axis=2)[:, :, None, None]
        + logdet_s
    )
    out = -0.5 * (quad + logdet_c)
    return np.where(sign > 0, out, -np.inf)


def _cellwise_loglik(y: np.ndarray, prec: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """The same Gaussian view with every cell on its own (each reading's leaning summed out alone): (σ, τ, s)."""
    v = np.array([prior_variance(s) for s in SPREAD_GRID])[None, None, :, None]
    e = 1.0 / (1.0 / prec.T[:, None, :] + np.square(TAU_GRID)[None, :, None])  # (σ, τ, R)
    n_j = int(cell.max()) + 1

    def per_cell(x: np.ndarray) -> np.ndarray:
        out = np.zeros(x.shape[:-1] + (n_j,))
        np.add.at(out.T, cell, x.T)
        return out

    se, sey, sey2 = per_cell(e), per_cell(e * y), per_cell(e * np.square(y))
    sl = per_cell(np.log(e))
    se, sey, sey2, sl = (x[:, :, None, :] for x in (se, sey, sey2, sl))
    total = 1.0 / v + se
    ll = -0.5 * (sey2 - np.square(sey) / total - sl + np.log(v) + np.log(total))
    return ll.sum(axis=3)


def _ordinal_loglik(r: Readings, cells: np.ndarray) -> np.ndarray:
    """The rounded readings' exact log-likelihood, every cell on its own: (σ, τ, s)."""
    counts = r.counts[cells]
    log_prior = np.log(np.stack([truth_prior(s) for s in SPREAD_GRID]))  # (s, grid)
    out = np.zeros((SIGMA_GRID.size, TAU_GRID.size, SPREAD_GRID.size))
    for a, sigma in enumerate(SIGMA_GRID):
        for b, tau in enumerate(TAU_GRID):
            loglik = counts @ log_likelihood_table(r.classes, float(sigma), float(tau) ** 2)  # (cells, grid)
            top = loglik.max(axis=1, keepdims=True)
            out[a, b] = (np.log(np.exp(loglik - top) @ np.exp(log_prior).T) + top).sum(axis=0)
    return out


def _pick(log_post: np.ndarray) -> list[tuple[float, float, float, float, float]]:
    """A few points spread evenly through the learned distribution of (σ, τ, s, m), each with its share."""
    w = np.exp(log_post - log_post.max())
    w /= w.sum()
    sig, tau, spr, lev = (x.ravel() for x in np.indices(log_post.shape))
    flat = w.ravel()
    # Order by how noisy a typical first-hand reading is (the leaning included), then by the truths' spread.
    typical = np.square(reading_noise(SIGMA_GRID[sig], 1.0, 0.75)) + np.square(TAU_GRID[tau])
    order = np.lexsort((lev, spr, typical))
    cum = np.cumsum(flat[order])
    picks = np.minimum(np.searchsorted(cum, (np.arange(SUPPORT) + 0.5) / SUPPORT * cum[-1]), order.size - 1)
    chosen: dict[int, float] = {}
    for p in picks:
        chosen[int(order[p])] = chosen.get(int(order[p]), 0.0) + 1.0 / SUPPORT
    return [
        (float(SIGMA_GRID[sig[i]]), float(TAU_GRID[tau[i]]), float(SPREAD_GRID[spr[i]]), float(LEVEL_GRID[lev[i]]), s)
        for i, s in chosen.items()
    ]


#: An end stance (±2) is open-ended: in the Gaussian view it stands for a value this far beyond the end ...
END_BEYOND = 0.5
#: ... known this much less precisely (variance added).
END_VARIANCE = 0.25


def _latent(r: Readings, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Some readings' values and precisions at every σ in the Gaussian view (end stances read as open-ended)."""
    per_stance = r.weights[rows].reshape(len(rows), 5, len(r.classes)).sum(axis=2)  # (readings, stance)
    values = np.array([-2.0 - END_BEYOND, -1.0, 0.0, 1.0, 2.0 + END_BEYOND])
    extra = np.array([END_VARIANCE, 0.0, 0.0, 0.0, END_VARIANCE])
    prec = 1.0 / (1.0 / r.precision(SIGMA_GRID, rows) + (per_stance @ extra)[:, None])
    return per_stance @ values, prec


def learn(r: Readings) -> Noise:
    """The distribution of (σ, τ, s) given the notes, and the points the posterior is computed at."""
    log_post = _log_prior()
    overlapping = int((r.n_sources >= 2).sum()) if r.n_sources.size else 0
    if r.cell.size:
        option = r.source_option[r.source]
        per_option = np.bincount(option, minlength=r.shape[0])
        chosen = np.argsort(-per_option, kind="stable")[:LEARN_OPTIONS]
        chosen = chosen[per_option[chosen] > 0]
        used = np.flatnonzero(np.isin(option, chosen))
        y_used, prec_used = _latent(r, used)
        y = np.zeros(r.cell.size)
        prec = np.ones((r.cell.size, SIGMA_GRID.size))
        y[used], prec[used] = y_used, prec_used
        for o in chosen:
            rows = np.flatnonzero(option == o)
            src_codes, src = np.unique(r.source[rows], return_inverse=True)
            if src_codes.size > LEARN_SOURCES:  # the sources with the most readings
                top = np.argsort(-np.bincount(src), kind="stable")[:LEARN_SOURCES]
                keep = np.isin(src, top)
                rows, src = rows[keep], np.unique(src[keep], return_inverse=True)[1]
            cell = np.unique(r.cell[rows], return_inverse=True)[1]
            log_post = log_post + _option_loglik(y[rows], prec[rows], cell, src)
    w = np.exp(log_post - log_post.max())
    w /= w.sum()
    sd = np.sqrt([prior_variance(s) for s in SPREAD_GRID])
    return Noise(
        support=_pick(log_post),
        sigma=float(w.sum(axis=(1, 2, 3)) @ SIGMA_GRID),
        tau=float(w.sum(axis=(0, 2, 3)) @ TAU_GRID),
        spread_sd=float(w.sum(axis=(0, 1, 3)) @ sd),
        level_sd=float(w.sum(axis=(0, 1, 2)) @ LEVEL_GRID),
        from_disagreement=overlapping > 0,
        overlapping_cells=overlapping,
    )
