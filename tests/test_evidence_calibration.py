"""The evidence engine, measured against its own model by simulation (seeded, so the figures are fixed).

Truths are drawn over the whole −2..+2 scale (near the ends included), readings
are generated as rounded noisy values of the truth, and the 90% intervals must
hold the truth in 85–95% of cells at every number of sources, at several noise
levels and under slightly different noise than the model assumes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbook.evidence import model

SOURCES_PER_CELL = (1, 3, 10, 30)


def simulate(
    sigma: float,
    *,
    seed: int,
    cells_per_k: int = 30,
    noise: str = "normal",
    mixed: bool = False,
    per_cell_sigma: bool = False,
    options_criteria: tuple[int, int] | None = None,
):
    """One simulated workbook: cells with 1, 3, 10 and 30 people each; returns (truths, sources, posterior)."""
    rng = np.random.default_rng(seed)
    n = cells_per_k * len(SOURCES_PER_CELL)
    truth = rng.uniform(-2.0, 2.0, n)
    k = np.repeat(SOURCES_PER_CELL, cells_per_k)
    cell = np.repeat(np.arange(n), k)
    m = cell.size
    if mixed:
        source = rng.choice(["interview", "interview", "second-hand", "online-review", "job-posting"], m)
        confidence = rng.choice(["low", "medium", "high"], m)
    else:
        source, confidence = np.full(m, "interview"), np.full(m, "medium")
    reliability = np.array([model.SOURCE_RELIABILITY[s] for s in source])
    sure = np.array([model.CONFIDENCE_WEIGHT[c] for c in confidence])
    scale = sigma * (np.exp(0.4 * rng.standard_normal(n))[cell] if per_cell_sigma else 1.0)
    e = rng.standard_normal(m) if noise == "normal" else rng.standard_t(5, m) * np.sqrt(3 / 5)
    spread = model.reading_noise(scale, reliability, sure)
    stance = np.clip(np.round(truth[cell] + spread * e), -2, 2).astype(int)
    insights = pd.DataFrame(
        {
            "id": np.arange(1, m + 1),
            "option_id": cell + 1,
            "criterion_id": 1,
            "stance": stance,
            "confidence": confidence,
            "source": source,
            "contact_id": np.arange(1, m + 1),
        }
    )
    options = pd.DataFrame({"id": np.arange(1, n + 1), "title": [f"o{i}" for i in range(n)]})
    criteria = pd.DataFrame({"id": [1], "name": ["c"], "weight": [1.0]})
    post = model.posterior(model.readings(options, criteria, insights))
    return truth, k, post


def coverage_table(sigma: float, seeds: range = range(20), **kw) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        truth, k, post = simulate(sigma, seed=seed, **kw)
        low, high = post.interval()
        rows.append(pd.DataFrame({"k": k, "held": (low <= truth) & (truth <= high), "error": abs(post.mean - truth)}))
    return pd.concat(rows).groupby("k").agg(coverage=("held", "mean"), error=("error", "mean"))


@pytest.mark.parametrize("sigma", [0.3, 0.6, 1.0])
def test_90_percent_intervals_hold_the_truth_about_90_percent_of_the_time(sigma):
    table = coverage_table(sigma)
    assert list(table.index) == list(SOURCES_PER_CELL)
    for k, row in table.iterrows():
        assert 0.85 <= row["coverage"] <= 0.95, f"σ={sigma}, {k} sources: coverage {row['coverage']:.3f}"


@pytest.mark.parametrize("sigma", [0.3, 1.0])
def test_the_error_falls_as_sources_grow(sigma):
    error = coverage_table(sigma, seeds=range(8))["error"].to_numpy()
    assert (np.diff(error) < 0).all(), error
    assert error[-1] < 0.3 * error[0]


@pytest.mark.parametrize(
    ("case", "kw"),
    [
        ("heavier tails than the model", {"noise": "t"}),
        ("sources and confidence mixed", {"mixed": True}),
        ("noise differs between cells", {"per_cell_sigma": True}),
    ],
)
def test_calibration_holds_under_slightly_different_noise(case, kw):
    for sigma in (0.4, 0.8):
        table = coverage_table(sigma, seeds=range(12), **kw)
        for k, row in table.iterrows():
            assert 0.85 <= row["coverage"] <= 0.95, f"{case}, σ={sigma}, {k} sources: {row['coverage']:.3f}"


def test_the_noise_level_is_learned_from_the_notes():
    for sigma in (0.3, 1.0):
        _, _, post = simulate(sigma, seed=3)
        learned = float(post.sigma_weights @ model.SIGMA_GRID)
        assert learned == pytest.approx(sigma, rel=0.25)


def test_option_intervals_are_calibrated_too():
    """An option's 90% interval (weighted average of four cells) holds its true value about 90% of the time."""
    from workbook.evidence import engine

    rng = np.random.default_rng(7)
    held, total = 0, 0
    for seed in range(6):
        n_o, n_c = 40, 4
        truth = rng.uniform(-2, 2, (n_o, n_c))
        weights = np.array([4.0, 3.0, 2.0, 1.0])
        rows = []
        for o in range(n_o):
            for j in range(n_c):
                for _ in range(int(rng.integers(0, 6))):
                    noise = model.reading_noise(0.6, 1.0, 0.75)
                    s = int(np.clip(np.round(truth[o, j] + noise * rng.standard_normal()), -2, 2))
                    rows.append((len(rows) + 1, o + 1, j + 1, s, "medium", "interview", len(rows) + 1))
        insights = pd.DataFrame(
            rows, columns=["id", "option_id", "criterion_id", "stance", "confidence", "source", "contact_id"]
        )
        options = pd.DataFrame({"id": np.arange(1, n_o + 1), "title": [f"o{i}" for i in range(n_o)]})
        criteria = pd.DataFrame({"id": np.arange(1, n_c + 1), "name": list("abcd"), "weight": weights})
        frame = engine.compare(options, criteria, insights, seed=seed).sort_index()
        value = truth @ (weights / weights.sum())
        held += int(((frame["low"] <= value) & (value <= frame["high"])).sum())
        total += n_o
    assert 0.85 <= held / total <= 0.95, held / total
