"""A read-only data dir, a disk without room (up front or filling during the run) and a
warehouse another process holds each end `careaudit refresh` with one sentence naming the path
and what to do, a non-zero exit code and no traceback; refused up front, nothing changed.

The disks are real: a read-only bind mount and a small tmpfs (chmod does not stop root, which
the tests run as). Mounting needs CAP_SYS_ADMIN; without it those tests are skipped (the same
errors are injected at the boundary in tests/faults/test_plain_errors.py, which always runs).
"""

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.faults.locks import holding_the_lock
from tests.support import run_careaudit, start_careaudit

pytestmark = pytest.mark.slow

NOTHING_CHANGED = "then run the refresh again; nothing was changed.\n"


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def can_mount(tmp_path_factory: pytest.TempPathFactory) -> None:
    probe = tmp_path_factory.mktemp("mount_probe")
    mounted = _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount here (needs CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    subprocess.run(["umount", str(probe)], check=True)


@contextmanager
def mounted(*args: str, at: Path) -> Iterator[Path]:
    at.mkdir(parents=True, exist_ok=True)
    assert _mount(*args, str(at)).returncode == 0
    try:
        yield at
    finally:
        subprocess.run(["umount", "--lazy", str(at)], check=True)


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """The folder, read-only for everyone (root included) within."""
    with mounted("--bind", str(folder), at=folder):
        assert _mount("-o", "remount,bind,ro", str(folder)).returncode == 0
        yield folder


def tmpfs(size_mb: int, at: Path):
    return mounted("-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", at=at)


def files_of(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under the folder: its size and modification time."""
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def refreshed(sample_run, tmp_path: Path) -> Path:
    """A data dir of a completed refresh of the bundled sample (a copy of the shared one)."""
    data_dir = tmp_path / "data"
    shutil.copytree(sample_run[0], data_dir)
    return data_dir


def test_a_read_only_data_dir_is_one_sentence_and_nothing_changes(can_mount, refreshed):
    before = files_of(refreshed)
    with read_only(refreshed):
        result = run_careaudit("refresh", "--data-dir", str(refreshed))

    assert result.returncode == 2
    assert result.stderr == (
        f"careaudit refresh: cannot write to {refreshed} (a read-only disk, or not permitted for "
        "the user running careaudit): make it writable for that user or point --data-dir "
        "(CAREAUDIT_DATA_DIR) at a folder that is, " + NOTHING_CHANGED
    )
    assert files_of(refreshed) == before


def test_a_new_data_dir_on_a_read_only_disk_is_refused_before_it_is_made(can_mount, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    with read_only(disk):
        result = run_careaudit("refresh", "--data-dir", str(disk / "data"))

    assert result.returncode == 2
    assert result.stderr.startswith(f"careaudit refresh: cannot write to {disk} (")
    assert result.stderr.endswith(NOTHING_CHANGED)
    assert list(disk.iterdir()) == []


def test_a_disk_without_room_for_a_refresh_is_refused_before_anything_is_written(
    can_mount, tmp_path
):
    with tmpfs(20, at=tmp_path / "disk") as disk:
        result = run_careaudit("refresh", "--data-dir", str(disk / "data"))
        written = list(disk.iterdir())

    assert result.returncode == 2
    assert result.stderr == (
        f"careaudit refresh: the disk holding {disk}/data has 20 MB free and a refresh needs "
        "100 MB (the warehouse's size and room for what it writes beside it): free some space "
        "there or point --data-dir (CAREAUDIT_DATA_DIR) at a bigger disk, " + NOTHING_CHANGED
    )
    assert written == []


def test_a_disk_that_fills_during_the_refresh_is_one_sentence_and_the_next_one_completes(
    can_mount, tmp_path
):
    with tmpfs(160, at=tmp_path / "disk") as disk:
        data_dir = disk / "data"
        refresh = start_careaudit("refresh", "--data-dir", str(data_dir))
        assert refresh.stdout is not None
        first = refresh.stdout.readline()  # printed once the preflight has passed
        assert first.startswith("careaudit refresh: landing ")
        filler = disk / "filler"
        with pytest.raises(OSError, match="No space left"), filler.open("wb", buffering=0) as f:
            while True:  # another program fills the disk
                f.write(b"\0" * 1024 * 1024)
        _, stderr = refresh.communicate(timeout=600)

        assert refresh.returncode == 1
        assert stderr == (
            f"careaudit refresh: the disk holding {data_dir} is full (0 MB free): free some "
            "space there or point --data-dir (CAREAUDIT_DATA_DIR) at a bigger disk, then run "
            "the refresh again; the warehouse is as the last completed step left it.\n"
        )

        filler.unlink()
        again = run_careaudit("refresh", "--data-dir", str(data_dir))

        assert again.returncode == 0, again.stdout + again.stderr


def test_a_warehouse_another_process_holds_is_one_sentence_and_nothing_changes(refreshed):
    warehouse = refreshed / "warehouse.duckdb"
    with holding_the_lock(warehouse) as holder:
        before = files_of(refreshed)
        result = run_careaudit("refresh", "--data-dir", str(refreshed))
        after = files_of(refreshed)

    assert result.returncode == 2
    assert result.stderr.startswith(
        f"careaudit refresh: the warehouse {warehouse} is held by process {holder.pid} ("
    )
    assert result.stderr.endswith(
        "which DuckDB lets only one process write: wait for it to finish or stop it, "
        + NOTHING_CHANGED
    )
    assert after == before  # no run recorded, no log written, the warehouse untouched
