"""Fixtures for tests of stops and machine faults: a process holding the warehouse's lock."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(600)
"""


@pytest.fixture
def lock_holder() -> Iterator:
    """Start a process that opens a DuckDB file for writing (DuckDB's lock: one writer per
    file) and keeps it open until the test ends: `lock_holder(path)` returns the process."""
    started: list[subprocess.Popen] = []

    def hold(path: Path) -> subprocess.Popen:
        if not path.exists():
            duckdb.connect(str(path)).close()
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True
        )
        started.append(holder)
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        return holder

    yield hold
    for holder in started:
        holder.kill()
        holder.wait()
