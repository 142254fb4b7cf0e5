"""Charts of the comparison: evidence per option × criterion, scores, rank shares, weights, coverage.

Each function takes data from :mod:`workbook.evidence` (or the workbook's
``compare`` / ``sensitivity``), an optional matplotlib ``ax``, and returns the
Figure. Nothing is shown or saved; with no data a chart says so in words.
:func:`all_charts` builds the standard set for a workbook::

    figures = all_charts(wb)   # {"scores": Figure, "ranks": Figure, ...}
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .. import evidence
from ..formatting import percent, signed
from ..formatting import weight as weight_text
from ..store.fields import limits
from ..store.snapshot import Snapshot
from ..store.workbook import Workbook
from . import plotstyle as ps

#: Largest weight a criterion can have (the sensitivity chart's scale ends there).
WEIGHT_MAX = limits("criteria", "weight")[1]
#: At most this many options are drawn (the best supported); the title says when some are left out.
MAX_OPTIONS = 25
#: Sources (people counted once) per option × criterion that count as well covered (about three people per option).
WELL_COVERED = 3
#: Diverging, colour-blind safe: against in red, for in blue, as ``FOR_COLOUR`` / ``AGAINST_COLOUR``.
SCORE_CMAP = "RdBu"
_COVERAGE_COLOURS = ("#DDDDDD", "#A9D6F5", "#56B4E9", "#0072B2")
_COVERAGE_LABELS = ("no source yet", "1 source", "2 sources", f"{WELL_COVERED}+ sources")
_COVERAGE_MARKS = ("none", "1", "2", f"{WELL_COVERED}+")


def count_words(n: int, noun: str) -> str:
    """``1 source``, ``3 sources``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


_NO_OPTIONS = "No career options yet: add the paths you are weighing first."


def _empty(fig: Figure, ax: Axes, title: str, text: str) -> Figure:
    ps.empty_message(ax, text)
    ps.finish(ax, title=title)
    return fig


def _top(frame: pd.DataFrame, by: str, most: int = MAX_OPTIONS) -> tuple[pd.DataFrame, str]:
    """The best ``most`` rows by ``by`` (best last, for bottom-up bars) and a title note."""
    shown = frame.sort_values(by, ascending=False, kind="stable").head(most)
    note = f" (top {most} of {len(frame)})" if len(frame) > most else ""
    return shown.iloc[::-1], note


def _option_rows(
    frame: pd.DataFrame | None, ax: Axes | None, base: float, row_height: float, most: int
) -> tuple[Figure, Axes, pd.DataFrame | None, str]:
    """Figure and axes for one row per option, in the engine's order (the first at the top).

    Returns the rows to draw bottom-up (None when there are none) and a title note when some are left out.
    """
    n = 0 if frame is None else len(frame)
    fig, ax = ps.figure_and_axes(ax, size=(7.5, base + row_height * min(max(n, 2), most)))
    if frame is None or n == 0:
        return fig, ax, None, ""
    note = f" (top {most} of {n})" if n > most else ""
    return fig, ax, frame.head(most).iloc[::-1], note


def scores_chart(result: pd.DataFrame, ax: Axes | None = None, max_options: int = MAX_OPTIONS) -> Figure:
    """Each option's score with its 90% interval, in the engine's order (best supported at the top).

    ``result`` is :func:`workbook.evidence.compare`'s frame (``evidence.compare_for(snap)``):
    columns ``title``, ``score``, ``low``, ``high``, ``n_sources`` and, when
    present, ``thin``. An option without evidence is drawn in grey and labelled
    so: its interval is what "nothing known" means, not a finding. An option
    with thin evidence (few people, or little of what matters covered) gets a
    hollow dot and "(thin evidence)" under its name.
    """
    title = "How well the evidence supports each option"
    fig, ax, shown, note = _option_rows(result, ax, 1.4, 0.55, max_options)
    if shown is None:
        return _empty(fig, ax, title, _NO_OPTIONS)
    y = np.arange(len(shown))
    score = shown["score"].to_numpy()
    known = shown["n_sources"].to_numpy() > 0 if "n_sources" in shown else np.ones(len(shown), bool)
    thin = known & (shown["thin"].to_numpy(dtype=bool) if "thin" in shown else np.zeros(len(shown), bool))
    err = np.vstack([score - shown["low"].to_numpy(), shown["high"].to_numpy() - score])
    ax.axvspan(-2, 0, color=ps.AGAINST_COLOUR, alpha=0.06, linewidth=0)
    ax.axvspan(0, 2, color=ps.FOR_COLOUR, alpha=0.06, linewidth=0)
    ax.axvline(0, color=ps.NEUTRAL_COLOUR, linewidth=1)
    styles = (
        (known & ~thin, ps.FOR_COLOUR, ps.FOR_COLOUR, "#555555"),
        (thin, "white", ps.FOR_COLOUR, "#999999"),  # hollow: thin evidence
        (~known, "#AAAAAA", "#AAAAAA", "#CCCCCC"),
    )
    for mask, face, edge, line in styles:
        if mask.any():
            ax.errorbar(
                score[mask],
                y[mask],
                xerr=err[:, mask],
                fmt="o",
                color=edge,
                markerfacecolor=face,
                markeredgecolor=edge,
                ecolor=line,
                elinewidth=2,
                capsize=4,
            )
    for yi, s, k in zip(y, score, known, strict=True):
        ax.annotate(
            signed(s, 2) if k else "no evidence yet",
            (s, yi),
            xytext=(0, 7),
            textcoords="offset points",
            ha="center",
            fontsize=ps.FONT_SIZE - 1,
            color="black" if k else "#666666",
        )
    names = [
        ps.label_lines(t, 24, 2) + ("\n(thin evidence)" if th else "")
        for t, th in zip(shown["title"], thin, strict=True)
    ]
    ax.set_yticks(y, names)
    ax.set_ylim(-0.7, len(shown) - 0.3)
    ax.set_xlim(-2.1, 2.1)
    ax.set_xticks([-2, -1, 0, 1, 2], ["−2\nagainst", "−1", "0\nneutral", "+1", "+2\nfor"])
    ps.finish(ax, title=title + note, xlabel="score (dot) and 90% interval (line)")
    said = [
        f"{r.title}: {signed(r.score, 2)}, 90% interval {signed(r.low, 2)} to {signed(r.high, 2)}"
        + (" (thin evidence)" if th else "")
        if k
        else f"{r.title}: no evidence yet"
        for r, k, th in zip(shown.iloc[::-1].itertuples(), known[::-1], thin[::-1], strict=True)
    ]
    return ps.describe(
        fig, f"{title}{note}, each option's score on the scale from −2 (against) to +2 (for): " + "; ".join(said) + "."
    )


#: Ranks shown one by one in the rank chart; the rest are summed as "lower".
RANKS_SHOWN = 3


def ranks_chart(
    ranks: pd.DataFrame, ax: Axes | None = None, max_options: int = MAX_OPTIONS, known: pd.Series | None = None
) -> Figure:
    """How often each option with evidence takes first, second, third … place over the simulated what-ifs (SMAA-2).

    ``ranks`` is ``evidence.ranks_for(snap)`` (index option id, a ``title`` column, one column
    per rank; NaN for an option without evidence). An option nobody has told you
    about gets no bar, only "no evidence yet — not ranked": a chance of being
    first would come from ignorance, not evidence. ``known`` (option id -> has
    evidence) marks such options too, whatever their row holds.
    """
    title = "How often each option comes first, second, third …"
    fig, ax, shown, note = _option_rows(ranks, ax, 1.6, 0.55, max_options)
    if shown is None:
        return _empty(fig, ax, title, _NO_OPTIONS)
    places = [c for c in shown.columns if c != "title"]
    shares = shown[places].to_numpy(dtype=float)
    ranked = ~np.isnan(shares).any(axis=1) if places else np.zeros(len(shown), bool)
    if known is not None:
        ranked &= np.array([bool(known.get(oid, True)) for oid in shown.index])
    shares = np.where(ranked[:, None], np.nan_to_num(shares), 0.0)
    y = np.arange(len(shown))
    left = np.zeros(len(shown))
    labels = ["1st", "2nd", "3rd"]
    for r in range(min(RANKS_SHOWN, len(places))):
        share = 100 * shares[:, r]
        ax.barh(y[ranked], share[ranked], left=left[ranked], color=ps.colour(r), label=labels[r])
        for yi, lf, sh in zip(y[ranked], left[ranked], share[ranked], strict=True):
            if sh >= 8:
                ax.text(
                    float(lf + sh / 2),
                    float(yi),
                    f"{sh:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=ps.FONT_SIZE - 2,
                    color="white" if r == 0 else "black",
                    in_layout=False,
                )
        left += share
    if len(places) > RANKS_SHOWN and ranked.any():
        ax.barh(y[ranked], (100 - left)[ranked], left=left[ranked], color="#E6E6E6", label="lower")
    for yi in y[~ranked]:
        ax.text(
            2,
            float(yi),
            "no evidence yet — not ranked",
            ha="left",
            va="center",
            fontsize=ps.FONT_SIZE - 1,
            color="#666666",
            in_layout=False,
        )
    unranked = "\n(no evidence yet)"
    names = [ps.label_lines(t, 24, 2) + ("" if r else unranked) for t, r in zip(shown["title"], ranked, strict=True)]
    ax.set_yticks(y, names)
    ax.set_ylim(-0.6, len(shown) - 0.4)
    ax.set_xlim(0, 100)
    if ranked.any():
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            ncols=RANKS_SHOWN + 1,
            frameon=False,
            fontsize=ps.FONT_SIZE - 1,
        )
    ps.finish(ax, title=title + note, xlabel="% of simulated what-ifs (evidence and weights varied)")
    said = []
    for i in range(len(shown) - 1, -1, -1):
        name = shown["title"].iloc[i]
        if not ranked[i]:
            said.append(f"{name}: no evidence yet, not ranked")
            continue
        parts = [f"{percent(shares[i, r])} {labels[r]}" for r in range(min(RANKS_SHOWN, len(places)))]
        if len(places) > RANKS_SHOWN:
            parts.append(f"{percent(1 - shares[i, :RANKS_SHOWN].sum())} lower")
        said.append(f"{name}: " + ", ".join(parts))
    return ps.describe(fig, f"{title}{note}, in the simulated what-ifs: " + "; ".join(said) + ".")


def evidence_heatmap(cells: pd.DataFrame, ax: Axes | None = None, max_options: int = MAX_OPTIONS) -> Figure:
    """Option × criterion grid coloured by the evidence score, with the number of sources (people counted once).

    ``cells`` is ``evidence.cells_for(snap)`` (:func:`workbook.evidence.cells_frame`). Options are ordered
    by their overall score; a blank grey cell has no evidence yet. At most
    ``max_options`` options are drawn; the title says when some are left out.
    """
    title = "Evidence per option and criterion"
    n_opt = 0 if cells is None or cells.empty else cells["option_id"].nunique()
    n_crit = 0 if n_opt == 0 else cells["criterion_id"].nunique()
    fig, ax = ps.figure_and_axes(ax, size=(2.8 + 1.15 * max(n_crit, 3), 1.8 + 0.5 * min(max(n_opt, 2), max_options)))
    if n_opt == 0:
        return _empty(fig, ax, title, "Nothing to show yet: add options and criteria, then record evidence.")
    overall = (cells["weight"] * cells["score"]).groupby(cells["option_id"]).sum()
    option_order = overall.sort_values(ascending=False, kind="stable").index[:max_options]
    criteria = cells.drop_duplicates("criterion_id")[["criterion_id", "criterion", "weight"]]
    grid = cells.pivot(index="option_id", columns="criterion_id", values="score").loc[option_order]
    count = cells.pivot(index="option_id", columns="criterion_id", values="n_sources").loc[option_order]
    grid, count = grid[criteria["criterion_id"]], count[criteria["criterion_id"]]
    values = np.ma.masked_where(count.to_numpy() == 0, grid.to_numpy())
    cmap = matplotlib.colormaps[SCORE_CMAP].with_extremes(bad="#EEEEEE")
    norm = Normalize(-2, 2)
    image = ax.imshow(values, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    sources = count.to_numpy().astype("int64")
    dark = cmap(norm(grid.to_numpy()))[..., :3] @ np.array([0.299, 0.587, 0.114]) < 0.5
    for (i, j), s in np.ndenumerate(grid.to_numpy()):
        k = int(sources[i, j])
        if k == 0:
            ax.text(
                j,
                i,
                "no\nevidence",
                ha="center",
                va="center",
                fontsize=ps.FONT_SIZE - 2,
                color="#666666",
                in_layout=False,
            )
            continue
        ax.text(
            j,
            i,
            f"{signed(s, 1)}\n{k} src",
            ha="center",
            va="center",
            fontsize=ps.FONT_SIZE - 1,
            color="white" if dark[i, j] else "black",
            in_layout=False,
        )  # inside its cell: the layout need not measure it
    titles = cells.drop_duplicates("option_id").set_index("option_id")["option"]
    ax.set_yticks(range(len(option_order)), [ps.label_lines(titles[o], 22, 3) for o in option_order])
    ax.set_xticks(
        range(len(criteria)),
        [
            f"{ps.label_lines(c, 14, 4)}\n{w:.0%}"
            for c, w in zip(criteria["criterion"], criteria["weight"], strict=True)
        ],
    )
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.8, ticks=[-2, -1, 0, 1, 2])
    bar.set_label("score: −2 against … +2 for", fontsize=ps.FONT_SIZE - 1)
    note = f" (top {max_options} of {n_opt} options)" if n_opt > max_options else ""
    ps.finish(ax, title=title + note, xlabel="criterion and its share of your weights")
    said = []
    for i, o in enumerate(option_order):
        cells_said = [
            f"{c} {signed(grid.iloc[i, j], 1)} from {count_words(int(sources[i, j]), 'source')}"
            if sources[i, j]
            else f"{c} no evidence"
            for j, c in enumerate(criteria["criterion"])
        ]
        said.append(f"{titles[o]}: " + ", ".join(cells_said))
    return ps.describe(
        fig,
        f"{title}{note}: the score of the evidence on each criterion, from −2 (against) to +2 (for), "
        "and how many sources (people counted once) it rests on. " + "; ".join(said) + ".",
    )


def sensitivity_chart(sens: pd.DataFrame, ax: Axes | None = None, *, empty: str = "") -> Figure:
    """For each criterion, the range of weights over which the leading option stays ahead.

    ``sens`` is ``evidence.sensitivity_for(snap)``. The diamond is the current weight; a bar
    reaching the chart's edge means no weight that far changes the leader; a
    name at a bar's end is the option that would lead beyond it. ``empty``: what
    to say instead of drawing (when there is no leader to overtake).
    """
    title = "How far each weight can move before the leader changes"
    n = 0 if sens is None else len(sens)
    fig, ax = ps.figure_and_axes(ax, size=(8.0, 1.5 + 0.6 * max(n, 2)))
    if n == 0 or empty:
        return _empty(fig, ax, title, empty or "Nothing to show yet: add options and criteria with weights first.")
    leader = str(sens["leader"].iloc[0])
    rows = sens.iloc[::-1]
    y = np.arange(n)
    lo = rows["lower_to"].fillna(0.0).to_numpy()
    hi = rows["raise_to"].fillna(WEIGHT_MAX).to_numpy()
    ax.barh(
        y,
        hi - lo,
        left=lo,
        height=0.45,
        color=ps.colour(4),
        alpha=0.6,
        label=f"{ps.label_lines(leader, 40, 2)} stays ahead",
    )
    ax.scatter(rows["weight"], y, marker="D", color=ps.colour(7), zorder=3, label="your weight now")
    for yi, r in zip(y, rows.itertuples(), strict=True):
        if not np.isnan(r.lower_to):
            ax.text(
                r.lower_to,
                yi - 0.26,
                f"← {ps.label_lines(r.lower_leader, 40, 1)} leads",
                ha="left",
                va="top",
                fontsize=ps.FONT_SIZE - 2,
                color=ps.AGAINST_COLOUR,
            )
        if not np.isnan(r.raise_to):
            ax.text(
                r.raise_to,
                yi + 0.26,
                f"{ps.label_lines(r.raise_leader, 40, 1)} leads →",
                ha="right",
                va="bottom",
                fontsize=ps.FONT_SIZE - 2,
                color=ps.AGAINST_COLOUR,
            )
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(0, WEIGHT_MAX)
    ax.set_xticks([0, 0.5, 1, 2, 5, 10, 20, 50, 100], ["0", "0.5", "1", "2", "5", "10", "20", "50", "100"])
    ax.set_yticks(y, [ps.label_lines(c, 22, 3) for c in rows["criterion"]])
    ax.set_ylim(-0.6, n - 0.4)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2, frameon=False, fontsize=ps.FONT_SIZE - 1)
    ps.finish(ax, title=title, xlabel="weight (0–100)")
    said = []
    for r in sens.itertuples():
        low = (
            f"below {weight_text(r.lower_to)} {r.lower_leader} leads"
            if not np.isnan(r.lower_to)
            else "no lower weight changes it"
        )
        high = (
            f"above {weight_text(r.raise_to)} {r.raise_leader} leads"
            if not np.isnan(r.raise_to)
            else "no higher weight changes it"
        )
        said.append(f"{r.criterion}, weight now {weight_text(r.weight)}: {low}; {high}")
    return ps.describe(fig, f"{title}: {leader} leads now. " + ". ".join(said) + ".")


def coverage_chart(cells: pd.DataFrame, ax: Axes | None = None, max_options: int = MAX_OPTIONS) -> Figure:
    """How much of what matters to you is backed by evidence, per option.

    Each bar splits an option's criteria, by their share of your weights, into
    those with no source yet, 1, 2 and 3 or more (people counted once).
    """
    title = "Evidence coverage per option"
    n_opt = 0 if cells is None or cells.empty else cells["option_id"].nunique()
    fig, ax = ps.figure_and_axes(ax, size=(8.0, 1.6 + 0.4 * min(max(n_opt, 2), max_options)))
    if n_opt == 0:
        return _empty(fig, ax, title, "Nothing to show yet: add options and criteria, then record evidence.")
    band = np.minimum(cells["n_sources"].to_numpy(), WELL_COVERED)
    share = pd.DataFrame({"option_id": cells["option_id"], "band": band, "weight": cells["weight"]})
    table = share.pivot_table(index="option_id", columns="band", values="weight", aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=range(WELL_COVERED + 1), fill_value=0.0)
    titles = cells.drop_duplicates("option_id").set_index("option_id")["option"]
    shown, note = _top(table.assign(_key=table[WELL_COVERED] + 0.5 * table[2] + 0.25 * table[1]), "_key", max_options)
    y = np.arange(len(shown))
    left = np.zeros(len(shown))
    for k in range(WELL_COVERED + 1):
        width = 100 * shown[k].to_numpy()
        ax.barh(y, width, left=left, color=_COVERAGE_COLOURS[k], label=_COVERAGE_LABELS[k])
        for yi, lf, w in zip(y, left, width, strict=True):  # the band named in the bar too, not by colour only
            if w >= 12:
                ax.text(
                    float(lf + w / 2),
                    float(yi),
                    _COVERAGE_MARKS[k],
                    ha="center",
                    va="center",
                    fontsize=ps.FONT_SIZE - 2,
                    color="white" if k == WELL_COVERED else "black",
                    in_layout=False,
                )
        left += width
    ax.set_yticks(y, [ps.label_lines(titles[o], 24, 2) for o in shown.index])
    ax.set_xlim(0, 100)
    ax.legend(
        handles=[Patch(color=c, label=t) for c, t in zip(_COVERAGE_COLOURS, _COVERAGE_LABELS, strict=True)],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncols=4,
        frameon=False,
        fontsize=ps.FONT_SIZE - 1,
    )
    ps.finish(
        ax, title=title + note, xlabel="% of your criteria weights, by the sources behind them (people counted once)"
    )
    said = [
        f"{titles[o]}: "
        + ", ".join(f"{percent(shown.loc[o, k])} {_COVERAGE_LABELS[k]}" for k in range(WELL_COVERED, -1, -1))
        for o in shown.index[::-1]
    ]
    return ps.describe(
        fig, f"{title}{note}, the share of your criteria weights by the sources behind them: " + "; ".join(said) + "."
    )


def all_charts(data: Workbook | Snapshot, *, max_options: int = MAX_OPTIONS) -> dict[str, Figure]:
    """The standard charts for a workbook, keyed ``scores``, ``ranks``, ``evidence``, ``sensitivity``, ``coverage``.

    ``data`` is a workbook or a snapshot of one (each table is read once, the
    evidence analysed once); ``max_options`` is the most options a chart draws
    (titles say when some are left out).
    """
    return {key: draw() for key, draw in chart_makers(data, max_options=max_options).items()}


def chart_makers(data: Workbook | Snapshot, *, max_options: int = MAX_OPTIONS) -> dict[str, Callable[[], Figure]]:
    """:func:`all_charts`, each as a function that draws it: the analysis is done, the drawing left for later.

    The functions use only the analysis' results, never the workbook, so they may draw anywhere
    (the report draws some in another process, see :mod:`workbook.parallel`).
    """
    snap = data if isinstance(data, Snapshot) else data.snapshot()
    # The comparison and its analysis are all the charts need; the rest of a decision (who to talk to next,
    # warnings) can be worked out while they are drawn.
    return _makers(evidence.compare_for(snap), evidence.analysis_for(snap), evidence.cells_for(snap), max_options)


def decision_charts(
    decision: evidence.Decision, *, max_options: int = MAX_OPTIONS, cells: pd.DataFrame | None = None
) -> dict[str, Figure]:
    """:func:`all_charts` from one analysis (``evidence.decide_for(snap)``).

    ``cells``: ``evidence.cells_for(snap)`` of the same snapshot, when it is at hand (kept there, not made again).
    """
    a = decision.analysis
    grid = evidence.cells_frame(a) if cells is None else cells
    return {key: draw() for key, draw in _makers(decision.scores, a, grid, max_options).items()}


def _makers(
    scores: pd.DataFrame, a: evidence.Analysis, grid: pd.DataFrame, max_options: int
) -> dict[str, Callable[[], Figure]]:
    known = scores["n_sources"] > 0
    nothing_leads = "" if known.any() else "Nothing to show yet: no option has evidence, so no path leads."
    return {
        "scores": lambda: scores_chart(scores, max_options=max_options),
        "ranks": lambda: ranks_chart(evidence.ranks_frame(a), max_options=max_options, known=known),
        "evidence": lambda: evidence_heatmap(grid, max_options=max_options),
        "sensitivity": lambda: sensitivity_chart(evidence.decisions.sensitivity(a), empty=nothing_leads),
        "coverage": lambda: coverage_chart(grid, max_options=max_options),
    }


#: Height of one option × criterion row of the evidence-count chart (three lines of label), in inches.
_ROW = 0.5
#: Tallest evidence-count chart, in inches; beyond this only the pairs with the most evidence are drawn.
_MAX_CHART_HEIGHT = 40.0


def evidence_chart(counts: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Horizontal bars per option × criterion: evidence for to the right, against to the left.

    Neutral evidence is stacked after the evidence for, in grey. Pairs with no
    evidence keep their row, so gaps are visible.
    """
    rows = 0 if counts is None else len(counts)
    height = min(_MAX_CHART_HEIGHT, 1.6 + _ROW * max(rows, 3))
    fig, ax = ps.figure_and_axes(ax, size=(8.0, height))
    if rows == 0:
        ps.empty_message(ax, "No options or criteria yet: add them first, then record evidence.")
        ps.finish(ax, title="Evidence collected so far")
        return fig
    if counts["total"].sum() == 0:
        ps.empty_message(ax, "No evidence yet: record what you learn from conversations and other sources.")
        ps.finish(ax, title="Evidence collected so far")
        return fig
    shown = counts
    max_rows = int((_MAX_CHART_HEIGHT - 1.6) / _ROW)
    if rows > max_rows:
        shown = counts.sort_values("total", ascending=False).head(max_rows).sort_index()
    labels = [ps.label_lines(f"{r.option} — {r.criterion}", 34, 3) for r in shown.itertuples()]
    y = list(range(len(shown)))[::-1]
    ax.barh(y, shown["for"], color=ps.FOR_COLOUR, label="for")
    ax.barh(y, shown["neutral"], left=shown["for"], color=ps.NEUTRAL_COLOUR, label="neutral")
    ax.barh(y, -shown["against"], color=ps.AGAINST_COLOUR, label="against")
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(y, labels)
    limit = int(max((shown["for"] + shown["neutral"]).max(), shown["against"].max(), 1))
    ax.set_xlim(-limit - 0.5, limit + 0.5)
    ticks = sorted({-limit, 0, limit, *range(-limit, limit + 1, max(1, limit // 3))})
    ax.set_xticks(ticks, [str(abs(t)) for t in ticks])
    options = list(shown["option_id"])
    for i in range(1, len(options)):
        if options[i] != options[i - 1]:  # a thin line between options
            ax.axhline(y[i] + 0.5, color="#dddddd", linewidth=0.8)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=ps.FONT_SIZE - 1, frameon=False)
    title = "Evidence collected so far"
    if len(shown) < rows:
        title += f" (the {len(shown)} pairs with the most evidence)"
    ps.finish(ax, title=title, xlabel="← against   number of insights   for →")
    said = [
        f"{r['option']}, {r['criterion']}: {r['for']} for, {r['against']} against, {r['neutral']} neutral"
        for _, r in shown.iterrows()
    ]
    return ps.describe(fig, f"{title}: " + "; ".join(said) + ".")
