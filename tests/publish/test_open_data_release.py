"""The open-data release is gated: its candidate's blocking checks run first, and a candidate
holding a count from 1 to 5 (or breaking the EES standard) stops the run before anything is
published, so every public file stays as it was; a clean candidate is moved into the run's
release and published with the other outputs, carried over from the current release."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.publish.open_data import (
    CANDIDATE,
    RELEASE,
    build_open_data_assets,
    candidate_dir,
    candidate_version_path,
)
from orchestration.defs.publish.release import every_output_has_the_release_version, release
from orchestration.defs.publish.staging import RELEASE_ASSET, warehouse_version
from orchestration.defs.resources import CareauditResource, careaudit_resource
from orchestration.lib.publish.release import publish_release
from orchestration.settings import Settings
from tests.publish.releases import stage_outputs
from tests.publish.test_ees import ROWS, write
from tests.support import default_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return default_settings(tmp_path / "data")


@pytest.fixture
def instance() -> dg.DagsterInstance:
    """An instance in which a refresh built the warehouse and published a release of it."""
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


@pytest.fixture
def published(settings: Settings, instance: dg.DagsterInstance) -> str:
    """The warehouse, built by a run (its data version), and a release made from it."""

    @dg.asset(key=dg.AssetKey(["reporting", "rpt_metric_breakdowns"]))
    def rpt_metric_breakdowns() -> None:
        """Built by dbt in a refresh."""

    built = dg.materialize([rpt_metric_breakdowns], instance=instance)
    version = warehouse_version(instance, "unused")
    assert version == built.run_id
    stage_outputs(settings, "refresh", version, audits=79)
    publish_release(settings, "refresh", version, [], datetime.now(UTC))
    return version


def candidate(rows: list[dict[str, str]]) -> dg.AssetsDefinition:
    """The candidate as open_data_candidate leaves it: the files in the run's candidate folder
    and the data version they were made from."""

    @dg.asset(key=CANDIDATE)
    def open_data_candidate(context: dg.AssetExecutionContext, careaudit: CareauditResource):
        settings = careaudit.settings()
        directory = candidate_dir(settings, context.run.run_id)
        directory.mkdir(parents=True)
        write(directory, rows=rows)
        version = warehouse_version(context.instance, context.run.run_id)
        candidate_version_path(settings, context.run.run_id).write_text(version)

    return open_data_candidate


def refresh_open_data(
    settings: Settings, instance: dg.DagsterInstance, rows: list[dict[str, str]]
) -> dg.ExecuteInProcessResult:
    """The candidate, its checks, publish/open_data and publish/release, in one run."""
    _, *checks_and_release = build_open_data_assets(
        [dg.AssetKey(["reporting", "rpt_metric_breakdowns"])]
    )
    return dg.materialize(
        [candidate(rows), *checks_and_release, release, every_output_has_the_release_version],
        instance=instance,
        resources={"careaudit": careaudit_resource(settings)},
        raise_on_error=False,
    )


def public_files(settings: Settings) -> dict[str, bytes]:
    directory = settings.publish_dir
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_a_clean_candidate_is_released_with_the_other_outputs_carried_over(
    settings, instance, published
):
    before = public_files(settings)

    result = refresh_open_data(settings, instance, ROWS)

    assert result.success
    after = public_files(settings)
    assert {name for name in after if name.startswith("open_data/")} == {
        "open_data/care_plan_audit_metrics.csv",
        "open_data/care_plan_audit_metrics.meta.csv",
    }
    for name in ("internal/metrics.csv", "reporting.duckdb", "report/care_plan_audit_2022.html"):
        assert after[name] == before[name]  # carried over, the same data version
    [check] = result.get_asset_check_evaluations()[-1:]
    assert check.check_name == every_output_has_the_release_version.check_key.name
    assert check.passed
    assert not list(settings.staging_dir.iterdir())  # the candidate was moved, not copied


@pytest.mark.parametrize(
    ("change", "failing_check"),
    [
        ({"audit_count": "4"}, "no_count_from_1_to_5"),
        ({"audit_percent": ""}, "meets_ees_open_data_standard"),
    ],
)
def test_a_candidate_that_fails_a_check_publishes_nothing(
    settings, instance, published, change, failing_check
):
    before = public_files(settings)

    result = refresh_open_data(settings, instance, [{**ROWS[0], **change}, *ROWS[1:]])

    assert not result.success
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations[failing_check] is False
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert not materialized & {RELEASE, RELEASE_ASSET}
    assert public_files(settings) == before  # every public file is the last good release


def test_an_output_materialised_without_the_release_stops_and_says_what_to_select(
    settings, instance, published
):
    before = public_files(settings)
    _, *checks_and_open_data = build_open_data_assets(
        [dg.AssetKey(["reporting", "rpt_metric_breakdowns"])]
    )

    result = dg.materialize(
        [candidate(ROWS), *checks_and_open_data],
        instance=instance,
        resources={"careaudit": careaudit_resource(settings)},
        raise_on_error=False,
    )

    [failure] = result.get_step_failure_events()
    assert failure.step_key == "publish__open_data"
    assert (
        "publish/open_data is published by publish/release, which this run does not include: "
        'materialise them together (select key:"publish/open_data"+ in the UI)'
    ) in failure.step_failure_data.error.message
    assert public_files(settings) == before
