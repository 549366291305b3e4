"""The careaudit code location: one Definitions object, assembled here and nowhere else."""

import warnings

import dagster as dg

from orchestration.defs import report as annual_report
from orchestration.defs.alerts import build_failure_alert_sensor
from orchestration.defs.automation import build_landing_sensor, build_refresh_schedule
from orchestration.defs.ingest import (
    CATALOGUE_FILES,
    LANDING,
    every_row_read_is_loaded_or_rejected,
    ingest_audit_extracts,
)
from orchestration.defs.progress import progress_logger
from orchestration.defs.publish import internal, open_data, reporting_database
from orchestration.defs.publish.data_catalogue import build_data_catalogue_asset
from orchestration.defs.publish.exposures import exposure_asset_keys, exposure_models
from orchestration.defs.publish.internal import (
    build_internal_publish_asset,
    is_published,
)
from orchestration.defs.publish.open_data import build_open_data_assets
from orchestration.defs.publish.release import every_output_has_the_release_version, release
from orchestration.defs.publish.reporting_database import build_reporting_database_asset
from orchestration.defs.resources import careaudit_resource, dbt_resource
from orchestration.defs.transform import careaudit_dbt_models, dbt_project
from orchestration.lib.warehouse import REPORTING_SCHEMA
from orchestration.settings import AlertSettings, AutomationSettings, Settings

REFRESH_JOB = "careaudit_refresh"


def _with_code_references(assets: list) -> list:
    """Python assets link to their source in the UI (dbt models to their SQL: translator).
    The API is beta; its warning is noise for a cron job, not a problem to act on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return list(dg.with_source_code_references(assets))


def build_definitions(
    settings: Settings,
    automation: AutomationSettings | None = None,
    alerts: AlertSettings | None = None,
) -> dg.Definitions:
    automation = automation or AutomationSettings.from_env()
    alerts = alerts or AlertSettings.from_env()
    reporting_models = [
        key.path[-1]
        for key in careaudit_dbt_models.keys
        if key.path[0] == REPORTING_SCHEMA and is_published(key.path[-1])
    ]
    # Each published output reads the models its dbt exposure declares.
    manifest = dbt_project.manifest_path
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
        assets=_with_code_references(
            [
                LANDING,
                *CATALOGUE_FILES,
                ingest_audit_extracts,
                careaudit_dbt_models,
                build_internal_publish_asset(exposure_models(manifest, internal.EXPOSURE)),
                build_reporting_database_asset(
                    exposure_models(manifest, reporting_database.EXPOSURE)
                ),
                *build_open_data_assets(
                    exposure_asset_keys(careaudit_dbt_models, manifest, open_data.EXPOSURE)
                ),
                build_data_catalogue_asset(reporting_models),
                annual_report.build_annual_report_asset(
                    exposure_asset_keys(careaudit_dbt_models, manifest, annual_report.EXPOSURE)
                ),
                release,
            ]
        ),
        asset_checks=[every_row_read_is_loaded_or_rejected, every_output_has_the_release_version],
        jobs=[refresh],
        schedules=[build_refresh_schedule(REFRESH_JOB, settings, automation)],
        sensors=[
            build_landing_sensor(REFRESH_JOB, settings, automation),
            *([build_failure_alert_sensor(alerts)] if alerts.enabled else []),
        ],
        resources={
            "careaudit": careaudit_resource(settings),
            "dbt": dbt_resource(),
        },
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


defs = build_definitions(Settings.from_env())
