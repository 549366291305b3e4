"""Read a landed export's bytes into a grid of cells, by its file type; a file of a type
careaudit cannot read is refused with what to do instead."""

from orchestration.lib.ingest.csv_text import read_csv
from orchestration.lib.ingest.grid import CellGrid
from orchestration.lib.ingest.refusal import RefusedFileError
from orchestration.lib.ingest.workbook import XLSX_EXPANSION, read_xlsx
from orchestration.settings import DEFAULT_MAX_FILE_MB

SAVE_AS = (
    'open it in Excel and save it as "Excel Workbook (.xlsx)" or "CSV UTF-8 (Comma delimited)"'
)
SPREADSHEETS = {
    ".xls": "an Excel 97-2003 workbook (.xls)",
    ".xlsm": "a macro-enabled workbook (.xlsm)",
    ".xlsb": "an Excel binary workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "a Numbers spreadsheet (.numbers)",
    ".tsv": "tab-separated text (.tsv)",
}
ARCHIVES = (".zip", ".gz", ".tgz", ".7z", ".rar", ".tar", ".bz2", ".xz")
READ_SUFFIXES = (".csv", ".xlsx")


def _unsupported(suffix: str, source_file: str) -> RefusedFileError:
    if suffix in SPREADSHEETS:
        what = f"is {SPREADSHEETS[suffix]}, which careaudit does not read: {SAVE_AS}"
    elif suffix in ARCHIVES:
        what = (
            f"is a compressed archive ({suffix}), which careaudit does not open: extract the "
            "CSV or XLSX export inside it and put that in the landing folder"
        )
    elif suffix == ".txt":
        what = (
            "is a .txt file, which careaudit does not read: if it is an export, save it from "
            'Excel as "CSV UTF-8 (Comma delimited)" with a .csv name'
        )
    else:
        kind = f"has the type {suffix}" if suffix else "has no file type"
        what = (
            f"{kind}, not an export careaudit reads: export the audits from the form tool as "
            'CSV ("CSV UTF-8 (Comma delimited)") or as an Excel Workbook (.xlsx)'
        )
    return RefusedFileError(source_file, "unsupported_type", what)


def read_cells(
    data: bytes,
    suffix: str,
    source_file: str,
    known_headers: frozenset[str],
    sheet: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_FILE_MB * 1_000_000,
) -> CellGrid:
    """Read an export's bytes by its file type; `sheet` names the XLSX sheet to prefer;
    `max_bytes` is the largest file careaudit reads (an XLSX may expand to a few times it)."""
    suffix = suffix.lower()
    if suffix not in READ_SUFFIXES:
        raise _unsupported(suffix, source_file)
    if not data:
        raise RefusedFileError(source_file, "empty", "is empty (0 bytes)")
    if suffix == ".csv":
        return read_csv(data, source_file, known_headers)
    return read_xlsx(data, source_file, known_headers, sheet, max_bytes * XLSX_EXPANSION)
