"""A release is all or nothing: data/publish switches in one rename from one complete release
to the next, a run that wrote only some outputs carries the others over unchanged, a release
that would mix warehouses is refused with nothing changed, readers holding old files keep
them, and the version check names every way a release can disagree with its manifest."""

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.publish.manifest import MANIFEST, OUTPUTS, release_problems
from orchestration.lib.publish.release import (
    KEPT_PREVIOUS_RELEASES,
    ReleaseError,
    publish_release,
    staging_dir,
)
from orchestration.settings import Settings
from tests.publish.releases import audits_seen, stage_outputs
from tests.support import default_settings

NOW = datetime(2024, 5, 2, 6, 0, tzinfo=UTC)
OLD, NEW = 79, 89


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return default_settings(tmp_path / "data")


def release(
    settings: Settings,
    run_id: str,
    data_version: str,
    audits: int,
    outputs: tuple[str, ...] = OUTPUTS,
    at: datetime = NOW,
    in_progress: tuple[str, ...] = (),
) -> dict:
    stage_outputs(settings, run_id, data_version, audits, outputs)
    return publish_release(settings, run_id, data_version, [run_id, *in_progress], at)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_a_release_publishes_every_output_at_the_paths_users_know(settings):
    manifest = release(settings, "run-1", "run-1", OLD)

    publish = settings.publish_dir
    assert publish.is_symlink()
    assert publish.resolve() == settings.releases_dir / manifest["release"]
    assert audits_seen(publish) == dict.fromkeys(audits_seen(publish), OLD)
    assert release_problems(publish) == []
    written = json.loads((publish / MANIFEST).read_text())
    assert (written["run_id"], written["data_version"]) == ("run-1", "run-1")
    assert set(written["outputs"]) == set(OUTPUTS)
    assert written["files"]["internal/metrics.csv"]["rows"] == 1
    assert written["files"]["reporting.duckdb"]["rows"] == {"metrics": 1}
    assert not staging_dir(settings, "run-1").exists()  # nothing left behind


def test_a_reader_holding_the_database_keeps_reading_it_across_the_switch(settings):
    release(settings, "run-1", "run-1", OLD)
    held = duckdb.connect()
    held.execute("attach ? as bi (read_only)", [str(settings.publish_dir / "reporting.duckdb")])

    release(settings, "run-2", "run-2", NEW, at=NOW + timedelta(days=30))

    assert held.execute("select numerator from bi.metrics").fetchone() == (OLD,)
    assert audits_seen(settings.publish_dir)["reporting.duckdb"] == NEW  # a new reader
    held.close()


def test_outputs_a_run_did_not_write_are_carried_over_unchanged(settings):
    first = release(settings, "run-1", "warehouse-1", OLD)
    internal = (settings.publish_dir / "internal" / "metrics.csv").stat()

    # The report re-made in the UI from the same warehouse: the rest comes from the release.
    second = release(settings, "run-2", "warehouse-1", OLD, ("annual_report",), NOW + timedelta(1))

    assert settings.publish_dir.resolve().name == second["release"]
    assert (settings.publish_dir / "internal" / "metrics.csv").stat().st_ino == internal.st_ino
    assert second["outputs"]["annual_report"]["carried_over_from"] is None
    for name in set(OUTPUTS) - {"annual_report"}:
        assert second["outputs"][name] == {
            **first["outputs"][name],
            "carried_over_from": first["release"],
        }
    assert release_problems(settings.publish_dir) == []


def test_a_release_that_would_mix_warehouses_is_refused_and_nothing_changes(settings):
    release(settings, "run-1", "warehouse-1", OLD)
    before = snapshot(settings.publish_dir)
    current = settings.publish_dir.resolve()

    # The warehouse was rebuilt, then only the report re-made: it would say 89, the rest 79.
    with pytest.raises(ReleaseError) as refused:
        release(settings, "run-2", "warehouse-2", NEW, ("annual_report",), NOW + timedelta(1))

    assert "internal_files was made from the warehouse of run warehouse-1" in str(refused.value)
    assert "the last one stays in place" in str(refused.value)
    assert settings.publish_dir.resolve() == current
    assert snapshot(settings.publish_dir) == before


def test_a_first_release_needs_every_output(settings):
    with pytest.raises(ReleaseError, match="did not write open_data, and nothing is published"):
        release(settings, "run-1", "run-1", OLD, ("internal_files", "reporting_database"))
    assert not settings.publish_dir.exists()


def test_a_publish_folder_from_before_releases_becomes_the_previous_release(settings):
    legacy = settings.publish_dir / "internal" / "metrics.csv"
    legacy.parent.mkdir(parents=True)
    legacy.write_text("metric_id,numerator\naudits_completed,79\n")
    with legacy.open() as held:  # a spreadsheet with the old file open
        release(settings, "run-1", "run-1", NEW)
        assert held.read() == "metric_id,numerator\naudits_completed,79\n"

    assert audits_seen(settings.publish_dir)["internal csv"] == NEW
    [kept] = [p for p in settings.releases_dir.iterdir() if p.name.endswith("before_releases")]
    assert (kept / "internal" / "metrics.csv").read_text().endswith(",79\n")


def test_the_current_and_the_previous_releases_are_kept_and_the_rest_deleted(settings):
    names = [
        release(settings, f"run-{n}", f"run-{n}", OLD + n, at=NOW + timedelta(days=n))["release"]
        for n in range(6)
    ]
    (staging_dir(settings, "killed") / "release").mkdir(parents=True)
    (staging_dir(settings, "running") / "release").mkdir(parents=True)

    release(settings, "run-6", "run-6", NEW, at=NOW + timedelta(days=6), in_progress=("running",))

    kept = sorted(p.name for p in settings.releases_dir.iterdir())
    assert kept[:-1] == names[-KEPT_PREVIOUS_RELEASES:]
    assert settings.publish_dir.resolve().name == kept[-1]
    assert sorted(p.name for p in settings.staging_dir.iterdir()) == ["running"]


def _rewrite(path: Path) -> None:
    path.write_text(path.read_text().replace("79", "89"))


def _remove(path: Path) -> None:
    path.unlink()


def _add_beside(path: Path) -> None:
    path.with_name("stray.csv").write_text("a\n1\n")


def _other_database(path: Path) -> None:
    with duckdb.connect() as con:
        con.execute("attach ? as published", [str(path)])
        con.execute("update published.publication set data_version = 'warehouse-2'")


def _other_version_in_manifest(path: Path) -> None:
    manifest = json.loads(path.read_text())
    manifest["outputs"]["open_data"]["data_version"] = "warehouse-2"
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("file", "tamper", "problem"),
    [
        ("internal/metrics.csv", _rewrite, "internal/metrics.csv has changed since it was"),
        ("open_data/metrics.csv", _remove, "open_data/metrics.csv is listed in release.json but"),
        ("internal/metrics.csv", _add_beside, "internal/stray.csv is not in release.json"),
        (
            "reporting.duckdb",
            _other_database,
            "reporting.duckdb carries data version warehouse-2, its output warehouse-1",
        ),
        (
            MANIFEST,
            _other_version_in_manifest,
            "open_data was made from the warehouse of run warehouse-2, the rest of the release "
            "from run warehouse-1",
        ),
    ],
)
def test_the_version_check_names_what_disagrees_with_the_manifest(settings, file, tamper, problem):
    release(settings, "run-1", "warehouse-1", OLD)
    assert release_problems(settings.publish_dir) == []

    tamper(settings.publish_dir / file)

    assert problem in "\n".join(release_problems(settings.publish_dir))


def test_the_version_check_reads_the_version_inside_the_report_and_parquet(settings):
    release(settings, "run-1", "warehouse-1", OLD)
    report = settings.publish_dir / "report" / "care_plan_audit_2022.html"
    report.write_text(report.read_text().replace("warehouse-1", "warehouse-0"))
    parquet = settings.publish_dir / "internal" / "metrics.parquet"
    os.remove(parquet)
    with duckdb.connect() as con:
        con.execute(
            f"copy (select 'audits_completed' as metric_id, 79 as numerator) to '{parquet}' "
            "(format parquet, kv_metadata {careaudit_data_version: 'warehouse-0'})"
        )

    problems = "\n".join(release_problems(settings.publish_dir))

    assert "care_plan_audit_2022.html carries data version warehouse-0" in problems
    assert "internal/metrics.parquet carries data version warehouse-0" in problems
