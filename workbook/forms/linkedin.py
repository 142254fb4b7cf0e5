"""The LinkedIn import form for notebook 02: preview first, then import.

Type the path of ``Connections.csv`` (or of the whole export ``.zip``), or
upload it, and press *Preview*: the table shows every connection and whether it
is new, a duplicate (already in your workbook, or listed twice) or skipped, with the counts. Nothing is
written until you press *Import N contacts*. Nothing here calls ``display()``.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..errors import ValidationError
from ..people import linkedin
from ..store.workbook import Workbook
from .base import StatusLine, TableView, guarded, text_field

PREVIEW_ROWS = 200


class LinkedInImportForm:
    """Preview and import LinkedIn connections. ``view`` is the widget to show."""

    def __init__(self, wb: Workbook, on_import: Callable[[], None] | None = None):
        self.wb = wb
        self.on_import = on_import
        self.plan: linkedin.ImportPlan | None = None
        self.path = text_field("Connections.csv", "path to the file, e.g. ~/Downloads/Connections.csv")
        self.upload = widgets.FileUpload(accept=".csv,.zip", multiple=False, description="Or upload")
        self.preview_button = widgets.Button(description="Preview", icon="eye", layout=widgets.Layout(width="auto"))
        self.counts = StatusLine()
        self.table = TableView(empty="Preview a file to see what would be imported.")
        self.import_button = widgets.Button(
            description="Import 0 contacts",
            button_style="primary",
            icon="download",
            disabled=True,
            layout=widgets.Layout(width="auto"),
        )
        self.status = StatusLine()
        self.path.observe(self._source_changed, names="value")
        self.upload.observe(self._source_changed, names="value")
        self.preview_button.on_click(lambda _: guarded(self.status, self._preview))
        self.import_button.on_click(lambda _: guarded(self.status, self._import))
        self.view = widgets.VBox(
            [
                widgets.HBox([self.path, self.upload], layout=widgets.Layout(width="100%")),
                self.preview_button,
                self.counts,
                self.table,
                self.import_button,
                self.status,
            ]
        )

    # ------------------------------------------------------------ helpers
    def _source(self) -> tuple[str | bytes, str | None]:
        """The file to read: the typed path if any, else the uploaded file."""
        if self.path.value.strip():
            return self.path.value.strip(), None
        if self.upload.value:
            item = self.upload.value[0]
            return bytes(item["content"]), str(item["name"])
        raise ValidationError("file", "is empty; type the path to Connections.csv (or upload it) first")

    def _reset(self) -> None:
        self.plan = None
        self.counts.clear()
        self.table.show(self.table.frame.iloc[0:0])
        self.import_button.description = "Import 0 contacts"
        self.import_button.disabled = True

    def _show(self, plan: linkedin.ImportPlan) -> None:
        self.plan = plan
        shown = plan.preview.head(PREVIEW_ROWS)
        more = f" Showing the first {PREVIEW_ROWS} rows." if len(plan.preview) > PREVIEW_ROWS else ""
        self.counts.show(plan.summary() + more, "info")
        self.table.show(shown)
        n = plan.new
        self.import_button.description = f"Import {n} contact{'' if n == 1 else 's'}"
        self.import_button.disabled = n == 0

    def _source_changed(self, _change) -> None:
        if self.plan is not None:
            self._reset()
            self.status.show("The file changed: press Preview again.", "info")

    # ------------------------------------------------------------ actions
    def _preview(self) -> None:
        self._reset()
        self.status.clear()
        source, name = self._source()
        self._show(linkedin.preview_import(self.wb, source, name))

    def _import(self) -> str:
        if self.plan is None:
            raise ValidationError("file", "press Preview first, to see what would be imported")
        export = self.plan.export
        done = linkedin.import_connections(self.wb, export)
        self._show(linkedin.preview_import(self.wb, export))  # now every row shows as already there
        if self.on_import:
            self.on_import()
        n = len(done.ids)
        return f"Imported {n} contact{'' if n == 1 else 's'} from LinkedIn ({export.name})."
