"""How the report words figures: whole percentages by the configured convention, and the
comparison with an earlier year chosen from the trend marts' change and test."""

import pytest

from orchestration.lib.report.data import Comparison
from orchestration.lib.report.wording import (
    change_in_points,
    check_row,
    compared,
    comparison_fields,
    period_label,
    trend,
)
from orchestration.lib.rounding import whole_percent
from tests.report.builders import COMPARE, TREND, row


@pytest.mark.parametrize(
    ("numerator", "denominator", "truncate", "half_up"),
    [
        (230, 240, 95, 96),  # the 2022 report printed 95.8% as 95
        (209, 240, 87, 87),
        (139, 200, 69, 70),  # 69.5: a half goes up
        (29, 100, 29, 29),  # not 28: 29 / 100 * 100 would be 28.999999999999996
        (0, 7, 0, 0),
        (7, 7, 100, 100),
    ],
)
def test_whole_percent_follows_the_rounding_convention(numerator, denominator, truncate, half_up):
    assert whole_percent(numerator, denominator, "truncate") == truncate
    assert whole_percent(numerator, denominator, "half_up") == half_up


def test_an_unknown_rounding_convention_is_refused():
    with pytest.raises(ValueError, match="round_down"):
        whole_percent(1, 2, "round_down")


def comparison(change: int, significance: str = "not_significant") -> Comparison:
    return Comparison("2021", 80, change, significance)


@pytest.mark.parametrize(
    ("change", "significance", "higher_is", "expected"),
    [
        (4, "not_testable", "better", "an improvement from"),
        (8, "not_significant", "better", "an improvement from"),
        (6, "significant_increase", "better", "a significant improvement from"),
        (-5, "not_significant", "better", "a decline from"),
        (-9, "significant_decrease", "better", "a significant decline from"),
        (11, "significant_increase", "worse", "a significant decline from"),
        (-4, "not_significant", "worse", "an improvement from"),
        (5, "not_significant", "neutral", "an increase from"),
        (-5, "not_testable", "neutral", "a decrease from"),
        (0, "not_significant", "better", "in line with"),
        (1, "not_significant", "better", "in line with"),  # within rounding of whole percents
        (-1, "no_previous_period", "worse", "in line with"),
        (1, "significant_increase", "better", "a significant improvement from"),
    ],
)
def test_the_comparison_word_comes_from_the_change_and_its_test(
    change, significance, higher_is, expected
):
    assert compared(comparison(change, significance), higher_is) == expected


def test_significant_is_said_only_when_the_test_says_so():
    for significance in ("not_significant", "not_testable"):
        assert "significant" not in compared(comparison(8, significance), "better")


@pytest.mark.parametrize(
    ("change", "significance", "higher_is", "expected"),
    [
        # where higher is worse, the figure's movement comes first: a rise reads as one
        (5, "not_significant", "worse", "up from last year's 80% (5 percentage points): a decline"),
        (
            12,
            "significant_increase",
            "worse",
            "up from last year's 80% (12 percentage points): a significant decline",
        ),
        (
            -3,
            "not_significant",
            "worse",
            "down from last year's 80% (3 percentage points): an improvement",
        ),
        (
            4,
            "not_testable",
            "better",
            "up from last year's 80% (4 percentage points): an improvement",
        ),
        (
            -2,
            "not_significant",
            "better",
            "down from last year's 80% (2 percentage points): a decline",
        ),
        (5, "not_significant", "neutral", "up from last year's 80% (5 percentage points)"),
        (
            -7,
            "significant_decrease",
            "neutral",
            "down from last year's 80% (7 percentage points): a significant decrease",
        ),
        (1, "not_significant", "worse", "in line with last year's 80% (up 1 percentage point)"),
        (0, "not_testable", "worse", "in line with last year's 80% (no change)"),
        (
            -2,
            "significant_decrease",
            "worse",
            "down from last year's 80% (2 percentage points): a significant improvement",
        ),
    ],
)
def test_a_trend_says_which_way_the_figure_moved_before_what_it_means(
    change, significance, higher_is, expected
):
    assert trend(comparison(change, significance), higher_is, "last year's 80%") == expected


@pytest.mark.parametrize(
    ("points", "text"),
    [(4, "up 4 percentage points"), (-1, "down 1 percentage point"), (0, "no change")],
)
def test_changes_are_in_percentage_points(points, text):
    assert change_in_points(points) == text


def test_the_previous_year_is_last_year_and_an_older_one_is_named():
    last = comparison_fields(
        "previous", Comparison("2021", 83, 4, "not_testable"), "2022", "better"
    )
    assert last["previous_ref"] == "last year's 83%"
    older = comparison_fields("first", Comparison("2019", 66, 30, "not_testable"), "2022", "better")
    assert older["first_ref"] == "the 66% recorded in 2019"
    assert older["first_period"] == "2019" and older["first_change"] == "up 30 percentage points"


def test_financial_years_are_printed_as_years():
    assert period_label("202223") == "2022-23"
    fields = comparison_fields("previous", Comparison("202122", 50, 2, "x"), "202223", "better")
    assert fields["previous_ref"] == "last year's 50%"


METRICS = {
    "child_feels_life_improved": "better",
    "parents_believe_life_improved": "better",
    "care_plan_not_signed_by_child": "worse",
}


def test_a_well_formed_row_has_no_problems():
    finding = row(
        1,
        "impact",
        "finding",
        "{n} ({pct}%) children felt their life improved in {period}.",
        "child_feels_life_improved",
        comparison=COMPARE,
    )
    assert check_row(finding, METRICS) == []


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{nn} children", "unknown placeholder {nn}"),
        ("{child_feels_life_improve.pct}%", "no metric 'child_feels_life_improve'"),
        ("{child_feels_life_improved.percent}%", "a metric has n, base, pct"),
        ("{ranked[0].n}", "only for ranking rows"),
        ("{n", "not a valid template"),
        ("{previous_pct}% last year", "unknown placeholder {previous_pct}"),
    ],
)
def test_a_bad_placeholder_is_named(template, problem):
    problems = check_row(
        row(1, "impact", "finding", template, "child_feels_life_improved"), METRICS
    )
    assert any(problem in p for p in problems), problems


def test_a_comparison_must_follow_the_figure_it_compares():
    """'123 parents (51%) did not contribute. This is an improvement from last year's 46%':
    the 46% was another measure's."""
    finding = row(
        1,
        "impact",
        "finding",
        "{n} ({pct}%) children; {parents_believe_life_improved.n} parents.",
        "child_feels_life_improved",
        comparison=COMPARE,
    )
    [problem] = check_row(finding, METRICS)
    assert "must follow the figure it compares" in problem
    assert "parents_believe_life_improved" in problem


def test_a_measure_where_higher_is_worse_is_not_compared_with_a_word_that_reads_backwards():
    """'65% were not signed ... a decline from last year's 60%' reads as a fall."""

    def finding(comparison: str):
        return row(
            1,
            "care_plan",
            "finding",
            "{pct}% not signed.",
            "care_plan_not_signed_by_child",
            comparison=comparison,
        )

    [problem] = check_row(finding(COMPARE), METRICS)
    assert "{previous_compared} reads backwards" in problem and "{previous_trend}" in problem
    assert check_row(finding(TREND), METRICS) == []


def test_a_finding_printing_n_and_base_says_how_it_reads_when_they_are_equal():
    finding = row(
        1, "equality", "finding", "In {n} of these {base} cases.", "child_feels_life_improved"
    )
    [problem] = check_row(finding, METRICS)
    assert "text_if_all" in problem and "41 of these 41" in problem
    complete = row(
        1,
        "equality",
        "finding",
        "In {n} of these {base} cases.",
        "child_feels_life_improved",
        text_if_all="In all {base} cases.",
    )
    assert check_row(complete, METRICS) == []


def test_a_ranking_can_only_name_the_metrics_it_ranks():
    ranking = row(1, "equality", "ranking", "{ranked[2].label}", "a|b")
    assert any("ranks 2 metrics" in p for p in check_row(ranking, {"a": "neutral", "b": "neutral"}))
