"""A second year of audits lands while a dashboard is connected to the published database.

The authority has 2021 audits (and the figures its 2021 report published); the 2022 export
arrives and the monthly refresh runs while a BI tool, a separate process, holds
publish/reporting.duckdb open. The counts are constructed so the answers are known: the
refresh succeeds, the reader sees the old publication or the new one and never a mix, the
trend mart flags the changes that are significant and only those, and the reconciliation
check warns that the computed 2021 figures differ from the published ones.
"""

import csv
import json
import math
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.exports import answered_audit, write_export
from tests.pipeline.reporting_reader import view
from tests.support import careaudit_env, run_careaudit

pytestmark = pytest.mark.slow

KEY = "test-key-not-secret"
READER = Path(__file__).with_name("reporting_reader.py")


def export(path: Path, answers: list[dict[str, str]], completed: str) -> None:
    """A 2022-form export: one complete audit per dict of answers, completed on one day."""
    rows = [answered_audit("2022", n, completed, **cells) for n, cells in enumerate(answers, 1)]
    write_export(path, rows, "2022")


def audits(**counts: dict[str, int]) -> list[dict[str, str]]:
    """Answers for as many audits as the largest count: question -> {label: audits}."""
    columns = {
        q: [label for label, n in by_label.items() for _ in range(n)]
        for q, by_label in counts.items()
    }
    size = max(len(labels) for labels in columns.values())
    assert all(len(labels) == size for labels in columns.values())
    return [{q: labels[i] for q, labels in columns.items()} for i in range(size)]


# Child feels life improved: 30 of 50 (60%) in 2021, 45 of 50 (90%) in 2022: z = 3.46.
# IRO satisfied: 25 of 50 then 26 of 50: z = 0.20. Every care plan reflects needs both years.
YEAR_2021 = audits(
    child_life_improved={"Yes": 30, "No": 20}, iro_life_improved={"Yes": 25, "No": 25}
)
YEAR_2022 = audits(
    child_life_improved={"Yes": 45, "No": 5}, iro_life_improved={"Yes": 26, "No": 24}
)


@dataclass
class TwoYears:
    data_dir: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    seen: dict[str, list]

    def trend(self, metric_id: str, period: str) -> dict[str, str]:
        [row] = [
            r
            for r in read_trends(self.data_dir)
            if (r["metric_id"], r["time_period"]) == (metric_id, period)
        ]
        return row


def read_trends(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "publish" / "internal" / "metric_trends.csv").open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> TwoYears:
    landing = tmp_path_factory.mktemp("landing")
    data_dir = tmp_path_factory.mktemp("data")
    work = tmp_path_factory.mktemp("reader")
    env = careaudit_env(CAREAUDIT_PSEUDONYMISATION_KEY=KEY)
    refresh = ["refresh", "--landing", str(landing), "--data-dir", str(data_dir)]

    export(landing / "2021.csv", YEAR_2021, completed="15/06/2021 10:00")
    first = run_careaudit(*refresh, env=env)
    assert first.returncode == 0, first.stdout + first.stderr

    database = data_dir / "publish" / "reporting.duckdb"
    output, stop = work / "seen.json", work / "stop"
    reader = subprocess.Popen([sys.executable, str(READER), str(database), str(output), str(stop)])
    try:
        ready = output.with_name("seen.json.ready")
        for _ in range(600):
            if ready.exists() or reader.poll() is not None:
                break
            time.sleep(0.1)
        assert ready.exists(), "the reader did not open the database"

        export(landing / "2022.csv", YEAR_2022, completed="15/06/2022 10:00")
        second = run_careaudit(*refresh, env=env)
        time.sleep(1.0)  # the reader opens the new file a few times
    finally:
        stop.touch()
        reader.wait(timeout=60)
    assert reader.returncode == 0
    return TwoYears(data_dir, first, second, json.loads(output.read_text()))


def test_the_refresh_succeeds_while_a_reader_holds_the_database_open(two_years):
    assert two_years.second.returncode == 0, two_years.second.stdout + two_years.second.stderr
    assert two_years.seen["errors"] == []


def test_the_reader_sees_the_old_or_the_new_publication_never_a_mix(two_years):
    before = two_years.seen["held"][0]
    database = two_years.data_dir / "publish" / "reporting.duckdb"
    with duckdb.connect(str(database), read_only=True) as con:
        after = view(con)
    trend_rows = len(read_trends(two_years.data_dir))
    assert before[1:3] == [50, 50] and after[1:3] == [100, 100]  # audits in two tables
    assert before[3] < after[3] == trend_rows  # trend rows: 2022 added
    # The connection held through the refresh kept reading the old file, whole.
    assert all(seen == before for seen in two_years.seen["held"])
    # Connections opened during and after it saw one publication or the other.
    fresh = two_years.seen["fresh"]
    assert all(seen in (before, after) for seen in fresh)
    assert before in fresh and fresh[-1] == after


def z_test(x1: int, n1: int, x2: int, n2: int) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    return (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))


def test_a_large_change_is_a_significant_improvement(two_years):
    row = two_years.trend("child_feels_life_improved", "2022")
    assert (row["numerator"], row["denominator"]) == ("45", "50")
    assert (row["previous_numerator"], row["previous_denominator"]) == ("30", "50")
    assert float(row["change_points"]) == pytest.approx(30.0)
    assert float(row["z_statistic"]) == pytest.approx(z_test(45, 50, 30, 50))
    assert float(row["z_statistic"]) == pytest.approx(3.4641, abs=1e-4)
    assert float(row["p_value"]) == pytest.approx(math.erfc(3.4641016 / math.sqrt(2)), abs=1e-6)
    assert row["change_significance"] == "significant_increase"


def test_a_small_change_is_not_significant(two_years):
    row = two_years.trend("iro_satisfied_life_improved", "2022")
    assert float(row["z_statistic"]) == pytest.approx(z_test(26, 50, 25, 50))
    assert float(row["z_statistic"]) == pytest.approx(0.2001, abs=1e-4)
    assert row["change_significance"] == "not_significant"


def test_changes_that_cannot_be_tested_honestly_say_why(two_years):
    # Every plan reflected the child's needs in both years: no "no" cell to test with.
    needs = two_years.trend("care_plan_reflects_needs", "2022")
    assert (needs["change_significance"], needs["not_testable_reason"]) == (
        "not_testable",
        "fewer_than_5_in_a_cell",
    )
    # 2021 against 2019, of which only the published percentage exists.
    history = two_years.trend("care_plan_reflects_needs", "2021")
    assert (history["previous_period"], history["previous_value_source"]) == ("2019", "published")
    assert history["not_testable_reason"] == "published_history_without_counts"


def test_a_computed_year_far_from_its_published_figure_warns_without_failing(two_years):
    row = two_years.trend("child_feels_life_improved", "2021")
    assert (float(row["percent"]), row["published_percent"]) == (60.0, "83")
    assert float(row["published_difference_points"]) == pytest.approx(-23.0)
    warning = (
        "check warning: computed_year_reconciles_with_published_history on marts/fct_metric_trends"
    )
    assert warning in two_years.first.stdout
    assert warning in two_years.second.stdout
