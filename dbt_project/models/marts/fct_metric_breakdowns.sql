-- Every metric per authority and period broken down by the child's age band and by district,
-- with the total beside them: the audits' contributions (int_metric_contributions_by_audit,
-- summed per file, age band and district by int_metric_counts_by_file) added up per category.
-- Each audit is in exactly one category of each topic (audits without an answer are "Not
-- recorded"), so the categories of a topic always add up to the total. The grid is complete:
-- a category with no audits in a metric's basis has a row of zeros. Every label comes from
-- reference data (dim_age_bands, dim_districts), never from an export's cell.
-- Grain: la_code x metric x period x breakdown_topic x breakdown.
with

counts as (
    select
        la_code,
        time_period,
        time_identifier,
        metric_id,
        numerator,
        denominator,
        missing_answers,
        coalesce(age_band, 'not_recorded') as age_band,
        coalesce(district_code, 'not_recorded') as district
    from {{ ref('int_metric_counts_by_file') }}
),

audits as (
    select
        la_code,
        time_period,
        time_identifier,
        age_band,
        district_code
    from {{ ref('fct_audits') }}
),

age_bands as (
    select * from {{ ref('dim_age_bands') }}
),

districts as (
    select * from {{ ref('dim_districts') }}
),

metrics as (
    select
        metric_id,
        section_id,
        numerator_rule,
        denominator_unit
    from {{ ref('dim_metrics') }}
),

-- The categories each authority and period has audits in.
categories as (
    select distinct
        la_code,
        time_period,
        time_identifier,
        'total' as breakdown_topic,
        'total' as breakdown,
        'Total' as breakdown_label,
        0 as breakdown_sort_order
    from audits
    union all
    select distinct
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
    select distinct
        audits.la_code,
        audits.time_period,
        audits.time_identifier,
        'district' as breakdown_topic,
        coalesce(audits.district_code, 'not_recorded') as breakdown,
        coalesce(districts.district_label, 'Not recorded') as breakdown_label,
        case when audits.district_code is null then 999 else 1 end as breakdown_sort_order
    from audits
    left join districts
        on
            audits.la_code = districts.la_code
            and audits.district_code = districts.district_code
),

period_metrics as (
    select distinct
        la_code,
        time_period,
        time_identifier,
        metric_id
    from counts
),

aggregated as (
    {#- the whole period, then each breakdown topic: the column that holds its categories #}
    {%- set topics = {"total": "'total'", "age_band": "age_band", "district": "district"} %}
    {%- for topic, categories in topics.items() %}
        select
            la_code,
            time_period,
            time_identifier,
            metric_id,
            '{{ topic }}' as breakdown_topic,
            {{ categories }} as breakdown,
            sum(numerator) as numerator,
            sum(denominator) as denominator,
            sum(missing_answers) as missing_answers
        from counts
        group by all
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
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
