"""Move a refused file out of the landing folder into the quarantine, beside a reason file.

The quarantine keeps the file exactly as it was refused (the bytes that were read, so what is
kept is what the reason is about) under its landing-folder path; a second refused version of
the same name is kept beside the first, suffixed with its hash. The landing copy is removed
only if it still holds those bytes, and never from the bundled sample folder, which is part of
the repository. The reason file says why and how to fix it; it never quotes a cell.
"""

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

REASON_SUFFIX = ".reason.txt"


@dataclass(frozen=True)
class Quarantined:
    path: Path
    left_in_landing: str | None  # why the landing copy is still there, if it is


def _target(quarantine_dir: Path, source_file: str, sha256: str) -> Path:
    target = quarantine_dir / source_file
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() != sha256:
        target = target.with_name(f"{target.stem}.{sha256[:12]}{target.suffix}")
    return target


def _reason_text(source_file: str, sha256: str, reason: str, refused_at: datetime) -> str:
    return (
        "careaudit refused this file: nothing in it was loaded.\n\n"
        f"file:     {source_file} (as named in the landing folder)\n"
        f"sha256:   {sha256}\n"
        f"refused:  {refused_at:%Y-%m-%d %H:%M:%S} UTC\n"
        f"reason:   {reason}\n\n"
        "To load it: fix the file and put it in the landing folder again under the same name.\n"
        "The next refresh loads it and clears this refusal from the ingest report.\n"
    )


def quarantine_file(
    landing_path: Path,
    source_file: str,
    data: bytes,
    sha256: str,
    reason: str,
    quarantine_dir: Path,
    refused_at: datetime,
    *,
    keep_original: bool,
) -> Quarantined:
    """Put the refused bytes and a reason file in the quarantine, then remove the landing copy
    (unless `keep_original`, or it changed since it was read)."""
    target = _target(quarantine_dir, source_file, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)
    reason_path = target.with_name(target.name + REASON_SUFFIX)
    reason_path.write_text(_reason_text(source_file, sha256, reason, refused_at), "utf-8")
    if keep_original:
        return Quarantined(target, "the bundled sample folder is never changed")
    try:
        if hashlib.sha256(landing_path.read_bytes()).hexdigest() != sha256:
            return Quarantined(target, "it changed after it was read; the next run reads it again")
        landing_path.unlink()
    except OSError as error:
        return Quarantined(target, f"it could not be removed ({error.strerror})")
    return Quarantined(target, None)
