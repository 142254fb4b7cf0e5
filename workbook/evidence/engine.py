"""The evidence engine's entry points: DataFrames in, DataFrames and plain words out.

Over a workbook: the ``*_for`` functions take a snapshot (``wb.snapshot()``),
read the tables and the engine's settings from it (:data:`ENGINE_SETTINGS`), and
keep each result in the snapshot, so a report that shows the comparison in five
places analyses it once::

    with wb.snapshot() as snap:
        decision = decide_for(snap)      # scores, verdict, next conversations, warnings
        cells = cells_for(snap)          # the same analysis, another view

Over DataFrames:

:func:`analyse` (in :mod:`.ranking`) runs the model once; every view of the
result is a function of that one analysis: :func:`~.ranking.comparison_frame`
(the scores), :func:`~.ranking.ranks_frame`, :func:`~.ranking.cells_frame`,
:func:`~.decisions.sensitivity`, :func:`~.voi.next_conversations`, and
:func:`decide_from`, which gives everything notebook 06 and the report show:
the scores, the verdict, the next conversations, the stop rule and the
confirmation warnings. The posterior does not depend on the weights, so moving
a weight slider redraws the options without recomputing the cells
(:func:`posterior_for` keeps the last few).
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..store.readable import Readable
from ..store.reads import ANALYSIS_COLUMNS
from ..store.snapshot import Snapshot
from .decisions import Verdict, check_thresholds, confirmation_warnings, sensitivity, verdict
from .model import Posterior, posterior, readings
from .noise import learn
from .ranking import WEIGHT_CONCENTRATION, Analysis, analyse, cells_frame, comparison_frame, ranks_frame
from .voi import CONVERSATION_COST, check_cost, next_conversations, stop_rule

Weights = Mapping[int, float] | None
Reliability = Mapping[str, float] | None

#: Posteriors kept for reuse (a slider move changes the weights, not the evidence).
_KEPT = 4
_posteriors: OrderedDict[tuple, Posterior] = OrderedDict()


def _fingerprint(frame: pd.DataFrame, columns: tuple[str, ...]) -> tuple:
    cols = [c for c in columns if c in frame]
    if frame.empty or not cols:
        return (len(frame), tuple(cols))
    hashed = pd.util.hash_pandas_object(frame[cols].sort_values(cols[0], kind="stable"), index=False)
    return (
        len(frame),
        tuple(cols),
        int(np.bitwise_xor.reduce(hashed.to_numpy() * np.arange(1, len(frame) + 1, dtype="uint64"))),
    )


def posterior_for(
    options: pd.DataFrame, criteria: pd.DataFrame, insights: pd.DataFrame, reliability: Reliability = None
) -> Posterior:
    """The posterior of these tables, computed once and kept for the next few calls."""
    key = (
        _fingerprint(options, ("id",)),
        _fingerprint(criteria, ("id",)),
        _fingerprint(insights, ANALYSIS_COLUMNS),
        tuple(sorted((reliability or {}).items())),
    )
    if key in _posteriors:
        _posteriors.move_to_end(key)
        return _posteriors[key]
    r = readings(options, criteria, insights, reliability=reliability)
    post = posterior(r, learn(r))
    _posteriors[key] = post
    while len(_posteriors) > _KEPT:
        _posteriors.popitem(last=False)
    return post


def analysis(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    weights: Weights = None,
    draws: int = 2000,
    seed: int | None = 0,
    reliability: Reliability = None,
    weight_concentration: float = WEIGHT_CONCENTRATION,
) -> Analysis:
    """:func:`~.ranking.analyse` with the posterior reused when only the weights changed."""
    with one_blas_thread():
        post = posterior_for(options, criteria, insights, reliability)
        return analyse(
            options,
            criteria,
            insights,
            weights=weights,
            draws=draws,
            seed=seed,
            reliability=reliability,
            weight_concentration=weight_concentration,
            post=post,
        )


_blas: Any = None  # threadpoolctl's view of the BLAS libraries numpy loaded, made on first use


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's matrix products (BLAS) on one thread inside this block, as they were before it after.

    The analysis' products are small (hundreds of rows): a second BLAS thread saves a few milliseconds on an
    idle computer, but where other work shares the processor (a hub's other people, a busy laptop) it waits
    for a core, and a comparison took a third longer with it than without.
    """
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    with _blas.limit(limits=1, user_api="blas"):
        yield


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

    Columns: see :mod:`.ranking` (``score``, ``low``/``high``, ``p_good``,
    ``p_best``, ``expected_loss``, ``loss_if_wrong``, ``n_sources``,
    ``n_people``, ``covered``, ``thin`` ...).
    """
    return comparison_frame(
        analysis(
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
        return f"a conversation with {row['contact']} about {row['options'] or row['option']}"
    return f"a conversation with someone who does {row['option']} work"


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
    conversation_cost: float = CONVERSATION_COST,
    scores: pd.DataFrame | None = None,
) -> Decision:
    """Scores, verdict, next conversations, stop rule and warnings from one analysis.

    ``scores``: :func:`~.ranking.comparison_frame` of ``a`` when it is at hand already.
    """
    limits = check_thresholds(thresholds)
    cost = check_cost(conversation_cost)
    scores = comparison_frame(a) if scores is None else scores
    with one_blas_thread():
        upcoming = next_conversations(
            a, insights, contacts, insider_links, conversations, n=n, reliability=reliability, conversation_cost=cost
        )
    said = verdict(scores, a, thresholds=limits, settle=settle_phrase(upcoming))
    warnings = confirmation_warnings(
        a,
        conversations,
        prep_questions if prep_questions is not None else pd.DataFrame(),
        disprove_questions or [],
        insights,
    )
    return Decision(a, scores, said, upcoming, stop_rule(upcoming, said, cost), warnings)


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
    conversation_cost: float = CONVERSATION_COST,
    weight_concentration: float = WEIGHT_CONCENTRATION,
) -> Decision:
    """:func:`decide_from` of a fresh analysis of the tables."""
    a = analysis(
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
        conversation_cost=conversation_cost,
    )


# ----------------------------------------------------------- over a workbook
#: The names of the engine's settings in a workbook (notebook 08 shows and saves them).
RELIABILITY_SETTING = "source_reliability"
THRESHOLDS_SETTING = "decision_thresholds"
COST_SETTING = "conversation_cost"
CONCENTRATION_SETTING = "weight_concentration"
#: The settings the engine reads from a workbook, and the argument each one fills.
ENGINE_SETTINGS = {
    RELIABILITY_SETTING: "reliability",
    THRESHOLDS_SETTING: "thresholds",
    COST_SETTING: "conversation_cost",
    CONCENTRATION_SETTING: "weight_concentration",
}


def settings_for(source: Readable, *names: str) -> dict[str, Any]:
    """The engine settings stored in a workbook, as keyword arguments (only those set; ``names`` limits them)."""
    out = {}
    for key, arg in ENGINE_SETTINGS.items():
        if names and arg not in names:
            continue
        value = source.setting(key)
        if value is not None:
            out[arg] = value
    return out


def _hashable(value: Any) -> Hashable:
    return value if isinstance(value, Hashable) else repr(value)


def _weights_key(weights: Weights) -> Hashable:
    """A key for a weights mapping (``repr`` keeps odd values distinct without hashing them)."""
    if weights is None:
        return None
    try:
        return tuple(sorted(weights.items()))
    except (AttributeError, TypeError):
        return ("unhashable", repr(weights))


#: The columns of the contacts and conversations the next conversations and the warnings read.
CONTACT_COLUMNS = ("id", "name", "strength")
CONVERSATION_COLUMNS = ("id", "option_id", "contact_id", "status")


def _snapshot(source: Snapshot | Any) -> Snapshot:
    """A snapshot to analyse: the one given, or a fresh one of a workbook."""
    return source if isinstance(source, Snapshot) else source.snapshot()


def analysis_for(source: Snapshot | Any, weights: Weights = None, draws: int = 2000, seed: int = 0) -> Analysis:
    """The evidence of a workbook analysed once per snapshot and these arguments (:func:`analysis`)."""
    snap = _snapshot(source)
    key = ("analysis", _weights_key(weights), _hashable(draws), _hashable(seed))
    return snap.memo(
        key,
        lambda: analysis(
            snap.options(),
            snap.criteria(),
            snap.evidence_rows(),
            weights=weights,
            draws=draws,
            seed=seed,
            **settings_for(snap, "reliability", "weight_concentration"),
        ),
    )


def compare_for(source: Snapshot | Any, weights: Weights = None, draws: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Which options the evidence supports (:func:`compare`'s columns)."""
    snap = _snapshot(source)
    key = ("compare", _weights_key(weights), _hashable(draws), _hashable(seed))
    return snap.memo(key, lambda: comparison_frame(analysis_for(snap, weights, draws, seed))).copy(deep=False)


def ranks_for(source: Snapshot | Any, weights: Weights = None, draws: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Share of draws in which each option with evidence takes each rank (1 = best)."""
    snap = _snapshot(source)
    key = ("ranks", _weights_key(weights), _hashable(draws), _hashable(seed))
    return snap.memo(key, lambda: ranks_frame(analysis_for(snap, weights, draws, seed))).copy(deep=False)


def cells_for(source: Snapshot | Any, weights: Weights = None) -> pd.DataFrame:
    """Per option × criterion: score, 90% interval, sources, notes for and against."""
    snap = _snapshot(source)
    return snap.memo(("cells", _weights_key(weights)), lambda: cells_frame(analysis_for(snap, weights))).copy(
        deep=False
    )


def sensitivity_for(source: Snapshot | Any, weights: Weights = None) -> pd.DataFrame:
    """For each criterion, how far its weight must move before the leading option changes."""
    snap = _snapshot(source)
    return snap.memo(("sensitivity", _weights_key(weights)), lambda: sensitivity(analysis_for(snap, weights))).copy(
        deep=False
    )


def next_conversations_for(source: Snapshot | Any, n: int = 5, weights: Weights = None) -> pd.DataFrame:
    """Who to talk to next, and why (:func:`~.voi.next_conversations`)."""
    snap = _snapshot(source)
    return snap.memo(
        ("next", _hashable(n), _weights_key(weights)),
        lambda: next_conversations(
            analysis_for(snap, weights),
            snap.evidence_rows(),
            snap.table("contacts", columns=CONTACT_COLUMNS),
            snap.insider_links(),
            snap.table("conversations", columns=CONVERSATION_COLUMNS),
            n=n,
            **settings_for(snap, "reliability", "conversation_cost"),
        ),
    ).copy(deep=False)


def decide_for(
    source: Snapshot | Any, weights: Weights = None, n: int = 5, draws: int = 2000, seed: int = 0
) -> Decision:
    """Scores, verdict, next conversations, stop rule and warnings for a workbook, from one analysis."""
    from ..prepare.questions import disprove_questions

    snap = _snapshot(source)
    return snap.memo(
        ("decide", _weights_key(weights), _hashable(n), _hashable(draws), _hashable(seed)),
        lambda: decide_from(
            analysis_for(snap, weights, draws, seed),
            snap.evidence_rows(),
            snap.table("contacts", columns=CONTACT_COLUMNS),
            snap.insider_links(),
            snap.table("conversations", columns=CONVERSATION_COLUMNS),
            snap.table("prep_questions"),
            disprove_questions(snap),
            n=n,
            scores=compare_for(snap, weights, draws, seed),  # the comparison's own, when it was shown already
            **settings_for(snap, "reliability", "thresholds", "conversation_cost"),
        ),
    )
