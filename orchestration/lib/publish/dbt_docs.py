"""The dbt docs page of the project (models, columns, tests, lineage, the exposures using each
published model) built without running dbt again.

`dbt docs generate --static` inlines two documents into dbt's single-page template: the
project's manifest, and a catalogue of the warehouse's relations and columns. Dagster has the
manifest already (it built the assets from it), and the catalogue is what DuckDB's own tables
of tables, views and columns say: so both are read here and inlined the same way, instead of
starting a second dbt process per refresh (seconds of start-up, parsing and opening the
warehouse, for a page that changes only with the project and the columns).
"""

import json
from datetime import UTC, datetime
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import duckdb

CATALOG_SCHEMA = "https://schemas.getdbt.com/dbt/catalog/v1.json"
RELATIONS = """
    select schema_name, table_name, 'BASE TABLE', comment
    from duckdb_tables() where database_name = current_database()
    union all
    select schema_name, view_name, 'VIEW', comment
    from duckdb_views() where database_name = current_database() and not internal
"""
COLUMNS = """
    select schema_name, table_name, column_name, column_index, data_type, comment
    from duckdb_columns() where database_name = current_database()
    order by schema_name, table_name, column_index
"""
NO_STATS = {
    "has_stats": {
        "id": "has_stats",
        "label": "Has Stats?",
        "value": False,
        "include": False,
        "description": "Indicates whether there are statistics for this table",
    }
}
CATALOGUED = ("model", "seed", "snapshot")


def docs_template() -> Path:
    """dbt's single-page docs template, from the installed dbt-core (never downloaded)."""
    spec = find_spec("dbt")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "task" / "docs" / "index.html"


def _relations(manifest: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(schema, relation name) -> unique id, for every node dbt would catalogue."""
    found = {}
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] in CATALOGUED and node["config"]["materialized"] != "ephemeral":
            found[(node["schema"], node["alias"] or node["name"])] = unique_id
    for unique_id, source in manifest["sources"].items():
        found[(source["schema"], source["identifier"])] = unique_id
    return found


def catalog(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> dict[str, Any]:
    """The catalogue `dbt docs generate` writes, from the warehouse `con` is connected to."""
    wanted = _relations(manifest)
    database = con.execute("select current_database()").fetchone()[0]  # type: ignore[index]
    entries: dict[str, dict[str, Any]] = {}
    for schema, name, kind, comment in con.execute(RELATIONS).fetchall():
        if (schema, name) in wanted:
            unique_id = wanted[(schema, name)]
            entries[unique_id] = {
                "metadata": {
                    "type": kind,
                    "schema": schema,
                    "name": name,
                    "database": database,
                    "comment": comment,
                    "owner": None,
                },
                "columns": {},
                "stats": NO_STATS,
                "unique_id": unique_id,
            }
    for schema, table, column, index, data_type, comment in con.execute(COLUMNS).fetchall():
        unique_id = wanted.get((schema, table))
        if unique_id in entries:
            entries[unique_id]["columns"][column] = {
                "type": data_type,
                "index": index,
                "name": column,
                "comment": comment,
            }
    return {
        "metadata": {
            "dbt_schema_version": CATALOG_SCHEMA,
            "dbt_version": version("dbt-core"),
            "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "invocation_id": manifest["metadata"].get("invocation_id"),
            "env": {},
        },
        "nodes": {k: v for k, v in entries.items() if not k.startswith("source.")},
        "sources": {k: v for k, v in entries.items() if k.startswith("source.")},
        "errors": None,
    }


def static_page(manifest_path: Path, con: duckdb.DuckDBPyConnection) -> str:
    """The one self-contained docs page: dbt's template with the manifest and catalogue in."""
    manifest_text = manifest_path.read_text("utf-8")
    page = docs_template().read_text("utf-8")
    page = page.replace('"MANIFEST.JSON INLINE DATA"', manifest_text)
    return page.replace(
        '"CATALOG.JSON INLINE DATA"', json.dumps(catalog(con, json.loads(manifest_text)))
    )
