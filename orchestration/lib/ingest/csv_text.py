"""Read a CSV export: UTF-8 (with or without a byte order mark) or Windows-1252, any line ending,
title rows above the header.

The encoding is decided per fact, not per file. A UTF-8 export with one stray Windows-1252 byte
(an "é" typed by an old tool into a UTF-8 file) keeps every UTF-8 character it has: only the
stray byte is read as Windows-1252, and its cell gets a finding that says so. Re-decoding the
whole file as Windows-1252 instead would turn every typographic apostrophe into "â€™" and
valid answers ("Don\u2019t know") into unrecognised ones. A file whose only non-ASCII bytes are not
UTF-8 is Windows-1252 text (what Excel saves as "CSV (Comma delimited)"), noted once.

The header is found with the csv module on the first rows only; the rows after it are parsed by
pandas' C parser, which is what makes ingest fast. Both count a quoted line break as part of
its record, so row numbers are the rows a spreadsheet shows. Only the header's columns (and a
few beyond, to see a row shifted by an unquoted comma) are ever held in memory, however wide
a hostile row is; a field may be as long as the file (the csv module's default limit of
131,072 characters is lifted), and a value longer than a spreadsheet cell rejects its row.
"""

import codecs
import csv
import io
import re
from itertools import islice

import numpy as np
import pandas as pd

from orchestration.lib.ingest.grid import (
    HEADER_SEARCH_ROWS,
    CellGrid,
    GridWarning,
    build_grid,
    factorise,
    is_header_row,
)
from orchestration.lib.ingest.recognise import column_name
from orchestration.lib.ingest.refusal import RefusedFileError
from orchestration.lib.ingest.sniff import UTF16_BOMS, binary_kind

# Room for rows wider than the header, so such rows are read (and rejected), not a parse error.
EXTRA_FIELDS = 16
HEAD_CHARACTERS = 1 << 20
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs"}

# While a file is read, a byte that is not UTF-8 stands as one character of Unicode's last
# private-use plane (which no export holds), until the cell it is in is found and reported.
STRAY_BASE = 0x10FF00
STRAY_DECODING = "careaudit-stray-byte"
STRAY_BYTE = re.compile("[\U0010ff00-\U0010ffff]")
REAL_NON_ASCII = re.compile("[^\x00-\x7f\U0010ff00-\U0010ffff]")
# More stray bytes than this is not a typo in a UTF-8 file but text in an unknown encoding.
MAX_STRAY_BYTES = 1_000


def _mark_stray_bytes(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(chr(STRAY_BASE + byte) for byte in bad), error.end


codecs.register_error(STRAY_DECODING, _mark_stray_bytes)


def _as_windows_1252(match: re.Match[str]) -> str:
    return bytes([ord(match.group()) - STRAY_BASE]).decode("cp1252", errors="replace")


def _stray_hex(text: str) -> str:
    return ", ".join(f"0x{ord(ch) - STRAY_BASE:02X}" for ch in STRAY_BYTE.findall(text))


def decode(data: bytes, source_file: str) -> tuple[str, str]:
    """The file's text and its encoding: UTF-8 ("utf-8", "utf-8-sig", or "utf-8 with stray
    bytes", whose text still marks them), else Windows-1252."""
    if data.startswith(UTF16_BOMS):
        raise RefusedFileError(
            source_file,
            "undecodable",
            'is UTF-16 text (what Excel saves as "Unicode Text"), not a CSV export: save it '
            'from Excel as "CSV UTF-8 (Comma delimited)"',
        )
    kind = binary_kind(data)
    if kind is not None:
        raise RefusedFileError(
            source_file,
            "not_tabular",
            f"is not text but {kind}, so it cannot be a CSV export",
        )
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    marked = data.decode("utf-8-sig", errors=STRAY_DECODING)
    if bom or REAL_NON_ASCII.search(marked):  # UTF-8 characters beside the stray bytes
        strays = len(STRAY_BYTE.findall(marked))
        if strays > MAX_STRAY_BYTES:
            raise RefusedFileError(
                source_file,
                "undecodable",
                f"mixes UTF-8 text with {strays} bytes that are not UTF-8, so its encoding "
                'cannot be told: save it from Excel as "CSV UTF-8 (Comma delimited)"',
            )
        return marked, "utf-8 with stray bytes"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise RefusedFileError(
            source_file,
            "undecodable",
            f"is neither UTF-8 nor Windows-1252 text (byte 0x{data[error.start]:02X} at "
            f"offset {error.start} is neither): save it from Excel as "
            '"CSV UTF-8 (Comma delimited)"',
        ) from error


def _no_header(text: str, source_file: str, known_headers: frozenset[str]) -> RefusedFileError:
    head = list(islice(io.StringIO(text, newline=""), HEADER_SEARCH_ROWS))
    for delimiter, name in OTHER_DELIMITERS.items():
        records = csv.reader(head, delimiter=delimiter)
        if any(is_header_row(record, known_headers) for record in records):
            return RefusedFileError(
                source_file,
                "wrong_delimiter",
                f"is separated by {name}, not commas: save it from Excel as "
                '"CSV UTF-8 (Comma delimited)"',
            )
    return RefusedFileError(
        source_file,
        "not_tabular",
        f"is not a Care Plan Audit export: none of its first {HEADER_SEARCH_ROWS} rows is a "
        "header row of audit questions (at least 3 known column headers)",
    )


def _overlong(extra: list[np.ndarray]) -> np.ndarray | None:
    """Rows with a value in a field beyond the header's."""
    if not extra:
        return None
    flags = np.zeros(len(extra[0]), dtype=bool)
    for raw in extra:
        if (raw != "").any():  # the usual case: every extra field is empty
            column = factorise(raw)
            flags |= pd.notna(column.values)[column.codes]
    return flags


def _records_by_csv_module(text: str, fields: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Every record as `fields` columns and whether it had a value beyond them: the slower
    reader, for a file holding a row too wide for the fast one. Memory stays in proportion to
    the header's width, however many fields a hostile row has."""
    columns: list[list[str]] = [[] for _ in range(fields)]
    overlong: list[bool] = []
    for record in csv.reader(io.StringIO(text, newline="")):
        record.extend([""] * (fields - len(record)))
        for position in range(fields):
            columns[position].append(record[position])
        overlong.append(any(field.strip() for field in record[fields:]))
    return [np.array(c, dtype=object) for c in columns], np.array(overlong, dtype=bool)


def _parse_rows(
    rows: bytes, codec: str, fields: int, source_file: str
) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Every record after the header as `fields` columns of text ("" for absent fields), and
    which records had a value beyond them. `rows` are bytes in `codec`."""
    try:
        frame = pd.read_csv(
            io.BytesIO(rows),
            encoding=codec,
            header=None,
            names=range(fields + EXTRA_FIELDS),
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as error:
        if "EOF inside string" in str(error):
            raise RefusedFileError(
                source_file,
                "malformed_csv",
                'has a quoted value that is never closed (a stray " character?), so its rows '
                "cannot be told apart",
            ) from error
        if "Expected" not in str(error):
            raise RefusedFileError(
                source_file, "malformed_csv", "is not valid CSV: its rows cannot be read"
            ) from error
        return _records_by_csv_module(rows.decode(codec), fields)
    columns = [frame[i].to_numpy(dtype=object) for i in range(frame.shape[1])]
    return columns[:fields], _overlong(columns[fields:])


def _find_header(text: str, source_file: str, known_headers: frozenset[str]):
    """(header cells, its record number, the character offset where the next record starts),
    or None; the csv module reads only the first records."""
    buffer = io.StringIO(text, newline="")
    reader = csv.reader(buffer)
    try:
        for number, record in enumerate(reader, start=1):
            if is_header_row(record, known_headers):
                return record, number, buffer.tell()
            if number >= HEADER_SEARCH_ROWS:
                return None
    except csv.Error as error:
        raise RefusedFileError(
            source_file, "malformed_csv", f"is not valid CSV near line {reader.line_num}: {error}"
        ) from error
    return None


def _report_stray_bytes(
    header: list[str], columns: list[np.ndarray], header_row: int
) -> tuple[list[str], list[GridWarning]]:
    """Read each stray byte as Windows-1252 in the cell that holds it, with a warning naming
    the cell (and the bytes, never the cell's text)."""
    warnings = []
    fixed_header = []
    for position, cell in enumerate(header):
        if STRAY_BYTE.search(cell):
            warnings.append(_stray_warning(header_row, position, cell))
            cell = STRAY_BYTE.sub(_as_windows_1252, cell)
        fixed_header.append(cell)
    for position, column in enumerate(columns):
        hits = np.flatnonzero(pd.Series(column).str.contains(STRAY_BYTE, na=False).to_numpy())
        if len(hits):
            columns[position] = column = column.copy()  # pandas' arrays are read-only
        for index in hits:
            warnings.append(_stray_warning(header_row + 1 + int(index), position, column[index]))
            column[index] = STRAY_BYTE.sub(_as_windows_1252, column[index])
    return fixed_header, warnings


def _stray_warning(row: int, position: int, cell: str) -> GridWarning:
    return GridWarning(
        row,
        position,
        f"column {column_name(position)} holds a byte that is not UTF-8 ({_stray_hex(cell)}) "
        "in a file that is otherwise UTF-8: it was read as Windows-1252 (e.g. 0xE9 as é); "
        'check the value, and save the export as "CSV UTF-8 (Comma delimited)"',
    )


def read_csv(data: bytes, source_file: str, known_headers: frozenset[str]) -> CellGrid:
    """Read CSV bytes into a grid; refuse, saying why, what cannot be an export."""
    text, encoding = decode(data, source_file)
    if not text.strip():
        raise RefusedFileError(source_file, "empty", "holds no text, only blank lines or spaces")
    # A field may be as long as the file; a value too long for a spreadsheet rejects its row.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    # The header is in the first rows: look there first, not in a copy of the whole file.
    found = _find_header(text[:HEAD_CHARACTERS], source_file, known_headers)
    if found is None or found[2] >= HEAD_CHARACTERS:
        found = _find_header(text, source_file, known_headers)
    if found is None:
        raise _no_header(text, source_file, known_headers)
    header, header_row, rows_start = found
    warnings: list[GridWarning] = []
    if encoding == "utf-8 with stray bytes":  # marked text: parse it, then report the marks
        rows, codec = text[rows_start:].encode("utf-8"), "utf-8"
    else:  # the file's own bytes after the header, not a copy of its text
        codec = "cp1252" if encoding == "cp1252" else "utf-8"
        bom = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
        rows = data[bom + len(text[:rows_start].encode(codec)) :]
    columns, overlong = _parse_rows(rows, codec, len(header), source_file)
    if encoding == "utf-8 with stray bytes":
        header, warnings = _report_stray_bytes(header, columns, header_row)
    first_row = header_row + 1
    return build_grid(
        header,
        columns,
        overlong,
        np.arange(first_row, first_row + len(columns[0]), dtype=np.int64),
        file_format="csv",
        header_row=header_row,
        encoding="utf-8" if encoding == "utf-8 with stray bytes" else encoding,
        warnings=tuple(warnings),
    )
