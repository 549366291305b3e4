"""Move a file out of the landing folder into a folder of the data dir (the quarantine for
refused files, `withdrawn/` for withdrawn ones), beside a text file saying why.

The copy keeps the file exactly as it was (the bytes whose sha256 the ingest recorded, so what
is kept is what the reason is about) under its landing-folder path; a second version of the
same name is kept beside the first, suffixed with its hash, and a name too long for the file
system is shortened the same way. The landing copy is removed only if it still holds those
bytes, and never from the bundled sample folder, which is part of the repository. A reason file
says why and how to fix it; it never quotes a cell.

This runs after the batch has committed, so it never raises: a file that cannot be moved (a
full disk, a read-only folder) stays in the landing folder and its outcome says why; the next
refresh refuses or skips it again, and nothing is lost.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.atomic import write_atomically

REASON_SUFFIX = ".reason.txt"
# The longest file name (in bytes) most file systems allow, less room for REASON_SUFFIX.
NAME_MAX = 255 - len(REASON_SUFFIX)


@dataclass(frozen=True)
class SetAside:
    path: Path | None  # where the file is kept now (None if it could not be kept)
    left_in_landing: str | None  # why the landing copy is still there, if it is


def _fitting(name: str, sha256: str) -> str:
    """A file name within NAME_MAX bytes: too long a name keeps its start, then its hash."""
    if len(name.encode("utf-8")) <= NAME_MAX:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 16:
        stem, suffix = name, ""
    tail = f"~{sha256[:12]}" + (f".{suffix}" if suffix else "")
    room = NAME_MAX - len(tail.encode("utf-8"))
    return stem.encode("utf-8")[:room].decode("utf-8", "ignore") + tail


def _target(folder: Path, source_file: str, sha256: str) -> Path:
    *parents, name = source_file.split("/")
    target = folder.joinpath(*(_fitting(p, sha256) for p in parents), _fitting(name, sha256))
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() != sha256:
        target = target.with_name(_fitting(f"{target.stem}.{sha256[:12]}{target.suffix}", sha256))
    return target


def set_aside(
    landing_path: Path,
    source_file: str,
    sha256: str,
    folder: Path,
    *,
    reason_text: str,
    keep_original: bool,
    why_kept: str,
) -> SetAside:
    """Keep the file's bytes (which must still hash to sha256) in `folder` beside a reason
    file, then remove the landing copy (unless `keep_original`, saying `why_kept`)."""
    try:
        data = landing_path.read_bytes()
    except OSError as error:
        return SetAside(None, f"it could not be read again ({error.strerror})")
    if hashlib.sha256(data).hexdigest() != sha256:
        return SetAside(None, "it changed after it was read; the next run reads it again")
    try:
        target = _target(folder, source_file, sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            write_atomically(target, data)
        target.with_name(target.name + REASON_SUFFIX).write_text(reason_text, "utf-8")
    except OSError as error:
        return SetAside(None, f"it could not be copied to {folder} ({error.strerror})")
    if keep_original:
        return SetAside(target, why_kept)
    try:
        landing_path.unlink()
    except OSError as error:
        return SetAside(target, f"it could not be removed ({error.strerror})")
    return SetAside(target, None)
