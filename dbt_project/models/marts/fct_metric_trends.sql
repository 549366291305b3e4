-- Year on year: each metric's value in each period (computed or published history) with its
-- 95% Wilson interval, beside the previous period's value, the change in percentage points
-- (unrounded and on the whole percentages reports print), and whether the change is
-- significant (fct_metric_comparisons tests it). Where a computed year also has a published
-- figure, the difference between the two is kept for reconciliation. A period whose forms could
-- not record the metric is a row without a value, change or test (change_significance
-- not_available, and the reason), and the next period is compared with the last one that had a
-- value. Grain: la_code x metric x period.
with

metric_values as (
    select * from {{ ref('int_metric_values_combined') }}
),

previous_period as (
    select * from {{ ref('fct_metric_comparisons') }}
    where is_previous_period
),

metrics as (
    select
        metric_id,
        section_id
    from {{ ref('dim_metrics') }}
),

final as (
    select
        metric_values.la_code,
        metric_values.time_period,
        metric_values.time_identifier,
        metrics.section_id,
        metric_values.metric_id,
        metric_values.denominator_unit,
        metric_values.value_source,
        metric_values.numerator,
        metric_values.denominator,
        metric_values.percent,
        metric_values.ci_lower,
        metric_values.ci_upper,
        metric_values.reported_percent,
        metric_values.published_percent,
        metric_values.is_available,
        metric_values.audits_not_able_to_record,
        metric_values.not_available_reason,
        previous_period.comparison_period as previous_period,
        previous_period.comparison_value_source as previous_value_source,
        previous_period.comparison_numerator as previous_numerator,
        previous_period.comparison_denominator as previous_denominator,
        previous_period.comparison_percent as previous_percent,
        previous_period.comparison_ci_lower as previous_ci_lower,
        previous_period.comparison_ci_upper as previous_ci_upper,
        previous_period.comparison_reported_percent as previous_reported_percent,
        previous_period.change_points,
        previous_period.reported_change_points,
        previous_period.z_statistic,
        previous_period.p_value,
        previous_period.not_testable_reason,
        case
            when not metric_values.is_available then 'not_available'
            else coalesce(previous_period.change_significance, 'no_previous_period')
        end as change_significance,
        case
            when metric_values.value_source = 'computed'
                then metric_values.percent - metric_values.published_percent
        end as published_difference_points
    from metric_values
    inner join metrics on metric_values.metric_id = metrics.metric_id
    left join previous_period
        on
            metric_values.la_code = previous_period.la_code
            and metric_values.metric_id = previous_period.metric_id
            and metric_values.time_identifier = previous_period.time_identifier
            and metric_values.time_period = previous_period.time_period
)

select * from final
