"""Save latency: ``wb.add_insight`` on a workbook that already holds many insights.

The baseline is the same number of bare ``sqlite3`` transactions (BEGIN, one
INSERT, COMMIT) into the same table of an identical copy of the file, with the
same settings (WAL, ``synchronous = FULL``, foreign keys on). The difference is
what the workbook adds: validation, reference checks, timestamps.
Library and baseline saves alternate in blocks so both see the same disk.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from workbook import open_workbook

from . import row
from .generate import build_workbook

_INSERT = (
    "INSERT INTO insights (option_id, criterion_id, stance, confidence, source, note, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _bare_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def measure(folder: Path, insights: int, saves: int, blocks: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Seconds per save through the workbook, and per bare transaction, ``saves`` of each."""
    path = folder / "scale.sqlite"
    build_workbook(path, insights=insights)
    library, bare = [], []
    with open_workbook(path) as wb, contextlib.closing(_bare_connection(wb.backup_to(folder / "bare.sqlite"))) as conn:
        option = conn.execute("SELECT min(id) FROM options").fetchone()[0]
        criterion = conn.execute("SELECT min(id) FROM criteria").fetchone()[0]
        for i in range(20):  # warm both files' caches
            wb.add_insight(option, criterion, 0, note=f"warm-up {i}")
            conn.execute("BEGIN")
            conn.execute(_INSERT, (option, criterion, 0, "medium", "interview", f"warm-up {i}", "x", "x"))
            conn.execute("COMMIT")
        per_block = saves // blocks
        for block in range(blocks):
            for i in range(block * per_block, (block + 1) * per_block):
                note = f"Zoë said the pay is fine, save {i}"
                start = time.perf_counter()
                wb.add_insight(option, criterion, i % 5 - 2, confidence="high", source="interview", note=note)
                library.append(time.perf_counter() - start)
            for i in range(block * per_block, (block + 1) * per_block):
                note = f"Zoë said the pay is fine, save {i}"
                start = time.perf_counter()
                stamp = dt.datetime.now().isoformat(timespec="seconds")
                conn.execute("BEGIN")
                conn.execute(_INSERT, (option, criterion, i % 5 - 2, "high", "interview", note, stamp, stamp))
                conn.execute("COMMIT")
                bare.append(time.perf_counter() - start)
        total = conn.execute("SELECT count(*) FROM insights").fetchone()[0]
    assert len(library) == saves and total >= insights + saves, "the saves did not all land"
    return np.array(library), np.array(bare)


def run(quick: bool = False) -> list[dict]:
    insights, saves = (10_000, 200) if quick else (100_000, 1_000)
    with tempfile.TemporaryDirectory(prefix="cw-bench-save-") as tmp:
        library, bare = measure(Path(tmp), insights, saves)
    results = []
    for label, q in (("p50", 50), ("p99", 99)):
        seconds, base = float(np.percentile(library, q)), float(np.percentile(bare, q))
        results.append(
            row(
                f"save latency {label} ({insights:,} insights)",
                seconds,
                base,
                f"{saves:,} wb.add_insight vs {saves:,} bare sqlite3 INSERT+COMMIT on the same table",
            )
        )
    return results
