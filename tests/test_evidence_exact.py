"""Options heard from one or two people are computed exactly: their draws follow their posteriors. Options
heard from nobody share one interval, and a comparison shown once is not worked out again for the decision."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.generate import synthetic_frames
from workbook.evidence import engine, model
from workbook.evidence.noise import Noise

#: Two noise levels, so each option is computed at both and the draws are shared between them.
TWO_LEVELS = Noise([(0.5, 0.6, 1.0, 0.35, 0.6), (0.8, 0.3, 0.7, 0.05, 0.4)], 0.6, 0.5, 0.9, 0.25, True, 1)


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Five options × four criteria: one or two people per option, each speaking to some criteria."""
    options = pd.DataFrame({"id": np.arange(1, 6), "title": [f"Path {i}" for i in range(1, 6)]})
    criteria = pd.DataFrame({"id": np.arange(1, 5), "name": ["A", "B", "C", "D"], "weight": [3.0, 2.0, 1.0, 1.0]})
    said = [  # (option, criterion, stance, person): overlapping and separate criteria, strong and mild views
        (1, 1, 2, 11),
        (1, 2, 1, 11),
        (2, 1, -2, 21),
        (2, 1, -1, 22),
        (2, 3, 2, 22),
        (3, 2, 0, 31),
        (3, 4, 2, 32),
        (4, 1, 2, 41),
        (4, 1, 2, 41),
        (4, 2, -2, 42),
        (4, 3, 1, 41),
        (5, 4, -1, 51),
    ]
    insights = pd.DataFrame(
        {
            "id": np.arange(1, len(said) + 1),
            "option_id": [s[0] for s in said],
            "criterion_id": [s[1] for s in said],
            "stance": [s[2] for s in said],
            "confidence": "medium",
            "source": "interview",
            "contact_id": pd.array([s[3] for s in said], dtype="Int64"),
            "heard_from": pd.array([None] * len(said), dtype="Int64"),
            "conversation_id": pd.array([None] * len(said), dtype="Int64"),
        }
    )
    return options, criteria, insights


def test_exact_draws_follow_each_cells_posterior():
    """Every cell of an exactly computed option, spoken to or not, is drawn from its own posterior."""
    r = model.readings(*_frames())
    post = model.posterior(r, TWO_LEVELS)
    assert all(set(part.exact) == {0, 1, 2, 3, 4} for part in post.parts)
    draws = 60_000
    theta = post.draw(draws, np.random.default_rng(5))
    mean = post.theta @ model.THETA
    sd = np.sqrt(post.theta @ np.square(model.THETA) - np.square(mean))
    z = (theta.mean(axis=0) - mean) / (sd / np.sqrt(draws))
    assert np.abs(z).max() < 4.5
    below = np.cumsum(post.theta, axis=1)[:, model.GRID_SIZE // 2 - 1]  # P(θ ≤ 0)
    seen = (theta <= 0).mean(axis=0)
    assert np.abs(seen - below).max() < 4.5 * np.sqrt(0.25 / draws)


def test_cells_of_one_person_move_together():
    """One person's leaning is shared by the cells they spoke to: their draws are correlated, as the model says."""
    r = model.readings(*_frames())
    post = model.posterior(r, TWO_LEVELS)
    theta = post.draw(40_000, np.random.default_rng(2)).reshape(40_000, 5, 4)
    # Path 1: one person on criteria A and B (positively correlated through their leaning); C, D unheard.
    assert np.corrcoef(theta[:, 0, 0], theta[:, 0, 1])[0, 1] > 0.05
    # Unheard criteria of one option follow the option's level alone, nothing else.
    assert abs(np.corrcoef(theta[:, 0, 2], theta[:, 0, 3])[0, 1]) < 0.1


def test_a_decision_after_the_comparison_reuses_it(wb, monkeypatch):
    """A report shows the comparison and then the decision from one snapshot: the comparison is worked out once."""
    made = []
    real = engine.comparison_frame
    monkeypatch.setattr(engine, "comparison_frame", lambda a: made.append(1) or real(a))
    o = wb.add_option("Data analysis")
    c = wb.add_criterion("Pay", weight=3)
    wb.add_insight(option_id=o, criterion_id=c, stance=1, source="desk-research")
    with wb.snapshot() as snap:
        shown = engine.compare_for(snap)
        decision = engine.decide_for(snap)
    assert len(made) == 1
    pd.testing.assert_frame_equal(decision.scores, shown)


def test_options_nobody_spoke_about_share_one_interval():
    """Paths without a single note are alike before any evidence: one interval for all, not three by chance."""
    options, criteria, insights = _frames()
    options = pd.concat([options, pd.DataFrame({"id": [6, 7, 8], "title": ["New 1", "New 2", "New 3"]})])
    frame = engine.compare(options, criteria, insights, draws=500, seed=1)
    silent = frame.loc[[6, 7, 8]]
    assert (silent["n_sources"] == 0).all()
    assert silent["low"].nunique() == 1 and silent["high"].nunique() == 1
    assert silent["high"].iloc[0] == -silent["low"].iloc[0] > 0


@pytest.mark.parametrize(("seed", "exact_sources"), [(0, 2), (1, 2), (2, 3), (3, 3)])
def test_options_computed_together_equal_each_computed_alone(seed, exact_sources):
    """The exact options are computed together, a class of options at a time: the same as one by one."""
    frames = synthetic_frames(n_options=25, n_criteria=5, n_insights=60, n_contacts=40, seed=seed)
    r = model.readings(frames["options"], frames["criteria"], frames["insights"])
    post = model.posterior(r, TWO_LEVELS, exact_sources=exact_sources)
    few = np.flatnonzero((r.option_sources > 0) & (r.option_sources <= exact_sources))
    assert set(np.unique(r.option_sources[few])) == set(range(1, exact_sources + 1))  # every class present
    for part in post.parts:
        assert list(part.exact) == list(few)
        for o in few:
            alone = model._exact_option(r, int(o), part.sigma, part.tau, part.spread, part.level)
            together = part.exact[int(o)]
            np.testing.assert_allclose(together.weight, alone.weight, rtol=0, atol=1e-12)
            np.testing.assert_allclose(part.theta[alone.cells], alone.marginal(), rtol=0, atol=1e-12)
            assert [g.sources for g in together.groups] == [g.sources for g in alone.groups]
            for a, b in zip(together.groups, alone.groups, strict=True):
                np.testing.assert_array_equal(a.cells, b.cells)
                np.testing.assert_allclose(a.likelihood, b.likelihood, rtol=0, atol=1e-12)
                np.testing.assert_allclose(a.z, b.z, rtol=1e-12, atol=0)


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_the_analysis_runs_matrix_products_on_one_thread_and_gives_the_others_back(monkeypatch):
    """A second BLAS thread waiting for a core costs more than it saves on a shared machine: one inside."""
    before = _blas_threads()
    if not before:
        pytest.skip("numpy uses no BLAS library threadpoolctl knows")
    seen = []
    real = engine.posterior
    monkeypatch.setattr(engine, "posterior", lambda *a, **k: seen.append(_blas_threads()) or real(*a, **k))
    engine._posteriors.clear()
    engine.compare(*_frames(), draws=50)
    assert seen == [[1] * len(before)]
    assert _blas_threads() == before
