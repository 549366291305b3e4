"""What is in the landing folder: every file that may be an export, each under the name it is
recorded by, listed without ever stopping on one odd entry.

Listing is where a hostile or broken folder first shows: a file name that is not UTF-8 (an
export copied from an old Windows share), a name with a line break, a link to nothing, a pipe,
a subfolder the service cannot open. None of them may stop the other files. Each becomes an
entry with the problem that refuses it, named by a printable version of its path, so the
ingest report, the quarantine and Dagster's partition of that file can all say which one it
was. Hidden files, Excel's `~$` lock files, files still being copied (`.part`, ...) and the
clutter Windows writes into shared folders are not exports and are left alone.
"""

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.ingest.refusal import RefusedFileError

# Written by a copy in progress; renamed to the export's own name when complete.
IN_PROGRESS_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload")
# Written by Windows Explorer and macOS into any folder a person browses.
FOLDER_CLUTTER = frozenset({"thumbs.db", "desktop.ini", "icon\r"})


@dataclass(frozen=True)
class LandingFile:
    """A file of the landing folder: its recorded name (the path inside the landing folder,
    printable; the Dagster partition key and `source_file` of its rows), where it is, and why
    it is refused before it is read, if it is."""

    name: str
    path: Path
    problem: RefusedFileError | None = None


def _is_ignored(part: str) -> bool:
    return (
        part.startswith((".", "~$"))
        or part.lower().endswith(IN_PROGRESS_SUFFIXES)
        or part.lower() in FOLDER_CLUTTER
    )


def printable_name(relative: str) -> tuple[str, str | None]:
    """The name a path is recorded under, and what is wrong with the real one, if anything.

    A name that is not valid UTF-8 arrives from `os` with surrogate escapes, which no database
    or log can store: its bad bytes are written as \\xNN. Control characters (a line break in
    a name) are written the same way, because Dagster's partition keys and every log line
    would otherwise be broken by them."""
    raw = os.fsencode(relative)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), "not_utf8"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        escaped = "".join(
            f"\\x{ord(ch):02x}" if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text
        )
        return escaped, "control_character"
    return text, None


def _name_problem(name: str, kind: str) -> RefusedFileError:
    what = (
        "is not valid UTF-8 text (bytes shown as \\xNN)"
        if kind == "not_utf8"
        else "holds a control character such as a line break (shown as \\xNN)"
    )
    return RefusedFileError(
        name,
        "bad_file_name",
        f"has a name that {what}, which careaudit cannot record: rename the file using "
        "letters, digits, spaces, '-' and '_' and put it in the landing folder again",
    )


def _not_a_file(name: str, path: Path, why: str) -> LandingFile:
    """An entry refused because it is not a file holding an export: why says what it is."""
    return LandingFile(name, path, RefusedFileError(name, "not_a_file", why))


def _entry(landing_dir: Path, path: Path) -> LandingFile | None:
    """The landing-folder entry for one directory entry that is not a folder, or None when it
    is not an export at all."""
    name, bad_name = printable_name(path.relative_to(landing_dir).as_posix())
    if bad_name:
        return LandingFile(name, path, _name_problem(name, bad_name))
    try:
        mode = path.stat().st_mode  # follows a link: a link to an export is an export
    except FileNotFoundError:
        return _not_a_file(
            name,
            path,
            "is a link to a file that does not exist: put the export itself in the landing folder",
        )
    except OSError as error:
        return LandingFile(name, path, unreadable(name, error))
    if stat.S_ISDIR(mode):
        return _not_a_file(
            name,
            path,
            "is a link to a folder, which careaudit does not follow (a link can loop "
            "back on itself): move that folder's exports into the landing folder",
        )
    if not stat.S_ISREG(mode):
        return _not_a_file(
            name,
            path,
            "is not a regular file (a pipe, socket or device), so it cannot be an export",
        )
    return LandingFile(name, path)


def unreadable(name: str, error: OSError) -> RefusedFileError:
    """The refusal of a file (or folder) the service's account cannot read."""
    why = error.strerror or type(error).__name__
    return RefusedFileError(
        name,
        "unreadable",
        f"cannot be read by the account careaudit runs as ({why}): give that account read "
        "access to it, or copy the export into the landing folder again",
    )


def _walk(landing_dir: Path) -> Iterator[LandingFile]:
    folders_refused: list[LandingFile] = []

    def refuse_folder(error: OSError) -> None:
        folder = Path(error.filename) if error.filename else landing_dir
        if folder == landing_dir:
            raise error  # the landing folder itself: nothing can be listed
        name, _ = printable_name(folder.relative_to(landing_dir).as_posix() + "/")
        folders_refused.append(LandingFile(name, folder, unreadable(name, error)))

    for folder, subfolders, files in os.walk(landing_dir, onerror=refuse_folder):
        subfolders[:] = sorted(d for d in subfolders if not _is_ignored(d))
        base = Path(folder)
        for child in subfolders:
            if (base / child).is_symlink():
                entry = _entry(landing_dir, base / child)
                if entry is not None:
                    yield entry
        subfolders[:] = [d for d in subfolders if not (base / d).is_symlink()]
        for file in files:
            if not _is_ignored(file):
                entry = _entry(landing_dir, base / file)
                if entry is not None:
                    yield entry
    yield from folders_refused


def list_landing_folder(landing_dir: Path) -> list[LandingFile]:
    """Every export candidate in the landing folder and its subfolders, sorted by name.

    Raises LandingFolderError when the landing folder itself cannot be listed."""
    if landing_dir.exists() and not landing_dir.is_dir():
        raise LandingFolderError(landing_dir, "is a file, not a folder")
    if not landing_dir.is_dir():
        raise LandingFolderError(landing_dir, "does not exist")
    try:
        return sorted(_walk(landing_dir), key=lambda entry: entry.name)
    except OSError as error:
        raise LandingFolderError(
            landing_dir, f"cannot be read ({error.strerror or type(error).__name__})"
        ) from error


class LandingFolderError(OSError):
    """The landing folder itself cannot be listed: no file can be ingested."""

    def __init__(self, landing_dir: Path, what: str) -> None:
        super().__init__(
            f"the landing folder {landing_dir} {what}: point CAREAUDIT_LANDING_DIR (or "
            "--landing) at the folder the exports are put in"
        )
