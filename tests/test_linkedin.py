"""LinkedIn Connections.csv import: both layouts, encodings, quoting, refusals, idempotence, the CLI."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook import ValidationError, open_workbook
from workbook.cli.main import cli
from workbook.people import linkedin as li

DATA = Path(__file__).parent / "data" / "linkedin"
CURRENT = DATA / "connections_current.csv"
OLDER = DATA / "connections_older.csv"
NOT_LINKEDIN = DATA / "not_linkedin.csv"


def contacts_rows(wb):
    return wb.conn.execute("SELECT count(*) FROM contacts").fetchone()[0]


# ------------------------------------------------------------------ reading
def test_current_layout_finds_the_header_after_the_notes():
    export = li.read_export(CURRENT)
    assert export.layout == "current"
    assert [r["line"] for r in export.rows] == [5, 6, 7, 9, 10]  # file lines, a quoted line break counts
    first = export.rows[0]
    assert (first["first"], first["last"], first["company"]) == ("Amara", "Nwosu", "Brightpath Software, Inc.")
    assert first["url"] == "https://www.linkedin.com/in/amara-nwosu-example"


def test_quoted_commas_and_line_breaks_stay_inside_their_field():
    rows = li.read_export(CURRENT).rows
    assert rows[2]["position"] == "Learning Designer (part-time)"  # one line, as a role is shown
    assert rows[4]["position"] == "Head of Research, Europe"
    assert rows[4]["company"] == "Müller & Söhne GmbH"


def test_older_layout_without_notes_or_url(wb):
    plan = li.import_connections(wb, OLDER)
    assert plan.export.layout == "older"
    assert plan.new == 2
    people = wb.contacts().set_index("name")
    assert people.loc["Peter O'Neill", "organization"] == "Coursecraft Inc"
    assert people.loc["Peter O'Neill", "profile_url"] == ""
    assert people.loc["Amara Nwosu", "connected_on"] == dt.datetime(2019, 3, 12)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_byte_order_mark_and_line_endings_are_accepted(wb, newline):
    data = b"\xef\xbb\xbf" + CURRENT.read_bytes().replace(b"\n", newline)
    plan = li.import_connections(wb, data, name="Connections.csv")
    assert plan.new == 4
    assert "Ingrid Dahl" in set(wb.contacts()["name"])
    assert "Learning Designer (part-time)" in set(wb.contacts()["role"])


def test_header_found_by_content_whatever_the_column_order(wb):
    data = "Connected On,Position,Company,Last Name,First Name\n02 Jan 2024,Analyst,Acme Ltd,Doe,Jane\n"
    li.import_connections(wb, data.encode())
    row = wb.contacts().iloc[0]
    assert (row["name"], row["organization"], row["role"]) == ("Jane Doe", "Acme Ltd", "Analyst")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07 Dec 2025", "2025-12-07"),
        ("7 Dec 2025", "2025-12-07"),
        ("2025-12-07", "2025-12-07"),
        ("31 Feb 2025", None),
        ("Dec 2025", None),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    assert li.parse_date(text) == expected


# ---------------------------------------------------------------- importing
def test_import_writes_linkedin_contacts_with_dates(wb):
    plan = li.import_connections(wb, CURRENT)
    assert (plan.new, plan.duplicates, plan.skipped) == (4, 0, 1)
    assert len(plan.ids) == 4
    people = wb.contacts().set_index("name")
    assert set(people["source"]) == {"linkedin"}
    assert people.loc["José Núñez", "email"] == "jose.nunez@example.org"
    assert people.loc["Amara Nwosu", "connected_on"] == dt.datetime(2025, 12, 7)
    skipped = plan.preview[plan.preview["outcome"] == "skipped"]
    assert skipped["line"].tolist() == [9]
    assert "no name" in skipped["why"].iloc[0]


def test_reimporting_the_same_file_adds_nothing(wb):
    li.import_connections(wb, CURRENT)
    before = contacts_rows(wb)
    again = li.import_connections(wb, CURRENT)
    assert (again.new, again.duplicates) == (0, 4)
    assert contacts_rows(wb) == before


def test_dedupe_by_url_ignores_case_scheme_subdomain_and_trailing_slash(wb):
    wb.add_contact("A. Nwosu (work)", "Other Co", profile_url="http://uk.linkedin.com/in/Amara-Nwosu-Example/")
    plan = li.import_connections(wb, CURRENT, dry_run=True)
    amara = plan.preview[plan.preview["name"] == "Amara Nwosu"].iloc[0]
    assert (amara["outcome"], amara["why"]) == ("duplicate", "already in your workbook (same profile URL)")


def test_dedupe_by_normalised_name_and_company_when_no_url(wb):
    wb.add_contact("jose nunez", "Riverside County Public Health Department, Inc.")
    wb.add_contact("Amara Nwosu", "Brightpath Software")  # no URL: matches the URL-less older export
    plan = li.import_connections(wb, OLDER)
    assert plan.duplicates == 1 and plan.new == 1
    plan = li.import_connections(wb, CURRENT)
    jose = plan.preview[plan.preview["name"] == "José Núñez"].iloc[0]
    assert (jose["outcome"], jose["why"]) == ("duplicate", "already in your workbook (same name and company)")


def test_same_name_and_company_but_different_urls_are_different_people(wb):
    wb.add_contact("Amara Nwosu", "Brightpath Software", profile_url="https://www.linkedin.com/in/another-amara")
    plan = li.import_connections(wb, CURRENT, dry_run=True)
    assert plan.preview.set_index("name").loc["Amara Nwosu", "outcome"] == "new"


def test_archived_contacts_are_not_imported_again(wb):
    li.import_connections(wb, CURRENT)
    wb.archive("contacts", int(wb.contacts()["id"].iloc[0]))
    assert li.import_connections(wb, CURRENT).new == 0


def test_duplicates_inside_one_file_are_imported_once(wb):
    text = OLDER.read_text(encoding="utf-8") + "Amara,Nwosu,,Brightpath Software Inc,UX Researcher,12 Mar 2019\n"
    plan = li.import_connections(wb, text.encode())
    assert plan.new == 2 and plan.duplicates == 1
    assert plan.preview["why"].iloc[-1] == "same person as line 2 (same name and company)"


def test_dry_run_writes_nothing(wb):
    plan = li.import_connections(wb, CURRENT, dry_run=True)
    assert plan.new == 4 and plan.ids == []
    assert contacts_rows(wb) == 0


def test_whole_export_zip_is_accepted(wb):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Basic_LinkedInDataExport_12-07-2025/Connections.csv", CURRENT.read_bytes())
        archive.writestr("Basic_LinkedInDataExport_12-07-2025/Messages.csv", "a,b\n")
    assert li.import_connections(wb, buffer.getvalue(), name="export.zip").new == 4


# ---------------------------------------------------------------- refusals
REFUSED = [
    (NOT_LINKEDIN.read_bytes(), "does not look like LinkedIn"),
    (b"", "is empty"),
    (b"\xef\xbb\xbf  \n\n", "is empty"),
    ("First Name,Last Name,Company,Position\nRené,Müller,Café GmbH,Chef\n".encode("latin-1"), "not UTF-8"),
    ("x".encode("utf-16"), "UTF-16"),
    (b"PK\x03\x04 not really a zip", "damaged zip"),
    (b"First Name,Last Name,Company,Position\nA,B\x00,C,D\n", "NUL"),
]


@pytest.mark.parametrize(("data", "reason"), REFUSED, ids=[r[1] for r in REFUSED])
def test_refused_files_write_nothing_and_say_why(wb, data, reason):
    wb.add_contact("Existing Person")
    with pytest.raises(ValidationError) as info:
        li.import_connections(wb, data, name="Connections.csv")
    assert info.value.field == "file"
    assert reason in str(info.value)
    assert contacts_rows(wb) == 1


def test_latin1_message_points_at_the_byte_and_the_fix(wb):
    data = "First Name,Last Name,Company,Position\nRené,X,Y,Z\n".encode("latin-1")
    with pytest.raises(ValidationError, match=r"byte 0xe9 .*CSV UTF-8"):
        li.read_export(data)


def test_missing_file_and_folder_are_refused(tmp_path):
    with pytest.raises(ValidationError, match="does not exist"):
        li.read_export(tmp_path / "nope.csv")
    with pytest.raises(ValidationError, match="is a folder"):
        li.read_export(tmp_path)
    with pytest.raises(ValidationError, match="is empty"):
        li.read_export("  ")


def test_header_too_far_down_is_not_searched_for_ever():
    lines = ["Notes:"] * (li.HEADER_SEARCH_ROWS + 1) + ["First Name,Last Name,Company,Position", "A,B,C,D"]
    with pytest.raises(ValidationError, match="does not look like LinkedIn"):
        li.read_export("\n".join(lines).encode())


def test_header_only_file_imports_nothing(wb):
    plan = li.import_connections(wb, b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n")
    assert (plan.new, plan.duplicates, plan.skipped) == (0, 0, 0)
    assert contacts_rows(wb) == 0


# ---------------------------------------------------------------------- CLI
def test_cli_dry_run_then_import_then_reimport(tmp_path):
    book = str(tmp_path / "cli.sqlite")
    runner = CliRunner()
    result = runner.invoke(cli, ["import-linkedin", str(CURRENT), "--workbook", book, "--dry-run"])
    assert result.exit_code == 1 and "no workbook at" in result.output, "a dry run creates nothing"
    assert not (tmp_path / "cli.sqlite").exists()
    open_workbook(book).close()
    result = runner.invoke(cli, ["import-linkedin", str(CURRENT), "--workbook", book, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "new: 4" in result.output and "skipped: 1" in result.output and "line 9" in result.output
    with open_workbook(book) as wb:
        assert contacts_rows(wb) == 0
    result = runner.invoke(cli, ["import-linkedin", str(CURRENT), "--workbook", book])
    assert result.exit_code == 0, result.output
    assert "Imported 4 contacts." in result.output
    result = runner.invoke(cli, ["import-linkedin", str(CURRENT), "--workbook", book])
    assert "new: 0" in result.output and "duplicates: 4" in result.output
    with open_workbook(book) as wb:
        assert contacts_rows(wb) == 4


def test_cli_refuses_a_non_linkedin_file(tmp_path):
    book = str(tmp_path / "cli.sqlite")
    result = CliRunner().invoke(cli, ["import-linkedin", str(NOT_LINKEDIN), "--workbook", book])
    assert result.exit_code == 1
    assert "does not look like LinkedIn" in result.output
    with open_workbook(book) as wb:
        assert contacts_rows(wb) == 0
