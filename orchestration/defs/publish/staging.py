"""How a publish asset writes its output: into its run's staged release, never into
data/publish, recording the data version it was made from (orchestration/lib/publish/release.py).

The data version is the id of the run that last built the warehouse's dbt models and seeds,
which is what every output reads: in a refresh, the refresh itself; for an output re-made in
the UI from an unchanged warehouse, the refresh the other outputs came from, so they can be
carried over beside it."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.defs.transform import careaudit_dbt_models
from orchestration.lib.publish.release import Rows, StagedOutput, record_output, staged_release_dir
from orchestration.settings import Settings

RELEASE_ASSET = dg.AssetKey(["publish", "release"])


def warehouse_version(instance: dg.DagsterInstance, run_id: str) -> str:
    """The run that last built the warehouse (any dbt model or seed); run_id when none
    recorded one (a warehouse built outside this Dagster instance)."""
    latest = [
        record.asset_entry.last_materialization_record
        for record in instance.get_asset_records(list(careaudit_dbt_models.keys))
        if record.asset_entry.last_materialization_record is not None
    ]
    if not latest:
        return run_id
    return max(latest, key=lambda event: event.storage_id).event_log_entry.run_id


@dataclass(frozen=True)
class Stage:
    """Where one publish step of one run writes, and from which data version."""

    settings: Settings
    run_id: str
    output: str
    data_version: str

    @property
    def directory(self) -> Path:
        """The run's staged release (the layout of data/publish)."""
        return staged_release_dir(self.settings, self.run_id)

    def published_path(self, staged: Path) -> Path:
        """Where a staged file is once its release is published: the path users know."""
        return self.settings.publish_dir / staged.relative_to(self.directory)

    def record(self, files: Mapping[Path, Rows]) -> None:
        """Record the step's output (every staged file, with its rows) for publish/release."""
        relative = {
            path.relative_to(self.directory).as_posix(): rows for path, rows in files.items()
        }
        record_output(
            self.settings, self.run_id, StagedOutput(self.output, self.data_version, relative)
        )


def stage(context: dg.AssetExecutionContext, settings: Settings) -> Stage:
    """The stage of this publish asset in this run. Refuses at once when the run does not
    include publish/release, which alone publishes what the step writes."""
    output = context.asset_key.path[-1]
    if RELEASE_ASSET not in context.job_def.asset_layer.selected_asset_keys:
        raise dg.Failure(
            f"publish/{output} is published by {RELEASE_ASSET.to_user_string()}, which this run "
            f'does not include: materialise them together (select key:"publish/{output}"+ in '
            "the UI)"
        )
    run_id = context.run.run_id
    return Stage(settings, run_id, output, warehouse_version(context.instance, run_id))
