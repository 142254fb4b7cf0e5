"""The shareable HTML report: self-contained, escaped, private by default."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from workbook import open_workbook
from workbook.cli.main import cli
from workbook.forms.report import ReportForm
from workbook.report import build as report_mod
from workbook.report.build import build_report, write_report

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
EMOJI = "Hybrid work 🎉🚀 suits me"
RTL = "تحليل البيانات للصحة العامة"
AMP = 'Pay & "perks" </td><td>'

PEOPLE = [
    # name, organisation, role, email, profile url
    (
        "Rosa Marquez",
        "Acme Analytics",
        "UX Researcher",
        "rosa.marquez@acme.example",
        "https://www.linkedin.com/in/rosamarquez",
    ),
    ("Kofi Mensah", "Nordlicht GmbH", "Data Engineer", "kofi@nordlicht.example", "https://www.linkedin.com/in/kofi-m"),
    ("Zanele Dlamini", "", "", "zanele@example.org", ""),
]
PRIVATE_NOTES = ["met at the alumni dinner, divorced last year", "she asked me not to share her salary"]


@pytest.fixture
def fast_charts(monkeypatch):
    """Skip drawing the charts, for tests about files, forms and the CLI (drawing takes seconds)."""
    monkeypatch.setattr(report_mod, "figure_data_uri", lambda fig: "data:image/png;base64,")


def soup_of(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def texts(soup: BeautifulSoup) -> list[str]:
    return [str(s) for s in soup.find_all(string=True)]


def has_text(soup: BeautifulSoup, needle: str) -> bool:
    return any(needle in t for t in texts(soup))


def fill_hostile(wb):
    """Every user field hostile, foreign or private."""
    o1 = wb.add_option(f"UX {SCRIPT}", f"desc {IMG}", questions=f"Can I switch? {EMOJI}\n{RTL}")
    o2 = wb.add_option(RTL, AMP)
    o3 = wb.add_option("Teaching", "stay where I am")
    c1 = wb.add_criterion(f"Pay {IMG}", 3, description=SCRIPT)
    c2 = wb.add_criterion(EMOJI, 1)
    people = []
    for name, org, role, email, url in PEOPLE:
        people.append(
            wb.add_contact(
                name, org, role, "alumni", email=email, profile_url=url, notes=PRIVATE_NOTES[0], options=[o1, o2]
            )
        )
    v1 = wb.add_conversation(people[0], o1, status="done", notes=PRIVATE_NOTES[1], debrief=PRIVATE_NOTES[1])
    v2 = wb.add_conversation(people[1], o2, status="done")
    v3 = wb.add_conversation(people[2], o1, status="done")
    wb.add_insight(o1, c1, 2, "high", note=f"Salary is great {SCRIPT}", conversation_id=v1)
    wb.add_insight(o1, c2, -1, note=f"{IMG} remote is rare", conversation_id=v1, against_hopes=True)
    wb.add_insight(o2, c1, 1, note=f"{RTL} — {EMOJI}", conversation_id=v2)
    wb.add_insight(o2, c2, -2, note=AMP, conversation_id=v2)
    wb.add_insight(
        o1,
        c1,
        1,
        note="Rosa said Kofi Mensah earns more; mail rosa.marquez@acme.example "
        "or see https://www.linkedin.com/in/rosamarquez",
        conversation_id=v3,
    )
    wb.add_insight(o3, c1, -1, source="online-review", note="Pay is flat for years")


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory):
    """The anonymised and the named report of the hostile workbook (built once: charts take time)."""
    from workbook.charts.evidence import all_charts

    with open_workbook(tmp_path_factory.mktemp("hostile") / "wb.sqlite") as book:
        fill_hostile(book)
        return {False: build_report(book), True: build_report(book, names=True), "charts": len(all_charts(book))}


@pytest.fixture
def hostile(hostile_reports):
    return hostile_reports[False]


def test_report_has_no_scripts_handlers_or_external_resources(hostile):
    soup = soup_of(hostile)
    assert soup.find("script") is None
    for tag in soup.find_all(True):
        handlers = [a for a in tag.attrs if a.lower().startswith("on")]
        assert not handlers, (tag.name, handlers)
        for attr in ("src", "href", "srcset", "action", "formaction", "poster", "data"):
            value = tag.get(attr)
            if value is not None:
                assert value.startswith(("data:", "#")), (tag.name, attr, value[:80])
    assert not soup.find_all(["iframe", "object", "embed", "link", "form", "base"])
    styles = soup.find_all("style")
    assert len(styles) == 1, "the CSS is one inline <style> block"
    css = styles[0].get_text()
    assert "@import" not in css and "url(" not in css
    assert "@media print" in css


@pytest.mark.parametrize("text", [SCRIPT, IMG, EMOJI, RTL, AMP, f"UX {SCRIPT}", f"Pay {IMG}"])
def test_every_piece_of_user_text_is_shown_as_text(hostile, text):
    soup = soup_of(hostile)
    assert has_text(soup, text), f"{text!r} is not in the report as text"


def test_hostile_markup_creates_no_elements(hostile):
    soup = soup_of(hostile)
    assert not [img for img in soup.find_all("img") if not img["src"].startswith("data:")]
    assert soup.find("td", string=re.compile("^<td>")) is None
    quotes = [b.find("p").get_text() for b in soup.select("blockquote.cw-quote")]
    assert f"Salary is great {SCRIPT}" in quotes
    assert f"{RTL} — {EMOJI}" in quotes


def test_anonymised_report_leaks_no_names_emails_links_or_private_notes(hostile):
    soup = soup_of(hostile)
    everything = " ".join(texts(soup)) + " ".join(str(v) for t in soup.find_all(True) for v in t.attrs.values())
    for img in soup.find_all("img"):  # text drawn in the charts
        if img["src"].startswith("data:image/svg+xml;base64,"):
            everything += base64.b64decode(img["src"].split(",", 1)[1]).decode("utf-8")
    for name, _org, _role, email, url in PEOPLE:
        for part in name.split():
            assert part not in everything, part
        assert email not in everything
        if url:
            assert url not in everything
            assert "linkedin" not in everything.lower()
    for note in PRIVATE_NOTES:
        assert note not in everything
    attributions = [f.get_text(" ", strip=True) for f in soup.select(".cw-attribution")]
    assert any("UX Researcher at Acme Analytics" in a for a in attributions)
    assert any(a.endswith("a contact · high confidence") or ": a contact" in a for a in attributions), (
        "no role or organisation: 'a contact', never initials"
    )
    assert not any("Z.D." in a for a in attributions)
    scrubbed = [q.get_text() for q in soup.select("blockquote p") if "said" in q.get_text()]
    assert scrubbed == ["[name] said [name] earns more; mail [email] or see [link]"]


def test_names_appear_only_when_asked_for(hostile_reports):
    soup = soup_of(hostile_reports[True])
    attributions = " ".join(f.get_text(" ", strip=True) for f in soup.select(".cw-attribution"))
    assert "Rosa Marquez, UX Researcher at Acme Analytics" in attributions
    assert "Zanele Dlamini" in attributions
    assert has_text(soup, "Rosa said Kofi Mensah earns more")
    assert has_text(soup, "shows the names")
    for note in PRIVATE_NOTES:  # private notes stay out even with names
        assert not has_text(soup, note)


def test_summary_says_which_path_leads_and_how_sure(filled, fast_charts):
    soup = soup_of(build_report(filled))
    headline = soup.select_one("#summary .cw-headline").get_text()
    # Only one option has evidence: it is not called the leader of a race it ran alone.
    assert headline.startswith("Only UX research has evidence so far (score +"), headline
    assert "90% sure between" in headline and "until you hear about Data engineering" in headline
    summary_text = soup.select_one("#summary").get_text()
    assert "No evidence yet for Data engineering" in summary_text
    assert "still thin on Pay and Flexibility" in summary_text
    assert soup.select_one("header time")["datetime"] == dt.date.today().isoformat()
    assert has_text(soup, filled.path.stem)


def test_empty_workbook_report_says_what_to_do_first(wb):
    soup = soup_of(build_report(wb))
    assert "Nothing to compare yet" in soup.select_one(".cw-headline").get_text()
    assert soup.select_one("#summary h3").get_text() == "What to do first"
    steps = [li.get_text() for li in soup.select("#summary ol.cw-steps li")]
    assert len(steps) == 5 and steps[0].startswith("List the two to five career options")
    assert soup.select("#evidence") == []


def test_charts_from_the_evidence_engine_are_embedded_as_data_uris(hostile_reports):
    soup = soup_of(hostile_reports[False])
    assert len(soup.select("#charts figure img")) == hostile_reports["charts"] > 0
    images = soup.select("figure img")
    assert len(images) == hostile_reports["charts"] + 1, "the charts and the outreach funnel"
    for img in images:
        assert img["src"].startswith(("data:image/svg+xml;base64,", "data:image/png;base64,"))
        assert img["alt"].strip()


def test_demo_report_is_under_2_mb_and_complete(demo_wb):
    html = build_report(demo_wb)
    assert len(html.encode("utf-8")) < 2_000_000
    soup = soup_of(html)
    for section in ("summary", "options", "evidence", "outreach", "next"):
        assert soup.find(id=section) is not None, section
    assert soup.select("#next ol.cw-next li"), "the demo has suggestions for the next conversation"
    assert soup.select("#outreach table.cw-stages")


def test_many_options_are_summarised_not_dumped(wb, fast_charts):
    opts = wb.add_many("options", [{"title": f"Option {i}"} for i in range(200)])
    crit = wb.add_many("criteria", [{"name": f"Criterion {j}", "weight": 1 + j % 3} for j in range(12)])
    wb.add_many(
        "insights",
        [
            {"option_id": opts[i % 200], "criterion_id": crit[i % 12], "stance": i % 5 - 2, "note": f"quote {i}"}
            for i in range(4000)
        ],
    )
    html = build_report(wb)
    soup = soup_of(html)
    assert len(html.encode("utf-8")) < 2_000_000
    assert len(soup.select("article.cw-option")) == report_mod.TOP_OPTIONS
    assert len(soup.select("table.cw-compact tbody tr")) == 200 - report_mod.TOP_OPTIONS
    assert len(soup.select("blockquote.cw-quote")) <= report_mod.TOP_OPTIONS * report_mod.QUOTES_PER_OPTION
    heatmap = soup.select_one("#chart-evidence img")["alt"]
    assert f"top {report_mod.REPORT_CHART_OPTIONS} of 200 options" in heatmap, "the chart says it shows the best only"


def test_write_report_default_path_is_next_to_the_workbook(filled, fast_charts):
    path = write_report(filled)
    today = dt.date.today().isoformat()
    assert path == filled.path.parent / "reports" / f"{filled.path.stem}-report-{today}.html"
    assert soup_of(path.read_text(encoding="utf-8")).find("h1") is not None
    named = write_report(filled, names=True)
    assert named.name.endswith("-with-names.html") and named != path


def test_write_report_to_a_chosen_file_and_folder(filled, fast_charts, tmp_path):
    chosen = write_report(filled, tmp_path / "out" / "for-my-mentor.html")
    assert chosen == (tmp_path / "out" / "for-my-mentor.html").resolve() and chosen.exists()
    folder = tmp_path / "folder"
    folder.mkdir()
    inside = write_report(filled, folder)
    assert inside.parent == folder.resolve() and inside.suffix == ".html"


def test_unsaved_workbook_needs_a_path():
    with open_workbook(":memory:") as book, pytest.raises(ValueError, match="path"):
        write_report(book)


def test_cli_report(filled, fast_charts, tmp_path):
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["report", "-o", str(out), "--workbook", str(filled.path)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    assert not has_text(soup_of(out.read_text(encoding="utf-8")), "Rosa Marquez")
    result = CliRunner().invoke(cli, ["report", "-o", str(out), "--names", "--workbook", str(filled.path)])
    assert result.exit_code == 0, result.output
    assert has_text(soup_of(out.read_text(encoding="utf-8")), "Rosa Marquez")


def test_cli_report_refuses_a_missing_workbook(tmp_path):
    result = CliRunner().invoke(cli, ["report", "--workbook", str(tmp_path / "nope.sqlite")])
    assert result.exit_code != 0
    assert "no workbook" in result.output
    assert not (tmp_path / "nope.sqlite").exists()


def test_form_saves_without_names_by_default_and_says_where(filled, fast_charts, tmp_path):
    form = ReportForm(filled)
    assert form.names.value is False
    form.target.value = str(tmp_path / "shared")
    form.save_button.click()
    assert form.status.kind == "ok", form.status.text
    assert form.path is not None and form.path.parent == (tmp_path / "shared").resolve()
    assert str(form.path) in form.status.text
    assert not has_text(soup_of(form.path.read_text(encoding="utf-8")), "Rosa Marquez")
    assert form.preview().data == form.html


def test_form_with_names(filled, fast_charts):
    form = ReportForm(filled)
    form.names.value = True
    path = form.save()
    assert path is not None and path.parent == filled.path.parent / "reports"
    assert has_text(soup_of(path.read_text(encoding="utf-8")), "Rosa Marquez")


def test_form_reports_a_bad_target_without_writing(filled, fast_charts, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    form = ReportForm(filled)
    form.target.value = str(blocker / "report.html")
    assert form.save() is None
    assert form.status.kind == "error"
    assert "save to" in form.status.text and "a-file" in form.status.text
    assert form.path is None and blocker.read_text() == "not a folder"


def test_summary_with_solid_evidence_says_clearly_ahead_and_nothing_thin(wb, fast_charts):
    strong, weak = wb.add_option("Nursing"), wb.add_option("Law")
    pay = wb.add_criterion("Pay", 1)
    for i in range(6):
        person = wb.add_contact(f"Person {i}", "Clinic", "Nurse")
        for option, stance in ((strong, 2), (weak, -2)):
            talk = wb.add_conversation(person, option, status="done")
            wb.add_insight(option, pay, stance, "high", conversation_id=talk, note=f"note {i}")
    soup = soup_of(build_report(wb))
    headline = soup.select_one(".cw-headline").get_text()
    assert headline.startswith("The evidence favours Nursing (score +1.8"), headline
    assert "risks little" in headline
    summary_text = soup.select_one("#summary").get_text()
    assert "Chance of being the best fit among the options with evidence: Nursing over 99%" in summary_text
    assert "still thin" not in summary_text
    assert "rest on that assumption" not in summary_text  # six people on the same thing: the noise is learned
    # Six people, all in favour, and no question prepared that could disprove it: a warning, not a change.
    assert "Everything you have heard about Nursing (6 people in favour) is in its favour" in summary_text
    assert not wb.conn.in_transaction, "building a report leaves no transaction open"


def test_two_glowing_reviews_neither_win_nor_vanish(wb, fast_charts):
    lead, second, thin = wb.add_option("UX research"), wb.add_option("Data analysis"), wb.add_option("Park ranger")
    pay, flex = wb.add_criterion("Pay", 2), wb.add_criterion("Flexibility", 1)
    for i in range(6):
        person = wb.add_contact(f"Person {i}", "Org", "Analyst")
        for option, stances in ((lead, (1, 1)), (second, (1, -1))):
            talk = wb.add_conversation(person, option, status="done")
            for criterion, stance in zip((pay, flex), stances, strict=True):
                wb.add_insight(option, criterion, stance, "high", conversation_id=talk, note=f"note {i}")
    wb.add_insight(thin, pay, 2, "high", source="online-review", note="rangers love it")
    wb.add_insight(thin, flex, 2, "high", source="online-review", note="and the hours")
    scores = wb.compare()
    assert scores.loc[thin, "high"] - scores.loc[thin, "low"] > 2 * (scores.loc[lead, "high"] - scores.loc[lead, "low"])
    soup = soup_of(build_report(wb))
    headline = soup.select_one(".cw-headline").get_text()
    # Not crowned, not dismissed: too little is known, and the summary says how to settle it.
    assert headline.startswith("Too close to call between UX research and Park ranger"), headline
    assert headline.endswith("is a conversation with someone who does Park ranger work."), headline
    rows = [tr.find("td").get_text() for tr in soup.select("table.cw-ranking tbody tr")]
    assert rows[0] == "UX research"


def _heard(wb, option, stances_by_criterion, people, prefix="P"):
    """``people`` contacts, each telling the same stances about ``option`` in one conversation."""
    for i in range(people):
        person = wb.add_contact(f"{prefix}{option}-{i}", "Org", "Role")
        talk = wb.add_conversation(person, option, status="done")
        for criterion, stance in stances_by_criterion(i).items():
            wb.add_insight(option, criterion, stance, conversation_id=talk, note=f"n{i}")


def test_mirror_evidence_is_reported_as_practically_tied(wb, fast_charts):
    alpha, bravo = wb.add_option("Alpha"), wb.add_option("Bravo")
    pay, flex = wb.add_criterion("Pay", 1), wb.add_criterion("Flex", 1)
    for option in (alpha, bravo):
        _heard(wb, option, lambda i: {pay: 1 + i % 2, flex: 1}, 24)
    soup = soup_of(build_report(wb))
    assert soup.select_one(".cw-verdict-kind").get_text() == "Practically tied"
    headline = soup.select_one(".cw-headline").get_text()
    assert "practically tied" in headline and "Leaning" not in headline and "favours" not in headline


def test_all_negative_evidence_says_none_looks_good(wb, fast_charts):
    alpha, bravo = wb.add_option("Alpha"), wb.add_option("Bravo")
    pay = wb.add_criterion("Pay", 1)
    _heard(wb, alpha, lambda i: {pay: -2}, 3)
    _heard(wb, bravo, lambda i: {pay: -1}, 3)
    soup = soup_of(build_report(wb))
    assert soup.select_one(".cw-verdict-kind").get_text() == "None looks good yet"
    headline = soup.select_one(".cw-headline").get_text()
    assert headline.startswith("None of the options looks good yet") and "least bad" in headline
    rows = {tr.find("td").get_text(): tr for tr in soup.select("table.cw-ranking tbody tr")}
    good = [td.get_text() for td in rows["Bravo"].find_all("td")][4]
    assert good.endswith("%") and int(good.rstrip("%").replace("under 1", "0")) < 50  # chance good at all


def test_options_table_shows_no_evidence_instead_of_a_chance_and_flags_thin_evidence(filled, filled_ids, fast_charts):
    soup = soup_of(build_report(filled))
    header = [th.get_text() for th in soup.select("table.cw-ranking thead th")]
    assert header == [
        "Option",
        "Status",
        "Score",
        "90% interval",
        "Chance good at all",
        "Chance best",
        "Expected loss if chosen",
        "Heard from",
    ]
    rows = {
        tr.find("td").get_text(): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in soup.select("table.cw-ranking tbody tr")
    }
    unknown = rows["Data engineering"]
    assert unknown[2] == unknown[4] == unknown[5] == "no evidence" and unknown[7] == "nobody yet"
    known = rows["UX research"]
    assert known[4].endswith("%") and known[5] == "nothing to compare with yet"
    assert known[7].startswith("1 person, on 67% of what matters") and "thin: only 1 source" in known[7]
    assert soup.select("table.cw-ranking tr.cw-thin")
    meanings = soup.select_one("details.cw-meanings").get_text(" ", strip=True)
    assert "Expected loss: if you choose this option, how much worse than the best one" in meanings
    assert "in steps of the scale" in meanings and "one person counts once" in meanings
    article = soup.select_one(f"#option-{filled_ids.o2}").get_text(" ", strip=True)
    assert "no evidence yet" in article and "%" not in article


def test_the_summary_says_when_the_intervals_rest_on_an_assumption(filled, fast_charts):
    summary_text = soup_of(build_report(filled)).select_one("#summary").get_text(" ", strip=True)
    assert "No two sources have spoken about the same option and criterion yet" in summary_text
    assert "rest on that assumption" in summary_text


def test_next_conversations_are_per_person_with_their_reason_and_chance(filled, filled_ids, fast_charts):
    both = filled.add_contact("Ines Duarte", "Both Ltd", "Researcher", options=[filled_ids.o1, filled_ids.o2])
    assert both
    soup = soup_of(build_report(filled))
    items = [" ".join(li.get_text().split()) for li in soup.select("#next ol.cw-next li")]
    ines = [t for t in items if t.startswith("Researcher at Both Ltd")]
    assert len(ines) == 1, items  # one line per person, whatever options they know
    assert "about UX research; Data engineering" in ines[0] or "about Data engineering; UX research" in ines[0]
    assert "chance it changes the decision:" in ines[0] and "%" in ines[0]
    assert "worth" in ines[0] and ines[0].rstrip().endswith(".")
    assert "Ines" not in soup.get_text()  # private by default
    assert "expected gain" not in soup.get_text()


def test_the_report_says_in_its_head_whether_it_shows_names(filled, fast_charts):
    """The hub's shared-reports service shows coaches only a report marked ``masked``."""
    for names, marked in ((False, "masked"), (True, "named")):
        meta = soup_of(build_report(filled, names=names)).head.find("meta", attrs={"name": "career-workbook-contacts"})
        assert meta is not None and meta["content"] == marked
