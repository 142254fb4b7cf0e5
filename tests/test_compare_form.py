"""The comparison view, driven like a person would: move sliders, press buttons, read the tables."""

from __future__ import annotations

import pytest

from workbook.forms.compare import CompareForm


@pytest.fixture
def race(wb):
    """UX research is strong on Pay, Data engineering on Hours; Pay weighs more."""
    ux, data = wb.add_option("UX research"), wb.add_option("Data engineering")
    pay, hours = wb.add_criterion("Pay", 3.0), wb.add_criterion("Hours", 1.0)
    wb.add_insight(ux, pay, 2)
    wb.add_insight(data, hours, 2)
    wb.ids = {"ux": ux, "data": data, "pay": pay, "hours": hours}
    return wb


def stored_weights(wb):
    return dict(zip(wb.criteria()["id"], wb.criteria()["weight"], strict=True))


def test_sliders_start_at_the_stored_weights_and_show_the_result(race):
    form = CompareForm(race, draws=300)
    assert {cid: s.value for cid, s in form.sliders.items()} == stored_weights(race)
    assert [s.description for s in form.sliders.values()] == ["Pay", "Hours"]
    assert form.result.index[0] == race.ids["ux"]
    assert form.result["p_best"].sum() == pytest.approx(1.0)
    assert "UX research" in form.table.value and "chance of being best" in form.table.value
    assert "expected loss if chosen" in form.table.value
    assert bytes(form.scores_image.value).startswith(b"\x89PNG")
    assert bytes(form.ranks_image.value).startswith(b"\x89PNG")
    assert "UX research" in form.verdict.value and form.decision.verdict.option_id == race.ids["ux"]


def test_moving_a_slider_updates_the_result_without_saving(race):
    form = CompareForm(race, draws=300)
    ids = race.ids
    before = form.result.loc[ids["data"], "p_best"]
    picture = form.ranks_image.value
    form.sliders[ids["pay"]].value = 0.5
    form.sliders[ids["hours"]].value = 5.0
    assert form.result.index[0] == ids["data"]
    assert form.result.loc[ids["data"], "p_best"] > before
    assert form.ranks_image.value != picture
    assert "Data engineering" in form.verdict.value.split("</strong>")[0]
    assert form.table.frame.iloc[0]["option"] == "Data engineering"
    assert form.status.kind == "info" and "not saved" in form.status.text
    assert stored_weights(race) == {ids["pay"]: 3.0, ids["hours"]: 1.0}


def test_save_keeps_the_slider_weights(race):
    form = CompareForm(race, draws=300)
    form.sliders[race.ids["hours"]].value = 4.5
    form.save_button.click()
    assert form.status.kind == "ok", form.status.text
    assert stored_weights(race) == {race.ids["pay"]: 3.0, race.ids["hours"]: 4.5}


def test_all_weights_zero_is_not_saved(race):
    form = CompareForm(race, draws=300)
    for slider in form.sliders.values():
        slider.value = 0.0
    form.save_button.click()
    assert form.status.kind == "error"
    assert "weights" in form.status.text and "every weight is 0" in form.status.text
    assert stored_weights(race) == {race.ids["pay"]: 3.0, race.ids["hours"]: 1.0}


def test_back_to_saved_weights_resets_the_sliders(race):
    form = CompareForm(race, draws=300)
    form.sliders[race.ids["pay"]].value = 0.0
    assert form.result.index[0] == race.ids["data"]
    form.reset_button.click()
    assert form.sliders[race.ids["pay"]].value == 3.0
    assert form.result.index[0] == race.ids["ux"]


def test_next_conversations_follow_the_sliders(race):
    ids = race.ids
    race.add_contact("Uma", options=[ids["ux"]])
    race.add_contact("Dan", options=[ids["data"]])
    form = CompareForm(race, draws=300, n_next=4)
    assert set(form.next_frame["contact"]) == {"Uma", "Dan"}
    assert "why this one" in form.next_conversations.value and "talk to" in form.next_conversations.value
    form.sliders[ids["hours"]].value = 0.0
    assert set(form.next_frame["criteria"]) == {"Pay"}


def test_an_empty_workbook_explains_what_to_do_first(wb):
    form = CompareForm(wb)
    assert form.sliders == {}
    assert form.result.empty and form.next_frame.empty
    assert form.status.kind == "info" and "No criteria yet" in form.status.text
    assert form.save_button.disabled
    assert "No career options yet" in form.table.value
    assert "Nothing to compare yet" in form.verdict.value
    assert bytes(form.ranks_image.value).startswith(b"\x89PNG")


def test_user_text_is_escaped_in_the_tables(wb):
    evil = "<img src=x onerror=alert(1)>"
    option = wb.add_option(f"UX {evil}")
    wb.add_criterion(f"Pay {evil}", 1.0)
    wb.add_contact(f"Rosa {evil}", options=[option])
    form = CompareForm(wb, draws=100)
    for html in (form.table.value, form.next_conversations.value, form.status.value, form.verdict.value):
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
    assert form.table.frame.iloc[1]["score"] == "no evidence yet"


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
