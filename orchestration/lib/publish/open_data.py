"""The open-data release: tidy CSV files with their .meta.csv in the DfE Explore Education
Statistics open data standard, with disclosure control.

What each file holds is data (open_data.yaml); everything read from the warehouse is a dbt
model the open_data_release exposure declares (models/reporting/open_data/): the figures
(rpt_open_data_figures: the published breakdowns for computed years, earlier years' published
history), the form versions of each period's audits and which of them could record each
metric, and the metric catalogue, from which metric_cells.py works out which counts are the
same and how they add up; disclosure.py decides what to suppress, once for the counts every
file shares. Symbols: c suppressed, z not applicable (a count of audits has no base or
percent), x not available (published history has no counts), low (a non-zero percentage that
rounds to 0). Percentages are whole numbers rounded half up from the counts.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import yaml

from orchestration.lib.publish.disclosure import Cell, CellTable, Relation, suppress
from orchestration.lib.publish.ees import META_COLUMNS
from orchestration.lib.publish.files import text_table, write_atomically
from orchestration.lib.publish.metric_cells import (
    AnswerOption,
    Count,
    MetricCells,
    MetricDefinition,
    Rest,
    metric_cells,
)
from orchestration.lib.rounding import whole_percent
from orchestration.lib.warehouse import REPORTING_SCHEMA
from orchestration.settings import Settings

DESCRIPTION = Path(__file__).with_name("open_data.yaml")
GUIDANCE = "data_guidance.md"
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
# The columns read from the open data's models (dbt_project/models/reporting/open_data/).
PERIOD = ("la_code", "time_period", "time_identifier")
FIGURE_COLUMNS = (
    *PERIOD,
    "section_title",
    "section_order",
    "metric_id",
    "metric_description",
    "breakdown_topic",
    "breakdown",
    "breakdown_label",
    "breakdown_order",
    "numerator",
    "denominator",
    "published_percent",
    "is_available",
    "not_available_reason",
    "audits_not_able_to_record",
)
METRIC_RULE_COLUMNS = (
    "metric_id",
    "question_id",
    "question_type",
    "numerator_rule",
    "numerator_codes",
    "unit",
    "population",
    "restrict_to_codes",
)
ANSWER_OPTION_COLUMNS = (
    "question_id",
    "answer_code",
    "rolls_up_to",
    "excluded_from_answered",
    "offered_on_form_versions",
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
    default_metric: str  # a filter without a Total item defaults to this metric's item


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
    return ReleaseSpec(
        files=files, topic_labels=data["breakdown_topics"], default_metric=data["default_metric"]
    )


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
    numerator: int | None  # None: published history (no counts), or not available
    denominator: int | None
    published_percent: int | None = None
    # False: no audit of the period (or category) was on a form that could record the metric
    is_available: bool = True
    not_available_reason: str | None = None
    audits_not_able_to_record: int = 0  # audits on a form that could not: outside its base

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
    guidance: str = ""  # data_guidance.md: the files, the symbols and the footnotes


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
    recordable = _recordable_on(con)
    by_period: dict[tuple[str, str, str], list[Figure]] = defaultdict(list)
    for figure in figures:
        # computed figures of metrics the period's forms could record (a category none of
        # whose forms could is part of the period's counts: it has none of them)
        if recordable[figure.period].get(figure.metric_id):
            by_period[figure.period].append(figure)
    versions = _form_versions(con)
    scopes = {
        period: partial_scopes(recordable[period], versions[period][TOTAL]) for period in versions
    }
    for period, period_figures in sorted(by_period.items()):
        table = cell_table(
            period_figures, cells, versions[period][TOTAL], recordable[period], versions[period]
        )
        hidden |= {(period, cell) for cell in suppress(table)}
    defaults = [f for f in figures if f.metric_id == spec.default_metric and f.category == TOTAL]
    files = tuple(
        _render(file, figures, cells, hidden, settings, next(iter(defaults), None), scopes)
        for file in spec.files
    )
    return Release(
        files=files,
        suppressed_counts=len(hidden),
        guidance=data_guidance(spec, figures),
    )


def cell_table(
    figures: Iterable[Figure],
    cells: MetricCells,
    form_versions: Iterable[str],
    recordable_on: Mapping[str, frozenset[str]] | None = None,
    category_versions: Mapping[tuple[str, str], frozenset[str]] | None = None,
) -> CellTable:
    """The counts of one authority and period, keyed (category, Count): what each figure
    shows, the remainders the catalogue's relations imply in each category (none where the
    period's form versions make a remainder impossible), and the totals that each breakdown
    topic's categories add up to.

    recordable_on: per metric, the period's form versions that could record it. A metric
    only some of them could (a year spanning two form versions) counts the audits of those
    only: its base, and a numerator of audits *not* selecting something, are other counts
    than over every audit (Count.on_forms), related to them by what the others add; a
    category none of whose audits could record it holds none of them (0, as the reader of
    its "x" knows). Numerators of selected answers are the same count either way: an audit
    on a form without the answer cannot have chosen it.

    category_versions: the form versions of each category's audits. A remainder no audit of
    those versions can be in is no remainder (its parts add up exactly); taken per category,
    as a reader comparing a category's bases could tell its audits were all on one form."""
    values: dict[Cell, int] = {}
    published: set[Cell] = set()
    period_versions = frozenset(form_versions)
    category_versions = category_versions or {}

    def show(cell: Cell, value: int) -> None:
        if values.setdefault(cell, value) != value:
            raise OpenDataError(f"{cell!r} is both {values[cell]} and {value}")
        published.add(cell)

    scopes = partial_scopes(recordable_on or {}, period_versions)
    # metrics counted on some forms only: (metric, its forms)
    scoped: set[tuple[str, frozenset[str]]] = set()
    categories: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for figure in figures:
        metric = figure.metric_id
        numerator, base = _shown_counts(cells, metric, scopes.get(metric))
        if metric in scopes and base is not None:
            scoped.add((metric, scopes[metric]))
        if figure.numerator is None and metric not in scopes:
            continue  # not available in the period at all: nothing shown, nothing counted
        categories[figure.breakdown_topic].add(figure.category)
        show((figure.category, numerator), figure.numerator or 0)
        if base is not None and (figure.denominator is not None or not figure.is_available):
            show((figure.category, base), figure.denominator or 0)
    relations: list[Relation] = []
    protected: set[Cell] = set()
    for category in sorted(set().union(*categories.values())):
        for metric, scope in sorted(scoped):
            whole = cells.denominators[metric]
            assert whole is not None
            numerator, base = _shown_counts(cells, metric, scope)
            known = [(category, base), (category, numerator)]
            if not all(cell in values for cell in known):
                continue
            identity = cells.identity(whole, cells.numerators[metric])
            rest = (category, Rest(base, frozenset({numerator})))
            versions = scope & category_versions.get(category, period_versions)
            if identity is not None and cells.rest_cannot_occur(identity, versions):
                relations.append(Relation(known[0], (known[1],)))
            else:
                values[rest] = values[known[0]] - values[known[1]]
                relations.append(Relation(known[0], (known[1], rest)))
                if identity is None or identity.protected:
                    protected.add(rest)
            if (category, whole) in values:  # the audits on the other forms: not a finding
                outside = (category, Rest(whole, frozenset({base})))
                values[outside] = values[(category, whole)] - values[known[0]]
                relations.append(Relation((category, whole), (known[0], outside)))
    for category in sorted(set().union(*categories.values())):
        versions = category_versions.get(category, period_versions)
        for identity in cells.identities:
            *parts, rest = identity.parts
            known = [(category, count) for count in (identity.total, *parts)]
            if not all(cell in values for cell in known):
                continue
            if cells.rest_cannot_occur(identity, versions):
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


def partial_scopes(
    recordable_on: Mapping[str, frozenset[str]], period_versions: frozenset[str]
) -> dict[str, frozenset[str]]:
    """The metrics that some but not all of a period's forms could record, with those forms:
    their counts are over the audits of those forms only."""
    return {
        metric: versions
        for metric, versions in recordable_on.items()
        if versions and versions != period_versions
    }


def _shown_counts(
    cells: MetricCells, metric: str, scope: frozenset[str] | None
) -> tuple[Count, Count | None]:
    """The counts a metric's numerator and denominator show: over the forms of scope only
    where only those could record it (see cell_table)."""
    numerator, base = cells.numerators[metric], cells.denominators[metric]
    if scope is None or base is None:
        return numerator, base
    if metric in cells.not_selected:
        numerator = numerator.on_forms(scope)
    return numerator, base.on_forms(scope)


def _render(
    file: FileSpec,
    figures: list[Figure],
    cells: MetricCells,
    hidden: set[tuple[tuple[str, str, str], Cell]],
    settings: Settings,
    default: Figure | None,
    scopes: Mapping[tuple[str, str, str], Mapping[str, frozenset[str]]],
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
        # the counts disclosure control weighed: over some forms only, for some metrics
        scope = scopes.get(figure.period, {}).get(figure.metric_id)
        numerator, base = _shown_counts(cells, figure.metric_id, scope)
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
        return open_data_percent(figure.numerator, figure.denominator or 0)

    body = tuple(
        (
            *_geography(figure, settings),
            *(str(getattr(figure, f.field)) for f in file.filters),
            *(indicator(figure, spec) for spec in file.indicators),
        )
        for figure in rows
    )

    def filter_default(spec: FilterSpec) -> str:
        """The item EES shows first for a filter without a Total: the default metric's (the
        first row's, for an authority whose release has no such figure, only history)."""
        items = {str(getattr(figure, spec.field)) for figure in rows}
        shown_first = default if default is not None else rows[0]
        return "" if "Total" in items else str(getattr(shown_first, spec.field))

    meta = tuple(
        [
            *(
                (
                    f.column,
                    "Filter",
                    f.label,
                    "",
                    "",
                    "",
                    f.hint,
                    f.grouping_column,
                    filter_default(f),
                )
                for f in file.filters
            ),
            *(
                (i.column, "Indicator", i.label, "", i.unit, "0", "", "", "")
                for i in file.indicators
            ),
        ]
    )
    return OpenDataFile(name=file.name, header=header, rows=body, meta=meta)


SYMBOL_MEANINGS = {
    SUPPRESSED: "suppressed to protect children: a count from 1 to 5, or a count one could be "
    "worked out from",
    NOT_APPLICABLE: "not applicable: a count of audits has no base or percentage",
    NOT_AVAILABLE: "not available: a figure an earlier report published without its counts, or "
    "a finding the year's audit form could not record (see the footnotes)",
    ROUNDS_TO_ZERO: "a percentage above 0 that rounds to 0",
}


def data_guidance(spec: ReleaseSpec, figures: Iterable[Figure]) -> str:
    """data_guidance.md: what each file holds, what its symbols mean, and a footnote for every
    finding a year's forms could not record (x), or only some of its audits' forms could (its
    figures count those audits only): text for the release's EES data guidance and
    footnotes."""
    lines = ["# Care Plan Audit open data: data guidance", ""]
    lines += [
        "Files in the DfE Explore Education Statistics open data format, each with its "
        ".meta.csv. Counts are of audits (one per child per review) unless the finding says "
        "otherwise; percentages are whole numbers rounded half up.",
        "",
        "## Files",
        "",
    ]
    for file in spec.files:
        lines.append(f"- `{file.name}.csv`: {file.title}.")
        lines.append(
            "  Filters: " + ", ".join(f"{f.label} (`{f.column}`)" for f in file.filters) + "."
        )
        lines.append(
            "  Indicators: " + ", ".join(f"{i.label} (`{i.column}`)" for i in file.indicators) + "."
        )
    lines += ["", "## Symbols", ""]
    lines += [f"- `{symbol}`: {meaning}." for symbol, meaning in SYMBOL_MEANINGS.items()]
    lines += ["", "## Footnotes", ""]
    notes = _footnotes(figures)
    lines += [f"{number}. {note}" for number, note in enumerate(notes, start=1)] or ["None."]
    return "\n".join(lines) + "\n"


def _footnotes(figures: Iterable[Figure]) -> list[str]:
    """One footnote per finding and reason: the years it is x, or counts some audits only."""
    missing: dict[tuple[int, str, str, str], list[str]] = defaultdict(list)
    partly: dict[tuple[int, str, str, str], list[str]] = defaultdict(list)
    for figure in sorted(figures, key=lambda f: f.time_period):
        if figure.category != TOTAL or not figure.not_available_reason:
            continue
        key = (
            figure.section_order,
            figure.metric_id,
            figure.metric_description,
            figure.not_available_reason,
        )
        (partly if figure.is_available else missing)[key].append(_year(figure.time_period))
    notes = []
    for key in sorted(set(missing) | set(partly)):
        _, metric_id, description, reason = key
        if key in missing:
            notes.append(
                f"{description} (`{metric_id}`): x in {_listed(missing[key])}, because the "
                f"audit form could not record it ({reason})."
            )
        if key in partly:
            notes.append(
                f"{description} (`{metric_id}`): in {_listed(partly[key])} some audits were on "
                f"a form that could not record it ({reason}); the figures count the other "
                "audits only."
            )
    return notes


def _year(time_period: str) -> str:
    """'2022' as it is; a financial year '202223' as '2022-23'."""
    if len(time_period) == 6 and time_period.isdigit():
        return f"{time_period[:4]}-{time_period[4:]}"
    return time_period


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def open_data_percent(numerator: int, denominator: int) -> str:
    """The DfE convention: a whole percentage rounded half up, whatever the report's rounding;
    "low" when a non-zero share rounds to 0; "z" with no base."""
    if denominator == 0:
        return NOT_APPLICABLE
    rounded = whole_percent(numerator, denominator, "half_up")
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
    guidance = guidance_path(directory)
    guidance.write_text(release.guidance, encoding="utf-8")
    written.append(guidance)
    for stale in set(directory.glob("*.csv")) - set(written):
        stale.unlink()
    return written


def guidance_path(directory: Path) -> Path:
    """The release's data guidance (files, symbols, footnotes) beside its files."""
    return directory / GUIDANCE


def _figures(
    con: duckdb.DuckDBPyConnection, la_code: str, topic_labels: Mapping[str, str]
) -> list[Figure]:
    """The configured authority's figures (a warehouse may hold other authorities' too, such
    as another authority's published history among the seeds: they are not this release):
    computed ones by breakdown, and earlier years' published history as totals."""
    result = _read(con, "rpt_open_data_figures", FIGURE_COLUMNS, "where la_code = ?", [la_code])
    return [
        Figure(
            **dict(zip(FIGURE_COLUMNS, row, strict=True)),
            breakdown_topic_label=topic_labels[row[FIGURE_COLUMNS.index("breakdown_topic")]],
        )
        for row in result
    ]


def _recordable_on(
    con: duckdb.DuckDBPyConnection,
) -> dict[tuple[str, str, str], dict[str, frozenset[str]]]:
    """Per authority and period, each metric's form versions (among those its audits were on)
    that could record it: none, all, or in a year spanning two versions perhaps some."""
    recordable: dict[tuple[str, str, str], dict[str, frozenset[str]]] = defaultdict(dict)
    for la, period, identifier, metric, versions in _read(
        con,
        "rpt_open_data_recordable_forms",
        (*PERIOD, "metric_id", "recordable_form_versions"),
    ):
        recordable[(la, period, identifier)][metric] = frozenset(versions)
    return recordable


def _form_versions(
    con: duckdb.DuckDBPyConnection,
) -> dict[tuple[str, str, str], dict[tuple[str, str], frozenset[str]]]:
    """The form versions the audits of each authority and period were on, in the period
    (category TOTAL) and in each category of each breakdown topic."""
    versions: dict[tuple[str, str, str], dict[tuple[str, str], set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for la, period, identifier, topic, category, version in _read(
        con,
        "rpt_open_data_form_versions",
        (*PERIOD, "breakdown_topic", "breakdown", "form_version"),
    ):
        versions[(la, period, identifier)][(topic, category)].add(version)
    return {
        period: {category: frozenset(found) for category, found in by_category.items()}
        for period, by_category in versions.items()
    }


def _metric_cells(con: duckdb.DuckDBPyConnection) -> MetricCells:
    """The metric catalogue as dbt loaded it, in the shape disclosure control reads it."""
    rules = _read(
        con,
        "rpt_open_data_metric_rules",
        METRIC_RULE_COLUMNS,
        "order by metric_id",
    )
    metrics = [
        MetricDefinition(
            metric, question, rule, tuple(numerator_codes), unit, population, tuple(restrict)
        )
        for metric, question, _, rule, numerator_codes, unit, population, restrict in rules
    ]
    question_types = {question: kind for _, question, kind, *_ in rules if question is not None}
    options: dict[str, list[AnswerOption]] = defaultdict(list)
    for question, code, rolls_up_to, excluded, offered_on in _read(
        con,
        "rpt_open_data_answer_options",
        ANSWER_OPTION_COLUMNS,
        "order by question_id, answer_code",
    ):
        options[question].append(
            AnswerOption(code, rolls_up_to, bool(excluded), frozenset(offered_on))
        )
    return metric_cells(metrics, question_types, options)


def _read(
    con: duckdb.DuckDBPyConnection,
    model: str,
    columns: tuple[str, ...],
    clauses: str = "",
    parameters: list[str] | None = None,
) -> list[tuple]:
    """The rows of one of the open data's models (dbt_project/models/reporting/open_data/,
    declared by the open_data_release exposure): every query is there, none here."""
    return con.execute(
        f"select {', '.join(columns)} from {REPORTING_SCHEMA}.{model} {clauses}", parameters
    ).fetchall()
