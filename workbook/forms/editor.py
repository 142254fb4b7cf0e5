"""The shape the options, criteria and contacts forms share: a record editor.

A :class:`RecordEditor` has a ``pick`` dropdown ("— new … —" or an existing
record), the field widgets a subclass adds, *Save* and *Archive* buttons, a
status line and a table. Saving adds a new record or updates the picked one;
archiving hides the picked one. Subclasses say how to read and fill their
fields (:meth:`RecordEditor._values`, :meth:`RecordEditor._fill`) and how to
reload (``refresh``, which calls :meth:`RecordEditor._reload_pick`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as widgets
import pandas as pd

from ..errors import ValidationError
from ..store.workbook import Workbook
from .base import StatusLine, TableView, choices, guarded, set_choices

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
    archived_note: str = ""  # added to the "Archived …" message

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
        self.status = StatusLine()
        self.table = TableView(empty=self.empty)
        self.pick.observe(self._on_pick, names="value")
        self.save_button.on_click(lambda _: guarded(self.status, self._save))
        self.archive_button.on_click(lambda _: guarded(self.status, self._archive))

    def _layout(
        self,
        fields: Sequence[widgets.Widget],
        after_status: Sequence[widgets.Widget] = (),
        after_table: Sequence[widgets.Widget] = (),
    ) -> widgets.VBox:
        """The pick, the fields, the buttons, the status line and the table, top to bottom."""
        return widgets.VBox(
            [
                self.pick,
                *fields,
                widgets.HBox([self.save_button, self.archive_button]),
                self.status,
                *after_status,
                self.table,
                *after_table,
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
        self.wb.update(self.table_name, record_id, **values)

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

    def _on_pick(self, change: dict) -> None:
        if self._loading:
            return
        self.status.clear()
        self.archive_button.disabled = change["new"] == NEW
        self._fill({} if change["new"] == NEW else self._load(change["new"]))

    def _changed(self) -> None:
        self.refresh()
        if self.on_change:
            self.on_change()

    # ------------------------------------------------------------ actions
    def _save(self) -> str:
        values = self._values()
        if self.pick.value == NEW:
            note = self._added_note(values)
            new_id = self._add(values)
            self._fill({})
            self._changed()
            return f"Added {self.noun} {values[self.label]} (#{new_id}){note}"
        record_id = self.pick.value
        self._update(record_id, values)
        self._changed()
        return f"Saved {self.noun} {values[self.label]} (#{record_id})"

    def _archive(self) -> str:
        if self.pick.value == NEW:
            raise ValidationError(self.noun, f"choose {self.a_noun} to archive first")
        record_id = self.pick.value
        label = self.wb.get(self.table_name, record_id)[self.label]
        self.wb.archive(self.table_name, record_id)
        self.pick.value = NEW
        self._changed()
        return f"Archived {self.noun} {label} (#{record_id}){self.archived_note}"
