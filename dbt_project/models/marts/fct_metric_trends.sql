-- Year on year: each metric's value in each period beside the previous period's value
-- (computed or published history) and the change in percentage points, both unrounded and on
-- the whole percentages the reports print. Grain: la_code x metric x period.
with

metric_values as (
    select * from {{ ref('int_metric_values_combined') }}
),

with_previous as (
    select
        *,
        lag(time_period) over by_period as previous_period,
        lag(percent) over by_period as previous_percent,
        lag(reported_percent) over by_period as previous_reported_percent,
        lag(value_source) over by_period as previous_value_source
    from metric_values
    window by_period as (
        partition by la_code, metric_id, time_identifier order by time_period
    )
),

final as (
    select
        with_previous.la_code,
        with_previous.time_period,
        with_previous.time_identifier,
        metrics.section_id,
        with_previous.metric_id,
        with_previous.numerator,
        with_previous.denominator,
        with_previous.percent,
        with_previous.reported_percent,
        with_previous.published_percent,
        with_previous.value_source,
        with_previous.previous_period,
        with_previous.previous_percent,
        with_previous.previous_reported_percent,
        with_previous.previous_value_source,
        with_previous.percent - with_previous.previous_percent as change_points,
        with_previous.reported_percent
        - with_previous.previous_reported_percent as reported_change_points
    from with_previous
    inner join {{ ref('metrics') }} as metrics on with_previous.metric_id = metrics.metric_id
)

select * from final
