-- The published metrics table: one row per authority, period and metric, unrounded percent
-- and its 95% Wilson interval, the whole percent the report prints, with the section, the
-- metric's wording, direction and report order, so a spreadsheet or dashboard needs nothing
-- else. A metric the period's forms could not record has a row without figures and the reason.
with

metric_values as (
    select * from {{ ref('fct_metrics') }}
),

metrics as (
    select * from {{ ref('dim_metrics') }}
),

authorities as (
    select * from {{ ref('dim_authorities') }}
),

final as (
    select
        metric_values.time_period,
        metric_values.time_identifier,
        metric_values.la_code,
        authorities.la_name,
        metric_values.section_id as section,
        metrics.section_title,
        metric_values.metric_id,
        metrics.label as metric_label,
        metrics.description as metric_description,
        metrics.report_order,
        metrics.higher_is,
        metric_values.denominator_unit,
        metric_values.is_available,
        metric_values.numerator,
        metric_values.denominator,
        metric_values.percent,
        metric_values.ci_lower,
        metric_values.ci_upper,
        metric_values.reported_percent,
        metric_values.missing_answers,
        metric_values.audits_not_able_to_record,
        metric_values.not_available_reason
    from metric_values
    inner join metrics on metric_values.metric_id = metrics.metric_id
    left join authorities on metric_values.la_code = authorities.la_code
)

select * from final
