"""The comparison view for notebook 06: weight sliders, the verdict in words, scores, ranks, next conversations.

Every figure is in words (:mod:`workbook.report.words`, the same wording as the
report): "no evidence" instead of a chance for an option nobody has told you
about, the chance of being good at all beside the chance of being best, people
heard counted as people, the share of what matters with evidence, thin evidence
named, and the expected loss in steps of the scale with what it means.

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
from ..report import words
from ..store.workbook import Workbook
from .base import ChartView, ConflictPanel, StatusLine, TableView, guarded, no_maths, save_weights, weight_sliders

#: Columns of the readable results table.
RESULT_COLUMNS = [
    "option",
    "score",
    "90% interval",
    "chance good at all",
    "chance best",
    "expected loss if chosen",
    "heard from",
    "evidence on",
    "notes",
    "read with care",
]
NEXT_COLUMNS = ["talk to", "about", "why this one", "chance it changes the decision", "worth it"]


def result_table(result: pd.DataFrame, thresholds: dict[str, float] | None = None) -> pd.DataFrame:
    """``compare``'s frame in words, in the engine's order (options with evidence first).

    An option without evidence shows "no evidence" instead of a score or a chance; thin evidence is
    named in "read with care"; the expected loss is in steps of the scale (see :data:`words.MEANINGS`).
    """
    rows = words.comparison_words(result, thresholds)
    return pd.DataFrame(
        {
            "option": [r["title"] for r in rows],
            "score": [r["score"] for r in rows],
            "90% interval": [r["interval"].replace(" to ", "\u00a0to\u00a0") for r in rows],  # never split
            "chance good at all": [r["p_good"] for r in rows],
            "chance best": [r["p_best"] for r in rows],
            "expected loss if chosen": [r["loss"] for r in rows],
            "heard from": [r["sources"] for r in rows],
            "evidence on": [r["covered"] for r in rows],
            "notes": [r["notes"] for r in rows],
            "read with care": [r["trust"] for r in rows],
        },
        columns=RESULT_COLUMNS,
    )


def next_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``next_conversations``' frame per person, in words: who, about which options, why, how likely, worth it."""
    rows = [words.next_words(r) for r in frame.to_dict("records")]
    return pd.DataFrame(
        {
            "talk to": [r["who"] for r in rows],
            "about": [r["about"] for r in rows],
            "why this one": [r["why"] for r in rows],
            "chance it changes the decision": [r["p_change"] for r in rows],
            "worth it": [r["worth"] for r in rows],
        },
        columns=NEXT_COLUMNS,
    )


def _paragraphs(texts: list[str], note: bool = True) -> str:
    style = ' style="color:#555;font-size:92%;margin:2px 0"' if note else ""
    return "".join(f"<p{style}>{html.escape(t)}</p>" for t in texts)


def legend_html(thresholds: dict[str, float] | None = None) -> str:
    """What each column of the results table means, as escaped HTML paragraphs."""
    return '<div class="cw-legend">' + _paragraphs(words.meanings(thresholds)) + "</div>"


def next_legend_html() -> str:
    """What the next-conversations table's figures mean, as escaped HTML paragraphs."""
    return '<div class="cw-legend">' + _paragraphs(list(words.NEXT_MEANINGS.values())) + "</div>"


def verdict_html(decision: evidence.Decision) -> str:
    """The verdict (its kind in a few words, the headline, the details), whether the intervals rest on an
    assumption, the stop rule and any warning, as escaped HTML paragraphs."""
    label = words.VERDICT_LABELS.get(decision.verdict.kind, "")
    lines = [f'<p style="color:#0a5a8c;margin-bottom:0">{html.escape(label)}</p>'] if label else []
    lines.append(f"<p><strong>{html.escape(decision.verdict.headline)}</strong></p>")
    lines += [f"<p>{html.escape(d)}</p>" for d in decision.verdict.details]
    assumed = words.noise_sentence(decision)
    if assumed:
        lines.append(f"<p>{html.escape(assumed)}</p>")
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


#: Shown instead of the sensitivity table while no option has evidence (there is no leader to overtake).
NO_LEADER = "Nothing to show yet: no option has evidence, so no path leads and no weight can change that."


def sensitivity_view(data: pd.DataFrame | Workbook) -> TableView:
    """An escaped table widget of :func:`sensitivity_table` (for a notebook cell).

    ``data``: ``evidence.sensitivity_for(snap)``'s frame, or the workbook itself — then, while no option has any
    evidence, the table says so instead of naming a leader nobody has told you about.
    """
    view = TableView(empty="Nothing to show yet: add options and criteria with weights first.")
    if isinstance(data, Workbook):
        snap = data.snapshot()
        scores = evidence.compare_for(snap)
        if len(scores) and not (scores["n_sources"] > 0).any():
            view.empty = NO_LEADER
            view.show(pd.DataFrame())
            return view
        data = evidence.sensitivity_for(snap)
    view.show(sensitivity_table(data))
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
        self.scores_image = ChartView(layout=layout)
        self.ranks_image = ChartView(layout=layout)
        self.table = TableView(empty="No career options yet: add them in notebook 01.")
        self.legend = widgets.HTML()
        self.next_conversations = TableView(empty="Nothing to suggest yet: add options and criteria first.")
        self.next_legend = widgets.HTML(next_legend_html())
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
                self.legend,
            ]
        )
        self.next_view = widgets.VBox([self.next_conversations, self.next_legend])
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
        self.decision = evidence.decide_for(
            self.wb.snapshot(), weights=weights, n=self.n_next, draws=self.draws, seed=self.seed
        )
        self.result = self.decision.scores
        self.next_frame = self.decision.next
        known = self.result["n_sources"] > 0
        thresholds = self.wb.setting(evidence.engine.THRESHOLDS_SETTING)
        self.verdict.value = verdict_html(self.decision)
        self.scores_image.show(charts.scores_chart(self.result))
        self.ranks_image.show(charts.ranks_chart(evidence.ranks_frame(self.decision.analysis), known=known))
        self.table.show(result_table(self.result, thresholds))
        self.legend.value = legend_html(thresholds) if len(self.result) else ""
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
