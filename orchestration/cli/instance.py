"""The Dagster instance careaudit runs in: where it lives, how it is configured, and recovery of
runs whose process died.

Warehouse writers share a concurrency pool of one slot. A run killed outright (SIGKILL, power
cut) can never release its slot, so before each CLI refresh, runs recorded as started by a
careaudit process that no longer exists are marked failed and their slots freed; a refresh
stopped by SIGTERM or SIGINT marks its own run failed before it exits. Runs the Dagster daemon
launches are watched by its run monitoring instead (enabled below).
"""

import json
import os
import socket
from pathlib import Path

import dagster as dg

MARKER = "# Written by careaudit"


def dagster_yaml(home: Path) -> str:
    """careaudit's dagster.yaml for the instance in `home`: its run history in SQLite under
    history/ as Dagster keeps it, written through orchestration/cli/event_log_storage.py (an
    event a write, not a file's round trip)."""
    return f"""\
{MARKER}: a local instance under the data dir, so run history survives restarts.
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
# Dagster's SQLite event log (history/runs/) with connections kept open: thousands of events
# a refresh, each a write to the WAL rather than a connection, a checkpoint and fsyncs.
event_log_storage:
  module: orchestration.cli.event_log_storage
  class: CareauditEventLogStorage
  config:
    base_dir: {json.dumps(str((home / "history" / "runs").resolve()))}
"""


OWNER_HOST_TAG = "careaudit/host"
OWNER_PID_TAG = "careaudit/pid"


def instance_home(data_dir: Path) -> Path:
    """Where the Dagster instance lives: the DAGSTER_HOME the environment gives (a shared, e.g.
    Postgres-backed, instance), else the data dir's own."""
    given = os.environ.get("DAGSTER_HOME")
    return Path(given) if given else data_dir / "dagster_home"


def prepare_instance(data_dir: Path) -> Path:
    """The instance's folder, with careaudit's dagster.yaml written into the data dir's own
    the first time, and again when careaudit's own file is out of date (an upgrade changed it,
    or the data dir moved); a given DAGSTER_HOME is the operator's, left as it is."""
    home = instance_home(data_dir)
    if not os.environ.get("DAGSTER_HOME"):
        home.mkdir(parents=True, exist_ok=True)
        config = home / "dagster.yaml"
        wanted = dagster_yaml(home)
        if not config.exists() or (
            config.read_text().startswith(MARKER) and config.read_text() != wanted
        ):
            config.write_text(wanted)
    return home


def open_instance(data_dir: Path) -> dg.DagsterInstance:
    """The instance of this data dir (prepared first)."""
    return dg.DagsterInstance.from_config(str(prepare_instance(data_dir)))


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


def _fail(instance: dg.DagsterInstance, run: dg.DagsterRun, message: str) -> None:
    """Mark a run failed and free the pool slots it holds."""
    instance.report_run_failed(run, message)
    instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)


def _unfinished_runs_of_this_host(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    unfinished = dg.RunsFilter(
        statuses=[
            dg.DagsterRunStatus.NOT_STARTED,
            dg.DagsterRunStatus.STARTING,
            dg.DagsterRunStatus.STARTED,
        ],
        tags={OWNER_HOST_TAG: socket.gethostname()},
    )
    return list(instance.get_runs(filters=unfinished))


def recover_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark CLI runs of this host whose process has died as failed and free their pool slots.
    Returns their run ids."""
    recovered = []
    for run in _unfinished_runs_of_this_host(instance):
        pid = run.tags.get(OWNER_PID_TAG, "")
        if pid.isdigit() and not _process_exists(int(pid)):
            _fail(instance, run, "The careaudit process running it stopped.")
            recovered.append(run.run_id)
    return recovered


def fail_runs_of_this_process(instance: dg.DagsterInstance, message: str) -> list[str]:
    """Mark the runs this process started and has not finished as failed, freeing their
    slots: a refresh stopped by a signal records its run as failed there and then, rather
    than leaving it started until the next refresh recovers it. Returns their run ids."""
    own = [
        r
        for r in _unfinished_runs_of_this_host(instance)
        if r.tags.get(OWNER_PID_TAG) == str(os.getpid())
    ]
    for run in own:
        _fail(instance, run, message)
    return [run.run_id for run in own]
