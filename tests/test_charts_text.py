"""Every chart draws user text as written: a ``$`` is a dollar sign, never the start of maths."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import matplotlib
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from workbook import evidence
from workbook.charts import evidence as charts
from workbook.charts import plan
from workbook.charts.outreach import outreach_funnel
from workbook.evidence import summary
from workbook.people.coverage import coverage_for

BONUS, PAY = "$$ bonus $$", "pay $100 – $200"
TEX = r"\(x\) and $\alpha$"


@pytest.fixture
def dollars(wb):
    """Options and criteria named with dollar signs, with evidence, insiders and conversations."""
    options = [wb.add_option(BONUS), wb.add_option(PAY), wb.add_option(TEX)]
    criteria = [wb.add_criterion(BONUS, 2), wb.add_criterion(PAY, 1), wb.add_criterion(TEX, 1)]
    person = wb.add_contact("Rosa", options=options[:2])
    for i, option in enumerate(options):
        talk = wb.add_conversation(person, option, status="done")
        for j, criterion in enumerate(criteria):
            wb.add_insight(option, criterion, (i + j) % 5 - 2, conversation_id=talk)
    return wb


def _all(wb, ax_for=lambda: None) -> dict[str, Figure]:
    snap = wb.snapshot()
    figures = {
        "scores": charts.scores_chart(evidence.compare_for(snap), ax=ax_for()),
        "ranks": charts.ranks_chart(evidence.ranks_for(snap), ax=ax_for()),
        "evidence": charts.evidence_heatmap(evidence.cells_for(snap), ax=ax_for()),
        "sensitivity": charts.sensitivity_chart(evidence.sensitivity_for(snap), ax=ax_for()),
        "coverage": charts.coverage_chart(evidence.cells_for(snap), ax=ax_for()),
        "evidence counts": charts.evidence_chart(summary.workbook_counts(wb), ax=ax_for()),
        "weights": plan.weights_chart(wb.criteria(), ax=ax_for()),
        "people per option": plan.coverage_chart(coverage_for(wb), 3, ax=ax_for()),
        "outreach": outreach_funnel(wb.conversations(), wb.contacts(), ax=ax_for()),
    }
    return figures


def drawn_svg_text(fig: Figure) -> list[str]:
    """The text the figure draws, read back from its SVG (text kept as text, maths would be paths)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg")
    root = ElementTree.fromstring(buffer.getvalue())
    return [" ".join("".join(t.itertext()).split()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_the_criteria_and_options_charts_build_and_draw_dollars_as_written(dollars):
    figures = _all(dollars)
    assert set(charts.all_charts(dollars)) <= set(figures)
    for key, fig in figures.items():
        fig.savefig(io.BytesIO(), format="png", dpi=40)  # maths parsing would raise (warnings are errors)
        texts = drawn_svg_text(fig)
        for text in (t.get_text() for t in fig.findobj(Text)):
            assert "\\$" not in text, f"{key}: an escaped dollar would be drawn as a backslash: {text!r}"
        if key != "outreach":  # the outreach chart names stages, not options
            joined = "\n".join(texts)
            assert BONUS in joined or "$$ bonus" in joined, f"{key}: {texts}"
            assert any("$100" in t for t in texts), f"{key}: {texts}"
            assert any(r"\(x\)" in t for t in texts), f"{key}: {texts}"


def test_charts_drawn_on_someone_elses_axes_keep_dollars_too(dollars):
    """A plain matplotlib Figure, not the charts' own: the text the chart adds is still plain."""
    for key, fig in _all(dollars, ax_for=lambda: Figure().add_subplot()).items():
        fig.savefig(io.BytesIO(), format="png", dpi=40)
        assert any("$" in t for t in drawn_svg_text(fig)) or key == "outreach", key


def test_no_text_of_a_chart_is_parsed_as_maths_once_drawn(dollars):
    for key, fig in _all(dollars).items():
        fig.savefig(io.BytesIO(), format="png", dpi=40)
        for text in fig.findobj(Text):
            if "$" in text.get_text():
                assert not text.get_parse_math(), f"{key}: {text.get_text()!r}"
