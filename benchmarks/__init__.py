"""Scale data and timing harnesses (not part of the test run): ``python -m benchmarks [--quick]``."""

from __future__ import annotations


def row(name: str, seconds: float, baseline: float, note: str) -> dict:
    """One measurement: its time next to the baseline measured in the same run."""
    return {
        "name": name,
        "seconds": seconds,
        "baseline_seconds": baseline,
        "ratio": seconds / baseline if baseline > 0 else float("inf"),
        "note": note,
    }
