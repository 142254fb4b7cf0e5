"""The demo switch of ``00_start_here``: in the app, every step opens your workbook or the demo.

In the app nobody edits a settings cell, so the choice between your own
workbook and the fictional demo is a switch. It is remembered for as long as
``career-workbook app`` runs, or else as long as the app page is open (see
:mod:`workbook.app_session`); every step opened after switching uses it. In
JupyterLab the notebooks' ``use_demo`` setting does the same, and the switch
only says so.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from .. import app_session as _app
from .. import paths
from .base import StatusLine, no_maths


def about_the_switch() -> str:
    """What the app's switch does and where both files are, in words (HTML, escaped)."""
    own, demo = html.escape(str(paths.default_workbook_path())), html.escape(str(paths.default_demo_path()))
    return (
        f"<p>Every step opens <b>your workbook</b>, the file {own}, unless you choose <b>the demo</b> here: "
        f"a fictional example kept in its own file, {demo}. Looking around in the demo, even changing it, "
        "never touches your own notes. The choice holds for every step you open until you switch back or "
        "close the app.</p>"
    )


OWN = "My workbook"
DEMO = "The demo (fictional example)"


class DemoSwitch:
    """``view`` is the widget to show; ``choice.value`` is True when the demo is chosen."""

    def __init__(self):
        self.status = StatusLine()
        self.choice = widgets.ToggleButtons(
            options=[(OWN, False), (DEMO, True)],
            value=_app.demo_chosen(),
            description="Every step opens",
            style={"description_width": "initial", "button_width": "auto"},
        )
        if _app.in_app():
            self.choice.observe(self._switched, names="value")
            self.about = widgets.HTML(no_maths(about_the_switch()))
            self.view = widgets.VBox([self.about, self.choice, self.status])
        else:
            self.status.show(
                "Here in JupyterLab, set use_demo = True in the settings cell at the top of a notebook "
                "to open the demo; in the app (career-workbook app) this is a switch."
            )
            self.view = widgets.VBox([self.status])

    def _switched(self, change) -> None:
        demo = bool(change["new"])
        _app.choose_demo(demo)
        if demo:
            self.status.ok(
                f"Every step you open now shows the demo workbook (fictional example), "
                f"{paths.default_demo_path()}. Your own workbook is not touched. Switch back here at any time."
            )
        else:
            self.status.ok(f"Every step you open now shows your own workbook, {paths.default_workbook_path()}.")
