"""The integer submission key ingest gives every export row: the models join tens of millions of
answers on it instead of hashing the file's sha256 and row number."""

from pathlib import Path

import duckdb

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest.run import ingest_landing_folder
from orchestration.settings import Settings
from tests.exports import audit, write_export

# Every answer row's key beside its submission's (by file and row): none may differ or be null.
UNMATCHED_ANSWERS = """
select count(*) from raw.audit_answers as answers
left join raw.audit_submissions as submissions
    on answers.file_sha256 = submissions.file_sha256
    and answers.source_row = submissions.source_row
where answers.submission_key is distinct from submissions.submission_key
"""


def keys(query) -> list[tuple]:
    return query(
        "select source_file, source_row, submission_key >> 32, submission_key & 4294967295 "
        "from raw.audit_submissions order by source_file, source_row"
    )


def test_each_row_and_its_answers_share_one_key_no_other_row_has(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query
) -> None:
    write_export(landing / "a.csv", [audit(child_id="ICS0001"), audit(child_id="ICS0002")])
    ingest_landing_folder(settings, catalogue)
    write_export(landing / "b.csv", [audit(child_id="ICS0003")])
    ingest_landing_folder(settings, catalogue)

    # the file's number (one per content loaded) in the high half, its row number in the low
    [(a_file,), (b_file,)] = query(
        "select distinct submission_key >> 32 from raw.audit_submissions order by 1"
    )
    assert a_file != b_file
    assert keys(query) == [
        ("a.csv", 2, a_file, 2),
        ("a.csv", 3, a_file, 3),
        ("b.csv", 2, b_file, 2),
    ]
    assert query(UNMATCHED_ANSWERS) == [(0,)]
    assert query("select count(*) from raw.audit_answers")[0][0] > 3


def test_a_warehouse_an_earlier_version_built_gets_its_keys_once(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query
) -> None:
    write_export(landing / "old.csv", [audit(child_id="ICS0001"), audit(child_id="ICS0002")])
    ingest_landing_folder(settings, catalogue)
    with duckdb.connect(str(settings.warehouse_path)) as con:  # as an earlier version left it
        for table in ("audit_submissions", "audit_answers"):
            con.execute(f"alter table raw.{table} drop column submission_key")
        con.execute("drop sequence raw.file_keys")

    write_export(landing / "new.csv", [audit(child_id="ICS0003")])
    ingest_landing_folder(settings, catalogue)

    rows = keys(query)
    assert [(file, row, low) for file, row, _, low in rows] == [
        ("new.csv", 2, 2),
        ("old.csv", 2, 2),
        ("old.csv", 3, 3),
    ]
    assert rows[0][2] != rows[1][2] == rows[2][2]
    assert query(UNMATCHED_ANSWERS) == [(0,)]
