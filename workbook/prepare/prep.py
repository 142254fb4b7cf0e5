"""Prepare a conversation: suggested questions, your chosen order, and a printable prep sheet.

Suggestions come from the option's open questions and from the criteria with
the least evidence for that option (each mapped to topics of the question
bank); every set holds at least one question that could disprove your hopes
and one that asks who else to talk to. The chosen questions are stored in
``prep_questions`` with their position. The prep sheet is a small HTML file
(Jinja2, autoescaped, inline CSS, no script, no external resources).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import files
from ..errors import ValidationError
from ..evidence import summary as evidence_summary
from ..formatting import tell_apart
from ..outreach import messages
from ..store import conversations as rules
from ..store import vocab
from ..store.freshness import compare
from ..store.workbook import Workbook
from . import questions

#: The field a stale list of chosen questions is shown under (:func:`check_chosen`).
QUESTIONS = "questions"

DEFAULT_MINUTES = rules.DEFAULT_MINUTES
#: Statuses of a conversation that can still be prepared (not done, thanked or declined).
PREPARABLE = rules.PREPARABLE
#: How many criteria with the least evidence feed the suggestions.
GAP_CRITERIA = 3
#: How many suggestions are ticked at first: five to eight questions fill 20 minutes.
PRESELECT = 8


@dataclass(frozen=True)
class Suggestion:
    """A question offered for a conversation, and why it is offered."""

    text: str
    tiara: str
    topic: str
    reason: str


# ------------------------------------------------------------ conversations
def conversation_label(row: Any, contact: str, option: str) -> str:
    status = vocab.CONVERSATION_STATUSES.get(row["status"], row["status"])
    when = row.get("scheduled_at")
    when_text = f", {pd.Timestamp(when):%Y-%m-%d %H:%M}" if when is not None and not pd.isna(when) else ""
    return f"{contact} — {option} ({status}{when_text})"


def conversation_choices(wb: Workbook, statuses: Iterable[str] | None = None) -> list[tuple[str, int]]:
    """Dropdown entries ``(label, id)`` for conversations in ``statuses`` (all when None)."""
    convs = wb.conversations()
    if convs.empty:
        return []
    if statuses is not None:
        convs = convs[convs["status"].isin(list(statuses))]
    names = wb.contacts(include_archived=True).set_index("id")["name"]
    titles = wb.options(include_archived=True).set_index("id")["title"]
    labels = [
        conversation_label(row, str(names.get(row["contact_id"], "?")), str(titles.get(row["option_id"], "?")))
        for _, row in convs.iterrows()
    ]
    ids = [int(i) for i in convs["id"]]
    return list(zip(tell_apart(labels, ids), ids, strict=True))


# --------------------------------------------------------------- suggestions
def evidence_gaps(wb: Workbook, option_id: int, n: int = GAP_CRITERIA) -> pd.DataFrame:
    """The ``n`` criteria (weight above 0) with the least evidence for an option; ties: heavier first."""
    criteria = wb.criteria()
    if criteria.empty:
        return pd.DataFrame(columns=["criterion_id", "criterion", "weight", "for", "against", "total"])
    options = wb.options(include_archived=True)
    counts = evidence_summary.evidence_counts(options[options["id"] == int(option_id)], criteria, wb.insights())
    counts = counts.merge(criteria[["id", "weight"]].rename(columns={"id": "criterion_id"}), on="criterion_id")
    counts = counts[counts["weight"] > 0]
    ranked = counts.sort_values(["total", "weight", "criterion_id"], ascending=[True, False, True], kind="stable")
    return ranked.head(n)[["criterion_id", "criterion", "weight", "for", "against", "total"]].reset_index(drop=True)


def suggest(bank: pd.DataFrame, open_questions: Sequence[str], gaps: pd.DataFrame) -> list[Suggestion]:
    """Questions for one conversation, most useful first, no text twice.

    ``bank`` is :func:`workbook.prepare.questions.all_questions` (your own questions
    first); ``gaps`` is :func:`evidence_gaps`.
    """
    out: list[Suggestion] = []
    seen: set[str] = set()

    def take(text: str, tiara: str, topic: str, reason: str) -> None:
        if text not in seen:
            seen.add(text)
            out.append(Suggestion(text, tiara, topic, reason))

    def from_topic(topic: str, reason: str) -> None:
        """The first question of ``topic`` in the bank not suggested yet."""
        rows = bank[bank["topic"] == topic] if not bank.empty else bank
        row = next((r for r in rows.itertuples(index=False) if r.text not in seen), None)
        if row is not None:
            take(row.text, row.tiara, row.topic, reason)

    for text in open_questions:
        take(text, "insights", "open", "an open question you noted for this option")
    for gap in gaps.itertuples(index=False):
        n = int(gap.total)
        reason = f"little evidence on {gap.criterion} so far ({n} insight{'s' if n != 1 else ''})"
        take(f"What should someone considering this work know about {gap.criterion}?", "insights", "criterion", reason)
        for topic in questions.topics_for_criterion(gap.criterion)[:2]:
            if topic not in {"disprove", "who-else"}:
                from_topic(topic, reason)
    from_topic("disprove", "could disprove your hopes for this option")
    from_topic("who-else", "finds the next person to talk to")
    for topic in ("path-in", "typical-day", "like-most", "like-least"):
        if len(out) >= 6:
            break
        from_topic(topic, "a good basic question")
    return out


def preselect(suggestions: Sequence[Suggestion], skip: Iterable[tuple[str, str]] = (), n: int = PRESELECT) -> list[int]:
    """Which suggestions to tick at first: up to ``n``, always the disprove and who-else ones.

    Suggestions already in your list (``skip``, as ``(text, tiara)``) are left out.
    """
    skip = set(skip)
    fresh = [i for i, s in enumerate(suggestions) if (s.text, s.tiara) not in skip]
    must = [i for i in fresh if suggestions[i].topic in {"disprove", "who-else"}]
    rest = [i for i in fresh if i not in must][: max(0, n - len(must))]
    return sorted(must + rest)


def suggestions_for(wb: Workbook, conversation_id: int, bank: pd.DataFrame | None = None) -> list[Suggestion]:
    """:func:`suggest` for a conversation in the workbook."""
    conv = wb.get("conversations", conversation_id)
    option = wb.get("options", conv["option_id"])
    return suggest(
        questions.all_questions(wb, bank),
        questions.split_open_questions(option["questions"]),
        evidence_gaps(wb, conv["option_id"]),
    )


# ------------------------------------------------------- chosen questions
def chosen_questions(wb: Workbook, conversation_id: int) -> pd.DataFrame:
    """The questions chosen for a conversation, in their order (columns ``position, text, tiara``)."""
    table = wb.table("prep_questions")
    if table.empty:
        return pd.DataFrame(columns=["position", "text", "tiara"])
    mine = table[table["conversation_id"] == int(conversation_id)].sort_values(["position", "id"])
    return mine[["position", "text", "tiara"]].reset_index(drop=True)


def questions_in_words(items: Sequence[tuple[str, str]]) -> str:
    """A list of chosen questions as one line of words: "1. … (Insights) 2. …" (or "none")."""
    return (
        " ".join(f"{i}. {text} ({vocab.TIARA.get(kind, kind)})" for i, (text, kind) in enumerate(items, start=1))
        or "none"
    )


def check_chosen(
    wb: Workbook, conversation_id: int, loaded: Sequence[tuple[str, str]], yours: Sequence[tuple[str, str]]
) -> None:
    """Raise :class:`ChangedElsewhereError` when the stored list is no longer the ``loaded`` one.

    Another page (a second notebook, the app) may have saved this conversation's questions since this
    page loaded them; saving would replace them without a word. Order counts: a reordered list changed.
    """
    stored = chosen_questions(wb, conversation_id)
    theirs = list(zip(stored["text"], stored["tiara"], strict=True))
    compare(  # each list as its words: order, text and TIARA kind all count
        "the list of questions for this conversation",
        {QUESTIONS: questions_in_words(loaded)},
        {QUESTIONS: questions_in_words(theirs)},
        {QUESTIONS: questions_in_words(yours)},
        table="conversations",
        id=int(conversation_id),
        labels={QUESTIONS: "questions chosen"},
    )


def save_chosen(
    wb: Workbook,
    conversation_id: int,
    items: Sequence[tuple[str, str]],
    loaded: Sequence[tuple[str, str]] | None = None,
) -> list[int]:
    """Replace the chosen questions of a conversation with ``items`` (``(text, tiara)``, in order).

    One transaction: a bad question (empty text, unknown TIARA key) saves nothing. ``loaded`` is the
    list the page loaded: when the stored one differs, nothing is written (:func:`check_chosen`).
    """
    with wb.atomic():
        wb.get("conversations", conversation_id)
        if loaded is not None:
            check_chosen(wb, conversation_id, loaded, items)
        table = wb.table("prep_questions")
        old = table[table["conversation_id"] == int(conversation_id)]["id"] if not table.empty else []
        for pid in old:
            wb.archive("prep_questions", int(pid))
        return [
            wb.add("prep_questions", conversation_id=conversation_id, position=i, text=text, tiara=tiara)
            for i, (text, tiara) in enumerate(items, start=1)
        ]


def job_seeking_check(texts: Sequence[str]) -> list[tuple[int, list[str]]]:
    """For each question that sounds like job-seeking: its position (from 1) and the phrases found."""
    return [(i, flags) for i, text in enumerate(texts, start=1) if (flags := messages.job_seeking_flags(text))]


# ---------------------------------------------------------------- prep sheet
@dataclass
class PrepSheet:
    """Everything the prep sheet shows; plain text only (the template escapes it)."""

    conversation_id: int
    name: str
    role: str
    organization: str
    option: str
    option_description: str
    why: list[str]
    learn: list[str]
    questions: list[dict[str, str]]
    minutes: int
    when: str
    confirm: str
    made_on: str = field(default_factory=lambda: dt.date.today().isoformat())
    #: The thank-you window (the ``thank_you_hours`` setting).
    thank_you_hours: int = rules.THANK_YOU_HOURS


def _why_them(wb: Workbook, contact: dict[str, Any], option: dict[str, Any]) -> list[str]:
    why = []
    role, org = contact["role"].strip(), contact["organization"].strip()
    if role or org:
        why.append("Works " + " ".join(p for p in [f"as {role}" if role else "", f"at {org}" if org else ""] if p))
    links = wb.insider_links()
    if not links.empty and ((links["contact_id"] == contact["id"]) & (links["option_id"] == option["id"])).any():
        why.append(f"Knows {option['title']} from the inside")
    if contact["referred_by"] is not None:
        why.append(f"Referred by {wb.get('contacts', contact['referred_by'])['name']}")
    if contact["relationship"]:
        why.append(f"You know them as: {vocab.RELATIONSHIPS.get(contact['relationship'], contact['relationship'])}")
    return why or ["Someone who can tell you about this work first-hand"]


def build_sheet(wb: Workbook, conversation_id: int, items: Sequence[tuple[str, str]] | None = None) -> PrepSheet:
    """The prep sheet for a conversation; ``items`` defaults to the saved chosen questions."""
    conv = wb.get("conversations", conversation_id)
    contact = wb.get("contacts", conv["contact_id"])
    option = wb.get("options", conv["option_id"])
    if items is None:
        items = [(r.text, r.tiara) for r in chosen_questions(wb, conversation_id).itertuples(index=False)]
    learn = list(questions.split_open_questions(option["questions"]))
    for gap in evidence_gaps(wb, option["id"]).to_dict("records"):
        learn.append(
            f"{gap['criterion']}: {int(gap['total'])} insight(s) so far "
            f"({int(gap['for'])} for, {int(gap['against'])} against)"
        )
    minutes = int(conv["duration_min"] or DEFAULT_MINUTES)
    if conv["scheduled_at"]:
        at = dt.datetime.fromisoformat(conv["scheduled_at"])
        when = f"{at:%A} {at.day} {at:%B %Y}, {at:%H:%M}"
        before = at.date() - dt.timedelta(days=1)
        confirm = (
            f"Confirm the day before, on {before:%A} {before.day} {before:%B}: "
            "a short note with the time and how you will meet."
        )
    else:
        when = "not agreed yet"
        confirm = "Once a time is agreed, confirm the day before with a short note."
    return PrepSheet(
        conversation_id=int(conversation_id),
        name=contact["name"],
        role=contact["role"],
        organization=contact["organization"],
        option=option["title"],
        option_description=option["description"],
        why=_why_them(wb, contact, option),
        learn=learn,
        questions=[{"text": t, "tiara": vocab.TIARA.get(k, k)} for t, k in items],
        minutes=minutes,
        when=when,
        confirm=confirm,
        thank_you_hours=rules.thank_you_hours(wb.setting(rules.THANK_YOU_SETTING)),
    )


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


def sheet_filename(sheet: PrepSheet) -> str:
    slug = _slug(sheet.name)
    return f"prep-{sheet.conversation_id}{'-' + slug if slug else ''}.html"


def default_folder(wb: Workbook) -> Path:
    """Where prep sheets go unless you say otherwise: a ``prep`` folder next to the workbook file."""
    base = Path.cwd() if wb.in_memory else wb.path.parent
    return base / "prep"


def write_sheet(page: str, target: str | os.PathLike, filename: str) -> Path:
    """Save ``page`` to ``target``: a ``.html`` file, or a folder to put ``filename`` in.

    Raises :class:`ValidationError` (field ``file``) when the place is not usable.
    """
    text = str(target)
    if not text.strip():
        raise ValidationError("file", "is empty; type a folder or an .html file to save the prep sheet to")
    try:
        path = Path(text.strip()).expanduser()
        if path.is_dir() or text.rstrip().endswith(("/", os.sep)) or not path.suffix:
            path = path / filename
        if path.suffix.lower() not in {".html", ".htm"}:
            raise ValidationError("file", f"{path.name!r} does not end in .html; name an .html file or a folder")
        path = files.write_text(path, page, field="file")  # private; never over a workbook or a backup
    except ValidationError:
        raise
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ValidationError("file", f"cannot be written there ({reason})") from None
    return path.resolve()
