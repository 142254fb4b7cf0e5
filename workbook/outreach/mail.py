"""A message drafted here, handed to the user's own mail program: a ``mailto:`` link (RFC 6068).

The workbook never sends anything. :func:`mailto_url` builds the address of a
new message with the person's email address, the subject and the body, each
percent-encoded as RFC 6068 asks: UTF-8 bytes, a space as ``%20`` (never
``+``), a line break as ``%0D%0A``, and ``?``, ``&``, ``=``, ``#``, ``%`` in
the text encoded so they cannot start another header field. :func:`split_subject`
takes the ``Subject:`` line off a draft. An address that does not look like
one is left out (the mail program then asks whom to write to) rather than
passed on, so nothing in a contact's record can add a recipient or a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

#: Some mail programs cut a ``mailto:`` link longer than this; the copy button always works.
LONG_LINK = 2000
#: What an email address must look like to be put in a link: one ``@``, no spaces or separators.
_ADDRESS = re.compile(r"[^@\s<>,;:\"()\[\]\\?&=#%]+@[^@\s<>,;:\"()\[\]\\?&=#%]+\.[^@\s<>,;:\"()\[\]\\?&=#%]+")
_SUBJECT = re.compile(r"subject:[ \t]*(.*)", re.IGNORECASE)


def split_subject(text: str) -> tuple[str, str]:
    """``(subject, body)`` of a draft whose first line may be ``Subject: …``; the body loses leading blank lines."""
    lines = str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    subject = ""
    if lines and (m := _SUBJECT.fullmatch(lines[0].strip())):
        subject, lines = m.group(1).strip(), lines[1:]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return subject, "\n".join(lines).rstrip() + ("\n" if any(line.strip() for line in lines) else "")


def is_address(value: str) -> bool:
    """True when ``value`` looks like one email address (and so is safe to put in a link)."""
    return bool(_ADDRESS.fullmatch(str(value or "").strip()))


def _encode(text: str) -> str:
    """Percent-encode UTF-8 text for a header field of a ``mailto:`` link; line breaks become CRLF."""
    crlf = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    return quote(crlf, safe="")


def mailto_url(to: str = "", subject: str = "", body: str = "") -> str:
    """``mailto:to?subject=…&body=…`` (RFC 6068). ``to`` is left out unless it is one plain address."""
    address = str(to or "").strip()
    head = "mailto:" + (quote(address, safe="@!$'*+") if is_address(address) else "")
    fields = [f"{name}={_encode(value)}" for name, value in (("subject", subject), ("body", body)) if value]
    return head + ("?" + "&".join(fields) if fields else "")


@dataclass(frozen=True)
class MailDraft:
    """A draft ready for the user's mail program: the link, the text to copy, and a note for the user."""

    url: str
    text: str
    to: str
    note: str


def mail_draft(text: str, to: str = "", who: str = "") -> MailDraft:
    """The ``mailto:`` link and the note for a draft (``Subject:`` line first) to ``who`` at ``to``."""
    subject, body = split_subject(text)
    address = str(to or "").strip()
    notes = []
    if not address:
        notes.append(f"No email address for {who or 'this person'}: your mail app will ask whom to write to.")
    elif not is_address(address):
        notes.append(f"{address!r} does not look like an email address, so it is left out of the link.")
        address = ""
    url = mailto_url(address, subject, body)
    if len(url) > LONG_LINK:
        notes.append("This message is long for a mail link; if your mail app cuts it, use Copy instead.")
    return MailDraft(url=url, text=str(text or ""), to=address, note=" ".join(notes))
