"""The outreach funnel: where each conversation stands, from "to ask" to "thanked".

Declined and unanswered requests are shown apart, below the pipeline, in grey:
they are an ordinary part of asking, not a failure of the pipeline.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..store import conversations as rules
from ..store import vocab
from . import plotstyle

#: Label of the row counting contacts who have no conversation yet.
NOT_PLANNED = "contacts not planned yet"
ENDED = rules.ENDED


def funnel_counts(conversations: pd.DataFrame, contacts: pd.DataFrame | None = None) -> pd.Series:
    """How many conversations are at each stage now, in pipeline order, then declined and no reply.

    With ``contacts``, a first entry counts the contacts with no conversation yet.
    The index holds the labels shown to people (see :data:`workbook.store.vocab.CONVERSATION_STATUSES`).
    """
    statuses = [*vocab.PIPELINE, *ENDED]
    empty = conversations is None or conversations.empty
    status = pd.Series([], dtype=str) if empty else conversations["status"]
    counts = status.value_counts().reindex(statuses, fill_value=0)
    counts.index = [vocab.CONVERSATION_STATUSES[s] for s in statuses]
    if contacts is not None:
        have = set() if empty else set(conversations["contact_id"].astype(int))
        waiting = 0 if contacts.empty else int((~contacts["id"].isin(have)).sum())
        counts = pd.concat([pd.Series({NOT_PLANNED: waiting}), counts])
    return counts.astype(int)


def outreach_funnel(
    conversations: pd.DataFrame, contacts: pd.DataFrame | None = None, ax: Axes | None = None
) -> Figure:
    """A horizontal bar per stage with its count; declined / no reply apart, in grey."""
    counts = funnel_counts(conversations, contacts)
    fig, ax = plotstyle.figure_and_axes(ax, size=(7.0, 4.2))
    if counts.sum() == 0:
        plotstyle.empty_message(
            ax, "Nothing yet.\nAdd contacts and options, then draft your first request:\nyour outreach will show here."
        )
        plotstyle.finish(ax, title="Your outreach")
        ax.set_frame_on(False)
        return fig

    labels = list(counts.index)
    ended = {vocab.CONVERSATION_STATUSES[s] for s in ENDED}
    # Leave a gap of one row between the pipeline and the ended requests.
    positions, y = [], 0.0
    for label in labels:
        if label == vocab.CONVERSATION_STATUSES[ENDED[0]]:
            y += 0.6
        positions.append(y)
        y += 1.0
    colours = []
    for label in labels:
        if label in ended:
            colours.append(plotstyle.NEUTRAL_COLOUR)
        elif label == NOT_PLANNED:
            colours.append(plotstyle.colour(4))
        else:
            colours.append(plotstyle.FOR_COLOUR)
    bars = ax.barh(positions, counts.values, color=colours, height=0.7)
    ax.bar_label(bars, labels=[str(v) for v in counts.values], padding=3, fontsize=plotstyle.FONT_SIZE)
    ax.set_yticks(positions, labels=labels)
    ax.invert_yaxis()
    ax.set_xlim(0, max(1, counts.max()) * 1.15)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    title = "Your outreach: where each conversation stands"
    plotstyle.finish(ax, title=title, xlabel="how many")
    said = ", ".join(f"{label} {int(n)}" for label, n in counts.items())
    return plotstyle.describe(fig, f"{title}, conversations at each stage: {said}.")
