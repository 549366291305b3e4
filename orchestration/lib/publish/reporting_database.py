"""publish/reporting.duckdb: the published tables in one DuckDB file for BI tools (Power BI,
Excel, Metabase), never the working warehouse.

Three properties make it safe to leave a dashboard connected:
- it holds only the published tables (and a convenience view), with the column descriptions
  of the dbt docs as comments, and a `publication` row saying when, by which run and from
  which data version (the same in every output of its release);
- it is written in DuckDB's v1.0.0 storage format, which every DuckDB 1.x (the versions BI
  drivers bundle) opens; files in DuckDB 2.0's own format cannot be opened by them;
- it is a new file in every release, never changed in place: the release switch
  (release.py) is a rename, so a reader holding the old file open keeps reading the old file
  whole, a new reader gets the new one whole, and the refresh never waits for, or fails on,
  a reader's lock.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.lib.atomic import replacing

STORAGE_VERSION = "v1.0.0"  # readable by DuckDB 1.0 and every later release
LATEST_TRENDS_VIEW = "metric_trends_latest"


def _literal(text: str | Path) -> str:
    """A SQL string literal (DDL such as ATTACH and COMMENT takes no parameters)."""
    return "'" + str(text).replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_reporting_database(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    tables: Mapping[str, str],
    run_id: str,
    data_version: str,
) -> dict[str, int]:
    """Copy each relation (schema.table) of the warehouse (con: a read-only connection) into
    target as a table of the given name, with its comments; returns each table's row count."""
    rows: dict[str, int] = {}
    with replacing(target) as partial:
        partial.with_name(f"{partial.name}.wal").unlink(missing_ok=True)
        con.execute(
            f"attach {_literal(partial)} as published "
            f"(storage_version '{STORAGE_VERSION}', read_only false)"
        )
        try:
            for name, relation in tables.items():
                schema, table = relation.split(".")
                con.execute(
                    f"create table published.main.{_identifier(name)} as "
                    f"select * from {_identifier(schema)}.{_identifier(table)} order by all"
                )
                rows[name] = con.execute(
                    f"select count(*) from published.main.{_identifier(name)}"
                ).fetchone()[0]  # type: ignore[index]
                _copy_comments(con, schema, table, name)
            if "metric_trends" in tables:
                _latest_trends_view(con)
            _publication(con, run_id, data_version, tables)
        finally:
            con.execute("detach published")
    return rows


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str, name: str) -> None:
    """The dbt docs, persisted as comments on the warehouse tables, onto the published ones."""
    target = f"published.main.{_identifier(name)}"
    (comment,) = con.execute(
        "select comment from duckdb_tables() "
        "where database_name = current_database() and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone() or (None,)
    if comment:
        con.execute(f"comment on table {target} is {_literal(comment.strip())}")
    for column, column_comment in con.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchall():
        if column_comment:
            con.execute(
                f"comment on column {target}.{_identifier(column)} "
                f"is {_literal(column_comment.strip())}"
            )


def _latest_trends_view(con: duckdb.DuckDBPyConnection) -> None:
    view = f"published.main.{LATEST_TRENDS_VIEW}"
    con.execute(
        f"create view {view} as select * from published.main.metric_trends "
        "where time_period = (select max(time_period) from published.main.metric_trends "
        "where value_source = 'computed')"
    )
    con.execute(
        f"comment on view {view} is "
        + _literal(
            "metric_trends for the latest period with audits: this year against the previous "
            "one, as a dashboard's first page shows it."
        )
    )
    # Its columns are metric_trends' columns, described the same way.
    for column, comment in con.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = 'published' and table_name = 'metric_trends' "
        "and comment is not null"
    ).fetchall():
        con.execute(
            f"comment on column {view}.{_identifier(column)} is {_literal(comment.strip())}"
        )


def _publication(
    con: duckdb.DuckDBPyConnection, run_id: str, data_version: str, tables: Mapping[str, str]
) -> None:
    con.execute(
        "create table published.main.publication "
        "(published_at timestamp, dagster_run_id varchar, tables varchar, data_version varchar)"
    )
    con.execute(
        "insert into published.main.publication values (?, ?, ?, ?)",
        [datetime.now(UTC).replace(tzinfo=None), run_id, ", ".join(sorted(tables)), data_version],
    )
    con.execute(
        "comment on table published.main.publication is "
        + _literal(
            "When this file was written (UTC), by which Dagster run, with which tables, and "
            "its data version: the run that built the warehouse it was copied from, the same "
            "in every output of its release (release.json beside it)."
        )
    )
