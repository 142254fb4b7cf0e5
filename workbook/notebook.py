"""What the first code cell of every guided notebook calls."""

from __future__ import annotations

import html
import os

from . import app_session as _app
from . import demo as _demo
from .public import Workbook, open_workbook

#: Every name the guided notebooks use, as shipped now and in the previous release. A user's edited
#: copies of the notebooks are kept across upgrades, so none of these may disappear: one that must
#: move keeps working at its old place through :func:`workbook.compat.moved`, with a notice.
#: ``tests/test_notebook_api.py`` imports each, checks the shipped notebooks use nothing else, and runs
#: the previous release's notebooks against this package.
NOTEBOOK_API: tuple[str, ...] = (
    "workbook.open_workbook",
    "workbook.notebook.start",
    "workbook.charts.evidence.all_charts",
    "workbook.charts.evidence.evidence_chart",
    "workbook.charts.outreach.outreach_funnel",
    "workbook.charts.plan.coverage_chart",
    "workbook.evidence.summary.evidence_table",
    "workbook.evidence.summary.workbook_counts",
    "workbook.forms.base.plain_table",
    "workbook.forms.capture.CaptureForm",
    "workbook.forms.capture.EvidenceForm",
    "workbook.forms.compare.CompareForm",
    "workbook.forms.compare.sensitivity_view",
    "workbook.forms.contacts.ContactsForm",
    "workbook.forms.contacts.InsiderFinder",
    "workbook.forms.contacts.TargetsForm",
    "workbook.forms.contacts_import.ContactImportForm",
    "workbook.forms.criteria.CriteriaForm",
    "workbook.forms.linkedin.LinkedInImportForm",
    "workbook.forms.app.app_page",
    "workbook.forms.options.OptionsForm",
    "workbook.forms.outreach.OutreachForms",
    "workbook.forms.prep.PrepForm",
    "workbook.forms.prep.question_bank_view",
    "workbook.forms.report.ReportForm",
    "workbook.forms.settings.SettingsForm",
    "workbook.forms.switch.DemoSwitch",
    "workbook.outreach.calendar.write_calendar",
    "workbook.people.coverage.coverage_for",
    "workbook.people.coverage.coverage_table",
    "workbook.people.coverage.threshold_for",
)


def start(workbook_path: str | os.PathLike | None = None, use_demo: bool = False, *, show: bool = True) -> Workbook:
    """Open the workbook for a notebook and show which file it is and what it holds.

    ``use_demo=True`` opens the fictional example workbook (built if missing),
    never your own. Returns the :class:`~workbook.public.Workbook`.
    """
    _inline_figures()
    use_demo = use_demo or _app.demo_chosen()
    wb = _demo.open_demo() if use_demo else open_workbook(workbook_path)
    if show:
        from IPython.display import HTML, display

        kind = "the demo workbook (fictional example)" if use_demo else "your workbook"
        c = wb.counts()
        summary = ", ".join(f"{n} {t}" for t, n in c.items())
        display(
            HTML(
                f"<p><b>Using {html.escape(kind)}:</b> <code>{html.escape(str(wb.path))}</code><br>"
                f"{html.escape(summary)}</p>"
            )
        )
        if _app.in_app() and not _app.page_open():  # a notebook as a page of its own: links to the others
            display(HTML(_app.step_links()))
    return wb


def _inline_figures() -> None:
    """Show matplotlib Figures inline when running in a kernel (charts never import pyplot)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    shell = get_ipython()
    if shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell":
        shell.run_line_magic("matplotlib", "inline")
