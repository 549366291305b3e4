"""Outputs staged by hand, small but in the real formats and through the real writers, as the
publish assets stage them: each says how many audits it counts, so a test can tell which
release a reader sees."""

from collections.abc import Iterable
from pathlib import Path

import duckdb

from orchestration.lib.publish.files import text_table, write_atomically
from orchestration.lib.publish.manifest import OUTPUTS, PARQUET_VERSION_KEY, html_version_tag
from orchestration.lib.publish.release import StagedOutput, record_output, staged_release_dir
from orchestration.lib.publish.reporting_database import write_reporting_database
from orchestration.settings import Settings


def _table(con: duckdb.DuckDBPyConnection, audits: int) -> duckdb.DuckDBPyRelation:
    return con.sql(f"select 'audits_completed' as metric_id, {audits} as numerator")


def stage_outputs(
    settings: Settings,
    run_id: str,
    data_version: str,
    audits: int,
    outputs: Iterable[str] = OUTPUTS,
) -> None:
    """Stage each named output in the run's release, as its publish asset does."""
    root = staged_release_dir(settings, run_id)
    con = duckdb.connect()
    con.execute("create schema reporting")
    _table(con, audits).create("reporting.rpt_metrics")
    for name in outputs:
        files: dict[Path, int | dict[str, int] | None]
        if name == "internal_files":
            files = {
                write_atomically(_table(con, audits), root / "internal" / "metrics.csv"): 1,
                write_atomically(
                    _table(con, audits),
                    root / "internal" / "metrics.parquet",
                    {PARQUET_VERSION_KEY: data_version},
                ): 1,
            }
        elif name == "reporting_database":
            target = root / "reporting.duckdb"
            rows = write_reporting_database(
                con, target, {"metrics": "reporting.rpt_metrics"}, run_id, data_version
            )
            files = {target: rows}
        elif name == "open_data":
            table = text_table(con, ["metric", "audit_count"], [["audits completed", str(audits)]])
            files = {write_atomically(table, root / "open_data" / "metrics.csv"): 1}
        elif name == "data_catalogue":
            page = root / "catalogue" / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text("<html><body>the dbt docs</body></html>", encoding="utf-8")
            files = {page: None}
        else:
            html = root / "report" / "care_plan_audit_2022.html"
            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(
                f"<html><head>{html_version_tag(data_version)}</head>"
                f"<body>{audits} audits</body></html>",
                encoding="utf-8",
            )
            files = {html: None}
        relative = {path.relative_to(root).as_posix(): rows for path, rows in files.items()}
        record_output(settings, run_id, StagedOutput(name, data_version, relative))
    con.close()


def audits_seen(publish: Path) -> dict[str, int]:
    """How many audits each published output says there are."""
    with duckdb.connect() as con:
        con.execute("attach ? as published (read_only)", [str(publish / "reporting.duckdb")])
        database = con.execute("select numerator from published.metrics").fetchone()[0]  # type: ignore[index]
        parquet = con.execute(
            "select numerator from read_parquet(?)", [str(publish / "internal" / "metrics.parquet")]
        ).fetchone()[0]  # type: ignore[index]
    csv_lines = (publish / "internal" / "metrics.csv").read_text().splitlines()
    open_lines = (publish / "open_data" / "metrics.csv").read_text().splitlines()
    report = (publish / "report" / "care_plan_audit_2022.html").read_text()
    return {
        "internal csv": int(csv_lines[1].split(",")[1]),
        "internal parquet": parquet,
        "reporting.duckdb": database,
        "open data": int(open_lines[1].split(",")[1]),
        "report": int(report.split("<body>")[1].split(" ")[0]),
    }
