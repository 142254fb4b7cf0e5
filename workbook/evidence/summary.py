"""How much evidence you have collected so far, per option and criterion, for and against.

Pure functions over the workbook's tables (no widgets, no I/O)::

    counts = workbook_counts(wb)  # = evidence_counts(wb.options(), wb.criteria(), wb.insights())
    evidence_table(counts)       # one row per option, one column per criterion

The chart of these counts is :func:`workbook.charts.evidence.evidence_chart`.
"""

from __future__ import annotations

import pandas as pd

from ..store.workbook import Workbook

#: Columns of :func:`evidence_counts`.
COUNT_COLUMNS = [
    "option_id",
    "option",
    "criterion_id",
    "criterion",
    "for",
    "against",
    "neutral",
    "total",
    "against_hopes",
]


def evidence_counts(options: pd.DataFrame, criteria: pd.DataFrame, insights: pd.DataFrame) -> pd.DataFrame:
    """One row per option × criterion: how many insights are for, against, neutral, and in total.

    Every pair appears, also those with no evidence yet (all counts 0), in the
    order of the options and then the criteria. ``against_hopes`` counts the
    insights you flagged as going against your hopes.
    """
    if options is None or criteria is None or options.empty or criteria.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c not in {"option", "criterion"} else "object") for c in COUNT_COLUMNS}
        )
    grid = (
        options[["id", "title"]]
        .rename(columns={"id": "option_id", "title": "option"})
        .merge(criteria[["id", "name"]].rename(columns={"id": "criterion_id", "name": "criterion"}), how="cross")
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
