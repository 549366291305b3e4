"""The internal publication tier: every published table (the reporting models the dbt exposure
internal_files names) as CSV and Parquet, unsuppressed, for the authority's own BI tools and
annual report (publish/internal/). Each Parquet file carries the release's data version in its
key-value metadata."""

from collections.abc import Iterable
from pathlib import Path

import dagster as dg

from orchestration.defs.progress import report
from orchestration.defs.publish.declare import publish_asset
from orchestration.defs.publish.staging import stage
from orchestration.defs.resources import CareauditResource
from orchestration.lib.publish.files import write_atomically
from orchestration.lib.publish.manifest import PARQUET_VERSION_KEY
from orchestration.lib.warehouse import REPORTING_SCHEMA

EXPOSURE = "internal_files"  # the dbt exposure naming the tables published here
# The annual report's own inputs (dbt_project/models/reporting/annual_report/): shaped for the
# report, read by it alone, never published as files, BI tables or catalogue entries.
REPORT_INPUT_PREFIX = "rpt_report_"


def is_published(model: str) -> bool:
    """A reporting model that the data catalogue lists as published."""
    return not model.startswith(REPORT_INPUT_PREFIX)


def published_name(model: str) -> str:
    """rpt_metrics is published as metrics.csv / metrics.parquet."""
    return model.removeprefix("rpt_")


def build_internal_publish_asset(reporting_models: Iterable[str]) -> dg.AssetsDefinition:
    """One asset writing the reporting models its dbt exposure names to files."""
    models = sorted(reporting_models)

    @publish_asset(
        "internal_files",
        deps=[dg.AssetKey([REPORTING_SCHEMA, model]) for model in models],
        kinds={"csv", "parquet", "duckdb"},
        description=(
            "publish/internal/: "
            + ", ".join(f"{published_name(m)}.csv/.parquet" for m in models)
            + ". Unsuppressed figures for the authority's own BI and report; written into the "
            "run's staged release, published by publish/release with every other output."
        ),
    )
    def internal_files(
        context: dg.AssetExecutionContext, careaudit: CareauditResource
    ) -> dg.MaterializeResult:
        staged = stage(context, careaudit.settings())
        out_dir = staged.directory / "internal"
        files: dict[Path, int] = {}
        rows: dict[str, int] = {}
        version = {PARQUET_VERSION_KEY: staged.data_version}
        with careaudit.warehouse(read_only=True) as con:
            for model in models:
                relation = con.table(f"{REPORTING_SCHEMA}.{model}").order("all")
                rows[model] = len(relation)
                for suffix in (".csv", ".parquet"):
                    path = out_dir / f"{published_name(model)}{suffix}"
                    files[write_atomically(relation, path, version)] = rows[model]
                    report(context, f"staged internal/{path.name} ({rows[model]} rows)")
        staged.record(files)
        return dg.MaterializeResult(
            metadata={
                "directory": dg.MetadataValue.path(str(staged.published_path(out_dir))),
                "files": dg.MetadataValue.md("\n".join(f"- `{p.name}`" for p in sorted(files))),
                "data_version": staged.data_version,
                **{f"rows_{published_name(m)}": n for m, n in rows.items()},
            }
        )

    return internal_files
