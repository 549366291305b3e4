"""No free text reaches the warehouse: a field that becomes a breakdown (the district) keeps only
a code of the authority's reference data, answers keep only codes, a response id only a
pseudonym, a sheet only its position; and a warehouse an earlier version filled with what
people typed is cleaned by the first batch of this one."""

from dataclasses import replace
from pathlib import Path

import duckdb
import openpyxl

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest.pseudonymise import Pseudonymiser
from orchestration.lib.ingest.run import ingest_landing_folder
from orchestration.settings import Settings
from tests.exports import audit, write_export

from .conftest import TEST_KEY

NAME = "Zebedee Quarrington"
EMAIL = "z.quarrington@council.example"
CASE_NUMBER = "7734512"
TYPED = (NAME, EMAIL, CASE_NUMBER, "Quarrington", "7734512")


def everything_stored(settings: Settings) -> str:
    """Every column name and cell of every raw table, as one text."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
        return "\n".join(
            repr(con.table(f"raw.{t}").columns) + repr(con.table(f"raw.{t}").fetchall())
            for (t,) in tables
        )


def test_a_district_is_stored_as_its_reference_code_however_it_is_spelled(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query
) -> None:
    spellings = ["Hart", " hart.", "E07000089", "Basingstoke & Deane", "", "New  Forest"]
    write_export(
        landing / "a.csv",
        [audit(child_id=f"ICS{n}", district=d) for n, d in enumerate(spellings)],
    )

    ingest_landing_folder(settings, catalogue)

    assert query("select district from raw.audit_submissions order by source_row") == [
        ("E07000089",),
        ("E07000089",),
        ("E07000089",),
        ("E07000084",),
        (None,),
        ("E07000091",),
    ]
    assert query("select count(*) from raw.ingest_findings") == [(0,)]


def test_what_people_type_where_free_text_goes_is_never_stored(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query
) -> None:
    rows = [
        audit(child_id="ICS0001", district=NAME, uasc=NAME, response_id=NAME),
        audit(child_id="ICS0002", district=EMAIL, cp_signed_by=f"Child;{EMAIL}", response_id=EMAIL),
        audit(child_id="ICS0003", district=CASE_NUMBER, age_band=CASE_NUMBER),
    ]
    write_export(landing / "a.xlsx", rows, extra={EMAIL: "x", CASE_NUMBER: "y"})
    workbook = openpyxl.load_workbook(landing / "a.xlsx")
    workbook.active.title = NAME
    workbook.save(landing / "a.xlsx")

    [outcome] = ingest_landing_folder(settings, catalogue)

    assert (outcome.status, outcome.rows_loaded, outcome.sheet_name) == ("loaded", 3, "sheet 1")
    stored = everything_stored(settings)
    assert [text for text in TYPED if text.casefold() in stored.casefold()] == []
    assert query("select district from raw.audit_submissions") == [(None,)] * 3
    pseudonyms = sorted(Pseudonymiser(TEST_KEY).pseudonym(text) for text in (NAME, EMAIL))
    assert query("select response_id from raw.audit_submissions order by 1") == [
        *[(p,) for p in pseudonyms],
        (None,),
    ]
    assert query(
        "select answer_status, count(*) from raw.audit_answers "
        "where question_id in ('uasc', 'cp_signed_by', 'age_band') and answer_status <> 'blank' "
        "group by all"
    ) == [("unrecognised", 3)]
    assert [c for (c,) in query("select column_name from (describe raw.audit_answers)")] == [
        "file_sha256",
        "source_row",
        "question_id",
        "answer_code",
        "answer_status",
        "submission_key",
    ]


def test_a_sheet_is_recorded_by_its_name_only_when_the_configuration_names_it(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query
) -> None:
    write_export(landing / "a.xlsx", [audit()], notes_sheet_first=True)

    ingest_landing_folder(replace(settings, export_sheet="EXPORT"), catalogue)

    assert query("select sheet_name from raw.landed_files") == [("Export",)]


def test_a_warehouse_an_earlier_version_filled_with_typed_text_is_cleaned(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query
) -> None:
    write_export(landing / "old.xlsx", [audit(child_id="ICS0001"), audit(child_id="ICS0002")])
    ingest_landing_folder(settings, catalogue)
    # What an earlier version stored: the cells as typed.
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("alter table raw.audit_answers add column answer_text varchar")
        con.execute(f"update raw.audit_answers set answer_text = '{NAME}'")
        con.execute(
            "update raw.audit_submissions set response_id = '17', "
            f"district = case source_row when 2 then 'hart' else '{NAME}' end"
        )
        con.execute(f"update raw.landed_files set sheet_name = '{NAME}'")
        con.execute(
            "insert into raw.ingest_findings select la_code, source_file, file_sha256, 3, "
            "'Is the child an Unaccompanied Asylum Seeking Child (UASC)?', 'uasc', "
            f"'{CASE_NUMBER}', 'missing_answer', '\"{CASE_NUMBER}\" is not an answer the 2022 "
            'form offers (it offers "Yes", "No"); the answer is treated as missing\', '
            "ingested_at from raw.landed_files"
        )
        con.execute(
            "insert into raw.ingest_findings select la_code, source_file, file_sha256, 1, "
            f"'{EMAIL}', null, '{EMAIL}', 'warning', 'column AQ matches no question of the "
            "2022 form; it is ignored', ingested_at from raw.landed_files"
        )
    assert NAME in everything_stored(settings)

    write_export(landing / "new.csv", [audit(child_id="ICS0003", district="Havant")])
    ingest_landing_folder(settings, catalogue)

    stored = everything_stored(settings)
    assert [text for text in TYPED if text.casefold() in stored.casefold()] == []
    assert query(
        "select source_row, district, response_id from raw.audit_submissions "
        "order by source_file desc, source_row"
    ) == [
        (2, "E07000089", None),  # "hart" was Hart: kept, as its code
        (3, None, None),  # the name typed as the district: not recorded
        (2, "E07000090", None),  # loaded by this version
    ]
    assert query(
        "select column_header, offending_value, reason from raw.ingest_findings order by 1"
    ) == [
        (
            "Is the child an Unaccompanied Asylum Seeking Child (UASC)?",
            "text of 1 word, 7 characters: digits",
            "a value (text of 1 word, 7 characters: digits) is not an answer the 2022 form "
            'offers (it offers "Yes", "No"); the answer is treated as missing',
        ),
        (
            "text of 1 word, 29 characters: letters and the symbols . @",
            "text of 1 word, 29 characters: letters and the symbols . @",
            "column AQ matches no question of the 2022 form; it is ignored",
        ),
    ]
