-- Every metric per authority and period broken down by the child's age band and by district,
-- with the total beside them: the audits' contributions (int_metric_contributions_by_audit)
-- added up per category. Each audit is in exactly one category of each topic (audits without
-- an answer are "Not recorded"), so the categories of a topic always add up to the total. The
-- grid is complete: a category with no audits in a metric's basis has a row of zeros.
-- Grain: la_code x metric x period x breakdown_topic x breakdown.
with

contributions as (
    select * from {{ ref('int_metric_contributions_by_audit') }}
),

audits as (
    select
        submission_id,
        la_code,
        time_period,
        time_identifier,
        age_band,
        nullif(trim(district), '') as district
    from {{ ref('fct_audits') }}
),

age_bands as (
    select * from {{ ref('dim_age_bands') }}
),

metrics as (
    select
        metric_id,
        section_id,
        numerator_rule,
        denominator_unit
    from {{ ref('dim_metrics') }}
),

audit_categories as (
    select
        submission_id,
        la_code,
        time_period,
        time_identifier,
        'total' as breakdown_topic,
        'total' as breakdown,
        'Total' as breakdown_label,
        0 as breakdown_sort_order
    from audits
    union all
    select
        audits.submission_id,
        audits.la_code,
        audits.time_period,
        audits.time_identifier,
        'age_band' as breakdown_topic,
        coalesce(audits.age_band, 'not_recorded') as breakdown,
        coalesce(age_bands.age_band_label, 'Not recorded') as breakdown_label,
        coalesce(age_bands.sort_order, 999) as breakdown_sort_order
    from audits
    left join age_bands on audits.age_band = age_bands.age_band
    union all
    select
        submission_id,
        la_code,
        time_period,
        time_identifier,
        'district' as breakdown_topic,
        coalesce(district, 'not_recorded') as breakdown,
        coalesce(district, 'Not recorded') as breakdown_label,
        case when district is null then 999 else 1 end as breakdown_sort_order
    from audits
),

categories as (
    select distinct
        la_code,
        time_period,
        time_identifier,
        breakdown_topic,
        breakdown,
        breakdown_label,
        breakdown_sort_order
    from audit_categories
),

period_metrics as (
    select distinct
        audits.la_code,
        audits.time_period,
        audits.time_identifier,
        contributions.metric_id
    from contributions
    inner join audits on contributions.submission_id = audits.submission_id
),

aggregated as (
    select
        audit_categories.la_code,
        audit_categories.time_period,
        audit_categories.time_identifier,
        contributions.metric_id,
        audit_categories.breakdown_topic,
        audit_categories.breakdown,
        sum(contributions.numerator_units) as numerator,
        sum(contributions.denominator_units) as denominator,
        count(*) filter (where contributions.is_missing) as missing_answers
    from contributions
    inner join audit_categories on contributions.submission_id = audit_categories.submission_id
    group by
        audit_categories.la_code,
        audit_categories.time_period,
        audit_categories.time_identifier,
        contributions.metric_id,
        audit_categories.breakdown_topic,
        audit_categories.breakdown
),

counted as (
    select
        period_metrics.la_code,
        period_metrics.time_period,
        period_metrics.time_identifier,
        metrics.section_id,
        period_metrics.metric_id,
        categories.breakdown_topic,
        categories.breakdown,
        categories.breakdown_label,
        categories.breakdown_sort_order,
        metrics.denominator_unit,
        cast(coalesce(aggregated.numerator, 0) as integer) as numerator,
        cast(coalesce(aggregated.missing_answers, 0) as integer) as missing_answers,
        case
            when metrics.numerator_rule != 'count_audits'
                then cast(coalesce(aggregated.denominator, 0) as integer)
        end as denominator
    from period_metrics
    inner join categories
        on
            period_metrics.la_code = categories.la_code
            and period_metrics.time_period = categories.time_period
            and period_metrics.time_identifier = categories.time_identifier
    inner join metrics on period_metrics.metric_id = metrics.metric_id
    left join aggregated
        on
            period_metrics.la_code = aggregated.la_code
            and period_metrics.time_period = aggregated.time_period
            and period_metrics.time_identifier = aggregated.time_identifier
            and period_metrics.metric_id = aggregated.metric_id
            and categories.breakdown_topic = aggregated.breakdown_topic
            and categories.breakdown = aggregated.breakdown
),

final as (
    select
        *,
        {{ proportion_columns('numerator', 'denominator', 'denominator_unit') }}
    from counted
)

select * from final
