"""The demo workbook: a believable example that shows every part of the method, and a safe command."""

from __future__ import annotations

import csv
import datetime as dt
import re
import sqlite3

import numpy as np
import pytest
from click.testing import CliRunner

from workbook import open_workbook, paths
from workbook.cli.main import cli
from workbook.demo import build_demo
from workbook.store import fields, vocab

_LEGAL_SUFFIX = re.compile(r"[\s,]+(inc|llc|ltd|gmbh)\.?$", re.IGNORECASE)


@pytest.fixture
def demo(tmp_path):
    book = build_demo(tmp_path / "demo.sqlite", overwrite=True)
    yield book
    book.close()


def _today(book) -> dt.date:
    return dt.date.fromisoformat(book.setting("demo")["built_on"])


def _business_days_since(day, today: dt.date) -> int:
    return int(np.busday_count(day.date(), today))


def test_demo_has_a_realistic_amount_of_everything(demo):
    counts = demo.counts()
    assert 3 <= counts["options"] <= 5
    assert 5 <= counts["criteria"] <= 6
    assert 10 <= counts["contacts"] <= 15
    assert 9 <= counts["conversations"] <= 14
    assert 35 <= counts["insights"] <= 45
    assert demo.criteria()["weight"].nunique() >= 2, "criteria should not all weigh the same"
    assert demo.setting("demo")["person"]["name"]


def test_every_conversation_status_and_insight_source_appears(demo):
    assert set(demo.conversations()["status"]) == set(vocab.CONVERSATION_STATUSES)
    assert set(demo.insights()["source"]) == set(vocab.SOURCES)


def test_insights_mix_stances_confidence_and_hopes(demo):
    ins = demo.insights()
    assert ins["against_hopes"].sum() >= 2
    assert set(ins["confidence"]) == set(vocab.CONFIDENCE)
    assert (ins["stance"] < 0).any() and (ins["stance"] > 0).any()
    interviews = ins[ins["source"] == "interview"]
    assert len(interviews) > len(ins) / 2, "most evidence should come from conversations"
    assert interviews["conversation_id"].notna().all()
    assert interviews["conversation_id"].value_counts().max() >= 3, "one conversation yields several insights"
    second_hand = ins[ins["source"] == "second-hand"]
    assert second_hand["contact_id"].notna().all(), "a second-hand account names who told it"


def test_the_follow_up_routine_has_something_to_show(demo):
    conv = demo.conversations()
    today = _today(demo)
    waiting = conv[conv["status"] == "requested"]
    waited = [_business_days_since(d, today) for d in waiting["requested_on"]]
    assert any(d <= 1 for d in waited), "a request sent just now"
    assert any(3 < d < 7 for d in waited), "a request past 3 business days: time to try a second person"
    assert any(d >= 7 for d in waited), "a request past 7 business days: time to follow up"
    followed = conv[conv["status"] == "followed_up"]
    assert (followed["followed_up_on"] > followed["requested_on"]).all()
    upcoming = conv[conv["status"] == "scheduled"]["scheduled_at"]
    assert (upcoming.dt.date > today).any(), "a conversation coming up in the next days"
    assert (upcoming.dt.date <= today + dt.timedelta(days=7)).all()


def test_a_thank_you_is_due_and_the_others_were_sent_within_a_day(demo):
    conv = demo.conversations()
    today = _today(demo)
    due = conv[(conv["status"] == "done") & conv["thanked_on"].isna()]
    assert len(due) >= 1
    assert (due["done_on"].dt.date == today - dt.timedelta(days=1)).any()
    thanked = conv[conv["status"] == "thanked"]
    assert len(thanked) >= 2
    assert ((thanked["thanked_on"] - thanked["done_on"]).dt.days <= 1).all()
    assert (thanked["debrief"].str.len() > 0).all()


def test_referrals_point_at_earlier_contacts(demo):
    contacts = demo.contacts().set_index("id")
    referred = contacts[contacts["referred_by"].notna()]
    assert len(referred) >= 2
    for cid, referrer in referred["referred_by"].items():
        assert referrer in contacts.index
        assert referrer < cid
    assert {"friend", "family", "colleague", "alumni", "referral", "cold"} <= set(contacts["relationship"])


def test_each_option_has_insiders_and_company_spellings_can_be_matched(demo):
    links = demo.insider_links()
    assert set(links["option_id"]) == set(demo.options()["id"])
    orgs = [o for o in demo.contacts()["organization"] if o]
    assert {m.group(1).lower() for o in orgs if (m := _LEGAL_SUFFIX.search(o))} >= {"inc", "llc", "ltd", "gmbh"}
    bases = [_LEGAL_SUFFIX.sub("", o).strip().lower() for o in orgs]
    repeated = {b for b in bases if bases.count(b) > 1}
    assert any(len({o for o in orgs if _LEGAL_SUFFIX.sub("", o).strip().lower() == b}) > 1 for b in repeated), (
        "the same company written with and without its legal suffix"
    )


def test_the_example_is_clearly_fictional_and_keeps_accents(demo):
    contacts = demo.contacts()
    for email in contacts["email"]:
        assert re.fullmatch(r"[^@\s]+@example\.(com|org|net)", email), email
    for url in contacts["profile_url"]:
        assert url == "" or re.fullmatch(r"https://www\.linkedin\.com/in/[a-z-]+-example", url), url
    names = set(contacts["name"])
    assert "José Núñez" in names
    assert any("Zoë" in n for n in names)
    assert "Müller & Söhne GmbH" in set(contacts["organization"])


def test_the_evidence_tells_a_story(demo):
    """One option has clear evidence against on a heavy criterion; another has a heavy criterion barely covered."""
    options = demo.options().set_index("id")["title"]
    criteria = demo.criteria().set_index("id")["weight"]
    ins = demo.insights()
    heavy = criteria[criteria >= 2].index
    strong_against = ins[ins["criterion_id"].isin(heavy) & (ins["stance"] <= -1) & (ins["confidence"] == "high")]
    against = strong_against.groupby("option_id").size()
    assert (against >= 2).any(), "clear evidence against an option on something that matters"
    coverage = ins[ins["criterion_id"].isin(heavy)].groupby(["option_id", "criterion_id"]).size()
    coverage = coverage.reindex([(o, c) for o in options.index for c in heavy], fill_value=0)
    thin = coverage[coverage <= 1]
    assert len(thin) >= 1, "a gap the next conversation can fill"
    gap_options = set(thin.index.get_level_values(0))
    planned = demo.conversations()
    planned = planned[planned["status"].isin(["planned", "requested", "scheduled"])]
    assert gap_options & set(planned["option_id"]), "someone to ask about the gap"


def test_the_comparison_favours_one_path_honestly_and_names_the_conversation_to_have_next(demo):
    decision = demo.decide()
    ranked = decision.scores
    leader, runner_up = ranked.index[0], ranked.index[1]
    assert decision.verdict.kind in {"favours", "leaning"} and decision.verdict.option_id == leader
    assert ranked.loc[leader, "title"] == "UX research"
    assert ranked.loc[leader, "p_best"] < 0.9, "the leader is not a sure thing"
    assert ranked.loc[runner_up, "high"] > ranked.loc[leader, "score"], "the runner-up could still overtake"
    assert (ranked["n_sources"] >= 5).all(), "every path has been asked about"
    ins = demo.insights()
    criteria = demo.criteria()
    heavy = criteria[criteria["weight"] >= 2]["id"]
    last = ranked.index[-1]
    against = ins[(ins["option_id"] == last) & ins["criterion_id"].isin(heavy) & (ins["stance"] <= -1)]
    assert against.groupby("criterion_id").size().max() >= 2, "the last option has clear evidence against"
    top = decision.next.iloc[0]
    assert top["option_id"] == runner_up, "the next conversation tests the runner-up, not the favourite"
    assert top["contact"], "it names someone to ask"
    assert top["reason"].endswith(".") and top["contact"] in top["reason"], "the reason is a sentence about them"
    assert 0 < top["p_change"] < 0.5, "the chance it changes the decision is real but not a sure thing"
    # Whether it is worth having depends on what a conversation costs (notebook 08): the stop rule says so.
    if decision.next["worth_it"].any():
        assert decision.stop == ""
    else:
        assert "unlikely" in decision.stop and "steps" in decision.stop
    assert ins["heard_from"].notna().sum() >= 1, "a second-hand note names whom it came from"


def test_cli_demo_writes_the_file_and_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "example.sqlite"
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--workbook", str(target)])
    assert first.exit_code == 0, first.output
    assert target.exists()
    assert str(target.resolve()) in first.output
    with open_workbook(target) as book:
        book.add_option("My own note, not part of the demo")
        before = book.counts()

    again = runner.invoke(cli, ["demo", "--workbook", str(target)])
    assert again.exit_code != 0
    assert "--force" in again.output
    with open_workbook(target) as book:
        assert book.counts() == before

    forced = runner.invoke(cli, ["demo", "--workbook", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    with open_workbook(target) as book:
        assert book.counts()["options"] == before["options"] - 1
        assert "My own note, not part of the demo" not in set(book.options()["title"])


def test_cli_demo_refuses_to_replace_a_file_that_is_not_a_workbook(tmp_path):
    target = tmp_path / "notes.sqlite"
    with sqlite3.connect(target) as conn:
        conn.execute("CREATE TABLE mine (x)")
    conn.close()
    result = CliRunner().invoke(cli, ["demo", "--workbook", str(target)])
    assert result.exit_code != 0
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("mine",)]
    conn.close()


def test_default_demo_goes_to_the_data_folder_never_to_your_workbook(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(tmp_path / "home"))
    own = tmp_path / "own" / "workbook.sqlite"
    monkeypatch.setenv(paths.ENV_VAR, str(own))
    with open_workbook(own) as book:
        book.add_option("Nursing")
    runner = CliRunner()
    for _ in range(2):  # the default demo file is rebuilt each time, no --force needed
        result = runner.invoke(cli, ["demo"])
        assert result.exit_code == 0, result.output
    demo_file = tmp_path / "home" / "demo.sqlite"
    assert str(demo_file.resolve()) in result.output
    with open_workbook(demo_file) as book:
        assert book.counts()["options"] >= 3
    with open_workbook(own) as book:
        assert list(book.options()["title"]) == ["Nursing"]
        assert book.setting("demo") is None


def test_default_criteria_are_valid_and_distinct():
    with open(paths.data_dir() / "criteria.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert 10 <= len(rows) <= 12
    assert set(rows[0]) == {"name", "description", "weight"}
    names = [r["name"].strip().lower() for r in rows]
    assert len(set(names)) == len(names)
    for row in rows:
        cleaned = fields.clean("criteria", row)
        assert cleaned["weight"] > 0
        assert len(cleaned["description"]) > 20, row["name"]


def test_demo_shows_who_do_i_know_there(tmp_path):
    """The demo's options name target organisations, so the matcher has someone to suggest."""
    from workbook.people import matching

    wb = build_demo(tmp_path / "demo.sqlite", overwrite=True)
    found = matching.suggestions_for(wb)
    assert len(found) >= 1
    assert not found["linked"].any()
    assert "St. Agnes Hospital" in set(found["organization"])
    wb.close()
