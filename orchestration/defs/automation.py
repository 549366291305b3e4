"""When the refresh runs without anyone starting it: a monthly schedule, and a sensor that
starts a run for each new or changed export in the landing folder, once per content.

A file still being written must not be ingested half-way: the sensor takes a file only once its
size and modification time have not changed between two evaluations and it is older than
CAREAUDIT_LANDING_SETTLE_SECONDS. Writers that can should still write `name.csv.part` (or a
hidden `.name.csv`) and rename when done: such names are never exports.
"""

import json
import time
from pathlib import Path

import dagster as dg

from orchestration.defs.partitions import LANDED_FILES, range_tags, register_landed_files
from orchestration.lib.ingest.changes import landing_file_names
from orchestration.lib.ingest.landing import list_landing_folder
from orchestration.lib.ingest.run import file_sha256
from orchestration.settings import AutomationSettings, Settings


def build_refresh_schedule(
    job_name: str, settings: Settings, automation: AutomationSettings
) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="monthly_refresh",
        job_name=job_name,
        cron_schedule=automation.refresh_cron,
        execution_timezone=automation.timezone,
        description=(
            f"The whole refresh at '{automation.refresh_cron}' ({automation.timezone}): one run "
            "over every file in the landing folder (unchanged files are no-ops), then dbt and "
            "publish. Set CAREAUDIT_REFRESH_CRON to change it; turn it on in the UI."
        ),
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def monthly_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        files = landing_file_names(settings)
        if not files:
            return dg.SkipReason(f"no exports in {settings.landing_dir}")
        register_landed_files(context.instance, files)
        return dg.RunRequest(tags=range_tags(context.instance, files))

    return monthly_refresh


def _signature(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def stable_exports(
    landing_dir: Path, cursor: dict[str, dict], settle_seconds: float, now: float
) -> tuple[dict[str, str], dict[str, dict]]:
    """The landing files that are complete, with their content hash, and the next cursor.

    The cursor remembers each file's size and mtime (and hash once taken), so a file is hashed
    once per change, not on every evaluation."""
    stable: dict[str, str] = {}
    next_cursor: dict[str, dict] = {}
    for file in list_landing_folder(landing_dir):
        name, path = file.name, file.path
        try:
            signature = _signature(path)
            seen = cursor.get(name, {})
            settled = now - signature[1] / 1e9 >= settle_seconds
            if seen.get("signature") != signature or not settled:
                next_cursor[name] = {"signature": signature}
                continue
            sha = seen.get("sha256") or file_sha256(path.read_bytes())
            if _signature(path) != signature:  # written to while we hashed it
                next_cursor[name] = {"signature": _signature(path)}
                continue
        except OSError:  # a broken link, or unreadable: the refresh refuses it, saying why
            continue
        next_cursor[name] = {"signature": signature, "sha256": sha}
        stable[name] = sha
    return stable, next_cursor


def build_landing_sensor(
    job_name: str, settings: Settings, automation: AutomationSettings
) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_folder_sensor",
        job_name=job_name,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=(
            f"Starts a refresh of each new or changed export in {settings.landing_dir} (its "
            "partition, then dbt and publish), once per content (the run key is the file's "
            "sha256), when the file has stopped changing "
            f"for {automation.landing_settle_seconds:g}s. `.part` and hidden files are ignored."
        ),
    )
    def landing_folder_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        cursor = json.loads(context.cursor) if context.cursor else {}
        stable, next_cursor = stable_exports(
            settings.landing_dir, cursor, automation.landing_settle_seconds, time.time()
        )
        known = set(context.instance.get_dynamic_partitions(LANDED_FILES.name))
        new = sorted(name for name in stable if name not in known)
        requests = [
            dg.RunRequest(run_key=sha, partition_key=name, tags={"careaudit/landed_file": name})
            for name, sha in sorted(stable.items())
        ]
        return dg.SensorResult(
            run_requests=requests,
            dynamic_partitions_requests=[LANDED_FILES.build_add_request(new)] if new else [],
            cursor=json.dumps(next_cursor),
        )

    return landing_folder_sensor
