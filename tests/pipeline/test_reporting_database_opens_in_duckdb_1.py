"""BI drivers bundle older DuckDB builds: publish/reporting.duckdb must open in DuckDB 1.x.

The test builds an isolated virtual environment with DuckDB 1.0.0 (the oldest 1.x; a file
it opens, every later 1.x opens) from PyPI, cached in the pytest cache so reruns are fast,
and reads the sample's published database with it in a separate process."""

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

OLD_DUCKDB = "1.0.0"

READ = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({
    "version": duckdb.__version__,
    "objects": sorted(con.execute(
        "select table_name, table_type from information_schema.tables").fetchall()),
    "rows": {t: con.execute(f"select count(*) from {t}").fetchone()[0]
             for t in ("metrics", "metric_trends", "metric_breakdowns", "publication")},
    "headline": con.execute(
        "select numerator, denominator from metrics "
        "where metric_id = 'child_feels_life_improved' and time_period = '2022'").fetchone(),
    "latest": con.execute("select distinct time_period from metric_trends_latest").fetchall(),
    "table_comment": con.execute(
        "select comment from duckdb_tables() where table_name = 'metric_trends'").fetchone()[0],
    "uncommented_columns": con.execute(
        "select count(*) from duckdb_columns() "
        "where table_name in ('metrics', 'metric_trends', 'metric_breakdowns', "
        "'metric_trends_latest') and comment is null").fetchone()[0],
    "view_columns_commented": con.execute(
        "select count(*) from duckdb_columns() "
        "where table_name = 'metric_trends_latest' and comment is not null").fetchone()[0],
    "bi_columns": con.execute(
        "select column_name, data_type, comment is not null from duckdb_columns() "
        "where table_name = 'metrics' and column_name in ('reported_percent', 'higher_is', "
        "'report_order', 'metric_label', 'la_name') order by column_name").fetchall(),
    "declined_2022": con.execute(
        "select is_available, numerator, denominator, percent, not_available_reason "
        "from metrics where metric_id = 'parents_declined' and time_period = '2022'"
    ).fetchone(),
}))
"""

REFUSE = """
import sys
import duckdb
try:
    duckdb.connect(sys.argv[1], read_only=True)
except duckdb.Error as error:
    print(error)
"""


@pytest.fixture(scope="session")
def old_duckdb_python(request: pytest.FixtureRequest) -> Path:
    """The python of a venv with DuckDB 1.x only (built once, then reused from the cache)."""
    home = Path(request.config.cache.mkdir(f"duckdb-{OLD_DUCKDB}-venv"))
    python = home / "bin" / "python"
    check = [str(python), "-c", "import duckdb; print(duckdb.__version__)"]
    cached = python.exists() and (
        subprocess.run(check, capture_output=True, text=True).stdout.strip() == OLD_DUCKDB
    )
    if not cached:
        venv.create(home, clear=True, with_pip=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"duckdb=={OLD_DUCKDB}"],
            check=True,
            timeout=600,
        )
    return python


def run(python: Path, script: str, path: Path) -> str:
    result = subprocess.run(
        [str(python), "-c", script, str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_duckdb_1_opens_the_published_database(sample_run, old_duckdb_python):
    data_dir, _ = sample_run
    seen = json.loads(run(old_duckdb_python, READ, data_dir / "publish" / "reporting.duckdb"))
    assert seen["version"] == OLD_DUCKDB
    assert seen["objects"] == [
        ["metric_benchmarks", "BASE TABLE"],
        ["metric_breakdowns", "BASE TABLE"],
        ["metric_trends", "BASE TABLE"],
        ["metric_trends_latest", "VIEW"],
        ["metrics", "BASE TABLE"],
        ["publication", "BASE TABLE"],
    ]
    for table in ("metrics", "metric_trends", "metric_breakdowns"):
        lines = (data_dir / "publish" / "internal" / f"{table}.csv").read_text().splitlines()
        assert seen["rows"][table] == len(lines) - 1
    assert seen["rows"]["publication"] == 1
    assert seen["headline"] == [209, 240]
    assert seen["latest"] == [["2022"]]
    assert seen["table_comment"].startswith("Published trends")
    assert seen["uncommented_columns"] == 0
    assert seen["view_columns_commented"] > 30  # every column of metric_trends


def test_a_dashboard_gets_the_columns_it_needs_each_described(sample_run, old_duckdb_python):
    data_dir, _ = sample_run
    seen = json.loads(run(old_duckdb_python, READ, data_dir / "publish" / "reporting.duckdb"))
    assert seen["bi_columns"] == [
        ["higher_is", "VARCHAR", True],
        ["la_name", "VARCHAR", True],
        ["metric_label", "VARCHAR", True],
        ["report_order", "INTEGER", True],
        ["reported_percent", "INTEGER", True],
    ]
    # a measure the 2022 form could not record: no figures, and why (not 0 of 240)
    assert seen["declined_2022"] == [
        False,
        None,
        None,
        None,
        'option "No - parents declined" introduced with the 2023 form',
    ]


def test_duckdb_1_cannot_open_a_file_in_duckdb_2_format(sample_run, old_duckdb_python):
    # Why the published file is written in an older storage version: the working warehouse
    # (DuckDB 2.0's own format) is refused by the same client.
    data_dir, _ = sample_run
    message = run(old_duckdb_python, REFUSE, data_dir / "warehouse.duckdb")
    assert "newer version of DuckDB" in message


def test_the_isolated_client_is_not_this_environments_duckdb(old_duckdb_python):
    import duckdb

    assert duckdb.__version__.startswith("2.")
    assert Path(sys.executable).resolve() != old_duckdb_python.resolve()
