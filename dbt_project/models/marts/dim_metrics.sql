with

metrics as (
    select * from {{ ref('metrics') }}
),

bases as (
    select * from {{ ref('metric_bases') }}
),

sections as (
    select * from {{ ref('form_sections') }}
),

final as (
    select
        metrics.metric_id,
        metrics.description,
        metrics.section_id,
        sections.section_title,
        metrics.question_id,
        metrics.numerator_rule,
        metrics.numerator_codes,
        metrics.basis,
        bases.unit as denominator_unit,
        bases.description as basis_description
    from metrics
    inner join bases on metrics.basis = bases.basis
    inner join sections on metrics.section_id = sections.section_id
)

select * from final
