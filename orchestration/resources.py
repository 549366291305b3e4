"""Dagster resources, configured from the environment (orchestration.settings).

The pseudonymisation key is deliberately not resource config: Dagster shows resource config in
its UI, so the key is read from the environment only when ingest needs it.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.paths import DBT_PROJECT_DIR
from orchestration.settings import Settings
from orchestration.warehouse import connect

# Every step that writes the DuckDB warehouse claims this pool; its limit is 1 (see the
# instance's dagster.yaml), so writers never overlap, whichever run or schedule started them.
WAREHOUSE_POOL = "careaudit_warehouse"

# The venv's own dbt, so `dagster dev` works without an activated venv, started as the leader
# of a process group of its own so that stopping a run stops all of dbt (dbt_process.py).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("careaudit-dbt"))


class CareauditResource(dg.ConfigurableResource):
    """Where careaudit reads and writes, and the authority's reporting conventions."""

    data_dir: str
    landing_dir: str
    la_code: str
    old_la_code: str
    la_name: str
    region_code: str
    region_name: str
    year_type: str
    percent_rounding: str
    export_sheet: str | None = None
    authority_folders: bool = False
    report_periods: str = "latest"
    report_commentary_dir: str | None = None
    max_file_mb: int = 256

    @classmethod
    def from_settings(cls, settings: Settings) -> "CareauditResource":
        return cls(
            data_dir=str(settings.data_dir),
            landing_dir=str(settings.landing_dir),
            la_code=settings.la_code,
            old_la_code=settings.old_la_code,
            la_name=settings.la_name,
            region_code=settings.region_code,
            region_name=settings.region_name,
            year_type=settings.year_type,
            percent_rounding=settings.percent_rounding,
            export_sheet=settings.export_sheet,
            authority_folders=settings.authority_folders,
            report_periods=settings.report_periods,
            report_commentary_dir=(
                str(settings.report_commentary_dir) if settings.report_commentary_dir else None
            ),
            max_file_mb=settings.max_file_mb,
        )

    def settings(self) -> Settings:
        """The full settings, the key read from the environment now (never from config)."""
        env = Settings.from_env()
        return Settings(
            data_dir=Path(self.data_dir),
            landing_dir=Path(self.landing_dir),
            pseudonymisation_key=env.pseudonymisation_key,
            la_code=self.la_code,
            old_la_code=self.old_la_code,
            la_name=self.la_name,
            region_code=self.region_code,
            region_name=self.region_name,
            year_type=self.year_type,  # type: ignore[arg-type]
            percent_rounding=self.percent_rounding,  # type: ignore[arg-type]
            export_sheet=self.export_sheet,
            authority_folders=self.authority_folders,
            report_periods=self.report_periods,
            report_commentary_dir=(
                Path(self.report_commentary_dir) if self.report_commentary_dir else None
            ),
            max_file_mb=self.max_file_mb,
        )

    @contextmanager
    def warehouse(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived warehouse connection (closed before anything else writes)."""
        with connect(self.settings().warehouse_path, read_only=read_only) as con:
            yield con


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE)
