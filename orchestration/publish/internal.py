"""The internal publication tier: every reporting model as CSV and Parquet, unsuppressed, for
the authority's own BI tools and annual report (publish/internal/)."""

from collections.abc import Iterable

import dagster as dg

from orchestration.progress import report
from orchestration.publish.files import write_atomically
from orchestration.resources import WAREHOUSE_POOL, CareauditResource

REPORTING_SCHEMA = "reporting"


def published_name(model: str) -> str:
    """rpt_metrics is published as metrics.csv / metrics.parquet."""
    return model.removeprefix("rpt_")


def build_internal_publish_asset(reporting_models: Iterable[str]) -> dg.AssetsDefinition:
    """One asset writing every reporting model (found in the dbt manifest) to files."""
    models = sorted(reporting_models)

    @dg.asset(
        key=dg.AssetKey(["publish", "internal_files"]),
        deps=[dg.AssetKey([REPORTING_SCHEMA, model]) for model in models],
        group_name="publish",
        kinds={"csv", "parquet", "duckdb"},
        owners=["team:careaudit-data"],
        pool=WAREHOUSE_POOL,
        description=(
            "publish/internal/: "
            + ", ".join(f"{published_name(m)}.csv/.parquet" for m in models)
            + ". Unsuppressed figures for the authority's own BI and report; each file is "
            "written beside its target and renamed into place."
        ),
    )
    def internal_files(
        context: dg.AssetExecutionContext, careaudit: CareauditResource
    ) -> dg.MaterializeResult:
        out_dir = careaudit.settings().publish_dir / "internal"
        written: dict[str, str] = {}
        rows: dict[str, int] = {}
        with careaudit.warehouse(read_only=True) as con:
            for model in models:
                relation = con.table(f"{REPORTING_SCHEMA}.{model}").order("all")
                rows[model] = len(relation)
                for suffix in (".csv", ".parquet"):
                    path = write_atomically(relation, out_dir / f"{published_name(model)}{suffix}")
                    written[path.name] = str(path)
                    report(context, f"published {path} ({rows[model]} rows)")
        return dg.MaterializeResult(
            metadata={
                "directory": dg.MetadataValue.path(str(out_dir)),
                "files": dg.MetadataValue.md("\n".join(f"- `{name}`" for name in sorted(written))),
                **{f"rows_{published_name(m)}": n for m, n in rows.items()},
            }
        )

    return internal_files
