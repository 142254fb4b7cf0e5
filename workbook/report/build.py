"""The shareable HTML report, built from the workbook's data.

``build_report(wb)`` renders the Jinja2 templates shipped in
``workbook/report/templates`` with autoescape on, so every piece of user text is
escaped. The result is one self-contained file: CSS in a ``<style>`` block,
charts as ``data:`` URIs, no scripts and nothing fetched from the internet.

Contacts are private by default (see :class:`Privacy`): they appear as role
and organisation, and names, emails and profile links are taken out of
quotes. ``names=True`` shows names. Conversation notes and notes
about contacts are never shown; insight notes are the quotes.

The sections' content comes from :mod:`workbook.report.sections`, the
privacy rules from :mod:`workbook.report.privacy`; this module reads the
workbook once, draws the charts and renders the templates.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import evidence, files, parallel, paths
from ..charts import evidence as charts
from ..errors import ValidationError
from ..evidence import summary as evidence_summary
from ..store.snapshot import Snapshot
from ..store.workbook import Workbook
from . import templating, usertext, words
from .privacy import Privacy
from .sections import (
    PEOPLE_PER_OPTION,
    QUOTES_PER_OPTION,
    TOP_OPTIONS,
    first_steps,
    next_steps,
    option_details,
    outreach,
    quoted_notes,
    ranking,
    summary,
)

if TYPE_CHECKING:
    import pandas as pd

#: Rows of the compact table of the other options.
MAX_COMPACT_ROWS = 300
#: A chart larger than this as SVG is embedded as PNG instead.
MAX_SVG_BYTES = 300_000
#: Options drawn in the report's charts when the workbook has more than ``charts.MAX_OPTIONS`` (the compact
#: table lists them all; smaller charts are quicker to draw and to read); each title says how many are shown.
REPORT_CHART_OPTIONS = 10
#: Charts drawn beside the rest of the report when it may be (:mod:`workbook.parallel`): four of the six take
#: about as long as the rest of the page (the next conversations, the other two charts, the sections).
DRAWN_ASIDE = ("scores", "evidence", "sensitivity", "coverage")

DEFAULT_TITLE = "Career options: what the evidence says"


# ------------------------------------------------------------------- charts
def figure_data_uri(fig: Any) -> str:
    """A matplotlib Figure as a ``data:`` URI: SVG (text kept as text), or PNG when the SVG is large."""
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "career-workbook"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    data, mime = buffer.getvalue(), "image/svg+xml"
    if len(data) > MAX_SVG_BYTES:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
        data, mime = buffer.getvalue(), "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _figure_title(fig: Any, key: str) -> str:
    titles = [fig.get_suptitle()] if hasattr(fig, "get_suptitle") else []
    for ax in fig.axes:
        titles += [ax.get_title(loc) for loc in ("left", "center")]
    return next((t for t in titles if t and t.strip()), "") or key.replace("_", " ").capitalize()


def _chart(key: str, fig: Any) -> dict[str, str]:
    """A chart for the page: its title (shown under it), its picture, and its text alternative with the numbers."""
    from ..charts.plotstyle import text_alternative

    title = _figure_title(fig, key)
    return {"key": key, "title": title, "alt": text_alternative(fig) or title, "src": figure_data_uri(fig)}


def chart_list(data: Workbook | Snapshot) -> list[dict[str, str]]:
    """The evidence engine's charts as ``{key, title, alt, src}``: ``src`` a data URI, ``alt`` what it shows."""
    snap = data if isinstance(data, Snapshot) else data.snapshot()
    return [_chart(key, draw()) for key, draw in _chart_makers(snap).items()]


def _chart_makers(snap: Snapshot) -> dict[str, Any]:
    most = REPORT_CHART_OPTIONS if len(snap.options()) > charts.MAX_OPTIONS else charts.MAX_OPTIONS
    return charts.chart_makers(snap, max_options=most)


# ------------------------------------------------------------------ context
def report_context(
    wb: Workbook,
    *,
    names: bool = False,
    title: str | None = None,
    today: dt.date | None = None,
    with_charts: bool = True,
    template: str | None = None,
) -> dict[str, Any]:
    """Everything the templates show, as plain values, from one snapshot of ``wb`` (each table read once).

    ``template``: the page these values are for, compiled meanwhile (while charts are drawn in a second process).
    """
    with wb.snapshot() as snap:
        return _context(snap, names, title, today or dt.date.today(), with_charts, template)


def _context(
    snap: Snapshot, names: bool, title: str | None, today: dt.date, with_charts: bool, template: str | None
) -> dict[str, Any]:
    privacy = Privacy(snap.contacts(include_archived=True), names=names)
    usertext.guard_tables(snap, privacy)  # every text read from here on is scrubbed, without bidi controls
    options, criteria, insights = snap.options(), snap.criteria(), snap.evidence_rows()  # notes stay on disk
    makers = _chart_makers(snap) if with_charts and len(options) and len(criteria) else {}
    # The analysis is done: some charts are drawn in a second process while this one builds the rest, when
    # the command line runs on a machine with a core to spare (see workbook.parallel); else they are drawn here.
    aside = [key for key in makers if key in DRAWN_ASIDE]
    with parallel.aside(lambda: [_chart(key, makers[key]()) for key in aside], fork=bool(aside)) as job:
        context = _sections(snap, privacy, options, criteria, insights, names, title, today, with_charts)
        drawn = {key: _chart(key, draw()) for key, draw in makers.items() if key not in aside}
        if template:
            templating.prepare(template)
        drawn.update(zip(aside, job.result(), strict=True))
    context["charts"] = [drawn[key] for key in makers]
    return usertext.guard_context(context, privacy, usertext.user_texts(snap, privacy))


def _sections(
    snap: Snapshot,
    privacy: Privacy,
    options: pd.DataFrame,
    criteria: pd.DataFrame,
    insights: pd.DataFrame,
    names: bool,
    title: str | None,
    today: dt.date,
    with_charts: bool,
) -> dict[str, Any]:
    """What the templates show besides the evidence charts (``charts`` is left empty)."""
    rank = ranking(snap, options)
    thresholds = evidence.decisions.check_thresholds(snap.setting(evidence.engine.THRESHOLDS_SETTING))
    said = {r["option_id"]: r for r in words.comparison_words(rank, thresholds)}  # each option's figures in words
    top = list(rank.index[:TOP_OPTIONS])  # shown in full; the others only in the compact table
    counts = evidence_summary.evidence_counts(
        options[options["id"].isin(top)], criteria, insights[insights["option_id"].isin(top)]
    )
    cells = evidence.cells_for(snap)
    wb_counts = snap.counts()
    compact = rank.iloc[TOP_OPTIONS:]
    return {
        "title": title or DEFAULT_TITLE,
        "workbook_name": "unsaved workbook" if snap.in_memory else snap.path.stem,
        "date_iso": today.isoformat(),
        "date_text": f"{today.day} {today:%B %Y}",
        "names": names,
        "counts": wb_counts,
        "first_steps": first_steps(wb_counts),
        "summary": summary(evidence.decide_for(snap), criteria, cells),
        "thresholds": thresholds,
        "meanings": words.meanings(thresholds),
        "next_meanings": list(words.NEXT_MEANINGS.values()),
        "criteria": [
            {
                "name": c.name,
                "weight": float(c.weight),
                "description": c.description,
                "share": float(c.weight) / max(float(criteria["weight"].sum()), 1e-9),
            }
            for c in criteria.itertuples()
        ],
        "top_options": option_details(
            rank, options, criteria, insights, counts, privacy, quoted_notes(snap, top), said
        ),
        "other_options": [
            {
                "title": r.title,
                "score": r.score,
                "low": r.low,
                "high": r.high,
                "p_best": r.p_best,
                "insights": int(r.insights),
                "said": said[int(oid)],
            }
            for oid, r in zip(
                compact.index[:MAX_COMPACT_ROWS], compact.head(MAX_COMPACT_ROWS).itertuples(), strict=True
            )
        ],
        "other_options_more": max(0, len(compact) - MAX_COMPACT_ROWS),
        "charts": [],  # filled in by _context
        "outreach": outreach(snap, options, render=_chart if with_charts else None),
        "next_steps": next_steps(snap, privacy),
    }


def build_report(wb: Workbook, *, names: bool = False, title: str | None = None) -> str:
    """The report as one self-contained HTML document (a string)."""
    return templating.render("report.html", **report_context(wb, names=names, title=title, template="report.html"))


def default_report_path(wb: Workbook, *, names: bool = False, today: dt.date | None = None) -> Path:
    """``reports/<workbook>-report-<date>.html`` next to the workbook file."""
    if wb.in_memory:
        raise ValidationError("path", "this workbook is not saved in a file; say where to write the report")
    stamp = (today or dt.date.today()).isoformat()
    return wb.path.parent / "reports" / f"{wb.path.stem}-report-{stamp}{'-with-names' if names else ''}.html"


def report_path(wb: Workbook, path: str | os.PathLike | None = None, *, names: bool = False) -> Path:
    """Where a report goes: ``path``, a file of the default name inside ``path`` if it is a folder, or the default."""
    if not path:
        return default_report_path(wb, names=names)
    target = Path(path).expanduser()
    return target / default_report_path(wb, names=names).name if target.is_dir() else target


def save_report(
    document: str,
    target: str | os.PathLike,
    protect: Iterable[str | os.PathLike | None] = (),
    *,
    names: bool = False,
) -> Path:
    """Write a built report to ``target``: a private file (``0600``, new folders ``0700``), replaced in one step.

    Refused (nothing written) when ``target`` is the workbook, one of the files in
    ``protect``, or any SQLite file such as a backup (see :mod:`workbook.files`).
    A report without names (``names`` False) saved straight into the folder shared
    with a coach (:func:`workbook.paths.shared_dir`) is ``0640``, so the hub's
    shared-reports service, which owns that folder's group, can read it; nothing
    else is ever readable by it.
    """
    return files.write_text(target, document, protect, mode=report_mode(target, names=names))


def report_mode(target: str | os.PathLike, *, names: bool) -> int:
    """``0640`` for a report without names going straight into the shared folder, else ``0600``."""
    shared = paths.shared_dir()
    if names or shared is None:
        return files.PRIVATE_FILE
    folder = Path(target).expanduser().parent
    return files.SHARED_FILE if files.same_file(folder, shared) else files.PRIVATE_FILE


def write_report(wb: Workbook, path: str | os.PathLike | None = None, *, names: bool = False) -> Path:
    """Build the report and write it to ``path`` (default: :func:`default_report_path`); returns the path.

    A ``path`` that is the workbook or a backup of it is refused before anything is built.
    """
    target = report_path(wb, path, names=names)
    protect = [None if wb.in_memory else wb.path]
    files.check_output(target, protect)
    return save_report(build_report(wb, names=names), target, protect, names=names)


__all__ = [
    "PEOPLE_PER_OPTION",
    "QUOTES_PER_OPTION",
    "TOP_OPTIONS",
    "Privacy",
    "build_report",
    "chart_list",
    "default_report_path",
    "figure_data_uri",
    "first_steps",
    "next_steps",
    "option_details",
    "outreach",
    "quoted_notes",
    "ranking",
    "report_context",
    "report_mode",
    "report_path",
    "save_report",
    "summary",
    "write_report",
]
