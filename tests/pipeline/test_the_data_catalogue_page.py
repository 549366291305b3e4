"""The sample's published data catalogue documents every published model, column by column,
as the warehouse holds it (the page dbt's docs would be, without a second dbt process)."""

import json

import pytest

from tests.support import warehouse_rows

pytestmark = pytest.mark.slow


def inlined_catalogue(page: str) -> dict:
    start = page.index(
        '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog'
    )
    catalogue, _ = json.JSONDecoder().raw_decode(page[start:])
    return catalogue


def test_every_published_model_and_column_is_in_the_catalogue_page(sample_run) -> None:
    data_dir, _ = sample_run
    page = (data_dir / "publish" / "catalogue" / "index.html").read_text()
    nodes = inlined_catalogue(page)["nodes"]
    reporting = warehouse_rows(
        data_dir,
        "select table_name, list(column_name order by column_index) from duckdb_columns() "
        "where schema_name = 'reporting' group by table_name",
    )

    assert len(reporting) >= 4
    for model, columns in reporting:
        entry = nodes[f"model.careaudit.{model}"]
        assert list(entry["columns"]) == columns
        assert all(column["comment"] for column in entry["columns"].values()), model
