"""Two places, one record, in JupyterLab: a page whose option changed elsewhere shows both versions and lets you choose."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.browser


def test_01_a_stale_option_shows_theirs_and_yours_and_save_mine_wins(open_notebook, lab_workbook):
    t = uuid.uuid4().hex[:6]
    title = f"Museum education {t}"
    option = lab_workbook.add_option(title, "as the page loads it")

    nb = open_notebook("01_options_and_criteria")
    nb.run_all()
    form = nb.cell("Save option")
    nb.choose("Option", re.compile(re.escape(title)), scope=form)
    nb.shows("Description", "as the page loads it", scope=form, area=True)  # the page has loaded the option
    lab_workbook.update_option(option, description=f"changed by another program {t}")  # e.g. the app, or a command

    nb.fill("Description", f"typed on this page {t}", scope=form, area=True)
    nb.click("Save option", scope=form)
    said = nb.status("error", "changed elsewhere", scope=form)
    assert "description" in said and "Both versions are shown below" in said
    assert lab_workbook.get("options", option)["description"] == f"changed by another program {t}"
    panel = form.locator(".cw-table", has_text="saved now (theirs)").filter(visible=True)
    versions = " ".join(panel.inner_text().split())
    assert f"changed by another program {t}" in versions and f"typed on this page {t}" in versions
    table = " ".join(form.locator(".cw-table", has_text="questions").filter(visible=True).inner_text().split())
    assert f"changed by another program {t}" in table  # the table shows what is saved now

    nb.click("Save mine", scope=form)
    nb.status("ok", f"Saved option {title}", scope=form)
    assert lab_workbook.get("options", option)["description"] == f"typed on this page {t}"
    assert form.locator("button.jupyter-button", has_text="Save mine").filter(visible=True).count() == 0
    assert nb.page.dialogs == []
