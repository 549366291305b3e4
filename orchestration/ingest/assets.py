"""Dagster assets for ingest: the landing folder (external) and the raw tables loaded from it."""

import dagster as dg

from orchestration.catalogue import load_catalogue
from orchestration.ingest.run import FileOutcome, ingest_landing_folder
from orchestration.progress import report
from orchestration.resources import CareauditResource

LANDING = dg.AssetSpec(
    key=dg.AssetKey(["landing", "audit_extracts"]),
    description=(
        "Care Plan Audit exports (CSV or XLSX, one row per submitted audit) dropped into the "
        "landing folder (CAREAUDIT_LANDING_DIR). Read-only to careaudit: originals are copied "
        "to the content-addressed archive before loading."
    ),
    group_name="ingest",
    kinds={"file", "csv", "xlsx"},
    owners=["team:careaudit-data"],
)

RAW_TABLES = {
    "audit_submissions": "One row per loaded export row: lineage, pseudonymised identifiers.",
    "audit_answers": "One row per export row, question and selected answer code (long form).",
    "landed_files": "Every file ingested: form version, row counts, archive path, whether current.",
    "ingest_findings": "Rejected rows, unrecognised answers and column warnings, with reasons.",
}


def _summary(outcomes: list[FileOutcome]) -> str:
    lines = [
        "| file | status | form | rows read | loaded | rejected | findings |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {o.source_file} | {o.status} | {o.form_version or ''} | {o.rows_read} | "
        f"{o.rows_loaded} | {o.rows_rejected} | {o.findings} |"
        for o in outcomes
    ]
    return "\n".join(lines)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=dg.AssetKey(["raw", table]),
            description=description,
            deps=[LANDING.key],
            group_name="ingest",
            kinds={"python", "duckdb"},
            owners=["team:careaudit-data"],
        )
        for table, description in RAW_TABLES.items()
    ],
    name="ingest_audit_extracts",
    description=(
        "Ingest every new or corrected export in the landing folder: recognise its form "
        "version, map answers to catalogue codes, pseudonymise identifiers, archive the "
        "original and load the raw tables in one transaction."
    ),
)
def ingest_audit_extracts(
    context: dg.AssetExecutionContext, careaudit: CareauditResource
) -> dg.MaterializeResult:
    outcomes = ingest_landing_folder(careaudit.settings(), load_catalogue())
    for outcome in outcomes:
        if outcome.status == "unchanged":
            report(context, f"{outcome.source_file}: already loaded, unchanged")
        else:
            report(
                context,
                f"{outcome.source_file}: {outcome.status} ({outcome.form_version} form), "
                f"{outcome.rows_read} rows read, {outcome.rows_loaded} loaded, "
                f"{outcome.rows_rejected} rejected, {outcome.findings} findings",
            )
    metadata = {
        "files": dg.MetadataValue.md(_summary(outcomes)),
        "files_loaded": sum(o.status != "unchanged" for o in outcomes),
        "rows_loaded": sum(o.rows_loaded for o in outcomes),
        "rows_rejected": sum(o.rows_rejected for o in outcomes),
    }
    for table in RAW_TABLES:
        yield dg.MaterializeResult(asset_key=dg.AssetKey(["raw", table]), metadata=metadata)
