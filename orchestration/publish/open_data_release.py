"""The open-data release as Dagster assets: a candidate written to the staging folder, two
blocking checks on the candidate's files (the EES open data standard; no count from 1 to 5),
and the release, which moves the checked files into publish/open_data/. A failed check stops
the release in the same run, so the public files stay as they were."""

import os
from pathlib import Path

import dagster as dg

from orchestration.progress import report
from orchestration.publish.ees import Problem, meta_path, open_data_files, small_counts, validate
from orchestration.publish.exposures import model_keys
from orchestration.publish.open_data import build_release, write_release
from orchestration.resources import WAREHOUSE_POOL, CareauditResource
from orchestration.settings import Settings

CANDIDATE = dg.AssetKey(["publish", "open_data_candidate"])
RELEASE = dg.AssetKey(["publish", "open_data"])
EXPOSURE = "open_data_release"
OWNERS = ["team:careaudit-data"]
MAX_LISTED_PROBLEMS = 50


def candidate_dir(settings: Settings) -> Path:
    return settings.staging_dir / "open_data"


def release_dir(settings: Settings) -> Path:
    return settings.publish_dir / "open_data"


def _check_result(problems: list[Problem], files: list[Path], passed: str) -> dg.AssetCheckResult:
    if not files:
        problems = [Problem("open data", "the candidate release has no files")]
    listed = "\n".join(f"- {p}" for p in problems[:MAX_LISTED_PROBLEMS])
    if len(problems) > MAX_LISTED_PROBLEMS:
        listed += f"\n- ... and {len(problems) - MAX_LISTED_PROBLEMS} more"
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description=passed if not problems else f"{len(problems)} problem(s): release stopped",
        metadata={
            "files_checked": len(files),
            "problems": dg.MetadataValue.md(listed or "none"),
        },
    )


def build_open_data_assets(
    models: list[str],
) -> list[dg.AssetsDefinition | dg.AssetChecksDefinition]:
    """The candidate (reading the published models the dbt exposure names), its checks, and
    the release."""

    @dg.asset(
        key=CANDIDATE,
        deps=model_keys(models),
        group_name="publish",
        kinds={"python", "csv"},
        owners=OWNERS,
        metadata={"dbt_exposure": EXPOSURE},
        pool=WAREHOUSE_POOL,  # reads the warehouse: not while a writer holds it
        description=(
            "The open data, prepared in $CAREAUDIT_DATA_DIR/staging/open_data/ for checking: "
            "tidy CSV files with .meta.csv in the DfE Explore Education Statistics standard, "
            "described in orchestration/publish/open_data.yaml, with disclosure control "
            "(counts of 1 to 5 and any count they could be recovered from suppressed as c)."
        ),
    )
    def open_data_candidate(
        context: dg.AssetExecutionContext, careaudit: CareauditResource
    ) -> dg.MaterializeResult:
        settings = careaudit.settings()
        with careaudit.warehouse(read_only=True) as con:
            release = build_release(con, settings)
        written = write_release(release, candidate_dir(settings))
        for file in release.files:
            report(context, f"open data candidate {file.name}.csv ({len(file.rows)} rows)")
        return dg.MaterializeResult(
            metadata={
                "directory": dg.MetadataValue.path(str(candidate_dir(settings))),
                "files": dg.MetadataValue.md("\n".join(f"- `{p.name}`" for p in written)),
                "suppressed_counts": release.suppressed_counts,
                **{f"rows_{file.name}": len(file.rows) for file in release.files},
            }
        )

    @dg.asset_check(
        asset=CANDIDATE,
        blocking=True,
        description=(
            "Every file meets the EES open data standard: mandatory time and geography "
            "columns, a matching .meta.csv, snake_case, no blank cells, indicators numbers "
            "or the symbols c, z, x, low."
        ),
    )
    def meets_ees_open_data_standard(careaudit: CareauditResource) -> dg.AssetCheckResult:
        files = open_data_files(candidate_dir(careaudit.settings()))
        problems = [problem for path in files for problem in validate(path)]
        return _check_result(problems, files, "every file meets the standard")

    @dg.asset_check(
        asset=CANDIDATE,
        blocking=True,
        description="No count indicator of any open-data file holds a count from 1 to 5.",
    )
    def no_count_from_1_to_5(careaudit: CareauditResource) -> dg.AssetCheckResult:
        files = open_data_files(candidate_dir(careaudit.settings()))
        problems = [problem for path in files for problem in small_counts(path)]
        return _check_result(problems, files, "no count from 1 to 5")

    @dg.asset(
        key=RELEASE,
        deps=[CANDIDATE],
        group_name="publish",
        kinds={"csv"},
        owners=OWNERS,
        metadata={"dbt_exposure": EXPOSURE},
        description=(
            "publish/open_data/: the checked candidate, moved into place file by file; runs "
            "only when the candidate's blocking checks pass. For the public."
        ),
    )
    def open_data(
        context: dg.AssetExecutionContext, careaudit: CareauditResource
    ) -> dg.MaterializeResult:
        settings = careaudit.settings()
        source, target = candidate_dir(settings), release_dir(settings)
        files = open_data_files(source)
        if not files:
            raise dg.Failure(f"no candidate release in {source}: materialize {CANDIDATE} first")
        target.mkdir(parents=True, exist_ok=True)
        moved = [path for data in files for path in (data, meta_path(data))]
        for path in moved:
            os.replace(path, target / path.name)
            report(context, f"published {target / path.name}")
        for stale in set(target.glob("*.csv")) - {target / path.name for path in moved}:
            stale.unlink()
        return dg.MaterializeResult(
            metadata={
                "directory": dg.MetadataValue.path(str(target)),
                "files": dg.MetadataValue.md("\n".join(f"- `{p.name}`" for p in moved)),
            }
        )

    return [open_data_candidate, meets_ees_open_data_standard, no_count_from_1_to_5, open_data]
