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

LANDED_FILES = dg.DynamicPartitionsDefinition(name="landed_files")

# Dagster's run tags for a run over a range of partitions (one run, not one per partition).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


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
