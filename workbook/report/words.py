"""The comparison in plain words: one wording for notebook 06, the no-code app and the report.

Pure functions over the evidence engine's frames (:func:`workbook.evidence.compare`'s
table and :func:`workbook.evidence.next_conversations`'): each option's figures and each
suggested conversation as short phrases a newcomer can read, and what every
figure means (:data:`MEANINGS`). Nothing here renders HTML: the form's tables and
the report's templates escape what they show.

- A chance is a whole percentage; an option nobody has told you about shows
  "no evidence" instead of a chance (its spread is not evidence).
- The expected loss is in *steps* of the −2..+2 scale (one step: from neutral to
  "somewhat good"), with a word for its size from the decision thresholds.
- People are counted as people: one person counts once however many notes they
  gave; online reviews, job postings and desk research count once per kind.
- Thin evidence (fewer than two sources, or under half of what matters to you
  covered) is named with its reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..evidence.decisions import check_thresholds
from ..evidence.ranking import THIN_COVERED, THIN_PEOPLE
from ..formatting import signed

#: Shown instead of a chance, a score or an interval for an option nobody has told you about.
NO_EVIDENCE = "no evidence"

#: What each figure means, in the words of the table and the report (one sentence each).
MEANINGS: dict[str, str] = {
    "score": (
        "Score: what the evidence says the option is worth to you, on the −2..+2 scale of your notes "
        "(0 is neutral, +1 somewhat good, +2 as good as it gets), your criteria weighted as you set them."
    ),
    "interval": (
        "90% interval: the option's true score is very likely (9 times in 10) inside this range; it narrows "
        "as you hear from more people, and it stays wide when people disagree or little is known."
    ),
    "p_good": (
        "Chance good at all: how likely the option is above neutral for you, whatever the other options — "
        "a path can be the best of a poor set."
    ),
    "p_best": (
        "Chance best: how often it came out on top of the options with evidence over many what-ifs (the "
        "evidence and your weights varied). An option nobody has told you about shows “no evidence”: a chance "
        "for it would come from not knowing, not from evidence."
    ),
    "loss": (
        "Expected loss: if you choose this option, how much worse than the best one it would turn out, on "
        "average over everything the evidence still allows, in steps of the scale (one step is the distance "
        "from neutral to “somewhat good”). 0 means it is surely the best; the smaller, the safer the choice."
    ),
    "sources": (
        "Heard from: people counted as people — someone who loves their job says so about all of it, so one "
        "person counts once however many notes they gave; online reviews, job postings and desk research "
        "count once per kind, because they echo each other."
    ),
    "covered": "Evidence on: the share of what matters to you (your weights) with any evidence at all.",
    "thin": (
        f"Thin evidence: fewer than {THIN_PEOPLE} sources, or less than {100 * THIN_COVERED:.0f}% of what "
        "matters to you covered — read that option's figures with care."
    ),
}

#: What each column of the next-conversations table means.
NEXT_MEANINGS: dict[str, str] = {
    "p_change": (
        "Chance it changes the decision: how likely what this person could tell you puts a different path "
        "ahead (or shows the leader is not good at all)."
    ),
    "worth_it": (
        "Worth it: whether this conversation (alone or as the first of a few like it) is expected to improve "
        "your final choice by more than a conversation costs you (set in notebook 08)."
    ),
}


#: Each kind of verdict in a few words, shown above the headline.
VERDICT_LABELS: dict[str, str] = {
    "favours": "The evidence favours one path",
    "leaning": "Leaning, not settled",
    "close": "Too close to call",
    "tied": "Practically tied",
    "none-good": "None looks good yet",
    "one-known": "Only one path has evidence",
    "no-evidence": "No evidence yet",
    "single": "Only one path listed",
}


def noise_sentence(decision: Any) -> str:
    """When no two sources have spoken about the same thing: that the intervals rest on an assumption.

    ``decision`` is a :class:`workbook.evidence.Decision`. Empty when the noise was learned from
    disagreement, when there is no evidence at all, or when the verdict already says it.
    """
    if decision.verdict.kind in {"empty", "no-evidence"} or not len(decision.scores):
        return ""
    if not (decision.scores["n_sources"] > 0).any():
        return ""
    noise = decision.analysis.post.noise
    if getattr(noise, "from_disagreement", True):
        return ""
    sentence = str(noise.sentence())
    return "" if sentence in decision.verdict.details else sentence


def meanings(thresholds: Mapping[str, float] | None = None) -> list[str]:
    """What each figure of the comparison means, in order; the expected loss with its sizes at ``thresholds``."""
    limits = check_thresholds(thresholds)
    texts = [MEANINGS[k] for k in ("score", "interval", "p_good", "p_best", "loss", "sources", "covered", "thin")]
    texts[4] += (
        f" Small: up to {steps(limits['favour'])}; moderate: up to {steps(limits['lean'])}; large beyond "
        "(notebook 08 sets both)."
    )
    return texts


def _missing(x: Any) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def chance(p: Any) -> str:
    """A chance as people read it: ``37%``, ``under 1%``, ``over 99%``; "no evidence" when there is none."""
    if _missing(p):
        return NO_EVIDENCE
    p = float(p)
    if p < 0.005:
        return "under 1%"
    if p > 0.995:
        return "over 99%"
    return f"{100 * p:.0f}%"


def steps(x: float) -> str:
    """A distance on the scale: "0.30 steps", "1.00 step"."""
    return f"{x:.2f} step{'' if abs(x - 1) < 0.005 else 's'}"


def loss_level(loss: float, thresholds: Mapping[str, float] | None = None) -> str:
    """ "small", "moderate" or "large", by the decision thresholds (favour, lean)."""
    limits = check_thresholds(thresholds)
    return "small" if loss <= limits["favour"] else "moderate" if loss <= limits["lean"] else "large"


def loss_words(loss: Any, thresholds: Mapping[str, float] | None = None) -> str:
    """The expected loss in steps with its size: "0.06 steps (moderate)"."""
    if _missing(loss):
        return "—"
    return f"{steps(float(loss))} ({loss_level(float(loss), thresholds)})"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def sources_words(n_people: Any, n_documents: Any) -> str:
    """Who was heard, counted as people: "3 people and 2 kinds of documents", "1 person", "nobody yet"."""
    people = 0 if _missing(n_people) else int(n_people)
    documents = 0 if _missing(n_documents) else int(n_documents)
    parts = []
    if people:
        parts.append(_plural(people, "person", "people"))
    if documents:
        parts.append(_plural(documents, "kind of document", "kinds of documents"))
    return " and ".join(parts) if parts else "nobody yet"


def thin_reasons(row: Mapping[str, Any]) -> list[str]:
    """Why an option's evidence is thin ([] when it is not, or when there is none)."""
    sources = int(row.get("n_sources", 0) or 0)
    if not sources or not bool(row.get("thin", False)):
        return []
    out = []
    if sources < THIN_PEOPLE:
        out.append("only 1 source" if sources == 1 else f"only {sources} sources")
    covered = row.get("covered", 1.0)
    if not _missing(covered) and float(covered) < THIN_COVERED:
        out.append(f"only {100 * float(covered):.0f}% of what matters to you has evidence")
    return out or ["little evidence"]


def trust_words(row: Mapping[str, Any]) -> str:
    """How far to trust an option's figures: "thin: only 1 source", "no evidence", or ""."""
    if not int(row.get("n_sources", 0) or 0):
        return NO_EVIDENCE
    reasons = thin_reasons(row)
    return "thin: " + "; ".join(reasons) if reasons else ""


def option_words(row: Mapping[str, Any], thresholds: Mapping[str, float] | None = None) -> dict[str, Any]:
    """One row of the comparison (``compare``'s columns) as phrases."""
    known = bool(int(row.get("n_sources", 0) or 0))
    covered = row.get("covered", float("nan"))
    return {
        "title": str(row["title"]),
        "known": known,
        "thin": bool(thin_reasons(row)),
        "score": signed(row["score"], 2) if known else NO_EVIDENCE,
        "interval": f"{signed(row['low'], 2)} to {signed(row['high'], 2)}" if known else "—",
        "p_good": chance(row.get("p_good")) if known else NO_EVIDENCE,
        "p_best": chance(row.get("p_best")) if known else NO_EVIDENCE,
        "loss": loss_words(row.get("expected_loss"), thresholds) if known else "—",
        "sources": sources_words(row.get("n_people", row.get("n_sources")), row.get("n_documents", 0)),
        "covered": "—" if _missing(covered) else f"{100 * float(covered):.0f}%",
        "notes": int(row.get("n_insights", 0) or 0),
        "trust": trust_words(row),
    }


#: Shown for the chance of being best and the expected loss of the only option with evidence.
NOTHING_TO_COMPARE = "nothing to compare with yet"


def comparison_words(frame: pd.DataFrame, thresholds: Mapping[str, float] | None = None) -> list[dict[str, Any]]:
    """:func:`option_words` of every row, in the engine's order, each with its ``option_id``.

    While only one option has evidence, its chance of being best and its expected loss say there is
    nothing to compare it with yet (they would read "over 99%" and "0.00 steps": true among the options
    with evidence, but no finding).
    """
    rows = [
        {"option_id": int(oid), **option_words(row, thresholds)}
        for oid, row in zip(frame.index, frame.to_dict("records"), strict=True)
    ]
    known = [r for r in rows if r["known"]]
    if len(known) == 1 and len(rows) > 1:
        known[0]["p_best"] = known[0]["loss"] = NOTHING_TO_COMPARE
    return rows


def next_words(row: Mapping[str, Any]) -> dict[str, Any]:
    """One suggested conversation as phrases: who, about what, why, how likely it changes things, worth it."""
    contact = row.get("contact")
    who = str(contact) if isinstance(contact, str) and contact.strip() else "someone who does this work"
    options = row.get("options")
    about = str(options) if isinstance(options, str) and options.strip() else str(row.get("option", ""))
    worth = bool(row.get("worth_it", False))
    why = str(row.get("reason", ""))
    if why.startswith("someone who does this work"):  # a sentence that starts with the stand-in for a person
        why = "S" + why[1:]
    return {
        "who": who,
        "about": about,
        "why": why,
        "p_change": chance(row.get("p_change")),
        "worth_it": worth,
        "worth": "yes" if worth else "no: worth less than a conversation costs you",
    }
