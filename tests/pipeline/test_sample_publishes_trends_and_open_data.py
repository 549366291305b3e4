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

import duckdb
import pytest

from orchestration.publish.ees import open_data_files, small_counts, validate
from tests.support import careaudit_env

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
        assert float(row["ci_lower"]) == pytest.approx(lower, abs=1e-9), row["metric_id"]
        assert float(row["ci_upper"]) == pytest.approx(upper, abs=1e-9), row["metric_id"]
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
        assert float(row["z_statistic"]) == pytest.approx(z), (metric_id, period)
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
        sums[key][0] += int(row["numerator"])
        sums[key][1] += int(row["denominator"] or 0)
        topics.add(row["breakdown_topic"])
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
        if source is None or row["audit_percent"] in {"c", "z"}:
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
from orchestration.publish.open_data import build_release, write_release
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
    assert (row["new_la_code"], row["old_la_code"], row["la_name"]) == (
        "E10000014",
        "850",
        "Hampshire",
    )
    assert (row["region_code"], row["region_name"]) == ("E12000008", "South East")


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
        (tags,) = con.execute(
            "select tags from duckdb_databases() where database_name = 'reporting'"
        ).fetchone()
    assert tags["storage_version"].startswith("v1.0.0")


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
        "bi_dashboard": ["rpt_metric_breakdowns", "rpt_metric_trends", "rpt_metrics"],
        "open_data_release": ["rpt_metric_breakdowns", "rpt_metric_trends"],
        "annual_report": [
            "dim_metrics",
            "dim_periods",
            "dim_questions",
            "dim_sections",
            "fct_metric_comparisons",
            "form_answer_options",
            "report_sentences",
            "rpt_metric_breakdowns",
            "rpt_metric_trends",
            "rpt_metrics",
        ],
    }
    page = (data_dir / "publish" / "catalogue" / "index.html").read_text(encoding="utf-8")
    for name in [*exposures, "rpt_metric_breakdowns", "The category as people read it"]:
        assert name in page
    assert "<script src=" not in page  # self-contained: opens with no network
