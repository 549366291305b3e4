"""Read a landed CSV or XLSX export into a grid of cells, whatever rows sit above its header.

Reading knows nothing about form versions: it finds the header row (the first row whose cells
include several known headers), keeps every later row with the row number a person would see
in Excel, and leaves cells as text, or as real datetimes where an XLSX cell holds one.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from orchestration.ingest.normalise import normalise

HEADER_SEARCH_ROWS = 30
MIN_KNOWN_HEADERS = 3


class UnreadableFileError(ValueError):
    """The file cannot be read as an audit export; `str()` says which file and why."""

    def __init__(self, source_file: str, reason: str) -> None:
        super().__init__(f"{source_file}: {reason}")
        self.source_file = source_file
        self.reason = reason


@dataclass(frozen=True)
class CellGrid:
    """The export's header and data rows, as read."""

    file_format: str  # csv | xlsx
    encoding: str | None
    sheet_name: str | None
    header_row: int  # 1-based, as a spreadsheet shows it
    headers: list[str]
    cells: pd.DataFrame  # one column per header position; str, datetime or None
    source_rows: pd.Series  # 1-based row number of each data row in the file


def _decode(data: bytes, source_file: str) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise UnreadableFileError(source_file, "is binary, not a CSV text file")
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(
            b"\xef\xbb\xbf"
        ) else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            source_file, f"is neither UTF-8 nor Windows-1252 text (byte {error.start})"
        ) from error


def _find_header(rows: Iterable[Sequence[object]], known: frozenset[str]) -> int | None:
    for index, row in enumerate(rows):
        if index >= HEADER_SEARCH_ROWS:
            break
        if sum(normalise(cell) in known for cell in row) >= MIN_KNOWN_HEADERS:
            return index
    return None


def _grid(
    rows: list[list[object]],
    header_index: int,
    row_numbers: list[int],
    **info: object,
) -> CellGrid:
    headers = ["" if cell is None else str(cell).strip() for cell in rows[header_index]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    data, numbers, overlong = [], [], []
    for row, number in zip(rows[header_index + 1 :], row_numbers[header_index + 1 :], strict=True):
        values = [None if cell == "" else cell for cell in row]
        if all(v is None for v in values):
            continue  # a blank line between or after records is not a record
        if any(v is not None for v in values[width:]):
            overlong.append(number)
        data.append((values + [None] * width)[:width])
        numbers.append(number)
    if overlong:
        raise _overlong_error(info["source_file"], overlong, width)
    cells = pd.DataFrame(data, columns=range(width), dtype=object)
    return CellGrid(
        file_format=str(info["file_format"]),
        encoding=info.get("encoding"),  # type: ignore[arg-type]
        sheet_name=info.get("sheet_name"),  # type: ignore[arg-type]
        header_row=row_numbers[header_index],
        headers=headers,
        cells=cells,
        source_rows=pd.Series(numbers, dtype="int64"),
    )


def _overlong_error(source_file: object, rows: list[int], width: int) -> UnreadableFileError:
    shown = ", ".join(str(n) for n in rows[:5]) + (" ..." if len(rows) > 5 else "")
    return UnreadableFileError(
        str(source_file),
        f"row(s) {shown} hold values beyond the {width} header columns",
    )


def read_csv(data: bytes, source_file: str, known_headers: frozenset[str]) -> CellGrid:
    """Read CSV bytes: UTF-8 (with or without BOM) or Windows-1252, any line ending."""
    text, encoding = _decode(data, source_file)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[object]] = []
    numbers: list[int] = []
    try:
        for record in reader:
            rows.append([cell.strip() for cell in record])
            numbers.append(len(numbers) + 1)
    except csv.Error as error:
        raise UnreadableFileError(
            source_file, f"is not valid CSV at line {reader.line_num}: {error}"
        ) from error
    header_index = _find_header(rows, known_headers)
    if header_index is None:
        raise _no_header_error(source_file, rows)
    return _grid(
        rows,
        header_index,
        numbers,
        source_file=source_file,
        file_format="csv",
        encoding=encoding,
    )


def _xlsx_cell(value: object) -> object:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def read_xlsx(path: Path, source_file: str, known_headers: frozenset[str]) -> CellGrid:
    """Read the sheet of an XLSX workbook that holds the export (the first with a header row)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise UnreadableFileError(
            source_file, f"is not a readable XLSX workbook ({error})"
        ) from error
    try:
        for sheet in workbook.worksheets:
            # Read-only mode stops at the used range the file declares, which some export
            # tools write wrongly: read every row and column actually present instead.
            sheet.reset_dimensions()
            rows = [[_xlsx_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            header_index = _find_header(rows, known_headers)
            if header_index is not None:
                return _grid(
                    rows,
                    header_index,
                    list(range(1, len(rows) + 1)),
                    source_file=source_file,
                    file_format="xlsx",
                    sheet_name=sheet.title,
                )
    finally:
        workbook.close()
    raise UnreadableFileError(
        source_file, "has no sheet with a header row of Care Plan Audit questions"
    )


def _no_header_error(source_file: str, rows: list[list[object]]) -> UnreadableFileError:
    if not rows:
        return UnreadableFileError(source_file, "is empty")
    return UnreadableFileError(
        source_file,
        f"has no header row of Care Plan Audit questions in its first {HEADER_SEARCH_ROWS} rows",
    )


def read_cells(path: Path, source_file: str, known_headers: frozenset[str]) -> CellGrid:
    """Read an export by its file type."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path.read_bytes(), source_file, known_headers)
    if suffix == ".xlsx":
        return read_xlsx(path, source_file, known_headers)
    raise UnreadableFileError(source_file, f"has type {suffix or '(none)'}; expected .csv or .xlsx")
