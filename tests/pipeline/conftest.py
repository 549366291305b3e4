"""The refresh of the bundled sample, run once for every end-to-end test that compares with it."""

import subprocess
from pathlib import Path

import pytest

from tests.support import careaudit_env, run_careaudit

# The 2022 report truncated its percentages; published metrics are unrounded either way.
SAMPLE_ENV = {"CAREAUDIT_PERCENT_ROUNDING": "truncate"}


@pytest.fixture(scope="session")
def sample_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`careaudit refresh` of the bundled sample, as `make run` does it: (data dir, result)."""
    data_dir = tmp_path_factory.mktemp("sample_run")
    result = run_careaudit("refresh", "--data-dir", str(data_dir), env=careaudit_env(**SAMPLE_ENV))
    assert result.returncode == 0, result.stdout + result.stderr
    return data_dir, result
