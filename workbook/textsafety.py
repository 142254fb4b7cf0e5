"""User text made safe for where it is shown: a terminal, an ``.ics`` calendar, a sentence of the report.

Text in a workbook comes from people and from elsewhere (a LinkedIn export is
written by other people), so it may hold terminal escape sequences (``ESC]0;…``
retitles a window, ``ESC[2J`` clears the screen, OSC 8 makes hidden links),
control characters, or right-to-left overrides that reverse the rest of a line.

- :func:`terminal` takes escape sequences and control characters out (a line
  break becomes a space, so one record stays one line).
- :func:`ics` drops what RFC 5545 forbids in TEXT (control characters other
  than tab and line break; U+0085, U+2028 and U+2029 become line breaks, which
  the calendar then escapes).
- :func:`isolate` strips explicit bidirectional controls and wraps the text in
  Unicode isolates (FSI … PDI), so it cannot reorder the sentence around it.
- :func:`page_text` is text for an HTML page: no bidi controls, no escape
  sequences, no control characters (HTML forbids them) but tab and line breaks.
"""

from __future__ import annotations

import re

#: String sequences: OSC, DCS, SOS, PM, APC (ESC ] / P / X / ^ / _ and their 8-bit forms) up to BEL or ST.
_STRINGS = re.compile(r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?")
#: CSI sequences (ESC [ or 0x9b, parameters, intermediates, a final byte) and other two-byte escapes.
_CSI = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|\x1b[ -/]*[0-~]?")
#: Explicit bidirectional embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
#: C0 and C1 control characters and DEL.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_ICS_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What HTML forbids in text: control characters other than tab, line feed and carriage return.
_PAGE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _without_escapes(text: str) -> str:
    return _CSI.sub("", _STRINGS.sub("", text))


def terminal(text: object) -> str:
    """``text`` safe to print: no escape sequences, no control characters, no bidi overrides, one line."""
    text = _without_escapes(str(text))
    text = _LINE_BREAKS.sub(" ", text).replace("\t", " ")
    return _BIDI.sub("", _CONTROLS.sub("", text))


def terminal_lines(text: object) -> str:
    """Like :func:`terminal`, keeping the line breaks of a message made of several lines."""
    return "\n".join(terminal(line) for line in str(text).split("\n"))


def ics(text: object) -> str:
    """``text`` holding only characters RFC 5545 allows in a TEXT value (tab and line breaks kept)."""
    text = _LINE_BREAKS.sub("\n", _without_escapes(str(text)))
    return _ICS_FORBIDDEN.sub("", text)


def isolate(text: object) -> str:
    """``text`` wrapped in First Strong Isolate … Pop Directional Isolate, its own bidi controls removed."""
    return "\u2068" + _BIDI.sub("", str(text)) + "\u2069"


def without_bidi_controls(text: object) -> str:
    return _BIDI.sub("", str(text))


def page_text(text: object) -> str:
    """``text`` for an HTML page: its bidi controls, escape sequences and forbidden control characters removed."""
    return _PAGE_FORBIDDEN.sub("", _BIDI.sub("", _without_escapes(str(text))))
