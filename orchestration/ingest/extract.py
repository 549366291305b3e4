"""Parse one landed export into the rows raw tables hold, and the findings about it.

Nothing in a file is dropped silently: each data row is either a submission (with one answer
row per question on its form version) or rejected with a finding that names the row, column
and reason. Personal data is handled here, before anything is stored: `pii: identifier`
columns are replaced by keyed pseudonyms and `pii: drop` columns are never read.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from orchestration.catalogue import FormCatalogue, Question
from orchestration.ingest.pseudonymise import Pseudonymiser
from orchestration.ingest.read import CellGrid, UnreadableFileError, read_cells
from orchestration.ingest.recognise import (
    FormMatch,
    UnrecognisedFormError,
    known_header_keys,
    recognise_form,
)
from orchestration.ingest.values import AnswerResolver, parse_datetimes

FINDING_COLUMNS = [
    "source_row",
    "column_header",
    "question_id",
    "offending_value",
    "severity",
    "reason",
]
ANSWER_COLUMNS = ["source_row", "question_id", "answer_code", "answer_text", "answer_status"]


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
    submissions: pd.DataFrame  # source_row + one column per stored audit-detail question
    answers: pd.DataFrame  # ANSWER_COLUMNS
    findings: pd.DataFrame  # FINDING_COLUMNS

    @property
    def rows_loaded(self) -> int:
        return len(self.submissions)

    @property
    def rows_rejected(self) -> int:
        return self.rows_read - self.rows_loaded


def stored_detail_questions(catalogue: FormCatalogue) -> list[Question]:
    """Audit-detail questions kept as columns of raw.audit_submissions (never `pii: drop`)."""
    return [q for q in catalogue.questions if not q.is_choice and q.pii != "drop"]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Findings:
    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def add(
        self,
        rows: pd.Series,
        header: str,
        question: str | None,
        values: pd.Series,
        severity: str,
        reasons: pd.Series | str,
    ) -> None:
        if rows.empty:
            return
        frame = pd.DataFrame(
            {
                "source_row": rows.to_numpy(),
                "column_header": header,
                "question_id": question,
                "offending_value": values.astype("string").to_numpy(),
                "severity": severity,
                "reason": reasons.to_numpy() if isinstance(reasons, pd.Series) else reasons,
            }
        )
        self.rows.extend(frame.to_dict("records"))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=FINDING_COLUMNS)


def _detail_column(
    question: Question,
    header: str,
    cells: pd.Series,
    grid: CellGrid,
    pseudonymiser: Pseudonymiser,
    findings: _Findings,
) -> tuple[pd.Series, pd.Series]:
    """Type one audit-detail column, recording invalid and missing values. Returns the values
    and which rows the column makes unusable (a required value blank or invalid)."""
    blank = cells.isna()
    rejects = pd.Series(False, index=cells.index)
    shown = pseudonymiser.column(cells) if question.pii == "identifier" else cells
    if question.question_type in ("date", "datetime"):
        values, invalid = parse_datetimes(cells)
        if question.question_type == "date":
            values = values.dt.normalize()
        expected = "a date" if question.question_type == "date" else "a date and time"
        reason = (
            f'"{header}" is not {expected} in a recognised form (day first, e.g. 15/08/2022'
            + (" 10:32" if question.question_type == "datetime" else "")
            + ", or ISO); an impossible date is never guessed"
        )
        severity = "rejected_row" if question.is_required else "warning"
        findings.add(
            grid.source_rows[invalid],
            header,
            question.question_id,
            shown[invalid],
            severity,
            reason + ("; the row is rejected" if question.is_required else ""),
        )
        if question.is_required:
            rejects = rejects | invalid
    elif question.pii == "identifier":
        values = shown
    else:
        values = cells.astype("string").astype("object")
    if question.is_required:
        findings.add(
            grid.source_rows[blank],
            header,
            question.question_id,
            cells[blank],
            "rejected_row",
            f'"{header}" is blank: the audit cannot be identified without it; the row is rejected',
        )
        rejects = rejects | blank
    return values, rejects


def _answers(
    catalogue: FormCatalogue,
    match: FormMatch,
    grid: CellGrid,
    findings: _Findings,
) -> pd.DataFrame:
    frames = []
    for position, question in match.columns.items():
        if not question.is_choice:
            continue
        resolver = AnswerResolver(catalogue, question, match.form_version)
        frame = resolver.resolve_column(grid.cells[position])
        frame["question_id"] = question.question_id
        bad = frame[frame["answer_status"] == "unrecognised"].drop_duplicates("row_position")
        findings.add(
            grid.source_rows.iloc[bad["row_position"]].reset_index(drop=True),
            grid.headers[position],
            question.question_id,
            bad["answer_text"].reset_index(drop=True),
            "missing_answer",
            bad["problem"].reset_index(drop=True),
        )
        frames.append(frame)
    for question in match.missing:
        if question.is_choice:  # the column is absent: every audit's answer is missing
            frames.append(
                pd.DataFrame(
                    {
                        "row_position": range(len(grid.cells)),
                        "question_id": question.question_id,
                        "answer_code": None,
                        "answer_text": None,
                        "answer_status": "blank",
                    }
                )
            )
    answers = pd.concat(frames, ignore_index=True)
    answers["source_row"] = grid.source_rows.to_numpy()[answers["row_position"].to_numpy()]
    return answers


def parse_extract(
    path: Path,
    source_file: str,
    catalogue: FormCatalogue,
    pseudonymiser: Pseudonymiser,
) -> ParsedExtract:
    """Read, recognise and normalise one export. Raises UnreadableFileError for a file that
    cannot be loaded at all."""
    grid = read_cells(path, source_file, known_header_keys(catalogue))
    try:
        match = recognise_form(grid.headers, catalogue)
    except UnrecognisedFormError as error:
        raise UnreadableFileError(source_file, str(error)) from error
    if grid.cells.empty:
        raise UnreadableFileError(source_file, "has a header row but no audit rows")

    findings = _Findings()
    for header in match.unknown_headers:
        findings.add(
            pd.Series([grid.header_row]),
            header,
            None,
            pd.Series([header]),
            "warning",
            "column matches no question on the form version; it is ignored",
        )
    for question in match.missing:
        header = question.header_for(match.form_version)
        findings.add(
            pd.Series([grid.header_row]),
            header,
            question.question_id,
            pd.Series([None]),
            "warning",
            f"column is missing from this {match.form_version}-form file; "
            "its answers are treated as missing",
        )

    rejected = pd.Series(False, index=grid.cells.index)
    by_question = {q.question_id: p for p, q in match.columns.items()}
    submissions = pd.DataFrame({"source_row": grid.source_rows})
    for question in stored_detail_questions(catalogue):
        position = by_question.get(question.question_id)
        if position is None:
            submissions[question.question_id] = None
            continue
        values, rejects = _detail_column(
            question, grid.headers[position], grid.cells[position], grid, pseudonymiser, findings
        )
        submissions[question.question_id] = values
        rejected = rejected | rejects
    answers = _answers(catalogue, match, grid, findings)
    kept_rows = set(grid.source_rows[~rejected])
    return ParsedExtract(
        source_file=source_file,
        file_sha256=file_sha256(path),
        form_version=match.form_version,
        file_format=grid.file_format,
        encoding=grid.encoding,
        sheet_name=grid.sheet_name,
        header_row=grid.header_row,
        rows_read=len(grid.cells),
        submissions=submissions[~rejected].reset_index(drop=True),
        answers=answers[answers["source_row"].isin(kept_rows)][ANSWER_COLUMNS].reset_index(
            drop=True
        ),
        findings=findings.frame(),
    )
