"""The comparison view, driven like a person would: move sliders, press buttons, read the tables."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workbook.forms.compare import CompareForm


@dataclass(frozen=True)
class RaceIds:
    ux: int
    data: int
    pay: int
    hours: int


@pytest.fixture
def race_ids(wb) -> RaceIds:
    ux, data = wb.add_option("UX research"), wb.add_option("Data engineering")
    pay, hours = wb.add_criterion("Pay", 3.0), wb.add_criterion("Hours", 1.0)
    wb.add_insight(ux, pay, 2)
    wb.add_insight(data, hours, 2)
    return RaceIds(ux=ux, data=data, pay=pay, hours=hours)


@pytest.fixture
def race(wb, race_ids):
    """UX research is strong on Pay, Data engineering on Hours; Pay weighs more (ids in ``race_ids``)."""
    return wb


def stored_weights(wb):
    return dict(zip(wb.criteria()["id"], wb.criteria()["weight"], strict=True))


def test_sliders_start_at_the_stored_weights_and_show_the_result(race, race_ids):
    form = CompareForm(race, draws=300)
    assert {cid: s.value for cid, s in form.sliders.items()} == stored_weights(race)
    assert [s.description for s in form.sliders.values()] == ["Pay", "Hours"]
    assert form.result.index[0] == race_ids.ux
    assert form.result["p_best"].sum() == pytest.approx(1.0)
    assert "UX research" in form.table.value
    for column in ("chance good at all", "chance best", "expected loss if chosen", "heard from", "evidence on"):
        assert column.capitalize() in form.table.value, column
    first = form.table.frame.iloc[0]
    assert first["chance best"].endswith("%") and first["chance good at all"].endswith("%")
    assert first["expected loss if chosen"].split(" ")[1] == "steps"  # "0.12 steps (moderate)"
    assert first["heard from"] == "1 person"
    assert bytes(form.scores_image.png).startswith(b"\x89PNG")
    assert bytes(form.ranks_image.png).startswith(b"\x89PNG")
    assert "UX research" in form.verdict.value and form.decision.verdict.option_id == race_ids.ux


def test_moving_a_slider_updates_the_result_without_saving(race, race_ids):
    form = CompareForm(race, draws=300)
    before = form.result.loc[race_ids.data, "p_best"]
    picture = form.ranks_image.png
    form.sliders[race_ids.pay].value = 0.5
    form.sliders[race_ids.hours].value = 5.0
    assert form.result.index[0] == race_ids.data
    assert form.result.loc[race_ids.data, "p_best"] > before
    assert form.ranks_image.png != picture
    assert "Data engineering" in form.verdict.value.split("</strong>")[0]
    assert form.table.frame.iloc[0]["option"] == "Data engineering"
    assert form.status.kind == "info" and "not saved" in form.status.text
    assert stored_weights(race) == {race_ids.pay: 3.0, race_ids.hours: 1.0}


def test_save_keeps_the_slider_weights(race, race_ids):
    form = CompareForm(race, draws=300)
    form.sliders[race_ids.hours].value = 4.5
    form.save_button.click()
    assert form.status.kind == "ok", form.status.text
    assert stored_weights(race) == {race_ids.pay: 3.0, race_ids.hours: 4.5}


def test_all_weights_zero_is_not_saved(race, race_ids):
    form = CompareForm(race, draws=300)
    for slider in form.sliders.values():
        slider.value = 0.0
    form.save_button.click()
    assert form.status.kind == "error"
    assert "weights" in form.status.text and "every weight is 0" in form.status.text
    assert stored_weights(race) == {race_ids.pay: 3.0, race_ids.hours: 1.0}


def test_back_to_saved_weights_resets_the_sliders(race, race_ids):
    form = CompareForm(race, draws=300)
    form.sliders[race_ids.pay].value = 0.0
    assert form.result.index[0] == race_ids.data
    form.reset_button.click()
    assert form.sliders[race_ids.pay].value == 3.0
    assert form.result.index[0] == race_ids.ux


def test_next_conversations_follow_the_sliders(race, race_ids):
    race.add_contact("Uma", options=[race_ids.ux])
    race.add_contact("Dan", options=[race_ids.data])
    form = CompareForm(race, draws=300, n_next=4)
    assert set(form.next_frame["contact"]) == {"Uma", "Dan"}
    table = form.next_conversations.frame
    assert list(table.columns) == ["talk to", "about", "why this one", "chance it changes the decision", "worth it"]
    assert set(table["talk to"]) == {"Uma", "Dan"}
    assert table["chance it changes the decision"].str.contains("%").all()
    assert set(table["worth it"]) <= {"yes", "no: worth less than a conversation costs you"}
    assert "expected gain" not in form.next_conversations.value and "value" not in table.columns
    assert "Chance it changes the decision" in form.next_legend.value
    form.sliders[race_ids.hours].value = 0.0
    assert set(form.next_frame["criteria"]) == {"Pay"}


def test_a_person_who_knows_two_options_is_one_conversation_about_both(race, race_ids):
    race.add_contact("Uma", options=[race_ids.ux, race_ids.data])
    form = CompareForm(race, draws=300)
    uma = form.next_conversations.frame.set_index("talk to").loc["Uma"]
    assert "UX research" in uma["about"] and "Data engineering" in uma["about"]
    assert uma["why this one"].endswith(".") and "Uma" in uma["why this one"]


def test_an_empty_workbook_explains_what_to_do_first(wb):
    form = CompareForm(wb)
    assert form.sliders == {}
    assert form.result.empty and form.next_frame.empty
    assert form.status.kind == "info" and "No criteria yet" in form.status.text
    assert form.save_button.disabled
    assert "No career options yet" in form.table.value
    assert "Nothing to compare yet" in form.verdict.value
    assert bytes(form.ranks_image.png).startswith(b"\x89PNG")


def test_user_text_is_escaped_in_the_tables(wb):
    evil = "<img src=x onerror=alert(1)>"
    option = wb.add_option(f"UX {evil}")
    wb.add_criterion(f"Pay {evil}", 1.0)
    wb.add_contact(f"Rosa {evil}", options=[option])
    form = CompareForm(wb, draws=100)
    for html in (
        form.table.value,
        form.next_conversations.value,
        form.status.value,
        form.verdict.value,
        form.legend.value,
        form.next_legend.value,
    ):
        assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in form.next_conversations.value
    assert form.next_frame["contact"].iloc[0] == f"Rosa {evil}"


def test_the_verdict_never_crowns_an_option_nobody_has_asked_about(wb):
    known = wb.add_option("UX research")
    wb.add_option("Data engineering")
    wb.add_option("Teaching abroad")
    pay = wb.add_criterion("Pay", 1.0)
    wb.add_insight(known, pay, -1)
    form = CompareForm(wb, draws=300)
    headline = form.verdict.value.split("</strong>")[0]
    assert "Only UX research has evidence so far" in headline
    assert "No evidence yet for Data engineering and Teaching abroad" in form.verdict.value
    for _, row in form.table.frame.iloc[1:].iterrows():  # never a chance for an option nobody has asked about
        assert row["score"] == row["chance best"] == row["chance good at all"] == "no evidence"
        assert row["heard from"] == "nobody yet" and "%" not in row["chance best"]
    lone = form.table.frame.iloc[0]
    assert lone["chance best"] == lone["expected loss if chosen"] == "nothing to compare with yet"
    assert lone["chance good at all"].endswith("%")


def test_thin_evidence_is_flagged_per_option_with_its_reason(race, race_ids):
    form = CompareForm(race, draws=300)
    flags = dict(zip(form.table.frame["option"], form.table.frame["read with care"], strict=True))
    # each option rests on one note, on a quarter or three quarters of the weight
    assert flags["Data engineering"] == "thin: only 1 source; only 25% of what matters to you has evidence"
    assert flags["UX research"] == "thin: only 1 source"
    for person, criterion in (("Ana", "pay"), ("Ben", "pay"), ("Cy", "hours")):
        contact = race.add_contact(person, options=[race_ids.ux])
        talk = race.add_conversation(contact, race_ids.ux, status="done")
        race.add_insight(race_ids.ux, getattr(race_ids, criterion), 1, conversation_id=talk)
    form.refresh()
    row = form.table.frame.set_index("option").loc["UX research"]
    assert row["read with care"] == "" and row["heard from"] == "4 people"  # the unnamed first note is a person too
    assert row["evidence on"] == "100%"


def test_the_legend_says_what_expected_loss_means_in_steps(race):
    form = CompareForm(race, draws=300)
    legend = form.legend.value
    assert "Expected loss: if you choose this option, how much worse than the best one" in legend
    assert "steps of the scale" in legend and "Small: up to 0.05 steps" in legend
    assert "Chance good at all" in legend and "one person counts once" in legend


def test_sensitivity_table_says_in_words_what_would_change_the_leader(race):
    from workbook.forms.compare import sensitivity_view

    view = sensitivity_view(race.sensitivity())
    assert list(view.frame.columns) == ["criterion", "weight now", "can change the leader", "what it would take"]
    pay = view.frame.set_index("criterion").loc["Pay"]
    assert pay["weight now"] == "3" and pay["can change the leader"] == "yes"
    assert "when Data engineering takes the lead" in pay["what it would take"]
    assert "when Data engineering takes the lead." in view.value  # shown in full, not cut short


def test_sensitivity_table_escapes_criterion_names(wb):
    from workbook.forms.compare import sensitivity_view

    wb.add_option("A")
    wb.add_criterion("<script>alert(1)</script>", 1.0)
    view = sensitivity_view(wb.sensitivity())
    assert "<script>" not in view.value and "&lt;script&gt;" in view.value


def test_the_verdict_names_its_kind_and_says_when_intervals_rest_on_an_assumption(wb):
    known = wb.add_option("UX research")
    wb.add_option("Data engineering")
    pay = wb.add_criterion("Pay", 1.0)
    wb.add_insight(known, pay, 1)
    form = CompareForm(wb, draws=300)
    assert '<div class="cw-verdict"><p style="color:#0a5a8c' in form.verdict.value
    assert "Only one path has evidence" in form.verdict.value
    assert "rest on that assumption" in form.verdict.value  # nobody has spoken about the same thing twice


def test_all_negative_evidence_is_never_endorsed_in_the_form(wb):
    alpha, bravo = wb.add_option("Alpha"), wb.add_option("Bravo")
    pay = wb.add_criterion("Pay", 1.0)
    for option, stance in ((alpha, -2), (bravo, -1)):
        for i in range(3):
            person = wb.add_contact(f"P{option}{i}")
            talk = wb.add_conversation(person, option, status="done")
            wb.add_insight(option, pay, stance, conversation_id=talk)
    form = CompareForm(wb, draws=300)
    assert form.decision.verdict.kind == "none-good"
    assert "None looks good yet" in form.verdict.value and "least bad" in form.verdict.value
    assert "favours" not in form.verdict.value
    good = form.table.frame.set_index("option")["chance good at all"]
    assert all(v == "under 1%" or int(v.rstrip("%")) < 50 for v in good)


def test_the_sensitivity_table_names_no_leader_while_nothing_is_known(wb):
    from workbook.forms.compare import NO_LEADER, sensitivity_view

    wb.add_option("UX research")
    wb.add_option("Data engineering")
    wb.add_criterion("Pay", 1.0)
    view = sensitivity_view(wb)
    assert view.frame.empty and "no option has evidence" in view.value and "stays ahead" not in view.value
    assert NO_LEADER in view.value


def test_the_sensitivity_table_from_the_workbook_once_there_is_evidence(race):
    from workbook.forms.compare import sensitivity_view

    view = sensitivity_view(race)
    assert "when Data engineering takes the lead." in view.value
