"""Read the people in a contacts file, whatever program exported it.

Four kinds of file are understood, recognised from what is in them (never from
the file's name):

- LinkedIn's ``Connections.csv``, or the whole export ``.zip`` (read by :mod:`.linkedin`);
- a Google Contacts CSV: the current header ("First Name", "Last Name",
  "Organization Name", "E-mail 1 - Value", …) and the older one ("Given Name",
  "Family Name", "Organization 1 - Name", …), several values of one cell
  separated by ``:::``;
- an Outlook CSV ("First Name", "Last Name", "Company", "Job Title",
  "E-mail Address", "E-mail 2 Address", …), also with ``;`` between fields;
- vCard 2.1, 3.0 and 4.0 files with any number of cards, read by vobject
  (folded lines, quoted-printable, character sets, several emails and
  organisations). Photos, logos, sounds and keys are left out before parsing.

Every file is read within the same limits as a LinkedIn export
(:data:`~.files.MAX_BYTES`, :data:`~.files.MAX_ROWS`). A file that is empty,
binary, not UTF-8 (or UTF-16 with a byte-order mark), a CSV of something
else, a vCard file in which nobody has a name, or over a limit is refused with
one :class:`~workbook.errors.ValidationError` naming ``file``.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError
from . import files, linkedin

#: The formats, by the source name a contact keeps, with how they are called.
FORMATS: dict[str, str] = {
    "linkedin": "LinkedIn Connections.csv",
    "google": "Google Contacts CSV",
    "outlook": "Outlook CSV",
    "vcard": "vCard",
}
MAX_BYTES = files.MAX_BYTES
MAX_ROWS = files.MAX_ROWS
#: How many rows may come before a CSV header.
HEADER_SEARCH_ROWS = linkedin.HEADER_SEARCH_ROWS
_KIND = "a contacts file"
_KNOWN = "LinkedIn's Connections.csv (or its .zip), a Google Contacts or Outlook CSV, or a vCard (.vcf) file"
_ENCODING_FIX = (
    "export the contacts again, or open the file in a spreadsheet and save it as 'CSV UTF-8' "
    "(Outlook and older spreadsheets save CSV files in the Windows code page)"
)
#: A Google Contacts cell may hold several values separated by this.
_GOOGLE_SEPARATOR = re.compile(r"\s*:::\s*")
_EMAIL = re.compile(r"[^@\s<>,;:\"]+@[^@\s<>,;:\"]+\.[^@\s<>,;:\"]+")
#: vCard properties holding binary data (pictures, sounds, keys): left out before parsing.
_BINARY_PROPERTY = re.compile(r"^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class Person:
    """One person as a contacts file lists them, before comparing with the workbook."""

    line: int  # the line of the file where the row or card starts
    name: str
    organization: str = ""
    role: str = ""
    emails: list[str] = field(default_factory=list)  # the preferred address first
    profile_url: str = ""
    connected_on: str | None = None  # YYYY-MM-DD (LinkedIn)
    organizations: list[str] = field(default_factory=list)  # every organisation named, ``organization`` first
    skip: str = ""  # why this person cannot be imported ("" when they can)
    notes: list[str] = field(default_factory=list)  # what was left out of what the file says, and why

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""


@dataclass
class ContactFile:
    """The people read from one contacts file."""

    name: str  # the file's name (or "the uploaded file"), for messages
    format: str  # a key of FORMATS: also the source each contact remembers
    layout: str  # "current"/"older" (LinkedIn, Google), the vCard versions ("3.0", "2.1 and 3.0"), "" (Outlook)
    people: list[Person] = field(default_factory=list)

    @property
    def source(self) -> str:
        return self.format

    def describe(self) -> str:
        """What kind of file this is, in words: "vCard 3.0", "Google Contacts CSV (older layout)"."""
        label = FORMATS[self.format]
        if self.format == "vcard":
            return f"{label} {self.layout}".strip()
        return f"{label} ({self.layout} layout)" if self.layout else label


# ------------------------------------------------------------------ helpers
def _one_line(value: Any) -> str:
    """Text on one line with its spaces tidied (a line break inside a field becomes a space)."""
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    return " ".join(str(value or "").split())


def _add_email(person: Person, value: str, preferred: bool = False) -> None:
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not text:
        return
    if not _EMAIL.fullmatch(text):
        person.notes.append(f"left out {text!r}: not an email address")
        return
    if any(text.casefold() == e.casefold() for e in person.emails):
        return
    if preferred:
        person.emails.insert(0, text)
    else:
        person.emails.append(text)


def _add_url(person: Person, value: str) -> None:
    """Keep a LinkedIn profile address as the profile URL (other web pages are not kept)."""
    text = value.strip()
    if not person.profile_url and "linkedin.com/" in text.lower():
        person.profile_url = text


def _add_organization(person: Person, value: str) -> None:
    text = _one_line(value)
    if text and text not in person.organizations:
        person.organizations.append(text)
        if not person.organization:
            person.organization = text


def _finish(person: Person) -> Person:
    if not person.name:
        person.skip = "no name"
    return person


# --------------------------------------------------------------------- CSV
@dataclass(frozen=True)
class _Layout:
    """Which columns of a CSV header hold what (column positions)."""

    format: str
    layout: str
    first: list[int]  # name parts, in the order they are joined
    full: list[int]  # a whole name, used when the parts are empty
    organization: list[int]
    role: list[int]
    emails: list[tuple[int, int | None]]  # (value column, label column)
    urls: list[int]


def _columns(cells: list[str], *names: str) -> list[int]:
    return [cells.index(n) for n in names if n in cells]


_EMAIL_VALUE = re.compile(r"e-?mail(?: (\d+))?(?: - value| address)")


def _email_columns(cells: list[str]) -> list[tuple[int, int | None]]:
    """(value column, label column) of every email column, in the order of their numbers."""
    found = []
    for i, cell in enumerate(cells):
        m = _EMAIL_VALUE.fullmatch(cell)
        if m:
            number = m.group(1) or "1"
            label = next(
                (cells.index(c) for c in (f"e-mail {number} - label", f"e-mail {number} - type") if c in cells), None
            )
            found.append((int(number), i, label))
    return [(i, label) for _, i, label in sorted(found)]


def _recognise(row: list[str]) -> _Layout | None:
    """The layout of a header row, or None when it is not a contacts header we know."""
    cells = [c.strip().strip("\ufeff").casefold() for c in row]
    have = set(cells)
    emails = _email_columns(cells)
    urls = [i for i, c in enumerate(cells) if c == "web page" or re.fullmatch(r"website \d+ - value", c)]
    if {"first name", "last name", "company", "position"} <= have:
        return _Layout("linkedin", "", [], [], [], [], [], [])  # read by the LinkedIn reader
    if {"first name", "last name"} <= have and have & {"organization name", "e-mail 1 - value"}:
        return _Layout(
            "google",
            "current",
            _columns(cells, "first name", "middle name", "last name"),
            _columns(cells, "nickname", "file as"),
            _columns(cells, "organization name"),
            _columns(cells, "organization title"),
            emails,
            urls,
        )
    if have & {"given name", "family name", "name"} and have & {"organization 1 - name", "e-mail 1 - value"}:
        return _Layout(
            "google",
            "older",
            _columns(cells, "given name", "additional name", "family name"),
            _columns(cells, "name", "nickname", "short name"),
            _columns(cells, "organization 1 - name"),
            _columns(cells, "organization 1 - title"),
            emails,
            urls,
        )
    if {"first name", "last name"} <= have and have & {"company", "job title", "e-mail address"}:
        return _Layout(
            "outlook",
            "",
            _columns(cells, "first name", "middle name", "last name"),
            _columns(cells, "nickname", "e-mail display name"),
            _columns(cells, "company"),
            _columns(cells, "job title"),
            emails,
            urls,
        )
    return None


def _cell(row: list[str], i: int) -> str:
    return row[i] if i < len(row) else ""


def _values(row: list[str], i: int) -> list[str]:
    """The values of one cell: Google joins several with ``:::``."""
    return [v for v in _GOOGLE_SEPARATOR.split(_cell(row, i)) if v.strip()]


def _person_from_row(layout: _Layout, row: list[str], line: int) -> Person:
    name = _one_line(" ".join(_cell(row, i) for i in layout.first))
    if not name:
        name = next((_one_line(_cell(row, i)) for i in layout.full if _cell(row, i).strip()), "")
    person = Person(line=line, name=name)
    for i in layout.organization:
        for value in _values(row, i):
            _add_organization(person, value)
    person.role = next((_one_line(v) for i in layout.role for v in _values(row, i)), "")
    for value_column, label_column in layout.emails:
        labels = _values(row, label_column) if label_column is not None else []
        preferred = bool(labels) and labels[0].lstrip().startswith("*")
        for value in _values(row, value_column):
            _add_email(person, value, preferred)
    for i in layout.urls:
        for value in _values(row, i):
            _add_url(person, value)
    return _finish(person)


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line of the row, cells) for every row, counting lines inside quoted fields."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    for row in reader:
        start, line = line + 1, reader.line_num
        yield start, row


def _find_layout(text: str) -> tuple[_Layout, str] | None:
    for delimiter in (",", ";", "\t"):
        try:
            for seen, (_, row) in enumerate(_csv_rows(text, delimiter)):
                if seen >= HEADER_SEARCH_ROWS:
                    break
                layout = _recognise(row)
                if layout is not None:
                    return layout, delimiter
        except csv.Error:
            continue
    return None


def _too_many(label: str, max_rows: int) -> ValidationError:
    return ValidationError(
        "file",
        f"{label} has more than {max_rows:,} contacts, the limit for one import; nothing was imported "
        "(raise the limit with --max-rows if the file is really yours)",
    )


def _read_csv(text: str, label: str, max_rows: int) -> ContactFile:
    found = _find_layout(text)
    if found is None:
        raise ValidationError(
            "file",
            f"{label} is not a contacts file this workbook can read: no header row with First Name and Last Name "
            f"(or Given Name) and a company or email column was found. It reads {_KNOWN}",
        )
    layout, delimiter = found
    if layout.format == "linkedin":
        raise AssertionError("LinkedIn files are read by the LinkedIn reader")
    result = ContactFile(label, layout.format, layout.layout)
    rows = _csv_rows(text, delimiter)
    try:
        for _, row in rows:  # up to the header
            if _recognise(row) is not None:
                break
        for line, row in rows:
            if not any(cell.strip() for cell in row):
                continue
            if len(result.people) >= max_rows:
                raise _too_many(label, max_rows)
            result.people.append(_person_from_row(layout, row, line))
    except csv.Error as exc:
        raise ValidationError("file", f"{label} cannot be read as CSV: {exc}") from None
    return result


def _from_linkedin(export: linkedin.Export) -> ContactFile:
    result = ContactFile(export.name, "linkedin", export.layout)
    for row in export.rows:
        person = Person(
            line=row["line"],
            name=" ".join(f"{row.get('first', '')} {row.get('last', '')}".split()),
            role=row.get("position", ""),
            profile_url=row.get("url", ""),
            connected_on=linkedin.parse_date(row.get("connected_on", "")),
        )
        _add_organization(person, row.get("company", ""))
        _add_email(person, row.get("email", ""))
        if row.get("connected_on") and person.connected_on is None:
            person.notes.append(f"date {row['connected_on']!r} not understood; left empty")
        result.people.append(_finish(person))
    return result


# ------------------------------------------------------------------- vCard
def _card_starts(text: str) -> list[int]:
    """The line of each top-level ``BEGIN:VCARD``, in order."""
    starts, depth = [], 0
    for number, line in enumerate(_LINE_BREAK.split(text), 1):
        word = line.strip().upper()
        if word == "BEGIN:VCARD":
            if depth == 0:
                starts.append(number)
            depth += 1
        elif word == "END:VCARD" and depth:
            depth -= 1
    return starts


def _without_binary_properties(text: str) -> str:
    """``text`` with photos, logos, sounds and keys blanked out, line numbers kept."""
    out, skipping = [], False
    for line in _LINE_BREAK.split(text):
        if skipping and line[:1] in (" ", "\t"):
            out.append("")  # a folded continuation of the picture
            continue
        skipping = bool(_BINARY_PROPERTY.match(line))
        out.append("" if skipping else line)
    return "\n".join(out)


def _preferred(line: Any) -> bool:
    types = [t.casefold() for t in line.params.get("TYPE", [])]
    singles = [s.casefold() for s in line.singletonparams]
    return "pref" in types or "pref" in singles or "PREF" in line.params


def _text_value(line: Any) -> str:
    value = line.value
    return _one_line(value) if isinstance(value, str | list | tuple) else ""


def _person_from_card(card: Any, line: int) -> Person:
    contents = card.contents
    name = next((_text_value(v) for v in contents.get("fn", []) if _text_value(v)), "")
    if not name:
        for n in contents.get("n", []):
            value = n.value
            parts = [getattr(value, key, "") for key in ("given", "additional", "family")]
            name = _one_line([_one_line(p) for p in parts]) if not isinstance(value, str) else _one_line(value)
            if name:
                break
    person = Person(line=line, name=name)
    for org in contents.get("org", []):
        value = org.value
        _add_organization(person, value[0] if isinstance(value, list) and value else value)
    person.role = next(
        (_text_value(v) for key in ("title", "role") for v in contents.get(key, []) if _text_value(v)), ""
    )
    emails = contents.get("email", [])
    for email in sorted(emails, key=lambda e: not _preferred(e)):
        _add_email(person, _text_value(email))
    for key in ("url", "x-socialprofile"):
        for url in contents.get(key, []):
            _add_url(person, _text_value(url))
    shows_as = {_text_value(v).casefold() for v in contents.get("x-abshowas", [])}
    if person.name and ("company" in shows_as or (not contents.get("n") and person.name in person.organizations)):
        person.skip = "a card for an organisation, not a person"
    return _finish(person)


def _read_vcards(text: str, label: str, max_rows: int) -> ContactFile:
    import vobject  # the vCard parser; imported only when a vCard is read

    starts = _card_starts(text)
    result = ContactFile(label, "vcard", "")
    versions: list[str] = []
    try:
        for card in vobject.readComponents(_without_binary_properties(text), allowQP=True):
            if len(result.people) >= max_rows:
                raise _too_many(label, max_rows)
            at = starts[len(result.people)] if len(result.people) < len(starts) else 0
            if card.name != "VCARD":
                raise ValidationError("file", f"{label} holds a {card.name} near line {at}, not only vCards")
            version = next((_text_value(v) for v in card.contents.get("version", [])), "")
            if version and version not in versions:
                versions.append(version)
            result.people.append(_person_from_card(card, at))
    except vobject.base.ParseError as exc:
        where = f" near line {exc.lineNumber}" if getattr(exc, "lineNumber", None) else ""
        reason = " ".join(str(getattr(exc, "msg", "") or exc).split())
        if "never closed" in reason:
            reason = "a card has no END:VCARD line (the file may be cut short)"
        raise ValidationError("file", f"{label} cannot be read as a vCard{where}: {reason}") from None
    except (vobject.base.VObjectError, ValueError, LookupError) as exc:
        at = starts[len(result.people)] if len(result.people) < len(starts) else 0
        reason = " ".join(str(exc).split()) or exc.__class__.__name__
        raise ValidationError("file", f"{label}: the vCard at line {at} cannot be read ({reason})") from None
    result.layout = " and ".join(sorted(versions))
    return result


# ----------------------------------------------------------------- reading
def _is_vcard(text: str) -> bool:
    return text.lstrip()[:11].upper() == "BEGIN:VCARD"


def read_contacts(
    source: str | os.PathLike | bytes,
    name: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> ContactFile:
    """Read the people of a contacts file (a path, or the bytes of an upload named ``name``).

    The format is recognised from the content. Raises :class:`ValidationError`
    (field ``file``) for a missing, empty, binary, wrongly encoded or unknown
    file, a vCard file without names, and a file over ``max_bytes`` or with
    more than ``max_rows`` people.
    """
    data, label = files.bytes_of(
        source, max_bytes, kind=_KIND, wanted="the contacts file you exported (.csv, .vcf, or LinkedIn's .zip)"
    )
    label = name or label
    if not data.strip():
        raise ValidationError("file", f"{label} is empty")
    if files.is_zip(data):
        result = _from_linkedin(linkedin.read_export(data, label, max_bytes=max_bytes, max_rows=max_rows))
    else:
        text = files.decode(data, label, fix=_ENCODING_FIX)
        if not text.strip():
            raise ValidationError("file", f"{label} is empty")
        if files.looks_binary(text):
            raise ValidationError(
                "file", f"{label} is not a text file (it holds binary data); give the exported CSV or vCard file"
            )
        if _is_vcard(text):
            result = _read_vcards(text, label, max_rows)
        else:
            found = _find_layout(text)
            if found is not None and found[0].format == "linkedin":
                export = linkedin.read_export(text.encode("utf-8"), label, max_bytes=max_bytes, max_rows=max_rows)
                result = _from_linkedin(export)
            else:
                result = _read_csv(text, label, max_rows)
    _check_has_people(result)
    return result


def _check_has_people(result: ContactFile) -> None:
    if not result.people:
        what = "vCards" if result.format == "vcard" else "contacts (only the header row)"
        raise ValidationError("file", f"{result.name} has no {what} in it; nothing to import")
    if all(not p.name for p in result.people):
        n = len(result.people)
        things = ("vCard" if n == 1 else "vCards") if result.format == "vcard" else ("row" if n == 1 else "rows")
        where = " (FN or N)" if result.format == "vcard" else ""
        raise ValidationError(
            "file", f"{result.name}: none of its {n} {things} has a name{where}, so there is no one to import"
        )
