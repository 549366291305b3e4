"""The run history careaudit's instance keeps: Dagster's SQLite event log written through
open connections (orchestration/cli/event_log_storage.py), with everything Dagster records still
recorded and readable, and a data dir's earlier history carried over."""

import time
from pathlib import Path

import dagster as dg

from orchestration.cli.event_log_storage import CareauditEventLogStorage
from orchestration.cli.instance import dagster_yaml, open_instance, prepare_instance

FILES = dg.DynamicPartitionsDefinition(name="files")
TABLES = ("submissions", "answers")
NAMES = [f"E10000014/2022-{month:02d}.csv" for month in range(1, 13)]


@dg.multi_asset(
    specs=[dg.AssetSpec(key=dg.AssetKey(["raw", table])) for table in TABLES],
    partitions_def=FILES,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def loaded(context: dg.AssetExecutionContext):
    for table in TABLES:
        yield dg.MaterializeResult(asset_key=dg.AssetKey(["raw", table]), metadata={"rows": 1})


@dg.asset(deps=[dg.AssetKey(["raw", "answers"])])
def counted() -> None:
    """Downstream of the raw tables, with a check, as the dbt models are."""


@dg.asset_check(asset=counted)
def counted_is_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


JOB = dg.define_asset_job("refresh", selection="*")
DEFS = dg.Definitions(assets=[loaded, counted], asset_checks=[counted_is_positive], jobs=[JOB])


def _run_over_every_file(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    instance.add_dynamic_partitions(FILES.name, NAMES)
    return DEFS.resolve_job_def("refresh").execute_in_process(
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": NAMES[0],
            "dagster/asset_partition_range_end": NAMES[-1],
        },
    )


def _events(instance: dg.DagsterInstance, run_id: str, kind: dg.DagsterEventType) -> list:
    return [
        e for e in instance.all_logs(run_id) if e.dagster_event and e.dagster_event_type == kind
    ]


def test_a_run_is_recorded_whole_every_partition_materialised(tmp_path: Path):
    with open_instance(tmp_path) as instance:
        assert isinstance(instance.event_log_storage, CareauditEventLogStorage)
        result = _run_over_every_file(instance)
        assert result.success
        for table in TABLES:
            key = dg.AssetKey(["raw", table])
            assert instance.get_materialized_partitions(key) == set(NAMES)
        assert instance.get_latest_materialization_event(dg.AssetKey("counted")) is not None
        checks = _events(instance, result.run_id, dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        assert [c.dagster_event.event_specific_data.passed for c in checks] == [True]
        assert instance.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.SUCCESS


def test_a_run_over_many_files_plans_each_asset_once_not_once_per_file(tmp_path: Path):
    with open_instance(tmp_path) as instance:
        result = _run_over_every_file(instance)
        planned = _events(
            instance, result.run_id, dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
        )
        assert len(planned) == len(TABLES) + 1  # the raw tables for every file, and counted
        range_planned = [
            e.dagster_event.event_specific_data.partitions_subset
            for e in planned
            if e.dagster_event.asset_key.path[0] == "raw"
        ]
        assert all(set(subset.get_partition_keys()) == set(NAMES) for subset in range_planned)


def test_a_data_dirs_earlier_run_history_carries_over(tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    earlier_yaml = "# Written by careaudit: a local instance under the data dir.\n"
    (home / "dagster.yaml").write_text(earlier_yaml)  # Dagster's own SQLite event log
    with dg.DagsterInstance.from_config(str(home)) as instance:
        earlier = _run_over_every_file(instance).run_id

    assert prepare_instance(tmp_path) == home
    assert (home / "dagster.yaml").read_text() == dagster_yaml(home)
    with open_instance(tmp_path) as instance:
        assert instance.get_run_by_id(earlier) is not None
        materialised = _events(instance, earlier, dg.DagsterEventType.ASSET_MATERIALIZATION)
        assert len(materialised) == len(TABLES) * len(NAMES) + 1
        later = _run_over_every_file(instance).run_id
        assert {r.run_id for r in instance.get_runs()} == {earlier, later}


def test_an_operators_own_dagster_yaml_is_left_as_it_is(tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    prepare_instance(tmp_path)
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"


def test_a_watcher_sees_a_runs_new_events_as_they_are_written(tmp_path: Path):
    """How the UI follows a running run: its database file changes only at checkpoints now,
    so the watcher polls rather than waits for the file to change."""
    with open_instance(tmp_path) as instance:
        run_id = _run_over_every_file(instance).run_id
        seen: list[str] = []

        def follow(event: object, _cursor: str) -> None:
            seen.append(event.message)  # type: ignore[attr-defined]

        instance.event_log_storage.watch(run_id, None, follow)
        instance.report_engine_event("a later event", instance.get_run_by_id(run_id))
        deadline = time.monotonic() + 10
        while "a later event" not in seen and time.monotonic() < deadline:
            time.sleep(0.1)
        instance.event_log_storage.end_watch(run_id, follow)
        assert "a later event" in seen
