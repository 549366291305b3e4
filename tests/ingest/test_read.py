"""Reading a landed file into a grid of cells: encodings, title rows, XLSX cells, bad files."""

import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from orchestration.lib.ingest.grid import CellGrid
from orchestration.lib.ingest.read import read_cells
from orchestration.lib.ingest.refusal import RefusedFileError
from tests.exports import audit, csv_bytes, export_table, headers_of, write_export, write_xlsx

TITLE_ROWS = [["Care Plan Audit export"], ["Exported 01/09/2022", "", "by the form tool"]]


@pytest.fixture
def read(known_headers: frozenset[str]):
    def read_file(path: Path) -> CellGrid:
        return read_cells(path.read_bytes(), path.suffix, path.name, known_headers)

    return read_file


def column(grid: CellGrid, header: str) -> list[object]:
    return grid.cells[grid.headers.index(header)].tolist()


def unreadable_reason(read, path: Path) -> str:
    with pytest.raises(RefusedFileError) as error:
        read(path)
    assert error.value.source_file == path.name
    assert str(error.value) == f"{path.name}: {error.value.reason}"
    return error.value.reason


# ---- CSV text ----


def test_utf8_csv(tmp_path: Path, read) -> None:
    path = write_export(tmp_path / "a.csv", [audit(district="Ynys Môn \u2013 North")])

    grid = read(path)

    assert (grid.file_format, grid.encoding, grid.sheet_name) == ("csv", "utf-8", None)
    assert grid.headers == headers_of("2022")
    assert column(grid, "District") == ["Ynys Môn \u2013 North"]
    assert column(grid, "Child's ICS number") == ["ICS0001"]


def test_utf8_csv_with_a_byte_order_mark(tmp_path: Path, read) -> None:
    path = write_export(tmp_path / "a.csv", [audit(response_id="17")], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfID,")

    grid = read(path)

    assert grid.encoding == "utf-8-sig"
    assert grid.headers[0] == "ID"  # not "\ufeffID"
    assert column(grid, "ID") == ["17"]


def test_crlf_line_endings_leave_no_carriage_returns(tmp_path: Path, read) -> None:
    path = write_export(
        tmp_path / "a.csv",
        [audit(review_in_timescale="Yes"), audit(child_id="ICS0002", review_in_timescale="No")],
        line_ending="\r\n",
    )
    assert b"\r\n" in path.read_bytes()

    grid = read(path)

    assert grid.headers[-1] == "Was the CLA review held within timescale?"
    assert column(grid, "Was the CLA review held within timescale?") == ["Yes", "No"]
    assert grid.source_rows.tolist() == [2, 3]


def test_windows_1252_csv_decodes_a_typographic_apostrophe(tmp_path: Path, read) -> None:
    path = write_export(
        tmp_path / "a.csv",
        [audit(district="St Mary\u2019s")],
        rename={"child_id": "Child\u2019s ICS number"},
        encoding="cp1252",
    )
    assert b"St Mary\x92s" in path.read_bytes()

    grid = read(path)

    assert grid.encoding == "cp1252"
    assert "Child\u2019s ICS number" in grid.headers
    assert column(grid, "District") == ["St Mary\u2019s"]


def test_text_in_neither_utf8_nor_windows_1252_is_unreadable(tmp_path: Path, read) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(export_table([audit()])) + b"caf\x81\n")

    assert unreadable_reason(read, path).startswith("is neither UTF-8 nor Windows-1252 text")


def test_cells_are_stripped_and_blank_cells_are_none(tmp_path: Path, read) -> None:
    path = write_export(tmp_path / "a.csv", [audit(district="  North  ", uasc="")])

    grid = read(path)

    assert column(grid, "District") == ["North"]
    assert column(grid, "Is the child an Unaccompanied Asylum Seeking Child (UASC)?") == [None]


# ---- where the header is, and row numbers ----


def test_csv_header_is_found_below_title_rows(tmp_path: Path, read) -> None:
    path = write_export(tmp_path / "a.csv", [audit()], title_rows=TITLE_ROWS)

    grid = read(path)

    assert grid.header_row == 3
    assert grid.headers == headers_of("2022")
    assert grid.source_rows.tolist() == [4]


def test_xlsx_header_is_found_below_title_rows(tmp_path: Path, read) -> None:
    path = write_export(tmp_path / "a.xlsx", [audit()], title_rows=TITLE_ROWS)

    grid = read(path)

    assert (grid.file_format, grid.encoding, grid.sheet_name) == ("xlsx", None, "sheet 1")
    assert grid.header_row == 3
    assert grid.headers == headers_of("2022")
    assert grid.source_rows.tolist() == [4]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_row_numbers_are_the_rows_a_spreadsheet_shows(tmp_path: Path, read, suffix) -> None:
    # Row 1 title, row 2 blank, row 3 header, rows 4 and 6 audits, row 5 blank.
    table = export_table([audit(child_id="ICS0001"), audit(child_id="ICS0002")])
    rows = [["Care Plan Audit export"], [], table[0], table[1], [], table[2]]
    path = tmp_path / f"a{suffix}"
    if suffix == ".csv":
        path.write_bytes(csv_bytes(rows))
    else:
        write_xlsx(path, rows)

    grid = read(path)

    assert grid.header_row == 3
    assert grid.source_rows.tolist() == [4, 6]
    assert column(grid, "Child's ICS number") == ["ICS0001", "ICS0002"]


def test_a_quoted_line_break_stays_inside_its_row(tmp_path: Path, read) -> None:
    path = write_export(
        tmp_path / "a.csv",
        [audit(district="North\nEast"), audit(child_id="ICS0002", district="South")],
    )

    grid = read(path)

    assert column(grid, "District") == ["North\nEast", "South"]
    assert grid.source_rows.tolist() == [2, 3]


def test_rows_with_values_beyond_the_header_are_read_and_flagged(tmp_path: Path, read) -> None:
    table = export_table([audit(), audit(child_id="ICS0002"), audit(child_id="ICS0003")])
    table[2] = [*table[2], "stray value"]
    table[3] = [*table[3], "", ""]  # empty trailing fields are not values
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(table))

    grid = read(path)

    assert grid.source_rows.tolist() == [2, 3, 4]
    assert grid.overlong_rows.tolist() == [False, True, False]
    assert len(grid.cells) == len(table[0])


# ---- XLSX cells ----


def test_xlsx_keeps_real_excel_dates_and_reads_numbers_as_text(tmp_path: Path, read) -> None:
    path = write_export(
        tmp_path / "a.xlsx",
        [
            audit(
                response_id=7,
                child_id=123456,
                review_date=datetime(2022, 8, 15),
                completed_at=datetime(2022, 8, 16, 10, 32),
                child_life_improved=1,
            ),
            audit(response_id=8.0, child_id=654321.0, district=2.5),
        ],
    )

    grid = read(path)

    assert column(grid, "ID") == ["7", "8"]
    assert column(grid, "Child's ICS number") == ["123456", "654321"]
    assert column(grid, "Date of CLA review") == [datetime(2022, 8, 15), "15/08/2022"]
    assert column(grid, "Completion time")[0] == datetime(2022, 8, 16, 10, 32)
    assert column(grid, "District") == [None, "2.5"]
    header = "Does the child feel that their life has improved since becoming looked after?"
    assert column(grid, header) == ["1", None]


def test_the_export_is_found_on_a_later_sheet_after_notes(tmp_path: Path, read) -> None:
    path = write_export(tmp_path / "a.xlsx", [audit()], notes_sheet_first=True)

    grid = read(path)

    assert grid.sheet_name == "sheet 2"  # by position: a sheet's name may be a child's name
    assert grid.header_row == 1
    assert column(grid, "Child's ICS number") == ["ICS0001"]


def with_declared_dimension(path: Path, ref: str) -> Path:
    """Rewrite the sheet's <dimension> (the used range a workbook declares), as some export
    tools get it wrong; Excel itself ignores it when opening the file."""
    with zipfile.ZipFile(path) as workbook:
        parts = {name: workbook.read(name) for name in workbook.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet], replaced = re.subn(
        rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{ref}"/>'.encode(), parts[sheet]
    )
    assert replaced == 1
    with zipfile.ZipFile(path, "w") as workbook:
        for name, data in parts.items():
            workbook.writestr(name, data)
    return path


@pytest.mark.parametrize("declared", ["A1:AP2", "A1:C2", "A1"])
def test_xlsx_rows_and_columns_beyond_the_declared_dimension_are_read(
    tmp_path: Path, read, declared: str
) -> None:
    audits = [audit(child_id=f"ICS000{n}") for n in (1, 2, 3)]
    path = with_declared_dimension(write_export(tmp_path / "a.xlsx", audits), declared)

    grid = read(path)

    assert grid.headers == headers_of("2022")
    assert grid.source_rows.tolist() == [2, 3, 4]
    assert column(grid, "Child's ICS number") == ["ICS0001", "ICS0002", "ICS0003"]


# ---- files that are not exports ----


def test_an_empty_csv_is_unreadable(tmp_path: Path, read) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    assert unreadable_reason(read, path) == "is empty (0 bytes)"


def test_a_workbook_without_an_export_sheet_is_unreadable(tmp_path: Path, read) -> None:
    path = write_xlsx(tmp_path / "empty.xlsx", [])

    assert unreadable_reason(read, path) == "is a workbook with no cells in any sheet"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_header_only_file_reads_as_no_rows(tmp_path: Path, read, suffix: str) -> None:
    path = write_export(tmp_path / f"a{suffix}", [])

    grid = read(path)

    assert grid.headers == headers_of("2022")
    assert grid.row_count == 0
    assert grid.source_rows.tolist() == []


def test_binary_content_named_csv_is_unreadable(tmp_path: Path, read) -> None:
    path = tmp_path / "scan.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))

    assert unreadable_reason(read, path) == (
        "is not text but a PNG image, so it cannot be a CSV export"
    )


def test_text_without_a_header_row_is_unreadable(tmp_path: Path, read) -> None:
    path = tmp_path / "letter.csv"
    path.write_text("Dear team,\nplease find the audits attached.\nThanks, ID team\n")

    assert unreadable_reason(read, path) == (
        "is not a Care Plan Audit export: none of its first 30 rows is a header row of audit "
        "questions (at least 3 known column headers)"
    )


def test_a_csv_renamed_xlsx_is_unreadable(tmp_path: Path, read) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(csv_bytes(export_table([audit()])))

    assert unreadable_reason(read, path) == (
        "is text, not an XLSX workbook: if it is a CSV export, rename it to .csv"
    )


@pytest.mark.parametrize(
    ("name", "advice"),
    [
        (
            "export.txt",
            "is a .txt file, which careaudit does not read: if it is an export, save "
            'it from Excel as "CSV UTF-8 (Comma delimited)" with a .csv name',
        ),
        (
            "export.csv.gz",
            "is a compressed archive (.gz), which careaudit does not open: "
            "extract the CSV or XLSX export inside it and put that in the landing folder",
        ),
        (
            "export.zip",
            "is a compressed archive (.zip), which careaudit does not open: "
            "extract the CSV or XLSX export inside it and put that in the landing folder",
        ),
        (
            "export.xls",
            "is an Excel 97-2003 workbook (.xls), which careaudit does not read: "
            'open it in Excel and save it as "Excel Workbook (.xlsx)" or "CSV UTF-8 (Comma '
            'delimited)"',
        ),
        (
            "export.pdf",
            "has the type .pdf, not an export careaudit reads: export the audits "
            'from the form tool as CSV ("CSV UTF-8 (Comma delimited)") or as an Excel Workbook '
            "(.xlsx)",
        ),
        (
            "export",
            "has no file type, not an export careaudit reads: export the audits from "
            'the form tool as CSV ("CSV UTF-8 (Comma delimited)") or as an Excel Workbook (.xlsx)',
        ),
    ],
)
def test_other_file_types_are_refused_saying_how_to_export(
    tmp_path: Path, read, name: str, advice: str
) -> None:
    path = tmp_path / name
    path.write_bytes(csv_bytes(export_table([audit()])))

    assert unreadable_reason(read, path) == advice
