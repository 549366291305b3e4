"""What the bundled sample publishes beyond the 2022 figures: trends with intervals and
honest comparisons, breakdowns, the open data under disclosure control, the reporting
database and the data catalogue. Every expected value is computed here from the counts, by
code independent of the pipeline's SQL."""

import csv
import json
import math
import subprocess
import sys
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from statistics import NormalDist

import dagster as dg
import duckdb
import pytest

from orchestration.lib.publish.ees import open_data_files, small_counts, validate
from tests.support import HAMPSHIRE, careaudit_env

pytestmark = pytest.mark.slow

Z = NormalDist().inv_cdf(0.975)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def internal(data_dir: Path, name: str) -> list[dict[str, str]]:
    return read(data_dir / "publish" / "internal" / f"{name}.csv")


@pytest.fixture(scope="module")
def trends(sample_run) -> dict[tuple[str, str], dict[str, str]]:
    data_dir, _ = sample_run
    return {(r["metric_id"], r["time_period"]): r for r in internal(data_dir, "metric_trends")}


@pytest.fixture(scope="module")
def open_data(sample_run) -> dict[str, list[dict[str, str]]]:
    data_dir, _ = sample_run
    directory = data_dir / "publish" / "open_data"
    return {path.stem: read(path) for path in open_data_files(directory)}


# --- Measures the forms could not record ----------------------------------------------------

# On the sample's forms nobody could answer "No - parents declined" or "... were not asked"
# (2023 form on), nor, in 2021, the 2022 form's reasons a health plan is not on ICS.
NOT_RECORDABLE = {
    ("parents_declined", "2021"): 'option "No - parents declined" introduced with the 2023 form',
    ("parents_declined", "2022"): 'option "No - parents declined" introduced with the 2023 form',
    ("parents_not_asked", "2021"): (
        'option "No - parents were not asked" introduced with the 2023 form'
    ),
    ("parents_not_asked", "2022"): (
        'option "No - parents were not asked" introduced with the 2023 form'
    ),
    ("health_plan_awaiting_or_not_uploaded", "2021"): (
        'options "No - social worker awaiting the health plan" and "No - received but not '
        'uploaded to ICS" introduced with the 2022 form'
    ),
}
FIGURES = ("numerator", "denominator", "percent", "ci_lower", "ci_upper", "reported_percent")


def test_internal_files_publish_what_no_form_could_record_without_figures(sample_run):
    data_dir, _ = sample_run
    for name in ("metrics", "metric_trends"):
        rows = {(r["metric_id"], r["time_period"]): r for r in internal(data_dir, name)}
        for key, reason in NOT_RECORDABLE.items():
            row = rows[key]
            assert [row[f] for f in FIGURES] == [""] * len(FIGURES), (name, key)
            assert (row["is_available"], row["not_available_reason"]) == ("false", reason)
            assert int(row["audits_not_able_to_record"]) == {"2021": 200, "2022": 240}[key[1]]
        # every other computed row has its figures
        assert all(
            r["numerator"] != ""
            for r in rows.values()
            if r["is_available"] == "true" and r.get("value_source", "computed") == "computed"
        ), name
    parquet = duckdb.execute(
        "select metric_id, time_period, numerator, percent, ci_upper, is_available "
        "from read_parquet(?) where not is_available",
        [str(data_dir / "publish" / "internal" / "metrics.parquet")],
    ).fetchall()
    assert set(NOT_RECORDABLE) <= {(m, p) for m, p, *_ in parquet}
    assert {tuple(row[2:]) for row in parquet} == {(None, None, None, False)}
    for row in internal(data_dir, "metric_breakdowns"):
        if (row["metric_id"], row["time_period"]) in NOT_RECORDABLE:
            assert (row["numerator"], row["denominator"], row["percent"]) == ("", "", "")


def test_the_trend_mart_draws_no_change_from_or_to_a_year_that_could_not_record_it(sample_run):
    data_dir, _ = sample_run
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        rows = {
            (m, p): (percent, previous, change, significance)
            for m, p, percent, previous, change, significance in con.execute(
                "select metric_id, time_period, percent, previous_period, change_points, "
                "change_significance from marts.fct_metric_trends"
            ).fetchall()
        }
        compared = con.execute(
            "select count(*) from marts.fct_metric_comparisons "
            "where metric_id in ('parents_declined', 'parents_not_asked', "
            "'health_plan_awaiting_or_not_uploaded')"
        ).fetchone()
    for key in NOT_RECORDABLE:
        assert rows[key] == (None, None, None, "not_available"), key
    # 2022 is the first year the health plan's reasons could be recorded: 53%, from nothing
    # (before: from "0%" in 2021, a jump of 53 points nobody made)
    assert rows[("health_plan_awaiting_or_not_uploaded", "2022")][1:] == (
        None,
        None,
        "no_previous_period",
    )
    assert compared == (0,)


def test_the_open_data_shows_x_and_a_footnote_for_what_no_form_could_record(open_data, sample_run):
    data_dir, _ = sample_run
    for name, rows in open_data.items():
        shown = [r for r in rows if (r["metric_code"], r["time_period"]) in NOT_RECORDABLE]
        assert {(r["metric_code"], r["time_period"]) for r in shown} == set(NOT_RECORDABLE)
        for row in shown:
            assert (row["audit_count"], row["audit_base_count"], row["audit_percent"]) == (
                "x",
                "x",
                "x",
            ), (name, row["metric_code"], row.get("breakdown", ""))
    guidance = (data_dir / "publish" / "open_data" / "data_guidance.md").read_text()
    assert (
        "Parents' views not recorded because they declined (2023 form on) (`parents_declined`): "
        'x in 2021 and 2022, because the audit form could not record it (option "No - parents '
        'declined" introduced with the 2023 form).' in guidance
    )
    assert "(`health_plan_awaiting_or_not_uploaded`): x in 2021," in guidance


def test_each_open_data_finding_has_a_stable_code_and_each_filter_a_default(sample_run):
    data_dir, _ = sample_run
    directory = data_dir / "publish" / "open_data"
    for path in open_data_files(directory):
        meta = {row["col_name"]: row for row in read(path.with_name(f"{path.stem}.meta.csv"))}
        assert meta["metric_code"]["filter_default"] == "audits_completed"
        assert meta["section"]["filter_default"] == "Survey population"
        assert meta["metric"]["filter_default"].startswith("Audits completed in the period")
        codes = {(r["metric_code"], r["metric"]) for r in read(path)}
        assert len({code for code, _ in codes}) == len(codes) == 50  # one label per code


# --- Trends --------------------------------------------------------------------------------

# The 2022 metrics with published 2021 history: 2022 as the report printed it (truncated),
# the figure the 2021 report published, the change the 2022 report states.
WITH_HISTORY = [
    ("child_feels_life_improved", 87, 83, 4),
    ("care_plan_reflects_needs", 96, 93, 3),
    ("care_plan_permanence_plan", 86, 83, 3),
    ("health_plan_on_ics", 69, 53, 16),
    ("ed_needs_met", 95, 89, 6),
]


@pytest.mark.parametrize(("metric_id", "now", "then", "change"), WITH_HISTORY)
def test_trend_rows_of_2022_metrics_with_published_history(trends, metric_id, now, then, change):
    row = trends[(metric_id, "2022")]
    previous = trends[(metric_id, "2021")]
    assert row["previous_period"] == "2021"
    assert int(row["previous_reported_percent"]) == then == int(previous["published_percent"])
    assert int(row["reported_percent"]) == now
    assert int(row["reported_change_points"]) == change
    expected = 100 * int(row["numerator"]) / int(row["denominator"]) - float(
        row["previous_percent"]
    )
    assert float(row["change_points"]) == pytest.approx(expected)
    # The sample's 2021 audits are counted, so the 2022 change can be tested.
    assert row["previous_value_source"] == "computed"
    assert row["change_significance"] in {"significant_increase", "not_significant"}


def test_a_comparison_with_published_history_alone_is_not_testable(trends):
    row = trends[("care_plan_reflects_needs", "2021")]
    assert (row["previous_period"], row["previous_value_source"]) == ("2019", "published")
    assert row["previous_reported_percent"] == "66"
    assert row["change_significance"] == "not_testable"
    assert row["not_testable_reason"] == "published_history_without_counts"
    assert row["z_statistic"] == row["p_value"] == ""


def test_a_computed_year_beside_its_published_figure_is_reconciled(trends):
    row = trends[("child_feels_life_improved", "2021")]
    assert row["value_source"] == "computed"
    assert float(row["published_difference_points"]) == pytest.approx(
        float(row["percent"]) - int(row["published_percent"])
    )
    assert abs(float(row["published_difference_points"])) <= 1  # no reconciliation warning


def wilson_by_bisection(successes: int, trials: int) -> tuple[float, float]:
    """The 95% Wilson interval as its definition: the proportions p0 whose score test does
    not reject, |p - p0| <= z * sqrt(p0 (1 - p0) / n). Solved numerically, not by formula."""
    p = successes / trials

    def outside(p0: float) -> bool:
        return abs(p - p0) > Z * math.sqrt(p0 * (1 - p0) / trials)

    def edge(inside: float, out: float) -> float:
        for _ in range(200):
            middle = (inside + out) / 2
            inside, out = (inside, middle) if outside(middle) else (middle, out)
        return inside

    lower = 0.0 if successes == 0 else edge(p, 0.0)
    upper = 1.0 if successes == trials else edge(p, 1.0)
    return 100 * lower, 100 * upper


def test_wilson_intervals_match_the_score_test_they_invert(sample_run):
    data_dir, _ = sample_run
    checked = 0
    for row in internal(data_dir, "metrics"):
        if row["denominator_unit"] != "audits" or row["denominator"] in ("", "0"):
            assert row["ci_lower"] == row["ci_upper"] == ""  # counts and selection shares
            continue
        lower, upper = wilson_by_bisection(int(row["numerator"]), int(row["denominator"]))
        # CSV fractions have 6 decimal places (orchestration/lib/publish/files.py)
        assert float(row["ci_lower"]) == pytest.approx(lower, abs=5e-7), row["metric_id"]
        assert float(row["ci_upper"]) == pytest.approx(upper, abs=5e-7), row["metric_id"]
        checked += 1
    assert checked > 60
    # The report's headline: 209 of 240 children (87%) feel their life has improved.
    [row] = [
        r
        for r in internal(data_dir, "metrics")
        if (r["metric_id"], r["time_period"]) == ("child_feels_life_improved", "2022")
    ]
    assert (round(float(row["ci_lower"]), 2), round(float(row["ci_upper"]), 2)) == (82.25, 90.75)


def test_significance_of_the_sample_changes_follows_the_two_proportion_test(trends):
    for (metric_id, period), row in trends.items():
        if row["z_statistic"] == "":
            continue
        x1, n1 = int(row["numerator"]), int(row["denominator"])
        x2, n2 = int(row["previous_numerator"]), int(row["previous_denominator"])
        pooled = (x1 + x2) / (n1 + n2)
        z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        # CSV fractions have 6 decimal places (orchestration/lib/publish/files.py)
        assert float(row["z_statistic"]) == pytest.approx(z, abs=5e-7), (metric_id, period)
        assert float(row["p_value"]) == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), abs=1e-6)
        expected = "not_significant"
        if abs(z) >= Z:
            expected = "significant_increase" if z > 0 else "significant_decrease"
        assert row["change_significance"] == expected, (metric_id, period)
    assert trends[("ed_needs_met", "2022")]["change_significance"] == "significant_increase"
    # 164 of 167 against 100 of 106: 3 and 6 plans were not adequate, too few to test.
    adequate = trends[("health_plan_adequate", "2022")]
    assert adequate["not_testable_reason"] == "fewer_than_5_in_a_cell"


# --- Breakdowns (internal) ------------------------------------------------------------------


def test_breakdowns_by_age_band_and_district_add_up_to_the_metric(sample_run):
    data_dir, _ = sample_run
    metrics = {(r["metric_id"], r["time_period"]): r for r in internal(data_dir, "metrics")}
    sums: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    topics = set()
    for row in internal(data_dir, "metric_breakdowns"):
        key = (row["metric_id"], row["time_period"], row["breakdown_topic"])
        topics.add(row["breakdown_topic"])
        if row["is_available"] == "false":  # no form of the period could record it
            assert metrics[key[:2]]["is_available"] == "false"
            assert row["numerator"] == row["denominator"] == row["percent"] == ""
            continue
        sums[key][0] += int(row["numerator"])
        sums[key][1] += int(row["denominator"] or 0)
    assert topics == {"total", "age_band", "district"}
    for (metric_id, period, _topic), (numerator, denominator) in sums.items():
        metric = metrics[(metric_id, period)]
        assert numerator == int(metric["numerator"])
        assert denominator == int(metric["denominator"] or 0)


# --- Open data ------------------------------------------------------------------------------


def test_every_open_data_file_meets_the_ees_standard(sample_run):
    data_dir, _ = sample_run
    files = open_data_files(data_dir / "publish" / "open_data")
    assert [f.name for f in files] == [
        "care_plan_audit_metrics.csv",
        "care_plan_audit_metrics_by_characteristic.csv",
    ]
    for path in files:
        assert path.with_name(f"{path.stem}.meta.csv").exists()
        assert validate(path) == [], path.name


def test_no_open_data_count_is_from_1_to_5(open_data, sample_run):
    data_dir, _ = sample_run
    for name, rows in open_data.items():
        for row in rows:
            for column in ("audit_count", "audit_base_count"):
                value = row[column]
                assert value in {"c", "z", "x"} or not 1 <= int(value) <= 5, (name, row)
    assert all(
        small_counts(path) == [] for path in open_data_files(data_dir / "publish" / "open_data")
    )


def test_no_suppressed_count_can_be_recovered_from_a_total_or_the_other_categories(open_data):
    rows = open_data["care_plan_audit_metrics_by_characteristic"]
    totals = {(r["time_period"], r["metric"]): r for r in rows if r["breakdown_topic"] == "Total"}
    groups = defaultdict(list)
    for row in rows:
        if row["breakdown_topic"] != "Total":
            groups[(row["time_period"], row["metric"], row["breakdown_topic"])].append(row)
    suppressed = 0
    for (period, metric, _topic), categories in groups.items():
        for column in ("audit_count", "audit_base_count"):
            cells = [row[column] for row in categories] + [totals[(period, metric)][column]]
            suppressed += cells.count("c")
            # One hidden cell alone in a group that adds up would be the total minus the rest.
            assert cells.count("c") != 1, (period, metric, column, cells)
    assert suppressed > 100  # the sample's districts have small counts to protect
    for row in rows:
        count, base = row["audit_count"], row["audit_base_count"]
        if count.isdigit() and base.isdigit():
            assert not 1 <= int(base) - int(count) <= 5, row  # nor the audits not counted


def test_selection_shares_that_add_up_to_their_base_are_protected_together(open_data):
    rows = open_data["care_plan_audit_metrics_by_characteristic"]
    shares = defaultdict(list)
    for row in rows:
        if row["metric"].endswith("share of all equality and diversity references"):
            shares[(row["time_period"], row["breakdown_topic"], row["breakdown"])].append(row)
    for cells in shares.values():
        assert len(cells) == 7  # one per aspect; the seven add up to the base
        column = [row["audit_count"] for row in cells] + [cells[0]["audit_base_count"]]
        assert column.count("c") != 1


def test_open_data_percentages_are_rounded_half_up_from_the_counts(open_data, sample_run):
    data_dir, _ = sample_run
    counts = {
        (r["time_period"], r["metric_description"], r["breakdown_label"]): r
        for r in internal(data_dir, "metric_breakdowns")
    }
    checked = 0
    for row in open_data["care_plan_audit_metrics_by_characteristic"]:
        source = counts.get((row["time_period"], row["metric"], row["breakdown"]))
        if source is None or row["audit_percent"] in {"c", "z", "x"}:
            continue
        numerator, denominator = int(source["numerator"]), int(source["denominator"])
        exact = Fraction(100 * numerator, denominator)
        assert int(row["audit_percent"]) == math.floor(exact + Fraction(1, 2))
        checked += 1
    assert checked > 300


REBUILD = """
import sys
from pathlib import Path
import duckdb
from orchestration.lib.publish.open_data import build_release, write_release
from orchestration.settings import Settings
with duckdb.connect(sys.argv[1], read_only=True) as con:
    write_release(build_release(con, Settings.from_env()), Path(sys.argv[2]))
"""


@pytest.mark.parametrize("hash_seed", ["1", "2"])
def test_the_same_data_gives_the_same_release(sample_run, tmp_path, hash_seed):
    # Rebuilt in processes whose sets iterate in other orders: byte for byte the same files.
    data_dir, _ = sample_run
    env = careaudit_env(PYTHONHASHSEED=hash_seed)
    warehouse = str(data_dir / "warehouse.duckdb")
    subprocess.run([sys.executable, "-c", REBUILD, warehouse, str(tmp_path)], env=env, check=True)
    published = sorted((data_dir / "publish" / "open_data").glob("*.csv"))
    assert [p.name for p in published] == sorted(p.name for p in tmp_path.glob("*.csv"))
    for path in published:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_published_history_is_released_with_its_percent_and_no_counts(open_data):
    [row] = [
        r
        for r in open_data["care_plan_audit_metrics"]
        if r["time_period"] == "2019" and r["metric"] == "Care plan reflects the child's needs"
    ]
    assert (row["audit_count"], row["audit_base_count"], row["audit_percent"]) == ("x", "x", "66")


def test_the_headline_file_agrees_with_the_totals_of_the_breakdown_file(open_data):
    columns = ("time_period", "metric", "audit_count", "audit_base_count", "audit_percent")
    headline = {tuple(r[c] for c in columns) for r in open_data["care_plan_audit_metrics"]}
    totals = {
        tuple(r[c] for c in columns)
        for r in open_data["care_plan_audit_metrics_by_characteristic"]
        if r["breakdown_topic"] == "Total"
    }
    assert headline == totals
    row = next(r for r in open_data["care_plan_audit_metrics"] if r["time_period"] == "2022")
    assert {column: row[column] for column in HAMPSHIRE} == HAMPSHIRE


# --- Reporting database, contracts, catalogue -----------------------------------------------


def test_the_reporting_database_holds_the_published_tables_with_comments(sample_run):
    data_dir, _ = sample_run
    path = data_dir / "publish" / "reporting.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        objects = dict(
            con.execute("select table_name, table_type from information_schema.tables").fetchall()
        )
        assert objects == {
            "metrics": "BASE TABLE",
            "metric_trends": "BASE TABLE",
            "metric_breakdowns": "BASE TABLE",
            "publication": "BASE TABLE",
            "metric_trends_latest": "VIEW",
        }
        for table in ("metrics", "metric_trends", "metric_breakdowns"):
            published = internal(data_dir, table)
            assert con.execute(f"select count(*) from {table}").fetchone() == (len(published),)
            columns = con.execute(
                "select column_name, comment from duckdb_columns() where table_name = ?", [table]
            ).fetchall()
            assert [name for name, _ in columns] == list(published[0])
            assert all(comment for _, comment in columns), table
        assert con.execute("select distinct time_period from metric_trends_latest").fetchall() == [
            ("2022",)
        ]
        view_comments = con.execute(
            "select column_name, comment from duckdb_columns() "
            "where table_name = 'metric_trends_latest'"
        ).fetchall()
        assert view_comments and all(comment for _, comment in view_comments)
        (tags,) = con.execute(
            "select tags from duckdb_databases() where database_name = 'reporting'"
        ).fetchone()
    assert tags["storage_version"].startswith("v1.0.0")


def test_a_dashboard_finds_in_metrics_what_the_report_prints_and_how_to_colour_it(sample_run):
    data_dir, _ = sample_run
    path = data_dir / "publish" / "reporting.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select metric_id, la_name, metric_label, higher_is, report_order, reported_percent "
            "from metrics where time_period = '2022' order by report_order"
        ).fetchall()
    assert [r[4] for r in rows] == list(range(1, 51))
    by_metric = {r[0]: r for r in rows}
    assert rows[0][0] == "audits_completed"  # the report starts with the audits completed
    # the sample runs with CAREAUDIT_PERCENT_ROUNDING=truncate: 230 of 240 is 95, as printed
    assert by_metric["iro_satisfied_life_improved"][5] == 95
    assert by_metric["care_plan_not_signed_by_child"][1:4] == (
        "Hampshire",
        "Not signed by the child",
        "worse",
    )
    assert by_metric["parents_declined"][5] is None  # not available: nothing to print
    assert all(len(label) <= 40 for _, _, label, *_ in rows)
    assert (
        by_metric["care_plan_reflects_needs"][4]
        < by_metric["care_plan_permanence_plan"][4]
        < by_metric["child_participated_in_planning"][4]
    )


def test_every_mart_shows_typed_described_columns_in_dagster(sample_run):
    data_dir, _ = sample_run
    with dg.DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        schemas = {}
        for key in (
            ["marts", "fct_metrics"],
            ["marts", "fct_metric_trends"],
            ["marts", "fct_care_plan"],
        ):
            event = instance.get_latest_materialization_event(dg.AssetKey(key))
            assert event is not None, key
            schemas[key[1]] = event.asset_materialization.metadata["dagster/column_schema"].value
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        for name, schema in schemas.items():
            actual = con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = 'marts' and table_name = ?",
                [name],
            ).fetchall()
            assert [(c.name, c.type) for c in schema.columns] == actual, name
            assert all(c.description for c in schema.columns), (
                name,
                [c.name for c in schema.columns if not c.description],
            )
    [needs] = [c for c in schemas["fct_care_plan"].columns if c.name == "cp_needs"]
    assert needs.description.startswith('Answer code to "Does the care plan reflect')


def test_every_published_model_has_an_enforced_contract(sample_run):
    data_dir, _ = sample_run
    [manifest_path] = (data_dir / "dbt_runs").glob("*/manifest.json")
    manifest = json.loads(manifest_path.read_text())
    published = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "reporting"
    }
    assert set(published) == {
        "rpt_metrics",
        "rpt_metric_trends",
        "rpt_metric_breakdowns",
        "rpt_ingest_report",
        # what the open data reads (models/reporting/open_data/)
        "rpt_open_data_figures",
        "rpt_open_data_form_versions",
        "rpt_open_data_recordable_forms",
        "rpt_open_data_metric_rules",
        "rpt_open_data_answer_options",
        # what the annual report reads (models/reporting/annual_report/)
        "rpt_report_periods",
        "rpt_report_metric_values",
        "rpt_report_comparisons",
        "rpt_report_changes",
        "rpt_report_breakdowns",
        "rpt_report_sections",
        "rpt_report_sentences",
        "rpt_report_metrics",
    }
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        for name, node in published.items():
            assert node["config"]["contract"]["enforced"], name
            declared = [(c["name"], c["data_type"].upper()) for c in node["columns"].values()]
            actual = con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = 'reporting' and table_name = ?",
                [name],
            ).fetchall()
            assert declared == actual, name
            assert all(c["description"] for c in node["columns"].values()), name


def test_the_exposures_name_the_outputs_and_the_catalogue_documents_them(sample_run):
    data_dir, _ = sample_run
    [manifest_path] = (data_dir / "dbt_runs").glob("*/manifest.json")
    exposures = {
        e["name"]: sorted(node.rsplit(".", 1)[-1] for node in e["depends_on"]["nodes"])
        for e in json.loads(manifest_path.read_text())["exposures"].values()
    }
    assert exposures == {
        "internal_files": [
            "rpt_ingest_report",
            "rpt_metric_breakdowns",
            "rpt_metric_trends",
            "rpt_metrics",
        ],
        "bi_dashboard": ["rpt_metric_breakdowns", "rpt_metric_trends", "rpt_metrics"],
        "open_data_release": [
            "rpt_open_data_answer_options",
            "rpt_open_data_figures",
            "rpt_open_data_form_versions",
            "rpt_open_data_metric_rules",
            "rpt_open_data_recordable_forms",
        ],
        "annual_report": [
            "rpt_report_breakdowns",
            "rpt_report_changes",
            "rpt_report_comparisons",
            "rpt_report_metric_values",
            "rpt_report_metrics",
            "rpt_report_periods",
            "rpt_report_sections",
            "rpt_report_sentences",
        ],
    }
    page = (data_dir / "publish" / "catalogue" / "index.html").read_text(encoding="utf-8")
    for name in [*exposures, "rpt_metric_breakdowns", "The category as people read it"]:
        assert name in page
    assert "<script src=" not in page  # self-contained: opens with no network
