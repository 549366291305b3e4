"""A regional hub's packs: one folder per authority that can be handed over alone, and one for
the region.

A hub (CAREAUDIT_AUTHORITY_FOLDERS) loads many authorities into one warehouse, which stays
internal. When the warehouse holds computed figures of more than one authority, each gets
publish/authorities/<la_code>/ with the layout of a single authority's release, made from
its own rows only:

    internal/<table>.csv, .parquet   the published tables, its rows only (the benchmarks hold
                                     the region's pooled totals, never another's rows)
    reporting.duckdb                 the BI tables, its rows only
    open_data/                       its open data, disclosure-controlled and checked
    report/                          its annual report (with "How we compare")

Each pack is made as a single authority's outputs are, with the authority's register row in
place of the configured authority (authorities.settings_for): the same queries, filtered by
its code. Files are real files, written into the run's staged release (never links into
shared data), so copying one folder hands over that authority's pack and nothing else. The
region's pack (region.py) holds only aggregated, disclosure-controlled figures. A single
authority gets no pack: its outputs are the release itself, as before.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from orchestration.lib.authorities import Authority, authority_register, settings_for
from orchestration.lib.publish.ees import open_data_files, small_counts, validate
from orchestration.lib.publish.files import write_atomically
from orchestration.lib.publish.manifest import PARQUET_VERSION_KEY
from orchestration.lib.publish.open_data import build_release, write_release
from orchestration.lib.publish.release import Rows
from orchestration.lib.publish.reporting_database import write_reporting_database
from orchestration.lib.report.publish import publish_reports
from orchestration.lib.warehouse import REPORTING_SCHEMA, connect
from orchestration.settings import Settings

AUTHORITIES_DIR = "authorities"
FIGURES_MODEL = "rpt_metrics"  # an authority with rows here has computed figures


class PackError(RuntimeError):
    """A pack cannot be published (its open data fails a check); the message says which."""


@dataclass(frozen=True)
class PackModels:
    """The reporting models each part of a pack reads (the dbt exposures' models)."""

    internal: Mapping[str, str]  # published name -> model (internal files)
    bi: Mapping[str, str]  # table name -> model (reporting.duckdb)


def authorities_with_figures(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[Authority]:
    """The authorities the warehouse holds computed figures of, in code order, as the
    register names them."""
    register = authority_register(settings)
    codes = con.execute(
        f"select distinct la_code from {REPORTING_SCHEMA}.{FIGURES_MODEL} "
        "where numerator is not null order by la_code"
    ).fetchall()
    return [register[code] for (code,) in codes if code in register]


def is_hub(authorities: Sequence[Authority]) -> bool:
    """Packs are written only when more than one authority has figures."""
    return len(authorities) > 1


def pack_dir(release_dir: Path, authority: Authority) -> Path:
    return release_dir / AUTHORITIES_DIR / authority.la_code


def _own_rows(con: duckdb.DuckDBPyConnection, model: str, la_code: str) -> duckdb.DuckDBPyRelation:
    return (
        con.table(f"{REPORTING_SCHEMA}.{model}")
        .filter(duckdb.ColumnExpression("la_code") == duckdb.ConstantExpression(la_code))
        .order("all")
    )


def write_tables(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    authority: Authority,
    models: PackModels,
    data_version: str,
    run_id: str,
) -> dict[Path, Rows]:
    """The authority's internal files and reporting.duckdb: its rows of each model."""
    files: dict[Path, Rows] = {}
    version = {PARQUET_VERSION_KEY: data_version}
    for name, model in models.internal.items():
        relation = _own_rows(con, model, authority.la_code)
        rows = len(relation)
        for suffix in (".csv", ".parquet"):
            files[
                write_atomically(relation, directory / "internal" / f"{name}{suffix}", version)
            ] = rows
    target = directory / "reporting.duckdb"
    files[target] = write_reporting_database(
        con,
        target,
        {name: f"{REPORTING_SCHEMA}.{model}" for name, model in models.bi.items()},
        run_id,
        data_version,
        la_code=authority.la_code,
    )
    return files


def write_open_data(
    con: duckdb.DuckDBPyConnection, settings: Settings, directory: Path
) -> dict[Path, Rows]:
    """The authority's open data (settings: as if it were the configured authority), checked
    as the release's own is (the EES standard, no count from 1 to 5) before it is kept."""
    release = build_release(con, settings)
    out = directory / "open_data"
    written = write_release(release, out)
    problems = [p for path in open_data_files(out) for p in (*validate(path), *small_counts(path))]
    if problems:
        raise PackError(
            f"the open data of {settings.la_code}'s pack fails its checks: "
            + "; ".join(str(p) for p in problems[:5])
        )
    return {path: None for path in written}


def pack_settings(settings: Settings, authority: Authority) -> Settings:
    """The authority's own settings: its register row, and its own commentary folder
    (<commentary dir>/<la_code>/) so each authority's team writes its own report's words."""
    own = settings_for(settings, authority)
    return replace(own, report_commentary_dir=settings.commentary_dir / authority.la_code)


def write_packs(
    settings: Settings,
    release_dir: Path,
    models: PackModels,
    data_version: str,
    run_id: str,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[Path, Rows]:
    """Every authority's pack in the staged release (none for a single authority); the files
    written with their rows."""
    files: dict[Path, Rows] = {}
    with connect(settings.warehouse_path, read_only=True) as con:
        authorities = authorities_with_figures(con, settings)
        if not is_hub(authorities):
            return files
        for authority in authorities:
            directory = pack_dir(release_dir, authority)
            files |= write_tables(con, directory, authority, models, data_version, run_id)
            files |= write_open_data(con, pack_settings(settings, authority), directory)
            progress(f"staged {AUTHORITIES_DIR}/{authority.la_code}/ tables and open data")
    for authority in authorities:  # the report opens the warehouse itself
        directory = pack_dir(release_dir, authority)
        for report in publish_reports(
            pack_settings(settings, authority), directory / "report", data_version, run_id=run_id
        ):
            files |= {report.html: None, report.markdown: None}
        progress(f"staged {AUTHORITIES_DIR}/{authority.la_code}/report/")
    return files
