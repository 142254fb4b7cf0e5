"""The shape the options, criteria and contacts forms share: a record editor.

A :class:`RecordEditor` has a ``pick`` dropdown ("— new … —" or an existing
record), the field widgets a subclass adds, *Save* and *Archive* buttons, a
status line and a table. Saving adds a new record or updates the picked one;
archiving hides the picked one, and the archived ones can be brought back
(``archived_pick`` and *Unarchive*). Subclasses say how to read and fill their
fields (:meth:`RecordEditor._values`, :meth:`RecordEditor._fill`) and how to
reload (``refresh``, which calls :meth:`RecordEditor._reload_pick`).

An update is checked against what the form loaded (``loaded``): when the
record changed elsewhere since (another page, a command, a restored backup),
nothing is written and ``conflict`` shows both versions, with *Keep theirs*
and *Save mine*.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as widgets
import pandas as pd

from ..errors import ChangedElsewhereError, ValidationError
from ..store.workbook import Workbook
from .base import ConflictPanel, StatusLine, TableView, choices, guarded, set_choices, value_text

NEW = 0  # dropdown value meaning "a new record" (ids start at 1)
WIDE = {"description_width": "initial"}


class RecordEditor:
    """Add, edit and archive the records of one table. ``view`` is the widget to show."""

    table_name: str  # the workbook table, e.g. "options"
    noun: str  # one record in words, e.g. "option"
    a_noun: str  # with its article, e.g. "an option"
    label: str  # the column that names a record, e.g. "title"
    pick_description: str  # the pick dropdown's label, e.g. "Option"
    empty: str  # what the table says when there is nothing to show
    archived_note = ". It is hidden everywhere; unarchive it below if you change your mind."

    def __init__(self, wb: Workbook, on_change: Callable[[], None] | None = None):
        self.wb = wb
        self.on_change = on_change
        self._loading = False
        self.pick = widgets.Dropdown(description=self.pick_description, style=WIDE)
        self.save_button = widgets.Button(
            description=f"Save {self.noun}", button_style="primary", icon="check", layout=widgets.Layout(width="auto")
        )
        self.archive_button = widgets.Button(
            description=f"Archive {self.noun}", icon="archive", layout=widgets.Layout(width="auto")
        )
        self.archived_pick = widgets.Dropdown(description="Archived", style=WIDE)
        self.unarchive_button = widgets.Button(
            description=f"Unarchive {self.noun}", icon="undo", layout=widgets.Layout(width="auto")
        )
        self.status = StatusLine()
        self.conflict = ConflictPanel(self.status, self._keep_theirs, self._save_mine, text=self._value_text)
        self.table = TableView(empty=self.empty)
        #: The picked record as the form loaded it (``{}`` for a new one): what a save checks against.
        self.loaded: dict = {}
        self.pick.observe(self._on_pick, names="value")
        self.save_button.on_click(lambda _: guarded(self.status, self._save, self.conflict))
        self.archive_button.on_click(lambda _: guarded(self.status, self._archive, self.conflict))
        self.unarchive_button.on_click(lambda _: guarded(self.status, self._unarchive, self.conflict))

    def _layout(
        self,
        fields: Sequence[widgets.Widget],
        after_status: Sequence[widgets.Widget] = (),
        after_table: Sequence[widgets.Widget] = (),
    ) -> widgets.VBox:
        """The pick, the fields, the buttons, the status line, the table and the archived ones, top to bottom."""
        return widgets.VBox(
            [
                self.pick,
                *fields,
                widgets.HBox([self.save_button, self.archive_button]),
                self.status,
                self.conflict,
                *after_status,
                self.table,
                *after_table,
                widgets.HBox([self.archived_pick, self.unarchive_button]),
            ]
        )

    # ------------------------------------------------------------ hooks
    def refresh(self) -> None:
        raise NotImplementedError

    def _values(self) -> dict:
        """The fields' values, cleaned, as keyword arguments for the workbook."""
        raise NotImplementedError

    def _fill(self, row: dict) -> None:
        """Show ``row`` in the fields (``{}``: the blank form for a new record)."""
        raise NotImplementedError

    def _load(self, record_id: int) -> dict:
        """The record to show when it is picked."""
        return self.wb.get(self.table_name, record_id)

    def _add(self, values: dict) -> int:
        return self.wb.add(self.table_name, **values)

    def _update(self, record_id: int, values: dict) -> None:
        """Save ``values`` over the picked record, if it is still what the form loaded."""
        self.wb.update(self.table_name, record_id, loaded=self._baseline(values), **values)

    def _baseline(self, values: dict) -> dict:
        """What the form loaded, for the fields it saves."""
        return {k: self.loaded[k] for k in values if k in self.loaded}

    def _value_text(self, field: str, value: object) -> str:
        """A stored value in words, for the two versions shown after a conflict."""
        return value_text(value)

    def _added_note(self, values: dict) -> str:
        """Something to add to the "Added …" message, worked out before the record is added."""
        return ""

    # ------------------------------------------------------------ helpers
    def _reload_pick(self, records: pd.DataFrame) -> None:
        """Offer "new" and ``records`` in the pick dropdown, keeping the picked one if it is still there."""
        keep = self.pick.value if self.pick.value in set(records["id"].tolist()) else NEW
        self._loading = True
        try:
            set_choices(self.pick, [(f"— new {self.noun} —", NEW), *choices(records, self.label)], keep)
        finally:
            self._loading = False
        self.archive_button.disabled = keep == NEW

    def _reload_archived(self, records: pd.DataFrame) -> None:
        """Offer the archived ones of ``records`` (every record, archived or not) to unarchive."""
        gone = records[records["archived"].astype(bool)] if not records.empty else records
        archived = choices(gone, self.label)
        set_choices(self.archived_pick, archived or [("(none archived)", NEW)], self.archived_pick.value)
        self.unarchive_button.disabled = not archived

    def _on_pick(self, change: dict) -> None:
        if self._loading:
            return
        self.status.clear()
        self.conflict.hide()
        self.archive_button.disabled = change["new"] == NEW
        self._show(change["new"])

    def _show(self, record_id: int) -> None:
        """Fill the fields with a record as stored now (the blank form for a new one), and remember it."""
        self.loaded = {} if record_id == NEW else self._load(record_id)
        self._fill(self.loaded)

    def _changed(self) -> None:
        self.refresh()
        if self.on_change:
            self.on_change()

    # ------------------------------------------------------------ actions
    def _save(self) -> str:
        values = self._values()
        if self.pick.value == NEW:
            note = self._added_note(values)
            self._add(values)
            self._fill({})
            self._changed()
            return f"Added {self.noun} {values[self.label]}{note}"
        record_id = self.pick.value
        try:
            self._update(record_id, values)
        except ChangedElsewhereError:
            self.refresh()  # the table shows what is saved now; the fields keep what was typed
            raise
        self.loaded = self._load(record_id)  # the next save is checked against what is saved now
        self._changed()
        return f"Saved {self.noun} {values[self.label]}"

    def _keep_theirs(self, error: ChangedElsewhereError) -> str:
        """Show the record as saved now, dropping this page's edits."""
        record_id = self.pick.value
        if record_id == NEW:
            return ""
        self._show(record_id)
        return f"Kept theirs: the form shows {self.noun} {self.loaded[self.label]} as saved now."

    def _save_mine(self, error: ChangedElsewhereError) -> str:
        """Save this page's values over what is saved now (checked again, should it change once more)."""
        self.loaded = {**self.loaded, **error.theirs}
        return self._save()

    def _archive(self) -> str:
        if self.pick.value == NEW:
            raise ValidationError(self.noun, f"choose {self.a_noun} to archive first")
        record_id = self.pick.value
        label = self.wb.get(self.table_name, record_id)[self.label]
        self.wb.archive(self.table_name, record_id)
        self.pick.value = NEW
        self._changed()
        return f"Archived {self.noun} {label}{self.archived_note}"

    def _unarchive(self) -> str:
        record_id = self.archived_pick.value
        if record_id in (NEW, None):
            raise ValidationError("archived", f"there is no archived {self.noun} to unarchive")
        self.wb.unarchive(self.table_name, record_id)
        self._changed()
        label = self.wb.get(self.table_name, record_id)[self.label]
        return f"Unarchived {self.noun} {label}: it is back in every table and chart."
