"""The evidence engine's promises, on small hand-made workbooks (tables as DataFrames)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from workbook.errors import ValidationError
from workbook.evidence import engine, model, ranking, voi
from workbook.evidence.decisions import verdict

NOTE_COLUMNS = [
    "id",
    "option_id",
    "criterion_id",
    "stance",
    "confidence",
    "source",
    "contact_id",
    "heard_from",
    "conversation_id",
    "against_hopes",
]


def tables(n_options: int = 2, weights: tuple[float, ...] = (1.0,)):
    options = pd.DataFrame({"id": np.arange(1, n_options + 1), "title": [f"Path {i}" for i in range(1, n_options + 1)]})
    criteria = pd.DataFrame(
        {
            "id": np.arange(1, len(weights) + 1),
            "name": [f"C{j}" for j in range(1, len(weights) + 1)],
            "weight": list(weights),
        }
    )
    return options, criteria


def notes(*rows: tuple) -> pd.DataFrame:
    """Rows of (option, criterion, stance, person) or (..., person, extra fields as a dict)."""
    out = []
    for i, row in enumerate(rows, start=1):
        option, criterion, stance, person, *more = row
        record = {
            "id": i,
            "option_id": option,
            "criterion_id": criterion,
            "stance": stance,
            "confidence": "medium",
            "source": "interview",
            "contact_id": person,
            "heard_from": pd.NA,
            "conversation_id": pd.NA,
            "against_hopes": False,
        }
        if more:
            record.update(more[0])
        out.append(record)
    frame = pd.DataFrame(out, columns=NOTE_COLUMNS)
    for col in ("contact_id", "heard_from", "conversation_id"):
        frame[col] = frame[col].astype("Int64")
    return frame


def cell(frame_notes: pd.DataFrame, n_options: int = 2, option: int = 1, criterion: int = 1) -> pd.Series:
    options, criteria = tables(n_options)
    grid = engine.cells(options, criteria, frame_notes)
    return grid[(grid["option_id"] == option) & (grid["criterion_id"] == criterion)].iloc[0]


# ------------------------------------------------------------------ one cell
def test_thirty_people_saying_plus_one_score_close_to_plus_one():
    c = cell(notes(*[(1, 1, 1, p) for p in range(1, 31)]))
    assert c["score"] == pytest.approx(1.0, abs=0.3)
    assert c["n_sources"] == 30
    assert c["high"] - c["low"] < 0.6


def test_stance_strength_counts():
    two = cell(notes((1, 1, 2, 1)))
    one = cell(notes((1, 1, 1, 1)))
    assert two["score"] > one["score"] > 0
    assert cell(notes((1, 1, -2, 1)))["score"] < cell(notes((1, 1, -1, 1)))["score"] < 0


def test_disagreement_widens_the_interval():
    agree = cell(notes((1, 1, 2, 1), (1, 1, 2, 2)))
    disagree = cell(notes((1, 1, 2, 1), (1, 1, -2, 2)))
    assert disagree["high"] - disagree["low"] > agree["high"] - agree["low"]
    # Also inside one workbook, next to cells where people agree.
    rows = [(2, 1, 1, 10 + p) for p in range(3)] + [(1, 1, 2, 1), (1, 1, -2, 2), (3, 1, 2, 3), (3, 1, 2, 4)]
    grid = engine.cells(*tables(3), notes(*rows)).set_index("option_id")
    width = grid["high"] - grid["low"]
    assert width[1] > width[3] and width[1] > width[2]


def test_no_evidence_is_neutral_with_the_widest_interval():
    grid = engine.cells(*tables(2), notes((1, 1, 1, 1)))
    empty = grid[grid["option_id"] == 2].iloc[0]
    assert empty["score"] == pytest.approx(0.0, abs=1e-9)
    assert empty["n_sources"] == 0
    assert empty["high"] - empty["low"] == pytest.approx(3.6, abs=0.01)  # the flat prior's 90% interval
    assert (grid["high"] - grid["low"]).max() == pytest.approx(empty["high"] - empty["low"])


def test_intervals_stay_inside_the_scale_and_hold_the_score():
    grid = engine.cells(
        *tables(2), notes(*[(1, 1, 2, p) for p in range(1, 21)], *[(2, 1, -2, p) for p in range(30, 50)])
    )
    assert (grid["low"] >= -2).all() and (grid["high"] <= 2).all()
    assert ((grid["low"] <= grid["score"]) & (grid["score"] <= grid["high"])).all()
    assert grid.set_index("option_id").loc[1, "high"] > 1.9  # not moved inwards at the end of the scale


def test_less_reliable_sources_are_noisier_readings_not_fewer_votes():
    interview = cell(notes((1, 1, 2, 1)))
    review = cell(notes((1, 1, 2, None, {"source": "online-review"})))
    assert 0 < review["score"] < interview["score"]
    assert review["high"] - review["low"] > interview["high"] - interview["low"]
    sure = cell(notes((1, 1, 2, 1, {"confidence": "high"})))
    unsure = cell(notes((1, 1, 2, 1, {"confidence": "low"})))
    assert sure["score"] > interview["score"] > unsure["score"] > 0


# -------------------------------------------------- people are the sources
def test_one_person_in_three_conversations_is_one_source():
    once = cell(notes((1, 1, 2, 7, {"conversation_id": 1})))
    thrice = cell(notes(*[(1, 1, 2, 7, {"conversation_id": c}) for c in (1, 2, 3)]))
    assert thrice["n_sources"] == 1 and thrice["n_insights"] == 3
    assert thrice["score"] == pytest.approx(once["score"])
    assert thrice["low"] == pytest.approx(once["low"])
    three_people = cell(notes(*[(1, 1, 2, p, {"conversation_id": p}) for p in (1, 2, 3)]))
    assert three_people["n_sources"] == 3
    assert three_people["score"] > thrice["score"]


def test_a_second_hand_note_counts_with_the_person_it_came_from():
    first_hand = notes((1, 1, 2, 7))
    passed_on = notes((1, 1, 2, 7), (1, 1, 2, 8, {"source": "second-hand", "heard_from": 7}))
    unnamed = notes((1, 1, 2, 7), (1, 1, 2, 8, {"source": "second-hand"}))
    assert cell(passed_on)["n_sources"] == 1
    assert cell(unnamed)["n_sources"] == 2
    assert cell(passed_on)["score"] < cell(unnamed)["score"]
    assert cell(passed_on)["score"] == pytest.approx(cell(first_hand)["score"], abs=0.15)


def test_documents_are_each_a_source_and_your_own_experience_is_one():
    docs = cell(notes(*[(1, 1, 1, None, {"source": "online-review"}) for _ in range(3)]))
    assert docs["n_sources"] == 3
    own = cell(notes(*[(1, 1, 1, None, {"source": "own-experience"}) for _ in range(3)]))
    assert own["n_sources"] == 1


def test_n_sources_of_an_option_counts_people_across_its_criteria():
    options, criteria = tables(2, weights=(1.0, 1.0))
    frame = engine.compare(options, criteria, notes((1, 1, 1, 7), (1, 2, 1, 7), (1, 2, -1, 8)))
    assert frame.loc[1, "n_sources"] == 2 and frame.loc[1, "n_insights"] == 3


# ------------------------------------------------------------- options
def race():
    """Path 1 clearly good, Path 2 mixed, Path 3 poor; two criteria."""
    options, criteria = tables(3, weights=(2.0, 1.0))
    rows = [(1, j, 2, p) for j in (1, 2) for p in (1, 2, 3)]
    rows += [(2, 1, 1, 4), (2, 2, -1, 4), (2, 1, 0, 5)]
    rows += [(3, j, -1, p) for j in (1, 2) for p in (6, 7)]
    return options, criteria, notes(*rows)


def test_compare_has_the_contract_columns_and_probabilities_add_up():
    frame = engine.compare(*race())
    assert {"title", "score", "low", "high", "p_best", "expected_loss", "n_sources"} <= set(frame.columns)
    assert frame.index.name == "option_id"
    assert frame["p_best"].sum() == pytest.approx(1.0)
    assert frame["p_best_fixed"].sum() == pytest.approx(1.0)
    assert list(frame.index) == [1, 2, 3]
    assert frame["expected_loss"].idxmin() == 1
    assert (frame["expected_loss"] >= 0).all()


def test_same_seed_same_answer_and_row_order_changes_nothing():
    options, criteria, ins = race()
    first = engine.compare(options, criteria, ins, seed=3)
    again = engine.compare(options, criteria, ins, seed=3)
    pd.testing.assert_frame_equal(first, again)
    shuffled = engine.compare(options.iloc[::-1], criteria.iloc[::-1], ins.sample(frac=1.0, random_state=1), seed=3)
    pd.testing.assert_frame_equal(first, shuffled)


def test_ranks_are_shares_of_draws():
    table = engine.ranks(*race())
    shares = table.drop(columns="title")
    assert np.allclose(shares.sum(axis=1), 1.0) and np.allclose(shares.sum(axis=0), 1.0)
    pd.testing.assert_series_equal(shares[1], engine.compare(*race())["p_best"], check_names=False)


def test_weight_uncertainty_can_be_left_out():
    options, criteria, ins = race()
    tight = engine.compare(options, criteria, ins, weight_concentration=1e6)
    assert tight["p_best"].to_numpy() == pytest.approx(tight["p_best_fixed"].to_numpy(), abs=0.02)
    with pytest.raises(ValidationError, match="weight_concentration"):
        engine.compare(options, criteria, ins, weight_concentration=0)


def test_bad_arguments_name_the_field():
    options, criteria, ins = race()
    with pytest.raises(ValidationError, match="draws"):
        engine.compare(options, criteria, ins, draws=0)
    with pytest.raises(ValidationError, match="weights"):
        engine.compare(options, criteria, ins, weights={99: 1.0})
    with pytest.raises(ValidationError, match="reliability"):
        engine.compare(options, criteria, ins, reliability={"interview": 2})


# ------------------------------------------------------------ the verdict
def test_an_option_without_evidence_is_never_the_leader():
    options, criteria = tables(3, weights=(1.0, 1.0))
    ins = notes((1, 1, -1, 1), (1, 2, -1, 1), (1, 1, 0, 2))
    frame = engine.compare(options, criteria, ins)
    said = verdict(frame)
    assert said.kind == "one-known" and said.option_id == 1
    assert "Path 2" in said.details[-1] and "no evidence" in said.details[-1].lower()
    assert frame.index[0] == 1  # listed first although its score is below neutral


@pytest.mark.parametrize("extra", [1, 3, 8])
def test_adding_options_without_evidence_never_changes_what_is_favoured(extra):
    options, criteria, ins = race()
    before = verdict(engine.compare(options, criteria, ins))
    more = pd.concat(
        [options, pd.DataFrame({"id": range(10, 10 + extra), "title": [f"New {i}" for i in range(extra)]})]
    )
    after = verdict(engine.compare(more, criteria, ins))
    assert (after.kind, after.option_id) == (before.kind, before.option_id)
    assert before.kind == "favours" and before.title == "Path 1"


def test_verdict_words_follow_expected_loss_and_thresholds():
    options, criteria, ins = race()
    frame = engine.compare(options, criteria, ins)
    assert verdict(frame).headline.startswith("The evidence favours Path 1")
    assert verdict(frame, thresholds={"favour": 0.0, "lean": 2.0}).kind == "leaning"
    close = verdict(frame, thresholds={"favour": 0.0, "lean": 0.0}, settle="a conversation with Rosa about Path 2")
    assert close.kind == "close" and "Rosa" in close.headline and "Too close to call" in close.headline
    with pytest.raises(ValidationError, match="decision_thresholds"):
        verdict(frame, thresholds={"favour": 0.5, "lean": 0.1})


def test_an_even_race_is_too_close_to_call():
    options, criteria = tables(2)
    frame = engine.compare(options, criteria, notes((1, 1, 1, 1), (2, 1, 1, 2)))
    assert verdict(frame).kind == "close"


# ---------------------------------------------------- value of information
def test_value_of_information_matches_enumerating_every_answer():
    options, criteria = tables(3, weights=(2.0, 1.0))
    ins = notes((1, 1, 1, 1), (1, 2, 1, 1), (1, 1, 2, 2), (2, 1, 0, 3), (2, 2, 1, 4))
    a = ranking.analyse(options, criteria, ins, draws=1)
    value = voi.option_voi(a)
    pred, after = voi._outcomes(a, None)
    w, score = a.weights, a.score
    for o in range(3):
        rivals = a.contenders().copy()
        rivals[o] = False
        other = score[rivals].max() if rivals.any() else 0.0
        expected = 0.0
        for y in itertools.product(range(5), repeat=2):
            p = pred[2 * o, y[0]] * pred[2 * o + 1, y[1]]
            expected += p * max(w[0] * after[2 * o, y[0]] + w[1] * after[2 * o + 1, y[1]], other)
        assert value[o] == pytest.approx(max(expected - max(score[o], other), 0.0), abs=2e-4)
    assert (value >= 0).all()


def test_a_conversation_that_cannot_change_the_choice_is_worth_nothing():
    options, criteria = tables(2)
    ins = notes(*[(1, 1, 2, p) for p in range(1, 21)], *[(2, 1, -2, p) for p in range(30, 50)])
    a = ranking.analyse(options, criteria, ins, draws=1)
    assert list(voi.option_voi(a)) == [0.0, 0.0]
    assert list(voi.option_voi(a, people=3)) == [0.0, 0.0]


def advice_tables():
    contacts = pd.DataFrame(
        {"id": [1, 2, 3, 4, 5, 6], "name": ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"], "strength": [3, 3, 3, 5, 2, 4]}
    )
    links = pd.DataFrame({"contact_id": [4, 5, 1, 6], "option_id": [2, 2, 1, 3]})
    conversations = pd.DataFrame({"id": [1], "contact_id": [1], "option_id": [1], "status": ["done"]})
    return contacts, links, conversations


def test_next_conversations_rank_people_by_value_of_information():
    options, criteria = tables(3, weights=(1.0, 1.0))
    ins = notes((1, 1, 1, 1), (1, 2, 1, 1), (2, 1, 1, 2))
    contacts, links, conversations = advice_tables()
    frame = engine.next_conversations(options, criteria, ins, contacts, links, conversations, n=10)
    assert (frame["value"] >= 0).all()
    assert frame["value"].is_monotonic_decreasing or frame["value"].round(12).is_monotonic_decreasing
    assert 1 not in set(frame["contact_id"].dropna())  # Ana has spoken about Path 1 already
    path2 = frame[frame["option_id"] == 2]
    assert list(path2["contact"]) == ["Dev", "Eli"]  # the closer tie first
    assert all(isinstance(r, str) and r for r in frame["reason"])
    path1 = frame[frame["option_id"] == 1].iloc[0]
    assert pd.isna(path1["contact_id"]) and "who else" in path1["reason"]


def test_an_option_nobody_knows_gets_find_someone_advice():
    options, criteria = tables(2)
    contacts, _, conversations = advice_tables()
    frame = engine.next_conversations(
        options,
        criteria,
        notes((1, 1, 1, 1)),
        contacts,
        pd.DataFrame({"contact_id": [], "option_id": []}),
        conversations,
    )
    row = frame[frame["option_id"] == 2].iloc[0]
    assert "find someone who does this work" in row["reason"]


def test_the_stop_rule_speaks_when_no_conversation_could_change_the_decision():
    options, criteria = tables(2)
    contacts, links, conversations = advice_tables()
    ins = notes(*[(1, 1, 2, p) for p in range(10, 40)], *[(2, 1, -2, p) for p in range(40, 70)])
    decision = engine.decide(options, criteria, ins, contacts, links, conversations)
    assert decision.verdict.kind == "favours"
    assert "unlikely to change the decision" in decision.stop
    open_race = engine.decide(options, criteria, notes((1, 1, 1, 1), (2, 1, 0, 2)), contacts, links, conversations)
    assert open_race.stop == ""


def test_voi_threshold_is_checked():
    options, criteria = tables(2)
    contacts, links, conversations = advice_tables()
    with pytest.raises(ValidationError, match="voi_threshold"):
        engine.next_conversations(options, criteria, notes(), contacts, links, conversations, voi_threshold=-1)


# --------------------------------------------------- confirmation bias
def test_all_good_news_without_a_disconfirming_question_is_flagged():
    options, criteria = tables(2)
    contacts, links, _ = advice_tables()
    conversations = pd.DataFrame(
        {"id": [1, 2, 3], "contact_id": [1, 2, 3], "option_id": [1, 1, 1], "status": ["done"] * 3}
    )
    ins = notes((1, 1, 2, 1, {"against_hopes": False}), (1, 1, 1, 2), (1, 1, 2, 3), (2, 1, 1, 4))
    disprove = ["What would make you leave this job?"]
    no_prep = pd.DataFrame({"conversation_id": [], "text": []})
    decision = engine.decide(options, criteria, ins, contacts, links, conversations, no_prep, disprove)
    assert list(decision.warnings["option_id"]) == [1]
    prepared = pd.DataFrame({"conversation_id": [2], "text": ["what would make you  LEAVE this job?"]})
    assert engine.decide(options, criteria, ins, contacts, links, conversations, prepared, disprove).warnings.empty
    flagged = ins.copy()
    flagged.loc[1, "against_hopes"] = True
    assert engine.decide(options, criteria, flagged, contacts, links, conversations, no_prep, disprove).warnings.empty
    # The flag changes nothing in the scores.
    pd.testing.assert_frame_equal(engine.compare(options, criteria, ins), engine.compare(options, criteria, flagged))


def test_empty_workbooks_answer_in_words():
    options, criteria = tables(0)
    assert verdict(engine.compare(options, criteria, notes())).kind == "empty"
    options, criteria = tables(3)
    said = verdict(engine.compare(options, criteria, notes()))
    assert said.kind == "no-evidence" and "3 options" in said.headline
    assert model.GRID_SIZE == 160
