-- The published trend table: each metric per period (computed or published history) beside
-- the previous period, the change in points, the 95% Wilson intervals and whether the change
-- is statistically significant. A period whose forms could not record the metric is a row
-- without a value, change or test, with the reason.
with

trends as (
    select * from {{ ref('fct_metric_trends') }}
),

metrics as (
    select * from {{ ref('dim_metrics') }}
),

authorities as (
    select * from {{ ref('dim_authorities') }}
),

final as (
    select
        trends.time_period,
        trends.time_identifier,
        trends.la_code,
        authorities.la_name,
        trends.section_id as section,
        metrics.section_title,
        trends.metric_id,
        metrics.label as metric_label,
        metrics.description as metric_description,
        metrics.report_order,
        metrics.higher_is,
        trends.denominator_unit,
        trends.value_source,
        trends.is_available,
        trends.numerator,
        trends.denominator,
        trends.percent,
        trends.ci_lower,
        trends.ci_upper,
        trends.reported_percent,
        trends.published_percent,
        trends.published_difference_points,
        trends.previous_period,
        trends.previous_value_source,
        trends.previous_numerator,
        trends.previous_denominator,
        trends.previous_percent,
        trends.previous_ci_lower,
        trends.previous_ci_upper,
        trends.previous_reported_percent,
        trends.change_points,
        trends.reported_change_points,
        trends.z_statistic,
        trends.p_value,
        trends.change_significance,
        trends.not_testable_reason,
        trends.audits_not_able_to_record,
        trends.not_available_reason
    from trends
    inner join metrics on trends.metric_id = metrics.metric_id
    left join authorities on trends.la_code = authorities.la_code
)

select * from final
