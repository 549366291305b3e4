"""The dbt project as Dagster assets: models and seeds are assets, dbt tests are asset checks.

Asset keys follow the warehouse: `raw/<table>` for the ingest tables dbt reads as sources,
`catalogue/<seed>` for seeds and `<layer>/<model>` for models, grouped by layer, so the lineage
graph reads landing file -> raw -> staging -> intermediate -> marts -> publish.
"""

import json
import shutil
from collections import deque
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from dagster_dbt.core.dbt_cli_event import DbtCliEventMessage
from dagster_dbt.dbt_project import using_dagster_dev
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.defs import OWNERS
from orchestration.defs.dbt_process import dbt_events
from orchestration.defs.resources import (
    DBT_EXECUTABLE,
    WAREHOUSE_POOL,
    CareauditDbtCliResource,
    CareauditResource,
)
from orchestration.lib.catalogue import catalogue_files, load_catalogue
from orchestration.paths import DBT_PROJECT_DIR, SEEDS_DIR
from orchestration.settings import Settings

# Reporting models shape what is published: they sit in the publish group with the files.
GROUPS = {"reporting": "publish"}
# Marts and published tables are stale once a monthly refresh has been missed.
FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=35))
FRESH_LAYERS = {"marts", "reporting"}
# dbt artifacts and logs of the latest runs are kept under $CAREAUDIT_DATA_DIR/dbt_runs.
KEPT_DBT_RUNS = 10
PARTIAL_PARSE = "partial_parse.msgpack"
# A refresh builds the models and runs their data tests. dbt's unit tests check the SQL's
# logic, which no refresh changes: they run in the test suite (tests/pipeline), as dbt Labs
# advise, not on every production build.
BUILD = ["build", "--exclude-resource-type", "unit_test"]
ROW_COUNT_MARK = "careaudit:row_count "  # logged by the log_row_count post-hook
COLUMNS_MARK = "careaudit:columns "  # likewise: [[name, type], ...] of the built relation
LOCK_CONFLICT = "Could not set lock on file"  # DuckDB: another process holds the warehouse

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)


def dbt_args(command: list[str], settings: Settings) -> list[str]:
    """A dbt command with what the project reads from careaudit's settings (`--vars`: its
    profile's warehouse, threads and memory, and its macros' conventions). Passed on the
    command line, never through this process's environment."""
    return [*command, "--vars", json.dumps(settings.dbt_vars(), sort_keys=True)]


def project_files(project: DbtProject = dbt_project) -> list[Path]:
    """Every file dbt parses: models, macros, tests, seeds and their properties,
    dbt_project.yml."""
    roots = [project.project_dir / name for name in ("models", "macros", "tests")]
    parsed = [project.project_dir / "dbt_project.yml", *SEEDS_DIR.rglob("*")]
    parsed += [path for root in roots for path in root.rglob("*")]
    return sorted(path for path in parsed if path.is_file())


def _manifest_is_current(project: DbtProject) -> bool:
    """True when manifest.json is newer than every file dbt parses: a pulled change
    re-parses on next load."""
    if not project.manifest_path.exists():
        return False
    built = project.manifest_path.stat().st_mtime
    return all(path.stat().st_mtime <= built for path in project_files(project))


def prepare_manifest(project: DbtProject = dbt_project) -> None:
    """Parse the dbt project into target/manifest.json when it is missing or older than the
    project's files, and on every load under `dagster dev` so edits show up. Uses the venv's
    dbt, not whatever is on PATH."""
    if _manifest_is_current(project) and not using_dagster_dev():
        return
    invocation = CareauditDbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
        dbt_args(["parse", "--quiet"], Settings.from_env()), target_path=project.target_path
    )
    with dbt_events(invocation) as events:
        deque(events, maxlen=0)  # read to the end: dbt has parsed


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
        if props["resource_type"] == "seed" and props["name"] in catalogue_files():
            # the CSV ingest reads too (orchestration/defs/ingest.py): one lineage for both
            spec = spec.merge_attributes(deps=[dg.AssetKey(["catalogue_files", props["name"]])])
        return spec.replace_attributes(
            key=dg.AssetKey([layer, props["name"]]),
            group_name=GROUPS.get(layer, layer),
            owners=OWNERS,
            freshness_policy=FRESHNESS if layer in FRESH_LAYERS else None,
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
    pool=WAREHOUSE_POOL,
)
def careaudit_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, careaudit: CareauditResource
) -> Iterator[Any]:
    """Build the selected seeds and models and run their tests (dbt build)."""
    settings = careaudit.settings()
    runs_dir = settings.data_dir / "dbt_runs"
    _prune(runs_dir, keep=KEPT_DBT_RUNS - 1)
    _reuse_partial_parse(runs_dir, runs_dir / context.run_id)
    invocation = dbt.cli(
        dbt_args(BUILD, settings), context=context, target_path=runs_dir / context.run_id
    )
    try:
        with dbt_events(invocation) as events:
            yield from _with_row_counts(invocation, events)
    except DagsterDbtCliRuntimeError as error:
        if LOCK_CONFLICT in str(error):  # another process held the warehouse: wait, try again
            raise dg.RetryRequested(max_retries=3, seconds_to_wait=15) from error
        raise


def _with_row_counts(
    invocation: DbtCliInvocation, events: Iterator[DbtCliEventMessage]
) -> Iterator[Any]:
    """The invocation's Dagster events, each model's and seed's with `dagster/row_count` and
    `dagster/column_schema` taken from the lines the log_row_count post-hook logs just before
    dbt reports the node done."""
    row_counts: dict[str, int] = {}
    columns: dict[str, list[tuple[str, str]]] = {}
    for raw in events:
        info = raw.raw_event["info"]
        node = raw.raw_event["data"].get("node_info", {}).get("unique_id")
        if info["name"] == "JinjaLogInfo" and node:
            if info["msg"].startswith(ROW_COUNT_MARK):
                row_counts[node] = int(info["msg"].removeprefix(ROW_COUNT_MARK))
                continue
            if info["msg"].startswith(COLUMNS_MARK):
                columns[node] = [tuple(c) for c in json.loads(info["msg"][len(COLUMNS_MARK) :])]
                continue
        for event in raw.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=invocation.context,
            target_path=invocation.target_path,
            project=invocation.project,
        ):
            if isinstance(event, dg.Output) and (node in row_counts or node in columns):
                metadata: dict[str, Any] = {}
                if node in row_counts:  # a view has none (macros/log_row_count.sql)
                    metadata["dagster/row_count"] = row_counts[node]
                if node in columns:
                    metadata["dagster/column_schema"] = column_schema(
                        columns[node], invocation.manifest["nodes"][node]
                    )
                event = event.with_metadata({**event.metadata, **metadata})
            yield event


def column_schema(built: list[tuple[str, str]], node: Mapping[str, Any]) -> dg.TableSchema:
    """The built relation's columns with their types, each described: by the model's
    properties (its .yml), else, for a section fact's column of answers, by the question it
    holds (seeds/catalogue/form_questions.csv)."""
    described = node.get("columns", {})
    questions = {q.question_id: q for q in load_catalogue().questions}
    table_columns = []
    for name, kind in built:
        description = described.get(name, {}).get("description") or None
        if description is None and name in questions:
            description = (
                f'Answer code to "{questions[name].default_header}" (a multi-select\'s codes '
                "joined by ';'); empty where missing, not asked or not on the audit's form."
            )
        table_columns.append(dg.TableColumn(name=name, type=kind, description=description))
    return dg.TableSchema(columns=table_columns)


def _prune(runs_dir: Path, keep: int) -> None:
    """Keep the newest dbt run folders (artifacts and dbt.log of each run), remove the rest."""
    if not runs_dir.is_dir():
        return
    runs = sorted(runs_dir.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def _reuse_partial_parse(runs_dir: Path, target: Path) -> None:
    """Start the run's dbt folder with the latest parse of the project: this data dir's
    latest run's, else the project's own (target/, made by `make manifest`). dbt names the
    warehouse relative to its folder (orchestration/cli/dbt_leader.py), so a parse serves
    every data dir with the same settings; where the settings differ, or the project changed
    since, dbt checks the saved parse and parses again what it must (a full parse costs
    seconds)."""
    if (target / PARTIAL_PARSE).exists():
        return
    earlier = sorted(
        runs_dir.glob(f"*/{PARTIAL_PARSE}") if runs_dir.is_dir() else [],
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    ) or [p for p in [dbt_project.target_path / PARTIAL_PARSE] if p.exists()]
    if earlier:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(earlier[0], target / PARTIAL_PARSE)
