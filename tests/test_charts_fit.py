"""Every chart keeps its text inside the figure, never cuts a name of ordinary length, and says what it shows."""

from __future__ import annotations

import re

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from workbook.charts import evidence as charts
from workbook.charts import outreach, plan
from workbook.charts import plotstyle as ps
from workbook.evidence import summary as evidence_summary
from workbook.people.coverage import coverage_for, threshold_for

LONG = "Gestión de datos — salud pública"  # 32 characters, the longest title of a real first session
LONGER = "Instructional design for hospital training programmes"  # 53


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from workbook.demo import build_demo

    wb = build_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite", overwrite=True)
    option = wb.add_option(LONG, "x")
    other = wb.add_option(LONGER, "y")
    criteria = [int(i) for i in wb.criteria()["id"]]
    wb.add_insight(option, criteria[0], 2, source="job-posting", note="posting")
    wb.add_insight(other, criteria[1], -1, source="online-review", note="review")
    wb.add_criterion("Flexibility, remote work and hours I can shape", 1)
    yield wb
    wb.close()


def _figures(wb):
    figures = dict(charts.all_charts(wb))
    figures["outreach"] = outreach.outreach_funnel(wb.conversations(), wb.contacts())
    figures["evidence counts"] = charts.evidence_chart(evidence_summary.workbook_counts(wb))
    figures["weights"] = plan.weights_chart(wb.criteria())
    figures["coverage plan"] = plan.coverage_chart(coverage_for(wb), threshold_for(wb))
    return figures


def _drawn_text_boxes(fig, renderer):
    """``(what, box)`` of every text drawn: tick labels as their axis draws them, and every other text."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            box = axis.get_tightbbox(renderer)
            if box is not None:
                yield f"{axis.axis_name} axis of {ax.get_title('left') or ax.get_label()!r}", box
        legend = ax.get_legend()
        texts = [*ax.texts, ax.title, ax._left_title, *(legend.get_texts() if legend else [])]
        for text in texts:
            if text.get_visible() and text.get_text().strip():
                yield repr(text.get_text()), text.get_window_extent(renderer)
    for text in fig.texts:
        yield repr(text.get_text()), text.get_window_extent(renderer)


def test_every_text_of_every_chart_lies_inside_its_figure(demo):
    for key, fig in _figures(demo).items():
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        box = fig.bbox
        for what, extent in _drawn_text_boxes(fig, renderer):
            inside = extent.x0 >= box.x0 - 1 and extent.x1 <= box.x1 + 1
            inside &= extent.y0 >= box.y0 - 1 and extent.y1 <= box.y1 + 1
            assert inside, f"{key}: {what} at {extent} outside the figure {box.bounds}"


def test_names_of_ordinary_length_are_wrapped_never_cut(demo):
    for key, fig in _figures(demo).items():
        FigureCanvasAgg(fig).draw()
        texts = [t.get_text() for t in fig.findobj(Text)]
        cut = [t for t in texts if re.search(r"\w…", t) and "hospital" not in t]  # LONGER may be cut
        assert cut == [], (key, cut)
        if key in {"scores", "ranks", "evidence", "coverage"}:
            assert any(LONG in " ".join(t.split()) for t in texts), key


def test_every_chart_has_a_text_alternative_with_its_numbers(demo):
    figures = _figures(demo)
    scores = demo.compare().set_index("title")
    ux = scores.loc["UX research"]
    said = ps.text_alternative(figures["scores"])
    assert (
        f"UX research: {ps_signed(ux['score'])}, 90% interval {ps_signed(ux['low'])} to {ps_signed(ux['high'])}" in said
    )
    assert f"{LONG}: " in said
    for key, fig in figures.items():
        text = ps.text_alternative(fig)
        assert len(re.findall(r"\d", text)) >= 3, (key, text)
        assert "UX research" in text or key in {"weights", "outreach"}, (key, text)


def ps_signed(x: float) -> str:
    from workbook.formatting import signed

    return signed(x, 2)


def test_label_lines_wraps_at_words_and_cuts_only_what_is_too_long():
    assert ps.label_lines(LONG, 22, 3) == "Gestión de datos —\nsalud pública"
    cut = ps.label_lines("word " * 40, 10, 2)
    assert cut.count("\n") == 1 and cut.endswith("…")


def test_a_chart_in_a_notebook_is_a_picture_with_its_words_escaped(tmp_path):
    """What ``display(fig)`` shows in JupyterLab and the app: the picture, and its text alternative as alt."""
    from bs4 import BeautifulSoup

    from workbook import open_workbook
    from workbook.notebook import figure_html

    wb = open_workbook(tmp_path / "w.sqlite")
    hostile = '"><img src=x onerror=alert(1)> Data & "quotes"'
    option = wb.add_option(hostile)
    criterion = wb.add_criterion("Pay", 1)
    wb.add_insight(option, criterion, 1, source="job-posting", note="n")
    markup = figure_html(charts.all_charts(wb)["scores"])
    wb.close()
    soup = BeautifulSoup(markup, "html.parser")
    assert [t.name for t in soup.find_all(True)] == ["img"]  # one picture, nothing injected
    assert soup.img["src"].startswith("data:image/png;base64,")
    alt = soup.img["alt"]
    assert hostile in alt and re.search(r"[+−]\d\.\d\d, 90% interval", alt), alt
