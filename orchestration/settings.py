"""Every CAREAUDIT_* setting, read once from the environment, typed, with its default.

The same settings configure the CLI, `dagster dev` and the tests, so a data team changes
behaviour through the environment (or a `.env` file that their scheduler loads), never by
editing code.
"""

import os
import re
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
# The largest export careaudit reads (CAREAUDIT_MAX_FILE_MB): a monthly export of even a large
# authority is a few MB; a file far beyond this is a mistake or an attack on memory.
DEFAULT_MAX_FILE_MB = 256
# An ONS/GSS authority code, as a hub's landing subfolders are named: E10000014, W06000015.
LA_CODE_PATTERN = re.compile(r"[ENSW]\d{8}")


class SettingsError(ValueError):
    """A CAREAUDIT_* variable holds a value the pipeline cannot use."""


def _report_periods(raw: str) -> str:
    """latest, all, or reporting periods separated by commas (2021,2022 or 202122)."""
    value = raw.strip().lower()
    periods = [p.strip() for p in value.split(",")]
    if value in ("latest", "all") or all(p.isdigit() and len(p) in (4, 6) for p in periods):
        return ",".join(periods) if value not in ("latest", "all") else value
    raise SettingsError(
        f"CAREAUDIT_REPORT_PERIODS={raw!r} is not latest, all or periods such as 2021,2022"
    )


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default)).strip()
    if not raw.isdigit() or int(raw) == 0:
        raise SettingsError(f"{name}={raw!r} is not a positive whole number")
    return int(raw)


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
    export_sheet: str | None = None
    # A hub loading many authorities: each top folder of the landing folder is named by the
    # code of the authority whose exports it holds (CAREAUDIT_AUTHORITY_FOLDERS=true).
    authority_folders: bool = False
    report_periods: str = "latest"
    report_commentary_dir: Path | None = None
    max_file_mb: int = DEFAULT_MAX_FILE_MB

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
            export_sheet=os.environ.get("CAREAUDIT_EXPORT_SHEET", "").strip() or None,
            authority_folders=_choice("CAREAUDIT_AUTHORITY_FOLDERS", "false", ("true", "false"))
            == "true",
            report_periods=_report_periods(os.environ.get("CAREAUDIT_REPORT_PERIODS", "latest")),
            report_commentary_dir=(
                Path(os.environ["CAREAUDIT_REPORT_COMMENTARY_DIR"]).resolve()
                if os.environ.get("CAREAUDIT_REPORT_COMMENTARY_DIR", "").strip()
                else None
            ),
            max_file_mb=_positive_int("CAREAUDIT_MAX_FILE_MB", DEFAULT_MAX_FILE_MB),
        )

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1_000_000

    def la_code_for(self, source_file: str) -> str | None:
        """The authority a landed file belongs to (its path inside the landing folder): the
        configured one, or with authority folders the code its top folder is named by (None
        when the file is not inside a folder named by a code)."""
        if not self.authority_folders:
            return self.la_code
        folder, _, rest = source_file.partition("/")
        return folder if rest and LA_CODE_PATTERN.fullmatch(folder) else None

    def recorded_la_code(self, source_file: str) -> str:
        """The authority a file's rows, findings or refusal are recorded under: its own, or
        the configured one for a file outside any authority folder (refused as such)."""
        return self.la_code_for(source_file) or self.la_code

    @property
    def warehouse_path(self) -> Path:
        """The working DuckDB warehouse: written by ingest and dbt, never read by BI tools."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def archive_dir(self) -> Path:
        """Untouched copies of every landed file, named by content hash."""
        return self.data_dir / "archive"

    @property
    def quarantine_dir(self) -> Path:
        """Refused files, moved out of the landing folder, each beside its reason file."""
        return self.data_dir / "quarantine"

    @property
    def publish_dir(self) -> Path:
        """What users and BI tools read: a link to the current release (publish/release.py)."""
        return self.data_dir / "publish"

    @property
    def releases_dir(self) -> Path:
        """The current and previous releases, each complete, with its release.json."""
        return self.data_dir / "releases"

    @property
    def staging_dir(self) -> Path:
        """Outputs being prepared by each run (staging/<run id>/), checked here before they
        are published."""
        return self.data_dir / "staging"

    @property
    def commentary_dir(self) -> Path:
        """The team's commentary for each year's annual report (a Markdown file per year)."""
        return self.report_commentary_dir or self.data_dir / "report_commentary"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    def dbt_env(self) -> dict[str, str]:
        """Environment the dbt subprocess reads: the warehouse path (its profile), the
        reporting conventions and the authority's name (its macros)."""
        return {
            "CAREAUDIT_WAREHOUSE_PATH": str(self.warehouse_path),
            "CAREAUDIT_YEAR_TYPE": self.year_type,
            "CAREAUDIT_PERCENT_ROUNDING": self.percent_rounding,
            "CAREAUDIT_LA_CODE": self.la_code,
            "CAREAUDIT_LA_NAME": self.la_name,
        }


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, str(default))
    try:
        return float(raw)
    except ValueError as error:
        raise SettingsError(f"{name}={raw!r} is not a number of seconds") from error


@dataclass(frozen=True)
class AutomationSettings:
    """When the refresh runs by itself: the monthly schedule and the landing-folder sensor."""

    refresh_cron: str
    timezone: str
    landing_settle_seconds: float

    @classmethod
    def from_env(cls) -> "AutomationSettings":
        return cls(
            refresh_cron=os.environ.get("CAREAUDIT_REFRESH_CRON", "0 6 2 * *"),
            timezone=os.environ.get("CAREAUDIT_TIMEZONE", "Europe/London"),
            landing_settle_seconds=_seconds("CAREAUDIT_LANDING_SETTLE_SECONDS", 30),
        )


@dataclass(frozen=True)
class AlertSettings:
    """Who is emailed when a run fails, and through which SMTP server. Off unless both a
    recipient and a server are configured."""

    email_to: tuple[str, ...]
    email_from: str
    smtp_host: str | None
    smtp_port: int
    smtp_security: str  # starttls | ssl | none
    smtp_user: str | None
    smtp_password: str | None
    ui_url: str

    @property
    def enabled(self) -> bool:
        return bool(self.email_to and self.smtp_host)

    @classmethod
    def from_env(cls) -> "AlertSettings":
        security = _choice("CAREAUDIT_SMTP_SECURITY", "starttls", ("starttls", "ssl", "none"))
        default_port = {"starttls": "587", "ssl": "465", "none": "25"}[security]
        port = os.environ.get("CAREAUDIT_SMTP_PORT", default_port)
        if not port.isdigit():
            raise SettingsError(f"CAREAUDIT_SMTP_PORT={port!r} is not a port number")
        recipients = os.environ.get("CAREAUDIT_ALERT_EMAIL_TO", "")
        return cls(
            email_to=tuple(a.strip() for a in recipients.split(",") if a.strip()),
            email_from=os.environ.get("CAREAUDIT_ALERT_EMAIL_FROM", "careaudit@localhost"),
            smtp_host=os.environ.get("CAREAUDIT_SMTP_HOST") or None,
            smtp_port=int(port),
            smtp_security=security,
            smtp_user=os.environ.get("CAREAUDIT_SMTP_USER") or None,
            smtp_password=os.environ.get("CAREAUDIT_SMTP_PASSWORD") or None,
            ui_url=os.environ.get("CAREAUDIT_UI_URL", "http://127.0.0.1:3000").rstrip("/"),
        )
