"""Coverage per option: insiders known, conversations held, the threshold flag, and its chart."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from matplotlib.figure import Figure

from workbook.charts import plan as charts_plan
from workbook.people.coverage import coverage_for, coverage_table


@dataclass(frozen=True)
class BookIds:
    ux: int
    ph: int


@pytest.fixture
def book_ids(wb) -> BookIds:
    ux = wb.add_option("UX research")
    ph = wb.add_option("Public health")
    wb.add_option("Parked idea", status="parked")
    gone = wb.add_option("Archived idea")
    wb.archive("options", gone)
    people = [wb.add_contact(f"P{i}", options=[ux]) for i in range(3)]
    wb.add_contact("Health insider", options=[ph])
    left = wb.add_contact("Left", options=[ph])
    wb.archive("contacts", left)
    wb.add_conversation(people[0], ux, status="done")
    wb.add_conversation(people[1], ux, status="thanked")
    wb.add_conversation(people[1], ux, status="thanked")  # the same person twice
    wb.add_conversation(people[2], ux, status="scheduled")  # not held yet
    wb.add_conversation(people[2], ux, status="declined")
    return BookIds(ux=ux, ph=ph)


@pytest.fixture
def book(wb, book_ids):
    return wb


def test_counts_insiders_and_conversations_held(book, book_ids):
    cov = coverage_for(book)
    ux, ph = book_ids.ux, book_ids.ph
    assert list(cov.index) == [ux, ph]  # parked and archived options are left out
    assert cov.loc[ux, ["insiders", "conversations_held", "people_talked_to"]].tolist() == [3, 3, 2]
    assert cov.loc[ph, ["insiders", "conversations_held", "people_talked_to"]].tolist() == [
        1,
        0,
        0,
    ]  # archived contact not counted


def test_flags_options_below_the_threshold_and_says_by_how_much(book, book_ids):
    cov = coverage_for(book)
    ux, ph = book_ids.ux, book_ids.ph
    assert cov.loc[ux, "needs_more"] and cov.loc[ux, "advice"] == "talk to 1 more person"
    assert cov.loc[ph, "advice"] == "find 2 more insiders and talk to 3 more people"


def test_threshold_is_configurable(book, book_ids):
    cov = coverage_for(book, threshold=2)
    assert not cov.loc[book_ids.ux, "needs_more"]
    assert cov.loc[book_ids.ux, "advice"] == "enough for now"
    assert cov.loc[book_ids.ph, "needs_more"]
    with pytest.raises(ValueError, match="threshold"):
        coverage_for(book, threshold=0)


def test_empty_workbook_gives_an_empty_table_and_a_chart_that_says_so(wb):
    cov = coverage_for(wb)
    assert cov.empty
    fig = charts_plan.coverage_chart(cov)
    assert "No active options" in " ".join(t.get_text() for t in fig.axes[0].texts)


def test_display_table_has_readable_headers(book):
    table = coverage_table(coverage_for(book))
    assert list(table["Option"]) == ["UX research", "Public health"]
    assert list(table.columns)[:4] == ["Option", "Status", "Insiders known", "Conversations held"]
    assert set(table["Needs more"]) <= {"yes", "no"}


def test_coverage_chart_marks_options_below_the_aim(book):
    cov = coverage_for(book)
    fig = charts_plan.coverage_chart(cov, threshold=3)
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["UX research  (!)", "Public health  (!)"]
    widths = sorted(round(p.get_width()) for p in fig.axes[0].patches)
    assert widths == [0, 1, 2, 3]
    assert charts_plan.png(fig).startswith(b"\x89PNG")


def test_display_table_escapes_option_titles(wb):
    wb.add_option("<img src=x onerror=alert(1)>")
    shown = coverage_table(coverage_for(wb))._repr_html_()
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown
