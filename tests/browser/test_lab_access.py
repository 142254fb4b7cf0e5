"""Notebooks 00 and 05 in JupyterLab: their forms have no serious WCAG 2.2 AA violation (axe-core), on the demo.

Only what the notebooks put on the page is checked (their outputs: forms, tables, charts), not
JupyterLab's own interface.
"""

from __future__ import annotations

import pytest

from .axe import described, violations
from .test_lab_readable import _open_demo, _watch_everything, _widget_trouble

pytestmark = pytest.mark.browser

OUTPUTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea"


@pytest.mark.parametrize("name", ["00_start_here", "05_capture"])
def test_the_forms_have_no_serious_accessibility_violation(name, lab, lab_page):
    lab_page.set_viewport_size({"width": 1280, "height": 1000})
    seen = _watch_everything(lab_page, lab)
    nb = _open_demo(lab, lab_page, name)
    nb.run_all()
    lab_page.wait_for_timeout(1500)  # widgets render after the kernel is idle
    assert lab_page.locator(f"{OUTPUTS} .jupyter-widgets").count() > 0
    found = violations(lab_page, include=[OUTPUTS])
    assert not found, described(found)
    if name == "05_capture":  # every tab of the capture form, not only the first
        for tab in lab_page.locator(".widget-tab .lm-TabBar-tab").filter(visible=True).all()[1:]:
            tab.click()
            lab_page.wait_for_timeout(300)
            found = violations(lab_page, include=[OUTPUTS])
            assert not found, f"tab {tab.inner_text()!r}:\n" + described(found)
    assert not _widget_trouble(lab_page, lab, seen)
