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
import pandas as pd

from ..errors import ChangedElsewhereError, ValidationError, WorkbookError
from ..formatting import signed
from ..outreach import messages
from ..prepare import prep, questions
from ..store import conversations as rules
from ..store import vocab
from ..store.workbook import Workbook
from .base import (
    ConflictPanel,
    StatusLine,
    TableView,
    choices,
    guarded,
    no_maths,
    text_field,
    vocab_choices,
    widget_text,
)
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
_STANCE_LABELS = {-2: "−2 strongly against", -1: "−1 against", 0: "0 neutral", 1: "+1 for", 2: "+2 strongly for"}
#: A stance inside a sentence: "evidence for UX research on Pay (+1)".
STANCE_WORDS = {-2: "strongly against", -1: "against", 0: "neutral about", 1: "for", 2: "strongly for"}
_TABLE_CHARS = 200


def _auto() -> widgets.Layout:
    """Buttons and tick boxes as wide as their label (never cut off)."""
    return widgets.Layout(width="auto")


def thank_you_line(conv: dict[str, Any], today: dt.date, hours: int = rules.THANK_YOU_HOURS) -> str:
    """Where the thank-you for a conversation stands, in one sentence (rule: :mod:`workbook.store.conversations`)."""
    return rules.thank_you_status(conv, today, hours)


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _TABLE_CHARS:
        return value[: _TABLE_CHARS - 1] + "…"
    return value


def _date_value(widget: widgets.DatePicker, field: str, today: dt.date, not_before: str | None = None) -> dt.date:
    day = widget.value
    if day is None:
        raise ValidationError(field, "is empty; pick a date")
    if day > today:
        raise ValidationError(field, f"{day.isoformat()} is in the future; pick today or an earlier day")
    if not_before and day < dt.date.fromisoformat(not_before):
        raise ValidationError(field, f"{day.isoformat()} is before the conversation ({not_before})")
    return day


def insights_frame(wb: Workbook, table: pd.DataFrame) -> pd.DataFrame:
    """Insights with option and criterion names, for showing (long notes cut)."""
    if table.empty:
        return table
    titles = wb.options(include_archived=True).set_index("id")["title"]
    names = wb.criteria(include_archived=True).set_index("id")["name"]
    return pd.DataFrame(
        {
            "option": [_cut(titles.get(i, "?")) for i in table["option_id"]],
            "criterion": [_cut(names.get(i, "?")) for i in table["criterion_id"]],
            "stance": [_STANCE_LABELS[int(s)] for s in table["stance"]],
            "confidence": table["confidence"].to_numpy(),
            "source": [str(v).replace("-", " ") for v in table["source"]],
            "against hopes": ["yes" if a else "no" for a in table["against_hopes"]],
            "note": [_cut(n) for n in table["note"]],
        }
    )


class InsightEditor:
    """Option × criterion × stance × confidence × source, with a short quote; saves one insight at a time."""

    def __init__(
        self,
        wb: Workbook,
        status: StatusLine,
        *,
        sources: dict[str, str] = vocab.SOURCES,
        default_source: str = "interview",
    ):
        self.wb = wb
        self.status = status
        self.conversation_id: int | None = None
        self.latest = 10  # without a conversation, show only the latest insights from other sources
        self.option = widgets.Dropdown(description="Option", layout=widgets.Layout(width="95%"))
        self.criterion = widgets.Dropdown(description="Criterion", layout=widgets.Layout(width="95%"))
        self.stance = widgets.ToggleButtons(
            description="Stance",
            options=[(label, v) for v, label in _STANCE_LABELS.items()],
            value=None,
            style={"button_width": "auto"},
        )
        self.confidence = widgets.ToggleButtons(
            description="Confidence",
            options=vocab_choices(vocab.CONFIDENCE),
            value="medium",
            style={"button_width": "auto"},
        )
        self.source = widgets.Dropdown(
            description="Source",
            options=vocab_choices(sources),
            value=default_source,
            layout=widgets.Layout(width="95%"),
        )
        self.contact = widgets.Dropdown(description="Who said it", layout=widgets.Layout(width="95%"))
        # A second-hand claim counts with the person it came from: then three people repeating one
        # person's view are one source, not three.
        self.heard_from = widgets.Dropdown(
            description="Whose view", layout=widgets.Layout(width="95%"), style={"description_width": "initial"}
        )
        self.source.observe(lambda _: self._show_heard_from(), names="value")
        self.quote = text_field("Short quote or note", "what you heard or read, in a sentence or two", long=True)
        self.against_hopes = widgets.Checkbox(
            indent=False, layout=_auto(), description="This goes against what I hoped for this option"
        )
        self.save = widgets.Button(description="Save insight", button_style="primary", icon="save", layout=_auto())
        self.table = TableView(empty="No insights recorded here yet.")
        self.save.on_click(lambda _: guarded(self.status, self._save))
        self.fields = [
            self.option,
            self.criterion,
            self.stance,
            self.confidence,
            self.source,
            self.heard_from,
            self.quote,
            self.against_hopes,
            self.save,
        ]
        self.view = widgets.VBox([*self.fields, self.table])
        self.reload()

    def reload(self) -> None:
        """Refresh the option, criterion and contact lists, keeping what is selected."""
        for widget, frame, label in (
            (self.option, self.wb.options(), "title"),
            (self.criterion, self.wb.criteria(), "name"),
        ):
            keep = widget.value
            widget.options = choices(frame, label)
            values = [v for _, v in widget.options]
            widget.value = keep if keep in values else (values[0] if values else None)
        contacts = self.wb.contacts()
        for widget, none in (
            (self.contact, "(not a particular person)"),
            (self.heard_from, "(someone not in my contacts)"),
        ):
            keep = widget.value
            widget.options = choices(contacts, "name", none=none)
            if keep is not None and keep in [v for _, v in widget.options]:
                widget.value = keep
            else:
                widget.index = 0  # nobody in particular
        self._show_heard_from()

    def _show_heard_from(self) -> None:
        """The "whose view" choice only for second-hand notes."""
        self.heard_from.layout.display = None if self.source.value == "second-hand" else "none"

    def _save(self) -> str:
        if self.option.value is None:
            raise ValidationError("option", "there are no options yet; add one first (notebook 01)")
        if self.criterion.value is None:
            raise ValidationError("criterion", "there are no criteria yet; add one first (notebook 01)")
        if self.stance.value is None:
            raise ValidationError("stance", "choose how strongly this speaks for or against the option")
        extra = {}
        if self.conversation_id is None and self.contact.value is not None:
            extra["contact_id"] = self.contact.value
        if self.source.value == "second-hand" and self.heard_from.value is not None:
            extra["heard_from"] = self.heard_from.value
        self.wb.add_insight(
            self.option.value,
            self.criterion.value,
            self.stance.value,
            confidence=self.confidence.value,
            source=self.source.value,
            note=self.quote.value,
            conversation_id=self.conversation_id,
            against_hopes=self.against_hopes.value,
            **extra,
        )
        stance = STANCE_WORDS[self.stance.value]
        self.stance_saved = self.stance.value
        criterion = _cut(self.wb.get("criteria", self.criterion.value)["name"])
        option = _cut(self.wb.get("options", self.option.value)["title"])
        self.quote.value = ""
        self.against_hopes.value = False
        self.stance.value = None
        self.show_table()
        number = signed(self.stance_saved, 0) if self.stance_saved else "0"
        return f"Saved: evidence {stance} {option} on {criterion} ({number}). Add another, or move on."

    def show_table(self) -> None:
        """The insights of this conversation; without one, the latest from other sources."""
        latest = None if self.conversation_id is not None else self.latest
        ins = self.wb.insights()
        if not ins.empty:
            if self.conversation_id is not None:
                ins = ins[ins["conversation_id"] == self.conversation_id]
            else:
                ins = ins[ins["conversation_id"].isna()]
        self.table.show(insights_frame(self.wb, ins if latest is None else ins.tail(latest)))


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
        # 1. done and notes
        self.done_on = widgets.DatePicker(description="Done on", value=self.today)
        self.notes = text_field("Notes", "anything you want to keep from the conversation", long=True, rows=5)
        self.mark_done = widgets.Button(
            description="Mark done and save notes", button_style="primary", layout=widgets.Layout(width="auto")
        )
        # 2. insights
        self.insight = InsightEditor(wb, self.status)
        # 3. referrals
        self.ref_name = text_field("Name")
        self.ref_organization = text_field("Organisation")
        self.ref_role = text_field("Role")
        self.ref_email = text_field("Email")
        self.ref_option = widgets.Dropdown(description="Insider for", layout=widgets.Layout(width="95%"))
        self.ref_plan = widgets.Checkbox(
            indent=False, layout=_auto(), value=True, description="Plan a conversation with them about that option"
        )
        self.add_referral = widgets.Button(description="Add referral", icon="user-plus", layout=_auto())
        self.referrals = TableView(empty="No referrals from this person yet.")
        # 4. thank-you
        self.thanks_due = widgets.HTML()
        self.thank_you_note = text_field("Thank-you note (a draft; send it yourself)", long=True, rows=8)
        self.thank_you_send = SendBox()
        self._to, self._who = "", ""
        self.thanked_on = widgets.DatePicker(description="Sent on", value=self.today)
        self.mark_thanked = widgets.Button(description="Mark thank-you sent", icon="check", layout=_auto())
        # 5. debrief
        self.debrief = text_field("What did I learn?", long=True, rows=5)
        self.still_interested = widgets.Combobox(
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
            description="Save debrief", button_style="primary", icon="save", layout=_auto()
        )

        self.conversation.observe(lambda _: self._load(), names="value")
        self.thank_you_note.observe(lambda _: self._offer_thanks(), names="value")
        self.mark_done.on_click(lambda _: self._run(self._mark_done))
        self.add_referral.on_click(lambda _: self._run(self._add_referral))
        self.mark_thanked.on_click(lambda _: self._run(self._mark_thanked))
        self.save_debrief.on_click(lambda _: self._run(self._save_debrief))
        note = widgets.HTML(
            "<p>Who else should you talk to? Add each person they suggested; "
            "they are linked to whoever referred them.</p>"
        )
        ticks = widgets.HTML("<p>Tick the open questions this conversation answered:</p>")
        self.tabs = widgets.Tab(
            children=[
                widgets.VBox([self.done_on, self.notes, self.mark_done]),
                self.insight.view,
                widgets.VBox(
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
                ),
                widgets.VBox(
                    [self.thanks_due, self.thank_you_note, self.thank_you_send, self.thanked_on, self.mark_thanked]
                ),
                widgets.VBox(
                    [self.debrief, self.still_interested, self.still_need, ticks, self.answered_box, self.save_debrief]
                ),
            ],
            titles=["1 Done", "2 Insights", "3 Who else", "4 Thank-you", "5 Debrief"],
        )
        self.view = widgets.VBox([self.conversation, self.header, self.tabs, self.status, self.conflict])
        self.refresh()

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
        self.referrals.show(mine[["name", "organization", "role", "email"]].map(_cut) if not mine.empty else mine)

    def _show_open_questions(self, conv: dict[str, Any]) -> None:
        open_qs = questions.split_open_questions(self.wb.get("options", conv["option_id"])["questions"])
        self.answered = [
            (widgets.Checkbox(indent=False, description=widget_text(_cut(q)), layout=widgets.Layout(width="95%")), q)
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
        return f"Added {_cut(self.wb.get('contacts', new)['name'])}, referred by {_cut(referrer)}" + (
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
