"""Forms for asking and following up: draft a message, record what happened, see what is due.

- :class:`DraftForm` fills a message template for a conversation (or a contact and
  an option), shows it in an editable text area with its word count and any
  job-seeking language, offers it to the user's own mail app (a ``mailto:`` link)
  and a copy button, and can add the contact × option as a new conversation.
- :class:`RecordForm` records a step (request sent, follow-up sent, a reply, a
  thank-you) on a chosen day; :func:`record_step` is the same without widgets.
  A step is refused when the conversation's status changed elsewhere since the
  form showed it (another page, a restored backup): both versions are shown.
  A conversation that will not happen can be archived, and brought back.
- :class:`DueView` lists what the 3B7 routine says is due on a day.
- :class:`OutreachForms` builds the three and keeps them in step.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ..errors import ChangedElsewhereError, ValidationError
from ..formatting import tell_apart
from ..outreach import cadence, messages
from ..store import conversations as rules
from ..store import vocab
from ..store.fields import limits
from ..store.workbook import Workbook
from .base import (
    ConflictPanel,
    StatusLine,
    TableView,
    choices,
    guarded,
    no_maths,
    select,
    set_choices,
    text_field,
)
from .mail import SendBox

#: Steps that can be recorded, with the label shown, and the statuses they may follow.
STEPS: dict[str, str] = {
    "sent": "Request sent",
    "followed_up": "Follow-up sent",
    "scheduled": "Reply: a time is agreed",
    "declined": "Reply: they declined",
    "no_reply": "No reply: stop asking",
    "thanked": "Thank-you sent",
}
_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.h]([0-5]\d)\s*$")


def _label(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _names(wb: Workbook) -> tuple[dict[int, str], dict[int, str]]:
    """Contact names and option titles by id (archived ones too, for old conversations)."""
    people, options = wb.contacts(include_archived=True), wb.options(include_archived=True)
    return (
        dict(zip(people["id"], people["name"], strict=True)),
        dict(zip(options["id"], options["title"], strict=True)),
    )


def conversation_choices(wb: Workbook, archived: bool = False) -> list[tuple[str, int]]:
    """Dropdown entries ``(label, id)``: "contact — option (status)" for every conversation.

    ``archived``: the archived conversations instead.
    """
    conv = wb.conversations(include_archived=archived)
    if archived and not conv.empty:
        conv = conv[conv["archived"].astype(bool)]
    if conv.empty:
        return []
    names, titles = _names(wb)
    labels = [
        f"{names.get(r.contact_id, '?')} — {titles.get(r.option_id, '?')} "
        f"({vocab.CONVERSATION_STATUSES.get(r.status, r.status)})"
        for r in conv.itertuples(index=False)
    ]
    ids = [int(i) for i in conv["id"]]
    return list(zip(tell_apart(labels, ids), ids, strict=True))


def record_step(
    wb: Workbook,
    conversation_id: int | None,
    step: str,
    on: dt.date | None,
    time: str = "",
    minutes: Any = messages.DEFAULT_MINUTES,
    today: dt.date | None = None,
    loaded: dict[str, Any] | None = None,
) -> str:
    """Record ``step`` (a key of :data:`STEPS`) for a conversation on day ``on``; returns what was done.

    Raises :class:`ValidationError` naming the field (conversation, step, date,
    time, minutes) and writes nothing when the input is not right. ``loaded``
    (e.g. ``{"status": "requested"}``) is what the page showed: when the
    conversation changed since, :class:`ChangedElsewhereError` is raised and
    nothing is written. The check and the write are one transaction.
    """
    with wb.atomic():
        return _record_step(wb, conversation_id, step, on, time, minutes, today, loaded)


def _record_step(
    wb: Workbook,
    conversation_id: int | None,
    step: str,
    on: dt.date | None,
    time: str,
    minutes: Any,
    today: dt.date | None,
    loaded: dict[str, Any] | None,
) -> str:
    today = today or dt.date.today()
    if conversation_id is None:
        raise ValidationError("conversation", "choose a conversation first (or add one in the draft form)")
    if step not in STEPS:
        raise ValidationError("step", f"{step!r} is not a step; choose one of {', '.join(STEPS)}")
    if on is None or not isinstance(on, dt.date):
        raise ValidationError("date", "is empty or not a date; pick the day it happened")
    if isinstance(on, dt.datetime):
        on = on.date()
    conv = wb.get("conversations", conversation_id)
    if loaded:
        status = "requested" if step == "sent" else step
        wb.expect_unchanged("conversations", conversation_id, loaded, yours={"status": status})
    rules.check_step(conv["status"], step, on, today, label=STEPS[step])
    who = wb.get("contacts", conv["contact_id"])["name"]
    if step == "sent":
        steps = cadence.Cadence.from_settings(wb)
        wb.update_conversation(conversation_id, status="requested", requested_on=on)
        second = cadence.business_days_after(on, steps.second_contact_days)
        follow = cadence.business_days_after(on, steps.follow_up_days)
        return (
            f"Recorded: request to {who} sent on {_label(on)}. No reply by {_label(second)}: ask a second "
            f"person; by {_label(follow)}: follow up. The due list below will remind you."
        )
    if step == "followed_up":
        wb.update_conversation(conversation_id, status="followed_up", followed_up_on=on)
        return f"Recorded: follow-up to {who} sent on {_label(on)}."
    if step == "scheduled":
        match = _TIME.match(str(time or ""))
        if not match:
            raise ValidationError("time", f"{time!r} is not a time of day; type it as HH:MM, for example 15:30")
        low, high = (int(x) for x in limits("conversations", "duration_min"))
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
            raise ValidationError("minutes", f"{minutes!r} is not allowed; use a whole number from {low} to {high}")
        when = dt.datetime.combine(on, dt.time(int(match.group(1)), int(match.group(2))))
        wb.update_conversation(conversation_id, status="scheduled", scheduled_at=when, duration_min=minutes)
        return (
            f"Scheduled: {who} on {_label(on)} at {when:%H:%M} for {minutes} minutes. "
            "Send a short confirmation, and export the calendar to add it to yours."
        )
    if step == "thanked":
        wb.update_conversation(conversation_id, status="thanked", thanked_on=on)
        return f"Recorded: thank-you to {who} sent on {_label(on)}."
    wb.update_conversation(conversation_id, status=step)
    return (
        f"Recorded: {who} — {vocab.CONVERSATION_STATUSES[step]}. That is normal; "
        "ask a second person who knows this path."
    )


def feedback_html(text: str) -> str:
    """Word count and job-seeking phrases of a draft, as escaped HTML."""
    parts = [f"<div>{html.escape(messages.length_note(text))}</div>"]
    flags = messages.job_seeking_flags(text)
    if flags:
        found = ", ".join(f"“{html.escape(f)}”" for f in flags)
        parts.append(
            '<div style="color:#b71c1c">Job-seeking language: '
            f"{found}. {html.escape(messages.JOB_SEEKING_EXPLANATION)}</div>"
        )
    return no_maths("".join(parts))


def _status_text(field: object, value: object) -> str:
    """A conversation's status in words (for the two versions shown after a conflict)."""
    if field == "status" and isinstance(value, str):
        return vocab.CONVERSATION_STATUSES.get(value, value)
    return "" if value is None else str(value)


class DraftForm:
    """Pick a conversation (or a contact and option) and a template; edit the filled draft."""

    def __init__(self, wb: Workbook, on_change: Callable[[], None] | None = None):
        self.wb = wb
        self.on_change = on_change
        wide = {"style": {"description_width": "initial"}, "layout": widgets.Layout(width="95%")}
        #: Your name as the form loaded it (None: not saved yet): what *Save my name* is checked against.
        self.loaded_name = wb.setting("my_name")
        self.my_name = text_field("Your name", "as you sign your messages", value=self.loaded_name or "")
        self.save_name = widgets.Button(description="Save my name", layout=widgets.Layout(width="auto"))
        self.conversation = widgets.Dropdown(description="Conversation", **wide)
        self.contact = widgets.Dropdown(description="Contact", **wide)
        self.option = widgets.Dropdown(description="Option", **wide)
        self.create = widgets.Button(description="Add as a conversation to ask", layout=widgets.Layout(width="auto"))
        self.template = widgets.Dropdown(
            description="Message",
            options=[(messages.TEMPLATE_LABELS.get(n, n), n) for n in messages.template_names()],
            **wide,
        )
        self.draft = widgets.Textarea(layout=widgets.Layout(width="95%", height="18em"))
        self.feedback = widgets.HTML()
        self.send = SendBox()
        self.status = StatusLine()
        self._to, self._who = "", ""
        self.conflict = ConflictPanel(self.status, self._keep_theirs, self._save_mine, labels={"my_name": "your name"})
        self.words = 0
        self.flags: list[str] = []
        self._busy = False
        self.view = widgets.VBox(
            [
                widgets.HBox([self.my_name, self.save_name]),
                self.conversation,
                widgets.HTML("<em>…or, for someone new to ask, choose a contact and an option:</em>"),
                self.contact,
                self.option,
                self.create,
                self.template,
                self.draft,
                self.feedback,
                self.send,
                self.status,
                self.conflict,
            ]
        )
        self.save_name.on_click(lambda _: guarded(self.status, self._save_name, self.conflict))
        self.create.on_click(lambda _: guarded(self.status, self._create, self.conflict))
        for w in (self.conversation, self.contact, self.option, self.template):
            w.observe(self._changed, names="value")
        self.draft.observe(lambda _: self._check(), names="value")
        self.refresh()

    def refresh(self, select: int | None = None) -> None:
        """Reload the choices (keeping the selection), pick the template that fits its status, redraft."""
        self._busy = True
        try:
            keep = select if select is not None else self.conversation.value
            none = ("(none: a new contact and option)", None)
            set_choices(self.conversation, [none, *conversation_choices(self.wb)], keep)
            for widget, frame, label in (
                (self.contact, self.wb.contacts(), "name"),
                (self.option, self.wb.options(), "title"),
            ):
                current = widget.value
                set_choices(widget, choices(frame, label, none="(choose)"), current)
        finally:
            self._busy = False
        self._follow_conversation(pick_template=True)
        self.redraft()

    def _changed(self, change: dict) -> None:
        if self._busy:
            return
        if change["owner"] is self.conversation:
            self._follow_conversation(pick_template=True)
        self.redraft()

    def _follow_conversation(self, pick_template: bool) -> None:
        cid = self.conversation.value
        self._busy = True
        try:
            self.contact.disabled = self.option.disabled = self.create.disabled = cid is not None
            if cid is not None:
                row = self.wb.get("conversations", cid)
                for widget, value in ((self.contact, row["contact_id"]), (self.option, row["option_id"])):
                    select(widget, value)
                suggested = messages.TEMPLATE_FOR_STATUS.get(row["status"])
                if pick_template and suggested in {v for _, v in self.template.options}:
                    self.template.value = suggested
        finally:
            self._busy = False

    def redraft(self) -> None:
        """Fill the chosen template again (replacing edits in the text area)."""
        if (self.conversation.value is None and self.contact.value is None) or self.template.value is None:
            self.draft.value = ""
            self.feedback.value = "<em>Choose a conversation, or a contact and an option, to see a draft.</em>"
            self.send.clear()
            return
        person = self.wb.get("contacts", self.contact.value) if self.contact.value is not None else {}
        self._to, self._who = str(person.get("email") or ""), str(person.get("name") or "")
        self.draft.value = messages.draft(
            self.wb,
            self.template.value,
            conversation_id=self.conversation.value,
            contact_id=self.contact.value,
            option_id=self.option.value,
        )
        self._check()

    def _check(self) -> None:
        self.words = messages.word_count(self.draft.value)
        self.flags = messages.job_seeking_flags(self.draft.value)
        if self.draft.value:
            self.feedback.value = feedback_html(self.draft.value)
        self.send.show(self.draft.value, self._to, self._who)

    def _save_name(self) -> str:
        name = self.my_name.value.strip()
        if not name:
            raise ValidationError("Your name", "is empty; type the name you sign your messages with")
        with self.wb.atomic():
            self.wb.expect_settings({"my_name": self.loaded_name}, yours={"my_name": name})
            self.wb.set_setting("my_name", name)
        self.loaded_name = name
        self.redraft()
        return f"Saved your name: {name}."

    def _keep_theirs(self, error: ChangedElsewhereError) -> str:
        self.loaded_name = self.wb.setting("my_name")
        self.my_name.value = self.loaded_name or ""
        self.redraft()
        return "Kept theirs: the form shows your name as saved now."

    def _save_mine(self, error: ChangedElsewhereError) -> str:
        self.loaded_name = error.theirs.get("my_name")
        return self._save_name()

    def _create(self) -> str:
        if self.contact.value is None:
            raise ValidationError("contact", "choose who you want to ask")
        if self.option.value is None:
            raise ValidationError("option", "choose the option you want to learn about")
        with self.wb.atomic():  # two pages adding the same conversation at once add it once
            conv = self.wb.conversations()
            same = conv[(conv["contact_id"] == self.contact.value) & (conv["option_id"] == self.option.value)]
            new_id = None if not same.empty else self.wb.add_conversation(self.contact.value, self.option.value)
        if new_id is None:
            self.refresh(select=int(same.iloc[0]["id"]))
            return "You already have this conversation; it is selected above."
        self.refresh(select=new_id)
        if self.on_change:
            self.on_change()
        return "Added as a conversation to ask. Edit the draft, send it yourself, then record it as sent below."


class RecordForm:
    """Record a step of a conversation on a day: request sent, follow-up sent, a reply, a thank-you."""

    #: At most this many conversations are shown in the table (the most recently changed).
    SHOWN = 50

    def __init__(self, wb: Workbook, on_change: Callable[[], None] | None = None):
        self.wb = wb
        self.on_change = on_change
        wide = {"style": {"description_width": "initial"}, "layout": widgets.Layout(width="95%")}
        self.conversation = widgets.Dropdown(description="Conversation", **wide)
        self.step = widgets.Dropdown(description="What happened", options=[(v, k) for k, v in STEPS.items()], **wide)
        self.on = widgets.DatePicker(description="Date", value=dt.date.today(), style={"description_width": "initial"})
        self.time = text_field("Time (HH:MM)", "15:30")
        self.minutes = widgets.IntText(
            description="Minutes", value=messages.DEFAULT_MINUTES, style={"description_width": "initial"}
        )
        self.save = widgets.Button(description="Record", button_style="primary", layout=widgets.Layout(width="auto"))
        self.archive_button = widgets.Button(
            description="Archive conversation", icon="archive", layout=widgets.Layout(width="auto")
        )
        self.archived_pick = widgets.Dropdown(
            description="Archived", style={"description_width": "initial"}, layout=widgets.Layout(width="60%")
        )
        self.unarchive_button = widgets.Button(
            description="Unarchive conversation", icon="undo", layout=widgets.Layout(width="auto")
        )
        self.status = StatusLine()
        self.conflict = ConflictPanel(self.status, self._keep_theirs, self._save_mine, text=_status_text)
        #: Each conversation's status as the form shows it (id -> status): what a step is checked against.
        self.loaded: dict[int, str] = {}
        self.table = TableView(empty="No conversations yet: add one in the draft form above.")
        self.more = widgets.Label()
        self.when = widgets.VBox([self.time, self.minutes])
        self.view = widgets.VBox(
            [
                self.conversation,
                self.step,
                self.on,
                self.when,
                widgets.HBox([self.save, self.archive_button]),
                self.status,
                self.conflict,
                self.more,
                self.table,
                widgets.HBox([self.archived_pick, self.unarchive_button]),
            ]
        )
        self.archive_button.on_click(lambda _: guarded(self.status, self._archive, self.conflict))
        self.unarchive_button.on_click(lambda _: guarded(self.status, self._unarchive, self.conflict))
        self.step.observe(lambda _: self._show_time(), names="value")
        self.save.on_click(lambda _: self._save())
        self._show_time()
        self.refresh()

    def _show_time(self) -> None:
        self.when.layout.display = "" if self.step.value == "scheduled" else "none"

    def refresh(self) -> None:
        keep = self.conversation.value
        set_choices(self.conversation, [("(choose)", None), *conversation_choices(self.wb)], keep)
        archived = conversation_choices(self.wb, archived=True)
        set_choices(self.archived_pick, archived or [("(none archived)", None)], self.archived_pick.value)
        self.unarchive_button.disabled = not archived
        conv = self.wb.conversations()
        self.loaded = dict(zip(conv["id"].astype(int).tolist(), conv["status"].tolist(), strict=True))
        self.more.value = ""
        if conv.empty:
            self.table.show(conv)
            return
        if len(conv) > self.SHOWN:
            self.more.value = f"The {self.SHOWN} most recently changed of your {len(conv)} conversations:"
            conv = conv.sort_values("updated_at", ascending=False, kind="stable").head(self.SHOWN)
        names, titles = _names(self.wb)
        shown = pd.DataFrame(
            {
                "contact": conv["contact_id"].map(names),
                "option": conv["option_id"].map(titles),
                "status": conv["status"].map(vocab.CONVERSATION_STATUSES),
                "requested": conv["requested_on"].dt.strftime("%Y-%m-%d"),
                "followed up": conv["followed_up_on"].dt.strftime("%Y-%m-%d"),
                "scheduled": conv["scheduled_at"].dt.strftime("%Y-%m-%d %H:%M"),
            }
        )
        self.table.show(shown)

    def _record(self) -> str:
        cid = self.conversation.value
        loaded = {"status": self.loaded[cid]} if cid in self.loaded else None
        message = record_step(
            self.wb, cid, self.step.value, self.on.value, self.time.value, self.minutes.value, loaded=loaded
        )
        self._changed()
        return message

    def _save(self) -> bool:
        return guarded(self.status, self._record, self.conflict)

    def _changed(self) -> None:
        self.refresh()
        if self.on_change:
            self.on_change()

    def _archive(self) -> str:
        cid = self.conversation.value
        if cid is None:
            raise ValidationError("conversation", "choose the conversation to archive first")
        label = dict((v, k) for k, v in self.conversation.options)[cid]
        self.wb.archive("conversations", cid)
        self._changed()
        return f"Archived {label}. It is hidden everywhere; unarchive it below if you change your mind."

    def _unarchive(self) -> str:
        cid = self.archived_pick.value
        if cid is None:
            raise ValidationError("archived", "there is no archived conversation to unarchive")
        label = dict((v, k) for k, v in self.archived_pick.options)[cid]
        self.wb.unarchive("conversations", cid)
        self._changed()
        return f"Unarchived {label}: it is back in the lists, the due list and the charts."

    def _keep_theirs(self, error: ChangedElsewhereError) -> str:
        self.refresh()
        return "Kept theirs: the list shows each conversation's status as saved now; nothing was recorded."

    def _save_mine(self, error: ChangedElsewhereError) -> str:
        if error.id is not None:
            self.loaded[error.id] = error.theirs["status"]
        return self._record()


class DueView:
    """What is due on a day (today by default): follow-ups, second contacts, thank-yous."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self.on = widgets.DatePicker(description="Due on", value=dt.date.today())
        self.update = widgets.Button(description="Refresh", layout=widgets.Layout(width="auto"))
        self.status = StatusLine()
        self.table = TableView(empty="Nothing due on this day: no follow-ups or thank-yous waiting.")
        self.view = widgets.VBox([widgets.HBox([self.on, self.update]), self.status, self.table])
        self.on.observe(lambda _: self.refresh(), names="value")
        self.update.on_click(lambda _: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        if self.on.value is None:
            self.status.error("Due on: pick a day to see what is due then.")
            return
        self.status.clear()
        due = cadence.due_list(self.wb, self.on.value)
        if not due.empty:
            due = pd.DataFrame(
                {
                    "due": due["due_on"].map(lambda d: d.isoformat())
                    + due["overdue"].map({True: " (late)", False: ""}),
                    "to do": due["kind"].map(cadence.KINDS),
                    "contact": due["contact"],
                    "option": due["option"],
                    "what": due["what"],
                }
            )
        self.table.show(due)


class OutreachForms:
    """The draft form, the record form and the due list of one workbook, kept in step."""

    def __init__(self, wb: Workbook):
        self.due = DueView(wb)
        self.record = RecordForm(wb, on_change=self._changed)
        self.draft = DraftForm(wb, on_change=self._changed)

    def _changed(self) -> None:
        self.record.refresh()
        self.draft.refresh()
        self.due.refresh()
