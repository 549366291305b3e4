"""A file's form version is recognised from its headers alone."""

import pytest

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest.recognise import recognise_form
from orchestration.lib.ingest.refusal import RefusedFileError
from tests.exports import headers_of


def without(headers: list[str], *dropped: str) -> list[str]:
    return [h for h in headers if h not in dropped]


@pytest.mark.parametrize("version", ["2021", "2022", "2023"])
def test_each_form_version_is_recognised_from_its_own_headers(
    catalogue: FormCatalogue, version: str
) -> None:
    match = recognise_form(headers_of(version), catalogue, "a.csv")

    assert match.form_version == version
    assert match.missing == []
    assert match.unknown_headers == []
    assert [q.question_id for q in match.columns.values()] == [
        q.question_id for q in catalogue.questions_on(version)
    ]


def test_a_2022_file_is_not_taken_for_2023_although_2023_has_every_2022_header(
    catalogue: FormCatalogue,
) -> None:
    assert set(headers_of("2022")) < set(headers_of("2023"))
    assert recognise_form(headers_of("2022"), catalogue, "a.csv").form_version == "2022"


def test_a_2023_file_is_not_taken_for_2022(catalogue: FormCatalogue) -> None:
    match = recognise_form(headers_of("2023"), catalogue, "a.csv")

    assert match.form_version == "2023"
    assert match.unknown_headers == []  # midpoint_check etc. are questions, not extras


def test_a_2021_file_is_recognised_by_its_own_wording(catalogue: FormCatalogue) -> None:
    headers = headers_of("2021")
    assert "ICS ID" in headers and "Date of review" in headers

    match = recognise_form(headers, catalogue, "a.csv")

    assert match.form_version == "2021"
    assert {q.question_id for q in match.columns.values()} >= {"child_id", "review_date"}


def test_headers_match_whatever_their_case_spacing_and_quotes(catalogue: FormCatalogue) -> None:
    def retyped(header: str) -> str:
        punctuated = header.removesuffix("?") if header.endswith("?") else header + ":"
        return "\u00a0" + punctuated.upper().replace("'", "\u2019").replace(" ", "  ") + " "

    headers = [retyped(h) for h in headers_of("2022")]
    assert "\u00a0CHILD\u2019S  ICS  NUMBER: " in headers
    assert "\u00a0WAS  A  PEP  MEETING  HELD " in headers

    match = recognise_form(headers, catalogue, "a.csv")

    assert match.form_version == "2022"
    assert match.missing == []
    assert match.unknown_headers == []


def test_an_unknown_extra_column_is_reported_and_mapped_to_no_question(
    catalogue: FormCatalogue,
) -> None:
    headers = [*headers_of("2022"), "Notes from the team"]

    match = recognise_form(headers, catalogue, "a.csv")

    assert match.form_version == "2022"
    assert match.unknown_headers == ["Notes from the team"]
    assert len(headers) - 1 not in match.columns
    assert len(match.columns) == len(headers) - 1


def test_an_optional_column_may_be_missing_and_is_reported(catalogue: FormCatalogue) -> None:
    header = catalogue.question("cp_contingency").header_for("2022")

    match = recognise_form(without(headers_of("2022"), header), catalogue, "a.csv")

    assert match.form_version == "2022"
    assert [q.question_id for q in match.missing] == ["cp_contingency"]
    assert match.missing_required == []


@pytest.mark.parametrize(
    ("headers", "kind", "reason"),
    [
        pytest.param(
            without(headers_of("2022"), "Date of CLA review"),
            "missing_required_column",
            'lacks the required column "Date of CLA review" (closest form version: 2022 form, '
            "41 of its 42 headers found)",
            id="a missing required header, naming the closest version and the header",
        ),
        pytest.param(
            [*without(headers_of("2021"), "ICS ID"), "Child ref"],
            "missing_required_column",
            'lacks the required column "ICS ID" (closest form version: 2021 form, 39 of its 40 '
            "headers found); unrecognised headers: column AN (text of 2 words, 9 characters: "
            "letters and spaces)",
            id="the missing header named as the closest version words it",
        ),
        pytest.param(
            [*headers_of("2022"), " DISTRICT "],
            "repeated_column",
            'has the column "District" 2 times (columns I, AQ), so which holds the answers '
            "cannot be told: delete the extra column",
            id="a repeated question column, even when written differently",
        ),
    ],
)
def test_headers_that_cannot_be_mapped_to_the_questions_are_refused_saying_why(
    catalogue: FormCatalogue, headers: list[str], kind: str, reason: str
) -> None:
    with pytest.raises(RefusedFileError) as refused:
        recognise_form(headers, catalogue, "a.csv")

    assert (refused.value.kind, refused.value.reason) == (kind, reason)


def test_repeated_unknown_columns_are_each_reported_and_ignored(
    catalogue: FormCatalogue,
) -> None:
    headers = [*headers_of("2022"), "Notes", "notes "]

    match = recognise_form(headers, catalogue, "a.csv")

    assert match.form_version == "2022"
    assert match.unknown == {42: "Notes", 43: "notes "}


def test_blank_header_cells_are_neither_repeated_nor_unknown(catalogue: FormCatalogue) -> None:
    headers = [*headers_of("2022"), "", "  "]

    match = recognise_form(headers, catalogue, "a.csv")

    assert match.form_version == "2022"
    assert match.unknown_headers == []
