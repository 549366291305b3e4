"""Ingest every new file in a landing folder: the whole ingest step, free of Dagster.

Order matters for safety: every new file is parsed before anything is written, so a file that
cannot be read fails the step with nothing loaded; originals are archived before the load; the
load is one transaction.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.catalogue import FormCatalogue
from orchestration.ingest.archive import archive_file
from orchestration.ingest.extract import ParsedExtract, file_sha256, parse_extract
from orchestration.ingest.load import current_files, load_extracts
from orchestration.ingest.pseudonymise import DEVELOPMENT_KEY, Pseudonymiser
from orchestration.ingest.read import UnreadableFileError
from orchestration.paths import SAMPLE_EXTRACTS_DIR
from orchestration.settings import Settings
from orchestration.warehouse import connect

EXPORT_SUFFIXES = (".csv", ".xlsx")
KEY_CHECK_MESSAGE = "careaudit pseudonymisation key check"


class IngestError(RuntimeError):
    """One or more landed files cannot be ingested; nothing was loaded."""


class MissingKeyError(IngestError):
    """No pseudonymisation key is configured for data other than the bundled sample."""


@dataclass(frozen=True)
class FileOutcome:
    source_file: str
    file_sha256: str
    status: str  # loaded | replaced | unchanged
    form_version: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    findings: int = 0


def landed_exports(landing_dir: Path) -> list[Path]:
    """Export files in the landing folder and its subfolders; hidden and partial files are not
    exports yet."""
    if not landing_dir.is_dir():
        raise IngestError(f"landing folder {landing_dir} does not exist")
    return sorted(
        p
        for p in landing_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in EXPORT_SUFFIXES
        and not any(part.startswith((".", "~$")) for part in p.relative_to(landing_dir).parts)
    )


def _is_bundled_sample(path: Path, sha256: str) -> bool:
    bundled = SAMPLE_EXTRACTS_DIR / path.name
    return bundled.is_file() and file_sha256(bundled) == sha256


def choose_key(settings: Settings, files: dict[Path, str]) -> str:
    """The configured key; the development key only when every file is the bundled sample."""
    if settings.pseudonymisation_key:
        return settings.pseudonymisation_key
    if all(_is_bundled_sample(path, sha) for path, sha in files.items()):
        return DEVELOPMENT_KEY
    raise MissingKeyError(
        "CAREAUDIT_PSEUDONYMISATION_KEY is not set. Without it careaudit ingests only its "
        "bundled synthetic sample. Generate a key once, e.g. "
        "`python -c 'import secrets; print(secrets.token_hex(32))'`, keep it secret, and set it "
        "in the environment of every run (the same key every time, or the same child gets "
        "different pseudonyms)."
    )


def ingest_landing_folder(settings: Settings, catalogue: FormCatalogue) -> list[FileOutcome]:
    """Load every new or changed export in the landing folder; report every file seen."""
    paths = landed_exports(settings.landing_dir)
    hashes = {path: file_sha256(path) for path in paths}
    loaded_now: dict[str, str] = {}
    if settings.warehouse_path.exists():
        with connect(settings.warehouse_path, read_only=True) as con:
            loaded_now = current_files(con, settings.la_code)
    outcomes = [
        FileOutcome(_name(settings, p), sha, "unchanged")
        for p, sha in hashes.items()
        if sha in loaded_now
    ]
    new = {p: sha for p, sha in hashes.items() if sha not in loaded_now}
    # The same content under two names is one file: load it once.
    unique_new = {sha: p for p, sha in reversed(list(new.items()))}
    if not unique_new:
        return outcomes

    pseudonymiser = Pseudonymiser(choose_key(settings, new))
    parsed: list[ParsedExtract] = []
    errors: list[str] = []
    for path in sorted(unique_new.values()):
        try:
            parsed.append(parse_extract(path, _name(settings, path), catalogue, pseudonymiser))
        except UnreadableFileError as error:
            errors.append(str(error))
    if errors:
        raise IngestError(
            "cannot ingest "
            + ("this file" if len(errors) == 1 else f"{len(errors)} files")
            + "; nothing was loaded:\n  "
            + "\n  ".join(errors)
        )

    now = datetime.now(UTC).replace(tzinfo=None)
    archived = [
        (extract, str(archive_file(path, extract.file_sha256, settings.archive_dir)))
        for extract, path in zip(parsed, sorted(unique_new.values()), strict=True)
    ]
    with connect(settings.warehouse_path) as con:
        loaded = load_extracts(
            con,
            catalogue,
            pseudonymiser.pseudonym(KEY_CHECK_MESSAGE),
            archived,
            settings.la_code,
            now,
        )
    return outcomes + [
        FileOutcome(
            source_file=f.extract.source_file,
            file_sha256=f.extract.file_sha256,
            status="replaced" if f.replaced_sha256 else "loaded",
            form_version=f.extract.form_version,
            rows_read=f.extract.rows_read,
            rows_loaded=f.extract.rows_loaded,
            rows_rejected=f.extract.rows_rejected,
            findings=len(f.extract.findings),
        )
        for f in loaded
    ]


def _name(settings: Settings, path: Path) -> str:
    return path.relative_to(settings.landing_dir).as_posix()
