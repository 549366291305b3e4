"""Helpers for tests that run the real `careaudit` command the way a data team does."""

import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from unittest.mock import patch

import duckdb

from orchestration.settings import Settings

CAREAUDIT = str(Path(sys.executable).with_name("careaudit"))
# The open-data geography of the bundled sample's authority (Hampshire) and its region.
HAMPSHIRE = {
    "new_la_code": "E10000014",
    "old_la_code": "850",
    "la_name": "Hampshire",
    "region_code": "E12000008",
    "region_name": "South East",
}

RunCareaudit = Callable[..., subprocess.CompletedProcess[str]]


def careaudit_env(**overrides: str) -> dict[str, str]:
    """The environment of a clean run: no CAREAUDIT_* settings or DAGSTER_HOME inherited."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CAREAUDIT_") and k != "DAGSTER_HOME"
    }
    env.update(DO_NOT_TRACK="1", DAGSTER_DISABLE_TELEMETRY="1", **overrides)
    return env


def run_command(
    command: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: int = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a command in a clean environment (careaudit_env unless env is given), its output
    captured as text, and return the completed process whatever its exit code."""
    return subprocess.run(
        command,
        cwd=cwd,
        env=env or careaudit_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_careaudit(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `careaudit <args>` in a subprocess and return the completed process."""
    return run_command([CAREAUDIT, *args], env=env)


def start_careaudit(
    *args: str,
    env: dict[str, str] | None = None,
    stdout: int | None = subprocess.PIPE,
    stderr: int | None = subprocess.PIPE,
) -> subprocess.Popen[str]:
    """Start `careaudit <args>` in the background, to watch, stop or kill it while it runs."""
    return subprocess.Popen(
        [CAREAUDIT, *args], env=env or careaudit_env(), stdout=stdout, stderr=stderr, text=True
    )


def refresh_landing(
    landing: Path, data_dir: Path, *options: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`careaudit refresh` of a landing folder into a data folder, as a data team runs it."""
    return run_careaudit(
        "refresh", "--landing", str(landing), "--data-dir", str(data_dir), *options, env=env
    )


def default_settings(data_dir: Path) -> Settings:
    """The settings of a run with every default (the bundled sample's authority), for tests
    that call the code directly rather than through `careaudit`."""
    with patch.dict(os.environ, careaudit_env(), clear=True):
        settings = Settings.from_env()
    return replace(settings, data_dir=data_dir, landing_dir=data_dir / "landing")


def warehouse_rows(data_dir: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    """What a query returns from a run's warehouse, opened read-only as a BI tool would."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, parameters).fetchall()


def live_formulas(cells: Iterable[str]) -> list[str]:
    """The cells a spreadsheet would run as a formula when it opens a published CSV: those
    starting =, +, @, a tab or a carriage return, and - unless the cell is a number."""
    return [
        cell
        for cell in cells
        if cell[:1] in ("=", "+", "@", "\t", "\r") or (cell[:1] == "-" and not _is_number(cell))
    ]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
