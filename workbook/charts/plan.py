"""Charts for planning: how much each criterion counts, and how well each option is covered.

Each function takes data (and optionally an Axes) and returns a matplotlib
Figure; :func:`png` turns a Figure into bytes for an ``ipywidgets.Image``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from . import plotstyle as ps


def normalised_weights(criteria: pd.DataFrame, weights: Mapping[int, float] | None = None) -> pd.Series:
    """Each criterion's share of the total weight (0–1), indexed by criterion name, largest first.

    ``weights`` (criterion id -> weight) overrides the stored weights, e.g. while
    sliders are being moved. An empty Series when there are no criteria or
    every weight is 0.
    """
    if criteria is None or criteria.empty:
        return pd.Series(dtype="float64", name="share")
    raw = pd.Series(
        [float((weights or {}).get(int(i), w)) for i, w in zip(criteria["id"], criteria["weight"], strict=True)],
        index=[str(n) for n in criteria["name"]],
        dtype="float64",
    )
    total = raw.sum()
    if total <= 0:
        return pd.Series(dtype="float64", name="share")
    return (raw / total).sort_values(ascending=False, kind="stable").rename("share")


def weights_chart(criteria: pd.DataFrame, weights: Mapping[int, float] | None = None, ax: Axes | None = None) -> Figure:
    """Horizontal bars: the share of the decision each criterion carries, in per cent."""
    shares = normalised_weights(criteria, weights)
    fig, ax = ps.figure_and_axes(ax, size=(7.0, max(2.2, 0.45 * len(shares) + 1.2)))
    if shares.empty:
        reason = "No criteria yet." if criteria is None or criteria.empty else "Every weight is 0."
        ps.empty_message(ax, f"{reason} Give at least one criterion a weight above 0.")
        ps.finish(ax, title="How much each criterion counts")
        return fig
    labels = [ps.label_lines(n, 26, 2) for n in shares.index][::-1]
    values = (shares.to_numpy() * 100)[::-1]
    positions = list(range(len(labels)))  # not a category axis: two names alike once shortened stay two bars
    bars = ax.barh(positions, values, color=ps.colour(0))
    ax.set_yticks(positions, labels)
    ax.bar_label(bars, labels=[f"{v:.0f}%" for v in values], padding=3, fontsize=ps.FONT_SIZE)
    ax.set_xlim(0, max(values) * 1.18)
    ps.finish(ax, title="How much each criterion counts", xlabel="share of the decision (%)")
    said = ", ".join(f"{name} {v * 100:.0f}%" for name, v in shares.items())
    return ps.describe(fig, f"How much each criterion counts, as a share of the decision: {said}.")


def coverage_chart(frame: pd.DataFrame, threshold: int = 3, ax: Axes | None = None) -> Figure:
    """Insiders known and people talked to per option, with the threshold as a dashed line.

    ``frame`` is what :func:`workbook.people.coverage.coverage` returns.
    """
    n = 0 if frame is None else len(frame)
    fig, ax = ps.figure_and_axes(ax, size=(7.0, max(2.4, 0.7 * n + 1.4)))
    title = "Insiders and conversations per option"
    if n == 0:
        ps.empty_message(ax, "No active options yet. Add options in 01_options_and_criteria.")
        ps.finish(ax, title=title)
        return fig
    labels = [
        ps.label_lines(t, 26, 2) + ("  (!)" if need else "")
        for t, need in zip(frame["option"], frame["needs_more"], strict=True)
    ]
    ys = range(n)
    height = 0.38
    ax.barh([y - height / 2 for y in ys], frame["insiders"], height, label="insiders known", color=ps.colour(0))
    ax.barh(
        [y + height / 2 for y in ys], frame["people_talked_to"], height, label="people talked to", color=ps.colour(1)
    )
    ax.axvline(threshold, color=ps.NEUTRAL_COLOUR, linestyle="--", linewidth=1.2, label=f"aim: {threshold} per option")
    ax.set_yticks(list(ys), labels)
    ax.invert_yaxis()
    top = max(int(frame["insiders"].max()), int(frame["people_talked_to"].max()), threshold)
    ax.set_xlim(0, top + 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=3, fontsize=ps.FONT_SIZE - 1, frameon=False)
    ps.finish(ax, title=title, xlabel="people  —  (!) marks an option below the aim")
    said = "; ".join(
        f"{r.option}: {int(r.insiders)} insiders known, {int(r.people_talked_to)} people talked to"
        + (" (below the aim)" if r.needs_more else "")
        for r in frame.itertuples()
    )
    return ps.describe(fig, f"{title}, against an aim of {threshold} per option: {said}.")


def png(fig: Figure, dpi: int = 96) -> bytes:
    """The figure as PNG bytes (for ``ipywidgets.Image``)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
