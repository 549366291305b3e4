"""publish/release as a Dagster asset: after every publish asset of the run has written into
the run's staged release, it completes the release (carrying over what the run did not
write), checks it and switches data/publish to it (release.py); its check compares the
data version of every published output with the manifest, and fails loudly on a mismatch."""

from datetime import UTC, datetime

import dagster as dg

from orchestration.defs.progress import report
from orchestration.defs.publish.declare import problem_list, publish_asset
from orchestration.defs.publish.staging import RELEASE_ASSET, warehouse_version
from orchestration.defs.resources import CareauditResource
from orchestration.lib.publish.manifest import MANIFEST, OUTPUTS, release_problems
from orchestration.lib.publish.release import ReleaseError, publish_release

OUTPUT_ASSETS = [dg.AssetKey(["publish", name]) for name in OUTPUTS]
IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


# In the warehouse's pool: one release at a time, and no warehouse build while it is decided
# which data version the release is.
@publish_asset(
    RELEASE_ASSET.path[-1],
    deps=OUTPUT_ASSETS,
    kinds={"json"},
    description=(
        "Switches data/publish, in one rename, to this run's release: every output the run "
        "wrote, the others carried over unchanged from the current release, with "
        f"{MANIFEST} (the data version, every file's sha256 and rows). Refuses, publishing "
        "nothing, when the outputs were made from different warehouses. Keeps the two "
        "previous releases in data/releases/ for readers that hold their files open."
    ),
)
def release(
    context: dg.AssetExecutionContext, careaudit: CareauditResource
) -> dg.MaterializeResult:
    settings = careaudit.settings()
    in_progress = {
        run.run_id for run in context.instance.get_runs(dg.RunsFilter(statuses=IN_PROGRESS))
    }
    try:
        manifest = publish_release(
            settings,
            context.run.run_id,
            warehouse_version(context.instance, context.run.run_id),
            in_progress,
            datetime.now(UTC),
        )
    except ReleaseError as error:
        raise dg.Failure(str(error)) from error
    outputs = manifest["outputs"]
    carried = {
        name: o["carried_over_from"] for name, o in outputs.items() if o["carried_over_from"]
    }
    for path, entry in manifest["files"].items():
        if entry["output"] not in carried:
            report(context, f"published {settings.publish_dir / path}")
    report(
        context,
        f"release {manifest['release']}: {len(manifest['files'])} files of data version "
        f"{manifest['data_version']}"
        + "".join(f"; {name} carried over from {source}" for name, source in carried.items()),
    )
    return dg.MaterializeResult(
        metadata={
            "release": manifest["release"],
            "data_version": manifest["data_version"],
            "manifest": dg.MetadataValue.path(str(settings.publish_dir / MANIFEST)),
            "directory": dg.MetadataValue.path(str(settings.releases_dir / manifest["release"])),
            "files": len(manifest["files"]),
            "carried_over": dg.MetadataValue.md(
                "\n".join(f"- {name} from {source}" for name, source in carried.items()) or "none"
            ),
        }
    )


@dg.asset_check(
    asset=RELEASE_ASSET,
    description=(
        "Every published output has the release's data version: release.json lists every "
        "output on one version, every file is present with its sha256, and the versions "
        "carried inside reporting.duckdb (publication), the annual report and the Parquet "
        "files agree with it."
    ),
)
def every_output_has_the_release_version(careaudit: CareauditResource) -> dg.AssetCheckResult:
    publish = careaudit.settings().publish_dir
    problems = release_problems(publish)
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            "every output has the release's data version"
            if not problems
            else f"{len(problems)} problem(s) in {publish}: {problems[0]}"
        ),
        metadata={"problems": dg.MetadataValue.md(problem_list(problems))},
    )
