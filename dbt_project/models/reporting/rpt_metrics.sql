-- The published metrics table: one row per authority, period and metric, unrounded percent,
-- with the section and the metric's wording so a spreadsheet reader needs nothing else.
with

metric_values as (
    select * from {{ ref('fct_metrics') }}
),

metrics as (
    select * from {{ ref('dim_metrics') }}
),

sections as (
    select * from {{ ref('dim_sections') }}
),

final as (
    select
        metric_values.time_period,
        metric_values.time_identifier,
        metric_values.la_code,
        metric_values.section_id as section,
        sections.section_title,
        metric_values.metric_id,
        metrics.description as metric_description,
        metric_values.numerator,
        metric_values.denominator,
        metric_values.percent,
        metric_values.missing_answers
    from metric_values
    inner join metrics on metric_values.metric_id = metrics.metric_id
    inner join sections on metric_values.section_id = sections.section_id
)

select * from final
