"""release.json, the manifest of a release, and the check that a release is what its manifest
says: every output on the release's data version, every file present with its checksum, and
the version each output carries inside itself (reporting.duckdb's `publication` table, each
annual report's `careaudit-data-version` meta tag, each internal Parquet file's key-value
metadata) agreeing with the manifest.

The data version is the id of the Dagster run that built the warehouse the outputs were made
from: in a refresh, the refresh's own run id. Files that cannot carry a version inside (CSV,
the catalogue page) are tied to the release by their sha256."""

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from orchestration.lib.atomic import replacing

MANIFEST = "release.json"
# Every output a complete release holds: the publish assets that write into it.
OUTPUTS = ("internal_files", "reporting_database", "open_data", "data_catalogue", "annual_report")
PARQUET_VERSION_KEY = "careaudit_data_version"
HTML_VERSION_META = "careaudit-data-version"
_HTML_VERSION = re.compile(rf'<meta name="{HTML_VERSION_META}" content="([^"]*)">')

Manifest = dict[str, Any]


def html_version_tag(data_version: str) -> str:
    """The meta tag an annual report carries its data version in."""
    return f'<meta name="{HTML_VERSION_META}" content="{data_version}">'


def file_sha256(path: Path, durable: bool = False) -> str:
    """The file's sha256; with durable, also flushed to disk (before a release is switched
    to, so a power cut cannot leave the link pointing at empty files)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
        if durable:
            os.fsync(f.fileno())
    return digest.hexdigest()


def read_manifest(directory: Path) -> Manifest | None:
    path = directory / MANIFEST
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def write_manifest(directory: Path, manifest: Manifest) -> Path:
    path = directory / MANIFEST
    with replacing(path) as partial, partial.open("w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    return path


def _duckdb_version(path: Path) -> str | None:
    # A new instance (duckdb.connect(path) would reuse one this process has open).
    with duckdb.connect() as con:
        con.execute("attach ? as published (read_only)", [str(path)])
        row = con.execute("select data_version from published.publication").fetchone()
    return None if row is None else row[0]


def _parquet_version(path: Path) -> str | None:
    with duckdb.connect() as con:
        row = con.execute(
            "select decode(value) from parquet_kv_metadata(?) where decode(key) = ?",
            [str(path), PARQUET_VERSION_KEY],
        ).fetchone()
    return None if row is None else row[0]


def _html_version(path: Path) -> str | None:
    found = _HTML_VERSION.search(path.read_text(encoding="utf-8"))
    return found.group(1) if found else None


# The files that carry their data version inside, and how to read it.
EMBEDDED_VERSION: dict[str, Callable[[Path], str | None]] = {
    "reporting.duckdb": _duckdb_version,
    "internal/*.parquet": _parquet_version,
    "report/*.html": _html_version,
}


def embedded_version(directory: Path, relative: str) -> tuple[bool, str | None]:
    """(whether the file should carry a version inside, the version it carries)."""
    for pattern, read in EMBEDDED_VERSION.items():
        if Path(relative).match(pattern):
            try:
                return True, read(directory / relative)
            except (duckdb.Error, OSError, UnicodeDecodeError) as error:
                return True, f"unreadable ({error})"
    return False, None


def release_problems(directory: Path) -> list[str]:
    """Everything that makes the release in directory other than one complete, consistent
    release as its manifest describes it; none for a good one."""
    manifest = read_manifest(directory)
    if manifest is None:
        return [f"{directory} has no {MANIFEST}: it is not a careaudit release"]
    version = manifest["data_version"]
    problems = []
    for name in OUTPUTS:
        output = manifest["outputs"].get(name)
        if output is None:
            problems.append(f"{name} is missing from the release")
        elif output["data_version"] != version:
            problems.append(
                f"{name} was made from the warehouse of run {output['data_version']}, "
                f"the rest of the release from run {version}"
            )
    listed = set(manifest["files"])
    present = {
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }
    problems += [f"{name} is listed in {MANIFEST} but missing" for name in sorted(listed - present)]
    problems += [f"{name} is not in {MANIFEST}" for name in sorted(present - listed)]
    for name in sorted(listed & present):
        entry = manifest["files"][name]
        if file_sha256(directory / name) != entry["sha256"]:
            problems.append(f"{name} has changed since it was released (sha256 differs)")
        carries, embedded = embedded_version(directory, name)
        expected = manifest["outputs"].get(entry["output"], {}).get("data_version")
        if carries and embedded != expected:
            problems.append(f"{name} carries data version {embedded}, its output {expected}")
    return problems
