"""Forms for notebook 01: the criteria that matter to you.

:class:`CriteriaForm` adds, edits, archives and unarchives criteria; its ``suggestions``
part (:class:`SuggestedCriteria`) offers the shipped criteria and its
``weights`` part (:class:`WeightsPanel`) sets every weight with sliders,
showing the normalised weights as a chart. Nothing here calls ``display()``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from .. import paths
from ..charts import plan as charts_plan
from ..errors import ValidationError
from ..formatting import percent
from ..people.matching import normalise_name
from ..store.workbook import Workbook
from .base import (
    ChartView,
    ConflictPanel,
    StatusLine,
    guarded,
    save_weights,
    set_many_choices,
    text_field,
    weight_sliders,
)
from .editor import WIDE, RecordEditor


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

    def __init__(self, wb: Workbook, on_change: Callable[[], None] | None = None):
        self.wb = wb
        self.on_change = on_change
        self.pick = widgets.SelectMultiple(
            description="Suggestions",
            rows=8,
            layout=widgets.Layout(width="95%"),
            style={"description_width": "initial"},
        )
        self.add_button = widgets.Button(
            description="Add selected criteria", icon="plus", layout=widgets.Layout(width="auto")
        )
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
        set_many_choices(
            self.pick,
            [(f"{r.name} (weight {r.weight:g}): {r.description}", r.name) for r in offer.itertuples(index=False)],
        )
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

    def __init__(self, wb: Workbook, on_change: Callable[[], None] | None = None):
        self.wb = wb
        self.on_change = on_change
        self.sliders: dict[int, widgets.FloatSlider] = {}
        self.box = widgets.VBox()
        self.chart = ChartView()
        self.save_button = widgets.Button(
            description="Save weights", button_style="primary", icon="check", layout=widgets.Layout(width="auto")
        )
        self.status = StatusLine()
        self.conflict = ConflictPanel(self.status, self._keep_theirs, self._save_mine)
        #: The weights the sliders started from (criterion id -> weight): what a save checks against.
        self.loaded: dict[int, float] = {}
        self.save_button.on_click(lambda _: guarded(self.status, self._save, self.conflict))
        self.view = widgets.VBox([self.box, self.save_button, self.status, self.conflict, self.chart])
        self.refresh()

    def refresh(self) -> None:
        self.criteria = self.wb.criteria()
        self.loaded = {int(i): float(w) for i, w in zip(self.criteria["id"], self.criteria["weight"], strict=True)}
        self.sliders = weight_sliders(self.criteria, self._moved, "180px")
        self.box.children = list(self.sliders.values())
        self.save_button.disabled = not self.sliders
        self._draw()

    def weights(self) -> dict[int, float]:
        return {cid: float(s.value) for cid, s in self.sliders.items()}

    def shares(self) -> pd.Series:
        """The normalised weights the sliders show now (0–1, by criterion name)."""
        return charts_plan.normalised_weights(self.criteria, self.weights())

    def _draw(self) -> None:
        self.chart.show(charts_plan.weights_chart(self.criteria, self.weights()))

    def _moved(self, _change) -> None:
        self._draw()
        self.status.show("Not saved yet: press Save weights to keep these weights.", "info")

    def _save(self) -> str:
        message = save_weights(self.wb, self.weights(), loaded=self.loaded)
        self.loaded = self.weights()
        if self.on_change:
            self.on_change()
        return message

    def _keep_theirs(self, error) -> str:
        self.refresh()
        return "Kept theirs: the sliders show the weights as saved now."

    def _save_mine(self, error) -> str:
        self.loaded = {**self.loaded, **error.theirs}
        return self._save()


class CriteriaForm(RecordEditor):
    """Add, edit, archive and unarchive criteria; ``suggestions`` and ``weights`` are parts shown in their own cells."""

    table_name, noun, a_noun, label = "criteria", "criterion", "a criterion", "name"
    pick_description = "Criterion"
    empty = "No criteria yet. Add your own above or pick suggestions below."

    def __init__(self, wb: Workbook):
        super().__init__(wb)
        self.name = text_field("Name", "e.g. Pay")
        self.description = text_field(
            "What it means to you", "e.g. at least what I earn now within two years", long=True
        )
        self.weight = widgets.FloatText(value=1.0, description="Weight (0–100)", style=WIDE)
        self.view = self._layout([self.name, self.description, self.weight])
        self.suggestions = SuggestedCriteria(wb, on_change=self.refresh)
        self.weights = WeightsPanel(wb, on_change=self.refresh)
        self._refresh_form()

    def refresh(self) -> None:
        """Reload the form, the table, the suggestions and the sliders from the workbook."""
        self._refresh_form()
        self.suggestions.refresh()
        self.weights.refresh()

    def _refresh_form(self) -> None:
        every = self.wb.criteria(include_archived=True)
        criteria = every[~every["archived"].astype(bool)] if not every.empty else every
        self._reload_pick(criteria)
        self._reload_archived(every)
        shown = criteria
        if not criteria.empty:
            total = criteria["weight"].sum()
            shown = criteria.assign(  # as the report shows them: 3, 25%
                weight=[f"{w:g}" for w in criteria["weight"]],
                share=[percent(w / total) if total > 0 else percent(0) for w in criteria["weight"]],
                description=criteria["description"].str.replace("\n", " "),
            )
        self.table.show(shown, ["name", "weight", "share", "description"])

    def _fill(self, row: dict) -> None:
        self.name.value = row.get("name", "")
        self.description.value = row.get("description", "")
        self.weight.value = row.get("weight", 1.0)

    def _values(self) -> dict:
        return dict(name=self.name.value.strip(), description=self.description.value.strip(), weight=self.weight.value)
