"""Replace a file so that a reader sees the old one or the new one, never half of one: the new
content is written beside its target under a hidden partial name, then renamed over it (an
atomic rename within one file system). A run killed part-way leaves at most a stale partial
file, which the next write of that target clears.

Every file careaudit writes for someone else to read (published outputs, the archive, the
quarantine, the state of the last refresh) goes through here.
"""

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NAME_MAX = 255  # bytes, on most file systems


def partial_path(target: Path) -> Path:
    """Where `target`'s new content is written first: hidden, beside it, and short enough for
    the file system whatever the target's name."""
    name = f".{target.name}.partial"
    if len(name.encode("utf-8")) > NAME_MAX:
        name = f".{hashlib.sha256(target.name.encode()).hexdigest()[:16]}.partial"
    return target.with_name(name)


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A path to write `target`'s new content to; renamed over `target` when the block ends,
    removed if the block fails (the old `target` stays as it was)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(target)
    if partial.exists():  # left by a run killed mid-write (maybe read-only)
        os.chmod(partial, 0o644)
        partial.unlink()
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def write_atomically(target: Path, content: bytes | str) -> Path:
    """Replace `target` with `content` (text is written as UTF-8)."""
    with replacing(target) as partial:
        if isinstance(content, str):
            partial.write_text(content, encoding="utf-8")
        else:
            partial.write_bytes(content)
    return target
