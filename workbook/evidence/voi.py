"""Who to talk to next: the value of a conversation with each person, looking a round ahead.

A conversation with a person covers every option they can speak to (the options
they are linked to as an insider, and have not told you about yet): they give
a reading on each criterion of each, with a leaning of their own (:mod:`.model`).
What that conversation is worth is how much the fit of your final choice
should improve thanks to it (the *expected value of sample information*):

    value = E[ best option's value after hearing them ] − best option's value now

computed in the model's Gaussian view of each option (its current mean and
the covariance of its cells, the person's leaning and noise included), so it
is never negative, and 0 when nothing they could say would change the choice.
The same view gives the chance that the conversation *changes* which option
comes out ahead, which is what the reason says.

One conversation seldom turns a decision on its own; what it reveals may only
pay in combination with a few more. So each candidate is also valued as the
first of a round of 1, 2, 3 or 5 similar conversations (:data:`ROUND_SIZES`),
and ranked by the best value per conversation over those rounds (the
knowledge-gradient policy KG(*) of Frazier and Powell).

**When to stop.** A conversation costs you time and goodwill. Its cost, in
steps of the −2..+2 scale (:data:`CONVERSATION_COST`, settable in notebook 08),
is what one conversation must add to the fit of your final choice to be worth
having. When no round's value exceeds its cost, more conversations are unlikely
to change the decision, and :func:`stop_rule` says so.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..store.conversations import HELD
from .decisions import Verdict
from .model import (
    CONFIDENCE_WEIGHT,
    ROUNDING_VARIANCE,
    THETA,
    normal_cdf_at,
    reading_noise,
    resolve_reliability,
)
from .ranking import Analysis, leader_order
from .sources import contact_of

#: What one conversation costs you, in steps of the −2..+2 scale: the improvement of your final choice it
#: must be expected to bring to be worth having.
CONVERSATION_COST = 0.002
#: Sizes of the rounds of similar conversations each candidate is valued as the first of.
ROUND_SIZES = (1, 2, 3, 5)
#: People suggested per option.
PER_OPTION = 2
#: Simulated answers for a person who can speak to several options at once.
SIMULATIONS = 4096
NEXT_COLUMNS = [
    "option_id",
    "option",
    "options",
    "contact_id",
    "contact",
    "value",
    "value_round",
    "round_size",
    "p_change",
    "worth_it",
    "criteria",
    "n_sources",
    "score",
    "reason",
]


def check_cost(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not 0 <= value <= 2:
        raise ValidationError("conversation_cost", f"must be a number from 0 to 2, not {value!r}")
    return float(value)


# ------------------------------------------------------------ Gaussian view
@dataclass
class View:
    """Each option's mean and cell covariance now, and what new people would add."""

    mean: np.ndarray  # (options,) value at your weights
    cov: np.ndarray  # (options, criteria, criteria)
    weights: np.ndarray  # (criteria,)
    one_person: np.ndarray  # (criteria, criteria) covariance of one new person's readings about θ


def gaussian_view(a: Analysis, reliability: Mapping[str, float] | None = None) -> View:
    """The options in the model's Gaussian view: means, cell covariances, a new person's reading noise."""
    post, n_o, n_c = a.post, a.option_ids.size, a.criterion_ids.size
    mean = post.theta @ THETA
    var = np.maximum(post.theta @ np.square(THETA) - np.square(mean), 1e-6)
    corr = sum(p.weight * p.correlation for p in post.parts) if post.parts else np.zeros((n_o, n_c, n_c))
    sd = np.sqrt(var).reshape(n_o, n_c)
    cov = corr * sd[:, :, None] * sd[:, None, :]
    rel = resolve_reliability(reliability)["interview"]
    noise = post.noise
    v = float(np.square(reading_noise(noise.sigma, rel, CONFIDENCE_WEIGHT["medium"]))) + ROUNDING_VARIANCE
    one = v * np.eye(n_c) + noise.tau**2 * np.ones((n_c, n_c))
    return View(a.score.copy(), cov, a.weights, one)


def preposterior_sd(view: View, people: int) -> np.ndarray:
    """Per option, the standard deviation of how far its value's mean would move after ``people`` new people."""
    cov = view.cov
    data = view.one_person / people
    gain = cov @ np.linalg.solve(cov + data[None], cov)  # Σ (Σ + C)⁻¹ Σ: how much the cells' covariance shrinks
    w = view.weights
    return np.sqrt(np.maximum(np.einsum("c,ocd,d->o", w, gain, w), 0.0))


def _gain_one(mean: float, sd: float, other: float) -> tuple[float, float]:
    """Value and chance of changing the choice when one option's mean moves by N(0, sd²) against ``other``."""
    if sd <= 0:
        return 0.0, 0.0
    z = -abs(mean - other) / sd
    cdf = normal_cdf_at(z)
    value = sd * (z * cdf + math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi))
    return max(value, 0.0), cdf


def _gain_many(means: np.ndarray, sds: np.ndarray, other: float, z: np.ndarray) -> tuple[float, float]:
    """The same for several options moving at once (independent changes), by simulation with fixed answers."""
    after = means[None, :] + z[:, : means.size] * sds[None, :]
    best_now = max(float(means.max()), other)
    best_after = np.maximum(after.max(axis=1), other)
    now_choice = int(np.argmax(means)) if means.max() >= other else -1
    choice_after = np.where(after.max(axis=1) >= other, after.argmax(axis=1), -1)
    return max(float(best_after.mean()) - best_now, 0.0), float((choice_after != now_choice).mean())


# ------------------------------------------------------------- candidates
def _spoken(insights: pd.DataFrame, conversations: pd.DataFrame) -> np.ndarray:
    """Pairs (option id, contact id) of the contacts who have told you about an option already (interviewed, or a
    source of a note), as :func:`_pair` keys."""
    from .sources import source_keys

    keys = [np.zeros(0, dtype=np.int64)]
    if len(conversations):
        talked = conversations[conversations["status"].isin(HELD)].dropna(subset=["contact_id"])
        keys.append(_pair(talked["option_id"].to_numpy(dtype=np.int64), talked["contact_id"].to_numpy(dtype=np.int64)))
    if len(insights):
        contact = contact_of(source_keys(insights))
        person = contact >= 0
        keys.append(_pair(insights["option_id"].to_numpy(dtype=np.int64)[person], contact[person].astype(np.int64)))
    return np.unique(np.concatenate(keys))


def _pair(option_id: np.ndarray, contact_id: np.ndarray) -> np.ndarray:
    """One number per (option id, contact id)."""
    return option_id * (1 << 31) + contact_id


@functools.lru_cache(maxsize=4)
def _answers(n_options: int) -> np.ndarray:
    """The fixed simulated answers of :func:`_gain_many` for ``n_options`` options (the same every time: kept)."""
    z = np.random.default_rng(20_260_101).standard_normal((SIMULATIONS, n_options))
    z.flags.writeable = False
    return z


class _Values:
    """What a conversation with someone covering some options is worth, for every round size (kept per set)."""

    def __init__(self, a: Analysis, view: View):
        self.a, self.mean = a, view.mean
        self.sds = {m: preposterior_sd(view, m) for m in ROUND_SIZES}
        self.z = _answers(a.option_ids.size)
        self.kept: dict[tuple[int, ...], dict[int, tuple[float, float]]] = {}

    def other_than(self, covered: tuple[int, ...]) -> float:
        rivals = self.a.contenders() & self.a.has_evidence
        rivals[list(covered)] = False
        # Against the best other option with evidence; with none, against neutral (is it good at all?).
        return float(self.mean[rivals].max()) if rivals.any() else 0.0

    def __call__(self, covered: tuple[int, ...]) -> dict[int, tuple[float, float]]:
        if covered not in self.kept:
            other, idx = self.other_than(covered), list(covered)
            self.kept[covered] = {
                m: _gain_one(float(self.mean[idx[0]]), float(self.sds[m][idx[0]]), other)
                if len(idx) == 1
                else _gain_many(self.mean[idx], self.sds[m][idx], other, self.z)
                for m in ROUND_SIZES
            }
        return self.kept[covered]


def _candidates(
    a: Analysis,
    insights: pd.DataFrame,
    contacts: pd.DataFrame,
    insider_links: pd.DataFrame,
    conversations: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[int, list[int]], dict[int, set[int]]]:
    """Your active contacts; per contact the options (indexes) they could still tell you about; per option id
    the contacts linked to it."""
    active = contacts.set_index("id") if len(contacts) else pd.DataFrame(columns=["name", "strength"])
    links = insider_links[insider_links["contact_id"].isin(active.index)] if len(insider_links) else insider_links
    person_options: dict[int, list[int]] = {}
    linked: dict[int, set[int]] = {}
    if not len(links):
        return active, person_options, linked
    oid = links["option_id"].to_numpy(dtype=np.int64)
    cid = links["contact_id"].to_numpy(dtype=np.int64)
    index = pd.Index(a.option_ids).get_indexer(oid)
    known = index >= 0
    oid, cid, index = oid[known], cid[known], index[known]
    for o, c in zip(oid.tolist(), cid.tolist(), strict=True):
        linked.setdefault(o, set()).add(c)
    new = ~np.isin(_pair(oid, cid), _spoken(insights, conversations))
    for c, i in zip(cid[new].tolist(), index[new].tolist(), strict=True):
        person_options.setdefault(c, []).append(i)
    return active, person_options, linked


def next_conversations(
    a: Analysis,
    insights: pd.DataFrame,
    contacts: pd.DataFrame,
    insider_links: pd.DataFrame,
    conversations: pd.DataFrame,
    *,
    n: int = 5,
    reliability: Mapping[str, float] | None = None,
    conversation_cost: float = CONVERSATION_COST,
) -> pd.DataFrame:
    """The ``n`` conversations that would help the decision most, best first, one row per person.

    Candidates are your contacts linked to an option as insiders who have not
    told you about it yet (a person linked to several options covers them all),
    and, for an option with nobody left to ask, "someone who does this work".
    ``value``: what one conversation adds to the fit of your final choice (steps
    on the −2..+2 scale); ``value_round``: what the best round of similar
    conversations adds, ``round_size`` how many; ``p_change``: the chance that
    this one conversation changes which option comes out ahead; ``worth_it``:
    whether some round is worth more than it costs; ``criteria``: what to ask
    about; ``reason``: why, in one sentence.
    """
    if isinstance(n, bool) or not isinstance(n, Integral) or not 1 <= int(n) <= 10_000:
        raise ValidationError("n", f"must be a whole number from 1 to 10,000, not {n!r}")
    cost = check_cost(conversation_cost)
    if a.option_ids.size == 0 or a.criterion_ids.size == 0:
        return pd.DataFrame(columns=NEXT_COLUMNS)
    view = gaussian_view(a, reliability)
    values = _Values(a, view)
    active, person_options, linked = _candidates(a, insights, contacts, insider_links, conversations)
    # Where an answer matters most: each criterion's uncertainty, weighted.
    swing = np.diagonal(view.cov, axis1=1, axis2=2) * np.square(view.weights)[None, :]
    order = [int(i) for i in leader_order(a) if a.has_evidence[i]]
    names = dict(zip(active.index.tolist(), active["name"].tolist(), strict=True))
    strengths = dict(zip(active.index.tolist(), active["strength"].tolist(), strict=True))
    rows: list[dict] = []
    for cid, covered in person_options.items():
        key = tuple(sorted(set(covered)))
        name, strength = str(names[cid]), int(strengths[cid])
        rows.append(_row(a, view.mean, key, values(key), cost, swing, cid, name, strength))
    asked = {o for cov in person_options.values() for o in cov}
    for o in (o for o in range(a.option_ids.size) if o not in asked):  # options with nobody left to ask
        rows.append(_row(a, view.mean, (o,), values((o,)), cost, swing, None, "", 0))
    frame = pd.DataFrame(rows, columns=[*NEXT_COLUMNS, "_rank", "_strength", "_covered"])
    if frame.empty:
        return pd.DataFrame(columns=NEXT_COLUMNS)
    frame = frame.sort_values(
        ["_rank", "value", "_strength", "contact", "option_id"],
        ascending=[False, False, False, True, True],
        kind="stable",
    )
    frame = frame[frame.groupby("option_id").cumcount() < PER_OPTION]
    frame = frame.head(int(n)).reset_index(drop=True)
    # The words only for the conversations shown (a few of several hundred candidates).
    main = pd.Index(a.option_ids).get_indexer(frame["option_id"].to_numpy(dtype=np.int64))
    words = [
        _words(a, view, covered, int(o), swing, cid, name, p, worth, cost, order, linked)
        for covered, o, cid, name, p, worth in zip(
            frame["_covered"],
            main,
            frame["contact_id"],
            frame["contact"],
            frame["p_change"],
            frame["worth_it"],
            strict=True,
        )
    ]
    frame["options"] = [w[0] for w in words]
    frame["criteria"] = [w[1] for w in words]
    frame["reason"] = [w[2] for w in words]
    frame = frame.drop(columns=["_rank", "_strength", "_covered"])
    frame["contact_id"] = frame["contact_id"].astype("Int64")
    return frame


def _row(
    a: Analysis,
    mean: np.ndarray,
    covered: tuple[int, ...],
    values: dict[int, tuple[float, float]],
    cost: float,
    swing: np.ndarray,
    cid: int | None,
    name: str,
    strength: int,
) -> dict:
    """One candidate's row (``mean``: the options' scores), its words left out (:func:`_words` writes them for the
    rows shown)."""
    value, p_change = values[1]
    per = {m: values[m][0] / m for m in ROUND_SIZES}
    best_m = max(ROUND_SIZES, key=lambda m: (values[m][0] - m * cost, -m))
    worth = values[best_m][0] - best_m * cost > 0
    main = _main(covered, swing)
    return {
        "option_id": int(a.option_ids[main]),
        "option": a.titles[main],
        "options": "",
        "contact_id": pd.NA if cid is None else cid,
        "contact": name,
        "value": float(value),
        "value_round": float(values[best_m][0]),
        "round_size": int(best_m),
        "p_change": float(p_change),
        "worth_it": bool(worth),
        "criteria": "",
        "n_sources": int(a.post.readings.option_sources[main]),
        "score": float(mean[main]),
        "reason": "",
        "_rank": max(per.values()),
        "_strength": strength,
        "_covered": covered,
    }


def _main(covered: tuple[int, ...], swing: np.ndarray) -> int:
    """The option a conversation is mostly about: the one with the most weighted uncertainty."""
    return max(covered, key=lambda o: (float(swing[o].sum()), -o))


def _words(
    a: Analysis,
    view: View,
    covered: tuple[int, ...],
    main: int,
    swing: np.ndarray,
    cid: object,
    name: str,
    p_change: float,
    worth: bool,
    cost: float,
    order: list[int],
    linked: dict[int, set[int]],
) -> tuple[str, str, str]:
    """A candidate's options, the criteria to ask about, and the reason, in words."""
    top = [a.names[j] for j in np.argsort(-swing[main], kind="stable")[:2] if view.weights[j] > 0]
    titles = [a.titles[o] for o in covered]
    reason = _reason(a, view.mean, order, main, covered, name, p_change, worth, cost)  # view.mean: the scores
    person = cid is not None and not pd.isna(cid)
    if top and person:
        reason += f" Ask about {' and '.join(top)}."
    if not person:  # an option with nobody left to ask
        why = (
            "find someone who does this work: nobody in your contacts is linked to it as an insider yet"
            if not linked.get(int(a.option_ids[main]))
            else "everyone you know there has told you already: ask them who else to talk to"
        )
        reason = f"{reason} Next: {why}."
    return "; ".join(titles), ", ".join(top), reason


def _chance(p: float) -> str:
    """ "a 23% chance", "an 8% chance", "less than a 1% chance"."""
    if p < 0.01:
        return "less than a 1% chance"
    if p > 0.99:
        return "more than a 99% chance"
    number = f"{100 * p:.0f}"
    article = "an" if number.startswith("8") or number in {"11", "18"} else "a"
    return f"{article} {number}% chance"


def _reason(
    a: Analysis,
    score: np.ndarray,
    order: list[int],
    o: int,
    covered: tuple[int, ...],
    name: str,
    p: float,
    worth: bool,
    cost: float,
) -> str:
    title = a.titles[o]
    who = name or "someone who does this work"
    also = [a.titles[x] for x in covered if x != o]
    extra = f" They can also speak to {', '.join(also)}." if also else ""
    chance = _chance(p)
    if not worth:
        return (
            f"Unlikely to change your choice: what {who} could tell you about {title} has {chance} of "
            f"putting another path ahead, worth less than the {cost:g} steps a conversation costs you.{extra}"
        )
    if not a.has_evidence[o]:
        if order:
            return (
                f"Nothing is known about {title} yet: {who} could show whether it can compete with "
                f"{a.titles[order[0]]}, with {chance} that it comes out ahead.{extra}"
            )
        return f"Nothing is known about any option yet: {who} would start the comparison with {title}.{extra}"
    if len(order) < 2:
        return (
            f"{who[0].upper()}{who[1:]} could show whether {title} is good for you at all, with {chance} of "
            f"changing your view.{extra}"
        )
    if order[0] == o:
        gap = score[o] - score[order[1]]
        return (
            f"{title} leads {a.titles[order[1]]} by {gap:.2f} steps: {who} could show whether the lead holds "
            f"— {chance} that it does not.{extra}"
        )
    gap = score[order[0]] - score[o]
    return f"{title} trails {a.titles[order[0]]} by {gap:.2f} steps: {who} could put it ahead — {chance}.{extra}"


def stop_rule(frame: pd.DataFrame, verdict_: Verdict, conversation_cost: float = CONVERSATION_COST) -> str:
    """One sentence: whether more conversations are likely to change the decision, at what a conversation costs."""
    if frame.empty or verdict_.kind in {"empty", "single", "no-evidence"}:
        return ""
    if frame["worth_it"].any():
        return ""
    row = frame.iloc[0]
    best = float(frame["value_round"].max())
    worth = (
        f"the most useful one has {_chance(float(row['p_change']))} of changing it and would add about "
        f"{best:.3f} steps, less than the {conversation_cost:g} steps you set a conversation to cost"
    )
    if verdict_.kind in {"close", "tied"}:
        return (
            f"More conversations are unlikely to settle it ({worth}): on what you know, these options are about "
            "equally good for you; decide on what the evidence does not cover."
        )
    return f"More conversations are unlikely to change the decision for {verdict_.title} ({worth})."
