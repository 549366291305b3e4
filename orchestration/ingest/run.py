"""Ingest a batch of landed files: the whole ingest step, free of Dagster.

The file is the unit of work: `ingest_files` takes any list of files in the landing folder
(the whole folder, or one file when ingest is partitioned by file), and a batch is one
transaction. Order matters for safety:
1. every file is read and hashed; the key is chosen and checked against the warehouse
   before anything is written;
2. the one transaction is opened and the batch planned (plan.py): each new content is read
   again (it must still match its hash), parsed once, and if it loads, archived
   (content-addressed, so an interrupted run leaves nothing wrong behind) and its rows
   inserted into the transaction, so memory holds one file's rows at a time; a file that
   cannot be loaded is refused on its own and never stops the others;
3. retirements, refusals and the landed-file records complete the transaction, which
   commits: all of the batch or none of it;
4. only after the commit are refused files moved to the quarantine, so a run killed at any
   point leaves the warehouse as it was and the next run sees the same files.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from orchestration.catalogue import FormCatalogue
from orchestration.ingest.archive import archive_file
from orchestration.ingest.extract import ParsedExtract, parse_extract
from orchestration.ingest.load import (
    Refusal,
    begin_batch,
    check_key,
    current_files,
    finish_batch,
    insert_rows,
    key_fingerprints,
)
from orchestration.ingest.plan import Decision, plan_batch
from orchestration.ingest.pseudonymise import DEVELOPMENT_KEY, Pseudonymiser
from orchestration.ingest.quarantine import quarantine_file
from orchestration.ingest.read import EXPORT_SUFFIXES
from orchestration.ingest.refusal import RefusedFileError
from orchestration.paths import SAMPLE_EXTRACTS_DIR
from orchestration.settings import Settings
from orchestration.warehouse import connect

KEY_CHECK_MESSAGE = "careaudit pseudonymisation key check"


class IngestError(RuntimeError):
    """Ingest cannot run at all; nothing was loaded."""


class MissingKeyError(IngestError):
    """No pseudonymisation key is configured for data other than the bundled sample."""


@dataclass(frozen=True)
class FileOutcome:
    source_file: str
    file_sha256: str
    status: str  # loaded | replaced | unchanged | duplicate | refused
    form_version: str | None = None
    file_format: str | None = None
    encoding: str | None = None
    sheet_name: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    missing_answers: int = 0
    warnings: int = 0
    note: str | None = None  # why refused, or what a duplicate duplicates
    quarantine_path: str | None = None

    @property
    def findings(self) -> int:
        """Findings recorded about the file (a rejected row may have more than one)."""
        return self.rows_rejected + self.missing_answers + self.warnings


def landed_exports(landing_dir: Path) -> list[Path]:
    """Export files in the landing folder and its subfolders (spreadsheet types careaudit
    cannot read included, to be refused by name); hidden and partial files are not exports."""
    if not landing_dir.is_dir():
        raise IngestError(f"landing folder {landing_dir} does not exist")
    return sorted(
        p
        for p in landing_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in EXPORT_SUFFIXES
        and not any(part.startswith((".", "~$")) for part in p.relative_to(landing_dir).parts)
    )


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_bundled_sample(path: Path, sha256: str) -> bool:
    bundled = SAMPLE_EXTRACTS_DIR / path.name
    return bundled.is_file() and file_sha256(bundled.read_bytes()) == sha256


def _in_sample_folder(path: Path) -> bool:
    return path.resolve().is_relative_to(SAMPLE_EXTRACTS_DIR.resolve())


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


def source_name(settings: Settings, path: Path) -> str:
    """A file's name in lineage and reports: its path inside the landing folder."""
    return path.relative_to(settings.landing_dir).as_posix()


def _loaded_outcome(decision: Decision, extract: ParsedExtract) -> FileOutcome:
    severities = extract.findings["severity"].value_counts()
    return FileOutcome(
        source_file=decision.source_file,
        file_sha256=decision.file_sha256,
        status=decision.status,
        form_version=extract.form_version,
        file_format=extract.file_format,
        encoding=extract.encoding,
        sheet_name=extract.sheet_name,
        rows_read=extract.rows_read,
        rows_loaded=extract.rows_loaded,
        rows_rejected=extract.rows_rejected,
        missing_answers=int(severities.get("missing_answer", 0)),
        warnings=int(severities.get("warning", 0)),
        note="its earlier version's rows were replaced" if decision.retires else None,
    )


def _duplicate_note(decision: Decision) -> str:
    note = f"same content as {decision.duplicate_of}, whose rows hold it"
    return note + ("; this file's earlier version's rows were removed" if decision.retires else "")


def ingest_files(
    settings: Settings,
    catalogue: FormCatalogue,
    paths: list[Path],
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> list[FileOutcome]:
    """Ingest these files of the landing folder as one batch; an outcome for every file.
    `progress` is told, inside the one transaction that writes the warehouse, what it loads.

    Memory stays bounded by the largest file, not the batch: files are hashed first, and each
    new content is read again, checked against its hash, parsed, archived and its rows
    inserted into the open transaction one at a time; only counts are kept."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    named = {source_name(settings, path): path for path in sorted(paths)}
    landed: dict[str, str] = {}
    with_data: dict[str, str] = {}  # sha256 -> the first name holding it
    current: dict[str, str] = {}
    for name, path in named.items():
        landed[name] = file_sha256(path.read_bytes())
        with_data.setdefault(landed[name], name)
    pseudonymiser = Pseudonymiser(
        choose_key(settings, {named[name]: sha for name, sha in landed.items()})
    )
    fingerprint = pseudonymiser.pseudonym(KEY_CHECK_MESSAGE)
    authorities = {name: settings.la_code_for(name) for name in named}
    if settings.warehouse_path.exists():
        with connect(settings.warehouse_path, read_only=True) as con:
            check_key(key_fingerprints(con), fingerprint)
            current = current_files(
                con, {code for code in authorities.values() if code} | {settings.la_code}
            )
    # Rows, retirements and findings are stamped with their file's authority; a refusal of a
    # file outside any authority folder is recorded under the configured one.
    la_codes = {name: settings.recorded_la_code(name) for name in [*named, *current]}

    parsed: dict[str, ParsedExtract | RefusedFileError] = {}
    refused_contents: dict[str, bytes] = {}  # kept for the quarantine
    archived: dict[str, str] = {}
    # A content loaded now that is loaded already under another name (moved between names):
    # its rows wait until that name's retirement has removed the old ones.
    late_rows: list[ParsedExtract] = []

    with connect(settings.warehouse_path) as con:
        begin_batch(con, catalogue, fingerprint)

        def loadable(sha: str) -> bool:
            """Parse a new content; if it loads, archive it and insert its rows now."""
            if sha not in parsed:
                name = with_data[sha]
                data = _read_again(named[name], sha)
                try:
                    if authorities[name] is None:
                        raise _outside_authority_folders(name)
                    extract = parse_extract(
                        data,
                        name,
                        named[name].suffix,
                        sha,
                        catalogue,
                        pseudonymiser,
                        la_code=la_codes[name],
                        sheet=settings.export_sheet,
                        today=now.date(),
                    )
                except RefusedFileError as error:
                    parsed[sha] = error
                    refused_contents[sha] = data
                    return False
                # A loadable content is always loaded, under its first name (plan.py).
                archived[sha] = str(
                    archive_file(data, sha, named[name].suffix, settings.archive_dir)
                )
                if sha in current.values():
                    late_rows.append(extract)
                    parsed[sha] = extract
                else:
                    insert_rows(con, extract, la_codes[name], now)
                    parsed[sha] = _without_rows(extract)
            return isinstance(parsed[sha], ParsedExtract)

        try:
            plan = plan_batch(landed, current, loadable)
        except BaseException:
            con.execute("rollback")
            raise
        loads = []
        for sha in plan.loads:
            extract = parsed[sha]
            assert isinstance(extract, ParsedExtract)
            loads.append((extract, archived[sha]))
        refused = [d for d in plan.decisions if d.status == "refused"]

        def loading() -> None:
            if loads or refused:
                progress(
                    f"loading {len(loads)} file(s), {sum(e.rows_loaded for e, _ in loads)} "
                    f"audit rows, and {len(refused)} refusal(s) into the warehouse in one "
                    "transaction"
                )

        finish_batch(
            con,
            fingerprint,
            la_codes,
            now,
            retired=plan.retired_names,
            loads=loads,
            refusals=[Refusal(d.source_file, d.file_sha256, _reason(parsed, d)) for d in refused],
            valid_names={d.source_file for d in plan.decisions if d.status != "refused"},
            late_rows=late_rows,
            before_commit=loading,
        )

    outcomes = []
    for decision in plan.decisions:
        extract = parsed.get(decision.file_sha256)
        if decision.status in ("loaded", "replaced"):
            assert isinstance(extract, ParsedExtract)
            outcomes.append(_loaded_outcome(decision, extract))
        elif decision.status == "duplicate":
            outcomes.append(
                FileOutcome(
                    decision.source_file,
                    decision.file_sha256,
                    "duplicate",
                    note=_duplicate_note(decision),
                )
            )
        elif decision.status == "refused":
            outcomes.append(
                _quarantine(settings, named, refused_contents, parsed, decision, current, now)
            )
        else:
            outcomes.append(FileOutcome(decision.source_file, decision.file_sha256, "unchanged"))
    return outcomes


def _read_again(path: Path, sha: str) -> bytes:
    """The file's bytes, which must still be the content hashed at the start of the batch."""
    data = path.read_bytes()
    if file_sha256(data) != sha:
        raise IngestError(
            f"{path} changed while it was being ingested; nothing was loaded. Run the "
            "refresh again once whoever writes it has finished."
        )
    return data


def _without_rows(extract: ParsedExtract) -> ParsedExtract:
    """What is kept of a file once its rows are in the transaction: counts and findings."""
    return replace(
        extract,
        submissions=extract.submissions[["source_row"]],
        answers=extract.answers.slice(0, 0),
    )


def _outside_authority_folders(name: str) -> RefusedFileError:
    return RefusedFileError(
        name,
        "no_authority_folder",
        "CAREAUDIT_AUTHORITY_FOLDERS is on, so every export must be inside a folder of the "
        "landing folder named by its authority's code (e.g. E10000014/export.csv); this one is "
        "not. Move it into its authority's folder.",
    )


def _reason(parsed: dict[str, ParsedExtract | RefusedFileError], decision: Decision) -> str:
    error = parsed[decision.file_sha256]
    assert isinstance(error, RefusedFileError)
    return error.reason


def _quarantine(
    settings: Settings,
    named: dict[str, Path],
    contents: dict[str, bytes],
    parsed: dict[str, ParsedExtract | RefusedFileError],
    decision: Decision,
    current: dict[str, str],
    now: datetime,
) -> FileOutcome:
    reason = _reason(parsed, decision)
    path = named[decision.source_file]
    moved = quarantine_file(
        path,
        decision.source_file,
        contents[decision.file_sha256],
        decision.file_sha256,
        reason,
        settings.quarantine_dir,
        now,
        keep_original=_in_sample_folder(path),
    )
    note = reason
    if decision.source_file in current:
        note += "; the earlier version of this file stays loaded"
    if moved.left_in_landing:
        note += f"; left in the landing folder: {moved.left_in_landing}"
    return FileOutcome(
        decision.source_file,
        decision.file_sha256,
        "refused",
        note=note,
        quarantine_path=str(moved.path),
    )


def ingest_landing_folder(
    settings: Settings,
    catalogue: FormCatalogue,
    progress: Callable[[str], None] = lambda message: None,
) -> list[FileOutcome]:
    """Ingest every file in the landing folder as one batch."""
    paths = landed_exports(settings.landing_dir)
    return ingest_files(settings, catalogue, paths, progress=progress)
