"""The shareable HTML report, built from the workbook's data.

``build_report(wb)`` renders the Jinja2 templates shipped in
``workbook/templates`` with autoescape on, so every piece of user text is
escaped. The result is one self-contained file: CSS in a ``<style>`` block,
charts as ``data:`` URIs, no scripts and nothing fetched from the internet.

Contacts are private by default (see :class:`Privacy`): they appear as role
and organisation, and names, emails and profile links are taken out of
quotes. ``names=True`` shows names. Conversation notes and notes
about contacts are never shown; insight notes are the quotes.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import functools
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from . import charts, charts_outreach, evidence, evidence_summary, vocab
from . import coverage as _coverage
from .errors import ValidationError
from .store import Workbook

#: Options shown in full (evidence per criterion and quotes); the rest go in a compact table.
TOP_OPTIONS = 6
#: Quotes shown per option.
QUOTES_PER_OPTION = 8
#: Rows of the compact table of the other options.
MAX_COMPACT_ROWS = 300
#: A chart larger than this as SVG is embedded as PNG instead.
MAX_SVG_BYTES = 300_000
#: Rule of thumb: talk to about this many people per option.
PEOPLE_PER_OPTION = 3

DEFAULT_TITLE = "Career options: what the evidence says"
_CONFIDENCE_ORDER = {"high": 0, "medium": 1, "low": 2}
_SOURCE_ORDER = {"interview": 0, "own-experience": 1, "second-hand": 2}


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("workbook", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda p: "–" if p is None or pd.isna(p) else f"{round(100 * float(p))}%"
    env.filters["num"] = lambda n: f"{int(n):,}"
    env.filters["signed"] = lambda x: "–" if x is None or pd.isna(x) else f"{float(x):+.1f}".replace("-", "−")
    return env


# ------------------------------------------------------------------ privacy
class Privacy:
    """How contacts appear: by name (``names=True``), or as role and organisation only.

    ``label(contact_id)`` is the attribution of a quote; ``scrub(text)`` takes
    every contact's name, email addresses and links out of a quote when names
    are off.
    """

    _WORD = re.compile(r"[^\W\d_][\w'’.-]*")
    _EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
    _URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io)/\S*", re.IGNORECASE)

    def __init__(self, contacts: pd.DataFrame, names: bool = False):
        self.names = names
        columns = [contacts[c].astype(str).tolist() for c in ("name", "role", "organization")]
        self._people = {int(i): (name, role.strip(), org.strip())
                        for i, name, role, org in zip(contacts["id"].tolist(), *columns, strict=True)}
        self._tokens = {part.strip(".'’-") for name, _, _ in self._people.values() for part in self._WORD.findall(name)}
        self._tokens = {t for t in self._tokens if len(t) >= 2}

    def label(self, contact_id: int) -> str:
        if contact_id not in self._people:
            return "a contact"
        name, role, org = self._people[contact_id]
        job = " at ".join(p for p in (role, org) if p)
        if self.names:
            return f"{name}, {job}" if job else name
        if job:
            return job
        initials = [p[0].upper() for p in name.split() if p[:1].isalpha()]
        return "contact " + "".join(f"{i}." for i in initials) if initials else "a contact"

    def scrub(self, text: str) -> str:
        if self.names or not text:
            return text
        text = self._URL.sub("[link]", self._EMAIL.sub("[email]", text))

        def word(match: re.Match) -> str:
            full = match.group(0)
            core = full.rstrip(".'’-")
            return "[name]" + full[len(core):] if core in self._tokens else full

        return re.sub(r"\[name\](?:\s+\[name\])+", "[name]", self._WORD.sub(word, text))


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
    return {"key": key, "title": _figure_title(fig, key), "src": figure_data_uri(fig)}


def chart_list(wb: Workbook) -> list[dict[str, str]]:
    """The evidence engine's charts as ``{key, title, src}``, ``src`` a data URI."""
    return [_chart(key, fig) for key, fig in charts.all_charts(wb).items()]


# ----------------------------------------------------------------- sections
def ranking(wb: Workbook, options: pd.DataFrame) -> pd.DataFrame:
    """Options best supported first (the evidence engine's order), indexed by option id.

    Columns: title, status, score, low, high, p_best, and insights (the notes the comparison counts).
    """
    columns = ["title", "score", "low", "high", "p_best"]
    if options.empty:
        return pd.DataFrame(columns=[*columns, "status", "insights"], index=pd.Index([], name="option_id"))
    scores = wb.compare()
    frame = scores[columns].copy()
    frame["status"] = options.set_index("id")["status"].reindex(frame.index)
    frame["insights"] = scores["n_insights"].astype("int64")
    return frame


def first_steps(counts: dict[str, int]) -> list[str]:
    """What to do next while the workbook is still missing a part of the method."""
    steps = []
    if counts["options"] < 2:
        steps.append("List the two to five career options you are weighing, each with the questions it must "
                     "answer (notebook 01).")
    if counts["criteria"] == 0:
        steps.append("Say what matters to you — pay, flexibility, the work itself — as criteria with weights "
                     "(notebook 01).")
    if counts["contacts"] == 0:
        steps.append("Add people who do the work: friends, colleagues, alumni, people you were referred to "
                     "(notebook 02).")
    if counts["conversations"] == 0:
        steps.append("Ask one of them for a 20-minute conversation to learn about their work, not to ask "
                     "for a job (notebook 03).")
    if counts["insights"] == 0:
        steps.append("After each conversation, note what you learned as evidence for or against an option, "
                     "the same day (notebook 05).")
    return steps


def summary(rank: pd.DataFrame, criteria: pd.DataFrame, cells: pd.DataFrame) -> dict[str, Any]:
    """The headline in plain words: which path leads, how sure, and where the evidence is thin.

    ``cells`` is :func:`workbook.evidence.cells`; a criterion is thin for the
    leader while fewer than two independent sources speak to it.
    """
    if rank.empty:
        return {"headline": "Nothing to compare yet: no career options are listed.", "details": []}
    if rank["insights"].sum() == 0:
        n = len(rank)
        return {"headline": f"No evidence recorded yet for the {n} option{'s' if n != 1 else ''} listed.",
                "details": ["The comparison starts once you note what you learn, for or against each option."]}
    lead = rank.iloc[0]
    p = float(lead["p_best"])
    sure = ("clearly ahead" if p >= 0.8 else "ahead, but not settled" if p >= 0.5 else "a close call")
    weighted = criteria[criteria["weight"] > 0].sort_values("weight", ascending=False, kind="stable")
    sources = cells[cells["option_id"] == rank.index[0]].set_index("criterion_id")["n_sources"]
    thin = [str(c.name) for c in weighted.itertuples() if sources.get(c.id, 0) < 2][:3]
    headline = f"{lead['title']} leads, with a {round(100 * p)}% chance of being the best fit"
    headline += f"; the evidence is still thin on {_join(thin)}." if thin else "."
    details = [f"How sure: {sure}."]
    if len(rank) == 1:
        details.append("Only one option is listed: add the alternatives you are weighing to compare them.")
    else:
        second = rank.iloc[1]
        details.append(f"Next: {second['title']}, with a {round(100 * float(second['p_best']))}% chance.")
        likeliest = rank["p_best"].idxmax()
        if likeliest != rank.index[0] and rank.at[likeliest, "p_best"] > p:
            details.append(f"{rank.at[likeliest, 'title']} scores lower but has the best chance of coming out "
                           f"on top ({round(100 * float(rank.at[likeliest, 'p_best']))}%): its evidence is less certain.")
    return {"headline": headline, "details": details}


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _quotes(rows: pd.DataFrame, names: dict[int, str], privacy: Privacy, limit: int) -> list[dict[str, Any]]:
    rows = rows[(rows["note"].str.strip() != "") & rows["criterion_id"].isin(names)]
    order = rows.assign(
        _c=rows["confidence"].map(_CONFIDENCE_ORDER).fillna(3), _s=rows["source"].map(_SOURCE_ORDER).fillna(3),
        _a=-rows["stance"].abs()).sort_values(["_c", "_s", "_a", "id"], kind="stable")
    out = []
    for r in order.head(limit).itertuples():
        has_contact = pd.notna(r.contact_id)
        out.append({
            "text": privacy.scrub(str(r.note)), "criterion": names.get(int(r.criterion_id), ""),
            "stance": vocab.STANCES.get(int(r.stance), str(r.stance)), "stance_value": int(r.stance),
            "source": vocab.SOURCES.get(r.source, r.source).split(" (")[0], "confidence": r.confidence,
            "who": privacy.label(int(r.contact_id)) if has_contact else "", "against_hopes": bool(r.against_hopes),
        })
    return out


def quoted_notes(wb: Workbook, option_ids: list[int]) -> dict[int, str]:
    """Insight id -> note for the given options only; the other notes (possibly 100,000s) stay on disk."""
    if not option_ids:
        return {}
    marks = ",".join("?" * len(option_ids))
    with wb.reading() as conn:
        rows = conn.execute(
            f"SELECT id, note FROM insights WHERE archived = 0 AND trim(note) != '' AND option_id IN ({marks})",
            [int(i) for i in option_ids],
        )
        return dict(rows.fetchall())


def option_details(rank: pd.DataFrame, options: pd.DataFrame, criteria: pd.DataFrame, insights: pd.DataFrame,
                   counts: pd.DataFrame, privacy: Privacy, notes: dict[int, str]) -> list[dict[str, Any]]:
    """The top options in full: description, open questions, evidence per criterion and quotes.

    ``insights`` needs no ``note`` column: the quotes come from ``notes`` (see :func:`quoted_notes`).
    """
    names = dict(zip(criteria["id"].astype(int), criteria["name"], strict=True))
    info = options.set_index("id")
    top = rank.index[:TOP_OPTIONS]
    chosen = insights[insights["option_id"].isin(top)]
    chosen = chosen.assign(note=chosen["id"].map(notes).fillna("").astype(str))
    by_option = dict(tuple(chosen.groupby("option_id")))
    out = []
    for oid in top:
        r, row = rank.loc[oid], info.loc[oid]
        mine = by_option.get(oid, chosen.iloc[:0])
        per = counts[counts["option_id"] == oid]
        out.append({
            "id": int(oid), "title": r["title"], "status": vocab.OPTION_STATUSES.get(r["status"], r["status"]),
            "description": row["description"], "questions": [q for q in str(row["questions"]).splitlines() if q.strip()],
            "score": r["score"], "low": r["low"], "high": r["high"], "p_best": r["p_best"], "insights": int(r["insights"]),
            "criteria": [{"name": names.get(int(c["criterion_id"]), ""), "for": int(c["for"]),
                          "against": int(c["against"]), "total": int(c["total"])} for c in per.to_dict("records")],
            "quotes": _quotes(mine, names, privacy, QUOTES_PER_OPTION),
            "more_quotes": max(0, int(((mine["note"].str.strip() != "") & mine["criterion_id"].isin(names)).sum())
                               - QUOTES_PER_OPTION),
        })
    return out


def outreach(wb: Workbook, options: pd.DataFrame, chart: bool = True) -> dict[str, Any]:
    """Conversations per stage of the pipeline, the funnel chart, and per option how many people you talked to."""
    conversations = wb.conversations()
    funnel = None
    if chart and len(conversations):
        funnel = _chart("outreach", charts_outreach.outreach_funnel(conversations, wb.contacts()))
    by_status = conversations["status"].value_counts() if len(conversations) else pd.Series(dtype="int64")
    stages = [{"label": label, "count": int(by_status.get(key, 0))} for key, label in vocab.CONVERSATION_STATUSES.items()]
    per_option = []
    if len(options):
        frame = _coverage.coverage_for(wb, PEOPLE_PER_OPTION)
        per_option = [{"title": r.option, "insiders": int(r.insiders), "held": int(r.conversations_held),
                       "people": int(r.people_talked_to), "advice": r.advice} for r in frame.head(50).itertuples()]
    return {"total": len(conversations), "stages": stages, "chart": funnel, "per_option": per_option,
            "per_option_more": max(0, len(options) - 50), "target": PEOPLE_PER_OPTION}


def next_steps(wb: Workbook, privacy: Privacy, n: int = 5) -> list[dict[str, Any]]:
    """The conversations that would help most next, with contacts shown as the privacy setting says."""
    if wb.options().empty or wb.criteria().empty:
        return []
    frame = wb.next_conversations(n=n)
    out = []
    for r in frame.to_dict("records"):
        ids = r.get("contact_ids")
        people = [privacy.label(int(i)) for i in ids] if isinstance(ids, list | tuple) else []
        out.append({"option": r.get("option", ""), "criterion": r.get("criterion", ""),
                    "why": r.get("reason", r.get("why", "")), "people": people})
    return out


# ------------------------------------------------------------------ context
def _memo(method: Any) -> Any:
    """``method`` computed once per set of arguments; each caller gets its own (copy-on-write) DataFrame."""
    cached = functools.cache(method)

    def call(*args: Any, **kwargs: Any) -> pd.DataFrame:
        try:
            result = cached(*args, **kwargs)
        except TypeError:  # an argument that cannot be a cache key (e.g. a dict of weights)
            result = method(*args, **kwargs)
        return result.copy(deep=False)

    return call


@contextlib.contextmanager
def reading(wb: Workbook) -> Iterator[Workbook]:
    """One consistent view of ``wb`` while a report is built: each table is read once, in one snapshot.

    The view shares the workbook's connection; a read transaction (it never
    blocks a notebook that is writing) keeps every table from the same moment.
    """
    view = copy.copy(wb)
    view.table = _memo(wb.table)  # type: ignore[method-assign]
    for name in ("compare", "sensitivity"):  # the charts ask for the same analysis as the summary
        setattr(view, name, _memo(getattr(Workbook, name).__get__(view)))
    with wb.reading() as conn:  # other threads of this kernel wait until the snapshot ends
        began = not conn.in_transaction
        if began:
            conn.execute("BEGIN")
        try:
            yield view
        finally:
            if began:
                conn.execute("COMMIT")


def report_context(wb: Workbook, *, names: bool = False, title: str | None = None,
                   today: dt.date | None = None, with_charts: bool = True) -> dict[str, Any]:
    """Everything the templates show, as plain values."""
    with reading(wb) as view:
        return _context(view, names, title, today or dt.date.today(), with_charts)


def _context(wb: Workbook, names: bool, title: str | None, today: dt.date, with_charts: bool) -> dict[str, Any]:
    options, criteria, insights = wb.options(), wb.criteria(), wb.evidence_rows()  # notes stay on disk
    privacy = Privacy(wb.table("contacts", include_archived=True), names=names)
    rank = ranking(wb, options)
    counts = evidence_summary.evidence_counts(options, criteria, insights)
    wb_counts = wb.counts()
    compact = rank.iloc[TOP_OPTIONS:]
    return {
        "title": title or DEFAULT_TITLE,
        "workbook_name": "unsaved workbook" if str(wb.path) == ":memory:" else wb.path.stem,
        "date_iso": today.isoformat(), "date_text": f"{today.day} {today:%B %Y}",
        "names": names, "counts": wb_counts, "first_steps": first_steps(wb_counts),
        "summary": summary(rank, criteria, evidence.cells(options, criteria, insights,
                                                          reliability=wb.setting("source_reliability"))),
        "criteria": [{"name": c.name, "weight": float(c.weight), "description": c.description,
                      "share": float(c.weight) / max(float(criteria["weight"].sum()), 1e-9)}
                     for c in criteria.itertuples()],
        "top_options": option_details(rank, options, criteria, insights, counts, privacy,
                                      quoted_notes(wb, list(rank.index[:TOP_OPTIONS]))),
        "other_options": [{"title": r.title, "score": r.score, "low": r.low, "high": r.high, "p_best": r.p_best,
                           "insights": int(r.insights)} for r in compact.head(MAX_COMPACT_ROWS).itertuples()],
        "other_options_more": max(0, len(compact) - MAX_COMPACT_ROWS),
        "charts": chart_list(wb) if with_charts and len(options) and len(criteria) else [],
        "outreach": outreach(wb, options, chart=with_charts),
        "next_steps": next_steps(wb, privacy),
    }


def build_report(wb: Workbook, *, names: bool = False, title: str | None = None) -> str:
    """The report as one self-contained HTML document (a string)."""
    return _environment().get_template("report.html").render(**report_context(wb, names=names, title=title))


def default_report_path(wb: Workbook, *, names: bool = False, today: dt.date | None = None) -> Path:
    """``reports/<workbook>-report-<date>.html`` next to the workbook file."""
    if str(wb.path) == ":memory:":
        raise ValidationError("path", "this workbook is not saved in a file; say where to write the report")
    stamp = (today or dt.date.today()).isoformat()
    return wb.path.parent / "reports" / f"{wb.path.stem}-report-{stamp}{'-with-names' if names else ''}.html"


def report_path(wb: Workbook, path: str | os.PathLike | None = None, *, names: bool = False) -> Path:
    """Where a report goes: ``path``, a file of the default name inside ``path`` if it is a folder, or the default."""
    if not path:
        return default_report_path(wb, names=names)
    target = Path(path).expanduser()
    return target / default_report_path(wb, names=names).name if target.is_dir() else target


def save_report(document: str, target: str | os.PathLike) -> Path:
    """Write a built report to ``target`` (folders created, the old file replaced in one step)."""
    target = Path(target).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    tmp.write_text(document, encoding="utf-8")
    os.replace(tmp, target)
    return target.resolve()


def write_report(wb: Workbook, path: str | os.PathLike | None = None, *, names: bool = False) -> Path:
    """Build the report and write it to ``path`` (default: :func:`default_report_path`); returns the path."""
    target = report_path(wb, path, names=names)
    return save_report(build_report(wb, names=names), target)


__all__ = [
    "build_report", "default_report_path", "figure_data_uri", "report_context", "report_path", "save_report",
    "write_report",
]
