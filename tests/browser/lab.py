"""Drive one notebook in JupyterLab the way a person does: run it, type, choose, click, read."""

from __future__ import annotations

import re
import time

#: The state of the notebook in view: kernel status, code cells still to run, errors shown.
_STATE_JS = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext || !panel.context.isReady) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const state = {kernel: kernel ? kernel.status : 'none', pending: 0, errors: []};
  for (const cell of panel.content.widgets) {
    const model = cell.model;
    if (model.type !== 'code' || !model.sharedModel.getSource().trim()) continue;
    if (model.executionCount === null) state.pending += 1;
    for (const out of model.outputs.toJSON()) {
      if (out.output_type === 'error') state.errors.push(out.ename + ': ' + out.evalue);
    }
  }
  return state;
}"""


class NotebookError(AssertionError):
    pass


class NotebookPage:
    """One notebook open in a page. Form fields are found by the label a person reads."""

    def __init__(self, page, url: str):
        self.page = page
        self.url = url
        self.timings: dict[str, float] = {}  # seconds to open (kernel idle) and to run all cells

    # ---------------------------------------------------------------- running
    def state(self) -> dict | None:
        return self.page.evaluate(_STATE_JS)

    def open(self, timeout_s: float = 60) -> None:
        start = time.monotonic()
        self.page.goto(self.url)
        self._wait(lambda s: s is not None and s["kernel"] == "idle", timeout_s, "the kernel to start")
        self.timings["open"] = time.monotonic() - start

    def run_all(self, timeout_s: float = 120) -> None:
        """Run every cell (as Run ▸ Run All Cells) and wait until all ran; fail on an error output."""
        start = time.monotonic()
        self.page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        state = self._wait(
            lambda s: s is not None and (s["errors"] or s["pending"] == 0) and s["kernel"] == "idle",
            timeout_s,
            "every cell to run",
        )
        self.timings["run_all"] = time.monotonic() - start
        if state["errors"]:
            raise NotebookError("a cell failed: " + " | ".join(state["errors"]))

    def _wait(self, done, timeout_s: float, what: str) -> dict:
        deadline = time.monotonic() + timeout_s
        state = None
        while time.monotonic() < deadline:
            state = self.state()
            if done(state):
                return state
            time.sleep(0.2)
        raise NotebookError(f"timed out after {timeout_s:.0f} s waiting for {what}; last state {state}")

    # ------------------------------------------------------------------ forms
    def _labelled(self, kind: str, label: str, scope=None):
        """The widget of ``kind`` (text, textarea, dropdown, ...) whose description is ``label``."""
        root = scope if scope is not None else self.page
        exact = re.compile(rf"^\s*{re.escape(label)}\s*:?\s*$")
        box = root.locator(f".widget-{kind}", has=self.page.locator("label.widget-label", has_text=exact))
        return box.filter(visible=True)

    def fill(self, label: str, text: str, *, scope=None, area: bool = False) -> None:
        kind = "textarea" if area else "text"
        field = self._labelled(kind, label, scope).locator("textarea" if area else "input").first
        field.fill(text)
        field.dispatch_event("change")  # widgets with continuous_update=False sync on change/blur
        field.blur()

    def shows(self, label: str, text: str, *, scope=None, area: bool = False, timeout_s: float = 30) -> None:
        """Wait until the field labelled ``label`` holds ``text``: the kernel has filled the form."""
        kind = "textarea" if area else "text"
        field = self._labelled(kind, label, scope).locator("textarea" if area else "input").first
        deadline = time.monotonic() + timeout_s
        while (value := field.input_value()) != text:
            if time.monotonic() > deadline:
                raise NotebookError(f"{label} shows {value!r} after {timeout_s:.0f} s, not {text!r}")
            time.sleep(0.05)

    def choose(self, label: str, option: str | re.Pattern, *, scope=None) -> None:
        select = self._labelled("dropdown", label, scope).locator("select").first
        select.wait_for()
        if isinstance(option, re.Pattern):
            texts = [" ".join(t.split()) for t in select.locator("option").all_text_contents()]
            matches = [i for i, t in enumerate(texts) if option.search(t)]
            assert matches, f"{label}: no choice matches {option.pattern!r} among {texts}"
            select.select_option(index=matches[0])
        else:
            select.select_option(label=option)

    def choose_many(self, label: str, pattern: re.Pattern, *, scope=None) -> None:
        """In a multiple-choice list, select every entry matching ``pattern``."""
        select = self._labelled("select-multiple", label, scope).locator("select").first
        select.wait_for()
        texts = [" ".join(t.split()) for t in select.locator("option").all_text_contents()]
        picked = [i for i, t in enumerate(texts) if pattern.search(t)]
        assert picked, f"{label}: no choice matches {pattern.pattern!r} among {texts}"
        select.select_option(index=picked)

    def slide(self, label: str, value: float, *, scope=None) -> None:
        """Set a slider by typing into its readout, as a person can instead of dragging."""
        readout = self._labelled("slider", label, scope).locator(".widget-readout").first
        readout.click()
        readout.press("Control+A")
        readout.press_sequentially(f"{value:g}")
        readout.press("Enter")

    def tick(self, text: str, *, scope=None) -> None:
        """Tick the checkbox whose description contains ``text``."""
        root = scope if scope is not None else self.page
        root.locator(".widget-checkbox", has_text=text).filter(visible=True).locator("input").first.check()

    def click(self, text: str, *, scope=None) -> None:
        """Click the widget button whose text is ``text`` (never lab's own toolbar buttons)."""
        root = scope if scope is not None else self.page
        root.locator("button.jupyter-button", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).filter(
            visible=True
        ).first.click()

    def tab(self, title: str, *, scope=None) -> None:
        """Open the tab of a widget Tab whose title is ``title``."""
        root = scope if scope is not None else self.page
        root.locator(".widget-tab .lm-TabBar-tab", has_text=title).filter(visible=True).first.click()

    def status(self, kind: str = "ok", containing: str = "", *, scope=None, timeout_s: float = 30) -> str:
        """Wait for a status line of ``kind`` (ok / error / info) holding ``containing``; return its text."""
        root = scope if scope is not None else self.page
        line = root.locator(f".cw-status.cw-{kind}", has_text=containing).filter(visible=True).first
        line.wait_for(timeout=timeout_s * 1000)
        return line.text_content()

    def cell(self, button: str):
        """The code cell whose output holds a widget button reading ``button`` (scope for one form)."""
        has = self.page.locator("button.jupyter-button", has_text=button)
        found = self.page.locator(".jp-CodeCell", has=has)
        found.first.wait_for(timeout=15_000)
        return found.first
