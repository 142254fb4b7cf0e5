"""Message drafts from templates, word counts and job-seeking language."""

from __future__ import annotations

import pytest

from workbook import NotFoundError, ValidationError
from workbook.outreach import messages as m


@pytest.fixture
def people(wb):
    o = wb.add_option("UX research")
    rosa = wb.add_contact("Rosa Marquez", "Acme Analytics", "UX Researcher")
    kofi = wb.add_contact("Kofi Mensah", "Acme Analytics", "Designer", referred_by=rosa)
    bare = wb.add_contact("Ola")
    return dict(o=o, rosa=rosa, kofi=kofi, bare=bare)


def test_the_four_templates_are_shipped_in_method_order():
    assert m.template_names()[:4] == ["request", "follow_up", "confirmation", "thank_you"]


def test_unknown_template_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as err:
        m.load_template("job_application")
    assert err.value.field == "template"


def test_request_names_the_referrer_first_and_fills_every_value(wb, people):
    wb.set_setting("my_name", "Ana Silva")
    text = m.draft(wb, "request", contact_id=people["kofi"], option_id=people["o"])
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[1] == "Hi Kofi,"
    assert lines[2] == "Rosa Marquez suggested I get in touch with you."
    assert "I'm Ana Silva." in text
    assert "your work as Designer at Acme Analytics" in text
    assert "20 minutes" in text
    assert "$" not in text


@pytest.mark.parametrize("template", ["request", "follow_up", "confirmation", "thank_you"])
def test_missing_values_leave_no_dangling_placeholder(wb, people, template):
    text = m.draft(wb, template, contact_id=people["bare"], option_id=people["o"])
    assert "$" not in text
    assert "suggested" not in text and "thought you would be" not in text  # the referrer lines are left out
    assert "\n\n\n" not in text
    assert "[your name]" in text  # my_name not set: a bracket to fill in


@pytest.mark.parametrize("template", ["request", "follow_up", "confirmation", "thank_you"])
def test_shipped_templates_follow_good_practice(wb, people, template):
    wb.set_setting("my_name", "Ana Silva")
    text = m.draft(wb, template, contact_id=people["kofi"], option_id=people["o"])
    assert m.word_count(text) < m.WORD_LIMIT
    assert m.job_seeking_flags(text) == []


def test_conversation_values_fill_minutes_date_and_time(wb, people):
    v = wb.add_conversation(
        people["rosa"],
        people["o"],
        status="scheduled",
        scheduled_at="2026-11-10 15:30",
        duration_min=30,
        requested_on="2026-11-02",
    )
    text = m.draft(wb, "confirmation", conversation_id=v)
    assert "our call on Tuesday 10 November at 15:30, for 30 minutes." in text
    follow = m.draft(wb, "follow_up", conversation_id=v)
    assert "I wrote on Monday 2 November" in follow


def test_user_text_with_dollar_signs_is_not_substituted_again(wb, people):
    who = wb.add_contact("$my_name Smith", referred_by=people["rosa"])
    wb.set_setting("my_name", "Ana")
    text = m.draft(wb, "request", contact_id=who, option_id=people["o"])
    assert "Hi $my_name," in text


def test_draft_for_a_missing_conversation_says_so(wb):
    with pytest.raises(NotFoundError):
        m.draft(wb, "request", conversation_id=99)


def test_fill_keeps_lines_whose_values_are_given():
    assert m.fill("A $x\nB $y\nC", {"x": "1", "y": ""}) == "A 1\nC\n"


@pytest.mark.parametrize(
    "text, words",
    [
        ("", 0),
        ("Subject: four words right here\n\nHi Rosa,\nThanks!", 3),
        ("A 20-minute call — I'd like that.", 6),
        ("e.g. one", 2),
    ],
)
def test_word_count(text, words):
    assert m.word_count(text) == words


def test_length_note_nudges_past_the_limit():
    assert "short enough" in m.length_note("word " * 60)
    assert "try to cut" in m.length_note("word " * 130)


@pytest.mark.parametrize(
    "text, flags",
    [
        ("Are you hiring at the moment?", ["Are you hiring"]),
        ("We are HIRING.", ["HIRING"]),
        ("Do you have any open positions?", ["open positions"]),
        ("Is there a job opening on your team?", ["job opening"]),
        ("I attached my résumé.", ["my résumé"]),
        ("I attached my RESUME and my Résumé", ["my RESUME"]),
        ("Here is my CV", ["my CV"]),
        ("Could you refer me for the analyst role?", ["refer me for"]),
        ("I'd like to apply.", ["I'd like to apply"]),
        ("I’m going to apply", ["I’m going to apply"]),
        ("Should I apply?", ["Should I apply"]),
        ("I have been applying for roles in UX", ["applying for roles"]),
        ("I applied to two positions", ["applied to two positions"]),
        ("Any vacancy?", ["vacancy"]),
        ("Is there a position at your company?", ["a position at your company"]),
        ("Do you know of any openings?", ["any openings"]),
        ("any\n  openings", ["any openings"]),
        ("My CV is attached. Are you hiring?", ["My CV", "Are you hiring"]),
    ],
)
def test_job_seeking_language_is_flagged(text, flags):
    assert m.job_seeking_flags(text) == flags


@pytest.mark.parametrize(
    "text",
    [
        "Rehiring freezes are common in this field.",
        "How do you apply statistics in your daily work?",
        "In my teaching I apply the same skills, and I can apply them to research.",
        "I applied for a grant last year.",
        "Does that apply to your role as well?",
        "Who else would you refer me to?",
        "What do you like most about your job?",
        "We can resume after lunch.",
        "What is your position on remote work?",
        "How did you get into this?",
        "",
    ],
)
def test_informational_language_is_not_flagged(text):
    assert m.job_seeking_flags(text) == []


def test_explanation_says_it_is_not_a_job_interview():
    assert "not a job interview" in m.JOB_SEEKING_EXPLANATION
