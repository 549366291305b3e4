"""A refresh killed outright (SIGKILL) while it holds the warehouse pool slot does not block the
next refresh: the next one marks the dead run failed, frees its slot and completes."""

import os
import signal
import time

import dagster as dg
import pytest

from tests.support import careaudit_env, run_careaudit, start_careaudit

pytestmark = pytest.mark.slow


def test_the_next_refresh_recovers_the_slot_of_a_killed_one(tmp_path):
    data_dir = tmp_path / "data"
    env = careaudit_env()
    victim = start_careaudit("refresh", "--data-dir", str(data_dir), env=env, stderr=None)
    for line in victim.stdout:  # wait until dbt is building: the pool slot is held
        if "> careaudit_dbt" in line:
            break
    time.sleep(2)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()

    result = run_careaudit("refresh", "--data-dir", str(data_dir), env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "had stopped mid-way; marked failed" in result.stderr
    os.environ["DAGSTER_HOME"] = str(data_dir / "dagster_home")
    try:
        with dg.DagsterInstance.get() as instance:
            statuses = sorted(run.status.value for run in instance.get_runs())
    finally:
        del os.environ["DAGSTER_HOME"]
    assert statuses == ["FAILURE", "SUCCESS"]
