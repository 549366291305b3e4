"""Small reports built in memory: a report's data as the warehouse would give it, and the
rows of report_sentences the test needs."""

from datetime import date
from pathlib import Path

from orchestration.lib.report.commentary import Commentary
from orchestration.lib.report.data import (
    Change,
    Comparison,
    MetricValue,
    Period,
    ReportData,
    TemplateRow,
)


def value(metric_id: str, period: str, numerator: int | None, denominator: int | None, **kw):
    percent = None if not denominator else int(100 * (numerator or 0) / denominator)
    return MetricValue(
        metric_id=metric_id,
        time_period=period,
        section=kw.get("section", "impact"),
        description=kw.get("description", metric_id.replace("_", " ").capitalize()),
        label=kw.get("label", metric_id.replace("_", " ").capitalize()),
        unit=kw.get("unit", "audits"),
        value_source=kw.get("value_source", "computed"),
        numerator=numerator,
        denominator=denominator,
        reported_percent=kw.get("reported_percent", percent),
        missing_answers=kw.get("missing_answers", 0),
        is_available=kw.get("is_available", True),
    )


def not_available(metric_id: str, period: str, **kw):
    """A metric the period's forms could not record: a row without figures."""
    return value(metric_id, period, None, None, reported_percent=None, is_available=False, **kw)


def row(order: int, section: str, kind: str, text: str = "", metric: str = "", **kw):
    return TemplateRow(
        sort_order=order,
        section=section,
        kind=kind,
        metric_ids=tuple(m for m in metric.split("|") if m),
        breakdown_topic=kw.get("breakdown_topic"),
        text=text,
        comparison=kw.get("comparison", ""),
        first_comparison=kw.get("first_comparison", ""),
        text_if_all=kw.get("text_if_all", ""),
        not_recorded_before=kw.get("not_recorded_before", ""),
    )


def one_row_section(section: str, title: str, kind: str, text: str, metric: str, **kw):
    """The outline of one section: its heading, then one row of the kind given."""
    return [row(10, section, "section", title), row(20, section, kind, text, metric, **kw)]


COMPARE = "This is {previous_compared} {previous_ref} ({previous_change})."
TREND = "This is {previous_trend}."


def report_data(
    templates: list[TemplateRow],
    values: list[MetricValue],
    previous: dict[str, Comparison] | None = None,
    first: dict[str, Comparison] | None = None,
    breakdowns: dict | None = None,
    period: str = "2023",
    directions: dict[str, str] | None = None,
    changes: tuple[Change, ...] = (),
) -> ReportData:
    """directions: higher_is of the metrics that are not "better" (every metric of the values
    is in the catalogue, and so is one no year has)."""
    history: dict[str, list[MetricValue]] = {}
    for v in sorted(values, key=lambda v: v.time_period):
        history.setdefault(v.metric_id, []).append(v)
    return ReportData(
        la_name="Hampshire",
        period=Period(period, "Calendar year", date(2023, 4, 1), date(2023, 9, 1), 100, "2023"),
        values={v.metric_id: v for v in values if v.time_period == period},
        history=history,
        previous=previous or {},
        first=first or {},
        covered_sections=["Impact on child's life"],
        breakdowns=breakdowns or {},
        templates=templates,
        directions={
            **{m: "better" for m in {v.metric_id for v in values} | {"not_this_year"}},
            **(directions or {}),
        },
        changes=changes,
    )


def change(metric_id: str, now: int, then: int, significance: str, rank: int, **kw) -> Change:
    """A row of rpt_report_changes: the measure against the year before."""
    return Change(
        metric_id=metric_id,
        label=kw.get("label", metric_id.replace("_", " ").capitalize()),
        higher_is=kw.get("higher_is", "better"),
        reported_percent=now,
        previous=Comparison(
            kw.get("period", "2022"),
            then,
            now - then,
            significance,
            kw.get("not_testable_reason"),
            kw.get("value_source", "computed"),
        ),
        change_rank=rank,
    )


NO_COMMENTARY = Commentary(path=Path("care_plan_audit_2023.md"))
PRODUCED_ON = date(2024, 1, 15)
