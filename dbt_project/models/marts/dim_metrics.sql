-- The metric catalogue with each basis described, and the order a reader meets the metrics in:
-- by section, then by the first sentence or chart of the annual report that quotes each one
-- (report_sentences), metrics the report never quotes last in their section.
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

sentences as (
    select
        sort_order,
        text,
        string_split(metric_id, '|') as metric_ids
    from {{ ref('report_sentences') }}
    where kind in ('finding', 'ranking', 'text', 'metrics_chart', 'breakdown_chart')
),

-- The first row of the report naming the metric or printing one of its figures, and where in
-- it: its place among the row's metrics, else where its first figure is in the text.
first_quoted as (
    select
        metrics.metric_id,
        min(
            struct_pack(
                sentence := sentences.sort_order,
                place := coalesce(
                    nullif(list_position(sentences.metric_ids, metrics.metric_id), 0),
                    1000 + strpos(sentences.text, '{' || metrics.metric_id || '.')
                )
            )
        ) as first_place
    from metrics
    inner join sentences
        on
            list_contains(sentences.metric_ids, metrics.metric_id)
            or contains(sentences.text, '{' || metrics.metric_id || '.')
    group by metrics.metric_id
),

final as (
    select
        metrics.metric_id,
        metrics.description,
        metrics.label,
        metrics.higher_is,
        metrics.section_id,
        sections.section_title,
        sections.sort_order as section_sort_order,
        cast(row_number() over (
            order by
                sections.sort_order,
                first_quoted.first_place nulls last,
                metrics.metric_id
        ) as integer) as report_order,
        metrics.question_id,
        metrics.numerator_rule,
        metrics.numerator_codes,
        metrics.basis,
        bases.unit as denominator_unit,
        bases.description as basis_description
    from metrics
    inner join bases on metrics.basis = bases.basis
    inner join sections on metrics.section_id = sections.section_id
    left join first_quoted on metrics.metric_id = first_quoted.metric_id
)

select * from final
