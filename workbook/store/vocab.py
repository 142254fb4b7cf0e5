"""Controlled vocabularies shared by the store, the forms and the analysis.

Each vocabulary maps the value stored in the workbook to the label shown to people.
"""

from __future__ import annotations

OPTION_STATUSES: dict[str, str] = {
    "exploring": "exploring",
    "shortlisted": "shortlisted",
    "parked": "parked",
    "dropped": "dropped",
    "chosen": "chosen",
}

RELATIONSHIPS: dict[str, str] = {
    "": "not set",
    "friend": "friend",
    "family": "family",
    "colleague": "colleague",
    "alumni": "alumni",
    "referral": "referral",
    "cold": "cold contact",
    "other": "other",
}

#: The conversation pipeline, in order, then the two ways a request can end early.
CONVERSATION_STATUSES: dict[str, str] = {
    "planned": "to ask",
    "requested": "requested",
    "followed_up": "followed up",
    "scheduled": "scheduled",
    "done": "done",
    "thanked": "thanked",
    "declined": "declined",
    "no_reply": "no reply",
}
PIPELINE: tuple[str, ...] = ("planned", "requested", "followed_up", "scheduled", "done", "thanked")

#: Other spellings people type for a conversation status.
CONVERSATION_STATUS_ALIASES: dict[str, str] = {
    "to ask": "planned",
    "to_ask": "planned",
    "followed up": "followed_up",
    "no reply": "no_reply",
}

CONFIDENCE: dict[str, str] = {"low": "low", "medium": "medium", "high": "high"}

SOURCES: dict[str, str] = {
    "interview": "interview (first-hand, from someone who does the work)",
    "second-hand": "second-hand account",
    "online-review": "online review",
    "job-posting": "job posting",
    "own-experience": "own experience",
    "desk-research": "desk research",
}

STANCES: dict[int, str] = {
    -2: "strongly against",
    -1: "against",
    0: "neutral",
    1: "for",
    2: "strongly for",
}

TIARA: dict[str, str] = {
    "trends": "Trends",
    "insights": "Insights",
    "advice": "Advice",
    "resources": "Resources",
    "assignments": "Assignments",
}
