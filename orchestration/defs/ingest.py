"""Dagster assets for ingest: the landing folder (external), the raw tables loaded from it, and
the blocking check that every row read was loaded or rejected."""

import dagster as dg
from pydantic import Field

from orchestration.defs import OWNERS
from orchestration.defs.partitions import LANDED_FILES
from orchestration.defs.progress import report
from orchestration.defs.resources import WAREHOUSE_POOL, CareauditResource
from orchestration.lib.catalogue import catalogue_files, load_catalogue
from orchestration.lib.ingest.changes import counted_but_gone, landing_files
from orchestration.lib.ingest.load import RAW_TABLES, column_types, months_by_file, table_counts
from orchestration.lib.ingest.reconcile import reconcile
from orchestration.lib.ingest.run import FileOutcome, ingest_files, withdraw_files
from orchestration.lib.ingest.summary import cell, files_summary, withdrawal_summary
from orchestration.lib.preflight import check_folders_apart

LANDING = dg.AssetSpec(
    key=dg.AssetKey(["landing", "audit_extracts"]),
    description=(
        "Care Plan Audit exports (CSV or XLSX, one row per submitted audit) dropped into the "
        "landing folder (CAREAUDIT_LANDING_DIR). Loaded files are copied untouched to the "
        "content-addressed archive; refused files are moved to the quarantine with a reason."
    ),
    group_name="ingest",
    kinds={"file", "csv", "xlsx"},
    owners=OWNERS,
)

# The catalogue's CSV files ingest reads (headers, options, aliases, reference data): upstream
# of the raw tables as they are of the dbt seeds that load the same files.
CATALOGUE_FILES = [
    dg.AssetSpec(
        key=dg.AssetKey(["catalogue_files", name]),
        description=(
            f"seeds/catalogue/{name}.csv: part of the form catalogue, read by ingest to "
            f"recognise and map the exports, and loaded by dbt as catalogue/{name}. A change "
            "here is a change to what ingest accepts."
        ),
        group_name="catalogue",
        kinds={"csv"},
        owners=OWNERS,
    )
    for name in catalogue_files()
]

TABLE_DESCRIPTIONS = {
    "audit_submissions": "One row per loaded export row: lineage, pseudonymised identifiers.",
    "audit_answers": "One row per export row, question and selected answer code (long form).",
    "landed_files": "Every file loaded: form version, row counts, archive path, whether current.",
    "ingest_findings": (
        "Rejected rows, unrecognised answers, column warnings and refused files, with reasons."
    ),
}
RECONCILIATION_CHECK = "every_row_read_is_loaded_or_rejected"


class IngestConfig(dg.Config):
    """How the run treats its files' partitions."""

    withdraw: bool = Field(
        default=False,
        description=(
            "Withdraw the selected files instead of ingesting them: their rows stop counting "
            "(unless another file holds the same content), in one transaction; a copy still in "
            "the landing folder is moved to withdrawn/ in the data dir."
        ),
    )


def _progress(context: dg.AssetExecutionContext, outcome: FileOutcome) -> None:
    if outcome.status == "refused":
        # A warning, so `careaudit refresh --quiet` (cron) still prints it.
        where = f"moved to {outcome.quarantine_path}" if outcome.quarantine_path else "not moved"
        context.log.warning(
            f"{outcome.source_file}: REFUSED, nothing loaded, {where}: {outcome.note}"
        )
    elif outcome.status == "skipped":
        context.log.warning(f"{outcome.source_file}: SKIPPED for now: {outcome.note}")
    elif outcome.status == "withdrawn":
        context.log.warning(withdrawal_summary(outcome))
    elif outcome.status in ("unchanged", "duplicate"):
        detail = "already loaded, unchanged" if outcome.status == "unchanged" else outcome.note
        report(context, f"{outcome.source_file}: {detail}")
    else:
        report(
            context,
            f"{outcome.source_file}: {outcome.status} ({outcome.form_version} form), "
            f"{outcome.rows_read} rows read, {outcome.rows_loaded} loaded, "
            f"{outcome.rows_rejected} rejected, {outcome.findings} findings",
        )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=dg.AssetKey(["raw", table]),
            description=TABLE_DESCRIPTIONS[table],
            deps=[LANDING.key, *(spec.key for spec in CATALOGUE_FILES)],
            group_name="ingest",
            kinds={"python", "duckdb"},
            owners=OWNERS,
        )
        for table in RAW_TABLES
    ],
    name="ingest_audit_extracts",
    pool=WAREHOUSE_POOL,
    partitions_def=LANDED_FILES,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description=(
        "Ingest the landed exports of the run's partitions (one partition per file in the "
        "landing folder): recognise each file's form version, map answers to catalogue codes, "
        "pseudonymise identifiers, archive the original and load the raw tables in one "
        "transaction; refuse (quarantine) a file that cannot be loaded without stopping the "
        "others. Re-running a file's partition replaces that file's rows only."
    ),
)
def ingest_audit_extracts(
    context: dg.AssetExecutionContext, config: IngestConfig, careaudit: CareauditResource
):
    settings = careaudit.settings()
    # `careaudit refresh` checks this up front; runs the UI, schedule or sensor start do here.
    check_folders_apart(settings.data_dir, settings.landing_dir)
    landing = landing_files(settings)
    keys = context.partition_keys
    if config.withdraw:
        outcomes = withdraw_files(
            settings, load_catalogue(), keys, progress=lambda message: report(context, message)
        )
    else:
        outcomes = ingest_files(
            settings,
            load_catalogue(),
            [landing[key] for key in keys if key in landing],
            progress=lambda message: report(context, message),
        )
    for outcome in outcomes:
        _progress(context, outcome)
    gone = counted_but_gone(settings, landing)
    for name in gone:
        context.log.warning(
            f"{name}: STILL COUNTED although no longer in the landing folder (deleting a file "
            f"does not withdraw it): run `careaudit withdraw {name}` to remove its rows"
        )
    with careaudit.warehouse(read_only=True) as con:
        counts = table_counts(con)
        columns = column_types(con)
        months = months_by_file(
            con, {name: settings.recorded_la_code(name) for name in context.partition_keys}
        )
    summary = {
        "files": dg.MetadataValue.md(files_summary(outcomes, months)),
        "files_loaded": sum(o.status in ("loaded", "replaced") for o in outcomes),
        "files_refused": sum(o.status == "refused" for o in outcomes),
        "rows_loaded": sum(o.rows_loaded for o in outcomes),
        "rows_rejected": sum(o.rows_rejected for o in outcomes),
        "files_withdrawn": sum(o.status == "withdrawn" for o in outcomes),
        "files_skipped": sum(o.status == "skipped" for o in outcomes),
        "counted_not_in_landing": dg.MetadataValue.json(gone),
        "withdrawals": dg.MetadataValue.json(
            [withdrawal_summary(o) for o in outcomes if o.status == "withdrawn"]
        ),
    }
    for table in RAW_TABLES:
        metadata: dict[str, object] = {
            "dagster/row_count": counts[table],
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(name, data_type) for name, data_type in columns[table]]
            ),
        }
        if table in ("landed_files", "ingest_findings"):
            metadata.update(summary)
        yield dg.MaterializeResult(asset_key=dg.AssetKey(["raw", table]), metadata=metadata)


@dg.asset_check(
    asset=dg.AssetKey(["raw", "audit_submissions"]),
    name=RECONCILIATION_CHECK,
    blocking=True,
    description=(
        "For every current landed file: rows read = rows loaded + rows rejected, the rows "
        "loaded are in raw.audit_submissions, the rows rejected have a rejected_row finding, "
        "and no answer belongs to a missing submission. Blocking: dbt does not build on raw "
        "tables that do not reconcile."
    ),
)
def every_row_read_is_loaded_or_rejected(careaudit: CareauditResource) -> dg.AssetCheckResult:
    with careaudit.warehouse(read_only=True) as con:
        files = reconcile(con)
    failing = [f for f in files if f.problems]
    table = "\n".join(
        f"| {cell(f.source_file)} | {f.rows_read} | {f.rows_loaded} | {f.rows_rejected} | "
        f"{'; '.join(f.problems) or 'ok'} |"
        for f in files
    )
    return dg.AssetCheckResult(
        passed=not failing,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            "; ".join(f"{f.source_file}: {', '.join(f.problems)}" for f in failing) or None
        ),
        metadata={
            "files_checked": len(files),
            "files_failing": len(failing),
            "files": dg.MetadataValue.md(
                "| file | rows read | loaded | rejected | result |\n|---|---|---|---|---|\n" + table
            ),
        },
    )
