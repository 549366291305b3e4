-- The comparisons the annual report words: each metric's whole percentage in a period against
-- an earlier period with one (fct_metric_comparisons), marking the previous period and the
-- first period on record (the 2022 report compares with 2019 as well as 2021), with the
-- change in points between the printed percentages and the significance test's verdict.
with

comparisons as (
    select * from {{ ref('fct_metric_comparisons') }}
    where reported_percent is not null and comparison_reported_percent is not null
),

final as (
    select
        la_code,
        time_identifier,
        time_period,
        metric_id,
        comparison_period,
        comparison_value_source,
        change_significance,
        not_testable_reason,
        is_previous_period,
        cast(comparison_reported_percent as integer) as comparison_reported_percent,
        cast(reported_change_points as integer) as reported_change_points,
        comparison_period = min(comparison_period) over (
            partition by la_code, time_identifier, time_period, metric_id
        ) as is_first_period
    from comparisons
)

select * from final
