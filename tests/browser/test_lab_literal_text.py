"""Dollar signs in JupyterLab with its MathJax: notebook 01 opens and shows ``$$ bonus $$`` as written.

An option or a criterion named with ``$`` used to stop notebook 01 (a mathtext error in the weights
chart) and, once drawn, turned into maths in the slider labels, tables and status lines.
"""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.browser

#: MathJax is at work in this page: a text with $x$ handed to lab's typesetter turns into maths.
_CONTROL_JS = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  const el = document.createElement('div');
  el.textContent = 'control $x^2$ control';
  panel.content.node.appendChild(el);
  await panel.content.rendermime.latexTypesetter.typeset(el);
  for (let i = 0; i < 50 && !el.querySelector('mjx-container'); i++) await new Promise(r => setTimeout(r, 100));
  const typeset = !!el.querySelector('mjx-container');
  el.remove();
  return typeset;
}"""

#: Maths MathJax made inside the notebook's outputs, and the visible text of the weight sliders' labels.
_OUTPUTS_JS = """() => {
  const outputs = document.querySelectorAll('.jp-OutputArea-output');
  let maths = 0;
  for (const out of outputs) maths += out.querySelectorAll('mjx-container').length;
  const labels = Array.from(document.querySelectorAll('.widget-slider .widget-label'))
    .filter(el => el.offsetParent).map(el => el.innerText.trim());
  return {maths, labels};
}"""


def test_01_opens_and_shows_dollars_as_written(open_notebook, lab_workbook):
    t = uuid.uuid4().hex[:6]
    bonus, pay = f"$$ bonus $$ {t}", f"pay $100 – $200 {t}"
    lab_workbook.add_criterion(bonus, 2.0)
    lab_workbook.add_option(pay, "between $ signs: $x$")

    nb = open_notebook("01_options_and_criteria")
    nb.run_all()  # a mathtext error in the weights chart would fail a cell here
    assert nb.page.evaluate(_CONTROL_JS), "MathJax should be at work in this page"

    options = nb.cell("Save option")
    nb.choose("Option", re.compile(re.escape(pay)), scope=options)
    nb.click("Save option", scope=options)
    nb.status("ok", f"Saved option {pay}", scope=options)
    nb.page.wait_for_timeout(1500)  # MathJax typesets asynchronously

    found = nb.page.evaluate(_OUTPUTS_JS)
    assert found["maths"] == 0
    assert bonus in found["labels"]
    cells = [" ".join(c.split()) for c in nb.page.locator(".cw-table td").all_inner_texts()]
    assert bonus in cells and pay in cells and "between $ signs: $x$" in cells
    assert nb.page.dialogs == []
