"""Read a landed export's bytes into a grid of cells, by its file type; a file of a type
careaudit cannot read is refused with what to do instead."""

from orchestration.ingest.csv_text import read_csv
from orchestration.ingest.grid import CellGrid
from orchestration.ingest.refusal import RefusedFileError
from orchestration.ingest.workbook import read_xlsx

REFUSED_SUFFIXES = {
    ".xls": "an Excel 97-2003 workbook (.xls)",
    ".xlsm": "a macro-enabled workbook (.xlsm)",
    ".xlsb": "an Excel binary workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "a Numbers spreadsheet (.numbers)",
    ".tsv": "tab-separated text (.tsv)",
}
READ_SUFFIXES = (".csv", ".xlsx")
EXPORT_SUFFIXES = (*READ_SUFFIXES, *REFUSED_SUFFIXES)


def read_cells(
    data: bytes,
    suffix: str,
    source_file: str,
    known_headers: frozenset[str],
    sheet: str | None = None,
) -> CellGrid:
    """Read an export's bytes by its file type; `sheet` names the XLSX sheet to prefer."""
    suffix = suffix.lower()
    if suffix in REFUSED_SUFFIXES:
        raise RefusedFileError(
            source_file,
            "unsupported_type",
            f"is {REFUSED_SUFFIXES[suffix]}, which careaudit does not read: open it in Excel "
            'and save it as "Excel Workbook (.xlsx)" or "CSV UTF-8 (Comma delimited)"',
        )
    if not data:
        raise RefusedFileError(source_file, "empty", "is empty (0 bytes)")
    if suffix == ".csv":
        return read_csv(data, source_file, known_headers)
    if suffix == ".xlsx":
        return read_xlsx(data, source_file, known_headers, sheet)
    raise RefusedFileError(
        source_file, "unsupported_type", f"has type {suffix or '(none)'}; expected .csv or .xlsx"
    )
