"""Forms for notebook 01: the options you are weighing, and the criteria that matter to you.

:class:`OptionsForm` adds, edits, archives and restores options and nudges
towards three to five active ones. :class:`CriteriaForm` adds, edits and
archives criteria; its ``suggestions`` part offers the shipped criteria and its
``weights`` part sets every weight with sliders, showing the normalised weights
as a chart. Nothing here calls ``display()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from .. import charts_plan, paths, vocab
from ..coverage import active_options
from ..errors import ValidationError
from ..matching import normalise_name
from .base import StatusLine, TableView, choices, guarded, text_field, vocab_choices

NEW = 0  # dropdown value meaning "a new record" (ids start at 1)
FEWEST, MOST = 3, 5


def set_choices(widget: widgets.Dropdown, options: list[tuple[str, object]], keep: object = None) -> None:
    """Give a dropdown new ``options`` and select ``keep`` if it is among them, else the first one."""
    widget.options = options
    values = [value for _, value in options]
    if values:
        widget.value = keep if keep in values else values[0]


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


class OptionsForm:
    """Add, edit, archive and restore career options. ``view`` is the widget to show."""

    def __init__(self, wb, on_change: Callable[[], None] | None = None):
        self.wb = wb
        self.on_change = on_change
        self._loading = False
        self.pick = widgets.Dropdown(description="Option", style={"description_width": "initial"})
        self.title = text_field("Title", "a short name, e.g. UX research")
        self.description = text_field("Description", "what the path is, in your own words", long=True)
        self.questions = text_field(
            "Questions it must answer", "one per line, e.g. Can I switch without a new degree?", long=True
        )
        self.option_status = widgets.Dropdown(
            description="Status", options=vocab_choices(vocab.OPTION_STATUSES), value="exploring"
        )
        self.save_button = widgets.Button(description="Save option", button_style="primary", icon="check")
        self.archive_button = widgets.Button(description="Archive option", icon="archive")
        self.archived_pick = widgets.Dropdown(description="Archived", style={"description_width": "initial"})
        self.restore_button = widgets.Button(description="Restore", icon="undo")
        self.status = StatusLine()
        self.nudge = StatusLine()
        self.table = TableView(empty="No options yet. Add the first one above.")
        self.pick.observe(self._on_pick, names="value")
        self.save_button.on_click(lambda _: guarded(self.status, self._save))
        self.archive_button.on_click(lambda _: guarded(self.status, self._archive))
        self.restore_button.on_click(lambda _: guarded(self.status, self._restore))
        self.view = widgets.VBox(
            [
                self.pick,
                self.title,
                self.description,
                self.questions,
                self.option_status,
                widgets.HBox([self.save_button, self.archive_button]),
                self.status,
                self.nudge,
                self.table,
                widgets.HBox([self.archived_pick, self.restore_button]),
            ]
        )
        self.refresh()

    # ------------------------------------------------------------ helpers
    def refresh(self) -> None:
        """Reload the dropdowns, the table and the nudge from the workbook."""
        options = self.wb.options(include_archived=True)
        live = options[~options["archived"]] if not options.empty else options
        gone = options[options["archived"]] if not options.empty else options
        keep = self.pick.value if self.pick.value in set(live["id"].tolist()) else NEW
        self._loading = True
        try:
            set_choices(self.pick, [("— new option —", NEW), *choices(live, "title")], keep)
        finally:
            self._loading = False
        archived = choices(gone, "title")
        set_choices(self.archived_pick, archived or [("(none archived)", NEW)], self.archived_pick.value)
        self.restore_button.disabled = not archived
        self.archive_button.disabled = keep == NEW
        shown = live
        if not live.empty:  # one line per cell: a table shows line breaks as "\n"
            shown = live.assign(
                questions=live["questions"].str.replace("\n", " / "),
                description=live["description"].str.replace("\n", " "),
            )
        self.table.show(shown, ["id", "title", "status", "description", "questions"])
        kind, text = option_count_advice(len(active_options(live)))
        self.nudge.show(text, kind)

    def _on_pick(self, change) -> None:
        if self._loading:
            return
        self.status.clear()
        self.archive_button.disabled = change["new"] == NEW
        if change["new"] == NEW:
            self._fill("", "", "", "exploring")
            return
        row = self.wb.get("options", change["new"])
        self._fill(row["title"], row["description"], row["questions"], row["status"])

    def _fill(self, title: str, description: str, questions: str, status: str) -> None:
        self.title.value, self.description.value, self.questions.value = title, description, questions
        self.option_status.value = status

    def _changed(self) -> None:
        self.refresh()
        if self.on_change:
            self.on_change()

    # ------------------------------------------------------------ actions
    def _save(self) -> str:
        values = dict(
            title=self.title.value.strip(),
            description=self.description.value.strip(),
            questions="\n".join(line.strip() for line in self.questions.value.splitlines() if line.strip()),
            status=self.option_status.value,
        )
        if self.pick.value == NEW:
            new_id = self.wb.add_option(**values)
            self._fill("", "", "", "exploring")
            self._changed()
            return f"Added option #{new_id}: {values['title']}"
        self.wb.update_option(self.pick.value, **values)
        self._changed()
        return f"Saved option #{self.pick.value}: {values['title']}"

    def _archive(self) -> str:
        if self.pick.value == NEW:
            raise ValidationError("option", "choose an option to archive first")
        option_id = self.pick.value
        title = self.wb.get("options", option_id)["title"]
        self.wb.archive("options", option_id)
        self.pick.value = NEW
        self._changed()
        return (
            f"Archived option #{option_id}: {title}. It is hidden everywhere; restore it below if you change your mind."
        )

    def _restore(self) -> str:
        option_id = self.archived_pick.value
        if option_id == NEW:
            raise ValidationError("archived", "there is no archived option to restore")
        self.wb.restore("options", option_id)
        self._changed()
        return f"Restored option #{option_id}: {self.wb.get('options', option_id)['title']}"


# ---------------------------------------------------------------- criteria
def load_suggested_criteria(path: str | Path | None = None) -> pd.DataFrame:
    """The shipped suggested criteria (``data/criteria.csv``: name, description, weight)."""
    path = Path(path) if path else paths.data_dir() / "criteria.csv"
    if not path.exists():
        return pd.DataFrame({"name": [], "description": [], "weight": []})
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = {"name", "description", "weight"} - set(frame.columns)
    if missing:
        raise ValidationError("criteria.csv", f"has no column {sorted(missing)[0]!r}")
    frame["name"] = frame["name"].str.strip()
    frame["weight"] = pd.to_numeric(frame["weight"], errors="coerce").fillna(1.0)
    return frame[frame["name"] != ""].reset_index(drop=True)


class SuggestedCriteria:
    """Offers the suggested criteria you do not have yet; adds the ones you pick in one go."""

    def __init__(self, wb, on_change: Callable[[], None] | None = None):
        self.wb = wb
        self.on_change = on_change
        self.pick = widgets.SelectMultiple(
            description="Suggestions",
            rows=8,
            layout=widgets.Layout(width="95%"),
            style={"description_width": "initial"},
        )
        self.add_button = widgets.Button(description="Add selected criteria", icon="plus")
        self.status = StatusLine()
        self.add_button.on_click(lambda _: guarded(self.status, self._add))
        self.view = widgets.VBox([self.pick, self.add_button, self.status])
        self.refresh()

    def refresh(self) -> None:
        try:
            shipped = load_suggested_criteria()
        except (OSError, ValueError) as exc:
            shipped = pd.DataFrame({"name": [], "description": [], "weight": []})
            self.status.error(f"The suggested criteria could not be read: {exc}")
        have = {normalise_name(n) for n in self.wb.criteria()["name"].tolist()}
        offer = shipped[~shipped["name"].map(normalise_name).isin(have)]
        self.suggested = offer
        self.pick.options = [
            (f"{r.name} (weight {r.weight:g}): {r.description}", r.name) for r in offer.itertuples(index=False)
        ]
        self.add_button.disabled = offer.empty

    def _add(self) -> str:
        picked = list(self.pick.value)
        if not picked:
            raise ValidationError("suggestions", "select one or more criteria to add first")
        rows = self.suggested[self.suggested["name"].isin(picked)]
        records = [{"name": r.name, "description": r.description, "weight": float(r.weight)} for r in rows.itertuples()]
        self.wb.add_many("criteria", records)
        if self.on_change:
            self.on_change()
        return f"Added {len(records)} criteri{'on' if len(records) == 1 else 'a'}: {', '.join(picked)}"


class WeightsPanel:
    """One slider per criterion and a chart of the normalised weights, redrawn as you move them."""

    def __init__(self, wb, on_change: Callable[[], None] | None = None):
        self.wb = wb
        self.on_change = on_change
        self.sliders: dict[int, widgets.FloatSlider] = {}
        self.box = widgets.VBox()
        self.chart = widgets.Image(format="png", layout=widgets.Layout(max_width="640px"))
        self.save_button = widgets.Button(description="Save weights", button_style="primary", icon="check")
        self.status = StatusLine()
        self.save_button.on_click(lambda _: guarded(self.status, self._save))
        self.view = widgets.VBox([self.box, self.save_button, self.status, self.chart])
        self.refresh()

    def refresh(self) -> None:
        self.criteria = self.wb.criteria()
        self.sliders = {}
        for row in self.criteria.itertuples(index=False):
            slider = widgets.FloatSlider(
                value=float(row.weight),
                min=0.0,
                max=max(10.0, math.ceil(float(row.weight))),
                step=0.5,
                description=str(row.name),  # a slider's description is shown as plain text
                continuous_update=False,
                style={"description_width": "180px"},
                layout=widgets.Layout(width="95%"),
            )
            slider.observe(self._moved, names="value")
            self.sliders[int(row.id)] = slider
        self.box.children = list(self.sliders.values())
        self.save_button.disabled = not self.sliders
        self._draw()

    def weights(self) -> dict[int, float]:
        return {cid: float(s.value) for cid, s in self.sliders.items()}

    def shares(self) -> pd.Series:
        """The normalised weights the sliders show now (0–1, by criterion name)."""
        return charts_plan.normalised_weights(self.criteria, self.weights())

    def _draw(self) -> None:
        self.chart.value = charts_plan.png(charts_plan.weights_chart(self.criteria, self.weights()))

    def _moved(self, _change) -> None:
        self._draw()
        self.status.show("Not saved yet: press Save weights to keep these weights.", "info")

    def _save(self) -> str:
        weights = self.weights()
        self.wb.set_weights(weights)
        if self.on_change:
            self.on_change()
        return f"Saved the weights of {len(weights)} criteria."


class CriteriaForm:
    """Add, edit and archive criteria; ``suggestions`` and ``weights`` are parts shown in their own cells."""

    def __init__(self, wb):
        self.wb = wb
        self._loading = False
        self.pick = widgets.Dropdown(description="Criterion", style={"description_width": "initial"})
        self.name = text_field("Name", "e.g. Pay")
        self.description = text_field(
            "What it means to you", "e.g. at least what I earn now within two years", long=True
        )
        self.weight = widgets.FloatText(value=1.0, description="Weight (0–100)", style={"description_width": "initial"})
        self.save_button = widgets.Button(description="Save criterion", button_style="primary", icon="check")
        self.archive_button = widgets.Button(description="Archive criterion", icon="archive")
        self.status = StatusLine()
        self.table = TableView(empty="No criteria yet. Add your own above or pick suggestions below.")
        self.pick.observe(self._on_pick, names="value")
        self.save_button.on_click(lambda _: guarded(self.status, self._save))
        self.archive_button.on_click(lambda _: guarded(self.status, self._archive))
        self.view = widgets.VBox(
            [
                self.pick,
                self.name,
                self.description,
                self.weight,
                widgets.HBox([self.save_button, self.archive_button]),
                self.status,
                self.table,
            ]
        )
        self.suggestions = SuggestedCriteria(wb, on_change=self.refresh)
        self.weights = WeightsPanel(wb, on_change=self.refresh)
        self._refresh_form()

    def refresh(self) -> None:
        """Reload the form, the table, the suggestions and the sliders from the workbook."""
        self._refresh_form()
        self.suggestions.refresh()
        self.weights.refresh()

    def _refresh_form(self) -> None:
        criteria = self.wb.criteria()
        keep = self.pick.value if self.pick.value in set(criteria["id"].tolist()) else NEW
        self._loading = True
        try:
            set_choices(self.pick, [("— new criterion —", NEW), *choices(criteria, "name")], keep)
        finally:
            self._loading = False
        self.archive_button.disabled = keep == NEW
        shown = criteria
        if not criteria.empty:
            total = criteria["weight"].sum()
            shown = criteria.assign(
                share=(criteria["weight"] / total * 100).round(0) if total > 0 else 0.0,
                description=criteria["description"].str.replace("\n", " "),
            )
        self.table.show(shown, ["id", "name", "weight", "share", "description"])

    def _on_pick(self, change) -> None:
        if self._loading:
            return
        self.status.clear()
        self.archive_button.disabled = change["new"] == NEW
        if change["new"] == NEW:
            self.name.value, self.description.value, self.weight.value = "", "", 1.0
            return
        row = self.wb.get("criteria", change["new"])
        self.name.value, self.description.value, self.weight.value = row["name"], row["description"], row["weight"]

    def _save(self) -> str:
        values = dict(
            name=self.name.value.strip(), description=self.description.value.strip(), weight=self.weight.value
        )
        if self.pick.value == NEW:
            new_id = self.wb.add_criterion(**values)
            self.name.value, self.description.value, self.weight.value = "", "", 1.0
            self.refresh()
            return f"Added criterion #{new_id}: {values['name']}"
        self.wb.update_criterion(self.pick.value, **values)
        self.refresh()
        return f"Saved criterion #{self.pick.value}: {values['name']}"

    def _archive(self) -> str:
        if self.pick.value == NEW:
            raise ValidationError("criterion", "choose a criterion to archive first")
        criterion_id = self.pick.value
        name = self.wb.get("criteria", criterion_id)["name"]
        self.wb.archive("criteria", criterion_id)
        self.pick.value = NEW
        self.refresh()
        return f"Archived criterion #{criterion_id}: {name}"
