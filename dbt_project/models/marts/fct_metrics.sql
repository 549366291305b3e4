-- Every metric of the catalogue for every authority and period: the audits' contributions
-- (int_metric_contributions_by_audit, where the metric rules live) added up per period, with
-- the percent and its 95% Wilson interval. Grain: la_code x metric x period.
with

contributions as (
    select * from {{ ref('int_metric_contributions_by_audit') }}
),

audits as (
    select
        submission_id,
        la_code,
        time_period,
        time_identifier
    from {{ ref('fct_audits') }}
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
        audits.la_code,
        contributions.metric_id,
        audits.time_period,
        audits.time_identifier,
        sum(contributions.numerator_units) as numerator,
        sum(contributions.denominator_units) as denominator,
        count(*) filter (where contributions.is_missing) as missing_answers
    from contributions
    inner join audits on contributions.submission_id = audits.submission_id
    group by
        audits.la_code, contributions.metric_id, audits.time_period, audits.time_identifier
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
