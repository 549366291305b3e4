"""Faults of the machine a refresh runs on, said in one sentence that names the path and what to
do: a folder careaudit may not write, a full disk, a warehouse another process holds.

They reach careaudit in several shapes: an OSError from a file it writes, a SQLAlchemy/sqlite
error from Dagster's run storage under the data dir, a DuckDB IO error, or the text of a failed
step's error (dbt's errors reach Dagster only as the lines dbt logged). Each shape is reduced to
its messages and errno and classified the same way; anything else is not a fault of the machine
and keeps its own message (or traceback).
"""

import errno
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# DuckDB: 'Could not set lock on file "<path>": Conflicting lock is held in <program> (PID n)'
LOCK_HELD = re.compile(
    r'Could not set lock on file "(?P<path>[^"]+)"(?:: Conflicting lock is held in '
    r"(?P<program>.+?) \(PID (?P<pid>\d+)\))?"
)
FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
NOT_WRITABLE_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
FULL_TEXT = ("no space left on device", "disk quota exceeded", "database or disk is full")
NOT_WRITABLE_TEXT = ("read-only file system", "readonly database", "permission denied")
# sqlite says no more than this when it cannot write its file: the data dir is then looked at.
UNSPECIFIC_TEXT = ("disk i/o error", "unable to open database file")
QUOTED_PATH = re.compile(r'"(/[^"]+)"')
MB = 1024 * 1024
MAKE_ROOM = "free some space there or point --data-dir (CAREAUDIT_DATA_DIR) at a bigger disk"


class PlainError(Exception):
    """A fault careaudit explains in one sentence (the error's text), without a traceback."""


@dataclass(frozen=True)
class _Said:
    """One error of a chain as it was said: its message, and its errno and file if known."""

    message: str
    errno: int | None = None
    filename: str | None = None


def _chain(error: BaseException) -> Iterator[_Said]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        filename = getattr(current, "filename", None)
        yield _Said(
            str(current),
            getattr(current, "errno", None) if isinstance(current, OSError) else None,
            str(filename) if filename is not None else None,
        )
        current = current.__cause__ or current.__context__


def _info_chain(info: object) -> Iterator[_Said]:
    """The messages of a Dagster SerializableErrorInfo and of its causes and contexts."""
    while info is not None:
        yield _Said(str(getattr(info, "message", "")))
        info = getattr(info, "cause", None) or getattr(info, "context", None)


def data_dir_state(data_dir: Path) -> str | None:
    """What is wrong with the data dir now (read-only, or nearly no space), or None."""
    existing = nearest_existing(data_dir)
    if not os.access(existing, os.W_OK):
        return "not_writable"
    if shutil.disk_usage(existing).free < MB:
        return "full"
    return None


def nearest_existing(path: Path) -> Path:
    """The path, or its nearest ancestor that exists (the folder a new data dir goes in)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def full_disk(path: Path, state: str) -> str:
    free = shutil.disk_usage(nearest_existing(path)).free // MB
    return (
        f"the disk holding {path} is full ({free} MB free): {MAKE_ROOM}, then run the refresh "
        f"again; {state}"
    )


def too_little_room(path: Path, free_mb: int, needed_mb: int, state: str) -> str:
    return (
        f"the disk holding {path} has {free_mb} MB free and a refresh needs {needed_mb} MB "
        f"(the warehouse's size and room for what it writes beside it): {MAKE_ROOM}, then "
        f"run the refresh again; {state}"
    )


def not_writable(path: Path, state: str) -> str:
    return (
        f"cannot write to {path} (a read-only disk, or not permitted for the user "
        "running careaudit): make it writable for that user or point --data-dir "
        f"(CAREAUDIT_DATA_DIR) at a folder that is, then run the refresh again; {state}"
    )


def warehouse_locked(path: str, program: str | None, pid: str | None, state: str) -> str:
    holder = f"process {pid} ({program})" if pid else "another process"
    return (
        f"the warehouse {path} is held by {holder}, which DuckDB lets only one process write: "
        f"wait for it to finish or stop it, then run the refresh again; {state}"
    )


def _explain(said: list[_Said], data_dir: Path, state: str) -> str | None:
    for one in said:
        if lock := LOCK_HELD.search(one.message):
            return warehouse_locked(lock["path"], lock["program"], lock["pid"], state)
    for one in said:
        text = one.message.lower()
        named = Path(one.filename) if one.filename else _quoted_path(one.message)
        if one.errno in FULL_ERRNOS or any(t in text for t in FULL_TEXT):
            return full_disk(named or data_dir, state)
        # Only where careaudit writes: a landing file it may not read is that file's refusal.
        writes_there = named is None or named.resolve().is_relative_to(data_dir.resolve())
        if writes_there and (
            one.errno in NOT_WRITABLE_ERRNOS or any(t in text for t in NOT_WRITABLE_TEXT)
        ):
            return not_writable(named or data_dir, state)
    if any(t in one.message.lower() for one in said for t in UNSPECIFIC_TEXT):
        found = data_dir_state(data_dir)
        if found == "full":
            return full_disk(data_dir, state)
        if found == "not_writable":
            return not_writable(data_dir, state)
    return None


def _quoted_path(message: str) -> Path | None:
    match = QUOTED_PATH.search(message)
    return Path(match[1]) if match else None


def explain(error: BaseException, data_dir: Path, state: str) -> str | None:
    """One sentence for an error raised by a fault of the machine, ending with `state` (what
    was left changed), or None when the error is something else."""
    return _explain(list(_chain(error)), data_dir, state)


def explain_step_failure(error_info: object, data_dir: Path, state: str) -> str | None:
    """The same for a failed step's error as Dagster recorded it (a SerializableErrorInfo)."""
    return _explain(list(_info_chain(error_info)), data_dir, state)
