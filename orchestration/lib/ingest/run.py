"""Ingest a batch of landed files, or withdraw some: the whole ingest step, free of Dagster.

A batch is one transaction, and nothing in it is final before the plan of the whole batch is.
Order matters for safety:
1. every file is read and hashed. A file that cannot be listed or read, or is over the size
   limit, is refused now, by name; one that disappeared or changed while it was read is left
   for the next run. The key is chosen and checked against the warehouse before anything is
   written;
2. the one transaction is opened. Each new content is read again (it must still match its
   hash), parsed once and, if it loads, archived (content-addressed, so an interrupted run
   leaves nothing wrong behind) and its rows inserted, so memory holds one file's rows at a
   time. Any error while parsing a file refuses that file, never the batch;
3. the plan (plan.py) decides, from what the warehouse holds and what the batch brought, what
   counts now; it is written, and the transaction commits: all of the batch or none of it;
4. only then are refused files moved to the quarantine and withdrawn ones set aside. Neither
   ever raises: a file that cannot be moved says so in its outcome. So a run killed at any
   point leaves the warehouse as it was, and the next run sees the same files.
"""

import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest.archive import archive_file
from orchestration.lib.ingest.extract import ParsedExtract, parse_extract
from orchestration.lib.ingest.landing import LandingFile, list_landing_folder, unreadable
from orchestration.lib.ingest.load import (
    BatchTransaction,
    Refusal,
    WarehouseState,
    apply_plan,
    check_key,
    insert_rows,
    key_fingerprints,
    loaded_file_summaries,
    removed_audits,
    warehouse_state,
)
from orchestration.lib.ingest.plan import Decision, Plan, first_holder, plan_batch
from orchestration.lib.ingest.pseudonymise import Pseudonymiser
from orchestration.lib.ingest.quarantine import set_aside
from orchestration.lib.ingest.refusal import RefusedFileError
from orchestration.lib.warehouse import connect
from orchestration.settings import Settings

KEY_CHECK_MESSAGE = "careaudit pseudonymisation key check"
UNREAD = ""  # the file_sha256 recorded for a file refused before its bytes could be read


class IngestError(RuntimeError):
    """Ingest cannot run at all; nothing was loaded."""


class MissingKeyError(IngestError):
    """No pseudonymisation key is configured for data other than the bundled sample."""


@dataclass(frozen=True)
class FileOutcome:
    source_file: str
    file_sha256: str
    status: str  # loaded | replaced | unchanged | duplicate | refused | skipped | withdrawn
    form_version: str | None = None
    file_format: str | None = None
    encoding: str | None = None
    sheet_name: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    missing_answers: int = 0
    warnings: int = 0
    note: str | None = None  # why refused or skipped, what a duplicate duplicates, ...
    quarantine_path: str | None = None
    audits_removed: int = 0  # withdrawn: audits that left the warehouse with it
    months_changed: tuple[str, ...] = ()  # withdrawn: completion months of its rows

    @property
    def findings(self) -> int:
        """Findings recorded about the file (a rejected row may have more than one)."""
        return self.rows_rejected + self.missing_answers + self.warnings


@dataclass(frozen=True)
class _Hashed:
    """A landing file after its first read: its content hash, or why it cannot be loaded."""

    file: LandingFile
    sha: str | None
    refusal: RefusedFileError | None = None
    skipped: str | None = None  # why it is left for the next run


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_capped(path: Path, max_bytes: int) -> bytes | None:
    """The file's bytes, or None when it holds more than max_bytes (read no further)."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    return None if len(data) > max_bytes else data


def _too_large(name: str, max_bytes: int) -> RefusedFileError:
    return RefusedFileError(
        name,
        "too_large",
        f"is larger than {max_bytes / 1e6:,.0f} MB, the largest export careaudit reads "
        "(CAREAUDIT_MAX_FILE_MB): export one month per file, or raise the limit",
    )


def _hash(file: LandingFile, max_bytes: int) -> _Hashed:
    if file.problem is not None and file.problem.kind != "bad_file_name":
        return _Hashed(file, None, file.problem)
    try:
        data = _read_capped(file.path, max_bytes)
    except FileNotFoundError:
        return _Hashed(file, None, skipped="it was removed from the landing folder as it was read")
    except OSError as error:
        return _Hashed(file, None, unreadable(file.name, error))
    if data is None:
        return _Hashed(file, None, _too_large(file.name, max_bytes))
    return _Hashed(file, file_sha256(data), file.problem)


def choose_key(settings: Settings, checksums: Collection[str]) -> str:
    """The key these files are pseudonymised with (settings.key_for), or why there is none."""
    key = settings.key_for(checksums)
    if key is None:
        raise MissingKeyError(
            "CAREAUDIT_PSEUDONYMISATION_KEY is not set. Without it careaudit ingests only its "
            "bundled synthetic sample. Generate a key once, e.g. "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`, keep it secret, and set "
            "it in the environment of every run (the same key every time, or the same child gets "
            "different pseudonyms)."
        )
    return key


def _outside_authority_folders(name: str) -> RefusedFileError:
    return RefusedFileError(
        name,
        "no_authority_folder",
        "CAREAUDIT_AUTHORITY_FOLDERS is on, so every export must be inside a folder of the "
        "landing folder named by its authority's code (e.g. E10000014/export.csv); this one is "
        "not. Move it into its authority's folder.",
    )


def _check_withdrawable(settings: Settings, names: Collection[str], state: WarehouseState) -> None:
    unknown = sorted(set(names) - set(state.names))
    if unknown:
        counted = ", ".join(sorted(state.names)[:10]) or "none"
        raise IngestError(
            f"cannot withdraw {', '.join(unknown)}: not a file whose rows count now "
            f"(files that count: {counted}{', ...' if len(state.names) > 10 else ''})"
        )
    for name in names:
        path = settings.landing_dir / name
        if path.exists() and settings.landing_is_read_only:
            raise IngestError(
                f"cannot withdraw {name}: it is in the bundled sample folder, which careaudit "
                "never changes, so the next refresh would load it again; point "
                "CAREAUDIT_LANDING_DIR at a folder of your own"
            )


class _Batch:
    """The parse-and-insert phase of one batch, inside its open transaction."""

    def __init__(
        self,
        settings: Settings,
        catalogue: FormCatalogue,
        pseudonymiser: Pseudonymiser,
        con: duckdb.DuckDBPyConnection,
        now: datetime,
    ) -> None:
        self.settings, self.catalogue, self.pseudonymiser = settings, catalogue, pseudonymiser
        self.con, self.now = con, now
        self.parsed: dict[str, ParsedExtract | RefusedFileError] = {}
        self.loaded: list[tuple[ParsedExtract, str]] = []
        self.changed: dict[str, str] = {}  # sha -> why its files are left for the next run

    def load_new(self, name: str, path: Path, sha: str, la_code: str) -> None:
        """Parse a content new to the warehouse; if it loads, archive it and insert its rows
        (under `name`, the first name holding it) now."""
        try:
            data = _read_capped(path, self.settings.max_file_bytes)
        except OSError:
            data = None
        if data is None or file_sha256(data) != sha:
            self.changed[sha] = (
                "it changed or disappeared while the refresh read it; the next refresh reads it "
                "again (whoever writes it should write name.csv.part and rename it when done)"
            )
            return
        try:
            extract = parse_extract(
                data,
                name,
                path.suffix,
                sha,
                self.catalogue,
                self.pseudonymiser,
                la_code=la_code,
                sheet=self.settings.export_sheet,
                today=self.now.date(),
                max_bytes=self.settings.max_file_bytes,
            )
        except RefusedFileError as error:
            self.parsed[sha] = error
            return
        except MemoryError:
            self.parsed[sha] = RefusedFileError(
                name,
                "too_large",
                "is too large to read in the memory this machine has: export fewer months per file",
            )
            return
        except Exception as error:  # one file's unforeseen failure is that file's refusal
            self.parsed[sha] = RefusedFileError(
                name,
                "read_error",
                f"could not be read: careaudit failed on it unexpectedly ({type(error).__name__}"
                "); the other files were loaded. Export it again, and report this if it "
                "happens again",
            )
            return
        archived = archive_file(data, sha, path.suffix, self.settings.archive_dir)
        insert_rows(self.con, extract, la_code, self.now)
        self.parsed[sha] = _without_rows(extract)
        self.loaded.append((self.parsed[sha], str(archived)))  # type: ignore[arg-type]

    @property
    def loadable(self) -> set[str]:
        return {sha for sha, result in self.parsed.items() if isinstance(result, ParsedExtract)}


def _without_rows(extract: ParsedExtract) -> ParsedExtract:
    """What is kept of a file once its rows are in the transaction: counts and findings."""
    return replace(
        extract,
        submissions=extract.submissions[["source_row"]],
        answers=extract.answers.slice(0, 0),
    )


def ingest_files(
    settings: Settings,
    catalogue: FormCatalogue,
    files: Sequence[LandingFile],
    *,
    withdraw: Collection[str] = (),
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> list[FileOutcome]:
    """Ingest these files of the landing folder, and withdraw these names, as one batch; an
    outcome for every file and withdrawn name. `progress` is told, inside the one transaction
    that writes the warehouse, what it writes.

    Memory stays bounded by the largest file, not the batch: files are hashed first, and each
    new content is read again, checked against its hash, parsed, archived and its rows
    inserted into the open transaction one at a time; only counts are kept."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    hashed = [_hash(file, settings.max_file_bytes) for file in sorted(files, key=lambda f: f.name)]
    read = {h.file.name: h for h in hashed if h.sha}
    pseudonymiser = Pseudonymiser(choose_key(settings, [h.sha for h in read.values() if h.sha]))
    fingerprint = pseudonymiser.pseudonym(KEY_CHECK_MESSAGE)
    state = WarehouseState({}, {}, {})
    if settings.warehouse_path.exists():
        with connect(settings.warehouse_path, read_only=True) as con:
            check_key(key_fingerprints(con), fingerprint)
            state = warehouse_state(con)
    _check_withdrawable(settings, withdraw, state)
    refused_before = {h.file.name: h for h in hashed if h.refusal is not None}
    for name, h in read.items():
        if h.refusal is None and settings.la_code_for(name) is None:
            refused_before[name] = replace(h, refusal=_outside_authority_folders(name))
    landed = {name: h.sha for name, h in read.items() if name not in refused_before}
    la_codes = {
        **state.authorities,
        **{h.file.name: settings.recorded_la_code(h.file.name) for h in hashed},
    }

    with (
        connect(settings.warehouse_path) as con,
        BatchTransaction(con, catalogue, fingerprint) as transaction,
    ):
        batch = _Batch(settings, catalogue, pseudonymiser, con, now)
        for sha in sorted(
            set(landed.values()) - set(state.holders), key=lambda s: first_holder(landed, s)
        ):  # type: ignore[arg-type]
            name = first_holder(landed, sha)  # type: ignore[arg-type]
            batch.load_new(name, read[name].file.path, sha, la_codes[name])  # type: ignore[arg-type]
        settled = {name: sha for name, sha in landed.items() if sha not in batch.changed}
        plan = plan_batch(
            state.names,
            state.holders,
            settled,
            batch.loadable,
            la_codes,
            withdraw,  # type: ignore[arg-type]
        )
        refusals = [
            Refusal(name, h.sha or UNREAD, h.refusal.reason)  # type: ignore[union-attr]
            for name, h in refused_before.items()
        ] + [
            Refusal(d.source_file, d.file_sha256, _reason(batch, d))
            for d in plan.decisions
            if d.status == "refused"
        ]
        leaving = removed_audits(con, plan.removed) if withdraw else (0, [])
        moved = {
            sha: FileOutcome(plan.moved[sha], sha, "loaded", *summary)  # type: ignore[arg-type]
            for sha, summary in loaded_file_summaries(con, list(plan.moved)).items()
        }
        apply_plan(con, plan, la_codes, fingerprint, now, loaded=batch.loaded, refusals=refusals)
        if batch.loaded or refusals or withdraw or plan.removed or plan.moved:
            progress(
                f"loading {len(batch.loaded)} new file(s), "
                f"{sum(e.rows_loaded for e, _ in batch.loaded)} audit rows, "
                f"{len(refusals)} refusal(s) and {len(withdraw)} withdrawal(s) into the "
                "warehouse in one transaction"
            )
        transaction.commit()

    outcomes = [
        _refused_outcome(settings, name, h.file.path, h.sha, h.refusal.reason, state, now)  # type: ignore[union-attr]
        for name, h in refused_before.items()
    ]
    outcomes += [
        FileOutcome(h.file.name, h.sha or UNREAD, "skipped", note=h.skipped)
        for h in hashed
        if h.skipped
    ]
    outcomes += [
        FileOutcome(name, sha, "skipped", note=batch.changed[sha])
        for name, sha in landed.items()
        if sha in batch.changed
    ]
    for decision in plan.decisions:
        outcomes.append(_outcome(settings, decision, plan, batch, moved, read, state, leaving, now))
    return sorted(outcomes, key=lambda o: o.source_file)


def _reason(batch: _Batch, decision: Decision) -> str:
    if decision.reason:
        return decision.reason
    error = batch.parsed[decision.file_sha256]
    assert isinstance(error, RefusedFileError)
    return error.reason


def _outcome(
    settings: Settings,
    decision: Decision,
    plan: Plan,
    batch: _Batch,
    moved: dict[str, FileOutcome],
    read: dict[str, _Hashed],
    state: WarehouseState,
    leaving: tuple[int, list[str]],
    now: datetime,
) -> FileOutcome:
    name, sha = decision.source_file, decision.file_sha256
    if decision.status == "refused":
        path = read[name].file.path
        return _refused_outcome(settings, name, path, sha, _reason(batch, decision), state, now)
    if decision.status == "withdrawn":
        note = _set_aside_withdrawn(settings, name, sha, plan, now)
        audits, months = leaving if sha in plan.removed else (0, [])
        return FileOutcome(
            name, sha, "withdrawn", note=note, audits_removed=audits, months_changed=tuple(months)
        )
    if decision.status == "duplicate":
        note = f"same content as {decision.duplicate_of}, whose rows hold it"
        if decision.replaces:
            note += "; this file's earlier version no longer counts"
        return FileOutcome(name, sha, "duplicate", note=note)
    if decision.status == "unchanged":
        return FileOutcome(name, sha, "unchanged")
    extract = batch.parsed.get(sha)
    if isinstance(extract, ParsedExtract):
        severities = extract.findings["severity"].value_counts()
        return FileOutcome(
            source_file=name,
            file_sha256=sha,
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
            note="its earlier version's rows were replaced" if decision.replaces else None,
        )
    previous = state.holders[sha]
    return replace(
        moved[sha],
        source_file=name,
        status=decision.status,
        note=f"same content as {previous}, which no longer holds it: its rows now count "
        "under this name",
    )


def _refused_outcome(
    settings: Settings,
    name: str,
    path: Path,
    sha: str | None,
    reason: str,
    state: WarehouseState,
    now: datetime,
) -> FileOutcome:
    """A refused file's outcome, after moving it to the quarantine when its bytes could be read
    (never raising: a file that cannot be moved says so)."""
    note = reason
    if name in state.names:
        note += "; the earlier version of this file stays loaded"
    quarantined = None
    if sha:
        moved = set_aside(
            path,
            name,
            sha,
            settings.quarantine_dir,
            reason_text=_refusal_text(name, sha, reason, now),
            keep_original=settings.landing_is_read_only,
            why_kept="the bundled sample folder is never changed",
        )
        quarantined = str(moved.path) if moved.path else None
        if moved.left_in_landing:
            note += f"; left in the landing folder: {moved.left_in_landing}"
    else:
        note += "; left in the landing folder"
    return FileOutcome(name, sha or UNREAD, "refused", note=note, quarantine_path=quarantined)


def _refusal_text(name: str, sha: str, reason: str, refused_at: datetime) -> str:
    return (
        "careaudit refused this file: nothing in it was loaded.\n\n"
        f"file:     {name} (as named in the landing folder)\n"
        f"sha256:   {sha}\n"
        f"refused:  {refused_at:%Y-%m-%d %H:%M:%S} UTC\n"
        f"reason:   {reason}\n\n"
        "To load it: fix the file and put it in the landing folder again under the same name.\n"
        "The next refresh loads it and clears this refusal from the ingest report.\n"
    )


def _set_aside_withdrawn(settings: Settings, name: str, sha: str, plan: Plan, now: datetime) -> str:
    """Move a withdrawn file still in the landing folder out of it, so the next refresh does
    not load it again; say what happened to its rows."""
    if sha in plan.removed:
        note = "its rows were removed"
    else:
        note = f"its content still counts under {plan.holders[sha]}, which holds the same file"
    path = settings.landing_dir / name
    if not path.exists():
        return note
    try:
        same = file_sha256(path.read_bytes()) == sha
    except OSError:
        same = False
    if not same:
        return note + "; a different version is in the landing folder: the next refresh loads it"
    moved = set_aside(
        path,
        name,
        sha,
        settings.data_dir / "withdrawn",
        reason_text=(
            f"careaudit withdrew this file on {now:%Y-%m-%d %H:%M:%S} UTC: its rows no longer "
            "count.\nTo count it again, put it back in the landing folder.\n"
        ),
        keep_original=False,
        why_kept="",
    )
    if moved.left_in_landing:
        return note + f"; left in the landing folder ({moved.left_in_landing})"
    return note + f"; moved out of the landing folder to {moved.path}"


def ingest_landing_folder(
    settings: Settings,
    catalogue: FormCatalogue,
    progress: Callable[[str], None] = lambda message: None,
) -> list[FileOutcome]:
    """Ingest every file in the landing folder as one batch."""
    try:
        files = list_landing_folder(settings.landing_dir)
    except OSError as error:
        raise IngestError(
            f"cannot list the landing folder {settings.landing_dir}: {error}"
        ) from error
    return ingest_files(settings, catalogue, files, progress=progress)


def withdraw_files(
    settings: Settings,
    catalogue: FormCatalogue,
    names: Collection[str],
    progress: Callable[[str], None] = lambda message: None,
) -> list[FileOutcome]:
    """Withdraw these files (names as recorded): their rows stop counting, in one transaction,
    unless another file still holds the same content."""
    return ingest_files(settings, catalogue, [], withdraw=names, progress=progress)
