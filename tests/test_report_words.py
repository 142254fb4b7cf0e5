"""The comparison in plain words, shared by notebook 06, the app and the report."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from workbook.report import words


@pytest.mark.parametrize(
    ("p", "said"),
    [(math.nan, "no evidence"), (None, "no evidence"), (0.001, "under 1%"), (0.374, "37%"), (0.999, "over 99%")],
)
def test_a_chance_is_a_percentage_or_no_evidence(p, said):
    assert words.chance(p) == said


@pytest.mark.parametrize(
    ("loss", "thresholds", "said"),
    [
        (0.02, None, "0.02 steps (small)"),
        (0.10, None, "0.10 steps (moderate)"),
        (0.40, None, "0.40 steps (large)"),
        (1.0, None, "1.00 step (large)"),
        (0.10, {"favour": 0.2, "lean": 0.5}, "0.10 steps (small)"),
    ],
)
def test_the_expected_loss_is_in_steps_with_its_size(loss, thresholds, said):
    assert words.loss_words(loss, thresholds) == said


@pytest.mark.parametrize(
    ("people", "documents", "said"),
    [
        (0, 0, "nobody yet"),
        (1, 0, "1 person"),
        (3, 2, "3 people and 2 kinds of documents"),
        (0, 1, "1 kind of document"),
    ],
)
def test_sources_are_counted_as_people(people, documents, said):
    assert words.sources_words(people, documents) == said


def _row(**kw):
    base = dict(
        title="UX",
        score=0.5,
        low=0.1,
        high=0.9,
        p_good=0.9,
        p_best=0.6,
        expected_loss=0.1,
        n_insights=4,
        n_sources=3,
        n_people=3,
        n_documents=0,
        covered=1.0,
        thin=False,
    )
    return {**base, **kw}


def test_an_option_without_evidence_shows_no_chance_and_no_score():
    said = words.option_words(_row(n_sources=0, n_people=0, p_good=math.nan, p_best=math.nan, thin=False))
    assert said["score"] == said["p_best"] == said["p_good"] == said["trust"] == "no evidence"
    assert said["interval"] == said["loss"] == "—" and said["sources"] == "nobody yet"


def test_thin_evidence_names_its_reasons():
    assert words.trust_words(_row()) == ""
    assert words.trust_words(_row(n_sources=1, n_people=1, thin=True)) == "thin: only 1 source"
    assert words.trust_words(_row(covered=0.3, thin=True)) == "thin: only 30% of what matters to you has evidence"


def test_the_lone_option_with_evidence_has_nothing_to_compare_with():
    frame = pd.DataFrame(
        [_row(title="A"), _row(title="B", n_sources=0, n_people=0, p_good=math.nan, p_best=math.nan)],
        index=pd.Index([1, 2], name="option_id"),
    )
    rows = words.comparison_words(frame)
    assert rows[0]["p_best"] == rows[0]["loss"] == words.NOTHING_TO_COMPARE
    assert rows[0]["p_good"] == "90%" and rows[1]["p_best"] == "no evidence"
    both = words.comparison_words(frame.assign(n_sources=3))
    assert both[0]["p_best"] == "60%" and both[0]["loss"] == "0.10 steps (moderate)"


def test_a_next_conversation_in_words():
    said = words.next_words(
        {
            "contact": "",
            "option": "UX",
            "options": "",
            "reason": "someone who does this work could show it.",
            "p_change": 0.23,
            "worth_it": False,
        }
    )
    assert said["who"] == "someone who does this work" and said["about"] == "UX"
    assert said["why"] == "Someone who does this work could show it."
    assert said["p_change"] == "23%" and said["worth"].startswith("no")
    rosa = words.next_words(
        {"contact": "Rosa", "option": "UX", "options": "UX; Data", "reason": "R.", "p_change": 0.5, "worth_it": True}
    )
    assert rosa["about"] == "UX; Data" and rosa["worth"] == "yes"
