"""Keep every landed file exactly as it arrived, named by its content hash and read-only, so any
figure can be recomputed from the originals and no later step can alter them."""

import hashlib
import os
import shutil
from pathlib import Path


class ArchiveError(RuntimeError):
    """The file changed while it was being archived."""


def archive_path_for(archive_dir: Path, sha256: str, suffix: str) -> Path:
    return archive_dir / sha256[:2] / f"{sha256}{suffix.lower()}"


def archive_file(path: Path, sha256: str, archive_dir: Path) -> Path:
    """Copy `path` into the archive (once per content) and return where it is."""
    target = archive_path_for(archive_dir, sha256, path.suffix)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(path, partial)
    if hashlib.sha256(partial.read_bytes()).hexdigest() != sha256:
        partial.unlink()
        raise ArchiveError(f"{path.name} changed while it was being archived; try again")
    os.chmod(partial, 0o444)
    os.replace(partial, target)
    return target
