"""dbt's unit tests (dbt_project/models/marts/_marts__unit_tests.yml: the metric rules case by
case) run here, in the test suite, against the warehouse the sample refresh built; a refresh
leaves them out, as dbt Labs advise for production builds."""

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from orchestration.defs.transform import dbt_args
from orchestration.paths import DBT_PROJECT_DIR
from tests.support import default_settings, run_command

pytestmark = pytest.mark.slow

DBT = str(Path(sys.executable).with_name("dbt"))


def test_every_dbt_unit_test_passes(sample_run, tmp_path: Path) -> None:
    data_dir, _ = sample_run
    settings = replace(default_settings(data_dir), percent_rounding="truncate")
    result = run_command(
        dbt_args(
            [DBT, "test", "--select", "test_type:unit", "--target-path", str(tmp_path)], settings
        ),
        cwd=DBT_PROJECT_DIR,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((tmp_path / "run_results.json").read_text())["results"]
    assert len(results) >= 9
    assert {r["status"] for r in results} == {"pass"}


def test_a_refresh_builds_without_the_unit_tests(sample_run) -> None:
    data_dir, _ = sample_run
    [run_results] = (data_dir / "dbt_runs").glob("*/run_results.json")
    unique_ids = [r["unique_id"] for r in json.loads(run_results.read_text())["results"]]
    assert not [u for u in unique_ids if u.startswith("unit_test.")]
    assert [u for u in unique_ids if u.startswith("test.")]  # the data tests do run
