-- What changed since the previous year, for the annual report's key messages and its table:
-- every measure a finding of the report quotes (report_sentences, its own metric) that has a
-- previous period with a figure, its change in points between the printed whole percentages
-- and the trend test's verdict, ranked by the size of the change (ties in report order).
with

findings as (
    select
        sort_order,
        trim(string_split(metric_id, '|')[1]) as metric_id
    from {{ ref('report_sentences') }}
    where kind = 'finding' and metric_id is not null
),

finding_metrics as (
    select
        metric_id,
        min(sort_order) as sort_order
    from findings
    group by metric_id
),

trends as (
    select * from {{ ref('fct_metric_trends') }}
    where reported_percent is not null and previous_reported_percent is not null
),

metrics as (
    select * from {{ ref('dim_metrics') }}
),

final as (
    select
        trends.la_code,
        trends.time_identifier,
        trends.time_period,
        trends.metric_id,
        metrics.label as metric_label,
        metrics.description,
        metrics.higher_is,
        trends.previous_period,
        trends.previous_value_source,
        trends.change_significance,
        trends.not_testable_reason,
        cast(finding_metrics.sort_order as integer) as report_order,
        cast(trends.reported_percent as integer) as reported_percent,
        cast(trends.previous_reported_percent as integer) as previous_reported_percent,
        cast(trends.reported_change_points as integer) as reported_change_points,
        cast(row_number() over (
            partition by trends.la_code, trends.time_identifier, trends.time_period
            order by abs(trends.reported_change_points) desc, finding_metrics.sort_order
        ) as integer) as change_rank
    from trends
    inner join finding_metrics on trends.metric_id = finding_metrics.metric_id
    inner join metrics on trends.metric_id = metrics.metric_id
)

select * from final
