"""What changed in the landing folder since the warehouse last took it in: the files a refresh
must ingest, and the files that still count but are no longer there. Free of Dagster, so the
CLI can tell that nothing is new without loading the pipeline's definitions."""

import duckdb

from orchestration.lib.ingest.landing import LandingFile, LandingFolderError, list_landing_folder
from orchestration.lib.ingest.load import current_files, recorded_refusals
from orchestration.lib.ingest.run import UNREAD, IngestError, file_sha256
from orchestration.lib.warehouse import connect
from orchestration.settings import Settings


def landing_files(settings: Settings) -> dict[str, LandingFile]:
    """The exports now in the landing folder, by partition key (their recorded name)."""
    try:
        return {file.name: file for file in list_landing_folder(settings.landing_dir)}
    except LandingFolderError as error:
        raise IngestError(str(error)) from error


def landing_file_names(settings: Settings) -> list[str]:
    """The partition keys of the exports now in the landing folder."""
    return list(landing_files(settings))


def _content(file: LandingFile) -> str | None:
    try:
        return file_sha256(file.path.read_bytes())
    except OSError:
        return None  # unreadable: the ingest refuses it, saying why


def changed_landing_files(settings: Settings, files: dict[str, LandingFile]) -> list[str]:
    """Of these landed files (by partition key), those that are new or whose content differs
    from what the warehouse holds under their name: the only ones a refresh needs to ingest
    (recording a materialisation for each of thousands of unchanged files is what made a
    monthly refresh grow with history). Every file when the warehouse cannot be read now."""
    if not settings.warehouse_path.exists():
        return list(files)
    try:
        with connect(settings.warehouse_path, read_only=True) as con:
            loaded = current_files(con)
    except duckdb.Error:  # held by a writer past the retries: ingest decides file by file
        return list(files)
    return [
        name
        for name, file in files.items()
        if file.problem is not None or loaded.get(name) is None or loaded[name] != _content(file)
    ]


def counted_but_gone(settings: Settings, files: dict[str, LandingFile]) -> list[str]:
    """Files whose rows count but which are no longer in the landing folder: deleting a file
    does not withdraw it (`careaudit withdraw NAME` does), so every refresh names them."""
    if not settings.warehouse_path.exists():
        return []
    with connect(settings.warehouse_path, read_only=True) as con:
        return sorted(set(current_files(con)) - set(files))


def settled(settings: Settings, files: dict[str, LandingFile]) -> bool:
    """Whether ingesting these files again would change nothing: each is loaded as it is, or
    was refused as it is (its refusal is recorded for this very content)."""
    changed = changed_landing_files(settings, files)
    if not changed or not settings.warehouse_path.exists():
        return not changed
    with connect(settings.warehouse_path, read_only=True) as con:
        refused = recorded_refusals(con)
    return all((name, _as_recorded(files[name], settings)) in refused for name in changed)


def _as_recorded(file: LandingFile, settings: Settings) -> str:
    """The content hash a refusal of this file was recorded with (UNREAD when ingest could
    not, or would not, read it)."""
    if file.problem is not None and file.problem.kind != "bad_file_name":
        return UNREAD
    try:
        if file.path.stat().st_size > settings.max_file_bytes:
            return UNREAD
    except OSError:
        return UNREAD
    return _content(file) or UNREAD
