"""A release is all or nothing: the publish steps of a run write every output into a staged
release, and one rename switches `data/publish` from the last release to the new one.

Under $CAREAUDIT_DATA_DIR:

    staging/<run id>/release/            what the run's publish steps write (publish/'s layout)
    staging/<run id>/outputs/<name>.json what each step wrote: its files, their rows, and the
                                         data version it was made from
    releases/<time>_<run>/               each published release, with release.json (manifest.py)
    publish -> releases/<time>_<run>     a symbolic link: the paths users and BI tools know

The link is replaced by rename(2), atomic on POSIX: a reader opening data/publish/... before
the switch gets the old release, one after gets the new, and a process killed at any moment
leaves the link on one complete release. A reader holding a file open keeps reading it: the
previous releases are kept (KEPT_PREVIOUS_RELEASES) before being deleted, for readers that
open a file by its resolved path or over a network share.

A run that writes only some outputs (one asset re-materialised in the UI) carries the others
over from the current release, hard-linked (no copy, same bytes), with the data version they
were made from; the manifest check then refuses the release if that is not the data version
of the outputs written now, so a release never mixes warehouses.
"""

import json
import os
import shutil
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.lib.publish.manifest import (
    OUTPUTS,
    Manifest,
    file_sha256,
    read_manifest,
    release_problems,
    write_manifest,
)
from orchestration.settings import Settings

KEPT_PREVIOUS_RELEASES = 2
RELEASE_TIME = "%Y%m%dT%H%M%SZ"  # releases are named by their time (UTC), so sort by it
BEFORE_RELEASES = "before_releases"  # the name a pre-release publish/ folder is kept under

Rows = int | Mapping[str, int] | None  # rows of a table file, of each table, or none (a page)


class ReleaseError(RuntimeError):
    """The staged release cannot be published; the message says why and what to do."""


@dataclass(frozen=True)
class StagedOutput:
    """What one publish step wrote into its run's staged release."""

    name: str
    data_version: str
    files: Mapping[str, Rows]  # path inside the release -> rows


def staging_dir(settings: Settings, run_id: str) -> Path:
    return settings.staging_dir / run_id


def staged_release_dir(settings: Settings, run_id: str) -> Path:
    return staging_dir(settings, run_id) / "release"


def _outputs_dir(settings: Settings, run_id: str) -> Path:
    return staging_dir(settings, run_id) / "outputs"


def record_output(settings: Settings, run_id: str, output: StagedOutput) -> None:
    """Record that this run wrote output (after its files are in the staged release)."""
    if output.name not in OUTPUTS:
        raise ValueError(f"{output.name} is not an output of a release ({', '.join(OUTPUTS)})")
    path = _outputs_dir(settings, run_id) / f"{output.name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"data_version": output.data_version, "files": dict(sorted(output.files.items()))}
    path.write_text(json.dumps(record, indent=2), encoding="utf-8")


def _staged_outputs(settings: Settings, run_id: str) -> dict[str, dict]:
    directory = _outputs_dir(settings, run_id)
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


def current_release(settings: Settings) -> Path | None:
    """The release data/publish shows: the folder its link points to, or the folder itself
    before the first release; None when nothing has been published."""
    publish = settings.publish_dir
    if publish.is_symlink():
        return publish.resolve() if publish.exists() else None
    return publish if publish.is_dir() else None


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # a filesystem without hard links
        shutil.copy2(source, target)


def assemble(settings: Settings, run_id: str, data_version: str, now: datetime) -> Manifest:
    """Complete the run's staged release: carry over from the current release every output
    this run did not write, then write the manifest (every file's sha256, flushed to disk)."""
    staged = staged_release_dir(settings, run_id)
    staged.mkdir(parents=True, exist_ok=True)
    written = _staged_outputs(settings, run_id)
    current = current_release(settings)
    previous = read_manifest(current) if current is not None else None
    outputs: dict[str, dict] = {}
    files: dict[str, dict] = {}
    for name in OUTPUTS:
        if name in written:
            outputs[name] = {
                "data_version": written[name]["data_version"],
                "written_by_run": run_id,
                "carried_over_from": None,
            }
            for path, rows in written[name]["files"].items():
                files[path] = {"output": name, "rows": rows}
            continue
        if current is None or previous is None or name not in previous["outputs"]:
            raise ReleaseError(
                f"this run did not write {name}, and "
                + (
                    "nothing is published yet"
                    if current is None
                    else f"the current release ({current}) has none with a data version"
                )
                + ": run the whole refresh (careaudit refresh, or materialise every publish asset)"
            )
        outputs[name] = {**previous["outputs"][name], "carried_over_from": previous["release"]}
        for path, entry in previous["files"].items():
            if entry["output"] == name:
                _link_or_copy(current / path, staged / path)
                files[path] = {"output": name, "rows": entry["rows"]}
    for path, entry in files.items():
        entry["sha256"] = file_sha256(staged / path, durable=True)
    manifest = {
        "release": f"{now:{RELEASE_TIME}}_{run_id[:8]}",
        "run_id": run_id,
        "data_version": data_version,
        "published_at": now.isoformat(timespec="seconds"),
        "outputs": outputs,
        "files": dict(sorted(files.items())),
    }
    write_manifest(staged, manifest)
    return manifest


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch(settings: Settings, release: Path) -> None:
    """Point data/publish at release with one rename. A publish/ folder written before
    releases existed is kept as the previous release, named by when it was last written
    (readers holding its files keep them); between its move and the link there is no
    data/publish for an instant, once ever."""
    publish, releases = settings.publish_dir, settings.releases_dir
    if publish.is_dir() and not publish.is_symlink():
        written = datetime.fromtimestamp(publish.stat().st_mtime, UTC)
        os.replace(publish, releases / f"{written:{RELEASE_TIME}}_{BEFORE_RELEASES}")
    link = settings.data_dir / f".publish.{release.name}.link"
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(release, settings.data_dir), link)
    os.replace(link, publish)
    _fsync_dir(settings.data_dir)


def prune(settings: Settings, in_progress: Collection[str]) -> list[Path]:
    """Delete every release but the current one and the KEPT_PREVIOUS_RELEASES newest others
    (by name: the time of the release), and the staging of every run no longer in progress
    (killed or finished). Returns what was deleted."""
    deleted = []
    current = current_release(settings)
    if settings.releases_dir.is_dir():
        others = sorted(p for p in settings.releases_dir.iterdir() if p != current)
        deleted += others[: max(len(others) - KEPT_PREVIOUS_RELEASES, 0)]
    if settings.staging_dir.is_dir():
        deleted += [p for p in settings.staging_dir.iterdir() if p.name not in in_progress]
    for path in deleted:
        shutil.rmtree(path, ignore_errors=True)
    return deleted


def publish_release(
    settings: Settings, run_id: str, data_version: str, in_progress: Collection[str], now: datetime
) -> Manifest:
    """Assemble the run's staged release, check it, move it into releases/ and switch
    data/publish to it; then delete what is no longer needed. Raises ReleaseError (publishing
    nothing) when the staged release is incomplete or inconsistent."""
    manifest = assemble(settings, run_id, data_version, now)
    staged = staged_release_dir(settings, run_id)
    problems = release_problems(staged)
    if problems:
        raise ReleaseError(
            "the release was not published, the last one stays in place: " + "; ".join(problems)
        )
    settings.releases_dir.mkdir(parents=True, exist_ok=True)
    release = settings.releases_dir / manifest["release"]
    os.replace(staged, release)
    _fsync_dir(settings.releases_dir)
    switch(settings, release)
    prune(settings, [run for run in in_progress if run != run_id])
    return manifest
