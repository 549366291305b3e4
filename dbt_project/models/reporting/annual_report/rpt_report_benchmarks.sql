-- The annual report's "How we compare": each authority's measures beside its region's
-- (fct_metric_benchmarks) as whole percentages, with the points of a funnel plot (base and
-- percent of every authority of the region), and each section's key measure: its first
-- comparable measure in report order. Grain: la_code x metric x period.
with

benchmarks as (
    select * from {{ ref('fct_metric_benchmarks') }}
),

metrics as (
    select * from {{ ref('dim_metrics') }}
),

sections as (
    select * from {{ ref('dim_sections') }}
),

authorities as (
    select * from {{ ref('dim_authorities') }}
),

labelled as (
    select
        benchmarks.la_code,
        authorities.la_name,
        benchmarks.region_code,
        benchmarks.region_name,
        benchmarks.time_period,
        benchmarks.time_identifier,
        benchmarks.section_id as section,
        metrics.section_title,
        sections.sort_order as section_order,
        benchmarks.metric_id,
        metrics.label as metric_label,
        metrics.report_order,
        metrics.higher_is,
        benchmarks.denominator,
        benchmarks.percent,
        benchmarks.benchmark_percent,
        benchmarks.control_lower_95,
        benchmarks.control_upper_95,
        benchmarks.control_lower_998,
        benchmarks.control_upper_998,
        benchmarks.position,
        benchmarks.not_comparable_reason,
        {{ whole_percent('benchmarks.percent') }} as reported_percent,
        {{ whole_percent('benchmarks.benchmark_percent') }} as reported_benchmark_percent
    from benchmarks
    inner join metrics on benchmarks.metric_id = metrics.metric_id
    inner join sections on benchmarks.section_id = sections.section_id
    left join authorities on benchmarks.la_code = authorities.la_code
),

final as (
    select
        *,
        position != 'not_comparable'
        and row_number() over (
            partition by la_code, time_period, time_identifier, section
            order by position = 'not_comparable', report_order
        ) = 1 as is_key_measure
    from labelled
)

select * from final
