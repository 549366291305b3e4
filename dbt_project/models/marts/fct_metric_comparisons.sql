-- Each metric's value in a period compared with every earlier period the authority has, not
-- only the previous one (the 2022 report compares with 2019 too). Grain: la_code x metric x
-- period x earlier period.
with

metric_values as (
    select * from {{ ref('int_metric_values_combined') }}
),

compared as (
    select
        current_values.la_code,
        current_values.time_period,
        current_values.time_identifier,
        current_values.metric_id,
        earlier_values.time_period as comparison_period,
        current_values.percent,
        earlier_values.percent as comparison_percent,
        current_values.reported_percent,
        earlier_values.reported_percent as comparison_reported_percent,
        current_values.value_source,
        earlier_values.value_source as comparison_value_source,
        current_values.percent - earlier_values.percent as change_points,
        current_values.reported_percent
        - earlier_values.reported_percent as reported_change_points,
        row_number() over (
            partition by
                current_values.la_code,
                current_values.metric_id,
                current_values.time_identifier,
                current_values.time_period
            order by earlier_values.time_period desc
        ) = 1 as is_previous_period
    from metric_values as current_values
    inner join metric_values as earlier_values
        on
            current_values.la_code = earlier_values.la_code
            and current_values.metric_id = earlier_values.metric_id
            and current_values.time_identifier = earlier_values.time_identifier
            and current_values.time_period > earlier_values.time_period
)

select * from compared
