"""One export becomes submissions, answers and findings; nothing is dropped silently and no
personal data gets past ingest except as a keyed pseudonym."""

from pathlib import Path

import pandas as pd
import pytest

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest.extract import ParsedExtract, parse_extract
from orchestration.lib.ingest.pseudonymise import Pseudonymiser
from orchestration.lib.ingest.refusal import RefusedFileError
from orchestration.lib.ingest.run import file_sha256
from tests.exports import audit, excel_typed_audit, write_export

from .conftest import TEST_KEY

PSEUDONYMISER = Pseudonymiser(TEST_KEY)
HAMPSHIRE = "E10000014"
UASC = "Is the child an Unaccompanied Asylum Seeking Child (UASC)?"


@pytest.fixture
def parse(catalogue: FormCatalogue):
    def parse_file(path: Path) -> ParsedExtract:
        data = path.read_bytes()
        return parse_extract(
            data,
            path.name,
            path.suffix,
            file_sha256(data),
            catalogue,
            PSEUDONYMISER,
            la_code=HAMPSHIRE,
        )

    return parse_file


def findings(extract: ParsedExtract) -> list[tuple]:
    """(row, question, offending value, severity) of each finding; blanks as None."""
    return [
        tuple(None if pd.isna(v) else v for v in row)
        for row in extract.findings[
            ["source_row", "question_id", "offending_value", "severity"]
        ].itertuples(index=False)
    ]


def answers(extract: ParsedExtract) -> pd.DataFrame:
    return extract.answers.to_pandas()


def every_text(extract: ParsedExtract) -> str:
    """Every cell and column name the extract would store, as one string to search."""
    frames = (extract.submissions, answers(extract), extract.findings)
    return "\n".join(
        "\n".join(map(str, [*frame.columns, *frame.to_numpy().ravel()])) for frame in frames
    )


def answer_codes(extract: ParsedExtract, source_row: int, question_id: str) -> list[object]:
    rows = answers(extract)
    chosen = rows[(rows["source_row"] == source_row) & (rows["question_id"] == question_id)]
    return [None if pd.isna(c) else c for c in chosen["answer_code"]]


# ---- rows that cannot be identified are rejected, with a reason ----

REJECTS = [
    audit(child_id="ICS0001", uasc="Yes"),  # row 2: loaded
    audit(child_id=""),  # row 3
    audit(child_id="ICS0003", review_date=""),  # row 4
    audit(child_id="ICS0004", review_date="31/02/2022"),  # row 5
    audit(child_id="ICS0005", completed_at=""),  # row 6
    audit(child_id="ICS0006", completed_at="soon"),  # row 7
    audit(child_id="ICS0007", started_at="not a time"),  # row 8: loaded, with a warning
]


def test_rows_without_child_review_date_or_completion_time_are_rejected(
    tmp_path: Path, parse
) -> None:
    extract = parse(write_export(tmp_path / "a.csv", REJECTS))

    assert (extract.rows_read, extract.rows_loaded, extract.rows_rejected) == (7, 2, 5)
    assert extract.submissions["source_row"].tolist() == [2, 8]
    assert sorted(f for f in findings(extract) if f[3] == "rejected_row") == [
        (3, "child_id", None, "rejected_row"),
        (4, "review_date", None, "rejected_row"),
        (5, "review_date", "31/02/2022", "rejected_row"),
        (6, "completed_at", None, "rejected_row"),
        (7, "completed_at", "text of 1 word, 4 characters: letters", "rejected_row"),
    ]


def test_a_rejection_says_why(tmp_path: Path, parse) -> None:
    extract = parse(write_export(tmp_path / "a.csv", REJECTS))
    reasons = dict(zip(extract.findings["source_row"], extract.findings["reason"], strict=True))

    assert reasons[3] == (
        '"Child\'s ICS number" is blank: the audit cannot be identified without it; '
        "the row is rejected"
    )
    assert reasons[5] == (
        '"Date of CLA review" is not a date in a recognised form (day first, e.g. 15/08/2022, '
        "or ISO); an impossible date is never guessed; the row is rejected"
    )
    assert reasons[7] == (
        '"Completion time" is not a date and time in a recognised form (day first, e.g. '
        "15/08/2022 10:32, or ISO); an impossible date is never guessed; the row is rejected"
    )


def test_an_invalid_optional_date_is_a_warning_and_the_row_loads(tmp_path: Path, parse) -> None:
    extract = parse(write_export(tmp_path / "a.csv", REJECTS))

    assert (
        8,
        "started_at",
        "text of 3 words, 10 characters: letters and spaces",
        "warning",
    ) in findings(extract)
    row = extract.submissions.set_index("source_row").loc[8]
    assert pd.isna(row["started_at"])
    assert row["child_id"] == PSEUDONYMISER.pseudonym("ICS0007")


def test_rejected_rows_have_no_answers(tmp_path: Path, parse, catalogue) -> None:
    extract = parse(write_export(tmp_path / "a.csv", REJECTS))
    choice_questions = [q for q in catalogue.questions_on("2022") if q.is_choice]

    assert sorted(set(answers(extract)["source_row"])) == [2, 8]
    per_row = answers(extract).drop_duplicates(["source_row", "question_id"])
    assert len(per_row) == 2 * len(choice_questions)


def test_loaded_rows_carry_typed_values_and_answer_codes(tmp_path: Path, parse) -> None:
    path = write_export(
        tmp_path / "a.csv",
        [
            audit(
                response_id="41",
                started_at="2022-08-16T10:02:00",
                completed_at="16/08/2022 10:32",
                review_date="05/08/2022 09:30",
                district="hart ",
                uasc="Yes",
                cp_signed_by="Child; Parents;",
                age_band="16 and over",
            )
        ],
    )

    extract = parse(path)

    assert extract.form_version == "2022"
    assert (extract.file_format, extract.encoding, extract.header_row) == ("csv", "utf-8", 1)
    row = extract.submissions.iloc[0]
    assert row["response_id"] == PSEUDONYMISER.pseudonym("41")
    assert row["started_at"] == pd.Timestamp(2022, 8, 16, 10, 2)
    assert row["completed_at"] == pd.Timestamp(2022, 8, 16, 10, 32)
    assert row["review_date"] == pd.Timestamp(2022, 8, 5)  # a date: day first, time dropped
    assert row["district"] == "E07000089"  # Hart's code in the reference data
    assert answer_codes(extract, 2, "uasc") == ["yes"]
    assert answer_codes(extract, 2, "cp_signed_by") == ["child", "parent"]
    assert answer_codes(extract, 2, "age_band") == ["16_plus"]
    assert answer_codes(extract, 2, "life_story_work") == [None]
    assert extract.findings.empty


# ---- unrecognised answers ----


def test_each_unrecognised_answer_is_one_missing_answer_finding(tmp_path: Path, parse) -> None:
    path = write_export(
        tmp_path / "a.csv",
        [
            audit(child_id="ICS0001", uasc="maybe"),
            audit(child_id="ICS0002", ed_aspects="Football;Cricket;", uasc="No"),
            audit(child_id="ICS0003", cp_signed_by="Child;No one has signed"),
        ],
    )

    extract = parse(path)

    assert extract.rows_loaded == 3
    assert sorted(findings(extract)) == [
        (2, "uasc", "text of 1 word, 5 characters: letters", "missing_answer"),
        (
            3,
            "ed_aspects",
            "[text of 1 word, 8 characters: letters]; [text of 1 word, 7 characters: letters]",
            "missing_answer",
        ),
        (4, "cp_signed_by", "Child;No one has signed", "missing_answer"),
    ]
    uasc = extract.findings[extract.findings["question_id"] == "uasc"].iloc[0]
    assert uasc["column_header"] == UASC
    assert uasc["reason"] == (
        "a value (text of 1 word, 5 characters: letters) is not an answer the 2022 form offers "
        '(it offers "Yes", "No"); the answer is treated as missing'
    )
    unrecognised = answers(extract)[answers(extract)["answer_status"] == "unrecognised"]
    assert sorted(zip(unrecognised["source_row"], unrecognised["question_id"], strict=True)) == [
        (2, "uasc"),
        (3, "ed_aspects"),
        (4, "cp_signed_by"),
    ]
    assert unrecognised["answer_code"].isna().all()


def test_an_option_of_another_form_version_is_unrecognised(tmp_path: Path, parse) -> None:
    path = write_export(tmp_path / "a.csv", [audit(parents_views_recorded="No")], version="2023")

    extract = parse(path)

    assert extract.form_version == "2023"
    assert findings(extract) == [(2, "parents_views_recorded", "No", "missing_answer")]
    assert '(it offers "Yes", "No - parents were not asked"' in extract.findings["reason"][0]


# ---- columns ----


def test_an_unknown_column_is_reported_once_and_its_cells_are_ignored(
    tmp_path: Path, parse
) -> None:
    path = write_export(
        tmp_path / "a.csv",
        [audit(child_id="ICS0001"), audit(child_id="ICS0002")],
        extra={"Notes for the team": "ring the foster carer"},
    )

    extract = parse(path)

    assert findings(extract) == [(1, None, None, "warning")]
    assert extract.findings["column_header"][0] == (
        "text of 4 words, 18 characters: letters and spaces"
    )
    assert extract.findings["reason"][0] == (
        "column AQ matches no question of the 2022 form; it is ignored"
    )
    assert "ring the foster carer" not in every_text(extract)


def test_a_missing_optional_column_is_reported_and_its_answers_are_blank(
    tmp_path: Path, parse
) -> None:
    path = write_export(tmp_path / "a.csv", [audit()], omit=["cp_contingency"])

    extract = parse(path)

    assert extract.form_version == "2022"
    assert findings(extract) == [(1, "cp_contingency", None, "warning")]
    assert extract.findings["reason"][0] == (
        "column is missing from this 2022-form file; its answers are treated as missing"
    )
    contingency = answers(extract)[answers(extract)["question_id"] == "cp_contingency"]
    assert contingency[["source_row", "answer_status"]].to_dict("records") == [
        {"source_row": 2, "answer_status": "blank"}
    ]


def test_a_file_whose_headers_match_no_form_is_unreadable(tmp_path: Path, parse) -> None:
    path = write_export(tmp_path / "a.csv", [audit(review_date="")], omit=["review_date"])

    with pytest.raises(RefusedFileError) as error:
        parse(path)

    assert error.value.kind == "missing_required_column"
    assert str(error.value) == (
        'a.csv: lacks the required column "Date of CLA review" (closest form version: '
        "2022 form, 41 of its 42 headers found)"
    )


def test_a_header_only_file_is_unreadable(tmp_path: Path, parse) -> None:
    with pytest.raises(RefusedFileError) as error:
        parse(write_export(tmp_path / "a.csv", []))

    assert str(error.value) == "a.csv: has a header row (row 1, 2022 form) but no audit rows"


# ---- personal data ----

PERSONAL = [
    audit(
        child_id="ICS0001",
        child_name="Alice Example",
        iro_name="Irene Officer",
        iro_email="irene.officer@council.example",
        uasc="Yes",
    ),
    audit(child_id="", child_name="Bella Example", iro_name="Irene Officer"),  # rejected
    audit(
        child_id="ICS0003",
        child_name="Cara Example",
        review_date="31/02/2022",  # rejected
        iro_email="owen.other@council.example",
    ),
    audit(child_id="ICS0004", child_name="Dan Example", uasc="perhaps"),  # a finding
]
NAMES = ["Alice Example", "Bella Example", "Cara Example", "Dan Example", "Irene Officer"]
IDENTIFIERS = ["ICS0001", "ICS0003", "ICS0004", "irene.officer", "owen.other", "council.example"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_names_are_never_stored(tmp_path: Path, parse, suffix: str) -> None:
    extract = parse(write_export(tmp_path / f"a{suffix}", PERSONAL))
    stored = every_text(extract)

    assert extract.rows_loaded == 2
    assert "iro_name" not in extract.submissions.columns
    assert "child_name" not in extract.submissions.columns
    assert set(extract.answers["question_id"]).isdisjoint({"iro_name", "child_name"})
    for name in NAMES:
        assert name not in stored


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_identifiers_are_stored_only_as_pseudonyms(tmp_path: Path, parse, suffix: str) -> None:
    extract = parse(write_export(tmp_path / f"a{suffix}", PERSONAL))
    stored = every_text(extract).casefold()

    assert extract.submissions["child_id"].tolist() == [
        PSEUDONYMISER.pseudonym("ICS0001"),
        PSEUDONYMISER.pseudonym("ICS0004"),
    ]
    assert extract.submissions["iro_email"][0] == PSEUDONYMISER.pseudonym(
        "irene.officer@council.example"
    )
    assert pd.isna(extract.submissions["iro_email"][1])
    assert len(extract.findings) == 3  # blank child, impossible date, unrecognised answer
    for identifier in IDENTIFIERS:
        assert identifier.casefold() not in stored


def test_a_numeric_ics_number_in_xlsx_gets_the_same_pseudonym_as_in_csv(
    tmp_path: Path, parse
) -> None:
    xlsx = parse(write_export(tmp_path / "a.xlsx", [excel_typed_audit()]))
    csv = parse(write_export(tmp_path / "a.csv", [audit(child_id="1234567")]))

    assert xlsx.submissions["child_id"].tolist() == csv.submissions["child_id"].tolist()
    assert xlsx.submissions["child_id"][0] == PSEUDONYMISER.pseudonym("1234567")
    columns = ["child_id", "review_date", "completed_at"]
    assert xlsx.submissions[columns].equals(csv.submissions[columns])
