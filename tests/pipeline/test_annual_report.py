"""The annual report written from the warehouse: on the bundled 2022 sample with truncate
rounding, the Findings of the 2022 Annual Care Plan Audit report come out with the same
numbers, worded from the trend marts (so nothing is called significant that the test does
not find significant); on a team's own landing folder with the default half_up rounding and
every period, each year gets its report, the commentary template is created, and a year with
no earlier data has no comparisons."""

import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.lib.report.data import metric_directions, report_templates
from orchestration.lib.report.wording import SIGNIFICANT, check_row
from orchestration.lib.rounding import whole_percent
from orchestration.paths import SAMPLE_COMMENTARY_DIR, SAMPLE_EXTRACTS_DIR
from tests.support import careaudit_env, refresh_landing, warehouse_rows

pytestmark = pytest.mark.slow

# Headline sentences of the seed report's Findings that the sample reproduces, as the seed
# printed them (where it had typos or named no base, the part that carries the figures).
SEED_FINDINGS = [
    "209 (87%) children feel their life has improved since being cared for by the local authority.",
    "from last year's 83%",
    "173 parents (72%) believed their child's life had improved",
    "In 230 cases (95%) the IRO was satisfied that quality of life has improved for the "
    "child/young person since being looked after.",
    "225 (93%) care plans reflect the child's day to day life, education, health, routine, "
    "family time, culture and identity.",
    "96% of care plans reflected the needs of the child",
    "from last year's 93%",
    "66% recorded in the 2019 audit results",
    "86% of cases",
    "Out of 240 care plans, 156 (65%) were not signed by children",
    "184 care plans",
    "had not been signed by parents, team manager or social worker",
    "In 166 audits",
    "children were seen to participate in their care planning",
    "In 193 audits",
    "it was established that life story work has been completed with the child",
    "117 parents",
    "had their views recorded within the care plan and participated within the process of "
    "care planning",
    "123 parents",
    "PEP meetings were held in 49% of relevant cases",
    "Strength and Difficulties Questionnaire (SDQ) score was evidenced in 57%",
    "Where PEP documents could be seen, it was judged that the key people, including the child",
    "attended the PEP meeting in 93% of cases",
    "65 children became active in participating in outside activities, attendance improved for "
    "58, social skills improved for 61, for 63 children their experience of school was positive",
    "for 61 children their attainment levels had increased",
    "67% did not have",
    "Of the children requiring professional support, 73% had measures in place and were having "
    "their needs met.",
    "63% of health assessments were completed",
    "in line with last year's 62%",
    "69% of cases the health plan was available on ICS",
    "improvement from last year's 53%",
    "in 39 cases the social worker was waiting for",
    "98% of cases health plans were adequate and demonstrated the child's health needs fully",
    "Of the 167, 110 children",
    "had their health improved since becoming looked after",
    "113 children have regular physical activity, 109 children had an attachment to their "
    "primary carer, 109 children had a good bedtime routine and 112 children had a healthy diet.",
    "There was clear reference to equality and diversity in 58 audits",
    "Culture was highest at 27 (21%) followed by Language 24 (19%), Race/Ethnicity at 22 (17%).",
    "IROs were satisfied that equality and diversity needs were being met in 95% of cases audited",
    "from last year's 89%",
    "41 (17%)",
]


def report_text(data_dir: Path, period: str = "2022", suffix: str = ".md") -> str:
    return (data_dir / "publish" / "report" / f"care_plan_audit_{period}{suffix}").read_text(
        encoding="utf-8"
    )


def findings(markdown: str) -> str:
    return markdown.split("\n## Findings: Population", 1)[1].split("\n## Recommendations")[0]


def bullet(markdown: str, starting: str) -> str:
    [line] = [line for line in markdown.splitlines() if line.startswith(f"- {starting}")]
    return line


@pytest.mark.parametrize("sentence", SEED_FINDINGS)
def test_the_2022_findings_read_as_the_seed_report(sample_run, sentence):
    data_dir, _ = sample_run
    assert sentence in findings(report_text(data_dir))


def section(markdown: str, heading: str) -> str:
    return markdown.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_key_messages_come_first_with_the_scope_and_the_significant_changes(sample_run):
    data_dir, _ = sample_run
    text = report_text(data_dir)
    assert (
        text.index("## Key messages") < text.index("## What changed") < text.index("## Background")
    )
    key = section(text, "Key messages")
    assert key.startswith(
        "\nThe Independent Reviewing Service audited 240 Child Looked After Reviews held "
        "during August 2022, recorded on the 2022 version of the audit form."
    )
    significant = section(text, "Key messages").split("### Significant changes")[1]
    significant = significant.split("###")[0]
    assert [line for line in significant.splitlines() if line.startswith("- ")] == [
        "- Declined significantly: care plan signed by none of parents, social worker or team "
        "manager, 76% (up from 65% in 2021).",
        "- Improved significantly: health plan available on ICS, 69% (up from 53% in 2021).",
        "- Improved significantly: IRO satisfied that equality and diversity needs are met, 95% "
        "(up from 89% in 2021).",
    ]
    assert "### The team's recommendations" in key
    assert "7. IROs to demonstrate within CLA minutes" in key  # the team's own Markdown


def test_the_what_changed_table_lists_every_finding_with_a_previous_year_in_the_marts_words(
    sample_run,
):
    """Every 2022 finding whose measure has a previous figure, with this year, the previous
    year, the change, the direction and the significance exactly as fct_metric_trends has
    them."""
    data_dir, _ = sample_run
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        findings = {row.metric_ids[0] for row in report_templates(con) if row.kind == "finding"}
        marts = con.execute(
            "select metrics.description, trends.metric_id, trends.reported_percent, "
            "trends.previous_reported_percent, trends.previous_period, "
            "trends.reported_change_points, trends.change_significance, "
            "trends.not_testable_reason, metrics.higher_is "
            "from marts.fct_metric_trends as trends "
            "inner join marts.dim_metrics as metrics using (metric_id) "
            "where trends.time_period = '2022' and trends.previous_reported_percent is not null"
        ).fetchall()
    expected = {row[0]: row[2:] for row in marts if row[1] in findings}
    assert len(expected) >= 25
    changed = section(report_text(data_dir), "What changed since last year")
    table = changed[changed.index("| Measure |") :].split("\n\n")[0]  # not the trend's
    rows = {
        cells[0]: cells[1:]
        for line in table.splitlines()[2:]
        for cells in [[cell.strip() for cell in line.strip("|").split("|")]]
    }
    described = {key.replace("\\", ""): value for key, value in rows.items()}
    assert set(described) == {d[:1].upper() + d[1:] for d in expected}
    for description, (
        now,
        then,
        period,
        change,
        significance,
        reason,
        higher_is,
    ) in expected.items():
        cells = described[description[:1].upper() + description[1:]]
        words = significance.replace("_", " ") + (f": {reason.replace('_', ' ')}" if reason else "")
        assert cells[0] == f"{now}%"
        assert cells[1] == f"{then}% ({period})"
        assert cells[2] == (f"+{change}" if change > 0 else f"\u2212{-change}" if change else "0")
        assert cells[4] == words, description
        rise, fall = {
            "better": ("improved", "declined"),
            "worse": ("declined", "improved"),
            "neutral": ("increased", "decreased"),
        }[higher_is]
        in_line = abs(change) <= 1 and significance not in SIGNIFICANT
        assert cells[3] == ("in line" if in_line else rise if change > 0 else fall), description


def test_the_parents_improvement_is_not_called_significant_because_the_test_says_it_is_not(
    sample_run,
):
    data_dir, _ = sample_run
    significance = warehouse_rows(
        data_dir,
        "select change_significance from reporting.rpt_metric_trends "
        "where metric_id = 'parents_believe_life_improved' and time_period = '2022'",
    )
    assert significance == [("not_significant",)]  # z = 1.82: the seed report said significant
    parents = bullet(report_text(data_dir), "173 parents (72%)")
    assert "significant" not in parents
    assert "This is an improvement from last year's 64% (up 8 percentage points)." in parents


def test_significant_is_printed_exactly_where_the_trend_mart_finds_a_significant_change(
    sample_run,
):
    data_dir, _ = sample_run
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        compared = {row.metric_ids[0] for row in report_templates(con) if row.comparison}
        significant = {
            metric_id
            for metric_id, significance in con.execute(
                "select metric_id, change_significance from reporting.rpt_metric_trends "
                "where time_period = '2022'"
            ).fetchall()
            if significance in SIGNIFICANT
        }
    expected = compared & significant
    assert expected  # on the sample: health plans on ICS, E&D needs met, plans not signed
    said = findings(report_text(data_dir)).count("significant")
    assert said == len(expected)
    assert "This is a significant improvement from last year's 53%" in report_text(data_dir)


def test_a_measure_new_on_the_2022_form_says_so_instead_of_a_comparison(sample_run):
    data_dir, _ = sample_run
    contingency = bullet(report_text(data_dir), "148 (61%) care plans had a contingency plan")
    assert contingency.endswith(
        "should Plan A prove unachievable. This was not recorded before 2022."
    )


def test_a_measure_no_form_of_the_year_could_record_has_no_sentence_chart_or_trend(sample_run):
    """Nobody could answer "declined" on the 2022 form: no "0 parents (0%)", and the health
    plan's reasons (new in 2022) draw no trend from a 2021 that could not record them."""
    data_dir, _ = sample_run
    text = report_text(data_dir)
    bullets = [line for line in findings(text).splitlines() if line.startswith("- ")]
    for never in ("declined", "were not asked", "midpoint", "minutes showed"):
        assert not [line for line in bullets if never in line]
    figures = [line for line in text.splitlines() if line.startswith("**Figure ")]
    assert not [line for line in figures if "Of plans not on ICS" in line]
    assert "| 0% |" not in text
    awaiting = bullet(text, "Of the 73 plans which were not available")
    assert awaiting.endswith("This was not recorded before 2022.")


# "This is ..." and "It is ..." sentences: every wording the report can give a comparison.
COMPARISON = re.compile(
    r"(?:This|It) is (?:"
    r"(?P<significant>a significant )?(?:an? )?(?P<word>improvement|decline|increase|decrease)"
    r" from (?P<ref>last year's|the) (?P<then>\d+)%[^(]*\((?P<way>up|down) (?P<points>\d+) "
    r"percentage points?\)"
    r"|in line with (?:last year's|the) (?P<then_inline>\d+)%[^(]*\((?P<inline_change>[^)]*)\)"
    r"|(?P<move>up|down) from (?:last year's|the) (?P<then_move>\d+)%[^(]*\((?P<move_points>\d+)"
    r" percentage points?\)(?:: (?P<move_significant>a significant )?(?:an? )?"
    r"(?P<move_word>improvement|decline|increase|decrease))?"
    r")\."
)
WORDS = {"better": ("improvement", "decline"), "worse": ("decline", "improvement")}
WORDS["neutral"] = ("increase", "decrease")


def test_every_comparison_sentence_reads_the_way_the_trend_mart_moved(sample_run):
    """Each comparison in the 2022 report is attached to its own figure (the percent just
    before it is the measure's, and last year's percent is that measure's), states the change
    the trend mart has, calls it in line only within a point, significant only where the
    test says so, and an improvement or decline by the measure's direction (a rise of a
    measure where higher is worse is a decline, worded movement first)."""
    data_dir, _ = sample_run
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        compared = {
            metric for row in report_templates(con) if row.comparison for metric in row.metric_ids
        }
        marts = {
            metric: rest
            for metric, *rest in con.execute(
                "select trends.metric_id, trends.reported_percent, "
                "trends.previous_reported_percent, trends.reported_change_points, "
                "trends.change_significance, metrics.higher_is "
                "from marts.fct_metric_trends as trends "
                "inner join marts.dim_metrics as metrics using (metric_id) "
                "where trends.time_period = '2022' and trends.previous_period = '2021'"
            ).fetchall()
        }
    expected = {m: marts[m] for m in compared if m in marts}
    seen: dict[str, str] = {}
    for line in findings(report_text(data_dir)).splitlines():
        for match in COMPARISON.finditer(line):
            if "recorded in" in match.group(0):
                continue  # the first year on record: checked by its own test
            before = line[: match.start()]
            figures = re.findall(r"(\d+)%", before)
            now = int(figures[-1]) if figures else 100 * bool(re.search(r"\ball \d+", before))
            then = int(
                match.group("then") or match.group("then_inline") or match.group("then_move")
            )
            [metric] = [m for m, (pct, prev, *_) in expected.items() if (pct, prev) == (now, then)]
            *_, change, significance, higher_is = expected[metric]
            assert metric not in seen, (metric, line)
            seen[metric] = line
            significant = significance in SIGNIFICANT
            if match.group("inline_change") is not None:
                assert abs(change) <= 1 and not significant, line
                continue
            assert abs(change) > 1 or significant, line
            rise, fall = WORDS[higher_is]
            if match.group("word"):
                assert higher_is != "worse", f"reads backwards: {line}"
                way, points = match.group("way"), int(match.group("points"))
                word, said_significant = match.group("word"), bool(match.group("significant"))
            else:
                way, points = match.group("move"), int(match.group("move_points"))
                word = match.group("move_word") or ""
                said_significant = bool(match.group("move_significant"))
                if higher_is == "neutral" and not said_significant:
                    assert not word, line
                    word = rise if change > 0 else fall
            assert (way == "up") == (change > 0) and points == abs(change), line
            assert word == (rise if change > 0 else fall), line
            assert said_significant == significant, line
    assert set(seen) == set(expected)
    assert len(seen) >= 20


def test_no_sentence_says_n_of_these_n(sample_run):
    data_dir, _ = sample_run
    for line in findings(report_text(data_dir)).splitlines():
        for n, base in re.findall(r"(\d+) of (?:these |the )?(\d+)", line):
            assert n != base, line
    assert "In all 41 of these cases, the care plan captured" in report_text(data_dir)


def test_the_reports_rounding_agrees_with_the_marts(sample_run):
    """Shares the marts do not round (age bands) are rounded in Python: the same convention
    must give the same whole percent as the dbt macro for every figure of the sample."""
    data_dir, _ = sample_run
    rows = warehouse_rows(
        data_dir,
        "select numerator, denominator, reported_percent from reporting.rpt_metric_trends "
        "where value_source = 'computed' and denominator > 0",
    )
    assert len(rows) > 50
    assert [whole_percent(n, d, "truncate") for n, d, _ in rows] == [r for _, _, r in rows]


def test_the_shipped_sentences_are_valid_templates(sample_run):
    data_dir, _ = sample_run
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        templates = report_templates(con)
        directions = metric_directions(con)
    assert {row.kind for row in templates} >= {"finding", "section", "commentary", "trend_charts"}
    assert [
        (row.sort_order, check_row(row, directions))
        for row in templates
        if check_row(row, directions)
    ] == []


def test_the_age_of_the_child_is_charted_with_its_table(sample_run):
    data_dir, _ = sample_run
    text = report_text(data_dir)
    assert "**Figure 2. What is the age of the child?**" in text  # after the trend
    for band in ("| Under 1 | 18 | 7% |", "| 10-15 | 90 | 37% |", "| Total | 240 |  |"):
        assert band in text


def test_the_sample_report_carries_the_example_commentary_and_recommendations(sample_run):
    data_dir, _ = sample_run
    copied = data_dir / "report_commentary" / "care_plan_audit_2022.md"
    assert copied.read_bytes() == (SAMPLE_COMMENTARY_DIR / copied.name).read_bytes()
    recommendations = report_text(data_dir).split("\n## Recommendations\n")[1]
    assert recommendations.lstrip().startswith(
        "1. Social workers to continue to take steps to ensure that children"
    )
    assert "7. IROs to demonstrate within CLA minutes" in recommendations
    for suffix in (".md", ".html"):  # the file's instructions to its writers stay there
        assert "example commentary of the bundled synthetic sample" not in report_text(
            data_dir, suffix=suffix
        )


def test_the_dagster_ui_shows_a_preview_and_links_to_the_report(sample_run):
    data_dir, result = sample_run
    assert f"published {data_dir / 'publish' / 'report' / 'care_plan_audit_2022.html'}" in (
        result.stdout
    )
    with dg.DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["publish", "annual_report"]))
    assert event is not None
    metadata = {k: v.value for k, v in event.asset_materialization.metadata.items()}
    html = data_dir / "publish" / "report" / "care_plan_audit_2022.html"
    assert metadata["report_html"] == str(html)
    assert metadata["open_report"] == html.as_uri()
    assert "209 (87%) children feel their life has improved" in metadata["preview"]
    assert "## Key messages" in metadata["preview"]
    assert "## About these figures" not in metadata["preview"]
    assert re.search(
        r"!\[Bar chart: audits by age band, 2022: [^]]+\]\(data:image/png;base64,",
        metadata["chart"],
    )


# --- A team's own landing folder, default rounding, every period --------------------------

KEY = "annual-report-test-key"


@pytest.fixture(scope="module")
def own_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The sample's exports as a team's own landing folder (so no example commentary), with
    every setting at its default but CAREAUDIT_REPORT_PERIODS=all and a commentary folder."""
    root = tmp_path_factory.mktemp("own_report")
    landing, data_dir, commentary = root / "landing", root / "data", root / "commentary"
    shutil.copytree(SAMPLE_EXTRACTS_DIR, landing)
    env = careaudit_env(
        CAREAUDIT_PSEUDONYMISATION_KEY=KEY,
        CAREAUDIT_REPORT_PERIODS="all",
        CAREAUDIT_REPORT_COMMENTARY_DIR=str(commentary),
    )
    result = refresh_landing(landing, data_dir, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return data_dir, commentary, result.stdout


def test_half_up_is_the_default_rounding(own_run):
    data_dir, _, output = own_run
    assert (
        "  percentages: whole percentages rounded half up (95.5% as 96%); to print the 2022 "
        "report's own figures, which it rounded down (230 of 240 as 95%), set "
        "CAREAUDIT_PERCENT_ROUNDING=truncate" in output
    )
    text = report_text(data_dir)
    assert "In 230 cases (96%) the IRO was satisfied" in text  # 95.8%: the seed printed 95%
    assert "from last year's 83%" in text
    assert "rounded to the nearest whole number" in text


def test_every_period_gets_its_report_when_asked(own_run):
    data_dir, _, output = own_run
    for period in ("2021", "2022"):
        for suffix in (".md", ".html"):
            assert (
                f"published {data_dir / 'publish' / 'report' / f'care_plan_audit_{period}{suffix}'}"
                in output
            )


def test_a_missing_commentary_becomes_a_template_and_the_report_says_what_is_missing(own_run):
    data_dir, commentary, output = own_run
    template = commentary / "care_plan_audit_2022.md"
    assert f"commentary for 2022 to write: {template}" in output
    text = template.read_text()
    for heading in ("## Background", "## Findings: Impact on child's life", "## Recommendations"):
        assert f"\n{heading}\n" in text
    report = report_text(data_dir)
    assert "_No recommendations have been written for 2022 yet._" in report
    assert "Social workers to continue" not in report  # the pipeline never invents them


def test_a_year_with_no_previous_data_has_no_comparison_sentences(own_run):
    data_dir, _, _ = own_run
    text = report_text(data_dir, "2021")
    child = bullet(text, "166 (83%) children feel their life has improved")
    assert child.endswith("since being cared for by the local authority.")
    for never in ("None", "nan", "last year", "significant"):
        assert never not in findings(text)
    # The only earlier figure on record for 2021 is the care plans' needs in 2019 (published).
    assert findings(text).count("percentage point") == 1
    assert (
        "93% of care plans reflected the needs of the child. This is an improvement from the 66% "
        "recorded in 2019 (up 27 percentage points)." in text
    )
