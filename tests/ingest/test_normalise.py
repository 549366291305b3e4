"""One normalisation decides when two headers or two answer labels mean the same thing."""

import pytest

from orchestration.lib.ingest.normalise import normalise


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("District", "district"),
        ("DISTRICT", "district"),
        ("  District  ", "district"),
        ("\tDistrict\n", "district"),
        ("Date of  CLA\treview", "date of cla review"),
        ("Date\u00a0of\u00a0CLA review", "date of cla review"),
        ("\u00a0Date of CLA review\u00a0", "date of cla review"),
        ("Was a PEP meeting held?", "was a pep meeting held"),
        ("Was a PEP meeting held ?", "was a pep meeting held"),
        ("Was a PEP meeting held?!.", "was a pep meeting held"),
        ("Was a PEP meeting held:", "was a pep meeting held"),
        ("Child\u2019s ICS number", "child's ics number"),
        ("Child\u2018s ICS number", "child's ics number"),
        ("\u201cQuoted\u201d label", '"quoted" label'),
        ("Don\u2019t know", "don't know"),
    ],
)
def test_variants_people_and_excel_produce_share_one_key(written: str, key: str) -> None:
    assert normalise(written) == key


def test_only_trailing_punctuation_is_ignored() -> None:
    assert normalise("If yes, are measures in place?") == "if yes, are measures in place"
    assert normalise("n/a") == "n/a"
    assert normalise("n.a.") == "n.a"
    assert normalise("16+") == "16+"
    assert normalise("1-4") == "1-4"
    assert normalise("Race/Ethnicity") == "race/ethnicity"


def test_blank_and_missing_normalise_to_empty() -> None:
    assert normalise(None) == ""
    assert normalise("") == ""
    assert normalise("  \u00a0 ") == ""
    assert normalise("?") == ""


def test_non_text_cells_are_compared_as_text() -> None:
    assert normalise(1) == "1"
