"""The comparison view for notebook 06: weight sliders, the verdict in words, scores, ranks, next conversations.

:class:`CompareForm` shows one slider per criterion (starting at the stored
weights). Moving a slider recomputes the whole decision with those weights
(one analysis: scores, verdict, rank shares, next conversations) and redraws
the charts and tables; nothing is saved until *Save these weights* is
pressed. ``decision``, ``result`` and ``next_frame`` hold the latest answers,
so the form can be driven and checked without a browser. Nothing here calls
``display()``.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from .. import evidence
from ..charts import evidence as charts
from ..charts.plan import png
from ..evidence.decisions import check_thresholds
from ..formatting import signed
from ..store.workbook import Workbook
from .base import ConflictPanel, StatusLine, TableView, guarded, no_maths, save_weights, weight_sliders

#: Columns of the readable results table.
RESULT_COLUMNS = [
    "option",
    "score",
    "90% interval",
    "chance of being best",
    "expected loss if chosen",
    "notes",
    "independent sources",
]
NEXT_COLUMNS = ["talk to", "about", "why this one", "expected gain"]


def _signed(x: float) -> str:
    return signed(x, digits=2)


def _loss_words(loss: float, limits: dict[str, float]) -> str:
    level = "small" if loss <= limits["favour"] else "moderate" if loss <= limits["lean"] else "large"
    return f"{loss:.2f} ({level})"


def result_table(result: pd.DataFrame, thresholds: dict[str, float] | None = None) -> pd.DataFrame:
    """``compare``'s frame in words and rounded numbers, in the engine's order (options with evidence first)."""
    limits = check_thresholds(thresholds)
    known = result["n_sources"] > 0
    return pd.DataFrame(
        {
            "option": result["title"].to_numpy(),
            "score": [_signed(s) if k else "no evidence yet" for s, k in zip(result["score"], known, strict=True)],
            "90% interval": [
                f"{_signed(lo)} to {_signed(hi)}" for lo, hi in zip(result["low"], result["high"], strict=True)
            ],
            "chance of being best": [f"{100 * p:.0f}%" for p in result["p_best"]],
            "expected loss if chosen": [
                _loss_words(x, limits) if k else "—" for x, k in zip(result["expected_loss"], known, strict=True)
            ],
            "notes": result["n_insights"].to_numpy(),
            "independent sources": result["n_sources"].to_numpy(),
        },
        columns=RESULT_COLUMNS,
    )


def next_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``next_conversations``' frame with plain column names."""
    return pd.DataFrame(
        {
            "talk to": [c or "someone who does this work" for c in frame["contact"]],
            "about": frame["option"].to_numpy(),
            "why this one": frame["reason"].to_numpy(),
            "expected gain": [
                f"{v:.3f}" if w else f"{v:.3f} (too small to matter)"
                for v, w in zip(frame["value_round"], frame["worth_it"], strict=True)
            ],
        },
        columns=NEXT_COLUMNS,
    )


def verdict_html(decision: evidence.Decision) -> str:
    """The verdict, its details, the stop rule and any warning, as escaped HTML paragraphs."""
    lines = [f"<p><strong>{html.escape(decision.verdict.headline)}</strong></p>"]
    lines += [f"<p>{html.escape(d)}</p>" for d in decision.verdict.details]
    if decision.stop:
        lines.append(f"<p>{html.escape(decision.stop)}</p>")
    lines += [f'<p style="color:#8a4b00">⚠ {html.escape(w)}</p>' for w in decision.warnings["warning"]]
    return no_maths('<div class="cw-verdict">' + "".join(lines) + "</div>")


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
    """Weight sliders with the live verdict, charts and tables.

    ``view`` is the main widget, ``next_view`` the next conversations.
    """

    def __init__(self, wb: Workbook, *, draws: int = 2000, seed: int = 0, n_next: int = 5):
        self.wb = wb
        self.draws, self.seed, self.n_next = draws, seed, n_next
        self.sliders: dict[int, widgets.FloatSlider] = {}
        self.decision: evidence.Decision | None = None
        self.result = pd.DataFrame()
        self.next_frame = pd.DataFrame()
        self.slider_box = widgets.VBox()
        wide = widgets.Layout(width="auto")
        self.save_button = widgets.Button(
            description="Save these weights", button_style="primary", icon="check", layout=wide
        )
        self.reset_button = widgets.Button(description="Back to saved weights", icon="undo", layout=wide)
        self.status = StatusLine()
        self.conflict = ConflictPanel(self.status, self._keep_theirs, self._save_mine)
        #: The stored weights the sliders started from (criterion id -> weight): what a save checks against.
        self.loaded: dict[int, float] = {}
        self.verdict = widgets.HTML()
        layout = widgets.Layout(max_width="560px", width="100%")
        self.scores_image = widgets.Image(format="png", layout=layout)
        self.ranks_image = widgets.Image(format="png", layout=layout)
        self.table = TableView(empty="No career options yet: add them in notebook 01.")
        self.next_conversations = TableView(empty="Nothing to suggest yet: add options and criteria first.")
        self.save_button.on_click(lambda _: guarded(self.status, self._save, self.conflict))
        self.reset_button.on_click(lambda _: guarded(self.status, self._back_to_saved, self.conflict))
        self.view = widgets.VBox(
            [
                self.slider_box,
                widgets.HBox([self.save_button, self.reset_button]),
                self.status,
                self.conflict,
                self.verdict,
                widgets.HBox([self.scores_image, self.ranks_image], layout=widgets.Layout(flex_flow="row wrap")),
                self.table,
            ]
        )
        self.next_view = widgets.VBox([self.next_conversations])
        self.refresh()

    def refresh(self) -> None:
        """Sliders back to the stored weights, and everything recomputed."""
        self.criteria = self.wb.criteria()
        self.loaded = {int(i): float(w) for i, w in zip(self.criteria["id"], self.criteria["weight"], strict=True)}
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
        """Recompute the decision with the sliders' weights, and redraw."""
        weights = self.weights() or None
        self.decision = self.wb.decide(weights=weights, n=self.n_next, draws=self.draws, seed=self.seed)
        self.result = self.decision.scores
        self.next_frame = self.decision.next
        known = self.result["n_sources"] > 0
        self.verdict.value = verdict_html(self.decision)
        self.scores_image.value = png(charts.scores_chart(self.result))
        self.ranks_image.value = png(charts.ranks_chart(evidence.ranks_of(self.decision.analysis), known=known))
        self.table.show(result_table(self.result, self.wb.setting("decision_thresholds")))
        self.next_conversations.show(next_table(self.next_frame))

    def _moved(self, _change: object) -> None:
        self.update()
        self.status.show("These weights are not saved: press “Save these weights” to keep them.", "info")

    def _save(self) -> str:
        message = save_weights(self.wb, self.weights(), loaded=self.loaded)
        self.loaded = self.weights()
        return message

    def _back_to_saved(self) -> None:
        self.refresh()

    def _keep_theirs(self, error) -> str:
        self.refresh()
        return "Kept theirs: the sliders show the weights as saved now."

    def _save_mine(self, error) -> str:
        self.loaded = {**self.loaded, **error.theirs}
        return self._save()
