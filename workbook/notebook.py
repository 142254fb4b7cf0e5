"""What the first code cell of every guided notebook calls, and the kernel extension the servers load.

``career-workbook lab`` and ``app`` start their kernels from the ``python3`` kernel spec shipped in
``workbook/jupyter/kernels`` (on ``$JUPYTER_PATH``, see :func:`workbook.cli.launch.jupyter_path`), which loads
this module as an IPython extension: :func:`load_ipython_extension` registers the widgets' comm targets
before the kernel answers its first message.
"""

from __future__ import annotations

import html
import logging
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

#: In the app, the cells meant for JupyterLab only (tagged ``lab-only``: the settings cell's code words,
#: terminal commands) are not shown; Voilà gives a cell's tags to its HTML as ``celltag_<tag>`` classes.
APP_STYLE = "<style>.jp-Cell:has(.celltag_lab-only), .celltag_lab-only { display: none; }</style>"


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

        from .forms.base import PAGE_STYLE

        style = PAGE_STYLE + (APP_STYLE if _app.in_app() else "")
        kind = "the demo workbook (fictional example)" if use_demo else "your workbook"
        c = wb.counts()
        summary = ", ".join(f"{n} {t}" for t, n in c.items())
        display(
            HTML(
                f"{style}<p><b>Using {html.escape(kind)}:</b> <code>{html.escape(str(wb.path))}</code><br>"
                f"{html.escape(summary)}</p>"
            )
        )
        if _app.in_app() and not _app.page_open():  # a notebook as a page of its own: links to the others
            display(HTML(_app.step_links()))
    return wb


def load_ipython_extension(ipython: object) -> None:
    """Register the widgets' comm targets as the kernel starts, before any message is handled.

    JupyterLab's widget manager opens a ``jupyter.widget.control`` comm the moment it connects to a
    kernel, to fetch the widgets the kernel already holds. ipywidgets registers that target only
    when it is imported, which in a guided notebook happens when its cells run: until then the
    kernel answers "No such comm target registered: jupyter.widget.control" and then "No such comm"
    twice on its error stream (the log console). Importing ipywidgets here, while the kernel starts,
    registers it first.
    """
    import ipywidgets  # noqa: F401 - the import registers jupyter.widget and jupyter.widget.control

    kernel = getattr(ipython, "kernel", None)
    if kernel is not None:
        logging.getLogger("Comm").addFilter(_RoutingLookup(kernel))


class _RoutingLookup(logging.Filter):
    """Drops the "No such comm" that ipykernel's message router logs while a comm is still opening.

    ipykernel 7 reads every incoming ``comm_msg`` on its shell-channel thread first, only to pick
    the subshell that should handle it, by looking the comm up. A message sent right after its
    ``comm_open`` (as JupyterLab's request for the widgets' states is) is looked up there before
    the main thread has opened the comm: the lookup logs "No such comm", although the message is
    then handled normally. The same warning from any other thread (a comm that really is gone) is
    kept.
    """

    def __init__(self, kernel: object):
        super().__init__()
        self.kernel = kernel

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != "No such comm: %s":
            return True
        router = getattr(self.kernel, "shell_channel_thread", None)
        return router is None or record.thread != getattr(router, "ident", None)


def _inline_figures() -> None:
    """Show matplotlib Figures inline when running in a kernel (charts never import pyplot)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    shell = get_ipython()
    if shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell":
        shell.run_line_magic("matplotlib", "inline")
        from matplotlib.figure import Figure

        formatters = shell.display_formatter.formatters
        formatters["image/png"].type_printers.pop(Figure, None)  # shown once, as the picture with its words
        formatters["text/html"].for_type(Figure, figure_html)


def figure_html(fig: object) -> str:
    """A chart as a picture with its text alternative: what it shows, with its numbers, for screen readers."""
    import base64
    import io

    from .charts.plotstyle import text_alternative

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")  # type: ignore[attr-defined]
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = html.escape(text_alternative(fig) or "A chart", quote=True)  # type: ignore[arg-type]
    return f'<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%;height:auto">'
