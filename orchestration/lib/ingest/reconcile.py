"""Reconcile every current landed file against the raw tables: nothing lost, nothing doubled.

For each file whose rows are in the warehouse, the counts ingest recorded must add up
(rows read = rows loaded + rows rejected) and must match what the tables hold: its submissions
are the rows loaded, its distinct rejected-row findings the rows rejected; no answer may belong
to a submission that is not there, and no submission to a file that is not current. Run after
every ingest (a blocking Dagster check), so a hand edit or a bug shows before dbt builds on it.
"""

from dataclasses import dataclass

import duckdb

RECONCILIATION_SQL = """
with
files as (
    select la_code, source_file, file_sha256, rows_read, rows_loaded, rows_rejected
    from raw.landed_files
    where is_current
),
submissions as (
    select file_sha256, count(*) as n from raw.audit_submissions group by file_sha256
),
rejected as (
    select file_sha256, count(distinct source_row) as n
    from raw.ingest_findings
    where severity = 'rejected_row'
    group by file_sha256
),
orphan_answers as (
    select answers.file_sha256, count(*) as n
    from raw.audit_answers as answers
    anti join raw.audit_submissions as submissions
        on answers.submission_key = submissions.submission_key
    group by answers.file_sha256
)
select
    coalesce(files.source_file, '(no current file) ' || submissions.file_sha256) as source_file,
    coalesce(files.rows_read, 0) as rows_read,
    coalesce(files.rows_loaded, 0) as rows_loaded,
    coalesce(files.rows_rejected, 0) as rows_rejected,
    coalesce(submissions.n, 0) as submissions_in_table,
    coalesce(rejected.n, 0) as rejected_rows_in_findings,
    coalesce(orphan_answers.n, 0) as orphan_answers
from files
full outer join submissions on files.file_sha256 = submissions.file_sha256
left join rejected on coalesce(files.file_sha256, submissions.file_sha256) = rejected.file_sha256
left join orphan_answers
    on coalesce(files.file_sha256, submissions.file_sha256) = orphan_answers.file_sha256
order by source_file
"""


@dataclass(frozen=True)
class FileReconciliation:
    source_file: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    submissions_in_table: int
    rejected_rows_in_findings: int
    orphan_answers: int

    @property
    def problems(self) -> list[str]:
        found = []
        if self.rows_read != self.rows_loaded + self.rows_rejected:
            found.append(
                f"{self.rows_read} rows read but {self.rows_loaded} loaded + "
                f"{self.rows_rejected} rejected"
            )
        if self.submissions_in_table != self.rows_loaded:
            found.append(
                f"{self.rows_loaded} rows loaded but {self.submissions_in_table} in "
                "raw.audit_submissions"
            )
        if self.rejected_rows_in_findings != self.rows_rejected:
            found.append(
                f"{self.rows_rejected} rows rejected but {self.rejected_rows_in_findings} "
                "with a rejected_row finding"
            )
        if self.orphan_answers:
            found.append(f"{self.orphan_answers} answers of no loaded submission")
        return found


def reconcile(con: duckdb.DuckDBPyConnection) -> list[FileReconciliation]:
    """One reconciliation per current file (and per stray file hash holding submissions)."""
    return [FileReconciliation(*row) for row in con.execute(RECONCILIATION_SQL).fetchall()]
