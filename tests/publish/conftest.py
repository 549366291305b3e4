import duckdb
import pytest
import yaml

from orchestration.paths import CATALOGUE_DIR

SEEDS = ["metrics", "metric_bases", "form_questions", "form_answer_options", "form_versions"]


@pytest.fixture(scope="module")
def catalogue() -> duckdb.DuckDBPyConnection:
    """The repository's catalogue seeds in a DuckDB `catalogue` schema, typed as dbt loads
    them (the column_types of _catalogue__seeds.yml)."""
    properties = yaml.safe_load((CATALOGUE_DIR / "_catalogue__seeds.yml").read_text())
    types = {seed["name"]: seed["config"]["column_types"] for seed in properties["seeds"]}
    con = duckdb.connect()
    con.execute("create schema catalogue")
    for seed in SEEDS:
        con.execute(
            f"create table catalogue.{seed} as select * from read_csv(?, types = ?)",
            [str(CATALOGUE_DIR / f"{seed}.csv"), types[seed]],
        )
    return con
