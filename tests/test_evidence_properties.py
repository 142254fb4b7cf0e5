"""Properties the evidence model promises, checked on many generated workbooks (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook import evidence

OPTIONS, CRITERIA = 3, 2
SOURCES = ["interview", "second-hand", "online-review", "job-posting", "own-experience", "desk-research"]
CONFIDENCE = ["low", "medium", "high"]

quick = settings(max_examples=50, deadline=None)

note = st.fixed_dictionaries(
    {
        "option_id": st.integers(1, OPTIONS),
        "criterion_id": st.integers(1, CRITERIA),
        "stance": st.integers(-2, 2),
        "confidence": st.sampled_from(CONFIDENCE),
        "source": st.sampled_from(SOURCES),
        # a note comes from one of a few conversations, one of a few people, or stands alone
        "conversation_id": st.one_of(st.none(), st.integers(1, 3)),
        "contact_id": st.one_of(st.none(), st.integers(1, 3)),
    }
)
notes = st.lists(note, max_size=25)
weights = st.lists(st.floats(0.5, 10.0), min_size=CRITERIA, max_size=CRITERIA)


def frames(rows: list[dict], criteria_weights: list[float]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Options, criteria and insights shaped like the workbook's tables."""
    options = pd.DataFrame({"id": range(1, OPTIONS + 1), "title": [f"Option {i}" for i in range(1, OPTIONS + 1)]})
    criteria = pd.DataFrame(
        {"id": range(1, CRITERIA + 1), "name": [f"C{j}" for j in range(1, CRITERIA + 1)], "weight": criteria_weights}
    )
    insights = pd.DataFrame(
        {
            "id": np.arange(1, len(rows) + 1, dtype="int64"),
            **{k: np.array([r[k] for r in rows], dtype="int64") for k in ("option_id", "criterion_id", "stance")},
            **{k: pd.array([r[k] for r in rows], dtype="str") for k in ("confidence", "source")},
            **{k: pd.array([r[k] for r in rows], dtype="Int64") for k in ("conversation_id", "contact_id")},
        }
    )
    return options, criteria, insights


def compare(rows, criteria_weights, draws=200):
    return evidence.compare(*frames(rows, criteria_weights), draws=draws, seed=3)


def alone(option_id: int, criterion_id: int, stance: int, source: str, confidence: str = "medium") -> dict:
    """A note that is its own independent source."""
    return {
        "option_id": option_id,
        "criterion_id": criterion_id,
        "stance": stance,
        "confidence": confidence,
        "source": source,
        "conversation_id": None,
        "contact_id": None,
    }


@quick
@given(rows=notes, w=weights, extra=note, stance=st.integers(1, 2))
def test_a_positive_first_hand_insight_never_lowers_the_score(rows, w, extra, stance):
    before = compare(rows, w).loc[extra["option_id"], "score"]
    # The new note may join an existing conversation or person, or stand alone.
    added = {**extra, "stance": stance, "source": "interview"}
    after = compare([*rows, added], w).loc[extra["option_id"], "score"]
    assert after >= before - 1e-12


@quick
@given(
    rows=notes,
    w=weights,
    option=st.integers(1, OPTIONS),
    criterion=st.integers(1, CRITERIA),
    stance=st.sampled_from([-2, -1, 1, 2]),
    confidence=st.sampled_from(CONFIDENCE),
)
def test_an_online_review_moves_a_score_less_than_an_interview(rows, w, option, criterion, stance, confidence):
    before = compare(rows, w).loc[option, "score"]
    review = compare([*rows, alone(option, criterion, stance, "online-review", confidence)], w).loc[option, "score"]
    talk = compare([*rows, alone(option, criterion, stance, "interview", confidence)], w).loc[option, "score"]
    assert 0 < abs(review - before) < abs(talk - before)
    assert np.sign(review - before) == np.sign(talk - before) == np.sign(stance)


@quick
@given(rows=notes, w=weights, extra=note)
def test_a_new_independent_source_never_widens_the_interval(rows, w, extra):
    option = extra["option_id"]
    before = compare(rows, w).loc[option]
    after = compare([*rows, {**extra, "conversation_id": None, "contact_id": None}], w).loc[option]
    assert after["high"] - after["low"] < before["high"] - before["low"]


@quick
@given(
    said=st.lists(
        st.tuples(st.integers(1, CRITERIA), st.integers(-2, 2), st.sampled_from(CONFIDENCE)), min_size=2, max_size=8
    ),
    w=weights,
)
def test_the_same_notes_from_more_people_give_a_narrower_interval(said, w):
    def rows(independent: bool) -> list[dict]:
        return [
            {
                "option_id": 1,
                "criterion_id": c,
                "stance": s,
                "confidence": conf,
                "source": "interview",
                "conversation_id": i + 1 if independent else 1,
                "contact_id": None,
            }
            for i, (c, s, conf) in enumerate(said)
        ]

    one_talk = compare(rows(False), w).loc[1]
    many = compare(rows(True), w).loc[1]
    assert many["n_sources"] == len(said) and one_talk["n_sources"] == 1
    assert many["high"] - many["low"] <= one_talk["high"] - one_talk["low"] + 1e-12


@quick
@given(rows=notes, w=weights, order=st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(rows, w, order):
    options, criteria, insights = frames(rows, w)
    expected = evidence.compare(options, criteria, insights, draws=200, seed=5)
    shuffled = [insights.sample(frac=1, random_state=order.randrange(2**32)) for _ in range(2)]
    for frame in shuffled:
        got = evidence.compare(options.iloc[::-1], criteria.iloc[::-1], frame, draws=200, seed=5)
        pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(
        evidence.sensitivity(options, criteria, shuffled[0]), evidence.sensitivity(options, criteria, insights)
    )


@quick
@given(rows=notes, w=weights, draws=st.integers(1, 500), seed=st.integers(0, 2**31))
def test_p_best_adds_up_to_one(rows, w, draws, seed):
    result = evidence.compare(*frames(rows, w), draws=draws, seed=seed)
    assert result["p_best"].sum() == pytest.approx(1.0)
    assert ((result["p_best"] >= 0) & (result["p_best"] <= 1)).all()
    assert ((result["low"] <= result["score"]) & (result["score"] <= result["high"])).all()
    assert ((result["low"] >= -2) & (result["high"] <= 2)).all()


@quick
@given(rows=notes, w=weights)
def test_options_without_evidence_are_neutral_with_the_widest_interval(rows, w):
    result = compare([r for r in rows if r["option_id"] != 1], w)
    assert result.loc[1, "score"] == 0
    widths = result["high"] - result["low"]
    assert widths.loc[1] == pytest.approx(widths.max())
