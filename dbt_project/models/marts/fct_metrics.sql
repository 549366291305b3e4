-- Every metric of the catalogue for every authority and period: the audits' contributions
-- (int_metric_contributions_by_audit, where the metric rules live, summed per file by
-- int_metric_counts_by_file) added up per period, with the percent and its 95% Wilson
-- interval. Grain: la_code x metric x period.
with

counts as (
    select * from {{ ref('int_metric_counts_by_file') }}
),

metrics as (
    select
        metric_id,
        section_id,
        numerator_rule,
        denominator_unit
    from {{ ref('dim_metrics') }}
),

aggregated as (
    select
        la_code,
        metric_id,
        time_period,
        time_identifier,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(missing_answers) as missing_answers
    from counts
    group by la_code, metric_id, time_period, time_identifier
),

counted as (
    select
        aggregated.la_code,
        aggregated.time_period,
        aggregated.time_identifier,
        metrics.section_id,
        aggregated.metric_id,
        metrics.denominator_unit,
        cast(aggregated.numerator as integer) as numerator,
        cast(aggregated.missing_answers as integer) as missing_answers,
        case
            when metrics.numerator_rule != 'count_audits'
                then cast(coalesce(aggregated.denominator, 0) as integer)
        end as denominator
    from aggregated
    inner join metrics on aggregated.metric_id = metrics.metric_id
),

final as (
    select
        *,
        {{ proportion_columns('numerator', 'denominator', 'denominator_unit') }}
    from counted
)

select * from final
