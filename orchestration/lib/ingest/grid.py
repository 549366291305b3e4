"""The grid of cells every reader produces, and what readers share: finding the header row and
cleaning cells.

A grid knows nothing about form versions: it holds the header row's cells and every later row
with the row number a person would see in Excel, cells as stripped text (None when blank) or
real datetimes where an XLSX cell holds one. Cleaning is done per distinct value of a column,
not per cell: an export has many rows but few distinct values in most columns.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.ingest.normalise import normalise

HEADER_SEARCH_ROWS = 30
MIN_KNOWN_HEADERS = 3
# The most characters a spreadsheet cell holds (Excel's limit): a longer value cannot have come
# from a spreadsheet or a form tool's export, so its row is rejected whole.
MAX_CELL_CHARACTERS = 32_767


@dataclass(frozen=True)
class GridWarning:
    """Something a reader noticed about one cell, row or the whole file (row and column None)
    that is worth a finding but does not reject anything. Never quotes a cell."""

    source_row: int | None
    column: int | None  # column position
    reason: str


@dataclass(frozen=True)
class Column:
    """One column, factorised: each row's code indexes `values`, the column's distinct values
    (cleaned; values[0] is None, for blank cells). Work on a column is done once per distinct
    value and spread to the rows with `values[codes]`."""

    codes: np.ndarray
    values: np.ndarray

    def cells(self) -> np.ndarray:
        return self.values[self.codes]

    def where(self, rows: np.ndarray) -> "Column":
        return Column(self.codes[rows], self.values)


@dataclass(frozen=True)
class CellGrid:
    """The export's header and data rows, as read."""

    file_format: str  # csv | xlsx
    encoding: str | None
    sheet_name: str | None  # XLSX: "sheet 2", or the configured name (workbook.sheet_label)
    header_row: int  # 1-based, as a spreadsheet shows it
    headers: list[str]  # one per column position; "" where the header cell is blank
    columns: list[Column]  # per column position
    source_rows: np.ndarray  # 1-based row number of each data row in the file
    overlong_rows: np.ndarray  # bool per data row: values beyond the header's fields (CSV)
    oversized_rows: np.ndarray  # bool per data row: a cell over MAX_CELL_CHARACTERS
    warnings: tuple[GridWarning, ...] = ()

    @property
    def row_count(self) -> int:
        return len(self.source_rows)

    @property
    def cells(self) -> list[np.ndarray]:
        """Each column's cells: str, datetime or None per data row."""
        return [column.cells() for column in self.columns]


def is_header_row(row: Iterable[object], known_headers: frozenset[str]) -> bool:
    return sum(normalise(cell) in known_headers for cell in row) >= MIN_KNOWN_HEADERS


def find_header(rows: Sequence[Sequence[object]], known_headers: frozenset[str]) -> int | None:
    """Index of the header row among the first rows, or None."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if is_header_row(row, known_headers):
            return index
    return None


def _clean(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an XLSX number 1234567.0 is the case number "1234567"
    text = _storable(str(value)).strip()
    return text or None


def _storable(text: str) -> str:
    """Text any database or log can store: a lone surrogate (which an XLSX can smuggle in as
    an escape such as _xD800_) is not UTF-8 and becomes U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _clean_texts(texts: np.ndarray) -> np.ndarray:
    """Strip distinct text values in bulk (Arrow compute), touching in Python only those that
    change: most exported cells have no surrounding white space."""
    values = pa.array(texts, type=pa.string())
    stripped = pc.utf8_trim_whitespace(values)
    cleaned = texts.copy()
    unclean = pc.or_(pc.not_equal(values, stripped), pc.equal(stripped, ""))
    for index in np.flatnonzero(unclean.to_numpy(zero_copy_only=False)):
        cleaned[index] = stripped[int(index)].as_py() or None
    return cleaned


def factorise(values: np.ndarray) -> Column:
    """A column of raw cells, factorised and cleaned: stripped text (None when blank),
    datetimes kept, one conversion per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cleaned = np.empty(len(uniques) + 1, dtype=object)
    try:
        cleaned[1:] = _clean_texts(uniques)
    except (pa.ArrowTypeError, pa.ArrowInvalid, UnicodeEncodeError):  # datetimes, numbers
        cleaned[1:] = [_clean(value) for value in uniques]
    return Column(codes + 1, cleaned)


def _oversized(column: Column) -> np.ndarray:
    """Rows whose cell in this column is longer than a spreadsheet cell can be."""
    try:  # text columns, in bulk
        lengths = pc.utf8_length(pa.array(column.values, type=pa.string()))
        too_long = pc.fill_null(pc.greater(lengths, MAX_CELL_CHARACTERS), False).to_numpy(
            zero_copy_only=False
        )
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # XLSX cells: datetimes among the text
        too_long = np.array(
            [isinstance(v, str) and len(v) > MAX_CELL_CHARACTERS for v in column.values],
            dtype=bool,
        )
    return too_long[column.codes]


def _filled(column: Column) -> np.ndarray:
    return pd.notna(column.values)[column.codes]


def build_grid(
    headers: list[object],
    columns: list[np.ndarray],
    overlong: np.ndarray | None,
    row_numbers: np.ndarray,
    *,
    file_format: str,
    header_row: int,
    encoding: str | None = None,
    sheet_name: str | None = None,
    warnings: tuple[GridWarning, ...] = (),
) -> CellGrid:
    """A grid from raw columns (one row number per record): cells cleaned, blank lines dropped
    (a blank line between or after records is not a record), rows with values beyond the
    header's fields (`overlong`) or a cell longer than a spreadsheet's flagged."""
    count = len(row_numbers)
    factorised = [factorise(column) for column in columns]
    present = np.zeros(count, dtype=bool)
    oversized = np.zeros(count, dtype=bool)
    for column in factorised:
        present |= _filled(column)
        oversized |= _oversized(column)
    overlong = np.zeros(count, dtype=bool) if overlong is None else overlong
    keep = present | overlong
    return CellGrid(
        file_format=file_format,
        encoding=encoding,
        sheet_name=sheet_name,
        header_row=header_row,
        headers=["" if h is None else _storable(str(h)).strip() for h in headers],
        columns=[column.where(keep) for column in factorised],
        source_rows=np.asarray(row_numbers, dtype=np.int64)[keep],
        overlong_rows=overlong[keep],
        oversized_rows=oversized[keep],
        warnings=warnings,
    )
