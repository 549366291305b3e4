"""Write a planned batch into the warehouse's `raw` schema, all of it in one transaction.

Raw tables carry lineage on every row (source file, its sha256, row number, ingest time) so a
published number can be traced back to the cell it came from. What to write is decided before
(plan.py): the rows of contents no name holds any more are removed, rows whose name let go of
them move to another name holding them, new contents are inserted, names and refusals are
recorded; either the whole batch commits or nothing does, so a crash or a kill mid-load leaves
the warehouse as it was. SQL text never contains anything read from a file: values are
parameters, and frames are scanned under a fixed name.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest.answers import ANSWER_COLUMNS
from orchestration.lib.ingest.extract import FINDING_COLUMNS, ParsedExtract
from orchestration.lib.ingest.extract import stored_detail_questions as detail_questions
from orchestration.lib.ingest.plan import Plan
from orchestration.lib.ingest.upgrade import forget_free_text

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
    answer_status varchar not null,
    submission_key bigint
)"""

# A submission's integer key: its content's number (from this sequence, once per content
# loaded) times 2^32 plus its row number, on its row and its answers' rows. The models join
# the tens of millions of answers on it instead of hashing the file's 64-character sha256.
FILE_KEYS = "raw.file_keys"
SUBMISSION_KEY = "(cast(? as bigint) << 32) + source_row"

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

# Which content each file name holds: one row per name and content it held, `is_current` on the
# one that counts now. Beside landed_files (one row per content loaded, under the name its rows
# are recorded by), it remembers the names holding a content loaded under another name, so a
# content stays while any of them holds it, and the names withdrawn.
NAMES_DDL = """
create table if not exists raw.landed_names (
    la_code varchar not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    landed_at timestamp not null,
    is_current boolean not null,
    replaced_at timestamp,
    withdrawn_at timestamp
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
    had_names = _has_table(con, "landed_names")
    for ddl in (LANDED_FILES_DDL, ANSWERS_DDL, FINDINGS_DDL, KEY_DDL, NAMES_DDL):
        con.execute(ddl)
    if not had_names:  # a warehouse from before names were tracked: its loaded files' names
        con.execute(
            "insert into raw.landed_names "
            "select la_code, source_file, file_sha256, ingested_at, true, null, null "
            "from raw.landed_files where is_current"
        )
    con.execute(
        """
        create table if not exists raw.audit_submissions (
            la_code varchar not null,
            source_file varchar not null,
            file_sha256 varchar not null,
            source_row integer not null,
            form_version varchar not null,
            ingested_at timestamp not null,
            submission_key bigint
        )"""
    )
    _key_submissions(con)
    for question in detail_questions(catalogue):
        con.execute(
            f"alter table raw.audit_submissions add column if not exists "
            f"{_quote(question.question_id)} {SQL_TYPES[question.question_type]}"
        )
    forget_free_text(con, catalogue)  # a warehouse an earlier version built


def _key_submissions(con: duckdb.DuckDBPyConnection) -> None:
    """The submission key on every row: a warehouse an earlier version built gets the column,
    and its loaded contents their numbers (in the batch's transaction, once)."""
    con.execute(f"create sequence if not exists {FILE_KEYS}")
    keyed = True
    for table in ("audit_submissions", "audit_answers"):
        if not _has_column(con, table, "submission_key"):
            con.execute(f"alter table raw.{table} add column submission_key bigint")
            keyed = False
    if keyed:
        return
    con.execute(
        "create temp table earlier_contents as "
        f"select file_sha256, nextval('{FILE_KEYS}') as file_key "
        "from (select distinct file_sha256 from raw.audit_submissions order by file_sha256)"
    )
    for table in ("audit_submissions", "audit_answers"):
        con.execute(
            f"update raw.{table} as t set submission_key = (k.file_key << 32) + t.source_row "
            "from earlier_contents as k where t.file_sha256 = k.file_sha256"
        )
    con.execute("drop table earlier_contents")


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? and column_name = ?",
        [table, column],
    ).fetchone()
    return bool(found and found[0])


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = ?",
        [table],
    ).fetchone()
    return bool(found and found[0])


def _has_raw_tables(con: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(con, "landed_files")


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


@dataclass(frozen=True)
class WarehouseState:
    """What the warehouse holds, as plan.py sees it."""

    names: dict[str, str]  # every name that counts -> the sha256 it holds
    holders: dict[str, str]  # every content loaded -> the name its rows are recorded under
    authorities: dict[str, str]  # every name that counts or holds rows -> its la_code


def warehouse_state(con: duckdb.DuckDBPyConnection) -> WarehouseState:
    if not _has_raw_tables(con):
        return WarehouseState({}, {}, {})
    holders = con.execute(
        "select file_sha256, source_file, la_code from raw.landed_files where is_current"
    ).fetchall()
    names = (
        con.execute(
            "select source_file, file_sha256, la_code from raw.landed_names where is_current"
        ).fetchall()
        if _has_table(con, "landed_names")
        else [(name, sha, la) for sha, name, la in holders]
    )
    return WarehouseState(
        names={name: sha for name, sha, _ in names},
        holders={sha: name for sha, name, _ in holders},
        authorities={name: la for _, name, la in holders} | {n: la for n, _, la in names},
    )


def current_files(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """source file -> sha256, for every file name that counts now (its content's rows are in
    the warehouse, under it or under another name holding the same content)."""
    return warehouse_state(con).names


def recorded_refusals(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(source file, sha256) of every refusal the ingest report holds now."""
    if not _has_raw_tables(con):
        return set()
    rows = con.execute(
        "select distinct source_file, file_sha256 from raw.ingest_findings "
        "where severity = 'refused_file'"
    ).fetchall()
    return {(name, sha) for name, sha in rows}


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


def _remove_content(con: duckdb.DuckDBPyConnection, sha256: str, now: datetime) -> None:
    """Remove a content's rows and findings; its landed_files row stays, as history."""
    for table in ("audit_answers", "audit_submissions"):
        con.execute(f"delete from raw.{table} where file_sha256 = ?", [sha256])
    con.execute(
        "delete from raw.ingest_findings where file_sha256 = ? and severity <> 'refused_file'",
        [sha256],
    )
    con.execute(
        "update raw.landed_files set is_current = false, replaced_at = ? "
        "where file_sha256 = ? and is_current",
        [now, sha256],
    )


def _move_content(
    con: duckdb.DuckDBPyConnection, sha256: str, source_file: str, la_code: str
) -> None:
    """Record a content's rows under another name holding it (of the same authority)."""
    for table in ("audit_submissions", "ingest_findings", "landed_files"):
        con.execute(
            f"update raw.{table} set source_file = ?, la_code = ? where file_sha256 = ?"
            + (" and severity <> 'refused_file'" if table == "ingest_findings" else "")
            + (" and is_current" if table == "landed_files" else ""),
            [source_file, la_code, sha256],
        )


def _set_name(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    source_file: str,
    sha256: str | None,
    now: datetime,
) -> None:
    """The name now holds this content (None: it is withdrawn)."""
    column = "replaced_at" if sha256 else "withdrawn_at"
    con.execute(
        f"update raw.landed_names set is_current = false, {column} = ? "
        "where source_file = ? and is_current",
        [now, source_file],
    )
    if sha256:
        con.execute(
            "insert into raw.landed_names values (?, ?, ?, ?, true, null, null)",
            [la_code, source_file, sha256, now],
        )


def _clear_refusals(con: duckdb.DuckDBPyConnection, source_file: str) -> None:
    con.execute(
        "delete from raw.ingest_findings where source_file = ? and severity = 'refused_file'",
        [source_file],
    )


def loaded_file_summaries(
    con: duckdb.DuckDBPyConnection, contents: list[str]
) -> dict[str, tuple[object, ...]]:
    """sha256 -> (form_version, file_format, encoding, sheet_name, rows_read, rows_loaded,
    rows_rejected) of these loaded contents, as recorded when they were loaded."""
    if not contents:
        return {}
    rows = con.execute(
        "select file_sha256, form_version, file_format, encoding, sheet_name, rows_read, "
        "rows_loaded, rows_rejected from raw.landed_files "
        "where is_current and list_contains(?, file_sha256)",
        [contents],
    ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def removed_audits(con: duckdb.DuckDBPyConnection, contents: list[str]) -> tuple[int, list[str]]:
    """Of the audits these contents' rows hold, how many have no submission in any other
    content (they leave the warehouse with them), and the completion months ("2022-08") of
    every submission they hold (the periods whose figures change)."""
    if not contents:
        return 0, []
    audits = con.execute(
        """
        with leaving as (
            select la_code, child_id, review_date, completed_at
            from raw.audit_submissions where list_contains(?, file_sha256)
        ),
        staying as (
            select la_code, child_id, review_date
            from raw.audit_submissions where not list_contains(?, file_sha256)
        )
        select
            (select count(*) from (
                select distinct la_code, child_id, review_date from leaving
                except select la_code, child_id, review_date from staying
            )),
            (select list_sort(list(distinct strftime(completed_at, '%Y-%m'))) from leaving)
        """,
        [contents, contents],
    ).fetchone()
    assert audits is not None
    return int(audits[0]), list(audits[1] or [])


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
    memory at once). Its landed_files row comes last, in `apply_plan`."""
    lineage = [la_code, extract.source_file, extract.file_sha256]
    ((number,),) = con.execute(f"select nextval('{FILE_KEYS}')").fetchall()
    _insert_frame(
        con,
        "audit_submissions",
        extract.submissions,
        "? as la_code, ? as source_file, ? as file_sha256, ? as form_version, ? as ingested_at, "
        f"{SUBMISSION_KEY} as submission_key",
        [*lineage, extract.form_version, now, number],
    )
    _insert_frame(
        con,
        "audit_answers",
        extract.answers.select(ANSWER_COLUMNS),
        f"? as file_sha256, {SUBMISSION_KEY} as submission_key",
        [extract.file_sha256, number],
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


class BatchTransaction:
    """The one transaction a batch writes in: opened with the schema checked, committed only by
    `commit()`, rolled back if anything (an error, a kill's exception, a bug) stops it first."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, catalogue: FormCatalogue, key_fingerprint: str
    ) -> None:
        self.con = con
        self.catalogue = catalogue
        self.key_fingerprint = key_fingerprint
        self.committed = False

    def __enter__(self) -> "BatchTransaction":
        # Raw rows carry their file and row number and have no meaningful order: letting
        # DuckDB insert in parallel, out of order, more than halves a large file's load time.
        self.con.execute("set preserve_insertion_order = false")
        self.con.execute("set enable_progress_bar = false")  # no bar on a CLI run's terminal
        self.con.execute("begin transaction")
        ensure_raw_schema(self.con, self.catalogue)
        check_key(key_fingerprints(self.con), self.key_fingerprint)
        return self

    def commit(self) -> None:
        self.con.execute("commit")
        self.committed = True

    def __exit__(self, *exc: object) -> None:
        if not self.committed:
            self.con.execute("rollback")


def apply_plan(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    la_codes: Mapping[str, str],
    key_fingerprint: str,
    now: datetime,
    *,
    loaded: Sequence[tuple[ParsedExtract, str]],
    refusals: Sequence[Refusal],
) -> None:
    """Write what the plan decided, inside the batch's transaction (whose new contents' rows
    `insert_rows` has inserted already).

    `la_codes`: name -> the authority its rows and findings are stamped with; `loaded`:
    (extract, archive path) of the new contents, for their landed_files rows; `refusals`:
    files refused now (recorded once per name, replacing an earlier refusal)."""
    if loaded and not key_fingerprints(con):
        con.execute("insert into raw.pseudonymisation_key values (?, ?)", [key_fingerprint, now])
    for sha in plan.removed:
        _remove_content(con, sha, now)
    for sha, name in plan.moved.items():
        _move_content(con, sha, name, la_codes[name])
    for decision in plan.decisions:
        if decision.status == "withdrawn":
            _set_name(con, la_codes[decision.source_file], decision.source_file, None, now)
        elif decision.status in ("loaded", "replaced", "duplicate"):
            _set_name(
                con, la_codes[decision.source_file], decision.source_file, decision.file_sha256, now
            )
        if decision.status != "refused":
            _clear_refusals(con, decision.source_file)
    for refusal in refusals:
        _clear_refusals(con, refusal.source_file)
        con.execute(
            "insert into raw.ingest_findings values "
            "(?, ?, ?, null, null, null, null, 'refused_file', ?, ?)",
            [
                la_codes[refusal.source_file],
                refusal.source_file,
                refusal.file_sha256,
                refusal.reason,
                now,
            ],
        )
    for extract, archive_path in loaded:
        _insert_landed_file(con, extract, la_codes[extract.source_file], archive_path, now)
