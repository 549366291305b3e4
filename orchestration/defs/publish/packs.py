"""publish/hub_packs: a regional hub's pack per authority (publish/authorities/<la_code>/) and
the region's (publish/region/), written into the run's staged release and published with it
by publish/release (orchestration/lib/publish/packs.py, region.py). A single authority's
refresh writes none: the asset records an empty output."""

import dagster as dg

from orchestration.defs import OWNERS
from orchestration.defs.progress import report
from orchestration.defs.publish.internal import published_name
from orchestration.defs.publish.staging import stage
from orchestration.defs.resources import WAREHOUSE_POOL, CareauditResource
from orchestration.lib.publish.packs import AUTHORITIES_DIR, PackError, PackModels, write_packs
from orchestration.lib.publish.region import REGION_DIR, write_region_pack

KEY = dg.AssetKey(["publish", "hub_packs"])


def build_hub_packs_asset(
    internal_models: list[str], bi_models: list[str], inputs: list[dg.AssetKey]
) -> dg.AssetsDefinition:
    """The packs read what the single-authority outputs read (their exposures' models)."""
    models = PackModels(
        internal={published_name(m): m for m in sorted(internal_models)},
        bi={published_name(m): m for m in sorted(bi_models)},
    )

    @dg.asset(
        key=KEY,
        deps=inputs,
        group_name="publish",
        kinds={"csv", "parquet", "duckdb", "html"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,  # reads the warehouse: not while a writer holds it
        description=(
            f"A hub's packs, only when more than one authority has figures: "
            f"`publish/{AUTHORITIES_DIR}/<la_code>/` for each (its own rows of the internal "
            "files and reporting.duckdb, its open data, its annual report with How we "
            f"compare), and `publish/{REGION_DIR}/` (the region's aggregated, "
            "disclosure-controlled open data: Regional and Local authority rows). Each "
            "authority's folder can be handed over alone."
        ),
    )
    def hub_packs(
        context: dg.AssetExecutionContext, careaudit: CareauditResource
    ) -> dg.MaterializeResult:
        staged = stage(context, careaudit.settings())
        try:
            files = write_packs(
                staged.settings,
                staged.directory,
                models,
                staged.data_version,
                context.run_id,
                progress=lambda line: report(context, line),
            )
            if files:
                files |= write_region_pack(staged.settings, staged.directory)
                report(context, f"staged {REGION_DIR}/")
        except PackError as error:
            raise dg.Failure(str(error)) from error
        staged.record(files)
        packs = sorted(
            {
                p.relative_to(staged.directory).parts[1]
                for p in files
                if p.is_relative_to(staged.directory / AUTHORITIES_DIR)
            }
        )
        return dg.MaterializeResult(
            metadata={
                "authorities": ", ".join(packs) or "none (a single authority)",
                "files": len(files),
                "data_version": staged.data_version,
            }
        )

    return hub_packs
