"""A refresh that dies or finds the raw tables wrong changes nothing, and says so.

A real `careaudit refresh` process is killed with SIGKILL while it loads a large file: the
warehouse must hold exactly what it held before (every table, every row), and the next refresh
must complete and load the file. And when the raw tables do not reconcile with what ingest
recorded, the blocking check stops the refresh before dbt builds anything on them.
"""

import os
import signal
import subprocess
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.ingest import RECONCILIATION_CHECK
from orchestration.lib.catalogue import load_catalogue
from orchestration.lib.ingest.run import ingest_landing_folder
from orchestration.settings import Settings
from sample.scaled import write_scaled_export
from tests.exports import answered_audit, write_export
from tests.support import careaudit_env, refresh_landing, start_careaudit

pytestmark = pytest.mark.slow

KEY = "test-key-not-secret"
LOAD_STARTS = "into the warehouse in one transaction"
LARGE_ROWS = 30_000


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every table in the warehouse, in a stable order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE'"
        ).fetchall()
        return {
            f"{schema}.{name}": sorted(con.table(f'"{schema}"."{name}"').fetchall(), key=repr)
            for schema, name in tables
        }


@pytest.fixture
def refreshed(tmp_path: Path, monkeypatch) -> tuple[Path, Path, dict[str, str]]:
    """A landing folder of 20 audits, already ingested (as a refresh's first step does; dbt is
    not needed for a warehouse to be left as it was): (landing, data dir, environment)."""
    landing, data_dir = tmp_path / "landing", tmp_path / "data"
    write_export(landing / "small.csv", [answered_audit("2022", n) for n in range(1, 21)])
    env = careaudit_env(CAREAUDIT_PSEUDONYMISATION_KEY=KEY)
    for variable in [v for v in os.environ if v.startswith("CAREAUDIT_")]:
        monkeypatch.delenv(variable)  # the settings the refreshes below see: defaults
    settings = replace(
        Settings.from_env(), data_dir=data_dir, landing_dir=landing, pseudonymisation_key=KEY
    )
    assert [o.status for o in ingest_landing_folder(settings, load_catalogue())] == ["loaded"]
    return landing, data_dir, env


def test_a_refresh_killed_while_loading_changes_nothing_and_the_next_completes(refreshed):
    landing, data_dir, env = refreshed
    warehouse = data_dir / "warehouse.duckdb"
    before = snapshot(warehouse)
    write_scaled_export(landing / "large.csv", LARGE_ROWS)
    write_export(landing / "more.csv", [answered_audit("2022", 99)])

    refresh = start_careaudit(
        "refresh",
        "--landing",
        str(landing),
        "--data-dir",
        str(data_dir),
        env=env,
        stderr=subprocess.DEVNULL,
    )
    seen = []
    assert refresh.stdout is not None
    for line in refresh.stdout:
        seen.append(line)
        if LOAD_STARTS in line:
            os.kill(refresh.pid, signal.SIGKILL)
            break
    refresh.wait(timeout=60)

    assert refresh.returncode == -signal.SIGKILL, "".join(seen)
    assert f"loading 2 new file(s), {LARGE_ROWS + 1} audit rows" in seen[-1]
    assert snapshot(warehouse) == before

    result = refresh_landing(landing, data_dir, env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select source_file, rows_loaded from raw.landed_files where is_current "
            "order by source_file"
        ).fetchall() == [("large.csv", LARGE_ROWS), ("more.csv", 1), ("small.csv", 20)]
        assert con.execute("select count(*) from marts.fct_audits").fetchone() == (LARGE_ROWS + 21,)


def test_raw_tables_that_do_not_reconcile_stop_the_refresh_before_dbt(refreshed):
    landing, data_dir, env = refreshed
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        con.execute("delete from raw.audit_submissions where source_row = 2")

    result = refresh_landing(landing, data_dir, env=env)

    assert result.returncode == 1
    assert (
        f"careaudit refresh stopped: check {RECONCILIATION_CHECK} on raw/audit_submissions "
        "failed: small.csv: 20 rows loaded but 19 in raw.audit_submissions"
    ) in result.stderr
    assert "built staging/" not in result.stdout  # dbt did not run, nothing was published
    assert not (data_dir / "publish").exists()
