"""Opening a workbook: what checking the file costs (identified read-only, ``PRAGMA quick_check``, exact schema).

Every command and notebook opens the workbook once, so this is paid once per
command. Timed on a workbook of 100,000 insights: ``open_workbook`` (identify
read-only, quick_check, schema check, then the real connection in WAL mode)
and ``PRAGMA quick_check`` alone, against a bare ``sqlite3`` open of the same
file (connect, WAL, one ``SELECT count(*)`` so the file is really read).
Median of several runs, the file's pages in the OS cache (warm), as on a
second command.
"""

from __future__ import annotations

import contextlib
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from workbook import open_workbook

from . import row
from .generate import build_workbook


def _bare_open(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(str(path), timeout=30, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("SELECT count(*) FROM options").fetchone()


def _quick_check(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(str(path), isolation_level=None)) as conn:
        assert conn.execute("PRAGMA quick_check(1)").fetchone()[0] == "ok"


def _library_open(path: Path) -> None:
    open_workbook(path, create=False).close()


def _median(func, path: Path, runs: int) -> float:
    func(path)  # warm the OS cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(quick: bool = False) -> list[dict]:
    insights, runs = (10_000, 5) if quick else (100_000, 9)
    with tempfile.TemporaryDirectory(prefix="cw-bench-open-") as tmp:
        path = Path(tmp) / "scale.sqlite"
        build_workbook(path, insights=insights)
        size = path.stat().st_size / 1e6
        bare = _median(_bare_open, path, runs)
        check = _median(_quick_check, path, runs)
        full = _median(_library_open, path, runs)
    note = f"{insights:,} insights, {size:.0f} MB file, warm cache, median of {runs}"
    return [
        row(f"quick_check ({insights:,} insights)", check, bare, f"PRAGMA quick_check vs a bare open; {note}"),
        row(
            f"open_workbook with its checks ({insights:,} insights)",
            full,
            bare,
            f"identify read-only + quick_check + schema check + WAL open vs a bare open; {note}",
        ),
    ]
