"""A refresh with nothing new does nothing, and anything that would change an output counts as
new: a file landed or corrected, a setting, the code, the dbt project or catalogue, the team's
commentary, or another writer (a run from the UI, a withdrawal, a refresh killed half-way)
having written the warehouse or switched the release."""

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from orchestration.lib import refresh_state
from orchestration.lib.catalogue import load_catalogue
from orchestration.lib.ingest.landing import list_landing_folder
from orchestration.lib.ingest.run import ingest_files
from orchestration.lib.refresh_state import nothing_new_since, project_fingerprint, record_completed
from orchestration.settings import Settings
from tests.exports import audit, write_export
from tests.support import default_settings


@pytest.fixture
def completed(tmp_path: Path) -> Settings:
    """A data dir as a completed refresh leaves it: a loaded file, a release, a commentary."""
    settings = replace(
        default_settings(tmp_path / "data"),
        landing_dir=tmp_path / "landing",
        pseudonymisation_key="test-key",
    )
    write_export(settings.landing_dir / "2022-08.csv", [audit(child_id="ICS0001")])
    ingest_files(settings, load_catalogue(), list_landing_folder(settings.landing_dir))
    (settings.data_dir / "releases" / "r1").mkdir(parents=True)
    settings.publish_dir.symlink_to(Path("releases") / "r1")
    settings.commentary_dir.mkdir()
    (settings.commentary_dir / "care_plan_audit_2022.md").write_text("## Background\n")
    record_completed(settings, project_fingerprint(settings))
    return settings


def test_nothing_new_since_the_last_completed_refresh_is_said_with_its_time(
    completed: Settings,
) -> None:
    since = nothing_new_since(completed)

    assert since is not None and since.endswith(" UTC")


def test_without_a_completed_refresh_there_is_work_to_do(tmp_path: Path) -> None:
    settings = replace(default_settings(tmp_path / "data"), landing_dir=tmp_path / "landing")
    settings.landing_dir.mkdir()

    assert nothing_new_since(settings) is None


Change = Callable[[Settings], Settings]


def land_a_new_file(settings: Settings) -> Settings:
    write_export(settings.landing_dir / "2022-09.csv", [audit(child_id="ICS0002")])
    return settings


def correct_a_loaded_file(settings: Settings) -> Settings:
    write_export(settings.landing_dir / "2022-08.csv", [audit(child_id="ICS0003")])
    return settings


def change_a_setting(settings: Settings) -> Settings:
    return replace(settings, percent_rounding="truncate")


def edit_the_commentary(settings: Settings) -> Settings:
    (settings.commentary_dir / "care_plan_audit_2022.md").write_text("## Background\nNew.\n")
    return settings


def write_the_warehouse(settings: Settings) -> Settings:
    """What a run from the UI, a withdrawal, or a refresh killed after ingest leaves."""
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("create table raw.written_by_another_run as select 1 as x")
    return settings


def switch_the_release(settings: Settings) -> Settings:
    (settings.data_dir / "releases" / "r2").mkdir()
    settings.publish_dir.unlink()
    settings.publish_dir.symlink_to(Path("releases") / "r2")
    return settings


@pytest.mark.parametrize(
    "change",
    [
        land_a_new_file,
        correct_a_loaded_file,
        change_a_setting,
        edit_the_commentary,
        write_the_warehouse,
        switch_the_release,
    ],
)
def test_anything_that_would_change_an_output_is_work_to_do(
    completed: Settings, change: Change
) -> None:
    changed = change(completed)

    assert nothing_new_since(changed) is None


def test_a_change_to_the_code_or_dbt_project_is_work_to_do(
    completed: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "project" / "fct_metrics.sql"
    model.parent.mkdir()
    model.write_text("select 1")
    monkeypatch.setattr(refresh_state, "PROJECT_SOURCES", (model.parent,))
    monkeypatch.setattr(refresh_state, "REPO_ROOT", tmp_path)
    record_completed(completed, project_fingerprint(completed))
    assert nothing_new_since(completed) is not None

    model.write_text("select 2")

    assert nothing_new_since(completed) is None


def test_a_file_refused_as_it_is_is_not_work_to_do(completed: Settings) -> None:
    (completed.landing_dir / "notes.txt").write_text("not an export")
    ingest_files(completed, load_catalogue(), list_landing_folder(completed.landing_dir))
    (completed.landing_dir / "notes.txt").write_text("not an export")  # landed again, as it was
    record_completed(completed, project_fingerprint(completed))

    assert nothing_new_since(completed) is not None
