"""The axe-core accessibility engine in a page: what WCAG 2.2 A and AA violations it finds.

axe-core comes from npm (``tests/browser/package.json``; ``.ci/run`` installs it with ``npm ci``).
It is evaluated in the page through the browser's developer protocol, so a page that allows no
script of its own (the report) is checked as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
#: The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
#: What counts: axe's two worst impacts.
SERIOUS = ("serious", "critical")

_RUN = """async ({include, exclude, tags}) => {
  const context = include ? {include: include.map(s => [s]), exclude: exclude.map(s => [s])} : {exclude: exclude.map(s => [s])};
  const result = await axe.run(context, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 6).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
  }));
}"""


def axe_source() -> str:
    if not AXE.exists():
        message = "axe-core is not installed (npm ci --prefix tests/browser)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def violations(page, *, include: list[str] | None = None, exclude: list[str] = ()) -> list[dict]:
    """Serious and critical WCAG 2.2 A/AA violations in ``page`` (or in the elements ``include`` selects)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(f"() => {{ {axe_source()}\n }}")
    found = page.evaluate(_RUN, {"include": include, "exclude": list(exclude), "tags": TAGS})
    return [v for v in found if v["impact"] in SERIOUS]


def described(found: list[dict]) -> str:
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found)
