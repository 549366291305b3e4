"""Withdrawal end to end, as a data team meets it: a loaded export deleted from the landing
folder still counts and every refresh says so; `careaudit withdraw NAME` removes its audits,
says how many left and which months changed, and rebuilds and publishes; the published
metrics are then those of loading the remaining file from scratch."""

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from orchestration.paths import SAMPLE_EXTRACTS_DIR
from tests.support import careaudit_env, run_careaudit

from .conftest import SAMPLE_ENV

pytestmark = pytest.mark.slow

YEAR_2021 = "care_plan_audit_2021-08.xlsx"


def metric_rows(data_dir: Path) -> dict[tuple[str, str], dict[str, str]]:
    with (data_dir / "publish" / "internal" / "metrics.csv").open(newline="") as f:
        return {(r["metric_id"], r["time_period"]): r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def withdrawn(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """The sample loaded, its 2021 export deleted and refreshed, then withdrawn."""
    landing = tmp_path_factory.mktemp("withdraw_landing")
    data_dir = tmp_path_factory.mktemp("withdraw_data")
    for export in SAMPLE_EXTRACTS_DIR.iterdir():
        shutil.copyfile(export, landing / export.name)
    env = careaudit_env(**SAMPLE_ENV)
    folders = ("--landing", str(landing), "--data-dir", str(data_dir))
    first = run_careaudit("refresh", *folders, "--quiet", env=env)
    assert first.returncode == 0, first.stderr
    (landing / YEAR_2021).unlink()
    after_deletion = run_careaudit("refresh", *folders, env=env)
    assert after_deletion.returncode == 0, after_deletion.stderr
    withdrawal = run_careaudit("withdraw", YEAR_2021, *folders, env=env)
    assert withdrawal.returncode == 0, withdrawal.stdout + withdrawal.stderr
    return data_dir, after_deletion, withdrawal


def test_a_refresh_names_a_deleted_file_that_still_counts(withdrawn) -> None:
    _, after_deletion, _ = withdrawn

    assert (
        "  STILL COUNTED, no longer in the landing folder (`careaudit withdraw NAME` removes "
        f"their rows): {YEAR_2021}\n" in after_deletion.stdout
    )


def test_withdraw_says_how_many_audits_left_and_which_months_changed(withdrawn) -> None:
    _, _, withdrawal = withdrawn

    assert "careaudit withdraw finished." in withdrawal.stdout
    assert (
        f"  {YEAR_2021}: WITHDRAWN, 200 audit(s) left the warehouse; months whose figures "
        "change: 2021-08; its rows were removed\n" in withdrawal.stdout
    )
    assert "STILL COUNTED" not in withdrawal.stdout


def test_after_withdrawal_the_metrics_are_those_of_the_remaining_file_alone(
    withdrawn, sample_run
) -> None:
    data_dir, _, _ = withdrawn
    both_years = metric_rows(sample_run[0])
    remaining = metric_rows(data_dir)

    assert {period for _, period in remaining} == {"2022"}
    # Each year's figures come from its own audits: 2022's are exactly the full sample's.
    assert remaining == {key: row for key, row in both_years.items() if key[1] == "2022"}
