"""No child's or officer's identity can be read out of anything careaudit writes.

Exports holding known case numbers, names and emails (loaded rows, rejected rows, a refused
file, a workbook) are refreshed with `careaudit refresh`; then every table of the warehouse,
every file under the data dir and the Dagster event log are searched for those strings. Only
the originals kept as they arrived (the archive, and the refused file itself in the quarantine)
may hold them. The same run shows the ingest report, the Dagster metadata and the published
CSVs' formula neutralisation."""

import csv
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance

from orchestration.ingest.assets import RECONCILIATION_CHECK
from orchestration.ingest.pseudonymise import Pseudonymiser
from tests.exports import answered_audit, write_export
from tests.support import careaudit_env, run_careaudit

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
SECRETS = [*CHILD_IDS, REFUSED_CHILD, XLSX_CHILD, *NAMES, *EMAILS, "council-pii"]
FORMULA = '=HYPERLINK("http://example.org/x","click")'
COMPLETED = "16/08/2022 10:30"
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
    write_export(landing / "2022" / "refused.csv", [refused], omit=["review_date"])
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
    write_export(landing / "2022" / "workbook.xlsx", [workbook_row])


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    landing = tmp_path_factory.mktemp("pii_landing")
    data_dir = tmp_path_factory.mktemp("pii_data")
    write_landing(landing)
    result = run_careaudit(
        "refresh",
        "--landing",
        str(landing),
        "--data-dir",
        str(data_dir),
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
    landing, _, _ = run
    text = "".join(p.read_text() for p in landing.rglob("*.csv"))
    assert set(found_in(text)) >= {*CHILD_IDS, *NAMES[:3], EMAILS[0]}


def test_no_warehouse_table_holds_an_identifier_or_a_name(run) -> None:
    _, data_dir, _ = run
    tables = warehouse_text(data_dir / "warehouse.duckdb")

    assert len(tables) > 30  # raw, staging, intermediate, marts, reporting, catalogue
    assert {name: found_in(text) for name, text in tables.items() if found_in(text)} == {}
    # the scan sees stored values: the pseudonyms are there
    assert Pseudonymiser(KEY).pseudonym(CHILD_IDS[0]) in tables["raw.audit_submissions"]
    assert Pseudonymiser(KEY).pseudonym(XLSX_CHILD) in tables["raw.audit_submissions"]


def test_no_file_under_the_data_dir_holds_one_except_the_originals(run) -> None:
    _, data_dir, _ = run
    original = data_dir / "quarantine" / "2022" / "refused.csv"
    assert original.exists() and found_in(original.read_text())  # kept as it arrived
    leaks, scanned = {}, 0
    for path in sorted(data_dir.rglob("*")):
        inside_archive = (data_dir / "archive") in path.parents
        if not path.is_file() or inside_archive or path == original:
            continue
        if path.suffix in (".duckdb", ".wal"):
            continue  # compressed storage: scanned table by table above
        if path.suffix == ".parquet":
            text = repr(duckdb.execute("select * from read_parquet(?)", [str(path)]).fetchall())
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
        scanned += 1
        if found_in(text):
            leaks[str(path.relative_to(data_dir))] = found_in(text)

    assert leaks == {}
    assert scanned > 20  # logs, dbt artifacts, published files, reason file, Dagster storage
    assert (data_dir / "quarantine" / "2022" / "refused.csv.reason.txt").exists()


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
        (r["source_file"], r["source_row"], r["severity"], r["offending_value"]): r["reason"]
        for r in report
    }

    assert found == {
        ("2022/pii.csv", "3", "rejected_row", "31/02/2022"): (
            '"Date of CLA review" is not a date in a recognised form (day first, e.g. '
            "15/08/2022, or ISO); an impossible date is never guessed; the row is rejected"
        ),
        ("2022/pii.csv", "4", "rejected_row", ""): (
            '"Child\'s ICS number" is blank: the audit cannot be identified without it; the '
            "row is rejected"
        ),
        ("2022/pii.csv", "5", "missing_answer", "'" + FORMULA): (
            f'"{FORMULA}" is not an answer the 2022 form offers (it offers "Yes", "No"); the '
            "answer is treated as missing"
        ),
        ("2022/pii.csv", "6", "warning", "Yes"): (
            'answered although the form asks it only when "Is the health plan available on '
            'ICS?" is "Yes"; the answer is left out of the metrics'
        ),
        ("2022/pii.csv", "2", "warning", ""): (
            "has the same child, review date and completion time as 2022/pii.csv row 7, "
            "which counts; this row is kept as history, not counted"
        ),
        ("2022/refused.csv", "", "refused_file", ""): (
            'lacks the required column "Date of CLA review" (closest form version: 2022 form, '
            "41 of its 42 headers found)"
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
    assert "'" + FORMULA in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    assert not [c for c in cells if c.startswith("-") and not _number(c)]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


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
    assert (
        "| 2022/workbook.xlsx | loaded | 2022-08 | 2022 | xlsx Export | 1 | 1 | 0 | 0 | 0 |  |"
        in summary
    )
    assert submissions.asset_materialization.metadata["dagster/row_count"].value == 5
    assert check.event.dagster_event.event_specific_data.passed
