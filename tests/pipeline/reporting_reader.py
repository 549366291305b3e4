"""A dashboard's view of publish/reporting.duckdb, run as its own process by the tests: it
holds one read-only connection open the whole time (a BI tool left open) and keeps opening
new ones (a BI tool refreshing), recording what each one sees, until told to stop.

usage: python reporting_reader.py DATABASE OUTPUT_JSON STOP_FILE
Writes OUTPUT_JSON.ready with its first view once the connection is held.
"""

import json
import sys
import time
from pathlib import Path

import duckdb


def view(con: duckdb.DuckDBPyConnection) -> list[object]:
    """What one reader sees, across every table: a mix of two publications would show up as
    a combination that neither publication has."""
    return [
        con.execute("select dagster_run_id from publication").fetchone()[0],  # type: ignore[index]
        con.execute(
            "select sum(numerator) from metrics where metric_id = 'audits_completed'"
        ).fetchone()[0],  # type: ignore[index]
        con.execute(
            "select sum(numerator) from metric_breakdowns "
            "where metric_id = 'audits_completed' and breakdown_topic = 'total'"
        ).fetchone()[0],  # type: ignore[index]
        con.execute("select count(*) from metric_trends").fetchone()[0],  # type: ignore[index]
    ]


def main(database: str, output: Path, stop: Path) -> None:
    held = duckdb.connect(database, read_only=True)
    seen: dict[str, list] = {"held": [view(held)], "fresh": [], "errors": []}
    output.with_name(f"{output.name}.ready").write_text(json.dumps(seen["held"][0]))
    while not stop.exists():
        seen["held"].append(view(held))
        try:
            # A new instance that opens the file now (duckdb.connect(database) would reuse
            # this process's open instance, the held one).
            with duckdb.connect() as fresh:
                fresh.execute("attach ? as reporting (read_only)", [database])
                fresh.execute("use reporting")
                seen["fresh"].append(view(fresh))
        except duckdb.Error as error:
            seen["errors"].append(str(error))
        time.sleep(0.05)
    held.close()
    output.write_text(json.dumps(seen))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
