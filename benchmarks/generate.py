"""Synthetic workbooks at scale, for timing the analysis, saving and the report.

``synthetic_frames`` returns in-memory DataFrames shaped like the store's
tables (same columns and dtypes); ``build_workbook`` writes a real workbook
file through ``Workbook.add_many``. Both are reproducible from ``seed``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from workbook import open_workbook

SOURCES = ("interview", "second-hand", "online-review", "job-posting", "own-experience", "desk-research")
CONFIDENCE = ("low", "medium", "high")
STATUSES = ("done", "thanked", "planned", "requested", "scheduled", "no_reply")
_STATUS_P = (0.4, 0.4, 0.05, 0.05, 0.05, 0.05)
NOTES_PER_CONVERSATION = 5
_STAMP = pd.Timestamp("2026-01-01 09:00:00")


def _tables(n_options: int, n_criteria: int, n_insights: int, n_contacts: int, seed: int) -> dict[str, dict]:
    """Column arrays for every table; ids start at 1 and references are by those ids."""
    rng = np.random.default_rng(seed)
    n_contacts = max(n_contacts, 1)
    opt = np.arange(1, n_options + 1)
    crit = np.arange(1, n_criteria + 1)
    people = np.arange(1, n_contacts + 1)
    insider = rng.integers(1, n_options + 1, n_contacts)  # each contact knows one option from the inside
    # About 70% of the notes come from conversations, five notes each; the rest are second-hand, reviews...
    n_conv = int(0.7 * n_insights) // NOTES_PER_CONVERSATION
    conv_contact = rng.integers(1, n_contacts + 1, n_conv)
    conv_option = insider[conv_contact - 1]
    from_conv = n_conv * NOTES_PER_CONVERSATION
    which_conv = np.arange(n_insights) // NOTES_PER_CONVERSATION
    in_conv = np.arange(n_insights) < from_conv
    option = np.where(
        in_conv,
        conv_option[np.minimum(which_conv, max(n_conv - 1, 0))] if n_conv else 0,
        rng.integers(1, n_options + 1, n_insights),
    )
    criterion = rng.integers(1, n_criteria + 1, n_insights)
    other = rng.integers(1, len(SOURCES), n_insights)  # second-hand .. desk-research
    source = np.where(in_conv, 0, other)
    contact = np.where(
        in_conv,
        conv_contact[np.minimum(which_conv, max(n_conv - 1, 0))] if n_conv else 0,
        np.where(source == 1, rng.integers(1, n_contacts + 1, n_insights), 0),
    )
    bias = rng.normal(0.0, 0.6, (max(n_options, 1), max(n_criteria, 1)))
    stance = np.clip(np.rint(bias[option - 1, criterion - 1] + rng.normal(0.0, 1.0, n_insights)), -2, 2)
    ids = np.arange(1, n_insights + 1)
    return {
        "options": {"title": [f"Option {i}" for i in opt], "description": [f"Synthetic career path {i}" for i in opt]},
        "criteria": {"name": [f"Criterion {j}" for j in crit], "weight": rng.choice([1.0, 2.0, 3.0, 5.0], n_criteria)},
        "contacts": {
            "name": [f"Contact {k}" for k in people],
            "organization": [f"Organisation {k % 97}" for k in people],
            "role": [f"Role {k % 13}" for k in people],
            "strength": rng.integers(1, 6, n_contacts),
        },
        "insider_links": {"contact_id": people, "option_id": insider},
        "conversations": {
            "contact_id": conv_contact,
            "option_id": conv_option,
            "status": rng.choice(STATUSES, n_conv, p=_STATUS_P),
        },
        "insights": {
            "option_id": option,
            "criterion_id": criterion,
            "stance": stance.astype("int64"),
            "confidence": np.array(CONFIDENCE)[rng.integers(0, 3, n_insights)],
            "source": np.array(SOURCES)[source],
            "note": [f"Synthetic note {i}" for i in ids],
            "conversation_id": np.where(in_conv, which_conv + 1, 0),
            "contact_id": contact,
            "heard_from": np.where(source == 1, contact, 0),
        },  # second-hand: whom the claim came from
    }


_DTYPES = {
    "options": {"title": "str", "description": "str", "status": "str", "questions": "str"},
    "criteria": {"name": "str", "description": "str", "weight": "float64"},
    "contacts": {
        "name": "str",
        "organization": "str",
        "role": "str",
        "email": "str",
        "profile_url": "str",
        "relationship": "str",
        "strength": "int64",
        "referred_by": "Int64",
        "source": "str",
        "connected_on": "datetime64[s]",
        "notes": "str",
    },
    "insider_links": {"contact_id": "Int64", "option_id": "int64"},
    "conversations": {
        "contact_id": "Int64",
        "option_id": "int64",
        "status": "str",
        "requested_on": "datetime64[s]",
        "followed_up_on": "datetime64[s]",
        "scheduled_at": "datetime64[s]",
        "duration_min": "int64",
        "done_on": "datetime64[s]",
        "thanked_on": "datetime64[s]",
        "notes": "str",
        "debrief": "str",
        "still_interested": "str",
        "thank_you_note": "str",
    },
    "insights": {
        "option_id": "int64",
        "criterion_id": "int64",
        "stance": "int64",
        "confidence": "str",
        "source": "str",
        "note": "str",
        "conversation_id": "Int64",
        "contact_id": "Int64",
        "against_hopes": "bool",
        "heard_from": "Int64",
    },
}
_DEFAULTS = {"status": "exploring", "duration_min": 20, "against_hopes": False, "source": "synthetic"}


def synthetic_frames(
    n_options: int = 200, n_criteria: int = 12, n_insights: int = 100_000, n_contacts: int = 5000, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """DataFrames shaped like ``wb.options()``, ``criteria()``, ``contacts()``, ``insider_links()``,
    ``conversations()`` and ``insights()`` (same columns and dtypes), keyed by table name."""
    out = {}
    for table, columns in _tables(n_options, n_criteria, n_insights, n_contacts, seed).items():
        n = len(next(iter(columns.values())))
        frame = (
            pd.DataFrame(index=pd.RangeIndex(n))
            if table == "insider_links"
            else pd.DataFrame({"id": np.arange(1, n + 1, dtype="int64")})
        )
        for col, dtype in _DTYPES[table].items():
            missing = "" if dtype == "str" else pd.NaT if dtype.startswith("datetime") else pd.NA
            values = columns.get(col, [_DEFAULTS.get(col, missing)] * n)
            series = pd.Series(values)
            if dtype == "Int64":
                series = series.where(series != 0, pd.NA) if col in columns else series
            frame[col] = series.astype(dtype)
        if table == "conversations":  # the dates the store fills in when a status is reached
            frame.loc[frame["status"].isin(["done", "thanked"]), "done_on"] = _STAMP
            frame.loc[frame["status"] == "thanked", "thanked_on"] = _STAMP
        if table != "insider_links":
            frame["archived"] = False
            frame["created_at"] = frame["updated_at"] = _STAMP
        out[table] = frame
    return out


def _records(columns: dict) -> list[dict]:
    """Rows for ``add_many``; a reference of 0 means none."""
    names = list(columns)
    rows = []
    for values in zip(*(columns[c] for c in names), strict=True):
        row = {}
        for name, value in zip(names, values, strict=True):
            value = value.item() if hasattr(value, "item") else value
            if not ((name.endswith("_id") or name == "heard_from") and value == 0):
                row[name] = value
        rows.append(row)
    return rows


def build_workbook(
    path: str | os.PathLike,
    options: int = 200,
    criteria: int = 12,
    contacts: int = 5000,
    insights: int = 100_000,
    seed: int = 0,
) -> Path:
    """Write a synthetic workbook to ``path`` (replacing the file) through ``wb.add_many``; returns the path.

    The workbook is new, so the ids the store gives are 1, 2, ... as the generator assumes.
    """
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    tables = _tables(options, criteria, insights, contacts, seed)
    with open_workbook(path) as wb:
        for table in ("options", "criteria", "contacts", "insider_links", "conversations", "insights"):
            ids = wb.add_many(table, _records(tables[table]))
            if table != "insider_links" and ids and ids[-1] != len(ids):
                raise RuntimeError(f"{path} was not empty: {table} ids do not start at 1")
    return path
