"""The one writer of published tables: every CSV and Parquet file careaudit publishes (internal
files, the ingest report, the open data and its .meta.csv) is written here, so one rule
protects them all.

CSV files are opened by people in spreadsheets, which run a cell starting with =, +, -, @
(or a tab or carriage return) as a formula: a text cell that starts so is written with a
leading apostrophe, which spreadsheets show as text (OWASP's advice for CSV injection). Only
text columns are changed: numbers, including negative ones, are written as they are. Labels
that come from reference data need no escaping, but a writer that neutralises everything
does not depend on every label having come from there.

Numbers with a fraction are written to CSV with at most CSV_DECIMALS (6) decimal places,
rounded half away from zero: a percent or interval bound to a millionth of a percentage
point (53.083672, not 53.083672039262005, the last digits of which are floating-point noise
that differs between machines). Parquet keeps the full double.

Each file is written beside its target and renamed into place, so even inside a staged
release a file never has its final name half-written.
"""

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
from duckdb import CaseExpression, ColumnExpression, ConstantExpression, FunctionExpression

from orchestration.lib.atomic import replacing

FORMULA_START = "^[=+\\-@\t\r]"
CSV_DECIMALS = 6
FRACTIONAL = ("DOUBLE", "FLOAT", "REAL")


def _neutralised(column: str) -> duckdb.Expression:
    cell = ColumnExpression(column)
    starts_formula = FunctionExpression("regexp_matches", cell, ConstantExpression(FORMULA_START))
    return (
        CaseExpression(starts_formula, FunctionExpression("concat", ConstantExpression("'"), cell))
        .otherwise(cell)
        .alias(column)
    )


def _rounded(column: str) -> duckdb.Expression:
    return FunctionExpression(
        "round", ColumnExpression(column), ConstantExpression(CSV_DECIMALS)
    ).alias(column)


def csv_cells(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """The relation as CSV shows it: every text cell that a spreadsheet would run as a formula
    defused, and every fraction to CSV_DECIMALS places."""
    columns = []
    for name, kind in zip(relation.columns, relation.types, strict=True):
        if str(kind) == "VARCHAR":
            columns.append(_neutralised(name))
        elif str(kind) in FRACTIONAL or str(kind).startswith("DECIMAL"):
            columns.append(_rounded(name))
        else:
            columns.append(ColumnExpression(name))
    return relation.select(*columns)


def text_table(
    con: duckdb.DuckDBPyConnection, header: Sequence[str], rows: Iterable[Sequence[str]]
) -> duckdb.DuckDBPyRelation:
    """Rows of text cells (as the open data is made) as a relation for the writer; an empty
    cell is written empty, as spreadsheets write it."""
    columns = list(zip(*rows, strict=True)) or [() for _ in header]
    arrays = [pa.array([cell or None for cell in column], pa.string()) for column in columns]
    return con.from_arrow(pa.table(arrays, names=list(header)))


def write_atomically(
    relation: duckdb.DuckDBPyRelation, target: Path, metadata: Mapping[str, str] | None = None
) -> Path:
    """Write a relation as CSV (formulas neutralised, fractions to CSV_DECIMALS places) or
    Parquet (full precision, with metadata as the file's key-value metadata), by the target's
    suffix, then rename it into place."""
    if target.suffix not in (".csv", ".parquet"):
        raise ValueError(f"cannot publish {target.name}: expected .csv or .parquet")
    with replacing(target) as partial:
        if target.suffix == ".csv":
            csv_cells(relation).write_csv(str(partial), header=True)
        else:
            pairs = ", ".join(f"{k}: {_literal(v)}" for k, v in (metadata or {}).items())
            options = f", kv_metadata {{{pairs}}}" if pairs else ""
            relation.query(
                "published", f"copy published to {_literal(partial)} (format parquet{options})"
            )
    return target


def _literal(text: str | Path) -> str:
    return "'" + str(text).replace("'", "''") + "'"
