"""The insight editor the capture and evidence forms share (notebook 05).

One piece of evidence at a time: option × criterion × stance × confidence ×
source, who said it (and, for a second-hand claim, whose view it is), a short
quote, and whether it goes against what the person hoped. ``CaptureForm``
ties it to the conversation it shows (``conversation_id``); ``EvidenceForm``
uses it without one, for reviews, postings and research.
"""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from ..errors import ValidationError
from ..formatting import signed
from ..store import vocab
from ..store.workbook import Workbook
from .base import StatusLine, TableView, auto_width, choices, cut, guarded, set_choices, text_field, vocab_choices

STANCE_LABELS = {-2: "−2 strongly against", -1: "−1 against", 0: "0 neutral", 1: "+1 for", 2: "+2 strongly for"}
#: A stance inside a sentence: "evidence for UX research on Pay (+1)".
STANCE_WORDS = {-2: "strongly against", -1: "against", 0: "neutral about", 1: "for", 2: "strongly for"}


def insights_frame(wb: Workbook, table: pd.DataFrame) -> pd.DataFrame:
    """Insights with option and criterion names, for showing (long notes cut)."""
    if table.empty:
        return table
    titles = wb.options(include_archived=True).set_index("id")["title"]
    names = wb.criteria(include_archived=True).set_index("id")["name"]
    return pd.DataFrame(
        {
            "option": [cut(titles.get(i, "?")) for i in table["option_id"]],
            "criterion": [cut(names.get(i, "?")) for i in table["criterion_id"]],
            "stance": [STANCE_LABELS[int(s)] for s in table["stance"]],
            "confidence": table["confidence"].to_numpy(),
            "source": [str(v).replace("-", " ") for v in table["source"]],
            "against hopes": ["yes" if a else "no" for a in table["against_hopes"]],
            "note": [cut(n) for n in table["note"]],
        }
    )


class InsightEditor:
    """Option × criterion × stance × confidence × source, with a short quote; saves one insight at a time."""

    def __init__(
        self,
        wb: Workbook,
        status: StatusLine,
        *,
        sources: dict[str, str] = vocab.SOURCES,
        default_source: str = "interview",
    ):
        self.wb = wb
        self.status = status
        self.conversation_id: int | None = None
        self.latest = 10  # without a conversation, show only the latest insights from other sources
        self.option = widgets.Dropdown(description="Option", layout=widgets.Layout(width="95%"))
        self.criterion = widgets.Dropdown(description="Criterion", layout=widgets.Layout(width="95%"))
        self.stance = widgets.ToggleButtons(
            description="Stance",
            options=[(label, v) for v, label in STANCE_LABELS.items()],
            value=None,
            style={"button_width": "auto"},
        )
        self.confidence = widgets.ToggleButtons(
            description="Confidence",
            options=vocab_choices(vocab.CONFIDENCE),
            value="medium",
            style={"button_width": "auto"},
        )
        self.source = widgets.Dropdown(
            description="Source",
            options=vocab_choices(sources),
            value=default_source,
            layout=widgets.Layout(width="95%"),
        )
        self.contact = widgets.Dropdown(description="Who said it", layout=widgets.Layout(width="95%"))
        # A second-hand claim counts with the person it came from: then three people repeating one
        # person's view are one source, not three.
        self.heard_from = widgets.Dropdown(
            description="Whose view", layout=widgets.Layout(width="95%"), style={"description_width": "initial"}
        )
        self.source.observe(lambda _: self._show_heard_from(), names="value")
        self.quote = text_field("Short quote or note", "what you heard or read, in a sentence or two", long=True)
        self.against_hopes = widgets.Checkbox(
            indent=False, layout=auto_width(), description="This goes against what I hoped for this option"
        )
        self.save = widgets.Button(description="Save insight", button_style="primary", icon="save", layout=auto_width())
        self.table = TableView(empty="No insights recorded here yet.")
        self.save.on_click(lambda _: guarded(self.status, self._save))
        self.fields = [
            self.option,
            self.criterion,
            self.stance,
            self.confidence,
            self.source,
            self.heard_from,
            self.quote,
            self.against_hopes,
            self.save,
        ]
        self.view = widgets.VBox([*self.fields, self.table])
        self.reload()

    def reload(self) -> None:
        """Refresh the option, criterion and contact lists, keeping what is selected."""
        set_choices(self.option, choices(self.wb.options(), "title"), keep=self.option.value)
        set_choices(self.criterion, choices(self.wb.criteria(), "name"), keep=self.criterion.value)
        contacts = self.wb.contacts()  # with nobody in particular first, chosen when the one kept is gone
        set_choices(self.contact, choices(contacts, "name", none="(not a particular person)"), keep=self.contact.value)
        set_choices(
            self.heard_from, choices(contacts, "name", none="(someone not in my contacts)"), keep=self.heard_from.value
        )
        self._show_heard_from()

    def _show_heard_from(self) -> None:
        """The "whose view" choice only for second-hand notes."""
        self.heard_from.layout.display = None if self.source.value == "second-hand" else "none"

    def _save(self) -> str:
        if self.option.value is None:
            raise ValidationError("option", "there are no options yet; add one first (notebook 01)")
        if self.criterion.value is None:
            raise ValidationError("criterion", "there are no criteria yet; add one first (notebook 01)")
        if self.stance.value is None:
            raise ValidationError("stance", "choose how strongly this speaks for or against the option")
        extra = {}
        if self.conversation_id is None and self.contact.value is not None:
            extra["contact_id"] = self.contact.value
        if self.source.value == "second-hand" and self.heard_from.value is not None:
            extra["heard_from"] = self.heard_from.value
        self.wb.add_insight(
            self.option.value,
            self.criterion.value,
            self.stance.value,
            confidence=self.confidence.value,
            source=self.source.value,
            note=self.quote.value,
            conversation_id=self.conversation_id,
            against_hopes=self.against_hopes.value,
            **extra,
        )
        stance = STANCE_WORDS[self.stance.value]
        self.stance_saved = self.stance.value
        criterion = cut(self.wb.get("criteria", self.criterion.value)["name"])
        option = cut(self.wb.get("options", self.option.value)["title"])
        self.quote.value = ""
        self.against_hopes.value = False
        self.stance.value = None
        self.show_table()
        number = signed(self.stance_saved, 0) if self.stance_saved else "0"
        return f"Saved: evidence {stance} {option} on {criterion} ({number}). Add another, or move on."

    def show_table(self) -> None:
        """The insights of this conversation; without one, the latest from other sources."""
        latest = None if self.conversation_id is not None else self.latest
        ins = self.wb.insights()
        if not ins.empty:
            if self.conversation_id is not None:
                ins = ins[ins["conversation_id"] == self.conversation_id]
            else:
                ins = ins[ins["conversation_id"].isna()]
        self.table.show(insights_frame(self.wb, ins if latest is None else ins.tail(latest)))
