"""The EES open data validator accepts a file that meets the standard and names each way a
file can break it; the disclosure scan finds any count from 1 to 5."""

import csv
from pathlib import Path

import pytest

from orchestration.lib.publish.ees import META_COLUMNS, small_counts, validate
from tests.support import HAMPSHIRE

GEOGRAPHY = {
    "time_period": "2022",
    "time_identifier": "Calendar year",
    "geographic_level": "Local authority",
    "country_code": "E92000001",
    "country_name": "England",
    **HAMPSHIRE,
}
META = [
    {"col_name": "metric", "col_type": "Filter", "label": "Finding"},
    {"col_name": "audit_count", "col_type": "Indicator", "label": "Number", "indicator_dp": "0"},
    {
        "col_name": "audit_percent",
        "col_type": "Indicator",
        "label": "Percentage",
        "indicator_unit": "%",
        "indicator_dp": "0",
    },
]
ROWS = [
    {"metric": "Care plan reflects needs", "audit_count": "231", "audit_percent": "96"},
    {"metric": "Health plan adequate", "audit_count": "c", "audit_percent": "c"},
    {"metric": "Audits completed", "audit_count": "240", "audit_percent": "z"},
]


def write(directory: Path, rows=None, meta=None, name="care_plan_audit_metrics") -> Path:
    rows = [{**GEOGRAPHY, **row} for row in (ROWS if rows is None else rows)]
    data = directory / f"{name}.csv"
    with data.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with (directory / f"{name}.meta.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=META_COLUMNS, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(META if meta is None else meta)
    return data


def messages(path: Path) -> list[str]:
    return [str(problem) for problem in validate(path)]


def test_a_file_that_meets_the_standard_passes(tmp_path):
    assert messages(write(tmp_path)) == []
    assert small_counts(write(tmp_path)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"audit_count": ""}, "row 1 column audit_count: cell is blank"),
        ({"audit_count": "~"}, "row 1 column audit_count: '~' is neither a number nor one of"),
        ({"audit_count": "n/a"}, "'n/a' is neither a number"),
        ({"audit_percent": "101"}, "row 1 column audit_percent: 101 is not a percentage"),
        ({"audit_percent": "95.8"}, "95.8 has more than 0 decimal places"),
        ({"metric": " "}, "row 1 column metric: cell is blank"),
        ({"time_period": "22"}, "time_period '22' is not a Calendar year period"),
        (
            {"time_identifier": "Financial year", "time_period": "202224"},
            "time_period '202224' is not a Financial year period",
        ),
        ({"time_identifier": "Year"}, "unknown time_identifier 'Year'"),
        ({"geographic_level": "County"}, "unknown geographic_level 'County'"),
        ({"new_la_code": "850"}, "column new_la_code: '850' is not a valid code"),
        ({"old_la_code": "E10000014"}, "column old_la_code: 'E10000014' is not a valid code"),
        ({"region_code": "South East"}, "'South East' is not a valid code"),
    ],
)
def test_each_broken_cell_is_named_with_its_row_and_column(tmp_path, change, expected):
    path = write(tmp_path, rows=[{**ROWS[0], **change}, *ROWS[1:]])
    assert any(expected in message for message in messages(path)), messages(path)


def test_a_financial_year_period_names_two_consecutive_years(tmp_path):
    rows = [{**row, "time_identifier": "Financial year", "time_period": "202223"} for row in ROWS]
    assert messages(write(tmp_path, rows=rows)) == []


def test_a_missing_metadata_file_is_reported(tmp_path):
    path = write(tmp_path)
    path.with_name("care_plan_audit_metrics.meta.csv").unlink()
    assert messages(path) == [
        "care_plan_audit_metrics.csv: has no metadata file care_plan_audit_metrics.meta.csv"
    ]


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (META[1:], "column metric: column of the data file is not described"),
        (
            [*META, {"col_name": "extra", "col_type": "Filter", "label": "Extra"}],
            "column extra: describes a column the data file does not have",
        ),
        (
            [{**META[0], "col_type": "filter"}, *META[1:]],
            "column metric: col_type must be Filter or Indicator",
        ),
        ([{**META[0], "label": ""}, *META[1:]], "column metric: label must be unique"),
        (
            [*META[:2], {**META[2], "label": "Number"}],
            "column audit_percent: label must be unique",
        ),
        (
            [{**META[0], "indicator_unit": "%"}, *META[1:]],
            "a filter has no indicator_unit or indicator_dp",
        ),
        ([*META[:2], {**META[2], "indicator_unit": "percent"}], "indicator_unit must be one of"),
        (
            [*META, {"col_name": "time_period", "col_type": "Filter", "label": "Year"}],
            "time and geography columns must not be in the metadata",
        ),
        (
            [{**META[0], "filter_grouping_column": "audit_count"}, *META[1:]],
            "filter_grouping_column must be a filter",
        ),
        (
            [{**META[0], "filter_default": "Care plan reflects the child's needs"}, *META[1:]],
            'column metric: filter_default "Care plan reflects the child\'s needs" is not an item',
        ),
        (
            [META[0], {**META[1], "filter_default": "240"}, META[2]],
            "column audit_count: only a filter has a filter_default",
        ),
    ],
)
def test_metadata_must_describe_exactly_the_filters_and_indicators(tmp_path, meta, expected):
    path = write(tmp_path, meta=meta)
    assert any(expected in message for message in messages(path)), messages(path)


def test_a_filter_default_names_an_item_a_filter_without_a_total_shows_first(tmp_path):
    meta = [{**META[0], "filter_default": "Audits completed"}, *META[1:]]
    assert messages(write(tmp_path, meta=meta)) == []


def write_meta_columns(path: Path, columns: list[str]) -> None:
    """Rewrite the .meta.csv beside path with these columns, in this order."""
    meta_file = path.with_name(f"{path.stem}.meta.csv")
    with meta_file.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with meta_file.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(
            f, fieldnames=columns, restval="", extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)


def test_the_optional_metadata_columns_may_be_left_out_or_come_in_any_order(tmp_path):
    required = [
        "col_name",
        "col_type",
        "label",
        "indicator_grouping",
        "indicator_unit",
        "filter_hint",
    ]
    path = write(tmp_path)
    write_meta_columns(path, required)
    assert messages(path) == []
    write_meta_columns(path, ["filter_default", *reversed(required), "indicator_dp"])
    assert messages(path) == []


def test_an_unknown_or_missing_metadata_column_is_named(tmp_path):
    path = write(tmp_path)
    write_meta_columns(path, [*META_COLUMNS, "footnote"])
    [unknown] = messages(path)
    assert "column footnote: not a metadata column (optional ones: indicator_dp" in unknown
    write_meta_columns(path, [c for c in META_COLUMNS if c != "label"])
    assert "column label: metadata column is missing" in messages(path)[0]


def test_mandatory_columns_names_and_duplicate_rows(tmp_path):
    rows = [{key: value for key, value in row.items()} for row in ROWS]
    path = write(tmp_path, rows=[*rows, rows[0]], name="Care Plan")
    found = messages(path)
    assert any("file name must be snake_case" in m for m in found)
    assert any("row 4: duplicates an earlier row" in m for m in found)

    path = write(tmp_path)
    text = path.read_text().replace("country_code", "countryCode", 1)
    path.write_text(text)
    found = messages(path)
    assert any("column countryCode: column name is not snake_case" in m for m in found)
    assert any("column country_code: mandatory column is missing" in m for m in found)


def test_encoding_must_be_utf8_without_a_byte_order_mark(tmp_path):
    path = write(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert "byte order mark" in messages(path)[0]
    path.write_bytes(path.read_bytes()[3:].replace(b"Care plan", "Caf\u00e9".encode("cp1252")))
    assert "is not UTF-8" in messages(path)[0]


@pytest.mark.parametrize("count", ["1", "5", "3.0"])
def test_a_count_from_1_to_5_is_found(tmp_path, count):
    path = write(tmp_path, rows=[{**ROWS[0], "audit_count": count}])
    [problem] = small_counts(path)
    assert (
        str(problem)
        == "care_plan_audit_metrics.csv row 1 column audit_count: count of 1 to 5 shown"
    )


@pytest.mark.parametrize("count", ["0", "6", "c", "z", "x"])
def test_zero_six_and_symbols_are_not_disclosive(tmp_path, count):
    path = write(tmp_path, rows=[{**ROWS[0], "audit_count": count, "audit_percent": "3"}])
    assert small_counts(path) == []  # percentages are not counts
