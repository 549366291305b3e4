-- The published metrics table: one row per authority, period and metric, unrounded percent
-- and its 95% Wilson interval, with the section and the metric's wording so a spreadsheet
-- reader needs nothing else.
with

metric_values as (
    select * from {{ ref('fct_metrics') }}
),

metrics as (
    select * from {{ ref('dim_metrics') }}
),

final as (
    select
        metric_values.time_period,
        metric_values.time_identifier,
        metric_values.la_code,
        metric_values.section_id as section,
        metrics.section_title,
        metric_values.metric_id,
        metrics.description as metric_description,
        metric_values.denominator_unit,
        metric_values.numerator,
        metric_values.denominator,
        metric_values.percent,
        metric_values.ci_lower,
        metric_values.ci_upper,
        metric_values.missing_answers
    from metric_values
    inner join metrics on metric_values.metric_id = metrics.metric_id
)

select * from final
