"""Write a planned batch into the warehouse's `raw` schema, all of it in one transaction.

Raw tables carry lineage on every row (source file, its sha256, row number, ingest time) so a
published number can be traced back to the cell it came from. What to write is decided before
(plan.py): the earlier content of corrected files is retired, new contents are inserted,
refusals are recorded; either the whole batch commits or nothing does, so a crash or a kill
mid-load leaves the warehouse as it was. SQL text never contains anything read from a file:
values are parameters, and frames are scanned under a fixed name.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from orchestration.catalogue import FormCatalogue
from orchestration.ingest.answers import ANSWER_COLUMNS
from orchestration.ingest.extract import FINDING_COLUMNS, ParsedExtract
from orchestration.ingest.extract import stored_detail_questions as detail_questions
from orchestration.ingest.upgrade import forget_free_text

SQL_TYPES = {"id": "varchar", "text": "varchar", "datetime": "timestamp", "date": "date"}

LANDED_FILES_DDL = """
create table if not exists raw.landed_files (
    la_code varchar not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    form_version varchar not null,
    file_format varchar not null,
    encoding varchar,
    sheet_name varchar,
    header_row integer not null,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_rejected integer not null,
    archive_path varchar not null,
    ingested_at timestamp not null,
    is_current boolean not null,
    replaced_at timestamp
)"""

ANSWERS_DDL = """
create table if not exists raw.audit_answers (
    file_sha256 varchar not null,
    source_row integer not null,
    question_id varchar not null,
    answer_code varchar,
    answer_status varchar not null
)"""

FINDINGS_DDL = """
create table if not exists raw.ingest_findings (
    la_code varchar not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    source_row integer,
    column_header varchar,
    question_id varchar,
    offending_value varchar,
    severity varchar not null,
    reason varchar not null,
    ingested_at timestamp not null
)"""

KEY_DDL = """
create table if not exists raw.pseudonymisation_key (
    fingerprint varchar not null,
    first_used_at timestamp not null
)"""


RAW_TABLES = ("audit_submissions", "audit_answers", "landed_files", "ingest_findings")


class KeyMismatchError(RuntimeError):
    """The warehouse was built with another pseudonymisation key."""


@dataclass(frozen=True)
class Refusal:
    source_file: str
    file_sha256: str
    reason: str


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, catalogue: FormCatalogue) -> None:
    """Create the raw tables, adding a column when the catalogue gains an audit-detail field.
    (Column names come from the catalogue in the repository, never from a landed file.)"""
    con.execute("create schema if not exists raw")
    for ddl in (LANDED_FILES_DDL, ANSWERS_DDL, FINDINGS_DDL, KEY_DDL):
        con.execute(ddl)
    con.execute(
        """
        create table if not exists raw.audit_submissions (
            la_code varchar not null,
            source_file varchar not null,
            file_sha256 varchar not null,
            source_row integer not null,
            form_version varchar not null,
            ingested_at timestamp not null
        )"""
    )
    for question in detail_questions(catalogue):
        con.execute(
            f"alter table raw.audit_submissions add column if not exists "
            f"{_quote(question.question_id)} {SQL_TYPES[question.question_type]}"
        )
    forget_free_text(con, catalogue)  # a warehouse an earlier version built


def _has_raw_tables(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'landed_files'"
    ).fetchone()
    return bool(found and found[0])


def key_fingerprints(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _has_raw_tables(con):
        return []
    return [
        row[0] for row in con.execute("select fingerprint from raw.pseudonymisation_key").fetchall()
    ]


def check_key(known: list[str], fingerprint: str) -> None:
    """Refuse to mix pseudonyms made with different keys in one warehouse."""
    if known and fingerprint not in known:
        raise KeyMismatchError(
            "this warehouse was built with a different CAREAUDIT_PSEUDONYMISATION_KEY: the same "
            "child would get two pseudonyms. Use the original key, or a new CAREAUDIT_DATA_DIR."
        )


def current_files(con: duckdb.DuckDBPyConnection, la_codes: Collection[str]) -> dict[str, str]:
    """source file -> sha256, for every file of these authorities whose rows are in the
    warehouse now."""
    if not _has_raw_tables(con):
        return {}
    rows = con.execute(
        "select source_file, file_sha256 from raw.landed_files "
        "where list_contains(?, la_code) and is_current",
        [sorted(la_codes)],
    ).fetchall()
    return dict(rows)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in each raw table (0 before anything was loaded)."""
    if not _has_raw_tables(con):
        return dict.fromkeys(RAW_TABLES, 0)
    counts = {}
    for table in RAW_TABLES:
        row = con.execute(f"select count(*) from raw.{table}").fetchone()
        counts[table] = row[0] if row else 0
    return counts


def column_types(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Each raw table's columns and types, as the warehouse holds them."""
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' order by table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {table: [] for table in RAW_TABLES}
    for table, column, data_type in rows:
        if table in columns:
            columns[table].append((column, data_type.lower()))
    return columns


def months_by_file(
    con: duckdb.DuckDBPyConnection, la_codes: dict[str, str]
) -> dict[str, list[str]]:
    """The completion months ("2022-08") the current rows of these files (name -> the
    authority whose file it is) fall in."""
    if not _has_raw_tables(con) or not la_codes:
        return {}
    rows = con.execute(
        "select source_file, list_sort(list(distinct strftime(completed_at, '%Y-%m'))) "
        "from raw.audit_submissions "
        "where list_contains(?, la_code || '/' || source_file) group by source_file",
        [[f"{code}/{name}" for name, code in la_codes.items()]],
    ).fetchall()
    return dict(rows)


def _retire(
    con: duckdb.DuckDBPyConnection, la_code: str, source_file: str, sha256: str, now: datetime
) -> None:
    """Remove the rows of a file's earlier content; its landed_files row stays, as history."""
    for table in ("audit_answers", "audit_submissions"):
        con.execute(f"delete from raw.{table} where file_sha256 = ?", [sha256])
    con.execute(
        "delete from raw.ingest_findings where la_code = ? and file_sha256 = ? "
        "and severity <> 'refused_file'",
        [la_code, sha256],
    )
    con.execute(
        "update raw.landed_files set is_current = false, replaced_at = ? "
        "where la_code = ? and source_file = ? and is_current",
        [now, la_code, source_file],
    )


def _clear_refusals(con: duckdb.DuckDBPyConnection, la_code: str, source_file: str) -> None:
    con.execute(
        "delete from raw.ingest_findings "
        "where la_code = ? and source_file = ? and severity = 'refused_file'",
        [la_code, source_file],
    )


def _insert_frame(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: object,
    constants: str,
    parameters: list[object],
) -> None:
    con.register("incoming", frame)
    try:
        con.execute(
            f"insert into raw.{table} by name select {constants}, * from incoming", parameters
        )
    finally:
        con.unregister("incoming")


def insert_rows(
    con: duckdb.DuckDBPyConnection, extract: ParsedExtract, la_code: str, now: datetime
) -> None:
    """Insert a parsed file's submissions, answers and findings (inside the batch's open
    transaction, as soon as the file is parsed, so a batch never holds every file's rows in
    memory at once). Its landed_files row comes last, in `finish_batch`."""
    lineage = [la_code, extract.source_file, extract.file_sha256]
    _insert_frame(
        con,
        "audit_submissions",
        extract.submissions,
        "? as la_code, ? as source_file, ? as file_sha256, ? as form_version, ? as ingested_at",
        [*lineage, extract.form_version, now],
    )
    _insert_frame(
        con,
        "audit_answers",
        extract.answers.select(ANSWER_COLUMNS),
        "? as file_sha256",
        [extract.file_sha256],
    )
    _insert_frame(
        con,
        "ingest_findings",
        extract.findings[FINDING_COLUMNS],
        "? as la_code, ? as source_file, ? as file_sha256, ? as ingested_at",
        [*lineage, now],
    )


def _insert_landed_file(
    con: duckdb.DuckDBPyConnection,
    extract: ParsedExtract,
    la_code: str,
    archive_path: str,
    now: datetime,
) -> None:
    con.execute(
        "insert into raw.landed_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, null)",
        [
            la_code,
            extract.source_file,
            extract.file_sha256,
            extract.form_version,
            extract.file_format,
            extract.encoding,
            extract.sheet_name,
            extract.header_row,
            extract.rows_read,
            extract.rows_loaded,
            extract.rows_rejected,
            archive_path,
            now,
        ],
    )


def begin_batch(
    con: duckdb.DuckDBPyConnection, catalogue: FormCatalogue, key_fingerprint: str
) -> None:
    """Open the batch's one transaction, schema changes included, and check the key."""
    # Raw rows carry their file and row number and have no meaningful order: letting DuckDB
    # insert in parallel, out of order, more than halves the time a large file takes to load.
    con.execute("set preserve_insertion_order = false")
    con.execute("set enable_progress_bar = false")  # no bar on the terminal of a CLI run
    con.execute("begin transaction")
    try:
        ensure_raw_schema(con, catalogue)
        check_key(key_fingerprints(con), key_fingerprint)
    except BaseException:
        con.execute("rollback")
        raise


def finish_batch(
    con: duckdb.DuckDBPyConnection,
    key_fingerprint: str,
    la_codes: Mapping[str, str],
    now: datetime,
    *,
    retired: dict[str, str],
    loads: list[tuple[ParsedExtract, str]],
    refusals: list[Refusal],
    valid_names: set[str],
    late_rows: Sequence[ParsedExtract] = (),
    before_commit: Callable[[], None] = lambda: None,
) -> None:
    """Complete the batch `begin_batch` opened (whose loaded files' rows `insert_rows` has
    inserted) and commit it: all of it or none.

    `la_codes`: source file -> the authority its rows (and findings) are stamped with.
    `retired`: name -> sha256 of earlier contents to remove; `loads`: (extract, archive path)
    of the files loaded, for their landed_files rows; `refusals`: files refused now;
    `valid_names`: names whose latest landed file was not refused, so an earlier refusal of
    that name is cleared. The key fingerprint is recorded when the first rows are loaded.
    `late_rows`: loaded files whose content was loaded before under another name, whose rows
    go in only after that name's retirement has removed the old ones (same sha256).
    `before_commit` is called last, inside the transaction."""
    try:
        if loads and not key_fingerprints(con):
            con.execute(
                "insert into raw.pseudonymisation_key values (?, ?)", [key_fingerprint, now]
            )
        for source_file, sha256 in retired.items():
            _retire(con, la_codes[source_file], source_file, sha256, now)
        for source_file in sorted(valid_names):
            _clear_refusals(con, la_codes[source_file], source_file)
        for refusal in refusals:
            la_code = la_codes[refusal.source_file]
            _clear_refusals(con, la_code, refusal.source_file)
            con.execute(
                "insert into raw.ingest_findings values "
                "(?, ?, ?, null, null, null, null, 'refused_file', ?, ?)",
                [la_code, refusal.source_file, refusal.file_sha256, refusal.reason, now],
            )
        for extract in late_rows:
            insert_rows(con, extract, la_codes[extract.source_file], now)
        for extract, archive_path in loads:
            _insert_landed_file(con, extract, la_codes[extract.source_file], archive_path, now)
        before_commit()
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
