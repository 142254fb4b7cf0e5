"""Preparing a conversation: suggestions, the chosen list, the prep sheet and the prep form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from hostile import HOSTILE

from workbook.errors import ValidationError
from workbook.forms.prep import NO_CONVERSATION, PrepForm, question_bank_view
from workbook.prepare import prep, questions
from workbook.report.prep_sheet import render_sheet

NASTY = HOSTILE


@dataclass(frozen=True)
class PlannedIds:
    o: int
    other: int
    pay: int
    flex: int
    p: int
    v: int


@pytest.fixture
def planned_ids(wb) -> PlannedIds:
    o = wb.add_option("UX research", "Study how people use products", questions="Is the pay fair?\nNights?")
    pay = wb.add_criterion("Pay", 3.0)
    flex = wb.add_criterion("Flexibility", 1.0)
    wb.add_criterion("Commute", 0.0)  # weight 0: not a gap worth asking about
    other = wb.add_option("Data engineering")
    p = wb.add_contact("Rosa Marquez", "Acme", "UX Researcher", "alumni", options=[o])
    v = wb.add_conversation(p, o, status="scheduled", scheduled_at="2026-12-03 15:30")
    wb.add_insight(o, pay, 1)
    wb.add_insight(o, pay, -1)
    return PlannedIds(o=o, other=other, pay=pay, flex=flex, p=p, v=v)


@pytest.fixture
def planned(wb, planned_ids):
    """One option with open questions, three criteria, a contact and a scheduled conversation (ids in
    ``planned_ids``)."""
    return wb


def soup_of(page: str) -> BeautifulSoup:
    return BeautifulSoup(page, "html.parser")


def assert_safe(page: str) -> BeautifulSoup:
    soup = soup_of(page)
    assert soup.find("script") is None
    assert soup.find(["iframe", "object", "embed", "link", "img", "a"]) is None
    for tag in soup.find_all(True):
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), (tag.name, attr)
            if attr in {"src", "href"}:
                assert not str(value).startswith(("http", "//")), value
    return soup


# -------------------------------------------------------------- suggestions
def test_gaps_are_the_criteria_with_least_evidence_and_some_weight(planned, planned_ids):
    gaps = prep.evidence_gaps(planned, planned_ids.o)
    assert list(gaps["criterion"]) == ["Flexibility", "Pay"]
    assert list(gaps["total"]) == [0, 2]


def test_suggestions_cover_open_questions_gaps_disprove_and_who_else(planned, planned_ids):
    found = prep.suggestions_for(planned, planned_ids.v)
    texts = [s.text for s in found]
    assert texts[:2] == ["Is the pay fair?", "Nights?"]
    topics = [s.topic for s in found]
    assert "disprove" in topics and "who-else" in topics
    assert "pay-progression" in topics  # Pay has little evidence → pay & progression questions
    assert topics.index("typical-day") < topics.index("pay-progression")  # Flexibility has less evidence than Pay
    assert len(texts) == len(set(texts))
    assert all(s.reason for s in found)


def test_suggestions_without_criteria_or_open_questions_still_give_a_useful_set(wb):
    o = wb.add_option("UX")
    v = wb.add_conversation(wb.add_contact("Rosa"), o)
    topics = [s.topic for s in prep.suggestions_for(wb, v)]
    assert {"disprove", "who-else", "path-in", "typical-day"} <= set(topics)


def test_own_questions_are_suggested_before_the_bank(planned, planned_ids):
    questions.add_question(planned, "My own pay question?", "insights", "pay-progression")
    pay_questions = [s.text for s in prep.suggestions_for(planned, planned_ids.v) if s.topic == "pay-progression"]
    assert pay_questions[0] == "My own pay question?"


def test_only_conversations_still_to_happen_can_be_prepared(planned, planned_ids):
    done = planned.add_conversation(planned_ids.p, planned_ids.other, status="done")
    declined = planned.add_conversation(planned_ids.p, planned_ids.other, status="declined")
    requested = planned.add_conversation(planned_ids.p, planned_ids.other, status="requested")
    offered = [cid for _, cid in prep.conversation_choices(planned, prep.PREPARABLE)]
    assert offered == [planned_ids.v, requested]
    assert done not in offered and declined not in offered


def test_preselect_keeps_disprove_and_who_else_and_skips_chosen():
    many = [prep.Suggestion(f"Q{i}?", "insights", "skills", "r") for i in range(10)]
    many += [prep.Suggestion("D?", "insights", "disprove", "r"), prep.Suggestion("W?", "resources", "who-else", "r")]
    assert prep.preselect(many, n=4) == [0, 1, 10, 11]
    assert prep.preselect(many, skip=[("Q0?", "insights")], n=4) == [1, 2, 10, 11]
    assert prep.preselect(many[:3]) == [0, 1, 2]


# ---------------------------------------------------------- chosen questions
def test_saving_the_list_replaces_it_in_order(planned, planned_ids):
    v = planned_ids.v
    prep.save_chosen(planned, v, [("A?", "insights"), ("B?", "advice")])
    prep.save_chosen(planned, v, [("C?", "trends"), ("A?", "insights")])
    chosen = prep.chosen_questions(planned, v)
    assert list(chosen["text"]) == ["C?", "A?"]
    assert list(chosen["position"]) == [1, 2]


def test_a_bad_question_saves_nothing(planned, planned_ids):
    v = planned_ids.v
    prep.save_chosen(planned, v, [("A?", "insights")])
    with pytest.raises(ValidationError) as err:
        prep.save_chosen(planned, v, [("B?", "insights"), ("   ", "insights")])
    assert err.value.field == "text"
    assert list(prep.chosen_questions(planned, v)["text"]) == ["A?"]


# --------------------------------------------------------------- prep sheet
def test_prep_sheet_holds_who_why_what_questions_and_time_box(planned, planned_ids):
    v = planned_ids.v
    page = render_sheet(prep.build_sheet(planned, v, [("How did you get in?", "insights")]))
    soup = assert_safe(page)
    text = soup.get_text(" ")
    assert "Rosa Marquez" in text and "UX Researcher" in text
    assert "Knows UX research from the inside" in text
    assert "Is the pay fair?" in text and "Flexibility: 0 insight(s)" in text
    assert [li.get_text(" ", strip=True) for li in soup.select("ol.questions li")] == ["How did you get in? Insights"]
    assert "Time box: 20 minutes" in text
    assert "Wednesday 2 December" in text  # confirm the day before Thursday 3 December
    assert soup.find("style") is not None and "@media print" in soup.find("style").string


def test_prep_sheet_uses_the_conversation_length_and_handles_no_date(planned, planned_ids):
    v = planned.add_conversation(planned_ids.p, planned_ids.o, duration_min=30)
    text = soup_of(render_sheet(prep.build_sheet(planned, v))).get_text(" ")
    assert "Time box: 30 minutes" in text
    assert "Once a time is agreed, confirm the day before" in text
    assert "No questions chosen yet" in text


@pytest.mark.parametrize("nasty", NASTY)
def test_user_text_in_the_prep_sheet_is_escaped_and_present(wb, nasty):
    o = wb.add_option(nasty, nasty, questions=nasty)
    ref = wb.add_contact(nasty)
    p = wb.add_contact(nasty, nasty, nasty, "friend", referred_by=ref, options=[o])
    c = wb.add_criterion(nasty)
    wb.add_insight(o, c, 2)
    v = wb.add_conversation(p, o)
    page = render_sheet(prep.build_sheet(wb, v, [(nasty, "insights")]))
    soup = assert_safe(page)
    assert nasty.strip() in soup.get_text()
    assert soup.select_one("ol.questions li").contents[0] == nasty
    assert nasty in soup.title.string


def test_sheet_goes_to_a_prep_folder_next_to_the_workbook(planned, planned_ids, tmp_path):
    sheet = prep.build_sheet(planned, planned_ids.v)
    assert prep.default_folder(planned) == planned.path.parent / "prep"
    assert prep.sheet_filename(sheet) == f"prep-{planned_ids.v}-rosa-marquez.html"
    path = prep.write_sheet("<p>x</p>", prep.default_folder(planned), prep.sheet_filename(sheet))
    assert path.parent == planned.path.parent / "prep" and path.read_text() == "<p>x</p>"
    named = prep.write_sheet("<p>y</p>", str(tmp_path / "mine.html"), "ignored.html")
    assert named == tmp_path / "mine.html"


def test_filename_for_a_name_without_latin_letters(wb):
    o = wb.add_option("UX")
    v = wb.add_conversation(wb.add_contact("مريم 🙂"), o)
    assert prep.sheet_filename(prep.build_sheet(wb, v)) == f"prep-{v}.html"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("notes.txt", "does not end in .html"),
        ("blocker/inside.html", "cannot be written"),
        ("a\x00b.html", "cannot be written"),
        ("z" * 100_000 + ".html", "cannot be written"),
    ],
)
def test_unusable_places_for_the_sheet_are_refused_clearly(tmp_path, target, reason):
    (tmp_path / "blocker").write_text("a file, not a folder")
    full = target if not target.strip() else str(tmp_path / target)
    with pytest.raises(ValidationError) as err:
        prep.write_sheet("<p>x</p>", full, "prep.html")
    assert err.value.field == "file" and reason in err.value.reason


# -------------------------------------------------------------------- form
def test_form_on_an_empty_workbook_says_what_to_do_first(wb):
    form = PrepForm(wb)
    assert form.status.kind == "info" and form.status.text == NO_CONVERSATION
    assert form.steps.layout.display == "none"
    form.save.click()
    assert form.status.kind == "error"


def test_form_builds_saves_and_shows_the_prep_sheet(planned, planned_ids):
    form = PrepForm(planned)
    assert form.conversation.value == planned_ids.v
    assert len(form.candidates.options) == len(form.suggestions) == 9
    picked = form.candidates.value
    assert len(picked) == prep.PRESELECT  # ticked at first, ready to add
    assert {form.suggestions[i].topic for i in picked} >= {"disprove", "who-else", "open"}
    form.add_selected.click()
    assert form.status.kind == "ok" and len(form.chosen.options) == prep.PRESELECT
    first, second = form.items[0], form.items[1]
    form.chosen.value = 0
    form.down.click()
    assert form.items[:2] == [second, first] and form.chosen.value == 1
    form.chosen.value = 0
    form.remove.click()
    assert form.items[0] == first
    form.own_text.value = "What would you tell your younger self?"
    form.own_tiara.value = "advice"
    form.add_own.click()
    assert form.status.kind == "ok" and form.items[-1] == ("What would you tell your younger self?", "advice")
    assert "own:1" in set(questions.own_questions(planned)["key"])
    form.save.click()
    assert form.status.kind == "ok", form.status.text
    expected = planned.path.parent / "prep" / f"prep-{planned_ids.v}-rosa-marquez.html"
    assert str(expected) in form.status.text and expected.exists()
    assert list(prep.chosen_questions(planned, planned_ids.v)["text"]) == [t for t, _ in form.items]
    frame = soup_of(form.preview.value).find("iframe")
    assert frame is not None and frame.has_attr("sandbox") and not frame["sandbox"]  # no permission at all
    assert_safe(frame["srcdoc"])


def test_form_browses_the_bank_by_topic_and_skips_duplicates(planned):
    form = PrepForm(planned)
    form.source.value = "who-else"
    assert len(form.candidates.options) == 6 and form.candidates.value == ()
    form.candidates.value = (0, 1)
    form.add_selected.click()
    form.candidates.value = (0,)
    form.add_selected.click()
    assert len(form.items) == 2 and "already there" in form.status.text
    form.add_selected.click()
    assert form.status.kind == "error" and "none selected" in form.status.text


def test_form_reloads_the_saved_list(planned, planned_ids):
    prep.save_chosen(planned, planned_ids.v, [("Is the pay fair?", "insights"), ("Mine?", "trends")])
    form = PrepForm(planned)
    assert form.items == [("Is the pay fair?", "insights"), ("Mine?", "trends")]
    assert form.suggestions[0].text == "Is the pay fair?" and 0 not in form.candidates.value


def test_two_pages_saving_one_list_never_lose_the_first_save(planned, planned_ids, tmp_path):
    """Two pages (two notebooks, Lab and the app) open on one conversation: the second save must not
    silently replace the first; it shows both lists and lets the person choose."""
    first, second = PrepForm(planned), PrepForm(planned)
    first.own_text.value = "What surprised you in your first year?"
    first.add_own.click()
    first.save.click()
    assert first.status.kind == "ok", first.status.text
    second.own_text.value = "How do people here learn new tools?"
    second.add_own.click()
    second.path.value = str(tmp_path / "second")
    second.save.click()
    assert second.status.kind == "error" and "changed" in second.status.text, second.status.text
    assert second.conflict.shown and not (tmp_path / "second").exists()  # no sheet written either
    assert list(prep.chosen_questions(planned, planned_ids.v)["text"]) == ["What surprised you in your first year?"]
    field, theirs, yours = second.conflict.rows[0]
    assert field == "questions chosen"
    assert "1. What surprised you in your first year?" in theirs and "How do people here learn" in yours
    second.conflict.save_mine_button.click()
    assert second.status.kind == "ok" and not second.conflict.shown, second.status.text
    assert list(prep.chosen_questions(planned, planned_ids.v)["text"]) == ["How do people here learn new tools?"]
    # The first page is now the stale one: it keeps theirs and shows the list as saved.
    first.own_text.value = "Who else should I talk to?"
    first.add_own.click()
    first.save.click()
    assert first.conflict.shown
    first.conflict.keep_theirs_button.click()
    assert first.items == [("How do people here learn new tools?", "insights")] and not first.conflict.shown
    first.save.click()  # loaded afresh: saves without a conflict
    assert first.status.kind == "ok", first.status.text


def test_a_stale_list_saves_nothing_even_reordered(planned, planned_ids):
    items = [("A?", "insights"), ("B?", "trends")]
    prep.save_chosen(planned, planned_ids.v, items)
    prep.save_chosen(planned, planned_ids.v, items[::-1], loaded=items)
    with pytest.raises(ValidationError, match="changed"):
        prep.save_chosen(planned, planned_ids.v, [*items, ("C?", "advice")], loaded=items)
    assert list(prep.chosen_questions(planned, planned_ids.v)["text"]) == ["B?", "A?"]


def test_form_flags_job_seeking_questions(planned):
    form = PrepForm(planned)
    form.own_text.value = "Are you hiring? Could I send you my CV?"
    form.add_own.click()
    assert form.status.kind == "info" and "job-seeking" in form.status.text
    soup = soup_of(form.check.value)
    assert "Question 1" in soup.get_text() and "“my CV”" in soup.get_text()
    form.save.click()
    assert "job-seeking" in form.status.text and form.saved_path is not None


@pytest.mark.parametrize("nasty", NASTY)
def test_form_stores_own_questions_exactly_and_shows_them_escaped(planned, planned_ids, nasty):
    form = PrepForm(planned)
    form.own_text.value = nasty
    form.add_own.click()
    assert form.status.kind == "ok"
    form.save.click()
    assert form.status.kind == "ok", form.status.text
    assert prep.chosen_questions(planned, planned_ids.v).iloc[-1]["text"] == nasty
    assert questions.own_questions(planned).iloc[-1]["text"] == nasty
    assert soup_of(form.check.value).find("script") is None


@pytest.mark.parametrize("bad", ["", "   ", "a\x00b"])
def test_form_refuses_empty_own_questions_clearly(planned, bad):
    form = PrepForm(planned)
    form.own_text.value = bad
    form.add_own.click()
    assert form.status.kind == "error" and "your own question" in form.status.text
    assert form.items == [] and planned.table("questions").empty


def test_form_refuses_saving_an_empty_list_or_a_bad_place(planned, planned_ids, tmp_path):
    form = PrepForm(planned)
    form.save.click()
    assert form.status.kind == "error" and "list is empty" in form.status.text
    form.add_selected.click()
    form.path.value = str(tmp_path / "sheet.pdf")
    form.save.click()
    assert form.status.kind == "error" and "file" in form.status.text and ".html" in form.status.text
    assert prep.chosen_questions(planned, planned_ids.v).empty
    form.path.value = str(tmp_path / "mine.html")
    form.save.click()
    assert form.status.kind == "ok" and (tmp_path / "mine.html").exists()


def test_form_moves_need_a_selection(planned):
    form = PrepForm(planned)
    form.up.click()
    assert form.status.kind == "error" and "click a question" in form.status.text


def test_scheduled_date_in_the_form_header(planned):
    form = PrepForm(planned)
    text = soup_of(form.about.value).get_text(" ")
    assert "Thursday 3 December 2026, 15:30" in text and "20 minutes" in text
    assert dt.date(2026, 12, 3).strftime("%A") == "Thursday"


def test_question_bank_view_lists_every_question_escaped(wb):
    questions.add_question(wb, "<script>alert(1)</script>?", "advice", "culture")
    view = question_bank_view(wb)
    rows = BeautifulSoup(view.value, "html.parser").select("tbody tr")
    assert len(rows) == len(questions.load_bank()) + 1
    first = [td.get_text() for td in rows[0].find_all("td")]
    assert first == ["<script>alert(1)</script>?", "Advice", "culture and people", "you"]
    assert BeautifulSoup(view.value, "html.parser").find("script") is None
