"""Notebook 05: capture a conversation the same day, and evidence from other sources.

    form = CaptureForm(wb)      # done + notes, insights, referrals, thank-you, debrief
    form.view
    other = EvidenceForm(wb)    # evidence without a conversation (reviews, postings, research…)
    other.view

Driven in tests through their widgets (``form.insight.quote.value = …``,
``form.insight.save.click()``) and read back through ``status.kind/.text``.

What the capture form saves over (notes, the thank-you note, the debrief) is
checked against what it loaded: when another page changed it since, nothing
is written and ``conflict`` shows both versions, to keep theirs or save yours.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import ipywidgets as widgets

from ..errors import ChangedElsewhereError, ValidationError, WorkbookError
from ..outreach import messages
from ..prepare import prep, questions
from ..store import conversations as rules
from ..store import vocab
from ..store.workbook import Workbook
from .base import (
    ConflictPanel,
    StatusLine,
    TableView,
    auto_width,
    choices,
    cut,
    guarded,
    no_maths,
    text_field,
    widget_text,
)
from .insight_editor import InsightEditor
from .mail import SendBox

OTHER_SOURCES = {k: v for k, v in vocab.SOURCES.items() if k != "interview"}
STILL_INTERESTED = ("yes, more than before", "yes, as before", "less than before", "no", "not sure yet")
NO_CONVERSATION = (
    "There is no conversation to capture yet. Plan one in notebook 03 and come back after it; "
    "evidence from other sources can be recorded below in the meantime."
)
NO_OPTIONS = (
    "Add the options you are weighing and your criteria first (notebook 01); "
    "then run this cell again (in the app: reload the page)."
)


def thank_you_line(conv: dict[str, Any], today: dt.date, hours: int = rules.THANK_YOU_HOURS) -> str:
    """Where the thank-you for a conversation stands, in one sentence (rule: :mod:`workbook.store.conversations`)."""
    return rules.thank_you_status(conv, today, hours)


def _date_value(widget: widgets.DatePicker, field: str, today: dt.date, not_before: str | None = None) -> dt.date:
    day = widget.value
    if day is None:
        raise ValidationError(field, "is empty; pick a date")
    if day > today:
        raise ValidationError(field, f"{day.isoformat()} is in the future; pick today or an earlier day")
    if not_before and day < dt.date.fromisoformat(not_before):
        raise ValidationError(field, f"{day.isoformat()} is before the conversation ({not_before})")
    return day


class CaptureForm:
    """After a conversation: mark it done, record insights, referrals, the thank-you and a debrief."""

    #: The fields each action saves over, compared with what the form loaded.
    CHECKED = {
        "_mark_done": ("notes", "done_on"),
        "_mark_thanked": ("thank_you_note",),
        "_save_debrief": ("debrief", "still_interested"),
    }

    def __init__(self, wb: Workbook, today: dt.date | None = None):
        self.wb = wb
        self.today = today or dt.date.today()
        self.status = StatusLine()
        self.conflict = ConflictPanel(self.status, self._keep_theirs, self._save_mine)
        #: The conversation as the form loaded it: what its saves are checked against.
        self.loaded: dict[str, Any] = {}
        self._last: Any = None  # the action a conflict interrupted, for "Save mine"
        self.conversation = widgets.Dropdown(
            description="Conversation", style={"description_width": "initial"}, layout=widgets.Layout(width="95%")
        )
        self.header = widgets.HTML()
        tabs = {
            "1 Done": self._build_done(),
            "2 Insights": self._build_insights(),
            "3 Who else": self._build_who_else(),
            "4 Thank-you": self._build_thank_you(),
            "5 Debrief": self._build_debrief(),
        }
        self.tabs = widgets.Tab(children=list(tabs.values()), titles=list(tabs))
        self.conversation.observe(lambda _: self._load(), names="value")
        self.view = widgets.VBox([self.conversation, self.header, self.tabs, self.status, self.conflict])
        self.refresh()

    # -------------------------------------------------------------- the tabs
    def _build_done(self) -> widgets.VBox:
        """Tab 1: the day it took place and the notes."""
        self.done_on = widgets.DatePicker(description="Done on", value=self.today)
        self.notes = text_field("Notes", "anything you want to keep from the conversation", long=True, rows=5)
        self.mark_done = widgets.Button(
            description="Mark done and save notes", button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.mark_done.on_click(lambda _: self._run(self._mark_done))
        return widgets.VBox([self.done_on, self.notes, self.mark_done])

    def _build_insights(self) -> widgets.VBox:
        """Tab 2: what was learned, one insight at a time, tied to this conversation."""
        self.insight = InsightEditor(self.wb, self.status)
        return self.insight.view

    def _build_who_else(self) -> widgets.VBox:
        """Tab 3: the people they suggested, linked to whoever referred them."""
        self.ref_name = text_field("Name")
        self.ref_organization = text_field("Organisation")
        self.ref_role = text_field("Role")
        self.ref_email = text_field("Email")
        self.ref_option = widgets.Dropdown(description="Insider for", layout=widgets.Layout(width="95%"))
        self.ref_plan = widgets.Checkbox(
            indent=False, layout=auto_width(), value=True, description="Plan a conversation with them about that option"
        )
        self.add_referral = widgets.Button(description="Add referral", icon="user-plus", layout=auto_width())
        self.referrals = TableView(empty="No referrals from this person yet.")
        self.add_referral.on_click(lambda _: self._run(self._add_referral))
        note = widgets.HTML(
            "<p>Who else should you talk to? Add each person they suggested; "
            "they are linked to whoever referred them.</p>"
        )
        return widgets.VBox(
            [
                note,
                self.ref_name,
                self.ref_organization,
                self.ref_role,
                self.ref_email,
                self.ref_option,
                self.ref_plan,
                self.add_referral,
                self.referrals,
            ]
        )

    def _build_thank_you(self) -> widgets.VBox:
        """Tab 4: the thank-you note, ready for the person's own mail app, and when it was sent."""
        self.thanks_due = widgets.HTML()
        # Sent at every key: the mail-app link below follows the note as it is edited.
        self.thank_you_note = text_field(
            "Thank-you note (a draft; send it yourself)", long=True, rows=8, continuous_update=True
        )
        self.thank_you_send = SendBox()
        self._to, self._who = "", ""
        self.thanked_on = widgets.DatePicker(description="Sent on", value=self.today)
        self.mark_thanked = widgets.Button(description="Mark thank-you sent", icon="check", layout=auto_width())
        self.thank_you_note.observe(lambda _: self._offer_thanks(), names="value")
        self.mark_thanked.on_click(lambda _: self._run(self._mark_thanked))
        return widgets.VBox(
            [self.thanks_due, self.thank_you_note, self.thank_you_send, self.thanked_on, self.mark_thanked]
        )

    def _build_debrief(self) -> widgets.VBox:
        """Tab 5: what was learned overall, and the option's open questions it answered or raised."""
        self.debrief = text_field("What did I learn?", long=True, rows=5)
        self.still_interested = widgets.Combobox(
            continuous_update=False,  # sent as the field is left, before a Save clicked next (see text_field)
            description="Am I still interested?",
            options=STILL_INTERESTED,
            ensure_option=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="95%"),
        )
        self.still_need = text_field("What do I still need to know? (one per line)", long=True, rows=3)
        self.answered_box = widgets.VBox()
        self.answered: list[tuple[widgets.Checkbox, str]] = []
        self.save_debrief = widgets.Button(
            description="Save debrief", button_style="primary", icon="save", layout=auto_width()
        )
        self.save_debrief.on_click(lambda _: self._run(self._save_debrief))
        ticks = widgets.HTML("<p>Tick the open questions this conversation answered:</p>")
        return widgets.VBox(
            [self.debrief, self.still_interested, self.still_need, ticks, self.answered_box, self.save_debrief]
        )

    # -------------------------------------------------------------- loading
    def refresh(self) -> None:
        """Reload conversations (their labels show the current status), keeping the one selected."""
        entries = prep.conversation_choices(self.wb, [s for s in vocab.CONVERSATION_STATUSES if s != "declined"])
        keep = self.conversation.value
        self.conversation.options = entries
        self.insight.reload()
        self.ref_option.options = choices(self.wb.options(), "title", none="(not sure)")
        if not entries:
            self.tabs.layout.display = "none"
            self.status.show(NO_CONVERSATION, "info")
            return
        self.tabs.layout.display = None
        if keep in [v for _, v in entries]:
            self.conversation.value = keep
            self._load(keep_inputs=True)
        elif self.conversation.value is None:
            self.conversation.value = self._default(entries)
        else:
            self._load()

    def _default(self, entries: list[tuple[str, int]]) -> int:
        convs = self.wb.conversations()
        done = convs[(convs["status"] == "done")].sort_values("done_on", ascending=False)
        if not done.empty:
            return int(done.iloc[0]["id"])
        return entries[0][1]

    def _conv(self) -> dict[str, Any]:
        if self.conversation.value is None:
            raise ValidationError("conversation", "there is none yet; plan one in notebook 03")
        return self.wb.get("conversations", self.conversation.value)

    def _load(self, keep_inputs: bool = False) -> None:
        if self.conversation.value is None:
            return
        conv = self._conv()
        self._show_header(conv)
        self.insight.conversation_id = int(conv["id"])
        if not keep_inputs:
            self.loaded = conv
            self.conflict.hide()
            self.notes.value = conv["notes"]
            self.done_on.value = dt.date.fromisoformat(conv["done_on"]) if conv["done_on"] else self.today
            if conv["option_id"] in [v for _, v in self.insight.option.options]:
                self.insight.option.value = conv["option_id"]
            self.insight.quote.value = ""
            if conv["option_id"] in [v for _, v in self.ref_option.options]:
                self.ref_option.value = conv["option_id"]
            else:
                self.ref_option.index = 0  # "(not sure)"
            self.thank_you_note.value = conv["thank_you_note"] or self._draft(conv["id"])
            self.debrief.value = conv["debrief"]
            self.still_interested.value = conv["still_interested"]
            self.still_need.value = ""
            self.status.clear()
        self.insight.show_table()
        self._show_referrals(conv)
        self._show_open_questions(conv)

    def _draft(self, cid: int) -> str:
        try:
            return messages.draft(self.wb, "thank_you", conversation_id=cid)
        except (WorkbookError, OSError):
            return ""

    def _offer_thanks(self) -> None:
        """The thank-you note, ready for the user's own mail app (and to copy)."""
        self.thank_you_send.show(self.thank_you_note.value, self._to, self._who)

    def _show_header(self, conv: dict[str, Any]) -> None:
        contact = self.wb.get("contacts", conv["contact_id"])
        self._to, self._who = str(contact.get("email") or ""), str(contact.get("name") or "")
        self._offer_thanks()
        option = self.wb.get("options", conv["option_id"])
        status = vocab.CONVERSATION_STATUSES.get(conv["status"], conv["status"])
        line = thank_you_line(conv, self.today, rules.thank_you_hours(self.wb.setting(rules.THANK_YOU_SETTING)))
        self.header.value = no_maths(
            f"<div><b>{html.escape(contact['name'][:300])}</b> about <b>{html.escape(option['title'][:300])}</b>"
            f" · status: {html.escape(status)}<br>{html.escape(line)}</div>"
        )
        self.thanks_due.value = no_maths(f"<p>{html.escape(line)}</p>")

    def _show_referrals(self, conv: dict[str, Any]) -> None:
        contacts = self.wb.contacts()
        mine = contacts[contacts["referred_by"] == conv["contact_id"]] if not contacts.empty else contacts
        self.referrals.show(mine[["name", "organization", "role", "email"]].map(cut) if not mine.empty else mine)

    def _show_open_questions(self, conv: dict[str, Any]) -> None:
        open_qs = questions.split_open_questions(self.wb.get("options", conv["option_id"])["questions"])
        self.answered = [
            (widgets.Checkbox(indent=False, description=widget_text(cut(q)), layout=widgets.Layout(width="95%")), q)
            for q in open_qs
        ]
        if self.answered:
            self.answered_box.children = [box for box, _ in self.answered]
        else:
            self.answered_box.children = [widgets.HTML("<p><em>This option has no open questions noted.</em></p>")]

    # -------------------------------------------------------------- actions
    def _run(self, action: Any) -> bool:
        self._last = action
        return guarded(self.status, action, self.conflict)

    def _update(self, conv: dict[str, Any], action: str, **change: Any) -> None:
        """Save ``change`` to the conversation if what ``action`` saves over is still what the form loaded."""
        checked = self.CHECKED[action]
        loaded = {k: self.loaded[k] for k in checked if k in self.loaded} if self.loaded.get("id") == conv["id"] else {}
        with self.wb.atomic():
            self.wb.update("conversations", conv["id"], loaded=loaded, **change)
            saved = self.wb.get("conversations", conv["id"])
        self.loaded = {**self.loaded, **{k: saved[k] for k in checked}}  # the next save is checked against these

    def _keep_theirs(self, error: ChangedElsewhereError) -> str:
        self._load()
        return "Kept theirs: the form shows the conversation as saved now; your changes were not saved."

    def _save_mine(self, error: ChangedElsewhereError) -> str | None:
        self.loaded = {**self.loaded, **error.theirs}
        return self._last() if self._last is not None else None

    def _mark_done(self) -> str:
        conv = self._conv()
        day = _date_value(self.done_on, "done on", self.today)
        change: dict[str, Any] = {"done_on": day, "notes": self.notes.value}
        if conv["status"] != "thanked":
            change["status"] = "done"
        self._update(conv, "_mark_done", **change)
        self.refresh()
        return f"Marked done on {day.isoformat()} and saved your notes. Now record what you learned (tab 2)."

    def _add_referral(self) -> str:
        conv = self._conv()
        option = self.ref_option.value
        with self.wb.atomic():
            new = self.wb.add_contact(
                self.ref_name.value,
                self.ref_organization.value,
                self.ref_role.value,
                "referral",
                email=self.ref_email.value,
                referred_by=conv["contact_id"],
                source="referral",
                options=[option] if option is not None else [],
            )
            planned = self.ref_plan.value and option is not None
            if planned:
                self.wb.add_conversation(new, option)
        referrer = self.wb.get("contacts", conv["contact_id"])["name"]
        for box in (self.ref_name, self.ref_organization, self.ref_role, self.ref_email):
            box.value = ""
        self._show_referrals(conv)
        self.refresh()
        return f"Added {cut(self.wb.get('contacts', new)['name'])}, referred by {cut(referrer)}" + (
            "; a conversation with them is planned." if planned else "."
        )

    def _mark_thanked(self) -> str:
        conv = self._conv()
        if not conv["done_on"]:
            raise ValidationError("thank-you", "mark the conversation done first (tab 1)")
        day = _date_value(self.thanked_on, "sent on", self.today, not_before=conv["done_on"])
        self._update(conv, "_mark_thanked", status="thanked", thanked_on=day, thank_you_note=self.thank_you_note.value)
        self.refresh()
        return f"Thank-you marked as sent on {day.isoformat()}."

    def _save_debrief(self) -> str:
        conv = self._conv()
        answered = [text for box, text in self.answered if box.value]
        with self.wb.atomic():
            self._update(
                conv, "_save_debrief", debrief=self.debrief.value, still_interested=self.still_interested.value
            )
            added, ticked = questions.update_open_questions(self.wb, conv["option_id"], self.still_need.value, answered)
        self.still_need.value = ""
        self._show_open_questions(conv)
        return (
            f"Saved your debrief. Open questions for this option: {added} added, {ticked} ticked off "
            f"({len(self.answered)} still open)."
        )


class EvidenceForm:
    """Evidence without a conversation: second-hand accounts, reviews, postings, your own experience, research."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self.status = StatusLine()
        self.insight = InsightEditor(wb, self.status, sources=OTHER_SOURCES, default_source="desk-research")
        editor = self.insight
        latest = widgets.HTML(f"<p><b>The latest {editor.latest} pieces of evidence from other sources</b></p>")
        self.view = widgets.VBox(
            [*editor.fields[:5], editor.contact, *editor.fields[5:], self.status, latest, editor.table]
        )
        self.refresh()

    def refresh(self) -> None:
        self.insight.reload()
        self.insight.show_table()
        ready = bool(self.insight.option.options) and bool(self.insight.criterion.options)
        for widget in [*self.insight.fields, self.insight.contact]:
            widget.layout.display = None if ready else "none"
        if ready:
            self.insight._show_heard_from()
        if not ready:
            self.status.show(NO_OPTIONS, "info")
