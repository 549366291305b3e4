"""A process holding a DuckDB file's write lock (DuckDB lets one process write a file), as a
BI tool or a second refresh would."""

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(600)
"""


@contextmanager
def holding_the_lock(path: Path) -> Iterator[subprocess.Popen]:
    """Within: another process has the DuckDB file at `path` open for writing."""
    if not path.exists():
        duckdb.connect(str(path)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        yield holder
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
