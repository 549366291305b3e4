"""Helpers for tests that run the real `careaudit` command the way a data team does."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

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
