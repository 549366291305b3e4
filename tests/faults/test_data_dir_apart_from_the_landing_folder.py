"""A data dir inside the landing folder, a landing folder inside the data dir, or one folder for
both is refused before anything is ingested: by `careaudit refresh` up front, and by the ingest
asset for runs the UI, schedule or sensor start. (A data dir inside the landing folder used to
ingest its own outputs on the next refresh, and move published files into the quarantine.)"""

from dataclasses import replace
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.alerts import root_cause
from orchestration.defs.ingest import ingest_audit_extracts
from orchestration.defs.partitions import LANDED_FILES
from orchestration.defs.resources import careaudit_resource
from tests.exports import answered_audit, write_export
from tests.support import careaudit_env, default_settings, refresh_landing

KEY = "test-key-not-secret"
WHAT_TO_DO = (
    ": give careaudit a data dir outside the landing folder (--data-dir or CAREAUDIT_DATA_DIR) "
    "and a landing folder outside the data dir; nothing was ingested"
)


def layouts(root: Path) -> dict[str, tuple[Path, Path, str]]:
    """(landing folder, data dir, why refused) of each overlapping layout."""
    return {
        "data dir inside the landing folder": (
            root / "exports",
            root / "exports" / "careaudit",
            f"the data dir {root}/exports/careaudit is inside the landing folder "
            f"{root}/exports, so a refresh would ingest its own outputs (archive copies, "
            "published CSV files)",
        ),
        "landing folder inside the data dir": (
            root / "careaudit" / "exports",
            root / "careaudit",
            f"the landing folder {root}/careaudit/exports is inside the data dir "
            f"{root}/careaudit, where careaudit writes, archives and quarantines its own files",
        ),
        "one folder for both": (
            root / "shared",
            root / "shared",
            f"the data dir and the landing folder are the same folder, {root}/shared, so a "
            "refresh would ingest its own outputs",
        ),
    }


LAYOUTS = list(layouts(Path("/")))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_careaudit_refresh_refuses_overlapping_folders_up_front(tmp_path, layout):
    landing, data_dir, why = layouts(tmp_path)[layout]
    export = write_export(landing / "2022-08.csv", [answered_audit("2022", 1)])
    before = sorted(tmp_path.rglob("*"))

    result = refresh_landing(
        landing,
        data_dir,
        env=careaudit_env(CAREAUDIT_PSEUDONYMISATION_KEY=KEY),
    )

    assert result.returncode == 2
    assert result.stderr == f"careaudit refresh: {why}{WHAT_TO_DO}.\n"
    assert sorted(tmp_path.rglob("*")) == before  # no warehouse, run history or log made
    assert export.is_file()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_ingest_asset_refuses_overlapping_folders_in_runs_the_ui_starts(tmp_path, layout):
    landing, data_dir, why = layouts(tmp_path)[layout]
    write_export(landing / "2022-08.csv", [answered_audit("2022", 1)])
    settings = replace(default_settings(data_dir), landing_dir=landing, pseudonymisation_key=KEY)

    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(LANDED_FILES.name, ["2022-08.csv"])
        result = dg.materialize(
            [ingest_audit_extracts],
            partition_key="2022-08.csv",
            resources={"careaudit": careaudit_resource(settings)},
            instance=instance,
            raise_on_error=False,
        )

    (failure,) = result.get_step_failure_events()
    assert root_cause(failure.step_failure_data.error) == (
        f"orchestration.lib.preflight.FoldersOverlapError: {why}{WHAT_TO_DO}"
    )
    assert not settings.warehouse_path.exists()
    assert not settings.archive_dir.exists()
