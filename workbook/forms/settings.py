"""The settings form of notebook 08: everything a user may want to change, without code.

The follow-up routine (:mod:`workbook.outreach.cadence`), the coverage aim
(:mod:`workbook.people.coverage`) and the evidence engine's settings (how much
each source counts, the decision thresholds, how firmly weights are held, and
what one conversation costs you, which sets when the workbook says more
conversations are not worth having). Each value is checked by the rule its own
module uses; an error names the field as the form shows it, and nothing is
written unless every value is allowed. A value equal to its default is not
stored, so a later change of the default applies; **Back to defaults** forgets
every stored value. A save is refused when a value changed elsewhere since the
form loaded it (another page or a restored backup): the form shows both
versions and lets the person choose. Nothing here calls ``display()``.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import traitlets

from ..errors import ChangedElsewhereError, ValidationError
from ..evidence import engine
from ..evidence.decisions import DECISION_THRESHOLDS, check_thresholds
from ..evidence.model import SOURCE_RELIABILITY, resolve_reliability
from ..evidence.ranking import WEIGHT_CONCENTRATION, check_concentration
from ..evidence.voi import CONVERSATION_COST, check_cost
from ..outreach.cadence import SETTINGS as CADENCE_SETTINGS
from ..outreach.cadence import Cadence
from ..people import coverage as _coverage
from ..store import vocab
from ..store.freshness import compare
from ..store.readable import Readable
from ..store.workbook import Workbook
from .base import WRAP_LABELS, ConflictPanel, StatusLine, guarded

#: Where a field's value is stored: a setting of its own, or one key of a setting holding a dict.
RELIABILITY = engine.RELIABILITY_SETTING
THRESHOLDS = engine.THRESHOLDS_SETTING
#: Settings earlier versions of the form wrote and nothing reads any more: saving or going back to the
#: defaults forgets them, so a stale value never lingers in the workbook.
RETIRED_KEYS = ("voi_threshold",)


@dataclass(frozen=True)
class Field:
    """One value of the form: its key (``setting`` or ``setting:part``), label, default and kind."""

    key: str
    label: str
    default: float
    whole: bool  # a whole number (else any number)
    help: str = ""

    @property
    def setting(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def part(self) -> str | None:
        return self.key.split(":", 1)[1] if ":" in self.key else None


_CADENCE = Cadence()

#: The sections of the form, each a heading, a sentence and its fields, in the order shown.
SECTIONS: list[tuple[str, str, list[Field]]] = [
    (
        "Follow-ups and thank-yous",
        "The 3B7 routine and the thank-you rule behind the due list of notebook 03 and `career-workbook due`.",
        [
            Field(
                CADENCE_SETTINGS["second_contact_days"],
                "Ask a second person after (business days)",
                _CADENCE.second_contact_days,
                True,
            ),
            Field(
                CADENCE_SETTINGS["follow_up_days"],
                "Follow up once after (business days)",
                _CADENCE.follow_up_days,
                True,
            ),
            Field(
                CADENCE_SETTINGS["thank_you_hours"], "Send a thank-you within (hours)", _CADENCE.thank_you_hours, True
            ),
        ],
    ),
    (
        "People per option",
        "The aim of the coverage table in notebook 02 and of the report: insiders known and people talked to.",
        [Field(_coverage.THRESHOLD_SETTING, "People per option (aim)", _coverage.DEFAULT_THRESHOLD, True)],
    ),
    (
        "How much each source counts",
        "From just above 0 (hardly counts) to 1 (counts fully): a first-hand interview counts fully.",
        [
            Field(f"{RELIABILITY}:{source}", f"How much counts: {label}", SOURCE_RELIABILITY[source], False)
            for source, label in vocab.SOURCES.items()
            if source in SOURCE_RELIABILITY
        ],
    ),
    (
        "When the comparison names a path",
        "Expected loss, on the −2..+2 scale: the evidence favours an option when choosing it risks less than the "
        "first number, leans towards it under the second, and calls it too close otherwise.",
        [
            Field(
                f"{THRESHOLDS}:favour", "Favours an option under (expected loss)", DECISION_THRESHOLDS["favour"], False
            ),
            Field(f"{THRESHOLDS}:lean", "Leans towards it under (expected loss)", DECISION_THRESHOLDS["lean"], False),
            Field(
                engine.CONCENTRATION_SETTING,
                "How firmly you hold your weights (higher: the what-ifs move them less)",
                WEIGHT_CONCENTRATION,
                False,
            ),
        ],
    ),
    (
        "When to stop asking",
        "Who to talk to next (notebook 06) weighs what a conversation could change against what it costs you.",
        [
            Field(
                engine.COST_SETTING,
                "What one conversation costs you (steps on the −2..+2 scale)",
                CONVERSATION_COST,
                False,
                help=(
                    "How much better your final choice must be expected to turn out, in steps of the scale, for "
                    "one more conversation to be worth your time and the other person's. Raise it when "
                    "conversations are hard to get: the workbook then says sooner that more of them are unlikely "
                    "to change the decision. Lower it when they are easy. From 0 to 2."
                ),
            ),
        ],
    ),
]
FIELDS: dict[str, Field] = {f.key: f for _, _, fields in SECTIONS for f in fields}
#: Every setting the form writes.
SETTING_KEYS: tuple[str, ...] = tuple(dict.fromkeys(f.setting for f in FIELDS.values()))


def defaults() -> dict[str, float]:
    """Every field's default value, by field key."""
    return {key: f.default for key, f in FIELDS.items()}


def current(wb: Readable) -> dict[str, float]:
    """Every field's value in ``wb``: what is stored, else the default."""
    out = defaults()
    for key, f in FIELDS.items():
        stored = wb.setting(f.setting)
        if f.part is not None:
            stored = stored.get(f.part) if isinstance(stored, dict) else None
        if stored is not None:
            out[key] = stored
    return out


def _number(f: Field, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f.label, f"{value!r} is not a number")
    if f.whole:
        if isinstance(value, float) and not value.is_integer():
            raise ValidationError(f.label, f"{value!r} is not a whole number")
        return int(value)
    return float(value)


@contextlib.contextmanager
def _labelled(key: str) -> Iterator[None]:
    """Re-raise a rule's ValidationError with the field named as the form shows it."""
    try:
        yield
    except ValidationError as exc:
        raise ValidationError(FIELDS[key].label, exc.reason) from None


_CADENCE_NAMES = {setting: name for name, setting in CADENCE_SETTINGS.items()}


def _check_one(key: str, value: float) -> None:
    """Check one field by the rule of the module that reads it (the decision thresholds' order apart)."""
    f = FIELDS[key]
    if f.setting in _CADENCE_NAMES:
        Cadence(**{_CADENCE_NAMES[f.setting]: int(value)})
    elif f.setting == _coverage.THRESHOLD_SETTING:
        _coverage.check_threshold(value)
    elif f.setting == RELIABILITY:
        resolve_reliability({str(f.part): value})
    elif f.setting == THRESHOLDS:
        check_thresholds({"favour": 0.0, "lean": 2.0, str(f.part): value})  # its range; the order comes after
    elif f.setting == engine.COST_SETTING:
        check_cost(value)
    elif f.setting == engine.CONCENTRATION_SETTING:
        check_concentration(value)
    else:  # pragma: no cover - every field has a rule above
        raise AssertionError(key)


def check(values: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The settings to store for the field ``values`` (by field key), each checked by its own module's rule.

    Fields missing from ``values`` take their value from ``base`` (default: the defaults). Values equal
    to their default are left out. Raises a :class:`ValidationError` whose field is the
    label the form shows; the reason is the rule's own.
    """
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError("settings", f"unknown field(s): {', '.join(sorted(unknown))}")
    full = {**(defaults() if base is None else base), **values}
    clean = {key: _number(FIELDS[key], v) for key, v in full.items()}

    for key, value in clean.items():
        with _labelled(key):
            _check_one(key, value)
    thresholds = {p: float(clean[f"{THRESHOLDS}:{p}"]) for p in DECISION_THRESHOLDS}
    try:
        check_thresholds(thresholds)
    except ValidationError as exc:
        favour, lean = (FIELDS[f"{THRESHOLDS}:{p}"].label for p in ("favour", "lean"))
        raise ValidationError(favour, f"must not be larger than “{lean}” ({exc.reason})") from None

    out: dict[str, Any] = {}
    for key, value in clean.items():
        f = FIELDS[key]
        if value == f.default:
            continue
        if f.part is None:
            out[f.setting] = value
        else:
            out.setdefault(f.setting, {})[f.part] = value
    return out


def save(wb: Workbook, values: dict[str, Any], loaded: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check ``values`` and store them in one transaction (defaults are forgotten, not stored).

    Fields not in ``values`` keep what the workbook holds. Returns the settings now stored. Nothing is
    written when any value is not allowed. ``loaded`` (field key -> value, as :func:`current` gave
    it) is what the form loaded: when a field's value changed since, nothing is written and
    :class:`~workbook.errors.ChangedElsewhereError` names the fields by their labels.
    """
    with wb.atomic():
        now = current(wb)
        if loaded is not None:
            labels = {key: f.label for key, f in FIELDS.items()}
            before = {key: v for key, v in loaded.items() if key in FIELDS}
            compare("settings", before, now, {**now, **values}, table="settings", labels=labels)
        stored = check(values, now)
        wb.delete_setting(*(k for k in (*SETTING_KEYS, *RETIRED_KEYS) if k not in stored))
        for key, value in stored.items():
            wb.set_setting(key, value)
    return stored


def reset(wb: Workbook) -> None:
    """Forget every setting the form writes (and the retired ones): the defaults apply again."""
    wb.delete_setting(*SETTING_KEYS, *RETIRED_KEYS)


_LABEL_WIDTH = "30em"
_LABELS = {key: f.label for key, f in FIELDS.items()}


class SettingsForm:
    """The settings as a form. ``fields`` (field key -> input) can be set in tests; ``view`` is shown."""

    def __init__(self, wb: Workbook, on_change: Callable[[], None] | None = None):
        self.wb = wb
        self.on_change = on_change
        self.fields: dict[str, widgets.FloatText | widgets.IntText] = {}
        rows: list[widgets.Widget] = []
        for heading, sentence, fields in SECTIONS:
            rows.append(widgets.HTML(f"<h4 style='margin:12px 0 2px'>{html.escape(heading)}</h4>"))
            rows.append(widgets.HTML(f"<p style='margin:0 0 4px'>{html.escape(sentence)}</p>"))
            for f in fields:
                cls = widgets.IntText if f.whole else widgets.FloatText
                box = cls(  # its label is its own, so a screen reader names the field (wrapped, see base.PAGE_STYLE)
                    value=f.default,
                    description=f"{f.label} (default {f.default:g})",
                    style={"description_width": _LABEL_WIDTH},
                    layout=widgets.Layout(width=f"calc({_LABEL_WIDTH} + 8em)"),
                )
                box.add_class(WRAP_LABELS)
                if not f.whole:
                    box.step = 0.01
                self.fields[f.key] = box
                rows.append(widgets.HBox([box], layout=widgets.Layout(align_items="center")))
                if f.help:
                    rows.append(
                        widgets.HTML(f"<p style='margin:0 0 6px;color:#555;max-width:44em'>{html.escape(f.help)}</p>")
                    )
        self.save_button = widgets.Button(
            description="Save settings", button_style="primary", icon="check", layout=widgets.Layout(width="auto")
        )
        self.defaults_button = widgets.Button(
            description="Back to defaults", icon="undo", layout=widgets.Layout(width="auto")
        )
        self.status = StatusLine()
        self.conflict = ConflictPanel(self.status, self._keep_theirs, self._save_mine, labels=_LABELS)
        #: Every field's value as the form loaded it: what a save checks against.
        self.loaded: dict[str, Any] = {}
        self.save_button.on_click(lambda _: guarded(self.status, self._save, self.conflict))
        self.defaults_button.on_click(lambda _: guarded(self.status, self._reset, self.conflict))
        self.view = widgets.VBox(
            [*rows, widgets.HBox([self.save_button, self.defaults_button]), self.status, self.conflict]
        )
        self.refresh()

    def values(self) -> dict[str, Any]:
        """What the inputs show now, by field key."""
        return {key: box.value for key, box in self.fields.items()}

    def refresh(self) -> None:
        """Show what the workbook holds (stored values, else the defaults)."""
        self.loaded = current(self.wb)
        for key, value in self.loaded.items():
            try:
                self.fields[key].value = value
            except traitlets.TraitError:  # a value stored by hand that the input cannot hold
                self.fields[key].value = FIELDS[key].default

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def _save(self) -> str:
        stored = save(self.wb, self.values(), loaded=self.loaded)
        self.refresh()
        self._changed()
        changed = sum(len(v) if isinstance(v, dict) else 1 for v in stored.values())
        if not changed:
            return "Saved: every setting is at its default."
        return f"Saved: {changed} setting(s) differ from the defaults. Run the other notebooks again to use them."

    def _reset(self) -> str:
        reset(self.wb)
        self.refresh()
        self._changed()
        return "Back to defaults: every setting is at its default value again."

    def _keep_theirs(self, error: ChangedElsewhereError) -> str:
        self.refresh()
        return "Kept theirs: the form shows the settings as saved now."

    def _save_mine(self, error: ChangedElsewhereError) -> str:
        self.loaded = {**self.loaded, **error.theirs}
        return self._save()
