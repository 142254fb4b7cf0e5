"""The prep sheet for one conversation as a self-contained HTML page."""

from __future__ import annotations

from ..prepare.prep import PrepSheet
from . import templating


def render_sheet(sheet: PrepSheet) -> str:
    """The prep sheet as a self-contained HTML page (all text escaped)."""
    return templating.render("prep_sheet.html", sheet=sheet)
