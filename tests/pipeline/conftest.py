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


# A generated hub: three authorities of the register's synthetic region, a small year and a
# bit (two periods), refreshed once with CAREAUDIT_AUTHORITY_FOLDERS for every hub test.
HUB_AUTHORITIES = 3
HUB_KEY = "hub-test-key"
HUB_ENV = {"CAREAUDIT_AUTHORITY_FOLDERS": "true", "CAREAUDIT_PSEUDONYMISATION_KEY": HUB_KEY}


@pytest.fixture(scope="session")
def hub_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`careaudit generate-sample --authorities 3`: one folder of monthly exports per
    authority, and in the second authority's folder a file careaudit does not read (so that
    authority alone has a finding)."""
    landing = tmp_path_factory.mktemp("hub_landing")
    result = run_careaudit(
        "generate-sample", "--audits", "900", "--months", "14",
        "--authorities", str(HUB_AUTHORITIES), "--out", str(landing),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    folders = sorted(p for p in landing.iterdir() if p.is_dir())
    (folders[1] / "notes.txt").write_text("not an export\n", encoding="utf-8")
    return landing


@pytest.fixture(scope="session")
def hub_run(tmp_path_factory: pytest.TempPathFactory, hub_landing: Path) -> Path:
    """The hub's refresh: its data dir."""
    data_dir = tmp_path_factory.mktemp("hub_run")
    result = run_careaudit(
        "refresh", "--landing", str(hub_landing), "--data-dir", str(data_dir),
        env=careaudit_env(**HUB_ENV),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"hub packs:  {data_dir / 'publish' / 'authorities'}/<la_code>/ for " in result.stdout
    return data_dir
