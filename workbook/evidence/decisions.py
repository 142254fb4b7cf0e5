"""What the evidence says you should do: the verdict, weight sensitivity, the confirmation check.

**The verdict** compares the leader with the runner-up and with neutral, among
the options you have evidence on (an option nobody has told you anything about
is never called the leader, however wide its spread):

* when even the best option is probably below neutral (its score under 0):
  "none of the options looks good yet", and which is the least bad;
* when the leader is ahead of the runner-up in fewer than :data:`TIE_AHEAD` of
  the possibilities the evidence allows, they cannot be told apart: "practically
  tied — either is as good" when both are well known and close
  (within :data:`PRACTICAL_DIFFERENCE` steps in :data:`PRACTICAL_SHARE` of the
  possibilities), else "too close to call", with what would separate them;
* "the evidence favours X" only when X is ahead in at least
  :data:`CLEARLY_AHEAD` of the possibilities *and* choosing it risks little
  (expected loss at most ``favour``, settable);
* "leaning towards X" when the expected loss is at most ``lean``;
* otherwise "too close to call".

Every figure comes with what it means: the chance of being good at all (above
neutral), of being the best, and what a wrong choice would cost in steps of the
scale. Options with thin evidence (few people, or little of what matters to you
covered) are named.

**Sensitivity.** For each criterion, its weight is moved (all others kept)
until another option with evidence overtakes the leader's score. Scores are
weighted averages, so that point is found exactly.

**Value of information** (which conversation next) is in :mod:`.voi`.

**Confirmation check** (it changes nothing in the scores): an option whose
evidence in favour comes from only one or two people, at least one of them an
enthusiast (everything they said about it in favour, strongly or on two
criteria or more), with nothing against it, is flagged: one enthusiast's view
counts once, however many criteria it covers. So is an option with three or
more people in favour, nothing against it, and no question prepared that could
disprove your hopes. Neutral notes are
neither for nor against: evidence that is only neutral is never flagged.
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
#: People in favour at which an option with nothing against it needs a disconfirming question prepared.
BIAS_MIN_SOURCES = 3
#: People in favour at or below which an option with nothing against it rests on "only enthusiasts".
ENTHUSIASTS = 2
#: The leader must be ahead of the runner-up in at least this share of the possibilities to be favoured ...
CLEARLY_AHEAD = 0.95
#: ... and below this share the two cannot be told apart.
TIE_AHEAD = 0.65
#: Two options are practically equal when they differ by less than half a step ...
PRACTICAL_DIFFERENCE = 0.5
#: ... in at least this share of the possibilities.
PRACTICAL_SHARE = 0.9
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

    #: empty | single | no-evidence | one-known | none-good | tied | close | leaning | favours
    kind: str
    option_id: int | None
    title: str
    loss: float
    headline: str
    details: list[str]
    #: The runner-up (when there is one), and the chance that the leader is ahead of it.
    runner_id: int | None = None
    p_ahead: float = float("nan")


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


def steps(x: float) -> str:
    """A distance on the scale in words: "0.30 steps" (a step: from neutral to "somewhat good")."""
    return f"{x:.2f} step{'' if abs(x - 1) < 0.005 else 's'}"


def _sure(row: pd.Series) -> str:
    return f"score {signed(row['score'], 2)}, 90% sure between {signed(row['low'], 2)} and {signed(row['high'], 2)}"


def _thin_words(row: pd.Series | dict) -> str:
    people = int(row["n_sources"])
    heard = f"{people} source{'s' if people != 1 else ''}"
    return f"{row['title']} ({heard}; {100 * float(row['covered']):.0f}% of what matters to you has any evidence)"


SCALE_NOTE = (
    "Scores are on the −2..+2 scale of your notes: 0 is neutral, +1 somewhat good for you, +2 as good as it "
    "gets; a step is the distance from one to the next."
)


def _context(frame: pd.DataFrame, known: pd.DataFrame) -> list[str]:
    """The details every verdict starts from: options without evidence, options with thin evidence."""
    unknown = [str(x) for x in frame.loc[frame["n_sources"] == 0, "title"]]
    details = []
    if unknown:
        one = len(unknown) == 1
        details.append(
            f"No evidence yet for {_names(unknown)}: {'it is' if one else 'they are'} not compared until someone "
            f"has told you about {'it' if one else 'them'}."
        )
    marked = known[known["thin"].astype(bool)] if "thin" in known else known.iloc[:0]
    thin = [_thin_words(row) for row in marked.to_dict("records")]  # records: iterrows is slow on 200 options
    if thin:
        whose = "its" if len(thin) == 1 else "their"
        details.append(f"Thin evidence, so read {whose} figures with care: {'; '.join(thin)}.")
    return details


def _noise_words(a: Analysis | None) -> list[str]:
    """The sentence saying the intervals rest on assumptions, when nobody has disagreed with anybody yet."""
    if a is None or a.post.noise.from_disagreement:
        return []
    return [a.post.noise.sentence()]


def _one_known(lead: pd.Series, unknown: list[str]) -> str:
    title = str(lead["title"])
    if float(lead["score"]) < 0:
        return (
            f"Only {title} has evidence so far, and it does not look good yet ({_sure(lead)}, below neutral): "
            f"hear about {_names(unknown)} before you decide."
        )
    return (
        f"Only {title} has evidence so far ({_sure(lead)}): there is nothing to compare it with until you "
        f"hear about {_names(unknown)}."
    )


def _race(a: Analysis | None, lead: pd.Series, runner: pd.Series) -> tuple[float, bool]:
    """The chance the leader is ahead of the runner-up, and whether the two are practically equal."""
    if a is None:
        p1, p2 = float(lead["p_best"]), float(runner["p_best"])
        return (p1 / (p1 + p2) if p1 + p2 > 0 else 0.5), False
    order = {int(oid): i for i, oid in enumerate(a.option_ids)}
    i, j = order[int(lead.name)], order[int(runner.name)]
    diff = a.difference(i, j)
    return a.p_ahead(i, j), float((np.abs(diff) < PRACTICAL_DIFFERENCE).mean()) >= PRACTICAL_SHARE


def _kind(ahead: float, equal: bool, loss: float, t: Mapping[str, float]) -> str:
    if ahead < TIE_AHEAD:
        return "tied" if equal else "close"
    if ahead >= CLEARLY_AHEAD and loss <= t["favour"]:
        return "favours"
    return "leaning" if loss <= t["lean"] else "close"


def _headline(kind: str, lead: pd.Series, runner: pd.Series, ahead: float, settle: str) -> str:
    title, runner_title = str(lead["title"]), str(runner["title"])
    loss = float(lead["expected_loss"])
    wrong = float(lead.get("loss_if_wrong", loss))
    at_stake = (
        f"if it is not the best after all, choosing it would cost about {steps(wrong)} on average; "
        f"over all the possibilities, the expected loss is {loss:.2f}"
    )
    if kind == "tied":
        headline = (
            f"{title} and {runner_title} are practically tied: either is as good on this evidence "
            f"(scores {signed(lead['score'], 2)} and {signed(runner['score'], 2)})"
        )
        return headline + (f"; what would separate them best is {settle}." if settle else ".")
    if kind == "close":
        headline = (
            f"Too close to call between {title} and {runner_title}: {title} is ahead in only {_pct(ahead)} of the "
            "possibilities the evidence allows"
        )
        return headline + (f" — what would separate them best is {settle}." if settle else ".")
    if kind == "favours":
        return (
            f"The evidence favours {title} ({_sure(lead)}): it is ahead of {runner_title} in {_pct(ahead)} of the "
            f"possibilities, and choosing it risks little ({at_stake})."
        )
    return (
        f"Leaning towards {title} ({_sure(lead)}): ahead of {runner_title} in {_pct(ahead)} of the possibilities, "
        f"but not settled ({at_stake})."
    )


def _none_good(kind: str, lead: pd.Series, runner: pd.Series) -> str:
    title, runner_title = str(lead["title"]), str(runner["title"])
    kind_words = {"tied": "tied", "close": "too close to call"}.get(kind, "")
    return (
        f"None of the options looks good yet: even the best, {title}, is below neutral ({_sure(lead)}), so "
        f"{title} is only the least bad"
        + (f", and it is {kind_words} with {runner_title}." if kind_words else f", ahead of {runner_title}.")
        + " Look for another path, or for what would make one of these better."
    )


def verdict(
    frame: pd.DataFrame,
    a: Analysis | None = None,
    *,
    thresholds: Mapping[str, float] | None = None,
    settle: str = "",
) -> Verdict:
    """What :func:`compare`'s table says, in plain words. ``settle``: the conversation that would help most.

    ``a``: the analysis behind the table (for the chance that the leader is ahead of the runner-up);
    without it that chance is estimated from the chances of being best.
    """
    t = check_thresholds(thresholds)
    if frame.empty:
        return Verdict("empty", None, "", 0.0, "Nothing to compare yet: no career options are listed.", [])
    known = frame[frame["n_sources"] > 0]
    details = _context(frame, known)
    if len(frame) == 1:
        row = frame.iloc[0]
        headline = f"Only one option is listed ({row['title']}): add the alternatives you are weighing to compare them."
        return Verdict("single", int(frame.index[0]), str(row["title"]), 0.0, headline, details)
    if known.empty:
        headline = f"No evidence recorded yet for the {len(frame)} options listed."
        return Verdict("no-evidence", None, "", 0.0, headline, details)
    lead = known.iloc[0]
    lead_id, title, loss = int(known.index[0]), str(lead["title"]), float(lead["expected_loss"])
    good = float(lead["p_good"]) if "p_good" in lead else float("nan")
    good_words = (
        f"{title} is good for you at all (above neutral) in {_pct(good)} of the possibilities." if good == good else ""
    )
    if len(known) == 1:
        unknown = [str(x) for x in frame.loc[frame["n_sources"] == 0, "title"]]
        headline = _one_known(lead, unknown) + (f" {good_words}" if good_words else "")
        return Verdict("one-known", lead_id, title, loss, headline, details + _noise_words(a))
    runner = known.iloc[1]
    ahead, equal = _race(a, lead, runner)
    kind = _kind(ahead, equal, loss, t)
    headline = _headline(kind, lead, runner, ahead, settle)
    if float(lead["score"]) < 0:
        headline, kind = _none_good(kind, lead, runner), "none-good"
    best = [f"{row['title']} {_pct(float(row['p_best']))}" for _, row in known.head(4).iterrows()]
    details = [
        "Chance of being the best fit among the options with evidence: " + ", ".join(best) + ".",
        *([good_words] if good_words else []),
        *details,
    ]
    if kind != "favours" and "expected_loss_fixed" in lead and float(lead["expected_loss_fixed"]) <= t["favour"]:
        details.append(
            "Most of the remaining doubt is about how much each criterion matters to you, not about "
            "the evidence: move the weights to see when the choice would change."
        )
    return Verdict(kind, lead_id, title, loss, headline, details + _noise_words(a), int(runner.name), ahead)


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
    if not a.has_evidence.any():
        rows = [
            {
                **dict.fromkeys(SENSITIVITY_COLUMNS, math.nan),
                "criterion": name,
                "weight": a.raw_weights[j],
                "share": a.weights[j],
                "leader": "",
                "lower_leader": "",
                "raise_leader": "",
                "changes_leader": False,
                "note": "No option has evidence yet: nothing leads, so no weight can change the leader.",
            }
            for j, name in enumerate(a.names)
        ]
        return pd.DataFrame(rows, index=index, columns=SENSITIVITY_COLUMNS)
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
    insights: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Options whose good news rests on one or two enthusiasts, or on people never asked a disconfirming question.

    ``insights``: the notes (to count the people in favour); without them every
    source with a note in favour is counted. ``disprove_questions``: the texts of
    the questions that could disprove your hopes (the question bank's ``disprove``
    topic and your own). Columns: ``option_id``, ``option``, ``n_sources``
    (people in favour), ``warning``.
    """
    from .sources import source_keys

    r = a.post.readings
    n_o, n_c = r.shape
    against = r.n_against.reshape(n_o, n_c).sum(axis=1) if n_c else np.zeros(n_o)
    in_favour = np.zeros(n_o, dtype="int64")
    enthusiasts = np.zeros(n_o, dtype="int64")
    if insights is not None and len(insights):
        index = pd.Index(a.option_ids)
        pos = index.get_indexer(insights["option_id"].to_numpy(dtype="int64"))
        keep = pos >= 0
        if keep.any():
            ins = insights[keep]
            o = pos[keep]
            stance = ins["stance"].to_numpy(dtype="int64")
            # Each person (source) about each option: their best and worst stance and how many criteria they were
            # in favour of, by integer codes (a pandas group-by with three summaries took most of the time here).
            person = pd.factorize(source_keys(ins))[0]
            group, _ = pd.factorize(o * (int(person.max()) + 1) + person)
            n_g = int(group.max()) + 1
            best = np.full(n_g, np.iinfo(np.int64).min)
            worst = np.full(n_g, np.iinfo(np.int64).max)
            np.maximum.at(best, group, stance)
            np.minimum.at(worst, group, stance)
            criterion = pd.factorize(ins["criterion_id"].to_numpy(dtype="int64"))[0]
            pos_pairs = np.unique(group[stance > 0] * (int(criterion.max()) + 1) + criterion[stance > 0])
            criteria = np.bincount(pos_pairs // (int(criterion.max()) + 1), minlength=n_g)
            group_option = np.zeros(n_g, dtype="int64")
            group_option[group] = o
            favour = best > 0
            # An enthusiast: all in favour, and strongly so or on two criteria or more.
            keen = favour & (worst > 0) & ((best >= 2) | (criteria >= 2))
            in_favour = np.bincount(group_option[favour], minlength=n_o)
            enthusiasts = np.bincount(group_option[keen], minlength=n_o)
    else:
        fav = r.n_for.reshape(n_o, n_c).sum(axis=1) if n_c else np.zeros(n_o)
        in_favour = np.where(fav > 0, r.option_sources, 0)
    disprove = {_normal(t) for t in disprove_questions}
    asked: set[int] = set()
    if len(prep_questions) and len(conversations):
        texts = prep_questions[prep_questions["text"].map(_normal).isin(disprove)]
        conv = conversations.set_index("id")["option_id"]
        asked = {int(conv[c]) for c in texts["conversation_id"] if c in conv.index}
    rows = []
    for o in range(n_o):
        oid, title, people = int(a.option_ids[o]), a.titles[o], int(in_favour[o])
        if people == 0 or against[o] > 0:
            continue  # nothing in favour (neutral notes only), or something against: nothing to flag
        if people <= ENTHUSIASTS and enthusiasts[o] > 0:
            who = "one person" if people == 1 else "two people"
            warning = (
                f"Everything in favour of {title} comes from {who}, and nothing you noted is against it: "
                "someone who loves their work says so about all of it, and their view counts once however many "
                "criteria it covers. Hear from someone with no stake in it, and ask what they like least."
            )
        elif people >= BIAS_MIN_SOURCES and oid not in asked:
            warning = (
                f"Everything you have heard about {title} ({people} people in favour) is in its favour, and no "
                "question that could disprove your hopes is prepared: ask what people like least, what would "
                "make them leave, who should not do this work."
            )
        else:
            continue
        rows.append({"option_id": oid, "option": title, "n_sources": people, "warning": warning})
    return pd.DataFrame(rows, columns=["option_id", "option", "n_sources", "warning"])
