"""Every CAREAUDIT_* setting, read once from the environment, typed, with its default.

The same settings configure the CLI, `dagster dev` and the tests, so a data team changes
behaviour through the environment (or a `.env` file that their scheduler loads), never by
editing code.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from orchestration.paths import SAMPLE_EXTRACTS_DIR

YearType = Literal["calendar", "financial"]
Rounding = Literal["half_up", "truncate"]

DEFAULT_LA_CODE = "E10000014"
DEFAULT_OLD_LA_CODE = "850"
DEFAULT_LA_NAME = "Hampshire"
DEFAULT_REGION_CODE = "E12000008"
DEFAULT_REGION_NAME = "South East"


class SettingsError(ValueError):
    """A CAREAUDIT_* variable holds a value the pipeline cannot use."""


def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in allowed:
        raise SettingsError(f"{name}={value!r} is not one of {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    landing_dir: Path
    pseudonymisation_key: str | None
    la_code: str
    old_la_code: str
    la_name: str
    region_code: str
    region_name: str
    year_type: YearType
    percent_rounding: Rounding

    @classmethod
    def from_env(cls) -> "Settings":
        key = os.environ.get("CAREAUDIT_PSEUDONYMISATION_KEY") or None
        return cls(
            data_dir=Path(os.environ.get("CAREAUDIT_DATA_DIR", "data")).resolve(),
            landing_dir=Path(
                os.environ.get("CAREAUDIT_LANDING_DIR", str(SAMPLE_EXTRACTS_DIR))
            ).resolve(),
            pseudonymisation_key=key,
            la_code=os.environ.get("CAREAUDIT_LA_CODE", DEFAULT_LA_CODE),
            old_la_code=os.environ.get("CAREAUDIT_OLD_LA_CODE", DEFAULT_OLD_LA_CODE),
            la_name=os.environ.get("CAREAUDIT_LA_NAME", DEFAULT_LA_NAME),
            region_code=os.environ.get("CAREAUDIT_REGION_CODE", DEFAULT_REGION_CODE),
            region_name=os.environ.get("CAREAUDIT_REGION_NAME", DEFAULT_REGION_NAME),
            year_type=_choice("CAREAUDIT_YEAR_TYPE", "calendar", ("calendar", "financial")),  # type: ignore[arg-type]
            percent_rounding=_choice(
                "CAREAUDIT_PERCENT_ROUNDING", "half_up", ("half_up", "truncate")
            ),  # type: ignore[arg-type]
        )

    @property
    def warehouse_path(self) -> Path:
        """The working DuckDB warehouse: written by ingest and dbt, never read by BI tools."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def archive_dir(self) -> Path:
        """Untouched copies of every landed file, named by content hash."""
        return self.data_dir / "archive"

    @property
    def publish_dir(self) -> Path:
        return self.data_dir / "publish"

    @property
    def staging_dir(self) -> Path:
        """Outputs being prepared, checked here before they are published."""
        return self.data_dir / "staging"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    def dbt_env(self) -> dict[str, str]:
        """Environment the dbt subprocess reads: the warehouse path (its profile) and the
        reporting conventions (its macros)."""
        return {
            "CAREAUDIT_WAREHOUSE_PATH": str(self.warehouse_path),
            "CAREAUDIT_YEAR_TYPE": self.year_type,
            "CAREAUDIT_PERCENT_ROUNDING": self.percent_rounding,
        }
