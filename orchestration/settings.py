"""Every CAREAUDIT_* setting, declared once: its variable, what it means, its type and default.

The declarations (VARIABLES) are the only place a CAREAUDIT_* variable is named or read. The
CLI, `dagster dev`, the schedule and the tests all build the same typed objects from them:
`Settings` (what a refresh reads and writes, and the authority's conventions), and
`AutomationSettings` and `AlertSettings` (when runs start by themselves, and who hears of a
failure). A command-line option overrides its variable by being passed in, never by changing
the running process's environment; the Dagster resource (resources.py) and dbt (`dbt_vars`)
receive what they need from the objects. The settings table of the documentation is checked
against these declarations by a test.

The demo profile, in one place: with no landing folder configured, careaudit reads its bundled
synthetic sample and never moves a file out of it; without a key, it pseudonymises with a
labelled development key only files whose checksums are the sample's
(seeds/sample_extracts.sha256). Nothing else in the product knows about the sample.
"""

import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from orchestration.paths import SAMPLE_COMMENTARY_DIR, SAMPLE_EXTRACTS_DIR

YearType = Literal["calendar", "financial"]
Rounding = Literal["half_up", "truncate"]

# An ONS/GSS authority code, as a hub's landing subfolders are named: E10000014, W06000015.
LA_CODE_PATTERN = re.compile(r"[ENSW]\d{8}")
# Only for the bundled synthetic sample: it protects nothing and says so in its name.
DEVELOPMENT_KEY = "careaudit-DEVELOPMENT-KEY-for-the-bundled-synthetic-sample-only"
# sha256 of each file of the bundled sample (written by `careaudit generate-sample`).
SAMPLE_CHECKSUMS = SAMPLE_EXTRACTS_DIR.with_name("sample_extracts.sha256")


class SettingsError(ValueError):
    """A CAREAUDIT_* variable holds a value the pipeline cannot use."""


# ---- how a variable's text becomes a value ----


def _text(name: str, raw: str) -> str:
    return raw.strip()


def _optional_text(name: str, raw: str) -> str | None:
    return raw.strip() or None


def _secret(name: str, raw: str) -> str | None:
    return raw or None


def _folder(name: str, raw: str) -> Path:
    return Path(raw.strip()).resolve()


def _optional_folder(name: str, raw: str) -> Path | None:
    return Path(raw.strip()).resolve() if raw.strip() else None


def _positive_int(name: str, raw: str) -> int:
    if not raw.strip().isdigit() or int(raw) == 0:
        raise SettingsError(f"{name}={raw!r} is not a positive whole number")
    return int(raw)


def _seconds(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError as error:
        raise SettingsError(f"{name}={raw!r} is not a number of seconds") from error


def _choice(*allowed: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise SettingsError(f"{name}={value!r} is not one of {', '.join(allowed)}")
        return value

    return parse


def _yes_no(name: str, raw: str) -> bool:
    return _choice("true", "false")(name, raw) == "true"


def _report_periods(name: str, raw: str) -> str:
    """latest, all, or reporting periods separated by commas (2021,2022 or 202122)."""
    value = raw.strip().lower()
    periods = [p.strip() for p in value.split(",")]
    if value in ("latest", "all"):
        return value
    if all(p.isdigit() and len(p) in (4, 6) for p in periods):
        return ",".join(periods)
    raise SettingsError(f"{name}={raw!r} is not latest, all or periods such as 2021,2022")


def _port(name: str, raw: str) -> int | None:
    if not raw.strip():
        return None  # the security mode's usual port
    if not raw.strip().isdigit():
        raise SettingsError(f"{name}={raw!r} is not a port number")
    return int(raw)


def _addresses(name: str, raw: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in raw.split(",") if a.strip())


@dataclass(frozen=True)
class Variable:
    """One CAREAUDIT_* variable: which object and field it sets, how it is read, its default
    (the text it would have; "" for none) and what it means (the documentation's words)."""

    name: str
    group: str  # settings | automation | alerts
    field: str
    parse: Callable[[str, str], Any]
    default: str
    meaning: str
    secret: bool = False
    for_dbt: bool = False  # the dbt project's SQL reads it (dbt_vars)


VARIABLES: tuple[Variable, ...] = (
    Variable("CAREAUDIT_LANDING_DIR", "settings", "landing_dir", _optional_folder, "",
             "folder of exports to ingest (subfolders included; hidden and `~$` files ignored); "
             "unset: the bundled synthetic sample (the demo profile)"),
    Variable("CAREAUDIT_DATA_DIR", "settings", "data_dir", _folder, "data",
             "where the warehouse, archive, published files and Dagster history go (a relative "
             "path is from the working directory)"),
    Variable("CAREAUDIT_PSEUDONYMISATION_KEY", "settings", "pseudonymisation_key", _secret, "",
             "key of the HMAC that replaces child ids and staff emails; without it only the "
             "bundled sample is ingested (with a labelled development key)", secret=True),
    Variable("CAREAUDIT_EXPORT_SHEET", "settings", "export_sheet", _optional_text, "",
             "the sheet to load from XLSX workbooks that have it (case-insensitive); needed only "
             "when several sheets carry audit headers"),
    Variable("CAREAUDIT_LA_CODE", "settings", "la_code", _text, "E10000014",
             "the authority every loaded row is stamped with", for_dbt=True),
    Variable("CAREAUDIT_OLD_LA_CODE", "settings", "old_la_code", _text, "850",
             "the authority's old (three-digit) code, for the open data"),
    Variable("CAREAUDIT_LA_NAME", "settings", "la_name", _text, "Hampshire",
             "the authority's name, for the open data, BI rows and the report", for_dbt=True),
    Variable("CAREAUDIT_REGION_CODE", "settings", "region_code", _text, "E12000008",
             "the authority's region, for the open data"),
    Variable("CAREAUDIT_REGION_NAME", "settings", "region_name", _text, "South East",
             "the region's name, for the open data"),
    Variable("CAREAUDIT_YEAR_TYPE", "settings", "year_type", _choice("calendar", "financial"),
             "calendar", "`calendar` (time_period `2022`) or `financial` (April-March, `202223`)",
             for_dbt=True),
    Variable("CAREAUDIT_PERCENT_ROUNDING", "settings", "percent_rounding",
             _choice("half_up", "truncate"), "half_up",
             "how whole percentages are made for the report, `reported_percent` and year-on-year "
             "changes (the refresh summary says which; the open data always rounds half up); "
             "`truncate` reproduces the 2022 report, which printed 230/240 = 95.8% as 95%",
             for_dbt=True),
    Variable("CAREAUDIT_AUTHORITY_FOLDERS", "settings", "authority_folders", _yes_no, "false",
             "`true` for a hub loading many authorities: each top folder of the landing folder "
             "is named by an authority's code (`E10000014/2024-05.csv`) and its files are "
             "stamped with that code instead of `CAREAUDIT_LA_CODE`; a file outside such a folder "
             "is refused with the reason"),
    Variable("CAREAUDIT_MAX_FILE_MB", "settings", "max_file_mb", _positive_int, "256",
             "the largest export read (MB); a larger file is refused without being read whole, "
             "an XLSX may expand to 8 times it"),
    Variable("CAREAUDIT_DUCKDB_MEMORY_LIMIT", "settings", "duckdb_memory_limit", _text, "2GB",
             "the most memory DuckDB takes while dbt builds the warehouse; beyond it DuckDB "
             "spills to `warehouse.duckdb.tmp`", for_dbt=True),
    Variable("CAREAUDIT_DBT_THREADS", "settings", "dbt_threads", _positive_int, "2",
             "dbt models built at once; they share that memory, so more threads than cores only "
             "divide it", for_dbt=True),
    Variable("CAREAUDIT_REPORT_PERIODS", "settings", "report_periods", _report_periods, "latest",
             "which years get an annual report: `latest` (the latest year with audits), `all`, "
             "or years separated by commas (`2021,2022`)"),
    Variable("CAREAUDIT_REPORT_COMMENTARY_DIR", "settings", "report_commentary_dir",
             _optional_folder, "",
             "folder of the team's commentary files, one `care_plan_audit_<year>.md` per report "
             "(unset: `report_commentary` in the data dir)"),
    Variable("CAREAUDIT_REFRESH_CRON", "automation", "refresh_cron", _text, "0 6 2 * *",
             "when the `monthly_refresh` schedule runs"),
    Variable("CAREAUDIT_TIMEZONE", "automation", "timezone", _text, "Europe/London",
             "the time zone of that schedule"),
    Variable("CAREAUDIT_LANDING_SETTLE_SECONDS", "automation", "landing_settle_seconds",
             _seconds, "30",
             "how long a landed file must be unchanged before the sensor takes it"),
    Variable("CAREAUDIT_ALERT_EMAIL_TO", "alerts", "email_to", _addresses, "",
             "who is emailed when a run fails (comma-separated); alerts are off without it"),
    Variable("CAREAUDIT_ALERT_EMAIL_FROM", "alerts", "email_from", _text, "careaudit@localhost",
             "the alert's sender"),
    Variable("CAREAUDIT_SMTP_HOST", "alerts", "smtp_host", _optional_text, "",
             "the mail server; alerts are off without it"),
    Variable("CAREAUDIT_SMTP_SECURITY", "alerts", "smtp_security",
             _choice("starttls", "ssl", "none"), "starttls", "`starttls`, `ssl` or `none`"),
    Variable("CAREAUDIT_SMTP_PORT", "alerts", "smtp_port", _port, "",
             "the mail server's port (unset: 587, 465 or 25 by the security mode)"),
    Variable("CAREAUDIT_SMTP_USER", "alerts", "smtp_user", _optional_text, "",
             "the mail server's user name, if it wants one"),
    Variable("CAREAUDIT_SMTP_PASSWORD", "alerts", "smtp_password", _secret, "",
             "that user's password", secret=True),
    Variable("CAREAUDIT_UI_URL", "alerts", "ui_url", _text, "http://127.0.0.1:3000",
             "the Dagster UI's address, for the link to a failed run"),
)  # fmt: skip


def _default(name: str) -> str:
    return next(v.default for v in VARIABLES if v.name == name)


# The largest export read unless CAREAUDIT_MAX_FILE_MB says otherwise (readers' default).
DEFAULT_MAX_FILE_MB = int(_default("CAREAUDIT_MAX_FILE_MB"))


def _read(group: str, environ: Mapping[str, str]) -> dict[str, Any]:
    return {
        v.field: v.parse(v.name, environ.get(v.name, v.default))
        for v in VARIABLES
        if v.group == group
    }


def _sample_checksums() -> frozenset[str]:
    try:
        lines = SAMPLE_CHECKSUMS.read_text().splitlines()
    except OSError:
        return frozenset()
    return frozenset(line.split()[0] for line in lines if line.strip())


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    landing_dir: Path
    pseudonymisation_key: str | None
    export_sheet: str | None
    la_code: str
    old_la_code: str
    la_name: str
    region_code: str
    region_name: str
    year_type: YearType
    percent_rounding: Rounding
    authority_folders: bool
    max_file_mb: int
    duckdb_memory_limit: str
    dbt_threads: int
    report_periods: str
    report_commentary_dir: Path | None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """The settings the environment gives (`environ`: the process's environment, or a
        mapping standing for it, e.g. with the command line's folders in)."""
        values = _read("settings", os.environ if environ is None else environ)
        if values["landing_dir"] is None:  # the demo profile
            values["landing_dir"] = SAMPLE_EXTRACTS_DIR.resolve()
        return cls(**values)

    def key_for(self, checksums: Collection[str]) -> str | None:
        """The key to pseudonymise files of these sha256s with: the configured one; without
        one, the development key when every file is one of the bundled sample's (wherever it
        was copied to); else None (ingest refuses to run without a key)."""
        if self.pseudonymisation_key:
            return self.pseudonymisation_key
        if set(checksums) <= _sample_checksums():
            return DEVELOPMENT_KEY
        return None

    @property
    def landing_is_read_only(self) -> bool:
        """The bundled sample's folder (the demo profile's landing folder, however it was
        chosen) is part of the repository: nothing is moved out of it."""
        return self.landing_dir.is_relative_to(SAMPLE_EXTRACTS_DIR.resolve())

    @property
    def example_commentary_dir(self) -> Path | None:
        """The bundled sample's own commentary (the 2022 report's), to start a report of the
        sample with; None for anyone's own exports."""
        return SAMPLE_COMMENTARY_DIR if self.landing_is_read_only else None

    def with_folders(self, landing_dir: str | None, data_dir: str | None) -> "Settings":
        """These settings with the folders a command line gives."""
        changes: dict[str, Any] = {}
        if landing_dir is not None:
            changes["landing_dir"] = Path(landing_dir).resolve()
        if data_dir is not None:
            changes["data_dir"] = Path(data_dir).resolve()
        return replace(self, **changes)

    def as_environment(self) -> dict[str, str]:
        """The variables that give a child process (`dagster dev`) these settings."""
        environment = {}
        for variable, value in as_config(self, {}).items():
            name = next(v.name for v in VARIABLES if v.field == variable)
            if isinstance(value, str) and value:
                environment[name] = value
        return environment

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

    def dbt_vars(self) -> dict[str, str | int]:
        """What the dbt project reads (`var()` in its profile and macros): the warehouse, and
        every setting declared `for_dbt`, under the setting's field name."""
        return {
            "warehouse_path": str(self.warehouse_path),
            **{v.field: getattr(self, v.field) for v in VARIABLES if v.for_dbt},
        }


def _as_text(value: object) -> str:
    """A setting's value as its variable would hold it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class FromEnvironment:
    """A secret in configuration: the name of the variable holding it, never its value, so a
    UI that shows configuration shows the name."""

    name: str


def as_config(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> dict[str, str | FromEnvironment]:
    """The settings as text per field (what `settings_from_config` reads back), a secret that
    the environment holds given as FromEnvironment."""
    environ = os.environ if environ is None else environ
    config: dict[str, str | FromEnvironment] = {}
    for variable in VARIABLES:
        if variable.group != "settings":
            continue
        value = getattr(settings, variable.field)
        if variable.secret and value and environ.get(variable.name) == value:
            config[variable.field] = FromEnvironment(variable.name)
        else:
            config[variable.field] = _as_text(value)
    return config


def settings_from_config(config: Mapping[str, str | None]) -> Settings:
    """Settings from text per field (as_config's, secrets resolved)."""
    return Settings.from_env(
        {v.name: config.get(v.field) or "" for v in VARIABLES if v.group == "settings"}
    )


def settings_variables() -> tuple[Variable, ...]:
    return tuple(v for v in VARIABLES if v.group == "settings")


# The settings table of docs/operating.md sits between these lines, generated, never edited.
TABLE_BEGIN = (
    "<!-- settings table: generated from orchestration/settings.py by "
    "`careaudit settings --update docs/operating.md`; do not edit -->"
)
TABLE_END = "<!-- end of the generated settings table -->"


def settings_table() -> str:
    """The documentation's table of every variable (name, default, meaning), made from the
    declarations, so that a new setting is documented by declaring it."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for variable in VARIABLES:
        default = f"`{variable.default}`" if variable.default else "none"
        meaning = variable.meaning.replace("|", "\\|")
        if variable.secret:
            meaning += "; a secret: set it from your secret store (the Dagster UI never shows it)"
        rows.append(f"| `{variable.name}` | {default} | {meaning} |")
    return "\n".join(rows) + "\n"


def with_settings_table(document: str) -> str:
    """The document with the generated table between its markers (a SettingsError when it
    has no such place, so the table is never appended somewhere nobody reads it)."""
    begin, end = document.find(TABLE_BEGIN), document.find(TABLE_END)
    if begin < 0 or end < begin:
        raise SettingsError(f"no settings table between {TABLE_BEGIN!r} and {TABLE_END!r}")
    start = begin + len(TABLE_BEGIN)
    return f"{document[:start]}\n\n{settings_table()}\n{document[end:]}"


@dataclass(frozen=True)
class AutomationSettings:
    """When the refresh runs by itself: the monthly schedule and the landing-folder sensor."""

    refresh_cron: str
    timezone: str
    landing_settle_seconds: float

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "AutomationSettings":
        return cls(**_read("automation", os.environ if environ is None else environ))


@dataclass(frozen=True)
class AlertSettings:
    """Who is emailed when a run fails, and through which SMTP server. Off unless both a
    recipient and a server are configured."""

    email_to: tuple[str, ...]
    email_from: str
    smtp_host: str | None
    smtp_security: str  # starttls | ssl | none
    smtp_port: int | None
    smtp_user: str | None
    smtp_password: str | None
    ui_url: str

    @property
    def enabled(self) -> bool:
        return bool(self.email_to and self.smtp_host)

    @property
    def port(self) -> int:
        return self.smtp_port or {"starttls": 587, "ssl": 465, "none": 25}[self.smtp_security]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "AlertSettings":
        values = _read("alerts", os.environ if environ is None else environ)
        values["ui_url"] = values["ui_url"].rstrip("/")
        return cls(**values)
