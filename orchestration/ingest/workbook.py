"""Read an XLSX export: the sheet that holds it (found, or named by CAREAUDIT_EXPORT_SHEET),
title rows above the header, real Excel dates; and refuse, each with its own message, an
encrypted workbook, an old .xls renamed .xlsx, a damaged file, or a workbook with no export."""

import io
from itertools import islice

import numpy as np

from orchestration.ingest.grid import HEADER_SEARCH_ROWS, CellGrid, build_grid, find_header
from orchestration.ingest.refusal import RefusedFileError
from orchestration.ingest.sniff import (
    OLE2_SIGNATURE,
    ZIP_SIGNATURE,
    is_encrypted_office_file,
    looks_like_text,
)

SHEET_SETTING = "CAREAUDIT_EXPORT_SHEET"


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


def _sheet_rows(sheet: object) -> list[tuple[object, ...]]:
    # Read-only mode stops at the used range the file declares, which some export tools write
    # wrongly: read every row and column actually present instead.
    sheet.reset_dimensions()  # type: ignore[attr-defined]
    return list(sheet.iter_rows(values_only=True))  # type: ignore[attr-defined]


def _choose_sheet(
    workbook: object, source_file: str, known_headers: frozenset[str], preferred: str | None
) -> object:
    sheets = list(workbook.worksheets)  # type: ignore[attr-defined]
    named = [s for s in sheets if preferred and s.title.casefold() == preferred.casefold()]
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
        titles = ", ".join(f'"{s.title}"' for s in sheets)
        raise RefusedFileError(
            source_file,
            "no_export_sheet",
            f"has no sheet with a header row of Care Plan Audit questions in its first "
            f"{HEADER_SEARCH_ROWS} rows (sheets: {titles})",
        )
    if len(found) > 1:
        titles = ", ".join(f'"{s.title}"' for s in found)
        raise RefusedFileError(
            source_file,
            "ambiguous_sheets",
            f"has Care Plan Audit headers on several sheets ({titles}), so which holds the "
            f"export is ambiguous: set {SHEET_SETTING} to the sheet's name, or delete the others",
        )
    return found[0]


def read_xlsx(
    data: bytes, source_file: str, known_headers: frozenset[str], preferred_sheet: str | None
) -> CellGrid:
    """Read the sheet that holds the export: the one named `preferred_sheet` when the workbook
    has it, else the only sheet with a header row."""
    _refuse_non_workbook(data, source_file)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise _damaged(source_file, error) from error
    try:
        sheet = _choose_sheet(workbook, source_file, known_headers, preferred_sheet)
        rows = _sheet_rows(sheet)
    except RefusedFileError:
        raise
    except Exception as error:  # a damaged sheet part (truncated zip, bad XML)
        raise _damaged(source_file, error) from error
    finally:
        workbook.close()
    header_index = find_header(rows, known_headers)
    assert header_index is not None  # _choose_sheet found it
    width = max(len(row) for row in rows)
    table = np.empty((len(rows) - header_index - 1, width), dtype=object)
    for position, row in enumerate(rows[header_index + 1 :]):
        table[position, : len(row)] = row
    header = list(rows[header_index]) + [None] * (width - len(rows[header_index]))
    # No cell of a workbook can shift into the next column, so cells right of the last header
    # form columns with a blank header (reported), not overlong rows.
    return build_grid(
        header,
        [table[:, i] for i in range(width)],
        [],
        header_index + 2,
        file_format="xlsx",
        header_row=header_index + 1,
        sheet_name=sheet.title,  # type: ignore[attr-defined]
    )
