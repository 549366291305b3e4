"""The reporting.duckdb asset: the published tables for BI tools, staged into the run's release
(the file itself is written by reporting_database.write_reporting_database)."""

import dagster as dg

from orchestration.defs.progress import report
from orchestration.defs.publish.declare import publish_asset
from orchestration.defs.publish.exposures import model_keys
from orchestration.defs.publish.internal import published_name
from orchestration.defs.publish.staging import stage
from orchestration.defs.resources import CareauditResource
from orchestration.lib.publish.reporting_database import (
    LATEST_TRENDS_VIEW,
    STORAGE_VERSION,
    write_reporting_database,
)
from orchestration.lib.warehouse import REPORTING_SCHEMA

EXPOSURE = "bi_dashboard"


def build_reporting_database_asset(models: list[str]) -> dg.AssetsDefinition:
    @publish_asset(
        "reporting_database",
        deps=model_keys(models),
        kinds={"duckdb"},
        exposure=EXPOSURE,
        metadata={"storage_version": STORAGE_VERSION},
        description=(
            "publish/reporting.duckdb for BI tools: "
            + ", ".join(published_name(m) for m in models)
            + f", the view {LATEST_TRENDS_VIEW} and a publication row, with the dbt docs as "
            f"comments; DuckDB storage {STORAGE_VERSION} (DuckDB 1.x drivers open it); "
            "a new file in each release, so a connected dashboard keeps working during a refresh."
        ),
    )
    def reporting_database(
        context: dg.AssetExecutionContext, careaudit: CareauditResource
    ) -> dg.MaterializeResult:
        staged = stage(context, careaudit.settings())
        target = staged.directory / "reporting.duckdb"
        with careaudit.warehouse(read_only=True) as warehouse:
            rows = write_reporting_database(
                warehouse,
                target,
                {published_name(m): f"{REPORTING_SCHEMA}.{m}" for m in models},
                context.run.run_id,
                staged.data_version,
            )
        staged.record({target: rows})
        report(
            context,
            f"staged reporting.duckdb ({', '.join(f'{t}: {n} rows' for t, n in rows.items())})",
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(staged.published_path(target))),
                "data_version": staged.data_version,
                **{f"rows_in_{table}": count for table, count in rows.items()},
            }
        )

    return reporting_database
