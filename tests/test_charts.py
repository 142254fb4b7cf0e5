"""The comparison charts: labelled, drawn from the data given, and saying so when there is nothing yet."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from workbook.charts import evidence as charts

CHART_KEYS = {"scores", "ranks", "evidence", "sensitivity", "coverage"}


def texts(fig: Figure) -> str:
    """Every piece of text drawn on the figure: titles, tick labels, annotations, legends."""
    found = []
    for ax in fig.axes:
        found += [ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel()]
        found += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        found += [t.get_text() for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            found += [t.get_text() for t in legend.get_texts()]
    return "\n".join(found)


def render(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    return buffer.getvalue()


@dataclass(frozen=True)
class TwoPathsIds:
    ux: int
    data: int
    pay: int
    hours: int


@pytest.fixture
def two_paths_ids(wb) -> TwoPathsIds:
    ux, data = wb.add_option("UX research"), wb.add_option("Data engineering")
    pay, hours = wb.add_criterion("Pay", 3.0), wb.add_criterion("Hours", 1.0)
    rosa = wb.add_contact("Rosa", options=[ux])
    talk = wb.add_conversation(rosa, ux, status="done")
    wb.add_insight(ux, pay, 2, conversation_id=talk)
    wb.add_insight(ux, hours, -1, conversation_id=talk)
    wb.add_insight(data, hours, 2, source="online-review")
    return TwoPathsIds(ux=ux, data=data, pay=pay, hours=hours)


@pytest.fixture
def two_paths(wb, two_paths_ids):
    return wb


def test_all_charts_gives_the_standard_set_with_titles(two_paths):
    figures = charts.all_charts(two_paths)
    assert set(figures) == CHART_KEYS
    for key, fig in figures.items():
        assert isinstance(fig, Figure), key
        assert fig.axes[0].get_title(loc="left"), key
        assert render(fig).startswith(b"\x89PNG"), key
    assert plt.get_fignums() == []  # nothing left open in pyplot


def test_an_empty_workbook_gives_charts_that_say_there_is_nothing_yet(wb):
    figures = charts.all_charts(wb)
    assert set(figures) == CHART_KEYS
    for key, fig in figures.items():
        words = texts(fig)
        assert "yet" in words, key
        render(fig)


def test_options_without_criteria_still_draw(wb):
    """Each chart keeps its title; the two option charts show one row per option, the others say why not."""
    titles = ["UX research", "Data engineering"]
    for title in titles:
        wb.add_option(title)
    figures = charts.all_charts(wb)
    for key, fig in figures.items():
        render(fig)
        assert fig.axes[0].get_title(loc="left"), key
    ranks = figures["ranks"].axes[0]
    labels = sorted(t.get_text() for t in ranks.get_yticklabels())
    assert labels == sorted(f"{t}\n(no evidence yet)" for t in titles)
    assert len(ranks.patches) == 0  # nothing known: no option is given a chance of coming first
    assert texts(figures["ranks"]).count("no evidence yet — not ranked") == len(titles)
    assert "%" in ranks.get_xlabel()
    scores = figures["scores"].axes[0]
    assert sorted(t.get_text() for t in scores.get_yticklabels()) == sorted(titles)
    assert "90% interval" in scores.get_xlabel()
    for key in ("evidence", "sensitivity", "coverage"):
        assert "Nothing to show yet" in texts(figures[key]), key


def test_no_evidence_at_all_names_no_leader_in_the_sensitivity_chart(wb):
    wb.add_option("UX research")
    wb.add_option("Data engineering")
    wb.add_criterion("Pay", 1.0)
    words = texts(charts.all_charts(wb)["sensitivity"])
    assert "no option has evidence" in words and "stays ahead" not in words


def test_scores_chart_shows_each_option_with_its_score_best_on_top(two_paths):
    result = two_paths.compare()
    fig = charts.scores_chart(result)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1].split("\n")[0] == result["title"].iloc[0]  # the top row is the best supported
    assert f"{result['score'].iloc[0]:+.2f}" in texts(fig)
    assert "90% interval" in ax.get_xlabel()


def test_ranks_chart_shows_each_options_share_of_first_places(two_paths):
    ranks = two_paths.ranks()
    words = texts(charts.ranks_chart(ranks))
    for p in ranks[1]:
        if p >= 0.08:
            assert f"{100 * p:.0f}%" in words
    assert "1st" in words and "2nd" in words


def test_scores_and_ranks_charts_mark_options_without_evidence(two_paths):
    unknown = two_paths.add_option("Teaching abroad")
    result = two_paths.compare()
    assert "no evidence yet" in texts(charts.scores_chart(result))
    known = result["n_sources"] > 0
    words = texts(charts.ranks_chart(two_paths.ranks(), known=known))
    assert "Teaching abroad\n(no evidence yet)" in words
    assert result.index[-1] == unknown  # listed after the options with evidence


def test_an_option_without_evidence_gets_no_bar_and_no_chance_in_the_ranks_chart(two_paths):
    two_paths.add_option("Teaching abroad")
    ranks = two_paths.ranks()
    fig = charts.ranks_chart(ranks)  # the NaN row alone says "no evidence"
    ax = fig.axes[0]
    words = texts(fig)
    assert "Teaching abroad\n(no evidence yet)" in words and "no evidence yet — not ranked" in words
    top_row = len(ranks) - 1  # rows are drawn bottom-up: the unknown option, listed last, is at y = 0
    assert top_row > 0
    assert not [bar for bar in ax.patches if abs(bar.get_y() + bar.get_height() / 2) < 1e-9]
    firsts = [bar.get_width() for bar in ax.patches if bar.get_facecolor()[:3] == ax.patches[0].get_facecolor()[:3]]
    assert sum(firsts) == pytest.approx(100.0)  # first places shared among the options with evidence only


def test_the_scores_chart_flags_thin_evidence(two_paths):
    result = two_paths.compare()
    assert result["thin"].any()  # one online review on one criterion of two
    fig = charts.scores_chart(result)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    for title, thin in zip(result["title"], result["thin"], strict=True):
        assert (f"{title}\n(thin evidence)" in labels) == bool(thin)


def test_heatmap_shows_scores_and_independent_sources_per_cell(two_paths, two_paths_ids):
    grid = two_paths.cells()
    fig = charts.evidence_heatmap(grid)
    words = texts(fig)
    assert "1 src" in words and "no\nevidence" in words
    assert "Pay\n75%" in words  # criterion with its share of the weights
    pay_cell = grid[(grid["option_id"] == two_paths_ids.ux) & (grid["criterion_id"] == two_paths_ids.pay)].iloc[0]
    assert f"{pay_cell['score']:+.1f}\n1 src" in words
    assert len(fig.axes) == 2  # the grid and its colour scale


def test_sensitivity_chart_names_who_would_lead(two_paths):
    sens = two_paths.sensitivity()
    words = texts(charts.sensitivity_chart(sens))
    assert "UX research stays ahead" in words
    assert "Data engineering leads" in words
    assert "your weight now" in words


def test_coverage_chart_splits_each_option_into_the_whole_weight(two_paths):
    grid = two_paths.cells()
    fig = charts.coverage_chart(grid)
    ax = fig.axes[0]
    per_row: dict[float, float] = {}
    for bar in ax.patches:
        y = round(bar.get_y(), 6)
        per_row[y] = per_row.get(y, 0.0) + bar.get_width()
    assert len(per_row) == 2 and all(total == pytest.approx(100.0) for total in per_row.values())
    assert "no source yet" in texts(fig)


def test_charts_draw_on_a_given_axes(two_paths):
    fig = Figure()
    ax = fig.add_subplot()
    assert charts.ranks_chart(two_paths.ranks(), ax=ax) is fig


def test_user_text_with_dollars_and_emoji_is_drawn_as_text(wb):
    odd = wb.add_option("Pay $80k-$120k 🚀 <b>")
    pay = wb.add_criterion("Money $$", 1.0)
    wb.add_insight(odd, pay, 1)
    for fig in charts.all_charts(wb).values():
        render(fig)  # maths parsing or a missing glyph would raise (warnings are errors)
    assert "Pay $80k-$120k" in texts(charts.scores_chart(wb.compare()))  # drawn as written, never as maths


def test_many_options_are_cut_to_the_best_and_the_title_says_so(wb):
    pay = wb.add_criterion("Pay", 1.0)
    for i in range(charts.MAX_OPTIONS + 5):
        option = wb.add_option(f"Path {i}")
        wb.add_insight(option, pay, (i % 5) - 2)
    result = wb.compare()
    fig = charts.scores_chart(result)
    assert len(fig.axes[0].get_yticklabels()) == charts.MAX_OPTIONS
    assert f"top {charts.MAX_OPTIONS} of {charts.MAX_OPTIONS + 5}" in fig.axes[0].get_title(loc="left")
    figures = charts.all_charts(wb, max_options=10)
    for key in ("scores", "ranks", "evidence", "coverage"):
        ax = figures[key].axes[0]
        assert len(ax.get_yticklabels()) == 10, key
        assert "top 10 of" in ax.get_title(loc="left"), key
    heat = figures["evidence"].axes[0]
    assert len(heat.texts) == 10, "one label per drawn cell (10 options × 1 criterion)"


def _outside(fig: Figure) -> list[str]:
    """Text of the figure (tick labels, titles, axis labels, legend) that reaches past its edges."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    edge = fig.bbox
    out = []
    for ax in fig.axes:
        drawn = [t.label1 for axis in (ax.xaxis, ax.yaxis) for t in axis._update_ticks()]  # ticks in view only
        items = [*drawn, ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label]
        legend = ax.get_legend()
        if legend is not None:
            items.append(legend)
        for item in items:
            if not item.get_visible() or (hasattr(item, "get_text") and not item.get_text()):
                continue
            box = item.get_window_extent(renderer)
            if box.x0 < edge.x0 - 1 or box.x1 > edge.x1 + 1 or box.y0 < edge.y0 - 1 or box.y1 > edge.y1 + 1:
                out.append(getattr(item, "get_text", lambda: "legend")())
    return out


def test_no_chart_text_reaches_past_the_figure(demo_wb):
    """The one-axes charts lay out with margins estimated from their labels: nothing may be cut off."""
    from workbook.charts import outreach, plan
    from workbook.people.coverage import coverage_for

    figures = dict(charts.all_charts(demo_wb))
    figures["plan coverage"] = plan.coverage_chart(coverage_for(demo_wb), 3)
    figures["funnel"] = outreach.outreach_funnel(demo_wb.conversations(), demo_wb.contacts())
    figures["weights"] = plan.weights_chart(demo_wb.criteria()) if hasattr(plan, "weights_chart") else None
    for name, fig in figures.items():
        if fig is not None:
            assert not _outside(fig), f"{name}: {_outside(fig)}"


def test_a_chart_figure_sets_several_properties_at_once_as_any_figure():
    from workbook.charts.plotstyle import PlainTextFigure, figure_and_axes

    fig, _ = figure_and_axes(size=(5.0, 3.0))
    assert isinstance(fig, PlainTextFigure)
    fig.set(figwidth=6.0, facecolor="#EEEEEE")
    assert fig.get_figwidth() == 6.0 and fig.get_facecolor() == pytest.approx((0.933, 0.933, 0.933, 1.0), abs=1e-3)
    with pytest.raises(AttributeError, match="colour"):
        fig.set(colour="red")


def test_artist_classes_made_without_set_docs_take_the_same_properties():
    """``without_set_docs`` (the report command's import of its charts) leaves out only the property list."""
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D

    from workbook.charts import without_set_docs

    hook = Artist.__dict__["_update_set_signature_and_docstring"]
    with without_set_docs():

        class Quick(Line2D):
            pass

        class QuickChild(Quick):
            pass

    class Documented(Line2D):
        pass

    assert Artist.__dict__["_update_set_signature_and_docstring"] is hook  # put back
    assert Quick.set.__doc__ is None and QuickChild.set.__doc__ is None
    assert "linewidth" in Documented.set.__doc__
    line = QuickChild([0, 1], [0, 1])
    line.set(lw=3, color="#0072B2", label="x")  # properties and their aliases, as on any line
    assert (line.get_linewidth(), line.get_color(), line.get_label()) == (3, "#0072B2", "x")
    with pytest.raises(AttributeError, match="unexpected keyword argument 'nonsense'"):
        line.set(nonsense=1)
