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
    """Turns Dagster log records into one short line each, or None to drop them."""

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
        return (
            f"    built {materialization.asset_key.to_user_string()}{_row_count(materialization)}"
        )


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
