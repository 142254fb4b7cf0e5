"""The shared report for every reader: no serious WCAG 2.2 AA violation, nothing cut at 1280 px, and a
printed copy (A4 and Letter, from Chromium) with each section on a new page and no table or chart split."""

from __future__ import annotations

import bisect
import io
import itertools
import re
import unicodedata

import pytest

from workbook.demo import build_demo
from workbook.report.build import write_report

from .axe import described, violations

pytestmark = pytest.mark.browser

LONG = "Gestión de datos — salud pública"
#: Page sizes in millimetres and the report's print margins (left + right), see _style.html.
PAGES = {"A4": (210, 297), "Letter": (215.9, 279.4)}
SIDE_MARGINS_MM = 24
PX_PER_MM = 96 / 25.4

#: Elements whose content is wider than their box (text or a picture cut off).
_CUT_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('.cw-report *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || !el.getClientRects().length) continue;
    const clips = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
    if (clips && el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName}.${el.className}: clipped`);
    const box = el.getBoundingClientRect();
    if (box.right > document.documentElement.clientWidth + 1) out.push(`${el.tagName}.${el.className}: past the right edge (${Math.round(box.right)} px)`);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    wb = build_demo(folder / "demo.sqlite", overwrite=True)
    option = wb.add_option(LONG, "Analizar datos de salud para un departamento de salud pública.")
    wb.add_insight(option, int(wb.criteria()["id"].iloc[0]), 1, source="job-posting", note="Un anuncio: «híbrido»")
    path = write_report(wb, folder / "report.html")
    wb.close()
    return path


def test_the_report_has_no_serious_accessibility_violation(page, report):
    page.goto(report.resolve().as_uri())
    found = violations(page)
    assert not found, described(found)


def test_nothing_in_the_report_is_cut_at_1280(page, report):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(report.resolve().as_uri())
    assert page.evaluate(_CUT_JS) == []


def _page_texts(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [_squeezed(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]


def _squeezed(text: str) -> str:
    """Text without spaces or line breaks, ligatures (the PDF's "ﬁ") as letters."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _page_of(texts: list[str], needle: str, start: int = 0) -> int:
    """The first page, from ``start``, whose text holds ``needle`` (whitespace ignored)."""
    needle = _squeezed(needle)
    for i in range(start, len(texts)):
        if needle in texts[i]:
            return i
    raise AssertionError(f"{needle[:60]!r} is on no page from page {start + 1}")


@pytest.mark.parametrize("paper", list(PAGES))
def test_the_report_prints_whole_on_a4_and_letter(page, report, paper):
    width_mm, _ = PAGES[paper]
    page.emulate_media(media="print")
    page.set_viewport_size({"width": round((width_mm - SIDE_MARGINS_MM) * PX_PER_MM), "height": 1000})
    page.goto(report.resolve().as_uri())
    assert page.evaluate(_CUT_JS) == [], "cut off on the printed page"
    sections = page.evaluate("() => Array.from(document.querySelectorAll('main > section > h2'), h => h.innerText)")
    tables = page.evaluate(
        """() => Array.from(document.querySelectorAll('main table')).map(t => {
             const rows = Array.from(t.rows).filter(r => r.innerText.trim());
             return [rows[0].innerText, rows[rows.length - 1].innerText];
           })"""
    )
    captions = page.evaluate("() => Array.from(document.querySelectorAll('figure figcaption'), c => c.innerText)")
    pdf = page.pdf(format=paper)
    texts = _page_texts(pdf)

    assert (
        len(sections) >= 5 and len(texts) >= len(sections) + 1
    )  # a cover page of summary, then one page each at least
    assert len(texts) <= 40
    # each section starts a page: its heading is the first thing on a page, in the order of the sections
    previous = 0
    for heading in sections[1:]:
        squeezed = _squeezed(heading)
        starts = [i for i in range(previous + 1, len(texts)) if texts[i].startswith(squeezed)]
        assert starts, f"no page after page {previous + 1} starts with {heading!r}"
        previous = starts[0]
    # no table is split: the words of its last row are on the page of its header (tables in the order they come)
    whole, starts = "".join(texts), list(itertools.accumulate([0, *map(len, texts)]))
    position = -1
    for first, last in tables:
        position = whole.find(_squeezed(first), position + 1)
        assert position >= 0, f"the table under {first[:40]!r} is not in the printed copy"
        at = bisect.bisect_right(starts, position) - 1
        missing = [w for w in re.findall(r"\w{4,}", last) if _squeezed(w) not in texts[at]]
        assert not missing, f"the table under {first[:40]!r} runs past page {at + 1}: {missing} are not on it"
    # no chart is split: its title, drawn at its top, is on the same page as the caption under it
    for caption in captions:
        squeezed = _squeezed(caption)
        where = _page_of(texts, squeezed)
        assert texts[where].count(squeezed) >= 2, f"the chart {caption!r} is split over two pages"
