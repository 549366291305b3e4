"""The bundled synthetic sample exports and the generator that writes them.

These tests read the files as the data team would receive them (csv module, openpyxl), never
through the pipeline, and check what the sample promises: it is reproducible, shaped like a
real form export of its version, and internally consistent. Whether the 2022 file reproduces the
report's figures is checked by the pipeline's own end-to-end test, not re-derived here.
"""

import copy
import csv
import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from orchestration.lib.catalogue import Question, load_catalogue
from orchestration.paths import SAMPLE_EXTRACTS_DIR
from sample import write_sample
from sample.design import DesignError, parse_design, read_design_yaml
from sample.generator import DESIGNS_DIR

CSV_2022 = "care_plan_audit_2022-08.csv"
XLSX_2021 = "care_plan_audit_2021-08.xlsx"
EXPORTS = {
    CSV_2022: ("2022", 240, dt.date(2022, 8, 1)),
    XLSX_2021: ("2021", 200, dt.date(2021, 8, 1)),
}
UK_DATETIME = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$")
UK_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")

Row = dict[str, object]  # question id -> cell value ("" for blank)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(out)
    return out


def read_cells(path: Path) -> list[list[object]]:
    """Every row of an export as written, header row first; blanks as ""."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.reader(f))
    sheet = openpyxl.load_workbook(path).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def read_rows(path: Path, version: str) -> list[Row]:
    """Rows keyed by question id (headers are checked separately), dates parsed if text."""
    questions = load_catalogue().questions_on(version)
    rows = []
    for cells in read_cells(path)[1:]:
        row = {q.question_id: value for q, value in zip(questions, cells, strict=True)}
        for q in questions:
            row[q.question_id] = as_date(q, row[q.question_id])
        rows.append(row)
    return rows


def as_date(question: Question, value: object) -> object:
    """CSV dates are UK text ("15/08/2022 10:32", "15/08/2022"); XLSX dates are real dates."""
    if question.question_type not in ("date", "datetime") or value == "":
        return value
    if isinstance(value, dt.datetime):
        return value if question.question_type == "datetime" else value.date()
    pattern = UK_DATETIME if question.question_type == "datetime" else UK_DATE
    assert pattern.match(str(value)), f"{question.question_id}: {value!r} is not UK style"
    parsed = dt.datetime.strptime(str(value), "%d/%m/%Y %H:%M" if ":" in str(value) else "%d/%m/%Y")
    return parsed if question.question_type == "datetime" else parsed.date()


def final_rows(rows: list[Row]) -> list[Row]:
    """The latest submission for each audit (child, review date): the ones that count."""
    latest: dict[tuple[object, object], Row] = {}
    for row in rows:
        key = (row["child_id"], row["review_date"])
        if key not in latest or row["completed_at"] > latest[key]["completed_at"]:
            latest[key] = row
    return list(latest.values())


def labels_on(question: Question, version: str) -> dict[str, str]:
    """Label -> code for the options this form version offers."""
    return {o.label: o.code for o in load_catalogue().options_on(question, version)}


# ---- reproducible ----


def test_write_sample_writes_both_exports_and_returns_their_paths(tmp_path: Path) -> None:
    written = write_sample(tmp_path / "new")
    assert sorted(p.name for p in written) == sorted(EXPORTS)
    assert all(p.is_file() and p.parent == tmp_path / "new" for p in written)


def test_regenerated_csv_is_byte_identical_to_the_bundled_copy(regenerated: Path) -> None:
    assert (regenerated / CSV_2022).read_bytes() == (SAMPLE_EXTRACTS_DIR / CSV_2022).read_bytes()


def test_regenerated_xlsx_has_the_same_cells_as_the_bundled_copy(regenerated: Path) -> None:
    assert read_cells(regenerated / XLSX_2021) == read_cells(SAMPLE_EXTRACTS_DIR / XLSX_2021)


# ---- shaped like a form export of its version ----


@pytest.mark.parametrize("name", EXPORTS)
def test_headers_are_the_catalogues_for_the_form_version_in_form_order(name: str) -> None:
    version = EXPORTS[name][0]
    expected = [q.header_for(version) for q in load_catalogue().questions_on(version)]
    assert read_cells(SAMPLE_EXTRACTS_DIR / name)[0] == expected


def test_the_xlsx_has_one_sheet_with_real_excel_dates() -> None:
    workbook = openpyxl.load_workbook(SAMPLE_EXTRACTS_DIR / XLSX_2021)
    assert len(workbook.worksheets) == 1
    questions = load_catalogue().questions_on("2021")
    for cells in workbook.active.iter_rows(min_row=2):
        for question, cell in zip(questions, cells, strict=True):
            if question.question_type in ("date", "datetime"):
                assert cell.is_date, f"{question.question_id} in row {cell.row} is not a date"


@pytest.mark.parametrize("name", EXPORTS)
def test_every_answer_is_a_label_offered_on_the_form_version(name: str) -> None:
    version = EXPORTS[name][0]
    catalogue = load_catalogue()
    for row in read_rows(SAMPLE_EXTRACTS_DIR / name, version):
        for question in filter(lambda q: q.is_choice, catalogue.questions_on(version)):
            value, labels = str(row[question.question_id]), labels_on(question, version)
            if question.question_type == "single" or value == "":
                assert value in {"", *labels}, f"{question.question_id}: {value!r}"
                continue
            assert value.endswith(";"), f"{question.question_id}: {value!r} lacks the trailing ;"
            codes = [labels[label] for label in value[:-1].split(";")]
            exclusive = {o.code for o in question.options if o.is_exclusive}
            assert len(set(codes)) == len(codes)
            assert len(codes) == 1 or not exclusive & set(codes), f"{value!r} mixes exclusive"


@pytest.mark.parametrize("name", EXPORTS)
def test_every_district_is_one_of_hampshires_in_the_reference_data(name: str) -> None:
    districts = load_catalogue().references["districts"]
    hampshire = {item.label for item in districts.of("E10000014")}
    rows = read_rows(SAMPLE_EXTRACTS_DIR / name, EXPORTS[name][0])

    assert len(hampshire) == 11
    assert {str(row["district"]) for row in rows} == hampshire


@pytest.mark.parametrize("name", EXPORTS)
def test_follow_up_questions_are_blank_exactly_when_not_asked(name: str) -> None:
    version = EXPORTS[name][0]
    catalogue = load_catalogue()
    follow_ups = [q for q in catalogue.questions_on(version) if q.asked_when_question]
    assert follow_ups
    for row in read_rows(SAMPLE_EXTRACTS_DIR / name, version):
        for question in follow_ups:
            trigger = catalogue.question(question.asked_when_question)
            trigger_code = labels_on(trigger, version).get(str(row[trigger.question_id]))
            asked = trigger_code in question.asked_when_codes
            answered = row[question.question_id] != ""
            assert asked == answered, f"{row['child_id']}: {question.question_id} vs {trigger_code}"


@pytest.mark.parametrize("name", EXPORTS)
def test_reviews_precede_completion_and_audits_fall_in_the_export_month(name: str) -> None:
    version, _, month = EXPORTS[name]
    for row in read_rows(SAMPLE_EXTRACTS_DIR / name, version):
        assert row["started_at"] < row["completed_at"]
        assert row["review_date"] < row["completed_at"].date()
        assert (row["completed_at"].year, row["completed_at"].month) == (month.year, month.month)


@pytest.mark.parametrize("name", EXPORTS)
def test_identities_are_synthetic(name: str) -> None:
    rows = read_rows(SAMPLE_EXTRACTS_DIR / name, EXPORTS[name][0])
    assert all(str(r["iro_email"]).endswith("@example.org") for r in rows)
    assert 12 <= len({r["iro_email"] for r in rows}) <= 15
    assert all(re.fullmatch(r"\d{7}", str(r["child_id"])) for r in rows)


@pytest.mark.parametrize("name", EXPORTS)
def test_response_ids_number_the_submissions_in_completion_order(name: str) -> None:
    rows = read_rows(SAMPLE_EXTRACTS_DIR / name, EXPORTS[name][0])
    assert [int(str(r["response_id"])) for r in rows] == list(range(1, len(rows) + 1))
    assert [r["completed_at"] for r in rows] == sorted(r["completed_at"] for r in rows)


# ---- audits and resubmissions ----


@pytest.mark.parametrize("name", EXPORTS)
def test_one_final_submission_per_audit_gives_the_designed_number_of_audits(name: str) -> None:
    version, audits, _ = EXPORTS[name]
    rows = read_rows(SAMPLE_EXTRACTS_DIR / name, version)
    assert len(final_rows(rows)) == audits
    assert len(rows) > audits, "the sample includes superseded resubmissions"


@pytest.mark.parametrize("name", EXPORTS)
def test_resubmissions_are_superseded_by_a_later_completion_with_other_answers(name: str) -> None:
    version = EXPORTS[name][0]
    by_key: dict[tuple[object, object], list[Row]] = defaultdict(list)
    for row in read_rows(SAMPLE_EXTRACTS_DIR / name, version):
        by_key[(row["child_id"], row["review_date"])].append(row)
    resubmitted = [rows for rows in by_key.values() if len(rows) > 1]
    assert resubmitted
    answers = [q.question_id for q in load_catalogue().questions_on(version) if q.is_choice]
    for rows in resubmitted:
        rows.sort(key=lambda r: r["completed_at"])
        final, earlier = rows[-1], rows[:-1]
        assert all(r["completed_at"] < final["completed_at"] for r in earlier)
        for r in earlier:
            assert any(r[q] != final[q] for q in answers), "a resubmission changes answers"


def test_exactly_one_2022_audit_has_no_uasc_answer() -> None:
    audits = final_rows(read_rows(SAMPLE_EXTRACTS_DIR / CSV_2022, "2022"))
    assert [r["uasc"] for r in audits].count("") == 1


def test_immigration_status_is_captured_for_uasc_and_not_applicable_otherwise() -> None:
    for row in final_rows(read_rows(SAMPLE_EXTRACTS_DIR / CSV_2022, "2022")):
        expected = "Yes" if row["uasc"] == "Yes" else "Not applicable"
        assert row["immigration_status_captured"] == expected


# ---- designs are validated ----


def design_2022() -> dict:
    return read_design_yaml(DESIGNS_DIR / "2022.yaml")


def breaks(raw: dict, change) -> dict:
    broken = copy.deepcopy(raw)
    change(broken)
    return broken


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["answers"]["child_life_improved"].update({"yes": 208}),
            r"child_life_improved: counts sum to 239 but the question is asked of 240 audits",
        ),
        (
            lambda d: d["answers"]["emh_measures_in_place"].update({"no": 22}),
            r"emh_measures_in_place: counts sum to 80 .* 79 audits \(emh_needs is yes\)",
        ),
        (
            lambda d: d["answers"]["health_plan_on_ics"]["groups"]["no"].update({"no": 1}),
            r"health_plan_on_ics: 'no' is not an option on form 2022",
        ),
        (
            lambda d: d["answers"]["cp_signed_by"].update({"child;none": 1}),
            r"cp_signed_by: 'child;none' combines an exclusive option",
        ),
        (
            lambda d: d["answers"]["ed_aspects"]["selections"].update({"culture": 59}),
            r"ed_aspects: culture selected 59 times but only 58 audits can select it",
        ),
        (
            lambda d: d["answers"].pop("cp_contingency"),
            r"cp_contingency: missing; every question on form 2022 needs counts",
        ),
        (
            lambda d: d.update(form_version="2021"),
            r"cp_contingency: not a question on form 2021",
        ),
        (
            lambda d: d["resubmissions"]["submissions"].append(
                {"uasc": {"final": "yes", "earlier": "no"}}
            ),
            r"uasc: other answers depend on it",
        ),
    ],
)
def test_the_design_validator_rejects_an_inconsistent_design(change, message: str) -> None:
    with pytest.raises(DesignError, match=message):
        parse_design(breaks(design_2022(), change), load_catalogue(), name="2022.yaml")


def test_the_bundled_designs_are_valid() -> None:
    for path in DESIGNS_DIR.glob("*.yaml"):
        parse_design(read_design_yaml(path), load_catalogue(), name=path.name)
