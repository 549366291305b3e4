"""The Dagster instance careaudit runs in: where it lives, how it is configured, and recovery of
runs whose process died.

Warehouse writers share a concurrency pool of one slot. A run killed outright (SIGKILL, power
cut) can never release its slot, so before each CLI refresh, runs recorded as started by a
careaudit process that no longer exists are marked failed and their slots freed. Runs the
Dagster daemon launches are watched by its run monitoring instead (enabled below).
"""

import os
import socket
from pathlib import Path

import dagster as dg

DAGSTER_YAML = """\
# Written by careaudit: a local instance under the data dir, so run history survives restarts.
telemetry:
  enabled: false
# DuckDB allows one writer: steps that write the warehouse share a pool of one slot.
concurrency:
  pools:
    default_limit: 1
    granularity: op
# The daemon marks runs whose worker died as failed and frees their pool slots.
run_monitoring:
  enabled: true
  free_slots_after_run_end_seconds: 0
"""

OWNER_HOST_TAG = "careaudit/host"
OWNER_PID_TAG = "careaudit/pid"


def prepare_dagster_home(dagster_home: Path) -> None:
    """Use the DAGSTER_HOME the environment gives (a shared, e.g. Postgres-backed, instance);
    otherwise create one under the data dir and point DAGSTER_HOME at it."""
    if os.environ.get("DAGSTER_HOME"):
        return
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(dagster_home)


def run_owner_tags() -> dict[str, str]:
    """Tags naming the process that runs a CLI refresh, so a dead one can be recognised."""
    return {OWNER_HOST_TAG: socket.gethostname(), OWNER_PID_TAG: str(os.getpid())}


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark CLI runs of this host whose process has died as failed and free their pool slots.
    Returns their run ids."""
    recovered = []
    in_progress = dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
        tags={OWNER_HOST_TAG: socket.gethostname()},
    )
    for run in instance.get_runs(filters=in_progress):
        pid = run.tags.get(OWNER_PID_TAG, "")
        if pid.isdigit() and not _process_exists(int(pid)):
            instance.report_run_failed(run, "The careaudit process running it stopped.")
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            recovered.append(run.run_id)
    return recovered
