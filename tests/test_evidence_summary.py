"""Counts and chart of the evidence collected per option and criterion."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from workbook.charts.evidence import evidence_chart
from workbook.evidence import summary as es


@dataclass(frozen=True)
class EvidenceIds:
    ux: int
    data: int
    pay: int
    flex: int


@pytest.fixture
def evidence_ids(wb) -> EvidenceIds:
    ux = wb.add_option("UX research")
    data = wb.add_option("Data engineering")
    pay = wb.add_criterion("Pay")
    flex = wb.add_criterion("Flexibility")
    wb.add_insight(ux, pay, 2)
    wb.add_insight(ux, pay, 1)
    wb.add_insight(ux, pay, -1, against_hopes=True)
    wb.add_insight(ux, flex, 0)
    wb.add_insight(data, flex, -2)
    return EvidenceIds(ux=ux, data=data, pay=pay, flex=flex)


@pytest.fixture
def evidence(wb, evidence_ids):
    return wb


def test_counts_every_pair_for_against_and_neutral(evidence):
    counts = es.workbook_counts(evidence)
    assert list(counts.columns) == es.COUNT_COLUMNS
    rows = {
        (r.option, r.criterion): (r._5, r.against, r.neutral, r.total, r.against_hopes) for r in counts.itertuples()
    }
    assert rows == {
        ("UX research", "Pay"): (2, 1, 0, 3, 1),
        ("UX research", "Flexibility"): (0, 0, 1, 1, 0),
        ("Data engineering", "Pay"): (0, 0, 0, 0, 0),
        ("Data engineering", "Flexibility"): (0, 1, 0, 1, 0),
    }


def test_archived_options_criteria_and_insights_are_not_counted(evidence, evidence_ids):
    evidence.archive("options", evidence_ids.data)
    evidence.archive("insights", 1)
    counts = es.workbook_counts(evidence)
    assert set(counts["option"]) == {"UX research"}
    assert counts.set_index("criterion").loc["Pay", "for"] == 1
    evidence.archive("criteria", evidence_ids.pay)
    assert list(es.workbook_counts(evidence)["criterion"]) == ["Flexibility"]


def test_empty_workbook_counts_and_table(wb):
    counts = es.workbook_counts(wb)
    assert counts.empty and list(counts.columns) == es.COUNT_COLUMNS
    assert "add options and criteria first" in es.evidence_table(counts).iloc[0, 0]


def test_table_has_one_row_per_option_and_readable_cells(evidence):
    table = es.evidence_table(es.workbook_counts(evidence))
    assert list(table.columns) == ["option", "Pay", "Flexibility", "all: for", "all: against"]
    assert table.iloc[0].tolist() == ["UX research", "2 for · 1 against", "0 for · 0 against · 1 neutral", 2, 1]
    assert table.iloc[1].tolist() == ["Data engineering", "none yet", "0 for · 1 against", 0, 1]


def test_table_keeps_duplicate_and_nasty_titles_apart(wb):
    a = wb.add_option("<b>Same</b>")
    b = wb.add_option("<b>Same</b>")
    c = wb.add_criterion("🙂")
    wb.add_insight(b, c, 1)
    table = es.evidence_table(es.workbook_counts(wb))
    assert table["🙂"].tolist() == ["none yet", "1 for · 0 against"]
    assert a != b and table["option"].tolist() == ["<b>Same</b>"] * 2


def test_chart_draws_for_right_and_against_left(evidence):
    fig = evidence_chart(es.workbook_counts(evidence))
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "UX research — Pay" and labels[-1] == "Data engineering — Flexibility"
    ticks = [t.get_position()[1] for t in ax.get_yticklabels()]
    assert ticks[0] > ticks[-1]  # the first pair is drawn at the top
    bars = {c.get_label(): [p.get_width() for p in c.patches] for c in ax.containers}
    assert bars["for"][0] == 2 and bars["against"][0] == -1 and bars["neutral"][1] == 1
    assert bars["against"][3] == -1  # Data engineering × Flexibility


@pytest.mark.parametrize("empty", ["no options", "no evidence"])
def test_chart_says_when_there_is_nothing_to_show(wb, empty):
    if empty == "no evidence":
        wb.add_option("UX")
        wb.add_criterion("Pay")
    ax = evidence_chart(es.workbook_counts(wb)).axes[0]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert ("No options or criteria yet" if empty == "no options" else "No evidence yet") in texts


def test_chart_draws_any_user_text_without_error_or_warning(wb):
    titles = ["$\\foo$ money", "🦄 unicorn 漢字", "مسار جديد", "<script>x</script>", "q" * 100_000, "a\x01b"]
    crit = wb.add_criterion("$x$")
    for t in titles:
        wb.add_insight(wb.add_option(t), crit, 1)
    fig = evidence_chart(es.workbook_counts(wb))
    fig.savefig(io.BytesIO(), format="png")  # warnings are errors in this test run
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0].startswith(r"$\foo$ money")  # drawn as written: parse_math is off
    # long text is wrapped into at most three short lines, and cut only beyond them
    assert all(label.count("\n") <= 2 and all(len(line) <= 40 for line in label.split("\n")) for label in labels)


def test_chart_of_many_pairs_keeps_those_with_most_evidence(wb):
    crits = [wb.add_criterion(f"c{i}") for i in range(10)]
    options = [wb.add_option(f"o{i}") for i in range(30)]
    wb.add_insight(options[-1], crits[-1], 2)
    fig = evidence_chart(es.workbook_counts(wb))
    assert fig.get_figheight() <= 40
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "o29 — c9" in labels and len(labels) < 300
    assert "pairs with the most evidence" in fig.axes[0].get_title(loc="left")


def test_chart_draws_on_a_given_axes(evidence):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert evidence_chart(es.workbook_counts(evidence), ax=ax) is fig
