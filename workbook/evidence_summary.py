"""How much evidence you have collected so far, per option and criterion, for and against.

Pure functions over the workbook's tables (no widgets, no I/O)::

    counts = workbook_counts(wb)  # = evidence_counts(wb.options(), wb.criteria(), wb.insights())
    evidence_table(counts)       # one row per option, one column per criterion
    fig = evidence_chart(counts)  # bars: evidence for to the right, against to the left
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import plotstyle
from .plotstyle import chart_label
from .store import Workbook

#: Columns of :func:`evidence_counts`.
COUNT_COLUMNS = ["option_id", "option", "criterion_id", "criterion", "for", "against", "neutral", "total",
                 "against_hopes"]
_MAX_CHART_HEIGHT = 40.0  # inches; beyond this only the pairs with the most evidence are drawn


def evidence_counts(options: pd.DataFrame, criteria: pd.DataFrame, insights: pd.DataFrame) -> pd.DataFrame:
    """One row per option × criterion: how many insights are for, against, neutral, and in total.

    Every pair appears, also those with no evidence yet (all counts 0), in the
    order of the options and then the criteria. ``against_hopes`` counts the
    insights you flagged as going against your hopes.
    """
    if options is None or criteria is None or options.empty or criteria.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c not in {"option", "criterion"} else "object")
                             for c in COUNT_COLUMNS})
    grid = options[["id", "title"]].rename(columns={"id": "option_id", "title": "option"}).merge(
        criteria[["id", "name"]].rename(columns={"id": "criterion_id", "name": "criterion"}), how="cross"
    )
    if insights is None or insights.empty:
        tally = pd.DataFrame(columns=["option_id", "criterion_id", "for", "against", "neutral", "against_hopes"])
    else:
        ins = insights[["option_id", "criterion_id", "stance", "against_hopes"]].copy()
        ins["option_id"] = ins["option_id"].astype("int64")
        ins["for"] = (ins["stance"] > 0).astype("int64")
        ins["against"] = (ins["stance"] < 0).astype("int64")
        ins["neutral"] = (ins["stance"] == 0).astype("int64")
        ins["against_hopes"] = ins["against_hopes"].astype("int64")
        tally = ins.groupby(["option_id", "criterion_id"], as_index=False)[
            ["for", "against", "neutral", "against_hopes"]
        ].sum()
    out = grid.merge(tally, on=["option_id", "criterion_id"], how="left")
    for col in ("for", "against", "neutral", "against_hopes"):
        out[col] = out[col].fillna(0).astype("int64")
    out["total"] = out["for"] + out["against"] + out["neutral"]
    return out[COUNT_COLUMNS].reset_index(drop=True)


def workbook_counts(wb: Workbook) -> pd.DataFrame:
    """:func:`evidence_counts` for the workbook's current options, criteria and insights."""
    return evidence_counts(wb.options(), wb.criteria(), wb.insights())


def evidence_table(counts: pd.DataFrame) -> pd.DataFrame:
    """A readable grid: one row per option, one column per criterion, cells like ``2 for · 1 against``.

    A pair with no evidence shows ``none yet``. Text is left as typed; show it
    with a DataFrame display or :class:`~workbook.forms.base.TableView` (both escape it).
    """
    if counts is None or counts.empty:
        return pd.DataFrame({"evidence": ["Nothing to count yet: add options and criteria first (notebook 01)."]})

    def cell(row: pd.Series) -> str:
        if row["total"] == 0:
            return "none yet"
        parts = [f"{row['for']} for", f"{row['against']} against"]
        if row["neutral"]:
            parts.append(f"{row['neutral']} neutral")
        return " · ".join(parts)

    cells = counts.assign(cell=counts.apply(cell, axis=1))
    wide = cells.pivot(index="option_id", columns="criterion_id", values="cell")
    option_order = list(dict.fromkeys(counts["option_id"]))
    criterion_order = list(dict.fromkeys(counts["criterion_id"]))
    wide = wide.loc[option_order, criterion_order]
    titles = counts.drop_duplicates("option_id").set_index("option_id")["option"]
    names = counts.drop_duplicates("criterion_id").set_index("criterion_id")["criterion"]
    totals = counts.groupby("option_id")[["for", "against"]].sum().loc[option_order]
    wide.insert(0, "option", [titles[i] for i in option_order])
    wide.columns = ["option", *[names[c] for c in criterion_order]]
    wide["all: for"] = totals["for"].to_numpy()
    wide["all: against"] = totals["against"].to_numpy()
    return wide.reset_index(drop=True)


def evidence_chart(counts: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Horizontal bars per option × criterion: evidence for to the right, against to the left.

    Neutral evidence is stacked after the evidence for, in grey. Pairs with no
    evidence keep their row, so gaps are visible.
    """
    rows = 0 if counts is None else len(counts)
    height = min(_MAX_CHART_HEIGHT, 1.6 + 0.3 * max(rows, 3))
    fig, ax = plotstyle.figure_and_axes(ax, size=(8.0, height))
    if rows == 0:
        plotstyle.empty_message(ax, "No options or criteria yet: add them first, then record evidence.")
        plotstyle.finish(ax, title="Evidence collected so far")
        return fig
    if counts["total"].sum() == 0:
        plotstyle.empty_message(ax, "No evidence yet: record what you learn from conversations and other sources.")
        plotstyle.finish(ax, title="Evidence collected so far")
        return fig
    shown = counts
    max_rows = int((_MAX_CHART_HEIGHT - 1.6) / 0.3)
    if rows > max_rows:
        shown = counts.sort_values("total", ascending=False).head(max_rows).sort_index()
    labels = [f"{chart_label(r.option, 24)} — {chart_label(r.criterion, 20)}" for r in shown.itertuples()]
    y = list(range(len(shown)))[::-1]
    ax.barh(y, shown["for"], color=plotstyle.FOR_COLOUR, label="for")
    ax.barh(y, shown["neutral"], left=shown["for"], color=plotstyle.NEUTRAL_COLOUR, label="neutral")
    ax.barh(y, -shown["against"], color=plotstyle.AGAINST_COLOUR, label="against")
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
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=plotstyle.FONT_SIZE - 1, frameon=False)
    title = "Evidence collected so far"
    if len(shown) < rows:
        title += f" (the {len(shown)} pairs with the most evidence)"
    plotstyle.finish(ax, title=title, xlabel="← against   number of insights   for →")
    return fig
