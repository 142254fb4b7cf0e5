"""The sections of the shareable report as plain values: summary, options, outreach, next steps.

Each function reads the workbook (or frames already read from it) and
returns dicts and lists the templates show; nothing here renders HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from .. import evidence
from ..charts import outreach as charts_outreach
from ..people import coverage as _coverage
from ..store import vocab
from ..store.snapshot import Snapshot
from . import words
from .privacy import Privacy

#: Options shown in full (evidence per criterion and quotes); the rest go in a compact table.
TOP_OPTIONS = 6
#: Quotes shown per option.
QUOTES_PER_OPTION = 8
#: Rule of thumb: talk to about this many people per option.
PEOPLE_PER_OPTION = 3

_CONFIDENCE_ORDER = {"high": 0, "medium": 1, "low": 2}
_SOURCE_ORDER = {"interview": 0, "own-experience": 1, "second-hand": 2}
#: What to do first, per table of the workbook: (table, rows it needs, the step).
_FIRST_STEPS = (
    (
        "options",
        2,
        ("List the two to five career options you are weighing, each with the questions it must answer (notebook 01)."),
    ),
    (
        "criteria",
        1,
        ("Say what matters to you — pay, flexibility, the work itself — as criteria with weights (notebook 01)."),
    ),
    (
        "contacts",
        1,
        ("Add people who do the work: friends, colleagues, alumni, people you were referred to (notebook 02)."),
    ),
    (
        "conversations",
        1,
        ("Ask one of them for a 20-minute conversation to learn about their work, not to ask for a job (notebook 03)."),
    ),
    (
        "insights",
        1,
        (
            "After each conversation, note what you learned as evidence for or against an option, "
            "the same day (notebook 05)."
        ),
    ),
)


def ranking(snap: Snapshot, options: pd.DataFrame) -> pd.DataFrame:
    """Options best supported first (the evidence engine's order), indexed by option id.

    Columns: those of :func:`workbook.evidence.compare` (score, low, high,
    p_good, p_best, expected_loss, n_people, covered, thin ...), and status,
    insights (the notes the comparison counts) and sources (sources, people
    counted as people).
    """
    if options.empty:
        return pd.DataFrame(
            columns=[*evidence.COMPARE_COLUMNS, "status", "insights", "sources"], index=pd.Index([], name="option_id")
        )
    scores = evidence.decide_for(snap).scores
    frame = scores.copy()
    frame["status"] = options.set_index("id")["status"].reindex(frame.index)
    frame["insights"] = scores["n_insights"].astype("int64")
    frame["sources"] = scores["n_sources"].astype("int64")
    return frame


def first_steps(counts: dict[str, int]) -> list[str]:
    """What to do next while the workbook is still missing a part of the method."""
    return [step for table, needed, step in _FIRST_STEPS if counts[table] < needed]


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def summary(decision: evidence.Decision, criteria: pd.DataFrame, cells: pd.DataFrame) -> dict[str, Any]:
    """The headline in plain words: what the evidence favours (by expected loss), how sure, what is thin.

    The verdict, its details, the stop rule and the confirmation-bias warnings
    come from the engine (:mod:`workbook.evidence.decisions`); ``kind`` is the
    verdict's kind and ``label`` its name in a few words ("Practically tied",
    "None looks good yet" ...). A criterion is thin for the favoured option
    while fewer than two sources speak to it. When no two sources have spoken
    about the same thing, the intervals rest on an assumed noise level, and the
    summary says so.
    """
    said = decision.verdict
    label = words.VERDICT_LABELS.get(said.kind, "")
    if said.kind == "no-evidence":
        return {
            "kind": said.kind,
            "label": label,
            "headline": said.headline,
            "details": ["The comparison starts once you note what you learn, for or against each option."],
        }
    details = list(said.details)
    assumed = words.noise_sentence(decision)
    if assumed:
        details.append(assumed)
    if said.option_id is not None and said.kind not in {"empty", "single"}:
        weighted = criteria[criteria["weight"] > 0].sort_values("weight", ascending=False, kind="stable")
        sources = cells[cells["option_id"] == said.option_id].set_index("criterion_id")["n_sources"]
        thin = [str(c.name) for c in weighted.itertuples() if sources.get(c.id, 0) < 2][:3]
        if thin:
            details.append(f"The evidence on {said.title} is still thin on {_join(thin)}.")
    if decision.stop:
        details.append(decision.stop)
    details += [f"Warning: {w}" for w in decision.warnings["warning"]]
    return {"kind": said.kind, "label": label, "headline": said.headline, "details": details}


def _quotes(rows: pd.DataFrame, names: dict[int, str], privacy: Privacy, limit: int) -> list[dict[str, Any]]:
    rows = rows[(rows["note"].str.strip() != "") & rows["criterion_id"].isin(names)]
    order = rows.assign(
        _c=rows["confidence"].map(_CONFIDENCE_ORDER).fillna(3),
        _s=rows["source"].map(_SOURCE_ORDER).fillna(3),
        _a=-rows["stance"].abs(),
    ).sort_values(["_c", "_s", "_a", "id"], kind="stable")
    out = []
    for r in order.head(limit).itertuples():
        has_contact = pd.notna(r.contact_id)
        out.append(
            {
                "text": privacy.scrub(str(r.note)),
                "criterion": names.get(int(r.criterion_id), ""),
                "stance": vocab.STANCES.get(int(r.stance), str(r.stance)),
                "stance_value": int(r.stance),
                "source": vocab.SOURCES.get(r.source, r.source).split(" (")[0],
                "confidence": r.confidence,
                "who": privacy.label(int(r.contact_id)) if has_contact else "",
                "against_hopes": bool(r.against_hopes),
            }
        )
    return out


def quoted_notes(snap: Snapshot, option_ids: list[int]) -> dict[int, str]:
    """Insight id -> note for the given options only; the other notes (possibly 100,000s) stay on disk."""
    return snap.notes(option_ids)


def option_details(
    rank: pd.DataFrame,
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    counts: pd.DataFrame,
    privacy: Privacy,
    notes: dict[int, str],
    said: dict[int, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The top options in full: description, open questions, figures in words, evidence per criterion, quotes.

    ``insights`` needs no ``note`` column: the quotes come from ``notes`` (see :func:`quoted_notes`).
    ``said``: each option's figures in words by option id (:func:`workbook.report.words.comparison_words`
    of ``rank``; computed with the default thresholds when not given).
    """
    if said is None:
        said = {r["option_id"]: r for r in words.comparison_words(rank)}
    names = dict(zip(criteria["id"].astype(int), criteria["name"], strict=True))
    info = options.set_index("id")
    top = rank.index[:TOP_OPTIONS]
    chosen = insights[insights["option_id"].isin(top)]
    chosen = chosen.assign(note=chosen["id"].map(notes).fillna("").astype(str))
    by_option = dict(tuple(chosen.groupby("option_id")))
    out = []
    for oid in top:
        r, row = rank.loc[oid], info.loc[oid]
        mine = by_option.get(oid, chosen.iloc[:0])
        per = counts[counts["option_id"] == oid]
        out.append(
            {
                "id": int(oid),
                "title": r["title"],
                "status": vocab.OPTION_STATUSES.get(r["status"], r["status"]),
                "description": row["description"],
                "questions": [q for q in str(row["questions"]).splitlines() if q.strip()],
                "score": r["score"],
                "low": r["low"],
                "high": r["high"],
                "p_best": r["p_best"],
                "insights": int(r["insights"]),
                "sources": int(r["sources"]),
                "expected_loss": r["expected_loss"],
                "said": said[int(oid)],
                "criteria": [
                    {
                        "name": names.get(int(c["criterion_id"]), ""),
                        "for": int(c["for"]),
                        "against": int(c["against"]),
                        "total": int(c["total"]),
                    }
                    for c in per.to_dict("records")
                ],
                "quotes": _quotes(mine, names, privacy, QUOTES_PER_OPTION),
                "more_quotes": max(
                    0,
                    int(((mine["note"].str.strip() != "") & mine["criterion_id"].isin(names)).sum())
                    - QUOTES_PER_OPTION,
                ),
            }
        )
    return out


def outreach(
    snap: Snapshot, options: pd.DataFrame, render: Callable[[str, Any], dict[str, str]] | None = None
) -> dict[str, Any]:
    """Conversations per stage of the pipeline, the funnel chart, and per option how many people you talked to.

    ``render(key, figure)`` turns the funnel chart into what the template shows; without it there is no chart.
    """
    conversations = snap.conversations()
    funnel = None
    if render is not None and len(conversations):
        funnel = render("outreach", charts_outreach.outreach_funnel(conversations, snap.contacts()))
    by_status = conversations["status"].value_counts() if len(conversations) else pd.Series(dtype="int64")
    stages = [
        {"label": label, "count": int(by_status.get(key, 0))} for key, label in vocab.CONVERSATION_STATUSES.items()
    ]
    per_option = []
    target = _coverage.threshold_for(snap)
    if len(options):
        frame = _coverage.coverage_for(snap, target)
        per_option = [
            {
                "title": r.option,
                "insiders": int(r.insiders),
                "held": int(r.conversations_held),
                "people": int(r.people_talked_to),
                "advice": r.advice,
            }
            for r in frame.head(50).itertuples()
        ]
    return {
        "total": len(conversations),
        "stages": stages,
        "chart": funnel,
        "per_option": per_option,
        "per_option_more": max(0, len(options) - 50),
        "target": target,
    }


def next_steps(snap: Snapshot, privacy: Privacy, n: int = 5) -> list[dict[str, Any]]:
    """The conversations that would help most next, one per person, with contacts shown as the privacy setting says.

    Each: ``person`` (empty: someone who does this work), ``option`` (the main one), ``about`` (every
    option that person can speak to), ``why`` (the reason sentence), ``p_change`` (the chance it changes
    which path comes out ahead, in words) and ``worth_it``.
    """
    if snap.options().empty or snap.criteria().empty:
        return []
    out = []
    for r in evidence.decide_for(snap, n=n).next.to_dict("records"):
        cid = r.get("contact_id")
        person = privacy.label(int(cid)) if cid is not None and not pd.isna(cid) else ""
        said = words.next_words(r)
        out.append(
            {
                "option": r["option"],
                "about": said["about"],
                "person": person,
                "why": said["why"],  # built from the guarded tables: names already masked
                "p_change": said["p_change"],
                "worth_it": said["worth_it"],
            }
        )
    return out
