"""Bring a warehouse built by an earlier careaudit under the rule that no free text is stored.

Earlier versions kept what people typed: every answer cell's text (raw.audit_answers.
answer_text), the district and the response number as typed, sheet names, and findings that
quoted cells. A name typed in any of them stayed in the warehouse. The first batch run by this
version (the old answer_text column is still there) removes all of it, inside the batch's one
transaction: answer texts are dropped, a district becomes its reference code (or not
recorded), response numbers and sheet names are cleared, and a finding shows its column
header, its value and any quoted value in its reason as shown.py allows. Only the district
breakdown can change: a district that was not one of the authority's becomes "Not recorded".
"""

import re

import duckdb
import pandas as pd

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest.normalise import normalise
from orchestration.lib.ingest.shown import is_safe, quoted, shown

_QUOTED = re.compile(r'"([^"]*)"')
# What careaudit's own refusal messages quote besides the catalogue's text.
_MESSAGE_PHRASES = frozenset(
    normalise(phrase)
    for phrase in (
        "CSV UTF-8 (Comma delimited)",
        "CSV (Comma delimited)",
        "Excel Workbook (.xlsx)",
        "Unicode Text",
    )
)


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? and column_name = ?",
        [table, column],
    ).fetchone()
    return bool(found and found[0])


def _recode(con: duckdb.DuckDBPyConnection, table: str, column: str, mapping: pd.DataFrame) -> None:
    """Set `column` of raw.<table> to mapping.new where it equals mapping.old (and la_code
    matches, when the mapping has one). Names come from the catalogue, never from a file."""
    con.register("recoded", mapping)
    try:
        authority = " and t.la_code = recoded.la_code" if "la_code" in mapping else ""
        con.execute(
            f'update raw.{table} as t set "{column}" = recoded.new from recoded '
            f'where t."{column}" = recoded.old{authority}'
        )
    finally:
        con.unregister("recoded")


def _safe_reason(reason: str, known: frozenset[str]) -> str:
    """A reason with every quoted value that is not the catalogue's text shown by its shape."""
    return _QUOTED.sub(
        lambda m: m.group(0) if is_safe(m.group(1), known) else quoted(m.group(1), known), reason
    )


def forget_free_text(con: duckdb.DuckDBPyConnection, catalogue: FormCatalogue) -> bool:
    """Remove the free text an earlier version stored; True when there was any to remove."""
    if not _has_column(con, "audit_answers", "answer_text"):
        return False
    known = catalogue.known_texts | _MESSAGE_PHRASES
    con.execute("alter table raw.audit_answers drop column answer_text")
    for question in catalogue.questions:
        if not question.reference:
            continue
        reference = catalogue.references[question.reference]
        stored = con.execute(
            f'select distinct la_code, "{question.question_id}" from raw.audit_submissions '
            f'where "{question.question_id}" is not null'
        ).fetchall()
        mapping = pd.DataFrame(
            [(la, old, reference.lookup(la).get(normalise(old))) for la, old in stored],
            columns=["la_code", "old", "new"],
            dtype=object,
        )
        _recode(con, "audit_submissions", question.question_id, mapping)
    for question in catalogue.questions:
        if question.pii == "identifier" and question.question_type == "id":
            con.execute(f'update raw.audit_submissions set "{question.question_id}" = null')
    con.execute("update raw.landed_files set sheet_name = null")
    for column, show in (
        ("column_header", lambda v: shown(v, known)),
        ("offending_value", lambda v: shown(v, known)),
        ("reason", lambda v: _safe_reason(v, known)),
    ):
        values = [
            row[0]
            for row in con.execute(
                f"select distinct {column} from raw.ingest_findings where {column} is not null"
            ).fetchall()
        ]
        mapping = pd.DataFrame({"old": values, "new": [show(v) for v in values]}, dtype=object)
        _recode(con, "ingest_findings", column, mapping[mapping["old"] != mapping["new"]])
    return True
