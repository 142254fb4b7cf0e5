"""Pieces every form shares: an escaped status line, a table view, dropdown choices, weight sliders.

User text never reaches an HTML sink unescaped: :class:`StatusLine` and
:func:`table_html` escape everything they are given.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ..errors import ValidationError, WorkbookError
from ..store.fields import limits
from ..store.workbook import Workbook

_STYLES = {
    "ok": "color:#1b5e20;background:#e8f5e9;",
    "error": "color:#b71c1c;background:#ffebee;",
    "info": "color:#0d3c61;background:#e3f2fd;",
}


class StatusLine(widgets.HTML):
    """A one-line message under a form. ``kind`` and ``text`` can be read back in tests."""

    def __init__(self, **kwargs: Any):
        super().__init__(value="", **kwargs)
        self.kind = ""
        self.text = ""

    def show(self, text: str, kind: str = "info") -> None:
        self.kind = kind
        self.text = text
        style = _STYLES.get(kind, "")
        box = f"{style}padding:4px 8px;border-radius:4px"
        self.value = f'<div class="cw-status cw-{kind}" style="{box}">{html.escape(text)}</div>'

    def ok(self, text: str) -> None:
        self.show(text, "ok")

    def error(self, text: str) -> None:
        self.show(text, "error")

    def clear(self) -> None:
        self.kind = ""
        self.text = ""
        self.value = ""


def guarded(status: StatusLine, action: Callable[[], str | None]) -> bool:
    """Run ``action``; show its return text as success, or a workbook error as a clear message.

    Returns True when the action succeeded. Only errors the workbook raises on
    purpose (bad input, missing record) are shown and swallowed; anything else
    is a bug and propagates.
    """
    try:
        message = action()
    except ValidationError as exc:
        where = f"row {exc.row}: " if exc.row is not None else ""
        status.error(f"Not saved — {where}{exc.field.replace('_', ' ')}: {exc.reason}")
        return False
    except (WorkbookError, ValueError) as exc:
        status.error(f"Not saved — {exc}")
        return False
    if message:
        status.ok(message)
    return True


def _is_flags(values: pd.Series) -> bool:
    if values.dtype == bool or str(values.dtype) == "boolean":
        return True
    present = values.dropna()
    return values.dtype == object and not present.empty and all(isinstance(v, bool) for v in present)


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as people read it: yes/no for true/false, column names without underscores."""
    out = frame.copy()
    for col in out.columns:
        if _is_flags(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else ("yes" if v else "no")).astype(object)
    return out.rename(columns=lambda c: str(c).replace("_", " "))


def table_html(frame: pd.DataFrame, columns: Iterable[str] | None = None, empty: str = "Nothing here yet.") -> str:
    """An escaped HTML table of ``frame`` in words (pandas escapes cell text), or a short note when empty.

    No index column; true/false shown as yes/no; underscores in column names shown as spaces.
    """
    if frame is None or frame.empty:
        return f"<p><em>{html.escape(empty)}</em></p>"
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    return in_words(frame).to_html(index=False, escape=True, na_rep="", border=0, classes="cw-table")


def plain_table(frame: pd.DataFrame, columns: Iterable[str] | None = None, empty: str = "Nothing here yet."):
    """:func:`table_html` as an ``IPython.display.HTML`` object, for a notebook cell to show (escaped)."""
    from IPython.display import HTML

    return HTML(table_html(frame, columns, empty))


class TableView(widgets.HTML):
    """An HTML widget that shows a DataFrame, escaped. ``frame`` keeps what is shown."""

    def __init__(self, empty: str = "Nothing here yet.", **kwargs: Any):
        super().__init__(value="", **kwargs)
        self.empty = empty
        self.frame = pd.DataFrame()

    def show(self, frame: pd.DataFrame, columns: Iterable[str] | None = None) -> None:
        self.frame = frame
        self.value = table_html(frame, columns, self.empty)


def choices(frame: pd.DataFrame, label: str, *, none: str | None = None) -> list[tuple[str, Any]]:
    """Dropdown options ``(label, id)`` from a table; ``none`` adds a first "(none)" entry."""
    out: list[tuple[str, Any]] = [(none, None)] if none is not None else []
    if frame is not None and not frame.empty:
        for row in frame.itertuples(index=False):
            out.append((f"{getattr(row, label)} (#{row.id})", int(row.id)))
    return out


def select(dropdown: widgets.Dropdown, value: Any) -> None:
    """Select the entry holding ``value``, else the first one, by position.

    Selecting by position rather than setting ``value`` to None makes the browser
    show the first entry's label (e.g. "(choose)") instead of an empty box.
    """
    values = [v for _, v in dropdown.options]
    dropdown.index = values.index(value) if value in values else (0 if values else None)


def set_choices(dropdown: widgets.Dropdown, options: list[tuple[str, Any]], keep: Any = None) -> None:
    """Give a dropdown new ``options`` and select ``keep`` if it is among them, else the first one."""
    dropdown.options = options
    select(dropdown, keep)


def set_many_choices(select: widgets.SelectMultiple, options: list[tuple[str, Any]], keep: Iterable[Any] = ()) -> None:
    """Give a multiple-choice list new ``options``, keeping those of ``keep`` that are still offered.

    The selection is cleared *before* the options change: the browser redraws the list as soon as the
    new options arrive and would otherwise try to select entries of the old list that the new one
    lacks ("Error setting state: Cannot set properties of undefined (setting 'selected')").
    """
    offered = {value for _, value in options}
    kept = tuple(v for v in keep if v in offered)
    select.value = ()
    select.options = options
    select.value = kept


def vocab_choices(vocabulary: dict[Any, str]) -> list[tuple[str, Any]]:
    """Dropdown options ``(label, value)`` from one of :mod:`workbook.store.vocab`'s mappings."""
    return [(label, value) for value, label in vocabulary.items()]


def text_field(description: str, placeholder: str = "", long: bool = False, **kwargs: Any) -> widgets.Widget:
    """A labelled text input (``long``: a text area). Labels are plain text, never HTML."""
    cls = widgets.Textarea if long else widgets.Text
    return cls(
        description=description,
        placeholder=placeholder,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="95%"),
        **kwargs,
    )


_WEIGHT_LOW, _WEIGHT_HIGH = limits("criteria", "weight")


def weight_sliders(
    criteria: pd.DataFrame, on_move: Callable[[dict], None], description_width: str
) -> dict[int, widgets.FloatSlider]:
    """One slider per criterion (criterion id -> slider), starting at its stored weight."""
    sliders: dict[int, widgets.FloatSlider] = {}
    for row in criteria.itertuples(index=False):
        slider = widgets.FloatSlider(
            value=float(row.weight),
            min=_WEIGHT_LOW,
            max=min(_WEIGHT_HIGH, max(10.0, math.ceil(float(row.weight)))),
            step=0.5,
            description=str(row.name),  # a slider's description is shown as plain text, not HTML
            continuous_update=False,
            style={"description_width": description_width},
            layout=widgets.Layout(width="95%"),
        )
        slider.observe(on_move, names="value")
        sliders[int(row.id)] = slider
    return sliders


def save_weights(wb: Workbook, weights: dict[int, float]) -> str:
    """Store the weights the sliders show (criterion id -> weight); returns what was done."""
    wb.set_weights(weights)
    return f"Saved the weights of {len(weights)} criteria."
