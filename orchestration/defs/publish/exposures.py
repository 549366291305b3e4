"""The dbt exposures (dbt_project/models/reporting/_reporting__exposures.yml) as the inputs of
the publish assets: each output declares once, in dbt, which published models it reads, and
the Dagster lineage follows from that."""

import json
from functools import cache
from pathlib import Path

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.lib.warehouse import REPORTING_SCHEMA


@cache
def _exposures(manifest_path: Path) -> dict[str, list[str]]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return {
        exposure["name"]: sorted(
            manifest["nodes"][node]["name"] for node in exposure["depends_on"]["nodes"]
        )
        for exposure in manifest["exposures"].values()
    }


def exposure_models(manifest_path: Path, exposure: str) -> list[str]:
    """The published models a dbt exposure depends on, by name (rpt_...)."""
    exposures = _exposures(manifest_path)
    if exposure not in exposures:
        raise KeyError(f"no dbt exposure {exposure!r}; the project has {sorted(exposures)}")
    return exposures[exposure]


def model_keys(models: list[str]) -> list[dg.AssetKey]:
    return [dg.AssetKey([REPORTING_SCHEMA, model]) for model in models]


def exposure_asset_keys(
    dbt_assets: dg.AssetsDefinition, manifest_path: Path, exposure: str
) -> list[dg.AssetKey]:
    """The asset keys of everything a dbt exposure depends on, whatever its layer (models of
    any schema, seeds): for outputs that read more than the published models."""
    return [
        get_asset_key_for_model([dbt_assets], name)
        for name in exposure_models(manifest_path, exposure)
    ]
