"""Keep every loaded file exactly as it arrived, named by its content hash and read-only, so any
figure can be recomputed from the originals and no later step can alter them."""

import os
from pathlib import Path

from orchestration.lib.atomic import replacing


def archive_path_for(archive_dir: Path, sha256: str, suffix: str) -> Path:
    return archive_dir / sha256[:2] / f"{sha256}{suffix.lower()}"


def archive_file(data: bytes, sha256: str, suffix: str, archive_dir: Path) -> Path:
    """Write the file's bytes (the very bytes that were hashed and parsed) into the archive,
    once per content, read-only, and return where they are."""
    target = archive_path_for(archive_dir, sha256, suffix)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with replacing(target) as partial:
        partial.write_bytes(data)
        os.chmod(partial, 0o444)
    return target
