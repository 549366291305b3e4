"""The proof that the pipeline is right: run on the bundled synthetic sample, careaudit
reproduces every figure of the 2022 Annual Care Plan Audit report from row-level audits, and
the year-on-year changes the report states."""

import csv
import math
from pathlib import Path

import pytest

from tests.support import careaudit_env, run_careaudit, warehouse_rows

pytestmark = pytest.mark.slow

FIGURES = Path(__file__).parents[1] / "fixtures" / "report_2022_figures.csv"


def published_metrics(data_dir: Path) -> dict[tuple[str, str], dict[str, str]]:
    with (data_dir / "publish" / "internal" / "metrics.csv").open(newline="") as f:
        return {(row["metric_id"], row["time_period"]): row for row in csv.DictReader(f)}


def report_figures() -> list[dict[str, str]]:
    with FIGURES.open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("figure", report_figures(), ids=lambda f: f["metric_id"])
def test_every_2022_report_figure_comes_out_of_the_pipeline(sample_run, figure):
    data_dir, _ = sample_run
    row = published_metrics(data_dir)[(figure["metric_id"], figure["time_period"])]

    assert row["time_identifier"] == "Calendar year"
    assert row["la_code"] == "E10000014"
    assert int(row["numerator"]) == int(figure["numerator"])
    if figure["denominator"]:
        assert int(row["denominator"]) == int(figure["denominator"])
    else:
        assert row["denominator"] == ""
    if figure["published_percent"]:
        # The report truncated its percentages (230/240 = 95.8% was printed as 95%).
        assert math.floor(float(row["percent"])) == int(figure["published_percent"])


def test_published_percent_is_unrounded(sample_run):
    data_dir, _ = sample_run
    row = published_metrics(data_dir)[("iro_satisfied_life_improved", "2022")]
    assert float(row["percent"]) == pytest.approx(100 * 230 / 240)


def test_the_audit_with_no_uasc_answer_is_reported_as_missing_not_hidden(sample_run):
    data_dir, _ = sample_run
    row = published_metrics(data_dir)[("uasc_children", "2022")]
    assert (row["numerator"], row["denominator"], row["missing_answers"]) == ("41", "240", "1")


def test_resubmissions_count_once_with_the_latest_answers(sample_run):
    data_dir, _ = sample_run
    submissions = warehouse_rows(data_dir, "select count(*) from raw.audit_submissions")
    audits = warehouse_rows(
        data_dir,
        "select count(*), count(*) filter (where submission_count > 1) "
        "from marts.fct_audits where time_period = '2022'",
    )
    assert submissions == [(243 + 202,)]  # the files hold earlier submissions too
    assert audits == [(240, 3)]


def test_2021_sample_agrees_with_the_published_2021_figures(sample_run):
    data_dir, _ = sample_run
    rows = warehouse_rows(
        data_dir,
        "select metric_id, percent, published_percent from marts.fct_metric_trends "
        "where time_period = '2021' and published_percent is not null",
    )
    assert len(rows) == 5
    for metric_id, percent, published in rows:
        assert percent == pytest.approx(published), metric_id


# The report's year-on-year statements, on whole published percentages (spec README).
STATED_CHANGES = [
    ("child_feels_life_improved", "2021", 87, 83, 4),
    ("care_plan_reflects_needs", "2021", 96, 93, 3),
    ("care_plan_reflects_needs", "2019", 96, 66, 30),
    ("care_plan_permanence_plan", "2021", 86, 83, 3),
    ("health_plan_on_ics", "2021", 69, 53, 16),
    ("ed_needs_met", "2021", 95, 89, 6),
]


@pytest.mark.parametrize(("metric_id", "earlier", "now", "then", "change"), STATED_CHANGES)
def test_year_on_year_changes_the_report_states(sample_run, metric_id, earlier, now, then, change):
    data_dir, _ = sample_run
    rows = warehouse_rows(
        data_dir,
        "select reported_percent, comparison_reported_percent, reported_change_points, "
        "is_previous_period from marts.fct_metric_comparisons "
        "where metric_id = ? and time_period = '2022' and comparison_period = ?",
        [metric_id, earlier],
    )
    assert rows == [(now, then, change, earlier == "2021")]


def test_trend_table_gives_each_2022_metric_its_previous_year(sample_run):
    data_dir, _ = sample_run
    with (data_dir / "publish" / "internal" / "metric_trends.csv").open(newline="") as f:
        trends = {(r["metric_id"], r["time_period"]): r for r in csv.DictReader(f)}
    row = trends[("child_feels_life_improved", "2022")]
    assert row["previous_period"] == "2021"
    assert row["previous_reported_percent"] == "83"
    assert row["reported_change_points"] == "4"
    assert float(row["change_points"]) == pytest.approx(100 * 209 / 240 - 83)
    new_metric = trends[("care_plan_contingency_plan", "2022")]
    assert new_metric["previous_period"] == ""  # not on the 2021 form


def test_refresh_reports_progress_and_where_the_outputs_are(sample_run):
    data_dir, result = sample_run
    assert "care_plan_audit_2022-08.csv: loaded (2022 form), 243 rows read" in result.stdout
    # each file's own counts on its line; each raw table once, not once per file
    assert "care_plan_audit_2021-08.xlsx: loaded (2021 form), 202 rows read" in result.stdout
    raw = [line.strip() for line in result.stdout.splitlines() if "built raw/" in line]
    assert raw == [
        "built raw/audit_submissions (445 rows in the table)",
        "built raw/audit_answers (14797 rows in the table)",
        "built raw/landed_files (2 rows in the table)",
        "built raw/ingest_findings (0 rows in the table)",
    ]
    # the sample's commentary is the 2022 report's own: nothing for the team to write
    assert "to write" not in result.stdout
    # the sample run rounds down, as the 2022 report did, and the summary says so
    assert (
        "  percentages: whole percentages rounded down (CAREAUDIT_PERCENT_ROUNDING=truncate), as "
        "the 2022 report printed them (230 of 240 as 95%); the default, half_up, prints 96%"
        in result.stdout
    )
    assert "built marts/fct_metrics" in result.stdout
    assert f"published {data_dir / 'publish' / 'internal' / 'metrics.csv'}" in result.stdout
    assert f"warehouse:  {data_dir / 'warehouse.duckdb'}" in result.stdout


def test_a_second_refresh_on_the_same_files_changes_nothing(sample_run):
    data_dir, _ = sample_run
    metrics_before = (data_dir / "publish" / "internal" / "metrics.csv").read_bytes()
    answers = "select count(*) from raw.audit_answers"
    answers_before = warehouse_rows(data_dir, answers)
    env = careaudit_env(CAREAUDIT_PERCENT_ROUNDING="truncate")
    result = run_careaudit("refresh", "--data-dir", str(data_dir), "--quiet", env=env)

    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")  # --quiet: nothing when all is well
    assert warehouse_rows(data_dir, answers) == answers_before
    assert warehouse_rows(data_dir, "select count(*) from raw.landed_files") == [(2,)]
    assert (data_dir / "publish" / "internal" / "metrics.csv").read_bytes() == metrics_before
