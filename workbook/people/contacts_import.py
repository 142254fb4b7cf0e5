"""Import contacts from any source, keeping one contact per person.

Importing is two steps, so nothing is written before you have seen it:
:func:`preview_contacts` reads a file (:func:`~.contact_files.read_contacts`)
and says what would happen to each person in it; :func:`import_contacts` does
it in one transaction (all or nothing).

A person is matched to a contact you already have (archived ones too) when

1. one of their email addresses is the contact's (case does not count), or
2. their LinkedIn profile URL is the contact's, or
3. their name and organisation are the contact's once case, accents,
   punctuation and legal forms are set aside ("José Núñez, Acme Inc." is
   "jose nunez, ACME"), unless both have profile URLs that differ; or
4. their name is the contact's and one side names no organisation, when
   exactly one contact has that name.

The same rules match a person to someone earlier in the same file, so a
person listed twice (or in LinkedIn and on a phone) is one contact. A match
fills the contact's empty fields with the file's details and remembers the
file's source (``contact_sources``); a detail that differs is never
overwritten on its own: it is listed as a :class:`Conflict`, and only the ones
whose :attr:`Conflict.key` is passed in ``take`` use the file's value.
Importing the same file again changes nothing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import ValidationError
from ..store import fields as _fields
from . import linkedin
from .contact_files import FORMATS, MAX_BYTES, MAX_ROWS, ContactFile, Person, read_contacts
from .matching import normalise_name, normalise_org

if TYPE_CHECKING:
    from ..store.workbook import Workbook

#: The contact fields an import fills or compares, with how they are called.
COMPARED: dict[str, str] = {
    "name": "name",
    "organization": "organisation",
    "role": "role",
    "email": "email",
    "profile_url": "profile URL",
    "connected_on": "connected on",
}
#: What can happen to each person of a file.
OUTCOMES: dict[str, str] = {
    "new": "added as a new contact",
    "updated": "details added to a contact you have",
    "unchanged": "already in your workbook, nothing new",
    "merged": "the same person as an earlier line of the file",
    "skipped": "not imported",
}
PREVIEW_COLUMNS = ["line", "name", "organization", "role", "email", "outcome", "contact", "why"]
CONFLICT_COLUMNS = ["key", "line", "contact_id", "contact", "field", "in_workbook", "in_file", "use_file"]


@dataclass
class Conflict:
    """A detail of the file that differs from what the workbook (or an earlier line) already has."""

    line: int  # the line of the file saying ``in_file``
    field: str  # a key of COMPARED
    contact_id: int | None  # None: the person is new, first seen at ``target_line``
    contact: str  # who, as the workbook (or the earlier line) names them
    in_workbook: str
    in_file: str
    use_file: bool = False

    @property
    def key(self) -> str:
        """How to choose the file's value: ``"12:role"`` (line and field)."""
        return f"{self.line}:{self.field}"

    def describe(self) -> str:
        """One line: "Amara Nwosu · role: workbook 'UX Researcher', file 'Senior UX Researcher'"."""
        return f"{self.contact} · {COMPARED[self.field]}: workbook {self.in_workbook!r}, file {self.in_file!r}"


@dataclass
class ContactPlan:
    """What importing a contacts file would do. Nothing here is written until :func:`import_contacts`."""

    file: ContactFile
    preview: pd.DataFrame  # one row per person of the file (PREVIEW_COLUMNS)
    records: list[dict[str, Any]]  # the new contacts, ready for ``add_many``
    updates: dict[int, dict[str, Any]]  # contact id -> fields filled in (or taken from the file)
    new_sources: list[int]  # contacts that will also remember this file's source
    conflicts: list[Conflict]
    ids: list[int] = field(default_factory=list)  # the new contacts' ids, once written

    def count(self, outcome: str) -> int:
        return int((self.preview["outcome"] == outcome).sum()) if not self.preview.empty else 0

    @property
    def new(self) -> int:
        return len(self.records)

    @property
    def updated(self) -> int:
        """Contacts you have that gain a detail or a source."""
        return len(set(self.updates) | set(self.new_sources))

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def merged(self) -> int:
        return self.count("merged")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def changes(self) -> int:
        """How many contacts importing would add or change (0: importing does nothing)."""
        return self.new + self.updated

    def conflict_table(self) -> pd.DataFrame:
        rows = [
            (c.key, c.line, c.contact_id, c.contact, COMPARED[c.field], c.in_workbook, c.in_file, c.use_file)
            for c in self.conflicts
        ]
        return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)

    def summary(self) -> str:
        """One sentence with the counts."""
        people = len(self.file.people)
        differ = len(self.conflicts)
        text = (
            f"{self.file.name} ({self.file.describe()}): {people} {'person' if people == 1 else 'people'} — "
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.merged} listed twice, {self.skipped} skipped"
        )
        if differ:
            text += f"; {differ} detail{'' if differ == 1 else 's'} differ{'s' if differ == 1 else ''} (choose below)"
        return text + "."


# ---------------------------------------------------------------- planning
@dataclass
class _Entry:
    """Someone a person of the file may be: a contact of the workbook, or a new one from an earlier line."""

    contact_id: int | None
    line: int | None
    values: dict[str, str]
    sources: set[str]
    archived: bool = False
    emails: set[str] = field(default_factory=set)
    fills: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.values["name"] if self.contact_id is not None else f"{self.values['name']} (line {self.line})"


@functools.lru_cache(maxsize=1 << 16)
def url_key(url: str) -> str:
    """:func:`.linkedin.url_key`, remembered: each address is compared several times in one import."""
    return linkedin.url_key(url)


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


class _Index:
    """The entries, found by email, profile URL, name and organisation, and name alone."""

    def __init__(self) -> None:
        self.by_email: dict[str, _Entry] = {}
        self.by_url: dict[str, _Entry] = {}
        self.by_name_org: dict[tuple[str, str], list[_Entry]] = {}
        self.by_name: dict[str, list[_Entry]] = {}

    def add(self, entry: _Entry, organizations: Iterable[str] = ()) -> None:
        for email in entry.emails:
            self.by_email.setdefault(email, entry)
        key = url_key(entry.values["profile_url"])
        if key:
            self.by_url.setdefault(key, entry)
        name = normalise_name(entry.values["name"])
        if not name:
            return
        if entry not in self.by_name.setdefault(name, []):
            self.by_name[name].append(entry)
        for org in {normalise_org(o) for o in [entry.values["organization"], *organizations]}:
            group = self.by_name_org.setdefault((name, org), [])
            if entry not in group:
                group.append(entry)

    def find(self, person: Person) -> tuple[_Entry | None, str]:
        for email in person.emails:
            if email.casefold() in self.by_email:
                return self.by_email[email.casefold()], "same email"
        key = url_key(person.profile_url)
        if key and key in self.by_url:
            return self.by_url[key], "same profile URL"
        name = normalise_name(person.name)
        if not name:
            return None, ""

        def compatible(entry: _Entry) -> bool:  # two different profiles are two people
            theirs = url_key(entry.values["profile_url"])
            return not (key and theirs and key != theirs)

        orgs = [o for o in dict.fromkeys(normalise_org(o) for o in person.organizations) if o]
        for org in orgs or [""]:
            found = [e for e in self.by_name_org.get((name, org), []) if compatible(e)]
            if found:
                return found[0], "same name and organisation" if org else "same name, no organisation"
        same_name = [e for e in self.by_name.get(name, []) if compatible(e)]
        if len(same_name) == 1:
            other = same_name[0]
            if not orgs:
                return other, "same name; the file names no organisation"
            if not normalise_org(other.values["organization"]):
                return other, "same name; no organisation in the workbook"
        return None, ""


def _existing_entries(contacts: pd.DataFrame, sources: pd.DataFrame) -> list[_Entry]:
    known: dict[int, set[str]] = {}
    if sources is not None and not sources.empty:
        for cid, source in zip(sources["contact_id"], sources["source"], strict=True):
            known.setdefault(int(cid), set()).add(str(source))
    entries: list[_Entry] = []
    if contacts is None or contacts.empty:
        return entries
    for row in contacts.itertuples(index=False):
        values = {f: _text(getattr(row, f, "")) for f in COMPARED}
        cid = int(row.id)
        entries.append(
            _Entry(
                contact_id=cid,
                line=None,
                values=values,
                sources=known.get(cid, {_text(getattr(row, "source", ""))}),
                archived=bool(getattr(row, "archived", False)),
                emails={values["email"].casefold()} if values["email"] else set(),
            )
        )
    return entries


def _same(field_name: str, current: str, person: Person, incoming: str) -> bool:
    """Whether the file's value says the same as the current one, as people write it."""
    if field_name == "email":
        return current.casefold() in {e.casefold() for e in person.emails}
    if field_name == "organization":
        return normalise_org(current) in {normalise_org(o) for o in person.organizations}
    if field_name == "profile_url":
        return url_key(current) == url_key(incoming)
    if field_name in ("name", "role"):
        return normalise_name(current) == normalise_name(incoming)
    return current.strip() == incoming.strip()


def _incoming(person: Person) -> dict[str, str]:
    return {
        "name": person.name,
        "organization": person.organization,
        "role": person.role,
        "email": person.email,
        "profile_url": person.profile_url,
        "connected_on": person.connected_on or "",
    }


def _compare(entry: _Entry, person: Person, take: set[str]) -> tuple[list[str], list[Conflict]]:
    """Fill ``entry``'s empty fields from ``person``; return the fields filled and the conflicts."""
    filled, conflicts = [], []
    for name, incoming in _incoming(person).items():
        if not incoming:
            continue
        current = entry.values[name]
        if not current:
            entry.values[name] = entry.fills[name] = incoming
            filled.append(COMPARED[name])
        elif not _same(name, current, person, incoming):
            conflict = Conflict(person.line, name, entry.contact_id, entry.label, current, incoming)
            conflict.use_file = conflict.key in take
            if conflict.use_file:
                entry.values[name] = entry.fills[name] = incoming
            conflicts.append(conflict)
    return filled, conflicts


def plan_contacts(
    contacts: pd.DataFrame, sources: pd.DataFrame, file: ContactFile, take: Iterable[str] = ()
) -> ContactPlan:
    """Compare the people of ``file`` with the workbook's ``contacts`` (archived ones included) and
    the sources each already has; ``take`` lists the :attr:`Conflict.key` s whose file value to use."""
    chosen = {str(k).strip() for k in take}
    index = _Index()
    for known in _existing_entries(contacts, sources):
        index.add(known)
    new_entries: list[_Entry] = []
    touched: dict[int, _Entry] = {}
    conflicts: list[Conflict] = []
    rows = []
    for person in file.people:
        outcome, match, why = "skipped", "", person.skip
        if not person.skip:
            entry, reason = index.find(person)
            if entry is None:
                outcome, why, added = _new_entry(person, file.source)
                if added is not None:
                    new_entries.append(added)
                    index.add(added, person.organizations)
            else:
                filled, found = _compare(entry, person, chosen)
                conflicts.extend(found)
                entry.emails.update(e.casefold() for e in person.emails)
                index.add(entry, person.organizations)
                if entry.contact_id is None:
                    outcome, match = "merged", f"line {entry.line}"
                    why = f"same person as line {entry.line} ({reason})"
                else:
                    touched[entry.contact_id] = entry
                    gains_source = file.source not in entry.sources
                    outcome = "updated" if filled or any(c.use_file for c in found) or gains_source else "unchanged"
                    match = f"{entry.values['name']} (#{entry.contact_id})"
                    why = _why_existing(reason, filled, gains_source, file.source, entry.archived)
                if found:
                    why += "; 1 detail differs" if len(found) == 1 else f"; {len(found)} details differ"
        if person.notes:
            why = "; ".join([why, *person.notes]) if why else "; ".join(person.notes)
        shown = (person.name, person.organization, person.role, person.email)
        rows.append((person.line, *shown, outcome, match, why))
    _check_choices(chosen, file)
    records = [_record(e, file.source) for e in new_entries]
    updates = {cid: dict(e.fills) for cid, e in touched.items() if e.fills}
    new_sources = [cid for cid, e in touched.items() if file.source not in e.sources]
    return ContactPlan(file, pd.DataFrame(rows, columns=PREVIEW_COLUMNS), records, updates, new_sources, conflicts)


def _check_choices(chosen: set[str], file: ContactFile) -> None:
    """Refuse a choice that names no line of the file or no field (a typo); one that no longer differs is fine."""
    lines = {str(p.line) for p in file.people}
    for key in sorted(chosen):
        line, _, name = key.partition(":")
        if line.strip() not in lines or name.strip() not in COMPARED:
            raise ValidationError(
                "take",
                f"{key!r} names no line and field of this file; give LINE:FIELD as listed (e.g. 12:role, "
                f"fields: {', '.join(COMPARED)}); nothing was imported",
            )


def _new_entry(person: Person, source: str) -> tuple[str, str, _Entry | None]:
    values = _incoming(person)
    try:
        _fields.clean("contacts", {**values, "source": source, "connected_on": values["connected_on"] or None})
    except ValidationError as exc:
        return "skipped", str(exc), None
    entry = _Entry(None, person.line, values, {source}, emails={e.casefold() for e in person.emails})
    return "new", "", entry


def _record(entry: _Entry, source: str) -> dict[str, Any]:
    return {**entry.values, "connected_on": entry.values["connected_on"] or None, "source": source}


def _why_existing(reason: str, filled: list[str], gains_source: bool, source: str, archived: bool) -> str:
    parts = [f"already in your workbook ({reason})" + (", archived" if archived else "")]
    if filled:
        parts.append("adds " + ", ".join(filled))
    if gains_source:
        parts.append(f"now also from {FORMATS[source]}")
    return "; ".join(parts)


# ---------------------------------------------------------------- entry points
def preview_contacts(
    wb: Workbook,
    source: str | os.PathLike | bytes | ContactFile,
    name: str | None = None,
    *,
    take: Iterable[str] = (),
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> ContactPlan:
    """Read ``source`` and say what importing it into ``wb`` would do. Nothing is written."""
    file = (
        source
        if isinstance(source, ContactFile)
        else read_contacts(source, name, max_bytes=max_bytes, max_rows=max_rows)
    )
    return plan_contacts(wb.contacts(include_archived=True), wb.contact_sources(), file, take)


def import_contacts(
    wb: Workbook,
    source: str | os.PathLike | bytes | ContactFile,
    *,
    take: Iterable[str] = (),
    dry_run: bool = False,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> ContactPlan:
    """Import a contacts file into ``wb`` (all or none) and return what was done.

    The comparison with the workbook is made inside the write transaction, so
    a contact added meanwhile (another notebook, the command line) is matched,
    not added twice. ``dry_run=True`` writes nothing.
    """
    file = (
        source
        if isinstance(source, ContactFile)
        else read_contacts(source, name, max_bytes=max_bytes, max_rows=max_rows)
    )
    take = list(take)
    if dry_run:
        return plan_contacts(wb.contacts(include_archived=True), wb.contact_sources(), file, take)
    with wb.atomic():
        plan = plan_contacts(wb.contacts(include_archived=True), wb.contact_sources(), file, take)
        plan.ids = wb.add_many("contacts", plan.records) if plan.records else []
        for cid, values in plan.updates.items():
            wb.update("contacts", cid, **values)
        for cid in plan.new_sources:
            wb.add_contact_source(cid, file.source)
    return plan
