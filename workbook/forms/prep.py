"""Notebook 04: choose and order the questions for a planned conversation, then save a prep sheet.

    form = PrepForm(wb)
    form.view            # show it in a notebook cell

Driven in tests through its widgets: ``form.conversation.value``,
``form.candidates.value``, ``form.add_selected.click()``, ``form.save.click()``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ..errors import ChangedElsewhereError, ValidationError
from ..outreach import messages
from ..prepare import prep, questions
from ..report.prep_sheet import render_sheet
from ..store import fields, vocab
from ..store.workbook import Workbook
from .base import (
    ConflictPanel,
    StatusLine,
    TableView,
    guarded,
    no_maths,
    set_many_choices,
    text_field,
    vocab_choices,
)

SUGGESTED = "suggested"
OWN = "own"
NO_CONVERSATION = (
    "There is no conversation to prepare yet. First add the options you are weighing (notebook 01), "
    "the people who could tell you about them (notebook 02), and plan a conversation with one of them "
    "(notebook 03). Then run this cell again (in the app: reload the page)."
)
_LABEL_CHARS = 160


def _auto() -> widgets.Layout:
    """Buttons and tick boxes as wide as their label (never cut off)."""
    return widgets.Layout(width="auto")


def _short(text: str, width: int = _LABEL_CHARS) -> str:
    """A list label: one line, cut to ``width`` characters (the stored text is not changed)."""
    line = " ".join(str(text).split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _items(title: str, entries: list[str]) -> str:
    if not entries:
        return ""
    lis = "".join(f"<li>{html.escape(_short(e, 300))}</li>" for e in entries)
    return f"<p style='margin:.4em 0 0'><b>{html.escape(title)}</b></p><ul style='margin:0'>{lis}</ul>"


def about_html(sheet: prep.PrepSheet) -> str:
    """Who, why them and what to learn, as escaped HTML for the form."""
    who = ", ".join(p for p in [sheet.name, sheet.role, sheet.organization] if p.strip())
    return no_maths(
        f"<div><b>Who:</b> {html.escape(_short(who, 300))}<br>"
        f"<b>About:</b> {html.escape(_short(sheet.option, 300))}<br>"
        f"<b>When:</b> {html.escape(sheet.when)} · <b>time box:</b> {sheet.minutes} minutes"
        f"{_items('Why them', sheet.why)}{_items('What you need to learn', sheet.learn)}</div>"
    )


def preview_html(page: str) -> str:
    """The prep sheet shown in the notebook: an isolated frame that runs no script."""
    return (
        f'<iframe sandbox="" title="Prep sheet preview" style="width:100%;height:520px;'
        f'border:1px solid #ccc;background:#fff" srcdoc="{html.escape(page, quote=True)}"></iframe>'
    )


class PrepForm:
    """Pick a planned conversation, choose and order its questions, save the prep sheet."""

    def __init__(self, wb: Workbook, bank: pd.DataFrame | None = None):
        self.wb = wb
        self.bank = questions.load_bank() if bank is None else bank
        self.items: list[tuple[str, str]] = []
        self.suggestions: list[prep.Suggestion] = []
        self._candidates: list[tuple[str, str]] = []
        self.saved_path: Path | None = None
        self.status = StatusLine()
        self.conversation = widgets.Dropdown(
            description="Conversation", style={"description_width": "initial"}, layout=widgets.Layout(width="95%")
        )
        self.about = widgets.HTML()
        self.source = widgets.Dropdown(
            description="Show",
            options=[
                ("Suggested for this conversation", SUGGESTED),
                *[(f"Topic: {label}", key) for key, label in questions.TOPICS.items()],
                ("Your own questions", OWN),
            ],
            layout=widgets.Layout(width="95%"),
        )
        self.candidates = widgets.SelectMultiple(rows=10, description="Questions", layout=widgets.Layout(width="95%"))
        self.add_selected = widgets.Button(description="Add selected to my list", icon="plus", layout=_auto())
        self.chosen = widgets.Select(rows=10, description="My list", layout=widgets.Layout(width="95%"))
        self.up = widgets.Button(description="Up", icon="arrow-up", layout=_auto())
        self.down = widgets.Button(description="Down", icon="arrow-down", layout=_auto())
        self.remove = widgets.Button(description="Remove", icon="times", layout=_auto())
        self.own_text = text_field("Your own question", "an open question about their real work", long=True)
        self.own_tiara = widgets.Dropdown(description="TIARA", options=vocab_choices(vocab.TIARA), value="insights")
        self.own_topic = widgets.Dropdown(
            description="Topic",
            value=questions.OWN_TOPIC,
            options=[("my own", questions.OWN_TOPIC), *[(label, key) for key, label in questions.TOPICS.items()]],
        )
        self.keep_in_bank = widgets.Checkbox(
            indent=False, layout=_auto(), value=True, description="Also keep it in my question bank"
        )
        self.add_own = widgets.Button(description="Add my question", icon="plus", layout=_auto())
        self.check = widgets.HTML()
        self.path = text_field("Save the prep sheet to (folder or .html file)")
        self.save = widgets.Button(
            description="Save questions and prep sheet",
            button_style="primary",
            icon="save",
            layout=widgets.Layout(width="auto"),
        )
        self.preview = widgets.HTML()

        self.conversation.observe(lambda _: self._load(), names="value")
        self.source.observe(lambda _: self._show_candidates(), names="value")
        self.add_selected.on_click(lambda _: guarded(self.status, self._add_selected))
        self.up.on_click(lambda _: self._move(-1))
        self.down.on_click(lambda _: self._move(+1))
        self.remove.on_click(lambda _: self._remove())
        self.add_own.on_click(lambda _: guarded(self.status, self._add_own))
        #: The list of questions as the page loaded it: what a save checks against.
        self.loaded_items: list[tuple[str, str]] = []
        self.conflict = ConflictPanel(self.status, self._keep_theirs, self._save_mine)
        self.save.on_click(lambda _: guarded(self.status, self._save, self.conflict))

        self.steps = widgets.VBox(
            [
                self.about,
                widgets.HTML("<h4>1. Pick questions</h4>"),
                self.source,
                self.candidates,
                self.add_selected,
                widgets.HTML("<h4>2. Order your list</h4>"),
                self.chosen,
                widgets.HBox([self.up, self.down, self.remove]),
                self.check,
                widgets.HTML("<h4>3. Add your own</h4>"),
                self.own_text,
                widgets.HBox([self.own_tiara, self.own_topic]),
                self.keep_in_bank,
                self.add_own,
                widgets.HTML("<h4>4. Save</h4>"),
                self.path,
                self.save,
            ]
        )
        self.view = widgets.VBox([self.conversation, self.steps, self.status, self.conflict, self.preview])
        self.refresh()

    # ------------------------------------------------------------- loading
    def refresh(self) -> None:
        """Reload the conversations that can still be prepared."""
        options = prep.conversation_choices(self.wb, prep.PREPARABLE)
        self.conversation.options = options
        if not options:
            self.steps.layout.display = "none"
            self.status.show(NO_CONVERSATION, "info")
            return
        self.steps.layout.display = None
        if self.conversation.value is None:
            self.conversation.value = options[0][1]  # loads it
        else:
            self._load()

    def _load(self) -> None:
        cid = self.conversation.value
        if cid is None:
            return
        saved = prep.chosen_questions(self.wb, cid)
        self.items = [(r.text, r.tiara) for r in saved.itertuples(index=False)]
        self.loaded_items = list(self.items)
        self.suggestions = prep.suggestions_for(self.wb, cid, self.bank)
        sheet = prep.build_sheet(self.wb, cid, self.items)
        self.about.value = about_html(sheet)
        self.path.value = str(prep.default_folder(self.wb))
        self.preview.value = ""
        self.saved_path = None
        self.status.clear()
        self.conflict.hide()
        if self.source.value == SUGGESTED:
            self._show_candidates()
        else:
            self.source.value = SUGGESTED
        self._show_items()

    def _show_candidates(self) -> None:
        if self.source.value == SUGGESTED:
            self._candidates = [(s.text, s.tiara) for s in self.suggestions]
            labels = [f"{_short(s.text)} — {s.reason}" for s in self.suggestions]
        else:
            pool = questions.all_questions(self.wb, self.bank)
            wanted = pool["origin"] == "own" if self.source.value == OWN else pool["topic"] == self.source.value
            pool = pool[wanted]
            self._candidates = list(zip(pool["text"], pool["tiara"], strict=True))
            labels = [_short(t) for t in pool["text"]]
        keep = prep.preselect(self.suggestions, skip=self.items) if self.source.value == SUGGESTED else ()
        set_many_choices(self.candidates, [(label, i) for i, label in enumerate(labels)], keep)

    def _show_items(self, select: int | None = None) -> None:
        self.chosen.options = [(f"{i}. {_short(text)}", i - 1) for i, (text, _) in enumerate(self.items, start=1)]
        self.chosen.value = select if select is not None and 0 <= select < len(self.items) else None
        self.check.value = self._check_html()

    def _check_html(self) -> str:
        if not self.items:
            return "<p><em>Your list is empty: pick questions above, or add your own.</em></p>"
        found = prep.job_seeking_check([t for t, _ in self.items])
        if not found:
            return "<p style='color:#1b5e20'>No job-seeking language in your questions.</p>"
        lines = "".join(
            f"<li>Question {n}: {html.escape(', '.join(f'“{f}”' for f in flags))}</li>" for n, flags in found
        )
        return no_maths(
            "<div style='color:#8a4b00;background:#fff4e5;padding:4px 8px'>"
            f"<b>These questions sound like job-seeking; consider rewording them.</b><ul>{lines}</ul>"
            f"{html.escape(messages.JOB_SEEKING_EXPLANATION)}</div>"
        )

    # ------------------------------------------------------------- actions
    def _add_selected(self) -> str:
        picked = [self._candidates[i] for i in self.candidates.value]
        if not picked:
            raise ValidationError(
                "questions", "none selected; click questions in the list first (Ctrl/Cmd-click for several)"
            )
        new = [item for item in picked if item not in self.items]
        self.items.extend(new)
        self._show_items()
        self.candidates.value = ()
        skipped = len(picked) - len(new)
        return f"Added {len(new)} question(s) to your list" + (f"; {skipped} already there." if skipped else ".")

    def _add_own(self) -> str | None:
        text = self.own_text.value
        try:
            fields.clean("prep_questions", {"conversation_id": 0, "text": text, "tiara": self.own_tiara.value})
        except ValidationError as exc:
            raise ValidationError("your own question", exc.reason) from None
        if (text, self.own_tiara.value) in self.items:
            raise ValidationError("your own question", "is already in your list")
        if self.keep_in_bank.value:
            questions.add_question(self.wb, text, self.own_tiara.value, self.own_topic.value)
        self.items.append((text, self.own_tiara.value))
        self.own_text.value = ""
        self._show_items(select=len(self.items) - 1)
        if self.source.value == OWN:
            self._show_candidates()
        kept = " and kept it in your question bank" if self.keep_in_bank.value else ""
        flags = messages.job_seeking_flags(text)
        if flags:
            phrases = ", ".join(f"“{f}”" for f in flags)
            self.status.show(
                f"Added your question to the list{kept}, but it sounds like job-seeking ({phrases}); "
                "consider rewording it."
            )
            return None
        return f"Added your question to the list{kept}."

    def _move(self, step: int) -> None:
        i = self.chosen.value
        if i is None:
            self.status.error("Not moved — click a question in your list first.")
            return
        j = i + step
        if 0 <= j < len(self.items):
            self.items[i], self.items[j] = self.items[j], self.items[i]
            self._show_items(select=j)
        else:
            self._show_items(select=i)
        self.status.clear()

    def _remove(self) -> None:
        i = self.chosen.value
        if i is None:
            self.status.error("Not removed — click a question in your list first.")
            return
        self.items.pop(i)
        self._show_items(select=min(i, len(self.items) - 1))
        self.status.ok("Removed it from your list.")

    def _save(self) -> str | None:
        cid = self.conversation.value
        if cid is None:
            raise ValidationError("conversation", "choose a conversation first")
        if not self.items:
            raise ValidationError("questions", "your list is empty; add at least one question first")
        prep.check_chosen(self.wb, cid, self.loaded_items, self.items)  # before the sheet is written
        sheet = prep.build_sheet(self.wb, cid, self.items)
        page = render_sheet(sheet)
        target = prep.write_sheet(page, self.path.value, prep.sheet_filename(sheet))
        prep.save_chosen(self.wb, cid, self.items, loaded=self.loaded_items)
        self.loaded_items = list(self.items)
        self.saved_path = target
        self.about.value = about_html(sheet)
        self.preview.value = preview_html(page)
        message = f"Saved {len(self.items)} question(s) and the prep sheet to {target}"
        found = prep.job_seeking_check([t for t, _ in self.items])
        if found:
            numbers = ", ".join(str(n) for n, _ in found)
            self.status.show(f"{message}. Note: question(s) {numbers} sound like job-seeking; consider rewording.")
            return None
        return message + "."

    def _keep_theirs(self, error: ChangedElsewhereError) -> str:
        self._load()
        return "Kept theirs: the list shows the questions as saved now; your changes were not saved."

    def _save_mine(self, error: ChangedElsewhereError) -> str | None:
        cid = self.conversation.value
        if cid is None:
            return None
        saved = prep.chosen_questions(self.wb, cid)
        self.loaded_items = [(r.text, r.tiara) for r in saved.itertuples(index=False)]
        return self._save()


def question_bank_view(wb: Workbook, bank: pd.DataFrame | None = None) -> TableView:
    """Every question, your own first, with its TIARA category and topic (escaped, all rows)."""
    every = questions.all_questions(wb, bank)
    frame = pd.DataFrame(
        {
            "question": [_short(t, 300) for t in every["text"]],
            "TIARA": [vocab.TIARA.get(k, k) for k in every["tiara"]],
            "topic": [questions.TOPICS.get(k, "my own" if k == questions.OWN_TOPIC else k) for k in every["topic"]],
            "from": ["you" if o == "own" else "the bank" for o in every["origin"]],
        }
    )
    view = TableView(empty="The question bank is empty.")
    view.show(frame)
    return view


def prep_form(wb: Workbook, **kwargs: Any) -> PrepForm:
    """Build the prep form (nothing is displayed)."""
    return PrepForm(wb, **kwargs)
