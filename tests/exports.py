"""Build Care Plan Audit exports for tests, from the form catalogue: the one builder that unit,
bad-input and end-to-end tests share.

An audit is a dict {question_id: cell}; a file is one header row (each question's header on the
form version) and one row per audit, optionally under title rows, as CSV or XLSX. `audit()`
leaves every cell not given blank (for tests about single cells); `answered_audit()` answers
every question consistently (for tests whose audits go all the way through to metrics).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import openpyxl

from orchestration.lib.catalogue import load_catalogue

Audit = dict[str, object]

CATALOGUE = load_catalogue()

# What every audit must carry to be loaded: the child, the review and the completion time.
REQUIRED = {
    "child_id": "ICS0001",
    "review_date": "15/08/2022",
    "completed_at": "16/08/2022 10:32",
}


def audit(**cells: object) -> Audit:
    """A loadable audit: the required fields filled in, then the given cells."""
    return {**REQUIRED, **cells}


def excel_typed_audit() -> Audit:
    """The audit of the default one (ICS number 1234567) as Excel stores it: the ICS number a
    number, the review date and completion time real dates."""
    return audit(
        child_id=1234567,
        review_date=datetime(2022, 8, 15),
        completed_at=datetime(2022, 8, 16, 10, 32),
    )


def answered_audit(
    version: str, number: int, completed: str = "15/08/2023 10:30", **cells: object
) -> Audit:
    """A complete audit on a form version: every question answered with the first option its
    version offers (which satisfies every skip rule), a child and review of its own (by
    `number`), so a test states only the answers it is about."""
    identity = {
        "response_id": str(number),
        "started_at": completed,
        "completed_at": completed,
        "iro_email": f"iro{number % 3}@example.org",
        "iro_name": "Sam Example",
        "child_id": f"{9000000 + number}",
        "child_name": "Alex Example",
        "review_date": completed.split(" ")[0],
        "district": "Hart",
    }
    answers = {
        q.question_id: CATALOGUE.options_on(q, version)[0].label
        for q in CATALOGUE.questions_on(version)
        if q.is_choice
    }
    return {**identity, **answers, **cells}


def headers_of(version: str) -> list[str]:
    """The column headers an export of this form version carries, in form order."""
    return [q.header_for(version) for q in CATALOGUE.questions_on(version)]


def export_table(
    audits: Iterable[Audit],
    version: str = "2022",
    *,
    rename: dict[str, str] | None = None,
    omit: Iterable[str] = (),
    extra: dict[str, object] | None = None,
) -> list[list[object]]:
    """Header row then one row per audit. `rename` replaces a question's header, `omit` leaves
    questions out, `extra` adds columns (header -> the same cell on every row)."""
    rename, extra, omitted = rename or {}, extra or {}, set(omit)
    questions = [q for q in CATALOGUE.questions_on(version) if q.question_id not in omitted]
    on_form = {q.question_id for q in CATALOGUE.questions_on(version)}
    table: list[list[object]] = [
        [rename.get(q.question_id, q.header_for(version)) for q in questions] + list(extra)
    ]
    for row in audits:
        unknown = set(row) - on_form
        assert not unknown, f"not questions on the {version} form: {sorted(unknown)}"
        table.append([row.get(q.question_id, "") for q in questions] + list(extra.values()))
    return table


def csv_bytes(
    table: Sequence[Sequence[object]],
    *,
    title_rows: Sequence[Sequence[object]] = (),
    encoding: str = "utf-8",
    line_ending: str = "\n",
) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator=line_ending)
    writer.writerows([*title_rows, *table])
    return text.getvalue().encode(encoding)


def write_xlsx(
    path: Path,
    table: Sequence[Sequence[object]],
    *,
    title_rows: Sequence[Sequence[object]] = (),
    notes_sheet_first: bool = False,
) -> Path:
    """One workbook; with `notes_sheet_first`, the export is on a second sheet after notes."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if notes_sheet_first:
        sheet.title = "Notes"
        sheet.append(["About this export"])
        sheet.append(["Exported from the Care Plan Audit form. ID, Name and Email are included."])
        sheet = workbook.create_sheet("Export")
    else:
        sheet.title = "Export"
    for row in [*title_rows, *table]:
        sheet.append([None if cell == "" else cell for cell in row])
    workbook.save(path)
    return path


def write_export(
    path: Path,
    audits: Iterable[Audit],
    version: str = "2022",
    *,
    title_rows: Sequence[Sequence[object]] = (),
    encoding: str = "utf-8",
    line_ending: str = "\n",
    notes_sheet_first: bool = False,
    **columns: object,
) -> Path:
    """Write an export of these audits as CSV or XLSX, by the path's suffix."""
    table = export_table(audits, version, **columns)  # type: ignore[arg-type]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        return write_xlsx(path, table, title_rows=title_rows, notes_sheet_first=notes_sheet_first)
    path.write_bytes(
        csv_bytes(table, title_rows=title_rows, encoding=encoding, line_ending=line_ending)
    )
    return path
