import duckdb
import pytest
import yaml

from orchestration.paths import CATALOGUE_DIR
from tests.publish.dbt_models import create_model_view

SEEDS = ["metrics", "metric_bases", "form_questions", "form_answer_options", "form_versions"]


@pytest.fixture(scope="module")
def catalogue() -> duckdb.DuckDBPyConnection:
    """The repository's catalogue seeds in a DuckDB `catalogue` schema, typed as dbt loads
    them (the column_types of _catalogue__seeds.yml), with the models that shape them for the
    open data's disclosure control."""
    properties = yaml.safe_load((CATALOGUE_DIR / "_catalogue__seeds.yml").read_text())
    types = {seed["name"]: seed["config"]["column_types"] for seed in properties["seeds"]}
    con = duckdb.connect()
    con.execute("create schema catalogue")
    for seed in SEEDS:
        con.execute(
            f"create table catalogue.{seed} as select * from read_csv(?, types = ?)",
            [str(CATALOGUE_DIR / f"{seed}.csv"), types[seed]],
        )
    for model in ("rpt_open_data_metric_rules", "rpt_open_data_answer_options"):
        create_model_view(con, model)
    return con
