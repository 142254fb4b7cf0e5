"""Import contacts from LinkedIn's data export (``Connections.csv``).

Two layouts are understood: the current one (a few "Notes:" lines, then the
header ``First Name,Last Name,URL,Email Address,Company,Position,Connected On``)
and the older one (no notes, no URL column). The header is found by its
content, the file may start with a UTF-8 byte-order mark, and quoted fields may
hold commas and line breaks. The whole export ``.zip`` can be given too.

Importing is two steps, so nothing is written before you have seen it:
:func:`read_export` + :func:`plan_import` say what would happen (new, already in
the workbook, skipped); :func:`import_connections` writes the new ones in one
transaction. Re-importing the same file adds nothing: a connection is already
there when its profile URL matches, or (without a URL on either side) its
normalised name and company do; a connection listed twice in one file is
imported once. A file that is not a LinkedIn export is
refused with a :class:`~workbook.errors.ValidationError` naming ``file``.

Reading is bounded: a file (or a zip member, judged by the size it declares
before anything is decompressed, and again while decompressing) larger than
``max_bytes``, or with more than ``max_rows`` connections, is refused while
it is read, before memory grows. LinkedIn caps connections at 30,000, whose
export is a few megabytes, so the defaults leave ample room.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pandas as pd

from ..errors import ValidationError
from ..store import fields as _fields
from ..store.readable import Readable
from . import files
from .matching import normalise_name, normalise_org

if TYPE_CHECKING:
    from ..store.workbook import Workbook

#: Header cell (case-insensitive) -> our key.
HEADER = {
    "first name": "first",
    "last name": "last",
    "url": "url",
    "profile url": "url",
    "email address": "email",
    "company": "company",
    "position": "position",
    "connected on": "connected_on",
}
REQUIRED = ("first", "last", "company", "position")
#: Largest export read (bytes of Connections.csv, after decompressing a zip).
MAX_BYTES = files.MAX_BYTES
#: Most connections read from one export.
MAX_ROWS = files.MAX_ROWS
#: How many rows may come before the header (LinkedIn puts a few notes there).
HEADER_SEARCH_ROWS = 25
PREVIEW_COLUMNS = ["line", "name", "organization", "role", "email", "connected_on", "outcome", "why"]
_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4})")
_NOT_LINKEDIN = (
    "does not look like LinkedIn's Connections.csv: no header row with First Name, Last Name, Company and "
    "Position was found. In LinkedIn: Settings → Data privacy → Get a copy of your data → Connections; "
    "then pick Connections.csv from the download"
)


@dataclass
class Export:
    """The connections read from one export file, before comparing with the workbook."""

    name: str
    layout: str  # "current" (with URL column) or "older"
    rows: list[dict[str, Any]] = field(default_factory=list)  # keys: line, first, last, url, email, ...


@dataclass
class ImportPlan:
    """What importing an export would do. ``records`` are the new contacts, ready for ``add_many``."""

    export: Export
    preview: pd.DataFrame
    records: list[dict[str, Any]]
    ids: list[int] = field(default_factory=list)  # filled in once written

    def count(self, outcome: str) -> int:
        return int((self.preview["outcome"] == outcome).sum()) if not self.preview.empty else 0

    @property
    def new(self) -> int:
        return len(self.records)

    @property
    def duplicates(self) -> int:
        return self.count("duplicate")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    def summary(self) -> str:
        """One sentence with the counts."""
        return (
            f"{self.export.name}: {len(self.export.rows)} connections — {self.new} new, "
            f"{self.duplicates} duplicate{'' if self.duplicates == 1 else 's'} (already in your workbook "
            f"or repeated in the file), {self.skipped} skipped."
        )


# ------------------------------------------------------------------ reading
_KIND = "a LinkedIn export"


def _bytes_of(source: str | os.PathLike | bytes, max_bytes: int) -> tuple[bytes, str]:
    return files.bytes_of(source, max_bytes, kind=_KIND, wanted="Connections.csv from your LinkedIn export")


def connections_member(members: list[zipfile.ZipInfo]) -> zipfile.ZipInfo | None:
    """The ``Connections.csv`` of a LinkedIn export zip, wherever it is inside."""
    return next((m for m in members if Path(m.filename).name.lower() == "connections.csv"), None)


def _from_zip(data: bytes, name: str, max_bytes: int) -> tuple[bytes, str]:
    return files.member_of_zip(
        data,
        name,
        max_bytes,
        kind=_KIND,
        pick=connections_member,
        missing="is a zip file without Connections.csv in it; is it LinkedIn's data export?",
    )


def _text_of(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError("file", f"{name} is UTF-16 text; save it as 'CSV UTF-8' and try again")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "file",
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); LinkedIn exports "
            "are UTF-8, so this file was probably re-saved by another program. Download the export again, "
            "or save the file as 'CSV UTF-8'",
        ) from None
    if not text.strip():
        raise ValidationError("file", f"{name} is empty")
    if "\x00" in text:
        raise ValidationError("file", f"{name} contains NUL bytes; it is not a CSV text file")
    return text


def _cell(row: list[str], i: int) -> str:
    """A field with its spaces tidied: a line break inside quotes becomes a space (names, roles are one line)."""
    return " ".join(row[i].split()) if i < len(row) else ""


def _find_header(reader: Any) -> tuple[dict[str, int], int] | None:
    """The column of each known header and the header's line number, or None."""
    for seen, row in enumerate(reader):
        if seen >= HEADER_SEARCH_ROWS:
            return None
        cells = [c.strip().strip("\ufeff").casefold() for c in row]
        columns = {HEADER[c]: i for i, c in reversed(list(enumerate(cells))) if c in HEADER}
        if all(k in columns for k in REQUIRED):
            return columns, reader.line_num
    return None


def parse_date(text: str) -> str | None:
    """LinkedIn's "07 Dec 2025" (or an ISO date) as YYYY-MM-DD; None when not understood."""
    text = (text or "").strip()
    if not text:
        return None
    m = _DAY_MONTH_YEAR.fullmatch(text)
    try:
        if m and m.group(2)[:3].lower() in _MONTHS:
            return dt.date(int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1))).isoformat()
        return dt.date.fromisoformat(text).isoformat() if len(text) == 10 else None
    except ValueError:
        return None


def read_export(
    source: str | os.PathLike | bytes,
    name: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> Export:
    """Read a LinkedIn ``Connections.csv`` (or the export ``.zip``) from a path or bytes.

    Raises :class:`ValidationError` (field ``file``) when the file is missing,
    empty, not UTF-8, not a LinkedIn export, larger than ``max_bytes`` or
    longer than ``max_rows`` connections.
    """
    data, label = _bytes_of(source, max_bytes)
    label = name or label
    if not data.strip():
        raise ValidationError("file", f"{label} is empty")
    if data.startswith(b"PK\x03\x04"):
        data, label = _from_zip(data, label, max_bytes)
    text = _text_of(data, label)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        found = _find_header(reader)
        if found is None:
            raise ValidationError("file", f"{label} {_NOT_LINKEDIN}")
        columns, header_line = found
        export = Export(label, "current" if "url" in columns else "older")
        line = header_line
        for row in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(export.rows) >= max_rows:
                raise ValidationError(
                    "file",
                    f"{label} has more than {max_rows:,} connections, the limit for one import; "
                    "nothing was imported (raise the limit with --max-rows if the file is really yours)",
                )
            record = {key: _cell(row, i) for key, i in columns.items()}
            export.rows.append({"line": start, **record})
    except csv.Error as exc:
        raise ValidationError("file", f"{label} cannot be read as CSV near line {reader.line_num}: {exc}") from None
    return export


# ----------------------------------------------------------------- planning
def url_key(url: str) -> str:
    """A profile URL reduced for comparing: no scheme, www., country subdomain, query or trailing slash."""
    text = (url or "").strip()
    if not text:
        return ""
    parts = urlsplit(text if "//" in text else "//" + text)
    host = (parts.hostname or "").lower()
    if host.endswith("linkedin.com"):
        host = "linkedin.com"
    path = unquote(parts.path).rstrip("/").lower()
    return f"{host}{path}"


def _name_key(name: str, company: str) -> tuple[str, str]:
    return normalise_name(name), normalise_org(company)


def _record(row: dict[str, Any]) -> dict[str, Any]:
    name = " ".join(f"{row.get('first', '')} {row.get('last', '')}".split())
    return {
        "name": name,
        "organization": row.get("company", ""),
        "role": row.get("position", ""),
        "email": row.get("email", ""),
        "profile_url": row.get("url", ""),
        "source": "linkedin",
        "connected_on": parse_date(row.get("connected_on", "")),
    }


def plan_import(existing: pd.DataFrame, export: Export) -> ImportPlan:
    """Compare an export with the contacts already kept (``existing``, archived ones included)."""
    urls: dict[str, int | None] = {}  # URL key -> line in the file (None: in the workbook)
    names: dict[tuple[str, str], dict[str, int | None]] = {}  # name key -> {URL key: line}
    for p in [] if existing is None or existing.empty else existing.itertuples(index=False):
        key = url_key(getattr(p, "profile_url", ""))
        if key:
            urls[key] = None
        names.setdefault(_name_key(p.name, p.organization), {})[key] = None
    preview, records = [], []
    for row in export.rows:
        rec = _record(row)
        outcome, why = "new", ""
        key = url_key(rec["profile_url"])
        nkey = _name_key(rec["name"], rec["organization"])
        same_name = names.get(nkey, {})
        if not rec["name"]:
            outcome, why = "skipped", "no name (the member may have left LinkedIn)"
        elif key and key in urls:
            outcome, why = "duplicate", _duplicate_of(urls[key], "same profile URL")
        elif same_name and (not key or "" in same_name):
            line = same_name.get("", next(iter(same_name.values())))
            outcome, why = "duplicate", _duplicate_of(line, "same name and company")
        else:
            try:
                rec = _fields.clean("contacts", rec)
            except ValidationError as exc:
                outcome, why = "skipped", str(exc)
        if outcome == "new":
            records.append(rec)
            if key:
                urls[key] = row["line"]
            names.setdefault(nkey, {})[key] = row["line"]
            if row.get("connected_on") and rec["connected_on"] is None:
                why = f"date {row['connected_on']!r} not understood; left empty"
        shown = [rec[k] for k in ("name", "organization", "role", "email", "connected_on")]
        preview.append((row["line"], *shown, outcome, why))
    return ImportPlan(export, pd.DataFrame(preview, columns=PREVIEW_COLUMNS), records)


def _duplicate_of(line: int | None, reason: str) -> str:
    return f"already in your workbook ({reason})" if line is None else f"same person as line {line} ({reason})"


def preview_import(wb: Readable, source: str | os.PathLike | bytes | Export, name: str | None = None) -> ImportPlan:
    """Read ``source`` and say what importing it into ``wb`` would do. Nothing is written."""
    export = source if isinstance(source, Export) else read_export(source, name)
    return plan_import(wb.contacts(include_archived=True), export)


def import_connections(
    wb: Workbook,
    source: str | os.PathLike | bytes | Export,
    *,
    dry_run: bool = False,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> ImportPlan:
    """Import the new connections of a LinkedIn export into ``wb`` (all or none); returns the plan.

    The comparison with the workbook is made inside the write transaction, so
    a contact added meanwhile (another notebook, the CLI) is not added twice.
    ``dry_run=True`` writes nothing. ``max_bytes`` and ``max_rows`` bound what is read.
    """
    export = source if isinstance(source, Export) else read_export(source, name, max_bytes=max_bytes, max_rows=max_rows)
    if dry_run:
        return plan_import(wb.contacts(include_archived=True), export)
    with wb.atomic():
        plan = plan_import(wb.contacts(include_archived=True), export)
        plan.ids = wb.add_many("contacts", plan.records) if plan.records else []
    return plan
