"""Whether a refresh has anything to do: what the last completed refresh left, and whether
anything changed since.

A monthly refresh usually finds nothing new (the export lands once a month; cron may run daily).
Rebuilding and republishing everything then costs half a minute and changes nothing, so the CLI
first checks, without loading the pipeline's definitions:
- the landing folder against the warehouse: every file is loaded as it is, or was refused as
  it is (ingest.changes.settled);
- the project against the last completed refresh: the code, the dbt project, the catalogue
  seeds, the installed versions of careaudit, Dagster and dbt, and every setting (a changed
  rounding or year type changes every output);
- the team's commentary files (they change the annual report);
- that nothing else wrote the warehouse or the published release since (a run from the UI,
  the schedule or the sensor, a withdrawal, a refresh killed half-way): the warehouse file's
  size and modification time, and the release `data/publish` points to.
Only when all of it is as recorded is the refresh skipped. The record is written after a
refresh completes, never before, so a refresh killed in ingest, dbt or publish (which changes
the warehouse, or leaves it as the record says) never hides work from the next one.
"""

import dataclasses
import hashlib
import json
import os
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from orchestration.lib.atomic import write_atomically
from orchestration.lib.ingest.changes import landing_files, settled
from orchestration.paths import CATALOGUE_DIR, DBT_PROJECT_DIR, REPO_ROOT
from orchestration.settings import Settings

# What the outputs depend on besides the data: the code and the dbt project.
PROJECT_SOURCES = (
    REPO_ROOT / "orchestration",
    CATALOGUE_DIR,
    DBT_PROJECT_DIR / "models",
    DBT_PROJECT_DIR / "macros",
    DBT_PROJECT_DIR / "tests",
    DBT_PROJECT_DIR / "dbt_project.yml",
    DBT_PROJECT_DIR / "profiles.yml",
)
PACKAGES = ("careaudit", "dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb")
STATE_FILE = "last_refresh.json"


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def _files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def project_fingerprint(settings: Settings) -> str:
    """One hash over the code, the dbt project, the catalogue, package versions and settings
    (the key only as whether one is set: it is never written anywhere; the data dir not at
    all, as it holds the record)."""
    digest = hashlib.sha256()
    for root in PROJECT_SOURCES:
        for path in _files(root):
            digest.update(f"{path.relative_to(REPO_ROOT)}:{_sha(path)}\n".encode())
    for package in PACKAGES:
        try:
            digest.update(f"{package}=={metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} missing\n".encode())
    fields = dataclasses.asdict(settings)
    fields["pseudonymisation_key"] = bool(settings.pseudonymisation_key)
    del fields["data_dir"]  # where the record itself is: moving it moves the whole state
    digest.update(json.dumps(fields, default=str, sort_keys=True).encode())
    return digest.hexdigest()


def _folder_fingerprint(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): _sha(p) for p in _files(folder)}


def _left_behind(settings: Settings) -> dict[str, object]:
    """What a completed refresh leaves, and another writer would change: the warehouse file,
    the release published, and the commentary the report was written with."""
    try:
        stat = settings.warehouse_path.stat()
        warehouse: list[int] | None = [stat.st_size, stat.st_mtime_ns]
    except OSError:
        warehouse = None
    publish = settings.publish_dir
    return {
        "warehouse": warehouse,
        "release": os.readlink(publish) if publish.is_symlink() else None,
        "commentary": _folder_fingerprint(settings.commentary_dir),
    }


def _state_path(settings: Settings) -> Path:
    return settings.data_dir / "state" / STATE_FILE


def record_completed(settings: Settings, project: str) -> None:
    """After a refresh completed: the project it ran (its fingerprint, taken when it started)
    and what it left."""
    path = _state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "project": project,
        "left": _left_behind(settings),
        "completed_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    write_atomically(path, json.dumps(state, sort_keys=True))


def nothing_new_since(settings: Settings) -> str | None:
    """When the last completed refresh finished, if a refresh now would change nothing; None
    when there is work to do."""
    try:
        state = json.loads(_state_path(settings).read_text())
    except (OSError, ValueError):
        return None
    if state.get("left") != json.loads(json.dumps(_left_behind(settings))):
        return None
    if state.get("project") != project_fingerprint(settings):
        return None
    if not settled(settings, landing_files(settings)):
        return None
    return str(state.get("completed_at"))
