"""The open-data release is gated: its candidate's blocking checks run first, and a candidate
holding a count from 1 to 5 (or breaking the EES standard) fails the run before anything is
published; a clean candidate is moved into publish/open_data/."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from orchestration.publish.open_data_release import CANDIDATE, RELEASE, build_open_data_assets
from orchestration.resources import CareauditResource
from orchestration.settings import Settings
from tests.publish.test_ees import ROWS, write
from tests.support import default_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return default_settings(tmp_path / "data")


def release(settings: Settings) -> dg.ExecuteInProcessResult:
    """Run the candidate's checks and the release (not the candidate: it is already staged)."""
    return dg.materialize(
        build_open_data_assets(["rpt_metric_breakdowns"]),
        selection=dg.AssetSelection.checks_for_assets(CANDIDATE)
        | dg.AssetSelection.assets(RELEASE),
        resources={"careaudit": CareauditResource.from_settings(settings)},
        raise_on_error=False,
    )


def staged(settings: Settings, rows) -> Path:
    directory = settings.staging_dir / "open_data"
    directory.mkdir(parents=True)
    return write(directory, rows=rows)


def published(settings: Settings) -> dict[str, str]:
    directory = settings.publish_dir / "open_data"
    return {p.name: p.read_text() for p in sorted(directory.glob("*.csv"))}


def test_a_clean_candidate_is_released(settings):
    staged(settings, ROWS)
    result = release(settings)
    assert result.success
    assert set(published(settings)) == {
        "care_plan_audit_metrics.csv",
        "care_plan_audit_metrics.meta.csv",
    }
    assert not list((settings.staging_dir / "open_data").glob("*.csv"))  # moved, not copied


@pytest.mark.parametrize(
    ("change", "failing_check"),
    [
        ({"audit_count": "4"}, "no_count_from_1_to_5"),
        ({"audit_percent": ""}, "meets_ees_open_data_standard"),
    ],
)
def test_a_candidate_that_fails_a_check_is_not_released(settings, change, failing_check):
    staged(settings, ROWS)
    assert release(settings).success
    before = published(settings)
    shutil.rmtree(settings.staging_dir)
    staged(settings, [{**ROWS[0], **change}, *ROWS[1:]])

    result = release(settings)

    assert not result.success
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations[failing_check] is False
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert RELEASE not in materialized
    assert published(settings) == before  # the public files are the last good release
