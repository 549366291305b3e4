"""`careaudit`: a thin command line over the same Dagster definitions the UI and schedules use.

`careaudit refresh` runs the refresh job through Dagster (recorded in the instance under the
data dir, so the UI shows CLI runs too), printing progress as it goes; it exits non-zero with
the failing step's message when anything fails. It checks the machine first (preflight.py),
and a stop signal or a fault of the machine ends it with one sentence (plain_exit.py).
"""

import argparse
import os
import sys
from contextlib import redirect_stdout
from datetime import datetime
from pathlib import Path

from orchestration.cli.instance import (
    instance_home,
    open_instance,
    prepare_instance,
    recover_abandoned_runs,
    run_owner_tags,
)
from orchestration.cli.plain_exit import LEFT_AS_IS, run_plainly, say
from orchestration.cli.stop_signals import StopSignals
from orchestration.lib.plain_errors import explain_step_failure
from orchestration.lib.preflight import preflight
from orchestration.lib.refresh_state import nothing_new_since, project_fingerprint, record_completed
from orchestration.paths import REPO_ROOT, SAMPLE_EXTRACTS_DIR
from orchestration.settings import Settings, SettingsError, settings_table, with_settings_table


def _failed_blocking_checks(result: object) -> list[str]:
    """Failed error-severity checks: a blocking one stops what depends on it without failing
    a step, so the run "succeeds" and must be reported as failed here."""
    from dagster import AssetCheckSeverity

    return [
        f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed: "
        f"{evaluation.description or 'see the run in the Dagster UI'}"
        for evaluation in result.get_asset_check_evaluations()  # type: ignore[attr-defined]
        if not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR
    ]


# How the whole percentages of the report, reported_percent and the trends were rounded: said
# in every refresh's summary, so nobody compares them with the 2022 report unawares.
ROUNDING_SUMMARY = {
    "half_up": (
        "whole percentages rounded half up (95.5% as 96%); to print the 2022 report's own "
        "figures, which it rounded down (230 of 240 as 95%), set "
        "CAREAUDIT_PERCENT_ROUNDING=truncate"
    ),
    "truncate": (
        "whole percentages rounded down (CAREAUDIT_PERCENT_ROUNDING=truncate), as the 2022 "
        "report printed them (230 of 240 as 95%); the default, half_up, prints 96%"
    ),
}


def _summary(results: list, settings: object, command: str = "refresh") -> list[str]:
    """What the command's runs did, and where every output is."""
    lines = ["", f"careaudit {command} finished."]
    seen: set[str] = set()
    events = [e for result in results for e in result.get_asset_materialization_events()]
    for event in events:
        materialization = event.step_materialization_data.materialization
        key = materialization.asset_key.to_user_string()
        if key in seen:  # a run over several files' partitions materialises each of them
            continue
        seen.add(key)
        metadata = materialization.metadata
        if key == "raw/landed_files":
            if command == "refresh":
                lines.append(
                    f"  ingest: {metadata['files_loaded'].value} file(s) loaded, "
                    f"{metadata['rows_loaded'].value} rows, "
                    f"{metadata['rows_rejected'].value} rejected"
                )
            if metadata["files_refused"].value:
                lines.append(
                    f"  REFUSED: {metadata['files_refused'].value} file(s), moved to "
                    f"{settings.quarantine_dir} with their reasons"  # type: ignore[attr-defined]
                )
            if metadata["files_skipped"].value:
                lines.append(
                    f"  SKIPPED: {metadata['files_skipped'].value} file(s) changed or vanished "
                    "while being read; the next refresh reads them again"
                )
            for withdrawal in metadata["withdrawals"].value:
                lines.append(f"  {withdrawal}")
            if gone := metadata["counted_not_in_landing"].value:
                lines.append(
                    "  STILL COUNTED, no longer in the landing folder (`careaudit withdraw "
                    "NAME` removes their rows): " + ", ".join(gone)
                )
        elif key.startswith("publish/") and "rows_metrics" in metadata:
            lines.append(f"  metrics published: {metadata['rows_metrics'].value} rows")
            rounding = settings.percent_rounding  # type: ignore[attr-defined]
            lines.append(f"  percentages: {ROUNDING_SUMMARY[rounding]}")
        elif key == "publish/release":
            lines.append(
                f"  release:    {metadata['release'].value}, every output of data version "
                f"{metadata['data_version'].value} (release.json)"
            )
    lines += [
        f"  warehouse:  {settings.warehouse_path}",  # type: ignore[attr-defined]
        f"  published:  {settings.publish_dir / 'internal'}",  # type: ignore[attr-defined]
        f"  ingest report: {settings.publish_dir / 'internal' / 'ingest_report.csv'}",  # type: ignore[attr-defined]
        f"  open data:  {settings.publish_dir / 'open_data'}",  # type: ignore[attr-defined]
        f"  for BI:     {settings.publish_dir / 'reporting.duckdb'}",  # type: ignore[attr-defined]
        f"  catalogue:  {settings.publish_dir / 'catalogue' / 'index.html'}",  # type: ignore[attr-defined]
        f"  report:     {settings.publish_dir / 'report'}",  # type: ignore[attr-defined]
        f"  commentary: {settings.commentary_dir}",  # type: ignore[attr-defined]
        f"  archive:    {settings.archive_dir}",  # type: ignore[attr-defined]
        f"  run history (make ui): {instance_home(settings.data_dir)}",  # type: ignore[attr-defined]
    ]
    return lines


def _files_to_ingest(settings: Settings, only: str | None) -> list[str]:
    """The landing files this refresh ingests: the new and changed ones, or the one named
    by --file (re-run whether or not it changed)."""
    from orchestration.lib.ingest.changes import changed_landing_files, landing_files
    from orchestration.lib.ingest.run import IngestError

    try:
        files = landing_files(settings)
        names = list(files)
        if only is None:
            if not files and not settings.warehouse_path.exists():
                raise ValueError(f"no exports in {settings.landing_dir}: nothing to load")
            # With nothing new the run still covers the newest file (ingesting it again is a
            # no-op), so the blocking reconciliation check looks at the whole warehouse
            # before dbt builds on it.
            return changed_landing_files(settings, files) or names[-1:]
    except IngestError as error:
        raise ValueError(str(error)) from error
    if only not in files:
        example = names[0] if names else "2022-08.csv"
        raise ValueError(
            f"--file {only!r} is not an export in {settings.landing_dir} "
            f"(name it by its path inside that folder, e.g. {example!r})"
        )
    return [only]


def _raw_assets(job: object) -> list:
    keys = job.asset_layer.selected_asset_keys  # type: ignore[attr-defined]
    return [key for key in keys if key.path[0] == "raw"]


def _downstream_of_ingest(job: object) -> list:
    """Every asset of the job except the raw tables ingest writes."""
    keys = job.asset_layer.selected_asset_keys  # type: ignore[attr-defined]
    return [key for key in keys if key.path[0] != "raw"]


class _Session:
    """One CLI command's Dagster instance, job and log file, and how it runs the job and
    reports a failure: shared by `refresh` and `withdraw`."""

    def __init__(self, settings: Settings, quiet: bool, command: str) -> None:
        from orchestration.definitions import REFRESH_JOB, build_definitions

        self.settings, self.quiet, self.command = settings, quiet, command
        self.job = build_definitions(settings).resolve_job_def(REFRESH_JOB)
        stamp = f"{datetime.now():%Y%m%dT%H%M%S}"
        self.log_path = settings.data_dir / "logs" / f"{command}-{stamp}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)

    def run(self, instance: object, **options: object) -> object:
        # dagster-dbt echoes every dbt log line to stdout: keep those in a log file.
        with self.log_path.open("a") as log, redirect_stdout(log):
            return self.job.execute_in_process(  # type: ignore[attr-defined]
                instance=instance,
                raise_on_error=False,
                **options,
            )

    def logger_config(self, **config: object) -> dict:
        return {"loggers": {"progress": {"config": {"quiet": self.quiet}}}, **config}

    def failed(self, result: object, signals: StopSignals) -> bool:
        """Print why the run failed (a step, or a blocking check), if it did. Raises
        StopRequested if a stop signal arrived while the run executed."""
        from orchestration.defs.alerts import root_cause

        if stop := signals.received():
            raise stop
        if plain := _plain_failures(result, self.settings):
            for sentence in plain:
                say(self.command, sentence)
            return True
        failed_checks = _failed_blocking_checks(result)
        if result.success and not failed_checks:  # type: ignore[attr-defined]
            return False
        for event in result.get_step_failure_events():  # type: ignore[attr-defined]
            message = root_cause(event.step_failure_data.error)
            print(
                f"careaudit {self.command} failed at {event.step_key}: {message}", file=sys.stderr
            )
        for failure in failed_checks:
            print(f"careaudit {self.command} stopped: {failure}", file=sys.stderr)
        print(f"run {result.run_id}; dbt and step logs: {self.log_path}", file=sys.stderr)  # type: ignore[attr-defined]
        return True


def _use_data_dir(args: argparse.Namespace) -> Settings:
    """The settings of the environment, with the folders the command line gives."""
    return Settings.from_env().with_folders(getattr(args, "landing", None), args.data_dir)


def _plain_failures(result: object, settings: Settings) -> list[str]:
    """The failed steps' errors that are faults of the machine, each in one sentence."""
    sentences = [
        explain_step_failure(event.step_failure_data.error, settings.data_dir, LEFT_AS_IS)
        for event in result.get_step_failure_events()  # type: ignore[attr-defined]
    ]
    return list(dict.fromkeys(s for s in sentences if s is not None))


def refresh(args: argparse.Namespace) -> int:
    settings = _use_data_dir(args)
    return run_plainly(
        "refresh", settings.data_dir, lambda signals: _refresh(args, settings, signals)
    )


def _refresh(args: argparse.Namespace, settings: Settings, signals: StopSignals) -> int:
    """The refresh itself: raises StopRequested if a stop arrived while the run executed."""
    preflight(settings)
    if args.file is None and (since := nothing_new_since(settings)):
        _say_nothing_new(settings, since, args.quiet)
        return 0
    project = project_fingerprint(settings)
    from orchestration.defs.partitions import range_tags, register_landed_files

    if not args.quiet:
        print(f"careaudit refresh: landing {settings.landing_dir} -> data {settings.data_dir}")
    session = _Session(settings, args.quiet, "refresh")
    with open_instance(settings.data_dir) as instance:
        for run_id in recover_abandoned_runs(instance):
            print(f"careaudit: run {run_id} had stopped mid-way; marked failed", file=sys.stderr)
        try:
            files = _files_to_ingest(settings, args.file)
        except ValueError as error:
            print(f"careaudit refresh: {error}", file=sys.stderr)
            return 2
        register_landed_files(instance, files)
        # One run over the new and changed files' partitions; with none, rebuild downstream.
        result = session.run(
            instance,
            run_config=session.logger_config(),
            tags={**run_owner_tags(), **(range_tags(instance, files) if files else {})},
            asset_selection=None if files else _downstream_of_ingest(session.job),
        )
    if session.failed(result, signals):
        return 1
    record_completed(settings, project)
    if not args.quiet:
        print("\n".join(_summary([result], settings)))
    return 0


def _say_nothing_new(settings: Settings, since: str, quiet: bool) -> None:
    """What a refresh with nothing to do says: nothing is rebuilt or republished. Files that
    count but left the landing folder are named as in every refresh (with --quiet too, on
    stderr, as a warning)."""
    from orchestration.lib.ingest.changes import counted_but_gone, landing_files

    gone = counted_but_gone(settings, landing_files(settings))
    still_counted = (
        "STILL COUNTED, no longer in the landing folder (`careaudit withdraw NAME` removes "
        "their rows): " + ", ".join(gone)
    )
    if quiet:
        if gone:
            print(f"careaudit refresh: {still_counted}", file=sys.stderr)
        return
    print(
        f"careaudit refresh: nothing new since {since}: every file in {settings.landing_dir} "
        "is loaded (or refused) as it is, and the project, settings and commentary are as "
        "they were, so nothing was rebuilt or republished."
    )
    if gone:
        print(f"  {still_counted}")
    print(f"  published:  {settings.publish_dir} -> {os.readlink(settings.publish_dir)}")


def withdraw(args: argparse.Namespace) -> int:
    """Withdraw files (as named in the landing folder): each file's rows stop counting in one
    transaction of its own, then the warehouse is built and published once."""
    settings = _use_data_dir(args)
    return run_plainly(
        "withdraw", settings.data_dir, lambda signals: _withdraw(args, settings, signals)
    )


def _withdraw(args: argparse.Namespace, settings: Settings, signals: StopSignals) -> int:
    preflight(settings)
    project = project_fingerprint(settings)
    from orchestration.defs.partitions import register_landed_files
    from orchestration.lib.ingest.load import current_files
    from orchestration.lib.warehouse import connect

    counted: dict[str, str] = {}
    if settings.warehouse_path.exists():
        with connect(settings.warehouse_path, read_only=True) as con:
            counted = current_files(con)
    unknown = [name for name in args.names if name not in counted]
    if unknown:
        listed = ", ".join(sorted(counted)[:10]) or "none"
        print(
            f"careaudit withdraw: {', '.join(unknown)} is not a file whose rows count now "
            f"(files that count: {listed}{', ...' if len(counted) > 10 else ''})",
            file=sys.stderr,
        )
        return 2
    session = _Session(settings, args.quiet, "withdraw")
    withdraw_config = {"ops": {"ingest_audit_extracts": {"config": {"withdraw": True}}}}
    with open_instance(settings.data_dir) as instance:
        for run_id in recover_abandoned_runs(instance):
            print(f"careaudit: run {run_id} had stopped mid-way; marked failed", file=sys.stderr)
        register_landed_files(instance, args.names)
        results = []
        for name in args.names:
            result = session.run(
                instance,
                run_config=session.logger_config(**withdraw_config),
                tags=run_owner_tags(),
                partition_key=name,
                asset_selection=_raw_assets(session.job),
            )
            if session.failed(result, signals):
                return 1
            results.append(result)
        result = session.run(
            instance,
            run_config=session.logger_config(),
            tags=run_owner_tags(),
            asset_selection=_downstream_of_ingest(session.job),
        )
    if session.failed(result, signals):
        return 1
    record_completed(settings, project)
    if not args.quiet:
        print("\n".join(_summary([*results, result], settings, "withdraw")))
    return 0


def generate_sample(args: argparse.Namespace) -> int:
    """The synthetic sample (or a scale-mode hub) from the repository's `sample/` package,
    which is not part of the installed pipeline."""
    sys.path.insert(0, str(REPO_ROOT))
    if args.audits:  # scale mode: N audits over M months and K authorities
        from sample.scale import write_scale_exports

        written = write_scale_exports(Path(args.out), args.audits, args.months, args.authorities)
        print(f"{len(written)} monthly exports in {args.out}, one folder per authority")
        return 0
    from sample import write_sample

    for path in write_sample(Path(args.out)):
        print(path)
    return 0


def settings(args: argparse.Namespace) -> int:
    """Print the table of every CAREAUDIT_* variable, or rewrite it in a document between its
    markers (docs/operating.md), from the declarations in settings.py."""
    if args.update is None:
        print(settings_table(), end="")
        return 0
    document = Path(args.update)
    document.write_text(with_settings_table(document.read_text()))
    print(f"settings table written in {document}")
    return 0


def ui(args: argparse.Namespace) -> int:
    """Start `dagster dev` on loopback with the instance under the data dir (the settings
    given to it as its environment)."""
    settings = Settings.from_env()
    environment = {
        **os.environ,
        **settings.as_environment(),
        "DAGSTER_HOME": str(prepare_instance(settings.data_dir)),
    }
    dagster = str(Path(sys.executable).with_name("dagster"))
    command = [dagster, "dev", "-w", str(REPO_ROOT / "workspace.yaml")]
    command += ["-h", "127.0.0.1", "-p", str(args.port)]
    os.chdir(REPO_ROOT)
    os.execve(dagster, command, environment)
    return 0  # pragma: no cover (execve does not return)


def _add_folder_options(command: argparse.ArgumentParser) -> None:
    """The options of a command that runs the pipeline: its folders, and how much it says."""
    command.add_argument("--landing", help="folder of exports (default: $CAREAUDIT_LANDING_DIR)")
    command.add_argument(
        "--data-dir", help="where outputs go (default: $CAREAUDIT_DATA_DIR or ./data)"
    )
    command.add_argument(
        "--quiet", action="store_true", help="print nothing unless something fails"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="careaudit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("refresh", help="ingest new exports, build the warehouse, publish")
    _add_folder_options(run)
    run.add_argument(
        "--file",
        metavar="NAME",
        help="re-run one landed file's partition only (its path inside the landing folder)",
    )
    run.set_defaults(handler=refresh)

    sample = commands.add_parser("generate-sample", help="write the synthetic sample exports")
    sample.add_argument("--out", default=str(SAMPLE_EXTRACTS_DIR), help="output folder")
    sample.add_argument(
        "--audits", type=int, help="scale mode: this many random audits instead of the sample"
    )
    sample.add_argument("--months", type=int, default=12, help="scale mode: monthly files")
    sample.add_argument("--authorities", type=int, default=1, help="scale mode: authorities")
    sample.set_defaults(handler=generate_sample)

    out = commands.add_parser(
        "withdraw",
        help="remove files' rows from the warehouse (deleting a file from the landing folder "
        "does not), then rebuild and publish",
    )
    out.add_argument("names", nargs="+", metavar="NAME", help="a file, as the refresh names it")
    _add_folder_options(out)
    out.set_defaults(handler=withdraw)

    table = commands.add_parser(
        "settings", help="print the table of every CAREAUDIT_* variable: default and meaning"
    )
    table.add_argument(
        "--update",
        metavar="DOC",
        help="write the table into this Markdown file, between its markers, instead",
    )
    table.set_defaults(handler=settings)

    serve = commands.add_parser("ui", help="start the Dagster UI on 127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    serve.set_defaults(handler=ui)

    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except SettingsError as error:  # a CAREAUDIT_* variable the pipeline cannot use
        print(f"careaudit {args.command}: {error}; nothing was changed", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
