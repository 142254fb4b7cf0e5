"""The evidence engine's entry points: DataFrames in, DataFrames and plain words out.

Each function reads the tables the workbook returns (options, criteria,
insights, and for the advice contacts, insider links, conversations and
prepared questions) and runs the model once. :func:`decide` gives everything
notebook 06 and the report show from one analysis: the scores, the verdict,
the next conversations, the stop rule and the confirmation-bias warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .decisions import Verdict, check_thresholds, confirmation_warnings, verdict
from .decisions import sensitivity as _sensitivity
from .ranking import (
    WEIGHT_CONCENTRATION,
    Analysis,
    analyse,
    cells_frame,
    comparison_frame,
    ranks_frame,
)
from .voi import VOI_THRESHOLD, check_voi_threshold, stop_rule
from .voi import next_conversations as _next_conversations

Weights = Mapping[int, float] | None
Reliability = Mapping[str, float] | None


def compare(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    weights: Weights = None,
    draws: int = 2000,
    seed: int | None = 0,
    reliability: Reliability = None,
    weight_concentration: float = WEIGHT_CONCENTRATION,
) -> pd.DataFrame:
    """One row per option (index ``option_id``), options with evidence first, best supported first.

    Columns: ``title``; ``score`` (−2..+2, 0 = no evidence either way);
    ``low``/``high`` (90% interval); ``p_best`` (chance of being the best,
    weights uncertain; adds up to 1); ``p_best_fixed`` (the same at exactly
    your weights); ``expected_loss`` (fit you expect to give up by choosing it);
    ``n_insights`` (notes); ``n_sources`` (independent sources: people, and each
    document on its own); ``covered`` (share of your weights on criteria with
    any evidence).
    """
    return comparison_frame(
        analyse(
            options,
            criteria,
            insights,
            weights=weights,
            draws=draws,
            seed=seed,
            reliability=reliability,
            weight_concentration=weight_concentration,
        )
    )


def ranks(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    weights: Weights = None,
    draws: int = 2000,
    seed: int | None = 0,
    reliability: Reliability = None,
    weight_concentration: float = WEIGHT_CONCENTRATION,
    fixed_weights: bool = False,
) -> pd.DataFrame:
    """SMAA-2 rank acceptabilities: per option, the share of draws in which it takes rank 1, 2, …"""
    a = analyse(
        options,
        criteria,
        insights,
        weights=weights,
        draws=draws,
        seed=seed,
        reliability=reliability,
        weight_concentration=weight_concentration,
    )
    return ranks_frame(a, fixed=fixed_weights)


def cells(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    weights: Weights = None,
    reliability: Reliability = None,
) -> pd.DataFrame:
    """The evidence per option × criterion: posterior mean (``score``), 90% interval, sources, notes for/against."""
    return cells_frame(analyse(options, criteria, insights, weights=weights, draws=1, reliability=reliability))


def sensitivity(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    weights: Weights = None,
    reliability: Reliability = None,
) -> pd.DataFrame:
    """Per criterion: how far its weight must move before another option with evidence takes the lead."""
    return _sensitivity(analyse(options, criteria, insights, weights=weights, draws=1, reliability=reliability))


def next_conversations(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    contacts: pd.DataFrame,
    insider_links: pd.DataFrame,
    conversations: pd.DataFrame,
    *,
    n: int = 5,
    weights: Weights = None,
    reliability: Reliability = None,
    voi_threshold: float = VOI_THRESHOLD,
) -> pd.DataFrame:
    """Which conversation (contact × option) would help the decision most, and why (see :mod:`.voi`)."""
    a = analyse(options, criteria, insights, weights=weights, draws=1, reliability=reliability)
    return _next_conversations(
        a, insights, contacts, insider_links, conversations, n=n, reliability=reliability, voi_threshold=voi_threshold
    )


def cells_of(a: Analysis) -> pd.DataFrame:
    """:func:`cells` of an analysis already made."""
    return cells_frame(a)


def ranks_of(a: Analysis, fixed_weights: bool = False) -> pd.DataFrame:
    """:func:`ranks` of an analysis already made."""
    return ranks_frame(a, fixed=fixed_weights)


def sensitivity_of(a: Analysis) -> pd.DataFrame:
    """:func:`sensitivity` of an analysis already made."""
    return _sensitivity(a)


@dataclass
class Decision:
    """Everything the comparison shows, from one analysis."""

    analysis: Analysis
    scores: pd.DataFrame
    verdict: Verdict
    next: pd.DataFrame
    stop: str
    warnings: pd.DataFrame

    @property
    def sentences(self) -> list[str]:
        """The headline, then the details, the stop rule and the warnings, as plain sentences."""
        out = [self.verdict.headline, *self.verdict.details]
        if self.stop:
            out.append(self.stop)
        out += list(self.warnings["warning"])
        return out


def settle_phrase(frame: pd.DataFrame) -> str:
    """The best next conversation as a phrase ("a conversation with Rosa about UX research")."""
    if frame.empty:
        return ""
    row = frame.iloc[0]
    if row["contact"]:
        return f"a conversation with {row['contact']} about {row['option']}"
    return f"a conversation with someone who does {row['option']} work"


def decide(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    contacts: pd.DataFrame,
    insider_links: pd.DataFrame,
    conversations: pd.DataFrame,
    prep_questions: pd.DataFrame | None = None,
    disprove_questions: list[str] | None = None,
    *,
    n: int = 5,
    weights: Weights = None,
    draws: int = 2000,
    seed: int | None = 0,
    reliability: Reliability = None,
    thresholds: Mapping[str, float] | None = None,
    voi_threshold: float = VOI_THRESHOLD,
    weight_concentration: float = WEIGHT_CONCENTRATION,
) -> Decision:
    """Scores, verdict, next conversations, stop rule and warnings from one analysis of the evidence."""
    a = analyse(
        options,
        criteria,
        insights,
        weights=weights,
        draws=draws,
        seed=seed,
        reliability=reliability,
        weight_concentration=weight_concentration,
    )
    return decide_from(
        a,
        insights,
        contacts,
        insider_links,
        conversations,
        prep_questions,
        disprove_questions,
        n=n,
        reliability=reliability,
        thresholds=thresholds,
        voi_threshold=voi_threshold,
    )


def decide_from(
    a: Analysis,
    insights: pd.DataFrame,
    contacts: pd.DataFrame,
    insider_links: pd.DataFrame,
    conversations: pd.DataFrame,
    prep_questions: pd.DataFrame | None = None,
    disprove_questions: list[str] | None = None,
    *,
    n: int = 5,
    reliability: Reliability = None,
    thresholds: Mapping[str, float] | None = None,
    voi_threshold: float = VOI_THRESHOLD,
) -> Decision:
    """:func:`decide` for an analysis already made."""
    limits = check_thresholds(thresholds)
    threshold = check_voi_threshold(voi_threshold)
    scores = comparison_frame(a)
    upcoming = _next_conversations(
        a, insights, contacts, insider_links, conversations, n=n, reliability=reliability, voi_threshold=threshold
    )
    said = verdict(scores, thresholds=limits, settle=settle_phrase(upcoming))
    warnings = confirmation_warnings(
        a, conversations, prep_questions if prep_questions is not None else pd.DataFrame(), disprove_questions or []
    )
    return Decision(a, scores, said, upcoming, stop_rule(upcoming, said, threshold), warnings)
