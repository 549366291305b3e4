"""Dagster resources, one per outside system: the warehouse and careaudit's folders and
conventions (`careaudit`), and dbt. Built from the settings (orchestration.settings); the
pseudonymisation key is configured as the environment variable holding it, never its value,
because Dagster shows resource configuration in its UI."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from dagster_dbt.compat import DBT_PYTHON_VERSION
from packaging import version
from pydantic import Field, create_model

from orchestration.lib.warehouse import connect
from orchestration.paths import DBT_PROJECT_DIR
from orchestration.settings import (
    FromEnvironment,
    Settings,
    as_config,
    settings_from_config,
    settings_variables,
)

# Every step that writes the DuckDB warehouse claims this pool; its limit is 1 (see the
# instance's dagster.yaml), so writers never overlap, whichever run or schedule started them.
WAREHOUSE_POOL = "careaudit_warehouse"

# The venv's own dbt, so `dagster dev` works without an activated venv, started as the leader
# of a process group of its own so that stopping a run stops all of dbt (dbt_process.py).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("careaudit-dbt"))


class _Careaudit(dg.ConfigurableResource):
    """Where careaudit reads and writes, and the authority's reporting conventions."""

    def settings(self) -> Settings:
        """The settings this resource was configured with (its fields, secrets resolved)."""
        return settings_from_config({v.field: getattr(self, v.field) for v in settings_variables()})

    @contextmanager
    def warehouse(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived warehouse connection (closed before anything else writes)."""
        with connect(self.settings().warehouse_path, read_only=read_only) as con:
            yield con


# One field per CAREAUDIT_* setting, with its variable and meaning as the field's description
# (the Dagster UI shows them): declared in settings.VARIABLES, nowhere else.
CareauditResource = create_model(
    "CareauditResource",
    __base__=_Careaudit,
    __doc__=_Careaudit.__doc__,
    **{
        v.field: (str | None, Field(default=None, description=f"{v.name}: {v.meaning}"))
        for v in settings_variables()
    },
)  # type: ignore[call-overload]


def careaudit_resource(settings: Settings) -> dg.ConfigurableResource:
    """The resource for these settings; a secret the environment holds is configured as that
    environment variable (dg.EnvVar), so its value never shows in the UI."""
    return CareauditResource(
        **{
            field: dg.EnvVar(value.name) if isinstance(value, FromEnvironment) else value
            for field, value in as_config(settings).items()
        }
    )


class CareauditDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two costs careaudit never uses, paid on every dbt
    invocation (3.5 s of the sample refresh's dbt step at load 4.6, before dbt started):
    dagster-dbt 0.29 runs `dbt --version` in a subprocess to learn the executable's version,
    and builds a dbt adapter in this process to fetch column metadata through it. The
    executable is the venv's own dbt (DBT_EXECUTABLE), so its version is the installed
    dbt-core's; and careaudit takes row counts and columns from dbt's own connection
    (macros/log_row_count.sql), never through that adapter."""

    @property
    def _cli_version(self) -> version.Version:
        assert DBT_PYTHON_VERSION is not None  # dbt-core is a dependency of careaudit
        return DBT_PYTHON_VERSION

    def _initialize_dbt_core_adapter(self, args: object) -> None:  # type: ignore[override]
        return None


def dbt_resource() -> DbtCliResource:
    return CareauditDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE)
