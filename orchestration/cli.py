"""`careaudit`: a thin command line over the same Dagster definitions the UI and schedules use.

`careaudit refresh` runs the refresh job through Dagster (recorded in the instance under the
data dir, so the UI shows CLI runs too), printing progress as it goes; it exits non-zero with
the failing step's message when anything fails.
"""

import argparse
import os
import sys
from contextlib import redirect_stdout
from datetime import datetime
from pathlib import Path

from orchestration.paths import REPO_ROOT, SAMPLE_EXTRACTS_DIR

DAGSTER_YAML = """\
# Written by careaudit: a local instance under the data dir, so run history survives restarts.
telemetry:
  enabled: false
"""


def _use_dir(variable: str, value: str | None) -> None:
    """Make a command-line folder the setting every part of the run sees (dbt included)."""
    if value is not None:
        os.environ[variable] = str(Path(value).resolve())


def prepare_dagster_home(dagster_home: Path) -> None:
    """Create the Dagster instance folder with telemetry off, and point DAGSTER_HOME at it."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(dagster_home)


def _root_cause(error: object) -> str:
    """The innermost error's message: what actually went wrong, not Dagster's wrappers."""
    if error is None:
        return "no error message"
    while getattr(error, "cause", None) is not None:
        error = error.cause  # type: ignore[attr-defined]
    return str(error.message).strip()  # type: ignore[attr-defined]


def _summary(result: object, settings: object) -> list[str]:
    lines = ["", "careaudit refresh finished."]
    for event in result.get_asset_materialization_events():  # type: ignore[attr-defined]
        materialization = event.step_materialization_data.materialization
        key = materialization.asset_key.to_user_string()
        metadata = materialization.metadata
        if key == "raw/landed_files":
            lines.append(
                f"  ingest: {metadata['files_loaded'].value} file(s) loaded, "
                f"{metadata['rows_loaded'].value} rows, {metadata['rows_rejected'].value} rejected"
            )
        elif key.startswith("publish/") and "rows_metrics" in metadata:
            lines.append(f"  metrics published: {metadata['rows_metrics'].value} rows")
    lines += [
        f"  warehouse:  {settings.warehouse_path}",  # type: ignore[attr-defined]
        f"  published:  {settings.publish_dir / 'internal'}",  # type: ignore[attr-defined]
        f"  open data:  {settings.publish_dir / 'open_data'}",  # type: ignore[attr-defined]
        f"  for BI:     {settings.publish_dir / 'reporting.duckdb'}",  # type: ignore[attr-defined]
        f"  catalogue:  {settings.publish_dir / 'catalogue' / 'index.html'}",  # type: ignore[attr-defined]
        f"  archive:    {settings.archive_dir}",  # type: ignore[attr-defined]
        f"  run history (make ui): {settings.dagster_home}",  # type: ignore[attr-defined]
    ]
    return lines


def refresh(args: argparse.Namespace) -> int:
    _use_dir("CAREAUDIT_LANDING_DIR", args.landing)
    _use_dir("CAREAUDIT_DATA_DIR", args.data_dir)
    os.environ["CAREAUDIT_DATA_DIR"] = str(
        Path(os.environ.get("CAREAUDIT_DATA_DIR", "data")).resolve()
    )
    from dagster import DagsterInstance

    from orchestration.definitions import REFRESH_JOB, build_definitions
    from orchestration.settings import Settings

    settings = Settings.from_env()
    prepare_dagster_home(settings.dagster_home)
    if not args.quiet:
        print(f"careaudit refresh: landing {settings.landing_dir} -> data {settings.data_dir}")
    job = build_definitions(settings).resolve_job_def(REFRESH_JOB)
    log_path = settings.data_dir / "logs" / f"refresh-{datetime.now():%Y%m%dT%H%M%S}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # dagster-dbt echoes every dbt log line to stdout: keep those in a log file.
    with DagsterInstance.get() as instance, log_path.open("w") as log, redirect_stdout(log):
        result = job.execute_in_process(
            instance=instance,
            run_config={"loggers": {"progress": {"config": {"quiet": args.quiet}}}},
            raise_on_error=False,
        )
    if not result.success:
        for event in result.get_step_failure_events():
            message = _root_cause(event.step_failure_data.error)
            print(f"careaudit refresh failed at {event.step_key}: {message}", file=sys.stderr)
        print(f"run {result.run_id}; dbt and step logs: {log_path}", file=sys.stderr)
        return 1
    if not args.quiet:
        print("\n".join(_summary(result, settings)))
    return 0


def generate_sample(args: argparse.Namespace) -> int:
    from orchestration.sample_data import write_sample

    for path in write_sample(Path(args.out)):
        print(path)
    return 0


def ui(args: argparse.Namespace) -> int:
    """Start `dagster dev` on loopback with the instance under the data dir."""
    from orchestration.settings import Settings

    settings = Settings.from_env()
    prepare_dagster_home(settings.dagster_home)
    os.environ["CAREAUDIT_DATA_DIR"] = str(settings.data_dir)
    dagster = str(Path(sys.executable).with_name("dagster"))
    command = [dagster, "dev", "-w", str(REPO_ROOT / "workspace.yaml")]
    command += ["-h", "127.0.0.1", "-p", str(args.port)]
    os.chdir(REPO_ROOT)
    os.execv(dagster, command)
    return 0  # pragma: no cover (execv does not return)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="careaudit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("refresh", help="ingest new exports, build the warehouse, publish")
    run.add_argument("--landing", help="folder of exports (default: $CAREAUDIT_LANDING_DIR)")
    run.add_argument("--data-dir", help="where outputs go (default: $CAREAUDIT_DATA_DIR or ./data)")
    run.add_argument("--quiet", action="store_true", help="print nothing unless something fails")
    run.set_defaults(handler=refresh)

    sample = commands.add_parser("generate-sample", help="write the synthetic sample exports")
    sample.add_argument("--out", default=str(SAMPLE_EXTRACTS_DIR), help="output folder")
    sample.set_defaults(handler=generate_sample)

    serve = commands.add_parser("ui", help="start the Dagster UI on 127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    serve.set_defaults(handler=ui)

    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
