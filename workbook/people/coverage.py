"""Coverage: for each option you are weighing, how many insiders you know and how many you have talked to.

A common rule of thumb is to talk to about three people per option before
trusting what you heard; options below the threshold are flagged. Pure
functions over the workbook's DataFrames, plus :func:`coverage_for` that reads
them from a workbook.
"""

from __future__ import annotations

import pandas as pd

from ..errors import ValidationError
from ..store import vocab
from ..store.conversations import HELD
from ..store.readable import Readable

#: Option statuses that count as "still being weighed".
ACTIVE_STATUSES: tuple[str, ...] = ("exploring", "shortlisted", "chosen")
#: Conversation statuses that mean the conversation took place.
HELD_STATUSES: tuple[str, ...] = HELD
DEFAULT_THRESHOLD = 3
#: The workbook setting holding your own aim (people per option); :data:`DEFAULT_THRESHOLD` when unset.
THRESHOLD_SETTING = "coverage_threshold"

COLUMNS = ["option", "status", "insiders", "conversations_held", "people_talked_to", "needs_more", "advice"]


def active_options(options: pd.DataFrame) -> pd.DataFrame:
    """The options still being weighed: not archived, not parked or dropped."""
    if options is None or options.empty:
        return pd.DataFrame(columns=["id", "title", "status"])
    frame = options
    if "archived" in frame.columns:
        frame = frame[~frame["archived"].astype(bool)]
    return frame[frame["status"].isin(ACTIVE_STATUSES)].reset_index(drop=True)


def _more(n: int, one: str, many: str) -> str:
    return f"{n} more {one if n == 1 else many}"


def coverage(
    options: pd.DataFrame,
    contacts: pd.DataFrame,
    links: pd.DataFrame,
    conversations: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Per active option: insiders known, conversations held, people talked to, and what is missing.

    Indexed by option id. ``insiders`` counts (non-archived) contacts linked
    as insiders; ``conversations_held`` counts conversations whose status is
    done or thanked; ``people_talked_to`` counts the distinct people behind
    them. ``needs_more`` is True when insiders or people talked to fall below
    ``threshold``; ``advice`` says by how much, in words.
    """
    check_threshold(threshold)
    active = active_options(options)
    if active.empty:
        return pd.DataFrame(columns=COLUMNS, index=pd.Index([], name="option_id", dtype="int64"))
    people = set() if contacts is None or contacts.empty else {int(i) for i in contacts["id"]}
    insiders = {int(o): 0 for o in active["id"]}
    if links is not None and not links.empty:
        for cid, oid in zip(links["contact_id"], links["option_id"], strict=True):
            if int(oid) in insiders and int(cid) in people:
                insiders[int(oid)] += 1
    held = {int(o): 0 for o in active["id"]}
    talked: dict[int, set[int]] = {int(o): set() for o in active["id"]}
    if conversations is not None and not conversations.empty:
        done = conversations[conversations["status"].isin(HELD_STATUSES)]
        for cid, oid in zip(done["contact_id"], done["option_id"], strict=True):
            if int(oid) in held:
                held[int(oid)] += 1
                talked[int(oid)].add(int(cid))
    rows = []
    for opt in active.itertuples(index=False):
        oid = int(opt.id)
        short_insiders = max(0, threshold - insiders[oid])
        short_talks = max(0, threshold - len(talked[oid]))
        needs = []
        if short_insiders:
            needs.append(f"find {_more(short_insiders, 'insider', 'insiders')}")
        if short_talks:
            needs.append(f"talk to {_more(short_talks, 'person', 'people')}")
        advice = " and ".join(needs) if needs else "enough for now"
        rows.append((oid, opt.title, opt.status, insiders[oid], held[oid], len(talked[oid]), bool(needs), advice))
    frame = pd.DataFrame(rows, columns=["option_id", *COLUMNS]).set_index("option_id")
    return frame.astype({"insiders": "int64", "conversations_held": "int64", "people_talked_to": "int64"})


def check_threshold(threshold: object, field: str = "threshold") -> int:
    """``threshold`` if it is a whole number of at least 1, else a ValidationError naming ``field``."""
    if isinstance(threshold, float) and threshold.is_integer():
        threshold = int(threshold)
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValidationError(field, f"must be a whole number of at least 1, not {threshold!r}")
    return threshold


def threshold_for(wb: Readable) -> int:
    """The coverage aim stored in a workbook (or a snapshot of one): the setting, else the default."""
    value = wb.setting(THRESHOLD_SETTING)
    return DEFAULT_THRESHOLD if value is None else check_threshold(value, THRESHOLD_SETTING)


def coverage_for(wb: Readable, threshold: int | None = None) -> pd.DataFrame:
    """:func:`coverage` over a workbook; ``threshold`` defaults to the workbook's own aim (:func:`threshold_for`)."""
    if threshold is None:
        threshold = threshold_for(wb)
    return coverage(wb.options(), wb.contacts(), wb.insider_links(), wb.conversations(), threshold)


def coverage_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The coverage frame for people to read: one row per option title, plain column names, yes/no.

    The option is a column (no index to show), so a notebook can show it without one.
    """
    return (
        frame.assign(
            status=frame["status"].map(lambda s: vocab.OPTION_STATUSES.get(s, s)),
            needs_more=frame["needs_more"].map({True: "yes", False: "no"}),
        )
        .reset_index(drop=True)
        .rename(
            columns={
                "option": "Option",
                "status": "Status",
                "insiders": "Insiders known",
                "conversations_held": "Conversations held",
                "people_talked_to": "People talked to",
                "needs_more": "Needs more",
                "advice": "Next",
            }
        )
    )
