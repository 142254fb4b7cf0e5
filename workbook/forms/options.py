"""The options form for notebook 01: the career options you are weighing.

:class:`OptionsForm` adds, edits, archives and unarchives options and nudges
towards three to five active ones. The criteria forms are in
:mod:`workbook.forms.criteria`. Nothing here calls ``display()``.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..people.coverage import active_options
from ..store import vocab
from ..store.workbook import Workbook
from .base import StatusLine, text_field, vocab_choices
from .editor import NEW, RecordEditor

__all__ = ["FEWEST", "MOST", "NEW", "OptionsForm", "option_count_advice"]

FEWEST, MOST = 3, 5


def option_count_advice(active: int) -> tuple[str, str]:
    """``(kind, text)`` about the number of active options: "ok" for three to five, else "info"."""
    if active == 0:
        return "info", "No options yet. Add the paths you are weighing: three to five genuinely different ones."
    if active < FEWEST:
        return "info", (
            f"{active} active option{'s' if active > 1 else ''}. Three to five genuinely different options "
            "make a fairer comparison: add another path, even one you doubt, to test your favourite against."
        )
    if active > MOST:
        return "info", (
            f"{active} active options. More than five spreads your conversations thin: "
            "park or drop the ones you care least about (set their status), so each keeps about three interviews."
        )
    return "ok", f"{active} active options: a good number to compare."


class OptionsForm(RecordEditor):
    """Add, edit, archive and unarchive career options. ``view`` is the widget to show."""

    table_name, noun, a_noun, label = "options", "option", "an option", "title"
    pick_description = "Option"
    empty = "No options yet. Add the first one above."

    def __init__(self, wb: Workbook, on_change: Callable[[], None] | None = None):
        super().__init__(wb, on_change)
        self.title = text_field("Title", "a short name, e.g. UX research")
        self.description = text_field("Description", "what the path is, in your own words", long=True)
        self.questions = text_field(
            "Questions it must answer", "one per line, e.g. Can I switch without a new degree?", long=True
        )
        self.option_status = widgets.Dropdown(
            description="Status", options=vocab_choices(vocab.OPTION_STATUSES), value="exploring"
        )
        self.nudge = StatusLine()
        self.view = self._layout(
            [self.title, self.description, self.questions, self.option_status], after_status=[self.nudge]
        )
        self.refresh()

    def refresh(self) -> None:
        """Reload the dropdowns, the table and the nudge from the workbook."""
        options = self.wb.options(include_archived=True)
        live = options[~options["archived"]] if not options.empty else options
        self._reload_pick(live)
        self._reload_archived(options)
        shown = live
        if not live.empty:  # one line per cell: a table shows line breaks as "\n"
            shown = live.assign(
                questions=live["questions"].str.replace("\n", " / "),
                description=live["description"].str.replace("\n", " "),
            )
        self.table.show(shown, ["title", "status", "description", "questions"])
        kind, text = option_count_advice(len(active_options(live)))
        self.nudge.show(text, kind)

    def _fill(self, row: dict) -> None:
        self.title.value = row.get("title", "")
        self.description.value = row.get("description", "")
        self.questions.value = row.get("questions", "")
        self.option_status.value = row.get("status", "exploring")

    def _values(self) -> dict:
        return dict(
            title=self.title.value.strip(),
            description=self.description.value.strip(),
            questions="\n".join(line.strip() for line in self.questions.value.splitlines() if line.strip()),
            status=self.option_status.value,
        )
