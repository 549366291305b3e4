"""No child's or officer's identity can be read out of anything careaudit writes.

Exports holding known case numbers, names and emails (loaded rows, rejected rows, a refused
file, a workbook) are refreshed with `careaudit refresh`; then every table of the warehouse,
every file under the data dir (reporting.duckdb table by table) and the Dagster event log are
searched for those strings. Only the originals kept as they arrived (the archive, and the
refused files themselves in the quarantine) may hold them. Besides the columns meant for them,
names, emails and case numbers are typed where free text goes unchecked: as the district (a
breakdown label), as answers, as response ids, as unknown column headers and sheet names, and
in a row shifted by an unquoted comma. The same run shows the ingest report, the Dagster
metadata and the published CSVs' formula neutralisation."""

import csv
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance

from orchestration.defs.ingest import RECONCILIATION_CHECK
from orchestration.lib.ingest.pseudonymise import Pseudonymiser
from tests.exports import answered_audit, csv_bytes, export_table, write_export
from tests.support import careaudit_env, live_formulas, refresh_landing

pytestmark = pytest.mark.slow

KEY = "personal-data-test-key"
CHILD_IDS = ["PII-CHILD-4471", "PII-CHILD-4472", "PII-CHILD-4474", "PII-CHILD-4475"]
REFUSED_CHILD = "PII-CHILD-4480"
XLSX_CHILD = "7734512"
NAMES = [
    "Zebedee Quarrington",
    "Ottoline Fairweather",
    "Barnaby Thistlewood",
    "Philippa Marchbanks",
    "Wilhelmina Crabtree",
    "Cornelius Ashdown",
]
EMAILS = ["philippa.marchbanks@council-pii.example", "c.ashdown@council-pii.example"]
# Typed where free text goes: district, answers, response id, headers, sheet names.
STRAY_NAMES = [
    "Tallulah Bramblewood",
    "Octavius Pennyfeather",
    "Rosalind Quibble",
    "Marigold Featherstonehaugh",
    "Percival Snodgrass",
]
STRAY_EMAILS = [
    "t.bramblewood@council-pii.example",
    "o.pennyfeather@council-pii.example",
    "r.quibble@council-pii.example",
    "hdr.owner@council-pii.example",
    "p.snodgrass@council-pii.example",
]
STRAY_CASE_NUMBERS = ["88412907", "88412908", "88412909", "88412910", "88412911", "88412912"]
SECRETS = [
    *CHILD_IDS,
    REFUSED_CHILD,
    XLSX_CHILD,
    *NAMES,
    *EMAILS,
    *STRAY_NAMES,
    *STRAY_EMAILS,
    *STRAY_CASE_NUMBERS,
    "council-pii",
    "Wilhelmina",
]
FORMULA = '=HYPERLINK("http://example.org/x","click")'
OPEN_DATA_BREAKDOWNS = "care_plan_audit_metrics_by_characteristic.csv"
# The ingest report publishes file names: one named like a formula shows the neutralisation.
HOSTILE = "=hostile.csv"
COMPLETED = "16/08/2022 10:30"
UASC = "Is the child an Unaccompanied Asylum Seeking Child (UASC)?"
OTHER_HEALTH_FOLLOW_UPS = (
    "health_improved",
    "health_physical_activity",
    "health_attachment",
    "health_bedtime_routine",
    "health_healthy_diet",
)


def person(number: int, child_id: str, child: str, officer: str, email: str, **cells) -> dict:
    return answered_audit(
        "2022",
        number,
        COMPLETED,
        child_id=child_id,
        child_name=child,
        iro_name=officer,
        iro_email=email,
        **cells,
    )


def write_landing(landing: Path) -> None:
    officer, email = NAMES[3], EMAILS[0]
    rows = [
        person(1, CHILD_IDS[0], NAMES[0], officer, email),  # row 2: loaded
        person(2, CHILD_IDS[1], NAMES[1], officer, email, review_date="31/02/2022"),  # rejected
        person(3, "", NAMES[2], officer, email),  # row 4: rejected, no child id
        person(4, CHILD_IDS[2], NAMES[0], officer, email, uasc=FORMULA),  # unrecognised answer
        # row 6: answered a follow-up the form does not ask when the plan is not on ICS
        person(
            5,
            CHILD_IDS[3],
            NAMES[1],
            officer,
            email,
            health_plan_on_ics="No - other reason",
            health_plan_adequate="Yes",
            **dict.fromkeys(OTHER_HEALTH_FOLLOW_UPS, ""),
        ),
        person(1, CHILD_IDS[0], NAMES[0], officer, email),  # row 7: the same as row 2
    ]
    write_export(landing / "2022" / "pii.csv", rows)
    refused = person(9, REFUSED_CHILD, NAMES[4], officer, email)
    write_export(
        landing / "2022" / "refused.csv",
        [refused],
        omit=["review_date"],
        extra={"Notes from Wilhelmina": "call back"},  # named in the refusal by its shape
    )
    workbook_row = person(
        10,
        XLSX_CHILD,
        NAMES[5],
        NAMES[5],
        EMAILS[1],
        review_date=datetime(2022, 8, 1),
        completed_at=datetime(2022, 8, 2, 9, 0),
    )
    workbook_row["child_id"] = int(XLSX_CHILD)
    workbook = write_export(landing / "2022" / "workbook.xlsx", [workbook_row])
    rename_sheets(workbook, [STRAY_CASE_NUMBERS[4]])
    write_hostile(landing / HOSTILE, officer, email)
    two_sheets = write_export(
        landing / "2022" / "sheets.xlsx",
        [person(20, "PII-CHILD-4490", NAMES[2], officer, email)],
    )
    add_copy_of_first_sheet(two_sheets)
    rename_sheets(two_sheets, [STRAY_NAMES[4], STRAY_EMAILS[4]])


def rename_sheets(path: Path, titles: list[str]) -> None:
    workbook = openpyxl.load_workbook(path)
    for sheet, title in zip(workbook.worksheets, titles, strict=True):
        sheet.title = title
    workbook.save(path)


def add_copy_of_first_sheet(path: Path) -> None:
    workbook = openpyxl.load_workbook(path)
    workbook.copy_worksheet(workbook.worksheets[0])
    workbook.save(path)


def write_hostile(path: Path, officer: str, email: str) -> None:
    """Names, emails and case numbers where free text goes, and a shifted row."""
    names, emails, numbers = STRAY_NAMES, STRAY_EMAILS, STRAY_CASE_NUMBERS
    rows = [
        person(31, "PII-CHILD-5001", NAMES[0], officer, email, district=names[0]),  # row 2
        person(32, "PII-CHILD-5002", NAMES[0], officer, email, district=emails[0]),
        person(33, "PII-CHILD-5003", NAMES[0], officer, email, district=numbers[0]),
        person(34, "PII-CHILD-5004", NAMES[0], officer, email, uasc=names[1]),  # row 5
        person(35, "PII-CHILD-5005", NAMES[0], officer, email, child_life_improved=emails[1]),
        person(36, "PII-CHILD-5006", NAMES[0], officer, email, cp_signed_by=f"Child;{numbers[1]};"),
        person(37, "PII-CHILD-5007", NAMES[0], officer, email, response_id=names[2]),  # row 8
        person(38, "PII-CHILD-5008", NAMES[0], officer, email, response_id=emails[2]),
        person(39, "PII-CHILD-5009", NAMES[0], officer, email, response_id=numbers[2]),
    ]
    extra = {emails[3]: "ok", numbers[3]: "ok"}  # unknown columns: an email, a number
    data = csv_bytes(export_table(rows, extra=extra))
    # Row 11: "Crabtree, Wilhelmina" unquoted: every later field moves one column right, so
    # the child's name lands under "Date of CLA review".
    shifted = person(40, numbers[5], names[3], "Crabtree, Wilhelmina", email)
    cells = export_table([shifted], extra=extra)[1]
    path.write_bytes(data + ",".join(str(c) for c in cells).encode() + b"\n")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    landing = tmp_path_factory.mktemp("pii_landing")
    data_dir = tmp_path_factory.mktemp("pii_data")
    write_landing(landing)
    result = refresh_landing(
        landing,
        data_dir,
        env=careaudit_env(CAREAUDIT_PSEUDONYMISATION_KEY=KEY),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return landing, data_dir, result.stdout + result.stderr


def found_in(text: str) -> list[str]:
    folded = text.casefold()
    return [secret for secret in SECRETS if secret.casefold() in folded]


def warehouse_text(path: Path) -> dict[str, str]:
    """Every table of the database, every column and cell, as text per table."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        return {
            f"{schema}.{name}": repr(con.table(f'"{schema}"."{name}"').columns)
            + repr(con.table(f'"{schema}"."{name}"').fetchall())
            for schema, name in tables
        }


def test_the_landing_files_do_hold_the_personal_data(run) -> None:
    landing, data_dir, _ = run
    text = "".join(p.read_text() for p in landing.rglob("*.csv"))
    workbooks = [*landing.rglob("*.xlsx"), data_dir / "quarantine" / "2022" / "sheets.xlsx"]
    sheets = [title for path in workbooks for title in openpyxl.load_workbook(path).sheetnames]
    assert set(found_in(text)) >= {*CHILD_IDS, *NAMES[:4], EMAILS[0], *STRAY_NAMES[:4]}
    assert set(found_in(text)) >= {*STRAY_EMAILS[:4], *STRAY_CASE_NUMBERS[:4], "Wilhelmina"}
    assert set(found_in(" ".join(sheets))) == {
        STRAY_CASE_NUMBERS[4],
        STRAY_NAMES[4],
        STRAY_EMAILS[4],
        "council-pii",
    }


def test_no_warehouse_table_holds_an_identifier_or_a_name(run) -> None:
    _, data_dir, _ = run
    tables = warehouse_text(data_dir / "warehouse.duckdb")

    assert len(tables) > 30  # raw, staging, intermediate, marts, reporting, catalogue
    assert {name: found_in(text) for name, text in tables.items() if found_in(text)} == {}
    # the scan sees stored values: the pseudonyms are there
    assert Pseudonymiser(KEY).pseudonym(CHILD_IDS[0]) in tables["raw.audit_submissions"]
    assert Pseudonymiser(KEY).pseudonym(XLSX_CHILD) in tables["raw.audit_submissions"]
    # a response id is kept only as a pseudonym, whatever was typed in it
    assert Pseudonymiser(KEY).pseudonym(STRAY_NAMES[2]) in tables["raw.audit_submissions"]


def test_a_district_that_is_not_in_the_reference_data_is_published_as_not_recorded(
    run,
) -> None:
    _, data_dir, _ = run
    with duckdb.connect(str(data_dir / "publish" / "reporting.duckdb"), read_only=True) as con:
        districts = con.execute(
            "select distinct breakdown, breakdown_label from metric_breakdowns "
            "where breakdown_topic = 'district' order by all"
        ).fetchall()
    with (data_dir / "publish" / "open_data" / OPEN_DATA_BREAKDOWNS).open(newline="") as f:
        published = {
            r["breakdown"] for r in csv.DictReader(f) if r["breakdown_topic"] == "District"
        }

    assert districts == [("E07000089", "Hart"), ("not_recorded", "Not recorded")]
    assert published == {"Hart", "Not recorded"}


def test_no_file_under_the_data_dir_holds_one_except_the_originals(run) -> None:
    _, data_dir, _ = run
    quarantine = data_dir / "quarantine" / "2022"
    originals = [quarantine / "refused.csv", quarantine / "sheets.xlsx"]
    assert sorted(quarantine.iterdir()) == sorted(
        [*originals, *(p.with_name(p.name + ".reason.txt") for p in originals)]
    )
    assert found_in(originals[0].read_text())  # kept as it arrived
    leaks, scanned = {}, 0
    for path in sorted(data_dir.rglob("*")):
        inside_archive = (data_dir / "archive") in path.parents
        if not path.is_file() or inside_archive or path in originals or path.suffix == ".wal":
            continue
        if path.suffix == ".duckdb":  # compressed storage: table by table
            text = repr(warehouse_text(path))
        elif path.suffix == ".parquet":
            text = repr(duckdb.execute("select * from read_parquet(?)", [str(path)]).fetchall())
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
        scanned += 1
        if found_in(text):
            leaks[str(path.relative_to(data_dir))] = found_in(text)

    assert leaks == {}
    assert scanned > 20  # logs, dbt artifacts, published files, reason files, Dagster storage
    assert (data_dir / "publish" / "reporting.duckdb").exists()


def test_the_dagster_event_log_holds_none(run) -> None:
    _, data_dir, output = run
    with DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        (record,) = instance.get_run_records()
        events = instance.all_logs(record.dagster_run.run_id)
        text = "\n".join(repr(event) for event in events)

    assert found_in(text) == []
    assert found_in(output) == []
    assert "2022/pii.csv" in text  # the log does record the ingest, by file name


def test_the_ingest_report_says_what_was_wrong_where_without_personal_data(run) -> None:
    _, data_dir, _ = run
    with (data_dir / "publish" / "internal" / "ingest_report.csv").open(newline="") as f:
        report = list(csv.DictReader(f))
    found = {
        (r["source_file"], r["source_row"], r["column_header"], r["severity"]): (
            r["offending_value"],
            r["reason"],
        )
        for r in report
    }
    hostile = "'" + HOSTILE  # published neutralised: it starts with "="
    not_a_district = (
        '"District" is not one of the districts seeds/catalogue/districts.csv lists for '
        'E10000014 (it lists "Basingstoke and Deane", "East Hampshire", "Eastleigh", '
        '"Fareham", "Gosport", "Hart", "Havant", "New Forest", "Rushmoor", "Test Valley", '
        '"Winchester"); the audit is counted under "Not recorded"'
    )
    email = "text of 1 word, {} characters: letters and the symbols - . @"
    number = "text of 1 word, 8 characters: digits"
    two_words = "text of 2 words, {} characters: letters and spaces"
    formula = 'text of 1 word, 42 characters: letters and the symbols " ( ) , . / : ='
    improved = "Does the child feel that their life has improved since becoming looked after?"
    adequate = "Is the health plan adequate and does it demonstrate the child's health needs fully?"

    assert len(report) == len(found) == 16
    assert found == {
        ("2022/pii.csv", "3", "Date of CLA review", "rejected_row"): (
            "31/02/2022",  # a date is shown as it is
            '"Date of CLA review" is not a date in a recognised form (day first, e.g. '
            "15/08/2022, or ISO); an impossible date is never guessed; the row is rejected",
        ),
        ("2022/pii.csv", "4", "Child's ICS number", "rejected_row"): (
            "",
            '"Child\'s ICS number" is blank: the audit cannot be identified without it; the '
            "row is rejected",
        ),
        ("2022/pii.csv", "5", UASC, "missing_answer"): (
            formula,
            f"a value ({formula}) is not an answer the 2022 form offers (it offers "
            '"Yes", "No"); the answer is treated as missing',
        ),
        ("2022/pii.csv", "6", adequate, "warning"): (
            "Yes",  # the form's label of the answer given
            'answered although the form asks it only when "Is the health plan available on '
            'ICS?" is "Yes"; the answer is left out of the metrics',
        ),
        ("2022/pii.csv", "2", "", "warning"): (
            "",
            "has the same child, review date and completion time as 2022/pii.csv row 7, "
            "which counts; this row is kept as history, not counted",
        ),
        ("2022/refused.csv", "", "", "refused_file"): (
            "",
            'lacks the required column "Date of CLA review" (closest form version: 2022 form, '
            "41 of its 42 headers found); unrecognised headers: column AP (text of 3 words, 21 "
            "characters: letters and spaces)",
        ),
        ("2022/sheets.xlsx", "", "", "refused_file"): (
            "",
            "has Care Plan Audit headers on several sheets (sheet 1, sheet 2, counting from the "
            "left), so which holds the export is ambiguous: set CAREAUDIT_EXPORT_SHEET to the "
            "name of the sheet to load, or delete the others",
        ),
        (hostile, "1", email.format(29), "warning"): (
            "",
            "column AQ matches no question of the 2022 form; it is ignored",
        ),
        (hostile, "1", number, "warning"): (
            "",
            "column AR matches no question of the 2022 form; it is ignored",
        ),
        (hostile, "2", "District", "warning"): (two_words.format(20), not_a_district),
        (hostile, "3", "District", "warning"): (email.format(33), not_a_district),
        (hostile, "4", "District", "warning"): (number, not_a_district),
        (hostile, "5", UASC, "missing_answer"): (
            two_words.format(21),
            f"a value ({two_words.format(21)}) is not an answer the 2022 form offers (it "
            'offers "Yes", "No"); the answer is treated as missing',
        ),
        (hostile, "6", improved, "missing_answer"): (
            email.format(34),
            f"a value ({email.format(34)}) is not an answer the 2022 form offers (it offers "
            '"Yes", "No", "Not known", "Not applicable"); the answer is treated as missing',
        ),
        (hostile, "7", "Who has signed the care plan?", "missing_answer"): (
            f"Child; [{number}]",
            f"selection 2 of 2 ({number}) is not an answer the 2022 form offers (it offers "
            '"Child", "Parent(s)", "Social worker", "Team manager", "No one has signed"); the '
            "answer is treated as missing",
        ),
        # Response ids holding a name, an email, a case number (rows 8-10) are pseudonymised
        # like any identifier: nothing to report. The shifted row is one finding, not one per
        # shifted field (its review date column holds the child's name).
        (hostile, "11", "", "rejected_row"): (
            "",
            "the row has values beyond the header's 44 columns: a value with an unquoted comma "
            "shifts every later answer into the wrong column, so the row is rejected",
        ),
    }


def test_published_csv_cells_never_start_a_formula(run) -> None:
    _, data_dir, _ = run
    cells = [
        cell
        for path in (data_dir / "publish").rglob("*.csv")
        for row in csv.reader(path.open(newline=""))
        for cell in row
    ]
    assert "'" + HOSTILE in cells  # a file name, in the ingest report
    assert live_formulas(cells) == []


def test_the_ingest_asset_shows_each_file_and_row_counts(run) -> None:
    _, data_dir, _ = run
    with DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        landed = instance.get_latest_materialization_event(AssetKey(["raw", "landed_files"]))
        submissions = instance.get_latest_materialization_event(
            AssetKey(["raw", "audit_submissions"])
        )
        (check,) = instance.event_log_storage.get_asset_check_execution_history(
            AssetCheckKey(AssetKey(["raw", "audit_submissions"]), RECONCILIATION_CHECK),
            limit=1,
        )
    summary = landed.asset_materialization.metadata["files"].value
    assert (
        "| 2022/pii.csv | loaded | 2022-08 | 2022 | csv utf-8 | 6 | 4 | 2 | 1 | 0 |  |" in summary
    )
    assert "| 2022/refused.csv | refused |" in summary
    assert "| 2022/sheets.xlsx | refused |" in summary
    # a workbook's sheet is named by its position: its own name was a case number
    assert (
        "| 2022/workbook.xlsx | loaded | 2022-08 | 2022 | xlsx sheet 1 | 1 | 1 | 0 | 0 | 0 |  |"
        in summary
    )
    assert f"| {HOSTILE} | loaded | 2022-08 | 2022 | csv utf-8 | 10 | 9 | 1 | 3 | 5 |  |" in summary
    assert submissions.asset_materialization.metadata["dagster/row_count"].value == 14
    assert check.event.dagster_event.event_specific_data.passed
