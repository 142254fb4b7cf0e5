"""The outreach funnel chart."""

from __future__ import annotations

from workbook.charts.outreach import NOT_PLANNED, funnel_counts, outreach_funnel


def bars(fig):
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    return dict(zip(labels, [p.get_width() for p in ax.patches], strict=True))


def test_counts_every_stage_in_order(filled, filled_ids):
    filled.add_conversation(filled_ids.p2, filled_ids.o2, status="requested")
    filled.add_conversation(filled_ids.p2, filled_ids.o1, status="no_reply")
    counts = funnel_counts(filled.conversations(), filled.contacts())
    assert list(counts.index) == [
        NOT_PLANNED,
        "to ask",
        "requested",
        "followed up",
        "scheduled",
        "done",
        "thanked",
        "declined",
        "no reply",
    ]
    assert counts["done"] == 1 and counts["requested"] == 1 and counts["no reply"] == 1
    assert counts[NOT_PLANNED] == 0


def test_contacts_without_a_conversation_are_counted(wb):
    wb.add_contact("Lee Park")
    assert funnel_counts(wb.conversations(), wb.contacts())[NOT_PLANNED] == 1


def test_chart_shows_a_bar_per_stage_with_ended_requests_in_grey(filled, filled_ids):
    filled.add_conversation(filled_ids.p2, filled_ids.o2, status="declined")
    fig = outreach_funnel(filled.conversations(), filled.contacts())
    shown = bars(fig)
    assert shown["done"] == 1 and shown["declined"] == 1 and shown["scheduled"] == 0
    ax = fig.axes[0]
    colours = {t.get_text(): p.get_facecolor() for t, p in zip(ax.get_yticklabels(), ax.patches, strict=True)}
    assert colours["declined"] == colours["no reply"] != colours["done"]


def test_empty_workbook_says_nothing_yet(wb):
    fig = outreach_funnel(wb.conversations(), wb.contacts())
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("Nothing yet" in t for t in texts) and not fig.axes[0].patches
