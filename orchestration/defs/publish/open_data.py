"""The open-data release as Dagster assets: a candidate written to the run's staging folder,
two blocking checks on the candidate's files (the EES open data standard; no count from 1 to
5), and publish/open_data, which moves the checked files into the run's staged release. A
failed check stops publish/open_data, and with it the whole release (publish/release), in
the same run: every public file stays as it was."""

import csv
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import dagster as dg

from orchestration.defs.progress import report
from orchestration.defs.publish.declare import problem_list, publish_asset
from orchestration.defs.publish.staging import stage, warehouse_version
from orchestration.defs.resources import CareauditResource
from orchestration.lib.publish.ees import (
    Problem,
    meta_path,
    open_data_files,
    small_counts,
    validate,
)
from orchestration.lib.publish.open_data import build_release, guidance_path, write_release
from orchestration.lib.publish.release import staging_dir
from orchestration.settings import Settings

CANDIDATE = dg.AssetKey(["publish", "open_data_candidate"])
RELEASE = dg.AssetKey(["publish", "open_data"])
EXPOSURE = "open_data_release"


def candidate_dir(settings: Settings, run_id: str) -> Path:
    """Each run's own candidate: two runs never check or release each other's."""
    return staging_dir(settings, run_id) / "open_data"


def candidate_version_path(settings: Settings, run_id: str) -> Path:
    """The data version the candidate was made from (the warehouse may be rebuilt by another
    run before this run's release)."""
    return staging_dir(settings, run_id) / "open_data.data_version"


def _rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1  # the header is not a row


def _check_result(problems: list[Problem], files: list[Path], passed: str) -> dg.AssetCheckResult:
    if not files:
        problems = [Problem("open data", "the candidate release has no files")]
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description=passed if not problems else f"{len(problems)} problem(s): release stopped",
        metadata={
            "files_checked": len(files),
            "problems": dg.MetadataValue.md(problem_list(problems)),
        },
    )


def build_open_data_assets(
    inputs: list[dg.AssetKey],
) -> list[dg.AssetsDefinition | dg.AssetChecksDefinition]:
    """The candidate (reading the models the dbt exposure names: the figures, the forms of each
    period's audits and what each could record, the catalogue's rules), its checks, and the
    release."""

    @publish_asset(
        CANDIDATE.path[-1],
        deps=inputs,
        kinds={"python", "csv"},
        exposure=EXPOSURE,
        description=(
            "The open data, prepared in $CAREAUDIT_DATA_DIR/staging/<run id>/open_data/ for "
            "checking: "
            "tidy CSV files with .meta.csv in the DfE Explore Education Statistics standard, "
            "described in orchestration/lib/publish/open_data.yaml, with disclosure control "
            "(counts of 1 to 5 and any count they could be recovered from suppressed as c)."
        ),
    )
    def open_data_candidate(
        context: dg.AssetExecutionContext, careaudit: CareauditResource
    ) -> dg.MaterializeResult:
        settings = careaudit.settings()
        version = warehouse_version(context.instance, context.run.run_id)
        with careaudit.warehouse(read_only=True) as con:
            release = build_release(con, settings)
        directory = candidate_dir(settings, context.run.run_id)
        written = write_release(release, directory)
        candidate_version_path(settings, context.run.run_id).write_text(version, encoding="utf-8")
        for file in release.files:
            report(context, f"open data candidate {file.name}.csv ({len(file.rows)} rows)")
        return dg.MaterializeResult(
            metadata={
                "directory": dg.MetadataValue.path(str(directory)),
                "data_version": version,
                "files": dg.MetadataValue.md("\n".join(f"- `{p.name}`" for p in written)),
                "suppressed_counts": release.suppressed_counts,
                **{f"rows_{file.name}": len(file.rows) for file in release.files},
            }
        )

    def candidate_check(
        name: str, description: str, problems_in: Callable[[Path], list[Problem]], passed: str
    ) -> dg.AssetChecksDefinition:
        """A blocking check of every file of the run's candidate."""

        @dg.asset_check(asset=CANDIDATE, name=name, blocking=True, description=description)
        def check(
            context: dg.AssetCheckExecutionContext, careaudit: CareauditResource
        ) -> dg.AssetCheckResult:
            files = open_data_files(candidate_dir(careaudit.settings(), context.run.run_id))
            problems = [problem for path in files for problem in problems_in(path)]
            return _check_result(problems, files, passed)

        return check

    meets_ees_open_data_standard = candidate_check(
        "meets_ees_open_data_standard",
        "Every file meets the EES open data standard: mandatory time and geography "
        "columns, a matching .meta.csv, snake_case, no blank cells, indicators numbers "
        "or the symbols c, z, x, low.",
        validate,
        "every file meets the standard",
    )
    no_count_from_1_to_5 = candidate_check(
        "no_count_from_1_to_5",
        "No count indicator of any open-data file holds a count from 1 to 5.",
        small_counts,
        "no count from 1 to 5",
    )

    @publish_asset(
        RELEASE.path[-1],
        deps=[CANDIDATE],
        kinds={"csv"},
        exposure=EXPOSURE,
        reads_warehouse=False,
        description=(
            "publish/open_data/: the checked candidate (and its data_guidance.md: the files, "
            "the symbols and a footnote for each finding a year's form could not record), "
            "moved into the run's staged release; "
            "runs only when the candidate's blocking checks pass, and is published by "
            "publish/release with every other output. For the public."
        ),
    )
    def open_data(
        context: dg.AssetExecutionContext, careaudit: CareauditResource
    ) -> dg.MaterializeResult:
        settings = careaudit.settings()
        staged = stage(context, settings)
        source = candidate_dir(settings, context.run.run_id)
        files = open_data_files(source)
        if not files:
            raise dg.Failure(
                f"no candidate release in {source}: materialize {CANDIDATE.to_user_string()} "
                "in the same run"
            )
        # The version the candidate was made from, not the warehouse's now.
        version = candidate_version_path(settings, context.run.run_id).read_text(encoding="utf-8")
        staged = replace(staged, data_version=version)
        target = staged.directory / "open_data"
        target.mkdir(parents=True, exist_ok=True)
        moved: dict[Path, int | None] = {}
        for path in [path for data in files for path in (data, meta_path(data))]:
            moved[target / path.name] = _rows(path)
            os.replace(path, target / path.name)
            report(context, f"staged open_data/{path.name} ({moved[target / path.name]} rows)")
        guidance = guidance_path(source)
        if guidance.exists():
            moved[target / guidance.name] = None
            os.replace(guidance, target / guidance.name)
            report(context, f"staged open_data/{guidance.name}")
        staged.record(moved)
        return dg.MaterializeResult(
            metadata={
                "directory": dg.MetadataValue.path(str(staged.published_path(target))),
                "files": dg.MetadataValue.md("\n".join(f"- `{p.name}`" for p in moved)),
                "data_version": version,
            }
        )

    return [open_data_candidate, meets_ees_open_data_standard, no_count_from_1_to_5, open_data]
