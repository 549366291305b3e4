"""Checks an open-data file against the DfE Explore Education Statistics (EES) open data
standard, and for disclosive counts.

The rules are those of the standard this release relies on (the DfE's own screener checks
more): snake_case columns; the mandatory time and geography columns with valid values; a
`.meta.csv` beside each file, in the EES layout, describing exactly its filters and
indicators; no blank cells; indicators either numbers or one of the symbols allowed here
(c suppressed, z not applicable, x not available, low rounds to 0); percentages within
0..100; no duplicate rows; the optional metadata columns (indicator_dp,
filter_grouping_column, filter_default) used as EES reads them. Used by the blocking checks
on the open-data release and by tests.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from orchestration.lib.publish.disclosure import is_small

# The metadata's columns: those every .meta.csv has, and the optional ones EES also reads
# (decimal places of an indicator, a filter's grouping column, and the item a filter without
# a Total shows first). careaudit writes them all, in this order.
META_REQUIRED = (
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "filter_hint",
)
META_OPTIONAL = ("indicator_dp", "filter_grouping_column", "filter_default")
META_COLUMNS = (
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
    "filter_default",
)
TIME_COLUMNS = ("time_period", "time_identifier")
COUNTRY_COLUMNS = ("geographic_level", "country_code", "country_name")
REGION_COLUMNS = ("region_code", "region_name")
LA_COLUMNS = ("new_la_code", "old_la_code", "la_name")
# The geography columns each level needs, and the patterns of their codes.
LEVEL_COLUMNS = {
    "National": COUNTRY_COLUMNS,
    "Regional": (*COUNTRY_COLUMNS, *REGION_COLUMNS),
    "Local authority": (*COUNTRY_COLUMNS, *REGION_COLUMNS, *LA_COLUMNS),
}
CODE_PATTERNS = {
    "country_code": re.compile(r"^[EKNSW]92\d{6}$"),
    "region_code": re.compile(r"^E12\d{6}$"),
    "new_la_code": re.compile(r"^E\d{8}$"),
    "old_la_code": re.compile(r"^\d{3}$"),
}
TIME_PERIOD_DIGITS = {"Calendar year": 4, "Financial year": 6}
SYMBOLS = {"c", "z", "x", "low"}
UNITS = {"", "%", "£", "£m", "pp"}
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
MAX_LABEL = 80


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    row: int | None = None  # data row number, 1 = first row after the header
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f" column {self.column}"
        return f"{where}: {self.message}"


def open_data_files(directory: Path) -> list[Path]:
    """The data files of a release (each has a .meta.csv beside it)."""
    return sorted(p for p in directory.glob("*.csv") if not p.name.endswith(".meta.csv"))


def meta_path(data_path: Path) -> Path:
    return data_path.with_name(f"{data_path.stem}.meta.csv")


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ValueError("starts with a byte order mark: save as UTF-8 without one")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"is not UTF-8 ({error})") from error
    header, *rows = list(csv.reader(text.splitlines()))
    return header, rows


def _number(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def validate(data_path: Path) -> list[Problem]:
    """Every way the file and its .meta.csv break the rules above (empty when they pass)."""
    name = data_path.name
    problems: list[Problem] = []
    if data_path.suffix != ".csv" or not SNAKE_CASE.match(data_path.stem):
        problems.append(Problem(name, "file name must be snake_case with a .csv suffix"))
    meta_file = meta_path(data_path)
    if not meta_file.exists():
        return [*problems, Problem(name, f"has no metadata file {meta_file.name}")]
    try:
        header, rows = _read(data_path)
        meta_header, meta_rows = _read(meta_file)
    except ValueError as error:
        return [*problems, Problem(name, str(error))]
    problems += _check_columns(name, header)
    meta_problems = list(_check_meta_columns(meta_file.name, meta_header))
    if meta_problems:
        return [*problems, *meta_problems]
    meta = [dict(zip(meta_header, row, strict=False)) for row in meta_rows]
    problems += _check_meta(meta_file.name, header, meta)
    filters = [m["col_name"] for m in meta if m.get("col_type") == "Filter"]
    indicators = {m["col_name"]: m for m in meta if m.get("col_type") == "Indicator"}
    problems += _check_rows(name, header, rows, filters, indicators)
    problems += _check_filter_defaults(meta_file.name, header, rows, meta)
    return problems


def _check_meta_columns(name: str, meta_header: list[str]) -> Iterator[Problem]:
    """Every required metadata column, optional ones only from EES's list, none twice."""
    for column in META_REQUIRED:
        if column not in meta_header:
            yield Problem(name, "metadata column is missing", column=column)
    for column in meta_header:
        if column not in (*META_REQUIRED, *META_OPTIONAL):
            yield Problem(
                name,
                f"not a metadata column (optional ones: {', '.join(META_OPTIONAL)})",
                column=column,
            )
        elif meta_header.count(column) > 1:
            yield Problem(name, "metadata column appears more than once", column=column)


def _check_filter_defaults(
    name: str, header: list[str], rows: list[list[str]], meta: list[dict[str, str]]
) -> Iterator[Problem]:
    """A filter's default is one of its items; an indicator has none."""
    for number, m in enumerate(meta, start=1):
        default, column = m.get("filter_default", ""), m.get("col_name", "")
        if not default:
            continue
        where = {"row": number, "column": column}
        if m.get("col_type") != "Filter":
            yield Problem(name, "only a filter has a filter_default", **where)
        elif column in header:
            position = header.index(column)
            if not any(len(row) > position and row[position] == default for row in rows):
                yield Problem(name, f"filter_default {default!r} is not an item", **where)


def _check_columns(name: str, header: list[str]) -> Iterator[Problem]:
    for column in header:
        if not SNAKE_CASE.match(column):
            yield Problem(name, "column name is not snake_case", column=column)
    for column in {c for c in header if header.count(c) > 1}:
        yield Problem(name, "column appears more than once", column=column)
    for column in (*TIME_COLUMNS, *COUNTRY_COLUMNS):
        if column not in header:
            yield Problem(name, "mandatory column is missing", column=column)


def _check_meta(name: str, header: list[str], meta: list[dict[str, str]]) -> Iterator[Problem]:
    described = [m.get("col_name", "") for m in meta]
    fixed = {*TIME_COLUMNS, *CODE_PATTERNS, *COUNTRY_COLUMNS, *REGION_COLUMNS, *LA_COLUMNS}
    for column in header:
        if column not in fixed and column not in described:
            yield Problem(name, "column of the data file is not described", column=column)
    filters = {m["col_name"] for m in meta if m.get("col_type") == "Filter"}
    labels = [m.get("label", "") for m in meta]
    for number, m in enumerate(meta, start=1):
        column = m.get("col_name", "")
        where = {"row": number, "column": column}
        if column in fixed:
            yield Problem(name, "time and geography columns must not be in the metadata", **where)
        elif column not in header:
            yield Problem(name, "describes a column the data file does not have", **where)
        if described.count(column) > 1:
            yield Problem(name, "column is described more than once", **where)
        if m.get("col_type") not in ("Filter", "Indicator"):
            yield Problem(name, "col_type must be Filter or Indicator", **where)
        label = m.get("label", "")
        if not label.strip() or len(label) > MAX_LABEL or labels.count(label) > 1:
            yield Problem(name, f"label must be unique, 1 to {MAX_LABEL} characters", **where)
        if m.get("col_type") == "Filter" and (m.get("indicator_unit") or m.get("indicator_dp")):
            yield Problem(name, "a filter has no indicator_unit or indicator_dp", **where)
        if m.get("col_type") == "Indicator":
            if m.get("filter_hint") or m.get("filter_grouping_column"):
                yield Problem(name, "an indicator has no filter_hint or grouping", **where)
            if m.get("indicator_unit", "") not in UNITS:
                yield Problem(name, f"indicator_unit must be one of {sorted(UNITS)}", **where)
            if m.get("indicator_dp") and not m["indicator_dp"].isdigit():
                yield Problem(name, "indicator_dp must be a whole number", **where)
        grouping = m.get("filter_grouping_column", "")
        if grouping and grouping not in filters:
            yield Problem(name, "filter_grouping_column must be a filter", **where)


def _check_rows(
    name: str,
    header: list[str],
    rows: list[list[str]],
    filters: list[str],
    indicators: dict[str, dict[str, str]],
) -> Iterator[Problem]:
    if not rows:
        yield Problem(name, "has no rows")
    keys: set[tuple[str, ...]] = set()
    key_columns = [c for c in header if c not in indicators]
    for number, values in enumerate(rows, start=1):
        if len(values) != len(header):
            yield Problem(name, f"has {len(values)} cells, the header {len(header)}", row=number)
            continue
        row = dict(zip(header, values, strict=True))
        for column, value in row.items():
            if not value.strip():
                yield Problem(name, "cell is blank", number, column)
        yield from _check_time(name, number, row)
        yield from _check_geography(name, number, header, row)
        for column, meta in indicators.items():
            yield from _check_indicator(name, number, column, row.get(column, ""), meta)
        key = tuple(row[c] for c in key_columns)
        if key in keys:
            yield Problem(name, "duplicates an earlier row's time, geography and filters", number)
        keys.add(key)


def _check_time(name: str, number: int, row: dict[str, str]) -> Iterator[Problem]:
    identifier, period = row.get("time_identifier", ""), row.get("time_period", "")
    digits = TIME_PERIOD_DIGITS.get(identifier)
    if digits is None:
        yield Problem(name, f"unknown time_identifier {identifier!r}", number, "time_identifier")
    elif not (len(period) == digits and period.isdigit()) or (
        digits == 6 and int(period[4:]) != (int(period[:4]) + 1) % 100
    ):
        yield Problem(
            name, f"time_period {period!r} is not a {identifier} period", number, "time_period"
        )


def _check_geography(
    name: str, number: int, header: list[str], row: dict[str, str]
) -> Iterator[Problem]:
    level = row.get("geographic_level", "")
    needed = LEVEL_COLUMNS.get(level)
    if needed is None:
        yield Problem(name, f"unknown geographic_level {level!r}", number, "geographic_level")
        return
    for column in needed:
        if column not in header:
            yield Problem(name, f"{level} rows need this column", number, column)
        elif column in CODE_PATTERNS and not CODE_PATTERNS[column].match(row[column]):
            yield Problem(name, f"{row[column]!r} is not a valid code", number, column)


def _check_indicator(
    name: str, number: int, column: str, value: str, meta: dict[str, str]
) -> Iterator[Problem]:
    if not value.strip() or value in SYMBOLS:
        return  # blanks are reported with every other blank cell
    amount = _number(value)
    if amount is None:
        yield Problem(
            name, f"{value!r} is neither a number nor one of {sorted(SYMBOLS)}", number, column
        )
        return
    places = int(meta["indicator_dp"]) if meta.get("indicator_dp", "").isdigit() else None
    if places is not None and -amount.as_tuple().exponent > places:  # type: ignore[operator]
        yield Problem(name, f"{value} has more than {places} decimal places", number, column)
    if meta.get("indicator_unit") == "%" and not 0 <= amount <= 100:
        yield Problem(name, f"{value} is not a percentage from 0 to 100", number, column)


def small_counts(data_path: Path) -> list[Problem]:
    """Counts of 1 to 5 in the file's count indicators (those without a unit): any one is a
    disclosure."""
    header, rows = _read(data_path)
    meta_header, meta_rows = _read(meta_path(data_path))
    meta = [dict(zip(meta_header, row, strict=False)) for row in meta_rows]
    counts = [
        m["col_name"]
        for m in meta
        if m.get("col_type") == "Indicator" and not m.get("indicator_unit")
    ]
    found = []
    for number, values in enumerate(rows, start=1):
        row = dict(zip(header, values, strict=False))
        for column in counts:
            amount = _number(row.get(column, ""))
            if amount is not None and amount == amount.to_integral() and is_small(int(amount)):
                found.append(Problem(data_path.name, "count of 1 to 5 shown", number, column))
    return found
