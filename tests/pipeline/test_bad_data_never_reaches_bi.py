"""Blocking checks stop publish: when the warehouse holds data that fails a dbt test of
severity error, the refresh fails naming the test and the published files stay as they were."""

import duckdb
import pytest

from tests.exports import answered_audit, write_export
from tests.support import careaudit_env, refresh_landing

pytestmark = pytest.mark.slow

KEY = "test-key-not-secret"


def test_a_failing_dbt_test_stops_publish_and_keeps_the_last_good_files(tmp_path):
    landing, data_dir = tmp_path / "landing", tmp_path / "data"
    write_export(landing / "2023-05.csv", [answered_audit("2023", n) for n in (1, 2, 3)], "2023")
    env = careaudit_env(CAREAUDIT_PSEUDONYMISATION_KEY=KEY)
    assert refresh_landing(landing, data_dir, env=env).returncode == 0
    published = data_dir / "publish" / "internal" / "metrics.csv"
    good = published.read_bytes()

    # Something wrong slips into raw (here: an answer to a question the catalogue lacks).
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        con.execute(
            "insert into raw.audit_answers select * replace ('no_such_question' as question_id) "
            "from raw.audit_answers limit 1"
        )
    result = refresh_landing(landing, data_dir, env=env)

    assert result.returncode == 1
    assert "careaudit refresh failed at careaudit_dbt" in result.stderr
    assert "relationships_stg_audit__answers_question_id" in result.stdout + result.stderr
    assert published.read_bytes() == good
