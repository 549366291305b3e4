"""Before a refresh writes anything it checks the machine: the data dir and the landing folder
are apart, the data dir is writable, its disk has room and no other process holds the
warehouse. Each failing check is one sentence naming the path and what to do."""

import os
import shutil
from collections import namedtuple
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from orchestration.lib import preflight, warehouse
from orchestration.lib.plain_errors import MB, PlainError
from orchestration.lib.preflight import (
    FoldersOverlapError,
    check_folders_apart,
    check_free_space,
    check_warehouse_free,
    check_writable,
)
from tests.faults.locks import holding_the_lock
from tests.support import default_settings

DiskUsage = namedtuple("DiskUsage", "total used free")
WHAT_TO_DO = (
    "give careaudit a data dir outside the landing folder (--data-dir or CAREAUDIT_DATA_DIR) "
    "and a landing folder outside the data dir; nothing was ingested"
)


def refusal(check: Callable[..., object], *args: object) -> str:
    """The one sentence a failing machine check refuses with."""
    with pytest.raises(PlainError) as refused:
        check(*args)
    return str(refused.value)


def test_a_data_dir_inside_the_landing_folder_is_refused(tmp_path):
    with pytest.raises(FoldersOverlapError) as refused:
        check_folders_apart(tmp_path / "landing" / "data", tmp_path / "landing")
    assert str(refused.value) == (
        f"the data dir {tmp_path}/landing/data is inside the landing folder {tmp_path}/landing, "
        "so a refresh would ingest its own outputs (archive copies, published CSV files): "
        + WHAT_TO_DO
    )


def test_a_landing_folder_inside_the_data_dir_is_refused(tmp_path):
    with pytest.raises(FoldersOverlapError) as refused:
        check_folders_apart(tmp_path / "data", tmp_path / "data" / "exports")
    assert str(refused.value) == (
        f"the landing folder {tmp_path}/data/exports is inside the data dir {tmp_path}/data, "
        "where careaudit writes, archives and quarantines its own files: " + WHAT_TO_DO
    )


def test_the_same_folder_for_both_is_refused_even_through_a_symlink(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "shared")
    with pytest.raises(FoldersOverlapError) as refused:
        check_folders_apart(tmp_path / "link", tmp_path / "shared")
    assert str(refused.value).startswith(
        f"the data dir and the landing folder are the same folder, {tmp_path}/shared, "
    )


def test_folders_side_by_side_pass_even_when_one_name_starts_with_the_other(tmp_path):
    check_folders_apart(tmp_path / "landing-data", tmp_path / "landing")
    check_folders_apart(tmp_path / "data", tmp_path / "landing")


def test_a_data_dir_the_user_may_not_write_is_refused_naming_it(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    (data_dir / "publish").mkdir(parents=True)
    real_access = os.access
    monkeypatch.setattr(  # as a read-only disk answers; root is not stopped by chmod
        os, "access", lambda path, mode: real_access(path, mode) and Path(path).name != "publish"
    )
    assert refusal(check_writable, data_dir) == (
        f"cannot write to {data_dir}/publish (a read-only disk, or not permitted for the user "
        "running careaudit): make it writable for that user or point --data-dir "
        "(CAREAUDIT_DATA_DIR) at a folder that is, then run the refresh again; "
        "nothing was changed"
    )


def test_a_new_data_dir_is_checked_where_it_will_be_made(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(PlainError, match=f"^cannot write to {tmp_path} "):
        check_writable(tmp_path / "new" / "data")
    assert not (tmp_path / "new").exists()


def test_a_disk_without_room_for_the_warehouse_again_and_the_margin_is_refused(
    tmp_path, monkeypatch
):
    settings = default_settings(tmp_path / "data")
    settings.data_dir.mkdir()
    settings.warehouse_path.write_bytes(b"\0" * (300 * MB))
    monkeypatch.setattr(shutil, "disk_usage", lambda path: DiskUsage(10**12, 0, 399 * MB))
    assert refusal(check_free_space, settings) == (
        f"the disk holding {settings.data_dir} has 399 MB free and a refresh needs 400 MB (the "
        "warehouse's size and room for what it writes beside it): free some space there or "
        "point --data-dir (CAREAUDIT_DATA_DIR) at a bigger disk, then run the refresh again; "
        "nothing was changed"
    )
    monkeypatch.setattr(shutil, "disk_usage", lambda path: DiskUsage(10**12, 0, 400 * MB))
    check_free_space(settings)


def test_a_warehouse_another_process_holds_is_refused_naming_that_process(tmp_path, monkeypatch):
    settings = default_settings(tmp_path / "data")
    settings.data_dir.mkdir()
    monkeypatch.setattr(warehouse, "LOCK_RETRY_DELAYS_S", (0.1,))
    with holding_the_lock(settings.warehouse_path) as holder, pytest.raises(PlainError) as refused:
        check_warehouse_free(settings)
    assert str(refused.value).startswith(
        f"the warehouse {settings.warehouse_path} is held by process {holder.pid} ("
    )
    assert str(refused.value).endswith(
        "which DuckDB lets only one process write: wait for it to finish or stop it, then run "
        "the refresh again; nothing was changed"
    )


def test_a_warehouse_nobody_holds_passes_and_a_missing_one_is_not_made(tmp_path):
    settings = replace(default_settings(tmp_path / "data"), landing_dir=tmp_path / "landing")
    check_warehouse_free(settings)
    assert not settings.data_dir.exists()
    preflight.preflight(settings)  # a first refresh: nothing there yet, nothing made
    assert not settings.data_dir.exists()
