"""Importing contacts from every source: one person once, details filled, differences listed, sources kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook import ValidationError
from workbook.people import contacts_import as ci
from workbook.people import linkedin

DATA = Path(__file__).parent / "data" / "contacts"
LINKEDIN = Path(__file__).parent / "data" / "linkedin" / "connections_current.csv"
GOOD = [
    LINKEDIN,
    DATA / "google_current.csv",
    DATA / "google_older.csv",
    DATA / "outlook.csv",
    DATA / "phone_v21.vcf",
    DATA / "apple_v3.vcf",
    DATA / "contacts_v4.vcf",
]


def state(wb):
    """Everything an import may change, to compare before and after."""
    contacts = wb.contacts(include_archived=True).to_dict("records")
    return contacts, wb.contact_sources().to_dict("records")


def by_name(wb):
    return wb.contacts(include_archived=True).set_index("name")


def sources_of(wb, name):
    cid = int(by_name(wb).loc[name, "id"])
    return sorted(wb.contact_sources(cid)["source"])


@pytest.mark.parametrize("file", GOOD, ids=[f.name for f in GOOD])
def test_importing_the_same_file_twice_changes_nothing(wb, file):
    first = ci.import_contacts(wb, file)
    assert first.new >= 2 and len(first.ids) == first.new
    before = state(wb)
    again = ci.import_contacts(wb, file)
    assert (again.new, again.updated, again.changes) == (0, 0, 0)
    assert state(wb) == before
    assert set(again.preview["outcome"]) <= {"unchanged", "merged", "skipped"}


def test_new_contacts_keep_their_details_and_source(wb):
    ci.import_contacts(wb, DATA / "phone_v21.vcf")
    people = by_name(wb)
    assert people.loc["Jürgen Müller", "email"] == "juergen.mueller@nordlicht.example"
    assert people.loc["Li Wei", "email"] == "li.wei@harbor-learning.example", "the preferred address is kept"
    assert set(people["source"]) == {"vcard"}
    assert sources_of(wb, "Inés Niño") == ["vcard"]


def test_linkedin_then_a_phone_vcard_gives_one_contact_with_both_sources(wb):
    ci.import_contacts(wb, LINKEDIN)
    plan = ci.import_contacts(wb, DATA / "apple_v3.vcf")
    amara = plan.preview.set_index("name").loc["Amara Nwosu"]
    assert amara["outcome"] == "updated"
    assert "same profile URL" in amara["why"] and "adds email" in amara["why"]
    people = by_name(wb)
    assert list(people.index).count("Amara Nwosu") == 1
    assert people.loc["Amara Nwosu", "email"] == "amara.nwosu@brightpath.example", "an empty field is filled"
    assert people.loc["Amara Nwosu", "organization"] == "Brightpath Software, Inc.", "a filled one is kept"
    assert sources_of(wb, "Amara Nwosu") == ["linkedin", "vcard"]


def test_a_vcard_then_linkedin_matches_by_name_and_organisation_written_differently(wb):
    ci.import_contacts(wb, DATA / "phone_v21.vcf")  # "Li Wei", "Harbor Learning Limited"
    plan = ci.import_contacts(wb, LINKEDIN)  # "Li Wei", "Harbor Learning Ltd"
    li = plan.preview.set_index("name").loc["Li Wei"]
    assert li["outcome"] == "updated" and "same name and organisation" in li["why"]
    assert by_name(wb).loc["Li Wei", "profile_url"] == "https://www.linkedin.com/in/li-wei-example"
    assert sources_of(wb, "Li Wei") == ["linkedin", "vcard"]
    assert [c.key for c in plan.conflicts] == ["7:role"]  # "Learning Designer" vs "… (part-time)"


def test_a_match_by_email_ignores_case_and_lists_a_differing_role(wb):
    jose = wb.add_contact(
        "José Núñez", "Riverside County Public Health Department", "Epidemiologist", email="Jose.Nunez@Example.org"
    )
    plan = ci.import_contacts(wb, DATA / "google_current.csv")
    row = plan.preview.set_index("line").loc[2]
    assert row["outcome"] == "updated" and "same email" in row["why"]
    [conflict] = plan.conflicts
    assert (conflict.key, conflict.contact_id, conflict.in_workbook, conflict.in_file) == (
        "2:role",
        jose,
        "Epidemiologist",
        "Senior Epidemiologist",
    )
    assert wb.get("contacts", jose)["role"] == "Epidemiologist", "a differing detail is not overwritten"
    assert conflict.describe() == "José Núñez · role: workbook 'Epidemiologist', file 'Senior Epidemiologist'"


def test_taking_the_files_value_for_a_listed_difference(wb):
    jose = wb.add_contact(
        "José Núñez", "Riverside County Public Health Department", "Epidemiologist", email="jose.nunez@example.org"
    )
    plan = ci.import_contacts(wb, DATA / "google_current.csv", take=["2:role"])
    assert plan.conflicts[0].use_file
    assert wb.get("contacts", jose)["role"] == "Senior Epidemiologist"
    again = ci.import_contacts(wb, DATA / "google_current.csv")
    assert again.conflicts == [] and again.changes == 0


@pytest.mark.parametrize("typo", ["4:role", "2:colour", "role"])
def test_a_choice_naming_no_line_or_field_is_refused_and_nothing_is_written(wb, typo):
    wb.add_contact("José Núñez", "Riverside County", "Epidemiologist", email="jose.nunez@example.org")
    before = state(wb)
    with pytest.raises(ValidationError) as err:
        ci.import_contacts(wb, DATA / "google_current.csv", take=[typo])
    assert err.value.field == "take" and repr(typo) in str(err.value)
    assert state(wb) == before


def test_the_same_choice_again_changes_nothing(wb):
    wb.add_contact("José Núñez", "Riverside County", "Epidemiologist", email="jose.nunez@example.org")
    ci.import_contacts(wb, DATA / "google_current.csv", take=["2:role"])
    before = state(wb)
    again = ci.import_contacts(wb, DATA / "google_current.csv", take=["2:role"])
    assert again.changes == 0 and state(wb) == before


def test_cross_source_name_differences_are_listed_with_the_new_contact_from_the_same_file(wb):
    ci.import_contacts(wb, DATA / "google_current.csv")  # "Hana K. Sato", Actuary
    plan = ci.import_contacts(wb, DATA / "contacts_v4.vcf")  # "Hana Sato", Lead Actuary, same work email
    assert sorted(c.key for c in plan.conflicts) == ["13:name", "13:role"]
    assert by_name(wb).loc["Hana K. Sato", "role"] == "Actuary"
    # Zoë is listed twice in the file (same email): one contact, the second line merged into the first
    outcomes = plan.preview.set_index("line")["outcome"]
    assert (outcomes[1], outcomes[20]) == ("new", "merged")
    assert list(by_name(wb).index).count("Zoë Ångström") == 1


def test_the_same_person_twice_in_one_file_fills_the_first_lines_gaps(wb):
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Brook\nORG:Acme AG\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:ADA BROOK\nORG:Acme\nTITLE:Nurse\nEMAIL:ada@acme.example\nEND:VCARD\n"
    )
    plan = ci.import_contacts(wb, text.encode(), name="phone.vcf")
    assert plan.new == 1 and plan.merged == 1
    ada = wb.contacts().iloc[0]
    assert (ada["name"], ada["organization"], ada["role"], ada["email"]) == (
        "Ada Brook",
        "Acme AG",
        "Nurse",
        "ada@acme.example",
    )


def test_same_name_without_organisation_on_one_side_matches_only_one_candidate(wb):
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Brook\nEMAIL:ada@mail.example\nEND:VCARD\n"
    ada = wb.add_contact("Ada Brook", "Acme AG")
    plan = ci.import_contacts(wb, text.encode())
    assert plan.new == 0 and wb.get("contacts", ada)["email"] == "ada@mail.example"
    wb.update_contact(ada, email="")
    wb.add_contact("Ada Brook", "Beta GmbH")  # now two people of that name: which one is unclear
    plan = ci.import_contacts(wb, text.encode())
    assert plan.new == 1


def test_same_name_and_company_but_different_profiles_are_two_people(wb):
    wb.add_contact("Amara Nwosu", "Brightpath Software", profile_url="https://www.linkedin.com/in/another-amara")
    plan = ci.preview_contacts(wb, LINKEDIN)
    assert plan.preview.set_index("name").loc["Amara Nwosu", "outcome"] == "new"


def test_archived_contacts_are_matched_and_stay_archived(wb):
    cid = wb.add_contact("Li Wei", "Harbor Learning", source="manual")
    wb.archive("contacts", cid)
    plan = ci.import_contacts(wb, LINKEDIN)
    assert plan.preview.set_index("name").loc["Li Wei", "outcome"] == "updated"
    assert "archived" in plan.preview.set_index("name").loc["Li Wei", "why"]
    assert bool(wb.get("contacts", cid)["archived"])


def test_contacts_from_the_old_linkedin_import_are_recognised(wb):
    linkedin.import_connections(wb, LINKEDIN)
    before = state(wb)
    plan = ci.import_contacts(wb, LINKEDIN)
    assert plan.changes == 0 and plan.unchanged == 4
    assert state(wb) == before


def test_dry_run_and_preview_write_nothing(wb):
    wb.add_contact("Ingrid Dahl", email="ingrid@example.com")
    before = state(wb)
    plan = ci.import_contacts(wb, DATA / "outlook.csv", dry_run=True)
    assert (plan.new, plan.updated, plan.ids) == (2, 1, [])
    ci.preview_contacts(wb, DATA / "outlook.csv")
    assert state(wb) == before


@pytest.mark.parametrize("file", ["picture.png", "not_contacts.csv", "no_names.vcf", "outlook_windows1252.csv"])
def test_a_bad_file_writes_nothing(wb, file):
    wb.add_contact("Existing Person")
    before = state(wb)
    with pytest.raises(ValidationError):
        ci.import_contacts(wb, DATA / file)
    assert state(wb) == before


def test_summary_counts_in_words(wb):
    ci.import_contacts(wb, DATA / "google_current.csv")
    plan = ci.preview_contacts(wb, DATA / "contacts_v4.vcf")
    assert plan.summary() == (
        "contacts_v4.vcf (vCard 4.0): 3 people — 1 new, 1 updated, 0 unchanged, 1 listed twice, 0 skipped; "
        "2 details differ (choose below)."
    )
    table = plan.conflict_table()
    assert list(table["field"]) == ["name", "role"] and not table["use_file"].any()


# ---------------------------------------------------------------------- CLI
def cli(*args):
    from click.testing import CliRunner

    from workbook.cli.main import cli as command

    return CliRunner().invoke(command, ["import-contacts", *map(str, args)])


def test_cli_dry_run_shows_what_would_change_and_writes_nothing(wb):
    wb.add_contact("José Núñez", "Riverside County", "Epidemiologist", email="jose.nunez@example.org")
    before = state(wb)
    result = cli(DATA / "google_current.csv", "--dry-run", "--workbook", wb.path)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "google_current.csv: Google Contacts CSV (current layout), 6 people" in out
    assert "new: 4" in out and "updated: 1" in out and "skipped: 1" in out
    assert "line 5: new: Émile Lefèvre" in out and "line 6: no name" in out
    assert "line 2: updated: Jose Nunez — already in your workbook (same email)" in out
    assert "--take 2:role  José Núñez · role: workbook 'Epidemiologist', file 'Senior Epidemiologist'" in out
    assert "Dry run: nothing written; 4 new contacts, 1 updated." in out
    assert state(wb) == before


def test_cli_imports_takes_a_choice_and_a_second_run_changes_nothing(wb):
    jose = wb.add_contact("José Núñez", "Riverside County", "Epidemiologist", email="jose.nunez@example.org")
    result = cli(DATA / "google_current.csv", "--take", "2:role", "--workbook", wb.path)
    assert result.exit_code == 0, result.output
    assert "Imported 4 new contacts; updated 1." in result.output
    assert "[the file's value is used]" in result.output
    assert wb.get("contacts", jose)["role"] == "Senior Epidemiologist"
    before = state(wb)
    result = cli(DATA / "google_current.csv", "--workbook", wb.path)
    assert "new: 0" in result.output and "updated: 0" in result.output and "unchanged: 5" in result.output
    assert state(wb) == before


@pytest.mark.parametrize(
    ("file", "reason"),
    [
        ("empty.vcf", "is empty"),
        ("picture.png", "binary data"),
        ("outlook_windows1252.csv", "not UTF-8"),
        ("not_contacts.csv", "not a contacts file"),
        ("no_names.vcf", "has a name"),
        ("broken.vcf", "END:VCARD"),
    ],
)
def test_cli_bad_file_is_one_line_and_writes_nothing(wb, file, reason):
    wb.add_contact("Existing Person")
    before = state(wb)
    result = cli(DATA / file, "--workbook", wb.path)
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert result.exit_code == 1 and len(errors) == 1 and reason in errors[0], result.output
    assert "Traceback" not in result.output
    assert state(wb) == before


def test_cli_limits_apply_to_every_source(wb):
    result = cli(DATA / "contacts_v4.vcf", "--max-rows", "2", "--workbook", wb.path)
    assert result.exit_code == 1 and "more than 2 contacts" in result.output
    assert wb.contacts().empty
