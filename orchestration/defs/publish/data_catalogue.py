"""publish/catalogue/index.html: the dbt docs of the project as one static page (models,
columns, tests, lineage, the exposures that use each published model), for BI users to open
in a browser with no server and no network. It describes the data; it holds none of it. Built
from the manifest and the warehouse's own tables of columns (dbt_docs.py), in a tenth of a
second, not by a second dbt process."""

import dagster as dg

from orchestration.defs.progress import report
from orchestration.defs.publish.declare import publish_asset
from orchestration.defs.publish.exposures import model_keys
from orchestration.defs.publish.staging import stage
from orchestration.defs.resources import CareauditResource
from orchestration.defs.transform import dbt_project
from orchestration.lib.atomic import write_atomically
from orchestration.lib.publish.dbt_docs import static_page


def build_data_catalogue_asset(models: list[str]) -> dg.AssetsDefinition:
    @publish_asset(
        "data_catalogue",
        deps=model_keys(models),
        kinds={"dbt", "html"},
        description=(
            "publish/catalogue/index.html: the dbt docs of the project (dbt's own page, with "
            "the manifest and the built warehouse's columns inlined as `dbt docs generate "
            "--static` does), one self-contained page documenting every model, column, test "
            "and exposure, with lineage."
        ),
    )
    def data_catalogue(
        context: dg.AssetExecutionContext, careaudit: CareauditResource
    ) -> dg.MaterializeResult:
        settings = careaudit.settings()
        staged = stage(context, settings)
        page = staged.directory / "catalogue" / "index.html"
        with careaudit.warehouse(read_only=True) as con:
            write_atomically(page, static_page(dbt_project.manifest_path, con))
        staged.record({page: None})
        report(context, "staged catalogue/index.html")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(staged.published_path(page))),
                "bytes": page.stat().st_size,
            }
        )

    return data_catalogue
