"""Parse one landed export into the rows raw tables hold, and the findings about it.

Nothing in a file is dropped silently: each data row is either a submission (with one answer
row per question on its form version) or rejected with a finding that names the row, column
and reason; a column that is ignored is reported too. Personal data is handled here, before
anything is stored: `pii: identifier` columns are replaced by keyed pseudonyms, `pii: drop`
columns are never read, a field checked against reference data (district) keeps only a
recognised code, and a finding shows a cell only as shown.py allows (else by its shape).
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.lib.catalogue import FormCatalogue, Question, Reference
from orchestration.lib.ingest.answers import (
    ANSWER_SCHEMA,
    absent_column,
    resolve_column,
    resolvers,
)
from orchestration.lib.ingest.grid import MAX_CELL_CHARACTERS, CellGrid, Column
from orchestration.lib.ingest.normalise import normalise
from orchestration.lib.ingest.pseudonymise import Pseudonymiser
from orchestration.lib.ingest.read import read_cells
from orchestration.lib.ingest.recognise import (
    FormMatch,
    column_name,
    known_header_keys,
    recognise_form,
)
from orchestration.lib.ingest.refusal import RefusedFileError
from orchestration.lib.ingest.shown import PLACEHOLDERS, as_text, shown
from orchestration.lib.ingest.values import NOT_A_TIME, parse_distinct_datetimes
from orchestration.settings import DEFAULT_MAX_FILE_MB

FINDING_COLUMNS = [
    "source_row",
    "column_header",
    "question_id",
    "offending_value",
    "severity",
    "reason",
]
# No audit on these forms predates them: an earlier date is a mistyped year.
EARLIEST_PLAUSIBLE = np.datetime64("2000-01-01", "us")
# Cells of an identifier column that stand for "no identifier". They are shown as they are in
# findings (they identify nobody); a real identifier is never shown, only stored pseudonymised.
NOT_AN_IDENTIFIER = PLACEHOLDERS | {""}


@dataclass(frozen=True)
class ParsedExtract:
    source_file: str
    file_sha256: str
    form_version: str
    file_format: str
    encoding: str | None
    sheet_name: str | None
    header_row: int
    rows_read: int
    rows_rejected: int
    submissions: pd.DataFrame  # source_row + one column per stored audit-detail question
    answers: pa.Table  # answers.ANSWER_SCHEMA
    findings: pd.DataFrame  # FINDING_COLUMNS

    @property
    def rows_loaded(self) -> int:
        return len(self.submissions)


def stored_detail_questions(catalogue: FormCatalogue) -> list[Question]:
    """Audit-detail questions kept as columns of raw.audit_submissions (never `pii: drop`)."""
    return [q for q in catalogue.questions if not q.is_choice and q.pii != "drop"]


class _Findings:
    """A file's findings. Values are shown as shown.py allows, never copied. A row rejected for
    its shape (values beyond the header) has that one finding only: its later fields are
    shifted, so what they would say about each column is noise, and may quote a name that
    slid into a date column. Findings are gathered column by column and built into one frame
    at the end: a frame per call made a file of 20,000 unknown columns take half a minute."""

    def __init__(self, known: frozenset[str], shifted_rows: np.ndarray) -> None:
        self.known = known
        self.shifted_rows = shifted_rows
        self.columns: dict[str, list[np.ndarray]] = {name: [] for name in FINDING_COLUMNS}

    def add(
        self,
        rows: np.ndarray | list[int | None],
        header: str | None,
        question: str | None,
        values: np.ndarray | None,
        severity: str,
        reasons: np.ndarray | str,
        *,
        values_shown: bool = False,
    ) -> None:
        """Record findings on these rows; `values` are the cells, shown as shown.py allows
        (`values_shown`: already rendered so)."""
        rows = np.asarray(rows, dtype=object)
        if header is not None or question is not None:
            keep = ~np.isin(rows, self.shifted_rows)
            rows = rows[keep]
            values = None if values is None else np.asarray(values, dtype=object)[keep]
            if not isinstance(reasons, str):
                reasons = np.asarray(reasons, dtype=object)[keep]
        count = len(rows)
        if count == 0:
            return

        def repeated(value: object) -> np.ndarray:
            return np.full(count, value, dtype=object)

        if values is None:
            offending = repeated(None)
        elif values_shown:
            offending = np.asarray(values, dtype=object)
        else:
            offending = np.array([shown(v, self.known) for v in values], dtype=object)
        self.columns["source_row"].append(rows)
        self.columns["column_header"].append(repeated(header))
        self.columns["question_id"].append(repeated(question))
        self.columns["offending_value"].append(offending)
        self.columns["severity"].append(repeated(severity))
        self.columns["reason"].append(
            repeated(reasons) if isinstance(reasons, str) else np.asarray(reasons, dtype=object)
        )

    def on_values(
        self,
        flagged: np.ndarray,
        column: Column,
        grid: CellGrid,
        header: str,
        question: Question,
        severity: str,
        reason: str,
    ) -> None:
        """Record a finding on every row whose cell is one of the column's distinct values
        `flagged` marks (a column is checked once per distinct value, not per row)."""
        rows = flagged[column.codes]
        self.add(
            grid.source_rows[rows],
            header,
            question.question_id,
            column.values[column.codes[rows]],
            severity,
            reason,
        )

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                name: np.concatenate(parts) if parts else np.array([], dtype=object)
                for name, parts in self.columns.items()
            },
            columns=FINDING_COLUMNS,
        )
        return frame.astype({"source_row": "Int64"})


def _column_notes(grid: CellGrid, match: FormMatch, findings: _Findings) -> None:
    """File- and column-level findings: encoding, unknown, unheaded and absent columns."""
    if grid.encoding == "cp1252":
        findings.add(
            [None],
            None,
            None,
            None,
            "warning",
            "the file is Windows-1252 text, not UTF-8: it was read as Windows-1252 (what Excel "
            'saves as "CSV (Comma delimited)"); check that accented letters look right',
        )
    for warning in grid.warnings:
        header = grid.headers[warning.column] if warning.column is not None else ""
        shown_header = shown(header, findings.known) if header else None
        findings.add([warning.source_row], shown_header, None, None, "warning", warning.reason)
    at_header = np.array([grid.header_row])
    for position, header in match.unknown.items():
        findings.add(
            at_header,
            shown(header, findings.known),
            None,
            None,
            "warning",
            f"column {column_name(position)} matches no question of the {match.form_version} "
            "form; it is ignored",
        )
    for position, header in enumerate(grid.headers):
        column = grid.columns[position]
        filled = 0 if header else int(pd.notna(column.values)[column.codes].sum())
        if filled:
            findings.add(
                at_header,
                None,
                None,
                None,
                "warning",
                f"column {column_name(position)} has no header but holds values in {filled} "
                "row(s); they are ignored",
            )
    for question in match.missing:
        findings.add(
            at_header,
            question.header_for(match.form_version),
            question.question_id,
            None,
            "warning",
            f"column is missing from this {match.form_version}-form file; "
            "its answers are treated as missing",
        )


def _unusable(question: Question) -> tuple[str, str]:
    """The severity and the outcome of a value that cannot be used: a required one rejects its
    row, an optional one is treated as blank."""
    if question.is_required:
        return "rejected_row", "; the row is rejected"
    return "warning", "; it is treated as blank"


def _dates(
    question: Question,
    header: str,
    column: Column,
    grid: CellGrid,
    latest: np.datetime64,
    findings: _Findings,
) -> tuple[np.ndarray, np.ndarray]:
    parsed, not_a_date = parse_distinct_datetimes(column.values)
    if question.question_type == "date":
        parsed = parsed.astype("datetime64[D]").astype("datetime64[us]")
    known = ~np.isnat(parsed)
    too_early = known & (parsed < EARLIEST_PLAUSIBLE)
    too_late = known & (parsed > latest)
    expected = "a date" if question.question_type == "date" else "a date and time"
    severity, outcome = _unusable(question)
    example = "15/08/2022" + (" 10:32" if question.question_type == "datetime" else "")
    for flagged, reason in (
        (
            not_a_date,
            f'"{header}" is not {expected} in a recognised form (day first, e.g. {example}, or '
            "ISO); an impossible date is never guessed",
        ),
        (too_early, f'"{header}" is before 2000, which no audit is (a mistyped year?)'),
        (too_late, f'"{header}" is after the day the file was loaded (a mistyped year?)'),
    ):
        findings.on_values(flagged, column, grid, header, question, severity, reason + outcome)
    unusable = not_a_date | too_early | too_late
    return np.where(unusable, NOT_A_TIME, parsed)[column.codes], unusable[column.codes]


def _identifiers(
    question: Question,
    header: str,
    column: Column,
    grid: CellGrid,
    pseudonymiser: Pseudonymiser,
    findings: _Findings,
) -> tuple[np.ndarray, np.ndarray]:
    pseudonyms, is_placeholder = pseudonymiser.distinct(column.values, NOT_AN_IDENTIFIER)
    severity, outcome = _unusable(question)
    reason = f'"{header}" holds a placeholder, not an identifier' + outcome
    findings.on_values(is_placeholder, column, grid, header, question, severity, reason)
    return pseudonyms[column.codes], is_placeholder[column.codes]


def _texts(column: Column) -> np.ndarray:
    """A text column: any XLSX datetime or number written as text."""
    if pd.api.types.infer_dtype(column.values, skipna=True) in ("string", "empty"):
        return column.cells()
    return np.array([as_text(value) for value in column.values], dtype=object)[column.codes]


def _referenced(
    question: Question,
    reference: Reference,
    la_code: str,
    header: str,
    column: Column,
    grid: CellGrid,
    findings: _Findings,
) -> np.ndarray:
    """A column checked against reference data: each cell's code for the file's authority, or
    None (not recorded) with a finding when it matches none. Only a code is ever stored, so
    nothing typed in the cell can become a label, filter item or breakdown."""
    items = reference.of(la_code)
    if not items:
        findings.add(
            [grid.header_row],
            header,
            question.question_id,
            None,
            "warning",
            f"{reference.path} lists no {reference.name} for {la_code}, so every value of "
            f'"{header}" is counted as not recorded: add the authority\'s {reference.name} there',
        )
        return np.full(grid.row_count, None, dtype=object)
    lookup = reference.lookup(la_code)
    codes = np.array(
        [lookup.get(normalise(as_text(value))) for value in column.values], dtype=object
    )
    unknown = pd.notna(column.values) & pd.isna(codes)
    offered = ", ".join(f'"{item.label}"' for item in items)
    reason = (
        f'"{header}" is not one of the {reference.name} {reference.path} lists for {la_code} '
        f'(it lists {offered}); the audit is counted under "Not recorded"'
    )
    findings.on_values(unknown, column, grid, header, question, "warning", reason)
    return codes[column.codes]


def _detail_column(
    question: Question,
    header: str,
    column: Column,
    grid: CellGrid,
    context: "_Context",
    findings: _Findings,
) -> tuple[np.ndarray, np.ndarray]:
    """Type one audit-detail column, recording invalid and missing values. Returns the values
    and which rows the column makes unusable (a required value blank or invalid)."""
    if question.question_type in ("date", "datetime"):
        values, unusable = _dates(question, header, column, grid, context.latest, findings)
    elif question.pii == "identifier":
        values, unusable = _identifiers(
            question, header, column, grid, context.pseudonymiser, findings
        )
    elif question.reference:
        reference = context.catalogue.references[question.reference]
        values = _referenced(question, reference, context.la_code, header, column, grid, findings)
        unusable = np.zeros(grid.row_count, dtype=bool)
    else:
        values, unusable = _texts(column), np.zeros(grid.row_count, dtype=bool)
    if not question.is_required:
        return values, np.zeros(grid.row_count, dtype=bool)
    blank = pd.isna(column.values)[column.codes]
    findings.add(
        grid.source_rows[blank],
        header,
        question.question_id,
        None,
        "rejected_row",
        f'"{header}" is blank: {question.required_because or "it is required"}; '
        "the row is rejected",
    )
    return values, unusable | blank


def _answers(
    catalogue: FormCatalogue,
    match: FormMatch,
    grid: CellGrid,
    kept: np.ndarray,
    findings: _Findings,
) -> pa.Table:
    source_rows = grid.source_rows[kept]
    by_question = resolvers(catalogue, match.form_version)
    batches = []
    for position, question in match.columns.items():
        if not question.is_choice:
            continue
        batch, unrecognised = resolve_column(
            by_question[question.question_id], grid.columns[position].where(kept), source_rows
        )
        findings.add(
            source_rows[unrecognised.positions],
            grid.headers[position],
            question.question_id,
            unrecognised.shown,
            "missing_answer",
            unrecognised.problems,
            values_shown=True,
        )
        batches.append(batch)
    batches += [absent_column(q, source_rows) for q in match.missing if q.is_choice]
    return pa.Table.from_batches(batches, schema=ANSWER_SCHEMA)


@dataclass(frozen=True)
class _Context:
    """What typing a file's columns needs besides the cells."""

    catalogue: FormCatalogue
    pseudonymiser: Pseudonymiser
    la_code: str  # the authority whose file it is: its reference data applies
    latest: np.datetime64  # the latest plausible date: the day of loading, plus time zones


def parse_extract(
    data: bytes,
    source_file: str,
    suffix: str,
    file_sha256: str,
    catalogue: FormCatalogue,
    pseudonymiser: Pseudonymiser,
    *,
    la_code: str,
    sheet: str | None = None,
    today: date | None = None,
    max_bytes: int = DEFAULT_MAX_FILE_MB * 1_000_000,
) -> ParsedExtract:
    """Read, recognise and normalise one export's bytes, the file of authority `la_code`.
    Raises RefusedFileError, saying why, for a file that cannot be loaded at all."""
    grid = read_cells(
        data, suffix, source_file, known_header_keys(catalogue), sheet, max_bytes=max_bytes
    )
    match = recognise_form(grid.headers, catalogue, source_file)
    if grid.row_count == 0:
        raise RefusedFileError(
            source_file,
            "header_only",
            f"has a header row (row {grid.header_row}, {match.form_version} form) but no "
            "audit rows",
        )
    latest = np.datetime64(today or date.today(), "us") + np.timedelta64(2, "D")
    context = _Context(catalogue, pseudonymiser, la_code, latest)
    shape_rejected = grid.overlong_rows | grid.oversized_rows
    findings = _Findings(catalogue.known_texts, grid.source_rows[shape_rejected])
    _column_notes(grid, match, findings)
    findings.add(
        grid.source_rows[grid.overlong_rows],
        None,
        None,
        None,
        "rejected_row",
        f"the row has values beyond the header's {len(grid.headers)} columns: a value with an "
        "unquoted comma shifts every later answer into the wrong column, so the row is rejected",
    )
    findings.add(
        grid.source_rows[grid.oversized_rows & ~grid.overlong_rows],
        None,
        None,
        None,
        "rejected_row",
        f"the row has a value longer than {MAX_CELL_CHARACTERS:,} characters, more than a "
        "spreadsheet cell holds, so it cannot be an answer typed into the form: the row is "
        "rejected",
    )
    rejected = shape_rejected.copy()
    by_question = {q.question_id: p for p, q in match.columns.items()}
    details: dict[str, np.ndarray] = {"source_row": grid.source_rows}
    for question in stored_detail_questions(catalogue):
        position = by_question.get(question.question_id)
        if position is None:
            details[question.question_id] = np.full(grid.row_count, None, dtype=object)
            continue
        values, unusable = _detail_column(
            question, grid.headers[position], grid.columns[position], grid, context, findings
        )
        details[question.question_id] = values
        rejected |= unusable
    kept = ~rejected
    return ParsedExtract(
        source_file=source_file,
        file_sha256=file_sha256,
        form_version=match.form_version,
        file_format=grid.file_format,
        encoding=grid.encoding,
        sheet_name=grid.sheet_name,
        header_row=grid.header_row,
        rows_read=grid.row_count,
        rows_rejected=int(rejected.sum()),
        submissions=pd.DataFrame({name: column[kept] for name, column in details.items()}),
        answers=_answers(catalogue, match, grid, kept, findings),
        findings=findings.frame(),
    )
