"""Helpers for tests that run the real `careaudit` command the way a data team does."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from orchestration.settings import Settings

CAREAUDIT = str(Path(sys.executable).with_name("careaudit"))

RunCareaudit = Callable[..., subprocess.CompletedProcess[str]]


def careaudit_env(**overrides: str) -> dict[str, str]:
    """The environment of a clean run: no CAREAUDIT_* settings inherited from the shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREAUDIT_")}
    env.update(DO_NOT_TRACK="1", DAGSTER_DISABLE_TELEMETRY="1", **overrides)
    return env


def run_careaudit(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `careaudit <args>` in a subprocess and return the completed process."""
    return subprocess.run(
        [CAREAUDIT, *args],
        env=env or careaudit_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def write_export(
    path: Path,
    form_version: str,
    answers: list[dict[str, str]],
    completed: str = "15/08/2023 10:30",
) -> Path:
    """Write a CSV export on a form version: one row per dict of {question_id: cell text}.

    Every question not given gets a consistent default (the first option its form version
    offers, which also satisfies every skip rule), a unique child id and review date, so a
    test states only the answers it is about.
    """
    import csv

    from orchestration.catalogue import load_catalogue

    catalogue = load_catalogue()
    questions = catalogue.questions_on(form_version)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([q.header_for(form_version) for q in questions])
        for number, given in enumerate(answers, start=1):
            defaults = {
                "response_id": str(number),
                "started_at": completed,
                "completed_at": completed,
                "iro_email": f"iro{number % 3}@example.org",
                "iro_name": "Sam Example",
                "child_id": f"{9000000 + number}",
                "child_name": "Alex Example",
                "review_date": completed.split(" ")[0],
                "district": "Hart",
            }
            row = []
            for q in questions:
                if q.question_id in given:
                    row.append(given[q.question_id])
                elif q.is_choice:
                    row.append(catalogue.options_on(q, form_version)[0].label)
                else:
                    row.append(defaults.get(q.question_id, ""))
            writer.writerow(row)
    return path


def default_settings(data_dir: Path) -> Settings:
    """The settings of a run with every default (the bundled sample's authority), for tests
    that call the code directly rather than through `careaudit`."""
    return Settings(
        data_dir=data_dir,
        landing_dir=data_dir / "landing",
        pseudonymisation_key=None,
        la_code="E10000014",
        old_la_code="850",
        la_name="Hampshire",
        region_code="E12000008",
        region_name="South East",
        year_type="calendar",
        percent_rounding="half_up",
    )
