"""The contacts import form for notebook 02: any source, preview first, choose where details differ.

Type the path of a contacts file (LinkedIn's ``Connections.csv`` or its
``.zip``, a Google Contacts or Outlook CSV, a vCard ``.vcf``), or upload it,
and press *Preview*: the table says what would happen to each person (new,
updated, unchanged, listed twice, skipped) and, for every detail the file says
differently from your workbook, a choice between keeping yours and using the
file's. Nothing is written until you press *Import*. Nothing here calls
``display()``; every text a file brings is shown through escaped widgets.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..errors import ValidationError
from ..people import contacts_import
from ..people.contact_files import ContactFile, read_contacts
from ..store.workbook import Workbook
from .base import StatusLine, TableView, guarded, text_field

PREVIEW_ROWS = 200
#: At most this many differing details get a choice here (the command line's --take has no limit).
CHOICES_SHOWN = 100
KEEP, USE_FILE = False, True


class ContactImportForm:
    """Preview and import a contacts file from any source. ``view`` is the widget to show."""

    def __init__(self, wb: Workbook, on_import: Callable[[], None] | None = None):
        self.wb = wb
        self.on_import = on_import
        self.file: ContactFile | None = None
        self.plan: contacts_import.ContactPlan | None = None
        self.choices: dict[str, widgets.Dropdown] = {}  # conflict key -> keep / use the file's
        self.path = text_field("Contacts file", "path, e.g. ~/Downloads/contacts.vcf or ~/Downloads/Connections.csv")
        self.upload = widgets.FileUpload(accept=".csv,.vcf,.vcard,.zip,.txt", multiple=False, description="Or upload")
        self.preview_button = widgets.Button(description="Preview", icon="eye", layout=widgets.Layout(width="auto"))
        self.counts = StatusLine()
        self.table = TableView(empty="Preview a file to see what would be imported.")
        self.differences = widgets.VBox()
        self.import_button = widgets.Button(
            description="Import",
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
                self.differences,
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
        raise ValidationError("file", "is empty; type the path to your contacts file (or upload it) first")

    def chosen(self) -> list[str]:
        """The keys of the differing details whose file value is to be used."""
        return [key for key, choice in self.choices.items() if choice.value is USE_FILE]

    def _reset(self) -> None:
        self.file = None
        self.plan = None
        self.choices = {}
        self.counts.clear()
        self.table.show(self.table.frame.iloc[0:0])
        self.differences.children = ()
        self.import_button.description = "Import"
        self.import_button.disabled = True

    def _show(self, plan: contacts_import.ContactPlan) -> None:
        self.plan = plan
        more = f" Showing the first {PREVIEW_ROWS} people." if len(plan.preview) > PREVIEW_ROWS else ""
        self.counts.show(plan.summary() + more, "info")
        self.table.show(plan.preview.head(PREVIEW_ROWS))
        n, m = plan.new, plan.updated
        self.import_button.description = f"Import: {n} new, {m} updated"
        self.import_button.disabled = plan.changes == 0

    def _build_choices(self, plan: contacts_import.ContactPlan) -> None:
        self.choices = {}
        rows: list[widgets.Widget] = []
        for conflict in plan.conflicts[:CHOICES_SHOWN]:
            choice = widgets.Dropdown(
                options=[
                    (f"keep: {conflict.in_workbook}", KEEP),
                    (f"use the file's: {conflict.in_file}", USE_FILE),
                ],
                value=USE_FILE if conflict.use_file else KEEP,
                layout=widgets.Layout(width="95%"),
            )
            choice.observe(lambda _: guarded(self.status, self._replan), names="value")
            self.choices[conflict.key] = choice
            label = f"Line {conflict.line} · {conflict.contact} · {contacts_import.COMPARED[conflict.field]}"
            rows.append(widgets.VBox([widgets.Label(value=label), choice]))
        if rows:
            head = (
                "These details differ from what your workbook has. Your workbook keeps its own unless you "
                "choose the file's:"
            )
            rows.insert(0, widgets.Label(value=head))
        hidden = len(plan.conflicts) - CHOICES_SHOWN
        if hidden > 0:
            rows.append(
                widgets.Label(
                    value=f"{hidden} more differ and keep your workbook's value; to choose them, use "
                    "career-workbook import-contacts FILE --take LINE:FIELD."
                )
            )
        self.differences.children = tuple(rows)

    def _source_changed(self, _change) -> None:
        if self.file is not None:
            self._reset()
            self.status.show("The file changed: press Preview again.", "info")

    # ------------------------------------------------------------ actions
    def _preview(self) -> None:
        self._reset()
        self.status.clear()
        source, name = self._source()
        self.file = read_contacts(source, name)
        plan = contacts_import.preview_contacts(self.wb, self.file)
        self._build_choices(plan)
        self._show(plan)

    def _replan(self) -> None:
        """A choice changed: count again (the choices themselves stay as they are)."""
        if self.file is not None:
            self._show(contacts_import.preview_contacts(self.wb, self.file, take=self.chosen()))

    def _import(self) -> str:
        if self.file is None:
            raise ValidationError("file", "press Preview first, to see what would be imported")
        file = self.file
        done = contacts_import.import_contacts(self.wb, file, take=self.chosen())
        plan = contacts_import.preview_contacts(self.wb, file)  # now every row shows as already there
        self._build_choices(plan)
        self._show(plan)
        if self.on_import:
            self.on_import()
        n, m = len(done.ids), done.updated
        return f"Imported {n} new contact{'' if n == 1 else 's'} and updated {m} from {file.describe()} ({file.name})."
