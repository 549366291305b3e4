"""Write query results to files atomically: a reader sees the old file or the new one, never a
half-written one, because each file is written beside its target and renamed into place."""

import os
from pathlib import Path

import duckdb


def write_atomically(relation: duckdb.DuckDBPyRelation, target: Path) -> Path:
    """Write a relation as CSV or Parquet (by the target's suffix), then rename into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    if target.suffix == ".csv":
        relation.write_csv(str(partial), header=True)
    elif target.suffix == ".parquet":
        relation.write_parquet(str(partial))
    else:
        raise ValueError(f"cannot publish {target.name}: expected .csv or .parquet")
    os.replace(partial, target)
    return target
