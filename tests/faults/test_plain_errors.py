"""A fault of the machine met during a refresh (a full disk, a read-only folder, a warehouse
another process holds) is one sentence naming the path and what to do, in whatever shape it
arrives: an OSError, sqlite's error inside Dagster's run storage, DuckDB's error, or the text
of a failed step (dbt's). Any other error is left alone, to keep its own message."""

import errno
import os
import shutil
import sys
from collections import namedtuple

import pytest
import sqlalchemy
from dagster._utils.error import serializable_error_info_from_exc_info
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.lib.plain_errors import MB, explain, explain_step_failure

DiskUsage = namedtuple("DiskUsage", "total used free")
STATE = "the warehouse is as the last completed step left it"


def raised(error: BaseException) -> BaseException:
    """The error as it is when caught: raised, with its traceback and context."""
    try:
        raise error
    except BaseException as caught:
        return caught


def test_a_write_to_a_full_disk_names_the_disk_and_what_to_do(tmp_path):
    with pytest.raises(OSError) as full, open("/dev/full", "wb", buffering=0) as device:
        device.write(b"an archived export")  # the kernel's full disk: ENOSPC
    free = shutil.disk_usage(tmp_path).free // MB

    assert explain(full.value, tmp_path, STATE) == (
        f"the disk holding {tmp_path} is full ({free} MB free): free some space there or point "
        "--data-dir (CAREAUDIT_DATA_DIR) at a bigger disk, then run the refresh again; " + STATE
    )


def test_a_read_only_file_system_names_the_file_it_refused(tmp_path):
    refused = raised(
        OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / "archive" / "ab.csv"))
    )
    assert explain(refused, tmp_path, STATE) == (
        f"cannot write to {tmp_path}/archive/ab.csv (a read-only disk, or not permitted for the "
        "user running careaudit): make it writable for that user or point --data-dir "
        f"(CAREAUDIT_DATA_DIR) at a folder that is, then run the refresh again; {STATE}"
    )


def test_dagsters_run_storage_refusing_a_write_names_the_data_dir(tmp_path):
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path}/runs.db")
    with pytest.raises(sqlalchemy.exc.OperationalError) as refused, engine.connect() as con:
        con.exec_driver_sql("pragma query_only = on")  # sqlite's read-only refusal, for real
        con.exec_driver_sql("create table runs (run_id text)")
    assert "attempt to write a readonly database" in str(refused.value)

    assert explain(refused.value, tmp_path, STATE).startswith(f"cannot write to {tmp_path} (")


def test_sqlites_unspecific_disk_error_is_diagnosed_from_the_data_dir(tmp_path, monkeypatch):
    error = raised(sqlalchemy.exc.OperationalError("insert", {}, Exception("disk I/O error")))
    assert explain(error, tmp_path, STATE) is None  # the data dir is fine: not ours to explain

    monkeypatch.setattr(shutil, "disk_usage", lambda path: DiskUsage(10**9, 10**9, 4096))
    assert explain(error, tmp_path, STATE).startswith(f"the disk holding {tmp_path} is full (0 MB")


def test_dbt_running_out_of_space_in_a_step_names_the_file_dbt_named(tmp_path):
    wal = tmp_path / "warehouse.duckdb.wal"
    try:
        raise DagsterDbtCliRuntimeError(
            description=(
                "The dbt CLI process with command `dbt build` failed with exit code `1`.\n"
                f'Runtime Error in model fct_audits: IO Error: Could not write file "{wal}": '
                "No space left on device"
            )
        )
    except DagsterDbtCliRuntimeError:
        failure = serializable_error_info_from_exc_info(sys.exc_info())

    assert explain_step_failure(failure, tmp_path, STATE).startswith(
        f"the disk holding {wal} is full ("
    )


def test_a_step_failing_on_the_warehouse_lock_names_the_holder(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    try:
        raise OSError(  # as DuckDB words it, wrapped by the step like any error
            f'IO Error: Could not set lock on file "{warehouse}": Conflicting lock is held in '
            "/usr/bin/python3.11 (PID 4242) by user care. See also https://duckdb.org/docs"
        )
    except OSError:
        failure = serializable_error_info_from_exc_info(sys.exc_info())

    assert explain_step_failure(failure, tmp_path, STATE) == (
        f"the warehouse {warehouse} is held by process 4242 (/usr/bin/python3.11), which DuckDB "
        f"lets only one process write: wait for it to finish or stop it, then run the refresh "
        f"again; {STATE}"
    )


def test_a_landing_file_careaudit_may_not_read_is_not_called_a_write_fault(tmp_path):
    unreadable = raised(PermissionError(errno.EACCES, "Permission denied", "/landing/a.csv"))
    assert explain(unreadable, tmp_path / "data", STATE) is None


def test_other_errors_are_left_to_say_what_they_say(tmp_path):
    assert explain(raised(ValueError("no exports in /landing")), tmp_path, STATE) is None
    assert explain(raised(KeyError("child_id")), tmp_path, STATE) is None
