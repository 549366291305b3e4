"""The open-data release: tidy CSV files with their .meta.csv in the DfE Explore Education
Statistics open data standard, with disclosure control.

What each file holds is data (open_data.yaml); the figures come from the published models
(reporting.rpt_metric_breakdowns for computed years, reporting.rpt_metric_trends for earlier
years' published history); which counts are the same and how they add up comes from the
metric catalogue (metric_cells.py); disclosure.py decides what to suppress, once for the
counts every file shares. Symbols: c suppressed, z not applicable (a count of audits has no
base or percent), x not available (published history has no counts), low (a non-zero
percentage that rounds to 0). Percentages are whole numbers rounded half up from the counts.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import yaml

from orchestration.publish.disclosure import Cell, CellTable, Relation, suppress
from orchestration.publish.ees import META_COLUMNS
from orchestration.publish.files import text_table, write_atomically
from orchestration.publish.metric_cells import (
    AnswerOption,
    Count,
    MetricCells,
    MetricDefinition,
    metric_cells,
)
from orchestration.settings import Settings

DESCRIPTION = Path(__file__).with_name("open_data.yaml")
GEOGRAPHIC_LEVEL = "Local authority"
COUNTRY_CODE, COUNTRY_NAME = "E92000001", "England"  # EES publishes England's statistics
TOTAL = ("total", "total")
SUPPRESSED, NOT_APPLICABLE, NOT_AVAILABLE, ROUNDS_TO_ZERO = "c", "z", "x", "low"
GEOGRAPHY_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
)


class OpenDataError(ValueError):
    """The published figures cannot be released as described (a configuration or data
    problem, named in the message)."""


@dataclass(frozen=True)
class FilterSpec:
    column: str
    label: str
    field: str
    hint: str = ""
    grouping_column: str = ""


@dataclass(frozen=True)
class IndicatorSpec:
    column: str
    label: str
    kind: str  # count | percent
    field: str = ""  # count: numerator | denominator
    unit: str = ""


@dataclass(frozen=True)
class FileSpec:
    name: str
    title: str
    breakdown_topics: tuple[str, ...]
    filters: tuple[FilterSpec, ...]
    indicators: tuple[IndicatorSpec, ...]


@dataclass(frozen=True)
class ReleaseSpec:
    files: tuple[FileSpec, ...]
    topic_labels: Mapping[str, str]


@cache
def load_release_spec(path: Path = DESCRIPTION) -> ReleaseSpec:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    filters = {name: FilterSpec(column=name, **spec) for name, spec in data["filters"].items()}
    indicators = {
        name: IndicatorSpec(column=name, **spec) for name, spec in data["indicators"].items()
    }
    files = tuple(
        FileSpec(
            name=spec["name"],
            title=spec["title"],
            breakdown_topics=tuple(spec["breakdown_topics"]),
            filters=tuple(filters[name] for name in spec["filters"]),
            indicators=tuple(indicators[name] for name in spec["indicators"]),
        )
        for spec in data["files"]
    )
    return ReleaseSpec(files=files, topic_labels=data["breakdown_topics"])


@dataclass(frozen=True)
class Figure:
    """One metric's figures for one period and category, before disclosure control."""

    la_code: str
    time_period: str
    time_identifier: str
    section_title: str
    section_order: int
    metric_id: str
    metric_description: str
    breakdown_topic: str
    breakdown_topic_label: str
    breakdown: str
    breakdown_label: str
    breakdown_order: int
    numerator: int | None  # None: published history, which has no counts
    denominator: int | None
    published_percent: int | None = None

    @property
    def period(self) -> tuple[str, str, str]:
        return (self.la_code, self.time_period, self.time_identifier)

    @property
    def category(self) -> tuple[str, str]:
        return (self.breakdown_topic, self.breakdown)


@dataclass(frozen=True)
class OpenDataFile:
    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    meta: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Release:
    files: tuple[OpenDataFile, ...]
    suppressed_counts: int  # distinct counts hidden (one count may be shown in many cells)


def build_release(
    con: duckdb.DuckDBPyConnection, settings: Settings, spec: ReleaseSpec | None = None
) -> Release:
    """The release from the warehouse's published models, for the configured authority."""
    spec = spec or load_release_spec()
    cells = _metric_cells(con)
    figures = _figures(con, settings.la_code, spec.topic_labels)
    if not figures:
        raise OpenDataError(
            f"no published figures for CAREAUDIT_LA_CODE {settings.la_code}: nothing to release"
        )
    hidden: set[tuple[tuple[str, str, str], Cell]] = set()
    by_period: dict[tuple[str, str, str], list[Figure]] = defaultdict(list)
    for figure in figures:
        if figure.numerator is not None:
            by_period[figure.period].append(figure)
    versions = _form_versions(con)
    for period, period_figures in sorted(by_period.items()):
        table = cell_table(period_figures, cells, versions[period])
        hidden |= {(period, cell) for cell in suppress(table)}
    files = tuple(_render(file, figures, cells, hidden, settings) for file in spec.files)
    return Release(files=files, suppressed_counts=len(hidden))


def cell_table(
    figures: Iterable[Figure], cells: MetricCells, form_versions: Iterable[str]
) -> CellTable:
    """The counts of one authority and period, keyed (category, Count): what each figure
    shows, the remainders the catalogue's relations imply in each category (none where the
    period's form versions make a remainder impossible), and the totals that each breakdown
    topic's categories add up to."""
    values: dict[Cell, int] = {}
    published: set[Cell] = set()

    def show(cell: Cell, value: int) -> None:
        if values.setdefault(cell, value) != value:
            raise OpenDataError(f"{cell!r} is both {values[cell]} and {value}")
        published.add(cell)

    categories: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for figure in figures:
        assert figure.numerator is not None
        categories[figure.breakdown_topic].add(figure.category)
        show((figure.category, cells.numerators[figure.metric_id]), figure.numerator)
        base = cells.denominators[figure.metric_id]
        if base is not None and figure.denominator is not None:
            show((figure.category, base), figure.denominator)
    relations: list[Relation] = []
    protected: set[Cell] = set()
    exact = {
        identity
        for identity in cells.identities
        if cells.rest_cannot_occur(identity, form_versions)
    }
    for category in sorted(set().union(*categories.values())):
        for identity in cells.identities:
            *parts, rest = identity.parts
            known = [(category, count) for count in (identity.total, *parts)]
            if not all(cell in values for cell in known):
                continue
            if identity in exact:
                if values[known[0]] != sum(values[cell] for cell in known[1:]):
                    raise OpenDataError(f"{identity} does not add up in {category}")
                relations.append(Relation(known[0], tuple(known[1:])))
                continue
            rest_cell = (category, rest)
            values[rest_cell] = values[known[0]] - sum(values[cell] for cell in known[1:])
            if values[rest_cell] < 0:
                raise OpenDataError(
                    f"{identity} does not hold in {category}: the catalogue's "
                    "relations disagree with the figures"
                )
            relations.append(Relation(known[0], (*known[1:], rest_cell)))
            if identity.protected:
                protected.add(rest_cell)
    totals = [cell for cell in published if cell[0] == TOTAL]
    for topic, topic_categories in categories.items():
        if topic == TOTAL[0]:
            continue
        for total, count in totals:
            parts = tuple((category, count) for category in sorted(topic_categories))
            if all(part in values for part in parts):
                relations.append(Relation((total, count), parts))
    return CellTable(
        values=values,
        published=frozenset(published),
        protected=frozenset(protected),
        relations=tuple(relations),
    )


def _render(
    file: FileSpec,
    figures: list[Figure],
    cells: MetricCells,
    hidden: set[tuple[tuple[str, str, str], Cell]],
    settings: Settings,
) -> OpenDataFile:
    rows = sorted(
        (f for f in figures if f.breakdown_topic in file.breakdown_topics),
        key=lambda f: (
            f.time_period,
            f.time_identifier,
            f.section_order,
            f.metric_id,
            file.breakdown_topics.index(f.breakdown_topic),
            f.breakdown_order,
            f.breakdown_label,
        ),
    )
    header = (
        *GEOGRAPHY_COLUMNS,
        *(f.column for f in file.filters),
        *(i.column for i in file.indicators),
    )

    def is_hidden(figure: Figure, count: Count | None) -> bool:
        return (figure.period, (figure.category, count)) in hidden

    def indicator(figure: Figure, spec: IndicatorSpec) -> str:
        numerator, base = cells.numerators[figure.metric_id], cells.denominators[figure.metric_id]
        if spec.kind == "count":
            count, value = (
                (numerator, figure.numerator)
                if spec.field == "numerator"
                else (base, figure.denominator)
            )
            if count is None:
                return NOT_APPLICABLE
            if figure.numerator is None:
                return NOT_AVAILABLE
            return SUPPRESSED if is_hidden(figure, count) else str(value)
        if base is None:
            return NOT_APPLICABLE
        if figure.numerator is None:
            return (
                str(figure.published_percent)
                if figure.published_percent is not None
                else NOT_AVAILABLE
            )
        if is_hidden(figure, numerator) or is_hidden(figure, base):
            return SUPPRESSED
        return whole_percent(figure.numerator, figure.denominator or 0)

    body = tuple(
        (
            *_geography(figure, settings),
            *(str(getattr(figure, f.field)) for f in file.filters),
            *(indicator(figure, spec) for spec in file.indicators),
        )
        for figure in rows
    )
    meta = tuple(
        [
            *(
                (f.column, "Filter", f.label, "", "", "", f.hint, f.grouping_column)
                for f in file.filters
            ),
            *((i.column, "Indicator", i.label, "", i.unit, "0", "", "") for i in file.indicators),
        ]
    )
    return OpenDataFile(name=file.name, header=header, rows=body, meta=meta)


def whole_percent(numerator: int, denominator: int) -> str:
    """100 x numerator / denominator as a whole number, rounded half up exactly (integer
    arithmetic, no floating point); "low" when a non-zero share rounds to 0; "z" with no base."""
    if denominator == 0:
        return NOT_APPLICABLE
    rounded = (200 * numerator + denominator) // (2 * denominator)
    return ROUNDS_TO_ZERO if numerator and not rounded else str(rounded)


def _geography(figure: Figure, settings: Settings) -> tuple[str, ...]:
    return (
        figure.time_period,
        figure.time_identifier,
        GEOGRAPHIC_LEVEL,
        COUNTRY_CODE,
        COUNTRY_NAME,
        settings.region_code,
        settings.region_name,
        settings.la_code,
        settings.old_la_code,
        settings.la_name,
    )


def write_release(release: Release, directory: Path) -> list[Path]:
    """Write every file and its .meta.csv into directory through the one writer of published
    CSV (UTF-8, no byte order mark, formulas neutralised); files of an earlier release that
    this one no longer has are removed."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect() as con:
        for file in release.files:
            for path, header, rows in (
                (directory / f"{file.name}.csv", file.header, file.rows),
                (directory / f"{file.name}.meta.csv", META_COLUMNS, file.meta),
            ):
                written.append(write_atomically(text_table(con, header, rows), path))
    for stale in set(directory.glob("*.csv")) - set(written):
        stale.unlink()
    return written


def _figures(
    con: duckdb.DuckDBPyConnection, la_code: str, topic_labels: Mapping[str, str]
) -> list[Figure]:
    """The configured authority's figures (a warehouse may hold other authorities' too, such
    as another authority's published history among the seeds: they are not this release):
    computed ones by breakdown, and earlier years' published history as totals."""
    result = con.execute(
        """
        with figures as (
            select
                la_code, time_period, time_identifier, section, section_title, metric_id,
                metric_description, breakdown_topic, breakdown, breakdown_label,
                breakdown_sort_order as breakdown_order, numerator, denominator,
                cast(null as integer) as published_percent
            from reporting.rpt_metric_breakdowns
            union all
            select
                la_code, time_period, time_identifier, section, section_title, metric_id,
                metric_description, 'total', 'total', 'Total', 0, null, null, published_percent
            from reporting.rpt_metric_trends
            where value_source = 'published'
        )
        select figures.* exclude (section), sections.sort_order as section_order
        from figures
        inner join catalogue.form_sections as sections on figures.section = sections.section_id
        where figures.la_code = ?
        """,
        [la_code],
    )
    columns = [column[0] for column in result.description]
    return [
        Figure(
            **dict(zip(columns, row, strict=True)),
            breakdown_topic_label=topic_labels[row[columns.index("breakdown_topic")]],
        )
        for row in result.fetchall()
    ]


def _form_versions(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], set[str]]:
    """The form versions the audits of each authority and period were on."""
    versions: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for la, period, identifier, version in con.execute(
        "select distinct la_code, time_period, time_identifier, form_version from marts.fct_audits"
    ).fetchall():
        versions[(la, period, identifier)].add(version)
    return versions


def _metric_cells(con: duckdb.DuckDBPyConnection) -> MetricCells:
    """The metric catalogue as dbt loaded it (the seeds in the warehouse's catalogue schema)."""

    def codes(value: str | None) -> tuple[str, ...]:
        return tuple(value.split("|")) if value else ()

    metrics = [
        MetricDefinition(
            metric, question, rule, codes(numerator_codes), unit, population, codes(restrict)
        )
        for metric, question, rule, numerator_codes, unit, population, restrict in con.execute(
            """
            select metrics.metric_id, metrics.question_id, metrics.numerator_rule,
                metrics.numerator_codes, bases.unit, bases.population, bases.restrict_to_codes
            from catalogue.metrics as metrics
            inner join catalogue.metric_bases as bases on metrics.basis = bases.basis
            order by metrics.metric_id
            """
        ).fetchall()
    ]
    question_types = dict(
        con.execute("select question_id, question_type from catalogue.form_questions").fetchall()
    )
    options: dict[str, list[AnswerOption]] = defaultdict(list)
    for question, code, rolls_up_to, excluded, offered_on in con.execute(
        """
        with versions as (
            select form_version, rank() over (order by first_used) as rank
            from catalogue.form_versions
        )
        select options.question_id, options.answer_code, options.rolls_up_to,
            options.excluded_from_answered,
            list(versions.form_version) filter (
                where versions.rank >= coalesce(since.rank, 0)
                and versions.rank <= coalesce(until.rank, 1000)
            )
        from catalogue.form_answer_options as options
        cross join versions
        left join versions as since on options.since_version = since.form_version
        left join versions as until on options.until_version = until.form_version
        group by all
        order by all
        """
    ).fetchall():
        options[question].append(
            AnswerOption(code, rolls_up_to, bool(excluded), frozenset(offered_on))
        )
    return metric_cells(metrics, question_types, options)
