-- Every metric per authority and period broken down by the child's age band and by district,
-- with the total beside them: the audits' contributions (int_metric_contributions_by_audit,
-- summed per file, age band and district by int_metric_counts_by_file) added up per category.
-- Each audit is in exactly one category of each topic (audits without an answer are "Not
-- recorded"), so the categories of a topic always add up to the total. The grid is complete:
-- a category with no audits in a metric's basis has a row of zeros. The counting is the one
-- int_metric_values_computed uses (macros/metric_counts_by_category.sql): only audits whose
-- form could record the metric count; a category none of whose audits could has no figures,
-- and says why. The topics are breakdown_topics() (macros/breakdown_topics.sql). Every label
-- comes from reference data (dim_age_bands, dim_districts), never from an export's cell.
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
        age_band,
        district_code
    from {{ ref('int_metric_counts_by_file') }}
),

audit_versions as (
    select
        la_code,
        time_period,
        time_identifier,
        form_version,
        audits,
        age_band,
        district_code
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

{{ metric_counts_by_category(breakdown_topics()) }},

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

labelled as (
    select
        counted.la_code,
        counted.time_period,
        counted.time_identifier,
        counted.section_id,
        counted.metric_id,
        counted.breakdown_topic,
        counted.breakdown,
        categories.breakdown_label,
        categories.breakdown_sort_order,
        counted.denominator_unit,
        counted.not_available_reason,
        counted.audits_not_able_to_record,
        counted.is_available,
        counted.numerator,
        counted.missing_answers,
        counted.denominator
    from counted
    inner join categories
        on
            counted.la_code = categories.la_code
            and counted.time_period = categories.time_period
            and counted.time_identifier = categories.time_identifier
            and counted.breakdown_topic = categories.breakdown_topic
            and counted.breakdown = categories.breakdown
),

final as (
    select
        *,
        {{ proportion_columns('numerator', 'denominator', 'denominator_unit') }}
    from labelled
)

select * from final
