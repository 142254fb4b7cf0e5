"""Notebook 01 forms driven like a user would: options, criteria, suggestions and weight sliders."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from workbook.charts import plan as charts_plan
from workbook.forms.criteria import CriteriaForm, load_suggested_criteria
from workbook.forms.options import NEW, OptionsForm, option_count_advice

HOSTILE = "<img src=x onerror=alert(1)>"


def cells(table_widget) -> list[str]:
    return [td.get_text() for td in BeautifulSoup(table_widget.value, "html.parser").find_all("td")]


def add_option(form, title, **more):
    form.pick.value = NEW
    form.title.value = title
    form.description.value = more.get("description", "")
    form.questions.value = more.get("questions", "")
    form.option_status.value = more.get("status", "exploring")
    form.save_button.click()


# ------------------------------------------------------------------ options
def test_add_option_saves_all_fields_and_refreshes_the_table(wb):
    form = OptionsForm(wb)
    add_option(form, "UX research", description="Study users", questions="Portfolio needed?\n\n  Pay after 2 years? ")
    assert form.status.kind == "ok" and "UX research" in form.status.text
    row = wb.options().iloc[0]
    assert (row["title"], row["description"], row["status"]) == ("UX research", "Study users", "exploring")
    assert row["questions"] == "Portfolio needed?\nPay after 2 years?"
    assert "UX research" in cells(form.table)
    assert form.title.value == ""  # ready for the next option
    assert ("UX research", 1) in form.pick.options


def test_empty_title_is_refused_naming_the_field(wb):
    form = OptionsForm(wb)
    add_option(form, "   ")
    assert form.status.kind == "error"
    assert "title" in form.status.text and "empty" in form.status.text
    assert wb.options().empty


def test_hostile_title_is_stored_exactly_and_shown_escaped(wb):
    form = OptionsForm(wb)
    add_option(form, HOSTILE, description=HOSTILE)
    assert wb.options()["title"].tolist() == [HOSTILE]
    assert HOSTILE in cells(form.table)  # shown as text ...
    assert "<img" not in form.table.value  # ... never as markup
    assert "<img" not in form.status.value


def test_edit_and_archive_and_unarchive(wb):
    form = OptionsForm(wb)
    add_option(form, "Teaching")
    oid = int(wb.options()["id"].iloc[0])
    form.pick.value = oid
    assert form.title.value == "Teaching"
    form.title.value = "Teaching abroad"
    form.option_status.value = "shortlisted"
    form.save_button.click()
    assert form.status.kind == "ok"
    assert wb.get("options", oid)["title"] == "Teaching abroad"
    assert wb.get("options", oid)["status"] == "shortlisted"
    form.pick.value = oid
    form.archive_button.click()
    assert wb.options().empty and wb.options(include_archived=True)["archived"].tolist() == [True]
    assert "Teaching abroad" not in cells(form.table)
    assert form.archived_pick.value == oid
    form.unarchive_button.click()
    assert wb.options()["title"].tolist() == ["Teaching abroad"]


def test_archive_without_a_choice_says_what_to_do(wb):
    form = OptionsForm(wb)
    form.archive_button.click()
    assert form.status.kind == "error" and "choose an option" in form.status.text


@pytest.mark.parametrize(
    ("n", "kind", "words"),
    [
        (0, "info", "No options"),
        (2, "info", "Three to five"),
        (3, "ok", "good number"),
        (5, "ok", "good number"),
        (6, "info", "More than five"),
    ],
)
def test_option_count_advice(n, kind, words):
    got_kind, text = option_count_advice(n)
    assert got_kind == kind and words in text


def test_nudge_counts_only_active_options(wb):
    form = OptionsForm(wb)
    for title in ("A", "B", "C"):
        add_option(form, title)
    assert form.nudge.kind == "ok"
    add_option(form, "D", status="dropped")
    assert form.nudge.kind == "ok" and form.nudge.text.startswith("3 active")
    for title in ("E", "F", "G"):
        add_option(form, title)
    assert form.nudge.kind == "info" and "park or drop" in form.nudge.text


# ----------------------------------------------------------------- criteria
def test_add_criterion_with_weight(wb):
    form = CriteriaForm(wb)
    form.name.value, form.weight.value = "Pay", 3
    form.save_button.click()
    assert form.status.kind == "ok"
    assert wb.criteria()[["name", "weight"]].values.tolist() == [["Pay", 3.0]]
    assert "Pay" in cells(form.table)
    assert list(form.weights.sliders.values())[0].value == 3.0


@pytest.mark.parametrize(
    ("name", "weight", "field", "reason"),
    [("", 1, "name", "empty"), ("Pay", 150, "weight", "out of range"), ("Pay", -1, "weight", "out of range")],
)
def test_bad_criterion_is_refused(wb, name, weight, field, reason):
    form = CriteriaForm(wb)
    form.name.value, form.weight.value = name, weight
    form.save_button.click()
    assert form.status.kind == "error"
    assert field in form.status.text and reason in form.status.text
    assert wb.criteria().empty


def test_edit_and_archive_criterion(wb):
    cid = wb.add_criterion("Pay", 2)
    form = CriteriaForm(wb)
    form.pick.value = cid
    assert (form.name.value, form.weight.value) == ("Pay", 2.0)
    form.weight.value = 4
    form.save_button.click()
    assert wb.get("criteria", cid)["weight"] == 4.0
    form.pick.value = cid
    form.archive_button.click()
    assert wb.criteria().empty and not form.weights.sliders


def test_suggestions_come_from_the_shipped_file_and_skip_what_you_have(wb):
    shipped = load_suggested_criteria()
    assert {"name", "description", "weight"} <= set(shipped.columns) and len(shipped) >= 3
    wb.add_criterion(shipped["name"].iloc[0].upper())
    form = CriteriaForm(wb)
    offered = [v for _, v in form.suggestions.pick.options]
    assert shipped["name"].iloc[0] not in offered and shipped["name"].iloc[1] in offered
    form.suggestions.pick.value = tuple(offered[:2])
    form.suggestions.add_button.click()
    assert form.suggestions.status.kind == "ok"
    assert set(offered[:2]) <= set(wb.criteria()["name"])
    assert offered[0] not in [v for _, v in form.suggestions.pick.options]
    assert len(form.weights.sliders) == 3  # the weights panel follows


def test_adding_no_suggestion_says_so(wb):
    form = CriteriaForm(wb)
    form.suggestions.add_button.click()
    assert form.suggestions.status.kind == "error" and "select" in form.suggestions.status.text


def test_load_suggested_criteria_reads_any_file(tmp_path):
    path = tmp_path / "criteria.csv"
    path.write_text('name,description,weight\nPay,"Money, now",2\n  ,blank,1\nFun,,x\n', encoding="utf-8")
    frame = load_suggested_criteria(path)
    assert frame["name"].tolist() == ["Pay", "Fun"]
    assert frame["weight"].tolist() == [2.0, 1.0]


# ------------------------------------------------------------------ weights
def test_sliders_redraw_the_chart_and_save_in_one_go(wb):
    pay, fun = wb.add_criterion("Pay", 1), wb.add_criterion("Fun", 1)
    form = CriteriaForm(wb)
    first = form.weights.chart.png
    form.weights.sliders[pay].value = 3
    assert bytes(form.weights.chart.png) != bytes(first)
    assert bytes(form.weights.chart.png).startswith(b"\x89PNG")
    assert form.weights.shares().round(2).to_dict() == {"Pay": 0.75, "Fun": 0.25}
    assert wb.get("criteria", pay)["weight"] == 1.0  # not saved until asked
    assert "Not saved yet" in form.weights.status.text
    form.weights.save_button.click()
    assert form.weights.status.kind == "ok"
    assert wb.get("criteria", pay)["weight"] == 3.0 and wb.get("criteria", fun)["weight"] == 1.0


def test_all_zero_weights_are_refused(wb):
    pay = wb.add_criterion("Pay", 1)
    form = CriteriaForm(wb)
    form.weights.sliders[pay].value = 0
    form.weights.save_button.click()
    assert form.weights.status.kind == "error" and "weight" in form.weights.status.text
    assert wb.get("criteria", pay)["weight"] == 1.0


def test_slider_range_stretches_for_big_weights(wb):
    cid = wb.add_criterion("Pay", 40)
    form = CriteriaForm(wb)
    assert form.weights.sliders[cid].value == 40 and form.weights.sliders[cid].max >= 40


def test_normalised_weights_and_chart(wb):
    wb.add_criterion("Pay", 3)
    wb.add_criterion("Fun", 1)
    shares = charts_plan.normalised_weights(wb.criteria())
    assert shares.to_dict() == {"Pay": 0.75, "Fun": 0.25}
    fig = charts_plan.weights_chart(wb.criteria())
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["25%", "75%"]  # bar labels, no "empty" note
    assert sorted(round(p.get_width()) for p in fig.axes[0].patches) == [25, 75]


def test_weights_chart_explains_when_empty(wb):
    fig = charts_plan.weights_chart(wb.criteria())
    assert "No criteria yet" in fig.axes[0].texts[0].get_text()
    wb.add_criterion("Pay", 0)
    fig = charts_plan.weights_chart(wb.criteria())
    assert "Every weight is 0" in fig.axes[0].texts[0].get_text()
