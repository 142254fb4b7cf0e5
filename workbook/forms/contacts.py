"""Forms for notebook 02: the people you could ask, and who of them knows an option from the inside.

:class:`ContactsForm` adds, edits, archives and unarchives contacts. :class:`TargetsForm`
keeps, per option, the organisations and roles where insiders work, and
:class:`InsiderFinder` ("Who do I know there?") suggests contacts who match
them, to link as insiders. Nothing here calls ``display()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import ipywidgets as widgets
import pandas as pd

from ..errors import ChangedElsewhereError, NotFoundError, ValidationError
from ..people import matching
from ..store import vocab
from ..store.fields import FIELDS, limits
from ..store.freshness import compare
from ..store.workbook import Workbook
from .base import (
    ConflictPanel,
    StatusLine,
    TableView,
    choices,
    guarded,
    select,
    set_choices,
    set_many_choices,
    text_field,
    vocab_choices,
)
from .editor import NEW, WIDE, RecordEditor

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def clean_email(text: str) -> str:
    email = text.strip()
    if email and not _EMAIL.fullmatch(email):
        raise ValidationError("email", f"{email!r} does not look like an email address (name@example.org)")
    return email


def clean_profile_url(text: str) -> str:
    """A profile address with its scheme (``linkedin.com/in/x`` -> ``https://linkedin.com/in/x``)."""
    url = text.strip()
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or "." not in parts.netloc or any(c.isspace() for c in url):
        raise ValidationError("profile_url", f"{text.strip()!r} is not a web address (https://…)")
    return url


def contacts_table(wb: Workbook) -> pd.DataFrame:
    """Contacts with the titles of the options each knows from the inside (``insider_for``) and every
    source each came from, first one first (``source``: "linkedin, vcard")."""
    contacts = wb.contacts()
    if contacts.empty:
        return contacts
    links = wb.insider_links()
    titles = dict(zip(wb.options()["id"].tolist(), wb.options()["title"].tolist(), strict=True))
    known: dict[int, list[str]] = {}
    for cid, oid in zip(links["contact_id"].tolist(), links["option_id"].tolist(), strict=True):
        if oid in titles:
            known.setdefault(int(cid), []).append(titles[oid])
    sources: dict[int, list[str]] = {}
    for cid, source in zip(*(wb.contact_sources()[c].tolist() for c in ("contact_id", "source")), strict=True):
        sources.setdefault(int(cid), []).append(source)
    return contacts.assign(
        insider_for=[", ".join(known.get(int(i), [])) for i in contacts["id"]],
        source=[
            ", ".join(dict.fromkeys([s, *sources.get(int(i), [])])) if s else ", ".join(sources.get(int(i), []))
            for i, s in zip(contacts["id"], contacts["source"], strict=True)
        ],
    )


class ContactsForm(RecordEditor):
    """Add, edit, archive and unarchive the people you could ask. ``view`` is the widget to show."""

    table_name, noun, a_noun, label = "contacts", "contact", "a contact", "name"
    pick_description = "Contact"
    empty = "No contacts yet. Add people above, or import the contacts you keep elsewhere below."

    def __init__(self, wb: Workbook, on_change: Callable[[], None] | None = None):
        super().__init__(wb, on_change)
        self.name = text_field("Name")
        self.organization = text_field("Organisation", "where they work")
        self.role = text_field("Role", "what they do there")
        self.email = text_field("Email")
        self.profile_url = text_field("Profile URL", "e.g. https://www.linkedin.com/in/…")
        self.relationship = widgets.Dropdown(
            description="Relationship", options=vocab_choices(vocab.RELATIONSHIPS), value="", style=WIDE
        )
        low, high = (int(x) for x in limits("contacts", "strength"))
        self.strength = widgets.IntSlider(
            value=FIELDS["contacts"]["strength"].default,
            min=low,
            max=high,
            description=f"Tie strength ({low} weak – {high} close)",
            style=WIDE,
            layout=widgets.Layout(width="95%", max_width="44em"),  # a track wide enough to read and drag
        )
        self.insider_for = widgets.SelectMultiple(
            description="Knows from inside", rows=4, style=WIDE, layout=widgets.Layout(width="95%")
        )
        self.referred_by = widgets.Dropdown(description="Referred by", style=WIDE)
        self.notes = text_field("Notes", long=True)
        self.view = self._layout(
            [
                self.name,
                self.organization,
                self.role,
                self.email,
                self.profile_url,
                self.relationship,
                self.strength,
                self.insider_for,
                self.referred_by,
                self.notes,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        """Reload the dropdowns and the table from the workbook."""
        every = self.wb.contacts(include_archived=True)
        contacts = every[~every["archived"].astype(bool)] if not every.empty else every
        referrer = self.referred_by.value if self.referred_by.value in set(contacts["id"].tolist()) else NEW
        self._reload_pick(contacts)
        self._reload_archived(every)
        set_choices(self.referred_by, [("(nobody)", NEW), *choices(contacts, "name")], referrer)
        set_many_choices(self.insider_for, choices(self.wb.options(), "title"), self.insider_for.value)
        self.table.show(
            contacts_table(self.wb),
            ["name", "organization", "role", "relationship", "strength", "insider_for", "source", "email"],
        )

    def _load(self, record_id: int) -> dict:
        row = self.wb.get("contacts", record_id)
        row["insider_for"] = self.wb.insiders_of(record_id)
        return row

    def _fill(self, row: dict) -> None:
        for name in ("name", "organization", "role", "email", "profile_url", "notes"):
            getattr(self, name).value = row.get(name, "")
        self.relationship.value = row.get("relationship", "")
        self.strength.value = row.get("strength", 3)
        select(self.referred_by, row.get("referred_by") or NEW)
        known = {v for _, v in self.insider_for.options}
        self.insider_for.value = tuple(o for o in row.get("insider_for", ()) if o in known)

    def _values(self) -> dict:
        return dict(
            name=self.name.value.strip(),
            organization=self.organization.value.strip(),
            role=self.role.value.strip(),
            email=clean_email(self.email.value),
            profile_url=clean_profile_url(self.profile_url.value),
            relationship=self.relationship.value,
            strength=self.strength.value,
            referred_by=self.referred_by.value or None,
            notes=self.notes.value.strip(),
        )

    def _added_note(self, values: dict) -> str:
        twins = self._same_person(values)
        if not twins:
            return ""
        twin = self.wb.get("contacts", twins[0])
        where = f" at {twin['organization']}" if twin["organization"] else ""
        return (
            f" (note: you already have {twin['name']}{where}: same name and organisation. "
            "To keep one, pick the other under Contact and archive it)"
        )

    def _add(self, values: dict) -> int:
        return self.wb.add_contact(options=list(self.insider_for.value), **values)

    def _update(self, record_id: int, values: dict) -> None:
        mine = {**values, "insider_for": tuple(sorted(self.insider_for.value))}
        with self.wb.atomic():  # checked against what the form loaded, links included, then saved: one transaction
            self.wb.expect_unchanged("contacts", record_id, self._baseline(mine), yours=mine)
            self.wb.update_contact(record_id, **values)
            self.wb.set_insiders(record_id, list(mine["insider_for"]))

    def _value_text(self, field: str, value: object) -> str:
        if field == "insider_for" and isinstance(value, tuple | list):
            options = self.wb.options(include_archived=True)
            titles = dict(zip(options["id"].tolist(), options["title"].tolist(), strict=True))
            return ", ".join(str(titles.get(int(o), "an option no longer in the workbook")) for o in value)
        if field == "referred_by" and isinstance(value, int):
            try:
                return str(self.wb.get("contacts", value)["name"])
            except NotFoundError:
                return "someone no longer in the workbook"
        return super()._value_text(field, value)

    def _same_person(self, values: dict) -> list[int]:
        contacts = self.wb.contacts()
        key = (matching.normalise_name(values["name"]), matching.normalise_org(values["organization"]))
        return [
            int(i)
            for i, n, o in zip(contacts["id"], contacts["name"], contacts["organization"], strict=True)
            if (matching.normalise_name(n), matching.normalise_org(o)) == key
        ]


_TARGET_LABELS = {"organizations": "organisations", "roles": "roles"}


class TargetsForm:
    """Per option: the organisations and roles where its insiders work (one per line)."""

    def __init__(self, wb: Workbook, on_change: Callable[[], None] | None = None):
        self.wb = wb
        self.on_change = on_change
        self._loading = False
        self.option = widgets.Dropdown(description="Option", style=WIDE)
        self.organizations = text_field("Organisations", "one per line, e.g. Brightpath Software", long=True)
        self.roles = text_field("Roles", "one per line, e.g. UX Researcher", long=True)
        self.save_button = widgets.Button(
            description="Save targets", button_style="primary", icon="check", layout=widgets.Layout(width="auto")
        )
        self.status = StatusLine()
        self.conflict = ConflictPanel(self.status, self._keep_theirs, self._save_mine, labels=_TARGET_LABELS)
        #: The picked option's targets as the form loaded them: what a save is checked against.
        self.loaded: dict[str, list[str]] = {}
        self.table = TableView(empty="No options yet: add them in 01_options_and_criteria.")
        self.option.observe(self._on_pick, names="value")
        self.save_button.on_click(lambda _: guarded(self.status, self._save, self.conflict))
        self.view = widgets.VBox(
            [self.option, self.organizations, self.roles, self.save_button, self.status, self.conflict, self.table]
        )
        self.refresh()

    def refresh(self) -> None:
        options = self.wb.options()
        self._loading = True
        try:
            set_choices(self.option, choices(options, "title"), self.option.value)
        finally:
            self._loading = False
        self.save_button.disabled = options.empty
        self._load(self.option.value)
        targets = matching.load_targets(self.wb, options["id"].tolist())
        self.table.show(
            pd.DataFrame(
                {
                    "option": options["title"].tolist(),
                    "organisations": ["; ".join(targets[int(i)]["organizations"]) for i in options["id"]],
                    "roles": ["; ".join(targets[int(i)]["roles"]) for i in options["id"]],
                }
            )
            if not options.empty
            else options
        )

    def _load(self, option_id) -> None:
        if option_id is None:
            self.organizations.value = self.roles.value = ""
            self.loaded = {}
            return
        stored = matching.load_targets(self.wb, [option_id])[int(option_id)]
        self.loaded = {"organizations": stored["organizations"], "roles": stored["roles"]}
        self.organizations.value = "\n".join(stored["organizations"])
        self.roles.value = "\n".join(stored["roles"])

    def _on_pick(self, change) -> None:
        if not self._loading:
            self.status.clear()
            self.conflict.hide()
            self._load(change["new"])

    def _save(self) -> str:
        option_id = self.option.value
        if option_id is None:
            raise ValidationError("option", "add an option first (notebook 01)")
        mine = {"organizations": matching.lines(self.organizations.value), "roles": matching.lines(self.roles.value)}
        with self.wb.atomic():  # saved only if still what the form loaded: another page may have changed them
            now = matching.load_targets(self.wb, [option_id])[int(option_id)]
            theirs = {"organizations": now["organizations"], "roles": now["roles"]}
            title = self.wb.get("options", option_id)["title"]
            compare(
                f"the organisations and roles of “{title}”", self.loaded, theirs, mine, table="settings", id=option_id
            )
            stored = matching.save_targets(self.wb, option_id, mine["organizations"], mine["roles"])
        self.refresh()
        if self.on_change:
            self.on_change()
        n_org, n_role = len(stored["organizations"]), len(stored["roles"])
        title = self.wb.get("options", option_id)["title"]
        return f"Saved {n_org} organisation(s) and {n_role} role(s) for {title}."

    def _keep_theirs(self, error: ChangedElsewhereError) -> str:
        self._load(self.option.value)
        return "Kept theirs: the form shows the organisations and roles as saved now."

    def _save_mine(self, error: ChangedElsewhereError) -> str:
        self.loaded = {**self.loaded, **error.theirs}
        return self._save()


class InsiderFinder:
    """Who do I know there? Contacts matching each option's targets, to link as insiders."""

    def __init__(self, wb: Workbook, on_change: Callable[[], None] | None = None):
        self.wb = wb
        self.on_change = on_change
        self.find_button = widgets.Button(
            description="Find matches", icon="search", layout=widgets.Layout(width="auto")
        )
        self.table = TableView(empty="No matches. Name organisations and roles for your options above.")
        self.pick = widgets.SelectMultiple(
            description="Link as insiders", rows=6, style=WIDE, layout=widgets.Layout(width="95%")
        )
        self.link_button = widgets.Button(
            description="Link selected", button_style="primary", icon="link", layout=widgets.Layout(width="auto")
        )
        self.status = StatusLine()
        self.find_button.on_click(lambda _: guarded(self.status, self._find))
        self.link_button.on_click(lambda _: guarded(self.status, self._link))
        self.view = widgets.VBox([self.find_button, self.table, self.pick, self.link_button, self.status])
        self.refresh()

    def refresh(self) -> None:
        self.suggestions = matching.suggestions_for(self.wb)
        targets = matching.load_targets(self.wb).values()
        self.table.empty = (
            "No contacts match your targets who are not linked already. Add contacts, or more organisations "
            "and roles above."
            if any(t["organizations"] or t["roles"] for t in targets)
            else "No targets yet: name organisations and roles for your options above."
        )
        self.table.show(self.suggestions, ["option", "contact", "organization", "role", "matched_on"])
        set_many_choices(
            self.pick,
            [
                (f"{r.contact} ({r.organization}, {r.role}) → {r.option}: {r.matched_on}", (r.contact_id, r.option_id))
                for r in self.suggestions.itertuples(index=False)
            ],
        )
        self.link_button.disabled = self.suggestions.empty

    def _find(self) -> str | None:
        self.refresh()
        n = len(self.suggestions)
        if not n:
            self.status.show("No contacts match the targets yet (or all matches are linked already).", "info")
            return None
        return f"{n} possible insider{'s' if n != 1 else ''} not linked yet."

    def _link(self) -> str:
        pairs = list(self.pick.value)
        if not pairs:
            raise ValidationError("link", "select one or more matches first")
        with self.wb.atomic():
            for contact_id, option_id in pairs:
                self.wb.link_insider(contact_id, option_id)
        self.refresh()
        if self.on_change:
            self.on_change()
        return (
            f"Linked {len(pairs)} contact{'s' if len(pairs) != 1 else ''} as insider{'s' if len(pairs) != 1 else ''}."
        )
