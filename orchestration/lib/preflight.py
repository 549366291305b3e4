"""What `careaudit refresh` checks before it writes anything, so that a fault of the machine is
one sentence and nothing changed, rather than a traceback midway through a run.

The checks: the data dir and the landing folder are apart (the ingest asset makes that check
too, for runs the UI, schedule or sensor start), careaudit may write the data dir, its disk has
room for the refresh, and no other process holds the warehouse. Faults that arise later (a disk
filling during the run, a lock taken after the check) are explained by plain_errors.py in the
same words.
"""

import os
import shutil
from pathlib import Path

import duckdb

from orchestration.lib.plain_errors import (
    MB,
    PlainError,
    explain,
    nearest_existing,
    not_writable,
    too_little_room,
)
from orchestration.lib.warehouse import connect
from orchestration.settings import Settings

NOTHING_CHANGED = "nothing was changed"
# Room a refresh needs besides a copy of the warehouse (dbt may rewrite every table before
# DuckDB reuses the old blocks): dbt's artifacts, the published files and the run history.
# A first refresh of the bundled sample writes 37 MB in all.
MARGIN_MB = 100


class FoldersOverlapError(PlainError):
    """The data dir and the landing folder contain one another: a refresh would ingest its
    own outputs, or write its archive and quarantine among the exports."""


def check_folders_apart(data_dir: Path, landing_dir: Path) -> None:
    data, landing = data_dir.resolve(), landing_dir.resolve()
    if data == landing:
        problem = (
            f"the data dir and the landing folder are the same folder, {data}, so a refresh "
            "would ingest its own outputs"
        )
    elif data.is_relative_to(landing):
        problem = (
            f"the data dir {data} is inside the landing folder {landing}, so a refresh would "
            "ingest its own outputs (archive copies, published CSV files)"
        )
    elif landing.is_relative_to(data):
        problem = (
            f"the landing folder {landing} is inside the data dir {data}, where careaudit "
            "writes, archives and quarantines its own files"
        )
    else:
        return
    raise FoldersOverlapError(
        f"{problem}: give careaudit a data dir outside the landing folder (--data-dir or "
        "CAREAUDIT_DATA_DIR) and a landing folder outside the data dir; nothing was ingested"
    )


def check_writable(data_dir: Path) -> None:
    """The data dir (or the folder it will be made in) and what careaudit writes directly in it.
    os.access answers for read-only disks even when careaudit runs as root."""
    written = [nearest_existing(data_dir)]
    if data_dir.is_dir():
        written += list(data_dir.iterdir())
    for path in written:
        if not os.access(path, os.W_OK):
            raise PlainError(not_writable(path, NOTHING_CHANGED))


def needed_mb(settings: Settings) -> int:
    warehouse = settings.warehouse_path
    return (warehouse.stat().st_size // MB if warehouse.exists() else 0) + MARGIN_MB


def check_free_space(settings: Settings) -> None:
    free = shutil.disk_usage(nearest_existing(settings.data_dir)).free // MB
    needed = needed_mb(settings)
    if free < needed:
        raise PlainError(too_little_room(settings.data_dir, free, needed, NOTHING_CHANGED))


def check_warehouse_free(settings: Settings) -> None:
    """Open the warehouse for writing (waiting out a lock as every step does) and close it."""
    if not settings.warehouse_path.exists():
        return
    try:
        with connect(settings.warehouse_path):
            pass
    except duckdb.Error as error:
        sentence = explain(error, settings.data_dir, NOTHING_CHANGED)
        if sentence is None:
            raise
        raise PlainError(sentence) from error


def preflight(settings: Settings) -> None:
    """Every check, cheapest first; raises PlainError (or FoldersOverlapError) on the first
    that fails."""
    check_folders_apart(settings.data_dir, settings.landing_dir)
    check_writable(settings.data_dir)
    check_free_space(settings)
    check_warehouse_free(settings)
