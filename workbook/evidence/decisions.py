"""What the evidence says you should do: the verdict, weight sensitivity, the next conversation.

**The verdict** goes by expected loss (see :mod:`.compare`), among the options
you have evidence on: an option nobody has told you anything about is never
called the leader, however wide its spread. With the thresholds in
:data:`DECISION_THRESHOLDS` (on the −2..+2 scale; settable):

* expected loss of the best option at most ``favour`` (0.05): "the evidence favours X";
* at most ``lean`` (0.15): "leaning towards X";
* above that: "too close to call", with the conversation that would most help settle it.

**Sensitivity.** For each criterion, its weight is moved (all others kept)
until another option with evidence overtakes the leader's score. Scores are
weighted averages, so that point is found exactly.

**Value of information** (which conversation next) is in :mod:`.voi`.

**Confirmation-bias check.** An option with three or more sources, nothing
against it, and no question prepared that could disprove your hopes for it
gets a warning. The check changes nothing in the scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..formatting import signed
from .ranking import WEIGHT_MAX, Analysis, leader_order

#: Expected loss (−2..+2 scale) below which the evidence "favours" an option, and below which it "leans".
DECISION_THRESHOLDS: dict[str, float] = {"favour": 0.05, "lean": 0.15}
#: Sources at which an option with nothing against it is checked for confirmation bias.
BIAS_MIN_SOURCES = 3
SENSITIVITY_COLUMNS = [
    "criterion",
    "weight",
    "share",
    "leader",
    "lower_to",
    "lower_factor",
    "lower_leader",
    "raise_to",
    "raise_factor",
    "raise_leader",
    "changes_leader",
    "note",
]


def check_thresholds(value: Mapping[str, float] | None) -> dict[str, float]:
    """Decision thresholds: the defaults, overridden by ``value`` (``favour`` ≤ ``lean``, both 0..2)."""
    merged = dict(DECISION_THRESHOLDS)
    for key, v in (value or {}).items():
        if key not in merged:
            raise ValidationError("decision_thresholds", f"{key!r} is not a threshold (use favour or lean)")
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or not 0 <= v <= 2:
            raise ValidationError("decision_thresholds", f"{key} must be a number from 0 to 2, not {v!r}")
        merged[key] = float(v)
    if merged["favour"] > merged["lean"]:
        raise ValidationError("decision_thresholds", "favour must not be larger than lean")
    return merged


# ------------------------------------------------------------------ verdict
@dataclass
class Verdict:
    """The decision in plain words."""

    kind: str  # empty | single | no-evidence | one-known | favours | leaning | close
    option_id: int | None
    title: str
    loss: float
    headline: str
    details: list[str]


def _pct(p: float) -> str:
    if p < 0.005:
        return "under 1%"
    if p > 0.995:
        return "over 99%"
    return f"{100 * p:.0f}%"


def _names(titles: list[str]) -> str:
    if len(titles) <= 2:
        return " and ".join(titles)
    return ", ".join(titles[:-1]) + " and " + titles[-1]


def verdict(
    frame: pd.DataFrame,
    *,
    thresholds: Mapping[str, float] | None = None,
    settle: str = "",
) -> Verdict:
    """What :func:`compare`'s table says, in plain words. ``settle``: the conversation that would help most."""
    t = check_thresholds(thresholds)
    if frame.empty:
        return Verdict("empty", None, "", 0.0, "Nothing to compare yet: no career options are listed.", [])
    known = frame[frame["n_sources"] > 0]
    unknown = [str(x) for x in frame.loc[frame["n_sources"] == 0, "title"]]
    details = []
    if unknown:
        details.append(
            f"No evidence yet for {_names(unknown)}: "
            f"{'it is' if len(unknown) == 1 else 'they are'} not compared until someone who does the work "
            "has told you about it."
        )
    if len(frame) == 1:
        row = frame.iloc[0]
        headline = f"Only one option is listed ({row['title']}): add the alternatives you are weighing to compare them."
        return Verdict("single", int(frame.index[0]), str(row["title"]), 0.0, headline, details)
    if known.empty:
        headline = f"No evidence recorded yet for the {len(frame)} options listed."
        return Verdict("no-evidence", None, "", 0.0, headline, details)
    lead = known.iloc[0]
    lead_id, title = int(known.index[0]), str(lead["title"])
    loss = float(lead["expected_loss"])
    sure = (
        f"(score {signed(lead['score'], 2)}, 90% sure between {signed(lead['low'], 2)} and {signed(lead['high'], 2)})"
    )
    if len(known) == 1:
        headline = (
            f"Only {title} has evidence so far {sure}: there is nothing to compare it with until you hear "
            f"about {_names(unknown)}."
        )
        return Verdict("one-known", lead_id, title, loss, headline, details)
    runner = known.iloc[1]
    at_stake = f"expected loss {loss:.2f} on the −2..+2 scale if it is not the best"
    if loss <= t["favour"]:
        kind = "favours"
        headline = f"The evidence favours {title} {sure}; choosing it risks little ({at_stake})."
    elif loss <= t["lean"]:
        kind = "leaning"
        headline = f"Leaning towards {title} {sure}, ahead of {runner['title']}, but not settled ({at_stake})."
    else:
        kind = "close"
        headline = f"Too close to call between {title} and {runner['title']} ({at_stake})"
        headline += f" — the conversation that would settle it best is {settle}." if settle else "."
    details.insert(
        0,
        f"Chance of being the best fit: {title} {_pct(float(lead['p_best']))}, "
        f"{runner['title']} {_pct(float(runner['p_best']))}.",
    )
    if kind != "favours" and "expected_loss_fixed" in lead and float(lead["expected_loss_fixed"]) <= t["favour"]:
        details.insert(
            1,
            "Most of the remaining doubt is about how much each criterion matters to you, not about "
            "the evidence: move the weights to see when the choice would change.",
        )
    return Verdict(kind, lead_id, title, loss, headline, details)


# -------------------------------------------------------------- sensitivity
def _num(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 10 else f"{x:.2g}"


def sensitivity(a: Analysis) -> pd.DataFrame:
    """Per criterion (index ``criterion_id``): how far its weight must move before the leader changes.

    Only options with evidence can take the lead. ``lower_to``/``raise_to``: the
    weight at which another option draws level (NaN: never within 0..100);
    ``*_factor``: the same as a multiple of the current weight; ``*_leader``:
    who would lead then; ``changes_leader``: whether any weight in range does it.
    """
    index = pd.Index(a.criterion_ids, name="criterion_id", dtype="int64")
    if a.criterion_ids.size == 0 or a.option_ids.size == 0:
        return pd.DataFrame(columns=SENSITIVITY_COLUMNS, index=index)
    raw = a.raw_weights if a.raw_weights.sum() > 0 else np.ones(a.criterion_ids.size)
    mean = a.cell_mean
    lead = int(leader_order(a)[0])
    rivals = a.contenders().copy()
    rivals[lead] = False
    diff = mean - mean[lead]
    rows = []
    for j, name in enumerate(a.names):
        others = np.delete(np.arange(raw.size), j)
        base = diff[:, others] @ raw[others]
        b = diff[:, j]
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = np.where(b != 0, -base / b, np.nan)
        inside = rivals & (cross >= 0) & (cross <= WEIGHT_MAX)
        up, down = inside & (b > 0), inside & (b < 0)
        row: dict = {"criterion": name, "weight": a.raw_weights[j], "share": a.weights[j], "leader": a.titles[lead]}
        for side, mask, pick in (("raise", up, np.argmin), ("lower", down, np.argmax)):
            if mask.any():
                k = int(np.flatnonzero(mask)[pick(cross[mask])])
                row[f"{side}_to"] = float(cross[k])
                row[f"{side}_factor"] = float(cross[k] / raw[j]) if raw[j] > 0 else math.inf
                row[f"{side}_leader"] = a.titles[k]
            else:
                row[f"{side}_to"], row[f"{side}_factor"], row[f"{side}_leader"] = math.nan, math.nan, ""
        row["changes_leader"] = bool(up.any() or down.any())
        row["note"] = _sensitivity_note(row, int(rivals.sum()))
        rows.append(row)
    return pd.DataFrame(rows, index=index, columns=SENSITIVITY_COLUMNS)


def _sensitivity_note(row: dict, n_rivals: int) -> str:
    name, leader = row["criterion"], row["leader"]
    if n_rivals == 0:
        return f"No other option has evidence yet: there is nothing to overtake {leader}."
    if not row["changes_leader"]:
        return f"No weight for {name} from 0 to 100 changes the leader: {leader} stays ahead."
    parts = []
    for side in ("lower", "raise"):
        if not math.isnan(row[f"{side}_to"]):
            factor = row[f"{side}_factor"]
            times = f" (×{_num(factor)})" if math.isfinite(factor) else ""
            parts.append(f"{side} it to {_num(row[f'{side}_to'])}{times}, when {row[f'{side}_leader']} takes the lead")
    return f"Now {_num(row['weight'])}: {leader} stays ahead unless you " + ", or ".join(parts) + "."


# ----------------------------------------------------- confirmation bias
def _normal(text: str) -> str:
    return " ".join(str(text).casefold().split())


def confirmation_warnings(
    a: Analysis,
    conversations: pd.DataFrame,
    prep_questions: pd.DataFrame,
    disprove_questions: list[str],
) -> pd.DataFrame:
    """Options with enough sources, nothing against them and no disconfirming question prepared.

    ``disprove_questions``: the texts of the questions that could disprove your
    hopes (the question bank's ``disprove`` topic and your own). Columns:
    ``option_id``, ``option``, ``n_sources``, ``warning``.
    """
    r = a.post.readings
    n_o, n_c = r.shape
    against = r.n_against.reshape(n_o, n_c).sum(axis=1) if n_c else np.zeros(n_o)
    disprove = {_normal(t) for t in disprove_questions}
    asked: set[int] = set()
    if len(prep_questions) and len(conversations):
        texts = prep_questions[prep_questions["text"].map(_normal).isin(disprove)]
        conv = conversations.set_index("id")["option_id"]
        asked = {int(conv[c]) for c in texts["conversation_id"] if c in conv.index}
    rows = []
    for o in range(n_o):
        oid = int(a.option_ids[o])
        if r.option_sources[o] >= BIAS_MIN_SOURCES and against[o] == 0 and oid not in asked:
            title = a.titles[o]
            rows.append(
                {
                    "option_id": oid,
                    "option": title,
                    "n_sources": int(r.option_sources[o]),
                    "warning": f"Everything you have heard about {title} ({int(r.option_sources[o])} sources) "
                    "is in its favour, and no question that could disprove your hopes is prepared: "
                    "ask what people like least, what would make them leave, who should not do "
                    "this work.",
                }
            )
    return pd.DataFrame(rows, columns=["option_id", "option", "n_sources", "warning"])
