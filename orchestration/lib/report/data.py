"""What the annual report reads from the warehouse, for one authority and period.

Everything the report prints comes from the dbt models of models/reporting/annual_report/,
which the exposure `annual_report` declares (dbt_project/models/reporting/
_reporting__exposures.yml): the figures, comparisons and changes, the outline and wording of
report_sentences, the metric catalogue. The queries here only pick the authority's rows of
one period; every join, label and choice is made in dbt, so the lineage in the dbt docs and
the Dagster UI is what the report depends on.
"""

from dataclasses import dataclass
from datetime import date

import duckdb

from orchestration.settings import Settings

SCHEMA = "reporting"


@dataclass(frozen=True)
class Period:
    time_period: str
    time_identifier: str
    first_month: date | None
    last_month: date | None
    audits: int
    form_versions: str = ""  # the versions of the audit form its audits were on: "2021, 2022"


@dataclass(frozen=True)
class MetricValue:
    """A metric in one period, computed from the audits or published in an earlier report."""

    metric_id: str
    time_period: str
    section: str
    description: str
    label: str  # the answer's label for a metric counting one option of a multi-select
    unit: str  # audits | selections
    value_source: str  # computed | published
    numerator: int | None
    denominator: int | None
    reported_percent: int | None
    missing_answers: int
    # False: the period's forms could not record the metric (no figure, not 0%), and why
    is_available: bool = True
    not_available_reason: str | None = None


@dataclass(frozen=True)
class Comparison:
    """The report period's metric against an earlier period, as the trend marts give it."""

    period: str
    reported_percent: int
    reported_change_points: int
    significance: str  # change_significance of fct_metric_comparisons
    not_testable_reason: str | None = None
    value_source: str = "computed"  # computed | published: the earlier period's figure


@dataclass(frozen=True)
class Change:
    """A finding's measure against the previous period (rpt_report_changes): a row of the
    what-changed table, and a candidate for the key messages."""

    metric_id: str
    label: str
    higher_is: str
    reported_percent: int
    previous: Comparison
    change_rank: int  # 1: the largest change of the period, either way


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    numerator: int
    denominator: int | None


@dataclass(frozen=True)
class TemplateRow:
    """One row of seeds/catalogue/report_sentences.csv."""

    sort_order: int
    section: str
    kind: str
    metric_ids: tuple[str, ...]
    breakdown_topic: str | None
    text: str
    comparison: str
    first_comparison: str
    text_if_all: str = ""  # printed instead of text when n = base: "all 41", not "41 of 41"
    not_recorded_before: str = ""  # instead of a comparison, for a measure new on the form


@dataclass(frozen=True)
class ReportData:
    la_name: str
    period: Period
    values: dict[str, MetricValue]  # the report period's, by metric id
    history: dict[str, list[MetricValue]]  # every period up to the report's, oldest first
    previous: dict[str, Comparison]  # the latest earlier period with a value
    first: dict[str, Comparison]  # the first period on record, where before the previous
    covered_sections: list[str]  # form section titles with a figure in the period, in order
    breakdowns: dict[tuple[str, str], list[BreakdownRow]]  # (metric, topic) -> categories
    templates: list[TemplateRow]
    directions: dict[str, str]  # every metric of the catalogue -> higher_is
    changes: tuple[Change, ...] = ()  # the findings' measures with a previous period, in order


def time_identifier(settings: Settings) -> str:
    """As the dbt macro time_identifier() stamps it."""
    return "Financial year" if settings.year_type == "financial" else "Calendar year"


def periods_with_audits(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[Period]:
    """The authority's periods with audit data, oldest first (published history alone makes
    no report: there is nothing to count)."""
    rows = _period_rows(
        con,
        "rpt_report_periods",
        "time_period, time_identifier, first_month, last_month, audits, form_versions",
        settings,
    )
    return [Period(*row) for row in rows]


def _period_rows(
    con: duckdb.DuckDBPyConnection,
    model: str,
    columns: str,
    settings: Settings,
    period: str | None = None,
    up_to: bool = False,
) -> list[tuple]:
    """The authority's rows of one of the report's models, ordered by the columns: of the
    report's period, of every period up to it (up_to), or of every period (period None)."""
    parameters = {"la_code": settings.la_code, "time_identifier": time_identifier(settings)}
    where = ""
    if period is not None:
        where = "and time_period <= $period" if up_to else "and time_period = $period"
        parameters["period"] = period
    return con.execute(
        f"select {columns} from {SCHEMA}.{model} "
        f"where la_code = $la_code and time_identifier = $time_identifier {where} "
        "order by all",
        parameters,
    ).fetchall()


def _values(con: duckdb.DuckDBPyConnection, settings: Settings, period: str) -> list[MetricValue]:
    """Every metric in every period up to the report's, ordered by metric then period."""
    rows = _period_rows(
        con,
        "rpt_report_metric_values",
        "metric_id, time_period, section, description, metric_label, denominator_unit, "
        "value_source, numerator, denominator, reported_percent, missing_answers, "
        "is_available, not_available_reason",
        settings,
        period,
        up_to=True,
    )
    return [MetricValue(*row) for row in rows]


def _comparisons(
    con: duckdb.DuckDBPyConnection, settings: Settings, period: str
) -> tuple[dict[str, Comparison], dict[str, Comparison]]:
    """Per metric: the previous period, and the first period on record when it is earlier."""
    rows = _period_rows(
        con,
        "rpt_report_comparisons",
        "metric_id, comparison_period, comparison_reported_percent, reported_change_points, "
        "change_significance, not_testable_reason, comparison_value_source, "
        "is_previous_period, is_first_period",
        settings,
        period,
    )
    previous, first = {}, {}
    for metric_id, *fields, is_previous, is_first in rows:
        comparison = Comparison(*fields)
        if is_previous:
            previous[metric_id] = comparison
        elif is_first:
            first[metric_id] = comparison
    return previous, first


def _changes(con: duckdb.DuckDBPyConnection, settings: Settings, period: str) -> list[Change]:
    rows = _period_rows(
        con,
        "rpt_report_changes",
        "report_order, metric_id, metric_label, higher_is, reported_percent, previous_period, "
        "previous_reported_percent, reported_change_points, change_significance, "
        "not_testable_reason, previous_value_source, change_rank",
        settings,
        period,
    )
    return [
        Change(
            metric_id=metric_id,
            label=label,
            higher_is=higher_is,
            reported_percent=percent,
            previous=Comparison(*comparison),
            change_rank=rank,
        )
        for _, metric_id, label, higher_is, percent, *comparison, rank in rows
    ]


def _covered_sections(con: duckdb.DuckDBPyConnection, settings: Settings, period: str) -> list[str]:
    rows = _period_rows(con, "rpt_report_sections", "sort_order, section_title", settings, period)
    return [title for _, title in rows]


def _breakdowns(
    con: duckdb.DuckDBPyConnection, settings: Settings, period: str
) -> dict[tuple[str, str], list[BreakdownRow]]:
    rows = _period_rows(
        con,
        "rpt_report_breakdowns",
        "metric_id, breakdown_topic, breakdown_sort_order, breakdown_label, numerator, denominator",
        settings,
        period,
    )
    breakdowns: dict[tuple[str, str], list[BreakdownRow]] = {}
    for metric_id, topic, _, label, numerator, denominator in rows:
        breakdowns.setdefault((metric_id, topic), []).append(
            BreakdownRow(label, numerator, denominator)
        )
    return breakdowns


def report_templates(con: duckdb.DuckDBPyConnection) -> list[TemplateRow]:
    rows = con.execute(
        "select sort_order, section, kind, metric_ids, breakdown_topic, template, "
        f"text_if_all, comparison, first_comparison, not_recorded_before "
        f"from {SCHEMA}.rpt_report_sentences order by sort_order"
    ).fetchall()
    return [
        TemplateRow(
            sort_order=order,
            section=section,
            kind=kind,
            metric_ids=tuple(metric_ids),
            breakdown_topic=topic,
            text=text,
            text_if_all=text_if_all,
            comparison=comparison,
            first_comparison=first_comparison,
            not_recorded_before=not_recorded_before,
        )
        for (
            order,
            section,
            kind,
            metric_ids,
            topic,
            text,
            text_if_all,
            comparison,
            first_comparison,
            not_recorded_before,
        ) in rows
    ]


def metric_directions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every metric of the catalogue and whether a higher figure is better, worse or neutral
    (metrics.csv): the word a comparison uses and the colour of its bar follow it."""
    return dict(
        con.execute(f"select metric_id, higher_is from {SCHEMA}.rpt_report_metrics").fetchall()
    )


def load_report_data(
    con: duckdb.DuckDBPyConnection, settings: Settings, period: Period
) -> ReportData:
    """Everything the report of one period prints, read in one go (con: read-only)."""
    values = _values(con, settings, period.time_period)
    history: dict[str, list[MetricValue]] = {}
    for value in values:
        history.setdefault(value.metric_id, []).append(value)
    previous, first = _comparisons(con, settings, period.time_period)
    return ReportData(
        la_name=settings.la_name,
        period=period,
        values={v.metric_id: v for v in values if v.time_period == period.time_period},
        history=history,
        previous=previous,
        first=first,
        covered_sections=_covered_sections(con, settings, period.time_period),
        breakdowns=_breakdowns(con, settings, period.time_period),
        templates=report_templates(con),
        directions=metric_directions(con),
        changes=tuple(_changes(con, settings, period.time_period)),
    )
