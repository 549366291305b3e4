"""Cells become typed values: dates read day first, answer labels become catalogue codes."""

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest.answers import resolve_column
from orchestration.lib.ingest.values import AnswerResolver, Resolution, parse_datetimes

# ---- dates ----


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("15/08/2022", datetime(2022, 8, 15)),
        ("15/08/2022 10:32", datetime(2022, 8, 15, 10, 32)),
        ("15/08/2022 10:32:05", datetime(2022, 8, 15, 10, 32, 5)),
        ("5/8/2022", datetime(2022, 8, 5)),
        ("2022-08-15", datetime(2022, 8, 15)),
        ("2022-08-15T10:32:00", datetime(2022, 8, 15, 10, 32)),
        ("2022-08-15T10:32", datetime(2022, 8, 15, 10, 32)),
        ("2022-08-15 10:32:00", datetime(2022, 8, 15, 10, 32)),
        ("2022-08-15 10:32", datetime(2022, 8, 15, 10, 32)),
        (" 15/08/2022 ", datetime(2022, 8, 15)),
        ("29/02/2024", datetime(2024, 2, 29)),
        (datetime(2022, 8, 15, 10, 32), datetime(2022, 8, 15, 10, 32)),  # a real Excel date
    ],
)
def test_accepted_date_forms(cell: object, value: datetime) -> None:
    parsed, invalid = parse_datetimes(np.array([cell], dtype=object))

    assert parsed.tolist() == [pd.Timestamp(value)]
    assert invalid.tolist() == [False]


def test_an_ambiguous_date_is_read_day_first() -> None:
    parsed, invalid = parse_datetimes(np.array(["05/08/2022", "05/08/2022 09:00"], dtype=object))

    assert parsed.tolist() == [pd.Timestamp(2022, 8, 5), pd.Timestamp(2022, 8, 5, 9, 0)]
    assert invalid.tolist() == [False, False]


@pytest.mark.parametrize(
    "cell",
    [
        "31/02/2023",  # impossible, never rolled over into March
        "29/02/2023",  # not a leap year
        "08/15/2022",  # month first: there is no month 15
        "15/08/2022 25:00",
        "15/08/22",
        "15-08-2022",
        "15 August 2022",
        "yesterday",
        "44788",  # an Excel serial number as text
    ],
)
def test_impossible_or_unrecognised_dates_are_invalid(cell: str) -> None:
    parsed, invalid = parse_datetimes(np.array([cell], dtype=object))

    assert np.isnat(parsed).tolist() == [True]
    assert invalid.tolist() == [True]


def test_blank_dates_are_missing_not_invalid() -> None:
    parsed, invalid = parse_datetimes(np.array([None, "", "   "], dtype=object))

    assert np.isnat(parsed).tolist() == [True, True, True]
    assert invalid.tolist() == [False, False, False]


# ---- answers ----


@pytest.fixture
def resolve(catalogue: FormCatalogue):
    def resolve_answer(question_id: str, version: str, cell: object) -> Resolution:
        return AnswerResolver(catalogue, catalogue.question(question_id), version).resolve(cell)

    return resolve_answer


def answered(*codes: str) -> Resolution:
    return Resolution(codes, "answered")


def unrecognised(problem: str, shown: str) -> Resolution:
    """No answer: the problem recorded, with the cell as it may be shown."""
    return Resolution((), "unrecognised", problem, shown)


@pytest.mark.parametrize(
    ("question_id", "cell", "code"),
    [
        ("child_life_improved", "Yes", "yes"),
        ("child_life_improved", "y", "yes"),
        ("child_life_improved", " YES. ", "yes"),
        ("child_life_improved", "true", "yes"),
        ("child_life_improved", "1", "yes"),
        ("child_life_improved", "n", "no"),
        ("child_life_improved", "0", "no"),
        ("child_life_improved", "N/A", "not_applicable"),
        ("child_life_improved", "n.a.", "not_applicable"),
        ("child_life_improved", "don't know", "not_known"),
        ("child_life_improved", "Don\u2019t know", "not_known"),
        ("child_life_improved", "Unknown", "not_known"),
        ("age_band", "16 and over", "16_plus"),
        ("age_band", "16+", "16_plus"),
        ("age_band", "1 to 4", "1_to_4"),
        ("age_band", "Under 1", "under_1"),
        ("cp_signed_by", "Parents", "parent"),
        ("cp_signed_by", "Parent(s)", "parent"),
        ("pep_key_people_attended", "PEP document not seen", "pep_not_seen"),
        ("health_plan_on_ics", "No - other reason", "no_other"),
    ],
)
def test_labels_and_aliases_resolve_to_codes(resolve, question_id, cell, code) -> None:
    assert resolve(question_id, "2022", cell) == answered(code)


@pytest.mark.parametrize("cell", [None, "", "   ", float("nan"), pd.NA])
def test_a_blank_answer_is_blank(resolve, cell: object) -> None:
    assert resolve("uasc", "2022", cell) == Resolution((), "blank")


def test_parents_views_options_follow_the_form_version(resolve) -> None:
    assert resolve("parents_views_recorded", "2022", "No") == answered("no")
    assert resolve("parents_views_recorded", "2023", "No - parents declined") == answered(
        "no_declined"
    )
    assert resolve("parents_views_recorded", "2023", "n/a") == answered("not_applicable")


def test_plain_no_is_not_offered_for_parents_views_on_the_2023_form(resolve) -> None:
    assert resolve("parents_views_recorded", "2023", "No") == unrecognised(
        '"No" is not an answer the 2023 form offers (it offers "Yes", '
        '"No - parents were not asked", "No - parents declined", "Not applicable"); '
        "the answer is treated as missing",
        "No",  # the catalogue's own text: shown as it is
    )


def test_2023_options_are_not_offered_for_parents_views_on_the_2022_form(resolve) -> None:
    assert resolve("parents_views_recorded", "2022", "No - parents declined") == unrecognised(
        '"No - parents declined" is not an answer the 2022 form offers (it offers "Yes", "No"); '
        "the answer is treated as missing",
        "No - parents declined",
    )
    # A common alias is only accepted for an option the question offers on that form.
    assert resolve("parents_views_recorded", "2022", "N/A").status == "unrecognised"
    assert resolve("uasc", "2022", "don't know").status == "unrecognised"


def test_plain_no_for_the_health_plan_is_2021_only(resolve) -> None:
    assert resolve("health_plan_on_ics", "2021", "No") == answered("no")
    assert resolve("health_plan_on_ics", "2022", "No").status == "unrecognised"


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("Child", ("child",)),
        ("Child;Parents;", ("child", "parent")),
        (" Child ;  Social worker ; Team manager; ", ("child", "social_worker", "team_manager")),
        ("Team manager;Child", ("team_manager", "child")),
        ("Child;child;CHILD;", ("child",)),
        ("Parents;Parent(s)", ("parent",)),
        ("No one has signed;", ("none",)),
    ],
)
def test_multi_select_labels_split_on_semicolons(resolve, cell: str, codes) -> None:
    assert resolve("cp_signed_by", "2022", cell) == answered(*codes)


def test_multi_select_aliases_collapse_to_one_code(resolve) -> None:
    assert resolve("ed_aspects", "2022", "Race / Ethnicity;Race;Culture") == answered(
        "race_ethnicity", "culture"
    )


@pytest.mark.parametrize("cell", [";", " ; ;", ";;"])
def test_a_multi_select_of_only_separators_is_blank(resolve, cell: str) -> None:
    assert resolve("cp_signed_by", "2022", cell) == Resolution((), "blank")


def test_an_exclusive_option_combined_with_others_is_unrecognised(resolve) -> None:
    assert resolve("cp_signed_by", "2022", "Child;No one has signed;") == unrecognised(
        '"Child;No one has signed;" combines "No one has signed" with other options; '
        "the answer is treated as missing",
        "Child;No one has signed;",
    )


def test_one_unknown_label_makes_the_whole_multi_select_unrecognised(resolve) -> None:
    assert resolve("ed_aspects", "2022", "Culture;Football;") == unrecognised(
        "selection 2 of 2 (text of 1 word, 8 characters: letters) is not an answer the 2022 "
        'form offers (it offers "Culture", "Language", "Race/Ethnicity", "Religion", '
        '"Disability", "Gender", "Sexuality"); the answer is treated as missing',
        "Culture; [text of 1 word, 8 characters: letters]",
    )


def test_an_unrecognised_answer_is_named_by_its_shape_unless_it_is_the_catalogues_text(
    resolve,
) -> None:
    name = resolve("uasc", "2022", "Zebedee Quarrington")
    assert name.shown == "text of 2 words, 19 characters: letters and spaces"
    assert name.problem.startswith(
        "a value (text of 2 words, 19 characters: letters and spaces) is not an answer"
    )
    case_number = resolve("cp_signed_by", "2022", "Child;88412907;")
    assert case_number.shown == "Child; [text of 1 word, 8 characters: digits]"
    assert "88412907" not in case_number.problem
    other_question = resolve("ed_aspects", "2022", "Culture;Partly")
    assert other_question.shown == "Culture; Partly"
    assert other_question.problem.startswith('"Partly" (selection 2 of 2) is not an answer')


def test_a_column_resolves_to_one_row_per_selected_code(catalogue: FormCatalogue) -> None:
    resolver = AnswerResolver(catalogue, catalogue.question("cp_signed_by"), "2022")
    cells = np.array(["Child;Parents;", None, "Nobody", "; ;", "Child", "Nobody"], dtype=object)

    batch, unrecognised = resolve_column(resolver, cells, np.arange(2, 8))

    rows = batch.to_pylist()
    assert [(r["source_row"], r["answer_code"], r["answer_status"]) for r in rows] == [
        (2, "child", "answered"),
        (2, "parent", "answered"),
        (3, None, "blank"),
        (4, None, "unrecognised"),
        (5, None, "blank"),
        (6, "child", "answered"),
        (7, None, "unrecognised"),
    ]
    assert {r["question_id"] for r in rows} == {"cp_signed_by"}
    assert "answer_text" not in batch.schema.names  # codes only: a cell may hold a name
    assert unrecognised.positions.tolist() == [2, 5]
    assert unrecognised.shown.tolist() == ["text of 1 word, 6 characters: letters"] * 2
    assert unrecognised.problems[0].startswith(
        "a value (text of 1 word, 6 characters: letters) is not an answer the 2022 form offers"
    )
