"""The scale mode of the sample generator: N audits over M months and K authorities, written as
a hub receives them, realistic and loadable."""

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from orchestration.lib.catalogue import load_catalogue
from orchestration.lib.ingest.landing import list_landing_folder
from orchestration.lib.ingest.run import ingest_files
from sample.scale import form_version_in, write_scale_exports
from tests.support import default_settings


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_one_export_per_authority_and_month_with_every_audit(tmp_path: Path) -> None:
    files = write_scale_exports(tmp_path, 3_000, 4, 3, last_month=dt.date(2023, 5, 1))

    assert len(files) == 12
    assert {p.parent.name for p in files} == {"E06900001", "E06900002", "E06900003"}
    assert {p.name for p in files} == {f"care_plan_audit_2023-0{m}.csv" for m in (2, 3, 4, 5)}
    rows = [row for path in files for row in _rows(path)]
    audits = {
        (p.parent.name, r["Child's ICS number"], r["Date of CLA review"])
        for p in files
        for r in _rows(p)
    }
    assert len(audits) == 3_000  # resubmissions are extra rows of the same audits
    assert 3_000 < len(rows) < 3_100


def test_each_month_is_written_on_its_form_version(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    [march, april] = write_scale_exports(tmp_path, 200, 2, 1, last_month=dt.date(2023, 4, 1))

    assert form_version_in(catalogue, dt.date(2023, 3, 1)) == "2022"
    assert form_version_in(catalogue, dt.date(2023, 4, 1)) == "2023"
    midpoint = catalogue.question("midpoint_check").header_for("2023")
    assert midpoint not in _rows(march)[0] and midpoint in _rows(april)[0]


def test_follow_ups_are_blank_when_the_skip_logic_does_not_ask_them(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    [export] = write_scale_exports(tmp_path, 2_000, 1, 1)
    trigger = catalogue.question("health_plan_on_ics").header_for("2023")
    follow_up = catalogue.question("health_plan_adequate").header_for("2023")
    rows = _rows(export)

    not_asked = [r for r in rows if r[trigger] != "Yes"]
    asked = [r for r in rows if r[trigger] == "Yes"]
    assert not_asked and all(r[follow_up] == "" for r in not_asked)
    answered = [r for r in asked if r[follow_up]]
    # Realistic, not uniform: most asked audits answer, a few leave it blank.
    assert 0.9 < len(answered) / len(asked) < 1.0


def test_the_same_seed_writes_the_same_bytes_and_a_later_month_alone_matches(
    tmp_path: Path,
) -> None:
    whole = write_scale_exports(tmp_path / "a", 500, 3, 2)
    latest = whole[0].name
    alone = write_scale_exports(tmp_path / "b", 500, 3, 2, only_months={dt.date(2025, 12, 1)})
    assert [p.name for p in alone] == [latest.replace(latest, "care_plan_audit_2025-12.csv")] * 2
    for path in alone:
        twin = tmp_path / "a" / path.parent.name / path.name
        assert path.read_bytes() == twin.read_bytes()


def test_the_exports_load_whole_as_a_hub_loads_them(tmp_path: Path) -> None:
    settings = dataclasses.replace(
        default_settings(tmp_path / "data"),
        landing_dir=tmp_path / "landing",
        pseudonymisation_key="test-key",
        authority_folders=True,
    )
    files = write_scale_exports(settings.landing_dir, 1_000, 2, 2)

    assert files
    outcomes = ingest_files(settings, load_catalogue(), list_landing_folder(settings.landing_dir))

    assert {o.status for o in outcomes} == {"loaded"}
    assert sum(o.rows_rejected for o in outcomes) == 0
    assert sum(o.warnings for o in outcomes) == 0
    assert sum(o.rows_loaded for o in outcomes) >= 1_000


def test_each_authority_writes_the_districts_the_reference_data_lists_for_it(
    tmp_path: Path,
) -> None:
    districts = load_catalogue().references["districts"]
    files = write_scale_exports(tmp_path, 2_000, 1, 3)

    for path in files:
        listed = {item.label for item in districts.of(path.parent.name)}
        assert all(item.is_synthetic for item in districts.of(path.parent.name))
        assert {row["District"] for row in _rows(path)} == listed


def test_more_authorities_than_the_reference_data_lists_are_refused(tmp_path: Path) -> None:
    listed = load_catalogue().references["districts"].synthetic_authorities()

    with pytest.raises(ValueError, match=f"lists {len(listed)} synthetic authorities"):
        write_scale_exports(tmp_path, 100, 1, len(listed) + 1)
