"""Pieces every form shares: an escaped status line, a table view, dropdown choices, weight sliders.

User text never reaches an HTML sink unescaped: :class:`StatusLine` and
:func:`table_html` escape everything they are given. Nor does it turn into
maths: JupyterLab and Voilà typeset ``$…$`` with MathJax in HTML outputs, in
HTML widgets and in widget labels. HTML the forms build is wrapped with
:func:`no_maths`; a label or description holding user text goes through
:func:`widget_text`.

Every save goes through :func:`guarded`, which shows in the status line, in
words, why a save failed: bad input, a workbook busy in another program, a
read-only or full disk, a damaged file. When the record changed elsewhere
since the page loaded it, :class:`ConflictPanel` shows both versions and lets
the person keep theirs or save their own values over them.
"""

from __future__ import annotations

import html
import math
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ..errors import ChangedElsewhereError, ValidationError, WorkbookError
from ..store.failures import save_failed
from ..store.fields import limits
from ..store.freshness import same
from ..store.workbook import Workbook

#: Add to a widget whose description label is a sentence: it wraps instead of being cut with "…".
WRAP_LABELS = "cw-wrap-labels"

#: What every page of the workbook needs on top of JupyterLab's and Voilà's own styles, for people with
#: low vision or who use a keyboard or screen reader (WCAG 2.2 AA): labels that wrap rather than get cut,
#: tab titles with enough contrast, links told apart from text by more than colour, a visible focus.
#: :func:`workbook.notebook.start` shows it once per page.
PAGE_STYLE = """<style>
.cw-wrap-labels .widget-label, .cw-wrap-labels.widget-label { white-space: normal; overflow: visible;
  text-overflow: clip; line-height: 1.3; height: auto; }
.cw-wrap-labels.widget-inline-hbox { align-items: center; height: auto; }
.jupyter-widgets.widget-dropdown { width: auto; align-self: flex-start; max-width: 100%;
  min-width: var(--jp-widgets-inline-width, 300px); }
.jupyter-widgets.widget-dropdown > select { flex: 1 1 auto; max-width: 100%; }
.jupyter-widgets button.jupyter-button { flex-shrink: 0; }
table.cw-table th { vertical-align: bottom; text-align: left; }
table.cw-table td { vertical-align: top; }
.widget-tab .lm-TabBar-tab, .widget-tab .lm-TabBar-tabLabel { color: #333 !important; }
.jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited, nav.cw-steps a, .cw-table a {
  text-decoration: underline; }
.jupyter-widgets button:focus-visible, .jupyter-widgets input:focus-visible, .jupyter-widgets select:focus-visible,
.jupyter-widgets textarea:focus-visible, .noUi-handle:focus-visible, .jupyter-widgets a:focus-visible {
  outline: 2px solid #0b57d0; outline-offset: 1px; }
</style>"""

#: Classes that keep MathJax (JupyterLab, Voilà, the classic notebook) from typesetting what is inside.
NO_MATHS = "mathjax_ignore tex2jax_ignore"


def no_maths(markup: str) -> str:
    """``markup`` in a block MathJax leaves alone: ``$…$`` or ``\\(…\\)`` in user text stays text."""
    return f'<div class="{NO_MATHS}">{markup}</div>'


def widget_text(text: object) -> str:
    """User text for a widget's description or a ``Label``, shown as written.

    ipywidgets sets such text as plain text and then has MathJax typeset it
    (with ``\\$`` for a literal dollar and ``\\\\`` for a literal backslash), so
    ``$$ bonus $$`` would turn into maths: each ``\\`` and ``$`` is escaped.
    """
    return str(text).replace("\\", "\\\\").replace("$", "\\$")


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
        self.value = f'<div class="cw-status cw-{kind} {NO_MATHS}" style="{box}">{html.escape(text)}</div>'

    def ok(self, text: str) -> None:
        self.show(text, "ok")

    def error(self, text: str) -> None:
        self.show(text, "error")

    def clear(self) -> None:
        self.kind = ""
        self.text = ""
        self.value = ""


def changed_elsewhere_text(error: ChangedElsewhereError) -> str:
    """The status line's words for a save refused because the record changed since the page loaded it."""
    fields = ", ".join(str(error.labels.get(f, f)).replace("_", " ") for f in error.fields)
    return (
        f"Not saved — {error.what} was changed elsewhere since this page loaded it (in another page or "
        f"program, or by restoring a backup): {fields}. Both versions are shown below: keep theirs, or save "
        "yours over them."
    )


def guarded(status: StatusLine, action: Callable[[], str | None], conflict: ConflictPanel | None = None) -> bool:
    """Run ``action``; show its return text as success, or why it failed as a clear message.

    Returns True when the action succeeded. Errors the workbook raises on
    purpose (bad input, missing record) and every SQLite error (busy,
    read-only, full, damaged) are shown in words and swallowed; anything else
    is a bug and propagates. When the record changed elsewhere since the page
    loaded it, ``conflict`` (if given) shows both versions and the choice.
    """
    try:
        message = action()
    except ChangedElsewhereError as exc:
        status.error(changed_elsewhere_text(exc))
        if conflict is not None:
            conflict.offer(exc)
        return False
    except ValidationError as exc:
        where = f"row {exc.row}: " if exc.row is not None else ""
        status.error(f"Not saved — {where}{exc.field.replace('_', ' ')}: {exc.reason}")
        _hide(conflict)
        return False
    except (WorkbookError, ValueError) as exc:
        status.error(f"Not saved — {exc}")
        _hide(conflict)
        return False
    except sqlite3.Error as exc:  # a read before or after the save: the same words as a refused write
        status.error(f"Not saved — {save_failed(exc)}")
        _hide(conflict)
        return False
    _hide(conflict)
    if message:
        status.ok(message)
    return True


def _hide(conflict: ConflictPanel | None) -> None:
    if conflict is not None:
        conflict.hide()


def value_text(value: Any) -> str:
    """A stored value as a person reads it in the two versions of a record."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(value_text(v) for v in value)
    return str(value)


class ConflictPanel(widgets.VBox):
    """Both versions of a record that changed elsewhere since the page loaded it, and the choice.

    Hidden until :func:`guarded` catches a :class:`ChangedElsewhereError` and calls :meth:`offer`.
    *Keep theirs* calls ``keep_theirs(error)`` (the form shows what is stored now, dropping the
    page's edits); *Save mine* calls ``save_mine(error)`` (the form takes what is stored now as
    loaded and saves its own values over it, checked again). ``text(field, value)`` turns a
    stored value into words (default :func:`value_text`); ``labels`` names fields.
    ``rows`` holds the versions shown: ``(field, theirs, yours)``.
    """

    def __init__(
        self,
        status: StatusLine,
        keep_theirs: Callable[[ChangedElsewhereError], str | None],
        save_mine: Callable[[ChangedElsewhereError], str | None],
        *,
        text: Callable[[Any, Any], str] | None = None,
        labels: Mapping[Any, str] | None = None,
    ):
        self.status = status
        self._keep_theirs, self._save_mine = keep_theirs, save_mine
        self._text = text or (lambda _field, value: value_text(value))
        self._labels = dict(labels or {})
        self.error: ChangedElsewhereError | None = None
        self.rows: list[tuple[str, str, str]] = []
        self.versions = TableView(empty="")
        self.keep_theirs_button = widgets.Button(
            description="Keep theirs", icon="undo", tooltip="Show what is saved now; drop this page's changes"
        )
        self.save_mine_button = widgets.Button(
            description="Save mine",
            button_style="warning",
            icon="check",
            tooltip="Save this page's values over what is saved now",
        )
        self.keep_theirs_button.on_click(lambda _: self._choose(self._keep_theirs))
        self.save_mine_button.on_click(lambda _: self._choose(self._save_mine))
        super().__init__(
            [self.versions, widgets.HBox([self.keep_theirs_button, self.save_mine_button])],
            layout=widgets.Layout(display="none", border="1px solid #b71c1c", padding="4px"),
        )

    @property
    def shown(self) -> bool:
        return self.layout.display != "none"

    def offer(self, error: ChangedElsewhereError) -> None:
        """Show theirs and yours, field by field: what changed elsewhere and what this page changed."""
        self.error = error
        keys = list(error.fields)
        keys += [k for k in error.yours if k not in keys and not same(error.theirs.get(k), error.yours[k])]
        self.rows = [
            (
                str(self._labels.get(k) or error.labels.get(k) or str(k).replace("_", " ")),
                self._text(k, error.theirs.get(k)),
                self._text(k, error.yours.get(k, error.theirs.get(k))),
            )
            for k in keys
        ]
        frame = pd.DataFrame(self.rows, columns=["field", "saved now (theirs)", "on this page (yours)"])
        self.versions.show(frame)
        self.layout.display = None

    def hide(self) -> None:
        self.error = None
        self.rows = []
        self.layout.display = "none"

    def _choose(self, choice: Callable[[ChangedElsewhereError], str | None]) -> None:
        error = self.error
        if error is None:
            return
        guarded(self.status, lambda: choice(error), conflict=self)


def _is_flags(values: pd.Series) -> bool:
    if values.dtype == bool or str(values.dtype) == "boolean":
        return True
    present = values.dropna()
    return values.dtype == object and not present.empty and all(isinstance(v, bool) for v in present)


#: Column names a person reads in place of the stored ones (others: underscores as spaces, a capital first).
HEADERS = {
    "organization": "Organisation",
    "organizations": "Organisations",
    "strength": "Tie strength",
    "insider for": "Knows from inside",
    "matched on": "Matched on",
}


def header(column: object) -> str:
    """A column name as a table header: ``insider_for`` → ``Knows from inside``, ``title`` → ``Title``."""
    words = str(column).replace("_", " ").strip()
    named = HEADERS.get(words.lower())
    if named:
        return named
    return words[:1].upper() + words[1:]


def _is_id(column: object) -> bool:
    name = str(column).strip().lower()
    return name in {"id", "#"} or name.endswith("_id")


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as people read it: no id columns, yes/no for true/false, human headers (:func:`header`)."""
    out = frame[[c for c in frame.columns if not _is_id(c)]].copy()
    for col in out.columns:
        if _is_flags(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else ("yes" if v else "no")).astype(object)
    return out.rename(columns=header)


def table_html(frame: pd.DataFrame, columns: Iterable[str] | None = None, empty: str = "Nothing here yet.") -> str:
    """An escaped HTML table of ``frame`` in words (pandas escapes cell text), or a short note when empty.

    No index column and no id columns; true/false shown as yes/no; headers in words (:func:`header`).
    Text between ``$`` signs stays text (:func:`no_maths`).
    """
    if frame is None or frame.empty:
        return no_maths(f"<p><em>{html.escape(empty)}</em></p>")
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    return no_maths(in_words(frame).to_html(index=False, escape=True, na_rep="", border=0, classes="cw-table"))


def plain_table(frame: pd.DataFrame, columns: Iterable[str] | None = None, empty: str = "Nothing here yet."):
    """:func:`table_html` as an ``IPython.display.HTML`` object, for a notebook cell to show (escaped)."""
    from IPython.display import HTML

    return HTML(table_html(frame, columns, empty))


class ChartView(widgets.HTML):
    """A chart as a picture with its text alternative (what it shows, with its numbers) for screen readers.

    ``png`` keeps the picture's bytes and ``alt`` its words, for tests. An ``Image`` widget cannot carry
    an ``alt``: this is an escaped ``<img>`` in an HTML widget.
    """

    def __init__(self, max_width: str = "640px", **kwargs: Any):
        super().__init__(value="", **kwargs)
        self.max_width = max_width
        self.png = b""
        self.alt = ""

    def show(self, fig: Any) -> None:
        import base64

        from ..charts.plan import png
        from ..charts.plotstyle import text_alternative

        self.png = png(fig)
        self.alt = text_alternative(fig)
        data = base64.b64encode(self.png).decode("ascii")
        self.value = no_maths(
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt, quote=True)}" '
            f'style="max-width:min(100%, {html.escape(self.max_width)});height:auto">'
        )


class TableView(widgets.HTML):
    """An HTML widget that shows a DataFrame, escaped. ``frame`` keeps what is shown."""

    def __init__(self, empty: str = "Nothing here yet.", **kwargs: Any):
        super().__init__(value="", **kwargs)
        self.empty = empty
        self.frame = pd.DataFrame()

    def show(self, frame: pd.DataFrame, columns: Iterable[str] | None = None) -> None:
        self.frame = frame
        self.value = table_html(frame, columns, self.empty)


#: Columns that tell two records with the same name apart, in the order they are tried.
TELL_APART = ("organization", "role", "status", "relationship", "description", "email", "created_at")


def distinct_labels(frame: pd.DataFrame, label: str, *, tell_apart: Iterable[str] = TELL_APART) -> list[str]:
    """Each row's ``label`` as a person reads it: no ids, except where two rows share a name.

    Rows that share a name get what tells them apart (``Maya Chen — Acme``, ``UX research — parked``):
    the first column of ``tell_apart`` whose values differ among them. Only when nothing differs
    do they get their record number, said as such ("record 7").
    """
    names = [" ".join(str(v).split()) for v in frame[label]]
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    out = list(names)
    for name in {n for n, c in counts.items() if c > 1}:
        rows = [i for i, n in enumerate(names) if n == name]
        details = [c for c in tell_apart if c in frame.columns and c != label]
        differing = next(
            (c for c in details if len({_short(frame[c].iloc[i]) for i in rows}) == len(rows)),
            next((c for c in details if len({_short(frame[c].iloc[i]) for i in rows}) > 1), None),
        ) or next((c for c in details if c != "created_at" and _short(frame[c].iloc[rows[0]])), None)
        for i in rows:
            detail = _short(frame[differing].iloc[i]) if differing else ""
            if not detail or sum(_short(frame[differing].iloc[j]) == detail for j in rows) > 1:
                detail = f"{detail + ', ' if detail else ''}record {int(frame['id'].iloc[i])}"
            out[i] = f"{name} — {detail}"
    return out


def _short(value: Any, width: int = 40) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def choices(frame: pd.DataFrame, label: str, *, none: str | None = None) -> list[tuple[str, Any]]:
    """Dropdown options ``(label, id)`` from a table; ``none`` adds a first "(none)" entry.

    Names are shown as written, without ids; two records with the same name say how they differ
    (:func:`distinct_labels`).
    """
    out: list[tuple[str, Any]] = [(none, None)] if none is not None else []
    if frame is not None and not frame.empty:
        out += list(zip(distinct_labels(frame, label), (int(i) for i in frame["id"]), strict=True))
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


def auto_width() -> widgets.Layout:
    """A layout for buttons and tick boxes: as wide as their label (never cut off)."""
    return widgets.Layout(width="auto")


#: The longest text a table cell or a saved-message shows of a user's text before "…".
CELL_CHARS = 200


def cut(value: Any) -> Any:
    """A long text cut to :data:`CELL_CHARS` (ending in "…"), for tables and messages; other values as they are."""
    if isinstance(value, str) and len(value) > CELL_CHARS:
        return value[: CELL_CHARS - 1] + "…"
    return value


def vocab_choices(vocabulary: dict[Any, str]) -> list[tuple[str, Any]]:
    """Dropdown options ``(label, value)`` from one of :mod:`workbook.store.vocab`'s mappings."""
    return [(label, value) for value, label in vocabulary.items()]


def text_field(description: str, placeholder: str = "", long: bool = False, **kwargs: Any) -> widgets.Widget:
    """A labelled text input (``long``: a text area). Labels are plain text, never HTML.

    What is typed reaches the kernel as the field is left (or on Enter in a one-line field), in one piece,
    before the click on the button that took the focus from it. Sent at every key instead
    (``continuous_update=True``, for a field whose value something on the page follows as it is typed),
    the browser sends a field's changes one at a time, each after the kernel answered the last: on a busy
    kernel a Save clicked right after typing could arrive before the last keys did, and save the text
    without them.
    """
    cls = widgets.Textarea if long else widgets.Text
    kwargs.setdefault("continuous_update", False)
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
            description=widget_text(row.name),  # plain text, not HTML, but typeset: dollars escaped
            continuous_update=False,
            style={"description_width": description_width},
            layout=widgets.Layout(width="95%"),
        )
        slider.observe(on_move, names="value")
        sliders[int(row.id)] = slider
    return sliders


def save_weights(wb: Workbook, weights: dict[int, float], loaded: Mapping[int, float] | None = None) -> str:
    """Store the weights the sliders show (criterion id -> weight); returns what was done.

    ``loaded`` (criterion id -> weight) is what the sliders started from: a weight changed
    elsewhere since is not overwritten (:class:`ChangedElsewhereError`).
    """
    wb.set_weights(weights, loaded=loaded)
    return f"Saved the weights of {len(weights)} criteria."
