"""Which paths the evidence supports: the model, the comparison, the decision and the next conversation.

Pure functions over DataFrames (no widgets, no files). The modules, in the order the analysis runs:

* :mod:`.model`: each note is a rounded, noisy reading of a cell's true value; people are the
  independent sources; exact posterior per option × criterion on a grid, noise learned from your notes.
* :mod:`.ranking`: option values from draws of the cells and the weights: scores, 90% intervals,
  chance of being best, expected loss, rank shares (SMAA-2).
* :mod:`.decisions`: the verdict in plain words (by expected loss), weight sensitivity, the
  confirmation-bias check.
* :mod:`.voi`: which conversation would help most next (expected value of sample information), and
  when more conversations are unlikely to change the decision.
* :mod:`.engine`: the entry points below, DataFrames in, DataFrames and words out.
* :mod:`.summary`: plain counts of the notes for and against (no model).
"""

from . import decisions, ranking, voi
from .decisions import DECISION_THRESHOLDS, Verdict, confirmation_warnings, verdict
from .engine import (
    Decision,
    cells,
    cells_of,
    compare,
    decide,
    decide_from,
    next_conversations,
    ranks,
    ranks_of,
    sensitivity,
    sensitivity_of,
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
)
from .voi import NEXT_COLUMNS, VOI_THRESHOLD

__all__ = [
    "CELL_COLUMNS",
    "COMPARE_COLUMNS",
    "CONFIDENCE_WEIGHT",
    "DECISION_THRESHOLDS",
    "MAX_DRAWS",
    "NEXT_COLUMNS",
    "SOURCE_RELIABILITY",
    "VOI_THRESHOLD",
    "WEIGHT_CONCENTRATION",
    "WEIGHT_MAX",
    "Analysis",
    "Decision",
    "Verdict",
    "analyse",
    "cells",
    "cells_of",
    "compare",
    "confirmation_warnings",
    "decide",
    "decide_from",
    "decisions",
    "next_conversations",
    "ranks",
    "ranks_of",
    "ranking",
    "sensitivity",
    "sensitivity_of",
    "verdict",
    "voi",
]
