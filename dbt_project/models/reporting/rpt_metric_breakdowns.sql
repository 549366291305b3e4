-- The published breakdown table: each metric per period by age band and by district, with
-- the total, unsuppressed (the internal tier; the open data applies disclosure control). A
-- category none of whose audits' forms could record the metric has no figures, and the reason.
with

breakdowns as (
    select * from {{ ref('fct_metric_breakdowns') }}
),

metrics as (
    select * from {{ ref('dim_metrics') }}
),

authorities as (
    select * from {{ ref('dim_authorities') }}
),

final as (
    select
        breakdowns.time_period,
        breakdowns.time_identifier,
        breakdowns.la_code,
        authorities.la_name,
        breakdowns.section_id as section,
        metrics.section_title,
        breakdowns.metric_id,
        metrics.label as metric_label,
        metrics.description as metric_description,
        metrics.report_order,
        metrics.higher_is,
        breakdowns.breakdown_topic,
        breakdowns.breakdown,
        breakdowns.breakdown_label,
        breakdowns.breakdown_sort_order,
        breakdowns.denominator_unit,
        breakdowns.is_available,
        breakdowns.numerator,
        breakdowns.denominator,
        breakdowns.percent,
        breakdowns.ci_lower,
        breakdowns.ci_upper,
        breakdowns.missing_answers,
        breakdowns.audits_not_able_to_record,
        breakdowns.not_available_reason
    from breakdowns
    inner join metrics on breakdowns.metric_id = metrics.metric_id
    left join authorities on breakdowns.la_code = authorities.la_code
)

select * from final
