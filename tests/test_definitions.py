"""The Dagster code location: it loads, validates, and shows one lineage graph from the
landing folder to the published files, with dbt tests as asset checks."""

import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.definitions import REFRESH_JOB, defs
from orchestration.defs.ingest import RECONCILIATION_CHECK
from orchestration.defs.resources import DBT_EXECUTABLE, dbt_resource
from orchestration.paths import REPO_ROOT
from tests.support import run_command


@pytest.fixture(scope="module")
def specs() -> dict[str, dg.AssetSpec]:
    return {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}


def upstream(specs: dict[str, dg.AssetSpec], key: str) -> set[str]:
    return {dep.asset_key.to_user_string() for dep in specs[key].deps}


def test_dagster_validates_the_workspace():
    dagster = str(Path(sys.executable).with_name("dagster"))
    result = run_command(
        [dagster, "definitions", "validate", "-w", "workspace.yaml"], cwd=REPO_ROOT, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("asset", "parent"),
    [
        ("raw/audit_submissions", "landing/audit_extracts"),
        ("raw/audit_answers", "landing/audit_extracts"),
        ("staging/stg_audit__submissions", "raw/audit_submissions"),
        ("staging/stg_audit__answers", "raw/audit_answers"),
        ("intermediate/int_audit_submissions_ranked", "staging/stg_audit__submissions"),
        ("intermediate/int_answers_rolled_up", "staging/stg_audit__answers"),
        ("marts/fct_audits", "intermediate/int_audits_deduplicated"),
        ("marts/fct_care_plan", "intermediate/int_audits_deduplicated"),
        ("intermediate/int_metric_contributions_by_audit", "catalogue/metrics"),
        (
            "intermediate/int_metric_contributions_by_audit",
            "intermediate/int_question_responses_classified",
        ),
        (
            "intermediate/int_metric_counts_by_file",
            "intermediate/int_metric_contributions_by_audit",
        ),
        ("intermediate/int_metric_values_computed", "intermediate/int_metric_counts_by_file"),
        ("marts/fct_metrics", "intermediate/int_metric_values_computed"),
        ("marts/fct_metric_breakdowns", "intermediate/int_metric_counts_by_file"),
        ("marts/fct_metric_breakdowns", "intermediate/int_audit_counts_by_form_version"),
        ("intermediate/int_audit_counts_by_form_version", "intermediate/int_audits_deduplicated"),
        # What each form version could record comes from the catalogue alone.
        ("intermediate/int_metric_availability", "catalogue/form_answer_options"),
        ("intermediate/int_metric_availability", "catalogue/form_questions"),
        ("intermediate/int_metric_availability", "catalogue/metrics"),
        ("intermediate/int_metric_values_computed", "intermediate/int_metric_availability"),
        ("marts/fct_metric_breakdowns", "intermediate/int_metric_availability"),
        # The catalogue files ingest reads are upstream of the raw tables, as of their seeds.
        ("raw/audit_answers", "catalogue_files/form_question_headers"),
        ("raw/audit_answers", "catalogue_files/form_answer_options"),
        ("raw/audit_answers", "catalogue_files/form_answer_aliases"),
        ("raw/audit_submissions", "catalogue_files/districts"),
        ("catalogue/form_answer_options", "catalogue_files/form_answer_options"),
        ("intermediate/int_metric_values_combined", "intermediate/int_metric_values_computed"),
        ("marts/fct_metric_trends", "intermediate/int_metric_values_combined"),
        ("marts/fct_metric_trends", "marts/fct_metric_comparisons"),
        ("reporting/rpt_metrics", "marts/fct_metrics"),
        ("reporting/rpt_metric_breakdowns", "marts/fct_metric_breakdowns"),
        ("publish/internal_files", "reporting/rpt_metrics"),
        ("publish/internal_files", "reporting/rpt_metric_trends"),
        ("publish/internal_files", "reporting/rpt_metric_breakdowns"),
        # The dbt exposures declare what each published output reads.
        ("publish/reporting_database", "reporting/rpt_metric_breakdowns"),
        ("publish/open_data_candidate", "reporting/rpt_open_data_figures"),
        ("reporting/rpt_open_data_figures", "reporting/rpt_metric_breakdowns"),
        ("reporting/rpt_open_data_figures", "reporting/rpt_metric_trends"),
        ("publish/open_data_candidate", "reporting/rpt_open_data_recordable_forms"),
        ("reporting/rpt_open_data_recordable_forms", "intermediate/int_metric_availability"),
        ("publish/open_data_candidate", "reporting/rpt_open_data_metric_rules"),
        ("reporting/rpt_open_data_metric_rules", "catalogue/metrics"),
        ("publish/open_data", "publish/open_data_candidate"),
        ("publish/data_catalogue", "reporting/rpt_metrics"),
        ("publish/annual_report", "reporting/rpt_report_changes"),
        ("publish/annual_report", "reporting/rpt_report_sentences"),
        ("reporting/rpt_report_comparisons", "marts/fct_metric_comparisons"),
        ("reporting/rpt_report_changes", "marts/fct_metric_trends"),
        ("reporting/rpt_report_sentences", "catalogue/report_sentences"),
    ],
)
def test_lineage_runs_from_landing_files_to_published_files(specs, asset, parent):
    assert parent in upstream(specs, asset)


LAYERS = ["staging", "intermediate", "marts", "reporting"]


def test_dbt_runs_forward_no_model_reads_a_later_layer(specs):
    """staging -> intermediate -> marts -> reporting: a model reads its own layer or earlier
    ones (and seeds, raw tables), never a later one."""
    backwards = [
        (key, parent)
        for key in specs
        if key.split("/")[0] in LAYERS
        for parent in upstream(specs, key)
        if parent.split("/")[0] in LAYERS
        and LAYERS.index(parent.split("/")[0]) > LAYERS.index(key.split("/")[0])
    ]
    assert backwards == []


def test_the_internal_files_are_the_tables_their_exposure_names(specs):
    """Not every reporting model: the open data's inputs are not published as files."""
    assert upstream(specs, "publish/internal_files") == {
        "reporting/rpt_ingest_report",
        "reporting/rpt_metric_benchmarks",
        "reporting/rpt_metric_breakdowns",
        "reporting/rpt_metric_trends",
        "reporting/rpt_metrics",
    }


def test_assets_are_grouped_by_layer(specs):
    groups = {key: spec.group_name for key, spec in specs.items()}
    assert groups["raw/audit_answers"] == "ingest"
    assert groups["staging/stg_audit__answers"] == "staging"
    assert groups["intermediate/int_answers_rolled_up"] == "intermediate"
    assert groups["marts/fct_metrics"] == "marts"
    assert groups["catalogue/metrics"] == "catalogue"
    assert groups["reporting/rpt_metrics"] == "publish"
    assert groups["publish/internal_files"] == "publish"
    assert groups["publish/open_data"] == "publish"
    assert groups["publish/reporting_database"] == "publish"
    assert groups["publish/annual_report"] == "publish"


def test_every_asset_has_a_description_kinds_and_owners(specs):
    assert [key for key, spec in specs.items() if not (spec.description or "").strip()] == []
    assert [key for key, spec in specs.items() if not spec.kinds] == []
    assert [key for key, spec in specs.items() if not spec.owners] == []


def test_dbt_tests_are_asset_checks():
    checks = {
        (check.asset_key.to_user_string(), check.name)
        for check in defs.resolve_asset_graph().asset_check_keys
    }
    assert ("marts/fct_audits", "unique_fct_audits_audit_id") in checks
    assert ("marts/fct_metrics", "not_greater_than_fct_metrics_numerator__denominator") in checks
    assert (
        "marts/fct_metric_breakdowns",
        "assert_metric_breakdowns_add_up_to_totals",
    ) in checks


def check_specs() -> list[dg.AssetCheckSpec]:
    graph = defs.resolve_asset_graph()
    return [graph.get_check_spec(key) for key in graph.asset_check_keys]


def test_the_reconciliation_with_published_history_only_warns():
    [spec] = [
        spec
        for spec in check_specs()
        if spec.name == "computed_year_reconciles_with_published_history"
    ]
    assert spec.asset_key.to_user_string() == "marts/fct_metric_trends"
    assert not spec.blocking


def test_the_open_data_release_waits_for_blocking_checks_on_its_candidate():
    specs = {
        spec.name: spec
        for spec in check_specs()
        if spec.asset_key.to_user_string() == "publish/open_data_candidate"
    }
    assert set(specs) == {"meets_ees_open_data_standard", "no_count_from_1_to_5"}
    assert all(spec.blocking for spec in specs.values())


def test_the_refresh_job_covers_every_materializable_asset():
    job = defs.resolve_job_def(REFRESH_JOB)
    selected = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
    assert {
        "raw/audit_answers",
        "marts/fct_metrics",
        "publish/internal_files",
        "publish/open_data",
        "publish/reporting_database",
        "publish/data_catalogue",
    } <= selected


def test_the_ingest_reconciliation_is_a_blocking_check_run_by_the_refresh_job():
    key = dg.AssetCheckKey(dg.AssetKey(["raw", "audit_submissions"]), RECONCILIATION_CHECK)

    assert defs.resolve_asset_graph().get(key).blocking
    job = defs.resolve_job_def(REFRESH_JOB)
    assert key in job.asset_layer.asset_graph.asset_check_keys


def test_the_ingest_report_is_a_reporting_model_published_with_the_others(specs):
    assert "marts/fct_ingest_findings" in upstream(specs, "reporting/rpt_ingest_report")
    assert "reporting/rpt_ingest_report" in upstream(specs, "publish/internal_files")


def test_the_annual_report_reads_only_its_own_models_which_are_not_published(specs):
    """Every query the report runs is a dbt model its exposure declares (Python formats)."""
    parents = upstream(specs, "publish/annual_report")
    assert parents and all(parent.startswith("reporting/rpt_report_") for parent in parents)
    assert "reporting/rpt_report_metric_values" in parents
    published = upstream(specs, "publish/internal_files") | upstream(
        specs, "publish/data_catalogue"
    )
    assert not [key for key in published if key.startswith("reporting/rpt_report_")]
    assert "reporting/rpt_metrics" in published


def test_the_release_switches_only_after_every_published_output_is_staged(specs):
    assert upstream(specs, "publish/release") == {
        "publish/internal_files",
        "publish/reporting_database",
        "publish/open_data",
        "publish/data_catalogue",
        "publish/annual_report",
        "publish/hub_packs",
    }
    [check] = [
        spec for spec in check_specs() if spec.asset_key.to_user_string() == "publish/release"
    ]
    assert check.name == "every_output_has_the_release_version"
    assert "publish/release" in {
        key.to_user_string()
        for key in defs.resolve_job_def(REFRESH_JOB).asset_layer.selected_asset_keys
    }


def test_the_dbt_resource_knows_its_dbt_version_without_running_dbt_first() -> None:
    """The resource skips dagster-dbt's `dbt --version` subprocess before every command: the
    version it answers with must be what the venv's dbt, which it runs, says it is."""
    resource = dbt_resource()
    said = run_command([DBT_EXECUTABLE, "--version"])
    assert said.returncode == 0, said.stderr
    assert f"installed: {resource._cli_version}" in said.stdout
