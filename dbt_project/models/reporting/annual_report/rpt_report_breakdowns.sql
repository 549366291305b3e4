-- The annual report's breakdown charts: each metric per period by category of a topic (age
-- band, district), in the categories' order, without the total (the report adds it up).
with

breakdowns as (
    select * from {{ ref('fct_metric_breakdowns') }}
    where breakdown_topic != 'total'
),

final as (
    select
        la_code,
        time_identifier,
        time_period,
        metric_id,
        breakdown_topic,
        breakdown_label,
        cast(breakdown_sort_order as integer) as breakdown_sort_order,
        cast(numerator as integer) as numerator,
        cast(denominator as integer) as denominator
    from breakdowns
)

select * from final
