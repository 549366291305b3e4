"""A refresh when nothing has landed or changed (the daily cron between monthly exports) takes
a second or two and changes nothing: no run, no rebuild, no new release; it says since when."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from tests.support import careaudit_env, run_careaudit

from .conftest import SAMPLE_ENV

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def copy_of_the_sample_run(sample_run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("nothing_new") / "data"
    shutil.copytree(sample_run[0], data_dir, symlinks=True)
    return data_dir


def run_count(data_dir: Path) -> int:
    with dg.DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        return len(instance.get_runs())


def test_a_refresh_with_nothing_new_changes_nothing_and_says_since_when(
    copy_of_the_sample_run: Path,
) -> None:
    data_dir = copy_of_the_sample_run
    release = (data_dir / "publish").readlink()
    warehouse = (data_dir / "warehouse.duckdb").stat()
    runs = run_count(data_dir)

    result = run_careaudit("refresh", "--data-dir", str(data_dir), env=careaudit_env(**SAMPLE_ENV))

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("careaudit refresh: nothing new since 20")
    assert "nothing was rebuilt or republished" in result.stdout
    assert (data_dir / "publish").readlink() == release
    assert (data_dir / "warehouse.duckdb").stat().st_mtime_ns == warehouse.st_mtime_ns
    assert run_count(data_dir) == runs
