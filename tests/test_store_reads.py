"""The analysis reads the notes in a faster way (:func:`workbook.store.reads.read_evidence`): the same table.

It asks SQLite for the stance, the "against my hopes" flag, the source and the confidence as one number per
note and unpacks them; any value the workbook itself never writes makes it read the notes the ordinary way.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from benchmarks.generate import build_workbook
from workbook import open_workbook
from workbook.store import reads, vocab


def _ordinary(conn) -> pd.DataFrame:
    """The notes read the ordinary way: every value as SQLite returns it, typed by pandas."""
    cur = reads._select(conn, "insights", False, reads.ANALYSIS_COLUMNS)
    frame = pd.DataFrame.from_records(cur.fetchall(), columns=[d[0] for d in cur.description])
    return reads._typed(frame)


def _assorted(wb) -> None:
    """Notes with every source, confidence and stance, with and without a conversation, contact or origin."""
    o1, o2 = wb.add_option("Data analysis"), wb.add_option("Teaching")
    c1, c2 = wb.add_criterion("Pay", weight=3), wb.add_criterion("Calm", weight=1)
    ann, bob = wb.add_contact("Ann"), wb.add_contact("Bob")
    conv = wb.add_conversation(contact_id=ann, option_id=o1)
    combos = itertools.product(vocab.SOURCES, vocab.CONFIDENCE, (-2, -1, 0, 1, 2))
    for i, (source, confidence, stance) in enumerate(combos):
        extra = {"against_hopes": i % 3 == 0}
        if source == "interview" and i % 2:
            extra["conversation_id"] = conv
            extra["contact_id"] = ann
        if source == "second-hand" and i % 2:
            extra["heard_from"] = bob
        wb.add_insight(
            option_id=(o1, o2)[i % 2],
            criterion_id=(c1, c2)[i % 2 == 0],
            stance=stance,
            confidence=confidence,
            source=source,
            **extra,
        )
    archived = wb.add_insight(option_id=o1, criterion_id=c1, stance=2)
    wb.archive("insights", archived)


def test_the_notes_read_for_the_analysis_are_the_same_as_read_the_ordinary_way(wb):
    _assorted(wb)
    with wb.reading() as conn:
        fast = reads.read_evidence(conn)
        assert fast is not None  # every value is one the workbook writes: the fast way was taken
        expected = _ordinary(conn)
    pd.testing.assert_frame_equal(fast, expected)
    assert len(fast) == len(vocab.SOURCES) * len(vocab.CONFIDENCE) * 5  # the archived note left out
    assert fast["against_hopes"].any() and fast["contact_id"].isna().any() and fast["heard_from"].notna().any()
    with wb.snapshot() as snap:
        pd.testing.assert_frame_equal(snap.evidence_rows(), expected)


def test_the_notes_of_the_benchmark_workbook_read_the_same(tmp_path):
    path = build_workbook(tmp_path / "scale.sqlite", options=20, criteria=6, contacts=200, insights=3000)
    with open_workbook(path) as wb, wb.reading() as conn:
        pd.testing.assert_frame_equal(reads.read_evidence(conn), _ordinary(conn))


@pytest.mark.parametrize(
    ("change", "fast"),
    [
        ("UPDATE insights SET source = 'podcast' WHERE id = 2", False),  # a source typed in by hand
        ("UPDATE insights SET confidence = 'very high' WHERE id = 3", False),
        ("UPDATE insights SET stance = 1.5 WHERE id = 5", False),  # not a whole number
        ("UPDATE insights SET against_hopes = 2 WHERE id = 4", True),  # any non-zero flag counts as set
    ],
)
def test_values_the_workbook_never_writes_are_read_as_they_are(wb, change, fast):
    _assorted(wb)
    with wb.reading() as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(change)
        conn.commit()
        conn.execute("PRAGMA foreign_keys = ON")
        assert (reads.read_evidence(conn) is not None) is fast
        expected = _ordinary(conn)
        got = reads.read_table(conn, "insights", columns=reads.ANALYSIS_COLUMNS)
    pd.testing.assert_frame_equal(got, expected)


def test_a_snapshot_takes_columns_from_a_table_it_has_read_whole(wb, monkeypatch):
    _assorted(wb)
    with wb.snapshot() as snap:
        whole = snap.contacts()
        read = []
        real = wb.table
        monkeypatch.setattr(wb, "table", lambda *a, **k: read.append(a) or real(*a, **k))
        some = snap.table("contacts", columns=("id", "name"))
        assert not read  # not read again
    pd.testing.assert_frame_equal(some, whole[["id", "name"]])
    pd.testing.assert_frame_equal(some, wb.table("contacts", columns=("id", "name")))
