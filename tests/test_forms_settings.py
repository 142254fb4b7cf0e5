"""The settings form driven as a user would: set values, click, check the workbook and what reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from workbook import evidence
from workbook.cli.main import cli
from workbook.evidence.decisions import DECISION_THRESHOLDS
from workbook.evidence.model import SOURCE_RELIABILITY
from workbook.evidence.voi import CONVERSATION_COST
from workbook.forms import settings
from workbook.forms.settings import SettingsForm
from workbook.outreach.cadence import Cadence, due_list
from workbook.people.coverage import coverage_for, threshold_for

#: A Monday; the request was sent five business days before it.
MONDAY = dt.date(2026, 3, 16)
SENT = dt.date(2026, 3, 9)


@pytest.fixture
def asked(wb):
    """One request sent on Monday 9 March with no reply yet."""
    o = wb.add_option("UX research")
    p = wb.add_contact("Rosa Marquez", "Acme", "UX Researcher")
    wb.add_conversation(p, o, status="requested", requested_on=SENT.isoformat())
    return wb


def kinds(wb, on=MONDAY):
    return list(due_list(wb, on)["kind"])


def test_the_form_shows_the_defaults_of_an_empty_workbook(wb):
    form = SettingsForm(wb)
    assert form.fields["cadence_follow_up_days"].value == 7
    assert form.fields["cadence_second_contact_days"].value == 3
    assert form.fields["thank_you_hours"].value == 24
    assert form.fields["coverage_threshold"].value == 3
    assert form.fields["source_reliability:online-review"].value == SOURCE_RELIABILITY["online-review"]
    assert form.fields["decision_thresholds:lean"].value == DECISION_THRESHOLDS["lean"]
    assert form.fields["conversation_cost"].value == CONVERSATION_COST
    assert "voi_threshold" not in settings.FIELDS
    assert form.view.children  # built without display()


def test_the_conversation_cost_is_explained_in_steps_of_the_scale(wb):
    form = SettingsForm(wb)
    shown = " ".join(
        getattr(w, "value", "") for w in _all_widgets(form.view) if isinstance(getattr(w, "value", None), str)
    )
    labels = [w.description for w in form.fields.values()]  # each field's own label, which a screen reader names
    assert any(d.startswith("What one conversation costs you (steps on the −2..+2 scale)") for d in labels)
    assert "worth your time" in shown  # the help text says what the number means


def _all_widgets(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all_widgets(child)


def test_a_higher_conversation_cost_stops_the_advice_sooner(demo_wb):
    form = SettingsForm(demo_wb)
    form.fields["conversation_cost"].value = 0.0  # conversations cost nothing: any that could help is worth it
    form.save_button.click()
    assert form.status.kind == "ok", form.status.text
    before = demo_wb.decide()
    assert before.next["worth_it"].any() and before.stop == ""
    form.fields["conversation_cost"].value = 1.5
    form.save_button.click()
    assert form.status.kind == "ok", form.status.text
    assert demo_wb.setting("conversation_cost") == 1.5
    after = demo_wb.decide()
    assert not after.next["worth_it"].any()
    assert "unlikely" in after.stop and "1.5 steps" in after.stop
    assert after.next["reason"].str.contains("Unlikely to change your choice").all()


def test_saving_forgets_the_retired_value_of_information_threshold(wb):
    wb.set_setting("voi_threshold", 0.01)  # written by an earlier version of the form
    settings.save(wb, {"conversation_cost": 0.02})
    assert wb.setting("voi_threshold") is None
    assert wb.setting("conversation_cost") == 0.02
    wb.set_setting("voi_threshold", 0.01)
    SettingsForm(wb).defaults_button.click()
    assert wb.setting("voi_threshold") is None and wb.setting("conversation_cost") is None


def test_a_shorter_follow_up_changes_the_due_list_and_the_cli(asked, wb_path):
    assert "follow_up" not in kinds(asked)  # 5 business days < 7
    form = SettingsForm(asked)
    form.fields["cadence_follow_up_days"].value = 5
    form.save_button.click()
    assert form.status.kind == "ok", form.status.text
    assert asked.setting("cadence_follow_up_days") == 5
    assert Cadence.from_settings(asked).follow_up_days == 5
    assert "follow_up" in kinds(asked)
    result = CliRunner().invoke(cli, ["due", "--on", MONDAY.isoformat(), "--workbook", str(wb_path)])
    assert result.exit_code == 0, result.output
    assert "follow up" in result.output.lower()


def test_back_to_defaults_forgets_every_stored_setting(asked):
    form = SettingsForm(asked)
    form.fields["cadence_follow_up_days"].value = 5
    form.fields["coverage_threshold"].value = 2
    form.fields["source_reliability:online-review"].value = 0.1
    form.save_button.click()
    assert asked.setting("source_reliability") == {"online-review": 0.1}
    assert threshold_for(asked) == 2
    form.defaults_button.click()
    assert form.status.kind == "ok"
    assert all(asked.setting(k) is None for k in settings.SETTING_KEYS)
    assert form.fields["cadence_follow_up_days"].value == 7
    assert "follow_up" not in kinds(asked)


def test_values_equal_to_the_default_are_not_stored(wb):
    form = SettingsForm(wb)
    form.save_button.click()
    assert form.status.kind == "ok" and "default" in form.status.text
    assert all(wb.setting(k) is None for k in settings.SETTING_KEYS)


@pytest.mark.parametrize(
    ("key", "value", "label"),
    [
        ("cadence_follow_up_days", 0, "Follow up once after"),
        ("cadence_second_contact_days", -1, "Ask a second person after"),
        ("thank_you_hours", 0, "thank-you within"),
        ("coverage_threshold", 0, "People per option"),
        ("source_reliability:interview", 0.0, "interview"),
        ("source_reliability:online-review", 1.5, "online review"),
        ("decision_thresholds:favour", 3.0, "Favours an option"),
        ("decision_thresholds:lean", -0.1, "Leans towards"),
        ("conversation_cost", 2.5, "What one conversation costs you"),
        ("conversation_cost", -0.01, "What one conversation costs you"),
        ("weight_concentration", 0.0, "How firmly"),
    ],
)
def test_a_bad_value_names_its_field_and_writes_nothing(asked, key, value, label):
    form = SettingsForm(asked)
    form.fields["cadence_follow_up_days"].value = 5  # a good change that must not be saved either
    form.fields[key].value = value
    form.save_button.click()
    assert form.status.kind == "error"
    assert label.lower() in form.status.text.lower()
    assert form.status.text.startswith("Not saved")
    assert all(asked.setting(k) is None for k in settings.SETTING_KEYS)


def test_favour_above_lean_is_refused_naming_both(wb):
    form = SettingsForm(wb)
    form.fields["decision_thresholds:favour"].value = 0.3
    form.fields["decision_thresholds:lean"].value = 0.2
    form.save_button.click()
    assert form.status.kind == "error"
    assert "Favours an option" in form.status.text and "Leans towards" in form.status.text
    assert wb.setting("decision_thresholds") is None


def test_engine_settings_reach_the_comparison(filled):
    form = SettingsForm(filled)
    form.fields["decision_thresholds:favour"].value = 0.01
    form.fields["weight_concentration"].value = 20
    form.save_button.click()
    assert form.status.kind == "ok", form.status.text
    engine = evidence.settings_for(filled.snapshot())
    assert engine["thresholds"] == {"favour": 0.01}
    assert engine["weight_concentration"] == 20.0
    assert not filled.compare().empty


def test_the_coverage_aim_is_read_by_coverage_and_the_report(filled, filled_ids):
    from workbook.report import sections

    SettingsForm(filled)  # building the form writes nothing
    assert filled.setting("coverage_threshold") is None
    settings.save(filled, {"coverage_threshold": 1})
    assert threshold_for(filled) == 1
    cov = coverage_for(filled)
    assert not cov.loc[filled_ids.o1, "needs_more"]
    section = sections.outreach(filled.snapshot(), filled.options())
    assert section["target"] == 1


def test_a_value_stored_by_hand_is_shown(wb):
    wb.set_setting("thank_you_hours", 48)
    wb.set_setting("decision_thresholds", {"lean": 0.2})
    form = SettingsForm(wb)
    assert form.fields["thank_you_hours"].value == 48
    assert form.fields["decision_thresholds:lean"].value == 0.2
    assert form.fields["decision_thresholds:favour"].value == DECISION_THRESHOLDS["favour"]


def test_saving_some_fields_keeps_the_others(wb):
    settings.save(wb, {"thank_you_hours": 48})
    settings.save(wb, {"coverage_threshold": 4})
    assert wb.setting("thank_you_hours") == 48 and wb.setting("coverage_threshold") == 4
    with pytest.raises(ValueError, match="People per option"):
        settings.save(wb, {"coverage_threshold": 0.5})
    assert wb.setting("coverage_threshold") == 4
