"""The per-file table on the ingest asset stays small however many files a run covers, and
never hides a file that needs a look."""

from orchestration.lib.ingest.run import FileOutcome
from orchestration.lib.ingest.summary import LISTED_FILES, files_summary


def loaded(name: str, rejected: int = 0) -> FileOutcome:
    return FileOutcome(
        name,
        "0" * 64,
        "loaded",
        "2022",
        "csv",
        rows_read=10,
        rows_loaded=10 - rejected,
        rows_rejected=rejected,
    )


def test_a_few_files_are_all_listed_in_order():
    table = files_summary([loaded("a.csv"), loaded("b.csv")], {"a.csv": ["2024-01"]})
    rows = [line for line in table.splitlines() if line.startswith("| ") and ".csv" in line]
    assert [row.split(" | ")[0] for row in rows] == ["| a.csv", "| b.csv"]
    assert "| a.csv | loaded | 2024-01 | 2022 |" in rows[0]
    assert "more file(s)" not in table


def test_many_files_list_the_ones_needing_a_look_first_and_count_the_rest():
    clean = [loaded(f"{n:04}.csv") for n in range(LISTED_FILES + 40)]
    refused = FileOutcome("late.xlsx", "1" * 64, "refused", note="password protected")
    table = files_summary([*clean, loaded("rejects.csv", rejected=2), refused], {})
    rows = [line for line in table.splitlines() if line.startswith("| ") and "." in line]
    assert len(rows) == LISTED_FILES
    assert rows[0].startswith("| rejects.csv | loaded")
    assert rows[1].startswith("| late.xlsx | refused")
    assert table.endswith(
        f"and {len(clean) - (LISTED_FILES - 2)} more file(s), with no findings: "
        f"{len(clean) - (LISTED_FILES - 2)} loaded. Every finding is in ingest_report.csv."
    )
