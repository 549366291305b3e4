"""The report's structure from its data: a sentence is printed only when its figures exist,
a comparison only when there is an earlier year, questions only above findings, the team's
commentary where the outline puts it, a figure (chart + table) for every chart row, key
messages from the significant and the largest changes, and one table of what changed."""

import pytest

from orchestration.lib.report.commentary import Commentary
from orchestration.lib.report.data import BreakdownRow, Comparison
from orchestration.lib.report.document import (
    Bullets,
    ChangeTable,
    Figure,
    FigureGrid,
    GroupedBars,
    Paragraph,
    Question,
    TeamCommentary,
    TrendChart,
    build_report,
)
from orchestration.lib.report.markdown import render_markdown
from tests.report.builders import (
    COMPARE,
    NO_COMMENTARY,
    PRODUCED_ON,
    TREND,
    change,
    not_available,
    one_row_section,
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
    row(110, "what_changed", "section", "What changed since last year"),
    row(115, "what_changed", "change_table", "Each measure of {period} against its previous."),
    row(120, "what_changed", "trend_charts", "Measures with three or more years."),
]

THIS_YEAR = [value(CHILD, "2023", 209, 240), value(PARENTS, "2023", 173, 240)]


def test_a_year_without_previous_data_prints_no_comparison():
    report = build_report(report_data(OUTLINE, THIS_YEAR), NO_COMMENTARY, "truncate", PRODUCED_ON)
    text = render_markdown(report)
    assert "- 209 (87%) children feel their life has improved.\n" in text
    assert "- 173 parents (72%) believed their child's life had improved.\n" in text
    for never in ("last year", "None", "nan", "recorded in", "percentage point", "%%"):
        assert never not in text
    assert "What changed" not in text  # nothing to compare, no trends: no such section


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


def test_the_section_chart_draws_the_measures_its_findings_quote_without_their_numbers_again():
    """The sentences print 87% and 72%: the chart shows the bars, its table (the text
    alternative) the numbers."""
    report = build_report(report_data(OUTLINE, THIS_YEAR), NO_COMMENTARY, "truncate", PRODUCED_ON)
    [figure] = report.figures
    assert figure.title == "Impact, 2023"
    assert isinstance(figure.chart, GroupedBars)
    [group] = figure.chart.groups
    assert group.heading == "Out of 240 audits"
    assert [(bar.percent, bar.value_label) for bar in group.bars] == [(87, ""), (72, "")]
    assert figure.table.rows == (
        ("Child feels life improved", "209", "240", "87%", "", "better"),
        ("Parents believe life improved", "173", "240", "72%", "", "better"),
    )
    assert "87% of 240 audits" in figure.alt and "72% of 240 audits" in figure.alt


def test_a_section_chart_compares_like_with_like_and_marks_last_year_and_worse_measures():
    """Measures of another base are a group of their own; a measure where higher is worse
    is drawn (and described) apart; last year's figure is marked on each bar that has one;
    the figures are printed on the bars when no sentence prints them."""
    outline = one_row_section(
        "care_plan", "Findings: The Care Plan", "metrics_chart", "The Care Plan, {period}", "a|b|c"
    )
    values = [
        value("a", "2023", 180, 240),
        value("b", "2023", 156, 240),
        value("c", "2023", 58, 79),
    ]
    data = report_data(
        outline,
        values,
        previous={"a": Comparison("2022", 70, 5, "not_significant")},
        directions={"b": "worse"},
    )
    [figure] = build_report(data, NO_COMMENTARY, "truncate", PRODUCED_ON).figures
    first, second = figure.chart.groups
    assert (first.heading, second.heading) == ("Out of 240 audits", "Out of 79 audits")
    a, b = first.bars
    assert (a.higher_is, a.previous, a.value_label) == ("better", 70, "75%")
    assert (b.higher_is, b.previous, b.value_label) == ("worse", None, "65%")
    assert figure.chart.previous_label == "2022"
    assert "B 65% of 240 audits, lower is better" in figure.alt
    assert "A 75% of 240 audits (2022: 70%)" in figure.alt


def test_a_trend_is_drawn_only_for_a_measure_with_three_years_or_more():
    values = [
        *THIS_YEAR,
        value(CHILD, "2022", 166, 200),
        value(CHILD, "2019", None, None, reported_percent=66, value_source="published"),
        value(PARENTS, "2022", 128, 200),
    ]
    report = build_report(report_data(OUTLINE, values), NO_COMMENTARY, "truncate", PRODUCED_ON)
    [changed] = [s for s in report.sections if s.key == "what_changed"]
    [grid] = [b for b in changed.blocks if isinstance(b, FigureGrid)]
    [figure] = grid.figures  # the parents have two years: the table says it all
    assert figure.chart == TrendChart(("2019", "2022", "2023"), (66, 83, 87), (True, False, False))
    assert figure.table.rows[0] == ("2019", "66%", "", "", "published report")
    assert "2019 66% (published)" in figure.alt


def test_an_age_breakdown_gives_each_bands_share_rounded_as_configured():
    outline = one_row_section(
        "population",
        "Findings: Population",
        "breakdown_chart",
        "What is the age of the child?",
        "audits_completed",
        breakdown_topic="age_band",
    )
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
    [impact, recommendations] = report.sections
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
    row(40, "what_changed", "section", "What changed since last year"),
    row(50, "what_changed", "trend_charts", "Three years or more."),
]


def test_a_measure_the_years_form_could_not_record_has_no_sentence_and_no_chart_point():
    """Before the 2023 form nobody could answer "declined": not 0%, nothing."""
    values = [not_available(DECLINED, "2022"), not_available(DECLINED, "2021")]
    data = report_data(NEW_OUTLINE, values, period="2022", directions={DECLINED: "neutral"})
    text = render_markdown(build_report(data, NO_COMMENTARY, "truncate", PRODUCED_ON))
    assert "declined" not in text
    assert "0%" not in text
    assert "What changed" not in text  # no year has a figure: no trend


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
    outline = one_row_section(
        "care_plan",
        "Findings: The Care Plan",
        "finding",
        "Out of {base} care plans, {n} ({pct}%) were not signed by children.",
        "care_plan_not_signed_by_child",
        comparison=TREND,
        text_if_all="None of the {base} care plans were signed by children.",
    )
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
    outline = one_row_section(
        "equality",
        "Findings: Equality",
        "finding",
        "In {n} of these {base} cases ({pct}%), the status was captured.",
        "uasc_immigration_status_captured",
        text_if_all="In all {base} of these cases, the status was captured.",
    )
    for numerator, expected in (
        (41, "- In all 41 of these cases, the status was captured.\n"),
        (25, "- In 25 of these 41 cases (60%), the status was captured.\n"),
    ):
        values = [value("uasc_immigration_status_captured", "2023", numerator, 41)]
        report = build_report(report_data(outline, values), NO_COMMENTARY, "truncate", PRODUCED_ON)
        assert expected in render_markdown(report)


# --- Key messages and what changed ---------------------------------------------------------

KEY_OUTLINE = [
    row(1, "cover", "title", "Annual Care Plan Audit {period}"),
    row(5, "key_messages", "section", "Key messages"),
    row(6, "key_messages", "text", "{audits} audits during {audit_months}, {form_versions}."),
    row(7, "key_messages", "commentary"),
    row(8, "key_messages", "significant_changes", "Significant changes"),
    row(9, "key_messages", "largest_changes", "The largest other changes"),
    row(10, "key_messages", "recommendations_summary", "The team's recommendations"),
    row(20, "what_changed", "section", "What changed since last year"),
    row(25, "what_changed", "change_table", "Each measure of {period} against its previous."),
    *OUTLINE[2:-3],
]
CHANGES = (
    change("health_plan_on_ics", 69, 53, "significant_increase", 1),
    change("not_signed", 76, 65, "significant_increase", 2, higher_is="worse"),
    change(
        "status_captured", 100, 78, "not_testable", 3, not_testable_reason="fewer_than_5_in_a_cell"
    ),
    change(PARENTS, 72, 64, "not_significant", 4),
    change("sdq", 57, 50, "not_significant", 5),
    change("pep_key_people", 93, 88, "not_significant", 6),
    change("review_in_timescale", 94, 94, "not_significant", 7),
)


def key_report(commentary: Commentary = NO_COMMENTARY):
    values = [*THIS_YEAR, *(value(c.metric_id, "2023", c.reported_percent, 100) for c in CHANGES)]
    data = report_data(KEY_OUTLINE, values, changes=CHANGES, directions={"not_signed": "worse"})
    return build_report(data, commentary, "truncate", PRODUCED_ON)


def test_key_messages_open_with_the_scope_then_the_significant_and_the_largest_changes():
    report = key_report()
    key = report.sections[0]
    assert key.heading == "Key messages"
    assert key.blocks[0] == Paragraph("100 audits during April to September 2023, 2023 version.")
    headings = [b.text for b in key.blocks if isinstance(b, Question)]
    assert headings == ["Significant changes", "The largest other changes"]
    significant, largest = [b.items for b in key.blocks if isinstance(b, Bullets)]
    assert significant == (
        "Improved significantly: health plan on ics, 69% (up from 53% in 2022).",
        "Declined significantly: not signed, 76% (up from 65% in 2022).",
    )
    assert largest == (  # beyond the in-line band, by size: at most three
        "Improved, not tested (fewer than 5 in a cell): status captured, 100% (up from 78% in "
        "2022).",
        "Improved: parents believe life improved, 72% (up from 64% in 2022).",
        "Improved: sdq, 57% (up from 50% in 2022).",
    )


def test_key_messages_carry_the_teams_summary_and_recommendations_in_their_words():
    commentary = Commentary(
        path=NO_COMMENTARY.path,
        sections={"key_messages": "A year of progress.", "recommendations": "1. Do this."},
    )
    key = key_report(commentary).sections[0]
    assert key.blocks[1] == TeamCommentary("A year of progress.")
    assert key.blocks[-2:] == [
        Question("The team's recommendations"),
        TeamCommentary("1. Do this."),
    ]


def test_what_changed_is_one_table_in_the_trend_marts_words():
    [changed] = [s for s in key_report().sections if s.key == "what_changed"]
    [table] = [b for b in changed.blocks if isinstance(b, ChangeTable)]
    assert table.intro == "Each measure of 2023 against its previous."
    assert table.table.header == (
        "Measure",
        "2023",
        "Previous",
        "Change",
        "Direction",
        "Significance",
    )
    rows = {r[0]: r[1:] for r in table.table.rows}
    assert rows["Health plan on ics"] == (
        "69%",
        "53% (2022)",
        "+16",
        "improved",
        "significant increase",
    )
    assert rows["Not signed"] == ("76%", "65% (2022)", "+11", "declined", "significant increase")
    assert rows["Status captured"][-1] == "not testable: fewer than 5 in a cell"
    assert rows["Review in timescale"][2:4] == ("0", "in line")
    markdown = render_markdown(key_report())
    assert "| Not signed | 76% | 65% (2022) | +11 | declined | significant increase |" in markdown
