"""How contacts appear in the shareable report: by name, or as role and organisation only.

Contacts are private by default: a quote is attributed to a role and
organisation, and names, email addresses and profile links are taken out of
the quote's text. ``names=True`` shows names.
"""

from __future__ import annotations

import re

import pandas as pd


class Privacy:
    """How contacts appear: by name (``names=True``), or as role and organisation only.

    ``label(contact_id)`` is the attribution of a quote; ``scrub(text)`` takes
    every contact's name, email addresses and links out of a quote when names
    are off.
    """

    _WORD = re.compile(r"[^\W\d_][\w'’.-]*")
    _EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
    _URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io)/\S*", re.IGNORECASE)

    def __init__(self, contacts: pd.DataFrame, names: bool = False):
        self.names = names
        columns = [contacts[c].astype(str).tolist() for c in ("name", "role", "organization")]
        self._people = {
            int(i): (name, role.strip(), org.strip())
            for i, name, role, org in zip(contacts["id"].tolist(), *columns, strict=True)
        }
        self._tokens = {part.strip(".'’-") for name, _, _ in self._people.values() for part in self._WORD.findall(name)}
        self._tokens = {t for t in self._tokens if len(t) >= 2}

    def label(self, contact_id: int) -> str:
        if contact_id not in self._people:
            return "a contact"
        name, role, org = self._people[contact_id]
        job = " at ".join(p for p in (role, org) if p)
        if self.names:
            return f"{name}, {job}" if job else name
        if job:
            return job
        initials = [p[0].upper() for p in name.split() if p[:1].isalpha()]
        return "contact " + "".join(f"{i}." for i in initials) if initials else "a contact"

    def scrub(self, text: str) -> str:
        if self.names or not text:
            return text
        text = self._URL.sub("[link]", self._EMAIL.sub("[email]", text))

        def word(match: re.Match) -> str:
            full = match.group(0)
            core = full.rstrip(".'’-")
            return "[name]" + full[len(core) :] if core in self._tokens else full

        return re.sub(r"\[name\](?:\s+\[name\])+", "[name]", self._WORD.sub(word, text))


__all__ = ["Privacy"]
