-- The published benchmark table: each authority's metric per period beside its region's pooled
-- percent, with the funnel plot's 95% and 99.8% control limits for the authority's base and
-- where its percent falls (fct_metric_benchmarks), labelled for a dashboard. A figure that
-- cannot be compared honestly says why.
with

benchmarks as (
    select * from {{ ref('fct_metric_benchmarks') }}
),

metrics as (
    select * from {{ ref('dim_metrics') }}
),

authorities as (
    select * from {{ ref('dim_authorities') }}
),

final as (
    select
        benchmarks.time_period,
        benchmarks.time_identifier,
        benchmarks.la_code,
        authorities.la_name,
        benchmarks.region_code,
        benchmarks.region_name,
        benchmarks.section_id as section,
        metrics.section_title,
        benchmarks.metric_id,
        metrics.label as metric_label,
        metrics.report_order,
        metrics.higher_is,
        benchmarks.denominator_unit,
        benchmarks.numerator,
        benchmarks.denominator,
        benchmarks.percent,
        benchmarks.region_authorities,
        benchmarks.region_numerator,
        benchmarks.region_denominator,
        benchmarks.benchmark_percent,
        benchmarks.control_lower_95,
        benchmarks.control_upper_95,
        benchmarks.control_lower_998,
        benchmarks.control_upper_998,
        benchmarks.position,
        benchmarks.not_comparable_reason
    from benchmarks
    inner join metrics on benchmarks.metric_id = metrics.metric_id
    left join authorities on benchmarks.la_code = authorities.la_code
)

select * from final
