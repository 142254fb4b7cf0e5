"""Every form on the demo reads as words: human headers, no id columns, no "#N", yes/no, whole sentences."""

from __future__ import annotations

import re

import ipywidgets as widgets
import pytest
from bs4 import BeautifulSoup

from workbook.evidence import summary as evidence_summary
from workbook.forms.base import table_html
from workbook.forms.capture import CaptureForm, EvidenceForm
from workbook.forms.compare import CompareForm, sensitivity_view
from workbook.forms.contacts import ContactsForm, InsiderFinder, TargetsForm
from workbook.forms.criteria import CriteriaForm
from workbook.forms.options import OptionsForm
from workbook.forms.outreach import OutreachForms
from workbook.forms.prep import PrepForm
from workbook.people.coverage import coverage_for, coverage_table

ID = re.compile(r"#\s?\d+|\(#|\bid\b", re.I)


def _walk(widget, seen=None):
    seen = set() if seen is None else seen
    if id(widget) in seen:
        return
    seen.add(id(widget))
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child, seen)


def _views(wb):
    criteria = CriteriaForm(wb)
    outreach = OutreachForms(wb)
    compare = CompareForm(wb)
    yield from [OptionsForm(wb).view, criteria.view, criteria.suggestions.view, ContactsForm(wb).view]
    yield from [TargetsForm(wb).view, InsiderFinder(wb).view, outreach.draft.view, outreach.record.view]
    yield from [outreach.due.view, PrepForm(wb).view, CaptureForm(wb).view, EvidenceForm(wb).view]
    yield from [compare.view, compare.next_view, sensitivity_view(wb)]


def _tables(wb):
    for view in _views(wb):
        for widget in _walk(view):
            if isinstance(widget, widgets.HTML) and "<table" in (widget.value or ""):
                yield widget.value
    yield table_html(coverage_table(coverage_for(wb)))
    yield table_html(evidence_summary.evidence_table(evidence_summary.workbook_counts(wb)))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from workbook.demo import build_demo

    wb = build_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite", overwrite=True)
    yield wb
    wb.close()


def test_every_table_has_human_headers_and_no_id_column(demo):
    seen = 0
    for markup in _tables(demo):
        for th in BeautifulSoup(markup, "html.parser").find_all("th"):
            text = " ".join(th.get_text().split())
            seen += 1
            assert text and not ID.search(text) and "_" not in text, text
            assert text[0] == text[0].upper(), f"header {text!r} starts in lower case"
    assert seen > 40


def test_no_choice_or_cell_shows_an_id(demo):
    for view in _views(demo):
        for widget in _walk(view):
            if isinstance(widget, widgets.Dropdown | widgets.SelectMultiple | widgets.Select):
                for label, _value in widget.options:
                    assert not re.search(r"#\s?\d", str(label)), (widget.description, label)
    for markup in _tables(demo):
        for td in BeautifulSoup(markup, "html.parser").find_all("td"):
            assert not re.search(r"#\s?\d", td.get_text()), td


def test_against_hopes_says_yes_or_no(demo):
    form = CaptureForm(demo)
    rows = BeautifulSoup(form.insight.table.value, "html.parser").find_all("tr")
    column = [th.get_text() for th in rows[0].find_all("th")].index("Against hopes")
    answers = {tr.find_all("td")[column].get_text() for tr in rows[1:]}
    assert answers <= {"yes", "no"} and answers == {"yes", "no"}


@pytest.mark.parametrize(
    ("stance", "said"),
    [(1, "evidence for"), (-2, "evidence strongly against"), (0, "evidence neutral about")],
)
def test_a_saved_insight_is_said_in_a_sentence(wb, stance, said):
    option = wb.add_option("UX research")
    wb.add_criterion("Pay", 2)
    form = EvidenceForm(wb)
    editor = form.insight if hasattr(form, "insight") else form.editor
    editor.option.value = option
    editor.stance.value = stance
    editor.quote.value = "Read it in a posting"
    editor.save.click()
    text = form.status.text
    sign = {1: "+1", -2: "−2", 0: "0"}[stance]
    assert text.startswith(f"Saved: {said} UX research on Pay ({sign}).") and " for on " not in text, text


def test_charts_in_forms_carry_their_words_as_alt_text(demo):
    from workbook.forms.criteria import CriteriaForm

    for view in (CompareForm(demo).scores_image, CompareForm(demo).ranks_image, CriteriaForm(demo).weights.chart):
        img = BeautifulSoup(view.value, "html.parser").find("img")
        assert img["src"].startswith("data:image/png;base64,") and view.png.startswith(b"\x89PNG")
        assert img["alt"] == view.alt and len(re.findall(r"\d", view.alt)) >= 3, view.alt
