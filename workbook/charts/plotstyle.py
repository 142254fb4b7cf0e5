"""One look for every chart: colour-blind safe colours, readable labels, no plt.show().

Chart functions take data and an optional ``ax`` and return the Figure::

    fig, ax = figure_and_axes(ax, size=(7, 4))
    ...
    finish(ax, title="...", xlabel="...", ylabel="...")
    return fig

Text is drawn as written: a ``$`` is a dollar sign, never the start of
maths (``text.parse_math`` off), in every title, label, tick and legend. The
figures :func:`figure_and_axes` makes keep it so for text made while they are
drawn (tick labels), and :func:`finish` for a chart drawn on someone else's axes.
"""

from __future__ import annotations

import functools
import textwrap
from typing import Any, cast

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

#: Okabe–Ito palette: distinguishable with the common colour-vision deficiencies (checked in
#: tests/test_charts_colour.py on every chart's colours, simulated for protan, deutan and tritan vision).
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
FOR_COLOUR = "#0072B2"  # evidence for an option
AGAINST_COLOUR = "#D55E00"  # evidence against
NEUTRAL_COLOUR = "#999999"
#: Diverging colour map for stances (-2 .. +2): against red, for blue, like the colours above.
DIVERGING_CMAP = "RdBu"
#: Sequential colour map for counts.
SEQUENTIAL_CMAP = "cividis"

FONT_SIZE = 10


def colour(i: int) -> str:
    """The i-th colour of the palette (cycling)."""
    return PALETTE[i % len(PALETTE)]


def plain_text(fig: Figure) -> Figure:
    """Every text of ``fig`` drawn as written: ``$`` is a dollar sign, never the start of maths."""
    for text in fig.findobj(Text):
        text.set_parse_math(False)
    return fig


class PlainTextFigure(Figure):
    """A Figure whose texts are never parsed as maths, also those made while it is drawn (tick labels)."""

    def draw(self, renderer: Any) -> None:
        with matplotlib.rc_context({"text.parse_math": False}):
            plain_text(self)
            super().draw(renderer)

    def set(self, **kwargs: Any) -> list[Any]:
        """Set several properties at once, as :meth:`matplotlib.figure.Figure.set`.

        Defined here so that matplotlib does not write a ``set`` signature and docstring for this class
        when it is defined, as it does for every Artist subclass without its own: about 30 ms, a tenth
        of importing pandas and matplotlib, at every start of the report command.
        """
        return Figure.set(self, **kwargs)


def figure_and_axes(ax: Axes | None = None, size: tuple[float, float] = (7.0, 4.0)) -> tuple[Figure, Axes]:
    """The Figure and Axes to draw on: ``ax``'s own figure, or a new one.

    New figures are made with :class:`PlainTextFigure` directly, not pyplot,
    so building charts never opens a window or leaks figures, and no user text
    turns into maths.
    """
    if ax is not None:
        return cast(Figure, ax.figure), ax
    fig = PlainTextFigure(figsize=size)
    fig._cw_fit_margins = True  # type: ignore[attr-defined]  # finish() sets the margins, see fit_margins
    return fig, fig.add_subplot()


#: Width of an average character and height of a line of text, as a share of the font size.
_CHAR_EM, _LINE_EM = 0.62, 1.35


def _text_size(texts: list[str], size: float) -> tuple[float, int]:
    """The width (inches) of the longest line among ``texts`` and their most lines, estimated."""
    lines = [line for t in texts for line in str(t).split("\n")] or [""]
    widest = max(len(line) for line in lines)
    return widest * size * _CHAR_EM / 72, max(str(t).count("\n") + 1 for t in texts) if texts else 0


def fit_margins(fig: Figure, ax: Axes) -> None:
    """Fixed margins for a one-axes chart, from the length of its labels (no layout pass when drawing).

    Measuring text (constrained layout) is most of the time it takes to draw a small chart; estimating
    from the number of characters is enough for these charts' short labels. A colour bar beside the
    axes gets room for its ticks and label on the right; a figure with other axes keeps constrained layout.
    """
    bars = [a for a in fig.axes if getattr(a, "_colorbar", None) is not None]
    if len(fig.axes) - len(bars) != 1 or len(bars) > 1:
        fig.set_layout_engine("constrained")
        return
    width, height = fig.get_size_inches()
    line = FONT_SIZE * _LINE_EM / 72
    ylabels = [t.get_text() for t in ax.get_yticklabels()] or ["0.00"]
    ywide, _ = _text_size(ylabels if any(ylabels) else ["100.0"], FONT_SIZE)
    left = 0.15 + ywide + (line + 0.05 if ax.get_ylabel() else 0)
    _, xlines = _text_size([t.get_text() for t in ax.get_xticklabels()] or ["0"], FONT_SIZE)
    bottom = 0.15 + max(xlines, 1) * line + (line + 0.05 if ax.get_xlabel() else 0)
    title = ax.get_title("left") or ax.get_title()
    top = 0.15 + (title.count("\n") + 1) * (FONT_SIZE + 2) * _LINE_EM / 72 if title else 0.2
    right = 0.25
    if bars:  # ticks and label of the colour bar, right of it
        ticks = [t.get_text() for t in bars[0].get_yticklabels()] or ["-2"]
        right = 0.2 + _text_size(ticks, FONT_SIZE)[0] + (line + 0.05 if bars[0].get_ylabel() else 0)
    legend = ax.get_legend()
    if legend is not None:
        anchor = legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
        labels = [t.get_text() for t in legend.get_texts()]
        entry = _text_size(labels, FONT_SIZE - 1)[0] + 3.2 * (FONT_SIZE - 1) / 72  # handle and padding
        if anchor.x0 >= 1:  # outside, on the right
            right += 0.2 + entry
        elif anchor.y0 < 0:  # outside, under the axes ("upper center" at anchor.y0 of the axes' height)
            columns = max(1, min(len(labels), int(getattr(legend, "_ncols", 1))))
            rows = -(-len(labels) // columns)
            tall = 0.2 + rows * (FONT_SIZE - 1) * _LINE_EM * 1.3 / 72
            below = -anchor.y0 * (height - top - bottom)
            bottom = max(bottom, below + tall + 0.1)
            wide = columns * entry + 0.3
            for _ in range(2):  # the legend is centred on the axes: room for its halves on both sides
                half_axes = (width - left - right) / 2
                right += max(0.0, wide / 2 - (right + half_axes) + 0.05)
                left += max(0.0, wide / 2 - (left + (width - left - right) / 2) + 0.05)
    left, right = min(left, width * 0.45), min(right, width * 0.45)
    bottom, top = min(bottom, height * 0.45), min(top, height * 0.4)
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)


def finish(ax: Axes, title: str = "", xlabel: str = "", ylabel: str = "") -> None:
    """Titles, labels and a quiet frame, the same on every chart."""
    fig = cast(Figure, ax.figure)
    own = getattr(fig, "_cw_fit_margins", False)  # a figure of figure_and_axes: one axes, ticks below it
    if title:
        # On such a figure the title sits on the axes' top edge: placed there, matplotlib need not measure
        # every tick label at each drawing to find out that nothing is in its way.
        ax.set_title(title, fontsize=FONT_SIZE + 2, loc="left", y=1.0 if own else None)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if not isinstance(fig, PlainTextFigure):  # a PlainTextFigure makes its texts plain when it is drawn
        plain_text(fig)
    if own:
        fit_margins(fig, ax)


def shorten(label: str, width: int = 28) -> str:
    """A label cut to ``width`` characters with an ellipsis, for axis ticks."""
    label = " ".join(str(label).split())
    return label if len(label) <= width else label[: width - 1] + "…"


def empty_message(ax: Axes, text: str) -> None:
    """Say plainly on the chart that there is nothing to show yet, and why."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=FONT_SIZE, wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])


@functools.lru_cache(maxsize=1)
def _font_charmap() -> frozenset[int]:
    path = font_manager.findfont(font_manager.FontProperties())
    return frozenset(FT2Font(path).get_charmap())


def chart_label(text: object, width: int = 40) -> str:
    """User text made safe for a matplotlib label: characters the chart font cannot draw
    (some emoji, control characters) become ``?``. A ``$`` stays a ``$`` (see :func:`plain_text`).
    """
    charmap = _font_charmap()
    short = shorten(str(text), width)
    return "".join(ch if (ord(ch) in charmap and ch.isprintable()) or ch == " " else "?" for ch in short)


def label_lines(text: object, width: int = 22, lines: int = 3) -> str:
    """User text for an axis label, wrapped at word boundaries into at most ``lines`` lines of about
    ``width`` characters; only text longer than that is cut (with an ellipsis). Characters the chart
    font cannot draw become ``?`` (see :func:`chart_label`)."""
    safe = chart_label(text, width * lines + 20)
    wrapped = textwrap.wrap(safe, width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "\n".join(wrapped)


#: The attribute of a Figure that holds its text alternative (:func:`describe`).
_ALT = "_cw_text_alternative"


def describe(fig: Figure, text: str) -> Figure:
    """Give ``fig`` a text alternative: what it shows, with its numbers, for a reader who cannot see it."""
    setattr(fig, _ALT, " ".join(text.split()))
    return fig


def text_alternative(fig: Figure) -> str:
    """What :func:`describe` gave ``fig``, else its title (a chart that says only that it has nothing to show)."""
    said = getattr(fig, _ALT, "")
    if said:
        return str(said)
    for ax in fig.axes:
        for text in [ax.get_title("left"), ax.get_title()] + [t.get_text() for t in ax.texts]:
            if text and text.strip():
                return " ".join(text.split())
    return ""
