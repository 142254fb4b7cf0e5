"""No lost update: a save checks that the record is still what the page loaded.

A page (a notebook's form, the app) loads a record, the person edits it, and
saves. Meanwhile another page, a command or a restored backup may have
changed the same record. The save compares, inside its own ``BEGIN
IMMEDIATE`` transaction, the stored values with the values the page loaded:
when they differ, nothing is written and :class:`ChangedElsewhereError`
carries both versions, so the page can show them and let the person choose.
No version column is needed: the values themselves are compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ChangedElsewhereError

#: One record of each table, in words.
NOUNS = {
    "options": "option",
    "criteria": "criterion",
    "contacts": "contact",
    "conversations": "conversation",
    "insights": "insight",
}
#: A contact's pseudo-field: the ids of the options they know from the inside (insider links).
INSIDERS = "insider_for"


def _plain(value: Any) -> Any:
    """``value`` as compared: "" for nothing, a sorted tuple for a collection, a plain number."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(sorted(_plain(v) for v in value))
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # a numpy scalar
        return value.item()
    return value


def same(a: Any, b: Any) -> bool:
    """True when a stored value and a loaded one say the same (``None`` and ``""`` alike)."""
    left, right = _plain(a), _plain(b)
    if isinstance(left, float) or isinstance(right, float):
        try:
            return abs(float(left) - float(right)) <= 1e-9 * max(1.0, abs(float(left)))
        except (TypeError, ValueError):
            return False
    return left == right


def compare(
    what: str,
    loaded: Mapping[Any, Any],
    theirs: Mapping[Any, Any],
    yours: Mapping[Any, Any],
    *,
    table: str | None = None,
    id: int | None = None,
    labels: Mapping[Any, str] | None = None,
) -> None:
    """Raise :class:`ChangedElsewhereError` when a field of ``loaded`` differs from what is stored (``theirs``)."""
    changed = [key for key in loaded if not same(loaded[key], theirs.get(key))]
    if changed:
        raise ChangedElsewhereError(
            what,
            changed,
            loaded=dict(loaded),
            theirs=dict(theirs),
            yours=dict(yours),
            table=table,
            id=id,
            labels=dict(labels or {}),
        )


__all__ = ["INSIDERS", "NOUNS", "compare", "same"]
