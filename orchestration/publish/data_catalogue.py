"""publish/catalogue/index.html: the dbt docs of the project as one static page (models,
columns, tests, lineage, the exposures that use each published model), for BI users to open
in a browser with no server and no network. It describes the data; it holds none of it."""

import os
import shutil

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt_assets import environ
from orchestration.progress import report
from orchestration.publish.exposures import model_keys
from orchestration.resources import WAREHOUSE_POOL, CareauditResource

STATIC_PAGE = "static_index.html"  # what `dbt docs generate --static` writes


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
        # In the run's dbt folder, where dbt build left its partial parse: no new parse, and
        # no compile (the page shows each model's SQL as written; compiling it all again
        # would double the time).
        target_path = settings.data_dir / "dbt_runs" / context.run_id
        with environ(settings.dbt_env()):
            dbt.cli(
                ["docs", "generate", "--static", "--no-compile"], target_path=target_path
            ).wait()
        page = settings.publish_dir / "catalogue" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        partial = page.with_name(f".{page.name}.partial")
        shutil.copyfile(target_path / STATIC_PAGE, partial)
        os.replace(partial, page)
        report(context, f"published {page}")
        return dg.MaterializeResult(
            metadata={"path": dg.MetadataValue.path(str(page)), "bytes": page.stat().st_size}
        )

    return data_catalogue
