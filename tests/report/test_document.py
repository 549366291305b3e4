"""The report's structure from its data: a sentence is printed only when its figures exist,
a comparison only when there is an earlier year, questions only above findings, the team's
commentary where the outline puts it, and a figure (chart + table) for every chart row."""

import pytest

from orchestration.report.commentary import Commentary
from orchestration.report.data import BreakdownRow, Comparison
from orchestration.report.document import (
    BarChart,
    Bullets,
    Figure,
    FigureGrid,
    Question,
    TeamCommentary,
    TrendChart,
    build_report,
)
from orchestration.report.markdown import render_markdown
from tests.report.builders import (
    COMPARE,
    NO_COMMENTARY,
    PRODUCED_ON,
    TREND,
    not_available,
    report_data,
    row,
    value,
)

CHILD = "child_feels_life_improved"
PARENTS = "parents_believe_life_improved"

OUTLINE = [
    row(1, "cover", "title", "Annual Care Plan Audit {period}"),
    row(2, "cover", "subtitle", "{la_name} Independent Reviewing Service"),
    row(10, "impact", "section", "Findings: Impact on child's life"),
    row(20, "impact", "question", "Does the child feel that their life has improved?"),
    row(
        30,
        "impact",
        "finding",
        "{n} ({pct}%) children feel their life has improved.",
        CHILD,
        comparison=COMPARE,
        first_comparison="It is {first_compared} the {first_pct}% recorded in {first_period}.",
    ),
    row(
        40,
        "impact",
        "finding",
        "{n} parents ({pct}%) believed their child's life had improved.",
        PARENTS,
        comparison=COMPARE,
    ),
    row(50, "impact", "question", "Is this on the 2025 form only?"),
    row(60, "impact", "finding", "{pct}% of something new.", "not_this_year"),
    row(70, "impact", "metrics_chart", "Impact, {period}"),
    row(80, "impact", "commentary"),
    row(90, "recommendations", "section", "Recommendations"),
    row(
        100,
        "recommendations",
        "commentary",
        "No recommendations have been written for {period} yet.",
    ),
    row(110, "trends", "section", "Appendix: trends"),
    row(120, "trends", "trend_charts", "Every year on record."),
]

THIS_YEAR = [value(CHILD, "2023", 209, 240), value(PARENTS, "2023", 173, 240)]


def test_a_year_without_previous_data_prints_no_comparison():
    report = build_report(report_data(OUTLINE, THIS_YEAR), NO_COMMENTARY, "truncate", PRODUCED_ON)
    text = render_markdown(report)
    assert "- 209 (87%) children feel their life has improved.\n" in text
    assert "- 173 parents (72%) believed their child's life had improved.\n" in text
    for never in ("last year", "None", "nan", "recorded in", "percentage point", "%%"):
        assert never not in text
    assert "Appendix: trends" not in text  # no metric has two years: no trend charts


def test_a_comparison_says_significant_only_when_the_trend_mart_does():
    values = [*THIS_YEAR, value(CHILD, "2022", 166, 200), value(PARENTS, "2022", 128, 200)]
    previous = {
        CHILD: Comparison("2022", 83, 4, "not_testable"),
        PARENTS: Comparison("2022", 64, 8, "not_significant"),
    }
    report = build_report(
        report_data(OUTLINE, values, previous), NO_COMMENTARY, "truncate", PRODUCED_ON
    )
    text = render_markdown(report)
    assert (
        "209 (87%) children feel their life has improved. This is an improvement from last "
        "year's 83% (up 4 percentage points)." in text
    )
    assert (
        "173 parents (72%) believed their child's life had improved. This is an improvement "
        "from last year's 64% (up 8 percentage points)." in text
    )
    assert "significant" not in text.split("## Findings")[1].split("## Recommendations")[0]

    previous[PARENTS] = Comparison("2022", 64, 8, "significant_increase")
    report = build_report(
        report_data(OUTLINE, values, previous), NO_COMMENTARY, "truncate", PRODUCED_ON
    )
    assert "This is a significant improvement from last year's 64%" in render_markdown(report)


def test_the_first_year_on_record_is_compared_too_when_the_outline_asks():
    values = [*THIS_YEAR, value(CHILD, "2022", 166, 200), value(CHILD, "2019", None, None)]
    report = build_report(
        report_data(
            OUTLINE,
            values,
            previous={CHILD: Comparison("2022", 83, 4, "not_testable")},
            first={CHILD: Comparison("2019", 66, 21, "not_testable")},
        ),
        NO_COMMENTARY,
        "truncate",
        PRODUCED_ON,
    )
    assert "It is an improvement from the 66% recorded in 2019." in render_markdown(report)


def test_a_question_whose_findings_are_not_this_years_is_left_out():
    report = build_report(report_data(OUTLINE, THIS_YEAR), NO_COMMENTARY, "truncate", PRODUCED_ON)
    [impact] = [s for s in report.sections if s.key == "impact"]
    questions = [b.text for b in impact.blocks if isinstance(b, Question)]
    assert questions == ["Does the child feel that their life has improved?"]
    [findings] = [b for b in impact.blocks if isinstance(b, Bullets)]
    assert len(findings.items) == 2  # one list, and nothing about the metric not measured


def test_the_section_chart_shows_the_metrics_its_findings_quote_with_their_numbers():
    report = build_report(report_data(OUTLINE, THIS_YEAR), NO_COMMENTARY, "truncate", PRODUCED_ON)
    [figure] = report.figures
    assert figure.title == "Impact, 2023"
    assert isinstance(figure.chart, BarChart)
    assert figure.chart.percents == (87, 72)
    assert figure.table.rows == (
        ("Child feels life improved", "209", "240", "87%"),
        ("Parents believe life improved", "173", "240", "72%"),
    )
    assert "87%" in figure.alt and "72%" in figure.alt


def test_every_metric_with_more_than_one_year_gets_a_trend_figure():
    values = [
        *THIS_YEAR,
        value(CHILD, "2022", 166, 200),
        value(CHILD, "2019", None, None, reported_percent=66, value_source="published"),
    ]
    report = build_report(report_data(OUTLINE, values), NO_COMMENTARY, "truncate", PRODUCED_ON)
    [trends] = [s for s in report.sections if s.key == "trends"]
    [grid] = [b for b in trends.blocks if isinstance(b, FigureGrid)]
    [figure] = grid.figures  # parents have one year only
    assert figure.chart == TrendChart(("2019", "2022", "2023"), (66, 83, 87), (True, False, False))
    assert figure.table.rows[0] == ("2019", "66%", "", "", "published report")
    assert "2019 66% (published)" in figure.alt


def test_an_age_breakdown_gives_each_bands_share_rounded_as_configured():
    outline = [
        row(10, "population", "section", "Findings: Population"),
        row(
            20,
            "population",
            "breakdown_chart",
            "What is the age of the child?",
            "audits_completed",
            breakdown_topic="age_band",
        ),
    ]
    bands = [BreakdownRow("Under 1", 1, None), BreakdownRow("1-4", 2, None)]
    data = report_data(
        outline,
        [value("audits_completed", "2023", 3, None)],
        breakdowns={("audits_completed", "age_band"): bands},
    )
    for rounding, shares in (("truncate", (33, 66)), ("half_up", (33, 67))):
        [figure] = build_report(data, NO_COMMENTARY, rounding, PRODUCED_ON).figures
        assert figure.chart.percents == shares
        assert figure.table.rows[-1] == ("Total", "3", "")


def test_commentary_goes_where_the_outline_puts_it_and_a_missing_one_says_so():
    commentary = Commentary(
        path=NO_COMMENTARY.path, authors="A. Writer", sections={"impact": "A strong year."}
    )
    report = build_report(report_data(OUTLINE, THIS_YEAR), commentary, "truncate", PRODUCED_ON)
    [impact, recommendations] = [s for s in report.sections if s.key != "trends"]
    assert isinstance(impact.blocks[-1], TeamCommentary)
    assert impact.blocks[-1].markdown == "A strong year."
    assert isinstance(impact.blocks[-2], Figure)  # after the figures
    assert recommendations.blocks == [
        TeamCommentary("", "No recommendations have been written for 2023 yet.")
    ]
    assert report.authors == "A. Writer"


def test_a_template_naming_an_unknown_placeholder_stops_the_report_with_its_row():
    outline = [*OUTLINE[:3], row(25, "impact", "finding", "{nn} children", CHILD)]
    with pytest.raises(ValueError, match=r"sort_order 25 .*unknown placeholder \{nn\}"):
        build_report(report_data(outline, THIS_YEAR), NO_COMMENTARY, "truncate", PRODUCED_ON)


# --- Measures a form could not record, and how a figure's sentence reads ------------------

DECLINED = "parents_declined"
NEW_OUTLINE = [
    row(10, "participation", "section", "Findings: Evidence of participation"),
    row(
        20,
        "participation",
        "finding",
        "{n} parents ({pct}%) declined to give their views.",
        DECLINED,
        comparison=TREND,
        not_recorded_before="This was not recorded before {recorded_since}.",
    ),
    row(30, "participation", "metrics_chart", "Participation, {period}"),
    row(40, "trends", "section", "Appendix: trends"),
    row(50, "trends", "trend_charts", "Every year on record."),
]


def test_a_measure_the_years_form_could_not_record_has_no_sentence_and_no_chart_point():
    """Before the 2023 form nobody could answer "declined": not 0%, nothing."""
    values = [not_available(DECLINED, "2022"), not_available(DECLINED, "2021")]
    data = report_data(NEW_OUTLINE, values, period="2022", directions={DECLINED: "neutral"})
    text = render_markdown(build_report(data, NO_COMMENTARY, "truncate", PRODUCED_ON))
    assert "declined" not in text
    assert "0%" not in text
    assert "Appendix" not in text  # no year has a figure: no trend


def test_a_measure_new_on_the_form_says_since_when_it_is_recorded_and_draws_no_false_trend():
    values = [
        value(DECLINED, "2023", 12, 240),
        not_available(DECLINED, "2022"),
        not_available(DECLINED, "2021"),
    ]
    data = report_data(NEW_OUTLINE, values, directions={DECLINED: "neutral"})
    report = build_report(data, NO_COMMENTARY, "truncate", PRODUCED_ON)
    text = render_markdown(report)
    assert (
        "- 12 parents (5%) declined to give their views. This was not recorded before 2023.\n"
        in text
    )
    assert [f.title for f in report.figures] == ["Participation, 2023"]  # one year: no trend


def test_a_rise_of_a_measure_where_higher_is_worse_reads_as_a_decline_after_the_rise():
    outline = [
        row(10, "care_plan", "section", "Findings: The Care Plan"),
        row(
            20,
            "care_plan",
            "finding",
            "Out of {base} care plans, {n} ({pct}%) were not signed by children.",
            "care_plan_not_signed_by_child",
            comparison=TREND,
            text_if_all="None of the {base} care plans were signed by children.",
        ),
    ]
    values = [value("care_plan_not_signed_by_child", "2023", 156, 240)]
    data = report_data(
        outline,
        values,
        previous={"care_plan_not_signed_by_child": Comparison("2022", 60, 5, "not_significant")},
        directions={"care_plan_not_signed_by_child": "worse"},
    )
    text = render_markdown(build_report(data, NO_COMMENTARY, "truncate", PRODUCED_ON))
    assert (
        "- Out of 240 care plans, 156 (65%) were not signed by children. This is up from "
        "last year's 60% (5 percentage points): a decline.\n" in text
    )


def test_every_audit_of_the_base_counted_reads_as_all_not_n_of_n():
    outline = [
        row(10, "equality", "section", "Findings: Equality"),
        row(
            20,
            "equality",
            "finding",
            "In {n} of these {base} cases ({pct}%), the status was captured.",
            "uasc_immigration_status_captured",
            text_if_all="In all {base} of these cases, the status was captured.",
        ),
    ]
    for numerator, expected in (
        (41, "- In all 41 of these cases, the status was captured.\n"),
        (25, "- In 25 of these 41 cases (60%), the status was captured.\n"),
    ):
        values = [value("uasc_immigration_status_captured", "2023", numerator, 41)]
        report = build_report(report_data(outline, values), NO_COMMENTARY, "truncate", PRODUCED_ON)
        assert expected in render_markdown(report)
