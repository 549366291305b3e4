"""Bad input, case by case: each landing folder below is ingested into a real warehouse, and the
test asserts the exact outcome: what loaded, what was rejected or refused with which reason,
and what the warehouse and the quarantine hold afterwards.

A case is a file (or a few) written from the catalogue by the shared builder; `loaded` gives
(rows read, loaded, rejected) per file in raw.landed_files, `findings` every row of
raw.ingest_findings as (file, row, column, offending value, severity, reason).
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from orchestration.lib.catalogue import FormCatalogue
from orchestration.lib.ingest.pseudonymise import Pseudonymiser
from orchestration.lib.ingest.run import ingest_landing_folder
from orchestration.settings import Settings
from tests.exports import (
    answered_audit,
    audit,
    csv_bytes,
    excel_typed_audit,
    export_table,
    headers_of,
    write_export,
)

from .conftest import TEST_KEY

Query = Callable[[str], list[tuple]]
Finding = tuple[str, int | None, str | None, str | None, str, str]

CHILD = "Child's ICS number"
REVIEW = "Date of CLA review"
COMPLETED = "Completion time"
UASC = "Is the child an Unaccompanied Asylum Seeking Child (UASC)?"
SIGNED = "Who has signed the care plan?"
ASPECTS = "Which aspects of equality and diversity are referenced?"
IDENTIFY = "the audit cannot be identified without it"
PERIOD = "the audit's reporting period, and which of its submissions counts, depend on it"
BLANK = '"{}" is blank: {}; the row is rejected'
NOT_A_DATE = (
    '"{}" is not a date in a recognised form (day first, e.g. 15/08/2022, or ISO); an '
    "impossible date is never guessed; the row is rejected"
)
NOT_A_TIME = (
    '"{}" is not a date and time in a recognised form (day first, e.g. 15/08/2022 10:32, or '
    "ISO); an impossible date is never guessed; {}"
)
BEYOND_THE_HEADER = (
    "the row has values beyond the header's 42 columns: a value with an unquoted comma shifts "
    "every later answer into the wrong column, so the row is rejected"
)
UNKNOWN_COLUMN = "column {} matches no question of the 2022 form; it is ignored"
SAVE_AS_CSV = 'save it from Excel as "CSV UTF-8 (Comma delimited)"'
ASPECT_LABELS = (
    '"Culture", "Language", "Race/Ethnicity", "Religion", "Disability", "Gender", "Sexuality"'
)


def quoted(headers: list[str]) -> str:
    return "; ".join(f'"{h}"' for h in headers)


def refused(file: str, reason: str) -> Finding:
    return (file, None, None, None, "refused_file", reason)


def rejected(file: str, row: int, column: str | None, value: str | None, reason: str) -> Finding:
    return (file, row, column, value, "rejected_row", reason)


def warning(
    file: str, row: int | None, column: str | None, value: str | None, reason: str
) -> Finding:
    return (file, row, column, value, "warning", reason)


def missing_answer(file: str, row: int, column: str, value: str, reason: str) -> Finding:
    return (file, row, column, value, "missing_answer", reason)


def pseudonym(identifier: str) -> str:
    return Pseudonymiser(TEST_KEY).pseudonym(identifier)


def xlsx_bytes(
    table: list[list[object]],
    sheets: dict[str, list[list[object]]] | None = None,
    title: str = "Export",
):
    workbook = openpyxl.Workbook()
    workbook.active.title = title
    for row in table:
        workbook.active.append([None if cell == "" else cell for cell in row])
    for title, rows in (sheets or {}).items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def encrypted(data: bytes, password: str = "secret") -> bytes:
    """The workbook as Excel writes it with "Encrypt with Password" (MS-OFFCRYPTO agile)."""
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, bytes]
    statuses: dict[str, str]
    loaded: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    export_sheet: str | None = None
    authority_folders: bool = False


def refused_case(id: str, file: str, data: bytes, reason: str) -> Case:
    """A file refused whole, for the reason given."""
    return Case(id, {file: data}, {file: "refused"}, findings=[refused(file, reason)])


def loaded_case(
    id: str,
    file: str,
    data: bytes,
    loaded: tuple[int, int, int],
    findings: list[Finding] | None = None,
    **options: object,
) -> Case:
    """A file that loads, with its (rows read, loaded, rejected) and every finding."""
    return Case(id, {file: data}, {file: "loaded"}, {file: loaded}, findings or [], **options)


def table(*audits, **columns) -> list[list[object]]:
    return export_table(list(audits), **columns)


def csv_of(*audits, **columns) -> bytes:
    return csv_bytes(table(*audits, **columns))


GOOD = csv_of(audit(child_id="ICS0100"))
OVERLONG = table(audit(child_id="ICS0001"), audit(child_id="ICS0002"))
OVERLONG[2] = [*OVERLONG[2], "stray"]
BLANK_HEADER = table(audit(child_id="ICS0001"), audit(child_id="ICS0002"))
BLANK_HEADER[0] = [*BLANK_HEADER[0][:9], "", *BLANK_HEADER[0][9:]]
BLANK_HEADER[1] = [*BLANK_HEADER[1][:9], "Sam Example wrote this", *BLANK_HEADER[1][9:]]
BLANK_HEADER[2] = [*BLANK_HEADER[2][:9], "", *BLANK_HEADER[2][9:]]
# "Crabtree, Wilhelmina" unquoted in the officer's name: each later field moves one column right,
# so the child id holds " Wilhelmina", the review date the child's name, the district a date,
# and every answer the previous question's.
SHIFTED = table(answered_audit("2022", 1, "16/08/2022 10:30"))
SHIFTED.append(
    table(
        answered_audit(
            "2022", 2, "16/08/2022 10:30", iro_name="Crabtree", child_name="Zebedee Quarrington"
        )
    )[1]
)
SHIFTED[2][5:5] = [" Wilhelmina"]
NOT_A_DISTRICT = (
    '"District" is not one of the districts seeds/catalogue/districts.csv lists for E10000014 '
    '(it lists "Basingstoke and Deane", "East Hampshire", "Eastleigh", "Fareham", "Gosport", '
    '"Hart", "Havant", "New Forest", "Rushmoor", "Test Valley", "Winchester"); the audit is '
    'counted under "Not recorded"'
)
LETTER = b"Dear team,\nplease find the audits attached.\nThanks, the IRO service\n"
NOTES = [["About this export"], ["It holds the audits of August."]]
NOT_A_FORM = csv_bytes([["ID", "Start time", "Name", "Favourite colour"], ["1", "", "Sam", "blue"]])
FORM_2021_MISSING = [h for h in headers_of("2021") if h not in ("ID", "Start time", "Name")]

CASES = [
    # ---- whole files refused, each with its own message ----
    Case(
        "empty file",
        {"empty.csv": b"", "good.csv": GOOD},
        {"empty.csv": "refused", "good.csv": "loaded"},
        {"good.csv": (1, 1, 0)},
        [refused("empty.csv", "is empty (0 bytes)")],
    ),
    refused_case(
        "only blank lines",
        "blank.csv",
        b"\r\n  \r\n\r\n",
        "holds no text, only blank lines or spaces",
    ),
    refused_case(
        "header only (CSV)",
        "header.csv",
        csv_of(),
        "has a header row (row 1, 2022 form) but no audit rows",
    ),
    refused_case(
        "header only under title rows (XLSX)",
        "header.xlsx",
        xlsx_bytes([["Care Plan Audit"], [], *table(version="2021")]),
        "has a header row (row 3, 2021 form) but no audit rows",
    ),
    refused_case(
        "headers of no form version",
        "survey.csv",
        NOT_A_FORM,
        "has headers that match no form version (closest: 2021 form, 3 of its 40 "
        f"headers found); missing headers: {quoted(FORM_2021_MISSING)}; unrecognised "
        "headers: column D (text of 2 words, 16 characters: letters and spaces)",
    ),
    refused_case(
        "a required column renamed",
        "renamed.csv",
        csv_of(audit(), rename={"review_date": "Review date"}),
        'lacks the required column "Date of CLA review" (closest form version: 2022 '
        "form, 41 of its 42 headers found); unrecognised headers: column H (text of 2 "
        "words, 11 characters: letters and spaces)",
    ),
    refused_case(
        "required columns missing, with optional ones",
        "partial.csv",
        csv_of(audit(), omit=["child_id", "completed_at", "uasc"]),
        'lacks the required columns "Completion time"; "Child\'s ICS number" (closest '
        "form version: 2022 form, 39 of its 42 headers found); other missing headers: "
        f'"{UASC}"',
    ),
    refused_case(
        "a question's column twice",
        "twice.csv",
        csv_of(audit(), extra={" DISTRICT": "Hart"}),
        'has the column "District" 2 times (columns I, AQ), so which holds the answers '
        "cannot be told: delete the extra column",
    ),
    Case(
        "password-protected workbook",
        {"locked.xlsx": encrypted(xlsx_bytes(table(audit()))), "good.csv": GOOD},
        {"locked.xlsx": "refused", "good.csv": "loaded"},
        {"good.csv": (1, 1, 0)},
        [
            refused(
                "locked.xlsx",
                "is password-protected (encrypted), so careaudit cannot read it: open it in "
                "Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
                "Password, clear it), save it and put it in the landing folder again",
            )
        ],
    ),
    refused_case(
        "truncated workbook",
        "cut.xlsx",
        xlsx_bytes(table(audit()))[:3000],
        "is a damaged XLSX workbook that cannot be read (BadZipFile): open and repair "
        "it in Excel, or export it again",
    ),
    refused_case(
        "an Excel 97-2003 workbook named .xlsx",
        "old.xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "is an Excel 97-2003 workbook (.xls) named .xlsx: open it in Excel and save it as "
        '"Excel Workbook (.xlsx)"',
    ),
    refused_case(
        "a CSV named .xlsx",
        "export.xlsx",
        csv_of(audit()),
        "is text, not an XLSX workbook: if it is a CSV export, rename it to .csv",
    ),
    refused_case(
        "an .xls workbook",
        "export.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "is an Excel 97-2003 workbook (.xls), which careaudit does not read: open it in "
        'Excel and save it as "Excel Workbook (.xlsx)" or "CSV UTF-8 (Comma delimited)"',
    ),
    refused_case(
        "a PDF named .csv",
        "scan.csv",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "is not text but a PDF document, so it cannot be a CSV export",
    ),
    refused_case(
        "a letter, not a table",
        "letter.csv",
        LETTER,
        "is not a Care Plan Audit export: none of its first 30 rows is a header row of "
        "audit questions (at least 3 known column headers)",
    ),
    refused_case(
        "semicolon-separated text",
        "euro.csv",
        csv_bytes(table(audit())).replace(b",", b";"),
        f"is separated by semicolons, not commas: {SAVE_AS_CSV}",
    ),
    refused_case(
        "UTF-16 text",
        "unicode.csv",
        csv_of(audit()).decode().encode("utf-16"),
        'is UTF-16 text (what Excel saves as "Unicode Text"), not a CSV export: ' + SAVE_AS_CSV,
    ),
    refused_case(
        "bytes that are neither UTF-8 nor Windows-1252",
        "odd.csv",
        csv_of(audit(district="caf\u00e9")).replace(b"caf\xc3\xa9", b"caf\x81"),
        "is neither UTF-8 nor Windows-1252 text (byte 0x81 at offset "
        f"{csv_of(audit(district='caf')).index(b'caf') + 3} is neither): {SAVE_AS_CSV}",
    ),
    refused_case(
        "a quote that is never closed",
        "quote.csv",
        csv_of(audit()) + b'"ICS0002,unfinished\n',
        'has a quoted value that is never closed (a stray " character?), so its rows '
        "cannot be told apart",
    ),
    refused_case(
        "a workbook of notes only",
        "notes.xlsx",
        xlsx_bytes(NOTES),
        "has no sheet with a header row of Care Plan Audit questions in its first 30 "
        "rows (it has 1 sheet)",
    ),
    refused_case(
        "two sheets that both look like the export",
        "two.xlsx",
        xlsx_bytes(table(audit()), {"Export (old)": table(audit())}),
        "has Care Plan Audit headers on several sheets (sheet 1, sheet 2, counting from "
        "the left), so which holds the export is ambiguous: set CAREAUDIT_EXPORT_SHEET "
        "to the name of the sheet to load, or delete the others",
    ),
    loaded_case(
        "two export sheets, the one to load named in config",
        "two.xlsx",
        xlsx_bytes(
            table(audit(child_id="ICS0001")),
            {"Final": table(audit(child_id="ICS0002"), audit(child_id="ICS0003"))},
        ),
        (2, 2, 0),
        export_sheet="final",
    ),
    # ---- rows rejected, each with its reason; the rest of the file loads ----
    loaded_case(
        "blank child id",
        "a.csv",
        csv_of(audit(child_id="ICS0001"), audit(child_id="")),
        (2, 1, 1),
        [rejected("a.csv", 3, CHILD, None, BLANK.format(CHILD, IDENTIFY))],
    ),
    loaded_case(
        "a placeholder for the child id",
        "a.csv",
        csv_of(audit(child_id="Unknown"), audit(child_id="n/a"), audit()),
        (3, 1, 2),
        [
            rejected(
                "a.csv",
                row,
                CHILD,
                value,
                f'"{CHILD}" holds a placeholder, not an identifier; the row is rejected',
            )
            for row, value in ((2, "Unknown"), (3, "n/a"))
        ],
    ),
    loaded_case(
        "blank review date",
        "a.csv",
        csv_of(audit(review_date=""), audit(child_id="ICS0002")),
        (2, 1, 1),
        [rejected("a.csv", 2, REVIEW, None, BLANK.format(REVIEW, IDENTIFY))],
    ),
    loaded_case(
        "an impossible review date",
        "a.csv",
        csv_of(audit(review_date="31/02/2023"), audit(review_date="29/02/2024")),
        (2, 1, 1),
        [rejected("a.csv", 2, REVIEW, "31/02/2023", NOT_A_DATE.format(REVIEW))],
    ),
    loaded_case(
        "a review date with a two-digit year",
        "a.csv",
        csv_of(audit(review_date="15/08/22")),
        (1, 0, 1),
        [rejected("a.csv", 2, REVIEW, "15/08/22", NOT_A_DATE.format(REVIEW))],
    ),
    loaded_case(
        "a review date in the wrong century",
        "a.csv",
        csv_of(audit(review_date="15/08/1922")),
        (1, 0, 1),
        [
            rejected(
                "a.csv",
                2,
                REVIEW,
                "15/08/1922",
                f'"{REVIEW}" is before 2000, which no '
                "audit is (a mistyped year?); the row is rejected",
            )
        ],
    ),
    loaded_case(
        "blank completion time (not about identifying the audit)",
        "a.csv",
        csv_of(audit(completed_at="")),
        (1, 0, 1),
        [
            rejected(
                "a.csv",
                2,
                COMPLETED,
                None,
                BLANK.format(COMPLETED, PERIOD),
            )
        ],
    ),
    loaded_case(
        "a completion time that is not a time",
        "a.csv",
        csv_of(audit(completed_at="soon")),
        (1, 0, 1),
        [
            rejected(
                "a.csv",
                2,
                COMPLETED,
                "text of 1 word, 4 characters: letters",
                NOT_A_TIME.format(COMPLETED, "the row is rejected"),
            )
        ],
    ),
    loaded_case(
        "a completion time in the future",
        "a.csv",
        csv_of(audit(completed_at="16/08/2122 10:32")),
        (1, 0, 1),
        [
            rejected(
                "a.csv",
                2,
                COMPLETED,
                "16/08/2122 10:32",
                f'"{COMPLETED}" is after the day '
                "the file was loaded (a mistyped year?); the row is rejected",
            )
        ],
    ),
    loaded_case(
        "one row with several problems is one rejected row",
        "a.csv",
        csv_of(audit(child_id="", review_date="31/02/2022")),
        (1, 0, 1),
        [
            rejected("a.csv", 2, CHILD, None, BLANK.format(CHILD, IDENTIFY)),
            rejected("a.csv", 2, REVIEW, "31/02/2022", NOT_A_DATE.format(REVIEW)),
        ],
    ),
    loaded_case(
        "a row shifted by an unquoted comma",
        "a.csv",
        csv_bytes(OVERLONG),
        (2, 1, 1),
        [
            rejected(
                "a.csv",
                3,
                None,
                None,
                BEYOND_THE_HEADER,
            )
        ],
    ),
    loaded_case(
        "a row shifted by a comma in the officer's name is one finding, whatever it shifted",
        "a.csv",
        csv_bytes(SHIFTED),
        (2, 1, 1),
        [
            rejected(
                "a.csv",
                3,
                None,
                None,
                BEYOND_THE_HEADER,
            )
        ],
    ),
    # ---- rows loaded, with what is wrong in them recorded ----
    loaded_case(
        "a name, an email and a case number as the district are not recorded",
        "a.csv",
        csv_of(
            audit(child_id="ICS0001", district="Zebedee Quarrington"),
            audit(child_id="ICS0002", district="z.quarrington@council.example"),
            audit(child_id="ICS0003", district="7734512"),
            audit(child_id="ICS0004", district="North"),  # a synthetic authority's
            audit(child_id="ICS0005", district="HAVANT"),
        ),
        (5, 5, 0),
        [
            warning("a.csv", row, "District", value, NOT_A_DISTRICT)
            for row, value in [
                (2, "text of 2 words, 19 characters: letters and spaces"),
                (3, "text of 1 word, 29 characters: letters and the symbols . @"),
                (4, "text of 1 word, 7 characters: digits"),
                (5, "North"),  # reference data (another authority's): shown as it is
            ]
        ],
    ),
    loaded_case(
        "an authority the reference data lists no districts for",
        "E09000001/a.csv",
        csv_of(audit(child_id="ICS0001"), audit(child_id="ICS0002")),
        (2, 2, 0),
        [
            warning(
                "E09000001/a.csv",
                1,
                "District",
                None,
                "seeds/catalogue/districts.csv lists no districts for E09000001, so every value "
                'of "District" is counted as not recorded: add the authority\'s districts there',
            )
        ],
        authority_folders=True,
    ),
    loaded_case(
        "an unknown header holding an email is named by its column and shape",
        "a.csv",
        csv_of(audit(), extra={"sam.example@council.example": "call back"}),
        (1, 1, 0),
        [
            warning(
                "a.csv",
                1,
                "text of 1 word, 27 characters: letters and the symbols . @",
                None,
                UNKNOWN_COLUMN.format("AQ"),
            )
        ],
    ),
    refused_case(
        "headers of no form version, one of them a case number",
        "case.csv",
        csv_bytes([["ID", "Start time", "Name", "7734512"], ["1", "", "Sam", ""]]),
        "has headers that match no form version (closest: 2021 form, 3 of its 40 "
        f"headers found); missing headers: {quoted(FORM_2021_MISSING)}; unrecognised "
        "headers: column D (text of 1 word, 7 characters: digits)",
    ),
    refused_case(
        "sheets named with a child's name are named by their position",
        "two.xlsx",
        xlsx_bytes(table(audit()), {"Zebedee Quarrington": table(audit())}, title="7734512"),
        "has Care Plan Audit headers on several sheets (sheet 1, sheet 2, counting from "
        "the left), so which holds the export is ambiguous: set CAREAUDIT_EXPORT_SHEET "
        "to the name of the sheet to load, or delete the others",
    ),
    loaded_case(
        "an unreadable start time is a warning",
        "a.csv",
        csv_of(audit(started_at="not a time")),
        (1, 1, 0),
        [
            warning(
                "a.csv",
                2,
                "Start time",
                "text of 3 words, 10 characters: letters and spaces",
                NOT_A_TIME.format("Start time", "it is treated as blank"),
            )
        ],
    ),
    loaded_case(
        "unrecognised answers keep the audit",
        "a.csv",
        csv_of(
            audit(child_id="ICS0001", uasc="maybe"),
            audit(child_id="ICS0002", ed_aspects="Culture;Football;"),
            audit(child_id="ICS0003", cp_signed_by="Child;No one has signed"),
        ),
        (3, 3, 0),
        [
            missing_answer(
                "a.csv",
                2,
                UASC,
                "text of 1 word, 5 characters: letters",
                "a value (text of 1 word, 5 characters: letters) is not an answer the 2022 "
                'form offers (it offers "Yes", "No"); the answer is treated as missing',
            ),
            missing_answer(
                "a.csv",
                3,
                ASPECTS,
                "Culture; [text of 1 word, 8 characters: letters]",
                "selection 2 of 2 (text of 1 word, 8 characters: letters) is not an answer the "
                f"2022 form offers (it offers {ASPECT_LABELS}); the answer is treated as missing",
            ),
            missing_answer(
                "a.csv",
                4,
                SIGNED,
                "Child;No one has signed",
                '"Child;No one '
                'has signed" combines "No one has signed" with other options; the answer is '
                "treated as missing",
            ),
        ],
    ),
    loaded_case(
        "an option of another form version",
        "a.csv",
        csv_of(audit(parents_views_recorded="No - parents declined")),
        (1, 1, 0),
        [
            missing_answer(
                "a.csv",
                2,
                "Have the parents' views been recorded within the care plan?",
                "No - parents declined",
                '"No - parents declined" is not an '
                'answer the 2022 form offers (it offers "Yes", "No"); the answer is treated as '
                "missing",
            )
        ],
    ),
    loaded_case(
        "two identical unknown columns",
        "a.csv",
        csv_of(audit(), extra={"Notes": "call back", "notes ": "done"}),
        (1, 1, 0),
        [
            warning(
                "a.csv",
                1,
                "text of 1 word, 5 characters: letters",
                None,
                UNKNOWN_COLUMN.format("AQ"),
            ),
            warning(
                "a.csv",
                1,
                "text of 1 word, 5 characters: letters",
                None,
                UNKNOWN_COLUMN.format("AR"),
            ),
        ],
    ),
    loaded_case(
        "values under a blank header cell",
        "a.csv",
        csv_bytes(BLANK_HEADER),
        (2, 2, 0),
        [
            warning(
                "a.csv",
                1,
                None,
                None,
                "column J has no header but holds values in 1 row(s); they are ignored",
            )
        ],
    ),
    loaded_case(
        "a missing optional column",
        "a.csv",
        csv_of(audit(), omit=["cp_contingency"]),
        (1, 1, 0),
        [
            warning(
                "a.csv",
                1,
                "Is there a contingency plan should Plan A prove unachievable?",
                None,
                "column is missing from this 2022-form file; its answers are treated as missing",
            )
        ],
    ),
    loaded_case(
        "Windows-1252 text is read, and noted",
        "a.csv",
        csv_bytes(table(audit(child_life_improved="Don\u2019t know")), encoding="cp1252"),
        (1, 1, 0),
        [
            warning(
                "a.csv",
                None,
                None,
                None,
                "the file is Windows-1252 text, not UTF-8: it "
                'was read as Windows-1252 (what Excel saves as "CSV (Comma delimited)"); check '
                "that accented letters look right",
            )
        ],
    ),
    loaded_case(
        "a file name and headers written to look like SQL",
        "x'); drop table raw.audit_submissions; --.csv",
        csv_of(audit(), extra={'"; delete from raw.landed_files; --': "x"}),
        (1, 1, 0),
        [
            warning(
                "x'); drop table raw.audit_submissions; --.csv",
                1,
                'text of 5 words, 35 characters: letters, spaces and the symbols " - . ; _',
                None,
                UNKNOWN_COLUMN.format("AQ"),
            )
        ],
    ),
]


@pytest.fixture
def ingest(settings: Settings, landing: Path, catalogue: FormCatalogue):
    def run(case: Case):
        for name, data in case.files.items():
            (landing / name).parent.mkdir(parents=True, exist_ok=True)
            (landing / name).write_bytes(data)
        configured = replace(
            settings, export_sheet=case.export_sheet, authority_folders=case.authority_folders
        )
        return ingest_landing_folder(configured, catalogue)

    return run


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_input(case: Case, ingest, settings: Settings, landing: Path, query: Query) -> None:
    outcomes = ingest(case)

    assert {o.source_file: o.status for o in outcomes} == case.statuses
    assert {
        file: (read, loaded, rejected)
        for file, read, loaded, rejected in query(
            "select source_file, rows_read, rows_loaded, rows_rejected from raw.landed_files"
        )
    } == case.loaded
    assert sorted(
        query(
            "select source_file, source_row, column_header, offending_value, severity, reason "
            "from raw.ingest_findings"
        ),
        key=repr,
    ) == sorted(case.findings, key=repr)
    loaded_rows = sum(loaded for _, loaded, _ in case.loaded.values())
    assert query("select count(*) from raw.audit_submissions") == [(loaded_rows,)]
    for outcome in outcomes:
        refused_here = outcome.status == "refused"
        assert (landing / outcome.source_file).exists() is not refused_here
        if refused_here:
            kept = Path(outcome.quarantine_path)
            assert kept == settings.quarantine_dir / outcome.source_file
            assert kept.read_bytes() == case.files[outcome.source_file]
            assert outcome.note in kept.with_name(kept.name + ".reason.txt").read_text()


def test_there_are_at_least_thirty_distinct_cases() -> None:
    assert len({case.id for case in CASES}) == len(CASES) >= 30


def test_a_placeholder_is_shown_as_it_is_and_an_identifier_never(ingest, query: Query) -> None:
    long_id = "ICS0001 see note from Alex"
    ingest(
        Case(
            "ids",
            {"a.csv": csv_of(audit(child_id="unknown"), audit(child_id=long_id, review_date=""))},
            {},
        )
    )

    assert query(
        "select source_row, offending_value from raw.ingest_findings order by source_row"
    ) == [(2, "unknown"), (3, None)]
    assert "Alex" not in repr(query("select * from raw.ingest_findings"))


# ---- corrections, duplicates and refusals across runs ----


def statuses(outcomes) -> dict[str, str]:
    return {o.source_file: o.status for o in outcomes}


def test_content_corrected_away_from_one_name_and_landed_under_another_stays_loaded(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_export(landing / "a.csv", [audit(child_id="ICS0001")])
    ingest_landing_folder(settings, catalogue)
    (landing / "b.csv").write_bytes((landing / "a.csv").read_bytes())
    write_export(landing / "a.csv", [audit(child_id="ICS0002")])

    outcomes = ingest_landing_folder(settings, catalogue)

    assert statuses(outcomes) == {"a.csv": "replaced", "b.csv": "loaded"}
    assert sorted(query("select source_file, child_id from raw.audit_submissions")) == [
        ("a.csv", pseudonym("ICS0002")),
        ("b.csv", pseudonym("ICS0001")),
    ]
    assert query("select count(*) from raw.landed_files where is_current") == [(2,)]


def test_two_files_swapping_contents_both_follow_their_names(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_export(landing / "a.csv", [audit(child_id="ICS0001")])
    write_export(landing / "b.csv", [audit(child_id="ICS0002")])
    ingest_landing_folder(settings, catalogue)
    a, b = (landing / "a.csv").read_bytes(), (landing / "b.csv").read_bytes()
    (landing / "a.csv").write_bytes(b)
    (landing / "b.csv").write_bytes(a)

    outcomes = ingest_landing_folder(settings, catalogue)

    assert statuses(outcomes) == {"a.csv": "replaced", "b.csv": "replaced"}
    assert sorted(query("select source_file, child_id from raw.audit_submissions")) == [
        ("a.csv", pseudonym("ICS0002")),
        ("b.csv", pseudonym("ICS0001")),
    ]


def test_a_broken_correction_is_refused_and_the_earlier_version_stays_loaded(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_export(landing / "a.csv", [audit(child_id="ICS0001")])
    ingest_landing_folder(settings, catalogue)
    (landing / "a.csv").write_bytes(b"")

    outcomes = ingest_landing_folder(settings, catalogue)

    assert statuses(outcomes) == {"a.csv": "refused"}
    assert outcomes[0].note == ("is empty (0 bytes); the earlier version of this file stays loaded")
    assert query("select child_id from raw.audit_submissions") == [(pseudonym("ICS0001"),)]


def test_a_refusal_is_recorded_once_and_cleared_when_the_file_is_fixed(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    (landing / "a.csv").write_bytes(LETTER)
    ingest_landing_folder(settings, catalogue)
    (landing / "a.csv").write_bytes(LETTER)  # landed again, unchanged
    ingest_landing_folder(settings, catalogue)
    assert query("select source_file, severity from raw.ingest_findings") == [
        ("a.csv", "refused_file")
    ]
    assert sorted(p.name for p in settings.quarantine_dir.iterdir()) == [
        "a.csv",
        "a.csv.reason.txt",
    ]

    write_export(landing / "a.csv", [audit()])
    outcomes = ingest_landing_folder(settings, catalogue)

    assert statuses(outcomes) == {"a.csv": "loaded"}
    assert query("select count(*) from raw.ingest_findings") == [(0,)]


def test_a_second_refused_version_is_kept_beside_the_first(
    settings: Settings, landing: Path, catalogue: FormCatalogue
) -> None:
    (landing / "a.csv").write_bytes(LETTER)
    ingest_landing_folder(settings, catalogue)
    (landing / "a.csv").write_bytes(b"")
    outcomes = ingest_landing_folder(settings, catalogue)

    kept = Path(outcomes[0].quarantine_path)
    assert kept.name == f"a.{outcomes[0].file_sha256[:12]}.csv"
    assert kept.read_bytes() == b""
    assert (settings.quarantine_dir / "a.csv").read_bytes() == LETTER


def test_files_of_the_bundled_sample_folder_are_never_moved(
    settings: Settings, catalogue: FormCatalogue, tmp_path: Path, monkeypatch
) -> None:
    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "broken.csv").write_bytes(LETTER)
    monkeypatch.setattr("orchestration.settings.SAMPLE_EXTRACTS_DIR", sample)

    outcomes = ingest_landing_folder(replace(settings, landing_dir=sample), catalogue)

    assert statuses(outcomes) == {"broken.csv": "refused"}
    assert (sample / "broken.csv").read_bytes() == LETTER
    assert (settings.quarantine_dir / "broken.csv").read_bytes() == LETTER
    assert outcomes[0].note.endswith(
        "left in the landing folder: the bundled sample folder is never changed"
    )


def test_an_xlsx_with_real_excel_dates_title_rows_and_notes_first_loads(
    settings: Settings, landing: Path, catalogue: FormCatalogue, query: Query
) -> None:
    write_export(
        landing / "a.xlsx",
        [excel_typed_audit()],
        title_rows=[["Care Plan Audit, August 2022"]],
        notes_sheet_first=True,
    )
    outcomes = ingest_landing_folder(settings, catalogue)

    assert statuses(outcomes) == {"a.xlsx": "loaded"}
    assert query("select sheet_name, header_row, rows_loaded from raw.landed_files") == [
        ("sheet 2", 2, 1)  # a sheet's own name may be anything a person typed
    ]
    assert query("select child_id, review_date, completed_at from raw.audit_submissions") == [
        (pseudonym("1234567"), datetime(2022, 8, 15).date(), datetime(2022, 8, 16, 10, 32))
    ]
