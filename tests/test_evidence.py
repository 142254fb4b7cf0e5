"""The evidence engine on real (temporary) workbooks: scores, intervals, chances, sensitivity, next conversations."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from workbook import ValidationError, evidence


def _setup(wb, options=("UX research", "Data engineering"), criteria=(("Pay", 1.0),)):
    o = [wb.add_option(t) for t in options]
    c = [wb.add_criterion(n, w) for n, w in criteria]
    return o, c


def _talk(wb, option_id, name="Rosa", status="done"):
    person = wb.add_contact(name, options=[option_id])
    return person, wb.add_conversation(person, option_id, status=status)


def width(result, option_id):
    row = result.loc[option_id]
    return row["high"] - row["low"]


# ------------------------------------------------------------------ compare
def test_empty_workbook_gives_an_empty_table_with_the_columns(wb):
    result = wb.compare()
    assert result.empty
    assert result.index.name == "option_id"
    assert {"title", "score", "low", "high", "p_best"} <= set(result.columns)


def test_options_without_evidence_are_neutral_with_the_widest_interval(wb):
    (a, b, c), (pay, _) = _setup(wb, ("A", "B", "C"), (("Pay", 2.0), ("Hours", 1.0)))
    _, conv = _talk(wb, a)
    wb.add_insight(a, pay, 1, conversation_id=conv)
    result = wb.compare()
    assert list(result.index) == [a, b, c]  # best supported first, ties by id
    assert result.loc[b, "score"] == 0 and result.loc[c, "score"] == 0
    assert (result.loc[b, "n_sources"], result.loc[c, "n_sources"]) == (0, 0)
    assert width(result, b) == pytest.approx(width(result, c), rel=0.05)  # the same, up to sampling
    assert width(result, b) > width(result, a)
    assert result.loc[b, "low"] == pytest.approx(-result.loc[b, "high"])
    assert result.loc[a, "p_best"] == 1.0  # the only option with evidence
    assert result.loc[[b, c], "p_best"].isna().all()  # no evidence: no chance shown


def test_one_enthusiastic_remark_is_far_from_certain(wb):
    (a, _), (pay,) = _setup(wb)
    _, conv = _talk(wb, a)
    wb.add_insight(a, pay, 2, confidence="high", conversation_id=conv)
    one = wb.compare().loc[a]
    assert 0.5 < one["score"] < 1.6  # one strong remark: clearly for, but not "as good as it gets"
    assert one["low"] < 0.5  # and it could still be mediocre
    for name in ("Kofi", "Lea", "Ana", "Ben"):
        _, conv = _talk(wb, a, name)
        wb.add_insight(a, pay, 2, confidence="high", conversation_id=conv)
    five = wb.compare().loc[a]
    assert five["score"] > 1.5
    assert five["high"] - five["low"] < one["high"] - one["low"]


def test_five_notes_from_one_conversation_count_as_one_source(wb):
    (a, b), (pay,) = _setup(wb)
    _, conv = _talk(wb, a)
    for _ in range(5):
        wb.add_insight(a, pay, 2, conversation_id=conv)
    for name in ("Kofi", "Lea", "Ana", "Ben", "Mo"):
        _, other = _talk(wb, b, name)
        wb.add_insight(b, pay, 2, conversation_id=other)
    result = wb.compare()
    assert result.loc[a, "n_insights"] == 5 and result.loc[a, "n_sources"] == 1
    assert result.loc[b, "n_sources"] == 5
    assert result.loc[b, "score"] > result.loc[a, "score"]
    assert width(result, b) < width(result, a)


def test_notes_from_one_contact_without_conversation_are_one_source(wb):
    (a, b), (pay,) = _setup(wb)
    person = wb.add_contact("Rosa")
    for _ in range(3):
        wb.add_insight(a, pay, 1, contact_id=person)
    assert wb.compare().loc[a, "n_sources"] == 1
    # Second-hand claims count with the person they came from, when you say who that was.
    other = wb.add_contact("Kofi")
    for _ in range(3):
        wb.add_insight(b, pay, 1, source="second-hand", contact_id=person, heard_from=other)
    assert wb.compare().loc[b, "n_sources"] == 1
    assert wb.insights()["heard_from"].dropna().tolist() == [other] * 3


def test_heard_from_must_be_a_contact_and_nothing_is_written_otherwise(wb):
    (a, _), (pay,) = _setup(wb)
    with pytest.raises(ValidationError, match="heard_from"):
        wb.add_insight(a, pay, 1, source="second-hand", heard_from=999)
    assert wb.insights().empty


def test_reviews_of_one_option_are_one_source_and_count_less_than_an_interview(wb):
    (a, b, c), (pay,) = _setup(wb, ("A", "B", "C"))
    wb.add_insight(a, pay, 2, source="online-review")
    wb.add_insight(c, pay, 2, source="online-review")
    wb.add_insight(c, pay, 2, source="online-review")
    _, conv = _talk(wb, b)
    wb.add_insight(b, pay, 2, conversation_id=conv)
    result = wb.compare()
    assert result.loc[c, "n_sources"] == 1 and result.loc[c, "n_documents"] == 1
    assert 0 < result.loc[a, "score"] == pytest.approx(result.loc[c, "score"])  # the same review, echoed
    assert result.loc[a, "score"] < result.loc[b, "score"]


def test_reliability_can_be_changed_in_the_settings(wb):
    (a, b), (pay,) = _setup(wb)
    wb.add_insight(a, pay, 2, source="online-review")
    wb.add_insight(b, pay, 2, source="interview")
    before = wb.compare()
    assert before.loc[a, "score"] < before.loc[b, "score"]
    wb.set_setting("source_reliability", {"online-review": 1.0})
    after = wb.compare()
    assert after.loc[a, "score"] == pytest.approx(after.loc[b, "score"])


def test_bad_reliability_is_refused_by_name(wb):
    _setup(wb)
    with pytest.raises(ValidationError, match="reliability.*online-review.*more than 0 and at most 1"):
        evidence.compare(wb.options(), wb.criteria(), wb.insights(), reliability={"online-review": 3})


def test_confidence_counts(wb):
    (a, b), (pay,) = _setup(wb)
    wb.add_insight(a, pay, -2, confidence="low")
    wb.add_insight(b, pay, -2, confidence="high")
    result = wb.compare()
    assert result.loc[b, "score"] < result.loc[a, "score"] < 0


def test_weights_decide_between_options_and_can_be_overridden(wb):
    (a, b), (pay, hours) = _setup(wb, criteria=(("Pay", 3.0), ("Hours", 1.0)))
    wb.add_insight(a, pay, 2)
    wb.add_insight(b, hours, 2)
    assert wb.compare().index[0] == a
    flipped = wb.compare(weights={pay: 1.0, hours: 3.0})
    assert flipped.index[0] == b
    assert flipped.loc[b, "p_best"] > 0.5
    assert wb.criteria().set_index("id").loc[pay, "weight"] == 3.0  # nothing saved


@pytest.mark.parametrize(
    "weights, message",
    [({99: 1.0}, "no criterion with id 99"), ({1: -1.0}, "0 to 100"), ({1: "lots"}, "must be a number")],
)
def test_bad_weights_are_refused_by_name(wb, weights, message):
    _setup(wb)
    with pytest.raises(ValidationError, match=f"weights: .*{message}"):
        wb.compare(weights=weights)


def test_all_weights_zero_counts_every_criterion_the_same(wb):
    (a, b), (pay, hours) = _setup(wb, criteria=(("Pay", 0.0), ("Hours", 0.0)))
    wb.add_insight(a, pay, 2)
    wb.add_insight(b, hours, 1)
    result = wb.compare()
    assert result.index[0] == a and result.loc[b, "score"] > 0


def test_p_best_is_reproducible_and_favours_the_clear_winner(wb):
    (a, _, c), (pay,) = _setup(wb, ("A", "B", "C"))
    for name in ("Kofi", "Lea", "Ana", "Ben"):
        _, conv = _talk(wb, a, name)
        wb.add_insight(a, pay, 2, confidence="high", conversation_id=conv)
        _, conv = _talk(wb, c, name + " C")
        wb.add_insight(c, pay, -2, confidence="high", conversation_id=conv)
    first, again = wb.compare(seed=7), wb.compare(seed=7)
    pd.testing.assert_frame_equal(first, again)
    assert first["p_best"].sum() == pytest.approx(1.0)  # B has no evidence: no chance (NaN), left out
    assert first.loc[a, "p_best"] > 0.8 > first.loc[c, "p_best"]
    assert wb.compare(draws=200, seed=1)["p_best"].sum() == pytest.approx(1.0)


def test_ties_are_shared(wb):
    a, b = wb.add_option("A"), wb.add_option("B")  # no criteria, no evidence: no chance to show
    result = wb.compare()
    assert result[["p_best", "p_good"]].isna().all().all()
    assert result.loc[a, "score"] == 0
    (pay,) = [wb.add_criterion("Pay")]
    for option in (a, b):
        for name in ("Kofi", "Lea"):
            _, conv = _talk(wb, option, f"{name} {option}")
            wb.add_insight(option, pay, 1, conversation_id=conv)
    tied = wb.compare()
    assert tied.loc[a, "p_best"] == pytest.approx(0.5, abs=0.05) and tied["p_best"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("draws, seed, field", [(0, 0, "draws"), (2.5, 0, "draws"), (10, -1, "seed")])
def test_bad_draws_or_seed_are_refused(wb, draws, seed, field):
    _setup(wb)
    with pytest.raises(ValidationError, match=field):
        wb.compare(draws=draws, seed=seed)


def test_archived_records_do_not_count(wb):
    (a, b), (pay, hours) = _setup(wb, criteria=(("Pay", 1.0), ("Hours", 1.0)))
    note = wb.add_insight(a, pay, 2)
    wb.add_insight(b, hours, 2)
    wb.archive("insights", note)
    wb.archive("criteria", hours)  # b's only evidence is on an archived criterion
    result = wb.compare()
    assert result.loc[a, "score"] == 0 and result.loc[b, "score"] == 0
    wb.archive("options", b)
    assert list(wb.compare().index) == [a]


def test_cells_show_evidence_per_option_and_criterion(wb):
    (a, b), (pay, hours) = _setup(wb, criteria=(("Pay", 3.0), ("Hours", 1.0)))
    _, conv = _talk(wb, a)
    wb.add_insight(a, pay, 2, conversation_id=conv)
    wb.add_insight(a, pay, -1, conversation_id=conv)
    grid = wb.cells()
    assert len(grid) == 4
    cell = grid[(grid["option_id"] == a) & (grid["criterion_id"] == pay)].iloc[0]
    assert (cell["n_insights"], cell["n_sources"], cell["weight"]) == (2, 1, 0.75)
    assert (cell["n_for"], cell["n_against"]) == (1, 1)
    assert cell["low"] < cell["score"] < cell["high"]
    empty = grid[(grid["option_id"] == b) & (grid["criterion_id"] == hours)].iloc[0]
    assert (empty["score"], empty["n_sources"]) == (0, 0)


# -------------------------------------------------------------- sensitivity
def test_sensitivity_finds_the_weight_where_the_leader_changes(wb):
    (a, b), (pay, hours, team) = _setup(wb, criteria=(("Pay", 3.0), ("Hours", 1.0), ("Team", 1.0)))
    wb.add_insight(a, pay, 2)
    wb.add_insight(b, hours, 2)
    for option in (a, b):
        wb.add_insight(option, team, 1)  # the same on Team: it cannot decide anything
    sens = wb.sensitivity()
    assert sens.index.name == "criterion_id"
    assert sens.loc[pay, "leader"] == "UX research"
    lower = sens.loc[pay, "lower_to"]
    assert 0 < lower < 3 and sens.loc[pay, "lower_leader"] == "Data engineering"
    assert sens.loc[pay, "lower_factor"] == pytest.approx(lower / 3)
    # Just beyond the threshold the other option leads; just inside it does not.
    assert wb.compare(weights={pay: lower * 0.98}).index[0] == b
    assert wb.compare(weights={pay: lower * 1.02}).index[0] == a
    raise_hours = sens.loc[hours, "raise_to"]
    assert wb.compare(weights={hours: raise_hours * 1.02}).index[0] == b
    assert not sens.loc[team, "changes_leader"]
    assert math.isnan(sens.loc[team, "lower_to"]) and math.isnan(sens.loc[team, "raise_to"])
    assert "No weight for Team" in sens.loc[team, "note"]
    assert sens.loc[pay, "note"].startswith("Now 3: UX research stays ahead unless you lower it to")
    assert "when Data engineering takes the lead" in sens.loc[pay, "note"]


def test_sensitivity_with_one_option_says_nothing_can_overtake(wb):
    _, (pay,) = _setup(wb, ("Only",))
    sens = wb.sensitivity()
    assert not sens.loc[pay, "changes_leader"] and "nothing leads" in sens.loc[pay, "note"]
    wb.add_insight(wb.options()["id"].iloc[0], pay, 1)
    sens = wb.sensitivity()
    assert not sens.loc[pay, "changes_leader"] and "nothing to overtake Only" in sens.loc[pay, "note"]


def test_options_without_evidence_never_take_the_lead_in_sensitivity(wb):
    (a, b), (pay, hours) = _setup(wb, criteria=(("Pay", 1.0), ("Hours", 1.0)))
    wb.add_insight(a, pay, -1)
    sens = wb.sensitivity()
    assert not sens["changes_leader"].any()  # b has no evidence: however the weights move, it cannot lead


def test_sensitivity_of_an_empty_workbook_is_empty(wb):
    assert wb.sensitivity().empty


# -------------------------------------------------------- next conversations
def test_next_conversation_goes_to_the_option_that_could_still_win(wb):
    (a, b, c), (pay, hours) = _setup(wb, ("Close A", "Close B", "Far behind"), (("Pay", 5.0), ("Hours", 1.0)))
    for name in ("P1", "P2", "P3"):
        _, conv = _talk(wb, a, name)
        wb.add_insight(a, pay, 1, conversation_id=conv)
        wb.add_insight(a, hours, 1, conversation_id=conv)
        _, conv = _talk(wb, c, name + "c")
        wb.add_insight(c, pay, -2, conversation_id=conv)
        wb.add_insight(c, hours, -2, conversation_id=conv)
    wb.add_insight(b, hours, 1, source="desk-research")  # b: nothing on Pay yet
    insider = wb.add_contact("Bea", options=[b])
    top = wb.next_conversations(n=3)
    assert list(top.columns[:5]) == ["option_id", "option", "options", "contact_id", "contact"]
    assert (top.loc[0, "option_id"], top.loc[0, "contact_id"], top.loc[0, "contact"]) == (b, insider, "Bea")
    assert top.loc[0, "value"] > 0 and top.loc[0, "worth_it"]
    assert "Pay" in top.loc[0, "criteria"]
    assert "Close B trails Close A" in top.loc[0, "reason"]
    far = top.set_index("option_id")
    assert c not in far.index or far.loc[c, "value"] < 1e-3  # hardly any answer lifts it past the leader


def test_next_conversation_suggests_insiders_not_yet_interviewed(wb):
    (a,), _ = _setup(wb, ("UX research",))
    done = wb.add_contact("Already Talked", options=[a])
    wb.add_conversation(done, a, status="thanked")
    planned = wb.add_contact("Planned Person", options=[a], strength=2)
    wb.add_conversation(planned, a, status="scheduled")
    close = wb.add_contact("Close Friend", options=[a], strength=5)
    gone = wb.add_contact("Archived Insider", options=[a])
    wb.archive("contacts", gone)
    wb.add_contact("Not An Insider")
    frame = wb.next_conversations(n=5)
    assert list(frame["contact_id"]) == [close, planned]  # closest tie first, two per option
    assert list(frame["contact"]) == ["Close Friend", "Planned Person"]


def test_next_conversation_explains_when_nobody_can_fill_the_gap(wb):
    (a, b), _ = _setup(wb)
    person = wb.add_contact("Rosa", options=[b])
    wb.add_conversation(person, b, status="done")
    frame = wb.next_conversations(n=5).set_index("option_id")
    assert pd.isna(frame.loc[a, "contact_id"]) and frame.loc[a, "contact"] == ""
    assert "find someone who does this work" in frame.loc[a, "reason"]
    assert "ask them who else to talk to" in frame.loc[b, "reason"]


def test_next_conversations_respects_n_and_weights(wb):
    (a, b, c), (pay, hours) = _setup(wb, ("A", "B", "C"), criteria=(("Pay", 1.0), ("Hours", 1.0)))
    for option in (a, b, c):
        wb.add_contact(f"Insider of {option}", options=[option])
    assert len(wb.next_conversations(n=2)) == 2
    only_hours = wb.next_conversations(n=5, weights={pay: 0.0})
    assert set(only_hours["criteria"]) == {"Hours"}
    with pytest.raises(ValidationError, match="n: must be a whole number"):
        wb.next_conversations(n=0)


def test_next_conversations_of_an_empty_workbook_is_empty(wb):
    frame = wb.next_conversations()
    assert frame.empty and "reason" in frame.columns


def test_engine_settings_are_read_from_the_workbook_and_checked(wb):
    (a, b), (pay,) = _setup(wb)
    wb.add_insight(a, pay, 1)
    wb.add_insight(b, pay, 0)
    assert wb.decide().verdict.kind in {"favours", "leaning", "close"}
    wb.set_setting("decision_thresholds", {"favour": 0.0, "lean": 0.0})
    assert wb.decide().verdict.kind == "close"
    wb.set_setting("decision_thresholds", {"favour": 3})
    with pytest.raises(ValidationError, match="decision_thresholds"):
        wb.decide()


# ------------------------------------------------------- scale data generator
def test_generated_workbook_matches_the_in_memory_frames(tmp_path):
    from benchmarks.generate import build_workbook, synthetic_frames
    from workbook import open_workbook

    size = {"options": 6, "criteria": 3, "contacts": 15, "insights": 120}
    path = build_workbook(tmp_path / "scale.sqlite", seed=4, **size)
    frames = synthetic_frames(6, 3, 120, 15, seed=4)
    with open_workbook(path) as book:
        assert book.counts()["insights"] == 120
        stored = {
            "options": book.options(),
            "criteria": book.criteria(),
            "insights": book.insights(),
            "contacts": book.contacts(),
            "conversations": book.conversations(),
            "insider_links": book.insider_links(),
        }
        for table, frame in stored.items():
            shared = [c for c in frame.columns if c not in {"created_at", "updated_at"}]
            assert set(shared) <= set(frames[table].columns), table
            for col in shared:
                if pd.api.types.is_datetime64_dtype(frame[col]):
                    assert pd.api.types.is_datetime64_dtype(frames[table][col]), (table, col)
                else:
                    assert frames[table][col].dtype == frame[col].dtype, (table, col)
        pd.testing.assert_frame_equal(
            book.compare(), evidence.compare(frames["options"], frames["criteria"], frames["insights"])
        )
