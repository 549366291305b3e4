"""SIGTERM or SIGINT to `careaudit refresh` while dbt builds: dbt and everything it started stop
before careaudit exits, careaudit says in one sentence that it was stopped and how it left the
warehouse, its run is recorded as failed, and the next refresh completes."""

import os
import signal
import subprocess
import time
from pathlib import Path

import dagster as dg
import psutil
import pytest

from tests.support import careaudit_env, run_careaudit, start_careaudit

pytestmark = pytest.mark.slow

PROMPTLY_S = 30  # dbt's grace after SIGINT (10 s), twice at worst, and careaudit's own exit


def dbt_build_of(refresh: subprocess.Popen, timeout_s: float = 300) -> psutil.Process:
    """Wait until the refresh has started `dbt build` (dbt itself, past careaudit-dbt)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and refresh.poll() is None:
        for child in psutil.Process(refresh.pid).children(recursive=True):
            try:
                command = child.cmdline()
            except psutil.Error:
                continue
            if len(command) > 2 and command[1].endswith("/bin/dbt") and command[2] == "build":
                return child
        time.sleep(0.05)
    raise AssertionError(f"no dbt build started (refresh exit code {refresh.poll()})")


def live_group_members(pgid: int, within_s: float = 5.0) -> list[str]:
    """Processes of the group still alive (zombies wait for their parent to reap them)."""
    deadline = time.monotonic() + within_s
    while True:
        members = []
        for process in psutil.process_iter(["status", "cmdline"]):
            try:
                if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                    members.append(" ".join(process.info["cmdline"] or []))
            except (psutil.Error, ProcessLookupError):
                continue
        if not members or time.monotonic() > deadline:
            return members
        time.sleep(0.05)


def run_statuses(data_dir: Path) -> list[str]:
    os.environ["DAGSTER_HOME"] = str(data_dir / "dagster_home")
    try:
        with dg.DagsterInstance.get() as instance:
            return sorted(run.status.value for run in instance.get_runs())
    finally:
        del os.environ["DAGSTER_HOME"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_refresh_stops_dbt_says_so_and_the_next_one_completes(tmp_path, signum):
    data_dir = tmp_path / "data"
    env = careaudit_env()
    refresh = start_careaudit(
        "refresh", "--data-dir", str(data_dir), env=env, stdout=subprocess.DEVNULL
    )
    dbt = dbt_build_of(refresh)
    assert os.getpgid(dbt.pid) == dbt.pid != os.getpgid(refresh.pid)  # a group of its own

    sent = time.monotonic()
    refresh.send_signal(signum)
    _, stderr = refresh.communicate(timeout=PROMPTLY_S + 30)

    name = signal.Signals(signum).name
    assert time.monotonic() - sent < PROMPTLY_S
    assert refresh.returncode == 128 + signum
    assert stderr == (
        f"careaudit refresh: stopped by {name} before it finished: nothing it started is still "
        "running, and the warehouse is as the last completed step left it (run it again to "
        "finish).\n"
    )
    assert live_group_members(dbt.pid) == []
    assert run_statuses(data_dir) == ["FAILURE"]

    result = run_careaudit("refresh", "--data-dir", str(data_dir), env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert run_statuses(data_dir) == ["FAILURE", "SUCCESS"]
