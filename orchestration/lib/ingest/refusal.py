"""A file refused whole: nothing in it is loaded, it is quarantined, and the reason says what is
wrong and how to fix it, in words a data officer can act on without reading code.

Each kind of refusal has its own message. No message ever quotes a cell of the file: a reason
is written to the warehouse, the ingest report, the quarantine's reason file and the Dagster
event log, and cells may hold personal data. Header text and sheet names may be quoted.
"""

from typing import Literal

RefusalKind = Literal[
    "unsupported_type",  # .xls, .ods, ... in the landing folder
    "empty",  # 0 bytes, only white space, or a workbook without cells
    "not_tabular",  # binary content, or text with no header row of audit questions
    "wrong_delimiter",  # semicolon or tab separated text named .csv
    "undecodable",  # text in an encoding careaudit cannot tell (UTF-16, unknown bytes)
    "malformed_csv",  # an unclosed quote: rows cannot be told apart
    "encrypted_xlsx",  # password-protected workbook
    "legacy_xls",  # an Excel 97-2003 workbook named .xlsx
    "corrupt_xlsx",  # a damaged zip container, or text named .xlsx
    "no_export_sheet",  # no sheet (or not the configured one) holds a header row
    "ambiguous_sheets",  # several sheets hold a header row and none is configured
    "no_form_version",  # the headers match no form version
    "missing_required_column",  # close to a form version, but a required column is absent
    "repeated_column",  # a question's column appears twice
    "header_only",  # a header row and no audit rows
    "no_authority_folder",  # a hub's file outside a folder named by its authority's code
    "bad_file_name",  # a name that is not UTF-8 or holds a control character
    "not_a_file",  # a broken link, a link to a folder, a pipe or device
    "unreadable",  # the service's account cannot read it (permission denied, I/O error)
    "too_large",  # over CAREAUDIT_MAX_FILE_MB, or an XLSX that expands beyond its cap
    "read_error",  # reading it failed in a way careaudit did not foresee
]


class RefusedFileError(ValueError):
    """The file cannot be loaded at all. `str()` is "<file>: <reason>"."""

    def __init__(self, source_file: str, kind: RefusalKind, reason: str) -> None:
        super().__init__(f"{source_file}: {reason}")
        self.source_file = source_file
        self.kind = kind
        self.reason = reason
