"""Write query results to files atomically: a reader sees the old file or the new one, never a
half-written one, because each file is written beside its target and renamed into place.

CSV files are opened by people in spreadsheets, which run a cell starting with =, +, -, @
(or a tab or carriage return) as a formula: a text cell that starts so is written with a
leading apostrophe, which spreadsheets show as text (OWASP's advice for CSV injection). Only
text columns are changed: numbers, including negative ones, are written as they are.
"""

import os
from pathlib import Path

import duckdb
from duckdb import CaseExpression, ColumnExpression, ConstantExpression, FunctionExpression

FORMULA_START = "^[=+\\-@\t\r]"


def _neutralised(column: str) -> duckdb.Expression:
    cell = ColumnExpression(column)
    starts_formula = FunctionExpression("regexp_matches", cell, ConstantExpression(FORMULA_START))
    return (
        CaseExpression(starts_formula, FunctionExpression("concat", ConstantExpression("'"), cell))
        .otherwise(cell)
        .alias(column)
    )


def without_formulas(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """The relation with every text cell that a spreadsheet would run as a formula defused."""
    columns = [
        _neutralised(name) if str(kind) == "VARCHAR" else ColumnExpression(name)
        for name, kind in zip(relation.columns, relation.types, strict=True)
    ]
    return relation.select(*columns)


def write_atomically(relation: duckdb.DuckDBPyRelation, target: Path) -> Path:
    """Write a relation as CSV or Parquet (by the target's suffix), then rename into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    if target.suffix == ".csv":
        without_formulas(relation).write_csv(str(partial), header=True)
    elif target.suffix == ".parquet":
        relation.write_parquet(str(partial))
    else:
        raise ValueError(f"cannot publish {target.name}: expected .csv or .parquet")
    os.replace(partial, target)
    return target
