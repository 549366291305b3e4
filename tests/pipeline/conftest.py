import subprocess
from pathlib import Path

import pytest

from tests.support import careaudit_env, run_careaudit


@pytest.fixture(scope="session")
def sample_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One refresh of the bundled sample, rounding as the 2022 report did (truncate), shared
    by every test that reads its outputs."""
    data_dir = tmp_path_factory.mktemp("sample_run")
    env = careaudit_env(CAREAUDIT_PERCENT_ROUNDING="truncate")
    result = run_careaudit("refresh", "--data-dir", str(data_dir), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return data_dir, result
