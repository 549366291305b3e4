"""Ingest is partitioned by landed file: a refresh over many files is one run, and re-running
one file's partition after correcting it changes only that file's audits and the metrics that
depend on them."""

import csv
import os
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.partitions import RANGE_END_TAG, RANGE_START_TAG
from tests.exports import answered_audit, write_export
from tests.support import careaudit_env, refresh_landing, warehouse_rows

pytestmark = pytest.mark.slow

KEY = "test-key-not-secret"


def export(path: Path, completed: str, improved: list[str]) -> None:
    """One audit per answer to "does the child feel their life has improved"."""
    rows = [
        answered_audit("2022", n, completed, child_life_improved=answer)
        for n, answer in enumerate(improved, 1)
    ]
    write_export(path, rows, "2022")


def metrics(data_dir: Path) -> dict[tuple[str, str], tuple[str, str]]:
    with (data_dir / "publish" / "internal" / "metrics.csv").open(newline="") as f:
        return {
            (r["metric_id"], r["time_period"]): (r["numerator"], r["denominator"])
            for r in csv.DictReader(f)
        }


def landed(data_dir: Path) -> dict[str, tuple]:
    rows = warehouse_rows(
        data_dir,
        "select source_file, file_sha256, ingested_at from raw.landed_files where is_current",
    )
    return {name: (sha, at) for name, sha, at in rows}


def runs(data_dir: Path) -> list[dg.DagsterRun]:
    os.environ["DAGSTER_HOME"] = str(data_dir / "dagster_home")
    try:
        with dg.DagsterInstance.get() as instance:
            return list(reversed(instance.get_runs()))
    finally:
        del os.environ["DAGSTER_HOME"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return tmp_path_factory.mktemp("landing"), tmp_path_factory.mktemp("data")


def december(landing: Path) -> None:
    export(landing / "2022-12.csv", "12/12/2022 10:00", ["Yes"] * 4 + ["No"])


@pytest.fixture(scope="module")
def two_months(folders: tuple[Path, Path]):
    landing, data_dir = folders
    december(landing)
    export(landing / "2023-01.csv", "16/01/2023 10:00", ["Yes"] * 5)
    env = careaudit_env(CAREAUDIT_PSEUDONYMISATION_KEY=KEY)
    first = refresh_landing(landing, data_dir, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    before = (metrics(data_dir), landed(data_dir), runs(data_dir))

    # Both files are corrected on disk, but only January's partition is re-run.
    export(landing / "2022-12.csv", "12/12/2022 10:00", ["No"] * 5)
    export(landing / "2023-01.csv", "16/01/2023 10:00", ["Yes", "Yes", "No", "No", "No"])
    again = refresh_landing(landing, data_dir, "--file", "2023-01.csv", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    return before, (metrics(data_dir), landed(data_dir), runs(data_dir))


def test_a_refresh_over_several_files_is_one_run_over_their_partitions(two_months):
    (_, _, first_runs), _ = two_months
    [run] = first_runs
    assert (run.tags[RANGE_START_TAG], run.tags[RANGE_END_TAG]) == ("2022-12.csv", "2023-01.csv")


def test_rerunning_one_file_partition_replaces_only_that_file(two_months):
    (_, files_before, _), (_, files_after, runs_after) = two_months
    assert files_after["2022-12.csv"] == files_before["2022-12.csv"]  # not even re-loaded
    assert files_after["2023-01.csv"][0] != files_before["2023-01.csv"][0]
    rerun = runs_after[-1]
    assert (rerun.tags[RANGE_START_TAG], rerun.tags[RANGE_END_TAG]) == ("2023-01.csv",) * 2


def test_only_the_metrics_that_depend_on_that_file_change(two_months):
    (metrics_before, _, _), (metrics_after, _, _) = two_months
    improved = "child_feels_life_improved"
    assert metrics_before[(improved, "2022")] == metrics_after[(improved, "2022")] == ("4", "5")
    assert (metrics_before[(improved, "2023")], metrics_after[(improved, "2023")]) == (
        ("5", "5"),
        ("2", "5"),
    )
    unchanged_2022 = {k: v for k, v in metrics_before.items() if k[1] == "2022"}
    assert unchanged_2022 == {k: v for k, v in metrics_after.items() if k[1] == "2022"}


@pytest.fixture(scope="module")
def a_month_later(folders: tuple[Path, Path], two_months):
    """December's file is put back as loaded, February's lands, and a plain refresh runs."""
    landing, data_dir = folders
    files_before = landed(data_dir)
    december(landing)
    export(landing / "2023-02.csv", "14/02/2023 10:00", ["Yes", "No"] * 3)
    env = careaudit_env(CAREAUDIT_PSEUDONYMISATION_KEY=KEY)
    result = refresh_landing(landing, data_dir, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return files_before, landed(data_dir), runs(data_dir)[-1]


def test_a_refresh_ingests_only_new_and_changed_files(a_month_later):
    files_before, files_after, run = a_month_later
    assert (run.tags[RANGE_START_TAG], run.tags[RANGE_END_TAG]) == ("2023-02.csv",) * 2
    assert {name: files_after[name] for name in files_before} == files_before
    assert set(files_after) == {"2022-12.csv", "2023-01.csv", "2023-02.csv"}
