"""Header mapping by meaning: synonyms, case, spacing, line breaks, punctuation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellled_xl.headers import ACTIONS_COLUMNS, FINDINGS_COLUMNS, SYNONYMS, field_for, map_headers


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Ref:", "ref"),
        ("No.", "ref"),
        ("Planned\naction", "action"),
        ("  PLANNED   ACTION ", "action"),
        ("Owner", "lead"),
        ("Exec Lead", "lead"),
        ("Status", "rag"),
        ("RAG Status", "rag"),
        ("BRAG", "rag"),
        ("Target date", "original_due"),
        ("Due Date", "original_due"),
        ("Timescale", "timescale"),
        ("New date", "revised_due"),
        ("Revised target date", "revised_due"),
        ("Update", "progress"),
        ("Progress update", "progress"),
        ("Status update", "progress"),
        ("CQC finding", "finding"),
        ("Must do", "finding"),
        ("Success measure", "success_measure"),
        ("Lead (initials)", "lead"),
        ("Last updated", "last_updated"),
        ("Notes to self", None),
        ("", None),
        (None, None),
    ],
)
def test_field_for_maps_synonyms(header: object, field: str | None) -> None:
    assert field_for(header) == field


def test_controlled_headers_map_to_their_own_fields() -> None:
    for header, field in ACTIONS_COLUMNS + FINDINGS_COLUMNS:
        assert field_for(header) == field, header


def test_every_synonym_is_owned_by_one_field() -> None:
    owners: dict[str, str] = {}
    for field, names in SYNONYMS.items():
        for name in names:
            assert name not in owners, f"{name!r} means both {owners[name]} and {field}"
            owners[name] = field


synonym = st.sampled_from([(name, f) for f, names in SYNONYMS.items() for name in names])


@settings(max_examples=300, deadline=None)
@given(
    synonym,
    st.sampled_from([str.upper, str.lower, str.title, lambda s: s]),
    st.sampled_from([" ", "\n", "  ", "\t", " \n "]),
    st.sampled_from(["", ":", ".", " ", "?"]),
)
def test_synonyms_survive_case_spacing_and_punctuation(pair, case, space, trail) -> None:
    name, field = pair
    header = case(name).replace(" ", space) + trail
    assert field_for(header) == field


def test_map_headers_records_duplicates_and_unknowns() -> None:
    mapped = map_headers(["Ref", "Action", "Lead", "Owner", "Notes", "RAG"])
    assert mapped.columns == {"ref": 0, "action": 1, "lead": 2, "rag": 5}
    assert mapped.duplicates == {"lead": [3]}
    assert mapped.unknown == {4: "Notes"}
    assert mapped.looks_like_tracker()
    assert mapped.part == "A"


def test_part_b_is_recognised_by_its_finding_column() -> None:
    mapped = map_headers(["No.", "CQC finding", "Planned action", "Progress", "Lead", "RAG"])
    assert mapped.part == "B"
    assert mapped.looks_like_tracker()


def test_a_register_is_not_a_tracker() -> None:
    assert not map_headers(["Initials", "Name", "Role", "Email"]).looks_like_tracker()
    assert not map_headers(["Code", "Meaning", "Colour", "Complete"]).looks_like_tracker()
