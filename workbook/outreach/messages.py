"""Drafts of the messages around an informational interview, and checks on them.

Templates are plain text files in ``data/templates`` with ``$placeholders``
filled by :class:`string.Template`. A line whose placeholder has no value (no
shared connection, no role) is left out, so a draft never shows a dangling
``$shared_connection``. Values that a person should type themselves (their own
name when it is not set yet, the date of a call not yet agreed) appear as
``[brackets]`` to fill in.

:func:`job_seeking_flags` finds job-seeking language, which turns a request to
learn into a request to be hired; :data:`JOB_SEEKING_EXPLANATION` says why that
matters, in two sentences.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .. import paths
from ..errors import NotFoundError, ValidationError
from ..store import conversations as rules
from ..store.readable import Readable

#: The shipped templates, in the order of the method, with the label shown in forms.
TEMPLATE_LABELS: dict[str, str] = {
    "request": "Request (first message)",
    "follow_up": "Follow-up (no reply after 7 business days)",
    "confirmation": "Confirmation (once they agree)",
    "thank_you": "Thank-you (soon after the conversation)",
}

#: Which template fits a conversation in each status.
TEMPLATE_FOR_STATUS: dict[str, str] = {
    "planned": "request",
    "requested": "follow_up",
    "followed_up": "follow_up",
    "scheduled": "confirmation",
    "done": "thank_you",
    "thanked": "thank_you",
}

#: Values shown in brackets for the writer to fill in when the workbook does not know them.
FILL_IN: dict[str, str] = {
    "first_name": "[first name]",
    "my_name": "[your name]",
    "option": "[the path you are exploring]",
    "date": "[date]",
    "time": "[time]",
    "requested_on": "[the day you wrote]",
}

DEFAULT_MINUTES = rules.DEFAULT_MINUTES
#: A request longer than this many words gets a nudge to shorten it.
WORD_LIMIT = 100

JOB_SEEKING_EXPLANATION = (
    "An informational interview is a conversation to learn about someone's work, not a job interview: "
    "asking about openings, a referral or your résumé turns a favour into a hiring request, "
    "which people are far less willing to grant and which makes them guarded. "
    "Ask about their work and what they would advise; if they know of an opening, they will tell you."
)

# Job-seeking phrases, written for text that has been case-folded and stripped of accents.
# A space stands for any run of whitespace. Longer alternatives come first so that the
# longest phrase at a position wins.
_JOB_PATTERNS: tuple[str, ...] = (
    r"(?:are|is) (?:you|your (?:company|team|firm|organi[sz]ation)) (?:hiring|recruiting)",
    r"(?:open|available|vacant) (?:positions?|roles?|jobs?)",
    r"(?:positions?|roles?|jobs?|openings?|vacanc(?:y|ies)) available",
    r"(?:a|any|the) positions? (?:at|in|with|on) your (?:company|firm|team|organi[sz]ation|department)",
    r"positions? at your company",
    r"job (?:openings?|offers?|applications?|opportunit(?:y|ies)|vacanc(?:y|ies))",
    r"any (?:job )?openings?",
    r"openings? (?:at|in|on|with) your",
    r"(?:looking for|find|get|land|seeking) (?:a |an )?(?:new )?(?:job|employment|position)",
    r"(?:my|attached|the attached|enclosed) (?:resume|cv)s?",
    r"cvs?",
    r"refer me (?:for|to a (?:job|role|position))",
    r"(?:employee|internal|job) referrals?",
    # "apply" as a step towards a job, not as in "apply statistics" or "apply my experience"
    r"(?:i|we)(?:'d| would)? (?:like|love|want|plan|hope|intend|wish)s? to apply",
    r"(?:i|we)(?:'ll| will|'m going to| am going to|'re going to| are going to) apply",
    r"(?:should|can|could|may) (?:i|we) apply",
    r"how (?:do|can|should|would) (?:i|we) apply",
    r"appl(?:y|ying|ied) (?:for|to) (?:a |an |the |this |that |any |some |two |three |several |more |other )?"
    r"(?:new |open |junior |senior )?"
    r"(?:jobs?|roles?|positions?|openings?|vacanc(?:y|ies)|posts?|internships?)",
    r"vacanc(?:y|ies)",
    r"hiring",
    r"hire (?:me|us)",
)


def _spaces(pattern: str) -> str:
    return pattern.replace(" ?", r"\s*").replace(" ", r"\s+")


_JOB_RE = re.compile(r"\b(?:" + "|".join(_spaces(p) for p in _JOB_PATTERNS) + r")\b")


def _fold(text: str) -> tuple[str, list[int]]:
    """``text`` case-folded, accents removed, curly apostrophes straightened; and, for each
    character of the result, the index of the character of ``text`` it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, char in enumerate(text):
        folded = unicodedata.normalize("NFKD", char.casefold())
        folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("\u2019", "'")
        out.append(folded)
        where.extend([i] * len(folded))
    return "".join(out), where


def job_seeking_flags(text: str) -> list[str]:
    """The job-seeking phrases in ``text``, as written there (runs of spaces and line breaks
    shown as one space), in order of first appearance.

    Matching ignores case and accents ("my RESUME" and "my résumé" are both
    found) and respects word boundaries ("rehiring" does not contain "hiring").
    Each phrase is listed once. Phrases that belong in an informational
    interview are not flagged: "who else would you refer me to?", "how do you
    apply statistics in your work?".
    """
    if not isinstance(text, str) or not text:
        return []
    folded, where = _fold(text)
    found: list[str] = []
    seen: set[str] = set()
    for match in _JOB_RE.finditer(folded):
        if match.start() == match.end():
            continue
        phrase = " ".join(text[where[match.start()] : where[match.end() - 1] + 1].split())
        key = " ".join(match.group().split())
        if key not in seen:
            seen.add(key)
            found.append(phrase)
    return found


# ------------------------------------------------------------------ words
_WORD_RE = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")


def word_count(text: str) -> int:
    """Words in a message, not counting a first ``Subject:`` line (the reader sees the body)."""
    lines = (text or "").strip().splitlines()
    if lines and lines[0].lower().startswith("subject:"):
        lines = lines[1:]
    return len(_WORD_RE.findall("\n".join(lines)))


def length_note(text: str, limit: int = WORD_LIMIT) -> str:
    """A one-line nudge about the length of a message."""
    n = word_count(text)
    if n == 0:
        return "No words yet."
    if n <= limit:
        return f"{n} words: short enough (aim for under about {limit})."
    return f"{n} words: try to cut it to under about {limit}; busy people answer short messages."


# -------------------------------------------------------------- templates
def templates_dir() -> Path:
    return paths.data_dir() / "templates"


def template_names() -> list[str]:
    """Names of the available templates: the shipped four first, then any other ``.txt`` file."""
    found = sorted(p.stem for p in templates_dir().glob("*.txt"))
    known = [n for n in TEMPLATE_LABELS if n in found]
    return known + [n for n in found if n not in TEMPLATE_LABELS]


def load_template(name: str) -> str:
    if name not in template_names():
        raise ValidationError("template", f"{name!r} is not a template; choose one of {', '.join(template_names())}")
    return (templates_dir() / f"{name}.txt").read_text(encoding="utf-8")


def fill(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``template``: lines using a placeholder without a value are dropped, then
    :data:`FILL_IN` brackets stand in for values the writer must supply."""
    given = {k: str(v) for k, v in values.items() if v is not None and str(v).strip()}
    merged = {**FILL_IN, **given}
    pattern = string.Template.pattern
    kept: list[str] = []
    for line in template.splitlines():
        names = {m.group("named") or m.group("braced") for m in pattern.finditer(line)} - {None}
        if any(n not in merged for n in names):
            continue
        kept.append(string.Template(line).safe_substitute(merged))
    text = "\n".join(kept)
    text = re.sub(r"\n{3,}", "\n\n", text)  # a dropped line leaves no double gap
    return text.strip() + "\n"


def _first_name(name: str) -> str:
    parts = str(name or "").split()
    return parts[0] if parts else ""


def _your_work(role: str, organization: str) -> str:
    role, organization = (role or "").strip(), (organization or "").strip()
    if role and organization:
        return f"your work as {role} at {organization}"
    if role:
        return f"your work as {role}"
    if organization:
        return f"your work at {organization}"
    return "your work"


def _day(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    day = pd.Timestamp(value)
    return f"{day:%A} {day.day} {day:%B}"


def message_values(
    contact: Mapping[str, Any],
    option: Mapping[str, Any] | None = None,
    conversation: Mapping[str, Any] | None = None,
    *,
    shared_connection: str = "",
    my_name: str = "",
) -> dict[str, str]:
    """The placeholder values for one contact (and option, and conversation if there is one)."""
    conversation = conversation or {}
    option = option or {}
    minutes = conversation.get("duration_min")
    when = conversation.get("scheduled_at")
    if when is None or pd.isna(when):
        when = conversation.get("done_on")
    time = ""
    scheduled = conversation.get("scheduled_at")
    if scheduled is not None and not pd.isna(scheduled):
        time = f"{pd.Timestamp(scheduled):%H:%M}"
    return {
        "first_name": _first_name(contact.get("name", "")),
        "name": str(contact.get("name", "") or ""),
        "my_name": (my_name or "").strip(),
        "option": str(option.get("title", "") or ""),
        "organization": str(contact.get("organization", "") or ""),
        "role": str(contact.get("role", "") or ""),
        "your_work": _your_work(contact.get("role", ""), contact.get("organization", "")),
        "shared_connection": (shared_connection or "").strip(),
        "minutes": str(int(minutes)) if minutes is not None and not pd.isna(minutes) else str(DEFAULT_MINUTES),
        "date": _day(when),
        "time": time,
        "requested_on": _day(conversation.get("requested_on")),
    }


def _row(frame: pd.DataFrame, id: int, what: str) -> dict[str, Any]:
    found = frame[frame["id"] == int(id)] if not frame.empty else frame
    if found.empty:
        raise NotFoundError(f"{what}: there is no record with id {id}")
    return found.iloc[0].to_dict()


def draft_values(
    wb: Readable, *, conversation_id: int | None = None, contact_id: int | None = None, option_id: int | None = None
) -> dict[str, str]:
    """Placeholder values from the workbook, for a conversation or for a contact and option."""
    conversation = None
    if conversation_id is not None:
        conversation = _row(wb.conversations(include_archived=True), conversation_id, "conversations")
        contact_id, option_id = conversation["contact_id"], conversation["option_id"]
    if contact_id is None:
        raise ValidationError("contact", "choose who the message is for")
    contacts = wb.contacts(include_archived=True)
    contact = _row(contacts, contact_id, "contacts")
    option = _row(wb.options(include_archived=True), option_id, "options") if option_id is not None else None
    shared = ""
    referrer = contact.get("referred_by")
    if referrer is not None and not pd.isna(referrer):
        match = contacts[contacts["id"] == int(referrer)]
        shared = str(match.iloc[0]["name"]) if not match.empty else ""
    return message_values(contact, option, conversation, shared_connection=shared, my_name=wb.setting("my_name", ""))


def draft(
    wb: Readable,
    template: str,
    *,
    conversation_id: int | None = None,
    contact_id: int | None = None,
    option_id: int | None = None,
) -> str:
    """The filled draft of ``template`` (a name from :func:`template_names`)."""
    values = draft_values(wb, conversation_id=conversation_id, contact_id=contact_id, option_id=option_id)
    return fill(load_template(template), values)
