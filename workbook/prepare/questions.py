"""The question bank: shipped questions plus your own, tagged with TIARA and a topic.

The shipped bank is ``data/questions.csv`` (columns ``id,text,tiara,topic``).
Your own questions live in the workbook's ``questions`` table. Both are open
questions about the other person's real work; none asks for a job.

This module also keeps an option's *open questions* (``options.questions``,
one per line) tidy: adding new lines and ticking answered ones off.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .. import paths
from ..errors import ValidationError
from ..store import vocab
from ..store.readable import Readable
from ..store.workbook import Workbook

#: Topics a question can be about, with the label shown to people.
TOPICS: dict[str, str] = {
    "path-in": "how they got in",
    "typical-day": "a typical day",
    "like-most": "what they like most",
    "like-least": "what they like least",
    "skills": "skills",
    "culture": "culture and people",
    "pay-progression": "pay and progression",
    "challenges": "challenges and change",
    "disprove": "could disprove your hopes",
    "who-else": "who else to talk to",
}
#: Topic of a question you write yourself when you do not pick one.
OWN_TOPIC = "own"

#: Columns of :func:`load_bank` and :func:`all_questions`.
COLUMNS = ["key", "text", "tiara", "topic", "origin"]

#: Words in a criterion's name (start of a word) and the topics that gather evidence on it.
_CRITERION_WORDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        (
            "pay",
            "paid",
            "paym",
            "salar",
            "money",
            "income",
            "earn",
            "compensat",
            "wage",
            "pension",
            "benefit",
            "financ",
        ),
        ("pay-progression", "disprove"),
    ),
    (("progress", "promot", "growth", "career", "advance", "senior", "ladder"), ("pay-progression", "skills")),
    (
        (
            "flexib",
            "hour",
            "remote",
            "home",
            "schedul",
            "commut",
            "travel",
            "balance",
            "workload",
            "time",
            "routine",
            "location",
            "family",
        ),
        ("typical-day", "like-least"),
    ),
    (
        (
            "cultur",
            "people",
            "team",
            "colleag",
            "value",
            "manag",
            "environment",
            "belong",
            "divers",
            "inclus",
            "ethic",
            "social",
        ),
        ("culture", "like-least"),
    ),
    (
        (
            "skill",
            "learn",
            "train",
            "qualif",
            "educat",
            "degree",
            "study",
            "fit",
            "strength",
            "talent",
            "entry",
            "barrier",
            "switch",
            "transition",
            "retrain",
            "access",
            "cost",
        ),
        ("skills", "path-in"),
    ),
    (
        (
            "meaning",
            "purpose",
            "impact",
            "enjoy",
            "interest",
            "satisf",
            "fun",
            "creativ",
            "autonom",
            "variety",
            "passion",
            "fulfil",
            "mission",
            "help",
        ),
        ("like-most", "disprove"),
    ),
    (
        (
            "secur",
            "stab",
            "demand",
            "future",
            "market",
            "risk",
            "stress",
            "pressure",
            "burnout",
            "health",
            "automat",
            "ai",
            "outlook",
            "prospect",
        ),
        ("challenges", "disprove"),
    ),
)
_DEFAULT_TOPICS = ("typical-day", "like-least")


def bank_path() -> Path:
    """The shipped question bank (``data/questions.csv``)."""
    return paths.data_dir() / "questions.csv"


def load_bank(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The shipped questions as a DataFrame (key ``bank:<id>``, text, tiara, topic, origin ``bank``).

    A row with an unknown TIARA category or topic raises :class:`ValidationError`.
    """
    source = Path(path) if path is not None else bank_path()
    rows = []
    with open(source, encoding="utf-8", newline="") as fh:
        for n, rec in enumerate(csv.DictReader(fh), start=2):
            text = (rec.get("text") or "").strip()
            if not text:
                raise ValidationError("text", f"is empty in {source.name} line {n}")
            if rec.get("tiara") not in vocab.TIARA:
                raise ValidationError("tiara", f"{rec.get('tiara')!r} in {source.name} line {n} is not a TIARA key")
            if rec.get("topic") not in TOPICS:
                raise ValidationError("topic", f"{rec.get('topic')!r} in {source.name} line {n} is not a topic")
            rows.append(
                {
                    "key": f"bank:{rec['id']}",
                    "text": text,
                    "tiara": rec["tiara"],
                    "topic": rec["topic"],
                    "origin": "bank",
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def own_questions(wb: Readable) -> pd.DataFrame:
    """The questions you added to your workbook (key ``own:<id>``), oldest first."""
    table = wb.table("questions")
    if table.empty:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.DataFrame(
        {
            "key": [f"own:{i}" for i in table["id"]],
            "text": table["text"],
            "tiara": table["tiara"],
            "topic": table["topic"],
            "origin": "own",
        }
    )
    return out[COLUMNS].reset_index(drop=True)


def all_questions(wb: Readable, bank: pd.DataFrame | None = None) -> pd.DataFrame:
    """Your own questions first, then the shipped bank."""
    bank = load_bank() if bank is None else bank
    own = own_questions(wb)
    if own.empty:
        return bank.reset_index(drop=True)
    return pd.concat([own, bank], ignore_index=True)


def disprove_questions(wb: Readable) -> list[str]:
    """The texts of every question that could disprove your hopes (the bank's and your own)."""
    questions = all_questions(wb)
    return [str(t) for t in questions.loc[questions["topic"] == "disprove", "text"]]


def add_question(wb: Workbook, text: str, tiara: str = "insights", topic: str = OWN_TOPIC) -> int:
    """Save a question of your own to the workbook's bank; returns its id.

    The text is stored exactly as typed; it must not be empty. ``topic`` is
    one of :data:`TOPICS` or ``"own"``.
    """
    if topic not in TOPICS and topic != OWN_TOPIC:
        allowed = ", ".join(repr(t) for t in [*TOPICS, OWN_TOPIC])
        raise ValidationError("topic", f"{topic!r} is not a topic; choose one of {allowed}")
    return wb.add("questions", text=text, tiara=tiara, topic=topic)


def topics_for_criterion(name: str) -> list[str]:
    """Which topics of the bank gather evidence on a criterion, guessed from its name.

    ``"Pay"`` gives ``["pay-progression", "disprove"]``; a name that matches
    nothing gives questions about the typical day and what people like least.
    """
    words = re.findall(r"\w+", str(name).lower())
    found: list[str] = []
    for stems, topics in _CRITERION_WORDS:
        if any(w.startswith(s) if len(s) > 3 else w == s for w in words for s in stems):
            found.extend(t for t in topics if t not in found)
    return found or list(_DEFAULT_TOPICS)


# ------------------------------------------------------------- open questions
def split_open_questions(text: str | None) -> list[str]:
    """An option's open questions: one per non-blank line, as typed (surrounding spaces trimmed)."""
    if not text:
        return []
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def merge_open_questions(existing: str | None, new: str | Iterable[str] = "", answered: Iterable[str] = ()) -> str:
    """The open questions after adding ``new`` lines and ticking ``answered`` ones off.

    Lines already present are not added twice; the order is kept.
    """
    lines = split_open_questions(existing)
    done = set(answered)
    kept = [q for q in lines if q not in done]
    extra = split_open_questions(new) if isinstance(new, str) else [q.strip() for q in new if str(q).strip()]
    for q in extra:
        if q not in kept:
            kept.append(q)
    return "\n".join(kept)


def update_open_questions(
    wb: Workbook, option_id: int, new: str | Iterable[str] = "", answered: Iterable[str] = ()
) -> tuple[int, int]:
    """Append ``new`` open questions to an option and remove the ``answered`` ones.

    Returns ``(added, ticked_off)``. Nothing is written when nothing changes.
    """
    with wb.atomic():
        before = wb.get("options", option_id)["questions"]
        after = merge_open_questions(before, new, answered)
        if after == before:
            return 0, 0
        old, now = split_open_questions(before), split_open_questions(after)
        added = len([q for q in now if q not in old])
        ticked = len([q for q in old if q not in now])
        wb.update("options", option_id, questions=after)
    return added, ticked
