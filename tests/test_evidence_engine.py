"""The evidence engine's promises, on small hand-made workbooks (tables as DataFrames)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbook.errors import ValidationError
from workbook.evidence import engine, model, ranking, voi
from workbook.evidence.decisions import verdict
from workbook.evidence.noise import Noise
from workbook.evidence.ranking import cells_frame, ranks_frame

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


#: One noise level, for promises about the measurement model itself (the learning is measured by simulation).
FIXED = Noise([(0.5, 0.6, 1.0, 0.35, 1.0)], 0.5, 0.6, 1.0, 0.35, True, 1)


def cells(options: pd.DataFrame, criteria: pd.DataFrame, frame_notes: pd.DataFrame, noise=None) -> pd.DataFrame:
    if noise is None:
        return cells_frame(engine.analysis(options, criteria, frame_notes, draws=1))
    post = model.posterior(model.readings(options, criteria, frame_notes), noise=noise)
    return cells_frame(ranking.analyse(options, criteria, frame_notes, draws=1, post=post))


def cell(frame_notes: pd.DataFrame, n_options: int = 2, option: int = 1, criterion: int = 1, noise=None) -> pd.Series:
    options, criteria = tables(n_options)
    grid = cells(options, criteria, frame_notes, noise)
    return grid[(grid["option_id"] == option) & (grid["criterion_id"] == criterion)].iloc[0]


def no_advice() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (
        pd.DataFrame({"id": [], "name": [], "strength": []}),
        pd.DataFrame({"contact_id": [], "option_id": []}),
        pd.DataFrame({"id": [], "contact_id": [], "option_id": [], "status": []}),
    )


def decide(options: pd.DataFrame, criteria: pd.DataFrame, frame_notes: pd.DataFrame, **kw) -> engine.Decision:
    return engine.decide(options, criteria, frame_notes, *no_advice(), **kw)


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
    grid = cells(*tables(3), notes(*rows)).set_index("option_id")
    width = grid["high"] - grid["low"]
    assert width[1] > width[3] and width[1] > width[2]


def test_no_evidence_is_neutral_with_the_widest_interval():
    grid = cells(*tables(2), notes((1, 1, 1, 1)))
    empty = grid[grid["option_id"] == 2].iloc[0]
    assert empty["score"] == pytest.approx(0.0, abs=1e-9)
    assert empty["n_sources"] == 0
    assert empty["low"] == pytest.approx(-empty["high"], abs=0.01)  # centred on neutral
    assert empty["high"] - empty["low"] > 2.0  # what truths are like before any note: wide
    assert (grid["high"] - grid["low"]).max() == pytest.approx(empty["high"] - empty["low"])


def test_intervals_stay_inside_the_scale_and_hold_the_score():
    grid = cells(*tables(2), notes(*[(1, 1, 2, p) for p in range(1, 21)], *[(2, 1, -2, p) for p in range(30, 50)]))
    assert (grid["low"] >= -2).all() and (grid["high"] <= 2).all()
    assert ((grid["low"] <= grid["score"]) & (grid["score"] <= grid["high"])).all()
    assert grid.set_index("option_id").loc[1, "high"] > 1.8  # not moved inwards at the end of the scale


def test_less_reliable_sources_are_noisier_readings_not_fewer_votes():
    interview = cell(notes((1, 1, 2, 1)), noise=FIXED)
    review = cell(notes((1, 1, 2, None, {"source": "online-review"})), noise=FIXED)
    assert 0 < review["score"] < interview["score"]
    assert review["high"] - review["low"] > interview["high"] - interview["low"]
    sure = cell(notes((1, 1, 2, 1, {"confidence": "high"})), noise=FIXED)
    unsure = cell(notes((1, 1, 2, 1, {"confidence": "low"})), noise=FIXED)
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
    assert three_people["high"] - three_people["low"] < thrice["high"] - thrice["low"]


def test_a_second_hand_note_counts_with_the_person_it_came_from():
    first_hand = notes((1, 1, 2, 7))
    passed_on = notes((1, 1, 2, 7), (1, 1, 2, 8, {"source": "second-hand", "heard_from": 7}))
    unnamed = notes((1, 1, 2, 7), (1, 1, 2, 8, {"source": "second-hand"}))
    assert cell(passed_on)["n_sources"] == 1
    assert cell(unnamed)["n_sources"] == 2
    assert cell(passed_on)["score"] < cell(unnamed)["score"]
    # Hearing the same view again, second-hand, does not make it stronger.
    assert 0 < cell(passed_on)["score"] <= cell(first_hand)["score"] + 0.05


def test_documents_of_one_kind_are_one_source_and_your_own_experience_is_one():
    docs = cell(notes(*[(1, 1, 1, None, {"source": "online-review"}) for _ in range(3)]))
    assert docs["n_sources"] == 1  # reviews of one option echo each other: one source
    mixed = cell(notes((1, 1, 1, None, {"source": "online-review"}), (1, 1, 1, None, {"source": "job-posting"})))
    assert mixed["n_sources"] == 2
    own = cell(notes(*[(1, 1, 1, None, {"source": "own-experience"}) for _ in range(3)]))
    assert own["n_sources"] == 1


def test_ten_glowing_reviews_do_not_outweigh_one_interview():
    options, criteria = tables(2)
    ins = notes(*[(1, 1, 2, None, {"source": "online-review"}) for _ in range(10)], (2, 1, 2, 5))
    grid = cells(options, criteria, ins).set_index("option_id")
    width = grid["high"] - grid["low"]
    assert grid.loc[1, "n_sources"] == 1 and grid.loc[2, "n_sources"] == 1
    assert width[1] > width[2]  # ten reviews are still one noisy source
    assert grid.loc[1, "score"] < grid.loc[2, "score"]


def test_unattributed_notes_are_one_unknown_person_per_conversation_or_option():
    # Four first-hand notes from one conversation without a contact: one unknown person.
    conv = cell(notes(*[(1, 1, 2, None, {"conversation_id": 9}) for _ in range(4)]))
    assert conv["n_sources"] == 1
    # Outside any conversation: one unnamed source for the option.
    loose = cell(notes(*[(1, 1, 2, None) for _ in range(4)]))
    assert loose["n_sources"] == 1
    # Second-hand with a blank "heard from": one unknown origin.
    blank = cell(notes(*[(1, 1, 1, 3, {"source": "second-hand"}) for _ in range(4)]))
    assert blank["n_sources"] == 1
    # Two conversations without contacts are two people.
    two = cell(notes((1, 1, 2, None, {"conversation_id": 1}), (1, 1, 2, None, {"conversation_id": 2})))
    assert two["n_sources"] == 2


def test_n_sources_of_an_option_counts_people_across_its_criteria():
    options, criteria = tables(2, weights=(1.0, 1.0))
    frame = engine.compare(options, criteria, notes((1, 1, 1, 7), (1, 2, 1, 7), (1, 2, -1, 8)))
    assert frame.loc[1, "n_sources"] == 2 and frame.loc[1, "n_insights"] == 3
    assert frame.loc[1, "n_people"] == 2 and frame.loc[1, "n_documents"] == 0


# ------------------------------------------------- people have a leaning
def test_one_enthusiast_on_six_criteria_is_one_source_not_six():
    """One person at +2 on six criteria against three people at +1 on the same six: never "favours"."""
    options, criteria = tables(2, weights=(1.0,) * 6)
    rows = [(1, j, 2, 1) for j in range(1, 7)] + [(2, j, 1, p) for p in (2, 3, 4) for j in range(1, 7)]
    decision = decide(options, criteria, notes(*rows))
    frame = decision.scores
    assert decision.verdict.kind != "favours"
    assert frame.loc[1, "n_sources"] == 1 and frame.loc[2, "n_sources"] == 3
    assert bool(frame.loc[1, "thin"]) and not bool(frame.loc[2, "thin"])
    assert frame.loc[1, "p_best"] < 0.9
    # Six different people saying the same thing are worth more than one person saying it six times.
    spread = [(1, j, 2, 10 + j) for j in range(1, 7)] + rows[6:]
    many = engine.compare(options, criteria, notes(*spread))
    assert many.loc[1, "high"] - many.loc[1, "low"] < frame.loc[1, "high"] - frame.loc[1, "low"]
    assert any("comes from one person" in w for w in decision.warnings["warning"])


def test_the_copula_agrees_with_the_exact_computation():
    """Options with few sources are computed exactly; the copula used beyond that gives nearly the same options."""
    options, criteria = tables(4, weights=(3.0, 2.0, 1.0))
    rng = np.random.default_rng(11)
    rows = []
    for o in (1, 2, 3):  # three people each, with leanings of their own
        truth = rng.uniform(-1.5, 1.5, 3)
        for p in range(3):
            lean = rng.normal(0, 0.6)
            for j in (1, 2, 3):
                rows.append((o, j, int(np.clip(np.round(truth[j - 1] + lean + 0.5 * rng.normal()), -2, 2)), 10 * o + p))
    r = model.readings(options, criteria, notes(*rows))
    exact = model.posterior(r, noise=FIXED, exact_sources=3)
    copula = model.posterior(r, noise=FIXED, exact_sources=0)
    assert {0, 1, 2} <= set(exact.parts[0].exact) and not copula.parts[0].exact
    # The exact computation also reads each person's leaning off the other criteria: cells may differ a little.
    np.testing.assert_allclose(exact.mean, copula.mean, atol=0.3)
    w = np.array([3.0, 2.0, 1.0]) / 6
    rng = np.random.default_rng(0)
    v_exact = exact.draw(20_000, rng).reshape(20_000, 4, 3) @ w
    v_copula = copula.draw(20_000, rng).reshape(20_000, 4, 3) @ w
    np.testing.assert_allclose(v_exact.mean(axis=0), v_copula.mean(axis=0), atol=0.15)
    np.testing.assert_allclose(v_exact.std(axis=0), v_copula.std(axis=0), rtol=0.25)
    np.testing.assert_allclose(
        np.quantile(v_exact, [0.05, 0.95], axis=0), np.quantile(v_copula, [0.05, 0.95], axis=0), atol=0.25
    )


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
    assert {"title", "score", "low", "high", "p_best", "expected_loss", "n_sources", "p_good"} <= set(frame.columns)
    assert frame.index.name == "option_id"
    assert frame["p_best"].sum() == pytest.approx(1.0)
    assert frame["p_best_fixed"].sum() == pytest.approx(1.0)
    assert frame.loc[1, "p_good"] > 0.9 > 0.1 > frame.loc[3, "p_good"]
    assert (frame["loss_if_wrong"] >= frame["expected_loss"] - 1e-12).all()
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
    table = ranks_frame(engine.analysis(*race()))
    shares = table.drop(columns="title")
    assert np.allclose(shares.sum(axis=1), 1.0) and np.allclose(shares.sum(axis=0), 1.0)
    pd.testing.assert_series_equal(shares[1], engine.compare(*race())["p_best"], check_names=False)


def test_options_nobody_has_asked_about_get_no_chance_of_being_best():
    options, criteria = tables(4)
    frame = engine.compare(options, criteria, notes((1, 1, 1, 1)))
    assert frame.loc[1, "p_best"] == 1.0
    assert frame.loc[[2, 3, 4], "p_best"].isna().all() and frame.loc[[2, 3, 4], "p_good"].isna().all()


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
    assert "does not look good yet" in said.headline  # and it is said to be below neutral
    assert any("Path 2" in d and "no evidence" in d.lower() for d in said.details)
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
    a = engine.analysis(options, criteria, ins)
    frame = ranking.comparison_frame(a)
    said = verdict(frame, a)
    assert said.headline.startswith("The evidence favours Path 1") and "risks little" in said.headline
    assert said.p_ahead >= 0.9
    assert verdict(frame, a, thresholds={"favour": 0.0, "lean": 2.0}).kind == "leaning"
    close = verdict(frame, a, thresholds={"favour": 0.0, "lean": 0.0}, settle="a conversation with Rosa about Path 2")
    assert close.kind == "close" and "Rosa" in close.headline and "Too close to call" in close.headline
    with pytest.raises(ValidationError, match="decision_thresholds"):
        verdict(frame, a, thresholds={"favour": 0.5, "lean": 0.1})


def test_an_even_race_is_too_close_to_call():
    options, criteria = tables(2)
    assert decide(options, criteria, notes((1, 1, 1, 1), (2, 1, 1, 2))).verdict.kind in {"close", "tied"}


@pytest.mark.parametrize("people", [1, 3, 8])
def test_a_mirror_tie_is_never_called_a_lean(people):
    """Two options with mirror-identical evidence: tied or too close, never "leaning" or "favours"."""
    options, criteria = tables(2, weights=(2.0, 1.0, 1.0))
    stances = [(1, 2), (2, 1), (3, -1)]
    rows = [(1, j, s, p) for p in range(1, people + 1) for j, s in stances]
    rows += [(2, j, s, 100 + p) for p in range(1, people + 1) for j, s in stances]
    for seed in range(3):
        said = decide(options, criteria, notes(*rows), seed=seed).verdict
        assert said.kind in {"tied", "close"}, said.headline
        assert "Leaning" not in said.headline and "favours" not in said.headline


def test_two_well_known_equal_options_are_practically_tied():
    options, criteria = tables(2)
    rows = [(o, 1, 1, 10 * o + p) for o in (1, 2) for p in range(1, 10)]
    said = decide(options, criteria, notes(*rows)).verdict
    assert said.kind == "tied"
    assert "practically tied" in said.headline and "either is as good" in said.headline


@pytest.mark.parametrize("people", [1, 3, 10])
def test_when_every_path_is_poor_none_is_endorsed(people):
    options, criteria = tables(3, weights=(1.0, 1.0))
    rows = [(o, j, s, 10 * o + p) for o, s in ((1, -1), (2, -2), (3, -1)) for p in range(people) for j in (1, 2)]
    said = decide(options, criteria, notes(*rows)).verdict
    assert said.kind == "none-good"
    assert said.headline.startswith("None of the options looks good yet") and "least bad" in said.headline
    assert "favours" not in said.headline


# ---------------------------------------------------- value of information
def test_the_value_of_a_conversation_matches_simulating_its_answers():
    """The closed form E[max(mean + change, best other)] − max(mean, best other) against a simulation."""
    rng = np.random.default_rng(3)
    for mean, sd, other in [(0.3, 0.2, 0.5), (0.8, 0.4, 0.5), (-0.2, 0.1, 0.9), (0.5, 0.0, 0.5)]:
        value, p_change = voi._gain_one(mean, sd, other)
        after = mean + sd * rng.standard_normal(400_000)
        assert value == pytest.approx(np.maximum(after, other).mean() - max(mean, other), abs=2e-3)
        assert p_change == pytest.approx(((after > other) != (mean > other)).mean(), abs=5e-3)
        assert value >= 0


def test_a_conversation_that_cannot_change_the_choice_is_worth_almost_nothing():
    options, criteria = tables(2)
    contacts, links, conversations = advice_tables()
    ins = notes(*[(1, 1, 2, p) for p in range(10, 30)], *[(2, 1, -2, p) for p in range(40, 60)])
    frame = engine.next_conversations(engine.analysis(options, criteria, ins), ins, contacts, links, conversations)
    assert (frame["value"] < 1e-4).all() and (frame["p_change"] < 0.01).all()
    assert not frame["worth_it"].any()


def test_a_person_who_knows_two_options_is_one_conversation_worth_both():
    options, criteria = tables(3, weights=(1.0, 1.0))
    ins = notes((1, 1, 1, 1), (1, 2, 1, 1), (2, 1, 1, 2), (3, 2, 1, 3))
    contacts = pd.DataFrame({"id": [7, 8], "name": ["Both", "One"], "strength": [3, 3]})
    links = pd.DataFrame({"contact_id": [7, 7, 8], "option_id": [2, 3, 2]})
    conversations = pd.DataFrame({"id": [], "contact_id": [], "option_id": [], "status": []})
    frame = engine.next_conversations(
        engine.analysis(options, criteria, ins), ins, contacts, links, conversations, n=10
    )
    both = frame[frame["contact"] == "Both"].iloc[0]
    one = frame[frame["contact"] == "One"].iloc[0]
    assert len(frame[frame["contact"] == "Both"]) == 1  # one row per person
    assert set(both["options"].split("; ")) == {"Path 2", "Path 3"}
    assert both["value"] > one["value"]
    assert "can also speak to" in both["reason"]


def test_a_round_ahead_is_valued_and_the_cost_decides_what_is_worth_it():
    options, criteria = tables(2, weights=(1.0, 1.0))
    ins = notes(*[(1, j, 1, p) for p in (1, 2) for j in (1, 2)], *[(2, j, 1, 5) for j in (1, 2)], (2, 1, 0, 6))
    contacts = pd.DataFrame({"id": [9], "name": ["Rosa"], "strength": [3]})
    links = pd.DataFrame({"contact_id": [9], "option_id": [2]})
    conversations = pd.DataFrame({"id": [], "contact_id": [], "option_id": [], "status": []})
    a = engine.analysis(options, criteria, ins)
    cheap = engine.next_conversations(a, ins, contacts, links, conversations, conversation_cost=0.0)
    row = cheap.iloc[0]
    assert row["value_round"] >= row["value"] > 0 and row["round_size"] in voi.ROUND_SIZES
    assert row["worth_it"] and 0 < row["p_change"] < 1
    assert "chance" in row["reason"] and "Rosa" in row["reason"]
    dear = engine.next_conversations(a, ins, contacts, links, conversations, conversation_cost=1.0)
    assert not dear["worth_it"].any() and "Unlikely to change your choice" in dear.iloc[0]["reason"]


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
    frame = engine.next_conversations(
        engine.analysis(options, criteria, ins), ins, contacts, links, conversations, n=10
    )
    assert (frame["value"] >= 0).all()
    assert 1 not in set(frame["contact_id"].dropna())  # Ana has spoken about Path 1 already
    path2 = frame[frame["option_id"] == 2]
    assert list(path2["contact"]) == ["Dev", "Eli"]  # the closer tie first
    assert all(isinstance(r, str) and r for r in frame["reason"])
    path1 = frame[frame["option_id"] == 1].iloc[0]
    assert pd.isna(path1["contact_id"]) and "who else" in path1["reason"]


def test_an_option_nobody_knows_gets_find_someone_advice():
    options, criteria = tables(2)
    contacts, _, conversations = advice_tables()
    ins = notes((1, 1, 1, 1))
    frame = engine.next_conversations(
        engine.analysis(options, criteria, ins),
        ins,
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
    open_race = engine.decide(
        options, criteria, notes((1, 1, 1, 1), (2, 1, 0, 2)), contacts, links, conversations, conversation_cost=0.0
    )
    assert open_race.stop == ""


def test_the_cost_of_a_conversation_is_checked():
    options, criteria = tables(2)
    contacts, links, conversations = advice_tables()
    a = engine.analysis(options, criteria, notes())
    with pytest.raises(ValidationError, match="conversation_cost"):
        engine.next_conversations(a, notes(), contacts, links, conversations, conversation_cost=-1)


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


def test_the_confirmation_check_counts_people_and_ignores_neutral_notes():
    options, criteria = tables(3, weights=(1.0, 1.0))
    contacts, links, conversations = advice_tables()
    ins = notes(
        *[(1, j, 2, 1) for j in (1, 2)],  # one enthusiast, twice
        *[(2, j, 0, p) for p in (2, 3, 4) for j in (1, 2)],  # only neutral notes
        (3, 1, 1, 5),
        (3, 2, -1, 6),  # something against
    )
    warnings = engine.decide(options, criteria, ins, contacts, links, conversations).warnings
    assert list(warnings["option_id"]) == [1]
    assert warnings.iloc[0]["n_sources"] == 1 and "comes from one person" in warnings.iloc[0]["warning"]


def test_empty_workbooks_answer_in_words():
    options, criteria = tables(0)
    assert verdict(engine.compare(options, criteria, notes())).kind == "empty"
    options, criteria = tables(3)
    said = verdict(engine.compare(options, criteria, notes()))
    assert said.kind == "no-evidence" and "3 options" in said.headline
    assert decide(options, criteria, notes()).verdict.kind == "no-evidence"
    assert model.GRID_SIZE == 160
