"""The question bank and an option's open questions."""

from __future__ import annotations

import pytest
from hostile import HOSTILE

from workbook.errors import ValidationError
from workbook.outreach.messages import job_seeking_flags
from workbook.prepare import questions
from workbook.store import vocab

NASTY = HOSTILE


@pytest.fixture(scope="module")
def bank():
    return questions.load_bank()


def test_bank_has_at_least_sixty_tagged_questions(bank):
    assert len(bank) >= 60
    assert bank["key"].is_unique
    assert bank["text"].is_unique
    assert set(bank["tiara"]) == set(vocab.TIARA)
    assert set(bank["topic"]) == set(questions.TOPICS)
    assert bank["topic"].value_counts().min() >= 3


def test_bank_questions_are_open_questions_and_never_about_jobs(bank):
    for text in bank["text"]:
        assert text.rstrip(" )").endswith(("?", ".")), text
        assert job_seeking_flags(text) == [], text
        assert "job" not in text.lower(), text


def test_bad_bank_row_is_reported_with_its_line(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("id,text,tiara,topic\n1,What do you do?,insights,path-in\n2,Why?,gossip,path-in\n")
    with pytest.raises(ValidationError) as err:
        questions.load_bank(path)
    assert err.value.field == "tiara" and "line 3" in str(err.value)


@pytest.mark.parametrize("text", NASTY)
def test_own_question_is_stored_exactly(wb, text):
    qid = questions.add_question(wb, text, "advice", "skills")
    assert wb.get("questions", qid)["text"] == text
    own = questions.all_questions(wb)
    assert own.iloc[0]["text"] == text and own.iloc[0]["origin"] == "own"


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_own_question_is_refused(wb, text):
    with pytest.raises(ValidationError) as err:
        questions.add_question(wb, text)
    assert err.value.field == "text"
    assert wb.table("questions").empty


def test_own_question_with_unknown_topic_or_tiara_is_refused(wb):
    with pytest.raises(ValidationError, match="topic"):
        questions.add_question(wb, "What do you do?", "insights", "weather")
    with pytest.raises(ValidationError, match="tiara"):
        questions.add_question(wb, "What do you do?", "gossip", "path-in")
    assert wb.table("questions").empty


def test_own_questions_come_before_the_bank(wb, bank):
    questions.add_question(wb, "Mine?", "trends", "challenges")
    every = questions.all_questions(wb, bank)
    assert len(every) == len(bank) + 1
    assert list(every.iloc[0][["key", "text", "topic"]]) == ["own:1", "Mine?", "challenges"]


@pytest.mark.parametrize(
    ("name", "topic"),
    [
        ("Pay", "pay-progression"),
        ("Salary after five years", "pay-progression"),
        ("Work-life balance", "typical-day"),
        ("Learning new skills", "skills"),
        ("Job security", "challenges"),
        ("Meaningful work", "like-most"),
        ("Team culture", "culture"),
    ],
)
def test_criteria_map_to_sensible_topics(name, topic):
    assert questions.topics_for_criterion(name)[0] == topic


def test_criterion_matching_nothing_gets_everyday_topics():
    assert questions.topics_for_criterion("Zebra") == ["typical-day", "like-least"]
    assert questions.topics_for_criterion("") == ["typical-day", "like-least"]
    # "ai" is matched as a word, not inside "training"
    assert "challenges" not in questions.topics_for_criterion("Training")


def test_merge_appends_new_lines_once_and_ticks_answered_off():
    before = "Is the pay fair?\nDo I need a degree?"
    after = questions.merge_open_questions(before, "  Nights?  \n\nDo I need a degree?\n", ["Is the pay fair?"])
    assert after == "Do I need a degree?\nNights?"
    assert questions.split_open_questions(after) == ["Do I need a degree?", "Nights?"]


def test_update_open_questions_writes_the_option(wb):
    oid = wb.add_option("UX", questions="A?\nB?")
    assert questions.update_open_questions(wb, oid, "C?\n🙂 D?", ["A?"]) == (2, 1)
    assert wb.get("options", oid)["questions"] == "B?\nC?\n🙂 D?"


def test_update_open_questions_without_change_writes_nothing(wb):
    oid = wb.add_option("UX", questions="A?")
    stamp = wb.get("options", oid)["updated_at"]
    assert questions.update_open_questions(wb, oid, "   ", ["not there"]) == (0, 0)
    assert wb.get("options", oid)["updated_at"] == stamp
