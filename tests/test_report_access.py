"""The report for readers who cannot see its charts, and for those who print it."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from workbook.formatting import signed
from workbook.report.build import build_report


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from workbook.demo import build_demo

    wb = build_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite", overwrite=True)
    yield wb
    wb.close()


@pytest.fixture(scope="module")
def page(demo):
    return BeautifulSoup(build_report(demo), "html.parser")


def test_every_chart_says_what_it_shows_with_its_numbers(page, demo):
    figures = page.find_all("figure")
    assert len(figures) == 6  # the five of the comparison and the outreach
    for figure in figures:
        img = figure.find("img")
        alt = img.get("alt", "")
        assert len(alt) > 80 and len(re.findall(r"\d", alt)) >= 5, alt
        assert figure.find("figcaption").get_text(strip=True)
        assert not alt.lower().startswith(("a chart", "chart", "image"))
    ux = demo.compare().set_index("title").loc["UX research"]
    scores = page.find("figure", id="chart-scores").find("img")["alt"]
    assert (
        f"UX research: {signed(ux['score'], 2)}, 90% interval {signed(ux['low'], 2)} to {signed(ux['high'], 2)}"
        in scores
    )
    # the same figures as the table of options
    table = page.find("section", id="options").get_text(" ")
    assert signed(ux["score"], 2) in table and f"{signed(ux['low'], 2)} to {signed(ux['high'], 2)}" in table


def test_the_report_has_a_print_stylesheet(page):
    css = " ".join(style.get_text() for style in page.find_all("style"))
    printing = css[css.index("@media print") :]
    assert "@page" in css
    assert re.search(r"section[^{]*\{[^}]*break-before:\s*page", printing)  # each section on a new page
    assert re.search(r"(figure|img)[^{]*\{[^}]*break-inside:\s*avoid", printing)
    assert re.search(r"thead[^{]*\{[^}]*table-header-group", printing)  # long tables repeat their header


def test_one_number_reads_the_same_everywhere_and_lines_are_sentences(page, demo):
    """The summary, the table of options, the option's card and the chart say the same score the same way."""
    leader = demo.compare().iloc[0]
    score, low, high = (signed(leader[k], 2) for k in ("score", "low", "high"))
    summary = " ".join(page.find("section", id="summary").get_text(" ").split())
    card = " ".join(page.find("section", id="evidence").get_text(" ").split())
    assert f"score {score}, 90% sure between {low} and {high}" in summary
    assert f"score {score} (90% interval {low} to {high})" in card
    text = " ".join(page.get_text(" ").split())
    assert not re.search(r"\b(for|against|neutral) on \w", text)  # "strongly for on Pay"
    quotes = [f.get_text(" ") for f in page.find_all("footer", class_="cw-attribution")]
    assert quotes and all(
        re.match(r"\s*\S.*: (strongly for|for|neutral|against|strongly against) ·", q) for q in quotes
    )
