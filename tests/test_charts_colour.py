"""Chart colours stay apart for readers with the common colour-vision deficiencies, and colour is never alone.

Every colour a chart fills or draws with is read back from the drawn figure; each pair of different
colours in one chart must stay at least ``MIN_DELTA_E`` apart in CAM02-UCS (about where two colours
stop being easy to tell apart at a glance) after simulating protanomaly, deuteranomaly and tritanomaly
at full severity (Machado et al. 2009, as colorspacious implements it).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.colors import to_rgba
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from workbook.charts import evidence as charts
from workbook.charts import outreach, plan
from workbook.charts import plotstyle as ps
from workbook.evidence import summary as evidence_summary
from workbook.people.coverage import coverage_for, threshold_for

MIN_DELTA_E = 10.0
DEFICIENCIES = ("protanomaly", "deuteranomaly", "tritanomaly")


def _on_white(rgba) -> tuple[float, float, float]:
    r, g, b, a = rgba
    return tuple(round(a * c + (1 - a) * 1.0, 3) for c in (r, g, b))


def _seen(rgb, deficiency: str | None):
    colour = np.array(rgb, dtype=float)
    if deficiency:
        space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
        colour = np.clip(cspace_convert(colour, space, "sRGB1"), 0, 1)
    return cspace_convert(colour, "sRGB1", "CAM02-UCS")


def delta_e(a, b, deficiency: str | None = None) -> float:
    return float(np.linalg.norm(_seen(a, deficiency) - _seen(b, deficiency)))


def _data_colours(fig) -> set[tuple[float, float, float]]:
    """The colours that stand for something: bars, patches in legends, markers, lines; not white or the frame."""
    found = set()
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":  # a continuous scale: its neighbouring shades are meant to be close
            continue
        artists = [*ax.patches, *ax.lines, *ax.collections]
        legend = ax.get_legend()
        if legend is not None:
            artists += list(legend.legend_handles)
        for artist in artists:
            colours = []
            if isinstance(artist, Patch):
                if artist.get_alpha() is not None and artist.get_alpha() < 0.2:
                    continue  # a faint background band (the scores chart's for / against halves)
                colours.append(artist.get_facecolor())
            elif isinstance(artist, Line2D):
                colours += [to_rgba(artist.get_color()), to_rgba(artist.get_markerfacecolor())]
            elif isinstance(artist, Collection):
                colours += [tuple(c) for c in artist.get_facecolors()] + [tuple(c) for c in artist.get_edgecolors()]
            for rgba in colours:
                rgb = _on_white(rgba)
                if rgb != (1.0, 1.0, 1.0) and rgba[3] > 0:
                    found.add(rgb)
    return found


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    from workbook.demo import build_demo

    wb = build_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite", overwrite=True)
    found = dict(charts.all_charts(wb))
    found["outreach"] = outreach.outreach_funnel(wb.conversations(), wb.contacts())
    found["evidence counts"] = charts.evidence_chart(evidence_summary.workbook_counts(wb))
    found["coverage plan"] = plan.coverage_chart(coverage_for(wb), threshold_for(wb))
    for fig in found.values():
        FigureCanvasAgg(fig).draw()
    yield found
    wb.close()


def test_the_palette_itself_is_distinguishable():
    """The first four palette colours, as the rank chart uses them with its grey "lower"."""
    used = [*ps.PALETTE[:3], "#E6E6E6"]
    for deficiency in (None, *DEFICIENCIES):
        for a, b in itertools.combinations(used, 2):
            assert delta_e(to_rgba(a)[:3], to_rgba(b)[:3], deficiency) >= MIN_DELTA_E, (a, b, deficiency)


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_every_charts_colours_stay_apart(figures, deficiency):
    checked = 0
    for key, fig in figures.items():
        colours = sorted(_data_colours(fig))
        for a, b in itertools.combinations(colours, 2):
            if delta_e(a, b) < 3:  # the same colour, drawn twice with a slightly different alpha
                continue
            checked += 1
            assert delta_e(a, b, deficiency) >= MIN_DELTA_E, f"{key}: {a} and {b} look alike with {deficiency}"
    assert checked > 10


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_the_heatmaps_stances_stay_apart(deficiency):
    """Its five stance levels (−2 … +2), as its colour map draws them."""
    import matplotlib

    cmap = matplotlib.colormaps[charts.SCORE_CMAP]
    levels = [cmap((s + 2) / 4)[:3] for s in (-2, -1, 0, 1, 2)]
    for a, b in itertools.combinations(levels, 2):
        assert delta_e(a, b, deficiency) >= MIN_DELTA_E, (a, b, deficiency)


def test_colour_is_never_the_only_mark(figures):
    """Each coloured category is also named in words or numbers on the chart itself."""
    texts = {key: " ".join(t.get_text() for t in fig.findobj(Text)) for key, fig in figures.items()}
    assert {"1st", "2nd", "3rd"} <= set(texts["ranks"].split()) and "%" in texts["ranks"]  # shares written in bars
    assert texts["evidence"].count("src") >= 12  # each cell's score and sources written in it
    assert {"1", "2", "3+"} <= set(texts["coverage"].split())  # bands written in the bars
    assert "(thin evidence)" in texts["scores"] or "thin" not in texts["scores"]
    assert "stays ahead" in texts["sensitivity"] and "leads" in texts["sensitivity"]
    outreach_counts = [t.get_text() for t in figures["outreach"].axes[0].texts]
    assert outreach_counts and all(t.isdigit() for t in outreach_counts)  # every bar says its number
    assert "(!)" in texts["coverage plan"] or "aim" in texts["coverage plan"]
    images = [a for fig in figures.values() for ax in fig.axes for a in ax.get_images() if isinstance(a, AxesImage)]
    assert images  # the heatmap: its colours carry numbers (above)
