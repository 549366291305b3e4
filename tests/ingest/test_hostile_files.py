"""One file's problem is that file's refusal: whatever is wrong with one file in the landing
folder (its name, its type, its size, its bytes, the account's right to read it, a fault while
it is read or parsed, a quarantine that cannot be written), the others load, that file is
refused by name with a reason in plain words (or left for the next run when it was still
being written), and nothing escapes as a traceback.

Each test lands one good export beside the hostile file and asserts what loaded, what was
refused with which reason, and where the hostile file is afterwards.
"""

import os
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest import run as ingest_run
from orchestration.lib.ingest.grid import MAX_CELL_CHARACTERS
from orchestration.lib.ingest.read import read_cells
from orchestration.lib.ingest.recognise import column_name
from orchestration.lib.ingest.refusal import RefusedFileError
from orchestration.lib.ingest.run import FileOutcome, ingest_landing_folder
from orchestration.settings import Settings
from tests.exports import audit, csv_bytes, export_table, headers_of, write_export

Query = Callable[[str], list[tuple]]
GOOD = "good.csv"


@pytest.fixture
def landing_with_a_good_file(landing: Path) -> Path:
    write_export(landing / GOOD, [audit(child_id="ICS0001")])
    return landing


Ingest = Callable[..., dict[str, FileOutcome]]


@pytest.fixture
def ingest(settings: Settings, catalogue: FormCatalogue) -> Ingest:
    """Ingest the landing folder (with any settings changed as given): each file's outcome by
    its name."""

    def run(**changes: object) -> dict[str, FileOutcome]:
        outcomes = ingest_landing_folder(replace(settings, **changes), catalogue)
        return {o.source_file: o for o in outcomes}

    return run


def refusals(query: Query) -> dict[str, str]:
    return dict(
        query("select source_file, reason from raw.ingest_findings where severity = 'refused_file'")
    )


def refusal(outcomes: dict[str, FileOutcome], query: Query, name: str) -> str:
    """Why the file was refused, as raw.ingest_findings records it."""
    assert outcomes[name].status == "refused"
    return refusals(query)[name]


def assert_only_the_good_file_loaded(query: Query) -> None:
    assert query("select source_file, rows_loaded from raw.landed_files") == [(GOOD, 1)]


# ---- names and kinds of entry ----


def test_a_file_name_that_is_not_utf8_is_refused_under_a_printable_name(
    ingest: Ingest, settings: Settings, landing_with_a_good_file: Path, query: Query
) -> None:
    raw_name = os.fsdecode(b"caf\xe9 audits.csv")
    (landing_with_a_good_file / raw_name).write_bytes(csv_bytes(export_table([audit()])))

    outcomes = ingest()

    printable = "caf\\xe9 audits.csv"
    assert refusal(outcomes, query, printable).startswith(
        "has a name that is not valid UTF-8 text (bytes shown as \\xNN), which careaudit "
        "cannot record: rename the file"
    )
    assert_only_the_good_file_loaded(query)
    assert (settings.quarantine_dir / printable).exists()
    assert not (landing_with_a_good_file / raw_name).exists()


def test_a_file_name_with_a_line_break_is_refused_with_it_escaped(
    ingest: Ingest, landing_with_a_good_file: Path, query: Query
) -> None:
    (landing_with_a_good_file / "two\nlines.csv").write_bytes(csv_bytes(export_table([audit()])))

    outcomes = ingest()

    assert outcomes["two\\x0alines.csv"].status == "refused"
    assert "control character such as a line break" in refusals(query)["two\\x0alines.csv"]
    assert_only_the_good_file_loaded(query)


def test_a_refused_file_whose_name_is_too_long_for_the_quarantine_is_kept_under_a_short_one(
    ingest: Ingest, settings: Settings, landing_with_a_good_file: Path, query: Query
) -> None:
    name = "audit " + "x" * 244 + ".csv"  # 254 bytes: the longest name most file systems allow
    (landing_with_a_good_file / name).write_bytes(b"Dear team, see attached.\n")

    outcomes = ingest()

    kept = Path(outcomes[name].quarantine_path or "")
    assert outcomes[name].status == "refused"
    assert kept.parent == settings.quarantine_dir and kept.read_bytes().startswith(b"Dear")
    assert len(kept.name.encode()) + len(".reason.txt") <= 255
    assert kept.name.endswith(f"~{outcomes[name].file_sha256[:12]}.csv")
    assert f"file:     {name}" in kept.with_name(kept.name + ".reason.txt").read_text()
    assert not (landing_with_a_good_file / name).exists()
    assert_only_the_good_file_loaded(query)


def test_a_broken_link_and_a_pipe_are_refused_by_name_and_left_where_they_are(
    ingest: Ingest, landing_with_a_good_file: Path, query: Query
) -> None:
    (landing_with_a_good_file / "gone.csv").symlink_to(landing_with_a_good_file / "nowhere.csv")
    os.mkfifo(landing_with_a_good_file / "pipe.csv")

    outcomes = ingest()

    assert {name: o.status for name, o in outcomes.items()} == {
        "gone.csv": "refused",
        "pipe.csv": "refused",
        GOOD: "loaded",
    }
    assert refusals(query) == {
        "gone.csv": "is a link to a file that does not exist: put the export itself in the "
        "landing folder",
        "pipe.csv": "is not a regular file (a pipe, socket or device), so it cannot be an export",
    }
    assert outcomes["pipe.csv"].note.endswith("; left in the landing folder")
    assert (landing_with_a_good_file / "pipe.csv").exists()


def test_a_file_the_service_cannot_read_is_refused_and_the_others_load(
    ingest: Ingest, landing_with_a_good_file: Path, query: Query, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = landing_with_a_good_file / "locked.csv"
    locked.write_bytes(csv_bytes(export_table([audit()])))
    real_open = Path.open

    def open_as_the_service(path: Path, *args, **kwargs):
        if path == locked:  # as root, chmod cannot make a file unreadable: the OS says no here
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_as_the_service)

    outcomes = ingest()

    assert refusal(outcomes, query, "locked.csv") == (
        "cannot be read by the account careaudit runs as (Permission denied): give that account "
        "read access to it, or copy the export into the landing folder again"
    )
    assert outcomes["locked.csv"].note.endswith("; left in the landing folder")
    assert_only_the_good_file_loaded(query)


def test_a_subfolder_the_service_cannot_list_is_refused_and_the_others_load(
    ingest: Ingest, landing_with_a_good_file: Path, query: Query, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = landing_with_a_good_file / "private"
    private.mkdir()
    write_export(private / "a.csv", [audit(child_id="ICS0002")])
    real_scandir = os.scandir

    def scandir_as_the_service(path="."):
        if Path(path) == private:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir_as_the_service)

    outcomes = ingest()

    assert refusal(outcomes, query, "private/").startswith(
        "cannot be read by the account careaudit"
    )
    assert_only_the_good_file_loaded(query)


# ---- types and sizes ----


@pytest.mark.parametrize(
    ("name", "content", "advice"),
    [
        ("notes.txt", b"ID,Start time\n", "is a .txt file, which careaudit does not read"),
        ("august.csv.gz", b"\x1f\x8b\x08\x00", "is a compressed archive (.gz)"),
        ("august.zip", b"PK\x03\x04", "is a compressed archive (.zip)"),
        ("august.xls", b"\xd0\xcf\x11\xe0", "is an Excel 97-2003 workbook (.xls)"),
    ],
)
def test_an_export_of_an_unsupported_type_is_refused_saying_how_to_export_it(
    ingest: Ingest,
    settings: Settings,
    landing_with_a_good_file: Path,
    query: Query,
    name: str,
    content: bytes,
    advice: str,
) -> None:
    (landing_with_a_good_file / name).write_bytes(content)

    outcomes = ingest()

    assert refusal(outcomes, query, name).startswith(advice)
    assert (settings.quarantine_dir / name).read_bytes() == content
    assert_only_the_good_file_loaded(query)


def test_a_file_over_the_size_limit_is_refused_without_being_read_whole(
    ingest: Ingest, landing_with_a_good_file: Path, query: Query, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = landing_with_a_good_file / "big.csv"
    big.write_bytes(csv_bytes(export_table([audit()])) + b"," * 1_500_000)
    reads: list[int] = []
    real_read = ingest_run._read_capped

    def counting(path: Path, max_bytes: int) -> bytes | None:
        data = real_read(path, max_bytes)
        reads.append(len(data) if data is not None else max_bytes + 1)
        return data

    monkeypatch.setattr(ingest_run, "_read_capped", counting)

    outcomes = ingest(max_file_mb=1)

    assert refusal(outcomes, query, "big.csv") == (
        "is larger than 1 MB, the largest export careaudit reads (CAREAUDIT_MAX_FILE_MB): "
        "export one month per file, or raise the limit"
    )
    assert max(reads) <= 1_000_001
    assert big.exists()  # not read whole, so not copied: it stays, and is refused again
    assert_only_the_good_file_loaded(query)


def test_an_xlsx_that_expands_beyond_its_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    write_export(path, [audit(district="x" * 5_000) for _ in range(50)])

    with pytest.raises(RefusedFileError) as refusal:
        read_cells(path.read_bytes(), ".xlsx", "a.xlsx", frozenset(), max_bytes=20_000)

    assert refusal.value.kind == "too_large"
    assert "MB of spreadsheet data, over the 0 MB careaudit reads from one workbook" in str(
        refusal.value
    )


def test_an_xlsx_with_a_stray_cell_far_right_on_every_row_is_read_in_little_memory(
    tmp_path: Path, known_headers: frozenset[str]
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Export"
    for number, row in enumerate(export_table([audit() for _ in range(600)]), start=1):
        sheet.append([None if cell == "" else cell for cell in row])
        if number > 1:
            sheet.cell(row=number, column=16_384, value="x")  # column XFD, Excel's last
    workbook.save(tmp_path / "stray.xlsx")
    data = (tmp_path / "stray.xlsx").read_bytes()

    tracemalloc.start()
    try:
        grid = read_cells(data, ".xlsx", "stray.xlsx", known_headers)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Rows 16,384 cells wide would hold 600 x 16,384 Python references: 80 MB at least.
    assert peak < 40_000_000
    assert grid.row_count == 600
    assert [w.reason for w in grid.warnings] == [
        "the sheet declares cells as far right as column XFD: only columns up to "
        f"{grid_column(len(headers_of('2022')) + 16)} (the header's and 16 more) were read"
    ]


def grid_column(count: int) -> str:
    return openpyxl.utils.get_column_letter(count)


def test_a_field_longer_than_any_spreadsheet_cell_rejects_its_row_once(
    ingest: Ingest, landing: Path, query: Query
) -> None:
    huge = "y" * 200_000  # beyond the csv module's own limit of 131,072 characters
    write_export(
        landing / "a.csv",
        [audit(child_id="ICS0001"), audit(child_id="ICS0002", district=huge)],
    )

    outcomes = ingest()

    assert (outcomes["a.csv"].rows_loaded, outcomes["a.csv"].rows_rejected) == (1, 1)
    assert query("select source_row, severity, reason from raw.ingest_findings") == [
        (
            3,
            "rejected_row",
            f"the row has a value longer than {MAX_CELL_CHARACTERS:,} characters, more than a "
            "spreadsheet cell holds, so it cannot be an answer typed into the form: the row is "
            "rejected",
        )
    ]


def test_a_row_with_a_hundred_thousand_fields_is_rejected_and_read_in_header_width(
    ingest: Ingest, landing: Path, query: Query
) -> None:
    table = export_table([audit(child_id="ICS0001"), audit(child_id="ICS0002")])
    table[2] = table[2] + ["x"] * 100_000
    (landing / "a.csv").write_bytes(csv_bytes(table))

    outcomes = ingest()

    assert (outcomes["a.csv"].rows_loaded, outcomes["a.csv"].rows_rejected) == (1, 1)
    assert query("select source_row, severity from raw.ingest_findings") == [(3, "rejected_row")]


# ---- encodings ----


def test_a_stray_windows_1252_byte_in_a_utf8_file_is_a_finding_not_a_re_decoding(
    ingest: Ingest, landing: Path, query: Query
) -> None:
    text = csv_bytes(
        export_table(
            [
                audit(child_id="ICS0001", child_life_improved="Don\u2019t know"),
                audit(child_id="ICS0002", iro_name="Ren\u00e9e Example"),
            ]
        )
    )
    data = text.replace("Ren\u00e9e".encode(), b"Ren\xe9e")  # one byte not UTF-8
    (landing / "a.csv").write_bytes(data)

    outcomes = ingest()

    assert outcomes["a.csv"].rows_loaded == 2 and outcomes["a.csv"].encoding == "utf-8"
    # The UTF-8 apostrophe kept its meaning: no missing answer.
    assert query(
        "select answer_code from raw.audit_answers "
        "where question_id = 'child_life_improved' and source_row = 2"
    ) == [("not_known",)]
    assert query("select source_row, column_header, severity, reason from raw.ingest_findings") == [
        (
            3,
            "Name",
            "warning",
            "column E holds a byte that is not UTF-8 (0xE9) in a file that is otherwise UTF-8: "
            "it was read as Windows-1252 (e.g. 0xE9 as é); check the value, and save the "
            'export as "CSV UTF-8 (Comma delimited)"',
        )
    ]


def test_a_file_of_only_windows_1252_bytes_is_still_read_as_windows_1252(
    ingest: Ingest, landing: Path, query: Query
) -> None:
    write_export(
        landing / "a.csv", [audit(child_life_improved="Don\u2019t know")], encoding="cp1252"
    )

    outcomes = ingest()

    assert outcomes["a.csv"].encoding == "cp1252"
    assert query(
        "select answer_code from raw.audit_answers where question_id = 'child_life_improved'"
    ) == [("not_known",)]


def test_an_xlsx_string_holding_a_lone_surrogate_loads(
    ingest: Ingest, landing: Path, query: Query
) -> None:
    write_export(landing / "a.xlsx", [audit(district="North _xD800_ side")])

    outcomes = ingest()

    assert outcomes["a.xlsx"].status == "loaded"
    assert query("select count(*) from raw.audit_submissions") == [(1,)]


# ---- faults while reading, parsing and quarantining ----


def test_a_file_that_changes_while_it_is_read_is_left_for_the_next_run(
    ingest: Ingest, landing_with_a_good_file: Path, query: Query, monkeypatch: pytest.MonkeyPatch
) -> None:
    growing = landing_with_a_good_file / "growing.csv"
    growing.write_bytes(csv_bytes(export_table([audit(child_id="ICS0002")])))
    real_read = ingest_run._read_capped
    reads = {"count": 0}

    def still_being_written(path: Path, max_bytes: int) -> bytes | None:
        data = real_read(path, max_bytes)
        if path == growing:
            reads["count"] += 1
            if reads["count"] == 2:  # the second read, to parse it, sees more rows
                return (data or b"") + b"1,2,3\n"
        return data

    monkeypatch.setattr(ingest_run, "_read_capped", still_being_written)

    outcomes = ingest()

    assert outcomes["growing.csv"].status == "skipped"
    assert outcomes["growing.csv"].note.startswith("it changed or disappeared while the refresh")
    assert refusals(query) == {}
    assert growing.exists()
    assert_only_the_good_file_loaded(query)


def test_a_file_that_fails_unexpectedly_is_refused_and_the_others_load(
    ingest: Ingest, landing_with_a_good_file: Path, query: Query, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_export(landing_with_a_good_file / "odd.csv", [audit(child_id="ICS0002")])
    real_parse = ingest_run.parse_extract

    def parse(data, source_file, *args, **kwargs):
        if source_file == "odd.csv":
            raise ZeroDivisionError("a bug careaudit did not foresee")
        return real_parse(data, source_file, *args, **kwargs)

    monkeypatch.setattr(ingest_run, "parse_extract", parse)

    outcomes = ingest()

    assert refusal(outcomes, query, "odd.csv") == (
        "could not be read: careaudit failed on it unexpectedly (ZeroDivisionError); the other "
        "files were loaded. Export it again, and report this if it happens again"
    )
    assert_only_the_good_file_loaded(query)


def test_a_quarantine_that_cannot_be_written_leaves_the_file_and_commits_the_batch(
    ingest: Ingest, settings: Settings, landing_with_a_good_file: Path, query: Query
) -> None:
    settings.quarantine_dir.parent.mkdir(parents=True)
    settings.quarantine_dir.write_text("a file where the quarantine folder should be")
    (landing_with_a_good_file / "letter.csv").write_bytes(b"Dear team,\n")

    outcomes = ingest()

    assert outcomes["letter.csv"].status == "refused"
    assert "left in the landing folder: it could not be copied to" in outcomes["letter.csv"].note
    assert (landing_with_a_good_file / "letter.csv").exists()
    assert "letter.csv" in refusals(query)
    assert_only_the_good_file_loaded(query)


def test_a_header_wider_than_any_workbook_loads_and_names_its_columns(
    ingest: Ingest, landing: Path, query: Query
) -> None:
    table = export_table([audit()])
    table[0] += [f"note {n}" for n in range(20_000)]  # past column XFD, Excel's last
    table[1] += [""] * 20_000
    (landing / "a.csv").write_bytes(csv_bytes(table))

    outcomes = ingest()

    assert outcomes["a.csv"].rows_loaded == 1
    reasons = [reason for (reason,) in query("select reason from raw.ingest_findings")]
    assert any(reason.startswith(f"column {column_name(len(table[0]) - 1)} ") for reason in reasons)


def test_an_invisible_character_pasted_into_a_header_does_not_hide_it(
    ingest: Ingest, landing: Path, query: Query
) -> None:
    table = export_table([audit(child_id="ICS0001")])
    table[0] = ["\u200b" + header + "\u00ad" for header in table[0]]  # zero-width, soft hyphen
    (landing / "a.csv").write_bytes(csv_bytes(table))

    outcomes = ingest()

    assert (outcomes["a.csv"].status, outcomes["a.csv"].warnings) == ("loaded", 0)
