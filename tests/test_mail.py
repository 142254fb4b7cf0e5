"""Drafts handed to the user's own mail: mailto: links (RFC 6068) and a copy button; nothing is sent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from workbook.forms.capture import CaptureForm
from workbook.forms.mail import _COPY_SCRIPT, COPY_LABEL, SendBox
from workbook.forms.outreach import DraftForm
from workbook.outreach.mail import LONG_LINK, is_address, mail_draft, mailto_url, split_subject

HOSTILE = "</a><script>alert(1)</script><img src=x onerror=alert(2)>\"'&"


def fields(url: str) -> dict[str, str]:
    """The header fields of a mailto: link, decoded as a mail program decodes them."""
    query = urlsplit(url).query
    return {
        k: unquote(v, encoding="utf-8", errors="strict") for k, _, v in (p.partition("=") for p in query.split("&"))
    }


# ------------------------------------------------------------------ links
def test_spaces_line_breaks_and_letters_beyond_ascii_are_encoded_as_rfc_6068_says():
    url = mailto_url("zoe@example.org", "Café à 10 h?", "Hi Zoë,\n\nThanks & see you\nAna")
    assert url == (
        "mailto:zoe@example.org?subject=Caf%C3%A9%20%C3%A0%2010%20h%3F"
        "&body=Hi%20Zo%C3%AB%2C%0D%0A%0D%0AThanks%20%26%20see%20you%0D%0AAna"
    )
    assert "+" not in url.split("?", 1)[1], "a space is %20, never +"


@pytest.mark.parametrize("text", ["a+b=c", "50% off #1", "x?y&z", "tab\there", "🙂 emoji", "line\r\nbreak\rold mac"])
def test_every_character_comes_back_exactly(text):
    url = mailto_url("", "s", text)
    expected = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    assert fields(url)["body"] == expected
    assert set(url.split("?", 1)[1].replace("&", "").replace("=", "")) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%"
    ), "nothing in a field could end it or start another"


def test_an_address_that_is_not_one_cannot_add_a_recipient_or_a_header():
    assert mailto_url("ann@example.org?cc=boss@example.org", "Hi").startswith("mailto:?subject=")
    assert mailto_url("a@b.example&bcc=x@y.example").startswith("mailto:")
    assert "bcc" not in mailto_url("a@b.example&bcc=x@y.example")
    assert mailto_url("joe+jobs@example.org") == "mailto:joe+jobs@example.org"
    assert not is_address("two@example.org, three@example.org") and not is_address("nobody")


def test_no_address_still_gives_a_link_and_a_note():
    draft = mail_draft("Subject: Hello\n\nHi", "", "Rosa")
    assert draft.url == "mailto:?subject=Hello&body=Hi%0D%0A"
    assert draft.note == "No email address for Rosa: your mail app will ask whom to write to."
    bad = mail_draft("Hi", "rosa at acme", "Rosa")
    assert bad.url == "mailto:?body=Hi%0D%0A" and "does not look like an email address" in bad.note


def test_subject_line_is_taken_off_the_body():
    assert split_subject("Subject: Could I learn about UX?\n\nHi Rosa,\nThanks\n") == (
        "Could I learn about UX?",
        "Hi Rosa,\nThanks\n",
    )
    assert split_subject("Hi Rosa") == ("", "Hi Rosa\n")
    assert split_subject("") == ("", "")


def test_a_long_message_says_to_copy_it_instead():
    draft = mail_draft("Subject: x\n\n" + "ö" * LONG_LINK, "a@b.example")
    assert "use Copy instead" in draft.note


# ----------------------------------------------------------------- widget
def test_send_box_html_has_one_link_one_button_and_no_markup_from_the_text():
    box = SendBox()
    text = f"Subject: {HOSTILE}\n\nHi {HOSTILE}"
    box.show(text, "rosa@acme.example", f"Rosa {HOSTILE}")
    soup = BeautifulSoup(box.value, "html.parser")
    assert soup.find_all(["script", "img"]) == []
    [link] = soup.find_all("a")
    [button] = soup.find_all("button")
    assert link["href"] == box.draft.url and link["href"].startswith("mailto:rosa@acme.example?subject=")
    assert fields(link["href"])["subject"] == HOSTILE
    assert link.get_text() == f"✉ Write to Rosa {HOSTILE} in my mail app"
    assert button["data-text"] == text, "the copy button copies the draft exactly"
    assert button.get_text() == COPY_LABEL
    assert button["onclick"] == _COPY_SCRIPT, "a fixed script that reads the escaped attribute"
    assert "Nothing is sent from here" in soup.get_text()


def test_an_empty_draft_offers_nothing():
    box = SendBox()
    box.show("   ")
    assert box.value == "" and box.draft is None


# ------------------------------------------------------------------ forms
@dataclass(frozen=True)
class PeopleIds:
    o: int
    rosa: int
    kofi: int


@pytest.fixture
def people_ids(wb) -> PeopleIds:
    o = wb.add_option("UX research")
    rosa = wb.add_contact("Rosa Marquez", "Acme", "UX Researcher", email="rosa@acme.example")
    kofi = wb.add_contact("Kofi Mensah", "Acme", "Designer", referred_by=rosa)
    return PeopleIds(o=o, rosa=rosa, kofi=kofi)


@pytest.fixture
def people(wb, people_ids):
    return wb


def test_a_request_draft_opens_in_my_mail_app_to_the_person(people, people_ids):
    form = DraftForm(people)
    form.contact.value, form.option.value = people_ids.rosa, people_ids.o
    sent = fields(form.send.draft.url)
    assert form.send.draft.url.startswith("mailto:rosa@acme.example?")
    assert sent["subject"] == "Could I learn about your work in UX research?"
    assert sent["body"].startswith("Hi Rosa,\r\n")
    form.draft.value = form.draft.value.replace("Hi Rosa,", "Dear Rosa,")
    assert fields(form.send.draft.url)["body"].startswith("Dear Rosa,\r\n"), "the link follows my edits"
    form.contact.value = people_ids.kofi
    assert form.send.draft.url.startswith("mailto:?") and "No email address for Kofi Mensah" in form.send.value


def test_the_3b7_follow_up_and_the_thank_you_drafts_get_a_link_too(people, people_ids):
    conv = people.add_conversation(people_ids.rosa, people_ids.o, status="requested", requested_on="2026-11-02")
    form = DraftForm(people)
    form.conversation.value = conv
    assert form.template.value == "follow_up"
    assert fields(form.send.draft.url)["subject"].startswith("Following up:")
    form.template.value = "thank_you"
    assert fields(form.send.draft.url)["subject"] == "Thank you, Rosa"


def test_the_thank_you_in_notebook_05_opens_in_my_mail_app(people, people_ids):
    conv = people.add_conversation(people_ids.rosa, people_ids.o, status="done", done_on=dt.date.today())
    form = CaptureForm(people, today=dt.date.today())
    form.conversation.value = conv
    url = form.thank_you_send.draft.url
    assert url.startswith("mailto:rosa@acme.example?subject=Thank%20you%2C%20Rosa&body=Hi%20Rosa%2C")
    form.thank_you_note.value = "Subject: Thanks!\n\nRosa, thank you."
    assert fields(form.thank_you_send.draft.url) == {"subject": "Thanks!", "body": "Rosa, thank you.\r\n"}
