"""How contacts appear in the shareable report: by name, or as role and organisation only.

Contacts are private by default: a quote is attributed to a role and
organisation (or "a contact", never initials), and names, email addresses and
profile links are taken out of every piece of free text the report shows —
quotes, option titles and descriptions, open questions, criteria, the
sentences built from them. ``names=True`` shows names.

Names are matched whatever their case, accents or Unicode form: every word of
the text and of each contact's name is folded (compatibility-decomposed,
accents dropped, case-folded) before comparing. A first name or a surname
alone is masked, so is a possessive ("Maya's") or a hyphenated part
("Jean-Pierre"). Email addresses are masked in their usual obfuscated forms
too (``maya.chen(at)example.com``, ``maya [at] example [dot] com``).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import pandas as pd

#: What a masked name, email address or link becomes.
NAME, EMAIL, LINK = "[name]", "[email]", "[link]"
#: A word: letters (with combining marks), inner apostrophes, hyphens and dots.
_WORD = re.compile(r"[^\W\d_][\w\u0300-\u036f'’.\-]*")
_PARTS = re.compile(r"[^\W\d_][\w\u0300-\u036f]*")
_POSSESSIVE = re.compile(r"['’]s?$", re.IGNORECASE)
_AT = r"(?:@|\s*[\(\[\{<]\s*at\s*[\)\]\}>]\s*|\s+at\s+)"
_DOT = r"(?:\.|\s*[\(\[\{<]\s*dot\s*[\)\]\}>]\s*|\s+dot\s+)"
_EMAIL = re.compile(rf"[\w.+\-]+{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}[a-z]{{2,}}\b", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io)/\S*", re.IGNORECASE)
_REPEATED = re.compile(re.escape(NAME) + r"(?:\s+" + re.escape(NAME) + r")+")


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """``text`` for comparing names: compatibility-decomposed, without accents, case-folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_tokens(name: str) -> set[str]:
    """The folded parts of a name worth masking on their own (two letters or more)."""
    return {fold(part) for part in _PARTS.findall(unicodedata.normalize("NFC", name)) if len(part) >= 2}


class Privacy:
    """How contacts appear: by name (``names=True``), or as role and organisation only.

    ``label(contact_id)`` is the attribution of a quote; ``scrub(text)`` takes
    every contact's name, email addresses and links out of a text when names
    are off.
    """

    def __init__(self, contacts: pd.DataFrame, names: bool = False):
        self.names = names
        columns = [contacts[c].astype(str).tolist() for c in ("name", "role", "organization")]
        self._people = {
            int(i): (name, role.strip(), org.strip())
            for i, name, role, org in zip(contacts["id"].tolist(), *columns, strict=True)
        }
        self._scrubbed: dict[str, str] = {}  # the same role or organisation comes back many times
        self._tokens: set[str] = set()
        for name, _, _ in self._people.values():
            self._tokens |= name_tokens(name)

    def label(self, contact_id: int) -> str:
        if contact_id not in self._people:
            return "a contact"
        name, role, org = self._people[contact_id]
        job = " at ".join(p for p in (role, org) if p)
        if self.names:
            return f"{name}, {job}" if job else name
        return self.scrub(job) if job else "a contact"

    def _is_name(self, word: str) -> bool:
        core = _POSSESSIVE.sub("", word.rstrip(".-"))
        if fold(core) in self._tokens:
            return True
        return any(fold(part) in self._tokens for part in _PARTS.findall(core) if len(part) >= 2)

    def scrub(self, text: str) -> str:
        if self.names or not text:
            return text
        done = self._scrubbed.get(text)
        if done is None:
            done = self._scrubbed[text] = self._scrub(text)
        return done

    def _scrub(self, text: str) -> str:
        text = unicodedata.normalize("NFC", str(text))
        text = _URL.sub(LINK, _EMAIL.sub(EMAIL, text))

        def word(match: re.Match) -> str:
            full = match.group(0)
            core = full.rstrip(".-")
            return NAME + full[len(core) :] if self._is_name(core) else full

        return _REPEATED.sub(NAME, _WORD.sub(word, text))


__all__ = ["EMAIL", "LINK", "NAME", "Privacy", "fold", "name_tokens"]
