"""How numbers are shown to people: signed scores and percentages, the same in forms, report and prep sheet."""

from __future__ import annotations

import math
from typing import Any

#: Shown for a number that is missing.
MISSING = "–"


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return x is not None and str(x) in {"NaT", "<NA>"}


def signed(x: Any, digits: int = 1) -> str:
    """A score with its sign and a true minus sign: ``+1.2``, ``−0.4``, ``+0.0``; ``–`` when missing."""
    if _missing(x):
        return MISSING
    return f"{float(x):+.{digits}f}".replace("-", "−")


def weight(x: Any) -> str:
    """A criterion weight as the sensitivity table words it: ``0.84``, ``5.4``, ``23``."""
    if _missing(x):
        return MISSING
    x = float(x)
    return f"{x:.0f}" if abs(x) >= 10 else f"{x:.2g}"


def percent(p: Any) -> str:
    """A share from 0 to 1 as a whole percentage: ``0.374`` → ``37%``; ``–`` when missing."""
    if _missing(p):
        return MISSING
    return f"{round(100 * float(p))}%"


def count(n: Any) -> str:
    """A whole number with thousands separators: ``12,400``."""
    return f"{int(n):,}"


def tell_apart(labels: list[str], ids: list[int]) -> list[str]:
    """``labels`` as they are, except that labels shared by several records get ``— record N``.

    A person reads names, not ids; an id is shown only where two entries would otherwise read
    the same, and then as what it is.
    """
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    return [f"{label} — record {i}" if seen[label] > 1 else label for label, i in zip(labels, ids, strict=True)]
