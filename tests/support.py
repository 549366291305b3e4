"""Helpers for tests that run the real `careaudit` command the way a data team does."""

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from unittest.mock import patch

from orchestration.settings import Settings

CAREAUDIT = str(Path(sys.executable).with_name("careaudit"))

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


def run_careaudit(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `careaudit <args>` in a subprocess and return the completed process."""
    return subprocess.run(
        [CAREAUDIT, *args],
        env=env or careaudit_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def default_settings(data_dir: Path) -> Settings:
    """The settings of a run with every default (the bundled sample's authority), for tests
    that call the code directly rather than through `careaudit`."""
    with patch.dict(os.environ, careaudit_env(), clear=True):
        settings = Settings.from_env()
    return replace(settings, data_dir=data_dir, landing_dir=data_dir / "landing")
