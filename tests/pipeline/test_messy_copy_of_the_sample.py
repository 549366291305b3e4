"""The same audits, exported messily, give the same metrics: a copy of the bundled sample rendered
the way real exports arrive (answer aliases in any case, multi-selects with spaces and no
trailing ";", headers in capitals with typographic apostrophes and odd spacing, title rows, a
notes sheet, real Excel dates and numeric case numbers in XLSX, ISO dates, a byte order mark,
CRLF line ends, Windows-1252, the 2022 file split in two) is refreshed with `careaudit refresh`
and its published metrics.csv must equal the clean sample's byte for byte."""

import csv
import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from orchestration.lib.catalogue import Question, load_catalogue
from orchestration.paths import SAMPLE_EXTRACTS_DIR
from tests.pipeline.conftest import SAMPLE_ENV
from tests.support import careaudit_env, refresh_landing, warehouse_rows

pytestmark = pytest.mark.slow

CATALOGUE = load_catalogue()
UK_DATETIME = "%d/%m/%Y %H:%M"

Row = dict[str, object]  # question id -> cell, as the clean export has it


def clean_rows(path: Path, version: str) -> list[Row]:
    """The bundled export's rows by question id (XLSX dates as datetimes, CSV as text)."""
    questions = CATALOGUE.questions_on(version)
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as f:
            header, *rows = list(csv.reader(f))
    else:
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header == [q.header_for(version) for q in questions]
    return [dict(zip([q.question_id for q in questions], row, strict=True)) for row in rows]


def variant(number: int, text: str) -> str:
    """The same words as people retype them."""
    return [text, text.upper(), f"  {text.lower()} ", text.replace("'", "\u2019")][number % 4]


def spelling(question: Question, version: str, label: str, number: int) -> str:
    """Another accepted spelling of an option's label: an alias, in some case and spacing."""
    option = next(o for o in CATALOGUE.options_on(question, version) if o.label == label)
    aliases = CATALOGUE.aliases_for(option)
    return variant(number, aliases[number % len(aliases)])


def messy_answer(question: Question, version: str, cell: object, number: int) -> object:
    if not question.is_choice or cell in (None, ""):
        return cell
    labels = [part for part in str(cell).split(";") if part]
    spelt = [spelling(question, version, label, number + i) for i, label in enumerate(labels)]
    if question.question_type == "single":
        return spelt[0]
    return "; ".join(spelt) + (";" if number % 2 else "")


def messy_header(question: Question, version: str, style: int) -> str:
    header = question.header_for(version)
    if style == 0:
        return header.upper().replace("'", "\u2019").replace(" ", "  ")
    return f"  {header.lower()} "


def as_datetime(cell: object, question: Question) -> object:
    if isinstance(cell, str) and cell and question.question_type in ("date", "datetime"):
        return datetime.strptime(cell, UK_DATETIME if " " in cell else "%d/%m/%Y")
    return cell


def rendered(
    rows: list[Row], version: str, style: int, cell: Callable[[Question, object, int], object]
) -> list[list[object]]:
    questions = CATALOGUE.questions_on(version)
    table = [[messy_header(q, version, style) for q in questions]]
    for number, row in enumerate(rows):
        table.append(
            [
                cell(q, messy_answer(q, version, row[q.question_id], number), number)
                for q in questions
            ]
        )
    return table


def write_messy_copy(landing: Path) -> None:
    rows_2022 = clean_rows(SAMPLE_EXTRACTS_DIR / "care_plan_audit_2022-08.csv", "2022")
    rows_2021 = clean_rows(SAMPLE_EXTRACTS_DIR / "care_plan_audit_2021-08.xlsx", "2021")
    half = len(rows_2022) // 2

    # 2022, first half: XLSX, notes sheet first, title rows, real dates, numeric case numbers.
    def xlsx_cell(question: Question, value: object, number: int) -> object:
        if question.question_id == "child_id" and str(value).isdigit():
            return int(str(value))
        return as_datetime(value, question)

    workbook = openpyxl.Workbook()
    workbook.active.title = "Read me"
    workbook.active.append(["Care Plan Audit responses, exported from the form tool"])
    sheet = workbook.create_sheet("Responses")
    sheet.append(["Care Plan Audit - August 2022"])
    sheet.append([])
    for row in rendered(rows_2022[:half], "2022", 0, xlsx_cell):
        sheet.append([None if v == "" else v for v in row])
    (landing / "2022").mkdir(parents=True)
    workbook.save(landing / "2022" / "August 2022 (part 1).xlsx")

    # 2022, second half: Windows-1252 CSV, CRLF, a title row, some ISO dates, blank cells
    # written as spaces.
    def cp1252_cell(question: Question, value: object, number: int) -> object:
        if value == "":
            return "   "
        if number % 3 == 0 and question.question_type == "datetime" and value:
            return as_datetime(value, question).isoformat()  # type: ignore[union-attr]
        return value

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(["Care Plan Audit \u2013 August 2022 (part 2)"])
    writer.writerows(rendered(rows_2022[half:], "2022", 1, cp1252_cell))
    (landing / "2022" / "August 2022 (part 2).csv").write_bytes(text.getvalue().encode("cp1252"))

    # 2021: the XLSX as a UTF-8 CSV with a byte order mark, CRLF, UK dates as text.
    def uk_text(question: Question, value: object, number: int) -> object:
        if isinstance(value, datetime):
            return value.strftime(
                UK_DATETIME if question.question_type == "datetime" else "%d/%m/%Y"
            )
        return "" if value is None else value

    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rendered(rows_2021, "2021", 0, uk_text))
    (landing / "2021").mkdir()
    (landing / "2021" / "audits 2021.csv").write_bytes(text.getvalue().encode("utf-8-sig"))


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("messy_landing")
    data_dir = tmp_path_factory.mktemp("messy_data")
    write_messy_copy(landing)
    env = careaudit_env(CAREAUDIT_PSEUDONYMISATION_KEY="messy-copy-key", **SAMPLE_ENV)
    result = refresh_landing(landing, data_dir, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return data_dir


def test_the_messy_copy_really_is_messy(tmp_path: Path) -> None:
    write_messy_copy(tmp_path)
    part_2 = (tmp_path / "2022" / "August 2022 (part 2).csv").read_bytes()
    audits_2021 = (tmp_path / "2021" / "audits 2021.csv").read_bytes()
    assert b"\r\n" in part_2 and b"\x92" in part_2  # CRLF and a Windows-1252 apostrophe
    with pytest.raises(UnicodeDecodeError):
        part_2.decode("utf-8")
    assert audits_2021.startswith(b"\xef\xbb\xbf")
    assert "CHILD\u2019S  NAME".encode() in audits_2021  # retyped headers
    assert b"; " in audits_2021  # multi-selects with spaces
    assert b",YES," in audits_2021 and b",Y," in audits_2021  # aliases in any case
    assert b"2022-08-" in part_2  # ISO dates beside UK ones


def test_metrics_from_the_messy_copy_equal_those_from_the_clean_sample(messy_run, sample_run):
    clean_dir, _ = sample_run
    published = Path("publish") / "internal" / "metrics.csv"

    assert (messy_run / published).read_bytes() == (clean_dir / published).read_bytes()


def test_the_messy_copy_loads_every_row_with_only_the_encoding_noted(messy_run, sample_run):
    clean_dir, _ = sample_run
    files = warehouse_rows(
        messy_run,
        "select source_file, file_format, encoding, sheet_name, header_row, rows_read, "
        "rows_rejected from raw.landed_files order by source_file",
    )
    findings = warehouse_rows(
        messy_run, "select source_file, severity, reason from reporting.rpt_ingest_report"
    )
    audits = warehouse_rows(messy_run, "select count(*) from marts.fct_audits")
    clean_audits = warehouse_rows(clean_dir, "select count(*) from marts.fct_audits")
    assert files == [
        ("2021/audits 2021.csv", "csv", "utf-8-sig", None, 1, 202, 0),
        ("2022/August 2022 (part 1).xlsx", "xlsx", None, "sheet 2", 3, 121, 0),  # after notes
        ("2022/August 2022 (part 2).csv", "csv", "cp1252", None, 2, 122, 0),
    ]
    assert [(file, severity) for file, severity, _ in findings] == [
        ("2022/August 2022 (part 2).csv", "warning")
    ]
    assert findings[0][2].startswith("the file is Windows-1252 text, not UTF-8")
    assert audits == clean_audits
