"""The careaudit code location: one Definitions object, assembled here and nowhere else."""

import dagster as dg

from orchestration.dbt_assets import careaudit_dbt_models
from orchestration.ingest.assets import (
    LANDING,
    every_row_read_is_loaded_or_rejected,
    ingest_audit_extracts,
)
from orchestration.progress import progress_logger
from orchestration.publish.internal import REPORTING_SCHEMA, build_internal_publish_asset
from orchestration.resources import CareauditResource, dbt_resource
from orchestration.settings import Settings

REFRESH_JOB = "careaudit_refresh"


def build_definitions(settings: Settings) -> dg.Definitions:
    reporting_models = [
        key.path[-1] for key in careaudit_dbt_models.keys if key.path[0] == REPORTING_SCHEMA
    ]
    refresh = dg.define_asset_job(
        REFRESH_JOB,
        selection=dg.AssetSelection.all(),
        description=(
            "The whole refresh: ingest new exports, build and test the dbt project, publish. "
            "Steps run one after another in one process: DuckDB allows one writer at a time."
        ),
        executor_def=dg.in_process_executor,
    )
    return dg.Definitions(
        assets=[
            LANDING,
            ingest_audit_extracts,
            careaudit_dbt_models,
            build_internal_publish_asset(reporting_models),
        ],
        asset_checks=[every_row_read_is_loaded_or_rejected],
        jobs=[refresh],
        resources={
            "careaudit": CareauditResource.from_settings(settings),
            "dbt": dbt_resource(),
        },
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


defs = build_definitions(Settings.from_env())
