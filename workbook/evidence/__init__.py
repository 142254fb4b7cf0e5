"""Which paths the evidence supports: the model, the comparison, the decision and the next conversation.

Pure functions over DataFrames (no widgets, no files). The modules, in the order the analysis runs:

* :mod:`.sources`: who each note comes from; people are counted as people.
* :mod:`.model`: each note is a rounded, noisy reading of a cell's true value, shifted by its source's
  leaning; exact posteriors per option × criterion on a grid.
* :mod:`.noise`: how noisy notes are, how much people lean and how spread out truths are, learned from
  where sources disagree.
* :mod:`.ranking`: option values from draws: scores, 90% intervals, chance of being good and of being
  best, expected loss, rank shares (SMAA-2).
* :mod:`.decisions`: the verdict in plain words, weight sensitivity, the confirmation check.
* :mod:`.voi`: who to talk to next (value of a conversation, a round ahead), and when to stop.
* :mod:`.engine`: the entry points, DataFrames in, DataFrames and words out.
* :mod:`.summary`: plain counts of the notes for and against (no model).
"""

from . import decisions, ranking, voi
from .decisions import DECISION_THRESHOLDS, Verdict, confirmation_warnings, verdict
from .engine import (
    ENGINE_SETTINGS,
    Decision,
    analysis,
    analysis_for,
    cells_for,
    compare,
    compare_for,
    decide,
    decide_for,
    decide_from,
    next_conversations_for,
    posterior_for,
    ranks_for,
    sensitivity_for,
    settings_for,
)
from .model import CONFIDENCE_WEIGHT, SOURCE_RELIABILITY
from .ranking import (
    CELL_COLUMNS,
    COMPARE_COLUMNS,
    MAX_DRAWS,
    WEIGHT_CONCENTRATION,
    WEIGHT_MAX,
    Analysis,
    analyse,
    cells_frame,
    comparison_frame,
    ranks_frame,
)
from .voi import CONVERSATION_COST, NEXT_COLUMNS, next_conversations

__all__ = [
    "ENGINE_SETTINGS",
    "analysis_for",
    "cells_for",
    "compare_for",
    "decide_for",
    "next_conversations_for",
    "ranks_for",
    "sensitivity_for",
    "settings_for",
    "CELL_COLUMNS",
    "COMPARE_COLUMNS",
    "CONFIDENCE_WEIGHT",
    "CONVERSATION_COST",
    "DECISION_THRESHOLDS",
    "MAX_DRAWS",
    "NEXT_COLUMNS",
    "SOURCE_RELIABILITY",
    "WEIGHT_CONCENTRATION",
    "WEIGHT_MAX",
    "Analysis",
    "Decision",
    "Verdict",
    "analyse",
    "analysis",
    "cells_frame",
    "compare",
    "comparison_frame",
    "confirmation_warnings",
    "decide",
    "decide_from",
    "decisions",
    "next_conversations",
    "posterior_for",
    "ranking",
    "ranks_frame",
    "verdict",
    "voi",
]
