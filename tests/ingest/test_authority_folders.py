"""A hub loading many authorities: each top folder of the landing folder is named by the code of
the authority whose exports it holds (CAREAUDIT_AUTHORITY_FOLDERS=true)."""

import dataclasses
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.catalogue import load_catalogue
from orchestration.lib.ingest.landing import list_landing_folder
from orchestration.lib.ingest.run import ingest_files
from orchestration.paths import SAMPLE_EXTRACTS_DIR
from orchestration.settings import Settings
from tests.support import default_settings

SAMPLE = SAMPLE_EXTRACTS_DIR / "care_plan_audit_2022-08.csv"


def hub_settings(tmp_path: Path) -> Settings:
    settings = default_settings(tmp_path / "data")
    return dataclasses.replace(
        settings,
        landing_dir=tmp_path / "landing",
        pseudonymisation_key="test-key",
        authority_folders=True,
    )


def test_each_file_is_stamped_with_the_authority_its_folder_is_named_by(tmp_path: Path) -> None:
    settings = hub_settings(tmp_path)
    (settings.landing_dir / "W06000015").mkdir(parents=True)
    shutil.copy(SAMPLE, settings.landing_dir / "W06000015" / SAMPLE.name)

    [outcome] = ingest_files(settings, load_catalogue(), list_landing_folder(settings.landing_dir))

    assert outcome.status == "loaded"
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        stamped = con.execute(
            "select distinct la_code, source_file from raw.audit_submissions"
        ).fetchall()
    assert stamped == [("W06000015", f"W06000015/{SAMPLE.name}")]


def test_the_same_name_in_two_authorities_is_two_files(tmp_path: Path) -> None:
    """Different content under the same name in two folders: both load, each its own."""
    settings = hub_settings(tmp_path)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    for code, rows in (("E06000001", lines[:50]), ("E06000002", lines[:1] + lines[50:120])):
        (settings.landing_dir / code).mkdir(parents=True)
        (settings.landing_dir / code / "export.csv").write_text("".join(rows), encoding="utf-8")

    outcomes = ingest_files(settings, load_catalogue(), list_landing_folder(settings.landing_dir))

    assert {o.source_file: o.status for o in outcomes} == {
        "E06000001/export.csv": "loaded",
        "E06000002/export.csv": "loaded",
    }
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        counts = dict(
            con.execute("select la_code, count(*) from raw.audit_submissions group by 1").fetchall()
        )
    assert counts == {"E06000001": 49, "E06000002": 70}


@pytest.mark.parametrize("place", ["export.csv", "not-a-code/export.csv"])
def test_a_file_outside_an_authority_folder_is_refused_with_the_reason(
    tmp_path: Path, place: str
) -> None:
    settings = hub_settings(tmp_path)
    target = settings.landing_dir / place
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, target)

    [outcome] = ingest_files(settings, load_catalogue(), list_landing_folder(settings.landing_dir))

    assert outcome.status == "refused"
    assert "inside a folder of the landing folder named by its authority's code" in (
        outcome.note or ""
    )
    assert not target.exists()  # moved to the quarantine, nothing loaded


def test_without_authority_folders_every_file_is_the_configured_authority(tmp_path: Path) -> None:
    settings = dataclasses.replace(hub_settings(tmp_path), authority_folders=False)
    assert settings.la_code_for("E06000001/export.csv") == settings.la_code
    hub = hub_settings(tmp_path)
    assert hub.la_code_for("E06000001/2024/export.csv") == "E06000001"
    assert hub.la_code_for("export.csv") is None
