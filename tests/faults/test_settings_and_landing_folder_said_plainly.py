"""A setting the pipeline cannot use, or a landing folder that is not a folder, ends a command
with one sentence and exit code 2 before anything is written: never a traceback."""

import os
from pathlib import Path

import pytest

from orchestration.cli.commands import main
from tests.support import careaudit_env


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean run's environment, on a copy: the command sets variables of its own (the data
    dir, DAGSTER_HOME) that must not outlive the test."""
    monkeypatch.setattr(os, "environ", careaudit_env())


@pytest.mark.parametrize(
    ("variable", "value", "sentence"),
    [
        (
            "CAREAUDIT_MAX_FILE_MB",
            "lots",
            "CAREAUDIT_MAX_FILE_MB='lots' is not a positive whole number",
        ),
        (
            "CAREAUDIT_YEAR_TYPE",
            "weekly",
            "CAREAUDIT_YEAR_TYPE='weekly' is not one of calendar, financial",
        ),
    ],
)
@pytest.mark.parametrize("command", ["refresh", "withdraw"])
def test_a_setting_the_pipeline_cannot_use_is_one_sentence(
    clean_environment,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: str,
    variable: str,
    value: str,
    sentence: str,
) -> None:
    monkeypatch.setenv(variable, value)
    names = ["a.csv"] if command == "withdraw" else []

    code = main([command, *names, "--data-dir", str(tmp_path / "data")])

    assert code == 2
    assert capsys.readouterr().err == f"careaudit {command}: {sentence}; nothing was changed\n"
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("make", "what"), [("file", "is a file, not a folder"), ("nothing", "does not exist")]
)
def test_a_landing_folder_that_is_not_a_folder_is_one_sentence(
    clean_environment,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    make: str,
    what: str,
) -> None:
    landing = tmp_path / "landing"
    if make == "file":
        landing.write_text("not a folder")

    code = main(
        ["refresh", "--quiet", "--landing", str(landing), "--data-dir", str(tmp_path / "d")]
    )

    assert code == 2
    assert capsys.readouterr().err == (
        f"careaudit refresh: the landing folder {landing} {what}: point CAREAUDIT_LANDING_DIR "
        "(or --landing) at the folder the exports are put in\n"
    )
    assert not (tmp_path / "d" / "warehouse.duckdb").exists()
