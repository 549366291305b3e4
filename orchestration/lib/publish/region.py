"""The region's pack of a hub (publish/region/): the open data of every member and of each
region as a whole, in one set of EES files (geographic_level `Local authority` and
`Regional` rows), every figure aggregated and disclosure-controlled.

A member's rows are its own open data (packs.py makes the same). A region's rows are made by
the same code from the same models, read through views that add the members' counts up per
region (an in-memory database attaching the warehouse read-only): the region is disclosure-
controlled as one more authority would be, and a region's count is also suppressed wherever
a member's same count is (the members' shown counts subtracted from the region's would
otherwise give it away). Its rows leave the authority columns empty, as
EES's Regional level does, and leave out the district breakdown (each district belongs to one
authority: a regional district row would be that authority's figure again). Earlier years'
published history (percentages without counts) cannot be added up and is not shown for a
region.
"""

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import duckdb

from orchestration.lib.authorities import Authority
from orchestration.lib.publish.ees import META_COLUMNS, open_data_files, small_counts, validate
from orchestration.lib.publish.open_data import (
    GEOGRAPHY_COLUMNS,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSED,
    OpenDataFile,
    Release,
    build_release,
    write_release,
)
from orchestration.lib.publish.packs import (
    PackError,
    authorities_with_figures,
    pack_settings,
)
from orchestration.lib.publish.release import Rows
from orchestration.lib.warehouse import REPORTING_SCHEMA, connect
from orchestration.settings import Settings

REGION_DIR = "region"
REGIONAL_LEVEL = "Regional"
AUTHORITY_COLUMNS = ("new_la_code", "old_la_code", "la_name")

# The open data's models, read per region: the members' counts added up.
_REGION_VIEWS = {
    "rpt_open_data_figures": """
        select
            members.region_code as la_code, figures.time_period, figures.time_identifier,
            figures.section, figures.section_title, figures.section_order, figures.metric_id,
            figures.metric_description, figures.value_source, figures.breakdown_topic,
            figures.breakdown, figures.breakdown_label, figures.breakdown_order,
            cast(sum(figures.numerator) as integer) as numerator,
            cast(sum(figures.denominator) as integer) as denominator,
            cast(null as integer) as published_percent,
            bool_or(figures.is_available) as is_available,
            min(figures.not_available_reason) as not_available_reason,
            cast(sum(figures.audits_not_able_to_record) as integer) as audits_not_able_to_record
        from wh.reporting.rpt_open_data_figures as figures
        inner join members on figures.la_code = members.la_code
        where figures.value_source = 'computed' and figures.breakdown_topic != 'district'
        group by all
    """,
    "rpt_open_data_form_versions": """
        select distinct
            members.region_code as la_code, versions.time_period, versions.time_identifier,
            versions.breakdown_topic, versions.breakdown, versions.form_version
        from wh.reporting.rpt_open_data_form_versions as versions
        inner join members on versions.la_code = members.la_code
        where versions.breakdown_topic != 'district'
    """,
    "rpt_open_data_recordable_forms": """
        select
            members.region_code as la_code, forms.time_period, forms.time_identifier,
            forms.metric_id,
            list_sort(list_distinct(flatten(list(forms.recordable_form_versions))))
                as recordable_form_versions
        from wh.reporting.rpt_open_data_recordable_forms as forms
        inner join members on forms.la_code = members.la_code
        group by all
    """,
    "rpt_open_data_metric_rules": "select * from wh.reporting.rpt_open_data_metric_rules",
    "rpt_open_data_answer_options": "select * from wh.reporting.rpt_open_data_answer_options",
}


def _region_database(settings: Settings, members: Sequence[Authority]) -> duckdb.DuckDBPyConnection:
    """An in-memory database whose reporting models are the regions' sums of the members'."""
    con = duckdb.connect()
    con.execute("attach ? as wh (read_only)", [str(settings.warehouse_path)])
    con.execute("create table members (la_code varchar, region_code varchar)")
    con.executemany(
        "insert into members values (?, ?)", [(m.la_code, m.region_code) for m in members]
    )
    con.execute(f"create schema {REPORTING_SCHEMA}")
    for model, query in _REGION_VIEWS.items():
        con.execute(f"create view {REPORTING_SCHEMA}.{model} as {query}")
    return con


def _as_regional(file: OpenDataFile) -> OpenDataFile:
    """A region's rows as EES's Regional level writes them: no authority columns."""
    level = GEOGRAPHY_COLUMNS.index("geographic_level")
    blank = {GEOGRAPHY_COLUMNS.index(column) for column in AUTHORITY_COLUMNS}
    rows = tuple(
        tuple(
            REGIONAL_LEVEL if i == level else "" if i in blank else cell
            for i, cell in enumerate(row)
        )
        for row in file.rows
    )
    return replace(file, rows=rows)


def _indicators(file: OpenDataFile) -> tuple[list[int], list[int]]:
    """The positions of the file's count indicators and of its percentages (meta.csv)."""
    meta = [dict(zip(META_COLUMNS, row, strict=True)) for row in file.meta]
    counts = [
        m["col_name"] for m in meta if m["col_type"] == "Indicator" and not m["indicator_unit"]
    ]
    percents = [m["col_name"] for m in meta if m["col_type"] == "Indicator" and m["indicator_unit"]]
    return [file.header.index(c) for c in counts], [file.header.index(c) for c in percents]


def _cell_key(file: OpenDataFile, row: tuple[str, ...]) -> tuple[str, ...]:
    """A row's figure without its geography: the period and every filter."""
    geography = set(GEOGRAPHY_COLUMNS) - {"time_period", "time_identifier"}
    counts, percents = _indicators(file)
    skip = {file.header.index(c) for c in geography} | set(counts) | set(percents)
    return tuple(cell for i, cell in enumerate(row) if i not in skip)


def _hidden_as_members(regional: OpenDataFile, members: Sequence[OpenDataFile]) -> OpenDataFile:
    """The region's rows with every count suppressed that any member's same count is (and
    the percentages beside it): a region's count is its members' added up, so showing it
    beside the others' shown counts would give away the suppressed one."""
    counts, percents = _indicators(regional)
    hidden = {
        (_cell_key(member, row), i)
        for member in members
        for row in member.rows
        for i in counts
        if row[i] == SUPPRESSED
    }
    rows = []
    for row in regional.rows:
        key = _cell_key(regional, row)
        cells = list(row)
        if any((key, i) in hidden for i in counts):
            for i in counts:
                cells[i] = SUPPRESSED if (key, i) in hidden else cells[i]
            for i in percents:
                cells[i] = (
                    SUPPRESSED if cells[i] not in (NOT_APPLICABLE, NOT_AVAILABLE) else cells[i]
                )
        rows.append(tuple(cells))
    return replace(regional, rows=tuple(rows))


def _combined(releases: Sequence[Release]) -> Release:
    """One release of every file's rows, in the order given (each file's header and meta are
    the same in every release: one description, open_data.yaml)."""
    first = releases[0]
    files = tuple(
        replace(file, rows=tuple(row for r in releases for row in r.files[i].rows))
        for i, file in enumerate(first.files)
    )
    return Release(files, sum(r.suppressed_counts for r in releases), first.guidance)


def build_region_release(settings: Settings, members: Sequence[Authority]) -> Release:
    """Each region's rows, then its members' rows, for every region of the members."""
    with connect(settings.warehouse_path, read_only=True) as con:
        own = {m.la_code: build_release(con, pack_settings(settings, m)) for m in members}
    releases = []
    with _region_database(settings, members) as region_con:
        for region_code in sorted({m.region_code for m in members}):
            in_region = [m for m in members if m.region_code == region_code]
            as_one = replace(
                settings,
                la_code=region_code,
                region_code=region_code,
                region_name=in_region[0].region_name,
            )
            regional = build_release(region_con, as_one)
            members = [own[m.la_code] for m in in_region]
            files = tuple(
                _hidden_as_members(_as_regional(file), [m.files[i] for m in members])
                for i, file in enumerate(regional.files)
            )
            releases += [replace(regional, files=files), *members]
    return _combined(releases)


def write_region_pack(settings: Settings, release_dir: Path) -> dict[Path, Rows]:
    """publish/region/open_data/: written and checked (the EES standard, no count from 1 to
    5) as every open data release is."""
    with connect(settings.warehouse_path, read_only=True) as con:
        members = authorities_with_figures(con, settings)
    out = release_dir / REGION_DIR / "open_data"
    written = write_release(build_region_release(settings, members), out)
    problems = [p for path in open_data_files(out) for p in (*validate(path), *small_counts(path))]
    if problems:
        raise PackError(
            "the region's open data fails its checks: " + "; ".join(str(p) for p in problems[:5])
        )
    return {path: None for path in written}
