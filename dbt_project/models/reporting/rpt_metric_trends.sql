-- The published trend table: each metric per period beside the previous period (computed or
-- published history) and the change in points, unrounded and on reported whole percentages.
with

trends as (
    select * from {{ ref('fct_metric_trends') }}
),

metrics as (
    select * from {{ ref('dim_metrics') }}
),

final as (
    select
        trends.time_period,
        trends.time_identifier,
        trends.la_code,
        trends.section_id as section,
        trends.metric_id,
        metrics.description as metric_description,
        trends.value_source,
        trends.numerator,
        trends.denominator,
        trends.percent,
        trends.reported_percent,
        trends.published_percent,
        trends.previous_period,
        trends.previous_value_source,
        trends.previous_percent,
        trends.previous_reported_percent,
        trends.change_points,
        trends.reported_change_points
    from trends
    inner join metrics on trends.metric_id = metrics.metric_id
)

select * from final
