"""What the annual report reads from the warehouse, for one authority and period.

Everything the report prints comes from here: the figures from the published models and the
trend marts, the wording from the report_sentences seed. The relations read are the ones the
dbt exposure `annual_report` declares (dbt_project/models/reporting/_reporting__exposures.yml),
so the lineage in the dbt docs and the Dagster UI says what the report depends on.
"""

from dataclasses import dataclass
from datetime import date

import duckdb

from orchestration.settings import Settings


@dataclass(frozen=True)
class Period:
    time_period: str
    time_identifier: str
    first_month: date | None
    last_month: date | None
    audits: int


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


def time_identifier(settings: Settings) -> str:
    """As the dbt macro time_identifier() stamps it."""
    return "Financial year" if settings.year_type == "financial" else "Calendar year"


def periods_with_audits(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[Period]:
    """The authority's periods with audit data, oldest first (published history alone makes
    no report: there is nothing to count)."""
    rows = con.execute(
        "select time_period, time_identifier, first_month, last_month, audits "
        "from marts.dim_periods "
        "where la_code = ? and time_identifier = ? and has_audit_data "
        "order by time_period",
        [settings.la_code, time_identifier(settings)],
    ).fetchall()
    return [Period(*row) for row in rows]


def _values(con: duckdb.DuckDBPyConnection, settings: Settings, period: str) -> list[MetricValue]:
    rows = con.execute(
        """
        with labels as (
            select
                metrics.metric_id,
                coalesce(
                    case
                        when
                            questions.question_type = 'multi'
                            and metrics.numerator_rule = 'selected'
                            then options.answer_label
                    end,
                    metrics.description
                ) as label
            from marts.dim_metrics as metrics
            left join marts.dim_questions as questions
                on metrics.question_id = questions.question_id
            left join catalogue.form_answer_options as options
                on
                    metrics.question_id = options.question_id
                    and metrics.numerator_codes = options.answer_code
        )

        -- Computed values (rpt_metrics, counts of audits included) and published history
        -- (rpt_metric_trends), with the whole percentage the report prints; a metric the
        -- period's forms could not record comes without figures (is_available false).
        select
            coalesce(metrics.metric_id, trends.metric_id) as metric_id,
            coalesce(metrics.time_period, trends.time_period) as time_period,
            coalesce(metrics.section, trends.section) as section,
            coalesce(metrics.metric_description, trends.metric_description) as description,
            labels.label,
            coalesce(metrics.denominator_unit, trends.denominator_unit) as unit,
            coalesce(trends.value_source, 'computed') as value_source,
            coalesce(metrics.numerator, trends.numerator) as numerator,
            coalesce(metrics.denominator, trends.denominator) as denominator,
            coalesce(metrics.reported_percent, trends.reported_percent) as reported_percent,
            coalesce(metrics.missing_answers, 0) as missing_answers,
            coalesce(metrics.is_available, trends.is_available, true) as is_available,
            coalesce(metrics.not_available_reason, trends.not_available_reason)
                as not_available_reason
        from (
            select * from reporting.rpt_metrics
            where la_code = $la_code and time_identifier = $time_identifier
        ) as metrics
        full outer join (
            select * from reporting.rpt_metric_trends
            where la_code = $la_code and time_identifier = $time_identifier
        ) as trends
            on
                metrics.time_period = trends.time_period
                and metrics.metric_id = trends.metric_id
        inner join labels on coalesce(metrics.metric_id, trends.metric_id) = labels.metric_id
        where coalesce(metrics.time_period, trends.time_period) <= $period
        order by metric_id, time_period
        """,
        {
            "la_code": settings.la_code,
            "time_identifier": time_identifier(settings),
            "period": period,
        },
    ).fetchall()
    return [MetricValue(*row) for row in rows]


def _comparisons(
    con: duckdb.DuckDBPyConnection, settings: Settings, period: str
) -> tuple[dict[str, Comparison], dict[str, Comparison]]:
    """Per metric: the previous period, and the first period on record when it is earlier."""
    rows = con.execute(
        """
        select
            metric_id,
            comparison_period,
            comparison_reported_percent,
            reported_change_points,
            change_significance,
            is_previous_period,
            comparison_period = min(comparison_period) over (partition by metric_id) as is_first
        from marts.fct_metric_comparisons
        where
            la_code = ? and time_identifier = ? and time_period = ?
            and reported_percent is not null and comparison_reported_percent is not null
        """,
        [settings.la_code, time_identifier(settings), period],
    ).fetchall()
    previous, first = {}, {}
    for metric_id, earlier, percent, change, significance, is_previous, is_first in rows:
        comparison = Comparison(earlier, percent, change, significance)
        if is_previous:
            previous[metric_id] = comparison
        elif is_first:
            first[metric_id] = comparison
    return previous, first


def _covered_sections(con: duckdb.DuckDBPyConnection, settings: Settings, period: str) -> list[str]:
    rows = con.execute(
        """
        select sections.section_title
        from marts.dim_sections as sections
        where exists (
            select 1 from reporting.rpt_metrics as metrics
            where
                metrics.section = sections.section_id
                and metrics.la_code = ? and metrics.time_identifier = ?
                and metrics.time_period = ? and metrics.is_available
        )
        order by sections.sort_order
        """,
        [settings.la_code, time_identifier(settings), period],
    ).fetchall()
    return [title for (title,) in rows]


def _breakdowns(
    con: duckdb.DuckDBPyConnection, settings: Settings, period: str
) -> dict[tuple[str, str], list[BreakdownRow]]:
    rows = con.execute(
        """
        select metric_id, breakdown_topic, breakdown_label, numerator, denominator
        from reporting.rpt_metric_breakdowns
        where
            la_code = ? and time_identifier = ? and time_period = ?
            and breakdown_topic != 'total'
        order by metric_id, breakdown_topic, breakdown_sort_order, breakdown_label
        """,
        [settings.la_code, time_identifier(settings), period],
    ).fetchall()
    breakdowns: dict[tuple[str, str], list[BreakdownRow]] = {}
    for metric_id, topic, label, numerator, denominator in rows:
        breakdowns.setdefault((metric_id, topic), []).append(
            BreakdownRow(label, numerator, denominator)
        )
    return breakdowns


def report_templates(con: duckdb.DuckDBPyConnection) -> list[TemplateRow]:
    rows = con.execute(
        "select sort_order, section, kind, metric_id, breakdown_topic, text, text_if_all, "
        "comparison, first_comparison, not_recorded_before "
        "from catalogue.report_sentences order by sort_order"
    ).fetchall()
    return [
        TemplateRow(
            sort_order=row[0],
            section=row[1],
            kind=row[2],
            metric_ids=tuple(m.strip() for m in (row[3] or "").split("|") if m.strip()),
            breakdown_topic=row[4],
            text=row[5] or "",
            text_if_all=row[6] or "",
            comparison=row[7] or "",
            first_comparison=row[8] or "",
            not_recorded_before=row[9] or "",
        )
        for row in rows
    ]


def metric_directions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every metric of the catalogue and whether a higher figure is better, worse or neutral
    (metrics.csv): the word a comparison uses follows it."""
    return dict(con.execute("select metric_id, higher_is from marts.dim_metrics").fetchall())


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
    )
