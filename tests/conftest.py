"""Fixtures: every workbook is a temporary file, never a real user's."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from workbook import open_workbook


@pytest.fixture
def wb_path(tmp_path):
    return tmp_path / "workbook.sqlite"


@pytest.fixture
def wb(wb_path):
    """A fresh, empty workbook."""
    book = open_workbook(wb_path)
    yield book
    book.close()


@dataclass(frozen=True)
class FilledIds:
    """The ids of the records in ``filled``, by name."""

    o1: int  # option "UX research"
    o2: int  # option "Data engineering"
    c1: int  # criterion "Pay"
    c2: int  # criterion "Flexibility"
    p1: int  # contact "Rosa Marquez", insider for o1
    p2: int  # contact "Kofi Mensah", insider for o2
    v1: int  # conversation with p1 about o1, done


@pytest.fixture
def filled_ids(wb) -> FilledIds:
    """Fills ``wb`` as ``filled`` describes and gives the ids of what it added."""
    o1 = wb.add_option("UX research", "Study how people use products")
    o2 = wb.add_option("Data engineering")
    c1 = wb.add_criterion("Pay", 2.0)
    c2 = wb.add_criterion("Flexibility", 1.0)
    p1 = wb.add_contact("Rosa Marquez", "Acme Analytics", "UX Researcher", "alumni", options=[o1])
    p2 = wb.add_contact("Kofi Mensah", "Nordlicht GmbH", "Data Engineer", "colleague", options=[o2])
    v1 = wb.add_conversation(p1, o1, status="done", done_on="2026-10-01")
    wb.add_insight(o1, c1, 1, conversation_id=v1, note="Pay is fine after two years")
    return FilledIds(o1=o1, o2=o2, c1=c1, c2=c2, p1=p1, p2=p2, v1=v1)


@pytest.fixture
def filled(wb, filled_ids):
    """A small workbook: two options, two criteria, two contacts, one conversation, one insight.

    Their ids are in the ``filled_ids`` fixture; nothing is added to the workbook object itself.
    """
    return wb


@pytest.fixture
def demo_wb(tmp_path):
    """A private copy of the demo workbook."""
    from workbook.demo import build_demo

    book = build_demo(tmp_path / "demo.sqlite", overwrite=True)
    yield book
    book.close()


@pytest.fixture(scope="session")
def browser():
    """Chromium, started once per test process for every test that drives one (tests/browser, tests/hub).

    One Playwright driver per process: a second ``sync_playwright()`` started while the first runs
    fails with "using Playwright Sync API inside the asyncio loop", so the browser and hub tests share
    this one.
    """
    from tests.browser.conftest import LAUNCH_ARGS, chromium_path, unavailable

    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install playwright)")
    executable = chromium_path()
    if executable is None:
        where = (
            f"not at $CHROMIUM={os.environ['CHROMIUM']}" if os.environ.get("CHROMIUM", "").strip() else "not on PATH"
        )
        unavailable(f"Chromium is {where} (apt-get install chromium, or set $CHROMIUM)")
    driver = sync_playwright().start()
    try:
        chromium = driver.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, headless=True)
    except Error as exc:
        driver.stop()
        unavailable(f"Chromium at {executable} does not start: {exc}")
    yield chromium
    chromium.close()
    driver.stop()
