"""One corpus of hostile text, used by every test that stores, shows or exports what a user typed.

In the spirit of the Big List of Naughty Strings: scripts and markup, text that
a spreadsheet would run, template syntax, maths delimiters, right-to-left and
bidi overrides, control characters, invisible characters, combining marks,
full-width forms, emoji sequences and a very long text. A NUL is left out: the
store refuses it by name (tests/test_store.py checks that).
"""

from __future__ import annotations

HOSTILE: list[str] = [
    "Zoë 😀 naïve café",
    "👩🏽‍💻 Ana‍ 🏳️‍🌈",
    "مرحبا بالعالم — שלום",
    "\u202eevil\u202c bidi override",
    "\u2066isolate\u2069 and \u200fright-to-left mark",
    "tab\tbell\x07 escape\x1b[31m red form\x0c vertical\x0b",
    "line one\nline two\r\nline three\rcarriage",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "\"quoted\" & 'apostrophe' </li></ol><a href='https://evil.example'>x</a>",
    "Robert'); DROP TABLE options;--",
    "=1+1",
    "@SUM(A1) -2+3+cmd|' /C calc'!A0",
    "$$ bonus $$ and \\(x\\) and $100 – $200",
    "{{ 7*7 }} {% raw %} ${7*7}",
    "   leading and trailing spaces   ",
    "Ω≈ç√∫˜µ≤≥÷ åß∂ƒ©˙∆˚¬…æ",
    "ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗̻",
    "\ufeffbyte order mark, soft\u00adhyphen, zero\u200bwidth",
    "x" * 100_000,
]
#: Texts that are empty to a reader (refused where a value is required, kept where it is optional).
BLANK: list[str] = ["", "   ", "\t\n"]
