"""dbt models built in a test's DuckDB from its own tables, for tests of the Python that reads
them."""

import duckdb
import jinja2

from orchestration.paths import CATALOGUE_DIR, DBT_PROJECT_DIR

MODELS = DBT_PROJECT_DIR / "models"


def create_model_view(con: duckdb.DuckDBPyConnection, model: str) -> None:
    """A dbt model's own SQL as a view over the tables a test made in the shape dbt builds
    them (ref('x') read from the schema dbt builds x in: catalogue for seeds, else the model's
    layer), so a test of Python that reads the model exercises the model too, and sees what
    the test changes in its inputs. For the models written in plain Jinja and ref only."""
    [path] = MODELS.rglob(f"{model}.sql")

    def ref(name: str) -> str:
        if (CATALOGUE_DIR / f"{name}.csv").exists():
            return f"catalogue.{name}"
        [upstream] = MODELS.rglob(f"{name}.sql")
        return f"{upstream.relative_to(MODELS).parts[0]}.{name}"

    layer = path.relative_to(MODELS).parts[0]
    con.execute(f"create schema if not exists {layer}")
    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(
        path.read_text(encoding="utf-8")
    )
    sql = template.render(ref=ref)
    con.execute(f"create or replace view {layer}.{model} as {sql}")
