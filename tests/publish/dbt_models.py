"""dbt models built in a test's DuckDB from its own tables, for tests of the Python that reads
them."""

import re
from collections.abc import Callable
from typing import Any

import duckdb
import jinja2

from orchestration.paths import CATALOGUE_DIR, DBT_PROJECT_DIR

MODELS = DBT_PROJECT_DIR / "models"
MACROS = DBT_PROJECT_DIR / "macros"


class _Returned(Exception):
    """How dbt's return() leaves a macro with a value rather than its rendered text."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _return(value: Any) -> None:
    raise _Returned(value)


def _ref(name: str) -> str:
    """ref('x') as the schema dbt builds x in: catalogue for seeds, else the model's layer."""
    if (CATALOGUE_DIR / f"{name}.csv").exists():
        return f"catalogue.{name}"
    [upstream] = MODELS.rglob(f"{name}.sql")
    return f"{upstream.relative_to(MODELS).parts[0]}.{name}"


def _environment() -> jinja2.Environment:
    """Plain Jinja with ref() and the project's macros callable as dbt calls them (a macro
    that returns a value gives that value)."""
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"]
    )
    source = "\n".join(path.read_text(encoding="utf-8") for path in sorted(MACROS.glob("*.sql")))
    names = re.findall(r"{%-?\s*macro\s+(\w+)", source)
    macros: dict[str, Callable[..., Any]] = {}

    def called(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return macros[name](*args, **kwargs)
            except _Returned as returned:
                return returned.value

        return call

    env.globals.update({"ref": _ref, "return": _return, **{name: called(name) for name in names}})
    module = env.from_string(source).module
    macros.update({name: getattr(module, name) for name in names})
    return env


def create_model_view(con: duckdb.DuckDBPyConnection, model: str) -> None:
    """A dbt model's own SQL as a view over the tables a test made in the shape dbt builds
    them, so a test of Python that reads the model exercises the model too, and sees what the
    test changes in its inputs. For models using ref and the project's own macros, no other
    dbt context."""
    [path] = MODELS.rglob(f"{model}.sql")
    layer = path.relative_to(MODELS).parts[0]
    con.execute(f"create schema if not exists {layer}")
    sql = _environment().from_string(path.read_text(encoding="utf-8")).render()
    con.execute(f"create or replace view {layer}.{model} as {sql}")
