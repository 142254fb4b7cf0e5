"""How contacts appear in the shareable report: by name, or as role and organisation only.

Contacts are private by default: a quote is attributed to a role and
organisation (or "a contact", never initials), and names, handles, email
addresses, phone numbers and profile links are taken out of every piece of free
text the report shows — quotes, option titles and descriptions, open questions,
criteria, the sentences built from them. ``names=True`` shows names.

What is matched:

- The text is normalised first (NFKC: full-width letters, ligatures; soft
  hyphens and zero-width characters dropped), so ``Ｍａｙａ`` or ``Ma\\u00adya``
  is Maya. Names are compared folded (accents dropped, case-folded).
- A first name or a surname alone is masked, so is a possessive ("Maya's"), a
  hyphenated part ("Jean-Pierre") and a handle made of name parts (``@mayachen``,
  ``maya_chen``, ``MayaChen``, ``mayachen``, ``mchen``).
- A name part that is also a common English word ("Will", "Rose", "Long") is
  masked only where it is used as a name: capitalised, next to another part of
  the same person's name, or in a handle. "I will" and "the rose garden" stay.
  Which words are common comes from the English word frequencies of
  ``pyspellchecker`` (counts of the lower-case word), kept in ``common_words.txt``.
- Names in scripts written without spaces between words (Chinese, Japanese,
  Korean, Thai…) are found inside a sentence (王芳 in 我和王芳聊了), also split by
  a space or a middle dot (王 芳, 王・芳).
- Email addresses, also in their obfuscated forms (``maya.chen(at)example.com``,
  ``maya [at] example [dot] com``), links, and phone numbers as written in many
  countries (``phonenumbers``, Google's libphonenumber).

The rest of the text is kept exactly as written.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from importlib import resources

import pandas as pd

#: What a masked name, email address, link or phone number becomes.
NAME, EMAIL, LINK, PHONE = "[name]", "[email]", "[link]", "[phone]"
#: Characters that do not show but can split a name: soft hyphen, zero-width space/joiners, word joiner, BOM.
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
#: A lower-case English word used at least this often (pyspellchecker's counts) is a common word:
#: about the 5,000 most frequent. Given names sit well below (john 6,920; will 5,934,031; rose 27,460).
COMMON_COUNT = 10_000
#: Regions whose national phone formats are recognised; numbers written with + or 00 are found for any country.
PHONE_REGIONS = ("US", "GB", "IE", "CA", "AU", "NZ", "IN", "ZA", "DE", "FR", "ES", "IT", "NL", "BR", "MX", "JP", "CN")


@functools.cache
def _marks() -> str:
    """Every combining mark of the Basic Multilingual Plane, as character-class ranges."""
    codes = [c for c in range(0x10000) if unicodedata.category(chr(c)).startswith("M")]
    ranges, start, last = [], codes[0], codes[0]
    for c in codes[1:]:
        if c != last + 1:
            ranges.append((start, last))
            start = c
        last = c
    ranges.append((start, last))
    return "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


@functools.cache
def _word() -> re.Pattern:
    """A word: a letter, then letters, marks, digits, underscores, inner apostrophes, hyphens and dots."""
    return re.compile(rf"[^\W\d_][\w{_marks()}'’.\-]*")


@functools.cache
def _piece() -> re.Pattern:
    """A piece of a word: a run of letters (with their marks)."""
    return re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_marks()}])*")


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_POSSESSIVE = re.compile(r"['’]s?$", re.IGNORECASE)
_AT = r"(?:@|\s*[\(\[\{<]\s*at\s*[\)\]\}>]\s*|\s+at\s+)"
_DOT = r"(?:\.|\s*[\(\[\{<]\s*dot\s*[\)\]\}>]\s*|\s+dot\s+)"
#: An address starts only where a run of its characters starts, and takes that run whole (no backtracking):
#: a long text without any address is read once, not once per character.
_EMAIL = re.compile(rf"(?<![\w.+\-])[\w.+\-]++{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}[a-z]{{2,}}\b", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io)/\S*", re.IGNORECASE)
_REPEATED = re.compile(re.escape(NAME) + r"(?:\s+" + re.escape(NAME) + r")+")
#: Scripts written without spaces between words: a name is looked for inside longer runs of letters.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff]"
)
#: What may stand between the characters of an unspaced name: spaces, middle dots, hyphens, an ellipsis.
_BETWEEN = "[\\s\u00b7\u30fb\u2027\u2010\u2026.\\-]*"


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """``text`` for comparing names: compatibility-decomposed, without accents, case-folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_DROP = dict.fromkeys(map(ord, INVISIBLE))


def normalise(text: str) -> str:
    """``text`` as names are looked for in it: NFKC, without soft hyphens and zero-width characters."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text.translate(_DROP))


def _normalised(text: str) -> tuple[str, list[int] | None]:
    """:func:`normalise`'s text, and for each of its characters the index it came from in ``text``
    (``None``: the same text, character for character)."""
    if text.isascii():
        return text, None
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch in INVISIBLE:
            continue
        for c in unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch:
            out.append(c)
            origin.append(i)
    return "".join(out), origin


def _pieces(word: str) -> list[str]:
    """The letter runs of ``word``, camel case split too: ``MayaChen_87`` -> ``Maya``, ``Chen``."""
    out: list[str] = []
    for run in _piece().findall(word):
        out += [p for p in _CAMEL.split(run) if p]
    return out


def _parts(name: str) -> list[str]:
    """The parts of a name, in order (``Zoë O'Brien-Hart`` -> Zoë, O, Brien, Hart)."""
    return [p for w in normalise(name).split() for p in _pieces(w)]


def _name_keys(name: str) -> tuple[set[str], set[str]]:
    """:func:`name_tokens` and :func:`handles` of ``name``, normalised once."""
    norm = normalise(name)
    words = norm.split()
    pieces = [p for w in words for p in _pieces(w)]
    return {fold(p) for p in pieces if len(p) >= 2}, _handles(words, [fold(p) for p in pieces])


def name_tokens(name: str) -> set[str]:
    """The folded parts of a name worth masking on their own (two letters or more)."""
    return {fold(p) for p in _parts(name) if len(p) >= 2}


def _squash(text: str) -> str:
    """``text`` folded, letters only: how a handle is compared (``@Maya_Chen87`` -> ``mayachen``)."""
    return "".join(c for c in fold(text) if c.isalpha())


def handles(name: str) -> set[str]:
    """Usernames made of two name parts or more (``mayachen``, ``chenmaya``, ``mchen``, ``obrien``), folded.

    Never one part alone: that is a name part, masked by its own rules.
    """
    words = normalise(name).split()
    return _handles(words, [fold(p) for p in _parts(name)])


def _handles(words: list[str], parts: list[str]) -> set[str]:
    found = {"".join(parts)}
    for word in words:  # a compound word of the name run together: O'Brien, O'Brien-Hart
        for piece in [word, *word.split("-")]:
            if len(_pieces(piece)) >= 2:
                found.add(_squash(piece))
    for i, a in enumerate(parts):
        for j, b in enumerate(parts):
            if i != j:
                found.add(a + b)
                if i < j and len(b) >= 3:
                    found.add(a[0] + b)
    return {h for h in found if len(h) >= 4 and h not in parts}


#: The common English words, one a line, shipped beside this module: the lower-case words that
#: pyspellchecker's English word frequencies count at least :data:`COMMON_COUNT` times (tests check the
#: file against them). About 5,000 words, read in a millisecond where the 160,000 counts take 80 ms.
COMMON_WORDS = "common_words.txt"


@functools.cache
def common_words() -> frozenset[str]:
    """The common English words (lower case) that a name part may also be ("will", "rose")."""
    return frozenset((resources.files(__package__) / COMMON_WORDS).read_text(encoding="utf-8").split())


def is_common_word(token: str) -> bool:
    """True when the folded name part ``token`` is also a common English word ("will", "rose")."""
    return token.isascii() and token in common_words()


def _phones(text: str) -> Iterator[tuple[int, int]]:
    """Spans of phone numbers in ``text`` (only looked for where there are seven digits or more)."""
    if sum(c.isdigit() for c in text) < 7:
        return
    import phonenumbers

    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            yield match.start, match.end


class Privacy:
    """How contacts appear: by name (``names=True``), or as role and organisation only.

    ``label(contact_id)`` is the attribution of a quote; ``scrub(text)`` takes
    every contact's name, handles, email addresses, phone numbers and links out
    of a text when names are off.
    """

    def __init__(self, contacts: pd.DataFrame, names: bool = False):
        self.names = names
        columns = [contacts[c].astype(str).tolist() for c in ("name", "role", "organization")]
        self._people = {
            int(i): (name, role.strip(), org.strip())
            for i, name, role, org in zip(contacts["id"].tolist(), *columns, strict=True)
        }
        self._scrubbed: dict[str, str] = {}  # the same role or organisation comes back many times
        self._labels: dict[int, str] = {}  # each contact's label, made once
        self._tokens: set[str] = set()
        self._handles: set[str] = set()
        self._owners: dict[str, set[int]] = {}  # token -> the people whose name has it
        unspaced: set[str] = set()
        for pid, (name, _, _) in self._people.items():
            tokens, made = _name_keys(name)
            self._tokens |= tokens
            self._handles |= made
            for token in tokens:
                self._owners.setdefault(token, set()).add(pid)
            if not name.isascii():
                norm = normalise(name)
                for piece in [norm, *norm.split()]:
                    compact = "".join(piece.split())
                    if len(compact) >= 2 and _UNSPACED.search(compact):
                        unspaced.add(compact)
        self._unspaced = (
            re.compile("|".join(_BETWEEN.join(map(re.escape, n)) for n in sorted(unspaced, key=len, reverse=True)))
            if unspaced
            else None
        )

    def label(self, contact_id: int) -> str:
        done = self._labels.get(contact_id)
        if done is None:
            done = self._labels[contact_id] = self._label(contact_id)
        return done

    def _label(self, contact_id: int) -> str:
        if contact_id not in self._people:
            return "a contact"
        name, role, org = self._people[contact_id]
        job = " at ".join(p for p in (role, org) if p)
        if self.names:
            return f"{name}, {job}" if job else name
        return self.scrub(job) if job else "a contact"

    def scrub(self, text: str) -> str:
        if self.names or not text:
            return text
        done = self._scrubbed.get(text)
        if done is None:
            done = self._scrubbed[text] = self._scrub(text)
        return done

    # ------------------------------------------------------------------ matching
    def _name_parts(self, word: str) -> list[tuple[str, str]]:
        """The pieces of ``word`` that are name parts: ``(piece as written, folded token)``."""
        core = _POSSESSIVE.sub("", word)
        whole = fold(core)
        if whole in self._tokens:
            return [(core, whole)]
        return [(p, fold(p)) for p in _pieces(core) if len(p) >= 2 and fold(p) in self._tokens]

    def _words(self, text: str) -> list[tuple[int, int, list[tuple[str, str]], bool]]:
        """Each word of ``text`` holding a name part or a handle: ``(start, end, name parts, is a handle)``."""
        found = []
        for match in _word().finditer(text):
            start, end = match.span()
            word = match.group(0)
            while word and word[-1] in ".-":  # a full stop or a dash after a name is not part of it
                word, end = word[:-1], end - 1
            handle = start > 0 and text[start - 1] == "@"
            parts = self._name_parts(word)
            if _squash(word) in self._handles and len(word) >= 4:
                handle = True
            if handle and start > 0 and text[start - 1] == "@":
                start -= 1
            if parts or handle:
                found.append((start, end, parts, handle))
        return found

    def _name_spans(self, text: str) -> Iterator[tuple[int, int]]:
        words = self._words(text)
        for i, (start, end, parts, handle) in enumerate(words):
            tokens = {t for _, t in parts}
            if handle or not all(is_common_word(t) for t in tokens):
                yield start, end
                continue
            # Only common words here ("Will", "rose"): a name only where used as one.
            if any(p[:1].isupper() for p, _ in parts) or self._together(tokens):
                yield start, end
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(words):
                    gap = text[words[j][1] : start] if j < i else text[end : words[j][0]]
                    if gap.isspace() and self._together(tokens | {t for _, t in words[j][2]}):
                        yield start, end
                        break

    def _together(self, tokens: set[str]) -> bool:
        """True when two different ``tokens`` are parts of one person's name."""
        if len(tokens) < 2:
            return False
        owners = [self._owners.get(t, set()) for t in tokens]
        return any(len([o for o in owners if pid in o]) >= 2 for pid in set().union(*owners))

    def _scrub(self, text: str) -> str:
        original = unicodedata.normalize("NFC", str(text))
        norm, origin = _normalised(original)
        spans: list[tuple[int, int, str]] = []
        spans += [(*m.span(), EMAIL) for m in _EMAIL.finditer(norm)]
        spans += [(*m.span(), LINK) for m in _URL.finditer(norm)]
        spans += [(s, e, PHONE) for s, e in _phones(norm)]
        spans += [(s, e, NAME) for s, e in self._name_spans(norm)]
        if self._unspaced is not None:
            spans += [(*m.span(), NAME) for m in self._unspaced.finditer(norm)]
        if not spans:
            return original
        taken = [False] * len(norm)
        kept: list[tuple[int, int, str]] = []
        for start, end, mask in spans:  # emails and links first, then phone numbers, then names
            if end > start and not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                kept.append((start, end, mask) if origin is None else (origin[start], origin[end - 1] + 1, mask))
        pieces, last = [], 0
        for start, end, mask in sorted(kept):
            pieces += [original[last:start], mask]
            last = end
        pieces.append(original[last:])
        return _REPEATED.sub(NAME, "".join(pieces))


__all__ = [
    "COMMON_COUNT",
    "EMAIL",
    "INVISIBLE",
    "LINK",
    "NAME",
    "PHONE",
    "Privacy",
    "fold",
    "handles",
    "is_common_word",
    "name_tokens",
    "normalise",
]
