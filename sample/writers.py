"""Write rendered rows as the files a form tool exports: CSV (UK dates) or XLSX (real dates).

Both writers are byte-for-byte reproducible, so regenerating the bundled sample leaves git
clean: the CSV has no timestamps, and the XLSX is repacked with fixed zip entry times and
document properties (openpyxl would otherwise stamp the time of saving).
"""

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.core import DocumentProperties
from openpyxl.xml.functions import tostring

from sample.rows import Cell

UK_DATETIME = "%d/%m/%Y %H:%M"
UK_DATE = "%d/%m/%Y"
EXCEL_DATETIME = "dd/mm/yyyy hh:mm"
EXCEL_DATE = "dd/mm/yyyy"
SHEET_TITLE = "Sheet1"
CORE_PROPERTIES = "docProps/core.xml"


def write_export(
    path: Path, headers: Sequence[str], rows: Sequence[Sequence[Cell]], stamp: dt.datetime
) -> Path:
    """Write by file extension; ``stamp`` is the export time recorded inside an XLSX."""
    if path.suffix == ".csv":
        write_csv(path, headers, rows)
    elif path.suffix == ".xlsx":
        write_xlsx(path, headers, rows, stamp)
    else:
        raise ValueError(f"{path.name}: can only write .csv or .xlsx exports")
    return path


def _csv_text(cell: Cell) -> str:
    """UK-style dates as the form tool writes them; blanks as empty fields."""
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.strftime(UK_DATETIME)
    if isinstance(cell, dt.date):
        return cell.strftime(UK_DATE)
    return str(cell)


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    """UTF-8 without a byte order mark, "\\n" line ends, quoted only where needed."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([_csv_text(c) for c in row] for row in rows)


def write_xlsx(
    path: Path, headers: Sequence[str], rows: Sequence[Sequence[Cell]], stamp: dt.datetime
) -> None:
    """One sheet, headers on the first row, dates as real Excel dates shown day first."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = EXCEL_DATETIME
            elif isinstance(cell.value, dt.date):
                cell.number_format = EXCEL_DATE
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_reproducible(buffer.getvalue(), stamp))


def _reproducible(xlsx: bytes, stamp: dt.datetime) -> bytes:
    """Repack with fixed entry times and document properties so equal input gives equal bytes."""
    properties = DocumentProperties(creator="careaudit sample generator", created=stamp)
    properties.modified = stamp
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == CORE_PROPERTIES:
                data = tostring(properties.to_tree())
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, data)
    return out.getvalue()
