-- The figures the open data releases, before disclosure control: every computed figure of
-- rpt_metric_breakdowns (the total and each category), and earlier years' published history
-- from rpt_metric_trends as totals without counts, each with its section's place on the form
-- (the files' row order). Grain: la_code x metric x period x breakdown_topic x breakdown.
with

breakdowns as (
    select * from {{ ref('rpt_metric_breakdowns') }}
),

published_history as (
    select * from {{ ref('rpt_metric_trends') }}
    where value_source = 'published'
),

sections as (
    select * from {{ ref('dim_sections') }}
),

figures as (
    select
        la_code,
        time_period,
        time_identifier,
        section,
        section_title,
        metric_id,
        metric_description,
        'computed' as value_source,
        breakdown_topic,
        breakdown,
        breakdown_label,
        breakdown_sort_order as breakdown_order,
        numerator,
        denominator,
        cast(null as integer) as published_percent,
        is_available,
        not_available_reason,
        audits_not_able_to_record
    from breakdowns
    union all
    select
        la_code,
        time_period,
        time_identifier,
        section,
        section_title,
        metric_id,
        metric_description,
        value_source,
        'total' as breakdown_topic,
        'total' as breakdown,
        'Total' as breakdown_label,
        0 as breakdown_order,
        null as numerator,
        null as denominator,
        published_percent,
        true as is_available,
        null as not_available_reason,
        0 as audits_not_able_to_record
    from published_history
),

final as (
    select
        figures.la_code,
        figures.time_period,
        figures.time_identifier,
        figures.section,
        figures.section_title,
        sections.sort_order as section_order,
        figures.metric_id,
        figures.metric_description,
        figures.value_source,
        figures.breakdown_topic,
        figures.breakdown,
        figures.breakdown_label,
        figures.breakdown_order,
        figures.numerator,
        figures.denominator,
        figures.published_percent,
        figures.is_available,
        figures.not_available_reason,
        figures.audits_not_able_to_record
    from figures
    inner join sections on figures.section = sections.section_id
)

select * from final
