"""A Dagster logger that prints what a person running `careaudit refresh` wants to see: each
step as it starts, what it logged (files ingested and their row counts, files published),
each asset built, failed checks and failures; with --quiet, only problems."""

import logging
import sys

import dagster as dg

PROGRESS_MARK = "careaudit_progress"
PROGRESS_EVENTS = {"STEP_START", "ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION", "STEP_FAILURE"}


def _row_count(materialization: dg.AssetMaterialization) -> str:
    value = materialization.metadata.get("dagster/row_count")
    return f" ({value.value} rows)" if value is not None else ""


def report(context: dg.AssetExecutionContext, message: str) -> None:
    """Log a line for the step's log in the UI that the CLI also prints as progress."""
    context.log.info(message, extra={PROGRESS_MARK: True})


class ProgressFormatter(logging.Formatter):
    """Turns Dagster log records into one short line each, or None to drop them.

    An asset partitioned by landed file is materialised once per file a run loads, each time
    with the whole table's row count: it is printed once, as "built raw/audit_answers (14797
    rows in the table)"; each file's own counts are on its ingest line ("care_plan_audit_
    2022-08.csv: loaded (2022 form), 243 rows read, 243 loaded, ...")."""

    def __init__(self) -> None:
        super().__init__()
        self._printed_partitioned: set[str] = set()

    def line(self, record: logging.LogRecord, quiet: bool) -> str | None:
        meta = getattr(record, "dagster_meta", None)
        if meta is None:
            return None
        event = meta.get("dagster_event")
        if event is None:
            if record.levelno >= logging.WARNING:
                return f"    {logging.getLevelName(record.levelno).lower()}: {meta['orig_message']}"
            if quiet or not getattr(record, PROGRESS_MARK, False):
                return None
            return f"    {meta['orig_message']}"
        kind = event.event_type_value
        if kind not in PROGRESS_EVENTS:
            return None
        if kind == "STEP_FAILURE":
            if event.step_failure_data.error_source.value == "INTERRUPT":  # SIGTERM or SIGINT
                return f"STOPPED {event.step_key}"
            error = event.step_failure_data.error
            return f"FAILED {event.step_key}: {error.message.strip() if error else 'no message'}"
        if kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed:
                return None
            asset = evaluation.asset_key.to_user_string()
            outcome = "warning" if evaluation.severity == dg.AssetCheckSeverity.WARN else "failed"
            return f"    check {outcome}: {evaluation.asset_check_key.name} on {asset}"
        if quiet:
            return None
        if kind == "STEP_START":
            return f"> {event.step_key}"
        materialization = event.step_materialization_data.materialization
        asset = materialization.asset_key.to_user_string()
        if materialization.partition is None:
            return f"    built {asset}{_row_count(materialization)}"
        if asset in self._printed_partitioned:
            return None
        self._printed_partitioned.add(asset)
        rows = materialization.metadata.get("dagster/row_count")
        return f"    built {asset}" + (f" ({rows.value} rows in the table)" if rows else "")


class _ProgressHandler(logging.StreamHandler):
    # The process's real stdout: the CLI sends sys.stdout (where dagster-dbt echoes every dbt
    # log line) to a log file, and progress must still reach the person.
    def __init__(self, quiet: bool) -> None:
        super().__init__(sys.__stdout__)
        self.quiet = quiet
        self.formatter_ = ProgressFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        text = self.formatter_.line(record, self.quiet)
        if text is not None:
            self.stream.write(text + "\n")
            self.flush()


@dg.logger(
    config_schema={"quiet": dg.Field(bool, default_value=False)},
    description="Short progress lines for the careaudit CLI.",
)
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("careaudit.progress", level=logging.DEBUG)
    logger.addHandler(_ProgressHandler(init_context.logger_config["quiet"]))
    return logger
