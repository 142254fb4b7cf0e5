"""Reading contacts files of every kind: recognised by content, each format's details, and every bad file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from workbook import ValidationError
from workbook.people.contact_files import read_contacts

DATA = Path(__file__).parent / "data" / "contacts"
LINKEDIN = Path(__file__).parent / "data" / "linkedin" / "connections_current.csv"


def people(path_or_bytes, name=None):
    return {p.name: p for p in read_contacts(path_or_bytes, name).people}


# --------------------------------------------------------------- recognising
@pytest.mark.parametrize(
    ("file", "format", "described"),
    [
        (LINKEDIN, "linkedin", "LinkedIn Connections.csv (current layout)"),
        (DATA / "google_current.csv", "google", "Google Contacts CSV (current layout)"),
        (DATA / "google_older.csv", "google", "Google Contacts CSV (older layout)"),
        (DATA / "outlook.csv", "outlook", "Outlook CSV"),
        (DATA / "phone_v21.vcf", "vcard", "vCard 2.1"),
        (DATA / "apple_v3.vcf", "vcard", "vCard 3.0"),
        (DATA / "contacts_v4.vcf", "vcard", "vCard 4.0"),
    ],
)
def test_the_format_is_recognised_from_the_content_not_the_name(file, format, described):
    found = read_contacts(file.read_bytes(), name="contacts.txt")  # the name says nothing
    assert (found.format, found.source, found.describe()) == (format, format, described)
    assert found.name == "contacts.txt"


def test_linkedin_zip_export_is_read(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Basic_LinkedInDataExport/Connections.csv", LINKEDIN.read_bytes())
    found = read_contacts(buffer.getvalue(), name="export.zip")
    assert found.format == "linkedin" and len(found.people) == 5


# ------------------------------------------------------------------ formats
def test_google_current_layout():
    found = people(DATA / "google_current.csv")
    hana = found["Hana K. Sato"]
    assert (hana.organization, hana.role, hana.line) == ("Quillstone Insurance Co., Ltd.", "Actuary", 3)
    # the address labelled "* Work" is the preferred one; ":::" separates several in one cell
    assert hana.emails == ["hana.sato@quillstone.example", "hana.sato@mail.example", "hk.sato@mail.example"]
    assert hana.profile_url == "https://www.linkedin.com/in/hana-sato-example"
    assert found["Émile Lefèvre"].organization == "Atelier Lumière SARL"
    assert found["Bea"].emails == ["bea@mail.example"], "a nickname is a name when there is nothing else"
    assert "not an email address" in found["Tomás Oyelaran"].notes[0] and found["Tomás Oyelaran"].emails == []
    nameless = [p for p in read_contacts(DATA / "google_current.csv").people if not p.name]
    assert [(p.line, p.skip) for p in nameless] == [(6, "no name")]


def test_google_older_layout():
    found = people(DATA / "google_older.csv")
    assert found["Peter O'Neill"].organization == "Coursecraft, Inc."
    assert found["Peter O'Neill"].role == "Instructional Designer"
    assert found["Ngozi Adeyemi"].emails == ["n.adeyemi@northgate-health.example", "ngozi@mail.example"]
    assert found["Kai"].organization == ""


def test_outlook_layout_with_exchange_addresses_and_line_breaks_in_notes():
    found = people(DATA / "outlook.csv")
    assert (found["Ingrid Dahl"].organization, found["Ingrid Dahl"].role) == ("Müller & Söhne", "Research Director")
    grace = found["Grace Okafor"]
    assert grace.emails == ["grace.okafor@brightpath.example"], "an Exchange X.500 address is not an email"
    assert grace.profile_url == "", "only a LinkedIn address is kept as the profile URL"
    assert found["Liam Byrne"].line == 5, "the quoted line break in Grace's notes counts as a line"


def test_outlook_csv_with_semicolons_as_a_spreadsheet_saves_it():
    text = "First Name;Last Name;Company;Job Title;E-mail Address\r\nAda;Brook;Acme AG;Nurse;ada@acme.example\r\n"
    found = read_contacts(text.encode(), "contacts.csv")
    assert found.format == "outlook"
    assert (found.people[0].name, found.people[0].organization) == ("Ada Brook", "Acme AG")


def test_utf16_with_a_byte_order_mark_is_read():
    text = (DATA / "google_older.csv").read_text(encoding="utf-8")
    assert "Peter O'Neill" in people(text.encode("utf-16"))


def test_vcard_21_quoted_printable_charsets_and_photos():
    found = people(DATA / "phone_v21.vcf")
    assert set(found) == {"Li Wei", "Jürgen Müller", "Inés Niño"}, "UTF-8 and ISO-8859-1 quoted-printable"
    assert found["Jürgen Müller"].role == "Leiter Datenplattform für Kundenprojekte und Infrastruktur", (
        "a soft line break of quoted-printable joins the line"
    )
    assert found["Jürgen Müller"].organization == "Nordlicht GmbH", "the department is not the organisation"
    assert found["Li Wei"].emails == ["li.wei@harbor-learning.example", "li.wei@mail.example"], "PREF first"
    assert [p.line for p in read_contacts(DATA / "phone_v21.vcf").people] == [1, 25, 36]


def test_vcard_30_folded_lines_apple_groups_company_cards_and_a_broken_photo():
    cards = read_contacts(DATA / "apple_v3.vcf").people  # its photo is not valid base64: photos are never read
    found = {p.name: p for p in cards}
    amara = found["Amara Nwosu"]
    assert amara.emails == ["amara.nwosu@brightpath.example"]
    assert amara.profile_url == "https://www.linkedin.com/in/amara-nwosu-example"
    assert found["Priya Raman"].role.endswith("Northern Region"), "a folded line is unfolded"
    assert found["Brightpath Software"].skip == "a card for an organisation, not a person"


def test_vcard_40_several_organisations_and_preferred_email():
    zoe = read_contacts(DATA / "contacts_v4.vcf").people[0]
    assert zoe.name == "Zoë Ångström"
    assert zoe.organizations == ["Quillstone Insurance", "Open Data Volunteers"]
    assert zoe.organization == "Quillstone Insurance"
    assert zoe.emails == ["zoe.angstrom@quillstone.example", "zoe@mail.example"], "PREF=1 first"


def test_a_card_with_only_n_is_named_from_it():
    text = "BEGIN:VCARD\nVERSION:3.0\nN:Okafor;Grace;Ada;Dr.;\nEND:VCARD\n"
    assert read_contacts(text.encode()).people[0].name == "Grace Ada Okafor"


# --------------------------------------------------------------- bad files
BAD = [
    ("empty.vcf", "is empty"),
    ("picture.png", "is not a text file (it holds binary data)"),
    ("outlook_windows1252.csv", "is not UTF-8 text (byte 0xe9"),
    ("not_contacts.csv", "is not a contacts file this workbook can read"),
    ("no_names.vcf", "none of its 2 vCards has a name (FN or N)"),
    ("broken.vcf", "has no END:VCARD line"),
    ("google_header_only.csv", "has no contacts (only the header row)"),
]


@pytest.mark.parametrize(("file", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_refused_in_one_line_naming_the_file(file, reason):
    with pytest.raises(ValidationError) as err:
        read_contacts(DATA / file)
    assert err.value.field == "file"
    assert reason in str(err.value)
    assert file in str(err.value)
    assert "\n" not in str(err.value)


def test_windows_encoding_message_says_how_to_fix_it():
    with pytest.raises(ValidationError, match="save it as 'CSV UTF-8'"):
        read_contacts(DATA / "outlook_windows1252.csv")


def test_a_zip_without_connections_and_a_spreadsheet_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ValidationError, match="is an Office document .*'CSV UTF-8'"):
        read_contacts(buffer.getvalue(), "contacts.xlsx")


def test_size_limit_applies_to_every_format(tmp_path):
    big = tmp_path / "contacts.vcf"
    card = (DATA / "contacts_v4.vcf").read_text(encoding="utf-8")
    big.write_text(card * 200, encoding="utf-8")
    with pytest.raises(ValidationError, match=r"over the limit of 64\.0 KiB for a contacts file"):
        read_contacts(big, max_bytes=64 * 1024)
    with pytest.raises(ValidationError, match="over the limit"):
        read_contacts(big.read_bytes(), max_bytes=64 * 1024)


@pytest.mark.parametrize("file", ["contacts_v4.vcf", "google_current.csv", "outlook.csv"])
def test_row_limit_applies_to_every_format(file):
    with pytest.raises(ValidationError, match="more than 2 contacts, the limit for one import"):
        read_contacts(DATA / file, max_rows=2)
    assert len(read_contacts(DATA / file, max_rows=10).people) >= 3


def test_row_limit_applies_to_linkedin_too():
    with pytest.raises(ValidationError, match="more than 2 connections"):
        read_contacts(LINKEDIN, max_rows=2)


def test_a_vcard_file_that_holds_a_calendar_too_is_refused():
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Brook\nEND:VCARD\nBEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n"
    with pytest.raises(ValidationError, match="holds a VCALENDAR"):
        read_contacts(text.encode(), "mixed.vcf")


def test_a_missing_path_and_a_folder_are_refused(tmp_path):
    with pytest.raises(ValidationError, match="does not exist"):
        read_contacts(tmp_path / "nope.vcf")
    with pytest.raises(ValidationError, match="is a folder"):
        read_contacts(tmp_path)


def test_a_card_that_cannot_be_decoded_names_its_line():
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Brook\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Kai Lund\nX-BLOB;ENCODING=b:@@not-base64\nEND:VCARD\n"
    )
    with pytest.raises(ValidationError, match="the vCard at line 5 cannot be read"):
        read_contacts(text.encode(), "phone.vcf")
