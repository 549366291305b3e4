"""Every CAREAUDIT_* setting is declared once and read in one place; everything else receives
the settings object: the Dagster resource (the key as an environment variable, never its value)
and dbt (its vars). Nothing rewrites the running process's environment."""

import ast
import os
import re
from pathlib import Path

import dagster as dg
import pytest

from orchestration.cli.commands import main
from orchestration.defs.resources import careaudit_resource
from orchestration.paths import DBT_PROJECT_DIR, REPO_ROOT
from orchestration.settings import (
    DEVELOPMENT_KEY,
    VARIABLES,
    AlertSettings,
    Settings,
    SettingsError,
    settings_table,
    with_settings_table,
)
from tests.support import careaudit_env

PACKAGE = REPO_ROOT / "orchestration"


def python_sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_variable_is_declared_once_with_a_meaning() -> None:
    names = [v.name for v in VARIABLES]

    assert len(names) == len(set(names)) >= 25
    assert all(v.name.startswith("CAREAUDIT_") and v.meaning for v in VARIABLES)


def test_the_documented_settings_table_is_the_declarations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """docs/operating.md holds the table `careaudit settings` prints: regenerate it with
    `careaudit settings --update docs/operating.md` after declaring a setting."""
    document = (REPO_ROOT / "docs" / "operating.md").read_text()

    assert with_settings_table(document) == document
    assert main(["settings"]) == 0
    printed = capsys.readouterr().out
    assert printed == settings_table()
    assert [line.split("`")[1] for line in printed.splitlines()[2:]] == [v.name for v in VARIABLES]
    assert "| `CAREAUDIT_DBT_THREADS` | `2` | dbt models built at once;" in printed


def test_the_settings_table_is_written_only_between_its_markers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unmarked = tmp_path / "notes.md"
    unmarked.write_text("# Notes\n\nNo table here.\n")

    assert main(["settings", "--update", str(unmarked)]) == 2
    assert "no settings table between" in capsys.readouterr().err
    assert unmarked.read_text() == "# Notes\n\nNo table here.\n"


def test_no_module_but_the_settings_reads_a_careaudit_variable() -> None:
    """Variables are named in messages ("set CAREAUDIT_X"), read only by settings.py."""
    readers = []
    for path in python_sources():
        if path.name == "settings.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in (
                "os.environ.get",
                "os.getenv",
            ):
                readers.append(f"{path.name}: {ast.unparse(node)}")
            if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                readers.append(f"{path.name}: {ast.unparse(node)}")
    assert [r for r in readers if "CAREAUDIT_" in r] == []


def test_nothing_rewrites_the_running_processs_environment() -> None:
    writes = []
    for path in python_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
                targets = (
                    node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
                )
                writes += [
                    f"{path.name}: {ast.unparse(t)}"
                    for t in targets
                    if ast.unparse(t).startswith("os.environ[")
                ]
            if isinstance(node, ast.Call) and ast.unparse(node.func) in (
                "os.environ.update",
                "os.environ.pop",
                "os.environ.setdefault",
                "os.putenv",
            ):
                writes.append(f"{path.name}: {ast.unparse(node)}")
    assert writes == []


def test_the_sql_takes_its_settings_as_vars_with_no_defaults_of_its_own() -> None:
    sql = [
        p
        for p in DBT_PROJECT_DIR.rglob("*")
        if p.suffix in (".sql", ".yml") and "target" not in p.parts
    ]
    uses = [p.name for p in sql if "env_var(" in p.read_text()]
    assert uses == []
    settings = Settings.from_env(careaudit_env(CAREAUDIT_YEAR_TYPE="financial"))
    assert settings.dbt_vars() == {
        "warehouse_path": str(settings.warehouse_path),
        "la_code": "E10000014",
        "la_name": "Hampshire",
        "year_type": "financial",
        "percent_rounding": "half_up",
        "duckdb_memory_limit": "2GB",
        "dbt_threads": 2,
    }
    macros = (DBT_PROJECT_DIR / "macros" / "settings.sql").read_text()
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    read = set(re.findall(r"var\('(\w+)'\)", macros + profile))
    assert read == set(settings.dbt_vars())


def test_the_resource_shows_each_setting_with_its_meaning_and_the_key_only_by_name() -> None:
    environment = careaudit_env(CAREAUDIT_PSEUDONYMISATION_KEY="a-real-secret-key")
    settings = Settings.from_env(environment)
    os_environ = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(environment)
        resource = careaudit_resource(settings)
    finally:
        os.environ.clear()
        os.environ.update(os_environ)

    key = resource.pseudonymisation_key
    assert isinstance(key, dg.EnvVar) and key.env_var_name == "CAREAUDIT_PSEUDONYMISATION_KEY"
    assert "a-real-secret-key" not in repr(resource.model_dump())
    fields = type(resource).model_fields
    declared = [v for v in VARIABLES if v.group == "settings"]
    assert {name: field.description for name, field in fields.items()} == {
        v.field: f"{v.name}: {v.meaning}" for v in declared
    }


def test_the_resource_gives_back_the_settings_it_was_built_from(tmp_path: Path) -> None:
    settings = Settings.from_env(careaudit_env()).with_folders(str(tmp_path), str(tmp_path / "d"))

    assert careaudit_resource(settings).settings() == settings


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CAREAUDIT_DBT_THREADS", "0", "CAREAUDIT_DBT_THREADS='0' is not a positive whole number"),
        ("CAREAUDIT_REPORT_PERIODS", "next", "CAREAUDIT_REPORT_PERIODS='next' is not latest, all"),
        ("CAREAUDIT_AUTHORITY_FOLDERS", "yes", "CAREAUDIT_AUTHORITY_FOLDERS='yes' is not one of"),
    ],
)
def test_a_value_the_pipeline_cannot_use_is_refused_naming_the_variable(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        Settings.from_env(careaudit_env(**{variable: value}))


def test_alerts_take_the_security_modes_usual_port_unless_one_is_given() -> None:
    assert AlertSettings.from_env(careaudit_env(CAREAUDIT_SMTP_SECURITY="ssl")).port == 465
    given = careaudit_env(CAREAUDIT_SMTP_SECURITY="ssl", CAREAUDIT_SMTP_PORT="2525")
    assert AlertSettings.from_env(given).port == 2525


def test_the_demo_profile_is_the_sample_read_only_with_the_key_for_its_checksums_only(
    tmp_path: Path,
) -> None:
    demo = Settings.from_env(careaudit_env())
    sample_sums = [
        line.split()[0]
        for line in (REPO_ROOT / "seeds" / "sample_extracts.sha256").read_text().splitlines()
    ]

    assert demo.landing_dir == REPO_ROOT / "seeds" / "sample_extracts"
    assert demo.landing_is_read_only and demo.example_commentary_dir is not None
    assert demo.key_for(sample_sums) == DEVELOPMENT_KEY
    assert demo.key_for([*sample_sums, "0" * 64]) is None  # any other file: no key, no load
    own = demo.with_folders(str(tmp_path), None)
    assert not own.landing_is_read_only and own.example_commentary_dir is None
