"""The data catalogue page is dbt's own docs page with the manifest and a catalogue of the
warehouse inlined: every relation dbt would catalogue, with its kind, description and typed,
described columns, read from the warehouse itself (no second dbt process)."""

import json
import re
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.publish.dbt_docs import catalog, docs_template, static_page


def node(resource_type: str, schema: str, name: str, materialized: str = "table") -> dict:
    return {
        "resource_type": resource_type,
        "schema": schema,
        "name": name,
        "alias": name,
        "config": {"materialized": materialized},
    }


MANIFEST = {
    "metadata": {"invocation_id": "inv-1"},
    "nodes": {
        "model.careaudit.fct_metrics": node("model", "marts", "fct_metrics"),
        "model.careaudit.stg_audit__answers": node(
            "model", "staging", "stg_audit__answers", "view"
        ),
        "model.careaudit.int_lookup": node("model", "intermediate", "int_lookup", "ephemeral"),
        "seed.careaudit.metrics": node("seed", "catalogue", "metrics"),
        "test.careaudit.not_null_x": node("test", "marts", "not_null_x"),
    },
    "sources": {
        "source.careaudit.audit.answers": {"schema": "raw", "identifier": "audit_answers"},
    },
}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        for schema in ("raw", "staging", "marts", "catalogue", "scratch"):
            con.execute(f"create schema {schema}")
        con.execute("create table raw.audit_answers (question_id varchar, answer_code varchar)")
        con.execute("create table marts.fct_metrics (metric_id varchar, numerator integer)")
        con.execute("comment on table marts.fct_metrics is 'One row per metric'")
        con.execute("comment on column marts.fct_metrics.numerator is 'Audits counted'")
        con.execute("create view staging.stg_audit__answers as select * from raw.audit_answers")
        con.execute("create table catalogue.metrics (metric_id varchar)")
        con.execute("create table scratch.not_in_the_project (x integer)")
    return path


def test_the_catalogue_holds_every_relation_dbt_would_with_typed_described_columns(
    warehouse: Path,
) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = catalog(con, MANIFEST)

    assert sorted(found["nodes"]) == [
        "model.careaudit.fct_metrics",
        "model.careaudit.stg_audit__answers",
        "seed.careaudit.metrics",
    ]
    assert sorted(found["sources"]) == ["source.careaudit.audit.answers"]
    metrics = found["nodes"]["model.careaudit.fct_metrics"]
    assert metrics["metadata"] == {
        "type": "BASE TABLE",
        "schema": "marts",
        "name": "fct_metrics",
        "database": "warehouse",
        "comment": "One row per metric",
        "owner": None,
    }
    assert metrics["columns"] == {
        "metric_id": {"type": "VARCHAR", "index": 1, "name": "metric_id", "comment": None},
        "numerator": {
            "type": "INTEGER",
            "index": 2,
            "name": "numerator",
            "comment": "Audits counted",
        },
    }
    assert found["nodes"]["model.careaudit.stg_audit__answers"]["metadata"]["type"] == "VIEW"
    assert found["metadata"]["invocation_id"] == "inv-1"


def test_the_page_is_dbts_template_with_both_documents_inlined(
    warehouse: Path, tmp_path: Path
) -> None:
    manifest_path = tmp_path / "manifest.json"
    manifest_path.write_text(json.dumps(MANIFEST))

    with duckdb.connect(str(warehouse), read_only=True) as con:
        page = static_page(manifest_path, con)

    assert "INLINE DATA" in docs_template().read_text()
    assert "INLINE DATA" not in page
    assert json.dumps(MANIFEST) in page
    inlined = re.search(
        r'"metadata": \{"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog', page
    )
    assert inlined is not None
