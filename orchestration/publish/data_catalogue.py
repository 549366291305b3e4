"""publish/catalogue/index.html: the dbt docs of the project as one static page (models,
columns, tests, lineage, the exposures that use each published model), for BI users to open
in a browser with no server and no network. It describes the data; it holds none of it.

The page is a function of the dbt project and the warehouse's columns (dbt-duckdb's catalogue
has no row counts), so it is generated once for each version of them and kept in
dbt_project/target/catalogue_pages: a refresh that changed neither reuses it instead of
spending seconds in a second dbt process."""

import hashlib
import os
import shutil
from importlib.metadata import version
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt_assets import dbt_project, environ, project_files
from orchestration.progress import report
from orchestration.publish.exposures import model_keys
from orchestration.publish.staging import stage
from orchestration.resources import WAREHOUSE_POOL, CareauditResource
from orchestration.settings import Settings
from orchestration.warehouse import connect

STATIC_PAGE = "static_index.html"  # what `dbt docs generate --static` writes
PAGES = dbt_project.project_dir / "target" / "catalogue_pages"
COLUMNS = """
    select schema_name, table_name, column_name, data_type, column_index, comment
    from duckdb_columns() where database_name = current_database()
    union all
    select schema_name, table_name, null, null, null, comment
    from duckdb_tables() where database_name = current_database()
    union all
    select schema_name, view_name, null, null, null, comment
    from duckdb_views() where database_name = current_database() and not internal
    order by all
"""


def page_key(settings: Settings) -> str:
    """What the page depends on: dbt's version, every project file, every warehouse column
    with its type and stored description."""
    digest = hashlib.sha256(version("dbt-core").encode())
    for path in project_files():
        digest.update(str(path.relative_to(dbt_project.project_dir.parent)).encode())
        digest.update(path.read_bytes())
    with connect(settings.warehouse_path, read_only=True) as con:
        digest.update(repr(con.execute(COLUMNS).fetchall()).encode())
    return digest.hexdigest()


def _copy_into_place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def build_data_catalogue_asset(models: list[str]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["publish", "data_catalogue"]),
        deps=model_keys(models),
        group_name="publish",
        kinds={"dbt", "html"},
        owners=["team:careaudit-data"],
        pool=WAREHOUSE_POOL,  # dbt opens the warehouse for writing
        description=(
            "publish/catalogue/index.html: `dbt docs generate --static` against the built "
            "warehouse, one self-contained page documenting every model, column, test and "
            "exposure, with lineage."
        ),
    )
    def data_catalogue(
        context: dg.AssetExecutionContext, careaudit: CareauditResource, dbt: DbtCliResource
    ) -> dg.MaterializeResult:
        settings = careaudit.settings()
        staged = stage(context, settings)
        generated = PAGES / f"{page_key(settings)}.html"
        reused = generated.exists()
        if not reused:
            # In the run's dbt folder, where dbt build left its partial parse: no new parse,
            # and no compile (the page shows each model's SQL as written; compiling it all
            # again would double the time).
            target_path = settings.data_dir / "dbt_runs" / context.run_id
            with environ(settings.dbt_env()):
                dbt.cli(
                    ["docs", "generate", "--static", "--no-compile"], target_path=target_path
                ).wait()
            _copy_into_place(target_path / STATIC_PAGE, generated)
        page = staged.directory / "catalogue" / "index.html"
        _copy_into_place(generated, page)
        staged.record({page: None})
        how = "unchanged project and columns: page reused" if reused else "generated"
        report(context, f"staged catalogue/index.html ({how})")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(staged.published_path(page))),
                "bytes": page.stat().st_size,
                "regenerated": not reused,
            }
        )

    return data_catalogue
