"""Write parsed extracts into the warehouse's `raw` schema, all of them in one transaction.

Raw tables carry lineage on every row (source file, its sha256, row number, ingest time) so a
published number can be traced back to the cell it came from. Loading is idempotent: a file
whose content is already loaded is skipped, and a corrected file with the same name replaces
the earlier version's rows; either the whole batch commits or nothing does.
"""

from dataclasses import dataclass
from datetime import datetime

import duckdb

from orchestration.catalogue import FormCatalogue
from orchestration.ingest.extract import ANSWER_COLUMNS, FINDING_COLUMNS, ParsedExtract
from orchestration.ingest.extract import stored_detail_questions as detail_questions

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
    answer_text varchar,
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


class KeyMismatchError(RuntimeError):
    """The warehouse was built with another pseudonymisation key."""


@dataclass(frozen=True)
class LoadedFile:
    extract: ParsedExtract
    archive_path: str
    replaced_sha256: str | None


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, catalogue: FormCatalogue) -> None:
    """Create the raw tables, adding a column when the catalogue gains an audit-detail field."""
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


def check_key(con: duckdb.DuckDBPyConnection, fingerprint: str, now: datetime) -> None:
    """Refuse to mix pseudonyms made with different keys in one warehouse."""
    rows = con.execute("select fingerprint from raw.pseudonymisation_key").fetchall()
    known = [row[0] for row in rows]
    if not known:
        con.execute("insert into raw.pseudonymisation_key values (?, ?)", [fingerprint, now])
    elif fingerprint not in known:
        raise KeyMismatchError(
            "this warehouse was built with a different CAREAUDIT_PSEUDONYMISATION_KEY: the same "
            "child would get two pseudonyms. Use the original key, or a new CAREAUDIT_DATA_DIR."
        )


def current_files(con: duckdb.DuckDBPyConnection, la_code: str) -> dict[str, str]:
    """sha256 -> source file, for every file whose rows are in the warehouse now."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'landed_files'"
    ).fetchone()
    if not exists or not exists[0]:
        return {}
    rows = con.execute(
        "select file_sha256, source_file from raw.landed_files where la_code = ? and is_current",
        [la_code],
    ).fetchall()
    return dict(rows)


def _replace_earlier_version(
    con: duckdb.DuckDBPyConnection, la_code: str, source_file: str, now: datetime
) -> str | None:
    row = con.execute(
        "select file_sha256 from raw.landed_files "
        "where la_code = ? and source_file = ? and is_current",
        [la_code, source_file],
    ).fetchone()
    if row is None:
        return None
    for table in ("audit_answers", "audit_submissions", "ingest_findings"):
        con.execute(f"delete from raw.{table} where file_sha256 = ?", [row[0]])
    con.execute(
        "update raw.landed_files set is_current = false, replaced_at = ? "
        "where la_code = ? and file_sha256 = ?",
        [now, la_code, row[0]],
    )
    return row[0]


def _insert_extract(
    con: duckdb.DuckDBPyConnection,
    extract: ParsedExtract,
    la_code: str,
    archive_path: str,
    now: datetime,
) -> None:
    lineage = [la_code, extract.source_file, extract.file_sha256]
    con.execute(
        "insert into raw.landed_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, null)",
        [
            *lineage,
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
    batches = (
        (
            "audit_submissions",
            extract.submissions,
            "? as la_code, ? as source_file, ? as file_sha256, ? as form_version, ? as ingested_at",
            [*lineage, extract.form_version, now],
        ),
        (
            "audit_answers",
            extract.answers[ANSWER_COLUMNS],
            "? as file_sha256",
            [extract.file_sha256],
        ),
        (
            "ingest_findings",
            extract.findings[FINDING_COLUMNS],
            "? as la_code, ? as source_file, ? as file_sha256, ? as ingested_at",
            [*lineage, now],
        ),
    )
    for table, frame, constants, parameters in batches:
        con.register("incoming", frame)
        try:
            con.execute(
                f"insert into raw.{table} by name select {constants}, * from incoming", parameters
            )
        finally:
            con.unregister("incoming")


def load_extracts(
    con: duckdb.DuckDBPyConnection,
    catalogue: FormCatalogue,
    key_fingerprint: str,
    extracts: list[tuple[ParsedExtract, str]],
    la_code: str,
    now: datetime,
) -> list[LoadedFile]:
    """Load (extract, archive path) pairs in one transaction, schema changes included: all of
    them or none."""
    loaded: list[LoadedFile] = []
    con.execute("begin transaction")
    try:
        ensure_raw_schema(con, catalogue)
        check_key(con, key_fingerprint, now)
        for extract, archive_path in extracts:
            replaced = _replace_earlier_version(con, la_code, extract.source_file, now)
            _insert_extract(con, extract, la_code, archive_path, now)
            loaded.append(LoadedFile(extract, archive_path, replaced))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return loaded
