"""The anonymised report: no name or email in any free text, in any form; user text isolated in sentences."""

from __future__ import annotations

import re
import unicodedata
from importlib import resources

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook import open_workbook
from workbook.report import build as report_mod
from workbook.report import privacy as privacy_mod
from workbook.report.build import build_report
from workbook.report.privacy import Privacy, fold


@pytest.fixture
def chart_text(monkeypatch):
    """Charts are not encoded (quick); the text drawn in each figure is collected instead."""
    import matplotlib.text

    drawn: list[str] = []

    def collect(fig):
        drawn.extend(t.get_text() for t in fig.findobj(matplotlib.text.Text))
        return "data:image/png;base64,"

    monkeypatch.setattr(report_mod, "figure_data_uri", collect)
    return drawn


def everything(html: str, drawn: list[str]) -> str:
    soup = BeautifulSoup(html, "html.parser")
    parts = [str(s) for s in soup.find_all(string=True)]
    parts += [str(v) for tag in soup.find_all(True) for v in tag.attrs.values()]
    return "\n".join(parts + drawn)


def leaks(text: str, tokens: set[str]) -> set[str]:
    words = set(re.findall(r"[^\W\d_]+", fold(unicodedata.normalize("NFC", text))))
    return {t for t in tokens if t in words}


def _workbook_with(wb, name: str, texts: list[str]):
    """One contact called ``name``; ``texts`` in every free-text field the report shows."""
    person = wb.add_contact(name, "", "")
    other = wb.add_contact("Quinn Oduya", "Acme", "Nurse")
    titles = []
    for i, text in enumerate(texts):
        o = wb.add_option(f"Option {i} {text}"[:200], text, questions=f"{text}\nWhat else?")
        c = wb.add_criterion(f"Crit {i} {text}"[:200], 1, description=text)
        talk = wb.add_conversation(person, o, status="done")
        wb.add_insight(o, c, 1 + i % 2, "high", conversation_id=talk, note=text)
        wb.link_insider(other, o)
        titles.append(o)
    return titles


VARIANTS = [
    "maya said the pay is fine",
    "MAYA CHEN: the hours are long",
    "Maya's team is small",
    "ask Chen about it",
    "Máya Chén knows",
    "Chen\u0301 and Mayа",  # decomposed accent, a Cyrillic а is not her name (kept)
    "write to maya.chen(at)example.com or maya [at] example [dot] com",
    "mail maya.chen@example.com",
    "Ｍａｙａ in full width",
]


def test_every_form_of_a_name_and_email_is_masked_in_every_field(wb, chart_text):
    _workbook_with(wb, "Maya Chen", VARIANTS)
    html = build_report(wb)
    text = everything(html, chart_text)
    assert leaks(text, {"maya", "chen"}) == set()
    assert "example.com" not in text and "example [dot]" not in text
    assert "[name]" in text and "[email]" in text


def test_a_contact_without_role_or_organisation_is_a_contact_never_initials(wb, chart_text):
    _workbook_with(wb, "Bea Okafor", ["Good pay"])
    soup = BeautifulSoup(build_report(wb), "html.parser")
    attributions = [f.get_text(" ", strip=True) for f in soup.select(".cw-attribution")]
    assert attributions and all("a contact" in a and "B.O." not in a for a in attributions)


def test_names_are_kept_when_asked_for(wb, chart_text):
    _workbook_with(wb, "Maya Chen", ["Maya's team is small"])
    assert "Maya's team is small" in everything(build_report(wb, names=True), chart_text)


def test_privacy_scrub_unit():
    import pandas as pd

    privacy = Privacy(pd.DataFrame({"id": [1], "name": ["Zoë O'Brien-Hart"], "role": [""], "organization": [""]}))
    assert privacy.scrub("ZOE said O'Brien's boss Hart: fine") == "[name] said [name] boss [name]: fine"
    assert privacy.scrub("Zoe\u0308 and obrien") == "[name] and [name]"  # O'Brien run together, as in a handle
    assert privacy.scrub("Zoe\u0308 and brie") == "[name] and brie"  # not a part of her name
    assert privacy.label(1) == "a contact"


def test_right_to_left_overrides_cannot_reverse_a_sentence(wb, chart_text):
    o = wb.add_option("\u202eNursing")
    rtl = wb.add_option("تمريض")
    c = wb.add_criterion("Pay")
    for i in range(3):
        p = wb.add_contact(f"Person {i}", "Clinic", "Nurse")
        for option, stance in ((o, 2), (rtl, -1)):
            talk = wb.add_conversation(p, option, status="done")
            wb.add_insight(option, c, stance, "high", conversation_id=talk, note="x")
    html = build_report(wb)
    assert "\u202e" not in html
    soup = BeautifulSoup(html, "html.parser")
    headline = soup.select_one(".cw-headline")
    isolated = [b.get_text() for b in headline.find_all("bdi")]
    assert isolated[0] == "Nursing" and set(isolated) <= {"Nursing", "تمريض"}  # the runner-up may be named too
    arabic = soup.find_all(string=re.compile("تمريض"))
    assert arabic and all(node.find_parent("bdi") is not None for node in arabic), "isolated wherever it is shown"


FIRST = st.from_regex(r"[QXZJKW][aeiouáéíóúäöü][bcdfghjklmnpqrstvwxz][aeiouáéíóú][a-zñç]{0,3}", fullmatch=True)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=FIRST,
    last=FIRST,
    form=st.sampled_from(["plain", "upper", "lower", "folded", "nfd", "possessive", "colon", "surname", "first"]),
    template=st.sampled_from(
        ["{} said the pay is fine", "Talk to {} first", "{} — long hours", "hours (per {}) are long"]
    ),
)
def test_property_no_generated_name_survives_in_the_report(chart_text, tmp_path_factory, first, last, form, template):
    full = f"{first} {last}"
    shown = {
        "plain": full,
        "upper": full.upper(),
        "lower": full.lower(),
        "folded": fold(full).title(),
        "nfd": unicodedata.normalize("NFD", full),
        "possessive": f"{first}'s",
        "colon": f"{full.upper()}:",
        "surname": last,
        "first": first,
    }[form]
    email = f"{fold(first)}.{fold(last)}(at)mail.example.org"
    path = tmp_path_factory.mktemp("prop") / "wb.sqlite"
    with open_workbook(path) as wb:
        _workbook_with(wb, full, [template.format(shown), f"write to {email}"])
        html = build_report(wb)
    text = everything(html, chart_text)
    tokens = {fold(first), fold(last)}
    assert leaks(text, tokens) == set(), (shown, template)
    assert "mail.example" not in text


def test_a_workbook_file_name_with_an_override_cannot_reverse_the_header(tmp_path, chart_text):
    with open_workbook(tmp_path / "\u202ekroweman.sqlite") as wb:
        wb.add_option("Nursing")
        html = build_report(wb)
    assert "\u202e" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".cw-meta bdi").get_text() == "kroweman"


def test_the_reports_own_words_are_not_masked_when_a_contact_shares_them(wb, chart_text):
    o, c = wb.add_option("Nursing"), wb.add_criterion("Pay")
    for i, name in enumerate(["Chance Long", "Evidence Best", "Fit Leads", "Option Listed"]):
        p = wb.add_contact(name, "Clinic", "Nurse")
        talk = wb.add_conversation(p, o, status="done")
        wb.add_insight(o, c, 2, "high", conversation_id=talk, note=f"{name.split()[0]} said long hours {i}")
    soup = BeautifulSoup(build_report(wb), "html.parser")
    quotes = [q.get_text() for q in soup.select("blockquote p")]
    # "Chance", "Evidence", "Fit", "Option" capitalised are names; "long" as a word is not the surname Long
    assert quotes and all(q.startswith("[name] said long hours") for q in quotes), quotes
    for quote in soup.select("blockquote"):
        quote.extract()
    assert "[name]" not in soup.get_text(" "), "the report's own words are kept"


# ------------------------------------------------------------------ handles, phones, hidden characters, scripts
def _privacy(*names: str) -> Privacy:
    import pandas as pd

    n = len(names)
    return Privacy(
        pd.DataFrame({"id": range(1, n + 1), "name": list(names), "role": [""] * n, "organization": [""] * n})
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ping @mayachen on the forum", "ping [name] on the forum"),
        ("her handle is maya_chen", "her handle is [name]"),
        ("MayaChen posted it", "[name] posted it"),
        ("mayachen and chenmaya87", "[name] and [name]"),
        ("login mchen", "login [name]"),
        ("github.com/maya-chen", "[link]"),
        ("she is maya-chen there", "she is [name] there"),
        ("Maya.Chen said so", "[name] said so"),
    ],
)
def test_handles_made_of_a_name_are_masked(text, expected):
    assert _privacy("Maya Chen").scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ma\u00adya said the hours are long",  # soft hyphen
        "Ma\u200bya said the hours are long",  # zero-width space
        "Ma\u200cya and Ch\u200den",  # zero-width non-joiner and joiner
        "Ma\u2060ya\ufeff said",  # word joiner, byte order mark
        "Ｍａｙａ Ｃｈｅｎ said",  # full width (NFKC)
        "ＭＡＹＡ＿ＣＨＥＮ wrote",  # a full-width handle
    ],
)
def test_hidden_and_compatibility_characters_do_not_hide_a_name(text):
    out = _privacy("Maya Chen").scrub(text)
    assert "[name]" in out
    assert not {"maya", "chen"} & set(re.findall(r"[a-z]+", fold(out)))


def test_a_name_split_by_a_hidden_character_is_masked_in_the_report(wb, chart_text):
    _workbook_with(wb, "Maya Chen", ["Ma\u00adya said pay is fine", "ask Ch\u200ben", "M\u200dA\u2060Y\ufeffA knows"])
    text = everything(build_report(wb), chart_text)
    assert leaks(text.replace("\u00ad", "").replace("\u200b", "").replace("\u200d", ""), {"maya", "chen"}) == set()
    assert leaks("".join(c for c in text if c.isalnum() or c.isspace() or c in "[]"), {"maya", "chen"}) == set()


@pytest.mark.parametrize(
    "text, kept",
    [
        ("call me on +1 415 555 2671 after six", "call me on [phone] after six"),
        ("her mobile is (415) 555-2671.", "her mobile is [phone]."),
        ("office +44 20 7946 0958", "office [phone]"),
        ("Berlin 030 901820 or 0049 30 901820", "Berlin [phone] or [phone]"),
        ("Paris 01 42 68 53 00", "Paris [phone]"),
        ("+91 98765 43210 (whatsapp)", "[phone] (whatsapp)"),
        ("worked there 2019-2023, pay 85000 a year", "worked there 2019-2023, pay 85000 a year"),
        ("met on 2026-11-20 at 10:30, room 1204", "met on 2026-11-20 at 10:30, room 1204"),
        ("pay $100 – $200 more", "pay $100 – $200 more"),
    ],
)
def test_phone_numbers_are_masked_and_other_numbers_kept(text, kept):
    assert _privacy("Maya Chen").scrub(text) == kept


def test_a_phone_number_in_a_note_does_not_reach_the_report(wb, chart_text):
    _workbook_with(wb, "Maya Chen", ["call her on +1 415 555 2671", "or 020 7946 0958 in London"])
    text = everything(build_report(wb), chart_text)
    assert "555 2671" not in text and "7946" not in text and "[phone]" in text


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("王芳", "我和王芳聊了工作", "我和[name]聊了工作"),
        ("王芳", "我和王 芳聊了", "我和[name]聊了"),
        ("王芳", "王・芳说工资不错", "[name]说工资不错"),
        ("王芳", "王 … 芳说", "[name]说"),
        ("王 芳", "我和王芳聊了", "我和[name]聊了"),
        ("王芳", "王\u200b芳说", "[name]说"),
        ("田中 太郎", "田中さんが言った", "[name]さんが言った"),
        ("김민수", "김민수씨가 말했다", "[name]씨가 말했다"),
        ("สมชาย ใจดี", "คุยกับสมชายแล้ว", "คุยกับ[name]แล้ว"),
    ],
)
def test_names_in_scripts_without_spaces_are_found_inside_a_sentence(name, text, expected):
    assert _privacy(name).scrub(text) == expected


def test_a_chinese_name_inside_a_sentence_does_not_reach_the_report(wb, chart_text):
    _workbook_with(wb, "王芳", ["我和王芳聊了工作", "王 芳说工资不错"])
    text = everything(build_report(wb), chart_text)
    assert "王芳" not in text and "王 芳" not in text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I will ask about the rose garden", "I will ask about the rose garden"),
        ("the pay will rise; a rose by any other name", "the pay will rise; a rose by any other name"),
        ("Will said the rose garden is lovely", "[name] said the rose garden is lovely"),
        ("ask Rose about it", "ask [name] about it"),
        ("will rose said yes", "[name] said yes"),
        ("Will Rose's team", "[name] team"),
        ("@willrose and will_rose", "[name] and [name]"),
        ("WILL ROSE: long hours", "[name]: long hours"),
    ],
)
def test_a_common_word_in_a_name_is_masked_only_where_it_is_the_name(text, expected):
    assert _privacy("Will Rose").scrub(text) == expected


def test_a_name_that_is_no_common_word_is_masked_in_lower_case_too():
    privacy = _privacy("Will Rose", "Maya Chen", "Sam Lee")
    assert (
        privacy.scrub("maya and sam said the rose garden will do") == "[name] and [name] said the rose garden will do"
    )


def common_words_from_pyspellchecker() -> str:
    """``workbook/report/common_words.txt`` as the installed pyspellchecker makes it (write this to the file
    after upgrading pyspellchecker, if the test below says they differ)."""
    from spellchecker import SpellChecker

    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    words = sorted(w for w, n in counts.items() if n >= privacy_mod.COMMON_COUNT and w.isascii())
    return "".join(f"{w}\n" for w in words)


def test_the_shipped_common_words_are_pyspellchecker_english_words_used_10000_times_or_more():
    shipped = (resources.files("workbook.report") / privacy_mod.COMMON_WORDS).read_text(encoding="utf-8")
    assert shipped == common_words_from_pyspellchecker(), "regenerate common_words.txt from pyspellchecker"
    assert privacy_mod.is_common_word("will") and privacy_mod.is_common_word("rose")
    assert not privacy_mod.is_common_word("maya") and not privacy_mod.is_common_word("john")


def test_common_words_in_names_are_kept_in_the_report_as_words(wb, chart_text):
    _workbook_with(wb, "Will Rose", ["I will visit the rose garden", "Will said pay is fine"])
    soup = BeautifulSoup(build_report(wb), "html.parser")
    quotes = {q.get_text() for q in soup.select("blockquote p")}
    assert "I will visit the rose garden" in quotes and "[name] said pay is fine" in quotes
