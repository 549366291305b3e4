"""`careaudit refresh --landing DIR` works on any folder of exports in the spec's shape: nothing
is tuned to the bundled sample, failures are clear, and a failed run loads nothing."""

import csv
from pathlib import Path

import pytest

from tests.exports import answered_audit, write_export
from tests.support import careaudit_env, refresh_landing, warehouse_rows

pytestmark = pytest.mark.slow

KEY = "test-key-not-secret"

NOT_ASKED = "No - parents were not asked"
DECLINED = "No - parents declined"


@pytest.fixture(scope="module")
def form_2023_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six audits on the 2023 form for another authority, one of them submitted twice, and
    three March audits still on the 2022 form: 2023 spans two form versions."""
    landing = tmp_path_factory.mktemp("landing")
    data_dir = tmp_path_factory.mktemp("data")
    march = [{"parents_views_recorded": answer} for answer in ("Yes", "No", "No")]
    write_export(
        landing / "2023" / "march.csv",
        [
            answered_audit("2022", n, "15/03/2023 11:00", **cells)
            for n, cells in enumerate(march, 101)
        ],
        version="2022",
    )
    may = [
        {"parents_views_recorded": "Yes", "midpoint_check": "Yes"},
        {"parents_views_recorded": NOT_ASKED, "midpoint_check": "No"},
        {"parents_views_recorded": DECLINED, "midpoint_check": "Not applicable"},
        {"parents_views_recorded": "Not applicable", "midpoint_check": "yes"},
        {"parents_views_recorded": "", "midpoint_check": "N"},
        # The first submission for child 9000006: superseded by the June file.
        {"parents_views_recorded": "Yes", "midpoint_check": "Yes"},
    ]
    write_export(
        landing / "2023" / "may.csv",
        [answered_audit("2023", n, "20/05/2023 09:00", **cells) for n, cells in enumerate(may, 1)],
        version="2023",
    )
    june = answered_audit(
        "2023",
        1,
        "02/06/2023 14:00",
        child_id="9000006",
        review_date="20/05/2023",
        parents_views_recorded=DECLINED,
        midpoint_check="No",
    )
    write_export(landing / "2023" / "june.csv", [june], version="2023")
    env = careaudit_env(CAREAUDIT_PSEUDONYMISATION_KEY=KEY, CAREAUDIT_LA_CODE="E09000001")
    result = refresh_landing(landing, data_dir, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return data_dir


def published_metric(data_dir: Path, metric_id: str) -> dict[str, str]:
    with (data_dir / "publish" / "internal" / "metrics.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["metric_id"] == metric_id:
                return row
    raise AssertionError(f"{metric_id} not published")


def metric(data_dir: Path, metric_id: str) -> tuple[str, str, str, str]:
    row = published_metric(data_dir, metric_id)
    return row["la_code"], row["numerator"], row["denominator"], row["missing_answers"]


def test_2023_codes_count_directly_and_through_their_roll_up(form_2023_run):
    # 2023 form: yes, not asked, declined (the resubmission), declined; N/A left out; one
    # blank. March, on the 2022 form: yes, no, no.
    assert metric(form_2023_run, "parents_views_recorded") == ("E09000001", "2", "7", "1")
    assert metric(form_2023_run, "parents_views_not_recorded") == ("E09000001", "5", "7", "1")
    # Only the 2023 form could say why: its audits are the base, not the March ones.
    assert metric(form_2023_run, "parents_not_asked") == ("E09000001", "1", "4", "1")
    assert metric(form_2023_run, "parents_declined") == ("E09000001", "2", "4", "1")


def test_a_year_spanning_two_forms_counts_what_each_could_record_and_says_so(form_2023_run):
    declined = published_metric(form_2023_run, "parents_declined")
    assert (declined["is_available"], declined["audits_not_able_to_record"]) == ("true", "3")
    assert declined["not_available_reason"] == (
        'option "No - parents declined" introduced with the 2023 form'
    )
    recorded = published_metric(form_2023_run, "parents_views_recorded")
    assert (recorded["audits_not_able_to_record"], recorded["not_available_reason"]) == ("0", "")
    trend = warehouse_rows(
        form_2023_run,
        "select numerator, denominator, audits_not_able_to_record, change_significance "
        "from reporting.rpt_metric_trends where metric_id = 'parents_declined'",
    )
    assert trend == [(2, 4, 3, "no_previous_period")]
    guidance = (form_2023_run / "publish" / "open_data" / "data_guidance.md").read_text()
    assert (
        "(`parents_declined`): in 2023 some audits were on a form that could not record it "
        '(option "No - parents declined" introduced with the 2023 form); the figures count the '
        "other audits only." in guidance
    )


def test_aliases_and_not_applicable_on_a_question_new_in_2023(form_2023_run):
    # yes, no, N/A (left out), "yes", "N", and the resubmission's "No"; March's 2022 form had
    # no such question.
    assert metric(form_2023_run, "midpoint_check_completed") == ("E09000001", "2", "5", "0")
    assert published_metric(form_2023_run, "midpoint_check_completed")["not_available_reason"] == (
        "question introduced with the 2023 form"
    )


def test_every_audit_counts_once_in_the_period_of_its_latest_completion(form_2023_run):
    assert metric(form_2023_run, "audits_completed") == ("E09000001", "9", "", "0")
    months = warehouse_rows(
        form_2023_run,
        "select strftime(completion_month, '%Y-%m'), count(*) from marts.fct_audits "
        "group by all order by all",
    )
    form_versions = warehouse_rows(
        form_2023_run, "select distinct form_version from marts.fct_audits order by all"
    )
    assert months == [("2023-03", 3), ("2023-05", 5), ("2023-06", 1)]
    assert form_versions == [("2022",), ("2023",)]


def test_a_file_that_cannot_be_read_is_refused_and_the_others_load(tmp_path):
    landing, data_dir = tmp_path / "landing", tmp_path / "data"
    write_export(landing / "good.csv", [answered_audit("2022", 1), answered_audit("2022", 2)])
    (landing / "notes.csv").write_text("Name,Favourite colour\nSam,blue\n", encoding="utf-8")
    env = careaudit_env(CAREAUDIT_PSEUDONYMISATION_KEY=KEY)

    result = refresh_landing(landing, data_dir, "--quiet", env=env)

    assert result.returncode == 0, result.stderr
    reason = (
        "is not a Care Plan Audit export: none of its first 30 rows is a header row of audit "
        "questions (at least 3 known column headers)"
    )
    # --quiet prints problems only: the refusal, and nothing about the file that loaded.
    assert result.stdout == (
        f"    warning: notes.csv: REFUSED, nothing loaded, moved to "
        f"{data_dir / 'quarantine' / 'notes.csv'}: {reason}\n"
    )
    assert not (landing / "notes.csv").exists()
    assert metric(data_dir, "audits_completed")[1] == "2"
    with (data_dir / "publish" / "internal" / "ingest_report.csv").open(newline="") as f:
        report = [(r["source_file"], r["severity"], r["reason"]) for r in csv.DictReader(f)]
    assert report == [("notes.csv", "refused_file", reason)]


def test_other_data_is_refused_without_a_pseudonymisation_key(tmp_path):
    landing, data_dir = tmp_path / "landing", tmp_path / "data"
    write_export(landing / "export.csv", [answered_audit("2022", 1)])

    result = refresh_landing(landing, data_dir)

    assert result.returncode == 1
    assert "CAREAUDIT_PSEUDONYMISATION_KEY is not set" in result.stderr
    assert not (data_dir / "warehouse.duckdb").exists()
