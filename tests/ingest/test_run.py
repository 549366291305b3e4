"""Ingesting a landing folder into a DuckDB warehouse: safe to repeat, all or nothing, keyed."""

import csv
import hashlib
import shutil
import stat
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest.landing import list_landing_folder
from orchestration.lib.ingest.load import KeyMismatchError
from orchestration.lib.ingest.pseudonymise import Pseudonymiser
from orchestration.lib.ingest.run import (
    KEY_CHECK_MESSAGE,
    MissingKeyError,
    ingest_landing_folder,
)
from orchestration.paths import SAMPLE_EXTRACTS_DIR
from orchestration.settings import DEVELOPMENT_KEY, Settings
from tests.exports import audit, write_export

from .conftest import TEST_KEY

Query = Callable[[str], list[tuple]]
RAW_TABLES = ("audit_submissions", "audit_answers", "ingest_findings", "landed_files")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def statuses(outcomes) -> dict[str, str]:
    return {o.source_file: o.status for o in outcomes}


def counts(query: Query) -> dict[str, int]:
    return {t: query(f"select count(*) from raw.{t}")[0][0] for t in RAW_TABLES}


def snapshot(query: Query) -> dict[str, list[tuple]]:
    """Every row of every raw table, in a stable order."""
    return {t: sorted(query(f"select * from raw.{t}"), key=repr) for t in RAW_TABLES}


def write_two_exports(landing: Path) -> None:
    write_export(
        landing / "august.csv",
        [audit(child_id="ICS0001", uasc="Yes"), audit(child_id="ICS0002", uasc="maybe")],
    )
    write_export(
        landing / "2021" / "july.xlsx",
        [
            audit(
                child_id="ICS0003",
                review_date=datetime(2021, 7, 1),
                completed_at=datetime(2021, 7, 2, 9, 0),
                uasc="No",
            )
        ],
        version="2021",
        title_rows=[["Care Plan Audit, July 2021"]],
    )


# ---- loading ----


def test_a_landing_folder_is_loaded_with_lineage(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_two_exports(landing)
    csv_sha = sha256(landing / "august.csv")

    outcomes = ingest_landing_folder(settings, catalogue)

    assert [(o.source_file, o.status, o.form_version, o.rows_loaded) for o in outcomes] == [
        ("2021/july.xlsx", "loaded", "2021", 1),
        ("august.csv", "loaded", "2022", 2),
    ]
    assert query(
        "select la_code, source_file, file_sha256, source_row, form_version, child_id "
        "from raw.audit_submissions where source_file = 'august.csv' order by source_row"
    ) == [
        (
            "E10000014",
            "august.csv",
            csv_sha,
            2,
            "2022",
            Pseudonymiser(TEST_KEY).pseudonym("ICS0001"),
        ),
        (
            "E10000014",
            "august.csv",
            csv_sha,
            3,
            "2022",
            Pseudonymiser(TEST_KEY).pseudonym("ICS0002"),
        ),
    ]
    assert query(
        "select source_file, form_version, file_format, sheet_name, header_row, rows_read, "
        "rows_loaded, rows_rejected, is_current from raw.landed_files order by source_file"
    ) == [
        ("2021/july.xlsx", "2021", "xlsx", "sheet 1", 2, 1, 1, 0, True),
        ("august.csv", "2022", "csv", None, 1, 2, 2, 0, True),
    ]
    assert query(
        "select source_file, source_row, question_id, offending_value, severity "
        "from raw.ingest_findings"
    ) == [("august.csv", 3, "uasc", "text of 1 word, 5 characters: letters", "missing_answer")]
    assert query(
        "select source_row, answer_code from raw.audit_answers "
        "where question_id = 'uasc' and file_sha256 = '" + csv_sha + "' order by source_row"
    ) == [(2, "yes"), (3, None)]


def test_ingesting_the_same_folder_twice_changes_nothing(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_two_exports(landing)
    ingest_landing_folder(settings, catalogue)
    before = snapshot(query)

    outcomes = ingest_landing_folder(settings, catalogue)

    assert statuses(outcomes) == {"2021/july.xlsx": "unchanged", "august.csv": "unchanged"}
    assert snapshot(query) == before
    assert counts(query)["landed_files"] == 2


def test_a_corrected_file_with_the_same_name_replaces_its_earlier_rows(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_two_exports(landing)
    ingest_landing_folder(settings, catalogue)
    first_sha = sha256(landing / "august.csv")
    xlsx_rows = query("select * from raw.audit_submissions where source_file = '2021/july.xlsx'")

    write_export(
        landing / "august.csv",
        [
            audit(child_id="ICS0001", uasc="Yes"),
            audit(child_id="ICS0002", uasc="No"),
            audit(child_id="ICS0009", uasc="No"),
        ],
    )
    outcomes = ingest_landing_folder(settings, catalogue)

    second_sha = sha256(landing / "august.csv")
    assert statuses(outcomes) == {"2021/july.xlsx": "unchanged", "august.csv": "replaced"}
    assert query(
        "select file_sha256, is_current, replaced_at is not null from raw.landed_files "
        "where source_file = 'august.csv' order by is_current"
    ) == [(first_sha, False, True), (second_sha, True, False)]
    assert query(
        "select file_sha256, count(*) from raw.audit_submissions "
        "where source_file = 'august.csv' group by all"
    ) == [(second_sha, 3)]
    for table in ("audit_submissions", "audit_answers", "ingest_findings"):
        assert query(f"select count(*) from raw.{table} where file_sha256 = '{first_sha}'") == [
            (0,)
        ]
    assert query("select count(*) from raw.ingest_findings") == [(0,)]  # "maybe" was corrected
    assert (
        query("select * from raw.audit_submissions where source_file = '2021/july.xlsx'")
        == xlsx_rows
    )


def test_a_file_corrected_back_to_its_first_content_is_loaded_again(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    first = [audit(child_id="ICS0001")]
    write_export(landing / "a.csv", first)
    ingest_landing_folder(settings, catalogue)
    write_export(landing / "a.csv", [audit(child_id="ICS0002")])
    ingest_landing_folder(settings, catalogue)
    write_export(landing / "a.csv", first)

    outcomes = ingest_landing_folder(settings, catalogue)

    assert statuses(outcomes) == {"a.csv": "replaced"}
    assert query("select child_id from raw.audit_submissions") == [
        (Pseudonymiser(TEST_KEY).pseudonym("ICS0001"),)
    ]
    assert query(
        "select count(*) from raw.landed_files where source_file = 'a.csv' and is_current"
    ) == [(1,)]


def test_the_same_content_under_a_second_name_is_loaded_once(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_export(landing / "august.csv", [audit(child_id="ICS0001"), audit(child_id="ICS0002")])
    (landing / "resent").mkdir()
    shutil.copyfile(landing / "august.csv", landing / "resent" / "august (1).csv")

    first = ingest_landing_folder(settings, catalogue)

    assert statuses(first) == {"august.csv": "loaded", "resent/august (1).csv": "duplicate"}
    assert first[1].note == "same content as august.csv, whose rows hold it"
    assert query("select source_file, rows_loaded from raw.landed_files") == [("august.csv", 2)]
    assert counts(query)["audit_submissions"] == 2
    # The copy is recorded as a second name holding the content: unchanged from then on.
    assert statuses(ingest_landing_folder(settings, catalogue)) == {
        "august.csv": "unchanged",
        "resent/august (1).csv": "unchanged",
    }
    assert counts(query)["audit_submissions"] == 2


def test_hidden_partial_lock_and_clutter_files_are_not_exports(landing: Path) -> None:
    names = ("a.csv", "b.XLSX", "~$b.xlsx", ".hidden.csv", "a.csv.partial", "c.csv.part")
    for name in (*names, "Thumbs.db", "desktop.ini", "notes.txt"):
        (landing / name).write_bytes(b"x")
    (landing / ".tmp").mkdir()
    (landing / ".tmp" / "c.csv").write_bytes(b"x")
    (landing / "2021").mkdir()
    (landing / "2021" / "d.csv").write_bytes(b"x")

    # Anything else is an export to load or to refuse by name (notes.txt: unsupported type).
    assert [f.name for f in list_landing_folder(landing)] == [
        "2021/d.csv",
        "a.csv",
        "b.XLSX",
        "notes.txt",
    ]


# ---- one file refused, the others loaded ----


def test_an_unreadable_file_is_quarantined_and_the_others_load(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_export(landing / "good.csv", [audit()])
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    (landing / "bad.csv").write_bytes(png)

    outcomes = ingest_landing_folder(settings, catalogue)

    assert statuses(outcomes) == {"bad.csv": "refused", "good.csv": "loaded"}
    assert outcomes[0].note == "is not text but a PNG image, so it cannot be a CSV export"
    assert query("select source_file, rows_loaded from raw.landed_files") == [("good.csv", 1)]
    assert query("select source_file, severity, reason from raw.ingest_findings") == [
        ("bad.csv", "refused_file", outcomes[0].note)
    ]
    assert not (landing / "bad.csv").exists()
    assert (settings.quarantine_dir / "bad.csv").read_bytes() == png
    reason = (settings.quarantine_dir / "bad.csv.reason.txt").read_text()
    assert f"reason:   {outcomes[0].note}\n" in reason


def test_a_failed_load_leaves_an_existing_warehouse_as_it_was(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query, monkeypatch
) -> None:
    write_export(landing / "july.csv", [audit(child_id="ICS0001")])
    ingest_landing_folder(settings, catalogue)
    before = snapshot(query)
    write_export(landing / "august.csv", [audit(child_id="ICS0002")])
    write_export(landing / "july.csv", [audit(child_id="ICS0003")])  # a correction
    (landing / "october.csv").write_bytes(b"")

    def fail_at_the_last_insert(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(
        "orchestration.lib.ingest.load._insert_landed_file", fail_at_the_last_insert
    )
    with pytest.raises(OSError, match="disk full"):
        ingest_landing_folder(settings, catalogue)

    assert snapshot(query) == before
    assert (landing / "october.csv").exists()  # quarantined only after a commit


# ---- the pseudonymisation key ----


def test_without_a_key_only_the_bundled_sample_is_ingested(
    settings: Settings, landing: Path, catalogue: FormCatalogue
) -> None:
    write_export(landing / "august.csv", [audit()])

    with pytest.raises(MissingKeyError) as error:
        ingest_landing_folder(replace(settings, pseudonymisation_key=None), catalogue)

    message = str(error.value)
    assert message.startswith("CAREAUDIT_PSEUDONYMISATION_KEY is not set.")
    assert "python -c 'import secrets; print(secrets.token_hex(32))'" in message
    assert "set it in the environment of every run" in message
    assert not settings.warehouse_path.exists()
    assert not settings.archive_dir.exists()


def test_without_a_key_the_bundled_sample_loads_with_the_development_key(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    for sample in sorted(SAMPLE_EXTRACTS_DIR.iterdir()):
        shutil.copyfile(sample, landing / sample.name)

    outcomes = ingest_landing_folder(replace(settings, pseudonymisation_key=None), catalogue)

    assert [(o.source_file, o.status, o.form_version, o.rows_rejected) for o in outcomes] == [
        ("care_plan_audit_2021-08.xlsx", "loaded", "2021", 0),
        ("care_plan_audit_2022-08.csv", "loaded", "2022", 0),
    ]
    development = Pseudonymiser(DEVELOPMENT_KEY)
    assert query("select fingerprint from raw.pseudonymisation_key") == [
        (development.pseudonym(KEY_CHECK_MESSAGE),)
    ]
    with (landing / "care_plan_audit_2022-08.csv").open(encoding="utf-8", newline="") as f:
        first_child = next(csv.DictReader(f))["Child's ICS number"]
    assert (
        query(
            "select count(*) from raw.audit_submissions "
            f"where child_id = '{development.pseudonym(first_child)}'"
        )[0][0]
        >= 1
    )


def test_without_a_key_an_edited_copy_of_the_sample_is_refused(
    settings: Settings, landing: Path, catalogue: FormCatalogue
) -> None:
    sample = SAMPLE_EXTRACTS_DIR / "care_plan_audit_2022-08.csv"
    (landing / sample.name).write_bytes(sample.read_bytes() + b"\n")

    with pytest.raises(MissingKeyError):
        ingest_landing_folder(replace(settings, pseudonymisation_key=None), catalogue)

    assert not settings.warehouse_path.exists()


def test_a_run_with_a_different_key_is_refused_and_loads_nothing(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_export(landing / "july.csv", [audit(child_id="ICS0001")])
    ingest_landing_folder(settings, catalogue)
    before = snapshot(query)
    write_export(landing / "august.csv", [audit(child_id="ICS0002")])

    with pytest.raises(KeyMismatchError, match="different CAREAUDIT_PSEUDONYMISATION_KEY"):
        ingest_landing_folder(replace(settings, pseudonymisation_key="another-key"), catalogue)

    assert snapshot(query) == before
    assert statuses(ingest_landing_folder(settings, catalogue)) == {
        "august.csv": "loaded",
        "july.csv": "unchanged",
    }


def test_a_different_key_is_refused_even_when_no_file_is_new(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_export(landing / "july.csv", [audit(child_id="ICS0001")])
    ingest_landing_folder(settings, catalogue)

    with pytest.raises(KeyMismatchError):
        ingest_landing_folder(replace(settings, pseudonymisation_key="another-key"), catalogue)


def test_the_key_is_checked_before_anything_is_archived(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_export(landing / "july.csv", [audit(child_id="ICS0001")])
    ingest_landing_folder(settings, catalogue)
    archived = sorted(settings.archive_dir.rglob("*"))
    write_export(landing / "august.csv", [audit(child_id="ICS0002")])

    with pytest.raises(KeyMismatchError):
        ingest_landing_folder(replace(settings, pseudonymisation_key="another-key"), catalogue)

    assert sorted(settings.archive_dir.rglob("*")) == archived


# ---- the archive ----


def test_the_archive_copy_is_byte_identical_read_only_and_named_by_sha256(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    original = write_export(landing / "Sub" / "August.XLSX", [audit(child_id=1234567)])
    digest = sha256(original)

    ingest_landing_folder(settings, catalogue)

    copy = settings.archive_dir / digest[:2] / f"{digest}.xlsx"
    assert query("select archive_path from raw.landed_files") == [(str(copy),)]
    assert copy.read_bytes() == original.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o444
    assert sorted(p.name for p in settings.archive_dir.rglob("*") if p.is_file()) == [copy.name]
    assert original.exists()  # the landing folder is never changed
