"""The landing-folder sensor starts one run per new or changed export, keyed by the file's
content hash, and never for a file that is still being written."""

import hashlib
import json
import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import dagster as dg
import pytest

from orchestration.definitions import REFRESH_JOB, build_definitions
from orchestration.defs.automation import build_refresh_schedule
from orchestration.settings import AutomationSettings, Settings
from tests.exports import answered_audit, write_export

SETTLE_SECONDS = 1.0


def export(path: Path, audits: int, **cells: str) -> Path:
    """An export of `audits` complete 2023-form audits."""
    rows = [answered_audit("2023", n, **cells) for n in range(1, audits + 1)]
    return write_export(path, rows, "2023")


def sensor_for(landing: Path, tmp_path: Path) -> tuple[dg.SensorDefinition, dg.Definitions]:
    """The landing sensor of the code location built for this landing folder."""
    settings = replace(Settings.from_env(), landing_dir=landing, data_dir=tmp_path)
    automation = AutomationSettings("0 6 2 * *", "Europe/London", SETTLE_SECONDS)
    defs = build_definitions(settings, automation)
    return defs.resolve_sensor_def("landing_folder_sensor"), defs


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def evaluate(
    sensor: tuple[dg.SensorDefinition, dg.Definitions],
    cursor: str | None,
    instance: dg.DagsterInstance,
) -> tuple[list[dg.RunRequest], str]:
    """One sensor tick, applying the partitions it asks for as the daemon would."""
    definition, defs = sensor
    context = dg.build_sensor_context(
        instance=instance, instance_ref=instance.get_ref(), cursor=cursor, definitions=defs
    )
    result = definition.evaluate_tick(context)
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return list(result.run_requests or []), result.cursor


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_slowly(source: bytes, target: Path, chunks: int = 5, pause: float = 0.6) -> None:
    """Write a file in chunks with pauses, like a copy over a slow network share."""
    size = len(source) // chunks + 1
    with target.open("wb") as f:
        for start in range(0, len(source), size):
            f.write(source[start : start + size])
            f.flush()
            time.sleep(pause)


def test_three_files_give_exactly_three_runs_and_none_on_a_partial_file(tmp_path, instance):
    landing = tmp_path / "landing"
    staging = tmp_path / "staging"
    export(landing / "2023-05.csv", 2)
    export(landing / "2023-06.csv", 3)
    slow_source = export(staging / "2023-07.csv", 40)
    sensor = sensor_for(landing, tmp_path)

    writer = threading.Thread(
        target=write_slowly, args=(slow_source.read_bytes(), landing / "2023-07.csv")
    )
    writer.start()
    requested: dict[str, dg.RunRequest] = {}
    partial_hashes: set[str] = set()
    cursor = None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if writer.is_alive() and (landing / "2023-07.csv").exists():
            partial_hashes.add(sha256(landing / "2023-07.csv"))
        requests, cursor = evaluate(sensor, cursor, instance)
        for request in requests:
            requested.setdefault(request.run_key, request)  # Dagster runs a run key once
        if not writer.is_alive() and len(requested) == 3:
            break
        time.sleep(0.05)  # evaluations come faster than the writer's chunks
    writer.join()

    finals = {
        sha256(landing / name): name for name in ("2023-05.csv", "2023-06.csv", "2023-07.csv")
    }
    assert set(requested) == set(finals)
    assert {r.tags["careaudit/landed_file"] for r in requested.values()} == set(finals.values())
    assert not (partial_hashes - set(finals)) & set(requested)


def test_a_changed_file_starts_a_new_run_and_an_unchanged_one_does_not(tmp_path, instance):
    landing = tmp_path / "landing"
    landed = export(landing / "2023-05.csv", 2)
    sensor = sensor_for(landing, tmp_path)
    old = time.time() - 60
    os.utime(landed, (old, old))
    _, cursor = evaluate(sensor, None, instance)  # first sight: remembered, not yet trusted
    first, cursor = evaluate(sensor, cursor, instance)
    again, cursor = evaluate(sensor, cursor, instance)
    assert [r.run_key for r in first] == [sha256(landed)]
    assert [r.run_key for r in again] == [sha256(landed)]  # same key: Dagster will not rerun

    export(landed, 3, midpoint_check="No")
    os.utime(landed, (old + 1, old + 1))
    _, cursor = evaluate(sensor, cursor, instance)
    changed, _ = evaluate(sensor, cursor, instance)
    assert [r.run_key for r in changed] == [sha256(landed)] != [r.run_key for r in first]


def test_part_and_hidden_files_are_not_exports(tmp_path, instance):
    landing = tmp_path / "landing"
    export(landing / "2023-05.csv.part", 1)
    export(landing / ".2023-06.csv", 1)
    sensor = sensor_for(landing, tmp_path)
    _, cursor = evaluate(sensor, None, instance)
    time.sleep(SETTLE_SECONDS)
    requests, cursor = evaluate(sensor, cursor, instance)
    assert requests == []
    assert json.loads(cursor) == {}


def test_the_monthly_schedule_runs_the_whole_refresh_at_six_on_the_second_in_london(
    monkeypatch, tmp_path, instance
):
    monkeypatch.delenv("CAREAUDIT_REFRESH_CRON", raising=False)
    schedule = build_definitions(Settings.from_env()).resolve_schedule_def("monthly_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 2 * *", "Europe/London")
    assert schedule.job_name == REFRESH_JOB

    monkeypatch.setenv("CAREAUDIT_REFRESH_CRON", "30 5 3 * *")
    schedule = build_definitions(Settings.from_env()).resolve_schedule_def("monthly_refresh")
    assert schedule.cron_schedule == "30 5 3 * *"


def test_the_scheduled_run_covers_every_landed_file_in_one_run(tmp_path, instance):
    landing = tmp_path / "landing"
    for month in ("2023-05", "2023-06", "2023-07"):
        export(landing / f"{month}.csv", 1)
    settings = replace(Settings.from_env(), landing_dir=landing, data_dir=tmp_path)
    automation = AutomationSettings("0 6 2 * *", "Europe/London", SETTLE_SECONDS)
    schedule = build_refresh_schedule(REFRESH_JOB, settings, automation)

    [request] = schedule.evaluate_tick(dg.build_schedule_context(instance=instance)).run_requests

    assert instance.get_dynamic_partitions("landed_files") == [
        "2023-05.csv",
        "2023-06.csv",
        "2023-07.csv",
    ]
    assert request.tags["dagster/asset_partition_range_start"] == "2023-05.csv"
    assert request.tags["dagster/asset_partition_range_end"] == "2023-07.csv"
