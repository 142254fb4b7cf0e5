"""``$`` is text in every form: labels, tables, status lines and the report preview never turn into maths.

JupyterLab and Voilà typeset widget labels, HTML widgets and HTML outputs with
MathJax (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``; ``\\$`` and ``\\\\`` are escapes),
except inside an element of class ``mathjax_ignore``. :func:`typeset` below
follows MathJax's rules closely enough to tell whether a text would become maths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ipywidgets as widgets
import pytest
from bs4 import BeautifulSoup

from workbook.forms.base import widget_text
from workbook.forms.capture import CaptureForm
from workbook.forms.compare import CompareForm
from workbook.forms.contacts import ContactsForm
from workbook.forms.criteria import CriteriaForm
from workbook.forms.options import OptionsForm
from workbook.forms.outreach import OutreachForms
from workbook.forms.prep import PrepForm
from workbook.forms.report import ReportForm

BONUS, PAY, TEX = "$$ bonus $$", "pay $100 – $200", r"\(x\) or \[y\] or $\alpha$"
_START = re.compile(r"\$\$|\$|\\\(|\\\[|\\begin\s*\{([^}]*)\}|\\([\\$])")
_END = {"$$": "$$", "$": "$", "\\(": "\\)", "\\[": "\\]"}
_SKIPPED = {"script", "noscript", "style", "textarea", "pre", "code", "annotation", "annotation-xml"}


def typeset(text: str) -> tuple[str, bool]:
    """What MathJax shows for ``text`` (escapes resolved), and whether it found maths in it."""
    out, i = [], 0
    while (m := _START.search(text, i)) is not None:
        out.append(text[i : m.start()])
        token = m.group(0)
        if m.group(2) is not None:  # an escape: \$ or \\
            out.append(m.group(2))
        elif m.group(1) is not None:
            if re.search(r"\\end\s*\{" + re.escape(m.group(1)) + r"\}", text[m.end() :]):
                return "", True
            out.append(token)
        elif text.find(_END[token], m.end() + (token == "$")) >= 0:
            return "", True
        else:
            out.append(token)
        i = m.end()
    out.append(text[i:])
    return "".join(out), False


def test_typeset_knows_maths_from_text():
    assert typeset(BONUS)[1] and typeset(PAY)[1] and typeset(r"a \(x\) b")[1]
    assert typeset("costs $5") == ("costs $5", False)
    for text in (BONUS, PAY, TEX, "a \\ b", "\\$"):
        assert typeset(widget_text(text)) == (text, False)


def _widgets(root):
    yield root
    for child in getattr(root, "children", ()) or ():
        yield from _widgets(child)


def maths_in_html(markup: str) -> list[str]:
    """Text nodes of ``markup`` MathJax would typeset as maths (outside ``mathjax_ignore``)."""
    soup = BeautifulSoup(markup, "html.parser")
    found = []
    for node in soup.find_all(string=True):
        parents = list(node.parents)
        if any(p.name in _SKIPPED for p in parents):
            continue
        if any("mathjax_ignore" in (p.get("class") or []) for p in parents if p.name):
            continue
        if typeset(str(node))[1]:
            found.append(str(node))
    return found


def check_view(view) -> list[str]:
    """Every widget label and HTML value in ``view`` that MathJax would turn into maths."""
    problems = []
    for w in _widgets(view):
        for text in (getattr(w, "description", ""), w.value if isinstance(w, widgets.Label) else ""):
            if text and typeset(text)[1]:
                problems.append(f"{type(w).__name__} label {text!r}")
        if isinstance(w, widgets.HTML) and not isinstance(w, widgets.Label):
            problems += [f"{type(w).__name__} {t!r}" for t in maths_in_html(w.value)]
    return problems


@dataclass(frozen=True)
class DollarsIds:
    options: tuple[int, ...]
    criteria: tuple[int, ...]
    person: int
    talk: int


@pytest.fixture
def dollars_ids(wb) -> DollarsIds:
    options = [wb.add_option(BONUS, PAY, questions=f"{BONUS}?\n{TEX}?"), wb.add_option(PAY)]
    criteria = [wb.add_criterion(BONUS, 2, description=PAY), wb.add_criterion(TEX, 1)]
    person = wb.add_contact(PAY, BONUS, TEX, options=options)
    talk = wb.add_conversation(person, options[0], status="done", done_on="2026-11-20", notes=TEX)
    wb.add_insight(options[0], criteria[0], 2, conversation_id=talk, note=BONUS)
    wb.add_insight(options[1], criteria[1], -1, conversation_id=talk, note=TEX)
    wb.add_conversation(person, options[1], status="planned")
    return DollarsIds(options=tuple(options), criteria=tuple(criteria), person=person, talk=talk)


@pytest.fixture
def dollars(wb, dollars_ids):
    return wb


def test_notebook_01s_criteria_form_opens_with_dollars_in_names(dollars):
    form = CriteriaForm(dollars)  # draws the weights chart: a mathtext error would stop it here
    assert bytes(form.weights.chart.png).startswith(b"\x89PNG")
    labels = [s.description for s in form.weights.sliders.values()]
    assert [typeset(label) for label in labels] == [(BONUS, False), (TEX, False)]
    assert check_view(form.view) == [] and check_view(form.weights.view) == []
    cells = [td.get_text() for td in BeautifulSoup(form.table.value, "html.parser").find_all("td")]
    assert BONUS in cells and PAY in cells


def test_every_form_shows_dollars_as_written(dollars, dollars_ids):
    options = OptionsForm(dollars)
    options.pick.value = dollars_ids.options[0]
    options.save_button.click()  # a status line naming the option
    assert options.status.kind == "ok" and BONUS in options.status.text
    compare = CompareForm(dollars, draws=200)
    contacts = ContactsForm(dollars)
    contacts.pick.value = dollars_ids.person
    capture = CaptureForm(dollars)
    capture.conversation.value = dollars_ids.talk
    outreach = OutreachForms(dollars)
    prep = PrepForm(dollars)
    views = {
        "options": options.view,
        "compare": compare.view,
        "next conversations": compare.next_view,
        "contacts": contacts.view,
        "capture": capture.view,
        "draft": outreach.draft.view,
        "record": outreach.record.view,
        "due": outreach.due.view,
        "prep": prep.view,
    }
    assert {name: check_view(view) for name, view in views.items()} == {name: [] for name in views}
    questions = [box.description for box, _ in capture.answered]
    assert [typeset(q)[0] for q in questions] == [f"{BONUS}?", f"{TEX}?"]


def test_the_report_preview_is_not_typeset(dollars):
    html = ReportForm(dollars).preview().data
    assert BONUS in BeautifulSoup(html, "html.parser").get_text()
    assert maths_in_html(html) == []
