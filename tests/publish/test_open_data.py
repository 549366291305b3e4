"""The open-data files as built from the published models: EES layout, geography from
configuration, symbols where the standard wants them, percentages rounded half up, and
disclosure control across the counts the files share."""

import csv
from pathlib import Path

import pytest

from orchestration.lib.publish.ees import open_data_files, small_counts, validate
from orchestration.lib.publish.open_data import (
    OpenDataError,
    OpenDataFile,
    build_release,
    open_data_percent,
    write_release,
)
from orchestration.settings import Settings
from tests.publish.dbt_models import create_model_view
from tests.support import HAMPSHIRE, default_settings

SETTINGS = default_settings(Path("/unused"))


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown"),
    [
        (1, 8, "13"),  # 12.5 rounds half up
        (5, 8, "63"),  # 62.5
        (2, 3, "67"),
        (230, 240, "96"),  # 95.83 (the 2022 report truncated it to 95)
        (0, 40, "0"),
        (40, 40, "100"),
        (1, 250, "low"),  # 0.4: not zero, rounds to 0
        (0, 0, "z"),
    ],
)
def test_percentages_are_whole_numbers_rounded_half_up(numerator, denominator, shown):
    assert open_data_percent(numerator, denominator) == shown


BREAKDOWN_COLUMNS = {
    "la_code": "varchar",
    "time_period": "varchar",
    "time_identifier": "varchar",
    "section": "varchar",
    "section_title": "varchar",
    "metric_id": "varchar",
    "metric_description": "varchar",
    "breakdown_topic": "varchar",
    "breakdown": "varchar",
    "breakdown_label": "varchar",
    "breakdown_sort_order": "integer",
    "numerator": "integer",
    "denominator": "integer",
    "is_available": "boolean",
    "not_available_reason": "varchar",
    "audits_not_able_to_record": "integer",
}
# (district, audits, parents' views recorded, not asked, declined): on the 2023 form "not
# recorded" is exactly "not asked" + "declined".
DISTRICTS = [("Hart", 20, 11, 6, 3), ("Havant", 20, 9, 8, 3), ("Rushmoor", 17, 9, 8, 0)]


def breakdown_rows():
    totals = [sum(district[i] for district in DISTRICTS) for i in range(1, 5)]
    for name, audits, recorded, not_asked, declined in [("total", *totals), *DISTRICTS]:
        topic, label = ("total", "Total") if name == "total" else ("district", name)
        for metric, count in [
            ("audits_completed", audits),
            ("parents_views_recorded", recorded),
            ("parents_views_not_recorded", not_asked + declined),
            ("parents_not_asked", not_asked),
            ("parents_declined", declined),
        ]:
            base = None if metric == "audits_completed" else audits
            description = metric.replace("_", " ")
            yield ("E10000014", "2023", "Calendar year", "participation", "Participation",
                   metric, description, topic, name, label, 0, count, base,
                   True, None, 0)  # fmt: skip


@pytest.fixture
def warehouse(catalogue):
    """Published models for 2023 (parents' views by district, on the 2023 form) and an
    earlier year's published history, in the shape dbt builds them, with the open data's own
    models over them (views: they follow what a test changes)."""
    con = catalogue
    for schema in ("reporting", "marts", "intermediate"):
        con.execute(f"create schema if not exists {schema}")
    con.execute(
        "create or replace table marts.dim_sections as select * from (values "
        "('participation', 'Participation', 1), ('impact', 'Impact', 2)) "
        "as s(section_id, section_title, sort_order)"
    )
    columns = ", ".join(f"{name} {kind}" for name, kind in BREAKDOWN_COLUMNS.items())
    con.execute(f"create or replace table reporting.rpt_metric_breakdowns ({columns})")
    con.executemany(
        f"insert into reporting.rpt_metric_breakdowns values ({', '.join('?' * 16)})",
        list(breakdown_rows()),
    )
    con.execute(
        """
        create or replace table reporting.rpt_metric_trends as
        select 'E10000014' as la_code, '2021' as time_period,
            'Calendar year' as time_identifier, 'impact' as section,
            'Impact' as section_title, 'child_feels_life_improved' as metric_id,
            'Child feels life improved' as metric_description,
            'published' as value_source, 83 as published_percent
        """
    )
    # the audits per district and form version (int_audit_counts_by_form_version)
    con.execute(
        "create or replace table intermediate.int_audit_counts_by_form_version as "
        "select 'E10000014' as la_code, '2023' as time_period, "
        "'Calendar year' as time_identifier, cast(null as varchar) as age_band, "
        "district as district_code, '2023' as form_version, audits "
        "from (values ('Hart', 20), ('Havant', 20), ('Rushmoor', 17)) as d(district, audits)"
    )
    # every metric on every form, as dbt's int_metric_availability says for these metrics
    con.execute(
        "create or replace table intermediate.int_metric_availability as "
        "select metric_id, form_version, true as is_available, "
        "cast(null as varchar) as not_available_reason "
        "from catalogue.metrics cross join catalogue.form_versions"
    )
    for model in (
        "rpt_open_data_figures",
        "rpt_open_data_form_versions",
        "rpt_open_data_recordable_forms",
    ):
        create_model_view(con, model)
    return con


def rows(file: OpenDataFile) -> list[dict[str, str]]:
    return [dict(zip(file.header, row, strict=True)) for row in file.rows]


def test_the_files_follow_the_description_and_the_standard(warehouse, tmp_path):
    release = build_release(warehouse, SETTINGS)
    assert [f.name for f in release.files] == [
        "care_plan_audit_metrics",
        "care_plan_audit_metrics_by_characteristic",
    ]
    written = write_release(release, tmp_path)
    assert {p.name for p in written} == {
        "care_plan_audit_metrics.csv",
        "care_plan_audit_metrics.meta.csv",
        "care_plan_audit_metrics_by_characteristic.csv",
        "care_plan_audit_metrics_by_characteristic.meta.csv",
        "data_guidance.md",
    }
    for path in open_data_files(tmp_path):
        assert validate(path) == [], path.name
    headline = rows(release.files[0])
    assert {r["time_period"] for r in headline} == {"2021", "2023"}
    first = headline[0]
    assert {column: first[column] for column in HAMPSHIRE} == HAMPSHIRE


def test_symbols_for_history_without_counts_and_counts_without_a_base(warehouse):
    headline = rows(build_release(warehouse, SETTINGS).files[0])
    [history] = [r for r in headline if r["time_period"] == "2021"]
    assert (history["audit_count"], history["audit_base_count"], history["audit_percent"]) == (
        "x",
        "x",
        "83",
    )
    [audits] = [r for r in headline if r["metric"] == "audits completed"]
    assert (audits["audit_count"], audits["audit_base_count"], audits["audit_percent"]) == (
        "57",
        "z",
        "z",
    )


def test_a_small_count_and_the_counts_it_could_be_worked_out_from_are_suppressed(warehouse):
    by_district = [
        r for r in rows(build_release(warehouse, SETTINGS).files[1]) if r["time_period"] == "2023"
    ]
    shown = {(r["metric"], r["breakdown"]): r["audit_count"] for r in by_district}
    # Hart and Havant each had 3 parents decline: suppressed, with their percentages.
    assert shown[("parents declined", "Hart")] == "c"
    assert shown[("parents declined", "Havant")] == "c"
    # On the 2023 form "not recorded" is exactly "not asked" + "declined": with "not
    # recorded" shown, "not asked" would give "declined" away, so it is suppressed too.
    assert shown[("parents not asked", "Hart")] == "c"
    assert shown[("parents not asked", "Havant")] == "c"
    # Rushmoor's 0 reveals nobody, and the 57 audits' total stays shown.
    assert shown[("parents declined", "Rushmoor")] == "0"
    assert shown[("audits completed", "Total")] == "57"
    for r in by_district:
        if r["audit_count"] == "c":
            assert r["audit_percent"] == "c"
        assert r["audit_count"] in {"c", "0"} or int(r["audit_count"]) > 5


def test_only_the_configured_authority_is_released(warehouse):
    warehouse.execute(
        "insert into reporting.rpt_metric_breakdowns select * replace ('E09000001' as la_code) "
        "from reporting.rpt_metric_breakdowns"
    )
    warehouse.execute(
        "insert into intermediate.int_audit_counts_by_form_version "
        "select * replace ('E09000001' as la_code) "
        "from intermediate.int_audit_counts_by_form_version"
    )
    other = Settings(**{**SETTINGS.__dict__, "la_code": "E09000001", "la_name": "City"})
    for file in build_release(warehouse, other).files:
        released = rows(file)
        assert {(r["new_la_code"], r["la_name"]) for r in released} == {("E09000001", "City")}
        assert {r["time_period"] for r in released} == {"2023"}  # the history is Hampshire's
    nobody = Settings(**{**SETTINGS.__dict__, "la_code": "E06000001"})
    with pytest.raises(OpenDataError, match="no published figures for CAREAUDIT_LA_CODE E06000001"):
        build_release(warehouse, nobody)


FORMULAS = {
    "Hart": '=HYPERLINK("http://example.org/x","Hart")',
    "Havant": "+cmd|' /C calc'!A0",
    "Rushmoor": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def test_a_label_that_is_a_formula_reaches_the_open_data_as_text(warehouse, tmp_path):
    for district, formula in FORMULAS.items():
        warehouse.execute(
            "update reporting.rpt_metric_breakdowns set breakdown_label = ? where breakdown = ?",
            [formula, district],
        )
    written = write_release(build_release(warehouse, SETTINGS), tmp_path)

    cells = []
    for path in [path for path in written if path.suffix == ".csv"]:
        with path.open(newline="", encoding="utf-8") as f:
            cells += [cell for row in csv.reader(f) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for formula in FORMULAS.values():
        assert f"'{formula}" in cells  # shown as the text it is, never run


def test_each_finding_has_a_stable_code_and_each_filter_without_a_total_a_default(
    warehouse, tmp_path
):
    release = build_release(warehouse, SETTINGS)
    headline = rows(release.files[0])
    [declined] = [r for r in headline if r["metric_code"] == "parents_declined"]
    assert declined["metric"] == "parents declined"
    write_release(release, tmp_path)
    for name in ("care_plan_audit_metrics", "care_plan_audit_metrics_by_characteristic"):
        with (tmp_path / f"{name}.meta.csv").open(newline="", encoding="utf-8") as f:
            meta = {row["col_name"]: row for row in csv.DictReader(f)}
        assert meta["metric_code"]["col_type"] == "Filter"
        assert meta["metric_code"]["filter_default"] == "audits_completed"
        assert meta["metric"]["filter_default"] == "audits completed"
        assert meta["section"]["filter_default"] == "Participation"
        assert meta["audit_percent"]["indicator_dp"] == "0"
    # breakdowns have a Total item: EES shows it first, no default needed
    assert meta["breakdown"]["filter_default"] == ""
    assert meta["breakdown_topic"]["filter_default"] == ""


def spanning_two_forms(con):
    """2023 spans the 2022 and 2023 forms: "not asked" and "declined" (options of the 2023
    form) count the 2023-form audits only; Hart's audits were all on the 2022 form."""
    con.execute(
        "update intermediate.int_audit_counts_by_form_version set form_version = '2022' "
        "where district_code = 'Hart'"
    )
    con.execute(
        "update intermediate.int_metric_availability set is_available = false, "
        "not_available_reason = 'option introduced with the 2023 form' "
        "where form_version = '2022' and metric_id in ('parents_not_asked', 'parents_declined')"
    )
    con.execute(
        """
        update reporting.rpt_metric_breakdowns set
            numerator = case when breakdown = 'Hart' then null else numerator end,
            denominator = case when breakdown = 'Hart' then null
                when breakdown = 'total' then denominator - 20 else denominator end,
            is_available = breakdown != 'Hart',
            not_available_reason = 'option introduced with the 2023 form',
            audits_not_able_to_record = 20
        where metric_id in ('parents_not_asked', 'parents_declined')
            and breakdown in ('Hart', 'total')
        """
    )
    con.execute(
        """
        update reporting.rpt_metric_breakdowns set
            numerator = numerator - case metric_id when 'parents_not_asked' then 6 else 3 end
        where metric_id in ('parents_not_asked', 'parents_declined') and breakdown = 'total'
        """
    )


def test_a_year_spanning_two_forms_counts_the_audits_of_the_form_that_records_it(warehouse):
    spanning_two_forms(warehouse)
    release = build_release(warehouse, SETTINGS)
    by_district = {(r["metric_code"], r["breakdown"]): r for r in rows(release.files[1])}
    hart = by_district[("parents_declined", "Hart")]
    assert (hart["audit_count"], hart["audit_base_count"], hart["audit_percent"]) == (
        "x",
        "x",
        "x",
    )
    total = by_district[("parents_declined", "Total")]
    assert total["audit_base_count"] == "37"  # the 2023-form audits, not all 57
    assert by_district[("parents_views_recorded", "Total")]["audit_base_count"] == "57"
    # Havant's base is the same on both counts: its audits were all on the 2023 form, where
    # "not recorded" is exactly "not asked" + "declined", so "not asked" would give away
    # Havant's 3 who declined.
    assert by_district[("parents_declined", "Havant")]["audit_count"] == "c"
    assert by_district[("parents_not_asked", "Havant")]["audit_count"] == "c"
    assert "some audits were on a form that could not record it" in release.guidance
    assert "`parents_declined`" in release.guidance


def test_a_finding_no_form_of_the_year_could_record_is_x_with_a_footnote(warehouse):
    warehouse.execute(
        """
        update reporting.rpt_metric_breakdowns set numerator = null, denominator = null,
            is_available = false, audits_not_able_to_record = 57,
            not_available_reason = 'option "No - parents declined" introduced with the 2024 form'
        where metric_id = 'parents_declined'
        """
    )
    warehouse.execute(
        "update intermediate.int_metric_availability set is_available = false "
        "where metric_id = 'parents_declined'"
    )
    release = build_release(warehouse, SETTINGS)
    for file in release.files:
        declined = [r for r in rows(file) if r["metric_code"] == "parents_declined"]
        assert declined
        for r in declined:
            assert (r["audit_count"], r["audit_base_count"], r["audit_percent"]) == (
                "x",
                "x",
                "x",
            )
    assert (
        "1. parents declined (`parents_declined`): x in 2023, because the audit form could not "
        'record it (option "No - parents declined" introduced with the 2024 form).'
        in release.guidance
    )
    assert "- `x`: not available" in release.guidance


def test_a_small_base_of_the_audits_on_the_newer_form_is_suppressed(warehouse, tmp_path):
    """Rushmoor's 17 audits: 13 on the 2022 form, 4 on the 2023 form that records "declined".
    The base of 4 is a count of 1 to 5 like any other, whichever metric shows it."""
    spanning_two_forms(warehouse)
    warehouse.execute(
        "update intermediate.int_audit_counts_by_form_version set audits = 4 "
        "where district_code = 'Rushmoor'"
    )
    warehouse.execute(
        "insert into intermediate.int_audit_counts_by_form_version values "
        "('E10000014', '2023', 'Calendar year', null, 'Rushmoor', '2022', 13)"
    )
    for metric, rushmoor, total in (("parents_not_asked", 3, 11), ("parents_declined", 0, 3)):
        warehouse.execute(
            """
            update reporting.rpt_metric_breakdowns set
                numerator = case breakdown when 'Rushmoor' then ? else ? end,
                denominator = case breakdown when 'Rushmoor' then 4 else 24 end,
                audits_not_able_to_record = case breakdown when 'Rushmoor' then 13 else 33 end,
                not_available_reason = 'option introduced with the 2023 form'
            where metric_id = ? and breakdown in ('Rushmoor', 'total')
            """,
            [rushmoor, total, metric],
        )
    release = build_release(warehouse, SETTINGS)
    by_district = {(r["metric_code"], r["breakdown"]): r for r in rows(release.files[1])}
    assert by_district[("parents_not_asked", "Rushmoor")]["audit_base_count"] == "c"
    assert by_district[("parents_declined", "Rushmoor")]["audit_base_count"] == "c"
    write_release(release, tmp_path)
    for path in open_data_files(tmp_path):
        assert small_counts(path) == [], path.name


def test_an_authority_with_only_published_history_still_gets_defaults(warehouse, tmp_path):
    """A hub whose configured authority has no audits yet, only its earlier reports' figures:
    the release has no audits completed to default to, so each filter shows its first item."""
    warehouse.execute("delete from reporting.rpt_metric_breakdowns")
    release = build_release(warehouse, SETTINGS)
    write_release(release, tmp_path)
    for path in open_data_files(tmp_path):
        assert validate(path) == [], path.name
    meta = {
        r["col_name"]: r
        for r in csv.DictReader((tmp_path / "care_plan_audit_metrics.meta.csv").open())
    }
    assert meta["metric_code"]["filter_default"] == "child_feels_life_improved"
