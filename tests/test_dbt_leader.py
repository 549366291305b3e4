"""careaudit-dbt runs dbt in the warehouse's folder and names the warehouse by its file name,
so that dbt's saved parse of the project serves every data dir; profiles, target and logs stay
where dagster-dbt put them."""

import json
from pathlib import Path

import pytest

from orchestration.cli.dbt_leader import in_warehouse_folder


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """dbt started as dagster-dbt starts it: in the project."""
    project = tmp_path / "dbt_project"
    project.mkdir()
    monkeypatch.chdir(project)
    return project


# dagster-dbt's environment for dbt: the project, and a relative target and log path
DAGSTER_DBT = {"DBT_TARGET_PATH": "target", "DBT_LOG_PATH": "target", "OTHER": "kept"}


def test_dbt_runs_in_the_warehouse_folder_given_the_warehouse_by_name(project, tmp_path):
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    variables = {"dbt_threads": 2, "warehouse_path": str(warehouse)}
    environ = {"DBT_PROJECT_DIR": str(project), **DAGSTER_DBT}

    args, env = in_warehouse_folder(["build", "--vars", json.dumps(variables), "-q"], environ)

    assert Path.cwd() == warehouse.parent
    assert args == [
        "build",
        "--vars",
        json.dumps({"dbt_threads": 2, "warehouse_path": "warehouse.duckdb"}, sort_keys=True),
        "-q",
    ]
    assert env == {
        **environ,
        "DBT_PROFILES_DIR": str(project),
        "DBT_TARGET_PATH": str(project / "target"),
        "DBT_LOG_PATH": str(project / "target"),
    }


def test_two_data_dirs_give_dbt_the_same_arguments(project, tmp_path, monkeypatch):
    """The same vars for every data dir: what lets one saved parse serve them all."""
    given = []
    for data_dir in ("one", "two"):
        monkeypatch.chdir(project)  # each dbt starts in the project
        warehouse = tmp_path / data_dir / "w.duckdb"
        vars_ = json.dumps({"warehouse_path": str(warehouse)})
        given.append(in_warehouse_folder(["build", "--vars", vars_], dict(DAGSTER_DBT)))

    assert given[0] == given[1]


def test_a_command_without_a_warehouse_is_passed_on_as_it_is(project):
    for args in (["--version"], ["parse", "--vars"], ["run", "--vars", '{"x": 1}']):
        assert in_warehouse_folder(args, dict(DAGSTER_DBT)) == (args, DAGSTER_DBT)
    assert Path.cwd() == project
