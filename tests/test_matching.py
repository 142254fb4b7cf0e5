"""Who do I know there? Organisation normalisation, role matching, targets and insider suggestions."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbook import NotFoundError, ValidationError
from workbook.people import matching as m


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Brightpath Software Inc.", "brightpath software"),
        ("Brightpath Software, Inc", "BRIGHTPATH SOFTWARE LLC"),
        ("Müller & Söhne GmbH", "Muller and Sohne"),
        ("Société Générale S.A.", "Societe Generale"),
        ("ACME S. A.", "Acme"),
        ("Philips B.V.", "Philips"),
        ("Siemens AG", "siemens"),
        ("Northgate Health Partners Ltd", "Northgate Health Partners Limited"),
        ("Acme Corp.", "Acme Corporation"),
        ("Harbor & Co.", "Harbor"),
        ("Widget Co., Ltd.", "Widget"),
        ("The Learning Company plc", "Learning"),
        ("Kühne + Nagel", "Kuhne Nagel"),
    ],
)
def test_same_organization_ignores_case_accents_punctuation_and_suffixes(a, b):
    assert m.same_organization(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Meta", "Metaflow Inc"),
        ("Meta", "Meta Platforms, Inc."),
        ("Apple", "Pineapple Ltd"),
        ("Health Partners", "Northgate Health Partners"),
        ("Acme", "Acme Analytics"),
        ("", ""),
        ("Inc", "Ltd"),
    ],
)
def test_near_misses_do_not_match(a, b):
    assert not m.same_organization(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme Inc.", "ACME, Inc"),
        ("ACME, Inc", "Acme"),
        ("Nokia Oyj", "Nokia"),
        ("Polbud Sp. z o.o.", "Polbud"),
        ("Tata Consultancy Services Pvt. Ltd.", "Tata Consultancy Services Private Limited"),
        ("Goldman Sachs & Co. LLC", "Goldman Sachs"),
        ("Maersk A/S", "Maersk"),
        ("Cemex S.A. de C.V.", "Cemex"),
        ("Ericsson AB (publ)", "Ericsson"),
        ("Škoda Auto a.s.", "Skoda Auto"),
        ("Tuulikki Ky", "Tuulikki"),
        ("Petronas Sdn. Bhd.", "Petronas"),
        ("Kastner OHG", "Kastner"),
    ],
)
def test_legal_forms_from_many_countries_do_not_count(a, b):
    """Forms the old hand-written list of 33 did not know; cleanco's list has them."""
    assert m.same_organization(a, b)


@pytest.mark.parametrize(("a", "b"), [("Acme UK", "Acme"), ("Acme CA", "Acme"), ("Acme Group", "Acme")])
def test_words_that_are_part_of_a_name_are_not_legal_forms(a, b):
    assert not m.same_organization(a, b)


def test_an_insider_is_found_however_the_company_is_written(wb):
    ux = wb.add_option("UX research")
    people = [wb.add_contact(n, org) for n, org in (("A", "ACME, Inc"), ("B", "Acme Inc."), ("C", "Acme Oyj"))]
    wb.add_contact("D", "Acme Analytics")
    m.save_targets(wb, ux, ["Acme"], [])
    assert sorted(m.suggestions_for(wb)["contact_id"]) == people


def test_a_name_made_only_of_a_suffix_keeps_it():
    assert m.normalise_org("AG") == "ag"
    assert m.normalise_org("Co") == "co"


@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        ("Senior UX Researcher", "UX Researcher", True),
        ("ux-researcher", "UX Researcher", True),
        ("UX Research Manager", "UX Researcher", False),
        ("Researcher", "UX Researcher", False),
        ("Data Engineer", "Engineer", True),
        ("Engineering Manager", "Engineer", False),
        ("Anything", "", False),
    ],
)
def test_role_matches_on_whole_words(role, target, expected):
    assert m.role_matches(role, target) is expected


def test_clean_targets_trims_and_drops_blanks_and_repeats():
    cleaned = m.clean_targets(
        {"organizations": [" Acme  Ltd ", "ACME", "", "Beta"], "roles": ["UX researcher", "ux RESEARCHER"]}
    )
    assert cleaned == {"organizations": ["Acme Ltd", "Beta"], "roles": ["UX researcher"]}
    with pytest.raises(ValidationError, match="kind of target"):
        m.clean_targets({"companies": ["x"]})
    with pytest.raises(ValidationError) as info:
        m.clean_targets({"roles": [3]})
    assert info.value.field == "roles"
    with pytest.raises(ValidationError, match="no letters"):
        m.clean_targets({"organizations": ["!?"]})


def test_targets_round_trip_through_settings(wb):
    oid = wb.add_option("UX research")
    assert m.load_targets(wb) == {oid: {"organizations": [], "roles": []}}
    m.save_targets(wb, oid, ["Brightpath Software", "Quillstone"], ["UX Researcher"])
    assert wb.setting(f"option:{oid}:targets") == {
        "organizations": ["Brightpath Software", "Quillstone"],
        "roles": ["UX Researcher"],
    }
    assert m.load_targets(wb)[oid]["roles"] == ["UX Researcher"]
    with pytest.raises(NotFoundError):
        m.save_targets(wb, 999, ["X"])


def test_lines_splits_on_line_breaks_not_commas():
    assert m.lines("Brightpath Software, Inc.\n\n  Quillstone \n") == ["Brightpath Software, Inc.", "Quillstone"]


def test_suggestions_match_by_organisation_or_role_and_skip_linked(wb):
    ux = wb.add_option("UX research")
    ph = wb.add_option("Public health")
    maya = wb.add_contact("Maya", "Brightpath Software Inc.", "UX Researcher")
    sam = wb.add_contact("Sam", "BRIGHTPATH SOFTWARE", "Sales lead")
    nadia = wb.add_contact("Nadia", "Quillstone Insurance", "Senior UX Researcher")
    wb.add_contact("Metaflow person", "Metaflow Inc", "UX Research Manager")
    linked = wb.add_contact("Already", "Brightpath Software", "Designer", options=[ux])
    m.save_targets(wb, ux, ["Brightpath Software"], ["UX Researcher"])
    m.save_targets(wb, ph, ["Meta"], [])
    found = m.suggestions_for(wb)
    assert found[["option_id", "contact_id", "matched_on"]].values.tolist() == [
        [ux, maya, "organisation and role"],  # both reasons first, then by name
        [ux, nadia, "role"],
        [ux, sam, "organisation"],
    ]
    assert linked not in set(found["contact_id"])
    everyone = m.suggestions_for(wb, include_linked=True)
    assert everyone.set_index("contact_id").loc[linked, "linked"]


def test_no_targets_no_suggestions(filled):
    assert m.suggestions_for(filled).empty


def test_stronger_ties_come_first_among_equal_matches(wb):
    ux = wb.add_option("UX research")
    weak = wb.add_contact("Aaron", "Acme", "UX Researcher", strength=1)
    close = wb.add_contact("Zora", "Beta", "UX Researcher", strength=5)
    m.save_targets(wb, ux, [], ["UX Researcher"])
    assert m.suggestions_for(wb)["contact_id"].tolist() == [close, weak]


def _folded(word: str) -> str:
    """The word as matching compares it: accents dropped ("sé" is the legal suffix "se")."""
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()


_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüñ", min_size=2, max_size=8).filter(
    lambda w: _folded(w) not in m.LEGAL_SUFFIXES and _folded(w) not in {"the", "and"}
)


@given(name=st.lists(_words, min_size=1, max_size=3), suffix=st.sampled_from(["Inc.", "LLC", "GmbH", "S.A.", "plc"]))
def test_case_and_suffix_never_stop_a_match(name, suffix):
    plain = " ".join(name)
    assert m.same_organization(plain.upper(), f"{plain}, {suffix}")


@given(name=st.lists(_words, min_size=1, max_size=3), extra=_words)
def test_longer_names_never_match_by_prefix(name, extra):
    plain = " ".join(name)
    assert not m.same_organization(plain, plain + extra)
    assert not m.same_organization(plain, f"{plain} {extra}")
