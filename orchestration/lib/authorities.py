"""The authority register (seeds/catalogue/authorities.csv): each authority a hub may load, with
the old code, name and region every output gives it.

A single authority needs no register row: the configured authority (CAREAUDIT_LA_CODE and the
settings beside it) is always an authority, and its settings win over a row of the register,
as in dbt (models/marts/dim_authorities.sql). A hub (CAREAUDIT_AUTHORITY_FOLDERS) loads only
folders named by a registered code, so every authority's pack and the region's comparison
carry a name and region from the register.
"""

import csv
from dataclasses import dataclass, replace
from pathlib import Path

from orchestration.paths import CATALOGUE_DIR
from orchestration.settings import Settings

REGISTER = CATALOGUE_DIR / "authorities.csv"


@dataclass(frozen=True)
class Authority:
    la_code: str
    old_la_code: str
    la_name: str
    region_code: str
    region_name: str


def read_register(path: Path = REGISTER) -> dict[str, Authority]:
    """The register's authorities by code."""
    with path.open(newline="", encoding="utf-8") as f:
        return {
            row["la_code"]: Authority(
                row["la_code"],
                row["old_la_code"],
                row["la_name"],
                row["region_code"],
                row["region_name"],
            )
            for row in csv.DictReader(f)
        }


def configured_authority(settings: Settings) -> Authority:
    return Authority(
        settings.la_code,
        settings.old_la_code,
        settings.la_name,
        settings.region_code,
        settings.region_name,
    )


def authority_register(settings: Settings, path: Path = REGISTER) -> dict[str, Authority]:
    """Every authority the warehouse may hold: the register's, the configured one as the
    settings say it."""
    return read_register(path) | {settings.la_code: configured_authority(settings)}


def settings_for(settings: Settings, authority: Authority) -> Settings:
    """The settings as if this authority were the configured one: what its own pack (open
    data, report) is made with."""
    return replace(
        settings,
        la_code=authority.la_code,
        old_la_code=authority.old_la_code,
        la_name=authority.la_name,
        region_code=authority.region_code,
        region_name=authority.region_name,
    )
