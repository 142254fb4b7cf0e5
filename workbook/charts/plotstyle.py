"""One look for every chart: colour-blind safe colours, readable labels, no plt.show().

Chart functions take data and an optional ``ax`` and return the Figure::

    fig, ax = figure_and_axes(ax, size=(7, 4))
    ...
    finish(ax, title="...", xlabel="...", ylabel="...")
    return fig
"""

from __future__ import annotations

import functools
from typing import cast

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

#: Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
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


def figure_and_axes(ax: Axes | None = None, size: tuple[float, float] = (7.0, 4.0)) -> tuple[Figure, Axes]:
    """The Figure and Axes to draw on: ``ax``'s own figure, or a new one.

    New figures are made with :class:`matplotlib.figure.Figure` directly, not
    pyplot, so building charts never opens a window or leaks figures.
    """
    if ax is not None:
        return cast(Figure, ax.figure), ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def finish(ax: Axes, title: str = "", xlabel: str = "", ylabel: str = "") -> None:
    """Titles, labels and a quiet frame, the same on every chart."""
    if title:
        ax.set_title(title, fontsize=FONT_SIZE + 2, loc="left")
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


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
    """User text made safe for a matplotlib label.

    ``$`` is escaped (no accidental maths), and characters the chart font
    cannot draw (some emoji, control characters) become ``?``.
    """
    charmap = _font_charmap()
    short = shorten(str(text), width)
    safe = "".join(ch if (ord(ch) in charmap and ch.isprintable()) or ch == " " else "?" for ch in short)
    return safe.replace("$", r"\$")
