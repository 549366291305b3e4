"""The dbt project as Dagster assets: models and seeds are assets, dbt tests are asset checks.

Asset keys follow the warehouse: `raw/<table>` for the ingest tables dbt reads as sources,
`catalogue/<seed>` for seeds and `<layer>/<model>` for models, grouped by layer, so the lineage
graph reads landing file -> raw -> staging -> intermediate -> marts -> publish.
"""

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from dagster_dbt.dbt_project import using_dagster_dev

from orchestration.paths import DBT_PROJECT_DIR, SEEDS_DIR
from orchestration.resources import DBT_EXECUTABLE, CareauditResource
from orchestration.settings import Settings

OWNERS = ["team:careaudit-data"]
# Reporting models shape what is published: they sit in the publish group with the files.
GROUPS = {"reporting": "publish"}
KEPT_DBT_RUNS = 10  # dbt artifacts and logs of the latest runs, under $CAREAUDIT_DATA_DIR/dbt_runs

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)


@contextmanager
def environ(overrides: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for a dbt subprocess (it reads settings from its
    environment), restoring them afterwards."""
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _manifest_is_current(project: DbtProject) -> bool:
    """True when manifest.json is newer than every file dbt parses (models, macros, tests,
    seeds and their properties, dbt_project.yml): a pulled change re-parses on next load."""
    if not project.manifest_path.exists():
        return False
    built = project.manifest_path.stat().st_mtime
    roots = [project.project_dir / name for name in ("models", "macros", "tests")]
    parsed = [project.project_dir / "dbt_project.yml", *SEEDS_DIR.rglob("*")]
    parsed += [path for root in roots for path in root.rglob("*")]
    return all(path.stat().st_mtime <= built for path in parsed if path.is_file())


def prepare_manifest(project: DbtProject = dbt_project) -> None:
    """Parse the dbt project into target/manifest.json when it is missing or older than the
    project's files, and on every load under `dagster dev` so edits show up. Uses the venv's
    dbt, not whatever is on PATH."""
    if _manifest_is_current(project) and not using_dagster_dev():
        return
    # Parse with the run's environment: dbt re-parses everything when the profile differs.
    with environ(Settings.from_env().dbt_env()):
        DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
            ["parse", "--quiet"], target_path=project.target_path
        ).wait()


class CareauditDbtTranslator(DagsterDbtTranslator):
    """Keys and groups by warehouse layer; sources are the raw tables ingest writes."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec.replace_attributes(key=dg.AssetKey(["raw", props["identifier"]]))
        layer = "catalogue" if props["resource_type"] == "seed" else props["fqn"][1]
        return spec.replace_attributes(
            key=dg.AssetKey([layer, props["name"]]),
            group_name=GROUPS.get(layer, layer),
            owners=OWNERS,
        )


translator = CareauditDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_code_references=True)
)


prepare_manifest()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="careaudit_dbt",
)
def careaudit_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, careaudit: CareauditResource
) -> Iterator[Any]:
    """Build the selected seeds and models and run their tests (dbt build)."""
    settings = careaudit.settings()
    runs_dir = settings.data_dir / "dbt_runs"
    _prune(runs_dir, keep=KEPT_DBT_RUNS - 1)
    with environ(settings.dbt_env()):
        invocation = dbt.cli(["build"], context=context, target_path=runs_dir / context.run_id)
    yield from invocation.stream()


def _prune(runs_dir: Path, keep: int) -> None:
    """Keep the newest dbt run folders (artifacts and dbt.log of each run), remove the rest."""
    if not runs_dir.is_dir():
        return
    runs = sorted(runs_dir.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)
