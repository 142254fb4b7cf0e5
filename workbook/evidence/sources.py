"""Who each note comes from: people are counted as people.

A note is one *reading* of how an option does on a criterion, and readings from
one source are not independent of each other: the same person says the same
thing twice, and someone who loves their job says so about all of it. So
every note is first given to the **source** it comes from:

* a note heard second-hand from a contact (``heard_from``) belongs to that contact;
* a second-hand note with a blank "heard from" belongs to one *unknown origin* per option;
* a first-hand note belongs to the contact on it (the conversation's contact);
* first-hand notes from a conversation without a contact belong to one *unknown person* of that
  conversation;
* first-hand notes outside any conversation and without a contact belong to one *unnamed source*
  per option (the workbook asks you to say who it was);
* your own experience is one source: you;
* online reviews, job postings and desk research: each kind is one source per option, because
  reviews of one option copy and echo each other.

:func:`source_keys` gives each note an integer key: equal keys (within an
option) are one source. :func:`source_kind` says which of the cases above a
key is, so counts and words can say "3 people and online reviews".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Sources that are documents, not people: one source per kind and option.
DOCUMENT_SOURCES = ("online-review", "job-posting", "desk-research")

# The low three bits of a key say what kind of source it is; the rest is an id where there is one.
PERSON = 0  # a contact (first-hand, or the person a second-hand note came from)
CONVERSATION = 1  # the unknown person of one conversation (notes without a contact)
UNNAMED = 2  # first-hand notes outside any conversation, without a contact
UNKNOWN_ORIGIN = 3  # second-hand notes with a blank "heard from"
YOU = 4  # your own experience
_DOCUMENT_CODE = {name: 5 + i for i, name in enumerate(DOCUMENT_SOURCES)}
DOCUMENT_CODES = frozenset(_DOCUMENT_CODE.values())
_BITS = 8

#: How each kind of source is called in sentences.
KIND_WORDS = {
    PERSON: "a contact",
    CONVERSATION: "a person from a conversation without a contact",
    UNNAMED: "an unnamed source",
    UNKNOWN_ORIGIN: "an unknown origin (second-hand, nobody named)",
    YOU: "your own experience",
    _DOCUMENT_CODE["online-review"]: "online reviews",
    _DOCUMENT_CODE["job-posting"]: "job postings",
    _DOCUMENT_CODE["desk-research"]: "desk research",
}


def _ids(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return frame[column].to_numpy(dtype="float64", na_value=np.nan)


def source_keys(insights: pd.DataFrame) -> np.ndarray:
    """One integer per note; notes with equal keys about one option come from one source."""
    n = len(insights)
    source = insights["source"].astype("str").to_numpy() if "source" in insights else np.full(n, "interview")
    contact = _ids(insights, "contact_id")
    heard = _ids(insights, "heard_from")
    conversation = _ids(insights, "conversation_id")
    second = source == "second-hand"

    key = np.full(n, UNNAMED, dtype="int64")  # first-hand, nobody named, no conversation
    has_conv = ~np.isnan(conversation)
    key = np.where(has_conv, (np.nan_to_num(conversation).astype("int64") << _BITS) | CONVERSATION, key)
    has_contact = ~np.isnan(contact)
    key = np.where(has_contact, (np.nan_to_num(contact).astype("int64") << _BITS) | PERSON, key)
    # Second-hand: the person it was heard from, or one unknown origin; never the contact who passed it on.
    has_heard = ~np.isnan(heard)
    second_key = np.where(has_heard, (np.nan_to_num(heard).astype("int64") << _BITS) | PERSON, UNKNOWN_ORIGIN)
    key = np.where(second, second_key, key)
    key = np.where(~second & has_heard, (np.nan_to_num(heard).astype("int64") << _BITS) | PERSON, key)
    key = np.where(source == "own-experience", YOU, key)
    for name, code in _DOCUMENT_CODE.items():
        key = np.where(source == name, code, key)
    return key.astype("int64")


def source_kind(keys: np.ndarray) -> np.ndarray:
    """The kind of source of each key (:data:`PERSON`, :data:`YOU`, ...)."""
    return np.asarray(keys, dtype="int64") & ((1 << _BITS) - 1)


def contact_of(keys: np.ndarray) -> np.ndarray:
    """The contact id behind each key, or -1 where the source is not a contact."""
    keys = np.asarray(keys, dtype="int64")
    return np.where(source_kind(keys) == PERSON, keys >> _BITS, -1)


def is_document(keys: np.ndarray) -> np.ndarray:
    return np.isin(source_kind(keys), list(DOCUMENT_CODES))


def describe_sources(n_people: int, documents: list[str]) -> str:
    """ "3 people and online reviews", "1 person", "job postings", "nobody yet"."""
    parts = []
    if n_people:
        parts.append(f"{n_people} {'person' if n_people == 1 else 'people'}")
    parts += documents
    if not parts:
        return "nobody yet"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def document_words(codes: set[int] | list[int]) -> list[str]:
    """The words for document kinds, in a fixed order."""
    return [KIND_WORDS[c] for c in sorted(set(codes)) if c in DOCUMENT_CODES]
