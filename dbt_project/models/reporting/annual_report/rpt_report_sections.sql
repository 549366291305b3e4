-- The sections of the audit form each period's audits covered (a section with a figure in
-- the period), in the form's order: the Background's list of what the audits covered.
with

sections as (
    select * from {{ ref('dim_sections') }}
),

covered as (
    select distinct
        la_code,
        time_identifier,
        time_period,
        section_id
    from {{ ref('fct_metrics') }}
    where is_available
),

final as (
    select
        covered.la_code,
        covered.time_identifier,
        covered.time_period,
        sections.section_id,
        sections.section_title,
        cast(sections.sort_order as integer) as sort_order
    from covered
    inner join sections on covered.section_id = sections.section_id
)

select * from final
