"""Read a CSV export: UTF-8 (with or without a byte order mark) or Windows-1252, any line ending,
title rows above the header.

The header is found with the csv module on the first rows only; the rows after it are parsed by
pandas' C parser, which is what makes ingest fast. Both count a quoted line break as part of
its record, so row numbers are the rows a spreadsheet shows.
"""

import csv
import io

import pandas as pd

from orchestration.ingest.grid import HEADER_SEARCH_ROWS, CellGrid, build_grid, is_header_row
from orchestration.ingest.refusal import RefusedFileError
from orchestration.ingest.sniff import UTF16_BOMS, binary_kind

# Room for rows wider than the header, so such rows are read (and rejected), not a parse error.
EXTRA_FIELDS = 16
HEAD_CHARACTERS = 1 << 20
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs"}


def decode(data: bytes, source_file: str) -> tuple[str, str]:
    """The file's text and its encoding: UTF-8 if it decodes as UTF-8, else Windows-1252."""
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
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
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
    head = text.splitlines()[:HEADER_SEARCH_ROWS]
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


def _parse_rows(rows: bytes, encoding: str, fields: int, source_file: str) -> pd.DataFrame:
    """Every record after the header, as text, `fields` columns wide ("" for absent fields)."""

    def parse(width: int) -> pd.DataFrame:
        return pd.read_csv(
            io.BytesIO(rows),
            encoding=encoding,
            header=None,
            names=range(width),
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )

    try:
        return parse(fields + EXTRA_FIELDS)
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
    # A row far wider than the header: count the widest row, then read them all.
    text = io.StringIO(rows.decode(encoding), newline="")
    return parse(max(len(record) for record in csv.reader(text)))


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


def read_csv(data: bytes, source_file: str, known_headers: frozenset[str]) -> CellGrid:
    """Read CSV bytes into a grid; refuse, saying why, what cannot be an export."""
    text, encoding = decode(data, source_file)
    if not text.strip():
        raise RefusedFileError(source_file, "empty", "holds no text, only blank lines or spaces")
    # The header is in the first rows: look there first, not in a copy of the whole file.
    found = _find_header(text[:HEAD_CHARACTERS], source_file, known_headers)
    if found is None or found[2] >= HEAD_CHARACTERS:
        found = _find_header(text, source_file, known_headers)
    if found is None:
        raise _no_header(text, source_file, known_headers)
    header, header_row, rows_start = found
    codec = "utf-8" if encoding.startswith("utf-8") else encoding
    bom = 3 if encoding == "utf-8-sig" else 0
    frame = _parse_rows(
        data[bom + len(text[:rows_start].encode(codec)) :], codec, len(header), source_file
    )
    columns = [frame[i].to_numpy(dtype=object) for i in range(frame.shape[1])]
    return build_grid(
        header,
        columns[: len(header)],
        columns[len(header) :],
        header_row + 1,
        file_format="csv",
        header_row=header_row,
        encoding=encoding,
    )
