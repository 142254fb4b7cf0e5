"""What could change the decision: weight sensitivity and the next best conversation.

**Sensitivity.** For each criterion, its weight is moved (all others kept)
until another option's score passes the leader's. Because a score is a
weighted average, that point can be found exactly. The answer is given as the
weight (0 to 100, the range the criteria form allows) and as a multiple of
the current weight; when no weight in the range changes the leader,
``changes_leader`` is False and ``note`` says so.

**Next best conversation** (value of information). For each option ×
criterion cell we ask: if one more typical conversation added evidence here,
how much could it move the option's score, and how likely would that change
which option leads? The movement is larger when the cell's evidence is thin
and the criterion weighs a lot; the chance of changing the lead is larger
when the race is close (the option trails the leader, or the leader leads the
runner-up, by little). ``value`` is the expected gain of a normal-model
preposterior analysis, σ·φ(g/σ) − g·(1 − Φ(g/σ)) with σ the possible
movement and g the gap; only its order matters. Contacts to ask are the
option's insiders (insider links) who have not yet had a conversation about
it marked done or thanked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Integral

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .model import PRIOR_VOTES, WEIGHT_MAX, aggregate

#: Votes one more typical conversation adds to a cell (about a +2 at medium confidence).
NEXT_CONVERSATION_VOTES = 1.5
#: Contacts suggested per gap.
MAX_CONTACTS = 3
#: Conversation statuses that mean the person has been interviewed already.
INTERVIEWED = ("done", "thanked")

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
NEXT_COLUMNS = [
    "option_id",
    "option",
    "criterion_id",
    "criterion",
    "value",
    "n_sources",
    "score",
    "reason",
    "contact_ids",
    "contacts",
]


def _leader_order(ids: np.ndarray, score: np.ndarray) -> np.ndarray:
    return np.lexsort((ids, -np.round(score, 12)))


def _num(x: float) -> str:
    """A weight or factor the way a person says it: 34, 5.9, 0.64."""
    return f"{x:.0f}" if abs(x) >= 10 else f"{x:.2g}"


def sensitivity(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    *,
    weights: Mapping[int, float] | None = None,
    reliability: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Per criterion (index ``criterion_id``): how far its weight must move before the leader changes.

    ``lower_to``/``raise_to``: the weight at which another option draws level
    (NaN: never within 0..100); ``lower_factor``/``raise_factor``: the same as a
    multiple of the current weight; ``lower_leader``/``raise_leader``: who
    would lead then; ``changes_leader``: whether any weight in range does it.
    """
    c = aggregate(options, criteria, insights, weights=weights, reliability=reliability)
    index = pd.Index(c.criterion_ids, name="criterion_id", dtype="int64")
    if c.criterion_ids.size == 0 or c.option_ids.size == 0:
        return pd.DataFrame(columns=SENSITIVITY_COLUMNS, index=index)
    raw = c.raw_weights if c.raw_weights.sum() > 0 else np.ones(c.criterion_ids.size)
    mean = c.mean
    score = mean @ (raw / raw.sum())
    lead = int(_leader_order(c.option_ids, score)[0])
    diff = mean - mean[lead]  # (options, criteria); the leader's row is 0
    rows = []
    for j, name in enumerate(c.names):
        others = np.delete(np.arange(raw.size), j)
        a = diff[:, others] @ raw[others]  # each option's lead over the leader without criterion j
        b = diff[:, j]
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = np.where(b != 0, -a / b, np.nan)
        up = (b > 0) & (cross >= 0) & (cross <= WEIGHT_MAX)
        down = (b < 0) & (cross >= 0) & (cross <= WEIGHT_MAX)
        row = {"criterion": name, "weight": c.raw_weights[j], "share": c.weights[j], "leader": c.titles[lead]}
        for side, mask, pick in (("raise", up, np.argmin), ("lower", down, np.argmax)):
            if mask.any():
                k = int(np.flatnonzero(mask)[pick(cross[mask])])
                row[f"{side}_to"] = float(cross[k])
                row[f"{side}_factor"] = float(cross[k] / raw[j]) if raw[j] > 0 else math.inf
                row[f"{side}_leader"] = c.titles[k]
            else:
                row[f"{side}_to"], row[f"{side}_factor"], row[f"{side}_leader"] = math.nan, math.nan, ""
        row["changes_leader"] = bool(up.any() or down.any())
        row["note"] = _sensitivity_note(row, c.option_ids.size)
        rows.append(row)
    return pd.DataFrame(rows, index=index, columns=SENSITIVITY_COLUMNS)


def _sensitivity_note(row: dict, n_options: int) -> str:
    name, leader = row["criterion"], row["leader"]
    if n_options < 2:
        return f"Only one option ({leader}): there is nothing to overtake it."
    if not row["changes_leader"]:
        return f"No weight for {name} from 0 to 100 changes the leader: {leader} stays ahead."
    parts = []
    for side in ("lower", "raise"):
        if not math.isnan(row[f"{side}_to"]):
            factor = row[f"{side}_factor"]
            times = f" (×{_num(factor)})" if math.isfinite(factor) else ""
            parts.append(f"{side} it to {_num(row[f'{side}_to'])}{times}, when {row[f'{side}_leader']} takes the lead")
    return f"Now {_num(row['weight'])}: {leader} stays ahead unless you " + ", or ".join(parts) + "."


def _normal_tail(z: np.ndarray) -> np.ndarray:
    """P(X > z) for a standard normal X."""
    return 0.5 * np.vectorize(math.erfc, otypes=[float])(z / math.sqrt(2.0))


def _normal_loss(z: np.ndarray) -> np.ndarray:
    """E[max(X − z, 0)] for a standard normal X."""
    return np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi) - z * _normal_tail(z)


def _contacts_for(option_id: int, active: pd.DataFrame, links: pd.DataFrame, conversations: pd.DataFrame):
    """Insiders of an option not yet interviewed about it, best relationship first; and why none.

    ``active`` is the contacts table indexed by id (archived contacts already left out).
    """
    insiders = set()
    if len(links):
        ids = links.loc[links["option_id"] == option_id, "contact_id"].dropna()
        insiders = {int(i) for i in ids if int(i) in active.index}
    done = set()
    if len(conversations):
        mask = (conversations["option_id"] == option_id) & conversations["status"].isin(INTERVIEWED)
        done = {int(i) for i in conversations.loc[mask, "contact_id"].dropna()}
    chosen = sorted(insiders - done, key=lambda i: (-int(active.at[i, "strength"]), str(active.at[i, "name"]), i))
    chosen = chosen[:MAX_CONTACTS]
    if chosen:
        why = ""
    elif not insiders:
        why = "Nobody in your contacts is linked as an insider for this option yet: add someone who does the work."
    else:
        why = "Everyone you know there has talked with you already: ask them who else you should talk to."
    return chosen, [str(active.at[i, "name"]) for i in chosen], why


def next_conversations(
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    contacts: pd.DataFrame,
    insider_links: pd.DataFrame,
    conversations: pd.DataFrame,
    *,
    n: int = 5,
    weights: Mapping[int, float] | None = None,
    reliability: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The ``n`` option × criterion gaps whose filling would most likely change the decision, and who could fill them.

    Columns: ``option_id``, ``option``, ``criterion_id``, ``criterion``,
    ``value`` (larger: more useful), ``n_sources`` and ``score`` of the cell so
    far, ``reason`` (one line), ``contact_ids`` (list) and ``contacts`` (names).
    """
    if isinstance(n, bool) or not isinstance(n, Integral) or not 1 <= int(n) <= 10_000:
        raise ValidationError("n", f"must be a whole number from 1 to 10,000, not {n!r}")
    c = aggregate(options, criteria, insights, weights=weights, reliability=reliability)
    if c.option_ids.size == 0 or c.criterion_ids.size == 0:
        return pd.DataFrame(columns=NEXT_COLUMNS)
    share, mean, sd = c.weights, c.mean, c.sd
    score = mean @ share
    order = _leader_order(c.option_ids, score)
    lead = int(order[0])
    if order.size > 1:
        gap = score[lead] - score
        gap[lead] = score[lead] - score[order[1]]
    else:
        gap = np.abs(score)
    votes = c.votes_for + c.votes_against + 2 * PRIOR_VOTES
    move = share * sd * np.sqrt(NEXT_CONVERSATION_VOTES / (votes + NEXT_CONVERSATION_VOTES))
    z = gap[:, None] / np.where(move > 0, move, 1.0)
    value = np.where(move > 0, move * _normal_loss(z), 0.0)
    o_idx, c_idx = np.nonzero(np.broadcast_to(share > 0, value.shape))
    rank = np.lexsort((c.criterion_ids[c_idx], c.option_ids[o_idx], -np.round(value[o_idx, c_idx], 12)))
    active = contacts.set_index("id") if len(contacts) else pd.DataFrame(columns=["name", "strength"])
    found: dict[int, tuple] = {}
    rows = []
    for k in rank[: int(n)]:
        o, j = int(o_idx[k]), int(c_idx[k])
        if o not in found:
            found[o] = _contacts_for(int(c.option_ids[o]), active, insider_links, conversations)
        ids, names, why = found[o]
        reason = _reason(
            c.titles[o], c.names[j], int(c.n_sources[o, j]), share[j], o == lead, gap[o], c.titles[lead], order.size
        )
        rows.append(
            {
                "option_id": int(c.option_ids[o]),
                "option": c.titles[o],
                "criterion_id": int(c.criterion_ids[j]),
                "criterion": c.names[j],
                "value": float(value[o, j]),
                "n_sources": int(c.n_sources[o, j]),
                "score": float(mean[o, j]),
                "reason": f"{reason} {why}".strip(),
                "contact_ids": list(ids),
                "contacts": ", ".join(names),
            }
        )
    return pd.DataFrame(rows, columns=NEXT_COLUMNS)


def _reason(
    option: str, criterion: str, n_sources: int, share: float, leads: bool, gap: float, leader: str, n_options: int
) -> str:
    thin = {0: "no evidence yet", 1: "only one independent source"}.get(n_sources, f"{n_sources} independent sources")
    if n_options < 2:
        race = f"it decides whether {option} looks good at all"
    elif leads:
        race = f"{option} leads the runner-up by {gap:.2f}"
    else:
        race = f"{option} trails {leader} by {gap:.2f}"
    return f"{criterion} for {option}: {thin}, and {criterion} is {share:.0%} of your weights; {race}."
