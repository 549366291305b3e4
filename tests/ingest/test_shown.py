"""A cell is shown in a finding as it is only when it cannot be anything a person wrote about a
child; anything else is shown by its shape."""

from datetime import datetime

import pytest

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest.shown import header, quoted, shape, shown


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("Zebedee Quarrington", "text of 2 words, 19 characters: letters and spaces"),
        ("7734512", "text of 1 word, 7 characters: digits"),
        (
            "z.quarrington@council.example",
            "text of 1 word, 29 characters: letters and the symbols . @",
        ),
        ("ICS 0001", "text of 2 words, 8 characters: letters, digits and spaces"),
        (
            "Zoë \u2013 7",
            "text of 3 words, 7 characters: letters, digits, spaces and 1 other character",
        ),
        ("!\"#$%&'()*", "text of 1 word, 10 characters: the symbols ! \" # $ % & ' ( and 2 more"),
    ],
)
def test_a_shape_says_how_long_a_text_is_and_what_it_is_made_of(text: str, described: str):
    assert shape(text) == described


@pytest.mark.parametrize(
    "cell",
    [
        "Not known",  # an answer label
        "don't KNOW",  # an answer alias, in any case
        "Date of CLA review",  # a header
        "Is the child an Unaccompanied Asylum Seeking Child (UASC)?",
        "Basingstoke & Deane",  # a district's alias in the reference data
        "E07000089",  # a district's code
        "unknown",  # a placeholder word
        "N/A",
        "31/02/2022",  # date-shaped, even when no such date exists
        "15/08/22",
        "2022-08-15 10:32:00",
    ],
)
def test_the_catalogues_text_placeholders_and_dates_are_shown_as_they_are(
    catalogue: FormCatalogue, cell: str
) -> None:
    assert shown(cell, catalogue.known_texts) == cell
    assert quoted(cell, catalogue.known_texts) == f'"{cell}"'


@pytest.mark.parametrize(
    "cell",
    [
        "Zebedee Quarrington",
        "Zebedee",
        "7734512",  # a case number is digits only: no rule shows a number as it is
        "ICS0001",
        "z.quarrington@council.example",
        "Hart Zebedee",  # a district label with more typed after it
        "15/08/2022 Zebedee",
    ],
)
def test_anything_else_is_shown_by_its_shape(catalogue: FormCatalogue, cell: str) -> None:
    assert shown(cell, catalogue.known_texts) == shape(cell)
    assert quoted(cell, catalogue.known_texts) == f"a value ({shape(cell)})"


def test_blank_cells_show_nothing_and_excel_dates_show_as_dates(catalogue) -> None:
    assert shown(None, catalogue.known_texts) is None
    assert shown("   ", catalogue.known_texts) is None
    assert shown(datetime(2022, 8, 15, 10, 32), catalogue.known_texts) == "2022-08-15 10:32:00"


def test_a_header_is_named_by_its_column_unless_it_is_the_catalogues(catalogue) -> None:
    known = catalogue.known_texts
    assert header(7, "Date of CLA review", known) == '"Date of CLA review"'
    assert header(42, "Zebedee Quarrington", known) == (
        "column AQ (text of 2 words, 19 characters: letters and spaces)"
    )
