-- Every audit is in exactly one category of each breakdown topic, so the categories of a topic
-- add up to the total, and the total is the metric's figure in fct_metrics. Rows returned are
-- breakdowns that do not (and so would let a reader miscount, or lose audits). Dagster shows
-- it as a check on fct_metric_breakdowns.
{{ config(meta={'dagster': {'ref': {'name': 'fct_metric_breakdowns'}}}) }}

with

breakdowns as (
    select * from {{ ref('fct_metric_breakdowns') }}
),

topic_sums as (
    select
        la_code,
        time_period,
        time_identifier,
        metric_id,
        breakdown_topic,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(missing_answers) as missing_answers
    from breakdowns
    where breakdown_topic != 'total'
    group by la_code, time_period, time_identifier, metric_id, breakdown_topic
),

totals as (
    select * from breakdowns
    where breakdown_topic = 'total'
),

metric_values as (
    select * from {{ ref('fct_metrics') }}
),

mismatches as (
    select
        totals.la_code,
        totals.time_period,
        totals.metric_id,
        topic_sums.breakdown_topic,
        totals.numerator as total_numerator,
        topic_sums.numerator as topic_numerator,
        metric_values.numerator as metric_numerator
    from totals
    left join topic_sums
        on
            totals.la_code = topic_sums.la_code
            and totals.time_period = topic_sums.time_period
            and totals.time_identifier = topic_sums.time_identifier
            and totals.metric_id = topic_sums.metric_id
    full outer join metric_values
        on
            totals.la_code = metric_values.la_code
            and totals.time_period = metric_values.time_period
            and totals.time_identifier = metric_values.time_identifier
            and totals.metric_id = metric_values.metric_id
    where
        topic_sums.numerator is distinct from totals.numerator
        or topic_sums.denominator is distinct from totals.denominator
        or topic_sums.missing_answers is distinct from totals.missing_answers
        or metric_values.numerator is distinct from totals.numerator
        or metric_values.denominator is distinct from totals.denominator
        or metric_values.missing_answers is distinct from totals.missing_answers
)

select * from mismatches
