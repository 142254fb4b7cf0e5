"""Who do I know there? Match contacts to the organisations and roles each option names.

Names are compared after normalising them: case, accents, punctuation and legal
forms at the end (Inc, LLC, Ltd, GmbH, S.A., Corp, Co., plc, AG, B.V., Oyj,
Sp. z o.o., Pvt. Ltd., A/S, …) do not count. The legal forms are cleanco's list
(about 270 forms from dozens of countries, kept up to date by that project) with
a few written-out and spaced-out forms of our own, less a few entries that are
more often part of a name ("UK", "CA"); cleanco's ``basename`` itself is not
used, because it keeps case, accents and "&", strips one layer only ("Goldman
Sachs & Co. LLC" keeps "& Co.") and leaves nothing of a name that is only a form.
Organisations match only when their normalised words are *equal*, never by
substring: "Meta" does not match "Metaflow Inc". A target role matches when all
its words appear among the words of a contact's role ("UX Researcher" matches
"Senior UX Researcher", not "UX Research Manager").

An option's targets are kept as the setting ``option:<id>:targets`` holding
``{"organizations": [...], "roles": [...]}``; :func:`load_targets` and
:func:`save_targets` read and write them. Everything else here is pure.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
from cleanco.clean import get_unique_terms

from ..errors import ValidationError
from ..store.readable import Readable

if TYPE_CHECKING:
    from ..store.workbook import Workbook

#: Legal forms this list adds to cleanco's: written-out and spaced-out forms, and Sweden's "(publ)".
_MORE_LEGAL_FORMS: tuple[str, ...] = (
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "pty",
    "pte",
    "oy",
    "ab",
    "aps",
    "asa",
    "kk",
    "pvt",
    "se",
    "ug",
    "s a",
    "b v",
    "n v",
    "s e",
    "a g",
    "s a r l",
    "sa rl",
    "aktiengesellschaft",
    "aktiebolag",
    "kabushiki kaisha",
    "private limited",
    "ggmbh",
    "publ",
)
#: Words on cleanco's list that are far more often part of a name ("Acme UK", "Acme CA") than a legal form.
_NOT_LEGAL_FORMS: frozenset[tuple[str, ...]] = frozenset({("uk",), ("eu",), ("at",), ("ok",), ("ca",), ("ent",)})
_WORD = re.compile(r"[^\W_]+")

TARGET_KINDS = ("organizations", "roles")


def _fold(text: Any) -> str:
    """Lower case, accents removed, dots and apostrophes dropped ("S.A." -> "sa", "Zoë" -> "zoe")."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[.'’`]", "", text).replace("&", " and ")


def words(text: Any) -> list[str]:
    """The normalised words of ``text``: no case, accents or punctuation."""
    return _WORD.findall(_fold(text))


def normalise_name(text: Any) -> str:
    """A person's or role's name reduced to its words, for comparing ("José  Núñez" -> "jose nunez")."""
    return _normalised_name(str(text or ""))


@functools.lru_cache(maxsize=1 << 16)
def _normalised_name(text: str) -> str:  # an import compares the same names and roles many times
    return " ".join(words(text))


def _legal_forms() -> dict[int, frozenset[tuple[str, ...]]]:
    """Every legal form as its normalised words, grouped by how many words it has."""
    forms = {tuple(words(term)) for term in (*get_unique_terms(), *_MORE_LEGAL_FORMS)} - {()} - _NOT_LEGAL_FORMS
    return {n: frozenset(f for f in forms if len(f) == n) for n in sorted({len(f) for f in forms}, reverse=True)}


#: Legal forms by number of words, longest first ("gmbh and co kg" before "kg").
LEGAL_FORMS: dict[int, frozenset[tuple[str, ...]]] = _legal_forms()
#: The one-word legal forms ("inc", "gmbh", "oyj", …).
LEGAL_SUFFIXES: frozenset[str] = frozenset(f[0] for f in LEGAL_FORMS.get(1, frozenset()))


def _legal_tail(tokens: list[str]) -> int:
    """How many words at the end of ``tokens`` are a legal form (0 if none), always leaving one word."""
    for n, forms in LEGAL_FORMS.items():
        if len(tokens) > n and tuple(tokens[-n:]) in forms:
            return n
    return 0


def org_words(name: Any) -> list[str]:
    """An organisation's words without legal forms or a leading "the" ("Müller & Söhne GmbH" -> muller and sohne).

    Forms are removed from the end until none is left ("Widget Co., Ltd." -> widget), but a name
    made only of a form keeps it ("AG" stays "ag").
    """
    tokens = words(name)
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    while tokens:
        cut = _legal_tail(tokens)
        if cut:
            tokens = tokens[:-cut]
        elif len(tokens) > 1 and tokens[-1] == "and" and len(tokens) < len(words(name)):
            tokens = tokens[:-1]  # "X & Co." -> "x and" -> "x"
        else:
            break
    return tokens


def normalise_org(name: Any) -> str:
    """An organisation's name for comparing: ``"Brightpath Software, Inc."`` -> ``"brightpath software"``."""
    return _normalised_org(str(name or ""))


@functools.lru_cache(maxsize=1 << 16)
def _normalised_org(text: str) -> str:  # many contacts work at the same few organisations
    return " ".join(org_words(text))


def same_organization(a: Any, b: Any) -> bool:
    """True when both names are the same organisation once normalised (whole-word equality)."""
    left = normalise_org(a)
    return bool(left) and left == normalise_org(b)


def role_matches(role: Any, target: Any) -> bool:
    """True when every word of ``target`` is a word of ``role``."""
    wanted = set(words(target))
    return bool(wanted) and wanted <= set(words(role))


# ----------------------------------------------------------------- targets
def clean_targets(value: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Targets as ``{"organizations": [...], "roles": [...]}``: trimmed, blanks and repeats dropped."""
    value = value or {}
    unknown = [k for k in value if k not in TARGET_KINDS]
    if unknown:
        raise ValidationError(unknown[0], "is not a kind of target; use organizations or roles")
    out: dict[str, list[str]] = {}
    for kind in TARGET_KINDS:
        items = value.get(kind) or []
        if isinstance(items, str):
            items = [items]
        seen: set[str] = set()
        kept: list[str] = []
        for item in items:
            if not isinstance(item, str):
                raise ValidationError(kind, f"must be names (text), not {type(item).__name__}")
            text = " ".join(item.split())
            key = normalise_org(text) if kind == "organizations" else normalise_name(text)
            if text and not key:
                raise ValidationError(kind, f"{item!r} has no letters or digits to match on")
            if text and key not in seen:
                seen.add(key)
                kept.append(text)
        out[kind] = kept
    return out


def lines(text: str) -> list[str]:
    """The non-empty lines of a text box, trimmed (organisation names may contain commas)."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def targets_key(option_id: int) -> str:
    return f"option:{int(option_id)}:targets"


def load_targets(wb: Readable, option_ids: Iterable[int] | None = None) -> dict[int, dict[str, list[str]]]:
    """The stored targets of each option (empty lists when none are stored)."""
    if option_ids is None:
        option_ids = wb.options()["id"].tolist()
    return {int(o): clean_targets(wb.setting(targets_key(o), None)) for o in option_ids}


def save_targets(wb: Workbook, option_id: int, organizations: Iterable[str] = (), roles: Iterable[str] = ()) -> dict:
    """Store the organisations and roles where insiders of ``option_id`` work. Returns what was stored."""
    value = clean_targets({"organizations": list(organizations), "roles": list(roles)})
    with wb.atomic():
        wb.get("options", option_id)  # NotFoundError for an unknown option
        wb.set_setting(targets_key(option_id), value)
    return value


# ---------------------------------------------------------------- matching
SUGGESTION_COLUMNS = ["option_id", "option", "contact_id", "contact", "organization", "role", "matched_on", "linked"]


def suggest_insiders(
    options: pd.DataFrame,
    contacts: pd.DataFrame,
    links: pd.DataFrame,
    targets: Mapping[int, Mapping[str, Iterable[str]]],
    *,
    include_linked: bool = False,
) -> pd.DataFrame:
    """Contacts who work at an option's target organisations or in its target roles.

    One row per (option, contact) with ``matched_on`` saying why ("organisation",
    "role" or "organisation and role") and ``linked`` whether the contact is
    already linked as an insider. Already-linked pairs are left out unless
    ``include_linked``. Best matches first: both reasons, then stronger ties.
    """
    rows = []
    linked = set()
    if links is not None and not links.empty:
        linked = {(int(c), int(o)) for c, o in zip(links["contact_id"], links["option_id"], strict=True)}
    if options is None or options.empty or contacts is None or contacts.empty:
        return pd.DataFrame(columns=SUGGESTION_COLUMNS)
    people = [
        (int(p.id), p.name, p.organization, p.role, normalise_org(p.organization), int(getattr(p, "strength", 3)))
        for p in contacts.itertuples(index=False)
    ]
    for opt in options.itertuples(index=False):
        wanted = targets.get(int(opt.id)) or {}
        orgs = {normalise_org(o) for o in wanted.get("organizations", [])} - {""}
        roles = [r for r in wanted.get("roles", []) if words(r)]
        if not orgs and not roles:
            continue
        for cid, name, org, role, org_key, strength in people:
            by_org = bool(org_key) and org_key in orgs
            by_role = any(role_matches(role, r) for r in roles)
            if not (by_org or by_role):
                continue
            is_linked = (cid, int(opt.id)) in linked
            if is_linked and not include_linked:
                continue
            why = "organisation and role" if by_org and by_role else "organisation" if by_org else "role"
            rows.append((int(opt.id), opt.title, cid, name, org, role, why, is_linked, by_org + by_role, strength))
    frame = pd.DataFrame(rows, columns=[*SUGGESTION_COLUMNS, "_score", "_strength"])
    if frame.empty:
        return pd.DataFrame(columns=SUGGESTION_COLUMNS)
    frame = frame.sort_values(["option_id", "_score", "_strength", "contact"], ascending=[True, False, False, True])
    return frame[SUGGESTION_COLUMNS].reset_index(drop=True)


def suggestions_for(wb: Readable, *, include_linked: bool = False) -> pd.DataFrame:
    """:func:`suggest_insiders` over the workbook's options, contacts, insider links and targets."""
    options = wb.options()
    targets = load_targets(wb, options["id"].tolist() if not options.empty else [])
    return suggest_insiders(options, wb.contacts(), wb.insider_links(), targets, include_linked=include_linked)
