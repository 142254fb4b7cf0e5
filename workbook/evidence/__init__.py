"""Which paths the evidence supports: the model, the comparison, decisions and the evidence counts.

Pure functions over DataFrames (no widgets, no files). ``from workbook import evidence``
gives the comparison's public names: ``evidence.compare(...)``, ``evidence.cells(...)``,
``evidence.sensitivity(...)``, ``evidence.next_conversations(...)`` and the constants.
"""

from .compare import (
    CELL_COLUMNS,
    COMPARE_COLUMNS,
    CONFIDENCE_WEIGHT,
    INTERVAL_Z,
    MAX_DRAWS,
    PRIOR_VOTES,
    SOURCE_RELIABILITY,
    WEIGHT_SPREAD,
    Cells,
    aggregate,
    cell_sd,
    cells,
    chance_best,
    compare,
    interval,
    next_conversations,
    option_scores,
    sensitivity,
)

__all__ = [
    "CELL_COLUMNS",
    "COMPARE_COLUMNS",
    "CONFIDENCE_WEIGHT",
    "INTERVAL_Z",
    "MAX_DRAWS",
    "PRIOR_VOTES",
    "SOURCE_RELIABILITY",
    "WEIGHT_SPREAD",
    "Cells",
    "aggregate",
    "cell_sd",
    "cells",
    "chance_best",
    "compare",
    "interval",
    "next_conversations",
    "option_scores",
    "sensitivity",
]
