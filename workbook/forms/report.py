"""The form of notebook 07: save the shareable report, with or without contacts' names.

:class:`ReportForm` has a names checkbox (off by default), an optional folder
or file to save to, a button and a status line saying where the file went.
Nothing here calls ``display()``; :meth:`ReportForm.preview` returns an object
for the notebook to show.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from ..errors import ValidationError
from ..report import build as _report
from ..store.workbook import Workbook
from .base import StatusLine, guarded, text_field


class ReportForm:
    """Build and save the HTML report. ``view`` is the widget to show; ``path`` is the last file written."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self.names = widgets.Checkbox(
            value=False,
            description="Show contacts' names (only in a copy for people they would trust)",
            indent=False,
            layout=widgets.Layout(width="95%"),
        )
        where = "reports folder next to the workbook"
        if not wb.in_memory:
            where = str(_report.default_report_path(wb).parent)
        self.target = text_field("Save to (folder or .html file)", f"empty: {where}")
        self.save_button = widgets.Button(
            description="Save report", button_style="primary", icon="file", layout=widgets.Layout(width="auto")
        )
        self.status = StatusLine()
        self.path: Path | None = None
        self.html = ""
        self.save_button.on_click(lambda _: guarded(self.status, self._save))
        self.view = widgets.VBox([self.names, self.target, self.save_button, self.status])

    def _destination(self, names: bool) -> Path:
        text = self.target.value.strip()
        chosen = Path(text).expanduser() if text else None
        if chosen is None or chosen.suffix.lower() in {".html", ".htm"}:
            return _report.report_path(self.wb, chosen, names=names)
        return chosen / _report.default_report_path(self.wb, names=names).name

    def _save(self) -> str:
        names = bool(self.names.value)
        target = self._destination(names)
        document = _report.build_report(self.wb, names=names)
        try:
            path = _report.save_report(document, target, names=names)
        except OSError as exc:
            raise ValidationError("save to", f"cannot write {target}: {exc.strerror or exc}") from None
        self.html, self.path = document, path
        size = path.stat().st_size / 1024
        privacy = "with contacts' names" if names else "no names: contacts appear as role and organisation"
        return f"Report saved to {path} ({size:.0f} KB, {privacy}). Open it in a browser or send it as it is."

    def save(self) -> Path | None:
        """What the button does: build the report, write it, and say where. Returns the file (None on error)."""
        return self.path if guarded(self.status, self._save) else None

    def preview(self):
        """The last saved report (or a fresh one) as an ``IPython.display.HTML`` object for the notebook.

        Showing it as HTML is safe only because the report is built with Jinja2
        autoescape: every piece of user text in it is escaped, it holds no
        scripts, and its CSS applies only inside the report's own ``cw-report`` box.
        """
        from IPython.display import HTML

        return HTML(self.html or _report.build_report(self.wb, names=bool(self.names.value)))
