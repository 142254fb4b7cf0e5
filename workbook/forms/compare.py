"""The comparison view for notebook 06: weight sliders, live scores and chances, the next conversations.

:class:`CompareForm` shows one slider per criterion (starting at the stored
weights). Moving a slider recomputes the comparison with those weights and
redraws the charts and tables; nothing is saved until *Save these weights* is
pressed. ``result`` and ``next_frame`` hold the latest answers, so the form
can be driven and checked without a browser. Nothing here calls ``display()``.
"""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from ..charts import evidence as charts
from ..charts.plan import png
from ..formatting import signed
from ..store.workbook import Workbook
from .base import StatusLine, TableView, guarded, save_weights, weight_sliders

#: Columns of the readable results table.
RESULT_COLUMNS = ["option", "score", "90% interval", "chance of being best", "notes", "independent sources"]
NEXT_COLUMNS = ["option", "criterion", "why this one", "who could tell you"]


def _signed(x: float) -> str:
    return signed(x, digits=2)


def result_table(result: pd.DataFrame) -> pd.DataFrame:
    """``compare``'s frame in words and rounded numbers, best supported first."""
    return pd.DataFrame(
        {
            "option": result["title"].to_numpy(),
            "score": [_signed(s) for s in result["score"]],
            "90% interval": [
                f"{_signed(lo)} to {_signed(hi)}" for lo, hi in zip(result["low"], result["high"], strict=True)
            ],
            "chance of being best": [f"{100 * p:.0f}%" for p in result["p_best"]],
            "notes": result["n_insights"].to_numpy(),
            "independent sources": result["n_sources"].to_numpy(),
        },
        columns=RESULT_COLUMNS,
    )


def next_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``next_conversations``' frame with plain column names."""
    return pd.DataFrame(
        {
            "option": frame["option"].to_numpy(),
            "criterion": frame["criterion"].to_numpy(),
            "why this one": frame["reason"].to_numpy(),
            "who could tell you": [c or "—" for c in frame["contacts"]],
        },
        columns=NEXT_COLUMNS,
    )


def sensitivity_table(sens: pd.DataFrame) -> pd.DataFrame:
    """``sensitivity``'s frame in words: the criterion, its weight now, and what would change the leader."""
    return pd.DataFrame(
        {
            "criterion": sens["criterion"].to_numpy(),
            "weight now": [f"{w:g}" for w in sens["weight"]],
            "can change the leader": ["yes" if c else "no" for c in sens["changes_leader"]],
            "what it would take": sens["note"].to_numpy(),
        }
    )


def sensitivity_view(sens: pd.DataFrame) -> TableView:
    """An escaped table widget of :func:`sensitivity_table` (for a notebook cell)."""
    view = TableView(empty="Nothing to show yet: add options and criteria with weights first.")
    view.show(sensitivity_table(sens))
    return view


class CompareForm:
    """Weight sliders with live charts and tables. ``view`` is the main widget, ``next_view`` the next conversations."""

    def __init__(self, wb: Workbook, *, draws: int = 2000, seed: int = 0, n_next: int = 5):
        self.wb = wb
        self.draws, self.seed, self.n_next = draws, seed, n_next
        self.sliders: dict[int, widgets.FloatSlider] = {}
        self.result = pd.DataFrame()
        self.next_frame = pd.DataFrame()
        self.slider_box = widgets.VBox()
        wide = widgets.Layout(width="auto")
        self.save_button = widgets.Button(
            description="Save these weights", button_style="primary", icon="check", layout=wide
        )
        self.reset_button = widgets.Button(description="Back to saved weights", icon="undo", layout=wide)
        self.status = StatusLine()
        layout = widgets.Layout(max_width="560px", width="100%")
        self.scores_image = widgets.Image(format="png", layout=layout)
        self.p_best_image = widgets.Image(format="png", layout=layout)
        self.table = TableView(empty="No career options yet: add them in notebook 01.")
        self.next_conversations = TableView(empty="Nothing to suggest yet: add options and criteria first.")
        self.save_button.on_click(lambda _: guarded(self.status, self._save))
        self.reset_button.on_click(lambda _: self.refresh())
        self.view = widgets.VBox(
            [
                self.slider_box,
                widgets.HBox([self.save_button, self.reset_button]),
                self.status,
                widgets.HBox([self.scores_image, self.p_best_image], layout=widgets.Layout(flex_flow="row wrap")),
                self.table,
            ]
        )
        self.next_view = widgets.VBox([self.next_conversations])
        self.refresh()

    def refresh(self) -> None:
        """Sliders back to the stored weights, and everything recomputed."""
        self.criteria = self.wb.criteria()
        self.sliders = weight_sliders(self.criteria, self._moved, "200px")
        self.slider_box.children = list(self.sliders.values())
        self.save_button.disabled = self.reset_button.disabled = not self.sliders
        if not self.sliders:
            self.status.show("No criteria yet: add what matters to you in notebook 01, then come back.", "info")
        else:
            self.status.clear()
        self.update()

    def weights(self) -> dict[int, float]:
        """The weights the sliders show now (criterion id -> weight)."""
        return {cid: float(s.value) for cid, s in self.sliders.items()}

    def update(self) -> None:
        """Recompute the comparison and the next conversations with the sliders' weights, and redraw."""
        weights = self.weights() or None
        self.result = self.wb.compare(weights=weights, draws=self.draws, seed=self.seed)
        self.next_frame = self.wb.next_conversations(n=self.n_next, weights=weights)
        self.scores_image.value = png(charts.scores_chart(self.result))
        self.p_best_image.value = png(charts.p_best_chart(self.result))
        self.table.show(result_table(self.result))
        self.next_conversations.show(next_table(self.next_frame))

    def _moved(self, _change) -> None:
        self.update()
        self.status.show("These weights are not saved: press “Save these weights” to keep them.", "info")

    def _save(self) -> str:
        return save_weights(self.wb, self.weights())
