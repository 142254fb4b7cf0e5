"""User text in the shareable report: private where it should be, isolated where it sits in a sentence.

Two guards, applied while the report's content is gathered:

- :func:`guard_tables` makes the report's view of the workbook give option
  titles, descriptions and open questions, criteria, and contacts already
  scrubbed (when names are off: names, emails and links masked; contacts'
  names replaced by their role and organisation, or "a contact") and without
  explicit bidirectional controls or control characters. Everything derived from them — the
  headline, tables, chart text, next-conversation reasons — is then safe.
- :func:`guard_context` scrubs every piece of user text the templates show
  once more, and wraps each option title, criterion or contact that sits
  inside a sentence of the report's own in ``<bdi>``, so right-to-left text
  cannot reorder the sentence around it (a value that is user text on its
  own is isolated by the template).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from markupsafe import Markup, escape

from ..textsafety import page_text
from .privacy import Privacy

#: Columns of free text the report may show, per table.
TEXT_COLUMNS = {
    "options": ("title", "description", "questions"),
    "criteria": ("name", "description"),
    "contacts": ("name", "role", "organization"),
}
#: Context keys that are not text for people (data URIs, anchors, dates).
_NOT_TEXT = {"src", "key", "date_iso"}
#: Context keys holding user text on its own, which the templates isolate with ``<bdi>`` as a whole.
_WHOLE = {"text", "title", "description", "questions", "name", "criterion", "option", "who", "people", "workbook_name"}


def guard_tables(view: Any, privacy: Privacy) -> None:
    """Make ``view.table`` (a report's private view of the workbook) give guarded text columns."""
    read = view.table
    done: dict[Any, Any] = {}  # each table guarded once per report
    texts: dict[str, str] = {}  # each text guarded once: roles and organisations come back many times

    def guard(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        out = texts.get(value)
        if out is None:
            out = texts[value] = privacy.scrub(page_text(value))
        return out

    def table(name: str, *args: Any, **kwargs: Any):
        key = (name, args, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items())))
        try:
            return done[key].copy(deep=False)
        except (KeyError, TypeError):
            pass
        frame = read(name, *args, **kwargs)
        columns = [c for c in TEXT_COLUMNS.get(name, ()) if c in frame.columns]
        if columns and not frame.empty:
            # Without names a contact's name is replaced by its label: scrubbing the name first is wasted.
            labelled = name == "contacts" and not privacy.names and "name" in frame.columns and "id" in frame.columns
            changed = {c: frame[c].map(guard) for c in columns if not (labelled and c == "name")}
            if labelled:
                changed["name"] = frame["id"].map(lambda i: privacy.label(int(i)))
            frame = frame.assign(**changed)
        with contextlib.suppress(TypeError):  # an argument that cannot be a key is simply not remembered
            done[key] = frame
        return frame.copy(deep=False)

    view.table = table


def user_texts(view: Any, privacy: Privacy) -> list[str]:
    """The short user texts sentences are built from: option titles, criteria, contacts as shown."""
    texts = set(view.options()["title"].astype(str)) | set(view.criteria()["name"].astype(str))
    contacts = view.table("contacts", include_archived=True)
    texts |= {privacy.label(int(i)) for i in contacts["id"]}
    if privacy.names:
        texts |= set(contacts["name"].astype(str))
    return sorted((t for t in texts if t.strip()), key=len, reverse=True)


def _pattern(texts: list[str]) -> re.Pattern | None:
    if not texts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in texts) + r")(?!\w)")


def _isolated(text: str, pattern: re.Pattern | None) -> str:
    """``text`` with each user text inside it wrapped in ``<bdi>`` (as safe markup), or unchanged."""
    if pattern is None:
        return text
    pieces, last = [], 0
    for match in pattern.finditer(text):
        if match.start() == 0 and match.end() == len(text):
            return text  # user text on its own: the template isolates it
        pieces += [escape(text[last : match.start()]), Markup("<bdi>%s</bdi>") % match.group(0)]
        last = match.end()
    if not pieces:
        return text
    return Markup("").join([*pieces, escape(text[last:])])


def guard_context(value: Any, privacy: Privacy, texts: list[str]) -> Any:
    """User text in the report's context scrubbed (names off) once more; sentences with user text isolated."""
    pattern = _pattern(texts)

    def walk(item: Any, key: str = "", isolate: bool = True) -> Any:
        if isinstance(item, dict):
            inner = isolate and "src" not in item  # a chart's title goes into an attribute
            return {k: walk(v, k, inner) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [walk(v, key, isolate) for v in item]
        if not isinstance(item, str) or key in _NOT_TEXT:
            return item
        if not isolate:  # a chart: drawn from the guarded tables; its title goes into an attribute
            return page_text(item)
        if key in _WHOLE:
            return privacy.scrub(page_text(item))  # user text on its own, inside <bdi>
        # A sentence of ours, built from the guarded tables. It is not scrubbed again, so a contact
        # called Chance or Long does not mask those words in the report's own text.
        return _isolated(page_text(item), pattern)

    guarded = walk(value)
    if isinstance(value, dict) and isinstance(value.get("title"), str):  # the report's own title, as given
        guarded["title"] = page_text(value["title"])
    return guarded


__all__ = ["TEXT_COLUMNS", "guard_context", "guard_tables", "user_texts"]
