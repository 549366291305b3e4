-- Every metric per authority and period broken down by the child's age band and by district,
-- with the total beside them: the audits' contributions (int_metric_contributions_by_audit,
-- summed per file, age band and district by int_metric_counts_by_file) added up per category.
-- Each audit is in exactly one category of each topic (audits without an answer are "Not
-- recorded"), so the categories of a topic always add up to the total. The grid is complete:
-- a category with no audits in a metric's basis has a row of zeros. As in
-- int_metric_values_computed, only audits whose form could record the metric count
-- (int_metric_availability, per file); a category none of whose audits could has no figures,
-- and says why. Every label comes from
-- reference data (dim_age_bands, dim_districts), never from an export's cell.
-- Grain: la_code x metric x period x breakdown_topic x breakdown.
with

counts as (
    select
        la_code,
        time_period,
        time_identifier,
        form_version,
        metric_id,
        numerator,
        denominator,
        missing_answers,
        coalesce(age_band, 'not_recorded') as age_band,
        coalesce(district_code, 'not_recorded') as district
    from {{ ref('int_metric_counts_by_file') }}
),

audit_versions as (
    select
        la_code,
        time_period,
        time_identifier,
        form_version,
        audits,
        coalesce(age_band, 'not_recorded') as age_band,
        coalesce(district_code, 'not_recorded') as district
    from {{ ref('int_audit_counts_by_form_version') }}
),

availability as (
    select * from {{ ref('int_metric_availability') }}
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

{#- the whole period, then each breakdown topic: the column that holds its categories #}
{%- set topics = {"total": "'total'", "age_band": "age_band", "district": "district"} %}

-- The audits of each category the authority and period has audits in, per form version.
category_versions as (
    {%- for topic, categories in topics.items() %}
        select
            la_code,
            time_period,
            time_identifier,
            '{{ topic }}' as breakdown_topic,
            {{ categories }} as breakdown,
            form_version,
            sum(audits) as audits
        from audit_versions
        group by all
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- Per category and metric: audits on a form that could record it, the others, and why not.
category_availability as (
    select
        category_versions.la_code,
        category_versions.time_period,
        category_versions.time_identifier,
        category_versions.breakdown_topic,
        category_versions.breakdown,
        availability.metric_id,
        coalesce(sum(category_versions.audits) filter (where availability.is_available), 0)
            as audits_able_to_record,
        coalesce(sum(category_versions.audits) filter (where not availability.is_available), 0)
            as audits_not_able_to_record,
        string_agg(
            distinct availability.not_available_reason, '; '
            order by availability.not_available_reason
        ) filter (where not availability.is_available) as not_available_reason
    from category_versions
    inner join availability on category_versions.form_version = availability.form_version
    group by all
),

categories as (
    select distinct
        category_versions.la_code,
        category_versions.time_period,
        category_versions.time_identifier,
        category_versions.breakdown_topic,
        category_versions.breakdown,
        case
            when category_versions.breakdown_topic = 'total' then 'Total'
            when category_versions.breakdown_topic = 'age_band'
                then coalesce(age_bands.age_band_label, 'Not recorded')
            else coalesce(districts.district_label, 'Not recorded')
        end as breakdown_label,
        case
            when category_versions.breakdown_topic = 'total' then 0
            when category_versions.breakdown_topic = 'age_band'
                then coalesce(age_bands.sort_order, 999)
            when category_versions.breakdown = 'not_recorded' then 999
            else 1
        end as breakdown_sort_order
    from category_versions
    left join age_bands
        on
            category_versions.breakdown_topic = 'age_band'
            and category_versions.breakdown = age_bands.age_band
    left join districts
        on
            category_versions.breakdown_topic = 'district'
            and category_versions.la_code = districts.la_code
            and category_versions.breakdown = districts.district_code
),

-- the files whose form could record the metric: a join per file, not per answer
recordable_counts as (
    select counts.*
    from counts
    inner join availability
        on
            counts.metric_id = availability.metric_id
            and counts.form_version = availability.form_version
    where availability.is_available
),

aggregated as (
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
        from recordable_counts
        group by all
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

counted as (
    select
        category_availability.la_code,
        category_availability.time_period,
        category_availability.time_identifier,
        metrics.section_id,
        category_availability.metric_id,
        category_availability.breakdown_topic,
        category_availability.breakdown,
        categories.breakdown_label,
        categories.breakdown_sort_order,
        metrics.denominator_unit,
        category_availability.not_available_reason,
        cast(category_availability.audits_not_able_to_record as integer)
            as audits_not_able_to_record,
        category_availability.audits_able_to_record > 0 as is_available,
        case
            when category_availability.audits_able_to_record > 0
                then cast(coalesce(aggregated.numerator, 0) as integer)
        end as numerator,
        case
            when category_availability.audits_able_to_record > 0
                then cast(coalesce(aggregated.missing_answers, 0) as integer)
        end as missing_answers,
        case
            when
                metrics.numerator_rule != 'count_audits'
                and category_availability.audits_able_to_record > 0
                then cast(coalesce(aggregated.denominator, 0) as integer)
        end as denominator
    from category_availability
    inner join categories
        on
            category_availability.la_code = categories.la_code
            and category_availability.time_period = categories.time_period
            and category_availability.time_identifier = categories.time_identifier
            and category_availability.breakdown_topic = categories.breakdown_topic
            and category_availability.breakdown = categories.breakdown
    inner join metrics on category_availability.metric_id = metrics.metric_id
    left join aggregated
        on
            category_availability.la_code = aggregated.la_code
            and category_availability.time_period = aggregated.time_period
            and category_availability.time_identifier = aggregated.time_identifier
            and category_availability.metric_id = aggregated.metric_id
            and category_availability.breakdown_topic = aggregated.breakdown_topic
            and category_availability.breakdown = aggregated.breakdown
),

final as (
    select
        *,
        {{ proportion_columns('numerator', 'denominator', 'denominator_unit') }}
    from counted
)

select * from final
