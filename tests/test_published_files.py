"""Published files are written whole or not at all, and a spreadsheet opening a published CSV
never runs a cell as a formula."""

import csv
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.publish.files import write_atomically


@pytest.fixture
def relation() -> duckdb.DuckDBPyRelation:
    return duckdb.sql(
        "select * from (values "
        "('=HYPERLINK(\"http://example.org\")', -3.5, 'ok'), "
        "('+1', 2.0, '@SUM(A1:A2)'), "
        "('-cmd', 0.0, 'a=b'), "
        "(chr(9) || 'tab', -1.0, null)"
        ') as t("first column", change_points, note)'
    ).order("all")


def test_text_cells_that_would_run_as_formulas_start_with_an_apostrophe(relation, tmp_path):
    target = write_atomically(relation, tmp_path / "out.csv")

    with target.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [
        ["first column", "change_points", "note"],
        ["'\ttab", "-1.0", ""],
        ["'+1", "2.0", "'@SUM(A1:A2)"],
        ["'-cmd", "0.0", "a=b"],
        ['\'=HYPERLINK("http://example.org")', "-3.5", "ok"],
    ]


def test_parquet_keeps_the_values_as_they_are(relation, tmp_path: Path):
    target = write_atomically(relation, tmp_path / "out.parquet")

    values = duckdb.execute("select * from read_parquet(?)", [str(target)]).fetchall()
    assert ('=HYPERLINK("http://example.org")', -3.5, "ok") in values
    assert not list(tmp_path.glob(".*partial"))


def test_csv_fractions_have_a_fixed_precision_and_parquet_keeps_every_digit(tmp_path: Path):
    """53.083672039262005 in a CSV is floating-point noise beyond the sixth decimal place."""
    relation = duckdb.sql(
        "select 100.0 * 120 / 200 as percent, 53.083672039262005 :: double as ci_lower, "
        "66.53942143319266 :: double as ci_upper, 2 :: integer as numerator, "
        "1.0e-7 :: double as tiny"
    )
    with write_atomically(relation, tmp_path / "out.csv").open(newline="") as f:
        [_, row] = list(csv.reader(f))
    assert row == ["60.0", "53.083672", "66.539421", "2", "0.0"]
    [parquet] = duckdb.execute(
        "select * from read_parquet(?)", [str(write_atomically(relation, tmp_path / "o.parquet"))]
    ).fetchall()
    assert parquet[1] == 53.083672039262005
