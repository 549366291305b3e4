"""The open-data files as built from the published models: EES layout, geography from
configuration, symbols where the standard wants them, percentages rounded half up, and
disclosure control across the counts the files share."""

import csv
from pathlib import Path

import pytest

from orchestration.publish.ees import validate
from orchestration.publish.open_data import (
    OpenDataError,
    OpenDataFile,
    build_release,
    whole_percent,
    write_release,
)
from orchestration.settings import Settings
from tests.support import default_settings

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
    assert whole_percent(numerator, denominator) == shown


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
                   metric, description, topic, name, label, 0, count, base)  # fmt: skip


@pytest.fixture
def warehouse(catalogue):
    """Published models for 2023 (parents' views by district, on the 2023 form) and an
    earlier year's published history, in the shape dbt builds them."""
    con = catalogue
    for schema in ("reporting", "marts"):
        con.execute(f"create schema if not exists {schema}")
    con.execute(
        "create or replace table catalogue.form_sections as "
        "select * from (values ('participation', 1), ('impact', 2)) as s(section_id, sort_order)"
    )
    columns = ", ".join(f"{name} {kind}" for name, kind in BREAKDOWN_COLUMNS.items())
    con.execute(f"create or replace table reporting.rpt_metric_breakdowns ({columns})")
    con.executemany(
        f"insert into reporting.rpt_metric_breakdowns values ({', '.join('?' * 13)})",
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
    con.execute(
        "create or replace table marts.fct_audits as select 'E10000014' as la_code, "
        "'2023' as time_period, 'Calendar year' as time_identifier, '2023' as form_version"
    )
    return con


def rows(file: OpenDataFile) -> list[dict[str, str]]:
    return [dict(zip(file.header, row, strict=True)) for row in file.rows]


def test_the_files_follow_the_description_and_the_standard(warehouse, tmp_path):
    release = build_release(warehouse, SETTINGS)
    assert [f.name for f in release.files] == [
        "care_plan_audit_metrics",
        "care_plan_audit_metrics_by_characteristic",
    ]
    for path in write_release(release, tmp_path):
        if not path.name.endswith(".meta.csv"):
            assert validate(path) == [], path.name
    headline = rows(release.files[0])
    assert {r["time_period"] for r in headline} == {"2021", "2023"}
    first = headline[0]
    assert (first["new_la_code"], first["old_la_code"], first["la_name"]) == (
        "E10000014",
        "850",
        "Hampshire",
    )
    assert (first["region_code"], first["region_name"]) == ("E12000008", "South East")


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
        "insert into marts.fct_audits "
        "select * replace ('E09000001' as la_code) from marts.fct_audits"
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
    for path in written:
        with path.open(newline="", encoding="utf-8") as f:
            cells += [cell for row in csv.reader(f) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for formula in FORMULAS.values():
        assert f"'{formula}" in cells  # shown as the text it is, never run
