"""Ingest is partitioned by landed file: one dynamic partition per export, keyed by its path in
the landing folder.

Why by file rather than by calendar month: the file is what arrives, is validated, archived,
refused or corrected, and what the sensor keys runs on (its content hash). An export normally
holds one month of audits, so re-running a month is re-running its file's partition, and a
corrected file with the same name is the same partition re-materialised: its earlier rows are
replaced, every other file's rows stay exactly as they were. A backfill over many files runs
as one run (BackfillPolicy.single_run) and loads them in one transaction. The months each file
covers are shown on the ingest asset's materialisation.
"""

import dagster as dg
import duckdb

from orchestration.ingest.landing import LandingFile, LandingFolderError, list_landing_folder
from orchestration.ingest.load import current_files
from orchestration.ingest.run import IngestError, file_sha256
from orchestration.settings import Settings
from orchestration.warehouse import connect

LANDED_FILES = dg.DynamicPartitionsDefinition(name="landed_files")

# Dagster's run tags for a run over a range of partitions (one run, not one per partition).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


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


def register_landed_files(instance: dg.DagsterInstance, names: list[str]) -> None:
    """Add a partition for each file the instance does not know yet."""
    known = set(instance.get_dynamic_partitions(LANDED_FILES.name))
    new = [name for name in names if name not in known]
    if new:
        instance.add_dynamic_partitions(LANDED_FILES.name, new)


def range_tags(instance: dg.DagsterInstance, names: list[str]) -> dict[str, str]:
    """Tags for one run covering these files: the range from the first to the last of them in
    the instance's partition order. Files in between that are no longer in the landing
    folder are in the range too; ingesting them changes nothing."""
    order = instance.get_dynamic_partitions(LANDED_FILES.name)
    wanted = sorted(names, key=order.index)
    return {RANGE_START_TAG: wanted[0], RANGE_END_TAG: wanted[-1]}
