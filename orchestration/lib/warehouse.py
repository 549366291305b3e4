"""Connections to the working DuckDB warehouse.

DuckDB allows one writing process per file, so connections are short-lived (opened for one
step, closed before dbt runs) and a connection refused because another process holds the lock
is retried with backoff rather than failing the run at once.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

# The schema of the published (contracted) dbt models: what every output reads.
REPORTING_SCHEMA = "reporting"

LOCK_RETRY_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0)


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, waiting out a lock held by another process, and always close it."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    for delay in (*LOCK_RETRY_DELAYS_S, None):
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as error:
            if delay is None or not _is_lock_conflict(error):
                raise
            time.sleep(delay)
    try:
        yield con
    finally:
        con.close()
