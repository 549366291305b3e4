"""The data catalogue page is generated once per version of the dbt project and the warehouse's
columns, and reused while neither changes."""

from pathlib import Path

import duckdb

from orchestration.publish.data_catalogue import page_key
from tests.support import default_settings


def test_the_page_key_follows_the_warehouse_columns_and_nothing_else(tmp_path: Path) -> None:
    settings = default_settings(tmp_path)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_metrics (metric_id varchar, numerator integer)")
        con.execute("insert into marts.fct_metrics values ('a', 1)")
    first = page_key(settings)

    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("insert into marts.fct_metrics values ('b', 2)")  # rows: same page
    assert page_key(settings) == first

    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("comment on column marts.fct_metrics.numerator is 'audits counted'")
    described = page_key(settings)
    assert described != first

    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("alter table marts.fct_metrics add column denominator integer")
    assert page_key(settings) not in (first, described)
