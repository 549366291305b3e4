"""Read an XLSX export: the sheet that holds it (found, or named by CAREAUDIT_EXPORT_SHEET),
title rows above the header, real Excel dates; and refuse, each with its own message, an
encrypted workbook, an old .xls renamed .xlsx, a damaged file, or a workbook with no export.

A sheet's name is a cell like any other (it may be a child's name): messages and the landed-file
record name a sheet by its position, and by its name only when that is the name
CAREAUDIT_EXPORT_SHEET configures."""

import io
import zipfile
from itertools import islice

import numpy as np
import pandas as pd

from orchestration.lib.ingest.grid import (
    HEADER_SEARCH_ROWS,
    CellGrid,
    GridWarning,
    build_grid,
    find_header,
)
from orchestration.lib.ingest.recognise import column_name
from orchestration.lib.ingest.refusal import RefusedFileError
from orchestration.lib.ingest.sniff import (
    OLE2_SIGNATURE,
    ZIP_SIGNATURE,
    is_encrypted_office_file,
    looks_like_text,
)

SHEET_SETTING = "CAREAUDIT_EXPORT_SHEET"
# Columns read beyond the header's last one, to report values typed where no header is.
EXTRA_COLUMNS = 16
# A workbook's parts may expand to this many times the largest file careaudit reads.
XLSX_EXPANSION = 8


def _refuse_non_workbook(data: bytes, source_file: str) -> None:
    if is_encrypted_office_file(data):
        raise RefusedFileError(
            source_file,
            "encrypted_xlsx",
            "is password-protected (encrypted), so careaudit cannot read it: open it in Excel, "
            "remove the password (File > Info > Protect Workbook > Encrypt with Password, clear "
            "it), save it and put it in the landing folder again",
        )
    if data.startswith(OLE2_SIGNATURE):
        raise RefusedFileError(
            source_file,
            "legacy_xls",
            "is an Excel 97-2003 workbook (.xls) named .xlsx: open it in Excel and save it as "
            '"Excel Workbook (.xlsx)"',
        )
    if not data.startswith(ZIP_SIGNATURE):
        if looks_like_text(data):
            raise RefusedFileError(
                source_file,
                "corrupt_xlsx",
                "is text, not an XLSX workbook: if it is a CSV export, rename it to .csv",
            )
        raise RefusedFileError(
            source_file,
            "corrupt_xlsx",
            "is not an XLSX workbook (it has no XLSX container): the file is damaged or of "
            "another type; export it again",
        )


def _damaged(source_file: str, error: Exception) -> RefusedFileError:
    return RefusedFileError(
        source_file,
        "corrupt_xlsx",
        f"is a damaged XLSX workbook that cannot be read ({type(error).__name__}): open and "
        "repair it in Excel, or export it again",
    )


def _is_configured(sheet: object, preferred: str | None) -> bool:
    return bool(preferred) and sheet.title.casefold() == preferred.casefold()  # type: ignore[attr-defined,union-attr]


def sheet_label(sheets: list[object], sheet: object, preferred: str | None) -> str:
    """How messages and raw.landed_files name a sheet: the configured name, else "sheet 2"."""
    if _is_configured(sheet, preferred):
        return sheet.title  # type: ignore[attr-defined]
    return f"sheet {sheets.index(sheet) + 1}"


def _labels(sheets: list[object], chosen: list[object], preferred: str | None) -> str:
    return ", ".join(sheet_label(sheets, s, preferred) for s in chosen)


def _choose_sheet(
    workbook: object, source_file: str, known_headers: frozenset[str], preferred: str | None
) -> object:
    sheets = list(workbook.worksheets)  # type: ignore[attr-defined]
    named = [s for s in sheets if _is_configured(s, preferred)]
    found, any_cells = [], False
    for sheet in named or sheets:
        sheet.reset_dimensions()
        head = list(islice(sheet.iter_rows(values_only=True), HEADER_SEARCH_ROWS))
        any_cells = any_cells or any(v is not None for row in head for v in row)
        if find_header(head, known_headers) is not None:
            found.append(sheet)
    if named and not found:
        raise RefusedFileError(
            source_file,
            "no_export_sheet",
            f"has no header row of Care Plan Audit questions in the first {HEADER_SEARCH_ROWS} "
            f'rows of its sheet "{named[0].title}" (the sheet {SHEET_SETTING} names)',
        )
    if not found and not any_cells:
        raise RefusedFileError(source_file, "empty", "is a workbook with no cells in any sheet")
    if not found:
        plural = "sheet" if len(sheets) == 1 else "sheets"
        raise RefusedFileError(
            source_file,
            "no_export_sheet",
            f"has no sheet with a header row of Care Plan Audit questions in its first "
            f"{HEADER_SEARCH_ROWS} rows (it has {len(sheets)} {plural})",
        )
    if len(found) > 1:
        raise RefusedFileError(
            source_file,
            "ambiguous_sheets",
            f"has Care Plan Audit headers on several sheets ({_labels(sheets, found, preferred)}, "
            f"counting from the left), so which holds the export is ambiguous: set "
            f"{SHEET_SETTING} to the name of the sheet to load, or delete the others",
        )
    return found[0]


def _refuse_expanding(data: bytes, source_file: str, max_expanded_bytes: int) -> None:
    """Refuse a workbook whose parts expand to more than the cap, before any is read: an XLSX
    is a zip, and a small file can hold a sheet of millions of cells (or a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise _damaged(source_file, error) from error
    if expanded > max_expanded_bytes:
        raise RefusedFileError(
            source_file,
            "too_large",
            f"expands to {expanded / 1e6:,.0f} MB of spreadsheet data, over the "
            f"{max_expanded_bytes / 1e6:,.0f} MB careaudit reads from one workbook "
            f"(CAREAUDIT_MAX_FILE_MB x {XLSX_EXPANSION}): export fewer months per file, or as "
            "CSV",
        )


def _data_rows(
    sheet: object, header_index: int, width: int
) -> tuple[list[tuple[object, ...]], list[int]]:
    """The rows below the header that hold a value in the first `width` columns, and their
    row numbers. Only those columns are read: memory follows the cells that hold data, not a
    stray cell far to the right of every row (which makes each row 16,384 cells wide)."""
    rows, numbers = [], []
    first = header_index + 2  # 1-based row number of the first row below the header
    for offset, row in enumerate(
        sheet.iter_rows(min_row=first, max_col=width, values_only=True)  # type: ignore[attr-defined]
    ):
        if any(value is not None for value in row):
            rows.append(row)
            numbers.append(first + offset)
    return rows, numbers


def read_xlsx(
    data: bytes,
    source_file: str,
    known_headers: frozenset[str],
    preferred_sheet: str | None,
    max_expanded_bytes: int,
) -> CellGrid:
    """Read the sheet that holds the export: the one named `preferred_sheet` when the workbook
    has it, else the only sheet with a header row."""
    _refuse_non_workbook(data, source_file)
    _refuse_expanding(data, source_file, max_expanded_bytes)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise _damaged(source_file, error) from error
    try:
        declared = {sheet.title: sheet.max_column for sheet in workbook.worksheets}
        sheet = _choose_sheet(workbook, source_file, known_headers, preferred_sheet)
        label = sheet_label(list(workbook.worksheets), sheet, preferred_sheet)
        head = list(islice(sheet.iter_rows(values_only=True), HEADER_SEARCH_ROWS))
        header_index = find_header(head, known_headers)
        assert header_index is not None  # _choose_sheet found it
        header = list(head[header_index])
        while header and header[-1] is None:
            header.pop()
        # Cells just right of the last header are read too: they form columns with a blank
        # header (reported), as no cell of a workbook can shift into the next column.
        width = len(header) + EXTRA_COLUMNS
        rows, numbers = _data_rows(sheet, header_index, width)
    except RefusedFileError:
        raise
    except Exception as error:  # a damaged sheet part (truncated zip, bad XML)
        raise _damaged(source_file, error) from error
    finally:
        workbook.close()
    table = np.empty((len(rows), width), dtype=object)
    for position, row in enumerate(rows):
        table[position, : len(row)] = row
    filled = np.flatnonzero(pd.notna(table).any(axis=0)) if len(rows) else np.array([], int)
    used = max(len(header), int(filled[-1]) + 1 if len(filled) else 0)
    warnings = ()
    if (declared.get(sheet.title) or 0) > width:  # type: ignore[attr-defined]
        warnings = (
            GridWarning(
                None,
                None,
                f"the sheet declares cells as far right as column "
                f"{column_name(declared[sheet.title] - 1)}: only columns up to "  # type: ignore[attr-defined]
                f"{column_name(width - 1)} (the header's and {EXTRA_COLUMNS} more) were read",
            ),
        )
    return build_grid(
        header + [None] * (used - len(header)),
        [table[:, i] for i in range(used)],
        None,
        np.array(numbers, dtype=np.int64),
        file_format="xlsx",
        header_row=header_index + 1,
        sheet_name=label,
        warnings=warnings,
    )
