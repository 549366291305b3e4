-- What each metric of the catalogue counts, as disclosure control needs it to work out which
-- published counts are the same count and which add up (orchestration/lib/publish/metric_cells.py):
-- its question and that question's type, its numerator rule and codes, and its basis' unit,
-- population and restriction codes. Grain: metric.
with

metrics as (
    select * from {{ ref('metrics') }}
),

bases as (
    select * from {{ ref('metric_bases') }}
),

questions as (
    select * from {{ ref('form_questions') }}
),

final as (
    select
        metrics.metric_id,
        metrics.question_id,
        questions.question_type,
        metrics.numerator_rule,
        bases.unit,
        bases.population,
        coalesce(string_split(metrics.numerator_codes, '|'), cast([] as varchar[]))
            as numerator_codes,
        coalesce(string_split(bases.restrict_to_codes, '|'), cast([] as varchar[]))
            as restrict_to_codes
    from metrics
    inner join bases on metrics.basis = bases.basis
    left join questions on metrics.question_id = questions.question_id
)

select * from final
