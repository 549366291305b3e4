-- Each authority's metric beside its region's: the region's pooled percent (every authority of
-- the region whose forms could record the metric in the period, this authority included:
-- numerators over denominators added up) and funnel-plot control limits around it for this
-- authority's base, at 95% and 99.8% (normal approximation to the binomial,
-- macros/proportion_statistics.sql; to a millionth of a point). position says where the
-- authority's percent falls; a row that cannot be compared honestly says why instead.
-- Grain: la_code x metric x period.
with

metric_values as (
    select * from {{ ref('fct_metrics') }}
),

authorities as (
    select * from {{ ref('dim_authorities') }}
),

values_in_regions as (
    select
        metric_values.*,
        authorities.region_code,
        authorities.region_name
    from metric_values
    inner join authorities on metric_values.la_code = authorities.la_code
),

region_pools as (
    select
        region_code,
        time_period,
        time_identifier,
        metric_id,
        count(*) as region_authorities,
        sum(numerator) as region_numerator,
        sum(denominator) as region_denominator
    from values_in_regions
    where is_available and denominator > 0
    group by region_code, time_period, time_identifier, metric_id
),

benchmarked as (
    select
        values_in_regions.la_code,
        values_in_regions.region_code,
        values_in_regions.region_name,
        values_in_regions.time_period,
        values_in_regions.time_identifier,
        values_in_regions.section_id,
        values_in_regions.metric_id,
        values_in_regions.denominator_unit,
        values_in_regions.is_available,
        values_in_regions.audits_not_able_to_record,
        values_in_regions.numerator,
        values_in_regions.denominator,
        values_in_regions.percent,
        region_pools.region_numerator,
        region_pools.region_denominator,
        coalesce(region_pools.region_authorities, 0) as region_authorities,
        100.0 * cast(region_pools.region_numerator as double)
        / region_pools.region_denominator as benchmark_percent
    from values_in_regions
    left join region_pools
        on
            values_in_regions.region_code = region_pools.region_code
            and values_in_regions.time_period = region_pools.time_period
            and values_in_regions.time_identifier = region_pools.time_identifier
            and values_in_regions.metric_id = region_pools.metric_id
),

with_reasons as (
    select
        *,
        case
            when not is_available
                then 'not available: the period''s forms could not record it'
            when denominator_unit != 'audits'
                then 'counts selections, not audits: no binomial limits apply'
            when audits_not_able_to_record > 0
                then 'part of the period''s audits were on a form version that could not record it'
            when coalesce(denominator, 0) < {{ benchmark_min_base() }}
                then 'too few audits: fewer than {{ benchmark_min_base() }} in its base'
            when region_authorities < 2
                then 'no other authority of the region recorded it in the period'
        end as not_comparable_reason
    from benchmarked
),

with_limits as (
    select
        *,
        {{ funnel_limit('benchmark_percent', 'denominator', z_95(), 'lower') }}
            as control_lower_95,
        {{ funnel_limit('benchmark_percent', 'denominator', z_95(), 'upper') }}
            as control_upper_95,
        {{ funnel_limit('benchmark_percent', 'denominator', z_998(), 'lower') }}
            as control_lower_998,
        {{ funnel_limit('benchmark_percent', 'denominator', z_998(), 'upper') }}
            as control_upper_998
    from with_reasons
),

final as (
    select
        la_code,
        region_code,
        region_name,
        time_period,
        time_identifier,
        section_id,
        metric_id,
        denominator_unit,
        numerator,
        denominator,
        percent,
        region_authorities,
        region_numerator,
        region_denominator,
        benchmark_percent,
        not_comparable_reason,
        case
            when not_comparable_reason is null then round(control_lower_95, 6)
        end as control_lower_95,
        case
            when not_comparable_reason is null then round(control_upper_95, 6)
        end as control_upper_95,
        case
            when not_comparable_reason is null then round(control_lower_998, 6)
        end as control_lower_998,
        case
            when not_comparable_reason is null then round(control_upper_998, 6)
        end as control_upper_998,
        case
            when not_comparable_reason is not null then 'not_comparable'
            when percent > control_upper_998 then 'above_998'
            when percent > control_upper_95 then 'above_95'
            when percent < control_lower_998 then 'below_998'
            when percent < control_lower_95 then 'below_95'
            else 'within'
        end as position  -- noqa: RF04
    from with_limits
)

select * from final
