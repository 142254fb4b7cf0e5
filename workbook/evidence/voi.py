"""Which conversation would help most next: the expected value of sample information.

A conversation with a person about an option gives one reading on every
criterion of that option (first-hand, medium confidence). Its *expected value
of sample information* (EVSI) is how much the expected fit of your final choice
should rise thanks to it:

    EVSI = E[max(value of the option after the conversation, best other option)]
           − max(value of the option now, best other option)

the expectation taken over everything the person could say, under the same
model that produced the posterior (σ and θ of every cell integrated out), at
your weights. The other options are those with evidence (:mod:`.ranking`); when
no other option has any, the comparison is with neutral (0: is this path good
for you at all?). The distribution of the option's value after the
conversation is computed exactly on a fine grid (no sampling): EVSI is never
negative, and it is exactly 0 when no possible answer could change the choice.

One conversation seldom turns a decision on its own, so each option also gets
the value of a *round* of :data:`ROUND` conversations with different people
(``value_round``). When even the best round is worth less than
:data:`VOI_THRESHOLD` (on the −2..+2 scale; settable), more conversations are
unlikely to change the decision, and :func:`stop_rule` says so.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from numbers import Integral

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..store.conversations import HELD
from .decisions import Verdict
from .model import (
    CONFIDENCE_WEIGHT,
    SIGMA_GRID,
    THETA,
    reading_noise,
    reading_probabilities,
    resolve_reliability,
    source_keys,
    sum_grid,
    weighted_sum,
)
from .ranking import Analysis, leader_order

#: EVSI (−2..+2 scale) below which more conversations are unlikely to change the decision.
VOI_THRESHOLD = 0.002
#: People suggested per option.
PER_OPTION = 2
NEXT_COLUMNS = [
    "option_id",
    "option",
    "contact_id",
    "contact",
    "value",
    "value_round",
    "worth_it",
    "criteria",
    "n_sources",
    "score",
    "reason",
]


def check_voi_threshold(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not 0 <= value <= 2:
        raise ValidationError("voi_threshold", f"must be a number from 0 to 2, not {value!r}")
    return float(value)


#: People in a round of conversations about one option (career guides suggest about three per option).
ROUND = 3


def _outcomes(a: Analysis, reliability: Mapping[str, float] | None, people: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """For every cell, the chance of each possible set of answers from ``people`` new first-hand readings,
    and θ's mean after it: shapes (cells, outcomes). σ and θ are integrated out of the cell's joint posterior.
    """
    rel = resolve_reliability(reliability)
    like = reading_probabilities(reading_noise(SIGMA_GRID, rel["interview"], CONFIDENCE_WEIGHT["medium"]))
    joint = a.post.joint.reshape(a.post.joint.shape[0], -1)  # (cells, σ·θ)
    liks = []
    for answers in itertools.combinations_with_replacement(range(like.shape[1]), people):
        orderings = math.factorial(people) / math.prod(math.factorial(answers.count(s)) for s in set(answers))
        liks.append((orderings * np.prod([like[:, s, :] for s in answers], axis=0)).ravel())  # (σ·θ,)
    lik = np.stack(liks, axis=1)  # (σ·θ, outcomes)
    pred = joint @ lik
    moment = joint @ (lik * np.tile(THETA, SIGMA_GRID.size)[:, None])
    return pred, moment / np.where(pred > 0, pred, 1.0)


def _gain(prob: np.ndarray, after: np.ndarray, w: np.ndarray, other: float) -> float:
    """E[max(Σⱼ wⱼ·afterⱼ, other)] − max(E[Σⱼ wⱼ·afterⱼ], other), exactly up to a grid of 0.002.

    Each cell's possible means after the conversation form a small distribution;
    the distribution of the weighted sum is built exactly on a fine grid
    (:func:`~.model.weighted_sum`, means kept exact). Exactly 0 when no answer
    could change the choice.
    """
    low = float((w * after.min(axis=1)).sum())
    high = float((w * after.max(axis=1)).sum())
    now = float((w * (prob * after).sum(axis=1)).sum())
    if high <= other or low >= other:
        return 0.0
    dist = weighted_sum(prob[None], after[None], w)[0]
    gain = float((dist * np.maximum(sum_grid(float(w.sum())), other)).sum()) - max(now, other)
    return max(gain, 0.0)


def option_voi(
    a: Analysis,
    reliability: Mapping[str, float] | None = None,
    people: int = 1,
    outcomes: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """EVSI of conversations with ``people`` more people about each option (−2..+2 scale, ≥ 0)."""
    n_o, n_c = a.option_ids.size, a.criterion_ids.size
    if n_o == 0 or n_c == 0:
        return np.zeros(n_o)
    pred, after = outcomes if outcomes is not None else _outcomes(a, reliability, people)
    pred, after = pred.reshape(n_o, n_c, -1), after.reshape(n_o, n_c, -1)
    score, w = a.score, a.weights
    contenders = a.contenders()
    used = w > 0
    out = np.zeros(n_o)
    for o in range(n_o):
        rivals = contenders.copy()
        rivals[o] = False
        other = float(score[rivals].max()) if rivals.any() else 0.0
        out[o] = _gain(pred[o][used], after[o][used], w[used], other)
    return out


def _spoken(insights: pd.DataFrame, conversations: pd.DataFrame) -> dict[int, set[int]]:
    """Per option id, the contacts who have told you about it already (interviewed, or a source of a note)."""
    done: dict[int, set[int]] = {}
    if len(conversations):
        talked = conversations[conversations["status"].isin(HELD)].dropna(subset=["contact_id"])
        for oid, cid in zip(talked["option_id"], talked["contact_id"], strict=True):
            done.setdefault(int(oid), set()).add(int(cid))
    if len(insights):
        keys = source_keys(insights)
        person = keys % 3 == 0
        for oid, key in zip(insights["option_id"].to_numpy()[person], keys[person], strict=True):
            done.setdefault(int(oid), set()).add(int(key // 3 - 1))
    return done


def next_conversations(
    a: Analysis,
    insights: pd.DataFrame,
    contacts: pd.DataFrame,
    insider_links: pd.DataFrame,
    conversations: pd.DataFrame,
    *,
    n: int = 5,
    reliability: Mapping[str, float] | None = None,
    voi_threshold: float = VOI_THRESHOLD,
) -> pd.DataFrame:
    """The ``n`` conversations (contact × option) that would help the decision most, best first.

    Candidates are your contacts linked to an option as insiders who have not
    told you about it yet. ``value``: the conversation's EVSI (−2..+2 scale);
    ``value_round``: the EVSI of a round of three such conversations;
    ``worth_it``: whether either reaches the threshold; ``criteria``: where the
    answer matters most; ``reason``: why, in one line. An option with no such
    contact gets one row without a contact and the advice to find someone who
    does the work (or, when everyone you know there has spoken, to ask them who else).
    """
    if isinstance(n, bool) or not isinstance(n, Integral) or not 1 <= int(n) <= 10_000:
        raise ValidationError("n", f"must be a whole number from 1 to 10,000, not {n!r}")
    threshold = check_voi_threshold(voi_threshold)
    n_o, n_c = a.option_ids.size, a.criterion_ids.size
    if n_o == 0 or n_c == 0:
        return pd.DataFrame(columns=NEXT_COLUMNS)
    pred, after = _outcomes(a, reliability)
    value = option_voi(a, reliability, outcomes=(pred, after))
    value_round = option_voi(a, reliability, people=ROUND)
    swing = (pred * np.abs(after - a.post.mean[:, None])).sum(axis=1).reshape(n_o, n_c) * a.weights
    active = contacts.set_index("id") if len(contacts) else pd.DataFrame(columns=["name", "strength"])
    links = insider_links[insider_links["contact_id"].isin(active.index)] if len(insider_links) else insider_links
    insiders: dict[int, list[int]] = {}
    for oid, cid in zip(links.get("option_id", []), links.get("contact_id", []), strict=True):
        insiders.setdefault(int(oid), []).append(int(cid))
    spoken = _spoken(insights, conversations)
    order, contenders, score = leader_order(a), a.contenders(), a.score
    rows: list[dict] = []
    for o in np.lexsort((a.option_ids, -np.round(value_round, 12), -np.round(value, 12))):
        if len(rows) >= int(n):
            break
        oid, title = int(a.option_ids[o]), a.titles[o]
        top = [a.names[j] for j in np.argsort(-swing[o], kind="stable")[:2] if a.weights[j] > 0]
        known = insiders.get(oid, [])
        people = sorted(
            (i for i in known if i not in spoken.get(oid, set())),
            key=lambda i: (-int(active.at[i, "strength"]), str(active.at[i, "name"]), i),
        )
        reason = _reason(a, o, order, contenders, score, float(value[o]), float(value_round[o]), threshold)
        base = {
            "option_id": oid,
            "option": title,
            "value": float(value[o]),
            "value_round": float(value_round[o]),
            "worth_it": bool(max(value[o], value_round[o]) >= threshold),
            "criteria": ", ".join(top),
            "n_sources": int(a.post.readings.option_sources[o]),
            "score": float(score[o]),
        }
        if not people:
            why = (
                "find someone who does this work: nobody in your contacts is linked to it as an insider yet"
                if not known
                else "everyone you know there has told you already: ask them who else to talk to"
            )
            rows.append({**base, "contact_id": pd.NA, "contact": "", "reason": f"{reason} Next: {why}."})
            continue
        for cid in people[:PER_OPTION]:
            name = str(active.at[cid, "name"])
            rows.append(
                {**base, "contact_id": cid, "contact": name, "reason": f"{reason} Ask about {' and '.join(top)}."}
            )
    frame = pd.DataFrame(rows[: int(n)], columns=NEXT_COLUMNS)
    frame["contact_id"] = frame["contact_id"].astype("Int64")
    return frame


def _reason(
    a: Analysis,
    o: int,
    order: np.ndarray,
    contenders: np.ndarray,
    score: np.ndarray,
    value: float,
    value_round: float,
    threshold: float,
) -> str:
    title = a.titles[o]
    ranked = [int(i) for i in order if contenders[i]]
    gain = f"expected gain {value:.3f} on the −2..+2 scale, {value_round:.3f} for a round of {ROUND} people"
    if not a.has_evidence[o]:
        if a.has_evidence.any():
            leader = a.titles[ranked[0]]
            return (
                f"Nothing is known about {title} yet: one conversation shows whether it can compete with "
                f"{leader} ({gain})."
            )
        return (
            f"Nothing is known about any option yet: a first conversation about {title} starts the comparison ({gain})."
        )
    if max(value, value_round) < threshold:
        return f"Unlikely to change your decision: no answer about {title} would move it much ({gain})."
    if len(ranked) < 2:
        return f"It shows whether {title} is good for you at all ({gain})."
    if ranked[0] == o:
        gap = score[o] - score[ranked[1]]
        return f"{title} leads {a.titles[ranked[1]]} by {gap:.2f}: this shows whether the lead holds ({gain})."
    gap = score[ranked[0]] - score[o]
    return f"{title} trails {a.titles[ranked[0]]} by {gap:.2f}: good answers could put it ahead ({gain})."


def stop_rule(frame: pd.DataFrame, verdict_: Verdict, voi_threshold: float = VOI_THRESHOLD) -> str:
    """One sentence: whether more conversations are likely to change the decision."""
    if frame.empty or verdict_.kind in {"empty", "single", "no-evidence"}:
        return ""
    best = float(frame[["value", "value_round"]].to_numpy().max())
    if best >= voi_threshold:
        return ""
    worth = f"even a round of {ROUND} more conversations is worth at most {best:.2g}, under {voi_threshold:.2g}"
    if verdict_.kind == "close":
        return (
            f"More conversations are unlikely to settle it ({worth}): on what you know, these options are about "
            "equally good for you; decide on what the evidence does not cover."
        )
    return f"More conversations are unlikely to change the decision for {verdict_.title} ({worth})."
